#!/bin/sh
# make-deb.sh — `make deb`: mlopsd_<version>_amd64.deb from the release build (docs/operations.md).
#
# Stages `make install PREFIX=/usr` into a scratch root (the same files, paths and unit as a
# system-wide make install), strips the binaries, adds the Debian metadata from packaging/deb/
# (control, maintainer scripts that run sysusers.d and tmpfiles.d, update the journal catalog
# and enable and start the unit; every file under /etc as a conffile; md5sums; copyright and
# changelog), and builds it with dpkg-deb. Needs only dpkg-deb and binutils' strip.
#
# Environment: BINDIR_SRC (release binaries, default .build/release), DIST (default .build/dist),
# OUT (the directory the .deb goes to, default $DIST).
set -eu
cd "$(dirname "$0")/.."
BINDIR_SRC=${BINDIR_SRC:-.build/release}
DIST=${DIST:-.build/dist}
OUT=${OUT:-$DIST}
version=$(sed -n 's/.*public static let version = "\(.*\)".*/\1/p' Sources/MLOpsCore/MLOpsInfo.swift)
[ -n "$version" ] || { echo "make-deb: no version in Sources/MLOpsCore/MLOpsInfo.swift" >&2; exit 1; }
stage=$(mktemp -d "${TMPDIR:-/tmp}/mlopsd-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT

DESTDIR=$stage PREFIX=/usr SYSCONFDIR=/etc SYSTEMDLIB=/usr/lib BINDIR_SRC=$BINDIR_SRC DIST=$DIST \
    sh scripts/install.sh install >/dev/null
if command -v strip >/dev/null; then
    for p in mlopsd mlopsctl mlops-train; do
        strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/$p"
    done
else
    echo "make-deb: no strip (binutils): the binaries keep their symbols (lintian will warn)" >&2
fi
doc=$stage/usr/share/doc/mlopsd
install -m 0644 packaging/deb/copyright "$doc/copyright"
# A native package (no Debian revision): its changelog is changelog.gz.
sed "s/@VERSION@/$version/" packaging/deb/changelog | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
# Bash completions are sourced, not run: no #! line.
for f in "$stage"/usr/share/bash-completion/completions/*; do sed -i '1{/^#!/d}' "$f"; done
# Man pages compressed, as Debian policy asks.
find "$stage/usr/share/man" -type f ! -name '*.gz' -exec gzip -9n {} +

mkdir -p "$stage/DEBIAN"
for s in postinst prerm postrm; do install -m 0755 "packaging/deb/$s" "$stage/DEBIAN/$s"; done
(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" packaging/deb/control.in >"$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum) \
    >"$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 0755 {} +
mkdir -p "$OUT"
deb=$OUT/mlopsd_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
