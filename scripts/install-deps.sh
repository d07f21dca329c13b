#!/bin/sh
# install-deps.sh — install the Debian packages mlopsd needs for one purpose, when missing.
#
#   sh scripts/install-deps.sh build   what compiling needs: make, make demo, make release
#   sh scripts/install-deps.sh test    the build set plus what only the tests use: make test, .ci/run
#   sh scripts/install-deps.sh check build|test
#                                      list what is missing and exit 1 if anything is; installs nothing
#
# Idempotent: does nothing (and needs no root) when everything is there already. make install
# never calls it: installing mlopsd installs no packages.
#
# build:
#   libsystemd-dev  sd_journal_sendv, sd_notify, sd_watchdog_enabled (CSystemd)
#   libyaml-dev     the YAML event parser under our job-file composer (CYAML)
#   libsqlite3-dev  SQLite for GRDB
#   pkg-config      how SwiftPM finds the system libraries
# (the Swift toolchain itself is not a Debian package and is expected on PATH). The release
# binaries then need only libsystemd0, libyaml-0-2 and libsqlite3-0 at run time.
#
# test, in addition:
#   systemd         journald, journalctl, systemd-analyze for the unit and journal tests, and
#                   the systemd that runs as PID 1 in the end-to-end scenarios (scripts/e2e)
#   man-db          man(1): systemd-analyze verify checks the unit's Documentation=man: pages,
#                   and make test-install renders every installed page
#   inotify-tools   inotifywait: the e2e hostile-submitter corpus watches its canary files
#   python3         /usr/bin/python3: that corpus makes a socket and races open(2) with it
#   gcc, libc6-dev  the fault-injection tests build scripts/faults/faultshim.c (LD_PRELOAD)
#   lintian         checks the Debian package (make deb)
#   slurmctld, slurmd, slurm-client, munge
#                   the Slurm executor's tests start a real one-node cluster of their own
#                   (scripts/slurm/cluster.sh, with its own munged); the packages' services
#                   are not used, and are not started by this script (below)
#   chromium, poppler-utils, libxml2-utils, fonts-dejavu-core
#                   the report tests load each HTML report in a real headless Chromium
#                   (console errors, requests leaving the file, screenshot, PDF print),
#                   check its PDF with pdfinfo/pdftoppm and its markup with xmllint
#                   (Tests/MLOpsDaemonTests/Support/HeadlessBrowser.swift); DejaVu so
#                   text renders as glyphs, not boxes
#   python3-venv    the estimation tests' NannyML environment (scripts/nannyml-venv.sh,
#                   made by make test)
#   python3-numpy, python3-scipy
#                   the statistics tests compare every drift statistic with scipy on the
#                   same data; only installed when the python3 on PATH cannot import them
set -eu

build="libsystemd-dev libyaml-dev libsqlite3-dev pkg-config"
tools="systemd man-db inotify-tools python3 python3-venv gcc libc6-dev lintian"
slurm="slurmctld slurmd slurm-client munge"
browser="chromium poppler-utils libxml2-utils fonts-dejavu-core"

usage() {
    echo "usage: $0 build|test|check build|check test" >&2
    exit 64
}

check_only=false
if [ "${1:-}" = check ]; then
    check_only=true
    shift
fi
purpose=${1:-}
case $purpose in
    build | test) ;;
    *) usage ;;
esac

# The packages of `list` that are not installed.
missing() {
    out=""
    for p in $1; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out="$out $p"
    done
    echo "$out"
}

missing_build=$(missing "$build")
missing_tools=""
missing_slurm=""
missing_browser=""
if [ "$purpose" = test ]; then
    missing_tools=$(missing "$tools")
    missing_slurm=$(missing "$slurm")
    missing_browser=$(missing "$browser")
    if ! python3 -c "import numpy, scipy" 2>/dev/null; then
        missing_tools="$missing_tools python3 python3-numpy python3-scipy"
    fi
fi
all="$missing_build$missing_tools$missing_slurm$missing_browser"

if [ -z "$all" ]; then
    case $purpose in
        build) echo "install-deps: build packages present ($build)" ;;
        test) echo "install-deps: build and test packages present ($build $tools $slurm $browser)" ;;
    esac
    exit 0
fi
if $check_only; then
    echo "install-deps: missing for $purpose:$all (sh scripts/install-deps.sh $purpose installs them)" >&2
    exit 1
fi

echo "install-deps: installing for $purpose:$all"
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
apt_install() {
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}
$SUDO apt-get update -qq
# libsystemd-dev pulls the matching libsystemd0 (and so may upgrade systemd); -y for
# unattended CI.
if [ -n "$missing_build$missing_tools" ]; then
    # shellcheck disable=SC2086
    apt_install $missing_build $missing_tools
fi
# Slurm without its recommends (mail tools, ...): 13 MB. On Debian, installing munge and
# slurmd enables and starts their services; the tests do not use them (they start a
# cluster of their own), so a policy-rc.d that denies every start (exit 101, invoke-rc.d's
# convention) is in place while they are installed — unless the machine has its own
# policy-rc.d, which is then left to decide. The services stay enabled for the next boot;
# `systemctl disable --now munge slurmd slurmctld` turns them off for good.
if [ -n "$missing_slurm" ]; then
    policy=/usr/sbin/policy-rc.d
    ours=false
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# install-deps.sh: no service starts while Slurm is installed\nexit 101\n' \
            | $SUDO tee "$policy" >/dev/null
        $SUDO chmod 0755 "$policy"
        ours=true
        trap '$SUDO rm -f "$policy"' EXIT INT TERM
    fi
    # shellcheck disable=SC2086
    apt_install --no-install-recommends $missing_slurm
    if $ours; then
        $SUDO rm -f "$policy"
        trap - EXIT INT TERM
    fi
fi
# Chromium without its recommends (avahi, upower, cups helpers, GTK tools, perl HTTP
# libraries): 28 packages, 120 MiB to download instead of 120 packages, 137 MiB; every
# shared object a headless render loads comes from the smaller set.
if [ -n "$missing_browser" ]; then
    # shellcheck disable=SC2086
    apt_install --no-install-recommends $missing_browser
fi
