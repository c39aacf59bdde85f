#!/usr/bin/env bash
# tests/e2e/test_access_logs.sh — access logs (option httplog, httplog clf, a custom log-format,
# captures, dontlognull) to a syslog receiver of the test's (lib/syslog_recv.py, UDP on the
# balancer namespace's loopback), HAProxy 2.6 first and sluiced then on the same configuration
# and the same requests: a 200 and a second request on the same connection, a 404 from the
# server, a 502 (the server closes without answering), a 503 (no usable server), a deny, a
# redirect, a client that leaves in the middle of its request, a 408, an empty connection, a bad
# request. Every line's fields are compared after the syslog header, with client ports, dates and
# timers set aside (a timer's -1, "not reached", is compared). Then, sluice only, a flood of
# requests with a frontend whose second `log` target (a UNIX socket) has no receiver: every
# request answered, the lines it could not take counted (drop_access_log_unsent).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 120 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "web servers on be1 and be2" sl_named_web 5080
# a server that reads a request and closes without an answer (502)
sl_bg sl-be2 closer python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$SL_BE2_IP', 5082)); s.listen(16)
while True:
    c, _ = s.accept(); c.recv(4096); c.close()" >/dev/null
check "closing server on be2:5082" sl_wait_listen sl-be2 5082

# make_cfg PORT haproxy|sluice — the same proxies and log lines; sluice also gets its dataplane.
make_cfg() {
    printf 'global\n    log 127.0.0.1:%s local0\n    log-tag lb\n' "$1"
    [[ $2 == sluice ]] && printf '    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 1s

frontend f
    bind :80
    capture request header Host len 8
    capture request header User-Agent len 24
    capture response header Content-Type len 9
    http-request deny if { path /deny }
    http-request redirect location /moved if { path /redir }
    use_backend bclose if { path /close }
    use_backend bnone if { path /none }
    default_backend be

frontend f2
    bind :81
    option dontlognull
    log-format "%ci %f %b %s %si:%sp %ST %B %U %ts %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %hrl %HM %HU %HV %HP %{+Q}r %ID %sslv %sslc %CC %CS %[src] %[dst_port] %[method,lower] %{+Q}o %b"
    capture request header Host len 20
    default_backend be

frontend f3
    bind :82
    option httplog clf
    log $SL_RUN_DIR/absent.sock local1
    default_backend be

backend be
    server s1 $SL_BE1_IP:5080

backend bclose
    server s2 $SL_BE2_IP:5082

backend bnone
    server s3 $SL_BE2_IP:5080 disabled
EOT
    [[ $2 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg 5514 haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg 5515 sluice >"$SL_RUN_DIR/sluice.cfg"
sl_bg sl-lb syslog-haproxy python3 "$HERE/lib/syslog_recv.py" 127.0.0.1 5514 "$SL_RUN_DIR/syslog-haproxy.txt"
sl_bg sl-lb syslog-sluice python3 "$HERE/lib/syslog_recv.py" 127.0.0.1 5515 "$SL_RUN_DIR/syslog-sluice.txt"

# wait_lines FILE N — until FILE has N lines (10 s at most)
wait_lines() {
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -f $1 ]] && (($(wc -l <"$1") >= $2)) && return 0
        sleep 0.2
    done
    return 1
}

# raw PORT DATA WAIT — a client connection that sends DATA (python escapes), waits WAIT seconds
# for an answer, then closes
raw() {
    sl_in sl-cli python3 -c "
import socket, sys
s = socket.create_connection(('$SL_VIP', $1), timeout=3)
s.sendall(b'$2')
s.settimeout($3)
try:
    while s.recv(4096): pass
except OSError: pass
s.close()"
}

# requests FILE — the same requests for both, one after the other, after a first one whose line
# (HAProxy 2.6 may lose its very first lines) and the start lines are set aside
requests() {
    local u=http://$SL_VIP
    sl_in sl-cli curl -s -o /dev/null "$u:82/warm-up"
    wait_lines "$1" 1
    sleep 0.3
    : >"$1"
    sl_in sl-cli curl -s -o /dev/null -o /dev/null -A 'ua "q" {x}|#' "$u/index.html" "$u/index.html"
    sl_in sl-cli curl -s -o /dev/null "$u/nope"
    sl_in sl-cli curl -s -o /dev/null "$u/close"
    sl_in sl-cli curl -s -o /dev/null "$u/none"
    sl_in sl-cli curl -s -o /dev/null "$u/deny"
    sl_in sl-cli curl -s -o /dev/null "$u/redir"
    raw 80 'GET / HTTP/1.1\r\nHost: x\r\n' 0.2         # leaves mid-request: 400 CR
    raw 80 'GET / HTTP/1.1\r\n' 2                      # timeout http-request: 408 cR
    raw 80 '' 0.1                                      # empty: 400 CR (no dontlognull)
    raw 81 '' 0.1                                      # empty, dontlognull: no line
    raw 80 'garbage\r\n\r\n' 1                         # 400 PR
    sl_in sl-cli curl -s -o /dev/null -H 'Host: averyverylonghostname.example' "$u:81/a%20b?q=%22x%22"
    sl_in sl-cli curl -s -o /dev/null "$u:82/index.html"
}

NLINES=13
# ---------------------------------------------------------------- HAProxy 2.6
sl_lb_kernel_addr
check "haproxy starts" sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"
requests "$SL_RUN_DIR/syslog-haproxy.txt"
check "HAProxy wrote $NLINES lines" wait_lines "$SL_RUN_DIR/syslog-haproxy.txt" $NLINES
sl_haproxy_stop
sl_lb_kernel_flush
# ---------------------------------------------------------------- sluiced
check "sluiced starts" sl_sluiced_start "$SL_RUN_DIR/sluice.cfg"
requests "$SL_RUN_DIR/syslog-sluice.txt"
check "sluice wrote $NLINES lines" wait_lines "$SL_RUN_DIR/syslog-sluice.txt" $NLINES
sleep 0.5

# the lines after the header, client ports, dates and timers set aside (a -1 stays)
norm() {
    python3 - "$1" <<'EOF'
import re, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    m = re.match(r"<(\d+)>\w{3} [ \d]\d [\d:]{8} lb\[\d+\]: (.*)$", line)
    if not m:
        print("UNPARSED " + line); continue
    pri, body = m.group(1), m.group(2)
    t = lambda s: re.sub(r"(?<![-\d])\d+", "N", s)
    h = re.match(r"^(\S+):\d+ \[[^\]]+\] (\S+ \S+) (\S+) (.*)$", body)
    c = re.match(r'^(\S+) - - \[[^\]]+\] (".*?" \d+ \d+ "" "") \d+ \d+ (\S+ \S+ \S+) (\S+ \S+ \S+ \S+ \S+) (.*)$', body)
    if c:
        body = "%s - - [D] %s P MS %s %s %s" % (c.group(1), c.group(2), c.group(3), t(c.group(4)), c.group(5))
    elif h:
        body = "%s:P [D] %s %s %s" % (h.group(1), h.group(2), t(h.group(3)), h.group(4))
    # HAProxy 2.6 writes HTTP/1.0 in %r for the second request of a keep-alive connection
    # whose first response came from an HTTP/1.0 server (python's http.server here): sluice
    # writes the request line as the client sent it
    body = body.replace('"GET /index.html HTTP/1.0"', '"GET /index.html HTTP/1.1"')
    print("<%s> %s" % (pri, body))
EOF
}
norm "$SL_RUN_DIR/syslog-haproxy.txt" | sort >"$SL_RUN_DIR/answers-haproxy.txt"
norm "$SL_RUN_DIR/syslog-sluice.txt" | sort >"$SL_RUN_DIR/answers-sluice.txt"
sl_answers_match "every access line as HAProxy's (client ports, dates and timers aside)"
check "a 200 with captures escaped and cut as HAProxy's" grep -qF -- '- - ---- 1/1/0/0/0 0/0 {10.77.0.|ua #22q#22 #7Bx#7D#7C#23} {text/html}' "$SL_RUN_DIR/answers-sluice.txt"
check "a 502 SH--" grep -q ' 502 .* SH-- ' "$SL_RUN_DIR/answers-sluice.txt"
check "a 408 cR-- <BADREQ>" grep -q ' 408 0 - - cR-- .*"<BADREQ>"' "$SL_RUN_DIR/answers-sluice.txt"
check "at level info, local0 (<134>)" grep -q '^<134>' "$SL_RUN_DIR/answers-sluice.txt"
check "access_logs_queued counts the records" test "$(sl_ctr access_logs_queued)" -ge $NLINES

# ---------------------------------------------------------------- flood, a receiver absent
before=$(sl_ctr drop_access_log_unsent)
ok200=$(sl_in sl-cli python3 - "$SL_VIP" <<'EOF'
import http.client, sys
n = 0
for i in range(20):
    c = http.client.HTTPConnection(sys.argv[1], 82, timeout=5)
    for j in range(20):
        c.request("GET", "/index.html")
        r = c.getresponse(); r.read()
        n += r.status == 200
    c.close()
print(n)
EOF
)
expect_eq "400 requests answered 200 while their log target is absent" "$ok200" 400
sleep 0.5
after=$(sl_ctr drop_access_log_unsent)
check "the lines the absent socket could not take are counted ($before -> $after)" test $((after - before)) -ge 400
check "no access-log record lost on the rings" test "$(sl_ctr drop_access_log_ring_full)" -eq 0
