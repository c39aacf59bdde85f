#!/usr/bin/env bash
# Instructions per packet on the L4 path, counted by callgrind (repeatable on a noisy machine):
# two runs of bench_l4 that differ only in the number of established packets; the difference
# of the instructions spent inside the receive path (sl_rx_burst(), sl_worker_rx() before issue
# 15's layout: either name, so that compare.sh counts both revisions alike) divided by the
# difference of packets.
# Also the new-flow (SYN) cost: the same with a different number of flows.
#   bash tools/bench/l4_instructions.sh [BUILD [bench_l4|bench_l4_nocount]]
set -euo pipefail
# shellcheck source=tools/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
b=${1:-build}/${2:-bench_l4}   # bench_l4_nocount: the same without per-packet counting
prefix=sl-cg-$$
sl_bench_eal "$prefix" 512
trap 'sl_bench_eal_clean "$prefix"' EXIT
ir() { sl_bench_ir sl_worker_rx,sl_rx_burst "$b" "${SL_EAL[@]}" -- -f "$1" -n "$2"; } # ir FLOWS PACKETS
a=$(ir 1000 32000); c=$(ir 1000 96000); d=$(ir 3000 32000)
echo "established packet: $(( (c - a) / 64000 )) instructions (1000 flows)"
echo "new flow (SYN):     $(( (d - a) / 2000 )) instructions"
