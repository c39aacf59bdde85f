#!/usr/bin/env bash
# sluice vs HAProxy as an HTTP proxy (mode http, option http-server-close, two nginx backends),
# in one run of the test network: HAProxy (nbthread 1, or $SL_NBTHREAD) on a kernel address of lb0, then sluiced
# (`cores 0-1`: two worker+proxy lcores, below) on lb0 through AF_XDP. wrk with 32 connections, keep-alive and
# "Connection: close", SL_SECONDS each (default 10).
#
# This machine has 2 vCPUs shared by wrk, two nginx, and the proxy: the request rate is what the
# whole box does. The per-core figure divides requests by the CPU time the proxy itself used:
# HAProxy's user+system time from /proc, sluice's busy cycles of its worker/proxy lcore (loop
# iterations that found work; idle polls are not counted, as HAProxy's epoll sleep is not).
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

common="
defaults
    mode http
    option forwardfor
    option http-server-close
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend http_lb
    bind *:8080
    default_backend backend_http
backend backend_http
    balance roundrobin
    server be1 $SL_BE1_IP:5080
    server be2 $SL_BE2_IP:5080
"
wrk_rps() { # wrk_rps [wrk args...] -> requests/s
    sl_in sl-cli wrk -t1 -c32 -d"${SECS}s" "$@" "http://$SL_VIP:8080/" 2>/dev/null |
        awk '/Requests\/sec/ {printf "%.0f", $2}'
}
cpu_ms_pid() { # CPU ms (user+system) of process $1
    awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"
}
user_ms_pid() { # user-space CPU ms of process $1
    awk -v hz="$(getconf CLK_TCK)" '{printf "%d", $14 * 1000 / hz}' "/proc/$1/stat"
}
busy_ms() { sl_ctl show lcores | awk '$2 ~ /proxy/ {s += $10} END {print s + 0}'; }

# HAProxy
hcfg=$SL_RUN_DIR/haproxy.cfg
printf 'global\n    nbthread %s\n    maxconn 4000\n%s' "$NBT" "$common" >"$hcfg"
sl_lb_kernel_addr
sl_haproxy_start "$hcfg" >/dev/null
hpid=$(pgrep -n -f "haproxy -db -f $hcfg")
c0=$(cpu_ms_pid "$hpid"); u0=$(user_ms_pid "$hpid"); hka=$(wrk_rps); c1=$(cpu_ms_pid "$hpid"); u1=$(user_ms_pid "$hpid")
hcl=$(wrk_rps -H "Connection: close"); c2=$(cpu_ms_pid "$hpid")
hka_cpu=$((c1 - c0)) hcl_cpu=$((c2 - c1)) hka_user=$((u1 - u0))
sl_haproxy_stop >/dev/null
sl_lb_kernel_flush

# sluice
scfg=$SL_RUN_DIR/sluice.cfg
{ printf 'global\n    maxconn 4000\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"; echo "$common"; sl_dataplane_cfg af_xdp; } >"$scfg"
sl_sluiced_start "$scfg" >/dev/null
spid=$(pgrep -n sluiced)
b0=$(busy_ms)
wrk_rps >"$SL_RUN_DIR/ska.txt" &
wpid=$!
sleep 2
perf record -q -o "$SL_RUN_DIR/perf.data" -p "$spid" -- sleep 5 >/dev/null 2>&1 || true
wait "$wpid"
ska=$(cat "$SL_RUN_DIR/ska.txt")
b1=$(busy_ms)
scl=$(wrk_rps -H "Connection: close"); b2=$(busy_ms)
ska_cpu=$((b1 - b0)) scl_cpu=$((b2 - b1))
sl_ctl show http
sl_sluiced_stop >/dev/null

py() { /usr/bin/python3 -c "$1"; }
per_core() { py "r,s,ms=float('$1'),$SECS,float('$2');print('%.0f' % (r*s/(ms/1000.0)) if ms else 'n/a')"; }
ratio() { py "a,b='$1','$2';print('%.2f' % (float(a)/float(b)) if b not in ('0','n/a') and a != 'n/a' else 'n/a')"; }
hka_pc=$(per_core "$hka" "$hka_cpu") ska_pc=$(per_core "$ska" "$ska_cpu")
hcl_pc=$(per_core "$hcl" "$hcl_cpu") scl_pc=$(per_core "$scl" "$scl_cpu")
printf '%-44s %10s %10s %8s\n' "mode http, http-server-close, 32 conns" "HAProxy" "sluice" "ratio"
printf '%-44s %10s %10s %8s\n' "keep-alive requests/s (whole box)" "$hka" "$ska" "$(ratio "$ska" "$hka")"
printf '%-44s %10s %10s %8s\n' "keep-alive proxy CPU ms" "$hka_cpu" "$ska_cpu" ""
printf '%-44s %10s %10s %8s\n' "keep-alive requests per proxy CPU second" "$hka_pc" "$ska_pc" "$(ratio "$ska_pc" "$hka_pc")"
# sluice's own user-space share of its busy time, from the perf samples (the rest is the
# kernel: AF_XDP copy-mode transmission and, on veth, the receiving side's stack)
ushare=$(perf report -i "$SL_RUN_DIR/perf.data" --stdio --sort dso 2>/dev/null |
    awk '/sluiced|librte|libc/ {gsub("%","",$1); s += $1} END {printf "%.1f", s}')
printf '%-44s %10s %10s %8s\n' "keep-alive proxy user-space CPU ms" "$hka_user" \
    "$(py "print('%.0f' % ($ska_cpu * $ushare / 100.0))")" ""
printf '%-44s %10s %10s %8s\n' "Connection: close requests/s (whole box)" "$hcl" "$scl" "$(ratio "$scl" "$hcl")"
printf '%-44s %10s %10s %8s\n' "Connection: close proxy CPU ms" "$hcl_cpu" "$scl_cpu" ""
printf '%-44s %10s %10s %8s\n' "close: requests per proxy CPU second" "$hcl_pc" "$scl_pc" "$(ratio "$scl_pc" "$hcl_pc")"
