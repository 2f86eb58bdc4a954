#!/usr/bin/env bash
# Makes sure the host tools LXD's shell test suite uses are present (main.sh's check_dependencies list, plus
# what its helpers call). Debian packages only. Usage: deps.sh [--no-install]
set -euo pipefail

# command:package
deps=(
    curl:curl jq:jq git:git sqlite3:sqlite3
    xgettext:gettext msgmerge:gettext msgfmt:gettext
    dnsmasq:dnsmasq-base        # the binary only; the dnsmasq package would start a system service
    shuf:coreutils timeout:coreutils
    setfacl:acl socat:socat dig:bind9-dnsutils
    busybox:busybox-static      # ensure_import_testimage builds the test image from a static /bin/busybox
    python3:python3             # deps/import-busybox
    nsenter:util-linux mountpoint:util-linux
    script:bsdutils             # the runner gives main.sh a pseudo-terminal (tests that check tty -s)
    ip:iproute2
    lxc:lxd-client              # LXD 5.0.2's client
)

missing=()
for d in "${deps[@]}"; do
    cmd=${d%%:*} pkg=${d#*:}
    command -v "$cmd" >/dev/null 2>&1 && continue
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
done
# import-busybox copies /bin/busybox into the image: it must be the static build.
if [ -x /bin/busybox ] && ldd /bin/busybox >/dev/null 2>&1; then
    [[ " ${missing[*]} " == *" busybox-static "* ]] || missing+=(busybox-static)
fi

[ ${#missing[@]} -eq 0 ] && exit 0
if [ "${1:-}" = --no-install ]; then
    echo "missing Debian packages: ${missing[*]} (run without --no-install to install them)" >&2
    exit 1
fi
echo "==> apt-get install ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
