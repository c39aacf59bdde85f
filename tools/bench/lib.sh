# shellcheck shell=bash
# What the benchmark scripts share (sourced by l4_instructions.sh, http_instructions.sh,
# compare.sh, smoke.sh): EAL arguments for an in-process benchmark, the cleanup of its runtime
# directory, and callgrind's instruction counts.

# sl_bench_eal PREFIX MB: sets the array SL_EAL to the EAL arguments of an in-process benchmark
# (bench_l4, bench_worker): plain memory of MB megabytes, net_null0, lcore 0, no telemetry, and
# the file prefix PREFIX, so that it meets neither a running sluiced (prefix sluicePID) nor
# another benchmark. Remove what EAL leaves behind with sl_bench_eal_clean PREFIX.
sl_bench_eal() {
	# shellcheck disable=SC2034 # used by the scripts that source this file
	SL_EAL=(--no-huge -m "$2" --no-pci --vdev=net_null0 -l 0 --file-prefix="$1" --no-telemetry
		--log-level=warning)
}

# sl_bench_eal_clean PREFIX: removes the runtime directory of PREFIX (config, fbarrays), which
# EAL keeps after exit with --no-huge: /var/run/dpdk for root, else XDG_RUNTIME_DIR or /tmp.
sl_bench_eal_clean() {
	rm -rf "/var/run/dpdk/$1" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$1"
}

# sl_bench_ir FUNCTIONS CMD...: the instructions executed inside FUNCTIONS (comma-separated,
# with everything they call) while CMD runs, counted by callgrind: repeatable on a noisy
# machine where cycles are not. Prints one number; fails when CMD fails. Take the difference of
# two runs that differ only in the amount of work to leave start-up and set-up out.
sl_bench_ir() {
	local toggles=() funcs fn out rc=0
	IFS=, read -ra funcs <<<"$1"
	shift
	for fn in "${funcs[@]}"; do
		toggles+=(--toggle-collect="$fn")
	done
	out=$(mktemp /tmp/sl_cg.XXXXXX)
	valgrind --tool=callgrind --callgrind-out-file="$out" "${toggles[@]}" "$@" >/dev/null 2>&1 ||
		rc=$?
	[ "$rc" -eq 0 ] && callgrind_annotate "$out" 2>/dev/null |
		awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
	rm -f "$out"
	[ "$rc" -eq 0 ] || echo "sl_bench_ir: $* failed under valgrind (exit $rc)" >&2
	return "$rc"
}
