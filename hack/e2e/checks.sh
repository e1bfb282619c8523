# The checks of make e2e, sourced by hack/e2e/e2e.sh once the node is Ready (same variables).

# Why the operator's pods are not Ready, from their statuses and Warning events: a bad chart value
# shows up here by name (a probe's port and path, a volume, an OOM kill, a Pod Security violation).
explain_pods() {
  local ns="$1"
  k get pods -n "$ns" -o json | jq -r '.items[] | .metadata.name as $p |
    (.status.containerStatuses // [])[] |
    select(.ready | not) |
    "  pod \($p) container \(.name): " +
      ((.state.waiting | select(. != null) | "waiting (\(.reason)): \(.message // "")") //
       (.state.running | select(. != null) | "running, not ready") // "terminated") +
      ((.lastState.terminated | select(. != null) | "; last exit \(.exitCode) (\(.reason))") // "")' 2>/dev/null || true
  # MissingClusterDNS is expected: this node has no cluster DNS (the operator needs none).
  k get events -n "$ns" --field-selector type=Warning -o json |
    jq -r '[.items[] | select(.reason != "MissingClusterDNS")] | sort_by(.lastTimestamp) | .[-8:][] | "  event \(.involvedObject.kind)/\(.involvedObject.name) \(.reason): \(.message)"' 2>/dev/null || true
}

operator_pods_ready() {
  local want="$1"
  [[ $(k get pods -n "$OP_NS" -l app.kubernetes.io/name=bms-power-operator -o json |
    jq '[.items[] | select(.metadata.deletionTimestamp == null) | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length') -ge $want ]]
}

# Applies one of examples/demo/*.yaml in the work namespace with the simulator as its cloud (the chart's
# values stay the defaults: no operator-wide endpoint or credentials).
apply_demo() {
  k create --dry-run=client -o json -f "$1" |
    jq --arg ns "$WORK_NS" --arg ep "$SIM_URL" --arg pid "$SIM_PROJECT" --arg name "${2:-}" --arg action "${3:-}" '
      .metadata.namespace = $ns | (if $name != "" then .metadata.name = $name else . end) |
      (if $action != "" then .spec.action = $action else . end) |
      .spec.cloud = {endpoint: $ep, projectId: $pid, credentialsSecretRef: {name: "bms-credentials"}}' |
    k apply -f - >/dev/null
}

phase_of() { k get bmpa -n "$WORK_NS" "$1" -o jsonpath='{.status.phase}' 2>/dev/null; }
expected_phase() { k get bmpa -n "$WORK_NS" "$1" -o jsonpath='{.metadata.annotations.bmspower\.io/demo-expected-phase}'; }
all_in_expected_phase() {
  local r
  local want
  for r in "$@"; do
    want="$(expected_phase "$r")"
    [[ -n $want && $(phase_of "$r") == "$want" ]] || return 1
  done
}
jobs_submitted() { [[ $(k get bmpa -n "$WORK_NS" "$1" -o json | jq '[.status.batches // [] | .[] | select(.jobId)] | length') -ge 1 ]]; }
sim_stats() { curl -sf --max-time 5 "$SIM_URL/_sim/stats"; }

# Every server named by an applied resource was submitted exactly as often as resources name it.
check_submissions() {
  local expected="$1" stats
  stats="$(sim_stats)" || fail "the simulator's /_sim/stats does not answer"
  jq -n --argjson stats "$stats" --slurpfile want "$expected" '
    $want[0] as $w | [$w | to_entries[] | select(($stats.submissionsPerServer[.key] // 0) != .value) |
      "\(.key): submitted \($stats.submissionsPerServer[.key] // 0) times, expected \(.value)"] as $bad |
    [$stats.submissionsPerServer | to_entries[] | select($w[.key] == null) | "\(.key): submitted, named by no resource"] as $extra |
    ($bad + $extra) | if length == 0 then empty else .[:10][] end' >"$LOGS/submission-errors.txt"
  [[ ! -s $LOGS/submission-errors.txt ]] || fail "submissions differ from the resources (first 10):
$(cat "$LOGS/submission-errors.txt")"
  log "every one of $(jq length "$expected") servers was submitted exactly as often as resources name it (max $(jq .maxSubmissionsPerServer <<<"$stats") per server)"
}

# The server IDs a demo file names.
ids_of() { k create --dry-run=client -o json -f "$1" | jq -r '.spec.servers[]'; }

# ---------------------------------------------------------------------------------------------
stage "namespaces with Pod Security 'restricted' enforced, and the simulator"
# ---------------------------------------------------------------------------------------------
for ns in "$OP_NS" "$WORK_NS"; do
  k create namespace "$ns" >/dev/null
  k label namespace "$ns" pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest >/dev/null
done
# Real admission: a pod without the 'restricted' security context is refused.
if k run psa-probe -n "$OP_NS" --image "$IMAGE" --image-pull-policy Never --restart Never --dry-run=server \
  >/dev/null 2>"$LOGS/psa.txt"; then
  fail "namespace $OP_NS admitted a pod with no security context: Pod Security admission is not enforcing"
fi
grep -q "violates PodSecurity" "$LOGS/psa.txt" || fail "the probe pod was refused, but not by Pod Security: $(cat "$LOGS/psa.txt")"
log "Pod Security admission refuses a pod without the restricted security context in $OP_NS"

SIM_AK="E2E$(openssl rand -hex 8 | tr a-f A-F)"
SIM_SK="e2e-secret-$(openssl rand -hex 20)"
SIM_PROJECT="$(openssl rand -hex 16)"
k create secret generic bms-credentials -n "$WORK_NS" --from-literal accessKey="$SIM_AK" --from-literal secretKey="$SIM_SK" >/dev/null
k create secret generic bms-simulator -n "$WORK_NS" --from-literal BMS_SIM_ACCESS_KEY="$SIM_AK" \
  --from-literal BMS_SIM_SECRET_KEY="$SIM_SK" --from-literal BMS_SIM_PROJECT_ID="$SIM_PROJECT" >/dev/null
k apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: bms-simulator, namespace: $WORK_NS}
spec:
  selector: {matchLabels: {app: bms-simulator}}
  template:
    metadata: {labels: {app: bms-simulator}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: simulator
          image: $IMAGE
          imagePullPolicy: Never
          # The demo's inventory (examples/demo/*.yaml name its servers), with jobs long enough that a
          # helm upgrade and a failover happen while actions run.
          args: [simulator, --host, 0.0.0.0, --port, "8443", --servers, "3000", --stopped, "300", --seed, "42", --job-duration, 45s]
          envFrom: [{secretRef: {name: bms-simulator}}]
          env: [{name: JAVA_TOOL_OPTIONS, value: "-XX:MaxRAMPercentage=75"}]
          ports: [{containerPort: 8443}]
          readinessProbe: {tcpSocket: {port: 8443}, periodSeconds: 2}
          resources: {limits: {memory: 512Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes: [{name: tmp, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: bms-simulator, namespace: $WORK_NS}
spec:
  selector: {app: bms-simulator}
  ports: [{port: 8443, targetPort: 8443}]
EOF
sim_ready() { [[ $(k get deploy -n "$WORK_NS" bms-simulator -o jsonpath='{.status.readyReplicas}') == 1 ]]; }
wait_for 120 "the simulator pod is Ready" sim_ready || fail "the simulator pod is not Ready in 120 s:
$(explain_pods "$WORK_NS")"
SIM_URL="http://$(k get svc -n "$WORK_NS" bms-simulator -o jsonpath='{.spec.clusterIP}'):8443"
wait_for 30 "the simulator answers on its Service, $SIM_URL" sim_stats || fail "the simulator's Service $SIM_URL does not answer"

# ---------------------------------------------------------------------------------------------
stage "helm install: the chart with its default values, apart from the image"
# ---------------------------------------------------------------------------------------------
INSTALL_START=$SECONDS
# shellcheck disable=SC2086
"$HELM" install "$RELEASE" "${E2E_CHART:-helm/bms-power-operator}" -n "$OP_NS" --set image.repository="${IMAGE%:*}" \
  --set image.tag="${IMAGE##*:}" --set image.pullPolicy=Never ${E2E_HELM_ARGS:-} >"$LOGS/helm-install.txt" 2>&1 ||
  fail "helm install failed: $(cat "$LOGS/helm-install.txt")"
wait_for 150 "the operator pod is Ready through its probes" operator_pods_ready 1 ||
  fail "the operator pod is not Ready 150 s after helm install (chart ${E2E_CHART:-helm/bms-power-operator}, extra values: ${E2E_HELM_ARGS:-none}):
$(explain_pods "$OP_NS")"
POD_READY_SECONDS=$((SECONDS - INSTALL_START))

# ---------------------------------------------------------------------------------------------
stage "the demo workload (Stop 2,500, Start 300, Reboot 20 + 5 unknown), with a helm upgrade while it runs"
# ---------------------------------------------------------------------------------------------
DEMO=(examples/demo/stop-2500.yaml examples/demo/start-300.yaml examples/demo/reboot-with-unknown-servers.yaml)
for f in "${DEMO[@]}"; do apply_demo "$f"; done
NAMES=(stop-2500 start-300 reboot-unknown)
wait_for 90 "stop-2500 has its first jobs" jobs_submitted stop-2500 || fail "stop-2500 submitted no job in 90 s:
$(k get bmpa -n "$WORK_NS" stop-2500 -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}')"
# The first pod's /metrics, before the upgrade replaces it: it made the first action calls.
FIRST_POD_IP="$(k get pods -n "$OP_NS" -l app.kubernetes.io/name=bms-power-operator -o jsonpath='{.items[0].status.podIP}')"
curl -sf --max-time 10 "http://$FIRST_POD_IP:8080/metrics" >"$LOGS/metrics-first-pod.txt" || fail "no /metrics on the operator pod $FIRST_POD_IP"
k logs -n "$OP_NS" -l app.kubernetes.io/name=bms-power-operator --tail=-1 --prefix >"$LOGS/operator-logs-first-pod.txt"
[[ $(phase_of stop-2500) == Running ]] || fail "stop-2500 is $(phase_of stop-2500) before the upgrade: the upgrade would not happen during a running action"
UPGRADE_START=$SECONDS
"$HELM" upgrade "$RELEASE" "${E2E_CHART:-helm/bms-power-operator}" -n "$OP_NS" --reuse-values --set replicaCount=2 \
  --set logging.level=DEBUG >"$LOGS/helm-upgrade.txt" 2>&1 || fail "helm upgrade failed: $(cat "$LOGS/helm-upgrade.txt")"
rolled_out() {
  k rollout status deploy -n "$OP_NS" "$RELEASE" --timeout 5s && operator_pods_ready 2 &&
    [[ $(k get pods -n "$OP_NS" -l app.kubernetes.io/name=bms-power-operator -o name | wc -l) == 2 ]]
}
wait_for 180 "helm upgrade (replicaCount 2, logging DEBUG) rolled out: 2 new pods Ready, the old one gone" rolled_out ||
  fail "the upgrade did not roll out in 180 s:
$(explain_pods "$OP_NS")"
log "phases when the upgrade had rolled out ($((SECONDS - UPGRADE_START)) s): $(for r in "${NAMES[@]}"; do printf '%s=%s ' "$r" "$(phase_of "$r")"; done)"
wait_for 300 "every demo resource is in its expected phase" all_in_expected_phase "${NAMES[@]}" ||
  fail "not every resource reached its expected phase in 300 s: $(for r in "${NAMES[@]}"; do printf '%s=%s (want %s) ' "$r" "$(phase_of "$r")" "$(expected_phase "$r")"; done)"
k get bmpa -n "$WORK_NS" | sed 's/^/  /'
# Servers the cloud does not know (BMS.0040) get no submission in the simulator's counts.
UNKNOWN="$(k get bmpa -n "$WORK_NS" reboot-unknown -o json | jq -c '[.status.failedServers[] | select(.code == "BMS.0040") | .id]')"
[[ $(jq length <<<"$UNKNOWN") == 5 ]] || fail "reboot-unknown reports $(jq length <<<"$UNKNOWN") unknown servers (BMS.0040), not the 5 it names"
{ ids_of examples/demo/stop-2500.yaml; ids_of examples/demo/start-300.yaml; ids_of examples/demo/reboot-with-unknown-servers.yaml; } |
  jq -R . | jq -s --argjson unknown "$UNKNOWN" 'map(select(. as $id | $unknown | index($id) | not) | {(.): 1}) | add' >"$LOGS/expected-submissions.json"
check_submissions "$LOGS/expected-submissions.json"

# ---------------------------------------------------------------------------------------------
stage "metrics scraped over the pod network"
# ---------------------------------------------------------------------------------------------
METRICS_SVC="$(k get svc -n "$OP_NS" -l app.kubernetes.io/instance="$RELEASE" -o jsonpath='{.items[0].spec.clusterIP}:{.items[0].spec.ports[0].port}')"
# Right after a rollout the Lease may still name the replaced pod until a new one takes it.
leader_is_a_pod() {
  LEADER="$(k get lease -n "$OP_NS" bms-power-operator -o jsonpath='{.spec.holderIdentity}')" &&
    LEADER_IP="$(k get pod -n "$OP_NS" "$LEADER" -o jsonpath='{.status.podIP}')" && [[ -n $LEADER_IP ]]
}
wait_for 60 "the leader is a running pod" leader_is_a_pod ||
  fail "60 s after the upgrade the Lease names '$LEADER', not a running operator pod"
curl -sf --max-time 10 "http://$METRICS_SVC/metrics" >"$LOGS/metrics-service.txt" || fail "no /metrics on the Service $METRICS_SVC"
curl -sf --max-time 10 "http://$LEADER_IP:8080/metrics" >"$LOGS/metrics-leader.txt" || fail "no /metrics on the leader pod $LEADER ($LEADER_IP)"
grep -q '^bms_leader 1' "$LOGS/metrics-leader.txt" || fail "the leader $LEADER does not report bms_leader 1"
# Every series the dashboard and the alerts use, in what the operator's pods exported (the first pod,
# which made the first action calls, and the two after the upgrade; the dashboard sums over pods).
for ip in $(k get pods -n "$OP_NS" -l app.kubernetes.io/name=bms-power-operator -o jsonpath='{.items[*].status.podIP}'); do
  curl -sf --max-time 10 "http://$ip:8080/metrics" >"$LOGS/metrics-$ip.txt" || fail "no /metrics on the operator pod $ip"
done
cat "$LOGS"/metrics-*.txt >"$LOGS/metrics-all.txt"
missing_series=()
while read -r series; do
  [[ -z $series || $series == \#* ]] && continue
  grep -qE "^${series}(\{| )" "$LOGS/metrics-all.txt" || missing_series+=("$series")
done <hack/e2e/expected-series.txt
((${#missing_series[@]} == 0)) || fail "series the dashboard or the alerts use are missing from the operator pods' /metrics: ${missing_series[*]}"
log "the operator pods' /metrics (scraped at their pod IPs) have all $(grep -cv '^#' hack/e2e/expected-series.txt) series the dashboard and alerts use; the metrics Service $METRICS_SVC answers too"

# ---------------------------------------------------------------------------------------------
stage "the logs hold no secret"
# ---------------------------------------------------------------------------------------------
# The first pod's logs (INFO, saved before the upgrade replaced it) and both upgraded pods' (DEBUG).
k logs -n "$OP_NS" -l app.kubernetes.io/name=bms-power-operator --tail=-1 --prefix >"$LOGS/operator-logs.txt"
[[ -s $LOGS/operator-logs.txt && -s $LOGS/operator-logs-first-pod.txt ]] || fail "the operator logged nothing (kubectl logs is empty)"
grep -q "DEBUG" "$LOGS/operator-logs.txt" || fail "the upgraded pods log no DEBUG line: logging.level=DEBUG did not reach them"
for secret in "$SIM_SK" "Signature="; do
  ! grep -qF -- "$secret" "$LOGS/operator-logs.txt" "$LOGS/operator-logs-first-pod.txt" ||
    fail "the operator's logs contain '${secret:0:12}...' (the secret key or a request signature)"
done
log "$(cat "$LOGS/operator-logs-first-pod.txt" "$LOGS/operator-logs.txt" | wc -l) log lines (INFO before the upgrade, DEBUG after), none with the secret key or a signature"

# ---------------------------------------------------------------------------------------------
stage "deleting the leader pod fails over to the other replica, mid-action"
# ---------------------------------------------------------------------------------------------
# Stop the 300 servers start-300 started: each is then named by two resources.
apply_demo examples/demo/start-300.yaml stop-after-failover Stop
wait_for 60 "stop-after-failover has its first jobs" jobs_submitted stop-after-failover || fail "stop-after-failover submitted no job in 60 s"
FAILOVER_START=$SECONDS
k delete pod -n "$OP_NS" "$LEADER" --wait=false >/dev/null
new_leader() {
  local holder
  holder="$(k get lease -n "$OP_NS" bms-power-operator -o jsonpath='{.spec.holderIdentity}')"
  [[ -n $holder && $holder != "$LEADER" ]]
}
wait_for 90 "the Lease moved from the deleted leader $LEADER" new_leader ||
  fail "the Lease did not move from the deleted leader $LEADER in 90 s"
log "the new leader is $(k get lease -n "$OP_NS" bms-power-operator -o jsonpath='{.spec.holderIdentity}'), $((SECONDS - FAILOVER_START)) s after the delete"
wait_for 180 "stop-after-failover Succeeded under the new leader" all_in_expected_phase stop-after-failover ||
  fail "stop-after-failover is $(phase_of stop-after-failover), not Succeeded, 180 s after the failover"
log "stop-after-failover ended $((SECONDS - FAILOVER_START)) s after the leader was deleted"
ids_of examples/demo/start-300.yaml | jq -R . | jq -s 'map({(.): 1}) | add' >"$LOGS/again.json"
jq -s '.[0] as $a | .[1] | with_entries(.value += ($a[.key] // 0))' "$LOGS/again.json" "$LOGS/expected-submissions.json" >"$LOGS/expected-submissions-2.json"
check_submissions "$LOGS/expected-submissions-2.json"

# ---------------------------------------------------------------------------------------------
stage "helm uninstall leaves nothing behind"
# ---------------------------------------------------------------------------------------------
k delete bmpa -n "$WORK_NS" --all --timeout 120s >/dev/null || fail "the resources were not deleted in 120 s (finalizers):
$(k get bmpa -n "$WORK_NS" -o jsonpath='{range .items[*]}{.metadata.name}: {.metadata.finalizers}{"\n"}{end}')"
"$HELM" uninstall "$RELEASE" -n "$OP_NS" --wait --timeout 120s >"$LOGS/helm-uninstall.txt" 2>&1 ||
  fail "helm uninstall failed: $(cat "$LOGS/helm-uninstall.txt")"
gone() {
  [[ -z $(k get pods -n "$OP_NS" -o name) ]]
}
wait_for 120 "the operator's pods are gone" gone || fail "pods remain after helm uninstall: $(k get pods -n "$OP_NS" -o name)"
# The Lease, made at run time by leader election, is owned by the ServiceAccount: the garbage
# collector removes it once helm has deleted the ServiceAccount.
lease_gone() { ! k get lease -n "$OP_NS" bms-power-operator >/dev/null 2>&1; }
wait_for 60 "the leader Lease is gone (owned by the ServiceAccount helm deleted)" lease_gone || true
kinds="$(k api-resources --verbs list --namespaced -o name | grep -vE '^(events|events.events.k8s.io|bindings)$' | paste -sd,)"
k get "$kinds" -n "$OP_NS" -o name >"$LOGS/left-after-uninstall.txt" || fail "cannot list what is left in $OP_NS"
# A positive control: the list did work (Kubernetes' own objects are in it).
grep -qx "serviceaccount/default" "$LOGS/left-after-uninstall.txt" || fail "the leftover list of $OP_NS lacks serviceaccount/default: the check did not work"
left="$(grep -vxE '(configmap/kube-root-ca.crt|serviceaccount/default)' "$LOGS/left-after-uninstall.txt" || true)"
k get clusterroles,clusterrolebindings -o name >"$LOGS/cluster-roles-after-uninstall.txt" || fail "cannot list the cluster roles"
grep -q "/cluster-admin$" "$LOGS/cluster-roles-after-uninstall.txt" || fail "the cluster role list lacks cluster-admin: the check did not work"
cluster_left="$(grep -E "/$RELEASE(-|$)" "$LOGS/cluster-roles-after-uninstall.txt" || true)"
[[ -z $left && -z $cluster_left ]] || fail "helm uninstall left objects behind: $left $cluster_left"
log "after helm uninstall $OP_NS holds only what Kubernetes creates in every namespace, and no cluster role of the release remains"
k get crd -o name | grep -q bmspower.io && log "the CRDs stay (Helm never deletes crds/; remove them with make uninstall)"

stage "summary"
log "node Ready in ${NODE_SECONDS} s; operator pod Ready ${POD_READY_SECONDS} s after helm install; e2e checks passed in $((SECONDS - T0)) s"
