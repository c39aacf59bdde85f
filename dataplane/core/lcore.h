/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The run-to-completion loop every lcore runs over the roles it holds, and the transmit path
 * shared by every role: buffered TX per queue, hand-off through the owner's ring where this lcore
 * has no queue, next-hop resolution with a small queue of frames waiting for ARP.
 */
#ifndef SL_LCORE_H
#define SL_LCORE_H

#include "dataplane/core/dp.h"

/* Called by the loop of the main lcore about every millisecond (stats socket, signals). */
typedef void (*sl_main_hook_fn)(struct sl_dp *dp, void *arg);

/*
 * The loop. @arg is the lcore's struct sl_lcore. Returns 0 when dp->quit is set.
 * On the main lcore, @hook runs between bursts; on other lcores it is NULL.
 */
int sl_lcore_run(struct sl_lcore *lc, sl_main_hook_fn hook, void *hook_arg);

/* Entry point for rte_eal_remote_launch(): sl_lcore_run() without a hook. */
int sl_lcore_main(void *arg);

/*
 * Queues @m for transmission on @port (consumes @m: sent, handed to the queue's owner, or
 * freed with a counted drop). The Ethernet header must be complete.
 */
void sl_tx(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m);

/* Sends everything buffered on this lcore's TX queues. */
void sl_tx_flush(struct sl_lcore *lc);

/*
 * Sends the IPv4 packet in @m (Ethernet header present, addresses to be filled) to @dst through
 * @port: picks the next hop (on-link or the port's gateway), fills the Ethernet addresses when
 * the neighbour is known, else queues the frame and asks by ARP. Consumes @m.
 */
void sl_ip_output(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint32_t dst);

/*
 * Builds a TCP segment with no data (20-byte header, plus an MSS 1460 option when @mss) from
 * @src:@sport to @dst:@dport (host order) with @seq, @ack and @flags, and sends it through
 * sl_ip_output() on the port that owns @src. For control segments: probes, resets.
 */
void sl_tcp_ctl_send(struct sl_lcore *lc, uint32_t src, uint16_t sport, uint32_t dst,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, bool mss);

/* Sends a gratuitous ARP for every owned address of @port. */
void sl_arp_announce(struct sl_lcore *lc, uint16_t port);

#endif
