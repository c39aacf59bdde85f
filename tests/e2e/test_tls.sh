#!/usr/bin/env bash
# tests/e2e/test_tls.sh — TLS termination on sluice's proxy lcores (the seed's `bind ... ssl crt`):
#  - curl verifies the chain (--cacert) and reaches the backend, which sees X-Forwarded-Proto https
#    (reqadd) and the client's address; plain HTTP on the same backend is redirected (seed-https
#    `redirect scheme https if ! { ssl_fc }`), TLS is not;
#  - TLS 1.3 and 1.2 work, 1.1 / 1.0 are refused; sslscan finds no weak protocol or cipher;
#  - SNI picks the right certificate of a `crt DIR`; certbot's live directory (fullchain.pem +
#    privkey.pem) is one certificate; no SNI: the default (first) one;
#  - a resumed session is reported as reused (TLS 1.2 and 1.3);
#  - a malformed ClientHello, plain HTTP on the TLS port and a handshake abandoned half way are
#    closed, while a keep-alive HTTPS client alongside keeps getting 200s;
#  - WSS: a WebSocket through TLS, idle past `timeout client`;
#  - certificate reload without restart (`reload certs`, SIGHUP): new handshakes get the new
#    certificate while a download started before goes on to its end; a bad file is refused and
#    the current certificate keeps serving.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 240 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
trap 'sl_e2e_finish' EXIT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }
PY=/usr/bin/python3

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
sl_bg sl-be1 ws-echo "$PY" "$HERE/lib/ws_echo.py" 9001 >/dev/null

# ---- certificates: a CA, example.com (bundle: key first), a DIR with other.example and a
# wildcard, certbot's live layout
C=$SL_RUN_DIR/certs
mkdir -p "$C/dir" "$C/live/example.org"
mkcert() { # mkcert NAME SAN KEYOPT -> $C/NAME.key, $C/NAME.crt signed by the CA
    openssl req -new -newkey "$3" -nodes -keyout "$C/$1.key" -subj "/CN=$1" -out "$C/$1.csr" 2>/dev/null &&
        printf 'subjectAltName=%s\n' "$2" >"$C/$1.ext" &&
        openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
            -days 30 -extfile "$C/$1.ext" -out "$C/$1.crt" 2>/dev/null
}
gen_certs() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/ca.key" \
        -subj "/CN=sluice test CA" -days 30 -out "$C/ca.crt" 2>/dev/null || return 1
    mkcert example.com "DNS:example.com,DNS:www.example.com" ec:<(openssl ecparam -name prime256v1) || return 1
    mkcert other.example "DNS:other.example" rsa:2048 || return 1
    mkcert wild.example.net "DNS:*.example.net" ec:<(openssl ecparam -name prime256v1) || return 1
    mkcert example.org "DNS:example.org" rsa:2048 || return 1
    cat "$C/example.com.key" "$C/example.com.crt" "$C/ca.crt" >"$C/site.pem"   # key first: any order
    cat "$C/example.com.crt" "$C/example.com.key" >"$C/dir/a-example.com.pem"
    cat "$C/other.example.crt" "$C/other.example.key" >"$C/dir/b-other.example.pem"
    cat "$C/wild.example.net.key" "$C/wild.example.net.crt" >"$C/dir/c-wild.pem"
    cat "$C/example.org.crt" "$C/ca.crt" >"$C/live/example.org/fullchain.pem"
    cp "$C/example.org.key" "$C/live/example.org/privkey.pem"
}
check "test certificates (CA, EC and RSA leaves, wildcard, certbot layout)" gen_certs || exit 1

# a bundle whose key belongs to another certificate: refused by `sluiced -c`, at its line
cat "$C/other.example.crt" "$C/example.org.key" >"$C/mismatch.pem"
printf 'frontend f\n    mode http\n    timeout client 1s\n    bind :443 ssl crt %s\n    default_backend b\nbackend b\n    mode http\n    timeout connect 1s\n    timeout server 1s\n    server s 10.77.0.21:80\n' \
    "$C/mismatch.pem" >"$SL_RUN_DIR/bad-tls.cfg"
out=$("$SL_SLUICED" -c -q -f "$SL_RUN_DIR/bad-tls.cfg" 2>&1); rc=$?
check "sluiced -c refuses a key that does not match, naming file:line ($(grep -m1 bind: <<<"$out"))" \
    bash -c "[[ $rc == 1 ]] && grep -q 'bad-tls.cfg:4: bind: .*mismatch.pem: the private key does not match' <<<'$out'"

CFG=$SL_RUN_DIR/sluice.cfg
{
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    mode http
    option forwardfor
    option http-server-close
    timeout connect 5s
    timeout client 2s
    timeout server 30s
    timeout tunnel 30s
frontend http_lb
    bind *:8080
    reqadd X-Forwarded-Proto:\ http
    default_backend backend_http
frontend frontend_https
    bind *:8443 ssl crt $C/site.pem
    bind *:8444 ssl crt $C/dir
    bind *:8445 ssl crt $C/live/example.org
    bind *:8446 ssl crt $C/site.pem force-tlsv13
    reqadd X-Forwarded-Proto:\ https
    acl ws path_beg /ws
    use_backend t_ws if ws
    default_backend backend_http
backend backend_http
    redirect scheme https if ! { ssl_fc }
    server ams1 $SL_BE1_IP:5080
    server ams2 $SL_BE2_IP:5080
backend t_ws
    server ws1 $SL_BE1_IP:9001
EOT
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts with ssl binds" sl_sluiced_start "$CFG" || exit 1

R="--resolve example.com:8443:$SL_VIP --resolve example.com:8080:$SL_VIP"
cc() { sl_in sl-cli curl -sS --max-time 10 --cacert "$C/ca.crt" $R "$@"; }
expect_eq "HTTPS with the chain verified: 200" "$(cc -o /dev/null -w '%{http_code}' https://example.com:8443/echo-headers)" 200
check "the backend sees X-Forwarded-Proto: https (reqadd)" bash -c "ip netns exec '$SL_NS_CLI' curl -sS --cacert '$C/ca.crt' $R https://example.com:8443/echo-headers | grep -qi '^x-forwarded-proto: https'"
check "the backend sees X-Forwarded-For: the client" bash -c "ip netns exec '$SL_NS_CLI' curl -sS --cacert '$C/ca.crt' $R https://example.com:8443/echo-headers | grep -qi '^x-forwarded-for: $SL_CLI_IP'"
expect_eq "plain HTTP to backend_http: redirected (302)" "$(cc -o /dev/null -w '%{http_code}' http://example.com:8080/x)" 302
check "... to https://example.com:8080/x" bash -c "ip netns exec '$SL_NS_CLI' curl -sS -D - -o /dev/null $R http://example.com:8080/x | tr -d '\r' | grep -qi '^location: https://example.com:8080/x'"
expect_eq "over TLS the same backend answers (ssl_fc)" "$(cc -o /dev/null -w '%{http_code}' https://example.com:8443/)" 200

# ---- protocols
sc() { # sc PORT ARGS... -> s_client output
    sl_in sl-cli timeout 10 openssl s_client -connect "$SL_VIP:$1" -CAfile "$C/ca.crt" "${@:2}" </dev/null 2>&1
}
has() { grep -qE "$1" <<<"$2"; }      # has REGEX TEXT
hasnt() { ! grep -qE "$1" <<<"$2"; }
# s_client's summary line: "New, TLSv1.3, Cipher is ..." on success, "New, (NONE), ..." when refused
check "TLS 1.3 handshake" has '^New, TLSv1.3, Cipher is TLS_' "$(sc 8443 -tls1_3 -servername example.com)"
check "TLS 1.2 handshake" has '^New, TLSv1.2, Cipher is ECDHE-' "$(sc 8443 -tls1_2 -servername example.com)"
check "force-tlsv13: TLS 1.3 only (a TLS 1.3 handshake)" has '^New, TLSv1.3, Cipher is TLS_' "$(sc 8446 -tls1_3 -servername example.com)"
check "force-tlsv13: TLS 1.2 refused" has '^New, \(NONE\)' "$(sc 8446 -tls1_2 -servername example.com)"
out=$(sc 8443 -tls1_1 -cipher 'DEFAULT@SECLEVEL=0')
check "TLS 1.1 refused ($(grep -m1 -E '^New,' <<<"$out"))" has '^New, \(NONE\)' "$out"
out=$(sc 8443 -tls1 -cipher 'DEFAULT@SECLEVEL=0')
check "TLS 1.0 refused ($(grep -m1 -E '^New,' <<<"$out"))" has '^New, \(NONE\)' "$out"
check "ALPN http/1.1 chosen" has 'ALPN protocol: http/1.1' "$(sc 8443 -alpn h2,http/1.1 -servername example.com)"
sl_in sl-cli sslscan --no-colour "$SL_VIP:8443" >"$SL_RUN_DIR/sslscan.txt" 2>&1
check "sslscan: SSLv2/SSLv3/TLSv1.0/TLSv1.1 disabled" bash -c "grep -E '^(SSLv2|SSLv3|TLSv1.0|TLSv1.1) ' '$SL_RUN_DIR/sslscan.txt' | grep -qv enabled && ! grep -E '^(SSLv2|SSLv3|TLSv1.0|TLSv1.1) +enabled' '$SL_RUN_DIR/sslscan.txt' | grep -q ."
check "sslscan: no weak cipher (RC4, 3DES, NULL, EXPORT, CBC-SHA1 anon)" bash -c "! grep -E 'Accepted' '$SL_RUN_DIR/sslscan.txt' | grep -qiE 'RC4|DES-CBC3|NULL|EXP|ADH|AECDH|MD5'"

# ---- SNI
subj() { sl_in sl-cli timeout 10 openssl s_client -connect "$SL_VIP:$1" ${2:+-servername $2} </dev/null 2>/dev/null | sed -n 's/^subject=//p'; }
expect_eq "crt DIR, SNI other.example" "$(subj 8444 other.example)" "CN = other.example"
expect_eq "crt DIR, SNI a.example.net (wildcard)" "$(subj 8444 a.example.net)" "CN = wild.example.net"
expect_eq "crt DIR, SNI a.b.example.net (a wildcard covers one label): default" "$(subj 8444 a.b.example.net)" "CN = example.com"
expect_eq "crt DIR, no SNI: the first (default)" "$(subj 8444)" "CN = example.com"
expect_eq "certbot's live directory (fullchain.pem + privkey.pem)" "$(subj 8445 example.org)" "CN = example.org"

# ---- resumption
resumed() { sl_tls_resumed "$SL_VIP:8443" example.com "$1" "tls$1"; }
check "TLS 1.2 session resumed (ticket)" has '^Reused' "$(resumed -tls1_2)"
check "TLS 1.3 session resumed" has '^Reused' "$(resumed -tls1_3)"

# ---- hostile input while a keep-alive HTTPS client runs
sl_in sl-cli "$PY" - "$SL_VIP" "$C/ca.crt" >"$SL_RUN_DIR/ka.txt" 2>&1 <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection((sys.argv[1], 8443), timeout=5), server_hostname="example.com")
ok = bad = 0
end = time.time() + 6
while time.time() < end:
    s.sendall(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        body += s.recv(65536)
    ok += head.startswith(b"HTTP/1.1 200")
    bad += not head.startswith(b"HTTP/1.1 200")
    time.sleep(0.05)
print("ok %d bad %d" % (ok, bad))
PY
kpid=$!
hostile() { # hostile KIND -> "closed" when sluice closed the connection
    sl_in sl-cli "$PY" - "$SL_VIP" "$1" <<'PY'
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], 8443), timeout=5)
kind = sys.argv[2]
if kind == "garbage":
    s.sendall(b"\x16\x03\x01\x00\x40" + os.urandom(64))
elif kind == "http":
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
elif kind == "half":  # the first half of a real ClientHello, then nothing
    import ssl
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inb, outb, server_hostname="example.com")
    try: obj.do_handshake()
    except ssl.SSLWantReadError: pass
    hello = outb.read()
    s.sendall(hello[: len(hello) // 2])
elif kind == "bytewise":  # a whole ClientHello, one byte per TCP segment
    import ssl
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inb, outb, server_hostname="example.com")
    try: obj.do_handshake()
    except ssl.SSLWantReadError: pass
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in outb.read():
        s.sendall(bytes([b])); time.sleep(0.002)
    s.settimeout(5)
    print("answered" if s.recv(5)[:1] == b"\x16" else "no ServerHello")
    sys.exit(0)
t = time.time()
try:
    while s.recv(4096):
        pass
    print("closed after %.1f s" % (time.time() - t))
except Exception as e:
    print("not closed: %s" % e)
PY
}
for k in garbage http half bytewise; do
    eval "h_$k=\$(hostile $k)"
done
echo "     hostile: garbage: $h_garbage; http: $h_http; half: $h_half; bytewise: $h_bytewise"
check "a malformed ClientHello is closed" has closed "$h_garbage"
check "plain HTTP sent to the TLS port is closed" has closed "$h_http"
check "a handshake abandoned half way is closed (timeout)" has closed "$h_half"
check "a ClientHello sent one byte per segment is answered" has answered "$h_bytewise"
wait "$kpid"
echo "     keep-alive HTTPS client: $(cat "$SL_RUN_DIR/ka.txt")"
check "the keep-alive HTTPS client alongside got only 200s" bash -c "grep -qE '^ok [1-9][0-9]* bad 0$' '$SL_RUN_DIR/ka.txt'"

# ---- certificate reload
serial() { sl_in sl-cli timeout 10 openssl s_client -connect "$SL_VIP:8443" -servername example.com </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null; }
s_old=$(serial)
sl_in sl-cli curl -sS --max-time 60 --limit-rate 2M --cacert "$C/ca.crt" $R -o "$SL_RUN_DIR/slow.bin" \
    https://example.com:8443/big &
dl=$!
sleep 1
mkcert example.com "DNS:example.com,DNS:www.example.com" rsa:2048 &&
    cat "$C/example.com.crt" "$C/example.com.key" >"$C/site.pem.new" && mv "$C/site.pem.new" "$C/site.pem"
out=$(sl_ctl reload certs)
check "reload certs: accepted ($(head -1 <<<"$out"))" has 'certificates reloaded' "$out"
sleep 0.5
s_new=$(serial)
check "a new handshake gets the new certificate ($s_old -> $s_new)" test -n "$s_new" -a "$s_new" != "$s_old"
expect_eq "... and verifies (HTTPS 200)" "$(cc -o /dev/null -w '%{http_code}' https://example.com:8443/)" 200
wait "$dl"
check "the download started before the reload completed byte-exact ($(stat -c %s "$SL_RUN_DIR/slow.bin") bytes)" \
    cmp -s "$SL_RUN_DIR/slow.bin" "$SL_RUN_DIR/big"
echo "garbage" >"$C/site.pem"
out=$(sl_ctl reload certs)
check "a bad file is refused ($(head -1 <<<"$out"))" has 'refused' "$out"
expect_eq "... the current certificate keeps serving" "$(serial)" "$s_new"
mkcert example.com "DNS:example.com,DNS:www.example.com" rsa:2048 &&
    cat "$C/example.com.crt" "$C/example.com.key" >"$C/site.pem"
kill -HUP "$(pgrep -n sluiced)"
sleep 1
check "SIGHUP reloads too ($(grep -m1 SIGHUP "$SL_RUN_DIR/logs/sluiced.log"))" test "$(serial)" != "$s_new"

# ---- WSS
check "WSS: a WebSocket through TLS, echo, idle past timeout client, echo again" \
    sl_in sl-cli "$PY" - "$SL_VIP" "$C/ca.crt" <<'PY'
import base64, os, socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection((sys.argv[1], 8443), timeout=10), server_hostname="example.com")
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
data = b""
while b"\r\n\r\n" not in data:
    data += s.recv(4096)
assert data.startswith(b"HTTP/1.1 101"), data
def echo(msg):
    mask = os.urandom(4)
    s.sendall(bytes([0x81, 0x80 | len(msg)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))
    h = s.recv(2)
    return s.recv(h[1] & 0x7f)
assert echo(b"one") == b"one"
time.sleep(3)  # longer than timeout client (2 s): timeout tunnel applies
assert echo(b"two") == b"two"
PY
