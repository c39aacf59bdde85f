# shellcheck shell=bash
# tests/e2e/lib/deps.sh — install what the e2e harness needs (Debian 12).
#
#   source tests/e2e/lib/deps.sh
#   sl_e2e_install_deps          # no-op when everything is already installed
#
# Installs only from the Debian apt repositories. Package services (nginx,
# haproxy) are NOT started by the install: the harness runs its own instances
# with private configs inside network namespaces.

# Debian package names the harness uses.
SL_E2E_DEB_PKGS=(
    iproute2        # ip, ip netns, bridge
    ethtool         # offloads off on veths
    nginx-light     # backend HTTP server (bookworm: nginx-light 1.22)
    libnginx-mod-rtmp # RTMP ingest + HLS output module for nginx
    haproxy         # reference balancer
    curl
    wrk
    ffmpeg          # RTMP publisher (libx264 + aac built in)
    iperf3
    python3-scapy
    arping
    iputils-ping
    tcpdump
    procps          # pkill/pgrep/ps (used only with explicit pids)
    psmisc          # fuser
    dpdk            # dpdk-testpmd, AF_XDP / AF_PACKET PMDs
    nftables        # random loss on a link (this kernel has no netem)
    openssl         # test certificates, s_client
    sslscan         # TLS protocol and cipher scan
    tmux            # a terminal for sluicectl top
    chromium        # headless browser: the stats page rendered (test_page_browser.sh)
)

# Print the packages from SL_E2E_DEB_PKGS that are not installed.
sl_e2e_missing_deps() {
    local p st
    for p in "${SL_E2E_DEB_PKGS[@]}"; do
        st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ "$st" == "install ok installed" ]] || echo "$p"
    done
}

sl_e2e_install_deps() {
    local missing
    missing=$(sl_e2e_missing_deps | tr '\n' ' ')
    if [[ -z "${missing// /}" ]]; then
        echo "sl_e2e_install_deps: all packages present"
        return 0
    fi
    echo "sl_e2e_install_deps: installing: $missing"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! timeout 900 $sudo apt-get install -y -q --no-install-recommends $missing; then
        timeout 300 $sudo apt-get update -q || return 1
        # shellcheck disable=SC2086
        timeout 900 $sudo apt-get install -y -q --no-install-recommends $missing || return 1
    fi
    # Where an init system is present the packages may have started their
    # default services; the harness does not want them (port 80 etc.).
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
        $sudo systemctl disable --now nginx haproxy >/dev/null 2>&1 || true
    fi
    missing=$(sl_e2e_missing_deps | tr '\n' ' ')
    if [[ -n "${missing// /}" ]]; then
        echo "sl_e2e_install_deps: still missing: $missing" >&2
        return 1
    fi
}
