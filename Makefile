# netalign — see `make help`.
GO      ?= go
BIN     ?= bin/netalign
PKGS    ?= ./...
export GOFLAGS ?= -buildvcs=auto

.PHONY: help build test unit lint deps demo bench e2e realkernel fuzz clean

help: ## list the targets
	@awk 'BEGIN{FS=":.*## "} /^[a-z-]+:.*## /{printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/netalign
	$(GO) build -o $(BIN) ./cmd/netalign

deps: ## install the Debian packages the tests need (kea, dnsmasq, qemu, busybox, ansible)
	./scripts/install-deps.sh

lint: ## gofmt, go vet and a tidy go.mod
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

unit: ## unit tests only (no root, no network, seconds)
	$(GO) test -short ./...

test: deps lint ## everything: lint, unit, real servers, lab, e2e, fuzz targets, real kernel
	NETALIGN_REQUIRE_PREREQS=1 $(GO) test -race -timeout 30m $(PKGS)
	$(MAKE) fuzz
	$(MAKE) realkernel

# Every `func FuzzX` in a *_test.go file, FUZZTIME each. No minimizing of new
# inputs: seeded with whole captures it takes a minute per input.
FUZZTIME ?= 3s

fuzz: ## run every fuzz target briefly (FUZZTIME=3s each); a failing input lands in testdata/fuzz
	@failed=; for file in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
	  dir=$$(dirname $$file); \
	  for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
	    echo "fuzz $$dir $$t"; \
	    out=$$($(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 0 $$dir 2>&1) \
	      || { echo "$$out"; failed="$$failed $$dir:$$t"; }; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz targets failed:$$failed"; exit 1; fi

realkernel: ## host networking on a real Linux kernel in a qemu VM (bonds, LACP, VLAN filtering)
	e2e/realkernel/prereqs.sh
	NETALIGN_REQUIRE_PREREQS=1 e2e/realkernel/run.sh

e2e: ## end-to-end tests only (the built binary against the lab)
	NETALIGN_REQUIRE_PREREQS=1 $(GO) test -timeout 20m ./e2e/...

demo: build ## run netalign against the embedded lab: plan, apply, validate, drift
	./scripts/demo.sh $(BIN)

BENCH_FLEET ?= 100,500,1000
BENCH_PEER  ?= 1,20,100
BENCH_DIR   ?= /tmp/netalign-bench

bench: build ## Go benchmarks, then the fleet benchmark (N=100,500,1000, 20 ms); rewrites docs/performance.md
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/cmd/netalign-bench fleet -netalign $(BIN) -n $(BENCH_FLEET) -latency 20ms -dir $(BENCH_DIR) -doc docs/performance.md

bench-peer: build ## netalign against Ansible arista.eos (N=1,20,100; 0 and 20 ms); rewrites docs/performance.md
	command -v ansible-playbook >/dev/null && python3 -c 'import paramiko' 2>/dev/null || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ansible python3-paramiko)
	$(GO) run ./bench/cmd/netalign-bench peer -netalign $(BIN) -n $(BENCH_PEER) -latency 0s,20ms -dir $(BENCH_DIR) -doc docs/performance.md

clean: ## remove build output
	rm -rf bin
