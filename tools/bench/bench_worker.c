/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process benchmark of the worker's receive path: prebuilt frames are fed to sl_rx_burst()
 * in bursts of 32, replies go to a null PMD (net_null, which frees them). No NIC, no kernel on
 * the path, so the figure is sluice's own cost per packet.
 *
 *   bench_worker EAL-ARGS -- [-n PACKETS]      (as root: DPDK wants to lock memory)
 *   bench_worker --smoke      (4 096 packets per case, no figure)
 *
 * Prints TSC cycles per packet for each kind of frame. Preparing the frames (mbuf alloc + copy
 * of the template) happens outside the timed section and is shown apart; the timed section
 * includes freeing them (transmission to net_null, or the drop). A run fails (exit 1) unless
 * each frame was counted as its kind and every reply left through the port.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/core/dp.h"
#include "tools/bench/bench_dp.h"
#include "tools/bench/bench_routes.h"
#include "dataplane/core/tx.h"
#include "dataplane/loop/rx.h"
#include "dataplane/core/lcore.h"
#include "proto/arp.h"
#include "proto/csum.h"
#include "proto/eth.h"
#include "proto/icmp.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

#define VIP 0x0a4d0001u
#define CLIENT 0x0a4d000au

static const uint8_t cli_mac[6] = {0x02, 0x77, 0, 0, 0, 0x10};

struct tmpl {
	const char *name;
	uint8_t b[128];
	uint16_t len;
};

static void build_templates(struct tmpl *t, const uint8_t *port_mac)
{
	/* ARP request for the VIP */
	t[0].name = "arp request -> reply";
	size_t n = sl_eth_build(t[0].b, 14, (const uint8_t[6]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
				cli_mac, SL_ETH_P_ARP);
	n += sl_arp_build(t[0].b + n, 28, SL_ARP_OP_REQUEST, cli_mac, CLIENT,
			  (const uint8_t[6]){0}, VIP);
	t[0].len = (uint16_t)n;
	/* ICMP echo request, 56 bytes of data like ping */
	t[1].name = "icmp echo -> reply";
	n = sl_eth_build(t[1].b, 14, port_mac, cli_mac, SL_ETH_P_IPV4);
	uint8_t *ip = t[1].b + n;
	sl_ipv4_build(ip, 0, 20 + 8 + 56, 1, true, 64, SL_IPPROTO_ICMP, CLIENT, VIP);
	uint8_t *ic = ip + 20;
	memset(ic, 0, 64);
	ic[0] = SL_ICMP_ECHO_REQUEST;
	ic[4] = 0x12;
	ic[6] = 0x01;
	for (int i = 8; i < 64; i++)
		ic[i] = (uint8_t)i;
	uint16_t c = sl_csum(ic, 64);
	memcpy(ic + 2, &c, 2);
	t[1].len = (uint16_t)(n + 20 + 64);
	/* a frame with a bad IPv4 checksum: parse + count + free */
	t[2] = t[1];
	t[2].name = "bad ipv4 checksum -> drop";
	t[2].b[14 + 10] ^= 0x55;
	/* TCP SYN to a port with no service: parse + count + free */
	t[3].name = "tcp syn, no service -> rst";
	n = sl_eth_build(t[3].b, 14, port_mac, cli_mac, SL_ETH_P_IPV4);
	ip = t[3].b + n;
	sl_ipv4_build(ip, 0, 40, 1, true, 64, SL_IPPROTO_TCP, CLIENT, VIP);
	uint8_t *th = ip + 20;
	memset(th, 0, 20);
	th[0] = 0x9c;
	th[1] = 0x40;
	th[2] = 0x1f;
	th[3] = 0x90;
	th[12] = 5 << 4;
	th[13] = SL_TCP_SYN;
	th[14] = 0xff;
	sl_tcp4_set_csum(th, 20, CLIENT, VIP);
	t[3].len = (uint16_t)(n + 40);
}

static int fill(struct rte_mempool *pool, struct rte_mbuf **m, const struct tmpl *t)
{
	if (rte_pktmbuf_alloc_bulk(pool, m, SL_BURST) != 0)
		return -1;
	for (int i = 0; i < SL_BURST; i++) {
		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *), t->b, t->len);
		m[i]->data_len = m[i]->pkt_len = t->len;
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool smoke;
	int ret = bench_eal_init(argc, argv, &smoke);
	if (ret < 0) {
		fprintf(stderr, "EAL init failed (run as root; e.g. bench_worker --no-huge -m 256 --no-pci --vdev=net_null0 -l 0)\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	long npkts = smoke ? 4096 : 2000000;
	int opt;
	while (!smoke && (opt = getopt(argc, argv, "n:")) != -1)
		if (opt == 'n')
			npkts = atol(optarg);

	static struct sl_dp dp;
	if (bench_dp_init(&dp, 8192) < 0)
		return 1;
	sl_neigh_learn(dp.neigh, CLIENT, cli_mac, 0);
	dp.addrs[0] = (struct sl_addr){.ip = VIP, .mask = 0xffffff00, .port = 0};
	dp.naddrs = 1;
	if (bench_routes(&dp) != 0)
		return 1;
	struct sl_lcore *lc = bench_dp_lcore(&dp);
	if (lc == NULL)
		return 1;

	struct tmpl t[4];
	build_templates(t, dp.ports[0].mac.addr_bytes);
	struct rte_mbuf *m[SL_BURST];
	long rounds = npkts / SL_BURST;

	/* the cost of preparing frames: alloc + copy + free */
	uint64_t c0 = rte_rdtsc();
	for (long r = 0; r < rounds; r++) {
		if (fill(dp.pool, m, &t[1]) < 0)
			return 1;
		rte_pktmbuf_free_bulk(m, SL_BURST);
	}
	double prep = (double)(rte_rdtsc() - c0) / (double)(rounds * SL_BURST);
	printf("sluice worker path, %ld packets per case, bursts of %d, TSC %.2f GHz\n",
	       rounds * SL_BURST, SL_BURST, (double)dp.tsc_hz / 1e9);
	printf("  frame preparation (alloc+copy+free), not in the figures below: %.1f cycles/packet\n",
	       prep);
	for (int k = 0; k < 4; k++) {
		uint64_t total = 0;
		for (long r = 0; r < rounds; r++) {
			if (fill(dp.pool, m, &t[k]) < 0)
				return 1;
			uint64_t a = rte_rdtsc();
			sl_rx_burst(lc, 0, m, SL_BURST);
			sl_tx_flush(lc);
			total += rte_rdtsc() - a;
		}
		printf("  %-28s %7.1f cycles/packet\n", t[k].name,
		       (double)total / (double)(rounds * SL_BURST));
	}
	const uint64_t *c = lc->ctr->c;
	uint64_t per_case = (uint64_t)(rounds * SL_BURST);
	struct rte_eth_stats e;
	rte_eth_stats_get(0, &e);
	printf("counters: icmp_echo_in=%lu arp_requests_in=%lu drop_ipv4_bad_checksum=%lu tcp_rst_no_service=%lu tx=%lu\n",
	       (unsigned long)c[SL_CTR_ICMP_ECHO_IN], (unsigned long)c[SL_CTR_ARP_REQ_IN],
	       (unsigned long)c[SL_CTR_DROP_IPV4_CSUM], (unsigned long)c[SL_CTR_TCP_RST_NO_SERVICE],
	       (unsigned long)c[SL_CTR_TX_PKTS]);
	/* three of the four kinds are answered (ARP and ICMP replies, the RST), one dropped */
	if (c[SL_CTR_ICMP_ECHO_IN] != per_case || c[SL_CTR_ARP_REQ_IN] != per_case ||
	    c[SL_CTR_DROP_IPV4_CSUM] != per_case || c[SL_CTR_TCP_RST_NO_SERVICE] != per_case ||
	    e.opackets != 3 * per_case)
		return bench_fail("bench_worker",
				  "%lu frames of each kind: not each counted as its kind, or %lu "
				  "sent (not %lu)",
				  (unsigned long)per_case, (unsigned long)e.opackets,
				  (unsigned long)(3 * per_case));
	rte_eth_dev_stop(0);
	rte_eal_cleanup();
	return 0;
}
