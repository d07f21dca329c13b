# mlopsd — build, test, run locally, benchmark. See README.md.
SWIFT       ?= swift
CONFIG      ?= etc/mlopsd.yaml
BIN         := .build/debug
# The release build's scratch directory. make test builds it in .build/static, beside the
# debug build in .build, so the two SwiftPM processes never wait on each other's lock.
RELEASE_SCRATCH ?= .build
RELEASE_BIN  = $(RELEASE_SCRATCH)/release
# make install: PREFIX=/usr for a system-wide install (the unit's ExecStart= follows PREFIX),
# DESTDIR=/some/root to stage (packaging, scripts/test-install.sh). See docs/operations.md.
PREFIX      ?= /usr/local
DESTDIR     ?=
SYSCONFDIR  ?= /etc
SYSTEMDLIB  ?= $(PREFIX)/lib
DIST        := .build/dist
INSTALL_ENV  = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" \
               SYSTEMDLIB="$(SYSTEMDLIB)" BINDIR_SRC="$(RELEASE_BIN)" DIST="$(DIST)" SWIFT="$(SWIFT)" \
               SCRATCH="$(RELEASE_SCRATCH)"

.PHONY: deb test-deb all deps-build deps-test build release release-binaries test format lint fuzz torture faults load demo report-images run bench clean man completions install uninstall test-install

all: build

# Debian packages by purpose (scripts/install-deps.sh says which and why): what compiling
# needs (make, make demo, make release), and that plus what only the tests use (make test,
# .ci/run). Neither is run by make install, which installs no packages.
deps-build:
	@sh scripts/install-deps.sh build

deps-test:
	@sh scripts/install-deps.sh test

build: deps-build
	$(SWIFT) build

# Release binaries carry the Swift runtime (--static-swift-stdlib): installed, they need
# only Debian's libsystemd0, libyaml-0-2 and libsqlite3-0, not the toolchain.
RELEASE_BUILD = $(SWIFT) build -c release --static-swift-stdlib --scratch-path $(RELEASE_SCRATCH)
release: deps-build
	$(RELEASE_BUILD)

# The same build without installing packages, for make install, man and completions: after
# make release it compiles nothing; on a machine without the build packages it stops and
# says which are missing.
release-binaries:
	@sh scripts/install-deps.sh check build
	$(RELEASE_BUILD)

# The whole test suite: core (statistics-free logic), daemon (real inotify, SQLite, the
# real mlopsd binary), journald (a real systemd-journald, started when none answers) and
# the unit files (systemd-analyze verify/security), then the end-to-end scenarios under a
# real systemd as PID 1 in private namespaces (scripts/e2e/run.sh; skipped when not root),
# then make install/uninstall checked (scripts/test-install.sh). scripts/test.sh runs them;
# the release build test-install needs is compiled under SCHED_IDLE in .build/static meanwhile,
# on the cores the tests leave idle while they wait for daemons, systemd and Slurm.
test: deps-test
	@sh scripts/nannyml-venv.sh
	@sh scripts/test.sh

# The committed .swift-format (120 columns, as swift-nio and swift-log): `make format`
# rewrites the tree, `make lint` checks it as make test does.
format:
	$(SWIFT) format --in-place --recursive --parallel Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Package.swift

# The long form of the job-file fuzzer: 100,000 inputs through the daemon's byte checks and
# validator (docs/reliability.md). FUZZ_INPUTS=1000000 for a longer run.
FUZZ_INPUTS ?= 100000
fuzz:
	$(SWIFT) build --build-tests
	MLOPSD_FUZZ_INPUTS=$(FUZZ_INPUTS) $(SWIFT) test --skip-build --filter JobFileFuzzTests

# The kill -9 torture harness, long form: 1000 SIGKILL/restart cycles of the real daemon
# under a seeded mixed job stream (docs/reliability.md). `swift test` runs 50.
# MLOPSD_TORTURE_SEED=N replays another stream; TORTURE_CYCLES=N sets the count.
TORTURE_CYCLES ?= 1000
torture:
	$(SWIFT) build --build-tests
	MLOPSD_TORTURE_CYCLES=$(TORTURE_CYCLES) $(SWIFT) test --skip-build --filter TortureTests

# Disk full and I/O errors, long form: every write call site of the job stream fails with
# ENOSPC and with EIO at its 1st … FAULT_ROUNDS-th call, plus the full-tmpfs scenario
# (docs/reliability.md). `swift test` runs one round.
FAULT_ROUNDS ?= 5
faults:
	$(SWIFT) build --build-tests
	@sh scripts/ensure-journald.sh >/dev/null || echo "make faults: no journald; journal checks will be skipped"
	MLOPSD_FAULT_ROUNDS=$(FAULT_ROUNDS) $(SWIFT) test --skip-build --filter FaultInjectionTests

# The load test, long form: 100,000 jobs from 4 concurrent `mlopsctl submit` loops against
# the release mlopsd, its RSS, descriptors and queue sampled every 250 ms
# (docs/reliability.md). `swift test` runs 600 on the debug build. LOAD_JOBS=N sets the
# count; MLOPSD_LOAD_REPORT=file.json also writes the figures and samples as JSON.
LOAD_JOBS ?= 100000
load: release
	$(SWIFT) build --build-tests
	MLOPSD_LOAD_JOBS=$(LOAD_JOBS) MLOPSD_LOAD_BIN=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test --skip-build --filter LoadTests

# A local daemon on ./spool and ./state with a first job (README: five-minute walkthrough).
demo: build
	@sh scripts/demo.sh

# docs/images/report.png and drift-report.png from a real daemon run, rendered by headless Chromium.
report-images: build
	@sh scripts/report-images.sh

# The daemon in the foreground on the repository's config (Ctrl-C stops it).
run: build
	$(BIN)/mlopsd --config $(CONFIG)

# Throughput and latency of the release daemon beside the raw filesystem's durable-write
# rate, measured in the same run (docs/benchmarks.md). E.g. make bench BENCH_ARGS="--jobs 2000 --json bench.json"
BENCH_ARGS  ?=
bench: release
	@sh scripts/ensure-journald.sh >/dev/null || true
	$(RELEASE_BIN)/mlopsd-bench $(BENCH_ARGS)

# Man pages and shell completions. mlopsctl(1) and mlops-train(1) come from
# swift-argument-parser's generate-manual; mlopsd(8), mlopsd.yaml(5) and mlopsd-jobs(5) are
# committed under man/ (the last two generated from the declarations, checked by
# ManualPageTests) and installed from there.
man: release-binaries
	@$(INSTALL_ENV) sh scripts/generate-dist.sh man

completions: release-binaries
	@$(INSTALL_ENV) sh scripts/generate-dist.sh completions

# A Debian package from the release build: .build/dist/mlopsd_<version>_amd64.deb (docs/operations.md).
deb: release man completions
	@$(INSTALL_ENV) sh scripts/make-deb.sh

# Binaries, unit, sysusers.d, tmpfiles.d, catalog, config (never overwritten: an existing
# changed one gets mlopsd.yaml.new beside it), docs, man pages, completions. Installs no
# Debian packages (make release installs the build ones first).
install: release-binaries man completions
	@$(INSTALL_ENV) sh scripts/install.sh install

# Removes what install put in place, except configuration the administrator changed.
uninstall:
	@$(INSTALL_ENV) sh scripts/install.sh uninstall

# make install and make uninstall into a temporary DESTDIR, checked file by file.
test-install: release
	@sh scripts/test-install.sh

# The Debian package built and checked: lintian clean, control, conffiles, maintainer scripts,
# contents (scripts/test-deb.sh; make test runs it).
test-deb: release man completions
	@$(INSTALL_ENV) sh scripts/test-deb.sh

clean:
	rm -rf .build state spool/*/[!.]*
