#!/bin/sh
# ensure-journald.sh — make sure a systemd-journald answers on /run/systemd/journal/socket.
#
# On a normal host systemd runs journald and this script only checks it. In containers and
# CI without systemd as PID 1 it starts /lib/systemd/systemd-journald in the background
# (it runs standalone; see NOTES.md "journald"), then waits — with a deadline — until the
# journal accepts a message. Idempotent, and serialised with a lock so that two callers
# never start two journalds. Prints what it did; exits 0 when journald answers, 1 otherwise.
#
# Environment: ENSURE_JOURNALD_TIMEOUT (seconds to wait, default 15),
#              JOURNALD (the binary, default /lib/systemd/systemd-journald).
set -eu

timeout="${ENSURE_JOURNALD_TIMEOUT:-15}"
journald="${JOURNALD:-/lib/systemd/systemd-journald}"
rundir=/run/systemd/journal
socket="$rundir/socket"
log=/run/mlopsd-ensure-journald.log

# journald answers when a client can connect to it and hand it a line.
answers() {
    [ -S "$socket" ] || return 1
    command -v systemd-cat >/dev/null 2>&1 || return 0  # socket exists; cannot check more
    printf 'ensure-journald: probe\n' | systemd-cat -t ensure-journald -p debug >/dev/null 2>&1
}

if answers; then
    echo "ensure-journald: journald already answers on $socket"
    exit 0
fi

if [ ! -x "$journald" ]; then
    echo "ensure-journald: no journald answers and $journald is missing" >&2
    exit 1
fi

mkdir -p "$rundir"
# Serialise starters; the lock is released when this script exits.
exec 9>"$rundir/.mlopsd-ensure.lock"
if command -v flock >/dev/null 2>&1; then
    flock -w "$timeout" 9 || { echo "ensure-journald: lock timeout" >&2; exit 1; }
fi

# Someone else may have started it while we waited for the lock.
if answers; then
    echo "ensure-journald: journald already answers on $socket (started by another caller)"
    exit 0
fi

echo "ensure-journald: starting $journald (log: $log)"
# setsid: not in our session, so it outlives the shell and the test run that called us.
setsid "$journald" >>"$log" 2>&1 </dev/null 9>&- &

deadline=$(( $(date +%s) + timeout ))
while ! answers; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "ensure-journald: journald did not answer within ${timeout}s; see $log" >&2
        exit 1
    fi
    sleep 0.1
done
echo "ensure-journald: journald answers on $socket"
