# shellcheck shell=bash
# tests/e2e/lib/e2e.sh — the opening every e2e script that runs sluiced shares:
#
#   HERE=$(cd "$(dirname "$0")" && pwd)
#   source "$HERE/lib/e2e.sh" SECONDS "$0" "$@"   # then: trap 'sl_e2e_finish [CMD...]' EXIT
#
# bounds the script's run time (re-runs it under timeout(1), once), loads the harness (check,
# deps, net, sluiced), refuses to run as a user and installs the packages it needs unless
# SL_E2E_NO_INSTALL=1.
source "$HERE/lib/check.sh"
sl_under_timeout "$@"
source "$HERE/lib/deps.sh"
source "$HERE/lib/net.sh"
source "$HERE/lib/sluiced.sh"
[[ $(id -u) -eq 0 ]] || { echo "needs root" >&2; exit 1; }
[[ "${SL_E2E_NO_INSTALL:-0}" == 1 ]] || sl_e2e_install_deps >/dev/null || { bad "install deps"; exit 1; }
