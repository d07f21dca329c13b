#!/bin/sh
# test-deb.sh — `make test`'s check of the Debian package (docs/operations.md (Debian package)).
#
# Builds mlopsd_<version>_amd64.deb from the release build with scripts/make-deb.sh and checks
# it: lintian reports no error and no warning, the control fields, conffiles and maintainer
# scripts are what they must be, and every file the package ships is a file make install
# places. Installing it into a running systemd (apt-get install, upgrade, remove, purge) is not
# tested here yet (docs/operations.md says so).
set -eu
cd "$(dirname "$0")/.."
BINDIR_SRC=${BINDIR_SRC:-.build/release}
DIST=${DIST:-.build/dist}
out=$(mktemp -d "${TMPDIR:-/tmp}/mlopsd-deb-test.XXXXXX")
trap 'rm -rf "$out"' EXIT
passed=0
failed=0
check() {  # check NAME COMMAND...
    name=$1
    shift
    if "$@" >"$out/last" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "deb: FAILED: $name" >&2
        sed 's/^/    /' "$out/last" >&2
    fi
}
deb=$(OUT=$out BINDIR_SRC=$BINDIR_SRC DIST=$DIST sh scripts/make-deb.sh)
check "the package is built" test -s "$deb"
lint() {
    report=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v 'running with root privileges' || true)
    [ -z "$report" ] || { echo "$report"; return 1; }
}
check "lintian: no error, no warning" lint
fields() {
    info=$(dpkg-deb -f "$deb" Package Version Architecture Depends)
    echo "$info" | grep -qx 'Package: mlopsd' &&
        echo "$info" | grep -q '^Architecture: amd64$' &&
        echo "$info" | grep -q 'libsystemd0' && echo "$info" | grep -q 'libsqlite3-0' &&
        echo "$info" | grep -q 'libyaml-0-2' && echo "$info" | grep -q 'init-system-helpers'
}
check "control: package, architecture and the shared libraries the binaries need" fields
conffiles() {
    dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/mlopsd/mlopsd.yaml
}
check "conffiles: /etc/mlopsd/mlopsd.yaml" conffiles
scripts() {
    dpkg-deb -e "$deb" "$out/control"
    grep -q 'systemd-sysusers /usr/lib/sysusers.d/mlopsd.conf' "$out/control/postinst" &&
        grep -q 'systemd-tmpfiles --create /usr/lib/tmpfiles.d/mlopsd.conf' "$out/control/postinst" &&
        grep -q 'journalctl --update-catalog' "$out/control/postinst" &&
        grep -q 'deb-systemd-invoke stop mlopsd.service' "$out/control/prerm" &&
        grep -q 'rm -rf /etc/mlopsd /var/lib/mlopsd /var/spool/mlopsd' "$out/control/postrm" &&
        sh -n "$out/control/postinst" && sh -n "$out/control/prerm" && sh -n "$out/control/postrm"
}
check "maintainer scripts: sysusers, tmpfiles, catalog, stop on remove, purge" scripts
contents() {
    dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$out/list"
    for f in /usr/bin/mlopsd /usr/bin/mlopsctl /usr/bin/mlops-train /usr/lib/systemd/system/mlopsd.service \
        /usr/lib/sysusers.d/mlopsd.conf /usr/lib/tmpfiles.d/mlopsd.conf /usr/share/man/man8/mlopsd.8.gz \
        /usr/share/man/man5/mlopsd.yaml.5.gz /usr/share/man/man5/mlopsd-jobs.5.gz /usr/share/doc/mlopsd/copyright \
        /etc/mlopsd/mlopsd.yaml; do
        grep -qx "$f" "$out/list" || { echo "missing $f"; return 1; }
    done
    dpkg-deb -x "$deb" "$out/root"
    grep -q '^ExecStart=/usr/bin/mlopsd ' "$out/root/usr/lib/systemd/system/mlopsd.service"
    "$out/root/usr/bin/mlopsd" --version | grep -q .
}
check "contents: binaries, unit, sysusers, tmpfiles, man pages, config; the binary runs" contents
echo "deb: $passed passed, $failed failed ($(basename "$deb"), $(du -k "$deb" | cut -f1) KiB)"
[ "$failed" -eq 0 ]
