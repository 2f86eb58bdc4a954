#!/usr/bin/env bash
# Installs Debian packages Berth needs. "runtime": what berthd uses; "test": that plus the real LXD clients
# the compatibility tests drive. Idempotent: apt is only asked when something is missing.
set -euo pipefail
mode=${1:-runtime}

# Test: the real LXD 5.0.2 client, daemon (a peer in image and migration tests) and pylxd. Runtime: liblxc and its tools, lxcfs, idmaps, rsync (migration and copies), compressors (backups and publish), image tools (debootstrap for the Debian builder), btrfs-progs for btrfs pools, dnsmasq-base, nftables and iproute2 for managed bridges; build: gcc and lxc-dev for native/berth-fork, zlib1g-dev for the NativeAOT link of berth.
runtime_packages=(ca-certificates util-linux lxc liblxc1 lxcfs uidmap rsync xz-utils zstd bzip2 squashfs-tools debootstrap busybox-static btrfs-progs dnsmasq-base nftables iproute2 gcc make pkg-config lxc-dev zlib1g-dev)
test_packages=(lxd-client lxd python3-pylxd curl)

packages=("${runtime_packages[@]}")
[ "$mode" = test ] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "install-deps: the .NET 10 SDK (dotnet) is required and is not on PATH" >&2
    exit 1
fi

# Unprivileged containers map root to Berth's default range (Idmap.Default); with uidmap installed liblxc goes
# through newuidmap, which refuses ranges root has not been given, so give them as LXD's package does.
for f in /etc/subuid /etc/subgid; do
    grep -q '^root:' "$f" 2>/dev/null || echo "root:1000000:1000000000" >>"$f"
done
