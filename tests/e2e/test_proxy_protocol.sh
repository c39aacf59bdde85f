#!/usr/bin/env bash
# tests/e2e/test_proxy_protocol.sh — the PROXY protocol both ways, HAProxy 2.6 first and sluice
# second on the same configuration, judged by the same clients. The origin is nginx with
# `listen ... proxy_protocol`, whose every page says the address the header announced
# ($proxy_protocol_addr) and the X-Forwarded-For it got:
#  (a) send-proxy (v1) and send-proxy-v2 (with proxy-v2-options) from a mode http frontend,
#      send-proxy-v2 from a mode tcp frontend (which the header makes proxied): the origin sees
#      the client's own address;
#  (b) accept-proxy on mode http, mode tcp and `ssl` binds: headers from curl
#      (--haproxy-protocol), from HAProxy 2.6 in the client's namespace (send-proxy-v2: the
#      announced address is its client's, 127.0.0.1) and hand-made v1/v2 headers announcing
#      192.0.2.77: the announced address is the one the origin, X-Forwarded-For and the
#      frontend's ACLs (`http-request deny if { src 192.0.2.66 }`) see;
#  (c) hostile headers (truncated, wrong signature, none, an oversized TLV, none in time): closed
#      without an answer, counted (drop_proxy_header_bad, drop_proxy_header_timeout, ereq),
#      while a client served meanwhile is unharmed; a header in two segments is read whole
#      (HAProxy 2.6 refuses one its first read does not hold: not compared);
#  (d) HTTP checks of those servers start with a PROXY header (v1 UNKNOWN, v2 LOCAL): L7OK;
#  (e) the answers of every step are HAProxy's.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 300 "$0" "$@"
trap 'sl_e2e_finish sl_stop haproxy-sender' EXIT
PY=/usr/bin/python3

check "net up" sl_net_up || exit 1

# ---------------------------------------------------------------- the origin
D=$SL_RUN_DIR/pp
mkdir -p "$D/logs" "$D/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pp.test" \
    -keyout "$D/key.pem" -out "$D/crt.pem" 2>/dev/null && cat "$D/crt.pem" "$D/key.pem" >"$D/site.pem"
cat >"$D/nginx.conf" <<EOT
daemon off;
worker_processes 1;
user root;
pid $D/nginx.pid;
error_log $D/logs/error.log info;
events { worker_connections 1024; }
http {
    log_format pp '\$proxy_protocol_addr \$remote_addr "\$request"';
    access_log $D/logs/access.log pp;
    client_body_temp_path $D/tmp/body;
    proxy_temp_path $D/tmp/proxy;
    fastcgi_temp_path $D/tmp/fastcgi;
    uwsgi_temp_path $D/tmp/uwsgi;
    scgi_temp_path $D/tmp/scgi;
    default_type text/plain;
    server {
        listen 8081 proxy_protocol;
        location / { return 200 "pp=\$proxy_protocol_addr xff=\$http_x_forwarded_for\n"; }
    }
}
EOT
sl_bg sl-be1 nginx-pp nginx -e "$D/logs/startup.log" -p "$D" -c "$D/nginx.conf" >/dev/null
check "origin (listen proxy_protocol) up" sl_wait_listen sl-be1 8081 10

SOCK_HA=$SL_RUN_DIR/haproxy.sock
make_cfg() {
    local sock=$SL_SOCK
    [[ $1 == haproxy ]] && sock=$SOCK_HA
    cat <<EOT
global
    stats socket $sock mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 2s
    timeout server 5s

frontend web
    bind *:7080
    default_backend bk_v1

frontend web_pp
    bind *:7081 accept-proxy
    option forwardfor
    http-request deny if { src 192.0.2.66 }
    default_backend bk_v2

frontend web_tls
    bind *:7443 ssl crt $D/site.pem accept-proxy
    default_backend bk_v2

frontend tcp_in
    mode tcp
    bind *:7090
    default_backend bk_tcp

frontend tcp_pp
    mode tcp
    bind *:7091 accept-proxy
    default_backend bk_tcp

backend bk_v1
    option httpchk GET /
    server o $SL_BE1_IP:8081 send-proxy check inter 1s

backend bk_v2
    option httpchk GET /
    server o $SL_BE1_IP:8081 send-proxy-v2 proxy-v2-options ssl,ssl-cipher,authority,crc32c check inter 1s

backend bk_tcp
    mode tcp
    server o $SL_BE1_IP:8081 send-proxy-v2
EOT
    [[ $1 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# HAProxy 2.6 as a sender in the client's namespace: 127.0.0.1:9000 -> VIP:7081 send-proxy-v2
cat >"$SL_RUN_DIR/sender.cfg" <<EOT
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
listen sender
    bind 127.0.0.1:9000
    server lb $SL_VIP:7081 send-proxy-v2
EOT

# pp_client KIND PORT — one connection to the VIP with a hand-made start: prints the origin's
# first body line, the status line of an answer without one, or "closed" when the connection
# ends with nothing (FIN or RST)
pp_client() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$2" "$1" <<'PYEOF'
import socket, struct, sys, time
vip, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sig = b"\r\n\r\n\x00\r\nQUIT\n"
def v2(src, tlvs=b""):
    a = socket.inet_aton(src) + socket.inet_aton(vip) + struct.pack(">HH", 40000, port)
    return sig + b"\x21\x11" + struct.pack(">H", len(a) + len(tlvs)) + a + tlvs
req = b"GET / HTTP/1.1\r\nHost: pp\r\nConnection: close\r\n\r\n"
heads = {
    "v1": b"PROXY TCP4 192.0.2.77 %s 40000 %d\r\n" % (vip.encode(), port) + req,
    "v1deny": b"PROXY TCP4 192.0.2.66 %s 40000 %d\r\n" % (vip.encode(), port) + req,
    "v2": v2("192.0.2.77", b"\x04\x00\x03abc") + req,  # with a NOOP TLV
    "unknown": b"PROXY UNKNOWN\r\n" + req,
    "truncated": v2("192.0.2.77")[:20],
    "badsig": b"PROXY TCP5 192.0.2.77 10.0.0.1 1 2\r\n" + req,
    "none": req,
    "oversized": sig + b"\x21\x11\xff\xf0" + b"\0" * 12 + b"\x04\xff\xe1" + b"\0" * 4000,
    "silent": b"",
    "split": b"PROXY TCP4 192.0.2.77 ",
}
s = socket.create_connection((vip, port), timeout=6)
t, data = time.time(), b""
try:
    s.sendall(heads[kind])
    if kind == "truncated":
        s.shutdown(socket.SHUT_WR)
    if kind == "split":  # the rest of the header 0.3 s later
        time.sleep(0.3)
        s.sendall(b"%s 40000 %d\r\n" % (vip.encode(), port) + req)
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
except OSError as e:  # reset, or not connected any more
    if isinstance(e, socket.timeout):
        print("no answer in 6 s")
        sys.exit()
if not data:
    print("closed" + (" after %d s" % round(time.time() - t) if kind == "silent" else ""))
else:
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0]
    print((body.split(b"\n")[0] if b" 200 " in status else status).decode(errors="replace"))
PYEOF
}

# run TARGET SOCKET — every step's answer, one per line, into $SL_RUN_DIR/TARGET.out
run() {
    local t=$1 sock=$2 out=$SL_RUN_DIR/$1.out r k
    local C=(sl_in sl-cli curl -s --max-time 6)
    : >"$out"
    # (a) towards the origin
    echo "send-proxy: $("${C[@]}" "http://$SL_VIP:7080/")" >>"$out"
    echo "send-proxy-v2 from mode tcp: $("${C[@]}" "http://$SL_VIP:7090/")" >>"$out"
    # (b) from the clients
    echo "curl --haproxy-protocol: $("${C[@]}" --haproxy-protocol "http://$SL_VIP:7081/")" >>"$out"
    echo "curl --haproxy-protocol, ssl bind: $("${C[@]}" -k --haproxy-protocol "https://$SL_VIP:7443/")" >>"$out"
    echo "curl --haproxy-protocol, mode tcp: $("${C[@]}" --haproxy-protocol "http://$SL_VIP:7091/")" >>"$out"
    echo "HAProxy 2.6 sending v2: $("${C[@]}" "http://127.0.0.1:9000/")" >>"$out"
    for k in v1 v2 unknown v1deny; do
        echo "$k on mode http: $(pp_client $k 7081)" >>"$out"
    done
    echo "v2 on mode tcp: $(pp_client v2 7091)" >>"$out"
    # (c) hostile headers, and a client served while a slow one waits
    for k in truncated badsig none oversized; do
        echo "$k on mode http: $(pp_client $k 7081)" >>"$out"
        echo "$k on mode tcp: $(pp_client $k 7091)" >>"$out"
    done
    pp_client silent 7081 >"$SL_RUN_DIR/$t.silent" &
    local slow=$!
    sleep 0.5
    echo "a client during the silent one: $(pp_client v1 7081)" >>"$out"
    wait $slow
    echo "silent on mode http: $(cat "$SL_RUN_DIR/$t.silent")" >>"$out"
    echo "silent on mode tcp: $(pp_client silent 7091)" >>"$out"
    # HTTP checks of send-proxy servers start with a PROXY header (v1 UNKNOWN, v2 LOCAL)
    for k in bk_v1 bk_v2; do
        echo "$k/o check: $("$PY" "$HERE/lib/stat_col.py" "$sock" $k o check_status) $("$PY" "$HERE/lib/stat_col.py" "$sock" $k o status)" >>"$out"
    done
    sed "s/^/     $t: /" "$out"
    # a header in two segments: sluice waits for its end (timeout client), HAProxy 2.6 refuses
    # a header its first read does not hold whole; not compared
    echo "split header on mode http: $(pp_client split 7081)" >"$SL_RUN_DIR/$t.split"
    echo "split header on mode tcp: $(pp_client split 7091)" >>"$SL_RUN_DIR/$t.split"
    sed "s/^/     $t: /" "$SL_RUN_DIR/$t.split"
}

expect_line() { # expect_line TARGET TEXT
    check "$1: $2" grep -qxF "$2" "$SL_RUN_DIR/$1.out"
}

judge() {
    local t=$1 k
    expect_line "$t" "send-proxy: pp=$SL_CLI_IP xff="
    expect_line "$t" "send-proxy-v2 from mode tcp: pp=$SL_CLI_IP xff="
    expect_line "$t" "curl --haproxy-protocol: pp=$SL_CLI_IP xff=$SL_CLI_IP"
    expect_line "$t" "curl --haproxy-protocol, ssl bind: pp=$SL_CLI_IP xff="
    expect_line "$t" "curl --haproxy-protocol, mode tcp: pp=$SL_CLI_IP xff="
    expect_line "$t" "HAProxy 2.6 sending v2: pp=127.0.0.1 xff=127.0.0.1"
    expect_line "$t" "v1 on mode http: pp=192.0.2.77 xff=192.0.2.77"
    expect_line "$t" "v2 on mode http: pp=192.0.2.77 xff=192.0.2.77"
    expect_line "$t" "unknown on mode http: pp=$SL_CLI_IP xff=$SL_CLI_IP"
    expect_line "$t" "v1deny on mode http: HTTP/1.1 403 Forbidden"
    expect_line "$t" "v2 on mode tcp: pp=192.0.2.77 xff="
    for k in truncated badsig none oversized; do
        expect_line "$t" "$k on mode http: closed"
        expect_line "$t" "$k on mode tcp: closed"
    done
    expect_line "$t" "a client during the silent one: pp=192.0.2.77 xff=192.0.2.77"
    expect_line "$t" "silent on mode http: closed after 2 s"
    expect_line "$t" "silent on mode tcp: closed after 2 s"
    expect_line "$t" "bk_v1/o check: L7OK UP"
    expect_line "$t" "bk_v2/o check: L7OK UP"
}

# ---------------------------------------------------------------- HAProxy 2.6, then sluice
sl_bg sl-cli haproxy-sender haproxy -db -f "$SL_RUN_DIR/sender.cfg" >/dev/null
check "HAProxy 2.6 as a PROXY sender in the client's namespace" sl_wait_listen sl-cli 9000 10
both() { run "$1" "$2"; judge "$1"; }
sl_haproxy_then_sluice both "$SOCK_HA" "$SL_SOCK" || exit 1
sl_ctl show l4 >"$SL_RUN_DIR/show-l4"
check "sluice: a header split in two segments is read whole (mode http)" grep -qxF "split header on mode http: pp=192.0.2.77 xff=192.0.2.77" "$SL_RUN_DIR/sluice.split"
check "sluice: a header split in two segments is read whole (mode tcp)" grep -qxF "split header on mode tcp: pp=192.0.2.77 xff=" "$SL_RUN_DIR/sluice.split"
check "show l4: tcp_in and tcp_pp on the proxy lcores (the PROXY protocol)" bash -c "grep -q '^proxied tcp frontend tcp_in .*PROXY' '$SL_RUN_DIR/show-l4' && grep -q '^proxied tcp frontend tcp_pp .*PROXY' '$SL_RUN_DIR/show-l4'"
# truncated, badsig, none, oversized on both frontends; the two silent ones timed out
check "bad headers counted (drop_proxy_header_bad = 8)" test "$(sl_ctr drop_proxy_header_bad)" -eq 8
check "silent clients counted (drop_proxy_header_timeout = 2)" test "$(sl_ctr drop_proxy_header_timeout)" -eq 2
check "show drops lists them" bash -c "'$SL_CTL' -s '$SL_SOCK' show drops | grep -q '^drop_proxy_header_bad: 8'"
check "web_pp's ereq counts its 5 refusals" test "$("$PY" "$HERE/lib/stat_col.py" "$SL_SOCK" web_pp FRONTEND ereq)" = 5
if [[ -f $SL_RUN_DIR/haproxy.out ]]; then
    expect_eq "sluice's answers are HAProxy's" "$(tr '\n' ';' <"$SL_RUN_DIR/sluice.out")" "$(tr '\n' ';' <"$SL_RUN_DIR/haproxy.out")"
fi
