/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker role's receive path: classification of each frame (design: docs/architecture.md,
 * "Classification"), ARP and ICMP answered here, everything not handled dropped with a named
 * counter. Later parts (L4 NAT, hand-off to proxies) plug into sl_worker_rx().
 */
#ifndef SL_WORKER_H
#define SL_WORKER_H

#include "dataplane/core/dp.h"

/* Processes a burst received on @port (index into dp->ports). Consumes every mbuf. */
void sl_worker_rx(struct sl_lcore *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

#endif
