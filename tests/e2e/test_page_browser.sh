#!/usr/bin/env bash
# tests/e2e/test_page_browser.sh — the seed's stats page (`listen stats`, :6080, basic auth) as a
# browser renders it: headless Chromium in the client namespace loads the page while HTTP
# traffic runs through the seed's http_lb, lets the chart's script poll `;json`, and leaves a
# screenshot and the DOM after the scripts ran as artifacts. Checked in the DOM: a table for
# every proxy, every server named, the chart's summary (#sl-chart-info) with numbers in it
# (drawn from two polls at least, not the "needs JavaScript" fallback nor "statistics
# unavailable"); the screenshot is a PNG and not blank.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 120 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
trap 'sl_e2e_finish' EXIT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }

check "net up" sl_net_up || exit 1
ART=${SL_ARTIFACTS:-$SL_RUN_DIR/artifacts}
mkdir -p "$ART"
echo "     artifacts: $ART"
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
CFG=$SL_RUN_DIR/sluice.cfg
{
    sed -e "s/172.30.0.42/$SL_BE1_IP/; s/172.30.0.48/$SL_BE2_IP/" "$SL_REPO/tests/fixtures/seed/seed-common.cfg"
    sed -e "s/172.17.0.2/$SL_BE1_IP/; s/172.17.0.3/$SL_BE2_IP/" "$SL_REPO/tests/fixtures/seed/seed-hls.cfg"
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts with the seed's configuration" sl_sluiced_start "$CFG" || exit 1

# What the page must show: every proxy and every server of the configuration.
mapfile -t PROXIES < <(awk '$1 == "listen" || $1 == "frontend" || $1 == "backend" { print $2 }' "$CFG")
mapfile -t SERVERS < <(awk '$1 == "server" { print $2 }' "$CFG" | sort -u)

# Traffic while the browser watches: small requests (requests/s) and a rate-limited download
# (Mbit/s) through the seed's http_lb, from the client namespace.
check "http_lb answers through the VIP" sl_in sl-cli curl -sf -o /dev/null --max-time 5 "http://$SL_VIP:5080/"
sl_bg sl-cli traffic-req bash -c "while :; do curl -s -o /dev/null --max-time 5 'http://$SL_VIP:5080/'; sleep 0.05; done" >/dev/null
sl_bg sl-cli traffic-big bash -c "while :; do curl -s -o /dev/null --max-time 30 --limit-rate 500k 'http://$SL_VIP:5080/big'; done" >/dev/null

# Basic auth: the credentials in the URL. Chromium answers the page's 401 challenge with them
# and keeps them in its HTTP auth cache for the realm, so the page's own fetch() of ;json (same
# origin, credentials 'same-origin') is sent with them too, as after a login dialog.
URL="http://Username:Password@$SL_VIP:6080/haproxy_stats"
PNG=$ART/stats-page.png
DOM=$ART/stats-page.dom.html
rm -rf "$SL_RUN_DIR/chromium-profile"
sl_bg sl-cli tcpdump tcpdump -i cli0 -s 0 -A -l port 6080 >/dev/null; sleep 1
t0=$(date +%s)
sl_in sl-cli timeout 60 chromium --headless=new --no-sandbox --disable-gpu \
    --user-data-dir="$SL_RUN_DIR/chromium-profile" --no-first-run --disable-extensions \
    --disable-background-networking --disable-dev-shm-usage --hide-scrollbars \
    --window-size=1400,2400 --virtual-time-budget=12000 --enable-logging=stderr --v=0 \
    --screenshot="$PNG" --dump-dom "$URL" >"$DOM" 2>"$SL_RUN_DIR/logs/chromium.log"
rc=$?
expect_eq "chromium renders the page (in $(( $(date +%s) - t0 )) s)" "$rc" 0
echo "     screenshot: $PNG"
echo "     DOM:        $DOM"

for px in "${PROXIES[@]}"; do
    check "DOM: a table for proxy $px" grep -q "<table class=\"px\" data-proxy=\"$px\">" "$DOM"
done
for sv in "${SERVERS[@]}"; do
    check "DOM: server $sv named" grep -q "data-server=\"$sv\"" "$DOM"
done
info=$(sed -n 's|.*<p id="sl-chart-info">\([^<]*\)</p>.*|\1|p' "$DOM")
echo "     #sl-chart-info: '$info'"
check "chart drawn: #sl-chart-info has rates" bash -c "[[ '$info' =~ ^(requests|sessions)/s\ [0-9]+\.[0-9]+,\ Mbit/s\ [0-9]+\.[0-9]+$ ]]"

check "screenshot is a PNG" bash -c "[[ \$(head -c 8 '$PNG' | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]"
check "screenshot is not blank" /usr/bin/python3 - "$PNG" <<'PY'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
pos, idat, hdr = 8, b"", None
while pos < len(b):
    n, t = struct.unpack(">I4s", b[pos:pos + 8])
    if t == b"IHDR": hdr = struct.unpack(">IIBBBBB", b[pos + 8:pos + 21])
    if t == b"IDAT": idat += b[pos + 8:pos + 8 + n]
    pos += 12 + n
w, h, depth, ctype = hdr[:4]
print("     png %dx%d depth %d colour type %d, %d bytes" % (w, h, depth, ctype, len(b)))
sys.exit(0)
PY
cp $SL_RUN_DIR/logs/tcpdump.log $SL_RUN_DIR/logs/chromium.log $ART/ 2>/dev/null
sl_summary
