#!/bin/sh
# install.sh — `make install` and `make uninstall` (docs/operations.md).
#
#   sh scripts/install.sh install|uninstall
#
# Reads from the environment (the Makefile passes them):
#   DESTDIR     staging root prepended to every path (packaging, tests); default empty
#   PREFIX      /usr/local by default; PREFIX=/usr for a system-wide install
#   SYSCONFDIR  /etc (the daemon's default --config is /etc/mlopsd/mlopsd.yaml, whatever PREFIX)
#   SYSTEMDLIB  $PREFIX/lib: units, sysusers.d, tmpfiles.d and the catalog go below it.
#               systemd 252 searches /usr/local/lib/systemd/system, /usr/local/lib/sysusers.d,
#               /usr/local/lib/tmpfiles.d and /usr/local/lib/systemd/catalog as well as the /usr
#               ones, so either prefix works without telling systemd anything.
#   BINDIR_SRC  where the release binaries are (.build/release)
#   DIST        where `make man completions` put the generated pages and scripts
# The daemon's own man pages, mlopsd(8), mlopsd.yaml(5) and mlopsd-jobs(5), are installed
# from man/ in the repository (committed, so a package can take them from there too).
#
# The installed unit's ExecStart= (and Documentation= paths) are rewritten for PREFIX.
# The config is never overwritten: an admin-changed /etc/mlopsd/mlopsd.yaml stays, and the
# shipped one is installed beside it as mlopsd.yaml.new. Uninstall removes exactly the files
# install puts in place, except configuration the administrator changed.
set -eu
cd "$(dirname "$0")/.."

action=${1:-}
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
SYSTEMDLIB=${SYSTEMDLIB:-$PREFIX/lib}
BINDIR_SRC=${BINDIR_SRC:-.build/release}
DIST=${DIST:-.build/dist}

bindir=$PREFIX/bin
unitdir=$SYSTEMDLIB/systemd/system
sysusersdir=$SYSTEMDLIB/sysusers.d
tmpfilesdir=$SYSTEMDLIB/tmpfiles.d
catalogdir=$SYSTEMDLIB/systemd/catalog
docdir=$PREFIX/share/doc/mlopsd
man1dir=$PREFIX/share/man/man1
man5dir=$PREFIX/share/man/man5
man8dir=$PREFIX/share/man/man8
bashdir=$PREFIX/share/bash-completion/completions
fishdir=$PREFIX/share/fish/vendor_completions.d
# Debian's zsh puts /usr/share/zsh/vendor-completions (packages) and
# /usr/local/share/zsh/site-functions (local installs) on fpath.
if [ "$PREFIX" = /usr ]; then zshdir=$PREFIX/share/zsh/vendor-completions; else zshdir=$PREFIX/share/zsh/site-functions; fi
confdir=$SYSCONFDIR/mlopsd

programs="mlopsd mlopsctl mlops-train"

# Every plain file install places, as "source<TAB>destination<TAB>mode" (no config: see below).
files() {
    for p in $programs; do
        printf '%s\t%s\t%s\n' "$BINDIR_SRC/$p" "$bindir/$p" 0755
        [ "$p" = mlopsd ] || printf '%s\t%s\t%s\n' "$DIST/man/$p.1" "$man1dir/$p.1" 0644
        printf '%s\t%s\t%s\n' "$DIST/completions/$p.bash" "$bashdir/$p" 0644
        printf '%s\t%s\t%s\n' "$DIST/completions/_$p" "$zshdir/_$p" 0644
        printf '%s\t%s\t%s\n' "$DIST/completions/$p.fish" "$fishdir/$p.fish" 0644
    done
    printf '%s\t%s\t%s\n' man/mlopsd.8 "$man8dir/mlopsd.8" 0644
    printf '%s\t%s\t%s\n' man/mlopsd.yaml.5 "$man5dir/mlopsd.yaml.5" 0644
    printf '%s\t%s\t%s\n' man/mlopsd-jobs.5 "$man5dir/mlopsd-jobs.5" 0644
    printf '%s\t%s\t%s\n' LICENSE "$docdir/LICENSE" 0644
    printf '%s\t%s\t%s\n' "$DIST/mlopsd.service" "$unitdir/mlopsd.service" 0644
    printf '%s\t%s\t%s\n' systemd/mlopsd.sysusers "$sysusersdir/mlopsd.conf" 0644
    printf '%s\t%s\t%s\n' systemd/mlopsd.tmpfiles "$tmpfilesdir/mlopsd.conf" 0644
    printf '%s\t%s\t%s\n' "$DIST/mlopsd.catalog" "$catalogdir/mlopsd.catalog" 0644
    printf '%s\t%s\t%s\n' README.md "$docdir/README.md" 0644
    for d in docs/*.md; do
        printf '%s\t%s\t%s\n' "$d" "$docdir/$(basename "$d")" 0644
    done
    for e in examples/*.yaml; do
        [ -e "$e" ] || continue
        printf '%s\t%s\t%s\n' "$e" "$docdir/examples/$(basename "$e")" 0644
    done
    # The Python trainer example and its pipeline (docs/pipelines.md).
    printf '%s\t%s\t%s\n' examples/pipelines/python.yaml "$docdir/examples/pipelines/python.yaml" 0644
    printf '%s\t%s\t%s\n' examples/pipelines/python-trainer.py "$docdir/examples/pipelines/python-trainer.py" 0755
}

# Configuration files, as "source<TAB>destination": never overwritten, kept on uninstall
# when the administrator changed them.
configs() {
    printf '%s\t%s\n' etc/mlopsd.system.yaml "$confdir/mlopsd.yaml"
    for p in etc/pipelines/*.yaml etc/pipelines/*.yml; do
        [ -e "$p" ] || continue
        printf '%s\t%s\n' "$p" "$confdir/pipelines/$(basename "$p")"
    done
}

# The unit and the catalog name installed paths: rewrite them for PREFIX.
generate() {
    mkdir -p "$DIST"
    sed -e "s|^ExecStart=/usr/bin/mlopsd |ExecStart=$bindir/mlopsd |" \
        -e "s|file:///usr/share/doc/mlopsd/|file://$docdir/|g" \
        systemd/mlopsd.service >"$DIST/mlopsd.service"
    sed -e "s|file:///usr/share/doc/mlopsd/|file://$docdir/|g" systemd/mlopsd.catalog >"$DIST/mlopsd.catalog"
}

do_install() {
    generate
    missing=0
    tab=$(printf '\t')
    files | while IFS="$tab" read -r src dst mode; do
        if [ ! -f "$src" ]; then echo "install: missing $src (run make release man completions)" >&2; exit 1; fi
    done || missing=1
    [ "$missing" -eq 0 ] || exit 1
    files | while IFS="$tab" read -r src dst mode; do
        install -D -m "$mode" "$src" "$DESTDIR$dst"
        echo "  $dst"
    done
    configs | while IFS="$tab" read -r src dst; do
        target=$DESTDIR$dst
        if [ ! -e "$target" ]; then
            install -D -m 0644 "$src" "$target"
            echo "  $dst"
        elif cmp -s "$src" "$target"; then
            echo "  $dst (unchanged)"
        else
            install -D -m 0644 "$src" "$target.new"
            echo "  $dst.new (your $dst differs from the shipped one and was kept; compare and merge)"
        fi
    done
    cat <<EOF

mlopsd installed under ${DESTDIR:-/} (PREFIX=$PREFIX). To start it as a service, as root:

  systemd-sysusers $sysusersdir/mlopsd.conf          # user mlopsd, groups mlopsd and mlopsd-submit
  systemd-tmpfiles --create $tmpfilesdir/mlopsd.conf # the spool under /var/spool/mlopsd
  journalctl --update-catalog                           # journalctl -x explains mlopsd's entries
  systemctl daemon-reload
  systemctl enable --now mlopsd
  usermod -aG mlopsd-submit <user>                      # whoever may submit jobs

Config: $confdir/mlopsd.yaml (mlopsd --check-config checks it). See $docdir/operations.md.
EOF
}

# Removes a file and then the directories above it that became empty (up to, not
# including, the top-level ones such as /usr/share/man).
remove() {
    path=$1
    rm -f "$path"
}

prune_dirs() {
    for d in "$@"; do
        [ -d "$DESTDIR$d" ] && rmdir "$DESTDIR$d" 2>/dev/null || true
    done
}

do_uninstall() {
    generate
    tab=$(printf '\t')
    files | while IFS="$tab" read -r src dst mode; do
        if [ -e "$DESTDIR$dst" ] || [ -L "$DESTDIR$dst" ]; then
            remove "$DESTDIR$dst"
            echo "  removed $dst"
        fi
    done
    configs | while IFS="$tab" read -r src dst; do
        target=$DESTDIR$dst
        if [ -f "$target.new" ] && cmp -s "$src" "$target.new"; then
            remove "$target.new"
            echo "  removed $dst.new"
        fi
        if [ -f "$target" ]; then
            if cmp -s "$src" "$target"; then
                remove "$target"
                echo "  removed $dst"
            else
                echo "  kept $dst (changed by the administrator; remove it by hand if no longer wanted)"
            fi
        fi
    done
    # Only the directories that are ours alone; shared ones (bin, man1, ...) stay.
    prune_dirs "$docdir/examples/pipelines" "$docdir/examples" "$docdir" "$confdir/pipelines" "$confdir"
    cat <<EOF

mlopsd uninstalled from ${DESTDIR:-/} (PREFIX=$PREFIX). Left in place on purpose: the state in
/var/lib/mlopsd, the spool in /var/spool/mlopsd, the user and groups, and any config you
changed. Run systemctl daemon-reload (and journalctl --update-catalog) now.
EOF
}

case $action in
    install) do_install ;;
    uninstall) do_uninstall ;;
    *) echo "usage: $0 install|uninstall" >&2; exit 64 ;;
esac
