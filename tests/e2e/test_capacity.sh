#!/usr/bin/env bash
# tests/e2e/test_capacity.sh — the seed's configuration (global maxconn 2000, http_lb on :80 to two
# servers) with 1000 concurrent keep-alive clients (wrk -c 1000), first through HAProxy 2.6 on the
# balancer's kernel, then through sluiced: every request answered (no socket error, no non-2xx)
# through both. sluice's proxy lcores size their TCP stacks and HTTP sessions from global maxconn
# (they used to hold 256 connections, client and server sides together: half of the requests or
# more were refused at this load). `show tcp` and `show pools` report the sizes.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 240 "$0" "$@"
trap 'sl_e2e_finish sl_haproxy_stop' EXIT

CONNS=${SL_CAPACITY_CONNS:-1000}
check "net up" sl_net_up || exit 1
check "backend be1" sl_backend_start sl-be1 be1
check "backend be2" sl_backend_start sl-be2 be2

seed() {
    sed -e "s/172.30.0.42/$SL_BE1_IP/; s/172.30.0.48/$SL_BE2_IP/" \
        "$SL_REPO/tests/fixtures/seed/seed-common.cfg"
    sed -e "s/172.17.0.2/$SL_BE1_IP/; s/172.17.0.3/$SL_BE2_IP/" \
        "$SL_REPO/tests/fixtures/seed/seed-hls.cfg"
}

# wrk_run -> "requests errors non2xx" of a 6 s run with CONNS connections
wrk_run() {
    local out req err n2
    out=$(sl_in sl-cli wrk -t 2 -c "$CONNS" -d 6s --timeout 5s "http://$SL_VIP/" 2>&1)
    req=$(awk '/requests in/ {print $1}' <<<"$out")
    err=$(awk -F'[ ,]+' '/Socket errors/ {print $5 + $7 + $9 + $11}' <<<"$out")
    n2=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    echo "$out" >>"$SL_RUN_DIR/wrk.log"
    echo "${req:-0} ${err:-0} ${n2:-0}"
}

# ---------------------------------------------------------------- HAProxy, the reference
seed >"$SL_RUN_DIR/haproxy.cfg"
sl_lb_kernel_addr
check "HAProxy starts with the seed's configuration" sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"
read -r req err n2 < <(wrk_run)
echo "    HAProxy: $req requests, $err socket errors, $n2 non-2xx"
check "HAProxy: $CONNS concurrent clients, requests answered ($req)" test "${req:-0}" -gt 1000
expect_eq "HAProxy: no socket error" "$err" 0
expect_eq "HAProxy: no non-2xx answer" "$n2" 0
sl_haproxy_stop
sl_lb_kernel_flush

# ---------------------------------------------------------------- sluice
CFG=$SL_RUN_DIR/sluice.cfg
{
    seed
    printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    sl_dataplane_cfg af_xdp
} >"$CFG"
check "sluiced starts with the seed's configuration" sl_sluiced_start "$CFG" || exit 1
for i in $(seq 40); do
    [[ $(sl_ctl raw show stat | awk -F, '$1=="backend_http" && $2=="ams2" {print $18}') == UP* ]] && break
    sleep 0.25
done
read -r req err n2 < <(wrk_run)
echo "    sluice: $req requests, $err socket errors, $n2 non-2xx"
[[ ${err:-0} != 0 ]] && tail -n 12 "$SL_RUN_DIR/wrk.log" | grep -E "Socket errors|Non-2xx" | sed 's/^/    wrk: /'
[[ ${err:-0} != 0 ]] && sl_ctl show drops | sed 's/^/    /' 
check "sluice: $CONNS concurrent clients, requests answered ($req)" test "${req:-0}" -gt 1000
expect_eq "sluice: no socket error" "$err" 0
expect_eq "sluice: no non-2xx answer" "$n2" 0
expect_eq "sluice: no client refused for want of a session" "$(sl_ctr http_refused_no_session)" 0
tcp=$(sl_ctl show tcp)
echo "$tcp" | sed 's/^/    /' | cut -c1-160
conns=$(awk '{for (i = 1; i < NF; i++) if ($i == "conns") {split($(i + 1), a, "/"); print a[2]; exit}}' <<<"$tcp")
nprox=$(sl_ctl show lcores | awk '!/^#/ && $2 ~ /proxy/' | wc -l)
share=$((2000 / (nprox > 0 ? nprox : 1)))
check "show tcp: each of the $nprox stacks holds at least 2 x its share of global maxconn (2000 / $nprox = $share): $conns" \
    test "${conns:-0}" -ge $((2 * share))
pools=$(sl_ctl show pools)
check "show pools: the HTTP sessions of a proxy lcore are its share of global maxconn" \
    grep -qE "http_sessions: used [0-9]+ free [0-9]+" <<<"$pools"
