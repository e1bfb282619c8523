#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from the Go module proxy into the directory fabric8
# kube-api-test reads in offline mode: ${KUBE_API_TEST_DIR:-~/.kubeapitest}/k8s/<version>-<os>-<arch>/,
# and the helm CLI (for ReadmeCommandsIT, which runs the README's commands) into
# ${KUBE_API_TEST_DIR:-~/.kubeapitest}/helm/<version>-<os>-<arch>/, and hack/kstatus (the kstatus
# library behind Flux health checks, for KstatusTest) into
# ${KUBE_API_TEST_DIR:-~/.kubeapitest}/kstatus/<version>-<os>-<arch>/, and the node components make e2e
# runs (kubelet, kube-proxy, kube-scheduler, kube-controller-manager; same k8s.io/kubernetes version) into
# ${KUBE_API_TEST_DIR:-~/.kubeapitest}/node/<version>-<os>-<arch>/.
# Idempotent: builds only what is missing. Versions are pinned by the go.mod files beside this
# script (go.sum committed).
# Also promtool (for ObservabilityIT: alert rules, dashboard queries) into .../promtool/<version>-<os>-<arch>/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_VERSION="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' "$HERE/test-env/kube-apiserver/go.mod")"
ETCD_VERSION="$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" {print $3}' "$HERE/test-env/etcd/go.mod")"
HELM_VERSION="$(awk '$1 == "require" && $2 == "helm.sh/helm/v3" {print $3}' "$HERE/test-env/helm/go.mod")"
KSTATUS_VERSION="$(awk '$1 == "require" && $2 == "sigs.k8s.io/cli-utils" {print $3}' "$HERE/kstatus/go.mod")"
TEST_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"

if ! command -v go >/dev/null 2>&1; then
  echo "test-env: Go is not installed; the tests will let kube-api-test download its binaries" \
    "(set BMS_KUBE_API_TEST_DOWNLOAD=true, as the Makefile does)." >&2
  exit 0
fi

GOOS="$(go env GOOS)"
GOARCH="$(go env GOARCH)"
TARGET="$TEST_DIR/k8s/${K8S_VERSION#v}-$GOOS-$GOARCH"
HELM_TARGET="$TEST_DIR/helm/${HELM_VERSION#v}-$GOOS-$GOARCH"
KSTATUS_TARGET="$TEST_DIR/kstatus/${KSTATUS_VERSION#v}-$GOOS-$GOARCH"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
MINOR="$(echo "${K8S_VERSION#v}" | cut -d. -f2)"
K8S_LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
  -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$MINOR \
  -X k8s.io/component-base/version.gitTreeState=clean \
  -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION \
  -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$MINOR"


build_helm() {
  if [[ -x "$HELM_TARGET/helm" ]]; then
    echo "test-env: helm $HELM_VERSION already in $HELM_TARGET"
    return
  fi
  echo "test-env: compiling helm $HELM_VERSION into $HELM_TARGET (about 2 minutes on 2 cores)"
  local staging
  staging="$(mktemp -d "$TEST_DIR/helm.build.XXXXXX")"
  (cd "$HERE/test-env/helm" &&
    time go build -trimpath -o "$staging/helm" \
      -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" helm.sh/helm/v3/cmd/helm) ||
    { rm -rf "$staging"; exit 1; }
  "$staging/helm" version --short
  mkdir -p "$(dirname "$HELM_TARGET")"
  rm -rf "$HELM_TARGET"
  mv "$staging" "$HELM_TARGET"
  chmod 755 "$HELM_TARGET"
  echo "test-env: ready in $HELM_TARGET"
}

build_promtool() {
  local version target staging
  version="$(awk '$1 == "require" && $2 == "github.com/prometheus/prometheus" {print $3}' "$HERE/test-env/promtool/go.mod")"
  target="$TEST_DIR/promtool/${version#v}-$GOOS-$GOARCH"
  if [[ -x "$target/promtool" ]]; then
    echo "test-env: promtool $version already in $target"
    return
  fi
  echo "test-env: compiling promtool (prometheus $version) into $target"
  staging="$(mktemp -d "$TEST_DIR/promtool.build.XXXXXX")"
  (cd "$HERE/test-env/promtool" &&
    time go build -trimpath -o "$staging/promtool" \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=${version#v}" github.com/prometheus/prometheus/cmd/promtool) ||
    { rm -rf "$staging"; exit 1; }
  # A smoke run, so a binary that cannot start is never installed.
  "$staging/promtool" --version
  mkdir -p "$(dirname "$target")"
  rm -rf "$target"
  mv "$staging" "$target"
  chmod 755 "$target"
  echo "test-env: ready in $target"
}

build_kstatus() {
  if [[ -x "$KSTATUS_TARGET/kstatus" ]]; then
    echo "test-env: kstatus $KSTATUS_VERSION already in $KSTATUS_TARGET"
    return
  fi
  echo "test-env: compiling hack/kstatus (cli-utils $KSTATUS_VERSION) into $KSTATUS_TARGET"
  local staging
  staging="$(mktemp -d "$TEST_DIR/kstatus.build.XXXXXX")"
  (cd "$HERE/kstatus" && go build -trimpath -ldflags "-s -w" -o "$staging/kstatus" .) ||
    { rm -rf "$staging"; exit 1; }
  # A smoke run, so a binary that cannot compute a status is never installed.
  echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}' | "$staging/kstatus"
  mkdir -p "$(dirname "$KSTATUS_TARGET")"
  rm -rf "$KSTATUS_TARGET"
  mv "$staging" "$KSTATUS_TARGET"
  chmod 755 "$KSTATUS_TARGET"
  echo "test-env: ready in $KSTATUS_TARGET"
}

build_node() {
  local target="$TEST_DIR/node/${K8S_VERSION#v}-$GOOS-$GOARCH" components=(kubelet kube-proxy kube-scheduler kube-controller-manager)
  if [[ -x "$target/kubelet" && -x "$target/kube-proxy" && -x "$target/kube-scheduler" && -x "$target/kube-controller-manager" ]]; then
    echo "test-env: kubelet, kube-proxy, kube-scheduler and kube-controller-manager $K8S_VERSION already in $target"
    return
  fi
  echo "test-env: compiling ${components[*]} $K8S_VERSION into $target (3 to 4 minutes after kube-apiserver's build; 30 s on a warm Go cache)"
  local staging c
  staging="$(mktemp -d "$TEST_DIR/node.build.XXXXXX")"
  for c in "${components[@]}"; do
    (cd "$HERE/test-env/kube-node" && time go build -trimpath -ldflags "$K8S_LDFLAGS" -o "$staging/$c" "k8s.io/kubernetes/cmd/$c") ||
      { rm -rf "$staging"; exit 1; }
  done
  "$staging/kubelet" --version
  mkdir -p "$(dirname "$target")"
  rm -rf "$target"
  mv "$staging" "$target"
  chmod 755 "$target"
  echo "test-env: ready in $target"
}

mkdir -p "$TEST_DIR"
build_kstatus
build_promtool
build_helm
build_node

if [[ -x "$TARGET/kube-apiserver" && -x "$TARGET/kubectl" && -x "$TARGET/etcd" ]]; then
  echo "test-env: kube-apiserver $K8S_VERSION, kubectl and etcd $ETCD_VERSION already in $TARGET"
  exit 0
fi

echo "test-env: compiling kube-apiserver and kubectl $K8S_VERSION and etcd $ETCD_VERSION into $TARGET"
echo "test-env: this happens once per machine and takes a while (about 10 minutes on 2 cores)"
STAGING="$(mktemp -d "$TEST_DIR.build.XXXXXX" 2>/dev/null || mktemp -d)"
trap 'rm -rf "$STAGING"' EXIT

(cd "$HERE/test-env/kube-apiserver" &&
  time go build -trimpath -ldflags "$K8S_LDFLAGS" -o "$STAGING/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver &&
  time go build -trimpath -ldflags "$K8S_LDFLAGS" -o "$STAGING/kubectl" k8s.io/kubernetes/cmd/kubectl)
(cd "$HERE/test-env/etcd" &&
  time go build -trimpath -ldflags "-s -w" -o "$STAGING/etcd" go.etcd.io/etcd/server/v3)

"$STAGING/kube-apiserver" --version
"$STAGING/kubectl" version --client
"$STAGING/etcd" --version | head -1

mkdir -p "$(dirname "$TARGET")"
rm -rf "$TARGET"
mv "$STAGING" "$TARGET"
chmod 755 "$TARGET"
trap - EXIT
echo "test-env: ready in $TARGET"
