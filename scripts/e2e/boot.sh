#!/bin/bash
# boot.sh — runs as PID 1 of the private PID namespace that scripts/e2e/run.sh creates
# (unshare --pid --fork --mount --mount-proc --net --uts --ipc); never run it by hand.
#
# It builds a private view of the system with tmpfs mounts, so that nothing on the host
# changes: unit directories holding only systemd-journald's units, our unit, an e2e
# target and drop-ins; private /run, /tmp, /var/tmp, /var/lib, /var/spool, /etc/mlopsd and
# a bin directory; private copies of the account databases with our sysusers entries; the
# spool from our tmpfiles entry; our journal catalog. Then it execs systemd as PID 1.
#
# Argument: the staging directory run.sh prepared (units/, dropins/, bin/, files).
set -euo pipefail

stage=$1
say() { echo "e2e-boot: $*"; }

# Nothing we mount may leak to the host (unshare makes propagation private; be sure).
mount --make-rprivate /

# Our staging directory may be under /tmp, which gets a tmpfs below: keep it reachable.
mkdir -p /run
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -p /run/e2e-stage
mount --bind "$stage" /run/e2e-stage
stage=/run/e2e-stage

# cgroups: mount the hierarchies afresh, so that their root is the root of our cgroup
# namespace (the run's own cgroup, which run.sh created and removes).
case "$(cat "$stage/cgroup-layout")" in
unified)
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
    ;;
hybrid | legacy)
    mount -t tmpfs -o mode=0755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup
    mkdir /sys/fs/cgroup/systemd
    mount -t cgroup -o none,name=systemd,nosuid,nodev,noexec cgroup /sys/fs/cgroup/systemd
    if [ "$(cat "$stage/cgroup-layout")" = hybrid ]; then
        mkdir /sys/fs/cgroup/unified
        mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup/unified
    fi
    ;;
esac

tmpfs_over() {  # tmpfs_over DIR [MODE]: an empty private tmpfs over an existing directory
    mount -t tmpfs -o "mode=${2:-0755}" tmpfs "$1"
}

# --- Account databases: private copies with our users and groups -------------------------
# systemd-sysusers writes by rename, which fails on a bind-mounted file (EBUSY): run it
# with --root on a copy, then bind the results over the host's files.
acct=/run/e2e-accounts
mkdir -p "$acct/etc"
for f in passwd group shadow gshadow; do
    [ -e "/etc/$f" ] && cp -p "/etc/$f" "$acct/etc/$f"
done
systemd-sysusers --root="$acct" "$stage/mlopsd.sysusers"
# Submitter accounts for the hostile-submitter corpus (scripts/e2e/hostile.sh): alice and
# bob may submit (mlopsd-submit), mallory may not.
printf 'u alice -\nu bob -\nu mallory -\nm alice mlopsd-submit\nm bob mlopsd-submit\n' >"$acct/e2e-submitters.sysusers"
systemd-sysusers --root="$acct" "$acct/e2e-submitters.sysusers"
for f in passwd group shadow gshadow; do
    [ -e "/etc/$f" ] && mount --bind "$acct/etc/$f" "/etc/$f"
done

# --- Unit directories: only what we put there -----------------------------------------
# Every system unit directory that exists (with merged /usr, /lib/... and /usr/lib/... are
# one), and the generator directories: host generators would add units (fstab, getty…).
declare -A hidden=()
for d in /etc/systemd/system /etc/systemd/system.control /etc/systemd/system.attached \
         /lib/systemd/system /usr/lib/systemd/system /usr/local/lib/systemd/system \
         /lib/systemd/system-generators /usr/lib/systemd/system-generators \
         /usr/local/lib/systemd/system-generators /etc/systemd/system-generators; do
    [ -d "$d" ] || continue
    real=$(readlink -f "$d")
    [ -n "${hidden[$real]:-}" ] && continue
    hidden[$real]=1
    tmpfs_over "$real"
done
cp "$stage/units/"* /lib/systemd/system/
cp -r "$stage/dropins/." /etc/systemd/system/

# --- Private state, spool, config, binaries, temp --------------------------------------
tmpfs_over /var/lib
tmpfs_over /var/spool
[ -d /var/log/journal ] && tmpfs_over /var/log/journal 2755
# /etc/mlopsd may not exist on the host: an empty directory is the one trace we leave.
mkdir -p /etc/mlopsd
tmpfs_over /etc/mlopsd
tmpfs_over "$(cat "$stage/bindir")"
install -m 0755 "$stage/bin/mlopsd" "$stage/bin/mlopsctl" "$(cat "$stage/bindir")/"
install -m 0644 "$stage/mlopsd.yaml" /etc/mlopsd/mlopsd.yaml

# The spool, from our tmpfiles.d entry (owners from the private account databases).
systemd-tmpfiles --create "$stage/mlopsd.tmpfiles"

# The journal catalog: host catalogs plus ours, then the database (in the /var/lib tmpfs).
catdir=/usr/lib/systemd/catalog
mkdir -p /run/e2e-catalog
[ -d "$catdir" ] && cp -a "$catdir/." /run/e2e-catalog/
tmpfs_over "$catdir"
cp -a /run/e2e-catalog/. "$catdir/"
install -m 0644 "$stage/mlopsd.catalog" "$catdir/mlopsd.catalog"
journalctl --update-catalog

# journald: volatile, and not a copy of the host's kernel log (/dev/kmsg is the host's).
mkdir -p /run/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nReadKMsg=no\n' >/run/systemd/journald.conf.d/e2e.conf

# PrivateTmp= creates directories under /tmp and /var/tmp: keep them off the host.
tmpfs_over /tmp 1777
tmpfs_over /var/tmp 1777

say "exec systemd"
export container=mlopsd-e2e
exec /lib/systemd/systemd --system --unit=mlopsd-e2e.target --log-target=journal --log-level=info
