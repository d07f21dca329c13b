#!/bin/sh
# install-deps.sh — install the Debian packages mlopsd builds and tests with, when missing.
# Idempotent: does nothing (and needs no root) when everything is there already.
#   libsystemd-dev  sd_journal_sendv, sd_watchdog_enabled (CSystemd)
#   libyaml-dev     the YAML event parser under our job-file composer (CYAML)
#   libsqlite3-dev  SQLite for GRDB
#   pkg-config      how SwiftPM finds the two system libraries
#   systemd         journald, journalctl, systemd-analyze for the unit tests
#   inotify-tools   inotifywait: the e2e hostile-submitter corpus watches its canary files
#   python3         /usr/bin/python3: that corpus makes a socket and races open(2) with it
#   gcc, libc6-dev  the fault-injection tests build scripts/faults/faultshim.c (LD_PRELOAD)
#   slurmctld, slurmd, slurm-client, munge
#                   the Slurm executor's tests start a real one-node cluster of their own
#                   (scripts/slurm/cluster.sh); the packages' own services are not used
#   chromium, poppler-utils, libxml2-utils, fonts-dejavu-core
#                   the report tests load each HTML report in a real headless Chromium
#                   (console errors, requests leaving the file, screenshot, PDF print),
#                   check its PDF with pdfinfo/pdftoppm and its markup with xmllint
#                   (Tests/MLOpsDaemonTests/Support/HeadlessBrowser.swift); DejaVu so
#                   text renders as glyphs, not boxes
#   python3-numpy, python3-scipy
#                   the statistics tests compare every drift statistic with scipy on the
#                   same data; only installed when the python3 on PATH cannot import them
set -eu
packages="libsystemd-dev libyaml-dev libsqlite3-dev pkg-config systemd inotify-tools python3 gcc libc6-dev"
slurm="slurmctld slurmd slurm-client munge"
browser="chromium poppler-utils libxml2-utils fonts-dejavu-core"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
missing_slurm=""
for p in $slurm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_slurm="$missing_slurm $p"
done
missing_browser=""
for p in $browser; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_browser="$missing_browser $p"
done
if ! python3 -c "import numpy, scipy" 2>/dev/null; then
    missing="$missing python3 python3-numpy python3-scipy"
fi
if [ -z "$missing$missing_slurm$missing_browser" ]; then
    echo "install-deps: all present ($packages $slurm $browser)"
    exit 0
fi
echo "install-deps: installing$missing$missing_slurm$missing_browser"
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
$SUDO apt-get update -qq
# libsystemd-dev pulls the matching libsystemd0/systemd; -y for unattended CI.
if [ -n "$missing" ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
# Slurm without its recommends (mail tools, ...): 13 MB.
if [ -n "$missing_slurm" ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing_slurm
fi
# Chromium without its recommends (avahi, upower, cups helpers, GTK tools, perl HTTP
# libraries): 28 packages, 120 MiB to download instead of 120 packages, 137 MiB; every
# shared object a headless render loads comes from the smaller set.
if [ -n "$missing_browser" ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing_browser
fi
