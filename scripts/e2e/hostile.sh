# hostile.sh — the hostile-submitter corpus of the end-to-end run (docs/reliability.md (Hostile submitters)).
# Sourced by scripts/e2e/run.sh (it uses ns, wait_until, result_of, put_config,
# reload_expect, fail, SPOOL, BINDIR, repo); never run it by hand.
#
# The daemon runs as `mlopsd` under the installed unit; submitters are real accounts of the
# private account databases (boot.sh): alice and bob in mlopsd-submit, mallory not. Each
# case is submitted the way an attacker could (as that user, with setpriv) or, where only
# root could make it (a device node, a hard link protected_hardlinks forbids), by root
# inside incoming/ with the attacker's ownership. Every case must end in a `rejected`
# result with its code, naming the file's real owner; canary files the corpus points at are
# watched with inotify (open, read, write, attribute change) and must see no event.

H_DATA=/var/lib/e2e-data        # a data root submitters can reach (alice owns alice/)
H_CANARY=/var/lib/e2e-canary    # outside every data root: must never be opened
H_SECRET=/var/lib/mlopsd/data/h-daemon-only.csv   # in a data root, readable only by mlopsd
H_WATCH=/run/e2e-hostile-watch.log
h_cases=()      # "file name|expected code|expected submitted_by"
h_problems=0   # cases that did not end as expected (all are reported, then the scenario fails)

# A case that did not end as expected: say so and go on, so one run shows every problem.
problem() { echo "PROBLEM: $*"; h_problems=$(( h_problems + 1 )); }

# as_user USER CMD…: runs CMD in the namespace as USER with USER's groups, from /.
as_user() { local u=$1; shift; ns setpriv --reuid="$u" --regid="$u" --init-groups -- sh -c "cd / && $*"; }
# h_drop USER NAME: stdin becomes incoming/NAME, written in tmp/ and renamed in, as USER.
h_drop() { as_user "$1" "cat > $SPOOL/tmp/.h-$2 && mv $SPOOL/tmp/.h-$2 $SPOOL/incoming/$2"; }
h_expect() { h_cases+=("$1;$2;$3"); }  # h_expect FILE CODE SUBMITTER
# The result document whose "file" is NAME (one line), or nothing yet.
result_for() {
    ns sh -c "grep -lE '\"file\" *: *\"$1\"' $SPOOL/results/*.json 2>/dev/null | head -1 | xargs -r cat" | tr -d '\n'
}
final_result_for() { local r; r=$(result_for "$1"); grep -Eq '"status" *: *"(succeeded|failed|rejected)"' <<<"$r"; }

h_setup() {
    local mark=$1
    # Accounts: they exist (boot.sh) with the groups we rely on.
    ns id -nG alice | grep -qw mlopsd-submit || fail "alice is not in mlopsd-submit (boot.sh accounts)"
    ns id -nG bob | grep -qw mlopsd-submit || fail "bob is not in mlopsd-submit"
    ! ns id -nG mallory | grep -qw mlopsd-submit || fail "mallory must not be in mlopsd-submit"
    # Canaries: outside the data roots (world-readable, so only the daemon's refusal keeps
    # it out), bob's private file, the daemon's private file in a data root.
    ns sh -c "set -e
        mkdir -p $H_CANARY $H_DATA/alice/sub $H_DATA/bob
        printf 'id,label\nCANARY-OUTSIDE-$mark,pneumonia\n' > $H_CANARY/labels.csv
        chmod 0755 $H_CANARY $H_DATA; chmod 0644 $H_CANARY/labels.csv
        printf 'id,label\nCANARY-BOB-$mark,normal\n' > $H_DATA/bob/secret.csv
        chown -R bob:bob $H_DATA/bob; chmod 0700 $H_DATA/bob; chmod 0600 $H_DATA/bob/secret.csv
        chown -R alice:alice $H_DATA/alice
        mkdir -p /var/lib/mlopsd/data
        printf 'CANARY-DAEMON-$mark,label\nx,normal\n' > $H_SECRET
        chown mlopsd:mlopsd $H_SECRET; chmod 0600 $H_SECRET"
    as_user alice "printf 'id,label\na1,normal\n' > $H_DATA/alice/labels.csv"
    as_user bob "umask 077; printf 'kind: list-alerts\nid: h-bob-draft\n# CANARY-BOBJOB-$mark\n' > $SPOOL/tmp/.bob-draft.yaml"
    # The links only root can make (protected_hardlinks forbids alice a link to a file she
    # cannot read and write), staged under hidden names before the watch starts (creating
    # a link changes the file's link count: an inotify IN_ATTRIB); renamed in later.
    if as_user alice "ln $SPOOL/tmp/.bob-draft.yaml $SPOOL/tmp/.h-alice-link" 2>/dev/null; then
        fail "alice could hard-link bob's 0600 file (fs.protected_hardlinks is off?)"
    fi
    ns ln "$SPOOL/tmp/.bob-draft.yaml" "$SPOOL/tmp/.h-hl-bob"
    ns ln "$SPOOL/results/e2e-first-job.json" "$SPOOL/tmp/.h-hl-daemon"
    # A pipeline with a path parameter, for run-pipeline's paths and command keys.
    put_pipeline e2e-hostile <<'YAML'
parameters:
  data: {type: path, required: true}
stages:
  collect_data: {copy: data, holdout_share: 0}
  validate_data: {min_rows: 1, max_missing_share: 0}
  train:
    argv: [/bin/true]
YAML
    sed 's|^data_roots:.*|data_roots: [/var/lib/mlopsd/data, /var/lib/e2e-data]|' "$repo/etc/mlopsd.system.yaml" | put_config
    reload_expect config_reloaded || fail "reload with the e2e data root not applied"
}

# The inotify watch on every canary: IN_OPEN, IN_ACCESS, IN_MODIFY, IN_ATTRIB (and the
# close events that follow an open). Its own startup opens nothing it watches.
h_watch_start() {
    ns sh -c "inotifywait -m -q -e open,access,modify,attrib,close_write,close_nowrite \
        --format '%w%f %e' $H_CANARY/labels.csv $H_DATA/bob/secret.csv $H_SECRET /etc/shadow \
        $SPOOL/tmp/.bob-draft.yaml >$H_WATCH 2>&1 & echo \$! > /run/e2e-hostile-watch.pid"
    ready() { ns sh -c "kill -0 \$(cat /run/e2e-hostile-watch.pid) && [ -n \"\$(ls -l /proc/\$(cat /run/e2e-hostile-watch.pid)/fd | grep inotify)\" ]"; }
    wait_until "inotifywait watching the canaries" ready || fail "inotifywait did not start: $(ns cat $H_WATCH)"
}
h_watch_stop() { ns sh -c "kill \$(cat /run/e2e-hostile-watch.pid)" || true; }

h_corpus_files() {
    local mark=$1
    # --- Not regular files, in incoming/ --------------------------------------------------
    as_user alice "ln -s /etc/shadow $SPOOL/incoming/h-symlink-shadow.yaml"
    h_expect h-symlink-shadow.yaml not_regular_file alice
    as_user alice "ln -s $SPOOL/tmp/.bob-draft.yaml $SPOOL/incoming/h-symlink-bob.yaml"
    h_expect h-symlink-bob.yaml not_regular_file alice
    as_user alice "ln -s /var/lib/mlopsd/mlopsd.sqlite $SPOOL/incoming/h-symlink-store.yaml"
    h_expect h-symlink-store.yaml not_regular_file alice
    # A hard link to bob's 0600 file (root made it: alice may not, see h_setup), as an
    # attacker on a kernel without protected_hardlinks could. The submitter recorded is
    # the file's owner, bob, and the daemon never opens it.
    ns mv "$SPOOL/tmp/.h-hl-bob" "$SPOOL/incoming/h-hardlink-bob.yaml"
    h_expect h-hardlink-bob.yaml hard_link bob
    # A hard link to a file of the daemon's (an earlier result), made by root likewise.
    ns mv "$SPOOL/tmp/.h-hl-daemon" "$SPOOL/incoming/h-hardlink-daemon.yaml"
    h_expect h-hardlink-daemon.yaml hard_link mlopsd
    # A hard link alice may make: to her own file.
    as_user alice "printf 'kind: list-alerts\nid: h-own\n' > $SPOOL/tmp/.h-own && ln $SPOOL/tmp/.h-own $SPOOL/incoming/h-hardlink-own.yaml"
    h_expect h-hardlink-own.yaml hard_link alice
    as_user alice "mkfifo $SPOOL/incoming/h-fifo.yaml"
    h_expect h-fifo.yaml not_regular_file alice
    # A device node (root makes it, owned by alice: users cannot mknod).
    ns sh -c "mknod $SPOOL/tmp/.h-device c 1 3 && chown alice:mlopsd-submit $SPOOL/tmp/.h-device && mv $SPOOL/tmp/.h-device $SPOOL/incoming/h-device.yaml"
    h_expect h-device.yaml not_regular_file alice
    as_user alice "mkdir $SPOOL/tmp/.h-dir && printf 'kind: list-alerts\n' > $SPOOL/tmp/.h-dir/inner.yaml && mv $SPOOL/tmp/.h-dir $SPOOL/incoming/h-dir.yaml"
    h_expect h-dir.yaml not_regular_file alice
    as_user alice "/usr/bin/python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('$SPOOL/tmp/.h-socket')\" && mv $SPOOL/tmp/.h-socket $SPOOL/incoming/h-socket.yaml"
    h_expect h-socket.yaml not_regular_file alice
    # A job file the daemon may not read (0600, alice's).
    as_user alice "umask 077; printf 'kind: list-alerts\nid: h-private\n' > $SPOOL/tmp/.h-private && mv $SPOOL/tmp/.h-private $SPOOL/incoming/h-private.yaml"
    h_expect h-private.yaml unreadable alice
    # The FIFO must not block the daemon: a job after it is processed.
    printf 'kind: list-alerts\nid: h-after-fifo\n' | h_drop alice h-after-fifo.yaml

    # --- Job ids --------------------------------------------------------------------------
    printf 'kind: list-alerts\nid: ../../../etc/h-escape\n' | h_drop alice h-id-dotdot.yaml
    h_expect h-id-dotdot.yaml invalid_id alice
    printf 'kind: list-alerts\nid: a/b\n' | h_drop alice h-id-slash.yaml
    h_expect h-id-slash.yaml invalid_id alice
    printf 'kind: list-alerts\nid: "a\\0b"\n' | h_drop alice h-id-nul.yaml
    h_expect h-id-nul.yaml invalid_id alice
    printf 'kind: list-alerts\nid: "a%%00b"\n' | h_drop alice h-id-pct.yaml
    h_expect h-id-pct.yaml invalid_id alice
    printf 'kind: list-alerts\nid: ..\n' | h_drop alice h-id-dots.yaml
    h_expect h-id-dots.yaml invalid_id alice
    printf 'kind: list-alerts\nid: %s\n' "$(printf 'x%.0s' $(seq 200))" | h_drop alice h-id-long.yaml
    h_expect h-id-long.yaml invalid_id alice
    # No id at all, and a file name that is not one.
    printf 'kind: list-alerts\n' | h_drop alice 'h%bad!name.yaml'
    h_expect 'h%bad!name.yaml' invalid_id alice

    # --- Claims of another submitter ------------------------------------------------------
    printf 'kind: list-alerts\nid: h-claim-1\nsubmitted_by: root\n' | h_drop alice h-claim-1.yaml
    h_expect h-claim-1.yaml unknown_key alice
    printf 'kind: list-alerts\nid: h-claim-2\nowner: bob\n' | h_drop alice h-claim-2.yaml
    h_expect h-claim-2.yaml unknown_key alice
    printf 'kind: list-alerts\nid: h-claim-3\nparams:\n  submitted_by: bob\n' | h_drop alice h-claim-3.yaml
    h_expect h-claim-3.yaml unknown_key alice

    # --- Commands and environments for a child --------------------------------------------
    local k
    for k in command argv env environment MLOPSD_RUN_ID sbatch; do
        printf 'kind: run-pipeline\nmodel: chest-xray\nid: h-cmd-%s\nparams:\n  pipeline: e2e-hostile\n  data: %s/alice/labels.csv\n  %s: ["/bin/sh", "-c", "cat /etc/shadow"]\n' \
            "$k" "$H_DATA" "$k" | h_drop alice "h-cmd-$k.yaml"
        h_expect "h-cmd-$k.yaml" "command_refused|unknown_key|invalid_value" alice
    done
    printf 'kind: list-alerts\nid: h-cmd-top\nenv: {LD_PRELOAD: /tmp/x.so}\n' | h_drop alice h-cmd-top.yaml
    h_expect h-cmd-top.yaml unknown_key alice
    printf 'kind: retraining-start\nmodel: chest-xray\nid: h-cmd-retrain\nparams:\n  pipeline: e2e-hostile\n  params: {data: %s/alice/labels.csv, command: /bin/sh}\n' \
        "$H_DATA" | h_drop alice h-cmd-retrain.yaml
    h_expect h-cmd-retrain.yaml "command_refused|unknown_key|invalid_value" alice
}

h_corpus_paths() {
    # --- Data paths escaping the data roots ------------------------------------------------
    # alice plants links in her own directory of the data root.
    as_user alice "ln -s $H_CANARY/labels.csv $H_DATA/alice/link.csv && ln -s $H_CANARY $H_DATA/alice/linkdir \
        && ln -s $H_DATA/bob/secret.csv $H_DATA/alice/bob.csv && ln -s /var/lib/mlopsd $H_DATA/alice/state"
    local n=0 p
    for p in "$H_DATA/../e2e-canary/labels.csv" "$H_CANARY/labels.csv" "../e2e-canary/labels.csv" \
             "$H_DATA/alice/link.csv" "$H_DATA/alice/linkdir/labels.csv" "$H_DATA/alice/state/data/h-daemon-only.csv" \
             "$H_DATA/bob/secret.csv" "$H_DATA/alice/bob.csv" "$H_SECRET" "/proc/self/environ"; do
        n=$(( n + 1 ))
        printf 'kind: log-ground-truth\nmodel: chest-xray\nid: h-path-gt-%d\nparams:\n  file: %s\n' "$n" "$p" | h_drop alice "h-path-gt-$n.yaml"
        h_expect "h-path-gt-$n.yaml" bad_artifact alice
    done
    printf 'kind: log-predictions\nmodel: chest-xray\nid: h-path-lp\nparams:\n  version: 1.0.0\n  file: %s/alice/link.csv\n' "$H_DATA" \
        | h_drop alice h-path-lp.yaml
    h_expect h-path-lp.yaml bad_artifact alice
    printf 'kind: create-version\nmodel: chest-xray\nid: h-path-cv\nparams:\n  artifact: %s/alice/linkdir\n' "$H_DATA" | h_drop alice h-path-cv.yaml
    h_expect h-path-cv.yaml bad_artifact alice
    printf 'kind: create-version\nmodel: chest-xray\nid: h-path-cv2\nparams:\n  artifact: %s/alice/../../mlopsd\n' "$H_DATA" | h_drop alice h-path-cv2.yaml
    h_expect h-path-cv2.yaml bad_artifact alice
    for p in "$H_DATA/alice/link.csv" "$H_DATA/../e2e-canary/labels.csv" "$H_SECRET"; do
        n=$(( n + 1 ))
        printf 'kind: run-pipeline\nmodel: chest-xray\nid: h-path-rp-%d\nparams:\n  pipeline: e2e-hostile\n  data: %s\n' "$n" "$p" \
            | h_drop alice "h-path-rp-$n.yaml"
        h_expect "h-path-rp-$n.yaml" "invalid_value|bad_artifact" alice
    done
    # The control: alice's own file in the data root is read (the cases above can fail).
    printf 'kind: log-ground-truth\nmodel: chest-xray\nid: h-path-own\nparams:\n  file: %s/alice/labels.csv\n' "$H_DATA" \
        | h_drop alice h-path-own.yaml
}

# Result names: alice may not replace bob's result, accepted or rejected.
h_collisions() {
    local before res
    printf 'kind: list-alerts\nid: h-bob-ok\n' | h_drop bob h-bob-ok.yaml
    printf 'kind: list-alerts\nid: h-bob-bad\nparams: {nonsense: 1}\n' | h_drop bob h-bob-bad.yaml
    wait_until "bob's two results" final_result_for h-bob-bad.yaml || fail "no result for bob's jobs"
    wait_until "bob's accepted result" final_result_for h-bob-ok.yaml || fail "no result for h-bob-ok"
    before=$(ns sha256sum "$SPOOL/results/h-bob-ok.json" "$SPOOL/results/h-bob-bad.json")
    printf 'kind: list-alerts\nid: h-bob-ok\n' | h_drop alice h-steal-ok.yaml
    h_expect h-steal-ok.yaml duplicate_id alice
    printf 'kind: list-alerts\nid: h-bob-bad\n' | h_drop alice h-steal-bad.yaml
    h_expect h-steal-bad.yaml duplicate_id alice
    wait_until "alice's two attempts" final_result_for h-steal-bad.yaml || fail "no result for h-steal-bad"
    wait_until "alice's two attempts" final_result_for h-steal-ok.yaml || fail "no result for h-steal-ok"
    [ "$(ns sha256sum "$SPOOL/results/h-bob-ok.json" "$SPOOL/results/h-bob-bad.json")" = "$before" ] \
        || problem "bob's results changed after alice reused his ids: $(result_of h-bob-bad)"
    grep -Eq '"submitted_by" *: *"bob"' <<<"$(result_of h-bob-bad)" || problem "results/h-bob-bad.json is not bob's: $(result_of h-bob-bad)"
    # bob himself may fix and resubmit his rejected job under the same id.
    printf 'kind: list-alerts\nid: h-bob-bad\n' | h_drop bob h-bob-fixed.yaml
    wait_until "bob's resubmission" final_result_for h-bob-fixed.yaml || fail "no result for h-bob-fixed"
    grep -Eq '"status" *: *"succeeded"' <<<"$(result_of h-bob-bad)" || problem "bob's fixed job did not replace his rejected result: $(result_of h-bob-bad)"
}

# Races: alice changes her file around the claim and the read. Every outcome must be a
# clean result; the daemon must neither crash nor restart.
h_races() {
    local pad
    pad=$(printf 'x%.0s' $(seq 3000))
    as_user alice "
        i=0
        while [ \$i -lt 60 ]; do
            i=\$((i + 1)); f=$SPOOL/incoming/h-race-\$i.yaml; t=$SPOOL/tmp/.h-race-\$i
            printf 'kind: list-alerts\nid: h-race-%d\n# $pad\n' \$i > \$t
            mv \$t \$f
            case \$((i % 6)) in
            0) truncate -c -s 17 \$f 2>/dev/null ;;
            1) [ -e \$f ] && printf 'params: {bad: [\n' >> \$f 2>/dev/null ;;
            2) mv \$f \$t.away 2>/dev/null ;;
            3) mkfifo \$t.fifo && mv -f \$t.fifo \$f 2>/dev/null ;;
            4) ( exec 3>>\$f; sleep 0.3; printf 'x: [\n' >&3 ) 2>/dev/null & ;;
            5) k=0; while [ \$k -lt 200 ]; do : >> \$f; k=\$((k + 1)); done 2>/dev/null ;;
            esac
        done
        wait
        # Open-for-writing in a tight loop on one file for 2 s: each close wakes the daemon,
        # which probes the file with a read lease; an open landing inside the probe breaks
        # the lease (the kernel sends the daemon SIGIO).
        /usr/bin/python3 -c \"
import os, time
f = '$SPOOL/incoming/h-race-lease.yaml'
end = time.monotonic() + 2
while time.monotonic() < end:
    for _ in range(100):
        os.close(os.open(f, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
\"
        rm -f $SPOOL/tmp/.h-race-*"
}

h_check_races() {
    local left bad
    drained() { [ -z "$(ns sh -c "ls $SPOOL/incoming $SPOOL/active" | grep h-race)" ]; }
    wait_until "incoming/ and active/ drained of the race files" drained \
        || fail "race files left: $(ns sh -c "ls -l $SPOOL/incoming $SPOOL/active")"
    bad=$(ns sh -c "for f in \$(grep -lE '\"file\" *: *\"h-race-' $SPOOL/results/*.json); do
            grep -Eq '\"status\" *: *\"(succeeded|rejected)\"' \$f || echo \$f; done")
    [ -z "$bad" ] || problem "race results that are not clean: $bad"
    h_race_summary=$(ns sh -c "grep -lE '\"file\" *: *\"h-race-' $SPOOL/results/*.json | xargs cat" \
        | grep -Eo '"(status|code)" *: *"[a-z_]+"' | sed 's/.*: *"//; s/"//' | sort | uniq -c | tr -s ' ' | tr '\n' ',')
}

# mallory (not in mlopsd-submit) and what any submitter can and cannot see.
h_permissions() {
    local out
    out=$(printf 'kind: list-alerts\nid: h-mallory\n' | as_user mallory "$BINDIR/mlopsctl submit --spool $SPOOL -" 2>&1) \
        && fail "mallory could submit: $out"
    grep -qi "permission denied" <<<"$out" || fail "mallory's refusal does not say permission denied: $out"
    as_user mallory "printf x > $SPOOL/incoming/h-mallory.yaml" 2>/dev/null && fail "mallory wrote into incoming/"
    as_user mallory "cat $SPOOL/results/h-bob-ok.json" >/dev/null 2>&1 && fail "mallory read a result"
    as_user mallory "ls $SPOOL/results" >/dev/null 2>&1 && fail "mallory listed results/"
    # Submitters: results/ readable by design; incoming/, tmp/ not listable; the daemon's
    # own directories and state closed; other submitters' files in tmp/ not removable.
    as_user alice "cat $SPOOL/results/h-bob-ok.json" >/dev/null || fail "alice cannot read results/ (group-readable by design)"
    as_user alice "ls $SPOOL/incoming" >/dev/null 2>&1 && fail "alice listed incoming/"
    as_user alice "ls $SPOOL/tmp" >/dev/null 2>&1 && fail "alice listed tmp/"
    local d
    for d in active done failed /var/lib/mlopsd; do
        [[ $d == /* ]] || d=$SPOOL/$d
        as_user alice "ls $d" >/dev/null 2>&1 && fail "alice listed $d"
    done
    as_user alice "rm -f $SPOOL/tmp/.bob-draft.yaml" 2>/dev/null || true
    ns test -e "$SPOOL/tmp/.bob-draft.yaml" || fail "alice removed bob's file in tmp/"
    as_user alice "mv $SPOOL/tmp/.bob-draft.yaml $SPOOL/incoming/h-stolen.yaml" 2>/dev/null && fail "alice renamed bob's file into incoming/"
    as_user alice "cat $SPOOL/tmp/.bob-draft.yaml" >/dev/null 2>&1 && fail "alice read bob's 0600 draft"
    return 0
}

s_hostile() {
    local mark t0 entry name code who res status got message pid restarts leaks=0 refused=0 watch
    t0=$(now_ms)
    ns sh -c 'command -v inotifywait' >/dev/null || fail "inotifywait not found: install inotify-tools (scripts/install-deps.sh test)"
    ns test -x /usr/bin/python3 || fail "/usr/bin/python3 not found: install python3 (scripts/install-deps.sh test)"
    mark=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
    pid=$(main_pid); restarts=$(prop NRestarts)
    h_setup "$mark"
    local canary_state
    canary_state=$(ns stat -c '%n %s %Y %a %U' $H_CANARY/labels.csv $H_DATA/bob/secret.csv $H_SECRET /etc/shadow $SPOOL/tmp/.bob-draft.yaml)
    h_watch_start
    h_corpus_files "$mark"
    h_corpus_paths
    h_collisions
    h_races
    h_permissions
    wait_until "the job after the FIFO" final_result_for h-after-fifo.yaml || problem "the job after the FIFO was not processed"
    grep -Eq '"status" *: *"succeeded"' <<<"$(result_for h-after-fifo.yaml)" || problem "the job after the FIFO did not succeed: $(result_for h-after-fifo.yaml)"
    # Every case: rejected, with its code, naming the file's real owner.
    for entry in "${h_cases[@]}"; do
        IFS=";" read -r name code who <<<"$entry"
        if ! wait_until "a final result for $name" final_result_for "$name" >/dev/null; then
            problem "$name: no final result within ${timeout_s}s"
            continue
        fi
        res=$(result_for "$name")
        # The error's code is the first "code" (keys are sorted: "error" comes first); the
        # job's status the last "status" (after "result", which may hold statuses of its
        # own). Bash regexes, not `grep | head` (SIGPIPE under pipefail).
        got=
        status=
        [[ $res =~ \"code\"\ *:\ *\"([a-z_]+)\" ]] && got=${BASH_REMATCH[1]}
        status=$(sed -E 's/.*"status" *: *"([a-z]+)".*/\1/' <<<"$res")
        if [ "$status" != rejected ] || ! grep -Eqx "$code" <<<"$got"; then
            problem "$name: expected rejected with $code, got $status ${got:-}: $res"
            continue
        fi
        grep -Eq "\"submitted_by\" *: *\"$who\"" <<<"$res" || { problem "$name does not name its owner $who: $res"; continue; }
        grep -Eq '"fix" *: *"' <<<"$res" || grep -Eq '"message" *: *"[^"]{20,}' <<<"$res" \
            || { problem "$name has no message or fix: $res"; continue; }
        message=
        [[ $res =~ \"message\"\ *:\ *\"([^\"]*)\" ]] && message=${BASH_REMATCH[1]}
        printf '%-28s %-18s %s\n' "$name" "$got" "${message:0:120}"
        refused=$(( refused + 1 ))
    done
    wait_until "alice's own data file read (the control)" final_result_for h-path-own.yaml || problem "no result for h-path-own"
    grep -Eq '"status" *: *"succeeded"' <<<"$(result_for h-path-own.yaml)" || problem "alice's own labels were not accepted: $(result_for h-path-own.yaml)"
    h_check_races
    # No crash, no restart.
    [ "$(main_pid)" = "$pid" ] || problem "the daemon restarted during the corpus: MainPID $pid -> $(main_pid)"
    [ "$(prop NRestarts)" = "$restarts" ] || problem "NRestarts grew from $restarts to $(prop NRestarts)"
    # Nothing outside the spool and state was read or written: no inotify event, same
    # stat, no canary text in any result, the journal or the store's job records.
    h_watch_stop
    watch=$(ns cat "$H_WATCH")
    if [ -n "$watch" ]; then echo "inotify events on canaries: $watch"; leaks=$(( leaks + 1 )); fi
    [ "$(ns stat -c '%n %s %Y %a %U' $H_CANARY/labels.csv $H_DATA/bob/secret.csv $H_SECRET /etc/shadow $SPOOL/tmp/.bob-draft.yaml)" = "$canary_state" ] \
        || { echo "a canary changed"; leaks=$(( leaks + 1 )); }
    # (Captured first and searched with here-strings: `producer | grep -q` under pipefail
    # fails when grep exits early and the producer gets SIGPIPE.)
    local found
    found=$(ns sh -c "grep -l 'CANARY-[A-Z]*-$mark' $SPOOL/results/*.json" || true)
    if [ -n "$found" ]; then echo "canary text in results/: $found"; leaks=$(( leaks + 1 )); fi
    found=$(journal -u mlopsd.service -o cat | tr -d '\000')
    if grep -q "CANARY-[A-Z]*-$mark" <<<"$found"; then
        echo "canary text in the journal: $(grep "CANARY-[A-Z]*-$mark" <<<"$found" | cut -c1-200)"; leaks=$(( leaks + 1 ))
    fi
    found=$(ns sh -c "ls -d /etc/h-escape* /var/spool/h-escape* $SPOOL/h-escape* $SPOOL/results/.[!.]* 2>/dev/null" || true)
    if [ -n "$found" ]; then echo "files named by escaping or hidden ids: $found"; leaks=$(( leaks + 1 )); fi
    echo "races: $h_race_summary"
    echo "hostile: $refused cases refused, $leaks leaks ($(( $(now_ms) - t0 )) ms)"
    [ "$leaks" = 0 ] && [ "$h_problems" = 0 ] || fail "hostile: $h_problems problems, $leaks leaks"
    put_config <"$repo/etc/mlopsd.system.yaml"
    reload_expect config_reloaded || fail "reload of the shipped config not applied"
}
