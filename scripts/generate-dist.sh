#!/bin/sh
# generate-dist.sh — the files `make install` installs that are generated from the CLI:
#
#   sh scripts/generate-dist.sh man          → $DIST/man/mlopsctl.1, mlops-train.1
#   sh scripts/generate-dist.sh completions  → $DIST/completions/{mlopsd,mlopsctl}.bash, _mlopsd, …
#
# Section 1 pages come from swift-argument-parser's generate-manual (the tool behind its
# GenerateManual plugin; mdoc; works offline from the package's checkout). Should it fail,
# a plain troff page (.TH) is made from `--help` instead, so an install never lacks them.
# The daemon's pages are not generated here: man/mlopsd.8 (by hand), man/mlopsd.yaml.5 and
# man/mlopsd-jobs.5 (from the declarations, by the tests) are committed and installed as
# they are. Completions come from the binaries' own --generate-completion-script.
set -eu
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
BINDIR_SRC=${BINDIR_SRC:-.build/release}
SCRATCH=${SCRATCH:-.build}
DIST=${DIST:-.build/dist}
programs="mlopsd mlopsctl mlops-train"
# The programs with a generated section 1 page (mlopsd's is man/mlopsd.8).
manual_programs="mlopsctl mlops-train"
# Reproducible: the date of the last commit, not today's.
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%Y-%m-%d)

# A minimal man(7) page from --help, for when the plugin is unavailable.
fallback_page() {
    p=$1
    upper=$(echo "$p" | tr '[:lower:]' '[:upper:]')
    version=$("$BINDIR_SRC/$p" --version 2>/dev/null || echo unknown)
    # The OVERVIEW paragraph, which --help wraps over several lines, as one line.
    abstract=$("$BINDIR_SRC/$p" --help | awk '/^OVERVIEW: / { sub(/^OVERVIEW: /, ""); on = 1 }
        on && /^$/ { exit } on { printf "%s%s", sep, $0; sep = " " }')
    printf '.TH %s 1 "%s" "%s %s" "User Commands"\n' "$upper" "$date" "$p" "$version"
    printf '.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n.nf\n' "$p" "$abstract"
    "$BINDIR_SRC/$p" --help | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
    printf '.fi\n.SH SEE ALSO\nmlopsd(8), mlopsd.yaml(5), mlopsd-jobs(5), mlopsctl(1), journalctl(1)\n'
}

man_pages() {
    mkdir -p "$DIST/man"
    # The tool the GenerateManual plugin runs, built as a release product: the plugin itself
    # (`swift package --disable-sandbox plugin generate-manual`) works offline too, but builds
    # with its own parameters, which throws away the release build (2 minutes each way).
    # Same flags as make release, or each make install would relink everything twice.
    if "$SWIFT" build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product generate-manual >"$DIST/man/generate-manual.log" 2>&1 \
        && for p in $manual_programs; do
            "$BINDIR_SRC/generate-manual" "$BINDIR_SRC/$p" --date "$date" --output-directory "$DIST/man" \
                >>"$DIST/man/generate-manual.log" 2>&1 || exit 1
        done; then
        echo "generate-dist: man pages from swift-argument-parser's generate-manual in $DIST/man"
    else
        echo "generate-dist: generate-manual failed (see $DIST/man/generate-manual.log); man pages from --help" >&2
        for p in $manual_programs; do
            fallback_page "$p" >"$DIST/man/$p.1"
        done
    fi
}

completions() {
    mkdir -p "$DIST/completions"
    for p in $programs; do
        "$BINDIR_SRC/$p" --generate-completion-script bash >"$DIST/completions/$p.bash"
        "$BINDIR_SRC/$p" --generate-completion-script zsh >"$DIST/completions/_$p"
        "$BINDIR_SRC/$p" --generate-completion-script fish >"$DIST/completions/$p.fish"
    done
    echo "generate-dist: bash, zsh and fish completions in $DIST/completions"
}

case ${1:-} in
    man) man_pages ;;
    completions) completions ;;
    *) echo "usage: $0 man|completions" >&2; exit 64 ;;
esac
