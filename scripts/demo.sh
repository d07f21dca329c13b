#!/bin/sh
# demo.sh — run mlopsd locally on ./spool and ./state (no root needed) and walk through a
# first job: a valid register-model, a misspelt one, versions, promotion, the eight-stage pipeline
# and the daemon's status. The daemon
# then keeps running in the foreground: drop more jobs from another terminal; Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
bin=.build/debug
config=etc/mlopsd.yaml
ctl="$bin/mlopsctl"  # reads spool_dir from ./etc/mlopsd.yaml

"$bin/mlopsd" --config "$config" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' INT TERM
# Ready when status.json names our pid in state "ready" (with a deadline, not a fixed sleep).
deadline=$(( $(date +%s) + 30 ))
until grep -q "\"pid\" : $daemon," spool/status.json 2>/dev/null && grep -q '"state" : "ready"' spool/status.json; do
    if ! kill -0 "$daemon" 2>/dev/null; then echo "demo: mlopsd exited; see the messages above"; exit 1; fi
    if [ "$(date +%s)" -gt "$deadline" ]; then echo "demo: mlopsd not ready after 30 s"; exit 1; fi
    sleep 0.1
done

id="demo-$(date +%Y%m%d-%H%M%S)"
echo "== 1. register the chest X-ray model (job $id)"
sed "s/^id: .*/id: $id/" examples/register-chest-xray.yaml | $ctl submit - --wait --timeout 30 || true
echo
echo "== 2. a misspelt job is refused before it reaches the daemon"
$ctl submit examples/misspelt.yaml || true
echo
echo "== 3. the same file dropped straight into the spool is rejected by the daemon, with line and column"
cp examples/misspelt.yaml "spool/tmp/.$id-typo.yaml" && mv "spool/tmp/.$id-typo.yaml" "spool/incoming/$id-typo.yaml"
$ctl wait "$id-typo" --timeout 30 || true
echo
echo "== 4. two versions of the model from artifact directories under ./data (a data root)"
mkdir -p data
cp -R examples/artifacts/. data/
for build in 41 42; do
    printf 'kind: create-version\nmodel: chest-xray\nid: %s-v%s\nparams:\n  artifact: %s/data/chest-xray-build-%s\n  run_id: build-%s\n' \
        "$id" "$build" "$(pwd)" "$build" "$build" | $ctl submit - --wait --timeout 30 || true
done
echo
echo "== 5. promote 1.0.0, then 1.1.0 (gates: min_metric 0.85, max_metric_drop 0.02), then roll back"
$ctl promote chest-xray 1.0.0 --reason "demo: first deployment" || true
$ctl promote chest-xray 1.1.0 --reason "demo: build 42 is better" || true
$ctl rollback chest-xray --reason "demo: practising the way back" || true
echo "serving link: $(readlink state/serving/chest-xray/current)"
$ctl versions chest-xray || true
echo
echo "== 6. the eight-stage pipeline for a second site's model: train with mlops-train on the demo data,"
echo "      validate, test on held-out rows, deploy, monitor"
site=chest-xray-site2
sed -e "s/^model: chest-xray$/model: $site/" -e "s/^id: .*/id: $id-site2/" examples/register-chest-xray.yaml | $ctl submit - --wait --timeout 30 >/dev/null || true
cp examples/demo-data/chest-xray-train.csv data/chest-xray-train.csv
$ctl pipeline $site --set "data=$(pwd)/data/chest-xray-train.csv" --reason "demo: train on this site's data" --timeout 600 || true
echo
echo "== 7. the same pipeline for chest-xray: its production version (roc_auc 0.91) is better,"
echo "      so validate_model refuses the candidate and production stays as it is"
$ctl pipeline chest-xray --set "data=$(pwd)/data/chest-xray-train.csv" --timeout 600 | grep -E "^job|^  error" || true
echo
echo "== 8. $site in production now, and its health (no predictions logged yet: insufficient data)"
$ctl production $site || true
$ctl health $site || true
echo
echo "== 9. predictions for $site in four batches of 300; halfway a new scanner (Nova DR9) replaces the"
echo "      old ones and exposure rises by 15 kVp; each batch runs a check, and the history shows the drift begin"
awk -F, -v OFS=, 'NR == 1 { next }
    NR <= 1201 {
        batch = int((NR - 2) / 300); file = "data/predictions-" batch ".csv"
        if ((NR - 2) % 300 == 0) print "id,patient_age,exposure_kvp,view_position,scanner_model,site,age_band,sex,prediction" > file
        if (batch >= 2) { $3 = $3 + 15; $5 = "Nova DR9" }
        print "p-" $1, $2, $3, $4, $5, $6, $7, $8, $9 > file
    }' examples/demo-data/chest-xray-train.csv
for batch in 0 1 2 3; do
    printf 'kind: log-predictions\nmodel: %s\nparams:\n  file: %s/data/predictions-%s.csv\n' "$site" "$(pwd)" "$batch" \
        | $ctl submit - --wait --timeout 60 >/dev/null || true
done
$ctl history $site || true
$ctl alerts $site || true
echo
echo "== 10. the report: one self-contained HTML page (health over time, the drift heat map, each column"
echo "      before and after, the scanners, alerts, versions and runs on one timeline); open it in a browser"
$ctl report $site -o "$(pwd)/data/$site-report.html" || true
echo
echo "Where things are: results in spool/results/, runs in state/runs/ ($ctl runs; $ctl run ID),"
echo "the deployed artifact behind state/serving/$site/current, alerts in spool/alerts/, reports in spool/reports/."
echo
echo "== 11. daemon status"
$ctl status
echo
echo "mlopsd keeps running (pid $daemon). Try: $ctl submit examples/register-chest-xray.yaml --wait"
echo "Logs: journalctl -t mlopsd -f (or this terminal when no journal runs). Ctrl-C stops it."
wait $daemon
