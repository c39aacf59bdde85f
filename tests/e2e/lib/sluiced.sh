# shellcheck shell=bash
# tests/e2e/lib/sluiced.sh — start/stop sluiced in the balancer namespace and read its counters.
# Source after lib/net.sh. Needs the build in $SL_BUILD (default <repo>/build).

SL_REPO=${SL_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
SL_BUILD=${SL_BUILD:-$SL_REPO/build}
SL_SLUICED=$SL_BUILD/sluiced
SL_CTL=$SL_BUILD/sluicectl
SL_SOCK=${SL_SOCK:-$SL_RUN_DIR/sluice.sock}

# sl_dataplane_cfg [DRIVER] — prints a dataplane section for lb0 (af_xdp by default): `cores
# $SL_CORES` (default 0-1), `control $SL_CONTROL` when set (shared or own). An af_packet port
# gets `queues SL_LB_QUEUES` when that is above 1 (the PMD's qpairs: one packet socket per queue,
# the kernel spreading flows over them by hash); af_xdp takes its default, one queue per worker.
sl_dataplane_cfg() {
    local q=""
    [[ ${1:-af_xdp} == af_packet && ${SL_LB_QUEUES:-1} -gt 1 ]] && q=" queues $SL_LB_QUEUES"
    cat <<EOT
dataplane
    port lan0 iface $SL_LB_IF driver ${1:-af_xdp}$q
    address $SL_VIP/24 port lan0
    cores ${SL_CORES:-0-1}
    memory ${SL_MEMORY:-256}
EOT
    sl__control_line
}

sl__control_line() {
    if [[ -n ${SL_CONTROL:-} ]]; then echo "    control $SL_CONTROL"; fi
}

# sl_dataplane_cfg_two_arm [lan0|lan1] — prints the dataplane section of the two-armed topology
# (sl_net_up_two_arm): lan0 on lb0 (clients, 10.77.0.1/24), lan1 on lb1 (servers, 10.78.0.1/24),
# the router's network 10.79.0.0/24 and the default route via 10.77.0.254; af_xdp. The port named
# first (lan0 by default) is declared first, its address too.
sl_dataplane_cfg_two_arm() {
    local l0="    port lan0 iface $SL_LB_IF driver af_xdp" l1="    port lan1 iface $SL_LB1_IF driver af_xdp"
    local a0="    address $SL_VIP/24 port lan0" a1="    address $SL_LB1_IP/24 port lan1"
    echo dataplane
    if [[ ${1:-lan0} == lan1 ]]; then printf '%s\n' "$l1" "$l0" "$a1" "$a0"; else printf '%s\n' "$l0" "$l1" "$a0" "$a1"; fi
    cat <<EOT
    route 10.79.0.0/24 via $SL_RTR_IP
    route default via $SL_RTR_IP
    cores ${SL_CORES:-0-1}
    memory ${SL_MEMORY:-256}
EOT
    sl__control_line
}

# sl_sluiced_start CFG... — starts sluiced on lb0 and waits until its stats socket answers.
sl_sluiced_start() {
    local args=() f i
    for f in "$@"; do args+=(-f "$f"); done
    sl_lb_kernel_flush
    sl_bg sl-lb sluiced "$SL_SLUICED" "${args[@]}" >/dev/null
    for i in $(seq 100); do
        if [[ -S "$SL_SOCK" ]] && "$SL_CTL" -s "$SL_SOCK" show info >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$(cat "$SL_RUN_DIR/pids/sluiced.pid")" 2>/dev/null; then
            sl_log "sluiced exited during start:"
            tail -n 30 "$SL_RUN_DIR/logs/sluiced.log" >&2
            return 1
        fi
        sleep 0.1
    done
    sl_log "sluiced did not answer on $SL_SOCK within 10 s"
    tail -n 30 "$SL_RUN_DIR/logs/sluiced.log" >&2
    return 1
}

# sl_sluiced_stop — SIGTERM and wait (up to 10 s); returns sluiced's exit status.
sl_sluiced_stop() {
    local f=$SL_RUN_DIR/pids/sluiced.pid pid i
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        sl_log "sluiced ignored SIGTERM for 10 s"
        kill -KILL "$pid"
        rm -f "$f"
        return 1
    fi
    rm -f "$f"
    wait "$pid" 2>/dev/null
}

# sl_ctl CMD... — a stats socket command through sluicectl.
sl_ctl() { "$SL_CTL" -s "$SL_SOCK" "$@"; }

# sl_haproxy_then_sluice FN [HAPROXY-ARG [SLUICE-ARG]] — the comparison the scripts make: HAProxy
# 2.6 on the kernel's lb0 with $SL_RUN_DIR/haproxy.cfg and "FN haproxy HAPROXY-ARG"; then
# sluiced with $SL_RUN_DIR/sluice.cfg, which `sluiced -c` must accept without a warning (the
# four-lcore layout's "lcores share" aside), and "FN sluice SLUICE-ARG". FN runs the steps and
# judges them. Returns 1 when sluiced does not start; leaves it running otherwise.
sl_haproxy_then_sluice() {
    local fn=$1 ha=${2:-} sl=${3:-}
    sl_lb_kernel_addr
    if sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; then
        ok "HAProxy starts with the configuration"
        "$fn" haproxy "$ha"
    else
        bad "HAProxy starts with the configuration"
    fi
    sl_haproxy_stop
    sl_lb_kernel_flush
    check "sluiced -c accepts it without a warning" \
        bash -c "! '$SL_SLUICED' -c -f '$SL_RUN_DIR/sluice.cfg' 2>&1 | grep -i 'warning' | grep -v 'lcores share'"
    check "sluiced starts" sl_sluiced_start "$SL_RUN_DIR/sluice.cfg" || return 1
    "$fn" sluice "$sl"
}

# sl_ctr NAME — the value of one dataplane counter (show counters), 0 when absent.
sl_ctr() {
    sl_ctl show counters | awk -F': ' -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }'
}

# sl_e2e_finish [CMD...] — the EXIT trap of a test that runs sluiced: runs CMD (extra cleanup),
# stops sluiced, shows its log tail and non-zero drop counters when something failed, removes
# the network, prints the summary line and exits non-zero on failure.
sl_e2e_finish() {
    local rc=$?
    trap - EXIT
    (( $# > 0 )) && "$@" >/dev/null 2>&1
    if (( FAIL > 0 )) && [[ -S $SL_SOCK ]]; then
        echo "--- drops"; sl_ctl show drops 2>/dev/null | grep -v ': 0$'
    fi
    # a sluiced that crashes or hangs on its way out leaves its EAL runtime directory and the
    # interface's XDP program behind: a failure of the script that ran it
    local st=0
    [[ -f $SL_RUN_DIR/pids/sluiced.pid ]] && { sl_sluiced_stop >/dev/null 2>&1; st=$?; }
    (( st == 0 )) || bad "sluiced stops cleanly at the end (exit status $st)"
    if (( FAIL > 0 )) && [[ -f $SL_RUN_DIR/logs/sluiced.log ]]; then
        echo "--- sluiced log (tail)"; tail -n 30 "$SL_RUN_DIR/logs/sluiced.log"
    fi
    sl_net_down
    sl_summary || exit 1
    exit "$rc"
}

# sl_two_apart SECONDS NAME... — publishes the RTMP streams NAME... for SECONDS each with the
# caller's `publish NAME SECONDS`, then keeps one on be1 and one on be2 (read with the caller's
# `hls_on NAME`) and stops the others; prints "ON_BE1 ON_BE2" ("" for a side none reached).
# With several workers each one balances round-robin on its own and a stream lands on the worker
# whose queue the NIC chose, so two streams may meet on one server; as many streams as workers
# plus one cannot all (two of them meet on one worker, which alternates).
sl_two_apart() {
    local secs=$1 s a="" b=""
    shift
    for s in "$@"; do publish "$s" "$secs"; done
    sleep 5
    for s in "$@"; do
        case $(hls_on "$s") in
        be1) [[ -z $a ]] && { a=$s; continue; } ;;
        be2) [[ -z $b ]] && { b=$s; continue; } ;;
        esac
        pkill -f "live/$s\$" 2>/dev/null
    done
    echo "$a $b"
}

# sl_answered N URL [CURL_ARGS...] — N requests from sl-cli, each its own connection: prints how
# many were answered 200.
sl_answered() {
    local n=$1 url=$2 ok=0 i c
    shift 2
    for ((i = 0; i < n; i++)); do
        c=$(sl_in sl-cli curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@" "$url")
        [[ $c == 200 ]] && ok=$((ok + 1))
    done
    echo "$ok"
}
