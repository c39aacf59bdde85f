#!/usr/bin/env bash
# tests/e2e/test_server_tls.sh — TLS towards servers (`server ... ssl`, HTTP engine):
#  - nginx servers listening with TLS only (a CA and their certificates made here), sluice with
#    `ssl verify required ca-file CA sni str(NAME)` and `sni req.hdr(host)`: curl through sluice
#    gets nginx's answers, a 1 MiB download and a 1 MiB upload (PUT, read back) byte-exact;
#  - nginx's log shows the SNI sent ($ssl_server_name) and resumed sessions
#    ($ssl_session_reused = r) after the first connection of each proxy lcore; sluice counts them
#    (srv_tls_handshakes_resumed); `no-ssl-reuse` gives only full handshakes;
#  - `verify required` with a CA that did not sign the server's certificate, and an SNI the
#    certificate does not name: 503 (counted as connection failures), and `check-ssl` marks that
#    server down while the good one stays up, as `http-check connect ssl` does;
#  - a WebSocket through sluice and TLS to nginx, which proxies it to an echo server; an HTTPS
#    client (`bind ... ssl`) to a TLS server, 1 MiB both ways;
#  - HAProxy 2.6 on the same configuration gives the same answers (run first, beside).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 300 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
trap 'sl_e2e_finish' EXIT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }
PY=/usr/bin/python3

check "net up" sl_net_up || exit 1

# ---- certificates: a CA signs be1.test and be2.test (each also named backend.test); another CA
C=$SL_RUN_DIR/certs
mkdir -p "$C"
mkcert() { sl_mkcert "$C" "$1" "$2" ec:<(openssl ecparam -name prime256v1); } # mkcert NAME SAN
gen_certs() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/ca.key" \
        -subj "/CN=sluice test CA" -days 30 -out "$C/ca.crt" 2>/dev/null || return 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/other.key" \
        -subj "/CN=another CA" -days 30 -out "$C/other.crt" 2>/dev/null || return 1
    mkcert be1.test "DNS:be1.test,DNS:backend.test" && mkcert be2.test "DNS:be2.test,DNS:backend.test" &&
        mkcert front.test "DNS:front.test" && cat "$C/front.test.crt" "$C/front.test.key" >"$C/front.pem"
}
check "test certificates (a CA, two servers, another CA)" gen_certs || exit 1
head -c 1M /dev/urandom >"$SL_RUN_DIR/big1m"

# ---- nginx with TLS only, logging the SNI and session reuse; /ws goes to a WebSocket echo
tls_backend() { # tls_backend NS NAME
    local ns d=$SL_RUN_DIR/tbe/$2 proto=$3
    ns=$(sl_ns "$1")
    mkdir -p "$d"/{logs,www/up,tmp}
    cp "$SL_RUN_DIR/big1m" "$d/www/big"
    cat >"$d/nginx.conf" <<EOF
daemon off;
worker_processes 1;
user root;
pid $d/nginx.pid;
error_log $d/logs/error.log info;
events { worker_connections 1024; }
http {
    log_format tls '\$ssl_server_name \$ssl_session_reused \$ssl_protocol \$request_uri';
    access_log $d/logs/access.log tls;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server_tokens off;
    server {
        listen 5443 ssl;
        ssl_certificate $C/$2.test.crt;
        ssl_certificate_key $C/$2.test.key;
        ssl_session_cache shared:S:1m;
        ssl_protocols $proto;
        location / {
            default_type text/plain;
            return 200 "backend $2 sni \$ssl_server_name host \$http_host uri \$request_uri\n";
        }
        location = /big { alias $d/www/big; }
        location /up/ { root $d/www; dav_methods PUT; client_max_body_size 16m; }
        location /ws {
            proxy_pass http://127.0.0.1:9001;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 60s;
        }
    }
}
EOF
    sl_bg "$1" "tnginx-$2" nginx -e "$d/logs/startup.log" -p "$d" -c "$d/nginx.conf" >/dev/null
    sl_bg "$1" "ws-$2" "$PY" "$HERE/lib/ws_echo.py" 9001 >/dev/null
    sl_wait_tcp "$1" "$(ip -n "$ns" -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)" 5443 10
}
check "nginx be1 with TLS 1.3 on :5443" tls_backend sl-be1 be1 TLSv1.3 || exit 1
check "nginx be2 with TLS 1.2 on :5443" tls_backend sl-be2 be2 TLSv1.2 || exit 1
LOG1=$SL_RUN_DIR/tbe/be1/logs/access.log
LOG2=$SL_RUN_DIR/tbe/be2/logs/access.log

make_cfg() { # make_cfg haproxy|sluice
    [[ $1 == sluice ]] && printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    mode http
    option http-server-close
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    timeout tunnel 30s
frontend f
    bind *:8080
    use_backend b_host if { path_beg /host }
    use_backend b_wrongca if { path_beg /wrongca }
    use_backend b_wrongname if { path_beg /wrongname }
    use_backend b_noreuse if { path_beg /noreuse }
    use_backend b_check if { path_beg /check }
    use_backend b_hcconn if { path_beg /hcconn }
    default_backend b_tls
frontend fs
    bind *:8443 ssl crt $C/front.pem
    default_backend b_tls
backend b_tls
    server s1 $SL_BE1_IP:5443 ssl verify required ca-file $C/ca.crt sni str(backend.test) alpn http/1.1
backend b_host
    server s2 $SL_BE2_IP:5443 ssl verify required ca-file $C/ca.crt sni req.hdr(host)
backend b_wrongca
    retries 1
    server w1 $SL_BE1_IP:5443 ssl verify required ca-file $C/other.crt sni str(backend.test)
backend b_wrongname
    server w2 $SL_BE1_IP:5443 ssl verify required ca-file $C/ca.crt sni str(nobody.test)
backend b_noreuse
    server n1 $SL_BE2_IP:5443 ssl verify none no-ssl-reuse
backend b_check
    option httpchk GET /alive
    default-server check check-ssl inter 1s fall 2 rise 1 ssl verify required sni str(backend.test) check-sni backend.test
    server good $SL_BE2_IP:5443 ca-file $C/ca.crt
    server bad $SL_BE1_IP:5443 ca-file $C/other.crt
backend b_hcconn
    option httpchk GET /alive-hc
    http-check connect ssl sni backend.test
    default-server check inter 1s fall 2 rise 1 ssl verify required sni str(backend.test)
    server good $SL_BE2_IP:5443 ca-file $C/ca.crt
    server bad $SL_BE1_IP:5443 ca-file $C/other.crt
EOT
    [[ $1 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

cu() { sl_in sl-cli curl -sS --max-time 20 "$@"; }
U=http://$SL_VIP:8080

ws_echo() { # a WebSocket through the proxy and TLS to nginx: echo twice
    sl_in sl-cli "$PY" - "$SL_VIP" <<'PY'
import base64, os, socket, sys, time
s = socket.create_connection((sys.argv[1], 8080), timeout=10)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /ws HTTP/1.1\r\nHost: backend.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
data = b""
while b"\r\n\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit("closed before the 101: %r" % data)
    data += chunk
assert data.startswith(b"HTTP/1.1 101"), data
def echo(msg):
    mask = os.urandom(4)
    s.sendall(bytes([0x82, 0x80 | 126]) + len(msg).to_bytes(2, "big") + mask +
              bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))
    h = b""
    while len(h) < 4:
        h += s.recv(4 - len(h))
    n = int.from_bytes(h[2:4], "big")
    got = b""
    while len(got) < n:
        got += s.recv(n - len(got))
    return got
m = os.urandom(3000)
assert echo(m) == m
time.sleep(1)
assert echo(b"two" * 100) == b"two" * 100
print("echoed")
PY
}

# run_checks TARGET: the answers go to $SL_RUN_DIR/answers-TARGET.txt for the comparison
run_checks() {
    local t=$1 a n1 n2 r
    a=$SL_RUN_DIR/answers-$t.txt
    : >"$a"
    : >"$LOG1"; : >"$LOG2"
    kill -USR1 "$(cat "$SL_RUN_DIR/tbe/be1/nginx.pid")" "$(cat "$SL_RUN_DIR/tbe/be2/nginx.pid")" 2>/dev/null
    sleep 0.3
    local body
    body=$(cu "$U/a/b?c=1")
    expect_eq "$t: GET through TLS to be1 (sni str(backend.test))" "$body" "backend be1 sni backend.test host $SL_VIP:8080 uri /a/b?c=1"
    echo "$body" >>"$a"
    body=$(cu -H 'Host: be2.test' "$U/host/x")
    expect_eq "$t: sni req.hdr(host) sends the Host header's name" "$body" "backend be2 sni be2.test host be2.test uri /host/x"
    echo "$body" >>"$a"
    # a session kept for be2.test must not be resumed under another SNI (it skips verification)
    r=""
    for i in 1 2 3 4; do
        cu -o /dev/null -H 'Host: be2.test' "$U/host/x$i"
        r+=$(cu -o /dev/null -w '%{http_code}' -H 'Host: be2.test:8080' "$U/host/y")
    done
    r=${r//503503503503/503}
    expect_eq "$t: ... with its port (as HAProxy: in the SNI, which the certificate does not name; no session resumed across SNIs)" "$r" 503
    echo "host-port $r" >>"$a"
    cu -o "$SL_RUN_DIR/got-$t.bin" "$U/big"
    check "$t: 1 MiB download byte-exact" cmp -s "$SL_RUN_DIR/got-$t.bin" "$SL_RUN_DIR/big1m"
    r=$(cu -o /dev/null -w '%{http_code}' -T "$SL_RUN_DIR/big1m" "$U/up/$t.bin")
    check "$t: 1 MiB upload (PUT $r) arrives byte-exact" cmp -s "$SL_RUN_DIR/tbe/be1/www/up/$t.bin" "$SL_RUN_DIR/big1m"
    r=$(cu -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' -T "$SL_RUN_DIR/big1m" "$U/up/$t-chunked.bin")
    check "$t: 1 MiB chunked upload (PUT $r) byte-exact" cmp -s "$SL_RUN_DIR/tbe/be1/www/up/$t-chunked.bin" "$SL_RUN_DIR/big1m"
    for i in $(seq 12); do cu -o /dev/null "$U/r$i"; done
    sleep 0.3
    n1=$(grep -c ' r TLSv1.3 /r' "$LOG1"); n2=$(grep -c ' \. TLSv1.3 /r' "$LOG1")
    check "$t: TLS 1.3: nginx saw resumed sessions ($n1 resumed, $n2 full of 12 new connections)" test "$n1" -ge 9
    for i in $(seq 12); do cu -o /dev/null -H 'Host: be2.test' "$U/host/r$i"; done
    sleep 0.3
    n1=$(grep -c ' r TLSv1.2 /host/r' "$LOG2"); n2=$(grep -c ' \. TLSv1.2 /host/r' "$LOG2")
    check "$t: TLS 1.2: nginx saw resumed sessions ($n1 resumed, $n2 full of 12 new connections)" test "$n1" -ge 9
    check "$t: nginx logged the SNI on every request" bash -c "! grep -v '^backend.test ' '$LOG1' | grep -q ."
    for i in 1 2 3; do cu -o /dev/null "$U/noreuse$i"; done
    sleep 0.3
    expect_eq "$t: no-ssl-reuse: full handshakes only" "$(grep -c ' \. TLSv1.2 /noreuse' "$LOG2")" 3
    r=$(cu -o /dev/null -w '%{http_code}' "$U/wrongca")
    expect_eq "$t: verify required with a CA that did not sign the server's certificate: 503" "$r" 503
    r=$(cu -o /dev/null -w '%{http_code}' "$U/wrongname")
    expect_eq "$t: verify required with an SNI the certificate does not name: 503" "$r" 503
    echo "wrongca $r" >>"$a"
    check "$t: ... and nginx served neither" bash -c "! grep -q '/wrong' '$LOG1'"
    check "$t: WebSocket through TLS to the server echoes" ws_echo
    # TLS on both sides: an HTTPS client, a TLS server
    local R="--cacert $C/ca.crt --resolve front.test:8443:$SL_VIP"
    cu $R -o "$SL_RUN_DIR/got2-$t.bin" https://front.test:8443/big
    check "$t: HTTPS client to a TLS server: 1 MiB download byte-exact" cmp -s "$SL_RUN_DIR/got2-$t.bin" "$SL_RUN_DIR/big1m"
    r=$(cu $R -o /dev/null -w '%{http_code}' -T "$SL_RUN_DIR/big1m" "https://front.test:8443/up/$t-tls.bin")
    check "$t: HTTPS client to a TLS server: 1 MiB upload (PUT $r) byte-exact" cmp -s "$SL_RUN_DIR/tbe/be1/www/up/$t-tls.bin" "$SL_RUN_DIR/big1m"
    sleep 2.5
    tls_checks "$t" check "check-ssl" /alive
    # http-check connect ssl: the same, the TLS asked by the check rule instead of check-ssl
    tls_checks "$t" hcconn "http-check connect ssl" /alive-hc
}

# tls_checks TARGET PATH WHAT CHECK_URI — backend PATH's good server is up (its checks over TLS
# reached nginx, SNI backend.test), the one behind the wrong CA down
tls_checks() {
    local r i
    r=$(cu -o /dev/null -w '%{http_code}' "$U/$2")
    echo "$2 $r" >>"$a"
    expect_eq "$1: $3: the good server answers" "$r" 200
    check "$1: nginx answered the TLS health checks of the good server ($3)" grep -q "^backend.test [.r] TLSv1.2 $4\$" "$LOG2"
    for i in 1 2 3 4; do cu -o /dev/null "$U/$2$i"; done
    check "$1: ... the server behind the wrong CA is down (only the good one served /$2*)" \
        bash -c "! grep -q '/$2' '$LOG1'"
}

sl_lb_kernel_addr
if sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; then
    ok "HAProxy starts with the configuration"
    sl_wait_tcp sl-cli "$SL_VIP" 8080 10
    run_checks haproxy
else
    bad "HAProxy starts with the configuration"
fi
sl_haproxy_stop

check "configuration passes sluiced -c" "$SL_SLUICED" -q -c -f "$SL_RUN_DIR/sluice.cfg"
check "sluiced starts with the configuration" sl_sluiced_start "$SL_RUN_DIR/sluice.cfg" || exit 1
sl_wait_tcp sl-cli "$SL_VIP" 8080 10
run_checks sluice
echo "     sluice: srv_tls_handshakes_full $(sl_ctr srv_tls_handshakes_full) resumed $(sl_ctr srv_tls_handshakes_resumed) failed $(sl_ctr srv_tls_handshakes_failed)"
check "sluice counts resumed server handshakes" test "$(sl_ctr srv_tls_handshakes_resumed)" -ge 18
check "sluice counts the failed ones (wrong CA, wrong name)" test "$(sl_ctr srv_tls_handshakes_failed)" -ge 2
check "the same answers as HAProxy" diff "$SL_RUN_DIR/answers-haproxy.txt" "$SL_RUN_DIR/answers-sluice.txt"
st=$(sl_ctl raw show stat | awk -F, '$1 == "b_check" && $2 == "bad" { print $18 }')
expect_eq "show stat: b_check/bad is down (check-ssl, wrong CA)" "$st" DOWN

# a reload reads the ca-file again: with the right CA now, the server answers
cp "$C/ca.crt" "$C/other.crt"
out=$(sl_ctl reload)
check "reload ($(tail -1 <<<"$out"))" grep -q 'reload applied' <<<"$out"
expect_eq "after the reload the re-read ca-file verifies be1: 200" "$(cu -o /dev/null -w '%{http_code}' "$U/wrongca")" 200
