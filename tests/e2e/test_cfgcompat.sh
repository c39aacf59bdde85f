#!/usr/bin/env bash
# tests/e2e/test_cfgcompat.sh — keywords of real haproxy.cfg files that carry traffic, with the same
# configuration for HAProxy 2.6 and for sluice, in this one run, and their answers compared:
#  - `monitor-uri` (a frontend with a backend, and one without any, as Kubernetes' API balancers
#    write it): 200 and HAProxy's built-in page, answered before the http-request rules;
#    `monitor fail if COND`: 503; another path is not the monitor; show stat's `intercepted`
#    (monitor requests and redirects, HAProxy's count) from both stats sockets;
#  - `http-request redirect` written code first (`code 301 location /x`), `drop-query code 308
#    prefix /p`, `scheme https code 302`, 303, 307, `set-cookie`, `clear-cookie`, `append-slash`:
#    status line, Location, Cache-Control (302, 303 and 307 only), Set-Cookie;
#  - `balance random` (HTTP, weights 3:1) and `balance random(3)` (mode tcp, L4): every request
#    answered, the shares follow the weights.
# The raw answers of the local responses (monitor, redirects: status line, every header, body)
# must be byte for byte HAProxy's. Needs root and ./build. Prints "N passed, N failed".
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
N=400 # requests per balance check

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2

# make_cfg haproxy|sluice — the same proxies for both; sluice also gets its socket and dataplane.
make_cfg() {
    cat <<EOT
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s

frontend c_mon
    bind *:8090
    monitor-uri /monitoruri
    monitor fail if { hdr(x-fail) -i yes }
    http-request deny if { path_beg /monitoruri }
    http-request redirect code 301 location /moved if { path /r1 }
    http-request redirect drop-query code 308 prefix /p if { path_beg /r2 }
    http-request redirect scheme https code 302 if { path /r3 }
    http-request redirect code 303 location /see if { path /r4 }
    http-request redirect location /tmp code 307 if { path /r5 }
    http-request redirect set-cookie SEEN=1 location /c if { path /r6 }
    http-request redirect code 301 clear-cookie OLD prefix /n if { path /r7 }
    http-request redirect append-slash code 308 prefix /d if { path /r8 }
    default_backend c_rand

frontend c_mon_only
    bind *:8091
    monitor-uri /monitor

backend c_rand
    balance random
    server s1 $SL_BE1_IP:5080 weight 3
    server s2 $SL_BE2_IP:5080 weight 1

frontend c_tcp
    bind *:8092
    mode tcp
    default_backend c_rand_tcp

backend c_rand_tcp
    mode tcp
    balance random(3)
    server t1 $SL_BE1_IP:5080
    server t2 $SL_BE2_IP:5080
EOT
    if [[ $1 == sluice ]]; then
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
        sl_dataplane_cfg af_xdp
    else
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_RUN_DIR/haproxy.sock"
    fi
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

# raw PORT PATH [HEADER] — the whole answer to one HTTP/1.1 request (read to the end of its
# Content-Length), printed with CRLF shown as \r\n: what the comparison holds.
raw() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$1" "$2" "${3:-}" <<'PY'
import socket, sys
host, port, path, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
req = "GET %s HTTP/1.1\r\nHost: h\r\n%s\r\n" % (path, extra + "\r\n" if extra else "")
s = socket.create_connection((host, port), timeout=5)
s.sendall(req.encode())
buf = b""
while b"\r\n\r\n" not in buf:
    d = s.recv(65536)
    if not d:
        break
    buf += d
head, _, body = buf.partition(b"\r\n\r\n")
clen = 0
for line in head.split(b"\r\n")[1:]:
    k, _, v = line.partition(b":")
    if k.strip().lower() == b"content-length":
        clen = int(v)
while len(body) < clen:
    d = s.recv(65536)
    if not d:
        break
    body += d
print(repr(head + b"\r\n\r\n" + body)[2:-1])
PY
}

# intercepted SOCKET FRONTEND — the 'intercepted' column of show stat (requests a frontend answered
# itself: the monitor-uri), from HAProxy's or sluiced's stats socket (the same protocol)
intercepted() {
    "$PY" - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
lines = data.decode().splitlines()
cols = lines[0].lstrip("# ").split(",")
for l in lines[1:]:
    f = l.split(",")
    if len(f) > 2 and f[0] == sys.argv[2] and f[1] == "FRONTEND":
        print(f[cols.index("intercepted")])
PY
}

# shares PORT — N requests to /index.txt, each on a new connection (one client process: N curl
# processes took most of the script's time); prints "be1 be2 errors"
shares() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$1" "$N" <<'PY'
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
count = {"backend be1": 0, "backend be2": 0}
errors = 0
for _ in range(n):
    try:
        s = socket.create_connection((host, port), timeout=3)
        s.sendall(b"GET /index.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        buf = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        s.close()
        head, _, body = buf.partition(b"\r\n\r\n")
        key = body.decode(errors="replace").strip()
        if head.startswith(b"HTTP/1.1 200") and key in count:
            count[key] += 1
        else:
            errors += 1
    except OSError:
        errors += 1
print(count["backend be1"], count["backend be2"], errors)
PY
}

run_checks() {
    local t=$1 out=$SL_RUN_DIR/answers-$1.txt a b e
    : >"$out"
    echo "# --- $t: monitor-uri, monitor fail, redirects (raw answers)"
    {
        echo "== /monitoruri";            raw 8090 /monitoruri
        echo "== /monitoruri x-fail";     raw 8090 /monitoruri "X-Fail: yes"
        echo "== /monitoruri?x (a rule)"; raw 8090 "/monitoruri?x"
        echo "== :8091 /monitor";         raw 8091 /monitor
        echo "== http://h/monitoruri";    raw 8090 http://h/monitoruri
        echo "== /r1";                    raw 8090 /r1
        echo "== /r2/a?q=1";              raw 8090 "/r2/a?q=1"
        echo "== /r3?x=1";                raw 8090 "/r3?x=1"
        echo "== /r4";                    raw 8090 /r4
        echo "== /r5";                    raw 8090 /r5
        echo "== /r6 set-cookie";         raw 8090 /r6
        echo "== /r7 clear-cookie";       raw 8090 /r7
        echo "== /r8 append-slash";       raw 8090 /r8
    } >>"$out"
    expect_eq "$t: monitor-uri: 200" "$(sed -n '/^== \/monitoruri$/{n;p}' "$out" | cut -c1-15)" 'HTTP/1.1 200 OK'
    expect_eq "$t: monitor fail: 503" "$(sed -n '/^== \/monitoruri x-fail$/{n;p}' "$out" | cut -c1-12)" 'HTTP/1.1 503'
    expect_eq "$t: the monitor answers before the http-request rules; not with a query: 403" \
        "$(sed -n '/^== \/monitoruri?x/{n;p}' "$out" | cut -c1-12)" 'HTTP/1.1 403'
    check "$t: redirect code 301 location /moved" bash -c "sed -n '/^== \\/r1\$/{n;p}' '$out' | grep -q '^HTTP/1.1 301 .*location: /moved'"
    check "$t: redirect drop-query code 308 prefix /p" bash -c "sed -n '/^== \\/r2/{n;p}' '$out' | grep -q '^HTTP/1.1 308 .*location: /p/r2/a\\\\r'"

    local sock=$SL_SOCK
    [[ $t == haproxy ]] && sock=$SL_RUN_DIR/haproxy.sock
    expect_eq "$t: monitor requests and redirects counted as intercepted (c_mon: 3 + 8)" "$(intercepted "$sock" c_mon)" 11
    expect_eq "$t: monitor requests counted as intercepted (c_mon_only: 1)" "$(intercepted "$sock" c_mon_only)" 1

    echo "# --- $t: balance random (HTTP, weights 3:1), random(3) (mode tcp)"
    read -r a b e < <(shares 8090)
    echo "     HTTP: be1 $a, be2 $b, errors $e"
    expect_eq "$t: random, every request answered" "$e" 0
    check "$t: random follows the weights 3:1 (be1 $a of $N: 65% to 85%)" test "$a" -ge $((N * 65 / 100)) -a "$a" -le $((N * 85 / 100))
    read -r a b e < <(shares 8092)
    echo "     L4: be1 $a, be2 $b, errors $e"
    expect_eq "$t: random(3) in mode tcp, every connection answered" "$e" 0
    check "$t: random(3) in mode tcp spreads 1:1 (be1 $a of $N: 35% to 65%)" test "$a" -ge $((N * 35 / 100)) -a "$a" -le $((N * 65 / 100))
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

# (the proxies: the dataplane section may warn of lcores sharing CPUs in the multi-lcore step)
check "the configuration passes sluiced -c without a warning on its proxies" bash -c \
    "'$SL_SLUICED' -c -f '$SL_RUN_DIR/sluice.cfg' 2>&1 | grep warning | { ! grep -v \"'cores \"; }"
if sl_sluiced_start "$SL_RUN_DIR/sluice.cfg"; then
    ok "sluiced starts with the configuration"
    for p in 8090 8091 8092; do
        sl_wait_tcp sl-cli "$SL_VIP" "$p" 10 || bad "sluiced does not accept on $SL_VIP:$p"
    done
    run_checks sluice
else
    bad "sluiced starts with the configuration"
fi
sl_sluiced_stop

sl_answers_match "monitor and redirect answers byte for byte HAProxy's ($(grep -c '^==' "$SL_RUN_DIR/answers-sluice.txt") requests)"
