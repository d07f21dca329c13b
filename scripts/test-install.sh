#!/bin/sh
# test-install.sh — `make install` and `make uninstall` into a temporary DESTDIR, checked.
#
# Installs with PREFIX=/usr, checks every expected file (binaries run, the unit's ExecStart=
# names the installed binary and passes systemd-analyze verify, the catalog compiles, man
# pages render, the shipped config is valid), re-installs over an admin-changed config
# (kept; the shipped one lands as mlopsd.yaml.new), then uninstalls and checks that only
# directories and the changed config remain. Prints "install: N passed, M failed" and exits
# non-zero when anything failed. Needs a release build (make release; make test-install
# depends on it). Tools that are absent (systemd-analyze, man) are reported as SKIPPED.
set -u
cd "$(dirname "$0")/.."

MAKE=${MAKE:-make}
tmp=$(mktemp -d /tmp/mlopsd-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
log=$tmp/log
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() {  # check DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@" >>"$log" 2>&1; then ok "$what"; else bad "$what"; fi
}

# The first line that is not a comment (.\") is .TH (man) or .Dd (mdoc).
starts_like_man_page() {
    awk '!/^\.\\"/ { print; exit }' "$1" | grep -Eq '^\.(TH|Dd) '
}

run_make() {
    $MAKE --no-print-directory "$@" DESTDIR="$root" PREFIX=/usr >>"$log" 2>&1
}

expected_files="
usr/bin/mlopsd
usr/bin/mlopsctl
usr/bin/mlops-train
usr/lib/systemd/system/mlopsd.service
usr/lib/sysusers.d/mlopsd.conf
usr/lib/tmpfiles.d/mlopsd.conf
usr/lib/systemd/catalog/mlopsd.catalog
etc/mlopsd/mlopsd.yaml
usr/share/doc/mlopsd/README.md
usr/share/doc/mlopsd/operations.md
usr/share/doc/mlopsd/journal.md
usr/share/doc/mlopsd/configuration.md
usr/share/man/man8/mlopsd.8
usr/share/man/man5/mlopsd.yaml.5
usr/share/man/man5/mlopsd-jobs.5
usr/share/man/man1/mlopsctl.1
usr/share/man/man1/mlops-train.1
usr/share/doc/mlopsd/LICENSE
usr/share/doc/mlopsd/pipelines.md
usr/share/doc/mlopsd/examples/pipelines/python.yaml
usr/share/doc/mlopsd/examples/pipelines/python-trainer.py
usr/share/bash-completion/completions/mlopsd
usr/share/bash-completion/completions/mlopsctl
usr/share/zsh/vendor-completions/_mlopsd
usr/share/zsh/vendor-completions/_mlopsctl
usr/share/fish/vendor_completions.d/mlopsd.fish
usr/share/fish/vendor_completions.d/mlopsctl.fish
"

# --- which packages each target installs (make -n: nothing is run) --------------------------
# make install installs no Debian packages; make demo only the build ones (no Slurm, munge,
# Python or browser); make test the test set (README, scripts/install-deps.sh).
$MAKE --no-print-directory -n install DESTDIR="$root" PREFIX=/usr >"$tmp/plan.install" 2>>"$log"
$MAKE --no-print-directory -n demo >"$tmp/plan.demo" 2>>"$log"
$MAKE --no-print-directory -n test >"$tmp/plan.test" 2>>"$log"
check "make install installs no packages (it only checks the build ones)" \
    sh -c "! grep -E 'install-deps.sh (build|test)' '$tmp/plan.install'"
check "make demo installs the build packages only" \
    sh -c "grep -qx 'sh scripts/install-deps.sh build' '$tmp/plan.demo' && ! grep -q 'install-deps.sh test' '$tmp/plan.demo'"
check "make test installs the test packages" grep -qx 'sh scripts/install-deps.sh test' "$tmp/plan.test"
check "the build set holds no test tool" \
    sh -c "! sed -n 's/^build=//p' scripts/install-deps.sh | grep -Eq 'slurm|munge|python|chromium|gcc|lintian|inotify'"

# --- install -------------------------------------------------------------------------------
if run_make install; then ok "make install DESTDIR=… PREFIX=/usr"; else bad "make install (see below)"; tail -n 30 "$log"; fi

for f in $expected_files; do
    check "installed /$f" test -f "$root/$f"
done
for p in mlopsd mlopsctl; do
    check "/usr/bin/$p is executable and runs" "$root/usr/bin/$p" --version
    # --static-swift-stdlib: nothing from the Swift toolchain is loaded at run time.
    check "/usr/bin/$p needs no Swift runtime library" sh -c "! ldd '$root/usr/bin/$p' | grep -q libswift"
done
# The embedded trainer: found beside mlopsd by the default pipeline (etc/pipelines/default.yaml).
check "/usr/bin/mlops-train runs" "$root/usr/bin/mlops-train" --help
check "/usr/bin/mlops-train needs no Swift runtime library" sh -c "! ldd '$root/usr/bin/mlops-train' | grep -q libswift"
check "the installed config reads pipelines from /etc/mlopsd/pipelines" grep -q '^pipelines_dir: /etc/mlopsd/pipelines$' "$root/etc/mlopsd/mlopsd.yaml"
for d in docs/*.md; do
    check "doc /usr/share/doc/mlopsd/$(basename "$d")" cmp -s "$d" "$root/usr/share/doc/mlopsd/$(basename "$d")"
done
for p in etc/pipelines/*.yaml; do
    [ -e "$p" ] || continue
    check "pipeline /etc/mlopsd/pipelines/$(basename "$p")" cmp -s "$p" "$root/etc/mlopsd/pipelines/$(basename "$p")"
done
check "installed config is etc/mlopsd.system.yaml" cmp -s etc/mlopsd.system.yaml "$root/etc/mlopsd/mlopsd.yaml"
check "installed config is valid (mlopsd --check-config)" \
    "$root/usr/bin/mlopsd" --check-config --config "$root/etc/mlopsd/mlopsd.yaml"

unit=$root/usr/lib/systemd/system/mlopsd.service
check "unit: ExecStart= runs the installed /usr/bin/mlopsd" \
    grep -qx 'ExecStart=/usr/bin/mlopsd --config /etc/mlopsd/mlopsd.yaml' "$unit"
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$tmp/verify"
    sed "s|^ExecStart=/usr/bin/mlopsd |ExecStart=$root/usr/bin/mlopsd |" "$unit" >"$tmp/verify/mlopsd.service"
    # verify runs man(1) on every Documentation=man: page: they must be the installed ones.
    if MANPATH="$root/usr/share/man" systemd-analyze verify "$tmp/verify/mlopsd.service" >"$tmp/verify.out" 2>&1 \
        && ! grep -q mlopsd "$tmp/verify.out"; then
        ok "systemd-analyze verify of the installed unit"
    else
        bad "systemd-analyze verify of the installed unit"
        cat "$tmp/verify.out"
    fi
else
    echo "SKIPPED systemd-analyze verify: systemd-analyze is not installed"
fi
if command -v journalctl >/dev/null 2>&1; then
    # Compiles the catalog from DESTDIR's /usr/lib/systemd/catalog into DESTDIR's database.
    if journalctl --root="$root" --update-catalog >>"$log" 2>&1 \
        && journalctl --root="$root" --list-catalog 2>/dev/null | grep -q 'mlopsd is ready'; then
        ok "journalctl --update-catalog finds the installed catalog"
    else
        bad "journalctl --update-catalog finds the installed catalog"
    fi
    rm -rf "$root/var/lib/systemd/catalog"
    rmdir "$root/var/lib/systemd" "$root/var/lib" "$root/var" 2>/dev/null || true
else
    echo "SKIPPED catalog: journalctl is not installed"
fi

check "mlopsd(8) is the repository's man/mlopsd.8" cmp -s man/mlopsd.8 "$root/usr/share/man/man8/mlopsd.8"
check "no generated mlopsd.1 beside mlopsd(8)" test ! -e "$root/usr/share/man/man1/mlopsd.1"
for page in man8/mlopsd.8 man5/mlopsd.yaml.5 man5/mlopsd-jobs.5 man1/mlopsctl.1 man1/mlops-train.1; do
    name=$(basename "$page")
    path=$root/usr/share/man/$page
    check "man page $name starts like a man page (.TH, or mdoc's .Dd)" starts_like_man_page "$path"
    if command -v man >/dev/null 2>&1; then
        title=${name%.*}
        if MANWIDTH=80 man -l "$path" >"$tmp/man.out" 2>"$tmp/man.err" && [ ! -s "$tmp/man.err" ] \
            && grep -q "$title" "$tmp/man.out"; then
            ok "man -l renders $name without warnings"
        else
            bad "man -l renders $name without warnings"
            cat "$tmp/man.err"
        fi
    else
        echo "SKIPPED man -l $name: man is not installed"
    fi
done
if command -v man >/dev/null 2>&1; then
    # What the unit's Documentation= names, found through the installed tree.
    for ref in "8 mlopsd" "5 mlopsd.yaml" "5 mlopsd-jobs"; do
        # shellcheck disable=SC2086
        check "man $ref is found in the installed tree" env MANPATH="$root/usr/share/man" man -w $ref
    done
fi
check "bash completion for mlopsctl is a bash script" grep -q '^complete ' "$root/usr/share/bash-completion/completions/mlopsctl"
check "zsh completion for mlopsctl declares #compdef" grep -q '^#compdef mlopsctl' "$root/usr/share/zsh/vendor-completions/_mlopsctl"
check "fish completion for mlopsctl uses complete -c" grep -q "^complete -c 'mlopsctl'" "$root/usr/share/fish/vendor_completions.d/mlopsctl.fish"

# --- re-install over an administrator's config ---------------------------------------------
echo "# changed by the administrator" >>"$root/etc/mlopsd/mlopsd.yaml"
cp "$root/etc/mlopsd/mlopsd.yaml" "$tmp/admin.yaml"
if run_make install; then ok "make install again"; else bad "make install again"; fi
check "a changed config is not overwritten" cmp -s "$tmp/admin.yaml" "$root/etc/mlopsd/mlopsd.yaml"
check "the shipped config lands beside it as mlopsd.yaml.new" \
    cmp -s etc/mlopsd.system.yaml "$root/etc/mlopsd/mlopsd.yaml.new"

# --- uninstall -----------------------------------------------------------------------------
if run_make uninstall; then ok "make uninstall DESTDIR=… PREFIX=/usr"; else bad "make uninstall"; fi
check "the changed config is kept" cmp -s "$tmp/admin.yaml" "$root/etc/mlopsd/mlopsd.yaml"
rm -f "$root/etc/mlopsd/mlopsd.yaml"
left=$(find "$root" ! -type d | sed "s|^$root||")
if [ -z "$left" ]; then
    ok "uninstall leaves no files (only directories)"
else
    bad "uninstall leaves files:"
    echo "$left"
fi
check "uninstall removes /etc/mlopsd and the doc directory" \
    sh -c "[ ! -e '$root/etc/mlopsd/pipelines' ] && [ ! -e '$root/usr/share/doc/mlopsd' ]"

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
