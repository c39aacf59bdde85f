#!/usr/bin/env bash
# What main's work costs the packets of a queue served on main's CPU (issue 16): sluiced on
# SL_CORES (default `0-1`: the two-core default, main beside a worker on CPU 0 and a worker on
# CPU 1; `0` with SL_LB_QUEUES=1: one core, main is also the worker and the proxy lcore), lb0
# with SL_LB_QUEUES queues (default 2). A client pings the VIP every 2 ms (answered by the
# worker's ICMP path), first with main idle, then while main reloads a configuration of
# SL_SERVERS servers (default 1000) SL_RELOADS times (default 10) back to back. Prints, per try,
# the lcore that answered and the echo round trips (median, 99th percentile, max) and the echoes
# lost, for both phases (the second: the echoes sent while the reloads ran).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$top/tests/e2e/lib/deps.sh"
source "$top/tests/e2e/lib/net.sh"
source "$top/tests/e2e/lib/sluiced.sh"
N=${SL_SERVERS:-1000}
RELOADS=${SL_RELOADS:-10}
export SL_CORES=${SL_CORES:-0-1}
trap 'sl_sluiced_stop >/dev/null 2>&1; sl_net_down >/dev/null 2>&1' EXIT
sl_net_up >/dev/null

write_cfg() { # write_cfg WEIGHT-OF-s1
    {
        printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
        printf 'frontend app_in\n    mode tcp\n    bind :9000\n    timeout client 30s\n    default_backend app\n'
        printf 'backend app\n    mode tcp\n    timeout connect 2s\n    timeout server 30s\n'
        for i in $(seq "$N"); do
            printf '    server s%d 10.78.%d.%d:80 weight %d\n' "$i" $((i / 250)) $((i % 250 + 1)) \
                $((i == 1 ? $1 : 1))
        done
        sl_dataplane_cfg af_xdp
    } >"$SL_RUN_DIR/lat.cfg"
}

# rtts FILE [FROM TO] -> "median | p99 | max | lost of sent" of a `ping -D` log, only the echoes
# sent between the epoch times FROM and TO (seconds) when given
rtts() {
    awk -v from="${2:-0}" -v to="${3:-1e12}" '
        /icmp_seq=/ {
            t = substr($1, 2, length($1) - 2) + 0
            if (t < from || t > to) next
            match($0, /icmp_seq=[0-9]+/); seq = substr($0, RSTART + 9, RLENGTH - 9)
            match($0, /time=[0-9.]+/); print seq, substr($0, RSTART + 5, RLENGTH - 5)
        }' "$1" >"$SL_RUN_DIR/rtt"
    local sent
    sent=$(sort -n "$SL_RUN_DIR/rtt" | awk 'NR == 1 {lo = $1} {hi = $1} END {print hi - lo + 1}')
    sort -n -k2 "$SL_RUN_DIR/rtt" | awk -v sent="$sent" '{v[NR] = $2} END {
        printf "%.3f ms | %.3f ms | %.3f ms | %d of %d", v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.5)], v[NR], sent - NR, sent}'
}

write_cfg 1
sl_sluiced_start "$SL_RUN_DIR/lat.cfg" >/dev/null
roles=$(sl_ctl show lcores | awk '!/^#/ {printf "%s=%s@cpu%s ", $1, $2, $13}')
sl_in sl-cli ping -c 3 -W 1 -q "$SL_VIP" >/dev/null || true
echo "lcores: $roles"
printf '| try | the lcore that answered (its CPUs) | main | echo RTT median | 99th percentile | max | lost |\n|---|---|---|---|---|---|---|\n'

# rx_packets per lcore: "ID COUNT" lines
rx_by_lcore() { sl_ctl show lcores | awk '!/^#/ {print $1, $3, $13}' | sort -k1,1; } # join wants them sorted as text

# One ping process per try (one ICMP id: the peer's hash keeps its echoes on one queue of lb0,
# so one worker answers them all; which one, rx_packets tells): 3000 echoes every 2 ms, the
# first 1.5 s with main idle, then main reloads a configuration of N servers RELOADS times back
# to back; only the echoes sent while they ran are counted for that phase. SL_TRIES tries
# (default 1; with several queues, more tries reach more workers).
for try in $(seq "${SL_TRIES:-1}"); do
    rx_by_lcore >"$SL_RUN_DIR/rx0"
    t_start=$(date +%s.%N)
    sl_in sl-cli ping -D -i 0.002 -c 3000 -W 1 "$SL_VIP" >"$SL_RUN_DIR/ping.log" 2>&1 &
    pid=$!
    sleep 2
    t0=$(date +%s.%N)
    for k in $(seq "$RELOADS"); do
        write_cfg $((k + 1))
        sl_ctl reload | grep -q "reload applied" || echo "reload $k not applied" >&2
    done
    t1=$(date +%s.%N)
    ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", (b - a) * 1000}')
    wait "$pid" 2>/dev/null || true
    rx_by_lcore >"$SL_RUN_DIR/rx1"
    who=$(join "$SL_RUN_DIR/rx0" "$SL_RUN_DIR/rx1" | awk '{d = $4 - $2; if (d > best) {best = d; w = $1 " (" $3 ")"}} END {print w}')
    t_idle=$(awk -v a="$t_start" 'BEGIN {printf "%.3f", a + 0.3}')
    t_idle_end=$(awk -v a="$t0" 'BEGIN {printf "%.3f", a - 0.1}')
    printf '| %d | %s | idle | %s |\n' "$try" "$who" "$(rtts "$SL_RUN_DIR/ping.log" "$t_idle" "$t_idle_end")"
    printf '| %d | %s | reloading %d servers, %d times (%d ms) | %s |\n' "$try" "$who" "$N" "$RELOADS" "$ms" \
        "$(rtts "$SL_RUN_DIR/ping.log" "$t0" "$t1")"
    write_cfg 1
    sl_ctl reload >/dev/null
done
