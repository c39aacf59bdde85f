#!/usr/bin/env bash
# Before/after on one machine in one run: builds two git revisions in temporary worktrees and
# measures both with this tree's scripts, alternating A, B, A, B... so that the drift of a
# shared machine falls on both alike:
#   - bench_l4 (new flow and established packet at 1k, 100k and 1M flows, TSC cycles per
#     packet) and bench_http (requests/s of its three stacks on one core, TSC cycles per request
#     in the proxy alone), ROUNDS times each: per figure the median of A and of B, the spread of
#     each ((max - min) / median: the noise) and the ratio B/A;
#   - instructions per packet and per request, counted by callgrind (l4_instructions.sh,
#     http_instructions.sh), once per revision: instructions are repeatable, cycles are not.
#
#   bash tools/bench/compare.sh REV_A REV_B [ROUNDS]     (as root; ROUNDS default 5)
#
# The revisions only need meson targets named bench_l4 and bench_http (the tree before the
# layout of issue 15 has them). A revision whose HTTP engine reads its lcore's configuration
# (7d09518 on) but whose bench_http does not set it (it crashes at its first request) gets that
# one line added to its copy at build time, and the output says so. Worktrees, builds and logs
# live in a temporary directory removed at the end, on failure and on Ctrl-C too. Building
# takes a few minutes per revision (ninja -j2); the measurements 2-3 minutes at 5 rounds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tools/bench/lib.sh
. "$here/lib.sh"

usage() {
	echo "usage: bash tools/bench/compare.sh REV_A REV_B [ROUNDS]" >&2
	exit 2
}
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	usage
fi
rounds=${3:-5}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage
declare -A rev name
for side in a b; do
	arg=$([ "$side" = a ] && echo "$1" || echo "$2")
	rev[$side]=$(git -C "$top" rev-parse --verify --quiet "$arg^{commit}") ||
		{ echo "compare: $arg is not a revision of $top" >&2; exit 2; }
	name[$side]="$(echo "$side" | tr ab AB) ($(git -C "$top" rev-parse --short "${rev[$side]}"))"
done

tmp=$(mktemp -d /tmp/sl-compare.XXXXXX)
prefix=sl-cmp-$$
sl_bench_eal "$prefix" 1536
cleanup() {
	set +e
	# only our two worktrees: `git worktree prune` would touch every worktree of the repository
	for side in a b; do
		[ -d "$tmp/$side" ] && git -C "$top" worktree remove --force "$tmp/$side" >/dev/null 2>&1
	done
	rm -rf "$tmp"
	sl_bench_eal_clean "$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The line bench_http lacked after the engine began to read lc->cfg (fixed in tools/bench by
# "bench_http runs again"): added to a revision that needs it. Prints what it did.
fix_bench_http() { # fix_bench_http TREE
	local f=$1/tools/bench/bench_http.c
	[ -f "$f" ] || { echo "compare: no tools/bench/bench_http.c in $1" >&2; return 1; }
	grep -q 'lc\.cfg = ' "$f" && return 0
	grep -rqs --include='*.c' 'lc->cfg' "$1/dataplane" || return 0
	sed -i 's/^\tlc\.dp = &dp;$/&\n\tlc.cfg = cfg; \/* added by compare.sh *\//' "$f"
	if ! grep -q 'added by compare.sh' "$f"; then
		echo "compare: bench_http of $1 needs lc.cfg set and the patch did not apply" >&2
		return 1
	fi
	echo "bench_http.c patched at build time: 'lc.cfg = cfg;' after 'lc.dp = &dp;' (its engine reads its lcore's configuration, which this revision's benchmark left NULL)"
}

notes=()
for side in a b; do
	echo "compare: building ${name[$side]} in $tmp/$side" >&2
	git -C "$top" worktree add --detach -q "$tmp/$side" "${rev[$side]}"
	note=$(fix_bench_http "$tmp/$side")
	[ -z "$note" ] || notes+=("${name[$side]}: $note")
	log=$tmp/$side.build.log
	if ! (cd "$tmp/$side" && meson setup build && ninja -C build -j2 bench_l4 bench_http) \
		>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "compare: building ${name[$side]} failed" >&2
		exit 1
	fi
done

# Figures in the order they first appear; values in $tmp/fig/INDEX.SIDE, one per round.
figs=()
declare -A fig_index
mkdir "$tmp/fig"
record() { # record SIDE FIGURE VALUE
	[[ $3 =~ ^[0-9.]+$ ]] || { echo "compare: no value for '$2' of ${name[$1]}" >&2; return 1; }
	if [ -z "${fig_index[$2]+set}" ]; then
		fig_index[$2]=${#figs[@]}
		figs+=("$2")
	fi
	echo "$3" >>"$tmp/fig/${fig_index[$2]}.$1"
}

measure() { # measure SIDE: one run of each benchmark
	local b=$tmp/$1/build out=$tmp/out flows syn est
	if ! "$b/bench_l4" "${SL_EAL[@]}" >"$out" 2>&1; then
		cat "$out" >&2
		echo "compare: bench_l4 of ${name[$1]} failed" >&2
		return 1
	fi
	sl_bench_eal_clean "$prefix"
	[ "$(grep -c 'cycles/packet, established' "$out")" -eq 3 ] ||
		{ cat "$out" >&2; echo "compare: bench_l4 printed no 3 flow counts" >&2; return 1; }
	while read -r flows syn est; do
		record "$1" "bench_l4 $flows flows: new flow (SYN), cycles/packet" "$syn"
		record "$1" "bench_l4 $flows flows: established, cycles/packet" "$est"
	done < <(sed -nE 's/^ *([0-9]+) flows .*\(SYN\) *([0-9.]+) cycles\/packet, established *([0-9.]+) cycles\/packet.*/\1 \2 \3/p' "$out")
	if ! "$b/bench_http" 200000 16 >"$out" 2>&1; then
		cat "$out" >&2
		echo "compare: bench_http of ${name[$1]} failed" >&2
		return 1
	fi
	record "$1" "bench_http: requests/s (3 stacks, one core)" \
		"$(sed -nE 's/.*: ([0-9]+) req\/s.*/\1/p' "$out")"
	record "$1" "bench_http: proxy alone, cycles/request" \
		"$(sed -nE 's/^proxy alone: ([0-9]+) TSC cycles per request.*/\1/p' "$out")"
}

for r in $(seq "$rounds"); do
	echo "compare: round $r of $rounds" >&2
	measure a
	measure b
done

stat() { # stat FILE: median, min, max of its numbers
	sort -n "$1" | awk '{v[NR] = $1} END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", m, v[1], v[NR]
	}'
}

echo "sluice before/after: $(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname), $(nproc) CPUs" \
	"($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), kernel $(uname -r)"
for side in a b; do
	echo "  ${name[$side]}: $(git -C "$top" log -1 --format=%s "${rev[$side]}" | cut -c1-90)"
done
for n in "${notes[@]}"; do
	echo "  note: $n"
done
echo "  $rounds rounds, A and B alternately; median, and spread = (max - min) / median"
printf '\n%-52s %12s %7s %12s %7s %7s\n' "figure" "A" "spread" "B" "spread" "B/A"
for i in "${!figs[@]}"; do
	read -r ma mina maxa < <(stat "$tmp/fig/$i.a")
	read -r mb minb maxb < <(stat "$tmp/fig/$i.b")
	awk -v f="${figs[$i]}" -v ma="$ma" -v mb="$mb" -v sa="$mina $maxa" -v sb="$minb $maxb" 'BEGIN {
		split(sa, a, " "); split(sb, b, " ")
		printf "%-52s %12.1f %6.1f%% %12.1f %6.1f%% %7.3f\n", f, ma, 100 * (a[2] - a[1]) / ma,
			mb, 100 * (b[2] - b[1]) / mb, mb / ma
	}'
done
# instructions last: the cycles above are printed even if callgrind fails
echo "compare: callgrind (instructions)" >&2
for side in a b; do
	if ! {
		bash "$here/l4_instructions.sh" "$tmp/$side/build" bench_l4
		bash "$here/http_instructions.sh" "$tmp/$side/build"
	} >"$tmp/$side.ir"; then
		echo "compare: callgrind of ${name[$side]} failed" >&2
		exit 1
	fi
done
printf '\n%-52s %12s %7s %12s %7s %7s\n' "instructions (callgrind)" "A" "" "B" "" "B/A"
paste -d'|' <(sed -nE 's/^([^:]+): *([0-9]+) instructions.*/\1|\2/p' "$tmp/a.ir") \
	<(sed -nE 's/^([^:]+): *([0-9]+) instructions.*/\2/p' "$tmp/b.ir") |
	awk -F'|' '{printf "%-52s %12d %7s %12d %7s %7.3f\n", $1, $2, "", $3, "", $3 / $2}'
