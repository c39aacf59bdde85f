#!/usr/bin/env bash
# Smoke run of every benchmark, so that none can rot unnoticed (tools/bench/bench_smoke.h says
# what --smoke promises): each executable BUILD/bench_* runs with --smoke, one after the other,
# under a timeout. The list is that glob and nothing else: a benchmark meson.build builds is run
# without being named anywhere, so every new bench_* must offer --smoke too.
#
#   bash tools/bench/smoke.sh [BUILD]        (default: build; the test command runs it)
#   SL_SMOKE_TIMEOUT=30                      seconds one benchmark may take (default 30;
#                                            a smoke run takes well under 2 s here)
#
# Exits 1 naming every benchmark that failed (non-zero exit, crash, timeout), or when BUILD has
# no benchmark at all. No figure is printed or compared: the machines are shared.
set -uo pipefail

build=${1:-build}
limit=${SL_SMOKE_TIMEOUT:-30}

# shellcheck source=tools/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# EAL runtime directories of smoke runs that died before their exit handler removed them
# (prefix sl-bench-PID, tools/bench/bench_dp.h): only those whose process is gone.
rm_stale_runtime_dirs() {
	local d pid
	for d in /var/run/dpdk/sl-bench-* "${XDG_RUNTIME_DIR:-/tmp}"/dpdk/sl-bench-*; do
		pid=${d##*/sl-bench-}
		[[ -d $d && $pid =~ ^[0-9]+$ ]] || continue
		kill -0 "$pid" 2>/dev/null || sl_bench_eal_clean "sl-bench-$pid"
	done
}

ran=0
failed=()
for b in "$build"/bench_*; do
	if [ ! -f "$b" ] || [ ! -x "$b" ]; then
		continue # meson's bench_X.p/ object directories
	fi
	name=${b##*/}
	ran=$((ran + 1))
	t0=$(date +%s%N)
	timeout --kill-after=5 "$limit" "$b" --smoke
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	rm_stale_runtime_dirs
	if [ "$rc" -eq 0 ]; then
		echo "ok      $name --smoke ($ms ms)"
		continue
	fi
	case $rc in
	124 | 137) why="timed out after $limit s" ;;
	*) why="exit $rc$([ "$rc" -gt 128 ] && echo " (signal $(kill -l $((rc - 128)) 2>/dev/null))")" ;;
	esac
	echo "FAILED  $name --smoke: $why ($ms ms)"
	failed+=("$name")
done

if [ "$ran" -eq 0 ]; then
	echo "FAILED  no benchmark ($build/bench_*): was it built?"
	exit 1
fi
if [ "${#failed[@]}" -gt 0 ]; then
	echo "benchmarks (smoke): ${#failed[@]} of $ran FAILED: ${failed[*]}"
	exit 1
fi
echo "benchmarks (smoke): all $ran ran"
