#!/usr/bin/env bash
# Runs suites of LXD's own shell test suite (a checkout of canonical/lxd's test/ folder, supplied by the user) with
# berthd standing in as `lxd` on PATH, and prints which pass. See docs/upstream-suite.md.
#
#   scripts/lxd-upstream-suite.sh --lxd-tests /path/to/lxd/test [--berthd PATH] [options] [suite ...]
#
# A suite is a test name as `main.sh <name>` takes it (test_<name>), or a file of suites/ (config -> every
# test_* of suites/config.sh that main.sh runs), or a prefix (test_<name>_*). Each test runs on its own:
# `./main.sh <test>` with LXD_BACKEND=dir, under a timeout, in a private copy of the test folder.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
default_suites=(query exec config snapshots image filtering operations)

usage() {
    cat <<EOF
usage: $0 --lxd-tests DIR [--berthd PATH] [--results DIR] [--timeout SECONDS] [--no-install] [--strict]
          [--no-trace] [--no-tty] [suite ...]

  --lxd-tests DIR   LXD's test/ folder (or an LXD checkout containing test/); it is copied, never written to
  --berthd PATH     berthd to test (default: $repo/artifacts/publish/berthd, else berthd on PATH)
  --results DIR     where logs go (default: $repo/artifacts/lxd-upstream-suite/<UTC time>)
  --timeout N       seconds per test (default 600)
  --no-install      do not apt-get install missing dependencies; fail instead
  --strict          the lxd shim passes arguments through unchanged (no compatibility mapping)
  --no-trace        do not set LXD_VERBOSE=1 (then the suite passes lxd an empty argument, and failures are
                    located less precisely)
  --no-tty          run main.sh without a pseudo-terminal (then tests that need one, such as config_edit, SKIP)
  suite ...         default: ${default_suites[*]}

Must run as root (LXD's suite mounts tmpfs and needs root). LXD_VERBOSE=1 is set unless --no-trace, LXD_VERBOSE
or LXD_DEBUG is given: it traces the suite with set -x, which is how failures are located.
EOF
}

lxd_tests="" berthd="" results="" timeout_s=600 install=1 strict=0 trace=1 tty=1 suites=()
while [ $# -gt 0 ]; do
    case "$1" in
        --lxd-tests) lxd_tests=${2:?--lxd-tests needs a directory}; shift 2 ;;
        --lxd-tests=*) lxd_tests=${1#*=}; shift ;;
        --berthd) berthd=${2:?--berthd needs a path}; shift 2 ;;
        --berthd=*) berthd=${1#*=}; shift ;;
        --results) results=${2:?--results needs a directory}; shift 2 ;;
        --results=*) results=${1#*=}; shift ;;
        --timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
        --timeout=*) timeout_s=${1#*=}; shift ;;
        --no-install) install=0; shift ;;
        --strict) strict=1; shift ;;
        --no-trace) trace=0; shift ;;
        --no-tty) tty=0; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
        *) suites+=("$1"); shift ;;
    esac
done
[ ${#suites[@]} -gt 0 ] || suites=("${default_suites[@]}")

die() { echo "lxd-upstream-suite: $*" >&2; exit 2; }
[ -n "$lxd_tests" ] || { usage >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (LXD's test suite mounts tmpfs and manages daemons)"
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"

# LXD's test folder: accept the folder itself or a checkout that contains it.
[ -f "$lxd_tests/main.sh" ] || { [ -f "$lxd_tests/test/main.sh" ] && lxd_tests="$lxd_tests/test"; }
{ [ -f "$lxd_tests/main.sh" ] && [ -d "$lxd_tests/suites" ] && [ -d "$lxd_tests/includes" ]; } ||
    die "$lxd_tests is not LXD's test/ folder (no main.sh, suites/, includes/)"
lxd_tests=$(cd "$lxd_tests" && pwd)

# berthd: --berthd, else the repository's published build, else PATH.
if [ -z "$berthd" ]; then
    if [ -x "$repo/artifacts/publish/berthd" ]; then
        berthd="$repo/artifacts/publish/berthd"
    else
        berthd=$(command -v berthd) ||
            die "no berthd: build one (dotnet publish src/Berth.Daemon -c Release -o artifacts/publish) or pass --berthd"
    fi
fi
[ -x "$berthd" ] || die "--berthd $berthd is not executable"
berthd=$(cd "$(dirname "$berthd")" && pwd)/$(basename "$berthd")
berthd_version=$("$berthd" --version 2>/dev/null || echo unknown)
# berthd's sub-commands, from its help; the shim refuses the others with a clear message.
# ("Commands:" is berthd's heading, "Available Commands:" lxd's, so --berthd /usr/bin/lxd gives a baseline run.)
berthd_commands=$("$berthd" --help 2>/dev/null |
    awk '/^(Available )?Commands:/ { f = 1; next } f && !NF { f = 0 } f { printf "%s ", $1 }')
# The real lxd hides some sub-commands (sql, forkstart, ...) from its help: let a baseline run pass them all.
"$berthd" --help 2>/dev/null | grep -q '^Available Commands:' && berthd_commands='*'

# Dependencies (Debian packages).
if [ "$install" = 1 ]; then "$here/lxd-upstream/deps.sh"; else "$here/lxd-upstream/deps.sh" --no-install; fi
lxc_version=$(lxc --version 2>/dev/null || echo unknown)
case "$lxc_version" in 5.0.*) ;; *) echo "warning: lxc is $lxc_version; the suite and berthd target LXD 5.0.x" >&2 ;; esac

[ -n "$results" ] || results="$repo/artifacts/lxd-upstream-suite/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$results"
results=$(cd "$results" && pwd)

# Scratch: a private copy of the test folder (main.sh makes its temp dirs in its working directory), the shim
# dir, and the bookkeeping the shim writes. Everything under it is removed on exit.
work=$(mktemp -d /tmp/berth-lxd-suite.XXXXXX)
# mktemp makes it 0700; unprivileged containers' root filesystems live below it (main.sh makes its dirs in the
# working directory and chmods them +x), so others must be able to traverse it, as a checkout's test/ folder is.
chmod 0711 "$work"
case "$work" in /var/lib/lxd*|/var/lib/berth*) die "refusing scratch dir $work" ;; esac
runner=""

ours() { { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qx "BERTH_SUITE_WORK=$work"; }

stop_leftovers() {
    # Only what our shims started for this run (berthd daemons, the macaroon-identity placeholder): PIDs they
    # recorded, still carrying our scratch dir in their environment.
    local pid pids=()
    [ -f "$work/pids" ] || return 0
    while read -r pid; do
        [ -n "$pid" ] || continue
        if ours "$pid"; then pids+=("$pid"); fi
    done <"$work/pids"
    [ ${#pids[@]} -gt 0 ] || return 0
    echo "==> stopping leftover processes ${pids[*]}" >&2
    kill -TERM "${pids[@]}" 2>/dev/null || true
    local alive
    for _ in $(seq 20); do
        alive=0
        for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive=1; done
        [ "$alive" = 1 ] || break
        sleep 0.5
    done
    for pid in "${pids[@]}"; do
        if ours "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    : >"$work/pids"
}

stop_containers() {
    # Containers outlive their daemon by design: a test that timed out leaves its running ones (and their veths)
    # behind, and main.sh's cleanup may already have removed their dir. Their liblxc monitors name the path, so
    # only those whose path is below our scratch dir are stopped (liblxc's command socket still answers).
    local path name
    ps -eo args= | awk -v root="$work/" '$1 == "[lxc" && $2 == "monitor]" && index($3, root) == 1 { print $3, $4 }' |
        while read -r path name; do
            echo "==> stopping leftover container $name in $path" >&2
            lxc-stop -P "$path" -n "$name" -k 2>/dev/null || true
        done
}

unmount_under() {
    # Deepest first; main.sh mounts a tmpfs at $TEST_DIR/dev and unmounts it only if its cleanup trap runs.
    local m
    awk -v root="$1/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
}

cleanup() {
    trap - EXIT INT TERM HUP
    if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
        kill -TERM "$runner" 2>/dev/null || true   # timeout(1) passes it on to the suite's process group
        for _ in $(seq 30); do kill -0 "$runner" 2>/dev/null || break; sleep 1; done
        kill -KILL "$runner" 2>/dev/null || true
    fi
    stop_leftovers
    stop_containers
    unmount_under "$work"
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM HUP

mkdir -p "$work/test" "$work/bin" "$work/daemon-logs"
tar -C "$lxd_tests" --exclude='./tmp.*' -cf - . | tar -C "$work/test" -xf -
install -m 0755 "$here/lxd-upstream/lxd" "$work/bin/lxd"
install -m 0755 "$here/lxd-upstream/go" "$work/bin/go"
for tool in lxd-agent lxd-user lxd-benchmark lxd-migrate lxd-p2c fuidshift lxc-to-lxd devlxd-client; do
    install -m 0755 "$here/lxd-upstream/not-provided" "$work/bin/$tool"
done
: >"$work/pids"
: >"$results/shim.log"

# Expand a suite name to the tests main.sh can run.
resolve() {
    local name=$1 t
    if grep -qE "^test_${name}[[:space:]]*\(\)" "$work/test/suites/"*.sh; then
        echo "$name"
    elif [ -f "$work/test/suites/$name.sh" ]; then
        local defined listed=()
        defined=$(grep -oE '^test_[A-Za-z0-9_]+' "$work/test/suites/$name.sh" | sort -u)
        # Keep main.sh's order; functions main.sh never runs directly are helpers of other tests.
        while read -r t; do
            grep -qx "$t" <<<"$defined" && listed+=("${t#test_}")
        done < <(grep -oE '^[[:space:]]*run_test test_[A-Za-z0-9_]+' "$work/test/main.sh" | awk '{ print $2 }' | awk '!seen[$0]++')
        if [ ${#listed[@]} -gt 0 ]; then printf '%s\n' "${listed[@]}"; else while read -r t; do echo "${t#test_}"; done <<<"$defined"; fi
    else
        grep -oE "^test_${name}_[A-Za-z0-9_]+[[:space:]]*\(\)" "$work/test/suites/"*.sh -h | sed -E 's/^test_//; s/[[:space:]]*\(\)$//' | sort -u
    fi
}

suite_env=(
    env -u BERTH_DIR -u LXD_DIR -u LXD_CONF -u GOPATH -u LXD_BACKEND
    PATH="$work/bin:$PATH" USER=root LXD_BACKEND=dir LXD_OFFLINE=1
    BERTH_SUITE_BERTHD="$berthd" BERTH_SUITE_COMMANDS="$berthd_commands" BERTH_SUITE_WORK="$work"
    BERTH_SUITE_PIDS="$work/pids" BERTH_SUITE_SHIMLOG="$results/shim.log" BERTH_SUITE_STRICT="$strict"
)
[ "$trace" = 0 ] || [ -n "${LXD_VERBOSE:-}${LXD_DEBUG:-}" ] || suite_env+=(LXD_VERBOSE=1)

rows=() passed=0 failed=0 skipped=0
row() {
    local line
    line=$(printf '%-50s %-4s %6s  %s' "$1" "$2" "$3" "$4")
    rows+=("$line")
    echo "$line"
}

{
    echo "LXD upstream suite against berthd, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "berthd: $berthd ($berthd_version); lxc: $lxc_version; tests: $lxd_tests"
    echo "results: $results"
} | tee "$results/header.txt"
printf '%-50s %-4s %6s  %s\n' suite result secs "first error"

run_one() {
    local label=$1 test=$2 log start rc status reason links_before new_links
    log="$results/${label//\//__}.log"
    links_before=$(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | sort)
    start=$(date +%s)
    echo "==> lxd-upstream-suite: ./main.sh $test (timeout ${timeout_s}s)" >>"$results/shim.log"
    set +e
    local cmd=("${suite_env[@]}" timeout -k 30 "$timeout_s" ./main.sh "$test")
    if [ "$tty" = 1 ]; then
        # Some tests need a terminal on stdin (config_edit: `tty -s`, then `EDITOR=cat lxc config edit`): script(1)
        # gives main.sh a pseudo-terminal as its stdin and controlling terminal; its output still goes straight
        # to the log (no CRs), so lxc sees no terminal on stdout and stays non-interactive where it was.
        # timeout(1) goes outside script(1): inside, it would put main.sh in a process group of its own, in the
        # background of the pseudo-terminal, and the first command that reads that terminal (`lxc exec` with the
        # terminal as stdin) would stop main.sh and everything it started with SIGTTIN until the timeout.
        local inner=("${suite_env[@]}" ./main.sh "$test")
        (cd "$work/test" && exec timeout -k 30 "$timeout_s" env SHELL=/bin/bash script -qfec "$(printf '%q ' "${inner[@]}") >$(printf '%q' "$log") 2>&1" /dev/null) >>"$log" 2>&1 </dev/null &
    else
        (cd "$work/test" && exec "${cmd[@]}") >"$log" 2>&1 </dev/null &
    fi
    runner=$!
    wait "$runner"
    rc=$?
    set -e
    runner=""
    local secs=$(( $(date +%s) - start ))

    stop_leftovers
    stop_containers
    unmount_under "$work/test"
    rm -rf --one-file-system "$work/test"/tmp.*
    if compgen -G "$work/daemon-logs/*.log" >/dev/null; then
        mkdir -p "$results/${label//\//__}.berthd"
        mv "$work/daemon-logs/"*.log "$results/${label//\//__}.berthd/"
    fi

    # The suite's own cleanup removes what it created; LXD leaves a veth pair behind when a container fails to
    # start. Report new host interfaces, do not delete them: another process may own them.
    new_links=$(comm -13 <(echo "$links_before") <(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | sort) | tr '\n' ' ')
    [ -z "${new_links// /}" ] || echo "warning: host interfaces appeared during $label: $new_links" >&2

    if [ "$rc" = 0 ] && grep -q '^==> Test result: success' "$log"; then
        if grep -q '^==> SKIP: ' "$log"; then
            status=SKIP reason=$(grep -m1 '^==> SKIP: ' "$log" | sed 's/^==> SKIP: //')
            skipped=$((skipped + 1))
        else
            status=PASS reason="" passed=$((passed + 1))
        fi
    else
        status=FAIL failed=$((failed + 1))
        reason=$(awk -f "$here/lxd-upstream/first-error.awk" "$log")
        case "$rc" in 124|137) reason="timed out after ${timeout_s}s; last: $reason" ;; esac
    fi
    row "$label" "$status" "$secs" "$reason"
}

for suite in "${suites[@]}"; do
    if ! [[ "$suite" =~ ^[A-Za-z0-9_]+$ ]]; then
        row "$suite" SKIP 0 "not a test name"; skipped=$((skipped + 1)); continue
    fi
    mapfile -t tests < <(resolve "$suite")
    if [ ${#tests[@]} -eq 0 ]; then
        row "$suite" SKIP 0 "no test_$suite, suites/$suite.sh or test_${suite}_* in this checkout"
        skipped=$((skipped + 1))
        continue
    fi
    for t in "${tests[@]}"; do
        if [ ${#tests[@]} -eq 1 ] && [ "$t" = "$suite" ]; then run_one "$suite" "$t"; else run_one "$suite/$t" "$t"; fi
    done
done

summary="$passed passed, $failed failed, $skipped skipped"
{ cat "$results/header.txt"; printf '%-50s %-4s %6s  %s\n' suite result secs "first error"; printf '%s\n' "${rows[@]}"; echo "$summary"; } >"$results/summary.txt"
echo "logs: $results"
echo "$summary"
[ "$failed" = 0 ]
