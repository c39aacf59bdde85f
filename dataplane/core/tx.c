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
