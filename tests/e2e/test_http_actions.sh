#!/usr/bin/env bash
# tests/e2e/test_http_actions.sh — http-request / http-response actions with log-format
# expressions, the same configuration run by HAProxy 2.6 then by sluice, their answers compared
# byte for byte (status line, every header but Date, body):
#  - header values with %[src] %[dst_port] %[req.hdr(host),lower] %[method] %[path] %[query]
#    %[url] %[base] %[ssl_fc] %ci %fp, regsub(), a map_dom() lookup with a default, replace-header with a
#    back-reference (the nginx backends echo what they received: /echo-headers);
#  - http-request return: lf-string with hdr, string, empty, file, errorfile, HEAD; the
#    connection stays open after it (a second request on it is answered);
#  - http-request redirect location with expressions; set-query, set-path, set-method,
#    replace-path; use_backend %[req.hdr(host),lower,map(FILE)] (a hit, a name that is no
#    backend, no match: the default backend);
#  - http-response set-header with expressions, replace-header, set-status with a reason;
#  - balance hdr(X-Key): a key keeps its server, keys spread, no header is roundrobin (checked
#    on each, not compared: the two hash differently);
#  - userlist (a crypt(3) hash, an insecure-password, groups), http-request auth [realm],
#    http_auth(L), http_auth_group(L) G; an acl pattern file (acl NAME path -f FILE), its
#    denies answered on the same connection as HAProxy 2.6 does.
# Needs root and ./build. Prints "N passed, N failed".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 300 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
trap 'sl_e2e_finish' EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ -x $SL_SLUICED && -x $SL_CTL ]] || { echo "build first (ninja -C build)" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }
PY=/usr/bin/python3

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2

# the files the configuration names (read at load by both)
F=$SL_RUN_DIR/actions
mkdir -p "$F"
printf 'file body\n' >"$F/body.txt"
printf 'HTTP/1.1 418 Teapot\r\nContent-Type: text/plain\r\nX-From: errorfile\r\nContent-Length: 6\r\n\r\nteapot' >"$F/err.http"
printf '# host -> backend\none.example c_one\ntwo.example   c_two\nbad.example c_nosuch\n' >"$F/hosts.map"
printf 'secure.example https\n' >"$F/proto.map"
printf '# forbidden paths\n/secret\n\n  /hidden\n' >"$F/deny.lst"
HASH=$(openssl passwd -6 -salt e2esalt secret) # alice's password, a SHA-512 crypt(3) hash

make_cfg() {
    cat <<EOT
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s

userlist L
    group admins users alice
    group ops
    user alice password $HASH
    user bob insecure-password hunter2 groups ops

frontend fa
    bind *:8090
    acl forbidden path -f $F/deny.lst
    http-request deny if forbidden
    http-request auth realm Private if { path_beg /private } !{ http_auth(L) }
    http-request auth if { path_beg /admin } !{ http_auth_group(L) admins }
    http-request return status 200 content-type text/plain lf-string "welcome %[path]" if { path_beg /private } || { path_beg /admin }
    http-request return status 200 content-type text/plain lf-string "hi %[src] %[path] %[dst_port]" hdr X-A "v %[dst_port]" if { path /ret }
    http-request return status 404 content-type text/html string "<p>nope</p>" if { path /s }
    http-request return if { path /empty }
    http-request return status 503 content-type text/plain file $F/body.txt if { path /f }
    http-request return errorfile $F/err.http if { path /ef }
    http-request redirect location https://%[req.hdr(host),lower]%[path]?from=%[src] code 301 if { path_beg /go }
    http-request set-header X-Real-IP %[src]
    http-request set-header X-Forwarded-Port %[dst_port]
    http-request set-header X-Forwarded-Host %[req.hdr(host),lower,regsub(example,ex,g)]
    http-request set-header X-Forwarded-Proto %[req.hdr(host),lower,map_dom($F/proto.map,http)]
    http-request set-header X-Test "%[method] %[path] q=%[query] u=%[url] b=%[base] ssl=%[ssl_fc] %ci:%fp"
    http-request replace-header User-Agent ^curl/(.*)\$ ua-\1
    http-request set-method PUT if { hdr(x-put) yes }
    http-request replace-path ^/rp/(.*)\$ /\1
    http-request set-query q=%[path] if { path /sp }
    http-request set-path /echo-headers if { path /sp }
    http-response set-header Strict-Transport-Security "max-age=63072000"
    http-response set-header X-Via %[dst]:%[dst_port]
    http-response replace-header X-Backend ^be(.*)\$ node-\1
    use_backend %[req.hdr(host),lower,map($F/hosts.map)] if { path_beg /dyn }
    use_backend c_hash if { path_beg /hash }
    default_backend c_one

frontend fb
    bind *:8091
    http-response set-status 203 reason "Via Proxy"
    default_backend c_two

backend c_one
    server s1 $SL_BE1_IP:5080

backend c_two
    server s2 $SL_BE2_IP:5080

backend c_hash
    balance hdr(X-Key)
    server h1 $SL_BE1_IP:5080
    server h2 $SL_BE2_IP:5080
EOT
    if [[ $1 == sluice ]]; then
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
        sl_dataplane_cfg af_xdp
    fi
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# ask PORT "METHOD PATH [Header: v]..." ... — the requests on one connection, one after the other;
# prints each whole answer (head lines then body), without Date and nginx's remote-port line.
ask() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$@" <<'PY'
import socket, sys
host, port, reqs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
s = socket.create_connection((host, port), timeout=5)
buf = b""
for r in reqs:
    words = r.split("|")
    method, path = words[0].split(" ", 1)
    hdrs = [w for w in words[1:]]
    if not any(h.lower().startswith("host:") for h in hdrs):
        hdrs.insert(0, "Host: h")
    s.sendall(("%s %s HTTP/1.1\r\n%s\r\n" % (method, path, "".join(h + "\r\n" for h in hdrs))).encode())
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            print("<closed>")
            sys.exit(0)
        buf += d
    head, _, buf = buf.partition(b"\r\n\r\n")
    clen = 0
    lines = head.decode(errors="replace").split("\r\n")
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length" and method != "HEAD":
            clen = int(v)
    while len(buf) < clen:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    body, buf = buf[:clen], buf[clen:]
    for line in lines:
        if not line.lower().startswith("date:"):
            print(line)
    print()
    for line in body.decode(errors="replace").splitlines():
        if not line.startswith("remote-port:"):
            print("  " + line)
    print("--")
PY
}

# backend_of KEY — the backend that answers /hash with X-Key: KEY (none: no header), each on a
# connection of its own
backend_of() {
    local h=()
    [[ -n $1 ]] && h=(-H "X-Key: $1")
    sl_in sl-cli curl -s --max-time 3 "${h[@]}" "http://$SL_VIP:8090/hash" | sed 's/^backend //'
}

run_checks() {
    local t=$1 out=$SL_RUN_DIR/answers-$1.txt
    : >"$out"
    {
        echo "== return lf-string, then the same connection: string, empty, file, errorfile"
        ask 8090 "GET /ret" "GET /s" "GET /empty" "GET /f" "GET /ef"
        echo "== HEAD return"
        ask 8090 "HEAD /ret"
        echo "== redirect location with expressions"
        ask 8090 "GET /go/x?y=1|Host: WWW.Example.com"
        echo "== header expressions, replace-header"
        ask 8090 "GET /echo-headers?k=v|Host: Secure.Example|User-Agent: curl/7.0"
        ask 8090 "GET /echo-headers|Host: other|User-Agent: wget/1"
        echo "== set-query then set-path; set-method; replace-path"
        ask 8090 "GET /sp?old=1" "GET /echo-headers|X-Put: yes" "GET /rp/echo-headers?z"
        echo "== use_backend from a map: hit, no such backend, no match"
        ask 8090 "GET /dyn|Host: TWO.example" "GET /dyn|Host: bad.example" "GET /dyn|Host: x.example" "GET /dyn|Host: one.example"
        echo "== auth: none, alice (hash), bob (insecure), wrong, then alice again on one connection; groups"
        ask 8090 "GET /private/x" "GET /private/x|Authorization: Basic YWxpY2U6c2VjcmV0" \
            "GET /private/y|Authorization: Basic Ym9iOmh1bnRlcjI=" "GET /private/z|Authorization: Basic YWxpY2U6d3Jvbmc=" \
            "GET /private/w|Authorization: Basic YWxpY2U6c2VjcmV0"
        ask 8090 "GET /admin|Authorization: Basic Ym9iOmh1bnRlcjI=" "GET /admin|Authorization: Basic YWxpY2U6c2VjcmV0"
        echo "== acl -f pattern file"
        ask 8090 "GET /hidden" "GET /secret?x" "GET /index.txt"
        echo "== http-response set-status with a reason"
        ask 8091 "GET /index.txt"
    } >>"$out"
    expect_eq "$t: return keeps the connection: five answers on one" "$(sed -n '/^== return/,/^== HEAD/p' "$out" | grep -c '^--$')" 5
    check "$t: header expressions reach the server" grep -q '^  x-real-ip: 10.77.0.10' "$out"
    expect_eq "$t: auth: 401 without credentials, 200 for alice and bob, 401 for a wrong password" \
        "$(sed -n '/^== auth/,/^== acl/p' "$out" | grep -o '^HTTP/1.1 [0-9]*' | tr '\n' ' ')" \
        "HTTP/1.1 401 HTTP/1.1 200 HTTP/1.1 200 HTTP/1.1 401 HTTP/1.1 200 HTTP/1.1 401 HTTP/1.1 200 "
    # balance hdr(): the servers a key goes to differ between HAProxy and sluice (their hashes
    # differ), so the properties are checked on each: one key, one server; keys spread; no
    # header, roundrobin
    local k same=1 first seen=" "
    first=$(backend_of k1)
    for k in 1 2 3 4 5 6; do [[ $(backend_of k1) == "$first" ]] || same=0; done
    expect_eq "$t: balance hdr(X-Key): one key always reaches one server ($first)" "$same" 1
    for k in $(seq 1 16); do seen+="$(backend_of "key$k") "; done
    check "$t: balance hdr(X-Key): 16 keys reach both servers" bash -c "[[ '$seen' == *be1* && '$seen' == *be2* ]]"
    seen=" "
    for k in 1 2 3 4; do seen+="$(backend_of '') "; done
    check "$t: balance hdr(X-Key): without the header, roundrobin ($seen)" bash -c "[[ '$seen' == *be1*be2* || '$seen' == *be2*be1* ]]"
    check "$t: use_backend from the map reaches be2" bash -c "sed -n '/^== use_backend/,/^== http-response/p' '$out' | grep -q '^  backend be2'"
}

# ------------------------------------------------------------------ HAProxy, then sluice
sl_lb_kernel_addr
if sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; then
    ok "HAProxy starts with the configuration"
    run_checks haproxy
else
    bad "HAProxy starts with the configuration"
fi
sl_haproxy_stop

# the warnings expected: rules after a line rewrite read the request line as received
check "sluiced -c: warns of the rules after a line rewrite, of nothing else" bash -c \
    "'$SL_SLUICED' -c -f '$SL_RUN_DIR/sluice.cfg' 2>&1 | grep warning | grep -v \"'cores \" | grep -v 'as received' | grep -c . | grep -qx 0"
if sl_sluiced_start "$SL_RUN_DIR/sluice.cfg"; then
    ok "sluiced starts with the configuration"
    for p in 8090 8091; do
        sl_wait_tcp sl-cli "$SL_VIP" "$p" 10 || bad "sluiced does not accept on $SL_VIP:$p"
    done
    run_checks sluice
else
    bad "sluiced starts with the configuration"
fi
sl_sluiced_stop

sl_answers_match "answers byte for byte HAProxy's ($(grep -c '^--$' "$SL_RUN_DIR/answers-sluice.txt") responses)"
