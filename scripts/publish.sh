#!/usr/bin/env bash
# Publishes berthd and berth (Release) into one directory together with the native helper berth-fork and the
# in-process shim libberth-lxc.so, which berthd finds next to itself. Extra args go to dotnet publish.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
shift
make -s -C native/berth-fork
rm -rf "$out"
dotnet publish src/Berth.Daemon -c Release -o "$out" -v quiet -nologo "$@"
dotnet publish src/Berth.Cli -c Release -o "$out" -v quiet -nologo "$@"
install -m 0755 native/berth-fork/berth-fork "$out/berth-fork"
install -m 0755 native/berth-fork/libberth-lxc.so "$out/libberth-lxc.so"
