#!/usr/bin/env bash
# tests/e2e/smoke_net.sh — smoke test of the e2e network harness (no sluiced).
#
# Proves: namespaces come up; both nginx backends answer from sl-cli; ffmpeg
# publishes RTMP and HLS appears; HAProxy in sl-lb (lb0 = 10.77.0.1 in the
# kernel) balances HTTP (roundrobin) and RTMP (tcp); teardown leaves nothing.
#
# Needs root. Installs missing Debian packages unless SL_E2E_NO_INSTALL=1.
# Whole run bounded by SL_SMOKE_TIMEOUT seconds (default 240).
# Exit 0 on success; prints "N passed, N failed" at the end.

set -uo pipefail

if [[ -z "${SL_SMOKE_UNDER_TIMEOUT:-}" ]]; then
    export SL_SMOKE_UNDER_TIMEOUT=1
    exec timeout -k 15 "${SL_SMOKE_TIMEOUT:-240}" bash "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/deps.sh
source "$HERE/lib/deps.sh"
# shellcheck source=lib/net.sh
source "$HERE/lib/net.sh"

PASS=0
FAIL=0
ok()   { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }

finish() {
    local rc=$?
    trap - EXIT
    sl_net_down
    echo "$PASS passed, $FAIL failed"
    if (( FAIL > 0 )); then exit 1; fi
    exit "$rc"
}
trap finish EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT

[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
if [[ "${SL_E2E_NO_INSTALL:-0}" != 1 ]]; then
    sl_e2e_install_deps || { bad "install deps"; exit 1; }
fi

# ------------------------------------------------------------------ net up
check "net up" sl_net_up || exit 1
for ns in "$SL_NS_CLI" "$SL_NS_LB" "$SL_NS_BE1" "$SL_NS_BE2" "$SL_NS_SW"; do
    check "namespace $ns exists" test -e "/run/netns/$ns"
done
check "lb0 has no IPv4 address" \
    bash -c "! ip -n '$SL_NS_LB' -4 -o addr show dev '$SL_LB_IF' | grep -q inet"
check "lb0 is up" bash -c "ip -n '$SL_NS_LB' link show dev '$SL_LB_IF' | grep -q 'state UP'"
check "ipv6 disabled on cli0" \
    bash -c "[[ \$(ip netns exec '$SL_NS_CLI' sysctl -n net.ipv6.conf.$SL_CLI_IF.disable_ipv6) == 1 ]]"

# ---------------------------------------------------------------- backends
check "backend be1 started" sl_backend_start sl-be1 be1
check "backend be2 started" sl_backend_start sl-be2 be2

body1=$(sl_in sl-cli timeout 5 curl -fsS "http://$SL_BE1_IP:5080/" || true)
body2=$(sl_in sl-cli timeout 5 curl -fsS "http://$SL_BE2_IP:5080/" || true)
check "curl be1 direct -> 'backend be1'" test "$body1" = "backend be1"
check "curl be2 direct -> 'backend be2'" test "$body2" = "backend be2"
hdr=$(sl_in sl-cli timeout 5 curl -fsS -D - -o /dev/null "http://$SL_BE1_IP:5080/" | tr -d '\r' || true)
check "X-Backend header from be1" grep -qi '^X-Backend: be1$' <<<"$hdr"
echo_out=$(sl_in sl-cli timeout 5 curl -fsS -H 'X-Forwarded-For: 192.0.2.7' -H 'X-Forwarded-Proto: https' \
    -b 'JSESSIONID=zz' "http://$SL_BE2_IP:5080/echo-headers" || true)
check "/echo-headers shows XFF"    grep -q '^x-forwarded-for: 192.0.2.7$' <<<"$echo_out"
check "/echo-headers shows XFP"    grep -q '^x-forwarded-proto: https$' <<<"$echo_out"
check "/echo-headers shows Cookie" grep -q '^cookie: JSESSIONID=zz$' <<<"$echo_out"
check "/echo-headers shows Host"   grep -q "^host: $SL_BE2_IP:5080\$" <<<"$echo_out"
sc=$(sl_in sl-cli timeout 5 curl -fsS -D - -o /dev/null "http://$SL_BE1_IP:5080/setcookie" | tr -d '\r' || true)
check "/setcookie sets JSESSIONID" grep -q '^Set-Cookie: JSESSIONID=abc123; Path=/$' <<<"$sc"
bigsz=$(sl_in sl-cli timeout 20 curl -fsS -o /dev/null -w '%{size_download}' "http://$SL_BE1_IP:5080/big" || true)
check "/big has SL_BIG_SIZE bytes ($bigsz)" test "$bigsz" = "$(numfmt --from=iec "$SL_BIG_SIZE")"

# -------------------------------------------------------------- RTMP -> HLS
# publish_and_wait URL HLS_FILE... — publish a 5 s test stream; succeed as
# soon as any of the given playlist files exists (print it), fail otherwise.
publish_and_wait() {
    local url=$1; shift
    local ff f found=""
    sl_in sl-cli timeout 30 ffmpeg -nostdin -hide_banner -loglevel error \
        -re -t 5 -f lavfi -i testsrc=size=320x240:rate=25 -re -t 5 -f lavfi -i sine \
        -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -c:a aac -f flv "$url" \
        >>"$SL_RUN_DIR/logs/ffmpeg.log" 2>&1 &
    ff=$!
    for _ in $(seq 150); do
        for f in "$@"; do
            [[ -s "$f" ]] && { found=$f; break 2; }
        done
        sleep 0.1
    done
    wait "$ff"
    local rc=$?
    [[ -n "$found" ]] && echo "$found"
    [[ -n "$found" && $rc -eq 0 ]]
}
HLS1="$SL_RUN_DIR/be/be1/hls"
HLS2="$SL_RUN_DIR/be/be2/hls"
check "ffmpeg publishes rtmp://$SL_BE1_IP/live/s1 and s1.m3u8 appears on be1" \
    publish_and_wait "rtmp://$SL_BE1_IP/live/s1" "$HLS1/s1.m3u8"
m3u8=$(sl_in sl-cli timeout 5 curl -fsS "http://$SL_BE1_IP:5080/hls/s1.m3u8" || true)
check "HLS playlist served over HTTP" grep -q '^#EXTM3U' <<<"$m3u8"

# -------------------------------------------------------------- HAProxy
check "lb0 gets $SL_VIP in the kernel" sl_lb_kernel_addr
HACFG="$SL_RUN_DIR/haproxy.cfg"
cat >"$HACFG" <<EOF
global
    log stderr format raw local0 notice
    maxconn 2000

defaults
    log global
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend fe_http
    mode http
    bind $SL_VIP:5080
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    default_backend be_http

backend be_http
    mode http
    balance roundrobin
    server be1 $SL_BE1_IP:5080
    server be2 $SL_BE2_IP:5080

frontend fe_rtmp
    mode tcp
    bind $SL_VIP:1935
    default_backend be_rtmp

backend be_rtmp
    mode tcp
    balance roundrobin
    server be1 $SL_BE1_IP:1935
    server be2 $SL_BE2_IP:1935
EOF
check "haproxy started" sl_haproxy_start "$HACFG"

n1=0; n2=0
for _ in $(seq 10); do
    b=$(sl_in sl-cli timeout 5 curl -fsS "http://$SL_VIP:5080/" || true)
    case "$b" in
        "backend be1") n1=$((n1 + 1)) ;;
        "backend be2") n2=$((n2 + 1)) ;;
    esac
done
echo "     haproxy http: be1=$n1 be2=$n2"
check "haproxy roundrobin HTTP 5/5 over both backends" test "$n1" -eq 5 -a "$n2" -eq 5
xff=$(sl_in sl-cli timeout 5 curl -fsS "http://$SL_VIP:5080/echo-headers" || true)
check "haproxy adds X-Forwarded-For = client IP" grep -q "^x-forwarded-for: $SL_CLI_IP\$" <<<"$xff"

# Two RTMP publishes through the VIP: roundrobin sends one to each backend.
r1=$(publish_and_wait "rtmp://$SL_VIP/live/r1" "$HLS1/r1.m3u8" "$HLS2/r1.m3u8")
check "RTMP r1 via haproxy -> HLS on a backend ($r1)" test -n "$r1"
r2=$(publish_and_wait "rtmp://$SL_VIP/live/r2" "$HLS1/r2.m3u8" "$HLS2/r2.m3u8")
check "RTMP r2 via haproxy -> HLS on a backend ($r2)" test -n "$r2"
check "RTMP r1 and r2 landed on different backends" \
    test -n "$r1" -a -n "$r2" -a "$(dirname "$r1")" != "$(dirname "$r2")"

check "haproxy stopped" sl_haproxy_stop
check "lb0 address flushed" sl_lb_kernel_flush
check "lb0 has no IPv4 after flush" \
    bash -c "! ip -n '$SL_NS_LB' -4 -o addr show dev '$SL_LB_IF' | grep -q inet"

# -------------------------------------------------------------- teardown
pids=$(cat "$SL_RUN_DIR"/pids/*.pid 2>/dev/null; for ns in $(sl__all_ns); do ip netns pids "$ns" 2>/dev/null; done)
sl_net_down
sl_net_down   # twice: must be harmless
left_ns=$(ip netns list | awk '{print $1}' | grep -E "^${SL_PREFIX}(cli|lb|be1|be2|sw)\$" || true)
check "no namespaces left" test -z "$left_ns"
alive=""
for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
check "no started process left (${pids//$'\n'/ })" test -z "$alive"
check "no pid files left" bash -c "! ls '$SL_RUN_DIR'/pids/*.pid >/dev/null 2>&1"
