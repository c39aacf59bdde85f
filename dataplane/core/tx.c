/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/tx.h"

#include <rte_ethdev.h>

#include "dataplane/core/lcore.h"

void sl_tx_flush(struct sl_lcore *lc)
{
	for (unsigned p = 0; p < lc->dp->nports; p++) {
		struct sl_txbuf *tb = &lc->tx[p];
		if (tb->n == 0)
			continue;
		const struct sl_port *sp = &lc->dp->ports[p];
		uint16_t sent = rte_eth_tx_burst(sp->qdev[tb->queue], sp->qnum[tb->queue], tb->m,
						 tb->n);
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

void sl_handout_flush(struct sl_lcore *lc)
{
	uint16_t n = lc->nhandout;
	bool done[SL_BURST] = {false};
	for (uint16_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		unsigned owner = lc->handout_to[i];
		struct rte_mbuf *b[SL_BURST];
		unsigned k = 0;
		for (uint16_t j = i; j < n; j++)
			if (!done[j] && lc->handout_to[j] == owner) {
				b[k++] = lc->handout[j];
				done[j] = true;
			}
		unsigned sent = rte_ring_enqueue_burst(lc->dp->lcores[owner]->rxring, (void **)b, k,
						       NULL);
		if (unlikely(sent < k)) {
			lc->ctr->c[SL_CTR_DROP_RING_FULL] += k - sent;
			rte_pktmbuf_free_bulk(b + sent, k - sent);
		}
	}
	lc->nhandout = 0;
}

void sl_handout(struct sl_lcore *lc, unsigned owner, struct rte_mbuf *m)
{
	if (unlikely(lc->nhandout == SL_BURST))
		sl_handout_flush(lc);
	lc->handout_to[lc->nhandout] = (uint16_t)owner;
	lc->handout[lc->nhandout++] = m;
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
