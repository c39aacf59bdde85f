#!/usr/bin/env bash
# tests/e2e/test_synflood.sh — a spoofed SYN flood at an HTTP frontend (issue 15): half-open
# connections must never take the slots established ones need.
#
# sluiced runs `mode http` on :80 with the two nginx backends. From the client namespace a
# flooder (scapy builds the SYN, Python's raw socket sends it with new sources, ports and
# sequence numbers, at full speed) sends spoofed SYNs to the VIP's :80 from 10.77.0.100-250,
# addresses no host owns, so nobody ever answers the SYN-ACKs. Meanwhile a loop of curl from
# the real client keeps asking for / (one request at a time, each within 2 s):
#  - before the flood every request gets 200;
#  - during it at most a few fail (its SYN may meet a full receive ring);
#  - every request started after it gets 200 (within 2 s each);
#  - `sluicectl show tcp`: SYNs answered with cookies beyond the half-open share and cookies
#    validated (the clients' connections) both moved; the half-open ones stayed within the share.
# Before the share (issue 15) the flood's half-open connections took every slot of the proxy
# lcore's pool for a minute and each client's validated cookie was dropped.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 90 "$0" "$@"
trap 'sl_e2e_finish' EXIT

FLOOD_S=${SL_SYNFLOOD_SECONDS:-5} # how long the flood lasts
FLOOD_MIN=20000                   # SYNs it must send at least

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
CFG=$SL_RUN_DIR/sluice.cfg
{
    # maxconn 500: each stack holds ~1460 connections, a quarter of them half-open (365),
    # fewer than a listener's backlog (1024): the share is what the flood meets
    printf 'global\n    maxconn 500\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    cat <<EOT
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s

frontend web
    bind :80
    default_backend app

backend app
    balance roundrobin
    server s1 $SL_BE1_IP:5080
    server s2 $SL_BE2_IP:5080
EOT
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1
check "curl gets 200 before the flood" \
    sl_in sl-cli curl -sS -f -o /dev/null --max-time 2 "http://$SL_VIP/"

# tcp_sum NAME — NAME's value in `show tcp`, summed over the proxy lcores.
tcp_sum() { sl_ctl show tcp | grep -o "$1 [0-9]*" | awk '{s += $2} END {print s + 0}'; }

# The curl loop: one line per request, "START_EPOCH HTTP_CODE TIME_TOTAL", until STOP exists.
LOG=$SL_RUN_DIR/curl.log STOP=$SL_RUN_DIR/curl.stop
: >"$LOG"
sl_bg sl-cli curl-loop bash -c '
    while [[ ! -e $3 ]]; do
        t=$(date +%s.%N)
        r=$(curl -s -o /dev/null --max-time 2 -w "%{http_code} %{time_total}" "http://$1/")
        echo "$t ${r:-000 2}" >>"$2"
        sleep 0.05
    done' curl-loop "$SL_VIP" "$LOG" "$STOP" >/dev/null
sleep 2

ok_before=$(tcp_sum syncookies_ok) share_before=$(tcp_sum syncookies_share)
sl_in sl-cli /usr/bin/python3 - "$SL_VIP" "$FLOOD_S" >"$SL_RUN_DIR/flood.txt" 2>&1 <<'PY'
import random, socket, struct, sys, time
from scapy.all import IP, TCP
from scapy.utils import checksum

vip, seconds = sys.argv[1], float(sys.argv[2])
# One SYN built by scapy; each one sent gets its own source, port and sequence number, and
# both checksums again (scapy's checksum), which is 20 times faster than building each anew.
tpl = bytes(IP(src="10.77.0.100", dst=vip, ttl=64) /
            TCP(sport=1024, dport=80, flags="S", window=64240, options=[("MSS", 1460)]))
rnd = random.Random(15)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sent, t0, start = 0, time.monotonic(), time.time()
while time.monotonic() - t0 < seconds:
    for _ in range(500):
        b = bytearray(tpl)
        b[15] = rnd.randint(100, 250)  # 10.77.0.100-250: no host there
        struct.pack_into("!HHI", b, 20, rnd.randint(1024, 65535), 80, rnd.getrandbits(32))
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", checksum(bytes(b[:20])))
        b[36:38] = b"\0\0"
        pseudo = bytes(b[12:20]) + struct.pack("!BBH", 0, 6, len(b) - 20)
        b[36:38] = struct.pack("!H", checksum(pseudo + bytes(b[20:])))
        try:
            s.sendto(bytes(b), (vip, 0))
            sent += 1
        except OSError:  # ENOBUFS: the qdisc is full, go on
            pass
dt = time.monotonic() - t0
print(f"{sent} {dt:.2f} {sent / dt:.0f} {start:.6f} {time.time():.6f}")
PY
read -r flood_n flood_dt flood_rate flood_start flood_end <"$SL_RUN_DIR/flood.txt"
check "flood: ${flood_n:-0} spoofed SYNs in ${flood_dt:-?} s (${flood_rate:-?}/s), at least $FLOOD_MIN" \
    test "${flood_n:-0}" -ge "$FLOOD_MIN"
sleep 4
touch "$STOP"
sleep 2.5

# Requests by period: before the flood, during it, after it (by start time).
read -r b_ok b_bad d_ok d_bad a_ok a_bad < <(awk -v s="${flood_start:-0}" -v e="${flood_end:-0}" '
    { p = $1 < s ? 0 : ($1 < e ? 1 : 2); if ($2 == 200) ok[p]++; else bad[p]++ }
    END { printf "%d %d %d %d %d %d\n", ok[0], bad[0], ok[1], bad[1], ok[2], bad[2] }' "$LOG")
check "before the flood: $b_ok requests got 200, $b_bad did not" \
    bash -c "(( $b_ok >= 5 && $b_bad == 0 ))"
check "during the flood: $d_ok requests got 200, $d_bad did not (at most 3)" \
    bash -c "(( $d_ok >= 5 && $d_bad <= 3 ))"
check "after the flood: $a_ok requests got 200 within 2 s each, $a_bad did not" \
    bash -c "(( $a_ok >= 5 && $a_bad == 0 ))"
awk '$2 != 200 { print "     failed: " $0 }' "$LOG" | head -n 10

sl_ctl show tcp | sed 's/^/     /'
ok_after=$(tcp_sum syncookies_ok) share_after=$(tcp_sum syncookies_share)
check "SYNs beyond the half-open share got cookies ($((share_after - share_before)))" \
    test "$share_after" -gt "$share_before"
check "validated cookies made connections ($((ok_after - ok_before)))" \
    test "$ok_after" -gt "$ok_before"
check "half-open connections within their share on every lcore" bash -c "
    '$SL_CTL' -s '$SL_SOCK' show tcp | grep -o 'syn [0-9]*/[0-9]*' | tr '/' ' ' |
        awk '\$2 > \$3 { bad = 1 } END { exit bad }'"
