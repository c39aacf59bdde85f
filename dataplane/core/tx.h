/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmission from any lcore: frames buffered per TX queue and sent in bursts; on a port where
 * the lcore has no TX queue, handed to the owner of queue 0 through its txring. And frames one
 * lcore received for another (a reply to another lcore's local port, ARP for the neighbour
 * table's writer, a probe's reply): gathered during the burst and enqueued on the owners'
 * rxrings when it is done, one ring operation per owner.
 */
#ifndef SL_TX_H
#define SL_TX_H

#include <stdint.h>

#include <rte_mbuf.h>

struct sl_lcore;

/*
 * Queues @m for transmission on port index @port (consumes @m: sent, handed to the queue's
 * owner, or freed with a counted drop). The Ethernet header must be complete. The lcore's own.
 */
void sl_tx(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m);

/* Sends everything buffered on this lcore's TX queues. The lcore's own. */
void sl_tx_flush(struct sl_lcore *lc);

/*
 * Hands @m (m->port set as the owner reads it) to lcore @owner's rxring when this burst is
 * done: the frames of a burst for one owner go in one ring operation (a ring's cache lines
 * move between the two cores once per burst, not once per frame). Consumes @m. The lcore's own.
 */
void sl_handout(struct sl_lcore *lc, unsigned owner, struct rte_mbuf *m);

/* Enqueues what sl_handout() gathered, a burst per owner; a full ring drops the rest, counted
 * (drop_ring_full). The receive path calls it after each burst. The lcore's own. */
void sl_handout_flush(struct sl_lcore *lc);

#endif
