/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/loop/rx.h"

#include <rte_prefetch.h>

#include "dataplane/core/ipout.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "dataplane/l4/l4.h"
#include "dataplane/loop/frag.h"
#include "dataplane/tcphost/tcphost.h"
#include "proto/arp.h"
#include "proto/eth.h"
#include "proto/icmp.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"
#include "proto/udp.h"

static inline void drop(struct sl_lcore *lc, struct rte_mbuf *m, enum sl_ctr why)
{
	lc->ctr->c[why]++;
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------------ ARP (RFC 826) */

static void arp_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *eth,
		      size_t l2, size_t len)
{
	struct sl_dp *dp = lc->dp;
	struct sl_arp_info a;
	enum sl_arp_err err;
	if (sl_arp_parse(eth + l2, len - l2, &a, &err) < 0) {
		drop(lc, m, err == SL_ARP_ERR_SHORT ? SL_CTR_DROP_ARP_SHORT : SL_CTR_DROP_ARP_BAD);
		return;
	}
	if (sl_dp_owned(dp, port, a.tpa) == NULL) {
		drop(lc, m, SL_CTR_DROP_ARP_NOT_OURS);
		return;
	}
	/* Learn the sender (RFC 826 "merge"), except probes from 0.0.0.0 (RFC 5227). Only the
	 * table's writer learns: a frame that the NIC put on another lcore's queue is handed to
	 * it whole (its rxring), and it answers and learns as if it had received it. */
	if (a.spa != 0 && lc->lcore_id != dp->arp_owner) {
		m->port = port;
		lc->ctr->c[SL_CTR_ARP_HANDED]++;
		sl_handout(lc, dp->arp_owner, m);
		return;
	}
	if (a.spa != 0)
		sl_neigh_learn(dp->neigh, a.spa, a.sha, lc->now_ms);
	if (a.op == SL_ARP_OP_REPLY) {
		lc->ctr->c[SL_CTR_ARP_REPLY_IN]++;
		rte_pktmbuf_free(m);
		return;
	}
	if (a.op != SL_ARP_OP_REQUEST) {
		drop(lc, m, SL_CTR_DROP_ARP_BAD);
		return;
	}
	lc->ctr->c[SL_CTR_ARP_REQ_IN]++;
	/* Answer in place: the frame already has the right size. */
	const uint8_t *mac = dp->ports[port].mac.addr_bytes;
	uint8_t sha[6];
	memcpy(sha, a.sha, 6);
	sl_eth_build(eth, 14, sha, mac, SL_ETH_P_ARP);
	sl_arp_build(eth + 14, 28, SL_ARP_OP_REPLY, mac, a.tpa, sha, a.spa);
	if (l2 != 14) {
		/* VLAN frames were refused earlier; keep the layout simple */
		drop(lc, m, SL_CTR_DROP_VLAN);
		return;
	}
	lc->ctr->c[SL_CTR_ARP_REPLY_OUT]++;
	sl_tx(lc, port, m);
}

/* ------------------------------------------------------------------ ICMP (RFC 792) */

static void icmp_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		       const struct sl_ipv4_info *iph)
{
	uint8_t *icmp = ip + iph->ihl_bytes;
	size_t ilen = (size_t)iph->total_len - iph->ihl_bytes;
	struct sl_icmp_info ic;
	enum sl_icmp_err err;
	if (sl_icmp_parse(icmp, ilen, &ic, &err) < 0) {
		drop(lc, m,
		     err == SL_ICMP_ERR_SHORT ? SL_CTR_DROP_ICMP_SHORT : SL_CTR_DROP_ICMP_CSUM);
		return;
	}
	if (ic.type == 3 || ic.type == 4 || ic.type == 11 || ic.type == 12) {
		/* errors about a flow sluice forwards go to the other side, translated */
		if (!sl_l4_icmp_error(lc, port, m, ip, iph) &&
		    !sl_tcphost_icmp_error(lc, port, m, ip, iph))
			drop(lc, m, SL_CTR_DROP_ICMP_TYPE);
		return;
	}
	if (ic.type != SL_ICMP_ECHO_REQUEST || ic.code != 0) {
		drop(lc, m, SL_CTR_DROP_ICMP_TYPE);
		return;
	}
	lc->ctr->c[SL_CTR_ICMP_ECHO_IN]++;
	/* Echo reply in place: swap addresses, fresh TTL, checksums updated. */
	uint8_t tmp[4];
	memcpy(tmp, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, tmp, 4);
	ip[8] = 64;
	sl_ipv4_set_csum(ip, iph->ihl_bytes);
	sl_icmp_echo_to_reply(icmp, ilen);
	lc->ctr->c[SL_CTR_ICMP_ECHO_OUT]++;
	sl_ip_output(lc, m, iph->src);
}

/*
 * A segment for a port where nothing listens: answered as a host does (RFC 9293 3.10.7.1): an RST
 * that acknowledges a SYN, or that takes the sequence number the segment acknowledged. Built in
 * place (addresses and ports swapped, options and data cut). RSTs are never answered.
 */
static void refuse(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		   const struct sl_ipv4_info *iph, const struct sl_tcp_info *th)
{
	if (sl_dp_martian_src(lc->dp, iph->src)) { /* never answer ourselves (RFC 1122 3.2.1.3) */
		drop(lc, m, SL_CTR_DROP_IPV4_SRC);
		return;
	}
	if (th->flags & SL_TCP_RST) {
		drop(lc, m, SL_CTR_DROP_TCP_NO_SERVICE);
		return;
	}
	uint32_t paylen = (uint32_t)iph->total_len - iph->ihl_bytes - th->doff_bytes;
	uint32_t seq = 0, ack = 0;
	uint8_t flags = SL_TCP_RST;
	if (th->flags & SL_TCP_ACK) {
		seq = th->ack;
	} else {
		ack = th->seq + paylen + ((th->flags & SL_TCP_SYN) ? 1 : 0) +
		      ((th->flags & SL_TCP_FIN) ? 1 : 0);
		flags |= SL_TCP_ACK;
	}
	uint8_t *t = ip + 20;
	if (iph->ihl_bytes != 20)
		memmove(t, ip + iph->ihl_bytes, 20);
	t[0] = (uint8_t)(th->dport >> 8), t[1] = (uint8_t)th->dport;
	t[2] = (uint8_t)(th->sport >> 8), t[3] = (uint8_t)th->sport;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	t[12] = 5 << 4;
	t[13] = flags;
	t[14] = t[15] = t[18] = t[19] = 0;
	sl_ipv4_build(ip, 0, 40, 0, true, 64, SL_IPPROTO_TCP, iph->dst, iph->src);
	sl_tcp4_set_csum(t, 20, iph->dst, iph->src);
	rte_pktmbuf_data_len(m) = (uint16_t)(14 + 40);
	rte_pktmbuf_pkt_len(m) = 14 + 40;
	lc->ctr->c[SL_CTR_TCP_RST_NO_SERVICE]++;
	sl_ip_output(lc, m, iph->src);
}

/* ------------------------------------------------------------------ IPv4 (RFC 791) */

static const enum sl_ctr ipv4_drop[] = {
	[SL_IPV4_ERR_SHORT] = SL_CTR_DROP_IPV4_SHORT,
	[SL_IPV4_ERR_VERSION] = SL_CTR_DROP_IPV4_VERSION,
	[SL_IPV4_ERR_IHL] = SL_CTR_DROP_IPV4_IHL,
	[SL_IPV4_ERR_TOTLEN] = SL_CTR_DROP_IPV4_TOTLEN,
	[SL_IPV4_ERR_CSUM] = SL_CTR_DROP_IPV4_CSUM,
	[SL_IPV4_ERR_FRAG] = SL_CTR_DROP_IPV4_FRAG,
	[SL_IPV4_ERR_SRC] = SL_CTR_DROP_IPV4_SRC,
};

static void classify(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m);

/* A fragment (its header otherwise valid): to reassembly (dataplane/loop/frag.c) when it is for
 * an owned address from an acceptable source; the whole datagram is classified again. */
static void fragment_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, size_t l2,
			   size_t len, const struct sl_ipv4_info *iph)
{
	if (sl_ipv4_bad_src(iph->src) || sl_dp_martian_src(lc->dp, iph->src)) {
		drop(lc, m, SL_CTR_DROP_IPV4_SRC);
		return;
	}
	if (sl_dp_owned(lc->dp, port, iph->dst) == NULL) {
		drop(lc, m, SL_CTR_DROP_IPV4_NOT_OURS);
		return;
	}
	if (l2 + iph->total_len < len)
		rte_pktmbuf_trim(m, (uint16_t)(len - l2 - iph->total_len));
	sl_frag_input(lc, port, m, l2, iph, classify);
}

static void ipv4_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *eth,
		       size_t l2, size_t len)
{
	uint8_t *ip = eth + l2;
	struct sl_ipv4_info iph;
	enum sl_ipv4_err err = SL_IPV4_ERR_SHORT;
	if (sl_ipv4_parse(ip, len - l2, &iph, &err) < 0) {
		if (err == SL_IPV4_ERR_FRAG) {
			fragment_input(lc, port, m, l2, len, &iph);
			return;
		}
		drop(lc, m, (unsigned)err < RTE_DIM(ipv4_drop) && ipv4_drop[err] != 0 ?
				    ipv4_drop[err] :
				    SL_CTR_DROP_IPV4_SHORT);
		return;
	}
	/* Ethernet pads short frames: the IP total length is the truth. */
	if (l2 + iph.total_len < len)
		rte_pktmbuf_trim(m, (uint16_t)(len - l2 - iph.total_len));
	if (sl_dp_owned(lc->dp, port, iph.dst) == NULL) {
		drop(lc, m, SL_CTR_DROP_IPV4_NOT_OURS);
		return;
	}
	if (sl_dp_martian_src(lc->dp, iph.src)) {
		drop(lc, m, SL_CTR_DROP_IPV4_SRC);
		return;
	}
	uint8_t *l4 = ip + iph.ihl_bytes;
	size_t l4len = (size_t)iph.total_len - iph.ihl_bytes;
	switch (iph.proto) {
	case SL_IPPROTO_ICMP:
		icmp_input(lc, port, m, ip, &iph);
		return;
	case SL_IPPROTO_TCP: {
		struct sl_tcp_info th;
		enum sl_tcp_err terr;
		if (sl_tcp_parse(l4, l4len, &th, &terr) < 0) {
			drop(lc, m,
			     terr == SL_TCP_ERR_SHORT ? SL_CTR_DROP_TCP_SHORT : SL_CTR_DROP_TCP_DOFF);
			return;
		}
		if (!sl_tcp_flags_valid(th.flags)) {
			drop(lc, m, SL_CTR_DROP_TCP_FLAGS);
			return;
		}
		if (sl_l4_input(lc, port, m, ip, &iph, &th) ||
		    sl_tcphost_input(lc, port, m, ip, &iph, &th))
			return;
		/* no mode tcp service, no flow, no terminated service */
		refuse(lc, port, m, ip, &iph, &th);
		return;
	}
	case SL_IPPROTO_UDP: {
		struct sl_udp_info uh;
		enum sl_udp_err uerr;
		if (sl_udp_parse(l4, l4len, &uh, &uerr) < 0) {
			drop(lc, m, SL_CTR_DROP_UDP_SHORT);
			return;
		}
		drop(lc, m, SL_CTR_DROP_UDP_NO_SERVICE);
		return;
	}
	default:
		drop(lc, m, SL_CTR_DROP_IPV4_PROTO);
		return;
	}
}

/* ------------------------------------------------------------------ classification */

/*
 * The frame of nearly every packet, decided with a few loads: Ethernet II to our MAC, IPv4
 * without options, not a fragment, header checksum right, a unicast source (for a SYN, not one
 * of sluice's own: sl_dp_martian_src), TCP with a sane data offset and flags, to an owned
 * address. It goes straight to the L4 path. Anything
 * else returns false and takes the full path, which names what is wrong with it.
 */
static inline bool fast_tcp4(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	if (len < 54 || p[12] != 0x08 || p[13] != 0x00 || p[14] != 0x45 || p[23] != SL_IPPROTO_TCP ||
	    memcmp(p, lc->dp->ports[port].mac.addr_bytes, 6) != 0)
		return false;
	uint8_t *ip = p + 14;
	uint16_t tot = (uint16_t)(ip[2] << 8 | ip[3]);
	if (tot < 40 || tot > len - 14 || ((ip[6] & 0x3f) | ip[7]) != 0 || ip[12] == 0 ||
	    ip[12] == 127 || ip[12] >= 224)
		return false;
	/* header checksum: five 32-bit words summed in 64 bits (RFC 1071 4.1) */
	uint32_t w[5];
	memcpy(w, ip, 20);
	uint64_t sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	uint32_t s16 = (uint32_t)(sum & 0xffff) + (uint32_t)(sum >> 16 & 0xffff);
	s16 = (s16 & 0xffff) + (s16 >> 16);
	if (s16 != 0xffff)
		return false;
	struct sl_ipv4_info iph = {
		.ihl_bytes = 20,
		.total_len = tot,
		.ttl = ip[8],
		.proto = SL_IPPROTO_TCP,
		.src = (uint32_t)ip[12] << 24 | ip[13] << 16 | ip[14] << 8 | ip[15],
		.dst = (uint32_t)ip[16] << 24 | ip[17] << 16 | ip[18] << 8 | ip[19],
	};
	uint8_t *t = ip + 20;
	uint8_t doff = (uint8_t)((t[12] >> 4) * 4);
	/* a SYN from one of sluice's own addresses (a land SYN) or a subnet's broadcast address
	 * takes the full path, which drops it; later segments of such a source find no state
	 * (the L4 path drops them, the TCP host and refuse() check the source again) */
	if (doff < 20 || doff > tot - 20 || !sl_tcp_flags_valid(t[13]) ||
	    sl_dp_owned(lc->dp, port, iph.dst) == NULL ||
	    ((t[13] & SL_TCP_SYN) && sl_dp_martian_src(lc->dp, iph.src)))
		return false;
	struct sl_tcp_info th = {
		.sport = (uint16_t)(t[0] << 8 | t[1]),
		.dport = (uint16_t)(t[2] << 8 | t[3]),
		.seq = (uint32_t)t[4] << 24 | t[5] << 16 | t[6] << 8 | t[7],
		.ack = (uint32_t)t[8] << 24 | t[9] << 16 | t[10] << 8 | t[11],
		.doff_bytes = doff,
		.flags = t[13],
	};
	if (14u + tot < len)
		rte_pktmbuf_trim(m, (uint16_t)(len - 14 - tot));
	if (!sl_l4_input(lc, port, m, ip, &iph, &th) &&
	    !sl_tcphost_input(lc, port, m, ip, &iph, &th))
		refuse(lc, port, m, ip, &iph, &th);
	return true;
}

static void classify(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	if (fast_tcp4(lc, port, m))
		return;
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	struct sl_eth_info e;
	int l2 = sl_eth_parse(eth, len, &e);
	if (l2 < 0) {
		drop(lc, m, SL_CTR_DROP_ETH_SHORT);
		return;
	}
	if (e.has_vlan) {
		drop(lc, m, SL_CTR_DROP_VLAN);
		return;
	}
	if (!sl_eth_is_broadcast(e.dst) &&
	    memcmp(e.dst, lc->dp->ports[port].mac.addr_bytes, 6) != 0) {
		drop(lc, m, SL_CTR_DROP_ETH_DST);
		return;
	}
	switch (e.type) {
	case SL_ETH_P_ARP:
		arp_input(lc, port, m, eth, (size_t)l2, len);
		return;
	case SL_ETH_P_IPV4:
		ipv4_input(lc, port, m, eth, (size_t)l2, len);
		return;
	default:
		drop(lc, m, SL_CTR_DROP_ETH_TYPE);
		return;
	}
}

void sl_rx_burst(struct sl_lcore *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
#ifndef SL_NO_COUNTERS
	uint64_t bytes = 0;
	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	SL_COUNT(lc->ctr->c[SL_CTR_RX_PKTS], n);
	SL_COUNT(lc->ctr->c[SL_CTR_RX_BYTES], bytes);
#endif
	if (n > 1)
		sl_l4_prefetch_burst(lc, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		classify(lc, port, pkts[i]);
	}
	if (lc->nhandout != 0)
		sl_handout_flush(lc);
}

void sl_rx_handed(struct sl_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	/* counted in rx_packets by the lcore that received them from the NIC: not again here */
	lc->ctr->c[SL_CTR_RX_HANDED] += n;
	if (n > 1) /* their flows were looked up by the lcore that handed them, not in this cache */
		sl_l4_prefetch_burst(lc, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		/* the port index, and above it the hops of a frame passed on */
		lc->rx_hops = (uint8_t)(pkts[i]->port >> 8);
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		classify(lc, pkts[i]->port & 0xff, pkts[i]);
	}
	lc->rx_hops = 0;
	if (lc->nhandout != 0) /* frames passed on again */
		sl_handout_flush(lc);
}
