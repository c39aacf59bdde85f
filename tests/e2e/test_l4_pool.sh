#!/usr/bin/env bash
# tests/e2e/test_l4_pool.sh — the L4 local-address pool (issue 16): two `address` lines on the
# servers' subnet give a mode tcp server twice the concurrent flows of one.
#
# A second mode tcp frontend listens on 32768-60807, a real listener inside the L4 full-NAT
# source ports' default place: the plan moves them to 60808-60999 (192 ports: 192 for one
# worker, 64 each for three), so that one address's capacity is small enough to exceed. Then
# 220 connections held open at once through :8080 to one server (nginx on be1:5080):
#  - with one address (10.77.0.1): they cannot all open (the flows beyond 192 find no local
#    port, counted in drop_l4_local_ports_exhausted): what the pool is for;
#  - with two (10.77.0.1 and 10.77.0.2 on one subnet): all 220 open and complete; the server sees
#    both addresses as sources, and `show l4` reports 384 pairs, then 220 in use and 164 left;
#  - `source 10.77.0.2` (HAProxy's keyword) on a mode tcp backend and on a mode http server: the
#    server sees that address alone.
#  - one flow per connection on several workers: a client SYN sent again on another queue (the
#    held connections' waiting SYNs; 12 connections whose first SYN-ACK is dropped) goes to the
#    flow its first copy made (l4_flows_new counts one per connection).
# Run single-lcore and with SL_CORES="0-3 on 0-1" SL_LB_QUEUES=3.
# Needs root and ./build. Prints "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 240 "$0" "$@"
trap 'sl_e2e_finish' EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT
[[ -x $SL_SLUICED && -x $SL_CTL ]] || { echo "build first (ninja -C build)" >&2; exit 1; }

N=220          # connections held at once: more than one address's 192 pairs, fewer than 384
LIP2=10.77.0.2 # the second local address, on the servers' subnet

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1

make_cfg() { # make_cfg NADDRS
    cat <<EOT
global
    stats socket $SL_SOCK mode 600 level admin
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend bytes_lb
    bind *:8080
    default_backend backend_one
frontend squeeze
    bind *:32768-60807
    default_backend backend_one
backend backend_one
    server be1 $SL_BE1_IP:5080
EOT
    [[ $1 == 2 ]] && cat <<EOT
frontend src_lb
    bind *:8081
    default_backend backend_src
backend backend_src
    source $LIP2
    server be1 $SL_BE1_IP:5080
frontend web
    bind *:80
    mode http
    default_backend backend_web
backend backend_web
    mode http
    server be1 $SL_BE1_IP:5080 source $LIP2
EOT
    sl_dataplane_cfg af_xdp
    [[ $1 == 2 ]] && echo "    address $LIP2/24 port lan0"
}

# hold N connections open at once, 3 s, then one request each (tests/e2e/lib/hold_conns.py)
hold() { # hold OPEN_TIMEOUT_S
    sl_in sl-cli /usr/bin/python3 "$HERE/lib/hold_conns.py" "$SL_VIP" 8080 "$N" "$1" 3
}

server_line() { sl_ctl show l4 | grep "^server backend_one/be1:"; }

# ------------------------------------------------------------------ one address
CFG=$SL_RUN_DIR/pool1.cfg
make_cfg 1 >"$CFG"
out=$("$SL_SLUICED" -c -f "$CFG" 2>&1)
if grep -q "L4 full-NAT source ports move from 32768-[0-9]* to 60808-60999" <<<"$out"; then
    ok "the listener on 32768-60807 moves the L4 source ports to 60808-60999"
else
    bad "sluiced -c said: $(head -c 400 <<<"$out")"
fi
check "sluiced starts (one address)" sl_sluiced_start "$CFG" || exit 1
line=$(server_line)
echo "     $line"
check "show l4: 192 pairs for be1 from one address" grep -q "local ports in use 0 left 192 (1 address)" <<<"$line"
d0=$(sl_ctr drop_l4_local_ports_exhausted)
hold 3 >"$SL_RUN_DIR/hold1.txt" 2>&1
sed 's/^/     /' "$SL_RUN_DIR/hold1.txt"
opened=$(awk '/^open at once:/ {print $4}' "$SL_RUN_DIR/hold1.txt")
d1=$(sl_ctr drop_l4_local_ports_exhausted)
check "one address: at most 192 of $N connections open at once (${opened:-?})" test "${opened:-999}" -le 192
check "one address: SYNs beyond it counted in drop_l4_local_ports_exhausted ($d0 -> $d1)" test "$d1" -gt "$d0"
check "sluiced stops" sl_sluiced_stop

# ------------------------------------------------------------------ two addresses
CFG=$SL_RUN_DIR/pool2.cfg
make_cfg 2 >"$CFG"
check "sluiced starts (two addresses on the servers' subnet)" sl_sluiced_start "$CFG" || exit 1
check "the server reaches the second address (ARP, ping)" bash -c "ip netns exec '$(sl_ns sl-be1)' ping -q -c1 -W2 $LIP2 >/dev/null"
line=$(server_line)
echo "     $line"
check "show l4: 384 pairs for be1 from two addresses" grep -q "local ports in use 0 left 384 (2 addresses)" <<<"$line"
hold 20 >"$SL_RUN_DIR/hold2.txt" 2>&1 &
hp=$!
# while they are held: the server's sockets and show l4
for _ in $(seq 100); do
    grep -q "^open at once" "$SL_RUN_DIR/hold2.txt" && break
    sleep 0.2
done
sl_in sl-be1 ss -Htn state established "( sport = :5080 )" >"$SL_RUN_DIR/ss.txt"
line=$(server_line)
busy=$(sl_ctl show l4 | awk '/^worker / { split($4, f, "/"); if (f[1] + 0 > 0) n++ } END { print n + 0 }')
wait $hp
sed 's/^/     /' "$SL_RUN_DIR/hold2.txt"
echo "     $line"
opened=$(awk '/^open at once:/ {print $4}' "$SL_RUN_DIR/hold2.txt")
done_=$(awk '/^completed:/ {print $2}' "$SL_RUN_DIR/hold2.txt")
from1=$(grep -c " $SL_VIP:6[01][0-9][0-9][0-9]\b" "$SL_RUN_DIR/ss.txt")
from2=$(grep -c " $LIP2:6[01][0-9][0-9][0-9]\b" "$SL_RUN_DIR/ss.txt")
check "two addresses: all $N connections open at once (${opened:-?})" test "${opened:-0}" -eq "$N"
check "two addresses: all $N complete (${done_:-?})" test "${done_:-0}" -eq "$N"
check "the server sees both local addresses as sources ($from1 from $SL_VIP, $from2 from $LIP2)" \
    test $((from1 + from2)) -ge "$N" -a "$from1" -gt 0 -a "$from2" -gt 0
check "no more than the slice from either address ($from1, $from2 <= 192)" test "$from1" -le 192 -a "$from2" -le 192
# a flow per held connection: a SYN retransmitted onto another queue (220 SYNs at once make some
# wait) reaches the flow its first copy made, on the worker the 4-tuple names, instead of opening a
# second flow that would hold another pair until its connect timeout; in use + left is the whole
# capacity
used=$(sed -n 's/.*local ports in use \([0-9]*\) left \([0-9]*\) (2 addresses).*/\1/p' <<<"$line")
left=$(sed -n 's/.*local ports in use \([0-9]*\) left \([0-9]*\) (2 addresses).*/\2/p' <<<"$line")
check "show l4 while held: $N in use, one per connection (${used:-?}), in use + left = 384 (${left:-?} left)" \
    test "${used:-0}" -eq "$N" -a $(( ${used:-0} + ${left:-0} )) -eq 384
check "no flow refused for lack of a local port" test "$(sl_ctr drop_l4_local_ports_exhausted)" -eq 0
echo "     workers holding flows while they were held: $busy"

# ------------------------------------------------------------------ source ADDR
# nginx logs each request's client address first: the local address sluice connected from
last_src() { sleep 0.2; tail -n 1 "$SL_RUN_DIR/be/be1/logs/access.log" | cut -d' ' -f1; }
line=$(sl_ctl show l4 | grep "^server backend_src/be1:")
check "show l4: 'source $LIP2' gives backend_src/be1 one address" grep -q "left 192 (1 address)" <<<"$line"
for i in 1 2 3; do sl_in sl-cli curl -s -o /dev/null --max-time 5 "http://$SL_VIP:8081/"; done
got=$(for i in 1 2 3; do sl_in sl-cli curl -s -o /dev/null --max-time 5 "http://$SL_VIP:8081/"; last_src; done | sort -u | tr '\n' ' ')
check "mode tcp, backend 'source $LIP2': the server sees only $LIP2 ($got)" test "$got" == "$LIP2 "
got=$(for i in 1 2 3; do sl_in sl-cli curl -s -o /dev/null --max-time 5 "http://$SL_VIP:80/"; last_src; done | sort -u | tr '\n' ' ')
check "mode http, server 'source $LIP2': the server sees only $LIP2 ($got)" test "$got" == "$LIP2 "
got=$(for i in 1 2 3 4; do sl_in sl-cli curl -s -o /dev/null --max-time 5 "http://$SL_VIP:8080/"; last_src; done | sort -u | tr '\n' ' ')
check "mode tcp without source: both addresses of the pool ($got)" test "$got" == "$SL_VIP $LIP2 "

# ------------------------------------------------------------------ a SYN retransmitted elsewhere
# The client's SYN-ACKs are dropped for the first 0.6 s (nftables in its namespace): each of M
# connections sends its SYN again after its 1 s RTO, and Linux re-hashes the socket then (the
# veth queue and the AF_XDP socket follow that hash), so on several workers the second SYN lands
# on another queue most of the time. Every worker computes the same owner for the client's
# 4-tuple, and the SYN is handed to it: one flow per connection, one server-side connection each.
M=12
f0=$(sl_ctr l4_flows_new)
s0=$(sl_ctr l4_client_to_owner)
sl_in sl-be1 nft -f - <<EOT
table inet sl_syns {
    chain c {
        type filter hook input priority 0;
        tcp dport 5080 tcp flags & (syn | ack) == syn counter
    }
}
EOT
sl_in sl-cli nft -f - <<EOT
table inet sl_drop {
    chain c {
        type filter hook input priority 0;
        tcp sport 8080 tcp flags & (syn | ack) == syn | ack drop
    }
}
EOT
pids=()
for i in $(seq "$M"); do
    sl_in sl-cli curl -s -o /dev/null -w '%{http_code}\n' --max-time 8 "http://$SL_VIP:8080/" >"$SL_RUN_DIR/rtx.$i" &
    pids+=($!)
done
sleep 0.6
sl_in sl-cli nft delete table inet sl_drop
wait "${pids[@]}"
n200=$(cat "$SL_RUN_DIR"/rtx.* | grep -c '^200$')
f1=$(sl_ctr l4_flows_new)
s1=$(sl_ctr l4_client_to_owner)
syns=$(sl_in sl-be1 nft list table inet sl_syns | sed -n 's/.*packets \([0-9]*\).*/\1/p')
sl_in sl-be1 nft delete table inet sl_syns
check "SYNs retransmitted after a dropped SYN-ACK: all $M answered ($n200)" test "$n200" -eq "$M"
check "one flow per connection: $M new flows ($((f1 - f0)); frames handed to their owner: $((s1 - s0)))" \
    test $((f1 - f0)) -eq "$M"
# each connection's server side: its SYN and that SYN again when the client's came again
echo "     server-side SYNs (retransmissions included): ${syns:-?}"
