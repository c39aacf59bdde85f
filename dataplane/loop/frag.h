/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly of IPv4 fragments of TCP datagrams addressed to sluice (RFC 791 3.2, RFC 1122
 * 3.3.2), on the workers. A request fragmented on its way (a sender that does not set DF, a
 * path narrower than its packets) arrives whole at the TCP stack of a proxy lcore or at the L4
 * path, which forwards it as one packet.
 *
 * The fragments of one datagram meet on one worker, named by a hash of its source, destination
 * and identification (RSS may put them on different queues); the others hand them over through
 * its rxring. Each worker keeps SL_FRAG_SLOTS datagrams of at most one mbuf (a 1500-byte
 * datagram split by a narrower path fits; a bigger one is refused) for SL_FRAG_TIMEOUT_US after
 * their first fragment, in memory allocated at start (proto/reasm.h: bookkeeping, overlaps
 * discard the datagram). Fragments of other protocols are dropped (drop_ipv4_fragment).
 *
 * State: each worker's own (written and read by that worker alone).
 */
#ifndef SL_FRAG_H
#define SL_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct sl_lcore;
struct sl_ipv4_info;

#define SL_FRAG_SLOTS 64
#define SL_FRAG_TIMEOUT_US 5000000 /* Linux waits 30 s; a balancer under attack less */

/* What a whole datagram goes on to: the receive path's classification (a frame from @port). */
typedef void (*sl_frag_whole_fn)(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m);

/* The worker's reassembly state (main, before the loops; on the worker's node) and its tick
 * role (deadlines). Returns 0 or -ENOMEM / -ENOSPC. */
int sl_frag_worker_init(struct sl_lcore *lc);
void sl_frag_worker_fini(struct sl_lcore *lc);

/*
 * A fragment @m (its IPv4 header at @l2 bytes, parsed in @iph, addressed to an owned address
 * from an acceptable source, trimmed to the IP length) received by worker @lc on @port:
 * handed to the worker that reassembles it, or recorded here; a datagram made whole is built in
 * a new mbuf (the Ethernet and IP headers of its first fragment, the flags and offset cleared)
 * and passed to @whole. Consumes @m.
 */
void sl_frag_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, size_t l2,
		   const struct sl_ipv4_info *iph, sl_frag_whole_fn whole);

#endif
