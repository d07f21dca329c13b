#!/bin/bash
# run.sh — end-to-end tests of mlopsd under a real systemd (docs/e2e.md).
#
# Boots /lib/systemd/systemd as PID 1 in private PID, mount, network, UTS and IPC
# namespaces (scripts/e2e/boot.sh builds its private view of the system: only our unit and
# systemd-journald's, private accounts, spool, state and config), then drives it from
# outside with `nsenter -t <pid> -a systemctl|journalctl …`. Nothing on the host changes
# (apart from an empty /etc/mlopsd mount point when there was none).
#
# Run as root after `swift build`:   sudo scripts/e2e/run.sh
#
# Prints one line per scenario (`e2e: <name> ... ok|FAILED`, diagnostics below a failure)
# and a last line `e2e: N passed, M failed`; exits 1 when a scenario failed. When it cannot
# run it prints `e2e: SKIPPED: <reason>` and exits 0 — except when it is required
# (E2E_REQUIRE=1, the default when CI=true): then a missing tool or binary, or namespaces
# that cannot be created, is a failure (`e2e: FAILED: cannot run: <reason>`, exit 1).
# Not being root is always a skip.
#
# Environment:
#   E2E_BIN_DIR   directory with mlopsd and mlopsctl (default: <repo>/.build/debug)
#   E2E_REQUIRE   1: failing to run is an error; 0: it is a skip (default: 1 if CI=true)
#   E2E_KEEP      1: keep the scratch directory (boot log) even when everything passed
#   E2E_TIMEOUT   seconds any single wait may take (default 30)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin_dir=${E2E_BIN_DIR:-$repo/.build/debug}
systemd_bin=/lib/systemd/systemd
timeout_s=${E2E_TIMEOUT:-30}
if [ -n "${E2E_REQUIRE:-}" ]; then require=$E2E_REQUIRE
elif [ "${CI:-}" = true ]; then require=1
else require=0
fi

# The installed locations inside the namespace (those of the packaged service).
BINDIR=/usr/local/bin
SPOOL=/var/spool/mlopsd
CONFIG=/etc/mlopsd/mlopsd.yaml

# --- Can we run? ---------------------------------------------------------------------------

cannot_run() {  # cannot_run REASON [always-skip]
    if [ "$require" = 1 ] && [ "${2:-}" != always-skip ]; then
        echo "e2e: FAILED: cannot run: $1"
        exit 1
    fi
    echo "e2e: SKIPPED: $1"
    exit 0
}

[ "$(id -u)" = 0 ] || cannot_run "not root (run: sudo scripts/e2e/run.sh)" always-skip
for tool in unshare nsenter mountpoint systemctl journalctl systemd-sysusers systemd-tmpfiles; do
    command -v "$tool" >/dev/null 2>&1 || cannot_run "$tool not found"
done
[ -x "$systemd_bin" ] || cannot_run "$systemd_bin not found"
for u in systemd-journald.service systemd-journald.socket; do
    [ -f "/lib/systemd/system/$u" ] || cannot_run "/lib/systemd/system/$u not found"
done
for b in mlopsd mlopsctl; do
    [ -x "$bin_dir/$b" ] || cannot_run "$bin_dir/$b not built (swift build, or make test)"
done
unshare --pid --fork --mount --mount-proc --net --uts --ipc --cgroup true >/dev/null 2>&1 \
    || cannot_run "cannot create PID/mount/net/UTS/IPC/cgroup namespaces (unshare refused; a container without CAP_SYS_ADMIN?)"

# systemd creates its cgroups (init.scope, system.slice/…) below the root of the cgroup
# namespace it sees. Give it a cgroup of its own per run, so nothing is left in the host's
# hierarchy (it is removed at teardown) and two runs never share a unit's cgroup.
cg_dirs=()
case "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" in
cgroup2fs) cg_layout=unified; cg_roots=(/sys/fs/cgroup) ;;
tmpfs)
    cg_roots=()
    [ "$(stat -fc %T /sys/fs/cgroup/systemd 2>/dev/null)" = cgroupfs ] && cg_roots+=(/sys/fs/cgroup/systemd)
    if [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        cg_layout=hybrid; cg_roots+=(/sys/fs/cgroup/unified)
    else
        cg_layout=legacy
    fi
    [ "${cg_roots[0]:-}" = /sys/fs/cgroup/systemd ] || cannot_run "no name=systemd cgroup hierarchy at /sys/fs/cgroup/systemd"
    ;;
*) cannot_run "no cgroup file system at /sys/fs/cgroup" ;;
esac

# --- Helpers -------------------------------------------------------------------------------

now_ms() { date +%s%3N; }

sd_pid=
unshare_pid=
scenario_pid=
scratch=$(mktemp -d /tmp/mlopsd-e2e.XXXXXX)
chmod 0755 "$scratch"
for root in "${cg_roots[@]}"; do
    mkdir "$root/${scratch##*/}"
    cg_dirs+=("$root/${scratch##*/}")
done
passed=0
failed=0

# Run a command inside the namespaces of our systemd.
ns() { nsenter -t "$sd_pid" -a "$@"; }

# wait_until DESCRIPTION COMMAND…: polls COMMAND every 0.1 s until it succeeds, for at
# most $timeout_s seconds; on timeout says what it waited for and fails.
wait_until() {
    local what=$1; shift
    local deadline=$(( $(now_ms) + timeout_s * 1000 ))
    until "$@" >/dev/null 2>&1; do
        if [ "$(now_ms)" -ge "$deadline" ]; then
            echo "timed out after ${timeout_s}s waiting for: $what"
            return 1
        fi
        sleep 0.1
    done
}

fail() { echo "$*"; exit 1; }

# Unit properties and journal queries.
prop() { ns systemctl show -p "$1" --value mlopsd.service; }
main_pid() { prop MainPID; }
is_active() { [ "$(ns systemctl is-active mlopsd.service 2>/dev/null)" = "${1:-active}" ]; }
journal() { ns journalctl --no-pager -q "$@"; }
# How many journal entries of the unit carry MLOPSD_EVENT=$1 (plus optional matches).
event_count() { local e=$1; shift; journal -u mlopsd.service -o json "MLOPSD_EVENT=$e" "$@" | grep -c . || true; }
event_count_above() { [ "$(event_count "$1")" -gt "$2" ]; }

# A register-model job with id $1, padded with comment lines to at least $2 bytes.
job_text() {
    sed "s/^id: .*/id: $1/" "$repo/examples/register-chest-xray.yaml"
    local pad=${2:-0} line
    line="# padding $(printf '%060d' 0)"
    while [ "$pad" -gt 0 ]; do echo "$line"; pad=$(( pad - ${#line} - 1 )); done
}
# Drops a job the way a submitter without mlopsctl does: write into tmp/, rename in.
drop_job() {  # drop_job ID [BYTES]
    job_text "$1" "${2:-0}" | ns sh -c "cat > $SPOOL/tmp/.$1.yaml && mv $SPOOL/tmp/.$1.yaml $SPOOL/incoming/$1.yaml"
}
result_of() { ns cat "$SPOOL/results/$1.json" 2>/dev/null | tr -d '\n'; }
result_is() {  # result_is ID STATUS
    result_of "$1" | grep -Eq "\"status\" *: *\"$2\""
}
has_final_result() { result_of "$1" | grep -Eq '"status" *: *"(succeeded|failed|rejected)"'; }
wait_result() {  # wait_result ID: the final result document on stdout
    wait_until "results/$1.json with a final status" has_final_result "$1" || return 1
    result_of "$1"
}

# Writes stdin as the pipeline definition /etc/mlopsd/pipelines/$1.yaml in the namespace.
put_pipeline() { ns sh -c "mkdir -p /etc/mlopsd/pipelines && cat > /etc/mlopsd/pipelines/$1.yaml"; }
# Swaps the config in the namespace: stdin becomes /etc/mlopsd/mlopsd.yaml (atomically).
put_config() { ns sh -c "cat > $CONFIG.new && mv $CONFIG.new $CONFIG"; }
# systemctl reload, then waits until the daemon logged EVENT (config_reloaded or
# config_reload_refused) once more than before and is active again.
reload_expect() {
    local event=$1 before
    before=$(event_count "$event")
    timeout "$timeout_s" nsenter -t "$sd_pid" -a systemctl reload mlopsd.service || fail "systemctl reload failed"
    wait_until "a new MLOPSD_EVENT=$event entry in the journal" event_count_above "$event" "$before" || return 1
    wait_until "mlopsd active after the reload" is_active || return 1
}

diagnostics() {
    echo "--- systemctl status mlopsd"
    ns systemctl status --no-pager -l -n 0 mlopsd.service 2>&1 || true
    echo "--- journalctl -u mlopsd (last 25)"
    ns journalctl --no-pager -u mlopsd.service -n 25 2>&1 || true
}

# scenario NAME FUNCTION: runs FUNCTION in a background subshell (so that `set -e` holds
# inside it), prints `e2e: NAME ... ok` with the lines it printed, or FAILED with them and
# diagnostics.
scenario() {
    local name=$1 fn=$2 out=$scratch/scenario.out
    printf 'e2e: %s ... ' "$name"
    ( set -euo pipefail; "$fn" ) >"$out" 2>&1 &
    scenario_pid=$!
    if wait "$scenario_pid"; then
        echo ok
        passed=$(( passed + 1 ))
        sed 's/^/    /' "$out"
    else
        echo FAILED
        failed=$(( failed + 1 ))
        { cat "$out"; diagnostics; } | sed 's/^/    /'
    fi
    scenario_pid=
}

# --- Teardown ------------------------------------------------------------------------------

teardown() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$scenario_pid" ] && kill -0 "$scenario_pid" 2>/dev/null; then
        echo "interrupted"
        kill -KILL "$scenario_pid" 2>/dev/null || true
        wait "$scenario_pid" 2>/dev/null || true
    fi
    if [ -n "$sd_pid" ] && kill -0 "$sd_pid" 2>/dev/null; then
        if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ] || [ "${E2E_KEEP:-0}" = 1 ]; then
            timeout 10 nsenter -t "$sd_pid" -a journalctl --no-pager -o short-monotonic \
                >"$scratch/journal.txt" 2>&1 || true
        fi
        # systemd as PID 1 ignores SIGTERM; SIGKILL of a PID namespace's init kills
        # everything in the namespace, and its mounts go with it.
        kill -KILL "$sd_pid" 2>/dev/null || true
    fi
    if [ -n "$unshare_pid" ]; then
        local deadline=$(( $(now_ms) + 10000 ))
        while kill -0 "$unshare_pid" 2>/dev/null && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
        if kill -0 "$unshare_pid" 2>/dev/null; then
            echo "e2e: warning: unshare (pid $unshare_pid) still running after teardown"
        fi
        wait "$unshare_pid" 2>/dev/null || true
    fi
    # The run's cgroups, deepest first (they empty as the killed processes are reaped).
    local d deadline=$(( $(now_ms) + 10000 ))
    for d in "${cg_dirs[@]}"; do
        while [ -d "$d" ]; do
            find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
            [ -d "$d" ] || break
            if [ "$(now_ms)" -ge "$deadline" ]; then
                echo "e2e: warning: could not remove cgroup $d: $(find "$d" -name cgroup.procs -exec cat {} + | tr '\n' ' ')"
                break
            fi
            sleep 0.05
        done
    done
    if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ] || [ "${E2E_KEEP:-0}" = 1 ]; then
        echo "e2e: logs kept in $scratch (boot.log: the namespace's setup; journal.txt: the whole journal)"
    else
        rm -rf "$scratch"
    fi
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Stage what boot.sh installs ----------------------------------------------------------

mkdir -p "$scratch/units" "$scratch/dropins/mlopsd.service.d" "$scratch/bin"
cp "$repo/systemd/mlopsd.service" "$scratch/units/"
cp /lib/systemd/system/systemd-journald.service /lib/systemd/system/systemd-journald.socket "$scratch/units/"
cat >"$scratch/units/mlopsd-e2e.target" <<'EOF'
[Unit]
Description=mlopsd end-to-end test system (journald only; tests start mlopsd)
DefaultDependencies=no
Wants=systemd-journald.socket systemd-journald.service
After=systemd-journald.socket systemd-journald.service
EOF
# The repository may live under /root, /home or /tmp, which ProtectHome=/PrivateTmp= hide
# from the service: run the copies installed in the namespace. No sysinit.target here,
# hence DefaultDependencies=no (journald's units already have it).
cat >"$scratch/dropins/mlopsd.service.d/e2e.conf" <<EOF
[Unit]
DefaultDependencies=no
After=systemd-journald.socket

[Service]
ExecStart=
ExecStart=$BINDIR/mlopsd --config $CONFIG
EOF
cp "$bin_dir/mlopsd" "$bin_dir/mlopsctl" "$scratch/bin/"
echo "$BINDIR" >"$scratch/bindir"
echo "$cg_layout" >"$scratch/cgroup-layout"
cp "$repo/etc/mlopsd.system.yaml" "$scratch/mlopsd.yaml"
cp "$repo/systemd/mlopsd.sysusers" "$repo/systemd/mlopsd.tmpfiles" "$repo/systemd/mlopsd.catalog" "$scratch/"
cp -R "$repo/examples/artifacts" "$scratch/artifacts"
cp -R "$repo/examples/demo-data" "$scratch/demo-data"

# --- Boot ----------------------------------------------------------------------------------

boot_started=$(now_ms)
(
    # Into the run's cgroups first: the new cgroup namespace is rooted where unshare is.
    for d in "${cg_dirs[@]}"; do echo "$BASHPID" >"$d/cgroup.procs"; done
    exec unshare --pid --fork --mount --mount-proc --net --uts --ipc --cgroup --propagation private \
        "$here/boot.sh" "$scratch"
) >"$scratch/boot.log" 2>&1 </dev/null &
unshare_pid=$!

find_systemd() {
    local child
    child=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null || pgrep -P "$unshare_pid") || return 1
    child=${child%% *}
    [ -n "$child" ] && [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] || return 1
    sd_pid=$child
}
booted() {
    local s
    s=$(nsenter -t "$sd_pid" -a systemctl is-system-running 2>/dev/null) || true
    [ "$s" = running ] || [ "$s" = degraded ]
}
boot_failed() {
    echo "e2e: boot ... FAILED"
    echo "$1" | sed 's/^/    /'
    sed 's/^/    boot.log: /' "$scratch/boot.log" | tail -30
    if [ -n "$sd_pid" ]; then
        ns systemctl list-units --all --no-pager 2>&1 | sed 's/^/    /' || true
        ns journalctl --no-pager -n 30 2>&1 | sed 's/^/    /' || true
    fi
    failed=$(( failed + 1 ))
    echo "e2e: $passed passed, $failed failed"
    exit 1
}
msg=$(wait_until "systemd as PID 1 of the new namespaces (child of unshare $unshare_pid)" find_systemd) \
    || boot_failed "$msg"
find_systemd
msg=$(wait_until "systemctl is-system-running = running" booted) || boot_failed "$msg"
msg=$(wait_until "systemd-journald.service active" \
    nsenter -t "$sd_pid" -a systemctl is-active -q systemd-journald.service) || boot_failed "$msg"
echo "e2e: booted systemd $(ns systemctl --version | head -1 | cut -d' ' -f2) as PID 1 (host pid $sd_pid) in $(( $(now_ms) - boot_started )) ms"

# --- Scenarios -----------------------------------------------------------------------------

JOB_B=e2e-first-job
JOB_E=e2e-after-watchdog

s_start() {
    local t0 t1 status exec_us active_us
    t0=$(now_ms)
    timeout "$timeout_s" nsenter -t "$sd_pid" -a systemctl start mlopsd.service || fail "systemctl start mlopsd failed"
    t1=$(now_ms)
    is_active || fail "is-active: $(ns systemctl is-active mlopsd.service || true)"
    status=$(prop StatusText)
    [[ "$status" == ready:* ]] || fail "STATUS is '$status', expected it to start with 'ready:'"
    ns systemctl status --no-pager mlopsd.service | grep -Fq "Status: \"$status" \
        || fail "systemctl status does not show the STATUS line"
    exec_us=$(prop ExecMainStartTimestampMonotonic)
    active_us=$(prop ActiveEnterTimestampMonotonic)
    echo "systemctl start -> active: $(( t1 - t0 )) ms (systemd: exec -> READY=1 $(( (active_us - exec_us) / 1000 )) ms)"
    echo "status: $status"
}

s_job() {
    local out res entries line
    out=$(job_text "$JOB_B" | ns "$BINDIR/mlopsctl" submit --spool "$SPOOL" -) || fail "mlopsctl submit failed: $out"
    [ "$out" = "$JOB_B" ] || fail "mlopsctl submit printed '$out', expected the id $JOB_B"
    res=$(wait_result "$JOB_B") || fail "$res"
    echo "$res" | grep -Eq '"status" *: *"succeeded"' || fail "result is not succeeded: $res"
    echo "$res" | grep -Eq '"submitted_by" *: *"root"' || fail "result's submitted_by is not root: $res"
    has_succeeded_entry() { journal -u mlopsd.service -o json "MLOPSD_JOB=$JOB_B" MLOPSD_EVENT=job_succeeded | grep -q .; }
    wait_until "a job_succeeded journal entry for $JOB_B" has_succeeded_entry || fail "no job_succeeded entry for $JOB_B"
    entries=$(journal -u mlopsd.service -o json "MLOPSD_JOB=$JOB_B")
    line=$(echo "$entries" | grep '"MLOPSD_EVENT":"job_succeeded"' | head -1)
    echo "$line" | grep -q '"MESSAGE_ID":"72443b9ccb224f88b82556ea0d3e3437"' || fail "job_succeeded entry without its MESSAGE_ID: $line"
    echo "$line" | grep -q '"PRIORITY":"6"' || fail "job_succeeded entry without PRIORITY=6: $line"
    echo "$line" | grep -q '"SYSLOG_IDENTIFIER":"mlopsd"' || fail "job_succeeded entry without SYSLOG_IDENTIFIER=mlopsd: $line"
    echo "result succeeded, submitted_by root; $(echo "$entries" | grep -c .) journal entries with MLOPSD_JOB=$JOB_B"
}

s_reload() {
    local res
    sed 's/^max_job_bytes:.*/max_job_bytes: 2000/' "$repo/etc/mlopsd.system.yaml" | put_config
    reload_expect config_reloaded || fail "reload not applied"
    drop_job e2e-too-large 3000
    res=$(wait_result e2e-too-large) || fail "$res"
    echo "$res" | grep -Eq '"status" *: *"rejected"' || fail "3000-byte job not rejected: $res"
    echo "$res" | grep -q too_large || fail "rejection is not too_large: $res"
    echo "$res" | grep -q 2000 || fail "rejection does not name the new limit 2000: $res"
    is_active || fail "mlopsd not active after the reload"
    echo "3000-byte job rejected too_large with the reloaded limit 2000"
}

s_bad_reload() {
    local pid res errs
    pid=$(main_pid)
    # Broken (an unclosed flow sequence), and with a limit that would let the probe pass.
    sed -e 's/^max_job_bytes:.*/max_job_bytes: 4000/' -e 's/^max_attempts:.*/max_attempts: [3, 4/' \
        "$repo/etc/mlopsd.system.yaml" | put_config
    reload_expect config_reload_refused || fail "the broken config was not refused"
    is_active || fail "mlopsd not active after the refused reload"
    [ "$(main_pid)" = "$pid" ] || fail "MainPID changed from $pid to $(main_pid): the daemon restarted"
    errs=$(journal -u mlopsd.service -p err -o cat)
    echo "$errs" | grep -q "reload refused" || fail "no refusal in journalctl -u mlopsd -p err; it has: $errs"
    # The old configuration (max_job_bytes 2000) is still in force.
    drop_job e2e-still-2000 3000
    res=$(wait_result e2e-still-2000) || fail "$res"
    echo "$res" | grep -q too_large && echo "$res" | grep -q 2000 \
        || fail "the old limit 2000 is not in force: $res"
    echo "refused, still active (pid $pid), old limit 2000 in force; -p err: $(echo "$errs" | grep "reload refused" | tail -1 | cut -c1-160)"
    # Back to the shipped configuration for the rest of the run.
    put_config <"$repo/etc/mlopsd.system.yaml"
    reload_expect config_reloaded || fail "reload of the shipped config not applied"
}

s_watchdog() {
    local old new t0 res restarts
    ns mkdir -p /etc/systemd/system/mlopsd.service.d
    printf '[Service]\nWatchdogSec=2\n' | ns sh -c 'cat > /etc/systemd/system/mlopsd.service.d/e2e-watchdog.conf'
    ns systemctl daemon-reload
    timeout "$timeout_s" nsenter -t "$sd_pid" -a systemctl restart mlopsd.service || fail "restart failed"
    [ "$(prop WatchdogUSec)" = 2s ] || fail "WatchdogUSec is $(prop WatchdogUSec), expected 2s"
    is_active || fail "not active after the restart"
    old=$(main_pid)
    restarts=$(prop NRestarts)
    t0=$(now_ms)
    ns kill -STOP "$old"
    new_main() { local p; p=$(main_pid); [ "$p" != 0 ] && [ "$p" != "$old" ] && is_active; }
    wait_until "a new MainPID (old $old stopped with SIGSTOP) and active again" new_main || fail "no watchdog restart"
    new=$(main_pid)
    echo "SIGSTOP of pid $old -> new pid $new active in $(( $(now_ms) - t0 )) ms (WatchdogSec=2, RestartSec=$(prop RestartUSec))"
    [ "$(prop NRestarts)" -gt "$restarts" ] || fail "NRestarts did not grow"
    watchdog_logged() { journal -u mlopsd.service -o cat | grep -qi "watchdog timeout"; }
    wait_until "'Watchdog timeout' in journalctl -u mlopsd" watchdog_logged || fail "no watchdog timeout in the journal"
    echo "journal: $(journal -u mlopsd.service -o cat | grep -i "watchdog timeout" | tail -1)"
    journal -u mlopsd.service -o cat | grep -E "with signal SIGABRT|timed out. Killing" | head -2 | sed 's/^/journal: /' || true
    drop_job "$JOB_E"
    res=$(wait_result "$JOB_E") || fail "$res"
    echo "$res" | grep -Eq '"status" *: *"succeeded"' || fail "job after the restart not succeeded: $res"
    echo "a job after the restart succeeded"
}

# A deploy hook that always fails: the promotion is undone and a critical deploy_failed
# alert opens, found by severity in the journal and explained by the catalog.
s_alert() {
    local res entries text
    sed 's|^deploy_hook:.*|deploy_hook: [/bin/false]|' "$repo/etc/mlopsd.system.yaml" | put_config
    reload_expect config_reloaded || fail "reload with deploy_hook [/bin/false] not applied"
    ns sh -c "mkdir -p /var/lib/mlopsd/data && cp -R /run/e2e-stage/artifacts/chest-xray-build-41 /var/lib/mlopsd/data/ && chmod -R a+rX /var/lib/mlopsd/data"
    job_text e2e-alert-register | ns "$BINDIR/mlopsctl" submit --spool "$SPOOL" - >/dev/null || fail "submit register-model failed"
    res=$(wait_result e2e-alert-register) || fail "$res"
    printf 'kind: create-version\nmodel: chest-xray\nid: e2e-alert-version\nparams:\n  artifact: /var/lib/mlopsd/data/chest-xray-build-41\n' \
        | ns "$BINDIR/mlopsctl" submit --spool "$SPOOL" - >/dev/null || fail "submit create-version failed"
    res=$(wait_result e2e-alert-version) || fail "$res"
    echo "$res" | grep -Eq '"status" *: *"succeeded"' || fail "create-version did not succeed: $res"
    printf 'kind: promote-version\nmodel: chest-xray\nid: e2e-alert-promote\nparams:\n  version: 1.0.0\n' \
        | ns "$BINDIR/mlopsctl" submit --spool "$SPOOL" - >/dev/null || fail "submit promote-version failed"
    res=$(wait_result e2e-alert-promote) || fail "$res"
    echo "$res" | grep -q deploy_failed || fail "the promotion with a failing hook is not deploy_failed: $res"
    ns test ! -e /var/lib/mlopsd/serving/chest-xray/current || fail "the serving link was not switched back"
    critical() { journal -u mlopsd.service -o json MLOPSD_SEVERITY=critical | grep -q '"MLOPSD_EVENT":"alert_opened"'; }
    wait_until "an alert_opened entry with MLOPSD_SEVERITY=critical" critical || fail "no critical alert in the journal"
    entries=$(journal -u mlopsd.service -o json MLOPSD_SEVERITY=critical | grep '"MLOPSD_EVENT":"alert_opened"' | head -1)
    echo "$entries" | grep -q '"PRIORITY":"2"' || fail "the critical alert is not PRIORITY 2: $entries"
    echo "$entries" | grep -q '"MLOPSD_ALERT":"chest-xray.deploy_failed.' || fail "no MLOPSD_ALERT on the entry: $entries"
    text=$(ns journalctl --no-pager -x -u mlopsd.service MLOPSD_SEVERITY=critical)
    echo "$text" | grep -q "Subject: mlopsd alert chest-xray.deploy_failed." || fail "journalctl -x does not explain the alert: $text"
    ns sh -c "ls $SPOOL/alerts" | grep -q "chest-xray.deploy_failed." || fail "no alert file in $SPOOL/alerts"
    echo "promotion undone (deploy_failed); journalctl MLOPSD_SEVERITY=critical: $(echo "$text" | grep -m1 'Subject: mlopsd alert' | sed 's/^[^S]*//')"
    put_config <"$repo/etc/mlopsd.system.yaml"
    reload_expect config_reloaded || fail "reload of the shipped config not applied"
}

# A pipeline whose trainer ignores SIGTERM and keeps a grandchild: `systemctl stop` must
# end within TimeoutStopSec with exit 0, the run `interrupted` in its job's result, and no
# process of the run left in the namespace.
s_pipeline_stop() {
    local res run t0 t1 left
    put_pipeline e2e-hang <<'YAML'
parameters:
  data: {type: path, required: true}
stages:
  collect_data: {copy: data, holdout_share: 0}
  validate_data: {min_rows: 10, max_missing_share: 0}
  train:
    argv: [/bin/sh, -c, "trap '' TERM; sleep 1000 & wait; sleep 1000"]
YAML
    ns sh -c "mkdir -p /var/lib/mlopsd/data && cp /run/e2e-stage/demo-data/chest-xray-train.csv /var/lib/mlopsd/data/ && chmod -R a+rX /var/lib/mlopsd/data"
    sed 's/^stop_grace:.*/stop_grace: 3/' "$repo/etc/mlopsd.system.yaml" | put_config
    reload_expect config_reloaded || fail "reload with stop_grace 3 and the e2e-hang pipeline not applied"
    printf 'kind: run-pipeline\nmodel: chest-xray\nid: e2e-pipeline\nparams:\n  pipeline: e2e-hang\n  data: /var/lib/mlopsd/data/chest-xray-train.csv\n' \
        | ns "$BINDIR/mlopsctl" submit --spool "$SPOOL" - >/dev/null || fail "submit run-pipeline failed"
    in_train() { result_of e2e-pipeline 2>/dev/null | grep -Eq '"stage" *: *"train"'; }
    wait_until "the run of e2e-pipeline in its train stage" in_train || fail "the run did not reach train: $(result_of e2e-pipeline 2>&1 | head -40)"
    run=$(result_of e2e-pipeline | sed -n 's/.*"run_id" *: *"\([^"]*\)".*/\1/p' | head -1)
    [ -n "$run" ] || fail "no run_id in the running result"
    run_procs() { ns sh -c "grep -l 'MLOPSD_RUN_ID=$run' /proc/[0-9]*/environ 2>/dev/null | wc -l"; }
    has_children() { [ "$(run_procs)" -ge 2 ]; }
    wait_until "the trainer and its grandchild running" has_children || fail "no trainer processes of run $run"
    t0=$(now_ms)
    timeout "$timeout_s" nsenter -t "$sd_pid" -a systemctl stop mlopsd.service || fail "systemctl stop failed"
    t1=$(now_ms)
    is_active inactive || fail "is-active: $(ns systemctl is-active mlopsd.service || true), expected inactive"
    [ "$(prop Result)" = success ] || fail "Result=$(prop Result) ExecMainStatus=$(prop ExecMainStatus): not a clean stop"
    left=$(run_procs)
    [ "$left" = 0 ] || fail "$left processes of run $run are still running"
    res=$(result_of e2e-pipeline) || fail "no result for e2e-pipeline"
    echo "$res" | grep -Eq '"status" *: *"failed"' && echo "$res" | grep -q '"code" : "interrupted"' \
        || fail "the run's job is not failed with interrupted: $(echo "$res" | head -30)"
    echo "stopped in $(( t1 - t0 )) ms (TimeoutStopSec=$(prop TimeoutStopUSec), stop_grace 3 s for a TERM-ignoring trainer); run $run interrupted; no process of it left"
    put_config <"$repo/etc/mlopsd.system.yaml"
    timeout "$timeout_s" nsenter -t "$sd_pid" -a systemctl start mlopsd.service || fail "restart after the stop failed"
    is_active || fail "mlopsd not active again"
}

s_stop() {
    local pid
    pid=$(main_pid)
    timeout "$timeout_s" nsenter -t "$sd_pid" -a systemctl stop mlopsd.service || fail "systemctl stop failed"
    is_active inactive || fail "is-active: $(ns systemctl is-active mlopsd.service || true), expected inactive"
    [ "$(prop ExecMainStatus)" = 0 ] || fail "ExecMainStatus=$(prop ExecMainStatus) ExecMainCode=$(prop ExecMainCode), expected exit status 0"
    [ "$(prop Result)" = success ] || fail "Result=$(prop Result)"
    stopped_logged() { journal -u mlopsd.service -o json MLOPSD_EVENT=daemon_stopped "_PID=$pid" | grep -q .; }
    wait_until "MLOPSD_EVENT=daemon_stopped from pid $pid" stopped_logged || fail "the daemon did not log its stop"
    journal -u mlopsd.service -o json MLOPSD_EVENT=daemon_stopping "_PID=$pid" | grep -q . || fail "no daemon_stopping entry"
    echo "inactive, exit status 0, daemon_stopping and daemon_stopped logged by pid $pid"
}

s_catalog() {
    local text
    text=$(ns journalctl --no-pager -x -u mlopsd.service)
    # Here-strings, not `echo | grep -q`: grep -q exits at the first match, and with
    # pipefail the echo's SIGPIPE on a long journal would count as "not found".
    grep -q "Subject: mlopsd job $JOB_B succeeded" <<<"$text" \
        || fail "journalctl -x does not show the catalog subject 'mlopsd job $JOB_B succeeded'"
    grep -q "Subject: mlopsd is ready" <<<"$text" || fail "journalctl -x does not explain daemon_ready"
    echo "journalctl -x: $(echo "$text" | grep -m1 "Subject: mlopsd job $JOB_B succeeded" | sed 's/^[^S]*//')"
}

scenario "a. systemctl start -> active, STATUS ready:" s_start
scenario "b. job -> result and journal entry" s_job
scenario "c. systemctl reload applies a new config" s_reload
scenario "d. broken config on reload is refused" s_bad_reload
scenario "e. hung daemon -> watchdog restart" s_watchdog
scenario "f. a critical alert in the journal, explained by the catalog" s_alert
scenario "g. systemctl stop during a pipeline" s_pipeline_stop
# The hostile-submitter corpus (docs/reliability.md (Hostile submitters)).
source "$here/hostile.sh"
scenario "g2. hostile submitters: every case refused, nothing read outside" s_hostile
scenario "h. systemctl stop -> clean exit" s_stop
scenario "i. journalctl -x explains our entries" s_catalog

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
