#!/bin/sh
# report-images.sh — regenerate docs/images/report.png and docs/images/drift-report.png, the
# pictures in README and docs/monitoring.md, from a real daemon run (make report-images).
#
# In a temporary directory: mlopsd with its own spool and state; the chest X-ray model
# (metric accuracy) with version 1.0.0 in production; six batches of 300 predictions with
# their labels, a new scanner (Nova DR9, +15 kVp) and more wrong predictions from the fourth
# batch on; then a report, and `mlopsctl drift --html` on two halves of the demo data. Both
# pages are screenshotted with headless Chromium (the top of each page: what a reader sees
# first). Needs chromium; the debug build of make build.
set -eu
cd "$(dirname "$0")/.."
bin=${BIN:-.build/debug}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
out=docs/images
command -v chromium >/dev/null || { echo "report-images: chromium is missing (sh scripts/install-deps.sh test)"; exit 1; }
tmp=$(mktemp -d)
daemon=""
cleanup() {
    [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
mkdir -p "$tmp/spool" "$tmp/state" "$tmp/data" "$out"
cat > "$tmp/mlopsd.yaml" <<EOF
spool_dir: $tmp/spool
state_dir: $tmp/state
data_roots: [$tmp/data]
log_level: warning
EOF
"$bin/mlopsd" --config "$tmp/mlopsd.yaml" > "$tmp/mlopsd.log" 2>&1 &
daemon=$!
deadline=$(( $(date +%s) + 30 ))
until grep -q '"state" : "ready"' "$tmp/spool/status.json" 2>/dev/null; do
    kill -0 "$daemon" 2>/dev/null || { cat "$tmp/mlopsd.log"; exit 1; }
    [ "$(date +%s)" -le "$deadline" ] || { echo "report-images: mlopsd not ready after 30 s"; exit 1; }
    sleep 0.1
done
export MLOPSD_SPOOL_DIR="$tmp/spool"
ctl="$bin/mlopsctl"
submit() { $ctl submit - --wait --timeout 60 >/dev/null; }

sed -e 's/^  metric: roc_auc$/  metric: accuracy/' -e '/^id: /d' examples/register-chest-xray.yaml | submit
# Version 1.0.0: build 41's weights and metrics, with the first 2,000 rows of the demo data
# (without the study id and the finding) as its reference.
cp -R examples/artifacts/chest-xray-build-41 "$tmp/data/v1"
head -2001 examples/demo-data/chest-xray-train.csv | cut -d, -f2-8 > "$tmp/data/v1/reference.csv"
printf 'kind: create-version\nmodel: chest-xray\nparams:\n  artifact: %s/data/v1\n' "$tmp" | submit
$ctl promote chest-xray 1.0.0 --reason "first deployment" >/dev/null

# Six batches of 300 rows from the rest of the demo data: predictions right 88% of the time, 70% once
# the new scanner arrives (batch 3 on); labels are the data's findings.
awk -F, -v OFS=, -v dir="$tmp/data" 'NR <= 2001 { next }
    NR <= 3801 {
        batch = int((NR - 2002) / 300); p = dir "/predictions-" batch ".csv"; l = dir "/labels-" batch ".csv"
        if ((NR - 2002) % 300 == 0) {
            print "id,patient_age,exposure_kvp,view_position,scanner_model,site,age_band,sex,prediction" > p
            print "id,label" > l
        }
        wrong = (batch >= 3) ? 0.30 : 0.12
        srand(NR); other = ($9 == "normal") ? "pneumonia" : "normal"; prediction = (rand() < wrong) ? other : $9
        if (batch >= 3) { $3 = $3 + 15; $5 = "Nova DR9" }
        print "p-" $1, $2, $3, $4, $5, $6, $7, $8, prediction > p
        print "p-" $1, $9 > l
    }' examples/demo-data/chest-xray-train.csv
for batch in 0 1 2 3 4 5; do
    printf 'kind: log-predictions\nmodel: chest-xray\nparams:\n  file: %s/data/predictions-%s.csv\n' "$tmp" "$batch" | submit
    printf 'kind: log-ground-truth\nmodel: chest-xray\nparams:\n  file: %s/data/labels-%s.csv\n' "$tmp" "$batch" | submit
done
$ctl alerts chest-xray --ack "$($ctl alerts chest-xray --json | sed -n 's/.*"id" : "\(chest-xray\.equipment_change\.[0-9]*\)".*/\1/p' | head -1)" >/dev/null || true
$ctl report chest-xray -o "$tmp/report.html" >/dev/null

# The offline twin: the first 2,000 rows against 1,000 others after the scanner change
# (without the study id, which is unique per row).
head -2001 examples/demo-data/chest-xray-train.csv | cut -d, -f2- > "$tmp/reference.csv"
awk -F, -v OFS=, 'NR == 1 || (NR > 2001 && NR <= 3001) { if (NR > 1) { $3 = $3 + 15; $5 = "Nova DR9" }; print }' \
    examples/demo-data/chest-xray-train.csv | cut -d, -f2- > "$tmp/current.csv"
(cd "$tmp" && "$bin/mlopsctl" drift --reference reference.csv --current current.csv --html drift.html >/dev/null)

shot() {
    profile=$(mktemp -d)
    chromium --headless --no-sandbox --disable-gpu --user-data-dir="$profile" --hide-scrollbars \
        --screenshot="$2" --window-size="$3" "file://$1" >/dev/null 2>&1
    rm -rf "$profile"
    echo "report-images: $2 ($(wc -c < "$2") bytes)"
}
shot "$tmp/report.html" "$out/report.png" 1200,2300
shot "$tmp/drift.html" "$out/drift-report.png" 1200,1600
