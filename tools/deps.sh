#!/usr/bin/env bash
# Debian 12 packages that sluice needs, by purpose. Sourced by tools/test.sh and tools/demo.sh;
# `bash tools/deps.sh [build|test|e2e|all]` installs a set directly.
#
# Each list is installed only when something in it is missing, so repeated runs cost nothing.

SL_PKGS_BUILD=(build-essential pkg-config meson ninja-build clang libclang-rt-14-dev
	dpdk dpdk-dev libdpdk-dev libssl-dev libbpf-dev libxdp-dev libpcre2-dev
	libcunit1-dev libnuma-dev libpcap-dev libelf-dev zlib1g-dev)
# the e2e harness keeps its own list (tests/e2e/lib/deps.sh); the tools add a few
# shellcheck source=tests/e2e/lib/deps.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/e2e/lib/deps.sh"
SL_PKGS_E2E=("${SL_E2E_DEB_PKGS[@]}" python3 openssl valgrind bc systemd groff-base)

sl_apt_install() {
	local missing=()
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "error: packages missing (${missing[*]}) and not root: run as root or install them" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || return 1
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

sl_install_deps() {
	case "${1:-all}" in
	build) sl_apt_install "${SL_PKGS_BUILD[@]}" ;;
	e2e) sl_apt_install "${SL_PKGS_E2E[@]}" ;;
	test | all) sl_apt_install "${SL_PKGS_BUILD[@]}" "${SL_PKGS_E2E[@]}" ;;
	*) echo "unknown set: $1" >&2; return 2 ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	sl_install_deps "${1:-all}"
fi
