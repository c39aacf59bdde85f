#!/usr/bin/env bash
# Instructions per packet on the L4 path, counted by callgrind (repeatable on a noisy machine):
# two runs of bench_l4 that differ only in the number of established packets; the difference
# of the instructions spent inside sl_worker_rx() divided by the difference of packets.
# Also the new-flow (SYN) cost: the same with a different number of flows.
set -euo pipefail
b=${1:-build}/${2:-bench_l4}   # bench_l4_nocount: the same without per-packet counting
eal=(--no-huge -m 512 --no-pci --vdev=net_null0 -l 0 --log-level=warning)
ir() { # ir FLOWS PACKETS
	valgrind --tool=callgrind --callgrind-out-file=/tmp/sl_cg.$$ --toggle-collect=sl_worker_rx \
		"$b" "${eal[@]}" -- -f "$1" -n "$2" >/dev/null 2>&1
	callgrind_annotate /tmp/sl_cg.$$ 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
	rm -f /tmp/sl_cg.$$
}
a=$(ir 1000 32000); c=$(ir 1000 96000); d=$(ir 3000 32000)
echo "established packet: $(( (c - a) / 64000 )) instructions (1000 flows)"
echo "new flow (SYN):     $(( (d - a) / 2000 )) instructions"
