# shellcheck shell=bash
# tests/e2e/lib/check.sh — the bookkeeping every e2e test script shares: a bound on its run
# time, pass/fail counting, and the closing "N passed, N failed" line.
#
#   source "$HERE/lib/check.sh"
#   sl_under_timeout 300 "$0" "$@"     # re-runs the script under timeout(1), once
#   check "what" cmd args...           # runs cmd, counts ok/FAIL
#   expect_eq "what" "$got" "$want"
#   sl_summary                         # prints the line; false when something failed

PASS=0
FAIL=0

sl_under_timeout() {
    local secs=$1 script=$2
    shift 2
    if [[ -z "${SL_E2E_UNDER_TIMEOUT:-}" ]]; then
        export SL_E2E_UNDER_TIMEOUT=1
        exec timeout -k 15 "${SL_E2E_TIMEOUT:-$secs}" bash "$script" "$@"
    fi
}

ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() {
    local d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
expect_eq() { if [[ "$2" == "$3" ]]; then ok "$1 ($2)"; else bad "$1: got '$2', want '$3'"; fi; }

sl_summary() {
    echo "$PASS passed, $FAIL failed"
    (( FAIL == 0 ))
}
