/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/lcore.h"

#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dataplane/tcphost/tcphost.h"
#include "dataplane/loop/rx.h"
#include "proto/arp.h"
#include "proto/eth.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

#define SL_IDLE_POLLS 256     /* empty polls before backing off */
#define SL_IDLE_MAX_US 1000   /* longest sleep of an idle lcore that receives packets */
#define SL_IDLE_MAX_US_CTL 10000 /* longest sleep of an lcore without queues (main only) */
#define SL_ARP_RETRY_MS 250
#define SL_ARP_GIVEUP_MS 1000

uint64_t sl_dp_now_ms(const struct sl_dp *dp)
{
	return (rte_rdtsc() - dp->start_tsc) * 1000 / dp->tsc_hz;
}

uint16_t sl_dp_port_of(const struct sl_dp *dp, uint32_t ip)
{
	for (unsigned i = 0; i < dp->naddrs; i++)
		if (dp->addrs[i].ip == ip)
			return dp->addrs[i].port;
	return 0;
}

const struct sl_addr *sl_dp_owned(const struct sl_dp *dp, uint16_t port, uint32_t ip)
{
	for (unsigned i = 0; i < dp->naddrs; i++)
		if (dp->addrs[i].ip == ip && dp->addrs[i].port == port)
			return &dp->addrs[i];
	return NULL;
}

/* ------------------------------------------------------------------ transmit */

void sl_tx_flush(struct sl_lcore *lc)
{
	for (unsigned p = 0; p < lc->dp->nports; p++) {
		struct sl_txbuf *tb = &lc->tx[p];
		if (tb->n == 0)
			continue;
		uint16_t port = lc->dp->ports[p].id;
		uint16_t sent = rte_eth_tx_burst(port, (uint16_t)tb->queue, tb->m, tb->n);
#ifndef SL_NO_COUNTERS
		uint64_t bytes = 0;
		for (uint16_t i = 0; i < sent; i++)
			bytes += rte_pktmbuf_pkt_len(tb->m[i]);
		SL_COUNT(lc->ctr->c[SL_CTR_TX_PKTS], sent);
		SL_COUNT(lc->ctr->c[SL_CTR_TX_BYTES], bytes);
#endif
		if (unlikely(sent < tb->n)) {
			lc->ctr->c[SL_CTR_DROP_TX_FULL] += tb->n - sent;
			rte_pktmbuf_free_bulk(tb->m + sent, tb->n - sent);
		}
		tb->n = 0;
	}
}

void sl_tx(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	struct sl_txbuf *tb = &lc->tx[port];
	if (unlikely(tb->queue < 0)) {
		/* No TX queue of ours on this port: the owner of queue 0 sends it. */
		struct sl_lcore *owner = lc->dp->lcores[lc->dp->worker_ids[0]];
		m->port = port;
		if (rte_ring_enqueue(owner->txring, m) != 0) {
			lc->ctr->c[SL_CTR_DROP_RING_FULL]++;
			rte_pktmbuf_free(m);
		}
		return;
	}
	tb->m[tb->n++] = m;
	if (tb->n == SL_TXBUF)
		sl_tx_flush(lc);
}

/* ------------------------------------------------------------------ neighbours */

static struct rte_mbuf *arp_frame(struct sl_lcore *lc, uint16_t port, uint16_t op,
				  const uint8_t *dst_mac, uint32_t spa, const uint8_t *tha,
				  uint32_t tpa)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->dp->pool);
	if (m == NULL) {
		lc->ctr->c[SL_CTR_DROP_NO_MBUF]++;
		return NULL;
	}
	const uint8_t *mac = lc->dp->ports[port].mac.addr_bytes;
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	size_t n = sl_eth_build(p, 14, dst_mac, mac, SL_ETH_P_ARP);
	n += sl_arp_build(p + n, 28, op, mac, spa, tha, tpa);
	/* pad to the Ethernet minimum (60 bytes without FCS) */
	memset(p + n, 0, 60 - n);
	m->data_len = m->pkt_len = 60;
	return m;
}

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t zero_mac[6] = {0};

uint32_t sl_dp_source_for(const struct sl_dp *dp, uint16_t port, uint32_t next_hop)
{
	const struct sl_addr *first = NULL;
	for (unsigned i = 0; i < dp->naddrs; i++) {
		const struct sl_addr *a = &dp->addrs[i];
		if (a->port != port)
			continue;
		if (((a->ip ^ next_hop) & a->mask) == 0)
			return a->ip;
		if (first == NULL)
			first = a;
	}
	return first != NULL ? first->ip : 0;
}

static void arp_request(struct sl_lcore *lc, uint16_t port, uint32_t ip)
{
	struct rte_mbuf *m = arp_frame(lc, port, SL_ARP_OP_REQUEST, bcast,
				       sl_dp_source_for(lc->dp, port, ip), zero_mac, ip);
	if (m == NULL)
		return;
	lc->ctr->c[SL_CTR_ARP_REQ_OUT]++;
	sl_tx(lc, port, m);
}

void sl_arp_announce(struct sl_lcore *lc, uint16_t port)
{
	for (unsigned i = 0; i < lc->dp->naddrs; i++) {
		const struct sl_addr *a = &lc->dp->addrs[i];
		if (a->port != port)
			continue;
		/* RFC 5227 section 3: an ARP request with sender and target both our address */
		struct rte_mbuf *m =
			arp_frame(lc, port, SL_ARP_OP_REQUEST, bcast, a->ip, zero_mac, a->ip);
		if (m == NULL)
			return;
		lc->ctr->c[SL_CTR_ARP_GRATUITOUS_OUT]++;
		sl_tx(lc, port, m);
	}
}

static uint32_t next_hop(const struct sl_dp *dp, uint16_t port, uint32_t dst)
{
	for (unsigned i = 0; i < dp->naddrs; i++) {
		const struct sl_addr *a = &dp->addrs[i];
		if (a->port == port && ((a->ip ^ dst) & a->mask) == 0)
			return dst;
	}
	return dp->ports[port].gateway;
}

static void fill_eth(struct sl_dp *dp, uint16_t port, struct rte_mbuf *m, const uint8_t *dst)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(p, dst, 6);
	memcpy(p + 6, dp->ports[port].mac.addr_bytes, 6);
}

void sl_ip_output(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint32_t dst)
{
	struct sl_dp *dp = lc->dp;
	uint32_t nh = next_hop(dp, port, dst);
	if (unlikely(nh == 0)) {
		lc->ctr->c[SL_CTR_DROP_NO_ROUTE]++;
		rte_pktmbuf_free(m);
		return;
	}
	struct sl_nh_entry *e = &lc->nh[(nh * 2654435761u) >> 24];
	if (likely(e->ip == nh && e->until_ms >= lc->now_ms)) {
		fill_eth(dp, port, m, e->mac);
		sl_tx(lc, port, m);
		return;
	}
	uint8_t mac[6];
	if (likely(sl_neigh_lookup(dp->neigh, nh, mac, lc->now_ms))) {
		e->ip = nh;
		memcpy(e->mac, mac, 6);
		e->until_ms = lc->now_ms + SL_NH_CACHE_MS;
		fill_eth(dp, port, m, mac);
		sl_tx(lc, port, m);
		return;
	}
	if (lc->npending == SL_NEIGH_PENDING) {
		lc->ctr->c[SL_CTR_DROP_NEIGH_QUEUE_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	/* one ARP request per next hop and retry period, however many frames wait for it */
	bool asked = false;
	for (unsigned i = 0; i < lc->npending; i++)
		asked |= lc->pending[i].next_hop == nh;
	m->port = port;
	lc->pending[lc->npending++] = (struct sl_pending){
		.m = m, .next_hop = nh, .since_ms = lc->now_ms, .last_req_ms = lc->now_ms};
	lc->ctr->c[SL_CTR_NEIGH_QUEUED]++;
	if (!asked)
		arp_request(lc, port, nh);
}

/* Every millisecond: send what got resolved, retry, give up after SL_ARP_GIVEUP_MS. */
static void pending_tick(struct sl_lcore *lc)
{
	unsigned keep = 0;
	uint32_t asked[SL_NEIGH_PENDING];
	unsigned nasked = 0;
	for (unsigned i = 0; i < lc->npending; i++) {
		struct sl_pending *pe = &lc->pending[i];
		uint8_t mac[6];
		if (sl_neigh_lookup(lc->dp->neigh, pe->next_hop, mac, lc->now_ms)) {
			fill_eth(lc->dp, pe->m->port, pe->m, mac);
			lc->ctr->c[SL_CTR_NEIGH_RESOLVED]++;
			sl_tx(lc, pe->m->port, pe->m);
			continue;
		}
		if (lc->now_ms - pe->since_ms >= SL_ARP_GIVEUP_MS) {
			lc->ctr->c[SL_CTR_DROP_NEIGH_TIMEOUT]++;
			rte_pktmbuf_free(pe->m);
			continue;
		}
		if (lc->now_ms - pe->last_req_ms >= SL_ARP_RETRY_MS) {
			bool done = false;
			for (unsigned k = 0; k < nasked; k++)
				done |= asked[k] == pe->next_hop;
			if (!done) {
				arp_request(lc, pe->m->port, pe->next_hop);
				asked[nasked++] = pe->next_hop;
			}
			pe->last_req_ms = lc->now_ms;
		}
		lc->pending[keep++] = *pe;
	}
	lc->npending = keep;
}

void sl_tcp_ctl_send(struct sl_lcore *lc, uint32_t src, uint16_t sport, uint32_t dst,
			 uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, bool mss)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->dp->pool);
	if (m == NULL) {
		lc->ctr->c[SL_CTR_DROP_NO_MBUF]++;
		return;
	}
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	size_t tl = mss ? 24 : 20;
	memset(p, 0, 14 + 20 + tl);
	p[12] = 0x08; /* IPv4; Ethernet addresses come from sl_ip_output() */
	uint8_t *ip = p + 14, *t = ip + 20;
	sl_ipv4_build(ip, 0, (uint16_t)(20 + tl), 0, true, 64, SL_IPPROTO_TCP, src, dst);
	t[0] = (uint8_t)(sport >> 8), t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8), t[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	t[12] = (uint8_t)((tl / 4) << 4);
	t[13] = flags;
	t[14] = 0xff, t[15] = 0xff;
	if (mss) {
		t[20] = 2, t[21] = 4, t[22] = 0x05, t[23] = 0xb4; /* MSS 1460 */
	}
	sl_tcp4_set_csum(t, tl, src, dst);
	m->data_len = m->pkt_len = (uint32_t)(14 + 20 + tl);
	sl_ip_output(lc, sl_dp_port_of(lc->dp, src), m, dst);
}

/* ------------------------------------------------------------------ the loop */

static void idle(struct sl_lcore *lc, bool busy)
{
	if (busy || lc->dp->poll_mode) {
		lc->idle_polls = 0;
		lc->sleep_us = 0;
		return;
	}
	if (++lc->idle_polls < SL_IDLE_POLLS)
		return;
	/* Back off exponentially up to SL_IDLE_MAX_US: an idle balancer must not burn a core.
	 * The cost is up to that much added latency for the first packet after a quiet spell. */
	unsigned max = (lc->roles & SL_ROLE_WORKER) ? SL_IDLE_MAX_US : SL_IDLE_MAX_US_CTL;
	lc->sleep_us = lc->sleep_us == 0 ? 1 : lc->sleep_us * 2;
	if (lc->sleep_us > max)
		lc->sleep_us = max;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)lc->sleep_us * 1000};
	nanosleep(&ts, NULL);
	lc->ctr->idle_sleeps++;
}

int sl_lcore_run(struct sl_lcore *lc, sl_main_hook_fn hook, void *hook_arg)
{
	struct sl_dp *dp = lc->dp;
	struct rte_mbuf *pkts[SL_BURST];
	uint64_t tick = dp->tsc_hz / 1000;

	lc->now_ms = sl_dp_now_ms(dp);
	lc->next_tick_tsc = rte_rdtsc() + tick;
	if (lc->roles & SL_ROLE_WORKER)
		for (unsigned p = 0; p < dp->nports; p++)
			if (lc->rxq[p] == 0)
				sl_arp_announce(lc, (uint16_t)p);

	bool reader = (lc->roles & SL_ROLE_WORKER) && dp->qsbr != NULL;
	if (reader)
		rte_rcu_qsbr_thread_online(dp->qsbr, lc->lcore_id);
	while (!dp->quit) {
		uint64_t t0 = rte_rdtsc();
		if (reader)
			rte_rcu_qsbr_quiescent(dp->qsbr, lc->lcore_id);
		unsigned work = 0;
		for (unsigned p = 0; p < dp->nports; p++) {
			if (lc->rxq[p] < 0)
				continue;
			uint16_t n = rte_eth_rx_burst(dp->ports[p].id, (uint16_t)lc->rxq[p], pkts,
						      SL_BURST);
			if (n == 0)
				continue;
			work += n;
			sl_worker_rx(lc, (uint16_t)p, pkts, n);
		}
		if (lc->rxring != NULL && !rte_ring_empty(lc->rxring)) {
			unsigned n = rte_ring_dequeue_burst(lc->rxring, (void **)pkts, SL_BURST, NULL);
			for (unsigned i = 0; i < n; i++)
				sl_worker_rx(lc, pkts[i]->port, &pkts[i], 1);
			work += n;
		}
		if (lc->txring != NULL) {
			unsigned n = rte_ring_dequeue_burst(lc->txring, (void **)pkts, SL_BURST, NULL);
			for (unsigned i = 0; i < n; i++)
				sl_tx(lc, pkts[i]->port, pkts[i]);
			work += n;
		}
		sl_tx_flush(lc);

		uint64_t t1 = rte_rdtsc();
		if (t1 >= lc->next_tick_tsc) {
			lc->next_tick_tsc = t1 + tick;
			lc->now_ms = sl_dp_now_ms(dp);
			if (lc->npending != 0) {
				pending_tick(lc);
				sl_tx_flush(lc);
			}
			if (lc->roles & SL_ROLE_WORKER)
				sl_l4_tick(lc);
			if (lc->tcp != NULL) {
				sl_proxy_tick(lc);
				sl_tx_flush(lc);
			}
			if (hook != NULL)
				hook(dp, hook_arg);
		}
		lc->ctr->polls++;
		if (work != 0) {
			lc->ctr->busy_polls++;
			lc->ctr->busy_cycles += rte_rdtsc() - t0;
		}
		idle(lc, work != 0);
	}
	if (reader)
		rte_rcu_qsbr_thread_offline(dp->qsbr, lc->lcore_id);
	/* leave nothing behind: frames still waiting for ARP are dropped and counted */
	for (unsigned i = 0; i < lc->npending; i++) {
		lc->ctr->c[SL_CTR_DROP_NEIGH_TIMEOUT]++;
		rte_pktmbuf_free(lc->pending[i].m);
	}
	lc->npending = 0;
	sl_tx_flush(lc);
	return 0;
}

int sl_lcore_main(void *arg)
{
	return sl_lcore_run(arg, NULL, NULL);
}
