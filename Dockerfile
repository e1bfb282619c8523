# Multi-stage build of the operator image. Not built in this project's CI (no Docker engine there);
# kept minimal and standard: `docker build -t bms-power-operator .`
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
COPY crds ./crds
RUN mvn -B -ntp -q package -DskipTests -Dspotless.check.skip=true

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 65532 operator && useradd --system --uid 65532 --gid 65532 --no-create-home operator
COPY --from=build /src/target/bms-power-operator.jar /opt/bms-power-operator/bms-power-operator.jar
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/bms-power-operator/bms-power-operator.jar"]
