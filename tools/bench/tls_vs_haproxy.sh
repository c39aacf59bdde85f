#!/usr/bin/env bash
# TLS termination, sluice vs HAProxy (nbthread 1, or $SL_NBTHREAD) in one run of the test network: full
# handshakes per second with an ECDSA P-256 and an RSA-2048 certificate (openssl s_time -new,
# TLS 1.3, X25519), resumed handshakes (s_time -reuse), HTTPS keep-alive requests (wrk), each
# SL_SECONDS (default 8). Per-core figures divide by the proxy's own CPU time (HAProxy's
# user+system, sluice's busy time), because s_time, wrk and nginx share the 2 vCPUs.
# The crypto bound per core comes from `openssl speed` on the same machine: a full TLS 1.3
# handshake costs the server one signature plus an X25519 key generation and derivation.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$top/tests/e2e/lib/deps.sh"
source "$top/tests/e2e/lib/net.sh"
source "$top/tests/e2e/lib/sluiced.sh"
SECS=${SL_SECONDS:-8}
# SL_NBTHREAD=2 SL_LB_QUEUES=2: HAProxy on two threads against sluice forwarding on both cores
NBT=${SL_NBTHREAD:-1}
trap 'sl_sluiced_stop >/dev/null 2>&1; sl_haproxy_stop >/dev/null 2>&1; sl_net_down >/dev/null 2>&1' EXIT
sl_net_up >/dev/null
sl_backend_start sl-be1 be1 >/dev/null
sl_backend_start sl-be2 be2 >/dev/null
C=$SL_RUN_DIR/certs
mkdir -p "$C"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/ec.key" \
    -subj /CN=bench.example -days 2 -out "$C/ec.crt" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/rsa.key" -subj /CN=bench.example \
    -days 2 -out "$C/rsa.crt" 2>/dev/null
cat "$C/ec.crt" "$C/ec.key" >"$C/ec.pem"
cat "$C/rsa.crt" "$C/rsa.key" >"$C/rsa.pem"

common="
defaults
    mode http
    option http-server-close
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend https_ec
    bind *:8443 ssl crt $C/ec.pem
    default_backend web
frontend https_rsa
    bind *:8444 ssl crt $C/rsa.pem
    default_backend web
backend web
    server be1 $SL_BE1_IP:5080
    server be2 $SL_BE2_IP:5080
"
stime() { # stime PORT -new|-reuse -> connections/s
    sl_in sl-cli openssl s_time -connect "$SL_VIP:$1" "$2" -time "$SECS" 2>/dev/null |
        awk '/connections in .* real seconds/ {for (i = 1; i <= NF; i++) if ($i == "connections") {print $(i-1); exit}}' |
        awk -v s="$SECS" '{printf "%.0f", $1 / s}'
}
wrk_tls() {
    sl_in sl-cli wrk -t1 -c32 -d"${SECS}s" "https://$SL_VIP:8443/" 2>/dev/null |
        awk '/Requests\/sec/ {printf "%.0f", $2}'
}
cpu_ms_pid() { awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
busy_ms() { sl_ctl show lcores | awk '$2 ~ /proxy/ {s += $10} END {print s + 0}'; }
measure() { # measure CPUFN -> "ec_full ec_cpu rsa_full rsa_cpu resumed res_cpu https https_cpu"
    local a b r=()
    for t in "8443 -new" "8444 -new" "8443 -reuse"; do
        a=$($1); v=$(stime $t); b=$($1); r+=("${v:-0}" $((b - a)))
    done
    a=$($1); v=$(wrk_tls); b=$($1); r+=("${v:-0}" $((b - a)))
    echo "${r[*]}"
}

hcfg=$SL_RUN_DIR/haproxy.cfg
printf 'global\n    nbthread %s\n    maxconn 4000\n    tune.ssl.default-dh-param 2048\n%s' "$NBT" "$common" >"$hcfg"
sl_lb_kernel_addr
sl_haproxy_start "$hcfg" >/dev/null
hpid=$(pgrep -n -f "haproxy -db -f $hcfg")
hcpu() { cpu_ms_pid "$hpid"; }
read -r hef hec hrf hrc hres hresc hka hkac < <(measure hcpu)
sl_haproxy_stop >/dev/null
sl_lb_kernel_flush

scfg=$SL_RUN_DIR/sluice.cfg
{ printf 'global\n    maxconn 4000\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"; echo "$common"; sl_dataplane_cfg af_xdp; } >"$scfg"
sl_sluiced_start "$scfg" >/dev/null
read -r sef sec srf src sres sresc ska skac < <(measure busy_ms)
sl_sluiced_stop >/dev/null

py() { /usr/bin/python3 -c "$1"; }
pc() { py "n,ms,s=float('$1'),float('$2'),$SECS;print('%.0f' % (n*s/(ms/1000.0)) if ms > 0 else 'n/a')"; }
ratio() { py "a,b='$1','$2';print('%.2f' % (float(a)/float(b)) if b not in ('0','n/a') and a not in ('n/a',) and float(b) else 'n/a')"; }
row() { printf '%-46s %10s %10s %8s\n' "$1" "$2" "$3" "$(ratio "$3" "$2")"; }
printf '%-46s %10s %10s %8s\n' "TLS 1.3 (X25519), 1 proxy core" "HAProxy" "sluice" "ratio"
row "full handshakes/s, ECDSA P-256 (whole box)" "$hef" "$sef"
row "  per proxy CPU second" "$(pc "$hef" "$hec")" "$(pc "$sef" "$sec")"
row "full handshakes/s, RSA-2048 (whole box)" "$hrf" "$srf"
row "  per proxy CPU second" "$(pc "$hrf" "$hrc")" "$(pc "$srf" "$src")"
row "resumed handshakes/s, ECDSA (whole box)" "$hres" "$sres"
row "  per proxy CPU second" "$(pc "$hres" "$hresc")" "$(pc "$sres" "$sresc")"
row "HTTPS keep-alive requests/s, 32 conns" "$hka" "$ska"
row "  per proxy CPU second" "$(pc "$hka" "$hkac")" "$(pc "$ska" "$skac")"

# the crypto bound of one core
sp=$(openssl speed -seconds 2 ecdsap256 rsa2048 ecdhx25519 2>/dev/null)
ecs=$(awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1)}' <<<"$sp")
rsas=$(awk '/^rsa 2048 bits/ {print $(NF-1)}' <<<"$sp")
x=$(awk '/253 bits ecdh \(X25519\)/ {print $NF}' <<<"$sp")
echo "openssl speed, one core: ECDSA P-256 sign ${ecs}/s, RSA-2048 sign ${rsas}/s, X25519 ${x} ops/s"
py "e,r,x=float('$ecs'),float('$rsas'),float('$x')
be=1/(1/e+2/x); br=1/(1/r+2/x)
print('crypto bound per core: ECDSA %.0f, RSA %.0f full handshakes/s' % (be, br))
for n,v,b in (('ECDSA','$(pc "$sef" "$sec")',be),('RSA','$(pc "$srf" "$src")',br)):
    print('sluice %s per proxy CPU second: %s = %s of the bound' % (n, v, ('%.0f%%' % (100*float(v)/b)) if v!='n/a' else 'n/a'))"
