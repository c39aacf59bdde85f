#!/usr/bin/env bash
# tests/e2e/test_start_errors.sh — sluiced refuses to start with one clear line, and leaves
# nothing behind, for: a missing interface, a missing PCI device, a core list beyond the machine,
# too little memory, no dataplane section, a bind that leaves sluice no local ports (port plan),
# not root, a second sluiced on the same interface, a warning under --strict; the global pidfile
# written at start and removed at a clean stop; and
# it recovers the interface after a SIGKILLed predecessor left its XDP program attached.
# The lock is per port and per network namespace: with a second namespace set (SL_PREFIX + "b-")
# whose balancer's interface is lb0 too, two sluiced run and answer side by side, a third on
# either lb0 is refused, and a configuration with two ports locks both (refused when another
# sluiced holds its second port; a sluiced on either port of a running two-port one refused).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 240 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
# in_b CMD... — CMD in a subshell that sees the second namespace set (prefix B) through the
# same harness: its namespaces, run dir, stats socket and sluiced pid file.
B=${SL_PREFIX}b-
in_b() {
    (
        SL_PREFIX=$B
        unset SL_RUN_DIR SL_SOCK
        source "$HERE/lib/net.sh"
        source "$HERE/lib/sluiced.sh"
        "$@"
    )
}
finish() {
    trap - EXIT
    sl_sluiced_stop >/dev/null 2>&1
    in_b sl_sluiced_stop >/dev/null 2>&1
    in_b sl_net_down
    sl_net_down
    sl_summary || exit 1
    exit 0
}
trap finish EXIT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }
sl_net_up >/dev/null 2>&1 || { bad "net up"; exit 1; }

# refuses CFG_TEXT PATTERN DESC [NS]: sluiced (in NS, default the balancer's) exits 1 within
# 20 s and prints PATTERN
refuses() {
    local cfg=$SL_RUN_DIR/err.cfg out rc
    printf '%s\n' "$1" >"$cfg"
    out=$(timeout 20 ip netns exec "${4:-$SL_NS_LB}" "$SL_SLUICED" -q -f "$cfg" 2>&1)
    rc=$?
    if [[ $rc -eq 1 ]] && grep -qE "$2" <<<"$out"; then
        ok "$3: $(grep -E "$2" <<<"$out" | head -1)"
    else
        bad "$3: rc=$rc, output:"; echo "$out" | tail -5 | sed 's/^/       /'
    fi
}
DP="dataplane
    address $SL_VIP/24 port lan0
    memory 256"
refuses "$DP
    port lan0 iface nosuch0 driver af_xdp" "err.cfg:[0-9]+: port lan0: interface 'nosuch0' does not exist" "missing interface"
refuses "$DP
    port lan0 pci 0000:ff:1f.7" "no PCI device 0000:ff:1f.7" "missing PCI device"
refuses "$DP
    port lan0 iface $SL_LB_IF driver af_xdp
    cores 0-40" "'cores': core [0-9]+ is not available" "cores beyond the machine"
refuses "$DP
    port lan0 iface $SL_LB_IF driver af_xdp
    flows 60000000" "not enough memory|raise 'memory'" "too little memory for the flow table"
refuses "frontend f
    bind :80
    mode tcp" "no 'dataplane' section" "no dataplane section"
refuses "$DP
    port lan0 iface $SL_LB_IF driver af_xdp
frontend f
    bind :1024-65535
    mode tcp" "err.cfg:6: 'bind' ports 1024-65535 fall inside the L4 full-NAT source ports" "a bind that leaves no local ports"
printf 'dataplane\n    port lan0 iface %s\n    address %s/24 port lan0\n' "$SL_LB_IF" "$SL_VIP" >"$SL_RUN_DIR/min.cfg"
chmod 644 "$SL_RUN_DIR/min.cfg"; chmod 755 "$SL_RUN_DIR"
out=$(timeout 20 ip netns exec "$SL_NS_LB" setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SL_SLUICED" -q -f "$SL_RUN_DIR/min.cfg" 2>&1); rc=$?
if [[ $rc -eq 1 ]] && grep -q "must run as root" <<<"$out"; then ok "not root: refused"; else bad "not root: rc=$rc $out"; fi

# --strict: a warning (here 'daemon', which sluiced does not apply) refuses the start
printf 'global\n    daemon\n' | cat - "$SL_RUN_DIR/min.cfg" >"$SL_RUN_DIR/strict.cfg"
out=$(timeout 20 ip netns exec "$SL_NS_LB" "$SL_SLUICED" --strict -f "$SL_RUN_DIR/strict.cfg" 2>&1); rc=$?
if [[ $rc -eq 1 ]] && grep -q "strict.cfg:2: warning: 'daemon' has no effect" <<<"$out" &&
    grep -q "^--strict: the configuration drew 1 warning(s)" <<<"$out"; then
    ok "--strict: a warning refuses the start"
else
    bad "--strict: rc=$rc $out"
fi

# a second sluiced on the same interface; the first writes its pidfile
CFG=$SL_RUN_DIR/sluice.cfg
PIDFILE=$SL_RUN_DIR/sluiced-global.pid
{ printf 'global\n    stats socket %s mode 600 level admin\n    pidfile %s\n' "$SL_SOCK" "$PIDFILE"
  sl_dataplane_cfg af_xdp; } >"$CFG"
if sl_sluiced_start "$CFG"; then
    [[ $(cat "$PIDFILE" 2>/dev/null) == "$(cat "$SL_RUN_DIR/pids/sluiced.pid")" ]] &&
        ok "global pidfile: holds sluiced's pid" || bad "global pidfile: '$(cat "$PIDFILE" 2>&1)'"
    refuses "$(cat "$CFG" | sed "s#$SL_SOCK#$SL_RUN_DIR/other.sock#")" "another sluiced already runs" "second sluiced on the same interface"
    sl_in sl-cli ping -c 2 -i 0.2 -W 1 -q "$SL_VIP" >/dev/null && ok "the first one still answers" || bad "the first one stopped answering"
    # SIGKILL leaves DPDK's XDP program on the interface; the next start takes it back
    pid=$(cat "$SL_RUN_DIR/pids/sluiced.pid"); rm -f "$SL_RUN_DIR/pids/sluiced.pid"
    kill -KILL "$pid"; wait "$pid" 2>/dev/null
    sleep 0.5
    sl_xdp_attached && ok "after SIGKILL the XDP program is still attached" || ok "(no XDP program left after SIGKILL)"
    if sl_sluiced_start "$CFG" && sl_in sl-cli ping -c 2 -i 0.2 -W 1 -q "$SL_VIP" >/dev/null; then
        ok "restart after SIGKILL works: $(grep -m1 'removed the XDP program' "$SL_RUN_DIR/logs/sluiced.log" || echo 'no leftover')"
    else
        bad "restart after SIGKILL"; tail -5 "$SL_RUN_DIR/logs/sluiced.log"
    fi
    sl_sluiced_stop && ok "clean stop" || bad "stop"
    [[ ! -e $PIDFILE ]] && ok "  and the pidfile is removed" || bad "the pidfile is left after a clean stop"
else
    bad "sluiced did not start"
fi

# ---- one lock per port and network namespace
# b_start: the second set's sluiced on its lb0, with its own stats socket
b_start() {
    { printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"; sl_dataplane_cfg af_xdp; } \
        >"$SL_RUN_DIR/sluice.cfg"
    sl_sluiced_start "$SL_RUN_DIR/sluice.cfg"
}
b_ping() { sl_in sl-cli ping -c 2 -i 0.2 -W 1 -q "$SL_VIP" >/dev/null; }
# b_stop: stops it (not a child of this subshell: its exit status is not ours to wait for)
b_stop() {
    local pid
    pid=$(cat "$SL_RUN_DIR/pids/sluiced.pid" 2>/dev/null) || return 1
    sl_sluiced_stop
    ! kill -0 "$pid" 2>/dev/null
}
BRUN=$(in_b eval 'echo "$SL_RUN_DIR"')
BNS=$(in_b eval 'echo "$SL_NS_LB"')
LOCKNAME="another sluiced already runs on port lan0 \(interface $SL_LB_IF in network namespace net:\[[0-9]+\]; lock /run/sluice/net[0-9]+-$SL_LB_IF.lock held\)"
if in_b sl_net_up >/dev/null 2>&1 && ok "second namespace set $B up (its balancer's interface: $SL_LB_IF)" &&
    sl_sluiced_start "$CFG"; then
    if in_b b_start; then
        ok "a sluiced on $SL_LB_IF in $BNS starts next to the one on $SL_LB_IF in $SL_NS_LB"
    else
        bad "a sluiced on $SL_LB_IF in $BNS starts next to the one on $SL_LB_IF in $SL_NS_LB"
        tail -3 "$BRUN/logs/sluiced.log" 2>/dev/null | sed 's/^/       /'
    fi
    sl_in sl-cli ping -c 2 -i 0.2 -W 1 -q "$SL_VIP" >/dev/null && ok "$SL_NS_LB's sluiced answers ping on $SL_VIP" ||
        bad "$SL_NS_LB's sluiced answers ping on $SL_VIP"
    in_b b_ping && ok "$BNS's sluiced answers ping on its $SL_VIP" || bad "$BNS's sluiced answers ping on its $SL_VIP"
    echo "     locks: $(cd /run/sluice && ls net*-"$SL_LB_IF".lock | tr '\n' ' ')"
    refuses "$(sed "s#$SL_SOCK#$BRUN/other.sock#" "$CFG")" "$LOCKNAME" "a third sluiced on $SL_LB_IF in $BNS" "$BNS"
    refuses "$(sed "s#$SL_SOCK#$SL_RUN_DIR/other.sock#" "$CFG")" "$LOCKNAME" "a third sluiced on $SL_LB_IF in $SL_NS_LB"
    # a second port, lb1, for configurations with two ports
    ip -n "$SL_NS_SW" link add p-lb1 type veth peer name lb1 netns "$SL_NS_LB" &&
        ip -n "$SL_NS_SW" link set p-lb1 up && ip -n "$SL_NS_LB" link set lb1 up ||
        bad "veth lb1 in $SL_NS_LB"
    TWO="global
    stats socket $SL_RUN_DIR/two.sock mode 600 level admin
dataplane
    port lan0 iface lb1 driver af_xdp
    port lan1 iface $SL_LB_IF driver af_xdp
    address $SL_VIP/24 port lan1
    cores ${SL_CORES:-0-1}
    memory 256"
    refuses "$TWO" "another sluiced already runs on port lan1 \(interface $SL_LB_IF in network namespace" \
        "two ports, the second held by another sluiced"
    sl_sluiced_stop
    printf '%s\n' "$TWO" | sed "s#$SL_RUN_DIR/two.sock#$SL_SOCK#" >"$SL_RUN_DIR/two.cfg"
    if sl_sluiced_start "$SL_RUN_DIR/two.cfg"; then
        ok "a sluiced with two ports (lb1, $SL_LB_IF) starts"
        refuses "$(sed "s#$SL_SOCK#$SL_RUN_DIR/other.sock#" "$CFG")" "$LOCKNAME" "one sluiced on $SL_LB_IF, the second port of a running one"
        refuses "$(sed "s#$SL_SOCK#$SL_RUN_DIR/other.sock#; s#iface $SL_LB_IF#iface lb1#" "$CFG")" \
            "another sluiced already runs on port lan0 \(interface lb1 in network namespace" "one sluiced on lb1, the first port of a running one"
        sl_in sl-cli ping -c 2 -i 0.2 -W 1 -q "$SL_VIP" >/dev/null && ok "the two-port sluiced still answers ping on $SL_VIP" ||
            bad "the two-port sluiced still answers ping on $SL_VIP"
        sl_sluiced_stop && ok "clean stop (two ports)" || bad "stop (two ports)"
    else
        bad "a sluiced with two ports (lb1, $SL_LB_IF) starts"
    fi
    in_b b_stop && ok "stop in $BNS" || bad "stop in $BNS"
else
    bad "second namespace set and the first sluiced"
fi
rm -rf /var/run/dpdk/sluice* 2>/dev/null
