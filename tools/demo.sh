#!/usr/bin/env bash
# The main job, as a demo: installs what sluice needs, builds it, brings up a test cluster in
# network namespaces (a client, the balancer host, two nginx-rtmp backends, a bridge), starts
# sluiced on the balancer's interface through AF_XDP with the Ant Media guide's haproxy.cfg plus a
# dataplane section, pushes real traffic at it and shows where to look.
#
#   bash tools/demo.sh            (as root, Debian 12)
#   SL_DEMO_KEEP=1 bash tools/demo.sh   leave the cluster running (tear down: bash tools/demo.sh down)
#
# Everything lives in namespaces sl-*; addresses 10.77.0.0/24 exist only inside them.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
. tools/deps.sh
. tests/e2e/lib/net.sh
. tests/e2e/lib/sluiced.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

if [[ "${1:-}" == down ]]; then
	sl_sluiced_stop || true
	sl_net_down
	exit 0
fi
[[ $(id -u) -eq 0 ]] || { echo "run as root (network namespaces, AF_XDP)" >&2; exit 1; }

say "Installing packages and building"
sl_install_deps all
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "built: $(./build/sluiced -v)"

say "The Ant Media guide's HAProxy configuration, read as it is (sluiced -c)"
seed=tests/fixtures/seed
run ./build/sluiced -c -f "$seed/seed-common.cfg" -f "$seed/seed-hls.cfg" -f "$seed/dataplane.cfg" || true

say "A broken configuration is refused with file, line and keyword"
bad=$(mktemp --suffix=.cfg)
printf 'frontend web\n    bnd *:80\n    default_backend nowhere\n' >"$bad"
run ./build/sluiced -c -f "$bad" || true
rm -f "$bad"

say "Test cluster: namespaces sl-cli, sl-lb, sl-be1, sl-be2 on a bridge"
if [[ "${SL_DEMO_KEEP:-0}" != 1 ]]; then
	trap 'sl_sluiced_stop >/dev/null 2>&1 || true; sl_net_down' EXIT
fi
sl_net_up
sl_backend_start sl-be1 be1
sl_backend_start sl-be2 be2

CFG=$SL_RUN_DIR/sluice.cfg
{
	# the seed as it is, its RTMP servers pointed at the test backends
	sed -e "s/172.30.0.42/$SL_BE1_IP/; s/172.30.0.48/$SL_BE2_IP/" "$seed/seed-common.cfg"
	sed -e "s/172.17.0.2/$SL_BE1_IP/; s/172.17.0.3/$SL_BE2_IP/" "$seed/seed-hls.cfg"
	printf 'global\n    stats socket %s mode 600 level admin\n' "$SL_SOCK"
	sl_dataplane_cfg af_xdp
} >"$CFG"
say "Starting sluiced on lb0 (AF_XDP with sluice's XDP program): $CFG"
sl_sluiced_start "$CFG"
grep -E "^sluiced:" "$SL_RUN_DIR/logs/sluiced.log" || true

say "Traffic: ARP and ping from the client to the VIP $SL_VIP"
run ip netns exec sl-cli arping -c 2 -I "$SL_CLI_IF" "$SL_VIP"
run ip netns exec sl-cli ping -c 5 -i 0.2 "$SL_VIP"
say "A burst of malformed frames (scapy): counted by reason, nothing else harmed"
ip netns exec sl-cli /usr/bin/python3 - "$SL_CLI_IF" "$SL_LB_MAC" "$SL_VIP" <<'PY'
import sys
from scapy.all import Ether, IP, TCP, ICMP, sendp
iface, dst, vip = sys.argv[1:4]
e = Ether(dst=dst, type=0x0800)
sendp([e / IP(dst=vip, chksum=0x1234) / ICMP(), e / IP(dst=vip) / TCP(dport=80, flags="SF"),
       e / IP(dst=vip, proto=99)] * 10, iface=iface, verbose=False)
print("sent 30 malformed frames")
PY
run ip netns exec sl-cli ping -c 3 -i 0.2 -q "$SL_VIP"

say "The kernel keeps an address of its own on the same interface (sluice's XDP program passes its frames)"
ip -n "$SL_NS_LB" addr replace 10.77.0.5/24 dev "$SL_LB_IF"
run ip netns exec sl-cli ping -c 3 -i 0.2 -q 10.77.0.5
echo '$ ./build/sluicectl -s '"$SL_SOCK"' show drops | grep xdp_'
./build/sluicectl -s "$SL_SOCK" show drops | grep '^xdp_' || true

say "RTMP through the VIP: ffmpeg publishes two streams, each lands on one backend (L4 full NAT)"
for st in demo1 demo2; do
	sl_bg sl-cli "ffmpeg-$st" ffmpeg -nostdin -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=25 \
		-t 12 -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -f flv "rtmp://$SL_VIP/live/$st" >/dev/null
done
sleep 6
for st in demo1 demo2; do
	for b in be1 be2; do
		[[ -f $SL_RUN_DIR/be/$b/hls/$st.m3u8 ]] && echo "stream $st -> HLS on $b ($SL_RUN_DIR/be/$b/hls/$st.m3u8)"
	done
done

say "The seed's stats page, served on the VIP by sluice's own TCP stack (listen stats, :6080)"
run ip netns exec sl-cli curl -s -o /dev/null -w '%{http_code} without credentials\n' "http://$SL_VIP:6080/haproxy_stats"
run ip netns exec sl-cli curl -s -o /dev/null -w '%{http_code} with Username:Password, %{size_download} bytes of HTML\n' \
	-u Username:Password "http://$SL_VIP:6080/haproxy_stats"
echo '$ ip netns exec sl-cli curl -s -u Username:Password "http://'"$SL_VIP"':6080/haproxy_stats;csv" | cut -d, -f1,2,18,37 | head'
ip netns exec sl-cli curl -s -u Username:Password "http://$SL_VIP:6080/haproxy_stats;csv" | cut -d, -f1,2,18,37 | head

say "HTTP through the seed's http_lb (:5080), proxied by sluice: HLS sticks to a backend by cookie"
echo '$ curl -s -D - -o /dev/null http://'"$SL_VIP"':5080/vod/demo.m3u8   (first request: which cookie?)'
jar=$(ip netns exec sl-cli curl -s -D - -o /dev/null "http://$SL_VIP:5080/vod/demo.m3u8" |
	tr -d '\r' | awk -F': ' 'tolower($1) == "set-cookie" {split($2, a, ";"); print a[1]}')
echo "set-cookie: $jar   (the backend's JSESSIONID, prefixed by sluice with the server's cookie)"
echo '$ 10 requests with that cookie, then 10 without: which backend answered (x-backend)'
for c in "$jar" ""; do
	for i in $(seq 10); do
		ip netns exec sl-cli curl -s -D - -o /dev/null ${c:+-H "Cookie: $c"} "http://$SL_VIP:5080/vod/seg$i.ts" |
			tr -d '\r' | awk -F': ' 'tolower($1) == "x-backend" {printf "%s ", $2}'
	done
	if [[ -n $c ]]; then echo "  <- with the cookie"; else echo "  <- without the cookie"; fi
done
run ./build/sluicectl -s "$SL_SOCK" show http

say "Where to look: the stats socket ($SL_SOCK) through sluicectl"
run ./build/sluicectl -s "$SL_SOCK" show info
run ./build/sluicectl -s "$SL_SOCK" show lcores
run ./build/sluicectl -s "$SL_SOCK" show neigh
run ./build/sluicectl -s "$SL_SOCK" show l4
echo '$ ./build/sluicectl -s '"$SL_SOCK"' show drops   (non-zero lines)'
./build/sluicectl -s "$SL_SOCK" show drops | grep -v ': 0$' || true
run ./build/sluicectl -s "$SL_SOCK" show stat

cat <<EOT

What works today: the configuration language, the dataplane (AF_XDP with sluice's own XDP
program, af_packet, PCI ports, ARP, ICMP, counters, stats socket), the L4 path (RTMP and every
mode tcp frontend, full NAT with Maglev, health checks), sluice's own TCP stack with the stats
page and the HTTP/1.1 proxy (routing, cookie persistence, header edits, WebSocket, HAProxy's
answers), TLS termination, live reconfiguration (kill -HUP / sluicectl reload), and the
operator's views (sluicectl top, the page's live charts, Prometheus, DPDK telemetry).

Try it yourself (as root), while the cluster is up (SL_DEMO_KEEP=1):
  ip netns exec sl-cli ping $SL_VIP
  ip netns exec sl-cli ffmpeg -re -f lavfi -i testsrc -t 30 -c:v libx264 -f flv rtmp://$SL_VIP/live/mine
  ./build/sluicectl -s $SL_SOCK show stat
  ./build/sluicectl -s $SL_SOCK top
  ip netns exec sl-cli curl -u Username:Password http://$SL_VIP:6080/haproxy_stats
  ip netns exec sl-cli curl -v http://$SL_VIP:5080/vod/index.m3u8
  ./build/sluicectl -s $SL_SOCK disable server backend_rtmp/ams1
  ./build/sluicectl -s $SL_SOCK            (no command: help)
  logs: $SL_RUN_DIR/logs/
EOT
if [[ "${SL_DEMO_KEEP:-0}" == 1 ]]; then
	echo "The cluster stays up (SL_DEMO_KEEP=1). Tear it down with: bash tools/demo.sh down"
fi
