#!/usr/bin/env bash
# Runs every test of this checkout as CI does: installs what the tests need, builds (warnings are errors),
# checks formatting, publishes berthd and berth for the system tests, runs unit, daemon and system tests,
# and ends with one summary line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ]; then
    echo "test.sh: the system tests run real daemons and need root" >&2
    exit 1
fi

./scripts/install-deps.sh test

echo "==> build"
make -s -C native/berth-fork
dotnet build Berth.slnx -c Release -v quiet -nologo

echo "==> format"
dotnet format Berth.slnx --verify-no-changes --no-restore -v quiet

echo "==> publish berthd and berth (with the native helper)"
./scripts/publish.sh artifacts/publish --no-build
export BERTH_BIN="$PWD/artifacts/publish"

passed=0 failed=0 status=0
failures=$(mktemp)
run_tests() {
    local project=$1 log
    log=$(mktemp)
    echo "==> $project"
    if ! dotnet test "$project" -c Release --no-build -v quiet -nologo --logger "console;verbosity=minimal" 2>&1 | tee "$log"; then
        status=1
    fi
    local line
    line=$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -1 || true)
    if [ -z "$line" ]; then
        echo "$project: no test summary (crashed or no tests)" >&2
        status=1
        failed=$((failed + 1))
    else
        failed=$((failed + $(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$line")))
        passed=$((passed + $(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$line")))
    fi
    # Each failure's message, kept for the end of the output where a CI log's tail shows it.
    awk '/^  Failed /{n=0; keep=1} /^(Passed|Failed)! /{keep=0} keep && n++ < 30' "$log" >>"$failures"
    rm -f "$log"
}

for project in test/Berth.Api.Tests test/Berth.Server.Tests test/Berth.Client.Tests test/Berth.Cli.Tests test/Berth.Native.Tests test/Berth.Daemon.Tests test/Berth.System.Tests; do
    run_tests "$project"
done

if [ -s "$failures" ]; then
    echo "==> failures"
    cat "$failures"
fi
rm -f "$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
