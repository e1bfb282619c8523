# The operator image. Build the jar first, then the image on any Java 17 runtime image:
#
#   make build && docker build -t bms-power-operator:0.1.0 .
#
# BASE_IMAGE is any image with `java` (17+) on the PATH. `make image` builds this same file, without a
# registry, on a base made from Debian packages (a jlink'd OpenJDK 17 runtime; hack/image/build.sh).
ARG BASE_IMAGE=docker.io/library/eclipse-temurin:17-jre
FROM ${BASE_IMAGE}
COPY target/bms-power-operator.jar /opt/bms-power-operator/bms-power-operator.jar
# The chart runs it as this user with a read-only root file system and /tmp as an emptyDir.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/bms-power-operator/bms-power-operator.jar"]
