#!/usr/bin/env bash
# Instructions per proxied request of bench_http, counted by callgrind (repeatable on a noisy
# machine): two runs that differ only in the number of requests (16 keep-alive connections);
# the difference of the instructions spent in the three TCP stacks and the HTTP engine
# (sl_tcp_input, sl_tcp_advance and the engine's tick, sl_loop_roles() since issue 15's layout,
# sl_httpx_tick() before, and all they call: client, proxy and server) divided by the difference
# of requests.
#   bash tools/bench/http_instructions.sh [BUILD]
set -euo pipefail
# shellcheck source=tools/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
b=${1:-build}/bench_http
ir() { sl_bench_ir sl_tcp_input,sl_tcp_advance,sl_httpx_tick,sl_loop_roles "$b" "$1" 16; }
a=$(ir 2000); c=$(ir 6000)
echo "proxied request: $(( (c - a) / 4000 )) instructions (client, proxy and server stacks and the engine)"
