#!/usr/bin/env bash
# Sets Berth up on this machine and runs the main job. Idempotent: run it again after a pull.
#  1. Debian packages berthd needs
#  2. builds berthd and berth (Release) into /usr/lib/berth, links them into /usr/local/bin
#  3. starts berthd (a systemd unit when systemd is PID 1, else in the background), waits until ready
#  4. initialises it (berthd init --auto), shows the server (berth info)
#  5. builds the busybox image from the host's busybox-static, launches a container "first" and runs a command in it
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DEBIAN_FRONTEND=noninteractive

prefix=/usr/lib/berth
bindir=/usr/local/bin
dir=${BERTH_DIR:-/var/lib/berth}
logdir=/var/log/berth

if [ "$(id -u)" != 0 ]; then
    echo "install.sh: run as root (berthd is a privileged daemon)" >&2
    exit 1
fi

./scripts/install-deps.sh runtime

echo "==> build"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
./scripts/publish.sh "$stage"

running=false
if [ -x "$bindir/berthd" ] && BERTH_DIR=$dir "$bindir/berthd" waitready --timeout 1 >/dev/null 2>&1; then
    running=true
fi

if $running; then
    echo "==> stop the running berthd to replace it"
    if [ -d /run/systemd/system ] && systemctl is-active --quiet berthd 2>/dev/null; then
        systemctl stop berthd
    else
        # SIGTERM, not `berthd shutdown`: an upgrade must leave the containers running (shutdown stops them).
        pid=$(ss -xlpn src "$dir/unix.socket" | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
        if [ -n "$pid" ]; then
            kill -TERM "$pid"
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
    fi
fi

echo "==> install into $prefix"
rm -rf "$prefix.new"
cp -a "$stage" "$prefix.new"
rm -rf "$prefix"
mv "$prefix.new" "$prefix"
ln -sf "$prefix/berthd" "$bindir/berthd"
ln -sf "$prefix/berth" "$bindir/berth"
if [ -d /etc/bash_completion.d ] && "$prefix/berth" completion bash >/dev/null 2>&1; then
    "$prefix/berth" completion bash > /etc/bash_completion.d/berth
fi

echo "==> start berthd"
mkdir -p "$logdir"
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    cat > /etc/systemd/system/berthd.service <<UNIT
[Unit]
Description=Berth system container daemon
After=network-online.target

[Service]
Environment=BERTH_DIR=$dir
ExecStart=$bindir/berthd --logfile $logdir/berthd.log
# Stopping the unit (a restart or an upgrade) sends SIGTERM, which leaves the containers running, as LXD's unit
# does; `berthd shutdown` stops them in boot.stop.priority order.
KillMode=process
Restart=on-failure
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload
    systemctl enable --now berthd
else
    # No service manager: run it in its own session, detached from this shell.
    BERTH_DIR=$dir setsid "$bindir/berthd" --logfile "$logdir/berthd.log" </dev/null >/dev/null 2>&1 &
fi
BERTH_DIR=$dir "$bindir/berthd" waitready --timeout 60

echo "==> initialise"
BERTH_DIR=$dir "$bindir/berthd" init --auto

echo "==> berth info"
BERTH_DIR=$dir "$bindir/berth" info | grep -E '^(  )?(api_version|auth|server_name|server_version|server_pid|kernel_version|driver):'

echo "==> busybox image, container \"first\", a command in it"
export BERTH_DIR=$dir
if ! "$bindir/berth" image list --format csv | grep -q '^busybox,'; then
    "$bindir/berth" image build busybox --alias busybox
fi
if ! "$bindir/berth" list --format csv | grep -q '^first,'; then
    "$bindir/berth" launch busybox first
elif ! "$bindir/berth" list --format csv | grep -q '^first,RUNNING,'; then
    "$bindir/berth" start first
fi
"$bindir/berth" exec first -- sh -c 'echo "hello from $(hostname): $(uname -sr), uid $(id -u)"'
"$bindir/berth" list
echo "Berth is installed: berthd is running on $dir/unix.socket (log: $logdir/berthd.log)."
