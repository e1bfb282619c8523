# bms-power-operator: run `make` or `make help` for the targets.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help

MVN ?= mvn -B -ntp
JAR := target/bms-power-operator.jar
CRD := baremetalpoweractions.bmspower.io-v1.yml
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
crds: ## Regenerate the CRD from the Java types into crds/.
	$(MVN) -q process-classes -Dspotless.check.skip=true
	cp target/classes/META-INF/fabric8/$(CRD) crds/$(CRD)

.PHONY: test-env
test-env: ## Compile kube-apiserver, kubectl and etcd for the tests (once per machine; idempotent).
	hack/test-env.sh

.PHONY: test
test: test-env ## Run all tests: unit tests and integration tests against a real kube-apiserver.
	$(MVN) verify

##@ Build

.PHONY: build
build: ## Build the runnable jar (target/bms-power-operator.jar) without running tests.
	$(MVN) -q package -DskipTests

.PHONY: clean
clean: ## Remove build output (the compiled control plane in ~/.kubeapitest stays).
	$(MVN) -q clean
