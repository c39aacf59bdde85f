#!/usr/bin/env bash
# Backend death under load (issue: health checks): wrk (Connection: close, 32 connections)
# through a mode tcp frontend to two nginx backends; after 3 s one backend's nginx is stopped.
# Prints how long until sluice marks it DOWN, and wrk's error counts for the run, in both modes:
# tcp (L4 flows: connections that reached the dead server before it was taken out of rotation
# fail, there is no retry) and http (the proxy retries elsewhere: `option redispatch`).
# SL_INTER / SL_FALL set the check interval and fall count (default 1000 ms, 2).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$top/tests/e2e/lib/deps.sh"
source "$top/tests/e2e/lib/net.sh"
source "$top/tests/e2e/lib/sluiced.sh"
INTER=${SL_INTER:-1000} FALL=${SL_FALL:-2}
trap 'sl_sluiced_stop >/dev/null 2>&1; sl_net_down >/dev/null 2>&1' EXIT
sl_net_up >/dev/null
sl_backend_start sl-be1 be1 >/dev/null
sl_backend_start sl-be2 be2 >/dev/null
CFG=$SL_RUN_DIR/failover.cfg
# run MODE: tcp (L4 flows, no retry) or http (the proxy, `retries 2` + `option redispatch`)
run() {
    local mode=$1 extra=""
    [[ $mode == http ]] && extra=$'    option redispatch\n    retries 2'
    cat >"$CFG" <<EOT
global
    stats socket $SL_SOCK mode 600 level admin
frontend web
    bind *:8080
    mode $mode
    timeout client 30s
    default_backend app
backend app
    mode $mode
    timeout connect 2s
    timeout server 30s
$extra
    server be1 $SL_BE1_IP:5080 check inter $INTER fall $FALL rise 2
    server be2 $SL_BE2_IP:5080 check inter $INTER fall $FALL rise 2
EOT
    sl_dataplane_cfg af_xdp >>"$CFG"
    sl_sluiced_start "$CFG" >/dev/null
    sleep 3
    sl_in sl-cli wrk -t1 -c32 -d10s -H "Connection: close" "http://$SL_VIP:8080/" >"$SL_RUN_DIR/wrk.txt" 2>&1 &
    local wpid=$! t0 i st
    sleep 3
    sl_backend_stop be1
    t0=$(date +%s%N)
    for i in $(seq 100); do
        st=$(sl_ctl raw show stat | awk -F, '$1 == "app" && $2 == "be1" {print $18}')
        [[ $st == DOWN ]] && break
        sleep 0.05
    done
    echo "mode $mode: be1 DOWN $(( ($(date +%s%N) - t0) / 1000000 )) ms after its nginx stopped (inter $INTER ms, fall $FALL)"
    wait "$wpid"
    grep -E "requests in|Socket errors|Non-2xx|Requests/sec" "$SL_RUN_DIR/wrk.txt"
    [[ $mode == http ]] && sl_ctl show counters | grep -E "http_connect_retries|http_redispatched|http_50[234]"
    sl_sluiced_stop >/dev/null
    sl_backend_start sl-be1 be1 >/dev/null
}
# The reference: HAProxy with the same backend (mode http, retries 2, option redispatch, same
# checks) on a kernel address of lb0, the same wrk load, the same death.
run_haproxy() {
    local hcfg=$SL_RUN_DIR/haproxy.cfg t0 i st
    cat >"$hcfg" <<EOT
global
    nbthread 1
    stats socket $SL_RUN_DIR/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend web
    bind *:8080
    default_backend app
backend app
    option redispatch
    retries 2
    server be1 $SL_BE1_IP:5080 check inter $INTER fall $FALL rise 2
    server be2 $SL_BE2_IP:5080 check inter $INTER fall $FALL rise 2
EOT
    sl_lb_kernel_addr
    sl_haproxy_start "$hcfg" >/dev/null
    sleep 3
    sl_in sl-cli wrk -t1 -c32 -d10s -H "Connection: close" "http://$SL_VIP:8080/" >"$SL_RUN_DIR/wrk.txt" 2>&1 &
    local wpid=$!
    sleep 3
    sl_backend_stop be1
    t0=$(date +%s%N)
    for i in $(seq 100); do
        st=$("$SL_CTL" -s "$SL_RUN_DIR/haproxy.sock" raw show stat | awk -F, '$1 == "app" && $2 == "be1" {print $18}')
        [[ $st == DOWN ]] && break
        sleep 0.05
    done
    echo "HAProxy mode http: be1 DOWN $(( ($(date +%s%N) - t0) / 1000000 )) ms after its nginx stopped"
    wait "$wpid"
    grep -E "requests in|Socket errors|Non-2xx|Requests/sec" "$SL_RUN_DIR/wrk.txt"
    sl_haproxy_stop >/dev/null
    sl_lb_kernel_flush
    sl_backend_start sl-be1 be1 >/dev/null
}
run tcp
run http
run_haproxy
