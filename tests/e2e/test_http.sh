#!/usr/bin/env bash
# tests/e2e/test_http.sh — the HTTP/1.1 proxy, end to end, against HAProxy and/or sluice with the
# same configuration (the seed's seed-common.cfg + seed-hls.cfg, plus a test frontend/backend pair
# on :8080, the seed-https backend_http on :8081, both appended below):
#  - X-Forwarded-For (appended to a client's), X-Forwarded-Proto (reqadd), set-header, del-header;
#  - HLS stickiness: Set-Cookie JSESSIONID=amsN~..., 50 requests with it on one backend which sees
#    the cookie unprefixed, 50 without spread over both; Cache-Control with `nocache`;
#  - redirect scheme https (seed-https backend_http), status and Location;
#  - 100 MiB download byte-exact, chunked upload (PUT, WebDAV on nginx) byte-exact;
#  - WebSocket through the proxy, idle longer than `timeout client`; a 426/200 answer to an Upgrade
#    request is no tunnel (the next request on the connection is HTTP again);
#  - slowloris: 408 after `timeout http-request`, connection closed;
#  - request smuggling and malformed requests: 400 + close, the backend never sees them, while a
#    keep-alive client next to them keeps getting 200s;
#  - a fixed request set whose status and headers (Set-Cookie, Cache-Control, Location, Connection,
#    ... not Date/Server/Last-Modified/ETag, nor the Content-Length of error pages) must be the
#    same for sluice as for HAProxy, 503s with both backends stopped included; among them
#    absolute-form targets against their Host (one authority: 400, or the request-line and Host
#    the backend receives, through lib/head_echo.py on :9002).
#
# SL_HTTP_TARGET=haproxy|sluice|both (default both: HAProxy in sl-lb on the kernel address first,
# then sluiced). The HAProxy run saves its answers to $SL_HTTP_REF (default
# /tmp/sluice-e2e-http-haproxy.ref, outside the run dir so a sluice-only run can compare), and the
# sluice run compares with them. Where HAProxy itself accepts a malformed request, the haproxy run
# prints an info line; the sluice run requires 400 + close for every case.
# Needs root (and ./build for sluice). Prints "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 300 "$0" "$@"
export SL_BIG_SIZE=${SL_BIG_SIZE:-100M}
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"

TARGET=${SL_HTTP_TARGET:-both}
case $TARGET in
    haproxy | sluice) TARGETS=("$TARGET") ;;
    both) TARGETS=(haproxy sluice) ;;
    *) echo "SL_HTTP_TARGET must be haproxy, sluice or both (got '$TARGET')" >&2; exit 2 ;;
esac
REF=${SL_HTTP_REF:-/tmp/sluice-e2e-http-haproxy.ref}
PROBE=$HERE/lib/http_probe.py
PY=/usr/bin/python3
TMO_CLIENT=2        # timeout client and timeout http-request of the test frontend (s)
IDLE=3.5            # WebSocket idle time, longer than TMO_CLIENT

trap 'sl_e2e_finish' EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT

[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
if [[ " ${TARGETS[*]} " == *" sluice "* ]]; then
    [[ -x $SL_SLUICED && -x $SL_CTL ]] || { echo "build first (ninja -C build)" >&2; exit 1; }
    if [[ $TARGET == sluice && ! -s $REF ]]; then
        echo "no HAProxy reference $REF: run with SL_HTTP_TARGET=haproxy (or both) first" >&2; exit 1
    fi
fi
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
sl_bg sl-be1 ws-echo "$PY" "$HERE/lib/ws_echo.py" 9001 >/dev/null
check "WebSocket echo server in sl-be1 (:9001)" sl_wait_listen sl-be1 9001
sl_bg sl-be1 head-echo "$PY" "$HERE/lib/head_echo.py" 9002 >/dev/null
check "head echo server in sl-be1 (:9002)" sl_wait_listen sl-be1 9002
# a static file (ETag, Last-Modified: cacheable) on both backends for cookie insert + nocache
for b in be1 be2; do printf 'static\n' >"$SL_RUN_DIR/be/$b/www/up/ins.txt"; done

# ------------------------------------------------------------------ configuration
# make_cfg haproxy|sluice — the same configuration for both; HAProxy 2.1+ refuses `reqadd` (sluice
# translates it), so HAProxy gets the `http-request add-header` it stands for; sluice also gets
# its stats socket and dataplane section.
make_cfg() {
    local xfp
    if [[ $1 == haproxy ]]; then
        xfp='http-request add-header X-Forwarded-Proto http'
    else
        xfp='reqadd X-Forwarded-Proto:\ http'
    fi
    sed -e "s/172.30.0.42/$SL_BE1_IP/; s/172.30.0.48/$SL_BE2_IP/" "$SL_REPO/tests/fixtures/seed/seed-common.cfg"
    sed -e "s/172.17.0.2/$SL_BE1_IP/; s/172.17.0.3/$SL_BE2_IP/" "$SL_REPO/tests/fixtures/seed/seed-hls.cfg"
    cat <<EOT

# ---- test_http.sh: a frontend/backend pair of its own
frontend t_http
    bind *:8080
    mode http
    timeout client ${TMO_CLIENT}s
    timeout http-request ${TMO_CLIENT}s
    option forwardfor
    http-request set-header X-Test yes
    http-request del-header X-Remove-Me
    $xfp
    use_backend t_ws if { path_beg /ws }
    use_backend t_head if { path_beg /head-echo }
    use_backend t_insert if { path_beg /ins /up/ins }
    default_backend t_http_sticky

backend t_http_sticky
    mode http
    cookie JSESSIONID prefix nocache
    server ams1 $SL_BE1_IP:5080 check cookie ams1
    server ams2 $SL_BE2_IP:5080 check cookie ams2

# HAProxy adds "Cache-Control: private" for nocache only where it inserts the cookie itself, and
# only to a cacheable response (GET, 200, with a validator or an expiry: /up/ins.txt, not /ins/a)
backend t_insert
    mode http
    cookie SRVID insert indirect nocache
    server s1 $SL_BE1_IP:5080 check cookie s1
    server s2 $SL_BE2_IP:5080 check cookie s2

backend t_ws
    mode http
    timeout server ${TMO_CLIENT}s
    timeout tunnel 30s
    server ws1 $SL_BE1_IP:9001

# the request head as the proxy forwards it (request-target and Host of absolute-form requests)
backend t_head
    mode http
    server he1 $SL_BE1_IP:9002

# ---- seed-https.cfg's plain-HTTP half (no TLS yet): its http_lb on :8081, its backend_http
frontend t_https_http_lb
    bind *:8081
    mode http
    $xfp
    default_backend t_https_backend_http

EOT
    # seed-https.cfg's backend_http, verbatim but renamed (both its servers point at .42 in the
    # seed; ams2 goes to be2 here)
    awk '/^backend backend_http/ { on = 1 } on && /^(frontend|listen|defaults|global)/ { on = 0 } on' \
        "$SL_REPO/tests/fixtures/seed/seed-https.cfg" |
        sed -e 's/^backend backend_http/backend t_https_backend_http/' \
            -e "/server ams2/s/172.30.0.42/$SL_BE2_IP/" -e "s/172.30.0.42/$SL_BE1_IP/"
    if [[ $1 == sluice ]]; then
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
        sl_dataplane_cfg af_xdp
    fi
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# probe CMD ARGS... — run http_probe.py in sl-cli; its "ok|bad|info<TAB>text" lines are counted here
probe() {
    local kind text
    while IFS=$'\t' read -r kind text; do
        case $kind in
            ok) ok "$text" ;;
            bad) bad "$text" ;;
            info) echo "     $text" ;;
            *) echo "     $kind${text:+ $text}" ;;
        esac
    done < <(sl_in sl-cli "$PY" "$PROBE" "$@" 2>&1)
}

start_target() {
    case $1 in
        haproxy)
            sl_lb_kernel_addr
            sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg" || { bad "HAProxy starts with the configuration"; return 1; }
            ok "HAProxy starts with the configuration"
            ;;
        sluice)
            sl_haproxy_stop
            check "configuration passes sluiced -c" "$SL_SLUICED" -q -c -f "$SL_RUN_DIR/sluice.cfg"
            sl_sluiced_start "$SL_RUN_DIR/sluice.cfg" || { bad "sluiced starts with the configuration"; return 1; }
            ok "sluiced starts with the configuration"
            ;;
    esac
    local p
    for p in 5080 8080 8081; do
        sl_wait_tcp sl-cli "$SL_VIP" "$p" 10 || { bad "$1 does not accept on $SL_VIP:$p"; return 1; }
    done
}

stop_target() {
    case $1 in
        haproxy) sl_haproxy_stop ;;
        sluice) sl_sluiced_stop ;;
    esac
}

# ------------------------------------------------------------------ the checks, for one target
run_checks() {
    local t=$1 want got code up
    local cmp=$SL_RUN_DIR/compare-$t.txt rec=$SL_RUN_DIR/record-$t.txt
    rm -f "$cmp" "$rec"

    echo "# --- $t: headers"
    probe headers "$SL_VIP"

    echo "# --- $t: HLS stickiness (seed-hls backend_http_sticky, :5080)"
    probe sticky "$SL_VIP" 5080 "$t" "$rec"
    echo "# --- $t: cookie prefix + nocache, cookie insert + nocache (:8080)"
    probe cookies "$SL_VIP" 8080 "$t" "$rec"

    echo "# --- $t: redirect scheme https (seed-https backend_http, :8081)"
    probe redirect "$SL_VIP" 8081

    echo "# --- $t: 100 MiB download, chunked upload"
    want=$(sha256sum "$SL_RUN_DIR/big" | cut -d' ' -f1)
    got=$(sl_in sl-cli curl -sS --max-time 30 -Y 1024 -y 5 "http://$SL_VIP:5080/big" | sha256sum | cut -d' ' -f1)
    if [[ $got == "$want" ]]; then ok "$SL_BIG_SIZE download through $t is byte-exact"; else bad "download: sha256 $got != $want"; fi
    [[ -f $SL_RUN_DIR/upload.bin ]] || head -c 20M /dev/urandom >"$SL_RUN_DIR/upload.bin"
    up=up-$t-$$.bin
    code=$(sl_in sl-cli curl -sS --max-time 30 -Y 1024 -y 5 -T - -H 'Transfer-Encoding: chunked' -o /dev/null \
        -w '%{http_code}' "http://$SL_VIP:8080/up/$up" <"$SL_RUN_DIR/upload.bin")
    expect_eq "chunked upload (curl -T -, 20 MiB PUT) answered 201" "$code" 201
    got=$(cat "$SL_RUN_DIR"/be/be{1,2}/www/up/"$up" 2>/dev/null | sha256sum | cut -d' ' -f1)
    want=$(sha256sum "$SL_RUN_DIR/upload.bin" | cut -d' ' -f1)
    if [[ $got == "$want" ]]; then ok "the chunked upload reached a backend byte-exact"; else bad "upload: sha256 $got != $want"; fi

    echo "# --- $t: WebSocket (timeout client ${TMO_CLIENT}s, timeout tunnel 30s)"
    probe ws "$SL_VIP" 8080 "$IDLE"
    probe upgrade "$SL_VIP" 8080

    echo "# --- $t: slowloris (timeout http-request ${TMO_CLIENT}s)"
    probe slowloris "$SL_VIP" 8080 "$TMO_CLIENT"

    echo "# --- $t: request smuggling / malformed requests, a keep-alive client alongside"
    rm -f "$SL_RUN_DIR/ka.stop" "$SL_RUN_DIR/ka-$t.json"
    sl_bg sl-cli ka "$PY" "$PROBE" keepalive "$SL_VIP" 8080 "$SL_RUN_DIR/ka.stop" "$SL_RUN_DIR/ka-$t.json" >/dev/null
    sleep 0.5
    probe smuggle "$SL_VIP" 8080 "$t" "$SL_RUN_DIR/smuggle-$t.txt" "$SL_RUN_DIR"/be/be{1,2}/logs/access.log
    sleep 0.5
    touch "$SL_RUN_DIR/ka.stop"
    for _ in $(seq 50); do [[ -s $SL_RUN_DIR/ka-$t.json ]] && break; sleep 0.1; done
    echo "     keep-alive client: $(cat "$SL_RUN_DIR/ka-$t.json" 2>/dev/null)"
    check "the keep-alive client alongside got only 200s on one connection" "$PY" -c "
import json, sys
d = json.load(open('$SL_RUN_DIR/ka-$t.json'))
sys.exit(0 if d['ok'] >= 20 and d['non200'] == 0 and d['errors'] == 0 and d['connections'] == 1 else 1)"
    sed 's/^/     | /' "$SL_RUN_DIR/smuggle-$t.txt"

    echo "# --- $t: answers compared with HAProxy's"
    probe compare "$SL_VIP" "$cmp"
    sl_backend_stop be1
    sl_backend_stop be2
    probe compare "$SL_VIP" "$cmp" final
    if [[ $t == haproxy ]]; then
        check "HAProxy's answers saved as the reference ($REF)" cp "$cmp" "$REF"
        sed 's/^/     | /' "$cmp"
    elif [[ -s $REF ]]; then
        if diff -u "$REF" "$cmp" >"$SL_RUN_DIR/compare.diff"; then
            ok "status and headers the same as HAProxy's for the fixed request set ($(grep -c '^==' "$cmp") requests)"
        else
            bad "status/headers differ from HAProxy's (- HAProxy, + sluice):"
            sed 's/^/     /' "$SL_RUN_DIR/compare.diff"
        fi
    else
        bad "no HAProxy reference to compare with ($REF)"
    fi
    # backends back for the next target
    sl_backend_start sl-be1 be1 || bad "backend be1 restart"
    sl_backend_start sl-be2 be2 || bad "backend be2 restart"
}

for t in "${TARGETS[@]}"; do
    echo "# ================= $t"
    if start_target "$t"; then
        run_checks "$t"
    fi
    stop_target "$t"
done
