#!/usr/bin/env bash
# tests/e2e/test_stats.sh — the counters and views of the stats channel beyond test_page.sh:
#  - show stat: rate/rate_max, req_rate, qtime/ctime/rtime/ttime, lastsess, cli_abrt and
#    srv_abrt moving with real traffic (curl, a client that gives up, a server that dies);
#  - show sess, show pools; the socket levels (user cannot run operator/admin commands);
#  - the stats page on a kernel address (127.0.0.1 in the balancer's namespace, served by the
#    main lcore through an ordinary socket): 401/200, the same tables;
#  - admin forms (`stats admin if ...`): POST with the page's token drains a server (routing
#    changes), a wrong token or a foreign Origin is refused, a page without admin says DENY;
#  - the page's dataplane section and the Prometheus exposition's sluice_dataplane_* families;
#  - DPDK telemetry: dpdk-telemetry.py shows /sluice/counters, /sluice/lcores and /sluice/stat.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 240 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
USER_SOCK=$SL_RUN_DIR/user.sock
# a server that announces a body longer than what it sends, then closes
sl_bg sl-be2 trunc-srv python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5090)); s.listen(16)
while True:
    c, _ = s.accept(); c.recv(65536)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000); c.close()
' >/dev/null
# a server that reads the request and closes without an answer
sl_bg sl-be2 noresp-srv python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5091)); s.listen(16)
while True:
    c, _ = s.accept(); c.recv(65536); c.close()
' >/dev/null
CFG=$SL_RUN_DIR/sluice.cfg
cat >"$CFG" <<EOT
global
    stats socket $SL_SOCK mode 600 level admin
    stats socket $USER_SOCK mode 600 level user
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend web
    bind :80
    http-request deny if { path_beg /forbidden }
    use_backend trunc if { path_beg /trunc }
    use_backend flaky if { path_beg /flaky }
    use_backend noresp if { path_beg /noresp }
    default_backend app

backend trunc
    server t1 $SL_BE2_IP:5090

backend flaky
    balance roundrobin
    retries 2
    option redispatch
    server d1 $SL_BE1_IP:5999
    server d2 $SL_BE2_IP:5080

backend noresp
    server n1 $SL_BE2_IP:5091

frontend metrics
    bind :8405
    http-request use-service prometheus-exporter if { path /metrics }

backend app
    balance roundrobin
    cookie SRV insert indirect nocache
    server s1 $SL_BE1_IP:5080 cookie s1
    server s2 $SL_BE2_IP:5080 cookie s2

listen stats
    bind :6080
    bind 127.0.0.1:8404
    stats enable
    stats uri /stats
    stats realm Sluice\ Statistics
    stats auth admin:secret
    stats admin if TRUE
    stats prometheus-uri /metrics

listen ro_stats
    bind :6081
    stats enable
    stats uri /stats
EOT
sl_dataplane_cfg af_xdp >>"$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1

col() { # col PX SV NAME -> the value of column NAME in show stat
    sl_ctl raw show stat | awk -F, -v p="$1" -v s="$2" -v n="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^# /, "", h); c[h] = i } next }
        $1 == p && $2 == s { print $(c[n]) }'
}

# ---------------------------------------------------------------- rates and times
sl_bg sl-cli wrk wrk -t1 -c4 -d4s "http://$SL_VIP/" >/dev/null
sleep 2.5
r=$(col web FRONTEND req_rate)
check "frontend req_rate while wrk runs: $r/s" bash -c "(( ${r:-0} > 50 ))"
r=$(col web FRONTEND rate)
check "frontend rate (sessions/s) set: $r" bash -c "[[ '$r' =~ ^[0-9]+$ ]]"
r=$(col app s1 rate)
check "server rate while wrk runs: $r/s" bash -c "(( ${r:-0} > 0 ))"
sleep 3
m=$(col web FRONTEND req_rate_max); r=$(col web FRONTEND req_rate)
check "after wrk: req_rate_max $m kept, req_rate $r back down" bash -c "(( ${m:-0} > 50 && ${r:-1} < ${m:-0} ))"
sl_ctl clear counters >/dev/null
sleep 2.2
m2=$(col web FRONTEND req_rate_max)
check "clear counters: the maxima start again (req_rate_max $m -> $m2)" bash -c "(( ${m2:-999999} < ${m:-0} ))"
for c in qtime ctime rtime ttime; do
    v=$(col app s1 "$c")
    check "server s1 $c reported ($v ms)" bash -c "[[ '$v' =~ ^[0-9]+$ ]]"
done
v=$(col app BACKEND ttime)
check "backend ttime reported ($v ms)" bash -c "[[ '$v' =~ ^[0-9]+$ ]]"
v=$(col app s1 lastsess)
check "server lastsess in seconds ($v)" bash -c "[[ '$v' =~ ^[0-9]+$ ]] && (( $v <= 5 ))"

# ---------------------------------------------------------------- aborts
# a client that gives up half-way through a 10 MB download
sl_in sl-cli curl -s -o /dev/null -b SRV=s1 --limit-rate 500k --max-time 1 "http://$SL_VIP/big"
sleep 0.5
v=$(col app s1 cli_abrt)
check "a client giving up counts cli_abrt on the server ($v)" bash -c "(( ${v:-0} >= 1 ))"
v=$(col app BACKEND cli_abrt)
check "  and on the backend ($v)" bash -c "(( ${v:-0} >= 1 ))"
# a server that closes in the middle of its response (announces 100000 bytes, sends 1000)
sl_in sl-cli curl -s -o /dev/null --max-time 5 "http://$SL_VIP/trunc"
sleep 0.3
v=$(col trunc t1 srv_abrt)
check "a server cutting its response short counts srv_abrt ($v)" bash -c "(( ${v:-0} >= 1 ))"
v=$(col trunc BACKEND srv_abrt)
check "  and on the backend ($v)" bash -c "(( ${v:-0} >= 1 ))"

# ---------------------------------------------------------------- errors and warnings
expect_eq "a denied request: 403" "$(sl_in sl-cli curl -s -o /dev/null -w '%{http_code}' http://$SL_VIP/forbidden)" 403
v=$(col web FRONTEND dreq)
check "  counted in the frontend's dreq ($v)" bash -c "(( ${v:-0} == 1 ))"
codes=$(for i in 1 2 3 4; do sl_in sl-cli curl -s -o /dev/null -w '%{http_code} ' http://$SL_VIP/flaky; done)
expect_eq "requests to a backend with a refusing server all answered (retries, redispatch)" "$codes" "200 200 200 200 "
for c in econ wretr wredis; do
    v=$(col flaky d1 "$c"); b=$(col flaky BACKEND "$c")
    check "  the refusing server's $c ($v) and its backend's ($b)" bash -c "(( ${v:-0} >= 1 && ${b:-0} >= 1 ))"
done
expect_eq "a server closing without an answer: 502" "$(sl_in sl-cli curl -s -o /dev/null -w '%{http_code}' http://$SL_VIP/noresp)" 502
v=$(col noresp n1 eresp); b=$(col noresp BACKEND eresp)
check "  counted in eresp of the server ($v) and the backend ($b)" bash -c "(( ${v:-0} >= 1 && ${b:-0} >= 1 ))"
v=$(col web FRONTEND bin); w=$(col app s1 bout)
check "HTTP bytes counted: frontend bin ($v), server bout ($w)" bash -c "(( ${v:-0} > 1000 && ${w:-0} > 1000 ))"
v=$(col app s1 req_tot)
check "a server's req_tot counts its transactions ($v)" bash -c "(( ${v:-0} > 100 ))"
v=$(col web FRONTEND smax)
check "frontend smax kept (sampled, never below scur): $v" bash -c "(( ${v:-0} >= 1 ))"

# ---------------------------------------------------------------- use-service prometheus-exporter
sl_in sl-cli curl -s -D "$SL_RUN_DIR/m.hdr" "http://$SL_VIP:8405/metrics" >"$SL_RUN_DIR/m.txt"
check "use-service prometheus-exporter: 200, the exposition's content type" grep -qi '^content-type: text/plain; version=0.0.4' "$SL_RUN_DIR/m.hdr"
check "  with the frontends, servers and dataplane families" bash -c "grep -q '^sluice_frontend_' '$SL_RUN_DIR/m.txt' && grep -q '^sluice_server_' '$SL_RUN_DIR/m.txt' && grep -q '^sluice_dataplane_' '$SL_RUN_DIR/m.txt'"
expect_eq "  another path of that frontend: 503 (no backend)" "$(sl_in sl-cli curl -s -o /dev/null -w '%{http_code}' "http://$SL_VIP:8405/other")" 503

# ---------------------------------------------------------------- show sess, show pools, levels
sl_bg sl-cli held curl -s -o /dev/null -b SRV=s1 --limit-rate 100k --max-time 8 "http://$SL_VIP/big" >/dev/null
sleep 1
out=$(sl_ctl show sess)
check "show sess lists the running download (fe, be, server, age)" grep -qE "^http .*fe=web be=app srv=$SL_BE1_IP:5080 req=done rsp=body.* age=[0-9]+ms" <<<"$out"
check "show sess ends with its totals" grep -qE "^total: [0-9]+ l4 flows, [0-9]+ http sessions shown" <<<"$out"
out=$(sl_ctl show pools)
check "show pools: mbufs, tcp connections, http sessions" bash -c "grep -q '^mbuf .*used [0-9]* free [0-9]*' <<<'$out' && grep -q 'tcp_conns: used' <<<'$out' && grep -q 'http_sessions: used [1-9]' <<<'$out'"
sl_stop held
out=$("$SL_CTL" -s "$USER_SOCK" show sess 2>&1); rc=$?
if (( rc != 0 )) && grep -qi 'permission denied' <<<"$out"; then ok "a user-level socket may not run show sess (rc $rc)"; else bad "user-level show sess: rc $rc: $out"; fi
out=$("$SL_CTL" -s "$USER_SOCK" disable server app/s1 2>&1); rc=$?
check "nor disable a server (rc $rc)" bash -c "(( $rc != 0 ))"
check "but show pools and show stat" bash -c "'$SL_CTL' -s '$USER_SOCK' show pools >/dev/null && '$SL_CTL' -s '$USER_SOCK' raw show stat | grep -q '^app,s1,'"

# ---------------------------------------------------------------- the page on a kernel address
KURL=http://127.0.0.1:8404/stats
expect_eq "kernel address: 401 without credentials" "$(sl_in sl-lb curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$KURL")" 401
sl_in sl-lb curl -s -u admin:secret --max-time 3 "$KURL" >"$SL_RUN_DIR/kpage.html"
check "kernel address: 200 with the tables of web, app, stats" bash -c "grep -q '>web<' '$SL_RUN_DIR/kpage.html' && grep -q '>app<' '$SL_RUN_DIR/kpage.html' && grep -q '>s2<' '$SL_RUN_DIR/kpage.html'"
check "kernel address: ;csv" bash -c "ip netns exec '$SL_NS_LB' curl -s -u admin:secret '$KURL;csv' | head -1 | grep -q '^# pxname,svname,'"
check "the kernel address is not served on the dataplane" bash -c "! ip netns exec '$SL_NS_CLI' curl -s --max-time 2 -o /dev/null http://127.0.0.1:8404/stats"

# ---------------------------------------------------------------- dataplane section, Prometheus
URL=http://$SL_VIP:6080/stats
sl_in sl-cli curl -s -u admin:secret "$URL" >"$SL_RUN_DIR/page.html"
check "the page has its dataplane section (lcores, drops)" bash -c "grep -q 'class=\"dp lcores\"' '$SL_RUN_DIR/page.html' && grep -qi 'drop' '$SL_RUN_DIR/page.html'"
sl_in sl-cli curl -s -u admin:secret "http://$SL_VIP:6080/metrics" >"$SL_RUN_DIR/metrics.txt"
for m in sluice_frontend_ sluice_backend_ sluice_server_ sluice_dataplane_lcore_busy_ratio sluice_dataplane_packets_dropped_total sluice_dataplane_flows_capacity sluice_dataplane_rx_packets_total; do
    check "Prometheus: $m" grep -q "^$m" "$SL_RUN_DIR/metrics.txt"
done

# ---------------------------------------------------------------- admin forms
token=$(grep -o 'name="token" value="[0-9a-f]*"' "$SL_RUN_DIR/page.html" | head -1 | sed 's/.*value="\([0-9a-f]*\)"/\1/')
check "the page carries the admin forms and their token ($token)" bash -c "[[ '$token' =~ ^[0-9a-f]{32}$ ]]"
# the status and where a 303 sends the browser (curl writes the credentials into redirect_url)
post() { sl_in sl-cli curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -u admin:secret "$@" "$URL" | sed 's#//[^@/]*@#//#'; }
expect_eq "POST with a wrong token: 403" "$(post -d "action=drain&b=app&s=s1&token=0000" | cut -d' ' -f1)" 403
expect_eq "POST from another origin: 403" "$(post -H 'Origin: http://evil.example' -d "action=drain&b=app&s=s1&token=$token" | cut -d' ' -f1)" 403
expect_eq "POST without credentials: 401" "$(sl_in sl-cli curl -s -o /dev/null -w '%{http_code}' -d "action=drain&b=app&s=s1&token=$token" "$URL")" 401
out=$(post -H "Origin: http://$SL_VIP:6080" -d "action=drain&b=app&s=s1&token=$token")
expect_eq "POST drain s1 with the token: 303 to ;st=DONE" "$out" "303 http://$SL_VIP:6080/stats;st=DONE"
sleep 0.3
expect_eq "s1 is DRAIN" "$(col app s1 status)" DRAIN
on=$(for i in 1 2 3 4; do sl_in sl-cli curl -s http://$SL_VIP/ | awk '{print $2}'; done | sort -u | tr '\n' ' ')
expect_eq "  new clients go to be2 only" "$on" "be2 "
on=$(sl_in sl-cli curl -s -b SRV=s1 http://$SL_VIP/ | awk '{print $2}')
expect_eq "  s1's cookie holders still reach be1" "$on" "be1"
out=$(sl_in sl-lb curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -u admin:secret -d "action=ready&b=app&s=s1&token=$token" "$KURL" | sed 's#//[^@/]*@#//#')
expect_eq "POST ready s1 on the kernel address page" "$out" "303 http://127.0.0.1:8404/stats;st=DONE"
sleep 0.3
expect_eq "s1 is UP again" "$(col app s1 status | cut -c1-2)" "no"
out=$(post -d "action=disable&b=app&s=nosuch&token=$token")
expect_eq "POST for a server that does not exist: st=NONE" "$out" "303 http://$SL_VIP:6080/stats;st=NONE"
out=$(sl_in sl-cli curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -d "action=disable&b=app&s=s1&token=$token" "http://$SL_VIP:6081/stats")
expect_eq "a page without 'stats admin': st=DENY" "$out" "303 http://$SL_VIP:6081/stats;st=DENY"
check "  and s1 still takes traffic" bash -c "[[ \$('$SL_CTL' -s '$SL_SOCK' raw show stat | awk -F, '\$1==\"app\" && \$2==\"s1\" {print \$18}') != MAINT ]]"
check "the page without admin shows no form" bash -c "! ip netns exec '$SL_NS_CLI' curl -s 'http://$SL_VIP:6081/stats' | grep -q 'name=\"token\"'"

# ---------------------------------------------------------------- DPDK telemetry
prefix=$(tr '\0' '\n' <"/proc/$(cat "$SL_RUN_DIR/pids/sluiced.pid")/cmdline" | sed -n 's/^--file-prefix=//p')
[[ -n $prefix ]] || prefix=sluice$(cat "$SL_RUN_DIR/pids/sluiced.pid")
tel() { echo "$1" | dpdk-telemetry.py -f "$prefix" 2>&1; }
out=$(tel /sluice/counters)
check "telemetry /sluice/counters (rx_packets, drops)" bash -c "grep -q '\"rx_packets\": [1-9]' <<<'$out' && grep -q '\"drop_ipv4_bad_checksum\"' <<<'$out'"
out=$(tel /sluice/lcores)
check "telemetry /sluice/lcores (busy_permille per lcore)" grep -q '"busy_permille"' <<<"$out"
out=$(tel /sluice/stat)
check "telemetry /sluice/stat (app/s1 with its stot)" bash -c "python3 -c 'import json,sys; d=json.loads(sys.stdin.read().split(\"\n\",1)[1] if sys.stdin else \"\")' <<<'' 2>/dev/null; grep -q '\"app/s1\"' <<<'$out' && grep -q '\"stot\"' <<<'$out'"
check "dpdk-telemetry.py lists the commands" bash -c "echo /help,/sluice/stat | dpdk-telemetry.py -f '$prefix' 2>&1 | grep -q 'show stat'"
