#!/usr/bin/env bash
# sluice vs HAProxy on the same mode tcp service, in one run of the test network:
# HAProxy (nbthread 1, or $SL_NBTHREAD) on lb0 with a kernel address, then sluiced (`cores 0-1`: two workers, below) on lb0 through
# AF_XDP, each in front of the same backends:
#   - iperf3 throughput through the VIP (1 stream and 4 streams, SL_SECONDS each)
#   - new TCP connections per second: wrk with "Connection: close" through a mode tcp frontend
#     to nginx (each request is a new connection through the balancer)
# Prints a table with the ratio sluice / HAProxy. Figures go to docs/performance.md.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$top/tests/e2e/lib/deps.sh"
source "$top/tests/e2e/lib/net.sh"
source "$top/tests/e2e/lib/sluiced.sh"
SECS=${SL_SECONDS:-10}
# SL_NBTHREAD=2 SL_LB_QUEUES=2: HAProxy on two threads against sluice forwarding on both cores
# (`cores 0-1`, the default: main beside a worker on CPU 0, a worker on CPU 1; lb0 with two
# queues, one AF_XDP socket each; SL_CONTROL=own SL_LB_QUEUES=1: main alone on CPU 0)
NBT=${SL_NBTHREAD:-1}
trap 'sl_sluiced_stop >/dev/null 2>&1; sl_haproxy_stop >/dev/null 2>&1; sl_net_down >/dev/null 2>&1' EXIT
sl_net_up >/dev/null
sl_backend_start sl-be1 be1 >/dev/null
sl_backend_start sl-be2 be2 >/dev/null
sl_bg sl-be1 iperf3 iperf3 -s -p 5201 >/dev/null

common="
frontend iperf_lb
    bind *:5201
    mode tcp
    timeout client 60s
    default_backend backend_iperf
backend backend_iperf
    mode tcp
    timeout connect 5s
    timeout server 60s
    server be1 $SL_BE1_IP:5201
frontend conn_lb
    bind *:8080
    mode tcp
    timeout client 60s
    default_backend backend_conn
backend backend_conn
    mode tcp
    balance roundrobin
    timeout connect 5s
    timeout server 60s
    server be1 $SL_BE1_IP:5080
    server be2 $SL_BE2_IP:5080
"
measure() { # measure LABEL -> "gbit1 gbit4 conns"
    local j1=$SL_RUN_DIR/$1-1.json j4=$SL_RUN_DIR/$1-4.json g1 g4 c
    sl_in sl-cli iperf3 -c "$SL_VIP" -p 5201 -t "$SECS" -J >"$j1" || true
    sl_in sl-cli iperf3 -c "$SL_VIP" -p 5201 -t "$SECS" -P 4 -J >"$j4" || true
    g1=$(/usr/bin/python3 -c "import json;print('%.2f'%(json.load(open('$j1'))['end']['sum_received']['bits_per_second']/1e9))" 2>/dev/null || echo 0)
    g4=$(/usr/bin/python3 -c "import json;print('%.2f'%(json.load(open('$j4'))['end']['sum_received']['bits_per_second']/1e9))" 2>/dev/null || echo 0)
    c=$(sl_in sl-cli wrk -t1 -c32 -d"${SECS}s" -H "Connection: close" "http://$SL_VIP:8080/" 2>/dev/null |
        awk '/Requests\/sec/ {printf "%.0f", $2}')
    echo "$g1 $g4 ${c:-0}"
}

# HAProxy
hcfg=$SL_RUN_DIR/haproxy.cfg
printf 'global\n    nbthread %s\n    maxconn 4000\ndefaults\n    timeout connect 5s\n%s' "$NBT" "$common" >"$hcfg"
sl_lb_kernel_addr
sl_haproxy_start "$hcfg" >/dev/null
read -r h1 h4 hc < <(measure haproxy)
sl_haproxy_stop >/dev/null
sl_lb_kernel_flush
# The backends keep HAProxy's last connections in TIME_WAIT for 60 s, with the kernel's
# sequence numbers and timestamps; sluice's own would collide with them (the same local
# address and ports). Let them expire, as a balancer replacing another on the same address would.
sleep 61

# sluice
scfg=$SL_RUN_DIR/sluice.cfg
{ printf 'global\n    maxconn 4000\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"; echo "$common"; sl_dataplane_cfg af_xdp; } >"$scfg"
sl_sluiced_start "$scfg" >/dev/null
read -r s1 s4 sc < <(measure sluice)
busy=$(sl_ctl show lcores | awk '$2 ~ /worker/ {printf "%s%s", sep, $7; sep = "/"}')
sl_sluiced_stop >/dev/null

ratio() { /usr/bin/python3 -c "a,b=float('$1'),float('$2');print('%.2f' % (a/b) if b else 'n/a')"; }
printf '%-34s %10s %10s %8s\n' "mode tcp, same backends" "HAProxy" "sluice" "ratio"
printf '%-34s %10s %10s %8s\n' "iperf3 1 stream (Gbit/s)" "$h1" "$s1" "$(ratio "$s1" "$h1")"
printf '%-34s %10s %10s %8s\n' "iperf3 4 streams (Gbit/s)" "$h4" "$s4" "$(ratio "$s4" "$h4")"
printf '%-34s %10s %10s %8s\n' "new connections/s (wrk, close)" "$hc" "$sc" "$(ratio "$sc" "$hc")"
echo "HAProxy nbthread $NBT; sluice workers' busy share over the whole run: ${busy}%"
