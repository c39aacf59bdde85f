#!/usr/bin/env bash
# tests/e2e/test_setup.sh — tools/sluice-setup against fake roots (tests/setup/), the systemd unit
# (systemd-analyze verify when available), the man pages, and `meson install --destdir`.
# Needs no root and touches nothing on the machine: every sysfs/proc/etc path is under a temporary
# --root, and modprobe, mount, ip and dpdk-devbind.py are recording fakes first in PATH.
#
#   bash tests/e2e/test_setup.sh            SL_SETUP_NO_INSTALL_TEST=1: skip the meson install check
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
source "$HERE/lib/check.sh"
sl_under_timeout 300 "$0" "$@"
source "$TOP/tests/setup/fakeroot.sh"
source "$TOP/tests/setup/cases.sh"
unset SSH_CONNECTION
trap 'fr_cleanup' EXIT
sl_setup_cases
sl_summary
