#!/usr/bin/env bash
# Publishes berthd and berth (Release) into one directory together with the native helper berth-fork, the
# containers' stop hook berth-stophook and the in-process shim libberth-lxc.so, which berthd finds next to itself. Extra args go to dotnet publish.
# Both are compiled ahead of time (NativeAOT). berth: a CLI started per command pays .NET's JIT start-up (~150 ms)
# otherwise, which alone is more than `berth exec`'s 40 ms budget. berthd: with JIT its RSS with 50 running
# containers was 117-134 MB, about 70 MB of it IL assemblies mapped and JIT-compiled code (bench/README.md).
# NativeAOT needs a RID-specific build, so both are always built here (--no-build is dropped).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
shift
args=()
for a in "$@"; do [ "$a" = --no-build ] || args+=("$a"); done
case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "publish: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
make -s -C native/berth-fork
rm -rf "$out"
dotnet publish src/Berth.Daemon -c Release -r "$rid" -p:PublishAot=true -o "$out" -v quiet -nologo ${args[@]+"${args[@]}"}
dotnet publish src/Berth.Cli -c Release -r "$rid" -p:PublishAot=true -o "$out.cli" -v quiet -nologo ${args[@]+"${args[@]}"}
# Debug symbols, XML docs and the web SDK's manifest are not needed to run.
rm -f "$out"/*.pdb "$out"/*.xml "$out"/*.dbg "$out"/*.staticwebassets.endpoints.json
install -m 0755 "$out.cli/berth" "$out/berth"
rm -rf "$out.cli"
install -m 0755 native/berth-fork/berth-fork "$out/berth-fork"
install -m 0755 native/berth-fork/berth-stophook "$out/berth-stophook"
install -m 0755 native/berth-fork/libberth-lxc.so "$out/libberth-lxc.so"
