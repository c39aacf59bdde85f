#!/usr/bin/env bash
# tests/e2e/test_rtmps.sh — TLS terminated on a mode tcp bind (RTMPS ingest), HAProxy 2.6 first and
# sluice second on the same configuration, judged by the same clients:
#  - ffmpeg publishes two streams over rtmps://VIP:443 to plain nginx-rtmp origins: each exits 0
#    and has its HLS on exactly one origin;
#  - while they publish: TLS 1.2 and 1.3 handshakes succeed, TLS 1.1 / 1.0 are refused (openssl
#    s_client able to offer them, and sslscan); `crt DIR` picks the certificate by SNI, the first
#    one without; `use_backend ... if { ssl_fc_sni -i web.test }` sends that name's connections
#    to a plain HTTP origin: a download and an upload through the TLS bind are byte-exact; a
#    client that half-closes (FIN) after 3 MB gets the whole answer a server sends only then
#    (both directions byte-exact); a client that never finishes its handshake is closed after
#    `timeout client`;
#  - sluice only: the handshakes are counted (tls_handshakes_full/failed), the frontend is served
#    by the proxy lcores (show l4), `reload certs` gives new handshakes the new certificate.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 240 "$0" "$@"
trap 'sl_e2e_finish pkill -f "ffmpeg.*rtmps://$SL_VIP"' EXIT
PY=/usr/bin/python3

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
# a server that answers only once the client's stream ended (half-close): the sha256 and length
# of what it received, then 3 MB of its own (the same file the client sends)
cat >"$SL_RUN_DIR/sink.py" <<'PYEOF'
import hashlib, socketserver, sys
class H(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(30)  # sendall's bound is the whole answer's
        h, n = hashlib.sha256(), 0
        while True:
            d = self.request.recv(65536)
            if not d:
                break
            h.update(d)
            n += len(d)
        with open(sys.argv[2], "rb") as f:
            self.request.sendall(b"%s %d\n" % (h.hexdigest().encode(), n) + f.read())
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
PYEOF
head -c 3M /dev/urandom >"$SL_RUN_DIR/up.bin"
sl_bg sl-be2 sink "$PY" "$SL_RUN_DIR/sink.py" 9000 "$SL_RUN_DIR/up.bin" >/dev/null
check "half-close server on be2:9000" sl_wait_listen sl-be2 9000 10

# ---------------------------------------------------------------- certificates: a CA, a DIR
# with rtmp.test (first: the default) and web.test
C=$SL_RUN_DIR/certs
mkdir -p "$C/dir"
gen_certs() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/ca.key" \
        -subj "/CN=sluice test CA" -days 30 -out "$C/ca.crt" 2>/dev/null || return 1
    sl_mkcert "$C" rtmp.test "DNS:rtmp.test" ec:<(openssl ecparam -name prime256v1) || return 1
    sl_mkcert "$C" web.test "DNS:web.test" rsa:2048 || return 1
    cat "$C/rtmp.test.crt" "$C/rtmp.test.key" >"$C/dir/a-rtmp.test.pem"
    cat "$C/web.test.crt" "$C/web.test.key" >"$C/dir/b-web.test.pem"
}
check "test certificates" gen_certs || exit 1

SOCK_HA=$SL_RUN_DIR/haproxy.sock
make_cfg() { # make_cfg haproxy|sluice
    local sock=$SL_SOCK
    [[ $1 == haproxy ]] && sock=$SOCK_HA
    cat <<EOT
global
    stats socket $sock mode 600 level admin

defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 30s
    timeout tunnel 30s

frontend rtmps
    bind *:443 ssl crt $C/dir ssl-min-ver TLSv1.2
    use_backend bk_web if { ssl_fc_sni -i web.test }
    use_backend bk_sink if { ssl_fc_sni -i sink.test }
    default_backend bk_rtmp

backend bk_rtmp
    balance roundrobin
    server o1 $SL_BE1_IP:1935
    server o2 $SL_BE2_IP:1935

backend bk_web
    server w2 $SL_BE2_IP:5080

backend bk_sink
    server k2 $SL_BE2_IP:9000
EOT
    [[ $1 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

publish() { # publish NAME SECONDS; ffmpeg's exit status lands in $SL_RUN_DIR/rc-NAME
    rm -f "$SL_RUN_DIR/rc-$1"
    sl_bg sl-cli "ffmpeg-$1" bash -c "ffmpeg -nostdin -loglevel error -re \
        -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440 -t $2 \
        -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -c:a aac \
        -f flv rtmps://$SL_VIP:443/live/$1; echo \$? >$SL_RUN_DIR/rc-$1" >/dev/null
}
hls_on() { # hls_on STREAM -> the origins holding its playlist
    local b
    for b in be1 be2; do [[ -f $SL_RUN_DIR/be/$b/hls/$1.m3u8 ]] && echo "$b"; done
}
sc() { sl_in sl-cli timeout 10 openssl s_client -connect "$SL_VIP:443" "$@" </dev/null 2>&1 | grep -m1 -E '^New,' | cut -d, -f1-2; }
subj() { sl_in sl-cli timeout 10 openssl s_client -connect "$SL_VIP:443" ${1:+-servername $1} </dev/null 2>/dev/null | sed -n 's/^subject=//p'; }
cc() { sl_in sl-cli curl -sS --max-time 20 --cacert "$C/ca.crt" --resolve "web.test:443:$SL_VIP" "$@"; }

# half_close — over TLS to sink.test (the default certificate): 3 MB, then FIN (no
# close_notify); the server answers only then. Prints "SHA LEN" of what the server got, then
# of the rest of its answer.
half_close() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$SL_RUN_DIR/up.bin" <<'PYEOF'
import hashlib, socket, ssl, sys, time
t0 = time.time()
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection((sys.argv[1], 443), timeout=10)
inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
t = ctx.wrap_bio(inb, outb, server_hostname="sink.test")
def pump():
    d = outb.read()
    if d:
        s.sendall(d)
while True:
    try:
        t.do_handshake(); break
    except ssl.SSLWantReadError:
        pump()
        d = s.recv(65536)
        if not d:
            sys.exit("closed during the handshake")
        inb.write(d)
pump()
up = open(sys.argv[2], "rb").read()
for i in range(0, len(up), 16384):
    t.write(up[i:i + 16384])
    pump()
s.shutdown(socket.SHUT_WR)
data = bytearray()
while True:
    try:
        d = t.read(262144)
        if not d:
            break  # close_notify
        data += d
        continue
    except ssl.SSLWantReadError:
        pass
    except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
        break
    d = s.recv(262144)
    if not d:
        break
    inb.write(d)
line, _, rest = bytes(data).partition(b"\n")
print(line.decode(errors="replace"), hashlib.sha256(rest).hexdigest(), len(rest))
print("%.1f s" % (time.time() - t0), file=sys.stderr)
PYEOF
}

# run TARGET — every step's answer, one a line, into $SL_RUN_DIR/answers-TARGET.txt
run() {
    local t=$1 out=$SL_RUN_DIR/answers-$1.txt s r
    : >"$out"
    publish "$t-a" 10
    publish "$t-b" 10
    local t0=$SECONDS
    echo "TLS 1.3: $(sc -tls1_3)" >>"$out"
    echo "TLS 1.2: $(sc -tls1_2)" >>"$out"
    echo "TLS 1.1: $(sc -tls1_1 -cipher 'DEFAULT@SECLEVEL=0')" >>"$out"
    echo "TLS 1.0: $(sc -tls1 -cipher 'DEFAULT@SECLEVEL=0')" >>"$out"
    sl_in sl-cli timeout 20 sslscan --no-colour "$SL_VIP:443" >"$SL_RUN_DIR/sslscan-$t.txt" 2>&1
    echo "sslscan enabled: $(grep -E '^(SSLv2|SSLv3|TLSv1\.[0-3]) +enabled' "$SL_RUN_DIR/sslscan-$t.txt" | awk '{print $1}' | tr '\n' ' ')" >>"$out"
    sleep $((t0 + 6 - SECONDS > 0 ? t0 + 6 - SECONDS : 0)) # the streams' HLS (1 s fragments) after 6 s
    for s in a b; do
        echo "stream $s: HLS on $(hls_on "$t-$s" | wc -l) origin(s)" >>"$out"
    done
    echo "certificate for web.test: $(subj web.test)" >>"$out"
    echo "certificate without SNI: $(subj)" >>"$out"
    r=$(cc -o - -w '%{stderr}     '"$t"': download %{time_total} s\n' https://web.test/big | sha256sum | cut -d' ' -f1)
    [[ $r == "$(sha256sum <"$SL_RUN_DIR/big" | cut -d' ' -f1)" ]] && r=byte-exact
    echo "download through web.test: $r" >>"$out"
    rm -f "$SL_RUN_DIR/be/be2/www/up/$t.bin"
    cc -o /dev/null -T "$SL_RUN_DIR/up.bin" "https://web.test/up/$t.bin"
    cmp -s "$SL_RUN_DIR/up.bin" "$SL_RUN_DIR/be/be2/www/up/$t.bin" && r=byte-exact || r=differs
    echo "upload through web.test: $r" >>"$out"
    r=$(half_close 2>"$SL_RUN_DIR/half-$t.err")
    echo "     $t: half-close exchange: $(tail -1 "$SL_RUN_DIR/half-$t.err")"
    [[ $r == "$(sha256sum <"$SL_RUN_DIR/up.bin" | cut -d' ' -f1) $(stat -c %s "$SL_RUN_DIR/up.bin") $(sha256sum <"$SL_RUN_DIR/up.bin" | cut -d' ' -f1) $(stat -c %s "$SL_RUN_DIR/up.bin")" ]] && r=byte-exact
    echo "3 MB then FIN, the answer after it: $r" >>"$out"
    echo "silent client: $(sl_silent_client 443)" >>"$out"
    for s in a b; do
        local i
        for i in $(seq 30); do [[ -f $SL_RUN_DIR/rc-$t-$s ]] && break; sleep 0.5; done
        echo "stream $s: ffmpeg exit $(cat "$SL_RUN_DIR/rc-$t-$s" 2>/dev/null)" >>"$out"
    done
}

judge() { # judge TARGET: what both must answer
    local f=$SL_RUN_DIR/answers-$1.txt l
    for l in "TLS 1.3: New, TLSv1.3" "TLS 1.2: New, TLSv1.2" "TLS 1.1: New, (NONE)" "TLS 1.0: New, (NONE)" \
        "sslscan enabled: TLSv1.2 TLSv1.3 " "certificate for web.test: CN = web.test" \
        "certificate without SNI: CN = rtmp.test" "download through web.test: byte-exact" \
        "upload through web.test: byte-exact" "3 MB then FIN, the answer after it: byte-exact" \
        "silent client: closed after 3 s" "stream a: HLS on 1 origin(s)" "stream b: HLS on 1 origin(s)" \
        "stream a: ffmpeg exit 0" "stream b: ffmpeg exit 0"; do
        check "$1: $l" grep -qxF "$l" "$f"
    done
}

# ---------------------------------------------------------------- HAProxy 2.6, then sluice
both() { run "$1"; judge "$1"; }
sl_haproxy_then_sluice both || exit 1
check "show l4: rtmps is served by the proxy lcores" bash -c "'$SL_CTL' -s '$SL_SOCK' show l4 | grep -q '^proxied tcp frontend rtmps '"
full=$(sl_ctr tls_handshakes_full) failed=$(sl_ctr tls_handshakes_failed)
check "handshakes counted: tls_handshakes_full $full (>= 8)" test "$full" -ge 8
check "refused handshakes counted: tls_handshakes_failed $failed (>= 2)" test "$failed" -ge 2
serial() { sl_in sl-cli timeout 10 openssl s_client -connect "$SL_VIP:443" -servername web.test </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null; }
s_old=$(serial)
sl_mkcert "$C" web.test "DNS:web.test" rsa:2048 && cat "$C/web.test.crt" "$C/web.test.key" >"$C/dir/b-web.test.pem"
r=$(sl_ctl reload certs)
check "reload certs: accepted ($(head -1 <<<"$r"))" grep -q 'certificates reloaded' <<<"$r"
s_new=$(serial)
check "a new handshake gets the new certificate ($s_old -> $s_new)" test -n "$s_new" -a "$s_new" != "$s_old"
expect_eq "... and a request through it is answered" "$(cc https://web.test/)" "backend be2"
[[ -f $SL_RUN_DIR/answers-haproxy.txt ]] && sl_answers_match "sluice's answers are HAProxy's"
