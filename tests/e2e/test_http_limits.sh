#!/usr/bin/env bash
# tests/e2e/test_http_limits.sh — the HTTP proxy's limits and failure paths, through sluiced:
#  - server maxconn 1: a second request waits in the queue and is served when the first ends;
#    beyond `timeout queue` a waiting request gets 503; maxconn counts the connections of every
#    proxy lcore: 12 clients at once (spread over the lcores by RSS) never put two on the server,
#    and a request queued on one lcore is served when the connection of another ends;
#  - mode tcp: a server's maxconn 1 counts the flows of every worker: while one flow holds it, new
#    connections (spread over the workers) are refused (SYN dropped and counted);
#  - `timeout server`: a server that answers too late gives 504;
#  - a server that refuses connections: `retries` go to the other server (all requests 200,
#    retries counted); a backend whose only server refuses: 503;
#  - balance source (one client, one server), uri (one path, one server; paths spread), first;
#  - `timeout http-keep-alive`: an idle keep-alive connection is closed by sluice;
#  - `timeout client`: a request body that stops half way gets 408 after it;
#  - a connection that sends nothing gets 408 after `timeout http-request`, and with `option
#    http-ignore-probes` a silent close and no error counted;
#  - drain (`set server B/S state drain`) and `set server B/S weight 0`: new clients go
#    elsewhere while clients with the server's persistence cookie still reach it; `show servers
#    state`; `shutdown sessions server` ends the proxied sessions on that server at once;
#  - `show errors` keeps a refused request's bytes, client and the parser's reason.
# Backends: a threaded Python server (lib/slow_http.py, /sleep/N) on be1 and be2 :9002.
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
sl_bg sl-be1 slow1 "$PY" "$HERE/lib/slow_http.py" 9002 be1 >/dev/null
sl_bg sl-be2 slow2 "$PY" "$HERE/lib/slow_http.py" 9002 be2 >/dev/null
sleep 1
CFG=$SL_RUN_DIR/sluice.cfg
{
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    mode http
    option http-server-close
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fq
    bind *:8090
    default_backend queue1
backend queue1
    timeout queue 1500ms
    server s1 $SL_BE1_IP:9002 maxconn 1
frontend fq2
    bind *:8102
    default_backend queue2
backend queue2
    timeout queue 10s
    server s1 $SL_BE1_IP:9002 maxconn 1
frontend f4
    bind *:8103
    mode tcp
    default_backend l4one
backend l4one
    mode tcp
    server s1 $SL_BE1_IP:9002 maxconn 1
frontend ft
    bind *:8091
    default_backend late
backend late
    timeout server 1s
    server s1 $SL_BE1_IP:9002
frontend fr
    bind *:8092
    default_backend halfdead
backend halfdead
    retries 3
    option redispatch
    server dead $SL_BE2_IP:9999
    server live $SL_BE1_IP:9002
frontend fd
    bind *:8093
    default_backend alldead
backend alldead
    retries 2
    server dead $SL_BE2_IP:9999
frontend fs
    bind *:8094
    default_backend bsrc
backend bsrc
    balance source
    server a $SL_BE1_IP:9002
    server b $SL_BE2_IP:9002
frontend fu
    bind *:8095
    default_backend buri
backend buri
    balance uri
    server a $SL_BE1_IP:9002
    server b $SL_BE2_IP:9002
frontend ff
    bind *:8096
    default_backend bfirst
backend bfirst
    balance first
    server a $SL_BE2_IP:9002
    server b $SL_BE1_IP:9002
frontend fl
    bind *:8100
    default_backend blc
backend blc
    balance leastconn
    server a $SL_BE1_IP:9002
    server b $SL_BE2_IP:9002
frontend fw
    bind *:8101
    default_backend bsrr
backend bsrr
    balance static-rr
    server a $SL_BE1_IP:9002 weight 3
    server b $SL_BE2_IP:9002 weight 1
frontend fk
    bind *:8097
    timeout http-keep-alive 1s
    default_backend bka
backend bka
    server a $SL_BE1_IP:9002
frontend fp
    bind *:8099
    default_backend bdrain
backend bdrain
    cookie SRV insert indirect nocache
    server a $SL_BE1_IP:9002 cookie a
    server b $SL_BE2_IP:9002 cookie b
frontend fc
    bind *:8098
    timeout client 1s
    timeout http-request 5s
    default_backend bka
frontend fe_probe
    bind *:8104
    timeout http-request 1s
    default_backend bka
frontend fe_noprobe
    bind *:8105
    timeout http-request 1s
    option http-ignore-probes
    default_backend bka
EOT
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1

# code URL... -> "status seconds" per URL, requests sent at once
codes() {
    sl_in sl-cli "$PY" - "$@" <<'PY'
import sys, threading, time, urllib.request, urllib.error
out = [None] * (len(sys.argv) - 1)
def get(i, url):
    t = time.time()
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            out[i] = "%d %.1f %s" % (r.status, time.time() - t, r.headers.get("X-Backend", "-"))
    except urllib.error.HTTPError as e:
        out[i] = "%d %.1f -" % (e.code, time.time() - t)
    except Exception as e:
        out[i] = "ERR %.1f %s" % (time.time() - t, type(e).__name__)
ths = []
for i, u in enumerate(sys.argv[1:]):
    th = threading.Thread(target=get, args=(i, u)); th.start(); ths.append(th)
    time.sleep(0.1)
for th in ths: th.join()
print("\n".join(out))
PY
}
V=http://$SL_VIP
has_both() { [[ $1 == *be1=* && $1 == *be2=* ]]; }

# ---- maxconn 1 + queue
r=$(codes "$V:8090/sleep/1" "$V:8090/sleep/1")
echo "$r" | sed 's/^/     queue: /'
check "maxconn 1: the second request waits, then is served (both 200, the second after ~2 s)" \
    bash -c "[[ \$(echo '$r' | awk '\$1 == 200' | wc -l) == 2 ]] && echo '$r' | awk 'NR == 2 {exit !(\$2 >= 1.7)}'"
check "the queue was used (show http: queued_total > 0)" bash -c "'$SL_CTL' -s '$SL_SOCK' show http | grep -qE 'queued_total [1-9]'"
r=$(codes "$V:8090/sleep/2.5" "$V:8090/sleep/2.5")
echo "$r" | sed 's/^/     queue timeout: /'
check "timeout queue 1.5 s: the waiting request gets 503 after ~1.5 s" \
    bash -c "echo '$r' | awk 'NR == 1 {ok1 = (\$1 == 200)} NR == 2 {ok2 = (\$1 == 503 && \$2 >= 1.3 && \$2 < 2.4)} END {exit !(ok1 && ok2)}'"

# ---- maxconn 1 over every proxy lcore: 12 clients, each on its own connection (RSS spreads
# them over the lcores); `show sess` sampled meanwhile shows whether one lcore's request waited
# while another lcore's connection held the server (shares would have let each lcore hold one)
nprox=$(sl_ctl show http | grep -c '^lcore')
sl_in sl-cli curl -s --max-time 3 "$V:8091/peak" >/dev/null # be1's peak count starts again
codes $(for i in $(seq 12); do echo "$V:8102/sleep/0.3"; done) >"$SL_RUN_DIR/q12.txt" &
qpid=$!
cross=0 lcores_seen=""
for i in $(seq 40); do
    sleep 0.1
    s=$(sl_ctl show sess | awk '/^http / && / fe=fq2 / {
        lc = ""; srv = "-"
        for (i = 1; i <= NF; i++) { if ($i ~ /^lcore=/) lc = substr($i, 7); if ($i ~ /^srv=/) srv = substr($i, 5) }
        if (/ queued/) q[lc] = 1; else if (srv != "-") h[lc] = 1; seen[lc] = 1
    } END {
        x = 0; for (l in q) if (!(l in h)) for (k in h) x = 1
        printf "%d:", x; for (l in seen) printf " %s", l; print ""
    }')
    [[ ${s%%:*} == 1 ]] && cross=1
    lcores_seen="$lcores_seen ${s#*:}"
    kill -0 "$qpid" 2>/dev/null || break
done
wait "$qpid"
r=$(cat "$SL_RUN_DIR/q12.txt")
peak=$(sl_in sl-cli curl -s --max-time 3 "$V:8091/peak")
lcores_seen=$(tr ' ' '\n' <<<"$lcores_seen" | grep . | sort -un | xargs)
echo "     maxconn 1, 12 clients, $nprox proxy lcore(s): $(echo "$r" | awk '{print $1}' | sort | uniq -c | awk '{printf "%s x%s ", $2, $1}')| be1 $peak | sessions on lcores $lcores_seen"
check "maxconn 1, 12 clients at once: every request served (200)" \
    bash -c "[[ \$(echo '$r' | awk '\$1 == 200' | wc -l) == 12 ]]"
expect_eq "maxconn 1 counts every proxy lcore's connections: the server never held two at once" "$peak" "peak 1"
if ((nprox > 1)); then
    check "a request queued on one proxy lcore while another lcore's connection held the server, then served" \
        test "$cross" = 1
fi

# ---- mode tcp, maxconn 1: the flows of every worker count (a flow counts until it is gone:
# 2 s after both FINs)
nw=$(sl_ctl show l4 | grep -c '^worker ')
drops() { sl_ctl show counters | awk -F': *' '$1 == "drop_l4_servers_at_maxconn" {print $2}'; }
lcdrops() { sl_ctl show lcores | awk '!/^#/ && $2 ~ /worker/ {printf "%s=%s ", $1, $5}'; }
d0=$(drops)
sl_bg sl-cli l4-held curl -s -o "$SL_RUN_DIR/l4-held" --max-time 10 "$V:8103/sleep/6" >/dev/null
sleep 0.7
holder=$(sl_ctl show sess | awk '/^l4 worker=/ && !/ flows=0 / {split($2, w, "="); print w[2]}' | xargs)
ld0=$(lcdrops)
r=$(for i in $(seq 12); do
    sl_in sl-cli curl -s -o /dev/null -w '%{http_code}\n' --connect-timeout 0.3 --max-time 1 "$V:8103/q$i"
done | sort | uniq -c | awk '{printf "%s x%s ", $2, $1}')
d1=$(drops)
ld1=$(lcdrops)
# the workers that refused a SYN: their drops went up
refusers=$(awk -v a="$ld0" -v b="$ld1" 'BEGIN {
    n = split(a, x, " "); for (i = 1; i <= n; i++) { split(x[i], kv, "="); d[kv[1]] = kv[2] }
    n = split(b, y, " "); for (i = 1; i <= n; i++) { split(y[i], kv, "="); if (kv[2] > d[kv[1]]) printf "%s ", kv[1] }
}' | xargs)
echo "     mode tcp, maxconn 1: the flow held on worker lcore $holder; SYNs refused on worker lcores $refusers"
expect_eq "mode tcp, maxconn 1, $nw worker(s): while one flow holds the server, 12 new connections are all refused" "$r" "000 x12 "
check "... their SYNs counted in drop_l4_servers_at_maxconn ($d0 -> $d1)" test $((d1 - d0)) -ge 12
if ((nw > 1 && SL_LB_QUEUES > 1)); then # (one queue: every SYN reaches the same worker)
    other=$(tr ' ' '\n' <<<"$refusers" | grep -vx "${holder:-none}" | grep -c .)
    check "... refused on another worker than the one holding the flow too (the flows of every worker count)" \
        test -n "$holder" -a "$other" -gt 0
fi
sl_wait_exit() { local i; for i in $(seq 100); do kill -0 "$(cat "$SL_RUN_DIR/pids/$1.pid")" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
sl_wait_exit l4-held
sleep 2.5
got=$(sl_in sl-cli curl -s --max-time 3 "$V:8103/after")
expect_eq "mode tcp, maxconn 1: the held flow served, then gone, a new connection is served" "$(cat "$SL_RUN_DIR/l4-held") | $got" "be1 /sleep/6 | be1 /after"

# ---- timeout server
r=$(codes "$V:8091/sleep/3")
echo "     late server: $r"
check "timeout server 1 s: 504 after ~1 s" bash -c "echo '$r' | awk '{exit !(\$1 == 504 && \$2 >= 0.9 && \$2 < 2)}'"

# ---- connection refused, retries
r=$(codes $(for i in 1 2 3 4 5 6 7 8; do echo "$V:8092/x$i"; done))
echo "$r" | sed 's/^/     half dead: /'
check "one server refusing: every request served by the other (retries, redispatch)" \
    bash -c "[[ \$(echo '$r' | awk '\$1 == 200 && \$3 == \"be1\"' | wc -l) == 8 ]]"
check "the retries were counted" bash -c "'$SL_CTL' -s '$SL_SOCK' show counters | grep -qE 'http_connect_retries: [1-9]'"
r=$(codes "$V:8093/")
echo "     all dead: $r"
check "the only server refusing: 503" bash -c "echo '$r' | awk '{exit !(\$1 == 503)}'"

# ---- balance source / uri / first
r=$(codes $(for i in 1 2 3 4 5 6; do echo "$V:8094/p$i"; done))
check "balance source: one client, one server ($(echo "$r" | awk '{print $3}' | sort | uniq -c | tr '\n' ' '))" \
    bash -c "[[ \$(echo '$r' | awk '{print \$3}' | sort -u | wc -l) == 1 ]]"
r=$(codes "$V:8095/same" "$V:8095/same" "$V:8095/same" "$V:8095/same")
check "balance uri: one path, one server" bash -c "[[ \$(echo '$r' | awk '{print \$3}' | sort -u | wc -l) == 1 ]]"
r=$(codes $(for i in $(seq 1 16); do echo "$V:8095/path$i"; done))
check "balance uri: paths spread over both servers" bash -c "[[ \$(echo '$r' | awk '{print \$3}' | sort -u | wc -l) == 2 ]]"
r=$(codes "$V:8096/a" "$V:8096/b" "$V:8096/c")
check "balance first: the first server takes them all" bash -c "[[ \$(echo '$r' | awk '\$3 == \"be2\"' | wc -l) == 3 ]]"

# ---- balance leastconn / static-rr (HTTP)
sl_bg sl-cli lc-held curl -s -o "$SL_RUN_DIR/lc-held" --max-time 10 "$V:8100/sleep/3" >/dev/null
sleep 0.7
busy=$(sl_ctl show sess | awk '/fe=fl / {for (i = 1; i <= NF; i++) if ($i ~ /^srv=/) print substr($i, 5)}')
others=$(for i in 1 2 3 4 5 6 7 8; do sl_in sl-cli curl -s --max-time 3 "$V:8100/quick$i" | awk '{print $1}'; done | sort -u | tr '\n' ' ')
if [[ $busy == "$SL_BE1_IP:9002" ]]; then want="be2 "; else want="be1 "; fi
expect_eq "balance leastconn: while one server holds a long request ($busy), the others go to the idle one" "$others" "$want"
sl_stop lc-held
# (one client connection, so one proxy lcore: round-robin cursors are per lcore, exact on each)
r=$(sl_in sl-cli curl -s --max-time 5 $(for i in 1 2 3 4 5 6 7 8; do echo "$V:8101/s$i"; done) | awk '{print $1}' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')
expect_eq "balance static-rr with weights 3 and 1: 8 requests on one connection split 6/2" "$r" "be1=6 be2=2 "

# ---- keep-alive timeout
check "timeout http-keep-alive 1 s: an idle keep-alive connection is closed by sluice" \
    sl_in sl-cli "$PY" - "$SL_VIP" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 8097), timeout=5)
s.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
data = b""
while not data.endswith(b"be1 /a\n"):  # the whole response, body included
    chunk = s.recv(4096)
    assert chunk, data
    data += chunk
assert data.startswith(b"HTTP/1.1 200"), data
t = time.time()
s.settimeout(5)
rest = s.recv(4096)  # nothing more: EOF when sluice closes the idle connection
dt = time.time() - t
print("closed after %.1f s, rest %r" % (dt, rest))
sys.exit(0 if rest == b"" and 0.8 <= dt < 3 else 1)
PY

# ---- timeout client while a request body is being received
check "timeout client 1 s: a request body that stops half way gets 408 after ~1 s" \
    sl_in sl-cli "$PY" - "$SL_VIP" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 8098), timeout=5)
s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
t = time.time()
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
dt = time.time() - t
print("%r after %.1f s" % (data[:40], dt))
sys.exit(0 if data.startswith(b"HTTP/1.1 408") and 0.8 <= dt < 3 else 1)
PY

# ---- a connection that sends nothing: 408 after timeout http-request, or with option
# http-ignore-probes a silent close and no error counted (HAProxy's option)
probe() {
    sl_in sl-cli "$PY" - "$SL_VIP" "$1" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
t = time.time()
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
dt = time.time() - t
print("%s %s" % (data[:12].decode() if data else "nothing", "~1s" if 0.8 <= dt < 2.5 else "%.1fs" % dt))
PY
}
ereq() { sl_ctl raw show stat | awk -F, -v p="$1" '$1 == p && $2 == "FRONTEND" { print $13 }'; }
e0=$(ereq fe_noprobe)
expect_eq "an empty connection: 408 after timeout http-request (1 s)" "$(probe 8104)" "HTTP/1.1 408 ~1s"
expect_eq "  with option http-ignore-probes: closed after 1 s without an answer" "$(probe 8105)" "nothing ~1s"
expect_eq "  and no request error counted (ereq)" "$(ereq fe_noprobe)" "$e0"
check "  while the other frontend counts its 408 (ereq $(ereq fe_probe))" test "$(ereq fe_probe)" -ge 1

# ---- timeout client is an inactivity timer, not a deadline (HAProxy's meaning)
got=$(sl_in sl-cli curl -s --limit-rate 128k -o /dev/null -w '%{size_download} %{exitcode}' http://$SL_VIP:8098/bytes/1048576)
expect_eq "timeout client 1 s: a client reading 1 MB steadily at 128 KB/s (8 s) gets all of it" "$got" "1048576 0"
check "timeout client 1 s: a request body trickled for 3 s (a piece every 0.3 s) is forwarded whole" \
    sl_in sl-cli "$PY" - "$SL_VIP" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 8098), timeout=10)
s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
for i in range(10):
    time.sleep(0.3)
    s.sendall(b"0123456789")
data = b""
while b" 100\n" not in data:  # head and body may come in separate segments
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(repr(data[:60]))
sys.exit(0 if data.startswith(b"HTTP/1.1 200") and b" 100\n" in data else 1)
PY

# ---- drain, weight 0, persistence, show servers state, shutdown sessions
who() { # who [COOKIE] -> the backends that answered 8 requests
    local i
    for i in 1 2 3 4 5 6 7 8; do
        sl_in sl-cli curl -s -o /dev/null -D - --max-time 5 ${1:+-H "Cookie: $1"} "$V:8099/p$i" |
            tr -d '\r' | awk -F': ' 'tolower($1) == "x-backend" {print $2}'
    done | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}'
}
r=$(who); check "bdrain: new clients spread over both servers ($r)" has_both "$r"
sl_ctl set server bdrain/a state drain >/dev/null
r=$(who); check "drain a: new clients all on b ($r)" test "$r" = "be2=8 "
r=$(who "SRV=a"); check "drain a: a client with a's cookie still reaches a ($r)" test "$r" = "be1=8 "
check "show servers state: a in drain (admin state 8)" bash -c "'$SL_CTL' -s '$SL_SOCK' show servers state | grep -qE '^bdrain a [0-9.]+ 9002 2 8 '"
sl_ctl set server bdrain/a state ready >/dev/null
sl_ctl set server bdrain/b weight 0 >/dev/null
r=$(who); check "weight 0 on b: new clients all on a ($r)" test "$r" = "be1=8 "
r=$(who "SRV=b"); check "weight 0 on b: b's cookie still reaches b ($r)" test "$r" = "be2=8 "
check "show servers state: b's weight 0" bash -c "'$SL_CTL' -s '$SL_SOCK' show servers state | grep -qE '^bdrain b [0-9.]+ 9002 2 0 0 '"
sl_ctl set server bdrain/b weight 1 >/dev/null
sl_in sl-cli curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 -H "Cookie: SRV=a" \
    "$V:8099/sleep/4" >"$SL_RUN_DIR/killed.txt" 2>&1 &
cpid=$!
sleep 1
sl_ctl shutdown sessions server bdrain/a >/dev/null
wait "$cpid"
r=$(cat "$SL_RUN_DIR/killed.txt")
check "shutdown sessions server: a proxied request on it ends at once ($r)" \
    bash -c "awk '{exit !(\$1 != 200 && \$2 < 3)}' <<<'$r'"

# ---- show errors
sl_in sl-cli "$PY" - "$SL_VIP" <<'PY' >/dev/null
import socket, sys
s = socket.create_connection((sys.argv[1], 8090), timeout=5)
s.sendall(b"GET /bad HTTP/1.1\nHost: x\n\n")
s.recv(4096)
PY
out=$(sl_ctl show errors)
echo "$out" | head -4 | sed 's/^/     /'
check "show errors: the bare-LF request, its reason, client and bytes" \
    bash -c "grep -q 'reason: http1_bare_lf' <<<'$out' && grep -q 'src $SL_CLI_IP:' <<<'$out' && grep -q 'GET /bad HTTP/1.1' <<<'$out'"

