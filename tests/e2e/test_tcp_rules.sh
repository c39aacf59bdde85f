#!/usr/bin/env bash
# tests/e2e/test_tcp_rules.sh — `tcp-request` rules and TLS pass-through routing by SNI, HAProxy
# 2.6 first and sluice second on the same configuration, judged by the same clients:
#  (a) a mode tcp frontend (L4 path) with `tcp-request connection reject if { src CLIENT }`: the
#      client's own address is refused (its SYN answered with a RST), a second address of the same client is served; `dcon` counts the
#      rejects in `show stat`;
#      the same on a mode http frontend (the proxy lcores' listener resets before reading);
#  (b) TLS pass-through: two nginx HTTPS servers (certificates made here with openssl) behind one
#      mode tcp frontend that waits for the ClientHello (`tcp-request inspect-delay`, `accept if
#      { req_ssl_hello_type 1 }`, then `reject`) and routes by `req.ssl_sni`: a.test reaches
#      server A, b.test server B, a name neither knows goes to the default; a plain HTTP client
#      is closed at once; a client that sends nothing is closed once the inspect-delay is over; a 5 MB
#      download is byte-exact; a second frontend without the reject falls to its default
#      backend (plain HTTP) for a non-TLS client;
#  (c) the answers of every step are HAProxy's.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 400 "$0" "$@"
trap 'sl_e2e_finish' EXIT
PY=/usr/bin/python3

check "net up" sl_net_up || exit 1
CLI2_IP=10.77.0.11
CLI_DEV=$(ip -n "$SL_NS_CLI" -o -4 addr show | awk -v a="$SL_CLI_IP" 'index($4, a "/") == 1 {print $2}')
check "a second client address $CLI2_IP" ip -n "$SL_NS_CLI" addr add "$CLI2_IP/24" dev "$CLI_DEV"

# ---------------------------------------------------------------- the TLS servers
D=$SL_RUN_DIR/tls
mkdir -p "$D"
head -c 5M /dev/urandom >"$D/big"
# tls_server NS NAME HOST — nginx with HOST's certificate on :8443 (body "server NAME") and
# plain HTTP on :8080 (body "plain NAME")
tls_server() {
    local ns=$1 name=$2 host=$3 d=$D/$2
    mkdir -p "$d/logs" "$d/tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$host" \
        -addext "subjectAltName=DNS:$host" -keyout "$d/key.pem" -out "$d/crt.pem" 2>/dev/null || return 1
    cat >"$d/nginx.conf" <<EOT
daemon off;
worker_processes 1;
user root;
pid $d/nginx.pid;
error_log $d/logs/error.log info;
events { worker_connections 1024; }
http {
    access_log $d/logs/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    default_type text/plain;
    server {
        listen 8443 ssl;
        ssl_certificate $d/crt.pem;
        ssl_certificate_key $d/key.pem;
        location = /big { alias $D/big; }
        location / { return 200 "server $name\n"; }
    }
    server {
        listen 8080;
        location / { return 200 "plain $name\n"; }
    }
}
EOT
    sl_bg "$ns" "nginx-$name" nginx -e "$d/logs/startup.log" -p "$d" -c "$d/nginx.conf" >/dev/null
}
check "TLS server A (a.test) in be1" tls_server sl-be1 A a.test
check "TLS server B (b.test) in be2" tls_server sl-be2 B b.test
check "be1:8443 listening" sl_wait_listen sl-be1 8443 10
check "be2:8443 listening" sl_wait_listen sl-be2 8443 10

SOCK_HA=$SL_RUN_DIR/haproxy.sock
make_cfg() {
    local sock=$SL_SOCK
    [[ $1 == haproxy ]] && sock=$SOCK_HA
    cat <<EOT
global
    stats socket $sock mode 600 level admin

defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s

frontend guarded
    bind *:7000
    tcp-request connection reject if { src $SL_CLI_IP }
    default_backend bk_plain

frontend web
    mode http
    bind *:7080
    tcp-request connection reject if { src $SL_CLI_IP }
    default_backend bk_web

frontend tls_in
    bind *:443
    tcp-request inspect-delay 2s
    tcp-request content accept if { req_ssl_hello_type 1 }
    tcp-request content reject
    use_backend bk_a if { req.ssl_sni -i a.test }
    use_backend bk_b if { req_ssl_sni -i b.test }
    default_backend bk_b

frontend tls_or_plain
    bind *:8444
    tcp-request inspect-delay 2s
    tcp-request content accept if { req_ssl_hello_type 1 }
    use_backend bk_a if { req.ssl_sni a.test }
    default_backend bk_plain

backend bk_a
    server a $SL_BE1_IP:8443

backend bk_b
    server b $SL_BE2_IP:8443

backend bk_plain
    server p $SL_BE1_IP:8080

backend bk_web
    mode http
    server p $SL_BE1_IP:8080
EOT
    [[ $1 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# dcon SOCKET FRONTEND — the dcon column of FRONTEND's row in `show stat`
dcon() { "$PY" "$HERE/lib/stat_col.py" "$1" "$2" FRONTEND dcon; }

# run TARGET SOCKET — every step's answer, one per line, into $SL_RUN_DIR/TARGET.out
run() {
    local t=$1 sock=$2 out=$SL_RUN_DIR/$1.out
    local C=(sl_in sl-cli curl -s --max-time 6)
    : >"$out"
    # (a)
    local r
    # HAProxy accepts, then resets (curl: exit 56, or 55 when the reset comes while curl is
    # still sending its request); sluice's worker answers the SYN with a RST (exit 7, connection
    # refused): all are a reset to the client
    "${C[@]}" -o /dev/null "http://$SL_VIP:7000/"
    local rc=$?
    case $rc in 7 | 55 | 56) r="reset" ;; *) r="not reset (curl exit $rc)" ;; esac
    echo "guarded from $SL_CLI_IP: $r" >>"$out"
    r=$("${C[@]}" --interface "$CLI2_IP" "http://$SL_VIP:7000/")
    echo "guarded from $CLI2_IP: $r" >>"$out"
    "${C[@]}" -o /dev/null "http://$SL_VIP:7000/"
    echo "dcon after two rejects: $(dcon "$sock" guarded)" >>"$out"
    "${C[@]}" -o /dev/null "http://$SL_VIP:7080/"
    rc=$?
    case $rc in 7 | 55 | 56) r="reset" ;; *) r="not reset (curl exit $rc)" ;; esac
    echo "mode http, from $SL_CLI_IP: $r" >>"$out"
    r=$("${C[@]}" --interface "$CLI2_IP" "http://$SL_VIP:7080/")
    echo "mode http, from $CLI2_IP: $r" >>"$out"
    echo "mode http, dcon: $(dcon "$sock" web)" >>"$out"
    # (b)
    for h in a.test b.test c.test; do
        r=$("${C[@]}" -k --resolve "$h:443:$SL_VIP" "https://$h/")
        echo "https://$h/: $r" >>"$out"
        r=$(sl_in sl-cli bash -c "openssl s_client -connect $SL_VIP:443 -servername $h </dev/null 2>/dev/null | sed -n 's/^subject=//p'")
        echo "certificate for $h: $r" >>"$out"
    done
    "${C[@]}" -k --resolve "a.test:443:$SL_VIP" -o "$SL_RUN_DIR/$t.big" "https://a.test/big"
    if cmp -s "$SL_RUN_DIR/$t.big" "$D/big"; then r=byte-exact; else r="differs ($(stat -c %s "$SL_RUN_DIR/$t.big" 2>/dev/null) bytes)"; fi
    echo "5 MB through a.test: $r" >>"$out"
    "${C[@]}" -o /dev/null "http://$SL_VIP:443/"
    echo "plain HTTP on the TLS port: curl exit $?" >>"$out"
    echo "silent client on the TLS port: $(sl_silent_client 443)" >>"$out"
    r=$("${C[@]}" "http://$SL_VIP:8444/")
    echo "plain HTTP on tls_or_plain: $r" >>"$out"
    r=$("${C[@]}" -k --resolve "a.test:8444:$SL_VIP" "https://a.test:8444/")
    echo "https://a.test:8444/: $r" >>"$out"
    # the counters of show stat: tls_in's connections and content rejects (plain, silent), and
    # columns HAProxy leaves empty in TCP mode stay empty
    local col
    for col in stot dreq dcon req_tot intercepted hrsp_2xx; do
        echo "tls_in $col: [$("$PY" "$HERE/lib/stat_col.py" "$sock" tls_in FRONTEND $col)]" >>"$out"
    done
    echo "guarded intercepted: [$("$PY" "$HERE/lib/stat_col.py" "$sock" guarded FRONTEND intercepted)]" >>"$out"
    sed "s/^/     $t: /" "$out"
}

expect_line() { # expect_line TARGET TEXT
    check "$1: $2" grep -qxF "$2" "$SL_RUN_DIR/$1.out"
}

judge() {
    local t=$1
    expect_line "$t" "guarded from $SL_CLI_IP: reset"
    expect_line "$t" "guarded from $CLI2_IP: plain A"
    expect_line "$t" "dcon after two rejects: 2"
    expect_line "$t" "mode http, from $SL_CLI_IP: reset"
    expect_line "$t" "mode http, from $CLI2_IP: plain A"
    expect_line "$t" "mode http, dcon: 1"
    expect_line "$t" "https://a.test/: server A"
    expect_line "$t" "https://b.test/: server B"
    expect_line "$t" "https://c.test/: server B"
    check "$t: a.test's certificate is A's" grep -q "certificate for a.test: .*CN *= *a.test" "$SL_RUN_DIR/$t.out"
    check "$t: b.test's certificate is B's" grep -q "certificate for b.test: .*CN *= *b.test" "$SL_RUN_DIR/$t.out"
    expect_line "$t" "5 MB through a.test: byte-exact"
    expect_line "$t" "plain HTTP on the TLS port: curl exit 52" # closed: empty reply
    expect_line "$t" "silent client on the TLS port: closed after 2 s"
    expect_line "$t" "plain HTTP on tls_or_plain: plain A"
    expect_line "$t" "https://a.test:8444/: server A"
    expect_line "$t" "tls_in stot: [9]"
    expect_line "$t" "tls_in dreq: [2]"
}

# ---------------------------------------------------------------- HAProxy 2.6, then sluice
both() { run "$1" "$2"; judge "$1"; }
sl_haproxy_then_sluice both "$SOCK_HA" "$SL_SOCK" || exit 1
sl_ctl show l4 >"$SL_RUN_DIR/show-l4"
check "show l4: tls_in and tls_or_plain on the proxy lcores" bash -c "grep -q '^proxied tcp frontend tls_in ' '$SL_RUN_DIR/show-l4' && grep -q '^proxied tcp frontend tls_or_plain ' '$SL_RUN_DIR/show-l4'"
check "show l4: guarded on the L4 path with its connection rules" grep -q '^service guarded 7000-7000 .*tcp-request connection rules' "$SL_RUN_DIR/show-l4"
check "the rejects are counted (tcp_request_rejected >= 4)" test "$(sl_ctr tcp_request_rejected)" -ge 4
if [[ -f $SL_RUN_DIR/haproxy.out ]]; then
    expect_eq "sluice's answers are HAProxy's" "$(tr '\n' ';' <"$SL_RUN_DIR/sluice.out")" "$(tr '\n' ';' <"$SL_RUN_DIR/haproxy.out")"
fi
