/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/ipout.h"

#include <string.h>

#include "dataplane/core/lcore.h"
#include "dataplane/core/route.h"
#include "dataplane/core/tx.h"
#include "proto/arp.h"
#include "proto/eth.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

#define SL_ARP_RETRY_MS 250
#define SL_ARP_GIVEUP_MS 1000

/* ------------------------------------------------------------------ neighbours */

static struct rte_mbuf *arp_frame(struct sl_lcore *lc, uint16_t port, uint16_t op,
				  const uint8_t *dst_mac, uint32_t spa, const uint8_t *tha,
				  uint32_t tpa)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);
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

/* Asks who has @ip on port index @port, from our address on that subnet. */
static void arp_request(struct sl_lcore *lc, uint16_t port, uint32_t ip)
{
	struct rte_mbuf *m = arp_frame(lc, port, SL_ARP_OP_REQUEST, bcast,
				       sl_dp_route_src(lc->dp, ip), zero_mac, ip);
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

static void fill_eth(struct sl_dp *dp, uint16_t port, struct rte_mbuf *m, const uint8_t *dst)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(p, dst, 6);
	memcpy(p + 6, dp->ports[port].mac.addr_bytes, 6);
}

/* The route to @dst from the lcore's cache, looked up on a miss; NULL when there is none. */
static inline const struct sl_rt_entry *route(struct sl_lcore *lc, uint32_t dst)
{
	struct sl_rt_entry *rt = &lc->rt[(dst * 2654435761u) >> 24];
	if (likely(rt->dst == dst && dst != 0))
		return rt;
	struct sl_route_hop hop;
	if (unlikely(!sl_route_lookup(lc->dp->routes, dst, &hop)))
		return NULL;
	*rt = (struct sl_rt_entry){.dst = dst,
				   .next_hop = hop.next_hop,
				   .src = hop.src,
				   .port = hop.port,
				   .npool = hop.npool,
				   .pool = hop.pool};
	return rt;
}

uint32_t sl_ip_route_src(struct sl_lcore *lc, uint32_t dst)
{
	const struct sl_rt_entry *rt = route(lc, dst);
	return rt != NULL ? rt->src : 0;
}

const uint32_t *sl_ip_route_pool(struct sl_lcore *lc, uint32_t dst, unsigned *n)
{
	const struct sl_rt_entry *rt = route(lc, dst);
	*n = rt != NULL ? rt->npool : 0;
	return rt != NULL ? rt->pool : NULL;
}

void sl_ip_output(struct sl_lcore *lc, struct rte_mbuf *m, uint32_t dst)
{
	struct sl_dp *dp = lc->dp;
	const struct sl_rt_entry *rt = route(lc, dst);
	if (unlikely(rt == NULL)) {
		lc->ctr->c[SL_CTR_DROP_NO_ROUTE]++;
		rte_pktmbuf_free(m);
		return;
	}
	uint32_t nh = rt->next_hop;
	uint16_t port = rt->port;
	struct sl_nh_entry *e = &lc->nh[(nh * 2654435761u) >> 24];
	if (likely(e->ip == nh && e->port == port && e->until_ms >= lc->now_ms)) {
		fill_eth(dp, port, m, e->mac);
		sl_tx(lc, port, m);
		return;
	}
	uint8_t mac[6];
	if (likely(sl_neigh_lookup(dp->neigh, nh, mac, lc->now_ms))) {
		e->ip = nh;
		e->port = port;
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
void sl_ipout_tick(struct sl_lcore *lc)
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
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);
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
	sl_ip_output(lc, m, dst);
}

void sl_ipout_drain(struct sl_lcore *lc)
{
	for (unsigned i = 0; i < lc->npending; i++) {
		lc->ctr->c[SL_CTR_DROP_NEIGH_TIMEOUT]++;
		rte_pktmbuf_free(lc->pending[i].m);
	}
	lc->npending = 0;
}
