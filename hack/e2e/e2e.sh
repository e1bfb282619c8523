#!/usr/bin/env bash
# make e2e: the operator image and the Helm chart on a real single-node Kubernetes on this machine.
#
# Components: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy
# from make test-env (the pinned k8s.io/kubernetes module), containerd + runc + CNI plugins from Debian
# (installed when missing), a pause image built here, and the image from make image. No registry.
#
# It changes host-wide state (a bridge, iptables chains, network namespaces, mounts, /var/log/pods,
# kernel settings the kubelet sets, such as vm.overcommit_memory and kernel.panic)
# and undoes all of it at the end, also after a failure, and before it starts if a previous run
# crashed. It needs root, `ip link add` and a working runc: one run at a time per machine; meant for
# CI machines and VMs. Exits non-zero with a message saying what failed.
#
# Environment: E2E_HELM_ARGS extra `helm install` arguments and E2E_CHART another chart directory (to
# try a broken value or template: the run must fail and name it);
# E2E_KEEP=true leaves the cluster running at the end (tear it down with `hack/e2e/e2e.sh --down`).
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
PROJECT="$PWD"

STATE=/var/lib/bms-power-e2e
RUNDIR=/run/bms-power-e2e
LOGS="$PROJECT/target/e2e"
BRIDGE=bmse2e0
POD_CIDR=10.244.77.0/24
SERVICE_CIDR=10.96.77.0/24
KUBERNETES_SVC_IP=10.96.77.1
API_PORT=16443
ETCD_PORT=12379
NODE=bms-e2e-node
OP_NS=bms-system
WORK_NS=bms-e2e
RELEASE=bms-power-operator
TEST_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
K8S_VERSION="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' hack/test-env/kube-apiserver/go.mod)"
HELM_VERSION="$(awk '$1 == "require" && $2 == "helm.sh/helm/v3" {print $3}' hack/test-env/helm/go.mod)"
CP_BIN="$TEST_DIR/k8s/${K8S_VERSION#v}-linux-amd64"
NODE_BIN="$TEST_DIR/node/${K8S_VERSION#v}-linux-amd64"
HELM="$TEST_DIR/helm/${HELM_VERSION#v}-linux-amd64/helm"
KUBECTL="$CP_BIN/kubectl"
export KUBECONFIG="$STATE/admin.kubeconfig"
SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.ipv4.ip_forward
  net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait"
T0=$SECONDS
STAGE_START=$SECONDS
STAGE=""

log() { echo "e2e [$(printf '%4d' $((SECONDS - T0)))s] $*"; }
stage() {
  [[ -n $STAGE ]] && log "done: $STAGE ($((SECONDS - STAGE_START)) s)"
  STAGE="$1"
  STAGE_START=$SECONDS
  log "stage: $STAGE"
}
fail() {
  echo "e2e: FAILED in stage '$STAGE': $*" >&2
  exit 1
}
k() { "$KUBECTL" "$@"; }
# No silent exit: a failing command outside a condition names itself.
trap 'fail "command failed (exit $?) at ${BASH_SOURCE[0]##*/} line $LINENO: $BASH_COMMAND"' ERR

# ---------------------------------------------------------------------------------------------
# Teardown: idempotent; works from any state, including a crashed earlier run.
# ---------------------------------------------------------------------------------------------
teardown() {
  # Best effort throughout: a part that is already gone is not an error here.
  local err_trap
  err_trap="$(trap -p ERR)"
  trap - ERR
  log "teardown: stopping the components and undoing host changes"
  # kubelet and kube-proxy first, so nothing restarts containers while they are removed.
  for p in kubelet kube-proxy kube-scheduler kube-controller-manager; do stop_process "$p"; done
  if [[ -S $RUNDIR/containerd/containerd.sock ]]; then
    local ctr=(ctr --address "$RUNDIR/containerd/containerd.sock" -n k8s.io)
    local t
    for t in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  fi
  # Every process left in the pods' cgroups (containers whose shim or containerd died).
  local procs
  # (cgroup v1 and v2 layouts alike: the kubelet's cgroupfs driver names the tree kubepods)
  procs="$(find /sys/fs/cgroup -path '*/kubepods*' -name cgroup.procs -exec cat {} + 2>/dev/null || true)"
  [[ -n $procs ]] && kill -9 $procs 2>/dev/null || true
  pkill -9 -f -- "-address $RUNDIR/containerd/containerd.sock" 2>/dev/null || true
  stop_process containerd
  stop_process kube-apiserver
  stop_process etcd
  # Anything else still running from our state directory (a crashed run's processes).
  pkill -9 -f -- "$STATE/" 2>/dev/null || true
  pkill -9 -f -- "$RUNDIR/" 2>/dev/null || true
  sleep 0.5
  # Mounts under our directories and the kubelet's, deepest first.
  local m
  for m in $(awk '{print $2}' /proc/mounts | grep -E "^($STATE|$RUNDIR)" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  # Network namespaces of our pods, the bridge, the CNI and Kubernetes iptables chains.
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do ip netns delete "$ns" 2>/dev/null || true; done
  ip link delete "$BRIDGE" 2>/dev/null || true
  [[ -x $NODE_BIN/kube-proxy ]] && "$NODE_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  local save
  for save in iptables-save ip6tables-save; do
    command -v "$save" >/dev/null || continue
    local restore="${save%-save}-restore" dump
    dump="$($save 2>/dev/null || true)"
    if grep -qE '(KUBE-|CNI-)' <<<"$dump"; then
      grep -vE '^:(KUBE-|CNI-)|-j (KUBE-|CNI-)|^-A (KUBE-|CNI-)' <<<"$dump" | "$restore" 2>/dev/null ||
        log "teardown: could not remove the KUBE-/CNI- chains with $restore; check '$save'"
    fi
  done
  # Pod cgroups (cgroupfs driver), deepest first.
  local c
  for c in $(find /sys/fs/cgroup -depth -type d -path '*/kubepods*' 2>/dev/null || true); do rmdir "$c" 2>/dev/null || true; done
  # Kernel settings the kubelet and kube-proxy change, back to what they were before the run.
  if [[ -f $STATE/sysctl.saved ]]; then
    local setting
    while read -r setting; do sysctl -q -w "$setting" >/dev/null 2>&1 || log "teardown: could not restore $setting"; done <"$STATE/sysctl.saved"
  fi
  # containerd 1.6 puts its shims' sockets in /run/containerd/s whatever its state directory: remove
  # that directory only if this script made it (a containerd of the host's own may use it).
  # The same for the kubelet's fixed log directories.
  [[ -f $STATE/made-run-containerd ]] && rm -rf /run/containerd
  [[ -f $STATE/made-var-log-pods ]] && rm -rf /var/log/pods /var/log/containers
  [[ -f $STATE/made-var-lib-cni ]] && rm -rf /var/lib/cni
  rm -rf --one-file-system "$STATE" "$RUNDIR" 2>/dev/null || true
  log "teardown: done"
  eval "$err_trap"
}

stop_process() {
  local pidfile="$RUNDIR/pids/$1.pid" pid
  [[ -f $pidfile ]] || return 0
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

start_process() { # name, command...
  local name="$1"
  shift
  mkdir -p "$RUNDIR/pids" "$LOGS/logs"
  nohup "$@" >"$LOGS/logs/$name.log" 2>&1 &
  echo $! >"$RUNDIR/pids/$name.pid"
}

check_alive() {
  local p pid
  for p in "$@"; do
    pid="$(cat "$RUNDIR/pids/$p.pid" 2>/dev/null || echo 0)"
    kill -0 "$pid" 2>/dev/null || fail "$p exited; the last lines of its log ($LOGS/logs/$p.log):
$(tail -15 "$LOGS/logs/$p.log" 2>/dev/null || true)"
  done
}

wait_for() { # seconds, description, command...
  local timeout="$1" what="$2"
  shift 2
  local end=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || return 1
    sleep 1
  done
  log "$what"
}


on_exit() {
  local rc=$1
  trap - EXIT ERR
  ((rc != 0)) && diagnostics
  if [[ ${E2E_KEEP:-} == true && $rc == 0 ]]; then
    log "E2E_KEEP=true: the cluster stays up (KUBECONFIG=$KUBECONFIG; hack/e2e/e2e.sh --down removes it)"
    exit 0
  fi
  cp "$STATE/sysctl.saved" "$LOGS/sysctl.saved" 2>/dev/null || true
  teardown
  host_restored || rc=1
  exit "$rc"
}

# After the teardown: nothing of the run is left on the host.
host_restored() {
  local left=() setting
  iptables-save 2>/dev/null | grep -qE '^:(KUBE-|CNI-)' && left+=("iptables chains KUBE-/CNI-")
  ip link show "$BRIDGE" >/dev/null 2>&1 && left+=("bridge $BRIDGE")
  ip netns list 2>/dev/null | grep -q '^cni-' && left+=("network namespaces cni-*")
  grep -qE " ($STATE|$RUNDIR)" /proc/mounts && left+=("mounts under $STATE or $RUNDIR")
  pgrep -f -- "$STATE/" >/dev/null && left+=("processes of $STATE")
  [[ -e $STATE || -e $RUNDIR ]] && left+=("$STATE or $RUNDIR")
  while read -r setting; do
    [[ $(sysctl -n "${setting%%=*}" 2>/dev/null) == "${setting#*=}" ]] || left+=("sysctl ${setting%%=*} (was ${setting#*=})")
  done < <(cat "$LOGS/sysctl.saved" 2>/dev/null)
  if ((${#left[@]})); then
    echo "e2e: FAILED: the teardown left host changes behind: ${left[*]}" >&2
    return 1
  fi
  log "host restored: no iptables chain, bridge, network namespace, mount or process of the run is left; $(grep -c . "$LOGS/sysctl.saved" 2>/dev/null || echo 0) kernel settings are back to their values before the run"
}
diagnostics() {
  mkdir -p "$LOGS/diagnostics"
  k get nodes,pods -A -o wide >"$LOGS/diagnostics/pods.txt" 2>&1 || true
  k get events -A --sort-by=.lastTimestamp >"$LOGS/diagnostics/events.txt" 2>&1 || true
  k get bmpa -A -o yaml >"$LOGS/diagnostics/actions.yaml" 2>&1 || true
  k logs -n "$OP_NS" -l app.kubernetes.io/name=bms-power-operator --all-containers --tail=-1 --prefix >"$LOGS/diagnostics/operator.log" 2>&1 || true
  echo "e2e: logs of every component are in $LOGS/logs, cluster state in $LOGS/diagnostics" >&2
}

if [[ ${1:-} == --down ]]; then
  mkdir -p "$LOGS"
  cp "$STATE/sysctl.saved" "$LOGS/sysctl.saved" 2>/dev/null || rm -f "$LOGS/sysctl.saved"
  teardown
  host_restored
  exit
fi

# ---------------------------------------------------------------------------------------------
stage "preflight: can this machine run a node?"
# ---------------------------------------------------------------------------------------------
[[ $(id -u) == 0 ]] || fail "needs root (a kubelet and containerd change host networking and mounts)"
[[ $(uname -s) == Linux ]] || fail "needs Linux"
for b in "$CP_BIN/etcd" "$CP_BIN/kube-apiserver" "$KUBECTL" "$NODE_BIN/kubelet" "$NODE_BIN/kube-proxy" \
  "$NODE_BIN/kube-scheduler" "$NODE_BIN/kube-controller-manager" "$HELM"; do
  [[ -x $b ]] || fail "$b is missing: run make test-env"
done
missing=()
for c in containerd:containerd runc:runc ctr:containerd iptables:iptables conntrack:conntrack \
  ip:iproute2 openssl:openssl curl:curl jq:jq; do
  command -v "${c%%:*}" >/dev/null || missing+=("${c#*:}")
done
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] || missing+=(containernetworking-plugins)
if ((${#missing[@]})); then
  log "installing from Debian: ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    fail "could not install ${missing[*]} with apt-get"
  # On a systemd machine the package starts its own containerd: this run uses its own instance only.
  if [[ " ${missing[*]} " == *" containerd "* ]] && command -v systemctl >/dev/null; then
    systemctl disable --now containerd >/dev/null 2>&1 || true
  fi
fi
# One run at a time: the ports, the subnet and the directories are fixed.
exec 9<"$PROJECT/hack/e2e/e2e.sh"
flock -n 9 || fail "another make e2e is running on this machine (it holds a lock on hack/e2e/e2e.sh)"
# A host that already runs Kubernetes or CRI pods: its chains, pod cgroups and namespaces would be
# taken for a crashed run's and removed. Refuse, unless the leftovers are this script's own (its state
# directory exists).
if [[ ! -d $STATE ]]; then
  foreign=()
  iptables-save 2>/dev/null | grep -qE '^:KUBE-' && foreign+=("iptables chains KUBE-*")
  compgen -G "/sys/fs/cgroup/*/kubepods" >/dev/null && foreign+=("pod cgroups (kubepods)")
  ip netns list 2>/dev/null | grep -q '^cni-' && foreign+=("CNI network namespaces")
  ss -ltnH 2>/dev/null | awk '{print $4}' | grep -qE ":(10250|$API_PORT)$" && foreign+=("a listener on port 10250 or $API_PORT")
  ((${#foreign[@]} == 0)) || fail "this host already runs Kubernetes or containers (${foreign[*]}): make e2e would conflict with them; use a CI machine or a VM"
fi
# Pods reach the simulator through a Service on the same bridge: the reply is un-NATed only when
# bridged traffic goes through iptables (br_netfilter).
if [[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
  modprobe br_netfilter 2>/dev/null || true
  [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] ||
    fail "the br_netfilter kernel module is not loaded and cannot be (modprobe br_netfilter): Services between pods on one bridge would not work"
fi
ip link add bmse2eprobe type bridge 2>/dev/null && ip link delete bmse2eprobe ||
  fail "cannot create a network link (ip link add failed): this machine (a container without CAP_NET_ADMIN?) cannot run a node"
ip netns add bmse2eprobe 2>/dev/null && ip netns delete bmse2eprobe ||
  fail "cannot create a network namespace (ip netns add failed): pods need one each"
PROBE=/tmp/bmse2e-runc
rm -rf "$PROBE" && mkdir -p "$PROBE/rootfs"
(cd hack/e2e/pause && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$PROBE/rootfs/pause" .) ||
  fail "could not build the pause program (hack/e2e/pause) with Go"
if ! (cd "$PROBE" && runc spec >/dev/null 2>&1 &&
  jq '.process.args=["/pause","-v"] | .process.terminal=false | .process.rlimits=[] | del(.process.oomScoreAdj)' config.json >c.json &&
  mv c.json config.json && timeout 20 runc run bmse2e-probe >/dev/null 2>runc.err); then
  err="$(tail -3 "$PROBE/runc.err" 2>/dev/null || true)"
  runc delete -f bmse2e-probe >/dev/null 2>&1 || true
  rm -rf "$PROBE"
  fail "runc cannot start a container here: $err"
fi
runc delete -f bmse2e-probe >/dev/null 2>&1 || true
rm -rf "$PROBE"
HOST_IP="$(ip -4 route get 1.1.1.1 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "src") print $(i + 1)}' | head -1 || true)"
[[ -n $HOST_IP ]] || fail "no IPv4 default route: the API server needs an address pods can reach"
if [[ ${1:-} == --preflight ]]; then
  log "preflight: this machine can run a node (root, ip link, network namespaces, runc, br_netfilter; host address $HOST_IP)"
  exit 0
fi
[[ -f target/image/image-name.txt ]] || fail "no image in target/image: run make image first"
IMAGE="$(cat target/image/image-name.txt)"
IMAGE_ARCHIVE="target/image/bms-power-operator-${IMAGE##*:}.tar"
[[ -f $IMAGE_ARCHIVE ]] || fail "$IMAGE_ARCHIVE is missing: run make image"
log "host address $HOST_IP, image $IMAGE"

# A crashed earlier run leaves processes, mounts and chains behind: remove them first.
teardown
rm -rf "$LOGS"
mkdir -p "$STATE" "$RUNDIR" "$LOGS"
trap 'on_exit $?' EXIT
trap 'exit 130' INT TERM


# The kubelet sets these (vm.overcommit_memory=1, kernel.panic=10, ...) and kube-proxy may: teardown
# restores the values saved here.
for key in $SYSCTLS; do
  value="$(sysctl -n "$key" 2>/dev/null)" && echo "$key=$value" >>"$STATE/sysctl.saved" || true
done
sysctl -q -w net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1
# containerd keeps a CNI result cache in /var/lib/cni: removed at teardown if this run made it.
[[ -e /var/lib/cni ]] || touch "$STATE/made-var-lib-cni"

# ---------------------------------------------------------------------------------------------
stage "certificates"
# ---------------------------------------------------------------------------------------------
PKI="$STATE/pki"
mkdir -p "$PKI"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bms-e2e-ca" \
  -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
cert() { # name, subject, [subjectAltName]
  local name="$1" subject="$2" san="${3:-}"
  openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>/dev/null
  local ext="$PKI/$name.ext"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
  [[ -n $san ]] && echo "subjectAltName=$san" >>"$ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
    -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
}
cert apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:$HOST_IP,IP:$KUBERNETES_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin "/O=system:masters/CN=bms-e2e-admin"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert kubelet "/O=system:nodes/CN=system:node:$NODE"
openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
kubeconfig() { # file, cert name
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$PKI/ca.crt"}}]
users: [{name: u, user: {client-certificate: "$PKI/$2.crt", client-key: "$PKI/$2.key"}}]
contexts: [{name: e2e, context: {cluster: e2e, user: u}}]
current-context: e2e
EOF
}
kubeconfig "$STATE/admin.kubeconfig" admin
kubeconfig "$STATE/kubelet.kubeconfig" kubelet

# ---------------------------------------------------------------------------------------------
stage "control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler"
# ---------------------------------------------------------------------------------------------
start_process etcd "$CP_BIN/etcd" --data-dir "$STATE/etcd" --name e2e --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
  --initial-cluster "e2e=http://127.0.0.1:$((ETCD_PORT + 1))" --listen-metrics-urls "http://127.0.0.1:$((ETCD_PORT + 2))"
start_process kube-apiserver "$CP_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --secure-port "$API_PORT" --bind-address 0.0.0.0 --advertise-address "$HOST_IP" --anonymous-auth=false \
  --service-cluster-ip-range "$SERVICE_CIDR" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --service-account-issuer https://kubernetes.default.svc.cluster.local --service-account-key-file "$PKI/sa.pub" \
  --service-account-signing-key-file "$PKI/sa.key" --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$PKI/apiserver-kubelet-client.key" --kubelet-preferred-address-types InternalIP \
  --allow-privileged=false --profiling=false
wait_for 90 "kube-apiserver is ready" k get --raw /readyz || { check_alive etcd kube-apiserver; fail "kube-apiserver did not become ready in 90 s"; }
start_process kube-controller-manager "$NODE_BIN/kube-controller-manager" --kubeconfig "$STATE/admin.kubeconfig" \
  --leader-elect=false --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --use-service-account-credentials=false --controllers '*' --bind-address 127.0.0.1 \
  --authentication-kubeconfig "$STATE/admin.kubeconfig" --authorization-kubeconfig "$STATE/admin.kubeconfig"
start_process kube-scheduler "$NODE_BIN/kube-scheduler" --kubeconfig "$STATE/admin.kubeconfig" --leader-elect=false \
  --bind-address 127.0.0.1 --authentication-kubeconfig "$STATE/admin.kubeconfig" --authorization-kubeconfig "$STATE/admin.kubeconfig"

# ---------------------------------------------------------------------------------------------
stage "node: containerd, images, kubelet, kube-proxy"
# ---------------------------------------------------------------------------------------------
NODE_START=$SECONDS
mkdir -p "$STATE/cni/net.d" "$STATE/containerd" "$RUNDIR/containerd"
cat >"$STATE/cni/net.d/10-bms-e2e.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "bms-e2e", "plugins": [
  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$STATE/cni/ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$RUNDIR/containerd/state"
[grpc]
  address = "$RUNDIR/containerd/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/bms-e2e/pause:1"
  # Without CAP_SYS_RESOURCE, runc cannot lower oom_score_adj; every sandbox would fail.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$RUNDIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
EOF
[[ -e /run/containerd ]] || touch "$STATE/made-run-containerd"
start_process containerd containerd --config "$STATE/containerd/config.toml"
CTR=(ctr --address "$RUNDIR/containerd/containerd.sock" -n k8s.io)
wait_for 30 "containerd is up" "${CTR[@]}" version || { check_alive containerd; fail "containerd did not answer in 30 s"; }

# The pause image: a static Go program, imported as a one-layer image.
PAUSE_DIR="$STATE/pause"
mkdir -p "$PAUSE_DIR/rootfs"
(cd hack/e2e/pause && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$PAUSE_DIR/rootfs/pause" .) ||
  fail "could not build the pause program (hack/e2e/pause)"
tar -C "$PAUSE_DIR/rootfs" -cf "$PAUSE_DIR/layer.tar" pause
LAYER_SHA="$(sha256sum "$PAUSE_DIR/layer.tar" | cut -d' ' -f1)"
mkdir -p "$PAUSE_DIR/archive/$LAYER_SHA"
mv "$PAUSE_DIR/layer.tar" "$PAUSE_DIR/archive/$LAYER_SHA/layer.tar"
cat >"$PAUSE_DIR/archive/config.json" <<EOF
{"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["/pause"], "User": "65535:65535"},
 "rootfs": {"type": "layers", "diff_ids": ["sha256:$LAYER_SHA"]}}
EOF
CONFIG_SHA="$(sha256sum "$PAUSE_DIR/archive/config.json" | cut -d' ' -f1)"
mv "$PAUSE_DIR/archive/config.json" "$PAUSE_DIR/archive/$CONFIG_SHA.json"
echo "[{\"Config\": \"$CONFIG_SHA.json\", \"RepoTags\": [\"localhost/bms-e2e/pause:1\"], \"Layers\": [\"$LAYER_SHA/layer.tar\"]}]" \
  >"$PAUSE_DIR/archive/manifest.json"
tar -C "$PAUSE_DIR/archive" -cf "$PAUSE_DIR/pause.tar" .
"${CTR[@]}" images import "$PAUSE_DIR/pause.tar" >/dev/null || fail "ctr could not import the pause image"
"${CTR[@]}" images import "$IMAGE_ARCHIVE" >/dev/null || fail "ctr could not import $IMAGE_ARCHIVE"
"${CTR[@]}" images ls -q | grep -qx "$IMAGE" || fail "after the import containerd has no image $IMAGE"
log "images imported: $IMAGE and localhost/bms-e2e/pause:1"

cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
failCgroupV1: false
resolvConf: ""
oomScoreAdj: 0
containerRuntimeEndpoint: unix://$RUNDIR/containerd/containerd.sock
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$PKI/ca.crt"}
authorization: {mode: Webhook}
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
[[ -e /var/log/pods || -e /var/log/containers ]] || touch "$STATE/made-var-log-pods"
start_process kubelet "$NODE_BIN/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
  --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet-pki" --hostname-override "$NODE" --node-ip "$HOST_IP"
start_process kube-proxy "$NODE_BIN/kube-proxy" --kubeconfig "$STATE/admin.kubeconfig" --hostname-override "$NODE" \
  --cluster-cidr "$POD_CIDR" --proxy-mode iptables --metrics-bind-address 127.0.0.1:10249 \
  --conntrack-max-per-core 0 --conntrack-tcp-timeout-established 0 --conntrack-tcp-timeout-close-wait 0 \
  --iptables-localhost-nodeports=false \
  --healthz-bind-address 127.0.0.1:10256
node_ready() { [[ $(k get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]; }
wait_for 120 "node $NODE is Ready" node_ready || { check_alive kubelet containerd kube-proxy; fail "node $NODE not Ready in 120 s: $(k get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}' 2>&1)"; }
NODE_SECONDS=$((SECONDS - NODE_START))
wait_for 60 "the kubernetes Service routes (kube-proxy)" curl -sk --max-time 2 "https://$KUBERNETES_SVC_IP/readyz" ||
  fail "https://$KUBERNETES_SVC_IP (the kubernetes Service) does not answer: kube-proxy did not program it"
check_alive etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy

source hack/e2e/checks.sh
