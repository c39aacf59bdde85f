#!/usr/bin/env bash
# Backend death under load (issue: health checks): wrk (Connection: close, 32 connections)
# through a mode tcp frontend to two nginx backends; after 3 s one backend's nginx is stopped.
# Prints how long until sluice marks it DOWN, and wrk's error counts for the run: connections
# that reached the dead server before it was taken out of rotation fail (L4 has no retry).
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
cat >"$CFG" <<EOT
global
    stats socket $SL_SOCK mode 600 level admin
frontend web
    bind *:8080
    mode tcp
    timeout client 30s
    default_backend app
backend app
    mode tcp
    timeout connect 2s
    timeout server 30s
    server be1 $SL_BE1_IP:5080 check inter $INTER fall $FALL rise 2
    server be2 $SL_BE2_IP:5080 check inter $INTER fall $FALL rise 2
EOT
sl_dataplane_cfg af_xdp >>"$CFG"
sl_sluiced_start "$CFG" >/dev/null
sleep 3
sl_in sl-cli wrk -t1 -c32 -d10s -H "Connection: close" "http://$SL_VIP:8080/" >"$SL_RUN_DIR/wrk.txt" 2>&1 &
wpid=$!
sleep 3
sl_backend_stop be1
t0=$(date +%s%N)
for i in $(seq 100); do
    st=$(sl_ctl raw show stat | awk -F, '$1 == "app" && $2 == "be1" {print $18}')
    [[ $st == DOWN ]] && break
    sleep 0.05
done
echo "be1 DOWN $(( ($(date +%s%N) - t0) / 1000000 )) ms after its nginx stopped (inter $INTER ms, fall $FALL)"
wait "$wpid"
grep -E "requests in|Socket errors|Non-2xx|Requests/sec" "$SL_RUN_DIR/wrk.txt"
