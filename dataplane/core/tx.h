/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmission from any lcore: frames buffered per TX queue and sent in bursts; on a port where
 * the lcore has no TX queue, handed to the owner of queue 0 through its txring.
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

#endif
