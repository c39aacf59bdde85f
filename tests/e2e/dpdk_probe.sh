#!/usr/bin/env bash
# shellcheck disable=SC2119  # sl_xdp_off / sl_xdp_attached default to sl-lb lb0
# tests/e2e/dpdk_probe.sh — can DPDK (22.11, Debian) drive lb0 in sl-lb here?
#
# Re-runs the feasibility checks recorded in tests/e2e/NOTES.md with
# dpdk-testpmd: AF_XDP and AF_PACKET PMDs on the veth lb0 without hugepages,
# RX of frames sent from sl-cli, TX (icmpecho answers ping), --file-prefix for
# two processes, XDP program left behind by SIGKILL, two AF_XDP queues.
# Lines starting "info" record behaviour without judging it.
#
# Needs root. Bounded by SL_PROBE_TIMEOUT seconds (default 300).
# Prints "N passed, N failed"; exit non-zero when something failed.

set -uo pipefail

if [[ -z "${SL_PROBE_UNDER_TIMEOUT:-}" ]]; then
    export SL_PROBE_UNDER_TIMEOUT=1
    exec timeout -k 15 "${SL_PROBE_TIMEOUT:-300}" bash "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/deps.sh
source "$HERE/lib/deps.sh"
# shellcheck source=lib/net.sh
source "$HERE/lib/net.sh"

PASS=0
FAIL=0
ok()   { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
info() { echo "info - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }

FPS=()
finish() {
    local rc=$? fp
    trap - EXIT
    sl_net_down
    for fp in "${FPS[@]}"; do sl_dpdk_cleanup_prefix "$fp"; done
    echo "$PASS passed, $FAIL failed"
    if (( FAIL > 0 )); then exit 1; fi
    exit "$rc"
}
trap finish EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT

[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
if [[ "${SL_E2E_NO_INSTALL:-0}" != 1 ]]; then
    sl_e2e_install_deps || { bad "install deps"; exit 1; }
fi
command -v dpdk-testpmd >/dev/null || { bad "dpdk-testpmd not found (package dpdk)"; exit 1; }

info "kernel $(uname -r); dpdk $(dpkg-query -W -f='${Version}' dpdk 2>/dev/null); libxdp $(dpkg-query -W -f='${Version}' libxdp1 2>/dev/null)"

LOGS="$SL_RUN_DIR/logs"

# tp_start NAME FILE_PREFIX "EAL VDEV ARGS" [testpmd args...]
# Starts testpmd (bounded to 60 s) in sl-lb; returns once it forwards or died.
tp_start() {
    local name=$1 fp=$2 vdevs=$3
    shift 3
    FPS+=("$fp")
    # shellcheck disable=SC2086
    sl_bg sl-lb "$name" timeout -k 3 60 dpdk-testpmd -l 0-1 --no-huge -m 512 --no-pci \
        --file-prefix "$fp" $vdevs -- --total-num-mbufs=8192 --stats-period 1 "$@" >/dev/null
    for _ in $(seq 100); do
        grep -q 'Port statistics' "$LOGS/$name.log" 2>/dev/null && { sleep 0.5; return 0; }
        kill -0 "$(cat "$SL_RUN_DIR/pids/$name.pid")" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# tp_stop NAME — SIGTERM (testpmd exits cleanly, prints totals), wait <= 10 s.
tp_stop() {
    local name=$1 pid
    pid=$(cat "$SL_RUN_DIR/pids/$name.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pid" 2>/dev/null
    sl_stop "$name"
}

# tp_rx NAME [PORT] — RX-packets of PORT from the final forward statistics.
tp_rx() {
    local name=$1 port=${2:-0}
    awk -v p="Forward statistics for port $port " '
        index($0, p) { grab = 1; next }
        grab && /RX-packets:/ { n = $2; grab = 0 }
        END { print (n == "" ? -1 : n) }' "$LOGS/$name.log"
}

ping5() { sl_in sl-cli timeout 10 ping -q -c 5 -i 0.2 -W 1 "$SL_VIP" >/dev/null 2>&1; }
arping3() { sl_in sl-cli timeout 6 arping -q -c 3 -w 5 -I "$SL_CLI_IF" "$SL_VIP" >/dev/null 2>&1; true; }

# -------------------------------------------------------------- 1 queue
check "net up (lb0 1 queue)" sl_net_up || exit 1
sl_lb_kernel_flush

# AF_XDP RX
if tp_start xdp_rx "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0,start_queue=0,queue_count=1" \
        --forward-mode=rxonly; then
    ok "af_xdp: testpmd up on lb0 (--no-huge -m 512)"
    check "af_xdp: XDP program attached while running" sl_xdp_attached
    ip -n "$SL_NS_LB" link show dev lb0 | sed -n 's/^ *\(prog\/xdp.*\)/info - lb0 while running: \1/p'
    arping3
    tp_stop xdp_rx
    n=$(tp_rx xdp_rx)
    check "af_xdp: 3 arpings from sl-cli counted by testpmd RX (rx=$n)" test "$n" -ge 3
    check "af_xdp: XDP program removed after SIGTERM exit" bash -c "! ip -n '$SL_NS_LB' link show dev lb0 | grep -q prog/xdp"
    grep -q 'Falling back' "$LOGS/xdp_rx.log" &&
        info "libxdp said: $(grep -m1 'Falling back' "$LOGS/xdp_rx.log")"
else
    bad "af_xdp: testpmd up on lb0"; sed -n '1,40p' "$LOGS/xdp_rx.log"
fi
sl_xdp_off

# AF_XDP TX: icmpecho answers ARP + ping
if tp_start xdp_echo "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0" --forward-mode=icmpecho; then
    check "af_xdp: ping 10.77.0.1 answered by testpmd icmpecho (RX+TX path)" \
        ping5
    tp_stop xdp_echo
else
    bad "af_xdp: icmpecho testpmd up"
fi
sl_xdp_off
sl_in sl-cli ip neigh flush dev "$SL_CLI_IF"

# AF_XDP with busy_budget=0
if tp_start xdp_bb0 "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0,busy_budget=0" --forward-mode=rxonly; then
    arping3; tp_stop xdp_bb0
    n=$(tp_rx xdp_bb0)
    check "af_xdp busy_budget=0: RX works too (rx=$n)" test "$n" -ge 3
else
    bad "af_xdp busy_budget=0: testpmd up"
fi
sl_xdp_off

# AF_PACKET RX + TX
if tp_start pkt_rx "${SL_PREFIX}p1" "--vdev net_af_packet0,iface=lb0" --forward-mode=rxonly; then
    ok "af_packet: testpmd up on lb0"
    arping3; tp_stop pkt_rx
    n=$(tp_rx pkt_rx)
    check "af_packet: 3 arpings counted by RX (rx=$n)" test "$n" -ge 3
else
    bad "af_packet: testpmd up"; sed -n '1,40p' "$LOGS/pkt_rx.log"
fi
sl_in sl-cli ip neigh flush dev "$SL_CLI_IF"
if tp_start pkt_echo "${SL_PREFIX}p1" "--vdev net_af_packet0,iface=lb0" --forward-mode=icmpecho; then
    check "af_packet: ping answered by icmpecho" ping5
    tp_stop pkt_echo
else
    bad "af_packet: icmpecho testpmd up"
fi
sl_xdp_off
sl_in sl-cli ip neigh flush dev "$SL_CLI_IF"

# Two EAL processes: same default prefix fails, distinct --file-prefix works.
if tp_start two_a "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0" --forward-mode=rxonly; then
    sl_in sl-lb timeout -k 3 10 dpdk-testpmd -l 0-1 --no-huge -m 128 --no-pci --file-prefix "${SL_PREFIX}p1" \
        --vdev net_af_packet0,iface=lb0 -- --total-num-mbufs=4096 --stats-period 1 >"$LOGS/two_same.log" 2>&1
    rc=$?
    check "same --file-prefix twice: second EAL refuses (rc=$rc)" \
        grep -q 'Cannot create lock on' "$LOGS/two_same.log"
    if tp_start two_b "${SL_PREFIX}p2" "--vdev net_af_packet0,iface=lb0" --forward-mode=rxonly; then
        ok "distinct --file-prefix: af_xdp and af_packet processes run together"
        tp_stop two_b
    else
        bad "distinct --file-prefix: second process"
    fi
    # Hazard: a 2nd AF_XDP process on the same iface/queue fails AND removes
    # the first one's XDP program (first keeps running, receives nothing).
    sl_in sl-lb timeout -k 3 10 dpdk-testpmd -l 0-1 --no-huge -m 128 --no-pci --file-prefix "${SL_PREFIX}p3" \
        --vdev net_af_xdp0,iface=lb0 -- --total-num-mbufs=4096 --stats-period 1 >"$LOGS/two_xdp.log" 2>&1
    rc=$?
    FPS+=("${SL_PREFIX}p3")
    if sl_xdp_attached; then x=still; else x=NOT; fi
    info "2nd af_xdp on same queue: rc=$rc ($(grep -m1 -o 'Failed to create xsk socket' "$LOGS/two_xdp.log")); 1st process's XDP program $x attached afterwards"
    tp_stop two_a
else
    bad "two processes: first testpmd up"
fi
sl_xdp_off

# SIGKILL leaves xsk_def_prog attached; next start reuses it; xdp off removes it.
if tp_start kill9 "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0" --forward-mode=rxonly; then
    pid=$(cat "$SL_RUN_DIR/pids/kill9.pid")
    tpid=$(pgrep -P "$pid" -x dpdk-testpmd || true)
    kill -KILL "${tpid:-$pid}" 2>/dev/null
    wait "$pid" 2>/dev/null
    sl_stop kill9
    sleep 0.5
    if sl_xdp_attached; then
        info "after SIGKILL the XDP program stays on lb0: $(ip -n "$SL_NS_LB" link show dev lb0 | grep -o 'prog/xdp.*')"
        if tp_start kill9b "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0" --forward-mode=rxonly; then
            arping3; tp_stop kill9b
            n=$(tp_rx kill9b)
            check "restart over a stale xsk_def_prog still receives (rx=$n)" test "$n" -ge 3
        else
            bad "restart over a stale xsk_def_prog"
        fi
    else
        info "after SIGKILL no XDP program is left on lb0"
    fi
    sl_xdp_off
    check "ip link set dev lb0 xdp off leaves no XDP program" bash -c "! ip -n '$SL_NS_LB' link show dev lb0 | grep -q prog/xdp"
else
    bad "kill -9 test: testpmd up"
fi

# -------------------------------------------------------------- 2 queues
SL_LB_QUEUES=2 sl_net_up >/dev/null 2>&1
check "net up with SL_LB_QUEUES=2 (lb0 has 2 rx queues)" \
    bash -c "ip -d -n '$SL_NS_LB' link show dev lb0 | grep -q 'numrxqueues 2'"
tp_start q2 "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0,start_queue=0,queue_count=2" \
    --forward-mode=rxonly --rxq=2 --txq=2
sl_stop q2
if grep -q 'larger than combined queue count' "$LOGS/q2.log"; then
    info "queue_count=2 on veth rejected: $(grep -m1 -o 'Specified queue count.*' "$LOGS/q2.log")"
fi
sl_xdp_off
if tp_start q2v "${SL_PREFIX}p1" "--vdev net_af_xdp0,iface=lb0,start_queue=0,queue_count=1 --vdev net_af_xdp1,iface=lb0,start_queue=1,queue_count=1" \
        --forward-mode=rxonly; then
    sl_in sl-cli ip neigh replace "$SL_VIP" lladdr "$SL_LB_MAC" dev "$SL_CLI_IF" nud permanent
    sl_in sl-cli timeout 20 python3 - "$SL_CLI_IP" "$SL_VIP" <<'EOF'
import socket, sys
src, dst = sys.argv[1], sys.argv[2]
for sp in range(20000, 20200):          # 200 UDP flows, 1 datagram each
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, sp)); s.sendto(b"x" * 32, (dst, 9)); s.close()
EOF
    sleep 0.5
    tp_stop q2v
    n0=$(tp_rx q2v 0); n1=$(tp_rx q2v 1)
    check "2 AF_XDP ports (queue 0 and 1) share 200 UDP flows: port0=$n0 port1=$n1" \
        test "$n0" -gt 0 -a "$n1" -gt 0 -a $((n0 + n1)) -eq 200
else
    bad "two af_xdp vdevs on queues 0/1"
fi
sl_xdp_off
