#!/usr/bin/env bash
# Publishes berthd and berth (Release) into one directory together with the native helper berth-fork, the
# containers' stop hook berth-stophook and the in-process shim libberth-lxc.so, which berthd finds next to itself. Extra args go to dotnet publish.
# berth is compiled ahead of time (NativeAOT): a CLI started per command pays .NET's JIT start-up (~150 ms)
# otherwise, which alone is more than `berth exec`'s 40 ms budget. NativeAOT needs a RID-specific build, so the
# CLI is always built here (--no-build is dropped for it).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
shift
cli_args=()
for a in "$@"; do [ "$a" = --no-build ] || cli_args+=("$a"); done
case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "publish: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
make -s -C native/berth-fork
rm -rf "$out"
dotnet publish src/Berth.Daemon -c Release -o "$out" -v quiet -nologo "$@"
dotnet publish src/Berth.Cli -c Release -r "$rid" -p:PublishAot=true -o "$out.cli" -v quiet -nologo ${cli_args[@]+"${cli_args[@]}"}
install -m 0755 "$out.cli/berth" "$out/berth"
rm -rf "$out.cli"
install -m 0755 native/berth-fork/berth-fork "$out/berth-fork"
install -m 0755 native/berth-fork/berth-stophook "$out/berth-stophook"
install -m 0755 native/berth-fork/libberth-lxc.so "$out/libberth-lxc.so"
