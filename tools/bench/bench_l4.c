/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process benchmark of the L4 path (full NAT): prebuilt TCP segments go through
 * sl_rx_burst() in bursts of 32 and leave through DPDK's net_null PMD. No NIC, no kernel.
 *
 *   bench_l4 --no-huge -m 1536 --no-pci --vdev=net_null0 -l 0 -- [-f FLOWS]... [-n PACKETS]
 *   bench_l4 --smoke           (1 000 and 5 000 flows, 4 096 established packets, no figure)
 *
 * For each flow count (default 1k, 100k, 1M): TSC cycles per packet for new flows (SYN: service
 * lookup, server choice, local port, flow insert, NAT, TX) and for established flows (ACK with
 * 100 bytes of data in random flow order: flow lookup, state, NAT, neighbour, TX).
 * A run fails (exit 1) unless every segment left through the port, each SYN made a new flow
 * and nothing was dropped: a figure of packets the path refused would not be the path's.
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

#include "controlplane/cfg/cfg.h"
#include "controlplane/gen_build.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "dataplane/l4/flow.h"
#include "dataplane/l4/l4.h"
#include "dataplane/loop/rx.h"
#include "tools/bench/bench_dp.h"
#include "tools/bench/bench_routes.h"
#include "proto/eth.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

#define VIP 0x0a4d0001u
#define NSERVERS 64

static const uint8_t cli_mac[6] = {0x02, 0x77, 0, 0, 0, 0x10};

/* Builds client segment i: client 10.128.0.0 + i/1000, port 20000 + i%1000, to VIP:1935. */
static void segment(uint8_t *b, uint16_t *len, const uint8_t *port_mac, uint32_t i, uint8_t flags,
		    unsigned payload)
{
	uint32_t cip = 0x0a800001u + i / 1000;
	uint16_t cport = (uint16_t)(20000 + i % 1000);
	size_t n = sl_eth_build(b, 14, port_mac, cli_mac, SL_ETH_P_IPV4);
	uint8_t *ip = b + n;
	sl_ipv4_build(ip, 0, (uint16_t)(40 + payload), 1, true, 64, SL_IPPROTO_TCP, cip, VIP);
	uint8_t *th = ip + 20;
	memset(th, 0, 20 + payload);
	th[0] = (uint8_t)(cport >> 8);
	th[1] = (uint8_t)cport;
	th[2] = 1935 >> 8;
	th[3] = 1935 & 0xff;
	th[7] = (uint8_t)(flags == SL_TCP_SYN ? 1 : 2);
	th[12] = 5 << 4;
	th[13] = flags;
	th[14] = 0xff;
	sl_tcp4_set_csum(th, 20 + payload, cip, VIP);
	*len = (uint16_t)(n + 40 + payload);
}

static struct sl_cfg *make_cfg(void)
{
	static char text[16384];
	size_t o = (size_t)snprintf(text, sizeof(text),
				    "frontend rtmp\n bind *:1935\n mode tcp\n timeout client 1h\n"
				    " default_backend ams\nbackend ams\n mode tcp\n balance source\n"
				    " timeout connect 5s\n timeout server 1h\n");
	for (int i = 0; i < NSERVERS; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, " server s%d 10.77.1.%d:1935\n", i,
				      i + 1);
	struct sl_cfg_text t = {.name = "bench.cfg", .data = text, .len = o};
	struct sl_cfg_opts opts = {.no_dataplane_ok = true};
	struct sl_cfg *cfg = NULL;
	return sl_cfg_parse(&t, 1, &opts, &cfg) == 0 ? cfg : NULL;
}

static long est_packets = 4000000;

/*
 * Builds one burst of segments for flows @idx[0..SL_BURST) with @flags and @payload bytes, and
 * returns the cycles sl_rx_burst() + the TX flush took for it (0 when out of mbufs).
 */
static uint64_t timed_burst(struct sl_lcore *lc, const uint32_t *idx, uint8_t flags,
			    unsigned payload)
{
	struct rte_mbuf *m[SL_BURST];
	uint8_t tmpl[256]; /* 54 bytes of headers + up to 200 of payload */
	uint16_t len;
	if (rte_pktmbuf_alloc_bulk(lc->dp->pool, m, SL_BURST) != 0)
		return 0;
	for (int k = 0; k < SL_BURST; k++) {
		segment(tmpl, &len, lc->dp->ports[0].mac.addr_bytes, idx[k], flags, payload);
		memcpy(rte_pktmbuf_mtod(m[k], uint8_t *), tmpl, len);
		m[k]->data_len = m[k]->pkt_len = len;
	}
	uint64_t a = rte_rdtsc();
	sl_rx_burst(lc, 0, m, SL_BURST);
	sl_tx_flush(lc);
	return rte_rdtsc() - a;
}

/* Sends @nflows SYNs then est_packets established segments, prints the figures and returns the
 * number of segments fed. */
static uint64_t run(struct sl_lcore *lc, uint32_t nflows)
{
	uint32_t idx[SL_BURST];
	uint64_t cyc = 0, n = 0;

	/* new flows: one SYN each */
	for (uint32_t base = 0; base < nflows; base += SL_BURST, n += SL_BURST) {
		for (int k = 0; k < SL_BURST; k++)
			idx[k] = base + (uint32_t)k;
		cyc += timed_burst(lc, idx, SL_TCP_SYN, 0);
	}
	double syn = (double)cyc / (double)n;
	uint32_t have = sl_flow_count(lc->l4->ft);
	uint64_t fed = n;

	/* established: ACK + 100 bytes, random flow order */
	cyc = n = 0;
	uint64_t x = 88172645463325252ull;
	for (long r = 0; r < est_packets / SL_BURST; r++, n += SL_BURST) {
		for (int k = 0; k < SL_BURST; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			idx[k] = (uint32_t)(x % nflows);
		}
		cyc += timed_burst(lc, idx, SL_TCP_ACK, 100);
	}
	printf("  %8u flows (%u in table): new flow (SYN) %6.1f cycles/packet, established %6.1f cycles/packet\n",
	       nflows, have, syn, (double)cyc / (double)n);
	return fed + n;
}

int main(int argc, char **argv)
{
	bool smoke;
	int ret = bench_eal_init(argc, argv, &smoke);
	if (ret < 0) {
		fprintf(stderr, "EAL init failed: bench_l4 --no-huge -m 1536 --no-pci --vdev=net_null0 -l 0\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	uint32_t counts[8] = {1000, 100000, 1000000};
	int ncounts = 3, opt, userc = 0;
	if (smoke) {
		counts[0] = 1000;
		counts[1] = 5000;
		ncounts = 2;
		est_packets = 4096;
	}
	while (!smoke && (opt = getopt(argc, argv, "f:n:")) != -1) {
		if (opt == 'f' && userc < 8)
			counts[userc++] = (uint32_t)atol(optarg);
		if (opt == 'n')
			est_packets = atol(optarg);
	}
	if (userc > 0)
		ncounts = userc;

	static struct sl_dp dp;
	struct sl_cfg *cfg = make_cfg();
	if (cfg == NULL || bench_dp_init(&dp, 16384) < 0)
		return 1;
	for (int i = 0; i < NSERVERS; i++) {
		uint8_t mac[6] = {0x02, 0x77, 0, 0, 1, (uint8_t)(i + 1)};
		sl_neigh_learn(dp.neigh, 0x0a4d0100u + (uint32_t)i + 1, mac, 0);
	}
	for (uint32_t c = 0; c < 1024; c++) {
		uint8_t mac[6] = {0x02, 0x77, 0, 2, (uint8_t)(c >> 8), (uint8_t)c};
		sl_neigh_learn(dp.neigh, 0x0a800001u + c, mac, 0);
	}
	/* one address on the clients' and servers' /8 so both are on-link */
	dp.addrs[0] = (struct sl_addr){.ip = VIP, .mask = 0xff000000u, .port = 0};
	dp.naddrs = 1;
	if (bench_routes(&dp) != 0)
		return 1;
	dp.cfg = cfg;
	if (sl_port_plan_make(cfg, 1, 1, &dp.plan, NULL, 0) != 0)
		return 1;
	struct sl_siphash_key key = {1, 2};
	if (sl_l4_init(&dp, &key) != 0)
		return 1;

	printf("sluice L4 path (full NAT), %d servers, balance source, bursts of %d, TSC %.2f GHz\n",
	       NSERVERS, SL_BURST, (double)dp.tsc_hz / 1e9);
	for (int ci = 0; ci < ncounts; ci++) {
		struct sl_lcore *lc = bench_dp_lcore(&dp);
		if (lc == NULL)
			return 1;
		struct sl_gen *l4;
		/* twice the flows as capacity: a table is sized for its peak, not filled to the brim */
		if (sl_gen_build(cfg, &dp, NULL, NULL, &l4) != 0 ||
		    sl_l4_worker_init(lc, counts[ci] * 2, 0) != 0) {
			fprintf(stderr, "bench: L4 setup for %u flows failed (raise -m)\n", counts[ci]);
			return 1;
		}
		dp.gen = l4;
		struct rte_eth_stats e0, e1;
		rte_eth_stats_get(0, &e0);
		uint64_t fed = run(lc, counts[ci]);
		rte_eth_stats_get(0, &e1);
		uint64_t *c = lc->ctr->c;
		printf("           counters: new %lu, to server %lu, no port %lu, table full %lu, no flow %lu\n",
		       (unsigned long)c[SL_CTR_L4_FLOWS_NEW], (unsigned long)c[SL_CTR_L4_PKTS_TO_SERVER],
		       (unsigned long)c[SL_CTR_DROP_L4_NO_PORT], (unsigned long)c[SL_CTR_DROP_L4_TABLE_FULL],
		       (unsigned long)c[SL_CTR_DROP_L4_NO_FLOW]);
		/* SYNs go in whole bursts: the flow count rounded up, one new flow each */
		uint64_t syns = (counts[ci] + SL_BURST - 1) / SL_BURST * SL_BURST;
		if (e1.opackets - e0.opackets != fed || c[SL_CTR_L4_FLOWS_NEW] != syns)
			return bench_fail(
				"bench_l4",
				"%u flows: %lu of %lu segments sent, %lu new flows of %lu",
				counts[ci], (unsigned long)(e1.opackets - e0.opackets),
				(unsigned long)fed, (unsigned long)c[SL_CTR_L4_FLOWS_NEW],
				(unsigned long)syns);
		memset(lc->ctr, 0, sizeof(*lc->ctr));
		sl_l4_worker_fini(lc);
		sl_gen_free(l4);
		dp.gen = NULL;
		bench_dp_lcore_free(lc);
	}
	rte_eth_dev_stop(0);
	sl_cfg_free(cfg);
	rte_eal_cleanup();
	return 0;
}
