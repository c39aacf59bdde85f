#!/usr/bin/env bash
# tests/e2e/test_af_packet.sh — an af_packet port of three queues (the PMD's `qpairs`: one packet
# socket per queue in one PACKET_FANOUT group of mode hash) served by three workers on two CPUs
# (`cores 0-3 on 0-1`), lb0 a veth of three queues:
#  - the port runs three queues, one per worker, and the EAL was given qpairs=3;
#  - HTTP requests (terminated on the proxy lcores) and L4 connections (mode tcp, full NAT) are
#    all answered, a download through the L4 path is byte-exact;
#  - the kernel spread the frames: at least two workers received from the NIC, at least two
#    proxy lcores handled segments;
#  - replies that landed on another worker's queue were steered to their owner: L4 replies
#    (`l4_steered_to_owner`) and frames handed over (`rx_handed`, HTTP server replies among them).
#  - then a tap port of three queues (net_tap on a multi-queue tap bridged with lb0): HTTP and L4
#    requests answered, frames received on several workers' queues.
# tools/test.sh runs it in its multi-lcore step (it sets its own cores and queues).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 150 "$0" "$@"
trap 'sl_e2e_finish' EXIT

export SL_CORES=${SL_CORES_MULTI:-"0-3 on 0-1"}
export SL_LB_QUEUES=3
check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2

CFG=$SL_RUN_DIR/sluice.cfg
{
    printf 'global\n    maxconn 3000\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend web
    bind :80
    default_backend app

backend app
    balance roundrobin
    server w1 $SL_BE1_IP:5080
    server w2 $SL_BE2_IP:5080

frontend bytes
    bind :8080
    mode tcp
    default_backend bytes_be

backend bytes_be
    mode tcp
    balance roundrobin
    server b1 $SL_BE1_IP:5080
    server b2 $SL_BE2_IP:5080
EOT
    sl_dataplane_cfg af_packet
} >"$CFG"
check "the port line asks for three queues" grep -q "driver af_packet queues 3" "$CFG"
check "sluiced starts on $SL_CORES with an af_packet port" sl_sluiced_start "$CFG" || exit 1
ports=$(sl_ctl show ports)
echo "$ports" | head -3 | sed 's/^/    /'
check "lb0 served by net_af_packet0 on three queues" \
    bash -c "grep -qE 'device=net_af_packet0 iface=$SL_LB_IF .* queues=3 ' <<<'$ports'"
pid=$(cat "$SL_RUN_DIR/pids/sluiced.pid")
npk=$(sl_in sl-lb ss -0 -a -p 2>/dev/null | grep -c "pid=$pid,")
expect_eq "the PMD opened one packet socket per queue (qpairs=3)" "$npk" 3
lcores=$(sl_ctl show lcores)
expect_eq "three worker+proxy lcores" "$(grep -c 'worker,proxy' <<<"$lcores")" 3

# ---------------------------------------------------------------- traffic
expect_eq "60 HTTP requests, each its own connection: all answered" "$(sl_answered 60 "http://$SL_VIP/")" 60
expect_eq "60 L4 connections (mode tcp, full NAT): all answered" "$(sl_answered 60 "http://$SL_VIP:8080/")" 60
want=$(sha256sum <"$SL_RUN_DIR/big" | cut -d' ' -f1)
got=$(sl_in sl-cli curl -s --max-time 20 "http://$SL_VIP:8080/big" | sha256sum | cut -d' ' -f1)
expect_eq "a download through the L4 path is byte-exact" "$got" "$want"

lcores=$(sl_ctl show lcores)
echo "$lcores" | sed 's/^/    /'
rxw=$(awk '!/^#/ && $2 ~ /worker/ && $3 > 50' <<<"$lcores" | wc -l)
check "frames received on several workers' queues: the fanout spread them ($rxw of 3)" test "$rxw" -ge 2
busy=$(awk '!/^#/ && $2 ~ /proxy/ && $12 > 0' <<<"$lcores" | wc -l)
check "segments handled by several proxy lcores ($busy of 3)" test "$busy" -ge 2
steered=$(sl_ctr l4_steered_to_owner)
check "L4 replies steered from the receiving worker to the flow's owner: $steered" test "$steered" -gt 0
handed=$(awk '!/^#/ {s += $11} END {print s + 0}' <<<"$lcores")
check "frames handed to their owner lcore (rx_handed): $handed" test "$handed" -gt 0
nomb=$(awk -F'rx_nombuf=' 'NF > 1 {split($2, a, " "); s += a[1]} END {print s + 0}' <<<"$(sl_ctl show ports)")
expect_eq "no frame refused for want of a buffer (rx_nombuf)" "$nomb" 0

# ---------------------------------------------------------------- a tap port of three queues
# The same traffic through a tap port (the net_tap PMD: one file descriptor per queue of a
# multi-queue tap, the kernel choosing the queue by the flow's hash): the tap, made beforehand,
# is bridged with lb0 inside sl-lb, so the clients' and servers' frames reach sluice through it.
check "sluiced stops" sl_sluiced_stop
TAP=stap0
sl_in sl-lb ip tuntap add dev "$TAP" mode tap multi_queue
sl_in sl-lb ip link add slbr type bridge
sl_in sl-lb ip link set "$SL_LB_IF" master slbr
sl_in sl-lb ip link set "$TAP" master slbr
for d in slbr "$TAP" "$SL_LB_IF"; do sl_in sl-lb ip link set "$d" up; done
for ns in sl-cli sl-be1 sl-be2; do sl_in "$ns" ip neigh flush all; done # a new MAC for the VIP
sed -i "s/^    port lan0 iface .*/    port lan0 iface $TAP driver tap queues 3/" "$CFG"
check "sluiced starts with a tap port of three queues" sl_sluiced_start "$CFG" || exit 1
ports=$(sl_ctl show ports)
echo "$ports" | head -3 | sed 's/^/    /'
check "$TAP served by net_tap0 on three queues" \
    bash -c "grep -qE 'device=net_tap0 iface=$TAP .* queues=3 ' <<<'$ports'"
# the PMD gave the tap's kernel side its own MAC: a bridge keeps a port's MAC for itself, so the
# kernel side takes another one, and frames to sluice's MAC go out through the tap
sl_in sl-lb ip link set "$TAP" address 02:77:00:00:00:09
expect_eq "tap: 20 HTTP requests, all answered" "$(sl_answered 20 "http://$SL_VIP/")" 20
expect_eq "tap: 20 L4 connections, all answered" "$(sl_answered 20 "http://$SL_VIP:8080/")" 20
lcores=$(sl_ctl show lcores)
rxw=$(awk '!/^#/ && $2 ~ /worker/ && $3 > 15' <<<"$lcores" | wc -l)
check "tap: frames received on several workers' queues ($rxw of 3)" test "$rxw" -ge 2
