#!/usr/bin/env bash
# make image: builds the operator image without any registry and writes it as a docker archive
# (loaded by `docker load`, `podman load` and `ctr images import`) under target/.
#
#   1. A base image from Debian packages only: the C runtime libraries (mmdebstrap --variant=extract),
#      a jlink'd Java runtime made from this machine's Debian OpenJDK 17 (the JDK package the image
#      carries, so its security updates reach the image; jlink copies its CA certificates and time
#      zone data too), user 65532 and a world-writable /tmp.
#   2. The project's Dockerfile, unchanged, built on that base with --build-arg BASE_IMAGE=...
#      The file users build with their own registry is the file built here.
#
# Needs root, podman and mmdebstrap (installed from Debian when missing) and a Debian mirror (the
# ones apt uses). Prints the image size. Output: target/image/bms-power-operator-<version>.tar
set -euo pipefail
cd "$(dirname "$0")/../.."

REPOSITORY="${IMAGE_REPOSITORY:-ghcr.io/bmspower/bms-power-operator}"
OUT=target/image
JAR=target/bms-power-operator.jar
JDK_HOME="${JDK_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

say() { echo "image: $*"; }
die() { echo "image: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "needs root (podman's storage and mmdebstrap run as root here)"
[[ -f $JAR ]] || die "$JAR is missing: run make build first"
# The project version, as the jar's manifest carries it (and `--version` prints it).
VERSION="${VERSION:-$("$JDK_HOME/bin/java" -jar "$JAR" --version | awk '{print $2}')}"
[[ -n $VERSION && $VERSION != dev ]] || die "$JAR prints no version (java -jar $JAR --version): run make build"
IMAGE="$REPOSITORY:$VERSION"
[[ -x $JDK_HOME/bin/jlink ]] || die "no jlink in $JDK_HOME (set JDK_HOME to a JDK 17; Debian: apt-get install openjdk-17-jdk-headless)"
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v runc >/dev/null || missing+=(runc)
if ((${#missing[@]})); then
  say "installing ${missing[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    die "could not install ${missing[*]} (apt-get failed); install them and run again"
fi
# podman settings this machine needs (see ../shared/real-node.md): no CAP_SYS_RESOURCE, so the default
# ulimits cannot be applied; crun refuses the hybrid cgroup layout; no systemd, no journald.
export CONTAINERS_CONF="$PWD/hack/image/containers.conf"

mkdir -p "$OUT"
START=$SECONDS

# The Java modules the operator needs, from jdeps on the unpacked fat jar (cached by the jar's hash),
# plus jdk.crypto.ec, which TLS needs for EC keys and jdeps cannot see.
JAR_SUM="$(sha256sum "$JAR" | cut -c1-16)"
if [[ ! -f $OUT/modules-$JAR_SUM.txt ]]; then
  say "finding the Java modules the jar uses (jdeps)"
  rm -rf "$OUT/unpacked" "$OUT"/modules-*.txt
  mkdir -p "$OUT/unpacked" && (cd "$OUT/unpacked" && "$JDK_HOME/bin/jar" xf "../../../$JAR")
  "$JDK_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 -q --recursive \
    "$OUT/unpacked" >"$OUT/modules.tmp"
  rm -rf "$OUT/unpacked"
  mv "$OUT/modules.tmp" "$OUT/modules-$JAR_SUM.txt"
fi
MODULES="$(cat "$OUT/modules-$JAR_SUM.txt"),jdk.crypto.ec"
say "Java modules: $MODULES"

JDK_PACKAGE="$(dpkg-query -S "$JDK_HOME/bin/jlink" 2>/dev/null | cut -d: -f1 | head -1 || true)"
JDK_VERSION="$("$JDK_HOME/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')"
# The base is rebuilt when the JDK, the modules or the C libraries' versions (as apt last saw them)
# change, so security updates of either reach it.
LIBS_VERSIONS="$(apt-cache policy libc6 libgcc-s1 libstdc++6 zlib1g 2>/dev/null | awk '/Candidate:/ {print $2}' | paste -sd, || true)"
BASE="localhost/bms-power-operator-base:${JDK_VERSION//+/_}-$(echo "$MODULES $LIBS_VERSIONS" | sha256sum | cut -c1-8)"

if podman image exists "$BASE" && [[ ${REBUILD_BASE:-} != true ]]; then
  say "base $BASE already built"
else
  say "building the base $BASE from Debian $SUITE packages and ${JDK_PACKAGE:-the JDK in $JDK_HOME} $JDK_VERSION"
  rm -rf "$OUT/jre" "$OUT/base.tar"
  "$JDK_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=2 --output "$OUT/jre"
  # --variant=extract unpacks the listed packages and nothing else: no shell, no package manager.
  rm -rf "$OUT/rootfs"
  mmdebstrap --quiet --variant=extract --include=libc6,libgcc-s1,libstdc++6,zlib1g \
    "$SUITE" "$OUT/rootfs" "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
    "deb $SECURITY_MIRROR $SUITE-security main"
  root="$OUT/rootfs"
  rm -rf "$root"/usr/share/{doc,man,info,locale} "$root"/var/cache/apt "$root"/var/lib/apt/lists "$root"/dev/*
  mkdir -p "$root/opt" "$root/tmp" "$root/home/nonroot" "$root/etc/ssl/certs"
  chmod 1777 "$root/tmp"
  cp -a "$OUT/jre" "$root/opt/java"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  chown 65532:65532 "$root/home/nonroot"
  tar --numeric-owner -C "$root" -cf "$OUT/base.tar" .
  podman import --quiet \
    --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV JAVA_HOME=/opt/java' --change 'ENV LANG=C.UTF-8' --change 'USER 65532:65532' \
    --change 'WORKDIR /home/nonroot' \
    "$OUT/base.tar" "$BASE" >/dev/null
  rm -rf "$OUT/jre" "$OUT/rootfs" "$OUT/base.tar"
fi

say "building $IMAGE from the Dockerfile on $BASE"
podman build --quiet --pull=never --build-arg "BASE_IMAGE=$BASE" -t "$IMAGE" -f Dockerfile . >/dev/null
ARCHIVE="$OUT/bms-power-operator-$VERSION.tar"
rm -f "$ARCHIVE"
podman save --quiet --format docker-archive -o "$ARCHIVE" "$IMAGE"
echo "$IMAGE" >"$OUT/image-name.txt"

# A smoke run as the chart runs it: non-root, read-only root, no capabilities.
podman run --rm --pull=never --network none --user 65532:65532 --read-only --tmpfs /tmp --cap-drop ALL \
  --security-opt no-new-privileges --memory 512m "$IMAGE" --version >"$OUT/smoke.txt" 2>&1 ||
  { cat "$OUT/smoke.txt" >&2; die "the image does not start: $IMAGE --version failed (above; if runc itself fails, this machine cannot run containers)"; }

SIZE_MB="$(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f", $1/1000/1000}')"
say "$IMAGE: ${SIZE_MB} MB ($(podman image inspect --format '{{.Size}}' "$BASE" | awk '{printf "%.0f", $1/1000/1000}') MB base), $(du -m "$ARCHIVE" | cut -f1) MiB archive, $((SECONDS - START)) s"
say "smoke run: $(head -1 "$OUT/smoke.txt")"
say "written $ARCHIVE (load it with: docker load -i / podman load -i / ctr -n k8s.io images import)"
