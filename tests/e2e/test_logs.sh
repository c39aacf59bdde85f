#!/usr/bin/env bash
# tests/e2e/test_logs.sh — event logs to a syslog receiver of the test's (lib/syslog_recv.py, UDP
# on the balancer namespace's loopback), HAProxy 2.6 first and sluiced then on the same
# configuration and the same events: a server whose web server stops (DOWN, with HAProxy's
# reason, info and counts), comes back (UP), both stopping (the backend has no server); sluice
# also writes its start and stop (HAProxy 2.6 sends neither to syslog here). Lines are compared after the header (HAProxy's tag and pid differ), with
# the check durations set aside; the header's format (rfc3164, the facility and level in <PRI>,
# the tag) is checked on its own.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 240 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "web servers on be1 and be2" sl_named_web 5080

# make_cfg haproxy|sluice — the same proxies and log lines; sluice also gets its dataplane.
make_cfg() {
    printf 'global\n    log 127.0.0.1:%s local0\n    log-tag lb\n' "$1"
    [[ $2 == sluice ]] && printf '    stats socket %s mode 600 level admin\n' "$SL_SOCK"
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
    server s1 $SL_BE1_IP:5080 check inter 300 fall 2 rise 2
    server s2 $SL_BE2_IP:5080 check inter 300 fall 2 rise 2
EOT
    [[ $2 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg 5514 haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg 5515 sluice >"$SL_RUN_DIR/sluice.cfg"
sl_bg sl-lb syslog-haproxy python3 "$HERE/lib/syslog_recv.py" 127.0.0.1 5514 "$SL_RUN_DIR/syslog-haproxy.txt"
sl_bg sl-lb syslog-sluice python3 "$HERE/lib/syslog_recv.py" 127.0.0.1 5515 "$SL_RUN_DIR/syslog-sluice.txt"

# wait_log FILE TEXT — until a line of FILE contains TEXT (10 s at most)
wait_log() {
    local i
    for ((i = 0; i < 50; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# events NAME START STOP — the same events for both; START/STOP run the balancer
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
    sleep 1.5
    $3
}

# ---------------------------------------------------------------- HAProxy 2.6
sl_lb_kernel_addr
hap_start() { sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; }
events haproxy hap_start sl_haproxy_stop
sl_lb_kernel_flush
# ---------------------------------------------------------------- sluiced
sl_start() { sl_sluiced_start "$SL_RUN_DIR/sluice.cfg"; }
events sluice sl_start sl_sluiced_stop

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
for pat in "Server be/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: Nms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue." \
    "backend be has no server available!"; do
    check "HAProxy wrote: $pat" grep -qxF -- "$pat" "$SL_RUN_DIR/events-haproxy.txt"
    check "sluice wrote the same: $pat" grep -qxF -- "$pat" "$SL_RUN_DIR/events-sluice.txt"
done
up_h=$(grep -m1 "^Server be/s1 is UP" "$SL_RUN_DIR/events-haproxy.txt")
up_s=$(grep -m1 "^Server be/s1 is UP" "$SL_RUN_DIR/events-sluice.txt")
expect_eq "s1 back UP: the same line as HAProxy's" "$up_s" "$up_h"
# both web servers stop at once: either may be the last to go DOWN
down2_h=$(grep "is DOWN" "$SL_RUN_DIR/events-haproxy.txt" | tail -1 | sed 's|be/s[12]|be/S|')
down2_s=$(grep "is DOWN" "$SL_RUN_DIR/events-sluice.txt" | tail -1 | sed 's|be/s[12]|be/S|')
expect_eq "the last server DOWN: the same line as HAProxy's" "$down2_s" "$down2_h"
first=$(head -1 "$SL_RUN_DIR/syslog-sluice.txt")
check "sluice's own start line, rfc3164, local0, notice (<133>), tag lb[pid] ($first)" grep -qE '^<133>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} lb\[[0-9]+\]: Proxy ' <<<"$first"
check "a DOWN line at alert (<129>)" grep -qE '^<129>.*Server be/s1 is DOWN' "$SL_RUN_DIR/syslog-sluice.txt"
check "no server available at emerg (<128>)" grep -qE '^<128>.*backend be has no server available!' "$SL_RUN_DIR/syslog-sluice.txt"
check "sluice's own stop lines (HAProxy writes them at a soft stop only)" grep -q "Proxy be stopped." "$SL_RUN_DIR/events-sluice.txt"
