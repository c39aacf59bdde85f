#!/usr/bin/env bash
# tests/e2e/test_tcp.sh — sluice's own TCP stack (proxy lcores) against Linux peers, through the
# built-in services of the dataplane section: `service http-ok` answered to curl and to wrk
# (keep-alive) without an error, `service echo` returning 20 MB byte-exact on 4 parallel
# connections, 1000 short connections all completing and the stack's pools back to empty.
# Then the same echo under 1% and 5% random loss both ways on the client (nftables numgen: this
# kernel has no netem), and under reordering of the client's segments: nftables puts one in ten
# in a slow HTB class of the client's link (skb priority 1:20), so they arrive after later ones.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 240 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"

trap sl_e2e_finish EXIT
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }

check "net up" sl_net_up || exit 1
CFG=$SL_RUN_DIR/sluice.cfg
{
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    sl_dataplane_cfg af_xdp
    echo "    service echo 7"
    echo "    service http-ok 8081"
} >"$CFG"
check "sluiced starts with built-in services" sl_sluiced_start "$CFG" || exit 1

check "curl gets 200 from the stack" bash -c "ip netns exec '$SL_NS_CLI' curl -sS -f --max-time 5 http://$SL_VIP:8081/ | grep -qx ok"
sl_in sl-cli wrk -t1 -c32 -d3s "http://$SL_VIP:8081/" >"$SL_RUN_DIR/wrk.txt" 2>&1
rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$SL_RUN_DIR/wrk.txt")
check "wrk keep-alive, 32 connections: no socket error, no non-2xx ($rps req/s)" \
    bash -c "[[ -n '$rps' && '$rps' -gt 0 ]] && ! grep -qE 'Socket errors|Non-2xx' '$SL_RUN_DIR/wrk.txt'"

head -c 20000000 /dev/urandom >"$SL_RUN_DIR/blob"
echo_blob() { # echo_blob FILE: one connection, sent and read back, sha256 compared
    sl_in sl-cli /usr/bin/python3 - "$SL_VIP" "$1" <<'PY'
import hashlib, socket, sys, threading
data = open(sys.argv[2], "rb").read()
s = socket.create_connection((sys.argv[1], 7), timeout=60)
got = bytearray()
def rd():
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        got.extend(b)
t = threading.Thread(target=rd)
t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join()
sys.exit(0 if hashlib.sha256(got).digest() == hashlib.sha256(data).digest() else 1)
PY
}
parallel_echo() { # four connections at once
    local pids=() p rc=0
    for p in 1 2 3 4; do echo_blob "$SL_RUN_DIR/blob" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    return $rc
}
check "echo: 4 x 20 MB back byte-exact, in parallel" parallel_echo

# ---------------------------------------------------------------- loss on the client's link
head -c 5000000 "$SL_RUN_DIR/blob" >"$SL_RUN_DIR/blob5"
for loss in 1 5; do
    sl_in sl-cli nft add table inet sl_loss
    sl_in sl-cli nft add chain inet sl_loss in '{ type filter hook input priority 0 ; }'
    sl_in sl-cli nft add chain inet sl_loss out '{ type filter hook output priority 0 ; }'
    sl_in sl-cli nft add rule inet sl_loss in ip saddr "$SL_VIP" numgen random mod 100 '<' "$loss" drop
    sl_in sl-cli nft add rule inet sl_loss out ip daddr "$SL_VIP" numgen random mod 100 '<' "$loss" drop
    check "echo 5 MB byte-exact under ${loss}% loss both ways" echo_blob "$SL_RUN_DIR/blob5"
    sl_in sl-cli nft delete table inet sl_loss
done

# ---------------------------------------------------------------- reordering on the client's link
ooo_before=$(sl_ctl show tcp | grep -o 'ooo_queued [0-9]*' | awk '{s += $2} END {print s + 0}')
sl_in sl-cli tc qdisc add dev "$SL_CLI_IF" root handle 1: htb default 10
sl_in sl-cli tc class add dev "$SL_CLI_IF" parent 1: classid 1:10 htb rate 10gbit
sl_in sl-cli tc class add dev "$SL_CLI_IF" parent 1: classid 1:20 htb rate 8mbit ceil 8mbit
sl_in sl-cli nft add table inet sl_reorder
sl_in sl-cli nft add chain inet sl_reorder post '{ type filter hook postrouting priority 0 ; }'
sl_in sl-cli nft add rule inet sl_reorder post ip daddr "$SL_VIP" tcp dport 7 numgen random mod 10 == 0 meta priority set 1:20
check "echo 5 MB byte-exact with one client segment in ten reordered" echo_blob "$SL_RUN_DIR/blob5"
sl_in sl-cli nft delete table inet sl_reorder
sl_in sl-cli tc qdisc del dev "$SL_CLI_IF" root
ooo_after=$(sl_ctl show tcp | grep -o 'ooo_queued [0-9]*' | awk '{s += $2} END {print s + 0}')
check "the stack reassembled out-of-order segments ($((ooo_after - ooo_before)) queued)" \
    test "$ooo_after" -gt "$ooo_before"
sl_ctl show tcp | grep -o 'retransmits [0-9]*' | sed 's/^/     stack /'

check "1000 short connections all complete" sl_in sl-cli /usr/bin/python3 - "$SL_VIP" <<'PY'
import socket, sys
vip, good = sys.argv[1], 0
for i in range(1000):
    s = socket.create_connection((vip, 7), timeout=5)
    s.sendall(b"ping %d\n" % i)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = s.recv(100)
        if not b:
            break
        got += b
    s.close()
    good += got == b"ping %d\n" % i
print("short connections:", good)
sys.exit(0 if good == 1000 else 1)
PY
sleep 1
sl_ctl show tcp | sed 's/^/     /'
check "no connection left but TIME_WAIT ones (bounded)" bash -c "'$SL_CTL' -s '$SL_SOCK' show tcp | awk '{ for (i = 1; i < NF; i++) if (\$i == \"conns\") { split(\$(i + 1), a, \"/\"); tw = \$(i + 3) + 0; bad = a[1] - tw > 0 } } END { exit bad }' && ! '$SL_CTL' -s '$SL_SOCK' show tcp | grep -qE 'drop_csum [1-9]'"
# Payload arrives in mbufs the stack keeps (no copy) and the echo sends that same chain back;
# once every connection is gone no mbuf and no chunk may still be held.
check "received mbufs kept as payload, all given back, no chunk held" bash -c "'$SL_CTL' -s '$SL_SOCK' show tcp | grep -E 'mbufs_kept [1-9]' | grep -q 'mbufs_held 0 chunks 0/'"
