#!/usr/bin/env bash
# Benchmark of the dataplane foundation (ARP/ICMP path) in the e2e test network:
#  1. idle CPU: sluiced's CPU time (utime+stime from /proc) over SL_IDLE_SECONDS of no traffic,
#     with the default adaptive back-off and with `idle poll`;
#  2. cycles per packet on the ICMP echo path: busy TSC cycles of the worker (show lcores)
#     divided by packets, under a ping flood from the client namespace.
# Figures are printed; docs/performance.md records them with the machine they came from.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$top/tests/e2e/lib/deps.sh"
source "$top/tests/e2e/lib/net.sh"
source "$top/tests/e2e/lib/sluiced.sh"
IDLE=${SL_IDLE_SECONDS:-10}
PINGS=${SL_PINGS:-20000}

trap 'sl_sluiced_stop >/dev/null 2>&1; sl_net_down' EXIT
sl_net_up >/dev/null
CFG=$SL_RUN_DIR/bench.cfg

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_idle() {
    local idle_policy=$1 pid t0 t1 hz
    { printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"; sl_dataplane_cfg af_xdp
      echo "    idle $idle_policy"; } >"$CFG"
    sl_sluiced_start "$CFG" >/dev/null
    pid=$(pgrep -f "$SL_SLUICED -f $CFG" | head -1)
    sleep 2
    hz=$(getconf CLK_TCK)
    t0=$(cpu_ticks "$pid"); sleep "$IDLE"; t1=$(cpu_ticks "$pid")
    awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$IDLE" -v p="$idle_policy" \
        'BEGIN { printf "idle %-9s: %.2f%% of one core (%d ticks in %d s, 2 lcores)\n", p, 100 * d / hz / s, d, s }'
}

run_idle adaptive
sl_sluiced_stop
run_idle poll
sl_sluiced_stop

# ICMP echo path under a flood
{ printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"; sl_dataplane_cfg af_xdp
  echo "    idle poll"; } >"$CFG"
sl_sluiced_start "$CFG" >/dev/null
sl_in sl-cli ping -c 3 -q "$SL_VIP" >/dev/null
before=$(sl_ctl show lcores | awk '$2 ~ /worker/ {print $3, $4, $9}')
start=$(date +%s.%N)
sl_in sl-cli ping -f -c "$PINGS" -q "$SL_VIP" | tail -2
end=$(date +%s.%N)
after=$(sl_ctl show lcores | awk '$2 ~ /worker/ {print $3, $4, $9}')
read -r rx0 tx0 cyc0 <<<"$before"
read -r rx1 tx1 cyc1 <<<"$after"
awk -v rx=$((rx1 - rx0)) -v tx=$((tx1 - tx0)) -v cyc=$((cyc1 - cyc0)) -v t="$(echo "$end - $start" | bc)" \
    'BEGIN { printf "icmp echo: %d packets in, %d out in %.2f s; worker busy cycles per received packet: %.0f (rx burst + classify + reply + tx burst)\n", rx, tx, t, cyc / rx }'
