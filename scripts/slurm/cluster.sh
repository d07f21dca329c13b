#!/bin/bash
# cluster.sh — start and stop a real one-node Slurm (22.05) cluster in a scratch directory,
# for the Slurm executor's tests. No systemd, no cgroups, no slurmdbd: munged, slurmctld and
# slurmd run as root, started by hand, with every file under DIR (see NOTES.md "Slurm on one
# machine").
#
# Usage:
#   cluster.sh start DIR         create DIR (an absolute path of [A-Za-z0-9._/-], at most 70
#                                characters: munge and slurmstepd put Unix sockets under it)
#                                and start the cluster there; waits until the node is idle and
#                                a warm-up job has COMPLETED (deadline 30 s each). Writes
#                                DIR/env and prints its one line, `SLURM_CONF=DIR/slurm.conf`,
#                                as the last line on stdout. Progress goes to stderr.
#   cluster.sh stop DIR          stop slurmd, slurmctld and munged by their pid files (SIGTERM,
#                                up to 10 s, then SIGKILL) and kill leftover slurmstepd of this
#                                cluster with their job processes. Idempotent.
#   cluster.sh restart-ctld DIR  restart slurmctld only (jobs keep running) and wait until
#                                `scontrol ping` says UP (deadline 30 s).
#   cluster.sh status DIR        exit 0 if munged, slurmctld and slurmd all run, else 1.
#
# Exit codes: 0 success; 1 failure (a message naming the step and the tail of the log that
# explains it go to stderr; a failed `start` stops what it started, but refuses, touching
# nothing, when a cluster already runs in DIR); 2 usage; 77 with "slurm not installed" on
# stdout (the Slurm or munge binaries are missing; tests skip on 77).
#
# Timing here (2 cores): start ≈ 3.3-4.4 s, most of it slurmctld's first scheduling pass
# (~3 s after it starts; ~5 s after restart-ctld); stop ≈ 0.2-0.4 s; restart-ctld ≈ 0.2-0.3 s.
#
# Environment: SLURM_TEST_CTLD_PORT, SLURM_TEST_SLURMD_PORT (default: 6817 and 6818, or the
# next free pair above them when those are taken); SLURM_TEST_MIN_JOB_AGE (MinJobAge,
# default 600: seconds slurmctld remembers an ended job; the daemon's sacct fallback test
# sets 2, and slurmctld then purges within its 60 s purge interval).
#
# Layout of DIR: slurm.conf, env, jobcomp.log (JobCompType=jobcomp/filetxt: read it with
# `sacct -c -j ID -P -n -o JobID,State,ExitCode`), munge/ (munge.key, munge.socket.2, seed),
# state/ (StateSaveLocation), spool/ (SlurmdSpoolDir), log/ (munged.log, slurmctld.log,
# slurmd.log), run/ (munged.pid, slurmctld.pid, slurmd.pid). Partitions: debug (Default,
# MaxTime=INFINITE) and short (MaxTime=10 minutes). Every Slurm command needs SLURM_CONF
# exported: `set -a; . DIR/env; set +a`.
set -eu
PATH=$PATH:/usr/sbin:/sbin

usage() {
    echo "usage: $0 start|stop|restart-ctld|status DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=${2%/}

case "$dir" in
    /*) ;;
    *) echo "cluster.sh: DIR must be an absolute path: $2" >&2; exit 2 ;;
esac
case "$dir" in
    *[!A-Za-z0-9._/-]*) echo "cluster.sh: DIR may hold only [A-Za-z0-9._/-]: $2" >&2; exit 2 ;;
esac
if [ ${#dir} -gt 70 ]; then
    echo "cluster.sh: DIR is longer than 70 characters (Unix socket paths under it would not fit): $2" >&2
    exit 2
fi

conf=$dir/slurm.conf
mungedir=$dir/munge
socket=$mungedir/munge.socket.2
keyfile=$mungedir/munge.key
logdir=$dir/log
rundir=$dir/run
munged_pidf=$rundir/munged.pid
ctld_pidf=$rundir/slurmctld.pid
slurmd_pidf=$rundir/slurmd.pid
munged_log=$logdir/munged.log
ctld_log=$logdir/slurmctld.log
slurmd_log=$logdir/slurmd.log

export SLURM_CONF="$conf"

log() { echo "cluster.sh: $*" >&2; }

# Milliseconds since the epoch; `deadline SECONDS` gives the time SECONDS from now, and
# `past DEADLINE` tells whether it has come.
now() { echo $(($(date +%s%N) / 1000000)); }
deadline() { echo $(($(now) + $1 * 1000)); }
past() { [ "$(now)" -gt "$1" ]; }

# The pid in pid file $1, if that process is alive (not a zombie) and its command is $2.
live_pid() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(tr -dc 0-9 < "$1")
    [ -n "$pid" ] || return 1
    alive_as "$pid" "$2" || return 1
    echo "$pid"
}

# Is process $1 alive (not a zombie) with command name $2?
alive_as() {
    local stat comm
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    # /proc/PID/stat: "pid (comm) S ..."; comm may hold spaces, so cut at the last ')'.
    comm=${stat#*(}
    comm=${comm%)*}
    [ "$comm" = "$2" ] || return 1
    case "${stat##*) }" in Z*|X*) return 1 ;; esac
    return 0
}

# Stop the daemon of pid file $1 with command name $2: SIGTERM, wait up to 10 s, SIGKILL.
stop_daemon() {
    local pid end
    pid=$(live_pid "$1" "$2") || { rm -f "$1"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    end=$(deadline 10)
    while alive_as "$pid" "$2"; do
        if past "$end"; then
            log "$2 ($pid) ignored SIGTERM for 10 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            end=$(deadline 5)
            while alive_as "$pid" "$2" && ! past "$end"; do sleep 0.05; done
            break
        fi
        sleep 0.05
    done
    rm -f "$1"
}

# Pids of the slurmstepd processes of this cluster: slurmd hands its environment, and so
# SLURM_CONF=DIR/slurm.conf, to every slurmstepd it starts.
stepd_pids() {
    local p
    for p in $(pgrep -x slurmstepd 2>/dev/null || true); do
        alive_as "$p" slurmstepd || continue
        if { tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$conf"; then
            echo "$p"
        fi
    done
}

# Pids $* and all their descendants.
tree_pids() {
    ps -e -o pid=,ppid= 2>/dev/null | awk -v roots="$*" '
        { kids[$2] = kids[$2] " " $1 }
        END {
            n = split(roots, q, " ")
            for (i = 1; i <= n; i++) {
                print q[i]
                m = split(kids[q[i]], k, " ")
                for (j = 1; j <= m; j++) q[++n] = k[j]
            }
        }'
}

kill_stepds() {
    local pids all
    pids=$(stepd_pids)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    all=$(tree_pids $pids | tr '\n' ' ')
    log "killing leftover slurmstepd and job processes:$all"
    # shellcheck disable=SC2086
    kill -KILL $all 2>/dev/null || true
}

stop_all() {
    stop_daemon "$slurmd_pidf" slurmd
    stop_daemon "$ctld_pidf" slurmctld
    kill_stepds
    stop_daemon "$munged_pidf" munged
}

# Fail step $1: print why, the tail of log file $2 (if any), stop the cluster, exit 1.
fail() {
    log "FAILED: $1"
    if [ -n "${2:-}" ] && [ -s "$2" ]; then
        echo "---- last lines of $2 ----" >&2
        tail -n 25 "$2" >&2
        echo "----" >&2
    fi
    if [ "${stop_on_fail:-1}" = 1 ]; then stop_all; fi
    exit 1
}

# Is TCP port $1 bound to a listening socket (IPv4 or IPv6)?
port_busy() {
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v h=":$hex" 'NR > 0 && $4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }'
}

pick_ports() {
    if [ -n "${SLURM_TEST_CTLD_PORT:-}" ] || [ -n "${SLURM_TEST_SLURMD_PORT:-}" ]; then
        ctld_port=${SLURM_TEST_CTLD_PORT:-6817}
        slurmd_port=${SLURM_TEST_SLURMD_PORT:-$((ctld_port + 1))}
        return 0
    fi
    ctld_port=6817
    while [ $ctld_port -lt 7017 ]; do
        slurmd_port=$((ctld_port + 1))
        if ! port_busy $ctld_port && ! port_busy $slurmd_port; then return 0; fi
        ctld_port=$((ctld_port + 2))
    done
    fail "picking ports: 6817-7017 all taken (set SLURM_TEST_CTLD_PORT/SLURM_TEST_SLURMD_PORT)"
}

require_binaries() {
    local b
    for b in munged slurmctld slurmd sbatch sinfo scontrol scancel; do
        if ! command -v "$b" >/dev/null 2>&1; then
            echo "slurm not installed"
            exit 77
        fi
    done
}

write_conf() {
    local node cpus
    node=$(hostname -s)
    cpus=$(nproc)
    cat > "$conf" <<EOF
# Generated by scripts/slurm/cluster.sh: a one-node test cluster in $dir.
ClusterName=mlopstest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$ctld_pidf
SlurmdPidFile=$slurmd_pidf
SlurmctldLogFile=$ctld_log
SlurmdLogFile=$slurmd_log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
SchedulerParameters=batch_sched_delay=0
InactiveLimit=0
KillWait=5
MinJobAge=${SLURM_TEST_MIN_JOB_AGE:-600}
MailProg=/bin/true
ReturnToService=2
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=ALL MaxTime=10 State=UP
EOF
}

# Wait (deadline 10 s) until pid file $1 names a live $2; fail with log $3 otherwise, or at
# once when no process named $2 has $4 in its command line.
wait_pidfile() {
    local end grace
    end=$(deadline 10)
    grace=$(($(now) + 300))
    until live_pid "$1" "$2" >/dev/null; do
        # No process of this cluster by that name (after a grace period for the fork): it died
        # before writing its pid file (e.g. its port was taken); its log says why.
        if past "$grace" && ! pgrep -x "$2" | while read -r p; do
            tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" || true; echo; done | grep -qF -- "$4"; then
            fail "starting $2: it died at once" "$3"
        fi
        past "$end" && fail "starting $2: no live process in $1 after 10 s" "$3"
        sleep 0.05
    done
}

# Is slurmctld UP for `scontrol ping`?
ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

start_ctld() {
    slurmctld -f "$conf" >> "$logdir/slurmctld.stderr" 2>&1 ||
        fail "starting slurmctld: it exited $?" "$ctld_log"
    wait_pidfile "$ctld_pidf" slurmctld "$ctld_log" "-f $conf"
}

cmd_start() {
    local t0 end states jobid line state
    require_binaries
    t0=$(now)
    if live_pid "$munged_pidf" munged >/dev/null || live_pid "$ctld_pidf" slurmctld >/dev/null ||
        live_pid "$slurmd_pidf" slurmd >/dev/null; then
        stop_on_fail=0 fail "start: a cluster already runs in $dir (stop it first)"
    fi
    pick_ports
    mkdir -p "$dir"
    # A fresh cluster every time: drop what an earlier one left (only our own names).
    rm -rf "$dir/state" "$dir/spool" "$logdir" "$rundir" "$mungedir" "$dir/jobcomp.log" "$dir/env" "$conf"
    mkdir -p "$dir/state" "$dir/spool" "$logdir" "$rundir" "$mungedir"
    chmod 755 "$dir/state" "$dir/spool" "$logdir" "$rundir"
    chmod 711 "$mungedir"
    write_conf

    log "munge key"
    if command -v mungekey >/dev/null 2>&1; then
        mungekey -c -k "$keyfile" 2>"$logdir/mungekey.stderr" || fail "creating the munge key" "$logdir/mungekey.stderr"
    else
        dd if=/dev/urandom of="$keyfile" bs=1024 count=1 2>/dev/null || fail "creating the munge key"
    fi
    chmod 400 "$keyfile"

    log "munged"
    munged --key-file="$keyfile" --socket="$socket" --pid-file="$munged_pidf" \
        --log-file="$munged_log" --seed-file="$mungedir/munged.seed" \
        2>"$logdir/munged.stderr" || fail "starting munged: it exited $?" "$logdir/munged.stderr"
    wait_pidfile "$munged_pidf" munged "$munged_log" "--key-file=$keyfile"

    log "slurmctld (port $ctld_port)"
    start_ctld
    log "slurmd (port $slurmd_port)"
    slurmd -f "$conf" >> "$logdir/slurmd.stderr" 2>&1 || fail "starting slurmd: it exited $?" "$slurmd_log"
    wait_pidfile "$slurmd_pidf" slurmd "$slurmd_log" "-f $conf"

    log "waiting for the node to be idle"
    end=$(deadline 30)
    while :; do
        live_pid "$ctld_pidf" slurmctld >/dev/null || fail "waiting for idle: slurmctld died" "$ctld_log"
        live_pid "$slurmd_pidf" slurmd >/dev/null || fail "waiting for idle: slurmd died" "$slurmd_log"
        states=$(sinfo -h -o %T 2>/dev/null || true)
        if [ -n "$states" ] && [ -z "$(echo "$states" | grep -vx idle || true)" ]; then break; fi
        past "$end" && fail "waiting for idle: sinfo says '$(echo "$states" | tr '\n' ' ')' after 30 s" "$slurmd_log"
        sleep 0.1
    done

    # The first job after start waits up to ~3 s for slurmctld's first scheduling pass.
    # Poll its state rather than `sbatch --wait`, which polls at 2, 4, 8... s.
    log "warm-up job"
    jobid=$(cd "$dir" && sbatch --parsable -J warmup -o /dev/null --wrap true 2>"$logdir/warmup.stderr") || {
        cat "$logdir/warmup.stderr" >&2
        fail "warm-up job: sbatch failed" "$ctld_log"
    }
    jobid=${jobid%%;*}
    end=$(deadline 30)
    while :; do
        line=$(scontrol -o show job "$jobid" 2>&1 || true)
        state=$(echo "$line" | tr ' ' '\n' | sed -n 's/^JobState=//p')
        case "$state" in
            COMPLETED) break ;;
            PENDING | CONFIGURING | RUNNING | COMPLETING | "") ;;
            *) fail "warm-up job $jobid ended $state: $line" "$slurmd_log" ;;
        esac
        past "$end" && fail "warm-up job $jobid not COMPLETED after 30 s: $line" "$slurmd_log"
        sleep 0.1
    done

    echo "SLURM_CONF=$conf" > "$dir/env"
    t0=$(($(now) - t0))
    log "up in $((t0 / 1000)).$(printf %03d $((t0 % 1000))) s"
    echo "SLURM_CONF=$conf"
}

cmd_stop() {
    stop_all
    rm -f "$socket"
}

cmd_restart_ctld() {
    local end
    require_binaries
    [ -f "$conf" ] || { log "restart-ctld: no $conf"; exit 1; }
    stop_on_fail=0
    stop_daemon "$ctld_pidf" slurmctld
    start_ctld
    end=$(deadline 30)
    until ctld_up; do
        live_pid "$ctld_pidf" slurmctld >/dev/null || fail "restart-ctld: slurmctld died" "$ctld_log"
        past "$end" && fail "restart-ctld: scontrol ping not UP after 30 s" "$ctld_log"
        sleep 0.1
    done
}

cmd_status() {
    live_pid "$munged_pidf" munged >/dev/null &&
        live_pid "$ctld_pidf" slurmctld >/dev/null &&
        live_pid "$slurmd_pidf" slurmd >/dev/null
}

case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart-ctld) cmd_restart_ctld ;;
    status) cmd_status ;;
    *) usage ;;
esac
