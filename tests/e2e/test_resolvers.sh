#!/usr/bin/env bash
# tests/e2e/test_resolvers.sh — run-time DNS (`resolvers` sections) against a small DNS server
# (lib/dns_server.py) on the balancer namespace's loopback, whose answers the test rewrites,
# HAProxy 2.6 first and sluiced then on the same configuration (servers start with `init-addr
# none`: every address comes from the resolvers):
#  - the first answers take the servers out of maintenance: HTTP and L4 traffic reach be1;
#  - `app` moves to be2: within `hold valid`, HTTP and L4 traffic reach be2, without a reload;
#  - `gone` answers NXDOMAIN: after `hold nx` its server is in maintenance (503), and when the
#    name comes back, the server does too;
#  - sluice only: the name server stops answering: the address holds for `hold timeout`, then
#    the server is in maintenance; `show resolvers` counts what happened (HAProxy's counters).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib/e2e.sh" 300 "$0" "$@"
trap 'sl_e2e_finish' EXIT

check "net up" sl_net_up || exit 1
check "web servers on be1 and be2" sl_named_web 5080

ZONE=$SL_RUN_DIR/zone
COUNTS=$SL_RUN_DIR/dns-counts
zone() { printf '%s\n' "$@" >"$ZONE.tmp" && mv "$ZONE.tmp" "$ZONE"; }
zone "app A $SL_BE1_IP" "gone A $SL_BE1_IP"
sl_bg sl-lb dns python3 "$HERE/lib/dns_server.py" 127.0.0.1 5353 "$ZONE" "$COUNTS" >/dev/null
sleep 0.5

# make_cfg haproxy|sluice — the same proxies; sluice also gets its socket and dataplane.
make_cfg() {
    if [[ $1 == sluice ]]; then
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
    else
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_RUN_DIR/haproxy.sock"
    fi
    cat <<EOT
resolvers dns
    nameserver local 127.0.0.1:5353
    resolve_retries 2
    timeout resolve 200ms
    timeout retry 300ms
    hold valid 1s
    hold nx 2s
    hold timeout 3s

defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    default-server init-addr none resolvers dns resolve-prefer ipv4

frontend app
    mode http
    bind :80
    default_backend app_be

frontend gone
    mode http
    bind :81
    default_backend gone_be

frontend l4
    mode tcp
    bind :8081
    default_backend l4_be

backend app_be
    mode http
    server app app:5080

backend gone_be
    mode http
    server gone gone:5080

backend l4_be
    mode tcp
    server app app:5080
EOT
    [[ $1 == sluice ]] && sl_dataplane_cfg af_xdp
}
make_cfg haproxy >"$SL_RUN_DIR/haproxy.cfg"
make_cfg sluice >"$SL_RUN_DIR/sluice.cfg"

get() { sl_in sl-cli curl -s --max-time 2 "http://$SL_VIP:$1/"; }
code() { sl_in sl-cli curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://$SL_VIP:$1/"; }
# until_eq SECONDS WANT CMD... — runs CMD every 0.2 s until it prints WANT or SECONDS have
# passed; prints the last output
until_eq() {
    local end=$((SECONDS + $1)) want=$2 out=""
    shift 2
    while :; do
        out=$("$@")
        [[ $out == "$want" || $SECONDS -ge $end ]] && break
        sleep 0.2
    done
    echo "$out"
}

# run_steps NAME — the steps both balancers go through; outcomes into answers-NAME.txt
run_steps() {
    local n=$1
    zone "app A $SL_BE1_IP" "gone A $SL_BE1_IP"
    {
        echo "start: app $(until_eq 10 'backend be1' get 80)"
        echo "start: l4 $(until_eq 10 'backend be1' get 8081)"
        echo "start: gone $(until_eq 10 'backend be1' get 81)"
        zone "app A $SL_BE2_IP" "gone A $SL_BE1_IP"
        echo "moved: app $(until_eq 10 'backend be2' get 80)"
        echo "moved: l4 $(until_eq 10 'backend be2' get 8081)"
        zone "app A $SL_BE2_IP" "gone NX"
        echo "nx: gone right away $(code 81)"
        echo "nx: gone after hold nx $(until_eq 10 503 code 81)"
        zone "app A $SL_BE2_IP" "gone A $SL_BE2_IP"
        echo "back: gone $(until_eq 10 'backend be2' get 81)"
        echo "still: app $(get 80)"
    } >"$SL_RUN_DIR/answers-$n.txt"
    sed "s/^/  $n: /" "$SL_RUN_DIR/answers-$n.txt"
}

# ---------------------------------------------------------------- HAProxy 2.6
sl_lb_kernel_addr
if sl_haproxy_start "$SL_RUN_DIR/haproxy.cfg"; then
    ok "haproxy starts"
    run_steps haproxy
else
    bad "haproxy starts"
fi
sl_haproxy_stop
sl_lb_kernel_flush

# ---------------------------------------------------------------- sluiced
out=$(sl_in sl-lb "$SL_SLUICED" -c -f "$SL_RUN_DIR/sluice.cfg" 2>&1)
check "sluiced -c: valid" grep -q "^Configuration file is valid" <<<"$out"
check "  no warning on the resolvers' lines" bash -c "! grep -v 'share' <<<\"\$1\" | grep -q warning" _ "$out"
check "sluiced starts" sl_sluiced_start "$SL_RUN_DIR/sluice.cfg" || exit 1
LOG=$SL_RUN_DIR/logs/sluiced.log
run_steps sluice
sl_answers_match "sluice's outcomes are HAProxy's, step by step"
expect_eq "nx: right away, the last valid answer holds" "$(sed -n 's/^nx: gone right away //p' "$SL_RUN_DIR/answers-sluice.txt")" "200"
check "no reload: the changes came from DNS updates" grep -q "DNS update applied" "$LOG"
check "  the report names the address change" grep -q "server app_be/app address $SL_BE1_IP:5080 -> $SL_BE2_IP:5080" "$LOG"
check "no SIGHUP reload happened" bash -c "! grep -q 'SIGHUP' '$LOG'"

# ---------------------------------------------------------------- the name server goes silent
zone "app DROP" "gone A $SL_BE2_IP"
sleep 1
expect_eq "timeouts: the address holds during hold timeout" "$(get 80)" "backend be2"
expect_eq "  then the server is in maintenance (503)" "$(until_eq 10 503 code 80)" "503"
expect_eq "  and the L4 frontend's server too (connection refused or reset)" "$(sl_in sl-cli curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://$SL_VIP:8081/")" "000"
zone "app A $SL_BE1_IP" "gone A $SL_BE2_IP"
expect_eq "answers again: back to be1" "$(until_eq 10 'backend be1' get 80)" "backend be1"

out=$(sl_ctl show resolvers)
echo "$out" | sed 's/^/  | /'
field() { awk -v f="$1:" '$1 == f { print $2; exit }' <<<"$out"; }
check "show resolvers: the section and its name server" grep -q "^Resolvers section dns" <<<"$out"
check "  nameserver local" grep -q "^ nameserver local:" <<<"$out"
for f in sent valid update nx timeout; do
    v=$(field "$f")
    check "  $f counted ($v)" test "${v:-0}" -gt 0
done
expect_eq "  invalid: none" "$(field invalid)" "0"
check "  names with their status" grep -q "^ name app: valid $SL_BE1_IP" <<<"$out"
check "sluiced is still running" sl_ctl show info
