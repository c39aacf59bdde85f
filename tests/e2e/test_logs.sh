#!/usr/bin/env bash
# tests/e2e/test_logs.sh — event logs to a syslog receiver of the test's (lib/syslog_recv.py, UDP
# on the balancer namespace's loopback), HAProxy 2.6 first and sluiced then on the same
# configuration and the same events: a server whose web server stops (DOWN, with HAProxy's
# reason, info and counts), comes back (UP), both stopping (the backend has no server); sluice
# also writes its start and stop (HAProxy 2.6 sends neither to syslog here). With `option
# log-health-checks`, every check whose status or health changed ("Health check for server ...
# status: x/y UP."); then the same admin actions on both stats sockets (drain, ready, maint,
# disable, enable). Lines are compared after the header (HAProxy's tag and pid differ), with
# the check durations set aside; the header's format (rfc3164, the facility and level in <PRI>,
# the tag) is checked on its own. sluice also logs to a UNIX socket nobody reads: those lines
# are DroppedLogs, in show info, show drops, the stats page and the Prometheus exposition.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 240 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "web servers on be1 and be2" sl_named_web 5080

# make_cfg haproxy|sluice — the same proxies and log lines; sluice also gets its dataplane.
make_cfg() {
    printf 'global\n    log 127.0.0.1:%s local0\n    log-tag lb\n' "$1"
    [[ $2 == sluice ]] && printf '    stats socket %s mode 600 level admin\n    log %s local0\n' "$SL_SOCK" "$SL_RUN_DIR/nobody.sock"
    [[ $2 == haproxy ]] && printf '    stats socket %s mode 600 level admin\n' "$SL_RUN_DIR/haproxy.sock"
    cat <<EOT
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout check 1s

frontend f
    bind :80
    default_backend be

backend be
    option httpchk GET /
    option log-health-checks
    server s1 $SL_BE1_IP:5080 check inter 300 fall 2 rise 2
    server s2 $SL_BE2_IP:5080 check inter 300 fall 2 rise 2

backend plain
    server p1 $SL_BE1_IP:5080 check inter 300 fall 2 rise 2
EOT
    [[ $2 == sluice ]] && printf '\nlisten stats\n    bind :8404\n    stats enable\n    stats uri /stats\n    stats prometheus-uri /metrics\n' &&
        sl_dataplane_cfg af_xdp
}
make_cfg 5514 haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg 5515 sluice >"$SL_RUN_DIR/sluice.cfg"
sl_bg sl-lb syslog-haproxy python3 "$HERE/lib/syslog_recv.py" 127.0.0.1 5514 "$SL_RUN_DIR/syslog-haproxy.txt"
sl_bg sl-lb syslog-sluice python3 "$HERE/lib/syslog_recv.py" 127.0.0.1 5515 "$SL_RUN_DIR/syslog-sluice.txt"
for port in 5514 5515; do # the receivers listen before anything logs (their first lines count)
    for ((i = 0; i < 50; i++)); do
        ip netns exec "$SL_NS_LB" ss -Huln "sport = :$port" | grep -q . && break
        sleep 0.2
    done
done

# wait_log FILE TEXT — until a line of FILE contains TEXT (10 s at most)
wait_log() {
    local i
    for ((i = 0; i < 50; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# count FILE TEXT — lines of FILE containing TEXT
count() { grep -cF -- "$2" "$1" 2>/dev/null; }

# cli SOCKET COMMAND — one command on a stats socket (HAProxy's or sluiced's: the same protocol)
cli() {
    python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
while s.recv(65536):
    pass
PY
}

# admin NAME SOCKET — the same admin actions, each marked by a "== COMMAND" line in the log file
admin() {
    local f=$SL_RUN_DIR/syslog-$1.txt c i
    for ((i = 0; i < 50; i++)); do # both servers back UP after the last events
        (($(count "$f" "Server be/s1 is UP") >= 2 && $(count "$f" "Server be/s2 is UP") >= 1)) && break
        sleep 0.2
    done
    sleep 0.5
    for c in "set server be/s1 state drain" "set server be/s1 state ready" \
        "set server be/s1 state maint" "set server be/s1 state ready" \
        "disable server be/s2" "enable server be/s2"; do
        echo "== $c" >>"$f"
        cli "$2" "$c" >/dev/null
        sleep 0.8
    done
}

# events NAME START STOP SOCKET — the same events for both; START/STOP run the balancer
events() {
    local f=$SL_RUN_DIR/syslog-$1.txt
    check "$1 starts" $2 || return 1
    sleep 2 # both servers UP (rise 2 at 300 ms)
    sl_stop http-be1
    wait_log "$f" "Server be/s1 is DOWN" || bad "$1: no DOWN line for s1"
    sl_bg sl-be1 http-be1 python3 -m http.server 5080 --bind "$SL_BE1_IP" --directory "$SL_RUN_DIR/www-be1" >/dev/null
    wait_log "$f" "Server be/s1 is UP" || bad "$1: no UP line for s1"
    sl_stop http-be1
    sl_stop http-be2
    wait_log "$f" "backend be has no server available!" || bad "$1: no 'no server available' line"
    sl_named_web 5080 >/dev/null
    admin "$1" "$4"
    [[ $1 == sluice ]] && dropped
    $3
}

# dropped — sluice's lines to the UNIX socket nobody reads: DroppedLogs in all four places
dropped() {
    local n m
    n=$(sl_ctl show info | sed -n 's/^DroppedLogs: //p')
    check "show info: DroppedLogs counts the lines nobody took ($n)" test "${n:-0}" -gt 5
    m=$(sl_ctl show drops | sed -n 's/^dropped_logs: //p')
    check "show drops: dropped_logs ($m, DroppedLogs $n)" test "${m:-0}" -ge "${n:-1}"
    m=$(sl_in sl-cli curl -s "http://$SL_VIP:8404/metrics" | sed -n 's/^sluice_process_dropped_logs_total //p')
    check "Prometheus: sluice_process_dropped_logs_total ($m)" test "${m:-0}" -ge "${n:-1}"
    m=$(sl_in sl-cli curl -s "http://$SL_VIP:8404/stats" | sed -n 's/.*Dropped logs: \([0-9]*\).*/\1/p')
    check "stats page: Dropped logs ($m)" test "${m:-0}" -ge "${n:-1}"
}

# ---------------------------------------------------------------- HAProxy 2.6
sl_lb_kernel_addr
hap_start() { sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; }
events haproxy hap_start sl_haproxy_stop "$SL_RUN_DIR/haproxy.sock"
sl_lb_kernel_flush
# ---------------------------------------------------------------- sluiced
sl_start() { sl_sluiced_start "$SL_RUN_DIR/sluice.cfg"; }
events sluice sl_start sl_sluiced_stop "$SL_SOCK"

# the lines after the header, check durations and HAProxy's stop counters set aside
body() {
    sed -e 's/^<[0-9]*>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* lb\[[0-9]*\]: //' \
        -e 's/check duration: [0-9]*ms/check duration: Nms/' \
        -e 's/^\(Proxy [a-z]* stopped\).*/\1./' "$1"
}
body "$SL_RUN_DIR/syslog-haproxy.txt" >"$SL_RUN_DIR/events-haproxy.txt"
body "$SL_RUN_DIR/syslog-sluice.txt" >"$SL_RUN_DIR/events-sluice.txt"
sed 's/^/  haproxy| /' "$SL_RUN_DIR/events-haproxy.txt"
sed 's/^/  sluice | /' "$SL_RUN_DIR/events-sluice.txt"
# without option log-health-checks (backend plain) the DOWN line says why; with it (be), the
# check's own line did
for pat in "Server plain/p1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: Nms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue." \
    "Server be/s1 is DOWN. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue." \
    "backend be has no server available!"; do
    check "HAProxy wrote: $pat" grep -qxF -- "$pat" "$SL_RUN_DIR/events-haproxy.txt"
    check "sluice wrote the same: $pat" grep -qxF -- "$pat" "$SL_RUN_DIR/events-sluice.txt"
done
for srv in plain/p1 be/s1; do
    up_h=$(grep -m1 "^Server $srv is UP" "$SL_RUN_DIR/events-haproxy.txt")
    up_s=$(grep -m1 "^Server $srv is UP" "$SL_RUN_DIR/events-sluice.txt")
    expect_eq "$srv back UP: the same line as HAProxy's" "$up_s" "$up_h"
done
# both web servers stop at once: either may be the last to go DOWN
down2_h=$(grep "^Server be/s[12] is DOWN" "$SL_RUN_DIR/events-haproxy.txt" | tail -1 | sed 's|be/s[12]|be/S|')
down2_s=$(grep "^Server be/s[12] is DOWN" "$SL_RUN_DIR/events-sluice.txt" | tail -1 | sed 's|be/s[12]|be/S|')
expect_eq "the last server DOWN: the same line as HAProxy's" "$down2_s" "$down2_h"
first=$(head -1 "$SL_RUN_DIR/syslog-sluice.txt")
check "sluice's own start line, rfc3164, local0, notice (<133>), tag lb[pid] ($first)" grep -qE '^<133>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} lb\[[0-9]+\]: Proxy ' <<<"$first"
check "a DOWN line at alert (<129>)" grep -qE '^<129>.*Server be/s1 is DOWN' "$SL_RUN_DIR/syslog-sluice.txt"
check "no server available at emerg (<128>)" grep -qE '^<128>.*backend be has no server available!' "$SL_RUN_DIR/syslog-sluice.txt"
# option log-health-checks: s1's checks until the admin actions, in order (its start, its web
# server stopped and started, both stopped, both started)
hc_h=$(sed '/^== /q' "$SL_RUN_DIR/events-haproxy.txt" | grep "^Health check for server be/s1 ")
hc_s=$(sed '/^== /q' "$SL_RUN_DIR/events-sluice.txt" | grep "^Health check for server be/s1 ")
printf '%s\n' "$hc_s" | sed 's/^/  s1 check| /'
printf '%s\n' "$hc_s" >"$SL_RUN_DIR/checks-s1.txt"
check "s1's check lines: a refused check taking it DOWN" grep -qF 'failed, reason: Layer4 connection problem, info: "Connection refused", check duration: Nms, status: 0/2 DOWN.' "$SL_RUN_DIR/checks-s1.txt"
check "s1's check lines: a passed check taking it UP" grep -qF 'succeeded, reason: Layer7 check passed, code: 200, check duration: Nms, status: 2/2 UP.' "$SL_RUN_DIR/checks-s1.txt"
expect_eq "s1's check lines: the same as HAProxy's" "$hc_s" "$hc_h"
# the admin actions' lines (the check lines between them depend on when checks run)
adm_h=$(sed -n '/^== /,$p' "$SL_RUN_DIR/events-haproxy.txt" | grep -E '^(== |Server |backend )')
adm_s=$(sed -n '/^== /,$p' "$SL_RUN_DIR/events-sluice.txt" | grep -E '^(== |Server |backend )')
printf '%s\n' "$adm_s" | sed 's/^/  admin| /'
expect_eq "admin actions: the same lines as HAProxy's" "$adm_s" "$adm_h"
check "sluice's own stop lines (HAProxy writes them at a soft stop only)" grep -q "Proxy be stopped." "$SL_RUN_DIR/events-sluice.txt"
