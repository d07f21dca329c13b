# mlopsd — build, test, run locally, benchmark. See README.md.
SWIFT       ?= swift
CONFIG      ?= etc/mlopsd.yaml
BIN         := .build/debug
RELEASE_BIN := .build/release

.PHONY: all deps build release test demo run bench clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The whole test suite: core (statistics-free logic), daemon (real inotify, SQLite, the
# real mlopsd binary), journald (a real systemd-journald, started when none answers) and
# the unit files (systemd-analyze verify/security), then the end-to-end scenarios under a
# real systemd as PID 1 in private namespaces (scripts/e2e/run.sh; skipped when not root).
test: build
	@sh scripts/ensure-journald.sh || echo "make test: no journald; journal tests will say SKIPPED"
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@bash scripts/e2e/run.sh

# A local daemon on ./spool and ./state with a first job (README: five-minute walkthrough).
demo: build
	@sh scripts/demo.sh

# The daemon in the foreground on the repository's config (Ctrl-C stops it).
run: build
	$(BIN)/mlopsd --config $(CONFIG)

# Throughput and latency of the release daemon beside the raw filesystem's durable-write
# rate, measured in the same run (docs/benchmarks.md). E.g. make bench BENCH_ARGS="--jobs 2000 --json bench.json"
BENCH_ARGS  ?=
bench: release
	@sh scripts/ensure-journald.sh >/dev/null || true
	$(RELEASE_BIN)/mlopsd-bench $(BENCH_ARGS)

clean:
	rm -rf .build state spool/*/[!.]*
