#!/usr/bin/env bash
# The test command: installs what the tests need (Debian 12, as root), builds sluice, and runs
# every suite. Exits non-zero when anything fails.
#
#   bash tools/test.sh            everything: unit (with every benchmark's --smoke run),
#                                 sanitizer unit, fuzz (bounded), e2e
#   SL_TEST_ONLY="unit asan" bash tools/test.sh   a subset (unit, asan, fuzz, e2e)
#   SL_FUZZ_SECONDS=40            length of the configuration fuzzing run (default 40); the
#                                 HTTP/1 target (parsers, cookies, built heads) runs half as long,
#                                 the DNS answer reader and the TCP stack's segment input a
#                                 quarter, the stats socket's command line and PROXY headers an
#                                 eighth
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=tools/deps.sh
. tools/deps.sh

only=${SL_TEST_ONLY:-"unit asan fuzz e2e"}
fuzz_seconds=${SL_FUZZ_SECONDS:-40}
# The scripts run a second time on four lcores with a queue per worker (below): lb0 and lb1 get
# three queues, each an AF_XDP socket of sluice's, flows spread over them by the veth peer's hash.
# (test_reload and test_stats run on two workers in the first e2e step and again under
# ASan+UBSan: not a third time here, to keep the suite under 25 minutes.)
multi_scripts="tests/e2e/test_http.sh tests/e2e/test_tls.sh tests/e2e/test_l4.sh tests/e2e/test_l4_pool.sh tests/e2e/test_tcp.sh tests/e2e/test_checks.sh tests/e2e/test_two_arm.sh tests/e2e/test_xdp.sh"
# Scripts that exist for the multi-lcore step only (they set their own cores and queues): run
# there, not in the first e2e step. test_af_packet.sh: an af_packet port of three queues (qpairs).
multi_only="tests/e2e/test_af_packet.sh"
passed=0
failed=0
failures=()

want() { [[ " $only " == *" $1 "* ]]; }

# Runs one named step; counts it.
step() {
	local name=$1
	shift
	echo
	echo "=== $name"
	local t0=$SECONDS
	if "$@"; then
		echo "=== $name: ok ($((SECONDS - t0)) s)"
		passed=$((passed + 1))
	else
		echo "=== $name: FAILED ($((SECONDS - t0)) s)"
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

# meson test, counting each test program as a pass or a failure.
meson_tests() {
	local dir=$1
	shift
	local out
	out=$(meson test -C "$dir" --print-errorlogs "$@" 2>&1)
	local rc=$?
	echo "$out" | tail -n 40
	local ok fail
	ok=$(echo "$out" | awk '/^Ok:/ {print $2}')
	fail=$(echo "$out" | awk '/^Fail:/ {print $2}')
	echo "meson: ${ok:-0} ok, ${fail:-0} failed"
	return $rc
}

setup() {
	local dir=$1
	shift
	if [ -d "$dir" ] && [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		rm -rf "$dir"
		meson setup "$dir" "$@" >/dev/null
	fi
}

build_main() { setup build && ninja -C build; }
build_asan() { setup build-asan -Db_sanitize=address,undefined -Db_lundef=false && ninja -C build-asan; }
build_fuzz() {
	CC=clang setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false &&
		ninja -C build-fuzz tests/fuzz_cfg tests/fuzz_http1 tests/fuzz_dns tests/fuzz_tcp tests/fuzz_cli \
			tests/fuzz_proxy_proto
}

run_fuzz() { # run_fuzz TARGET SECONDS: tests/fuzz/corpus/TARGET seeds build-fuzz/tests/fuzz_TARGET
	local corpus
	corpus=$(mktemp -d)
	cp "tests/fuzz/corpus/$1"/* "$corpus"/
	# -max_total_time bounds it; any crash, leak or sanitizer report exits non-zero.
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"./build-fuzz/tests/fuzz_$1" -max_total_time="$2" -max_len=4096 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>&1 | tail -n 25
	local rc=${PIPESTATUS[0]}
	rm -rf "$corpus"
	return "$rc"
}

# Every fuzz target, two at a time (one per CPU): the configuration parser (SL_FUZZ_SECONDS) in
# the background while the others run in turn in about as long: the HTTP/1 parsers, cookies and
# heads (half as long), the DNS answer reader and the TCP stack's segment input (a quarter
# each), the stats socket's command line and the PROXY header parser (an eighth each).
fuzz_all() {
	local rc=0 log pid t name secs
	log=$(mktemp)
	run_fuzz cfg "$fuzz_seconds" >"$log" 2>&1 &
	pid=$!
	for t in "http1 $((fuzz_seconds / 2))" "dns $((fuzz_seconds / 4))" "tcp $((fuzz_seconds / 4))" \
		"cli $((fuzz_seconds / 8))" "proxy_proto $((fuzz_seconds / 8))"; do
		read -r name secs <<<"$t"
		echo "--- fuzz_$name (${secs}s)"
		if ! run_fuzz "$name" "$secs"; then
			echo "--- fuzz_$name: FAILED"
			rc=1
		fi
	done
	echo "--- fuzz_cfg (${fuzz_seconds}s)"
	if ! wait "$pid"; then
		echo "--- fuzz_cfg: FAILED"
		rc=1
	fi
	cat "$log"
	rm -f "$log"
	return $rc
}

run_e2e() { # run_e2e [SCRIPT...]: the given scripts, or every tests/e2e/test_*.sh
	local rc=0 t scripts=("$@")
	local all=0
	[ ${#scripts[@]} -gt 0 ] || { scripts=(tests/e2e/test_*.sh); all=1; }
	for t in "${scripts[@]}"; do
		[ -e "$t" ] || continue
		[[ $all == 1 && " $multi_only " == *" $t "* ]] && continue
		echo "--- $t"
		local t0=$SECONDS
		if ! timeout 900 bash "$t"; then
			echo "--- $t: FAILED ($((SECONDS - t0)) s)"
			rc=1
		else
			echo "--- $t: ok ($((SECONDS - t0)) s)"
		fi
	done
	return $rc
}

# The reload, stats and multi-lcore scripts again with sluiced built with ASan+UBSan: the
# configuration lifetimes of a live reload (retired, followed, freed), the stats paths, and what
# crosses lcores (pages rendered by main, queries, certificates and server TLS contexts handed
# over) under the sanitizers.
# Any report makes sluiced stop (abort / halt_on_error) or is found in its log afterwards.
run_e2e_asan() {
	local rc=0 t log=/tmp/sluice-e2e/logs/sluiced.log
	[ -x build-asan/sluiced ] || build_asan || return 1
	for t in tests/e2e/test_reload.sh tests/e2e/test_stats.sh tests/e2e/test_multicore.sh \
		tests/e2e/test_server_tls.sh; do
		echo "--- $t (sluiced with ASan+UBSan)"
		local t0=$SECONDS
		if ! SL_BUILD=$PWD/build-asan SL_E2E_NO_INSTALL=1 \
			ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 timeout 900 bash "$t"; then
			echo "--- $t: FAILED"
			rc=1
		fi
		if grep -E "ERROR: AddressSanitizer|runtime error" "$log"; then
			echo "--- $t: sanitizer report in $log"
			rc=1
		fi
		echo "--- $t: done ($((SECONDS - t0)) s)"
	done
	return $rc
}

step "install packages" sl_install_deps "$(want e2e && echo all || echo build)" || true
if want unit; then
	step "build" build_main
	step "unit tests" meson_tests build --suite unit
	# calls go one way: no cycle, no upward include, pure modules free of DPDK
	step "module graph" python3 tools/modgraph.py
	# every build/bench_* with --smoke (tools/bench/smoke.sh): they run, no figure asserted
	step "benchmarks (smoke)" bash tools/bench/smoke.sh build
fi
if want asan; then
	step "build (ASan+UBSan)" build_asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		step "unit tests (ASan+UBSan)" meson_tests build-asan --suite unit
fi
if want fuzz; then
	step "build (fuzz)" build_fuzz
	step "fuzz: config parser (${fuzz_seconds}s) beside HTTP/1, DNS, TCP, CLI, PROXY in turn" fuzz_all
fi
if want e2e; then
	[ -d build ] || step "build" build_main
	# Every script on the two-core default: `cores 0-1` is main beside a worker on CPU 0 and a
	# worker on CPU 1 (`control shared`), lb0 with a queue for each (tests/e2e/lib/net.sh);
	# test_multicore checks that layout, then runs below on four lcores.
	SL_CORES_MULTI=0-1 SL_MULTI_WORKERS=2 step "e2e tests (two workers, main beside one)" run_e2e
	# The scripts whose paths cross lcores again with main and three worker+proxy lcores on the
	# machine's two CPUs (`cores 0-3 on 0-1`, tests/e2e/lib/sluiced.sh), each worker with its
	# own queue of lb0 (and lb1): flows spread over queues, connections over proxy lcores,
	# frames steered between them, checks and pages from every lcore.
	SL_CORES="0-3 on 0-1" SL_LB_QUEUES=3 step "e2e on four lcores and three queues over two CPUs" run_e2e $multi_scripts $multi_only
	want asan && step "e2e under ASan+UBSan (reload, stats, multicore, server TLS)" run_e2e_asan
fi

echo
if [ "$failed" -gt 0 ]; then
	echo "failed steps: ${failures[*]}"
fi
[ -d build/e2e-artifacts ] && echo "artifacts (the stats page's screenshot and DOM): build/e2e-artifacts/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
