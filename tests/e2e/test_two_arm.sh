#!/usr/bin/env bash
# tests/e2e/test_two_arm.sh — a two-armed deployment, the usual shape of a full-NAT balancer
# (issue 15): clients on lan0 (lb0, 10.77.0.0/24, and behind the router 10.77.0.254 the networks
# 10.79.0.0/24, by `route 10.79.0.0/24 via 10.77.0.254`, and 10.80.0.0/24, by the default route),
# servers on lan1 (lb1, 10.78.0.0/24). Every path must pick its egress port and source address by
# a route lookup over both ports. Run twice, lan0 declared first, then lan1:
#  - RTMP published through a mode tcp frontend (:1935) reaches nginx-rtmp on 10.78.0.x (HLS);
#  - mode tcp (:8080 -> :5080): the backend sees sluice's 10.78.0.1 as the source;
#  - mode http (:80): both backends answer (X-Backend) and see 10.78.0.1 as the source;
#  - HTTPS (:443, ssl crt): 200 with the certificate verified, the backend sees 10.78.0.1;
#  - the stats page (:6080) answers;
#  - the routed clients 10.79.0.10 (route) and 10.80.0.10 (default route) get the same;
#  - health checks (TCP on the RTMP servers, option httpchk on the HTTP ones) are UP, and DOWN
#    once be2's nginx is stopped (UP again when it is back).
# And `sluiced -c` refuses a route whose gateway is on no subnet of an `address` line.
# SL_TWO_ARM_TARGET=haproxy runs the same checks once against HAProxy on the kernel's stack in
# sl-lb (lb0 10.77.0.1/24, lb1 10.78.0.1/24, the same routes): the reference the test expects.
# Needs root and ./build. Prints "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 180 "$0" "$@"
trap 'sl_e2e_finish' EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT
[[ -x $SL_SLUICED && -x $SL_CTL ]] || { echo "build first (ninja -C build)" >&2; exit 1; }
TARGET=${SL_TWO_ARM_TARGET:-sluice}
[[ $TARGET == sluice || $TARGET == haproxy ]] || { echo "SL_TWO_ARM_TARGET: sluice or haproxy" >&2; exit 2; }

check "net up (two-armed: lb0 on 10.77.0.0/24 + router, lb1 on 10.78.0.0/24)" sl_net_up_two_arm || exit 1
check "backend be1 on 10.78.0.21" sl_backend_start sl-be1 be1
check "backend be2 on 10.78.0.22" sl_backend_start sl-be2 be2
check "the routed client reaches the router, and has no path to the servers but sluice" \
    bash -c "ip netns exec '$SL_NS_RCLI' ping -c1 -W1 '$SL_RTR_IP' >/dev/null && ! ip netns exec '$SL_NS_RCLI' ping -c1 -W1 '$SL_BE1_IP' >/dev/null"

# ------------------------------------------------------------------ sluiced -c on routes
printf 'dataplane\n    port lan0 iface lb0\n    address 10.77.0.1/24 port lan0\n    route 10.79.0.0/24 via 10.78.0.254\n' \
    >"$SL_RUN_DIR/bad-route.cfg"
out=$("$SL_SLUICED" -c -q -f "$SL_RUN_DIR/bad-route.cfg" 2>&1)
rc=$?
if [[ $rc == 1 ]] && grep -q "bad-route.cfg:4: .*gateway '10.78.0.254' is on no subnet" <<<"$out"; then
    ok "sluiced -c refuses a route via a gateway on no address's subnet, at its line"
else
    bad "sluiced -c on a route via 10.78.0.254 with no address there: exit $rc, said: $(head -c 300 <<<"$out")"
fi

# ------------------------------------------------------------------ configuration
C=$SL_RUN_DIR/certs
mkdir -p "$C"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=example.com \
    -addext subjectAltName=DNS:example.com -keyout "$C/key.pem" -out "$C/crt.pem" 2>/dev/null &&
    cat "$C/crt.pem" "$C/key.pem" >"$C/site.pem"
check "a certificate for example.com" test -s "$C/site.pem"

make_cfg() { # make_cfg lan0|lan1|haproxy: the port (and its address) declared first
    cat <<EOT
global
    stats socket $SL_SOCK mode 600 level admin
defaults
    timeout connect 2s
    timeout client 10s
    timeout server 10s
listen stats
    bind :6080
    mode http
    stats enable
    stats uri /stats
frontend rtmp_lb
    bind *:1935
    mode tcp
    default_backend backend_rtmp
backend backend_rtmp
    mode tcp
    server r1 $SL_BE1_IP:1935 check inter 1000 fall 2 rise 2
    server r2 $SL_BE2_IP:1935 check inter 1000 fall 2 rise 2
frontend tcp_lb
    bind *:8080
    mode tcp
    default_backend backend_tcp
backend backend_tcp
    mode tcp
    balance roundrobin
    server t1 $SL_BE1_IP:5080
    server t2 $SL_BE2_IP:5080
frontend http_lb
    bind *:80
    mode http
    default_backend backend_http
frontend https_lb
    bind *:443 ssl crt $C/site.pem
    mode http
    default_backend backend_http
backend backend_http
    mode http
    balance roundrobin
    option httpchk GET /
    server h1 $SL_BE1_IP:5080 check inter 1000 fall 2 rise 2
    server h2 $SL_BE2_IP:5080 check inter 1000 fall 2 rise 2
EOT
    [[ $1 == haproxy ]] || sl_dataplane_cfg_two_arm "$1"
}

# HAProxy's reference run: the kernel of sl-lb holds the addresses and routes sluice would.
kernel_up() {
    sl_in sl-lb ip addr replace "$SL_VIP/24" dev "$SL_LB_IF" &&
        sl_in sl-lb ip addr replace "$SL_LB1_IP/24" dev "$SL_LB1_IF" &&
        sl_in sl-lb ip route replace 10.79.0.0/24 via "$SL_RTR_IP" &&
        sl_in sl-lb ip route replace default via "$SL_RTR_IP" &&
        sl_haproxy_start "$SL_RUN_DIR/sluice-haproxy.cfg"
}
kernel_down() {
    sl_haproxy_stop
    sl_lb_kernel_flush
    sl_in sl-lb ip addr flush dev "$SL_LB1_IF"
}

# ------------------------------------------------------------------ helpers
# fetch NS URL [CURL-ARGS...] — one request; the body in $B, the status in $CODE, what went wrong
# (curl's message) in $ERR
fetch() {
    local ns=$1 url=$2
    shift 2
    CODE=$(sl_in "$ns" curl -sS --max-time 3 -o "$SL_RUN_DIR/body" -D "$SL_RUN_DIR/head" \
        -w '%{http_code}' "$@" "$url" 2>"$SL_RUN_DIR/curl.err")
    B=$(cat "$SL_RUN_DIR/body" 2>/dev/null)
    ERR=$(head -c 160 "$SL_RUN_DIR/curl.err" | tr '\n' ' ')
}
said() { echo "HTTP ${CODE:-none}${ERR:+, $ERR}"; }
field() { sed -n "s/^$1: //p" <<<"$B" | tr -d '\r'; }
xbackend() { sed -n 's/^[Xx]-[Bb]ackend: //p' "$SL_RUN_DIR/head" | tr -d '\r'; }

# source_is WHAT NS URL [CURL-ARGS...] — the request works and the backend saw 10.78.0.1
source_is() {
    local what=$1
    shift
    fetch "$@"
    local ra
    ra=$(field remote-addr)
    if [[ $CODE == 200 && $ra == "$SL_LB1_IP" ]]; then
        ok "$what: 200, the backend sees the servers' side address $SL_LB1_IP"
    elif [[ $CODE == 200 ]]; then
        bad "$what: 200 but the backend sees source '$ra', want $SL_LB1_IP (the servers' side address)"
    else
        bad "$what: $(said)"
    fi
}

publish() { # publish NAME SECONDS — RTMP from sl-cli through the VIP
    sl_bg sl-cli "ffmpeg-$1" ffmpeg -nostdin -loglevel error -re -f lavfi \
        -i testsrc=size=160x120:rate=15 -t "$2" -c:v libx264 -preset ultrafast -g 15 \
        -f flv "rtmp://$SL_VIP/live/$1" >/dev/null
}
hls_on() { local b; for b in be1 be2; do [[ -f $SL_RUN_DIR/be/$b/hls/$1.m3u8 ]] && echo "$b"; done; }

row() { # row BACKEND SERVER — "status check_status" from show stat
    sl_ctl raw show stat 2>/dev/null | awk -F, -v b="$1" -v s="$2" '$1 == b && $2 == s { print $18, $37 }'
}
rows() { echo "r1: $(row backend_rtmp r1), r2: $(row backend_rtmp r2), h1: $(row backend_http h1), h2: $(row backend_http h2)"; }
# wait_rows SECONDS PATTERN — until rows() matches PATTERN (bash regex)
wait_rows() {
    for _ in $(seq $(($1 * 5))); do
        [[ $(rows) =~ $2 ]] && return 0
        sleep 0.2
    done
    return 1
}

# ------------------------------------------------------------------ one run
run() {
    local first=$1 p="[$1 first]" where
    [[ $first == haproxy ]] && p="[haproxy]"
    make_cfg "$first" >"$SL_RUN_DIR/sluice-$first.cfg"
    if [[ $first == haproxy ]]; then
        check "$p HAProxy starts on the kernel's lb0 and lb1" kernel_up || return 1
    else
        if out=$("$SL_SLUICED" -q -c -f "$SL_RUN_DIR/sluice-$first.cfg" 2>&1); then
            ok "$p the configuration passes sluiced -c"
        else
            bad "$p sluiced -c: $out"
        fi
        check "$p sluiced starts on lb0 and lb1" sl_sluiced_start "$SL_RUN_DIR/sluice-$first.cfg" || return 1
    fi

    # RTMP through L4 (client 10.77.0.10 -> VIP -> a server on 10.78.0.x)
    publish "s$first" 10
    where=""
    for _ in $(seq 40); do
        where=$(hls_on "s$first")
        [[ -n $where ]] && break
        sleep 0.25
    done
    if [[ -n $where ]]; then
        ok "$p RTMP published through :1935 reaches a server on 10.78.0.0/24 (HLS on $where)"
    else
        bad "$p RTMP through :1935: no HLS of stream s$first on any server after 10 s (ffmpeg: $(tail -c 200 "$SL_RUN_DIR/logs/ffmpeg-s$first.log" | tr '\n' ' '))"
    fi

    # L4, HTTP, HTTPS, stats page from the client on lan0's subnet
    source_is "$p mode tcp :8080 from $SL_CLI_IP" sl-cli "http://$SL_VIP:8080/echo-headers"
    local seen=""
    for _ in 1 2 3 4; do
        fetch sl-cli "http://$SL_VIP/"
        if [[ $CODE != 200 ]]; then
            seen+="($(said)) "
            break
        fi
        seen+="$(xbackend) "
    done
    if [[ $(tr ' ' '\n' <<<"$seen" | grep -x 'be[12]' | sort -u | tr '\n' ' ') == "be1 be2 " ]]; then
        ok "$p mode http :80: both servers answer ($seen)"
    else
        bad "$p mode http :80: 4 requests answered by: $seen(want be1 and be2)"
    fi
    source_is "$p mode http :80 from $SL_CLI_IP" sl-cli "http://$SL_VIP/echo-headers"
    source_is "$p HTTPS :443 from $SL_CLI_IP (certificate verified)" sl-cli \
        "https://example.com/echo-headers" --cacert "$C/crt.pem" --resolve "example.com:443:$SL_VIP"
    fetch sl-cli "http://$SL_VIP:6080/stats"
    if [[ $CODE == 200 && $B == *backend_rtmp* ]]; then
        ok "$p the stats page :6080 answers"
    else
        bad "$p the stats page :6080: $(said)"
    fi

    # the routed clients: 10.79.0.10 by the 10.79.0.0/24 route, 10.80.0.10 by the default one
    local src kind
    for src in "$SL_RCLI_IP" "$SL_RCLI_IP2"; do
        [[ $src == "$SL_RCLI_IP" ]] && kind="route 10.79.0.0/24" || kind="default route"
        source_is "$p mode http :80 from $src ($kind)" sl-rcli "http://$SL_VIP/echo-headers" --interface "$src"
        source_is "$p mode tcp :8080 from $src ($kind)" sl-rcli "http://$SL_VIP:8080/echo-headers" --interface "$src"
        source_is "$p HTTPS :443 from $src ($kind)" sl-rcli "https://example.com/echo-headers" \
            --interface "$src" --cacert "$C/crt.pem" --resolve "example.com:443:$SL_VIP"
        fetch sl-rcli "http://$SL_VIP:6080/stats" --interface "$src"
        if [[ $CODE == 200 ]]; then ok "$p the stats page from $src"; else bad "$p the stats page from $src: $(said)"; fi
    done

    # a path MTU under 1500 (RFC 1191): the router's link to the routed client takes packets of
    # 1200 bytes at most, the client's own link 1500 (its SYN says MSS 1460). The full-size
    # segments sent with DF draw "fragmentation needed" from the router: sluice's own stack
    # lowers the connection's segment size (:80), an L4 flow's message is translated to the
    # server, whose kernel does the same (:8080). Either way the download completes, intact.
    local want got pm0 pm1
    want=$(md5sum <"$SL_RUN_DIR/big" | cut -d' ' -f1)
    [[ $first == haproxy ]] || pm0=$(sl_ctr tcp_pmtu_lowered)
    ip -n "$SL_NS_RTR" link set dev rtr1 mtu 1200
    for port in 80 8080; do
        got=$(sl_in sl-rcli curl -s --max-time 15 --interface "$SL_RCLI_IP" \
            "http://$SL_VIP:$port/big" | md5sum | cut -d' ' -f1)
        expect_eq "$p path MTU 1200 on the way to $SL_RCLI_IP: /big through :$port arrives intact" \
            "$got" "$want"
    done
    ip -n "$SL_NS_RTR" link set dev rtr1 mtu 1500
    if [[ $first != haproxy ]]; then
        pm1=$(sl_ctr tcp_pmtu_lowered)
        check "$p the router's 'fragmentation needed' lowered the segment size of :80's connection ($pm0 -> $pm1)" \
            test "$pm1" -gt "$pm0"
    fi

    # fragments (RFC 791 3.2, RFC 1122 3.3.2): the routed client sends without DF
    # (ip_no_pmtu_disc) and announces MSS 500 (so that answers fit the narrow link back); the
    # router's link to the balancers takes 600 bytes, so a request with a 3000-byte header
    # arrives in fragments. sluice puts them together for its own stack (:80) and for an L4
    # flow (:8080), which forwards the whole datagram.
    local ra0 ra1 pad
    pad=$(head -c 3000 /dev/zero | tr '\0' a)
    [[ $first == haproxy ]] || ra0=$(sl_ctr ipv4_reassembled)
    sl_in sl-rcli sysctl -qw net.ipv4.ip_no_pmtu_disc=1
    sl_in sl-rcli ip route add "$SL_VIP/32" via 10.79.0.254 src "$SL_RCLI_IP" advmss 500
    ip -n "$SL_NS_RTR" link set dev rtr0 mtu 600
    for port in 80 8080; do
        fetch sl-rcli "http://$SL_VIP:$port/echo-headers" --interface "$SL_RCLI_IP" -H "X-Test: $pad"
        if [[ $CODE == 200 && $B == *"$pad"* ]]; then
            ok "$p a request in fragments (600-byte link) through :$port: 200, the header whole"
        else
            bad "$p a request in fragments (600-byte link) through :$port: $(said)"
        fi
    done
    ip -n "$SL_NS_RTR" link set dev rtr0 mtu 1500
    sl_in sl-rcli ip route del "$SL_VIP/32"
    sl_in sl-rcli sysctl -qw net.ipv4.ip_no_pmtu_disc=0
    if [[ $first != haproxy ]]; then
        ra1=$(sl_ctr ipv4_reassembled)
        check "$p the datagrams were reassembled by sluice ($ra0 -> $ra1)" test "$ra1" -ge $((ra0 + 4))
    fi

    # health checks: UP, then DOWN when be2's nginx stops, then UP again
    if wait_rows 5 '^r1: UP L4OK, r2: UP L4OK, h1: UP L7OK, h2: UP L7OK$'; then
        ok "$p health checks UP: TCP on the RTMP servers (L4OK), httpchk on the HTTP ones (L7OK)"
    else
        bad "$p health checks after 5 s: $(rows) (want UP L4OK / UP L7OK)"
    fi
    sl_backend_stop be2
    if wait_rows 5 '^r1: UP.*r2: DOWN .*h1: UP.*h2: DOWN '; then
        ok "$p be2's nginx stopped: r2 and h2 DOWN, r1 and h1 still UP ($(rows))"
    else
        bad "$p be2's nginx stopped 5 s ago: $(rows) (want r2 and h2 DOWN, r1 and h1 UP)"
    fi
    sl_backend_start sl-be2 be2 >/dev/null 2>&1
    if wait_rows 6 '^r1: UP.*r2: UP.*h1: UP.*h2: UP'; then
        ok "$p be2 back: every server UP"
    else
        bad "$p be2 back 6 s ago: $(rows)"
    fi

    sl_stop "ffmpeg-s$first"
    if [[ $first == haproxy ]]; then
        kernel_down
    else
        check "$p sluiced stops" sl_sluiced_stop
    fi
}

if [[ $TARGET == haproxy ]]; then
    run haproxy
else
    run lan0
    run lan1
fi
