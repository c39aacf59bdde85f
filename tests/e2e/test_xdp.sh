#!/usr/bin/env bash
# tests/e2e/test_xdp.sh — sluice's own XDP program on an AF_XDP port: only sluice's frames go to
# sluice, the rest to the kernel, so the kernel keeps a second address on the same interface:
#  - the program attached is sluice's (sl_xdp_steer), the log says so;
#  - the VIP answers ping and serves HTTP through sluice; the kernel's address on lb0 answers
#    ping and TCP (a kernel listener in the balancer's namespace) at the same time;
#  - `show drops` counts frames to sluice and frames left to the kernel, by kind;
#  - `xdp-steer off`: the PMD's own program, the kernel's address no longer answers;
#  - after sluiced stops: no XDP program on lb0, the kernel's address still answers.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 180 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "the XDP program was built" test -s "$SL_BUILD/sl_xdp.o"
KADDR=10.77.0.5 # the kernel's own address on lb0, next to sluice's VIP
CFG=$SL_RUN_DIR/sluice.cfg
write_cfg() { # write_cfg [xdp-steer off]
    cat >"$CFG" <<EOT
global
    stats socket $SL_SOCK mode 600 level admin
frontend web
    mode tcp
    bind :80
    timeout client 30s
    default_backend app
backend app
    mode tcp
    timeout connect 2s
    timeout server 30s
    server s1 $SL_BE1_IP:5080
dataplane
    port lan0 iface $SL_LB_IF driver af_xdp $*
    address $SL_VIP/24 port lan0
    cores ${SL_CORES:-0-1}
    memory ${SL_MEMORY:-256}
EOT
}
kernel_up() { # the kernel's address and a TCP listener on it, in the balancer's namespace
    ip -n "$SL_NS_LB" addr replace "$KADDR/24" dev "$SL_LB_IF"
    sl_bg sl-lb kernel-tcp python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$KADDR', 2222)); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b'kernel here\n'); c.close()
" >/dev/null
    sl_wait_listen "$SL_NS_LB" 2222 5
}
kernel_tcp() { sl_in sl-cli timeout 3 bash -c "exec 3<>/dev/tcp/$KADDR/2222 && head -1 <&3" 2>/dev/null; }
ctr() { sl_ctl show drops | awk -F': ' -v n="$1" '$1 == n {print $2}'; }

write_cfg
check "sluiced starts on lb0 with its XDP program" sl_sluiced_start "$CFG" || exit 1
check "  the log says steering is on" grep -q "XDP steering on '$SL_LB_IF': frames for 1 address(es) to sluice" "$SL_RUN_DIR/logs/sluiced.log"
check "  lb0's XDP program is sluice's (sl_xdp_steer)" bash -c "ip -n '$SL_NS_LB' -d link show dev '$SL_LB_IF' | grep -q 'prog/xdp.* name sl_xdp_steer'"
check "kernel address and listener up on the same interface" kernel_up

check "ping the VIP (sluice answers)" sl_in sl-cli ping -c 3 -i 0.2 -W 2 "$SL_VIP"
check "ping the kernel's address $KADDR (the kernel answers)" sl_in sl-cli ping -c 3 -i 0.2 -W 2 "$KADDR"
expect_eq "TCP to the kernel's listener on $KADDR:2222" "$(kernel_tcp)" "kernel here"
check "HTTP through the VIP (sluice's L4 path)" bash -c "ip netns exec '$SL_NS_CLI' curl -sf --max-time 3 http://$SL_VIP/ | grep -q 'backend be1'"
expect_eq "the kernel's address does not reach sluice's service" "$(sl_in sl-cli curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$KADDR/")" 000
for n in xdp_to_sluice_arp xdp_to_sluice_ipv4 xdp_to_kernel_arp xdp_to_kernel_ipv4; do
    v=$(ctr "$n")
    check "show drops: $n counted ($v)" bash -c "(( ${v:-0} > 0 ))"
done
v=$(sl_ctr icmp_echo_in)
check "sluice saw only its own pings (icmp_echo_in $v = 3)" test "${v:-0}" -eq 3

check "sluiced stops" sl_sluiced_stop
check "no XDP program left on lb0" bash -c "! ip -n '$SL_NS_LB' link show dev '$SL_LB_IF' | grep -q 'prog/xdp'"
check "the kernel's address still answers ping" sl_in sl-cli ping -c 2 -i 0.2 -W 2 "$KADDR"
expect_eq "  and TCP" "$(kernel_tcp)" "kernel here"

# ---------------------------------------------------------------- under libxdp's dispatcher
# With a bpf filesystem mounted, libxdp attaches programs under its dispatcher (several programs
# can share an interface); sluiced must find its own among them. The mount is made in a private
# mount namespace of sluiced's, nothing outside sees it.
: >"$SL_RUN_DIR/logs/sluiced.log"
sl_bg sl-lb sluiced unshare -m sh -c "mount -t bpf bpf /sys/fs/bpf && exec '$SL_SLUICED' -f '$CFG'" >/dev/null
for i in $(seq 100); do "$SL_CTL" -s "$SL_SOCK" show info >/dev/null 2>&1 && break; sleep 0.1; done
if ip -n "$SL_NS_LB" -d link show dev "$SL_LB_IF" | grep -q 'name xdp_dispatcher'; then
    ok "with bpffs: libxdp's dispatcher on lb0"
    check "  sluiced found its program under it (steering on)" grep -q "XDP steering on '$SL_LB_IF'" "$SL_RUN_DIR/logs/sluiced.log"
    check "  the VIP answers" sl_in sl-cli ping -c 2 -i 0.2 -W 2 "$SL_VIP"
    check "  the kernel's address answers" sl_in sl-cli ping -c 2 -i 0.2 -W 2 "$KADDR"
    expect_eq "  and its TCP listener" "$(kernel_tcp)" "kernel here"
else
    # libxdp falls back to attaching the program alone when the kernel cannot run the
    # dispatcher (freplace); the steering is then the same as above
    check "with bpffs: sluice's program attached alone, steering on" grep -q "XDP steering on '$SL_LB_IF'" "$SL_RUN_DIR/logs/sluiced.log"
fi
check "sluiced stops" sl_sluiced_stop
check "no XDP program left on lb0" bash -c "! ip -n '$SL_NS_LB' link show dev '$SL_LB_IF' | grep -q 'prog/xdp'"

# ---------------------------------------------------------------- xdp-steer off
write_cfg xdp-steer off
sl_bg sl-lb sluiced "$SL_SLUICED" -f "$CFG" >/dev/null
for i in $(seq 100); do "$SL_CTL" -s "$SL_SOCK" show info >/dev/null 2>&1 && break; sleep 0.1; done
check "with xdp-steer off: the PMD's own program (every frame to sluice)" bash -c "! grep -q 'XDP steering on' '$SL_RUN_DIR/logs/sluiced.log' || [[ \$(grep -c 'XDP steering on' '$SL_RUN_DIR/logs/sluiced.log') == 1 ]]"
check "  the VIP still answers" sl_in sl-cli ping -c 2 -i 0.2 -W 2 "$SL_VIP"
check "  the kernel's address does not (its frames go to sluice)" bash -c "! ip netns exec '$SL_NS_CLI' ping -c 2 -i 0.2 -W 1 '$KADDR' >/dev/null 2>&1"
check "sluiced stops" sl_sluiced_stop
check "no XDP program left on lb0" bash -c "! ip -n '$SL_NS_LB' link show dev '$SL_LB_IF' | grep -q 'prog/xdp'"
