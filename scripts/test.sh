#!/bin/sh
# test.sh — `make test`: the whole suite, each part run even when an earlier one failed, then
# one summary line; exits non-zero when any part failed.
#
#   0. swift format lint --strict  (the committed .swift-format; `make format` fixes most)
#   1. swift build --build-tests   (the debug build; builds the executables too)
#   2. swift test --skip-build     (core, daemon, journald, unit files, Slurm)
#   3. scripts/e2e/run.sh          (a real systemd as PID 1 in private namespaces)
#   4. make test-install           (make install/uninstall into a temporary DESTDIR)
#
# Part 4 needs the static release build, six minutes of compiling on two cores. It starts
# first, under SCHED_IDLE (chrt --idle), in its own scratch directory (RELEASE_SCRATCH,
# default .build/static, so its SwiftPM lock is not the tests' one): the debug build and
# the tests take the CPU whenever they want it, and the compiler gets the cores they leave
# idle while they wait for daemons, systemd and the Slurm cluster. Not `nice`: SwiftPM
# starts its compilers at niceness 0 again, while the scheduling policy is inherited.
# Its log is .build/static-release.log.
set -u
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
MAKE=${MAKE:-make}
RELEASE_SCRATCH=${RELEASE_SCRATCH:-.build/static}
export RELEASE_SCRATCH
release_log=.build/static-release.log
mkdir -p .build
failed=""

sh scripts/ensure-journald.sh || echo "make test: no journald; journal tests will say SKIPPED"

# The Makefile's own targets (one place for the release flags): the products, then the man
# pages with the generator make install runs (scripts/generate-dist.sh).
idle=""
if chrt --idle 0 true 2>/dev/null; then idle="chrt --idle 0"; fi
$idle "$MAKE" --no-print-directory release man >"$release_log" 2>&1 &
release_pid=$!

# Seconds since the last call, for the summary: where CI's time goes.
mark=$(date +%s)
took() { now=$(date +%s); times="$times $1 $((now - mark)) s,"; mark=$now; }
times=""

"$SWIFT" format lint --strict --recursive --parallel Sources Tests Package.swift || failed="$failed format-lint"
took "format lint"

if ! "$SWIFT" build --build-tests; then
    pkill -TERM -P "$release_pid" 2>/dev/null  # make's swift build
    kill "$release_pid" 2>/dev/null
    wait "$release_pid" 2>/dev/null
    echo "make test: FAILED: swift build --build-tests" >&2
    exit 1
fi
took build

"$SWIFT" test --skip-build || failed="$failed swift-test"
took "swift test"
bash scripts/e2e/run.sh || failed="$failed e2e"
took e2e

if wait "$release_pid"; then
    took "rest of the release build"
    "$MAKE" --no-print-directory test-install || failed="$failed test-install"
    took test-install
    "$MAKE" --no-print-directory test-deb || failed="$failed test-deb"
    took test-deb
else
    tail -n 40 "$release_log" >&2
    failed="$failed release-build(see $release_log)"
fi

echo "make test: times:${times%,}"
if [ -n "$failed" ]; then
    echo "make test: FAILED:$failed" >&2
    exit 1
fi
echo "make test: swift test, e2e, test-install and test-deb passed"
