# bms-power-operator: run `make` or `make help` for the targets.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

MVN ?= mvn -B -ntp
JAR := target/bms-power-operator.jar
CRD := baremetalpoweractions.bmspower.io-v1.yml
POLICY_CRD := baremetalpowerpolicies.bmspower.io-v1.yml
SCHEDULE_CRD := baremetalpowerschedules.bmspower.io-v1.yml
# Without Go the control plane cannot be compiled; let kube-api-test download it instead.
ifeq ($(shell command -v go 2>/dev/null),)
export BMS_KUBE_API_TEST_DOWNLOAD := true
endif

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: fmt
fmt: ## Format the Java sources (google-java-format through spotless).
	$(MVN) -q spotless:apply

.PHONY: crds
crds: ## Regenerate the CRDs from the Java types into crds/ and the chart.
	$(MVN) -q process-classes -Dspotless.check.skip=true
	for f in $(CRD) $(POLICY_CRD) $(SCHEDULE_CRD); do cp target/classes/META-INF/fabric8/$$f crds/$$f && cp crds/$$f helm/bms-power-operator/crds/$$f; done

.PHONY: test-env
test-env: ## Compile kube-apiserver, kubectl, etcd, helm, promtool and the node components (kubelet, ...) for the tests (once per machine; idempotent).
	hack/test-env.sh

.PHONY: test
test: test-env ## Run all tests: unit tests and integration tests against a real kube-apiserver.
	$(MVN) verify

##@ Build

.PHONY: build
build: ## Build the runnable jar (target/bms-power-operator.jar) without running tests.
	$(MVN) -q package -DskipTests -Dspotless.check.skip=true

.PHONY: image
image: build ## Build the operator image without a registry (Debian base, jlink'd JRE) into target/image/*.tar.
	hack/image/build.sh

.PHONY: e2e
e2e: test-env ## End-to-end: the image and the chart on a real single-node cluster (root; changes host networking, undone at the end).
	hack/e2e/e2e.sh --preflight
	$(MAKE) image
	hack/e2e/e2e.sh

.PHONY: clean
clean: ## Remove build output (the compiled control plane in ~/.kubeapitest stays).
	$(MVN) -q clean

.PHONY: helm-lint
helm-lint: test-env ## Lint, template and install the Helm chart (Helm as a Java library; no helm binary needed).
	$(MVN) -q verify -Dit.test=HelmChartIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false

##@ Run

.PHONY: demo
demo: test-env build ## Run the operator against the simulator on the local control plane (DEMO_ARGS=--keep-running to stay up).
	$(MVN) -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) io.bmspower.demo.Demo $(DEMO_ARGS)

.PHONY: demo-examples
demo-examples: build ## Regenerate examples/demo/ from the demo simulator's inventory.
	$(MVN) -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) io.bmspower.demo.Demo --write-examples

.PHONY: bench
bench: test-env build ## Benchmark against the local control plane and the simulator (BENCH_ARGS=--full for the long run).
	$(MVN) -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
	java -Xmx1g -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) io.bmspower.bench.Bench $(BENCH_ARGS)

.PHONY: chaos
chaos: test-env build ## Reliability run: the operator jar SIGKILLed and restarted mid-work (CHAOS_ARGS="--matrix --kills 20"; --help).
	$(MVN) -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
	java -Xmx512m -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) io.bmspower.chaos.Chaos $(CHAOS_ARGS)

.PHONY: sim
sim: build ## Run the BMS simulator in the foreground (SIM_ARGS="--servers 100 --port 8443").
	java -jar $(JAR) simulator $(SIM_ARGS)

.PHONY: run
run: build ## Run the operator against the cluster in KUBECONFIG (RUN_ARGS for flags; see --help).
	java -jar $(JAR) $(RUN_ARGS)

.PHONY: install
install: ## Install the CRDs into the cluster in KUBECONFIG.
	kubectl apply -f crds/$(CRD) -f crds/$(POLICY_CRD) -f crds/$(SCHEDULE_CRD)

.PHONY: uninstall
uninstall: ## Remove the CRDs (delete your BareMetalPowerAction resources first).
	kubectl delete -f crds/$(CRD) -f crds/$(POLICY_CRD) -f crds/$(SCHEDULE_CRD)
