#!/usr/bin/env bash
# tests/e2e/test_l4.sh — the L4 path (mode tcp, full NAT) with real peers:
#  - ffmpeg publishes RTMP streams through the VIP to nginx-rtmp backends: each stream's HLS is on
#    exactly one backend, the streams spread over both, one keeps publishing for SL_LONG_STREAM s;
#  - a download through a mode tcp frontend is byte-exact (sha256); iperf3 runs through one;
#  - 2000 concurrent connections all complete;
#  - malformed packets and a blind RST aimed at a live flow do not harm it;
#  - a backend killed mid-stream ends its flows while the other backend's stream goes on.
# Needs root and ./build. Prints "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 420 "$0" "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"

LONG=${SL_LONG_STREAM:-60}

trap 'sl_e2e_finish pkill -f "ffmpeg.*rtmp://$SL_VIP"' EXIT
trap 'echo "interrupted/timed out" >&2; FAIL=$((FAIL + 1)); exit 124' TERM INT

[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ -x $SL_SLUICED && -x $SL_CTL ]] || { echo "build first (ninja -C build)" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }

check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2
sl_bg sl-be1 iperf3 iperf3 -s -p 5201 >/dev/null

# The seed's RTMP frontend, with its servers pointed at the test backends, plus two more
# mode tcp services: HTTP bytes (8080 -> 5080) and iperf3 (5201 -> be1 only).
CFG=$SL_RUN_DIR/sluice.cfg
sed -e "s/172.30.0.42/$SL_BE1_IP/; s/172.30.0.48/$SL_BE2_IP/" \
    "$SL_REPO/tests/fixtures/seed/seed-common.cfg" >"$CFG"
cat >>"$CFG" <<EOT

frontend bytes_lb
    bind *:8080
    mode tcp
    timeout client 30s
    default_backend backend_bytes

backend backend_bytes
    mode tcp
    balance roundrobin
    timeout connect 5s
    timeout server 30s
    server be1 $SL_BE1_IP:5080
    server be2 $SL_BE2_IP:5080

frontend iperf_lb
    bind *:5201
    mode tcp
    timeout client 30s
    default_backend backend_iperf

backend backend_iperf
    mode tcp
    timeout connect 5s
    timeout server 30s
    server be1 $SL_BE1_IP:5201

global
    stats socket $SL_SOCK mode 600 level admin
EOT
sl_dataplane_cfg af_xdp >>"$CFG"
echo "    flows 65536" >>"$CFG"
check "config passes sluiced -c" "$SL_SLUICED" -q -c -f "$CFG"
check "sluiced starts" sl_sluiced_start "$CFG" || exit 1

# ------------------------------------------------------------------ byte-exact download
want=$(sha256sum "$SL_RUN_DIR/big" | cut -d' ' -f1)
for i in 1 2; do
    got=$(sl_in sl-cli curl -sS --max-time 60 "http://$SL_VIP:8080/big" | sha256sum | cut -d' ' -f1)
    if [[ $got == "$want" ]]; then ok "download $i through L4 is byte-exact"; else bad "download $i: sha256 $got != $want"; fi
done
# each worker balances round-robin on its own: as many connections as workers plus one meet two
# of them on one worker, which alternates
seen=$(for i in 1 2 3 4; do sl_in sl-cli curl -s --max-time 5 "http://$SL_VIP:8080/"; done | sort -u | tr '\n' ' ')
check "roundrobin: four connections reach both backends ($seen)" \
    bash -c "[[ '$seen' == *'backend be1'* && '$seen' == *'backend be2'* ]]"
check "iperf3 through the VIP (5 s)" sl_in sl-cli iperf3 -c "$SL_VIP" -p 5201 -t 5 -J --logfile "$SL_RUN_DIR/iperf3.json"
gbps=$(/usr/bin/python3 -c "import json;d=json.load(open('$SL_RUN_DIR/iperf3.json'));print('%.2f' % (d['end']['sum_received']['bits_per_second']/1e9))" 2>/dev/null)
echo "     iperf3: ${gbps:-?} Gbit/s received"

# ------------------------------------------------------------------ 2000 concurrent connections
sl_in sl-cli /usr/bin/python3 "$HERE/lib/hold_conns.py" "$SL_VIP" 8080 2000 20 0 >"$SL_RUN_DIR/conc.txt" 2>&1
rc=$?
cat "$SL_RUN_DIR/conc.txt" | sed 's/^/     /'
check "2000 concurrent connections all complete" test $rc -eq 0

# ------------------------------------------------------------------ RTMP streams
publish() { # publish NAME SECONDS; ffmpeg's exit status lands in $SL_RUN_DIR/rc-NAME
    rm -f "$SL_RUN_DIR/rc-$1"
    sl_bg sl-cli "ffmpeg-$1" bash -c "ffmpeg -nostdin -loglevel error -re \
        -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440 -t $2 \
        -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -c:a aac \
        -f flv rtmp://$SL_VIP/live/$1; echo \$? >$SL_RUN_DIR/rc-$1" >/dev/null
}
alive() { [[ ! -f $SL_RUN_DIR/rc-$1 ]]; }
wait_gone() { local i; for i in $(seq 40); do alive "$1" || return 0; sleep 0.5; done; return 1; }
hls_on() { # hls_on STREAM -> prints the backends holding its playlist
    local b
    for b in be1 be2; do [[ -f $SL_RUN_DIR/be/$b/hls/$1.m3u8 ]] && echo "$b"; done
}
publish long "$LONG"
for s in s1 s2 s3; do publish "$s" 12; done
sleep 6
spread=""
for s in long s1 s2 s3; do
    where=$(hls_on "$s" | tr '\n' ' ')
    n=$(echo "$where" | wc -w)
    if [[ $n -eq 1 ]]; then ok "stream $s has its HLS on exactly one backend ($where)"; else bad "stream $s HLS on: '$where'"; fi
    spread+="$where"
done
check "streams spread over both backends ($spread)" bash -c "[[ '$spread' == *be1* && '$spread' == *be2* ]]"

# ------------------------------------------------------------------ bad packets vs a live flow
cport=$(sl_in sl-cli ss -Htn state established "( dport = :1935 )" | awk '{print $3}' | head -1 | sed 's/.*://')
if [[ -n $cport ]]; then
    sl_in sl-cli /usr/bin/python3 - "$SL_CLI_IF" "$SL_LB_MAC" "$SL_CLI_IP" "$SL_VIP" "$cport" <<'PY' || bad "scapy"
import random, sys
from scapy.all import Ether, IP, TCP, sendp
iface, dst, cip, vip, cport = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
e = Ether(dst=dst, type=0x0800)
pk = []
for _ in range(20):
    pk.append(e / IP(src=cip, dst=vip) / TCP(sport=cport, dport=1935, flags="R", seq=random.getrandbits(32)))
    pk.append(e / IP(src=cip, dst=vip) / TCP(sport=cport, dport=1935, flags="SF"))
    pk.append(e / IP(src=cip, dst=vip) / TCP(sport=cport, dport=1935, flags=0))
    pk.append(e / IP(src=cip, dst=vip) / TCP(sport=cport, dport=1935, flags="A", dataofs=2))
sendp(pk, iface=iface, verbose=False)
PY
    sleep 3
    check "flows survive blind RSTs and malformed segments (the long stream still publishes)" alive long
    rst=$(sl_ctr l4_rst_out_of_window)
    echo "     l4_rst_out_of_window=$rst drop_tcp_bad_flags=$(sl_ctr drop_tcp_bad_flags) drop_tcp_bad_data_offset=$(sl_ctr drop_tcp_bad_data_offset)"
    check "the blind RSTs reached the flow and were judged out of window ($rst of 20)" test "$rst" -ge 19
else
    bad "no established RTMP connection found in sl-cli"
fi

# ------------------------------------------------------------------ ICMP errors of a tracked flow
onl=$(hls_on long)
lport=$(sl_in "sl-$onl" ss -Htn state established "( sport = :1935 )" | awk '{print $4}' | head -1 | sed 's/.*://')
if [[ -n $lport ]]; then
    bip=$([[ $onl == be1 ]] && echo "$SL_BE1_IP" || echo "$SL_BE2_IP")
    bif=$([[ $onl == be1 ]] && echo "$SL_BE1_IF" || echo "$SL_BE2_IF")
    sl_in sl-cli timeout 6 tcpdump -n -c 1 -i "$SL_CLI_IF" icmp >"$SL_RUN_DIR/icmp.txt" 2>/dev/null &
    tdpid=$!
    sleep 1
    sl_in "sl-$onl" /usr/bin/python3 - "$bif" "$SL_LB_MAC" "$bip" "$SL_VIP" "$lport" <<'PY' || bad "scapy icmp"
import sys
from scapy.all import Ether, IP, TCP, ICMP, sendp
iface, dst, bip, vip, lport = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
quoted = IP(src=vip, dst=bip) / TCP(sport=lport, dport=1935, flags="A", seq=1000)
sendp(Ether(dst=dst, type=0x0800) / IP(src=bip, dst=vip) / ICMP(type=3, code=4, nexthopmtu=1400) / bytes(quoted)[:28],
      iface=iface, verbose=False)
PY
    wait "$tdpid"
    check "ICMP 'fragmentation needed' from the server side reaches the client translated" \
        grep -q "IP $SL_VIP > $SL_CLI_IP: ICMP $SL_VIP unreachable - need to frag (mtu 1400)" "$SL_RUN_DIR/icmp.txt"
    check "counted as translated ($(sl_ctr l4_icmp_errors_translated))" test "$(sl_ctr l4_icmp_errors_translated)" -eq 1
    sed 's/^/     /' "$SL_RUN_DIR/icmp.txt"
    check "the flow goes on after the ICMP error" alive long
else
    bad "no RTMP connection found on the backend"
fi

# ------------------------------------------------------------------ maintenance, shutdown-sessions
onl=$(hls_on long)
if [[ $onl == be1 ]]; then victim=be2 vsrv=ams2 other=be1; else victim=be1 vsrv=ams1 other=be2; fi
read -r s_be1 s_be2 < <(sl_two_apart 40 m1 m2 m1b m2b)
if [[ $victim == be1 ]]; then vm=$s_be1 om=$s_be2; else vm=$s_be2 om=$s_be1; fi
check "streams spread over both servers (be1: $s_be1, be2: $s_be2)" test -n "$vm" -a -n "$om"
check "disable server backend_rtmp/$vsrv" bash -c "[[ -z \$('$SL_CTL' -s '$SL_SOCK' disable server backend_rtmp/$vsrv) ]]"
check "show stat says MAINT" bash -c "'$SL_CTL' -s '$SL_SOCK' raw show stat | grep -q '^backend_rtmp,$vsrv,.*,MAINT,'"
publish m3 20
publish m4 20
sleep 5
check "in maintenance: new streams avoid $victim ($(hls_on m3) $(hls_on m4))" \
    bash -c "[[ '$(hls_on m3)' == $other && '$(hls_on m4)' == $other ]]"
check "in maintenance: the stream already on $victim goes on ($vm)" alive "$vm"
sl_ctl shutdown sessions server "backend_rtmp/$vsrv" >/dev/null
check "shutdown sessions: the stream on $victim ends at once ($vm)" wait_gone "$vm"
check "shutdown sessions: streams elsewhere go on ($om, long)" bash -c "[[ ! -f '$SL_RUN_DIR/rc-$om' && ! -f '$SL_RUN_DIR/rc-long' ]]"
echo "     l4_flows_reset_by_sluice=$(sl_ctr l4_flows_reset_by_sluice)"
sl_ctl enable server "backend_rtmp/$vsrv" >/dev/null
read -r s_be1 s_be2 < <(sl_two_apart 15 m5 m6 m7 m8)
check "enabled again: streams spread over both servers (be1: $s_be1, be2: $s_be2)" test -n "$s_be1" -a -n "$s_be2"
for st in m1 m2 m1b m2b m3 m4 m5 m6 m7 m8; do pkill -f "live/$st\$" 2>/dev/null; done
for st in m1 m2 m1b m2b m3 m4 m5 m6 m7 m8; do wait_gone "$st"; done

# ------------------------------------------------------------------ kill a backend mid-stream
for s in s1 s2 s3; do wait_gone "$s"; done
read -r k_be1 k_be2 < <(sl_two_apart 30 k1 k2 k3 k4)
onl=$(hls_on long)
if [[ -n $k_be1 && -n $k_be2 && -n $onl ]]; then
    ok "$k_be1 on be1, $k_be2 on be2, long on $onl"
    # kill the backend that does not carry the long stream
    if [[ $onl == be1 ]]; then victim=be2 vs=$k_be2 ss=$k_be1; else victim=be1 vs=$k_be1 ss=$k_be2; fi
    sl_backend_stop "$victim"
    check "the killed backend's stream ($vs on $victim) ends" wait_gone "$vs"
    sleep 3
    check "the other backend's stream ($ss) goes on" alive "$ss"
    check "the long stream goes on" bash -c "[[ ! -f '$SL_RUN_DIR/rc-long' || \$(cat '$SL_RUN_DIR/rc-long') == 0 ]]"
else
    bad "no two streams on two different backends (be1: '$k_be1', be2: '$k_be2', long '$onl')"
fi

# ------------------------------------------------------------------ the long stream
echo "     waiting for the ${LONG}s stream to finish"
for i in $(seq $((LONG + 30))); do alive long || break; sleep 1; done
check "the ${LONG}s stream published without a break (ffmpeg exit 0, no error)" bash -c "
    [[ \$(cat '$SL_RUN_DIR/rc-long' 2>/dev/null) == 0 ]] && ! grep -qiE 'error|broken|reset' '$SL_RUN_DIR/logs/ffmpeg-long.log'"
sl_ctl show l4 | sed 's/^/     /'
