#!/usr/bin/env bash
# Berth's benchmark: every workload on berthd and, with --with-lxd, on Debian's LXD 5.0.2 in the same run.
#   bench/run.sh [--with-lxd] [--only NAME] [--runs N] [--json FILE]
# Reports min/median/max over N runs (default 5) per daemon, the berth/LXD ratio of medians and the issue's target;
# workloads whose feature has not landed are listed as missing. Results also go to JSON (bench/results/).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

with_lxd=false only="" runs=5 json=""
while [ $# -gt 0 ]; do
    case $1 in
        --with-lxd) with_lxd=true ;;
        --only) only=$2; shift ;;
        --runs) runs=$2; shift ;;
        --json) json=$2; shift ;;
        *) echo "usage: bench/run.sh [--with-lxd] [--only NAME] [--runs N] [--json FILE]" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (it starts daemons and containers)" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
chmod 711 "$work" # unprivileged containers' root must be able to reach their rootfs below it
berth_pid="" lxd_pid="" berth_b_pid="" lxd_b_pid=""
delete_instances() { # dir [conf]: force-deletes every instance of that daemon
    local c
    for c in $(LXD_DIR=$1 LXD_CONF=${2:-$work/conf} lxc list --format csv -c n 2>/dev/null); do
        LXD_DIR=$1 LXD_CONF=${2:-$work/conf} lxc delete -f "$c" >/dev/null 2>&1
    done
}
cleanup() {
    set +e
    # The second daemons of remote.cross_host_copy: their containers and berthd's btrfs pool, then the daemons.
    if [ -n "$berth_b_pid" ]; then
        delete_instances "$work/berth-b"
        LXD_DIR=$work/berth-b lxc storage delete benchbt >/dev/null 2>&1
        BERTH_DIR=$work/berth-b "$work/bin/berthd" shutdown --timeout 20 >/dev/null 2>&1 || kill "$berth_b_pid"
    fi
    if [ -n "$lxd_b_pid" ]; then
        delete_instances "$work/lxd-b"
        LXD_DIR=$work/lxd-b lxd shutdown --timeout 60 >/dev/null 2>&1 || kill "$lxd_b_pid"
    fi
    if [ -n "$lxd_pid" ]; then
        delete_instances "$work/lxd"
    fi
    # berthd's btrfs pool is a mounted loop file: delete what is on it and the pool, so nothing stays mounted.
    if [ -n "$berth_pid" ] && LXD_DIR=$work/berth lxc storage show benchbt >/dev/null 2>&1; then
        delete_instances "$work/berth"
        LXD_DIR=$work/berth lxc storage delete benchbt >/dev/null 2>&1
    fi
    # The bench networks: their instances first, then the bridges (LXD leaves its bridges up when it stops).
    if [ -f "$work/lxd-net" ]; then
        LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc network delete "$(cat "$work/lxd-net")" >/dev/null 2>&1
    fi
    if [ -f "$work/berth-net" ]; then
        delete_instances "$work/berth"
        LXD_DIR=$work/berth lxc network delete "$(cat "$work/berth-net")" >/dev/null 2>&1
    fi
    for d in "$work/berth/containers"/*; do [ -d "$d" ] && lxc-stop -P "$work/berth/containers" -n "$(basename "$d")" -k >/dev/null 2>&1; done
    if [ -n "$berth_pid" ]; then BERTH_DIR=$work/berth "$work/bin/berthd" shutdown --timeout 20 >/dev/null 2>&1 || kill "$berth_pid"; fi
    if [ -n "$lxd_pid" ]; then LXD_DIR=$work/lxd lxd shutdown --timeout 60 >/dev/null 2>&1 || kill "$lxd_pid"; fi
    sleep 0.5
    # Whatever a daemon left mounted below its dir (LXD's shmounts, devlxd): unmounted so rm stays inside $work.
    grep -o " $work/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
    rm -rf "$work"
}
trap cleanup EXIT

echo "==> build berthd (Release)" >&2
./scripts/install-deps.sh runtime >/dev/null
./scripts/publish.sh "$work/bin" >/dev/null
mkdir -p "$work/berth"
BERTH_DIR=$work/berth setsid "$work/bin/berthd" --logfile "$work/berth/berthd.log" </dev/null >/dev/null 2>&1 &
berth_pid=$!
BERTH_DIR=$work/berth "$work/bin/berthd" waitready --timeout 60

if $with_lxd; then
    echo "==> start Debian's LXD on its own dir" >&2
    if ! command -v lxd >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lxd lxd-client >/dev/null; fi
    mkdir -p "$work/lxd"
    LXD_DIR=$work/lxd setsid lxd --group root --logfile "$work/lxd/lxd.log" </dev/null >/dev/null 2>&1 &
    lxd_pid=$!
    LXD_DIR=$work/lxd lxd waitready --timeout 120
    # A dir pool and a root disk, no network: the same footing as berthd, and no host bridge is created.
    LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc storage create default dir >/dev/null
    LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc profile device add default root disk path=/ pool=default >/dev/null
fi

# A busybox image both daemons import: the same bytes on both sides.
BERTH_DIR=$work/berth BERTH_CONF=$work/conf "$work/bin/berth" image build busybox >/dev/null
cp "$work/berth/images/"* "$work/busybox.tar.gz" 2>/dev/null || true
BERTH_DIR=$work/berth BERTH_CONF=$work/conf "$work/bin/berth" image delete "$(ls "$work/berth/images" | head -1)" >/dev/null

results=()
# name | target | how each side is measured (a function printing a JSON list of per-run values in ms)
rest() { python3 bench/rest_latency.py "$1" "$2" 2000 "$runs"; }
timed_runs() { # daemon-dir-env command... : runs the command $runs times, prints the list of wall times in ms
    local env=$1; shift
    python3 - "$env" "$runs" "$@" <<'PY'
import json, os, subprocess, sys, time
env_spec, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
env = dict(os.environ, **dict(kv.split("=", 1) for kv in env_spec.split(",")))
out = []
for i in range(runs):
    c = [a.replace("{i}", str(i)) for a in cmd]
    start = time.perf_counter()
    done = subprocess.run(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.stderr.write(f"{' '.join(c)}: {done.stderr.strip()}\n")
        print('"failed"')
        sys.exit(0)
    out.append((time.perf_counter() - start) * 1000)
print(json.dumps(out))
PY
}

measure() { # name target berth-json lxd-json
    results+=("$1|$2|$3|$4")
}

# --only NAME runs one workload, or every workload named NAME.* (--only instance: launch+exec, exec, stop, delete;
# --only image: both imports).
want() { [ -z "$only" ] || [ "$only" = "$1" ] || [ "${1#"$only".}" != "$1" ]; }
want_containers() { [ -z "$only" ] || [ "$only" = instance ]; } # stop/delete need the launch workload's containers
# The Debian image for the workloads that need one: berthd builds it once per run from the host's apt mirror (alias
# debian on the main berthd) and exports it, so every daemon imports the same bytes; prints the exported file(s).
debian_image() {
    if [ ! -e "$work/debian-image/done" ]; then
        mkdir -p "$work/debian-image"
        # BENCH_DEBIAN_IMAGE: a unified image from an earlier `berth image build debian` (saves the debootstrap).
        if [ -n "${BENCH_DEBIAN_IMAGE:-}" ]; then
            cp "$BENCH_DEBIAN_IMAGE" "$work/debian-image/debian.tar.gz"
            LXD_DIR=$work/berth lxc image import "$work/debian-image/debian.tar.gz" --alias debian >/dev/null
        else
            BERTH_DIR=$work/berth BERTH_CONF=$work/conf "$work/bin/berth" image build debian --alias debian >/dev/null
            LXD_DIR=$work/berth lxc image export debian "$work/debian-image/debian" >/dev/null
        fi
        touch "$work/debian-image/done"
    fi
    ls "$work/debian-image/"debian*
}

bsock=$work/berth/unix.socket lsock=$work/lxd/unix.socket
if want rest.get_1.0; then
    measure rest.get_1.0 "<= 0.2 ms" "$(rest "$bsock" /1.0)" "$($with_lxd && rest "$lsock" /1.0 || echo null)"
fi
if want rest.get_profiles_recursion1; then
    measure rest.get_profiles_recursion1 "-" "$(rest "$bsock" '/1.0/profiles?recursion=1')" "$($with_lxd && rest "$lsock" '/1.0/profiles?recursion=1' || echo null)"
fi
if want image.import_busybox; then
    b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" sh -c "lxc image import $work/busybox.tar.gz >/dev/null && lxc image delete \$(lxc image list --format csv -c f | head -1)")
    l=null
    $with_lxd && l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" sh -c "lxc image import $work/busybox.tar.gz >/dev/null && lxc image delete \$(lxc image list --format csv -c f | head -1)")
    measure image.import_busybox "<= LXD (65 ms incl. delete here)" "$b" "$l"
fi
if want instance.launch_exec_busybox; then
    LXD_DIR=$work/berth lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null
    b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" sh -c 'lxc launch busybox bench{i} >/dev/null && lxc exec bench{i} -- true')
    l=null
    if $with_lxd; then
        LXD_DIR=$work/lxd lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null
        l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" sh -c 'lxc launch busybox bench{i} >/dev/null 2>&1 && lxc exec bench{i} -- true' 2>/dev/null || echo '"failed"')
    fi
    measure instance.launch_exec_busybox "<= 0.15 s" "$b" "$l"
fi
# LXD's column for both exec rows is `lxc exec` on LXD (the issue's 68 ms), measured once here.
exec_lxd=null
if $with_lxd && { want instance.exec_true_lxc || want instance.exec_true_berth; }; then
    exec_lxd=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" lxc exec bench0 -- true 2>/dev/null || echo '"failed"')
fi
if want instance.exec_true_lxc; then
    b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" lxc exec bench0 -- true 2>/dev/null || echo '"failed"')
    measure instance.exec_true_lxc "<= LXD" "$b" "$exec_lxd"
fi
if want instance.exec_true_berth; then
    b=$(timed_runs "BERTH_DIR=$work/berth,BERTH_CONF=$work/conf" "$work/bin/berth" exec bench0 -- true 2>/dev/null || echo '"failed"')
    measure instance.exec_true_berth "<= 40 ms (LXD: lxc exec)" "$b" "$exec_lxd"
fi
# These run on the containers instance.launch_exec_busybox left (bench0..N-1).
if want instance.stop_force && want_containers; then
    b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" lxc stop --force 'bench{i}')
    l=null
    $with_lxd && l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" lxc stop --force 'bench{i}')
    measure instance.stop_force "<= 0.1 s" "$b" "$l"
fi
if want instance.delete_force && want_containers; then
    b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" lxc delete --force 'bench{i}')
    l=null
    $with_lxd && l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" lxc delete --force 'bench{i}')
    measure instance.delete_force "<= 0.2 s" "$b" "$l"
fi
storage_ops() { # container label target: snapshot, restore and copy of a running container on both daemons
    local op cmd b l
    for op in snapshot restore copy; do
        case $op in
            snapshot) cmd=(lxc snapshot "$1" 's{i}') ;;
            restore) cmd=(lxc restore "$1" 's{i}') ;;
            copy) cmd=(lxc copy "$1" "$1-copy{i}") ;;
        esac
        b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" "${cmd[@]}")
        l=null
        $with_lxd && l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" "${cmd[@]}")
        measure "storage.${op}_running_$2" "$3" "$b" "$l"
    done
}

# Snapshot, restore and copy of a running container: berthd on a btrfs pool (what init --auto makes), LXD on its
# dir pool (what it makes without ZFS), both from the same busybox image.
if want storage; then
    LXD_DIR=$work/berth lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null 2>&1 || true
    LXD_DIR=$work/berth lxc storage create benchbt btrfs size=4GiB >/dev/null
    LXD_DIR=$work/berth lxc launch busybox snapbench -s benchbt >/dev/null
    if $with_lxd; then
        LXD_DIR=$work/lxd lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null 2>&1 || true
        LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc launch busybox snapbench >/dev/null
    fi
    storage_ops snapbench busybox "<= 0.2 s"
    # Nothing left running for the later workloads (the scale ones are "with 50 running").
    delete_instances "$work/berth"
    $with_lxd && delete_instances "$work/lxd"
fi
# The same Debian image bytes imported (then deleted by fingerprint) on each daemon; berthd gets its copy back after.
if want image.import_debian; then
    deb=$(debian_image)
    fp=$(sha256sum "$deb" | cut -c1-64)
    LXD_DIR=$work/berth lxc image delete "$fp" >/dev/null
    b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" sh -c "lxc image import $deb >/dev/null && lxc image delete $fp")
    LXD_DIR=$work/berth lxc image import "$deb" --alias debian >/dev/null
    l=null
    $with_lxd && l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" sh -c "lxc image import $deb >/dev/null && lxc image delete $fp")
    measure image.import_debian "<= LXD (0.32 s incl. delete here)" "$b" "$l"
fi
# The issue's figures: a Debian (systemd) container. berthd builds the image from the host's apt mirror; LXD gets
# the same bytes. Launch is timed until systemd reports running (or degraded): one `systemctl is-system-running --wait`
# that blocks until the boot is over (retried while the container is not attachable yet), rather than polling with
# an exec every 50 ms, whose own CPU would slow the boot it measures on 2 cores; then snapshot, restore and copy of
# the running container, berthd on its btrfs pool, LXD on dir.
if want storage_debian; then
    deb=$(debian_image)
    LXD_DIR=$work/berth lxc storage show benchbt >/dev/null 2>&1 || LXD_DIR=$work/berth lxc storage create benchbt btrfs size=8GiB >/dev/null
    $with_lxd && LXD_DIR=$work/lxd lxc image import $deb --alias debian >/dev/null
    launch='lxc launch debian deb{i} POOL >/dev/null && for t in $(seq 600); do s=$(lxc exec deb{i} -- systemctl is-system-running --wait 2>/dev/null); case $s in running|degraded) exit 0;; esac; sleep 0.05; done; exit 1'
    b=$(timed_runs "LXD_DIR=$work/berth,LXD_CONF=$work/conf" sh -c "${launch/POOL/-s benchbt}")
    l=null
    $with_lxd && l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" sh -c "${launch/POOL/}")
    measure instance.launch_debian_to_systemd_running "<= 1.0 s (LXD 3.8 s)" "$b" "$l"
    storage_ops deb0 debian "<= 0.2 s (LXD 2.6/2.1/3.1 s)"
    # The runs' Debian containers (systemd in each) and their copies would run on through every later workload.
    delete_instances "$work/berth"
    $with_lxd && delete_instances "$work/lxd"
fi
# Fifty running containers on each daemon: the time to launch them one after the other, then, with all running,
# GET /1.0/instances?recursion=2, the CLI's list, each container's manager process (liblxc's monitor, whose PSS
# is what a container costs beyond its own processes) and the daemon's RSS.
scale_launch() { # dir-env: launches scale0..49 one by one, prints the total in ms as a one-value list
    python3 - "$1" <<'PY'
import json, os, subprocess, sys, time
env = dict(os.environ, **dict(kv.split("=", 1) for kv in sys.argv[1].split(",")))
start = time.perf_counter()
for i in range(50):
    done = subprocess.run(["lxc", "launch", "busybox", f"scale{i}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.stderr.write(f"launch scale{i}: {done.stderr.strip()}\n")
        print('"failed"')
        sys.exit(0)
print(json.dumps([(time.perf_counter() - start) * 1000]))
PY
}
monitor_pss() { # daemon-dir: median PSS (kB) of the parents of the scale containers' init processes
    python3 - "$1" <<'PY'
import json, os, statistics, subprocess, sys
env = dict(os.environ, LXD_DIR=sys.argv[1])
values = []
for i in range(50):
    state = json.loads(subprocess.run(["lxc", "query", f"/1.0/instances/scale{i}/state"], env=env, capture_output=True, text=True).stdout)
    with open(f"/proc/{state['pid']}/stat") as f:
        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
    with open(f"/proc/{ppid}/smaps_rollup") as f:
        values.append(next(int(l.split()[1]) for l in f if l.startswith("Pss:")))
print(json.dumps([statistics.median(values)]))
PY
}
daemon_rss() { awk '/^VmRSS/ {print "[" $2 "]"}' "/proc/$1/status"; } # kB
if want scale; then
    LXD_DIR=$work/berth lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null 2>&1 || true
    b=$(scale_launch "LXD_DIR=$work/berth,LXD_CONF=$work/conf") l=null
    if $with_lxd; then
        LXD_DIR=$work/lxd lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null 2>&1 || true
        l=$(scale_launch "LXD_DIR=$work/lxd,LXD_CONF=$work/conf")
    fi
    measure instance.launch_50 "<= 8 s (LXD 32.5 s)" "$b" "$l"
    b=$(python3 bench/rest_latency.py "$bsock" '/1.0/instances?recursion=2' 20 "$runs") l=null
    $with_lxd && l=$(python3 bench/rest_latency.py "$lsock" '/1.0/instances?recursion=2' 20 "$runs")
    measure instance.list_recursion2_50 "<= 10 ms (LXD 225 ms)" "$b" "$l"
    b=$(timed_runs "BERTH_DIR=$work/berth,BERTH_CONF=$work/conf" "$work/bin/berth" list) l=null
    $with_lxd && l=$(timed_runs "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" lxc list)
    measure cli.list_50 "<= 0.1 s (lxc list on LXD 0.30 s)" "$b" "$l"
    b=$(monitor_pss "$work/berth") l=null
    $with_lxd && l=$(monitor_pss "$work/lxd")
    measure memory.per_container_pss_kb "<= 1024 kB (LXD 11.5 MB)" "$b" "$l"
    b=$(daemon_rss "$berth_pid") l=null
    $with_lxd && l=$(daemon_rss "$lxd_pid")
    measure memory.daemon_rss_50_kb "<= 120 MB (LXD 232 MB)" "$b" "$l"
    for i in $(seq 0 49); do
        LXD_DIR=$work/berth lxc delete -f "scale$i" >/dev/null 2>&1 || true
        $with_lxd && { LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc delete -f "scale$i" >/dev/null 2>&1 || true; }
    done
fi
# Networks: a bridge on each daemon (explicit free 10.x.y.0/24s: LXD's own probe is fooled by this host's network),
# container start -> IPv4 lease, and a tcp proxy device on loopback to busybox nc inside (echo for the round trip,
# a sink for the bulk transfer), beside LXD's forkproxy. Each forwarder's RSS is reported too.
if want network; then
    read -r bprefix lprefix < <(python3 -c '
import random, subprocess
used = subprocess.run(["ip", "-4", "route", "show", "table", "all"], capture_output=True, text=True).stdout + subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True).stdout
free = [p for p in (f"10.{random.randint(100, 249)}.{random.randint(0, 254)}" for _ in range(200)) if p + "." not in used]
print(free[0], free[1])')
    bnet=bb$RANDOM lnet=lb$RANDOM
    LXD_DIR=$work/berth lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null 2>&1 || true
    LXD_DIR=$work/berth lxc network create "$bnet" ipv4.address="$bprefix.1/24" ipv4.nat=false ipv6.address=none >/dev/null
    echo "$bnet" >"$work/berth-net"
    for i in $(seq 0 $((runs - 1))); do LXD_DIR=$work/berth lxc init busybox "dhcp$i" --network "$bnet" >/dev/null; done
    b=$(python3 bench/network_bench.py lease "$bsock" "LXD_DIR=$work/berth,LXD_CONF=$work/conf" 'dhcp{i}' "$runs")
    l=null
    if $with_lxd; then
        LXD_DIR=$work/lxd lxc image import "$work/busybox.tar.gz" --alias busybox >/dev/null 2>&1 || true
        LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc network create "$lnet" ipv4.address="$lprefix.1/24" ipv4.nat=false ipv6.address=none >/dev/null
        echo "$lnet" >"$work/lxd-net"
        for i in $(seq 0 $((runs - 1))); do LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc init busybox "dhcp$i" --network "$lnet" >/dev/null; done
        l=$(python3 bench/network_bench.py lease "$lsock" "LXD_DIR=$work/lxd,LXD_CONF=$work/conf" 'dhcp{i}' "$runs")
    fi
    measure network.dhcp_lease "<= 0.5 s" "$b" "$l"

    proxy_side() { # daemon-dir base-port: a container with echo (:9000) and sink (:9001) servers behind two proxy devices
        LXD_DIR=$1 LXD_CONF=$work/conf lxc launch busybox pxbench >/dev/null
        LXD_DIR=$1 LXD_CONF=$work/conf lxc exec pxbench -- sh -c 'nc -ll -p 9000 -e /bin/cat </dev/null >/dev/null 2>&1 & nc -ll -p 9001 -e /bin/sh -c "cat >/dev/null" </dev/null >/dev/null 2>&1 &'
        LXD_DIR=$1 LXD_CONF=$work/conf lxc config device add pxbench echo proxy listen=tcp:127.0.0.1:$2 connect=tcp:127.0.0.1:9000 >/dev/null
        LXD_DIR=$1 LXD_CONF=$work/conf lxc config device add pxbench sink proxy listen=tcp:127.0.0.1:$(($2 + 1)) connect=tcp:127.0.0.1:9001 >/dev/null
        sleep 0.5
    }
    proxy_rss() { # listen port: the RSS (kB) of the process listening there
        python3 - "$1" <<'PY'
import json, os, sys
port = "%04X" % int(sys.argv[1])
inodes = {l.split()[9] for l in open("/proc/net/tcp").readlines()[1:] if l.split()[1].endswith(":" + port) and l.split()[3] == "0A"}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if any(os.readlink(f"/proc/{pid}/fd/{fd}") in {f"socket:[{i}]" for i in inodes} for fd in os.listdir(f"/proc/{pid}/fd")):
            print(json.dumps([int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")]))
            sys.exit(0)
    except OSError:
        pass
print("null")
PY
    }
    proxy_side "$work/berth" 41000
    b_rtt=$(python3 bench/network_bench.py rtt 41000 "$runs") b_rss=$(proxy_rss 41000)
    l_rtt=null l_bulk=null l_rss=null
    if $with_lxd; then
        proxy_side "$work/lxd" 42000
        l_rtt=$(python3 bench/network_bench.py rtt 42000 "$runs") l_rss=$(proxy_rss 42000)
        # The bulk runs alternate between the two forwarders (one list per port).
        { read -r b_bulk; read -r l_bulk; } < <(python3 bench/network_bench.py bulk 41001,42001 "$runs" 200)
    else
        b_bulk=$(python3 bench/network_bench.py bulk 41001 "$runs" 200)
    fi
    measure network.proxy_latency "<= LXD (median round trip, ms)" "$b_rtt" "$l_rtt"
    measure network.proxy_throughput "<= LXD (ms per 200 MB; MB/s = 200000/ms)" "$b_bulk" "$l_bulk"
    measure network.proxy_rss_kb "(kB, not ms) berth-fork vs LXD forkproxy" "$b_rss" "$l_rss"
fi
# Cross-host copy of a stopped Debian container: a second berthd (and, with --with-lxd, a second LXD) on its own dir
# beside the main one, each daemon on HTTPS at 127.0.0.1 (a free port, a trust password), all added as remotes to a
# private client config; `lxc copy a:xc b:xcN` in lxc's default pull mode (the target dials the source), xcN deleted
# after each run (not timed). berthd: btrfs loop pools on both sides; LXD: its dir pools.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
https_remote() { # daemon-dir remote-name: serves the daemon on HTTPS and adds it as a remote to $work/xconf
    local port
    port=$(free_port)
    LXD_DIR=$1 LXD_CONF=$work/conf lxc config set core.https_address "127.0.0.1:$port" >/dev/null
    LXD_DIR=$1 LXD_CONF=$work/conf lxc config set core.trust_password bench-pw >/dev/null
    LXD_CONF=$work/xconf lxc remote add "$2" "https://127.0.0.1:$port" --password bench-pw --accept-certificate >/dev/null
}
cross_copy() { # source-remote target-remote [copy args]: times lxc copy source:xc target:xcN, deleting xcN after each run
    local i v vals=()
    for i in $(seq 0 $((runs - 1))); do
        v=$(runs=1 timed_runs "LXD_CONF=$work/xconf" lxc copy "$1:xc" "$2:xc$i" "${@:3}")
        [ "$v" = '"failed"' ] && { echo '"failed"'; return; }
        vals+=("${v:1:${#v}-2}")
        LXD_CONF=$work/xconf lxc delete "$2:xc$i" >/dev/null
    done
    (IFS=,; echo "[${vals[*]}]")
}
if want remote.cross_host_copy; then
    deb=$(debian_image)
    mkdir -p "$work/berth-b" "$work/xconf"
    BERTH_DIR=$work/berth-b setsid "$work/bin/berthd" --logfile "$work/berth-b/berthd.log" </dev/null >/dev/null 2>&1 &
    berth_b_pid=$!
    BERTH_DIR=$work/berth-b "$work/bin/berthd" waitready --timeout 60
    for d in berth berth-b; do
        LXD_DIR=$work/$d lxc storage show benchbt >/dev/null 2>&1 || LXD_DIR=$work/$d lxc storage create benchbt btrfs size=8GiB >/dev/null
    done
    https_remote "$work/berth" ba
    https_remote "$work/berth-b" bb
    LXD_DIR=$work/berth lxc init debian xc -s benchbt >/dev/null
    b=$(cross_copy ba bb -s benchbt) l=null
    if $with_lxd; then
        mkdir -p "$work/lxd-b"
        LXD_DIR=$work/lxd-b setsid lxd --group root --logfile "$work/lxd-b/lxd.log" </dev/null >/dev/null 2>&1 &
        lxd_b_pid=$!
        LXD_DIR=$work/lxd-b lxd waitready --timeout 120
        LXD_DIR=$work/lxd-b LXD_CONF=$work/conf lxc storage create default dir >/dev/null
        LXD_DIR=$work/lxd-b LXD_CONF=$work/conf lxc profile device add default root disk path=/ pool=default >/dev/null
        LXD_DIR=$work/lxd lxc image show debian >/dev/null 2>&1 || LXD_DIR=$work/lxd lxc image import $deb --alias debian >/dev/null
        https_remote "$work/lxd" la
        https_remote "$work/lxd-b" lb
        LXD_DIR=$work/lxd LXD_CONF=$work/conf lxc init debian xc >/dev/null
        l=$(cross_copy la lb)
    fi
    measure remote.cross_host_copy "<= LXD" "$b" "$l"
fi

python3 - "$with_lxd" "${json:-bench/results/$(date -u +%Y%m%dT%H%M%SZ).json}" "${results[@]}" <<'PY'
import json, os, statistics, sys
with_lxd, out = sys.argv[1] == "true", sys.argv[2]
rows = []
def fmt(v, unit):
    if isinstance(v, list) and v:
        return f"{min(v):.3f}/{statistics.median(v):.3f}/{max(v):.3f} {unit}"
    return v if isinstance(v, str) else "-"
print(f"{'workload':34} {'berth min/median/max':30} {'lxd min/median/max':30} {'ratio':>7}  target")
for entry in sys.argv[3:]:
    name, target, b, l = entry.split("|", 3)
    def parse(v):
        try:
            return json.loads(v)
        except ValueError:
            return "unparsable: " + v[:40]
    b, l = parse(b), parse(l)
    ratio = statistics.median(b) / statistics.median(l) if isinstance(b, list) and isinstance(l, list) and b and l else None
    unit = "kB" if name.endswith("_kb") else "ms"
    print(f"{name:34} {fmt(b, unit):30} {fmt(l, unit):30} {('%.2f' % ratio) if ratio else '-':>7}  {target}")
    rows.append({"workload": name, "target": target, "berth_ms": b, "lxd_ms": l, "ratio": ratio})
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
json.dump({"with_lxd": with_lxd, "results": rows}, open(out, "w"), indent=2)
print(f"\nJSON: {out}")
PY
