/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy role: one userspace TCP stack per proxy lcore (dataplane/tcp/), fed by the workers
 * with the TCP segments of connections that sluice terminates. Today it serves the built-in
 * services of the dataplane section (`service echo PORT`, `service http-ok PORT`), which the
 * tests use to drive the stack with Linux peers; the HTTP proxy plugs in here next.
 *
 * A connection belongs to one proxy lcore, chosen by a symmetric hash of the client address and
 * port; a segment that arrives elsewhere is handed to it through its ring.
 */
#ifndef SL_PROXY_H
#define SL_PROXY_H

#include <stdbool.h>

#include <rte_mbuf.h>

struct sl_dp;
struct sl_lcore;
struct sl_ipv4_info;
struct sl_tcp_info;
struct sl_outbuf;

/* Creates the stacks of the proxy lcores and their listeners. Main lcore, before the loops.
 * Returns 0 (also when nothing is configured) or -1 (printed). */
int sl_proxy_init(struct sl_dp *dp);
void sl_proxy_fini(struct sl_dp *dp);

/*
 * A TCP segment to an owned address that no L4 service or flow took (worker lcore). Returns true
 * when it was consumed (fed to this lcore's stack, or handed to the owning proxy lcore), false
 * when no terminated service listens on its port.
 */
bool sl_proxy_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, const uint8_t *ip,
		    const struct sl_ipv4_info *iph, const struct sl_tcp_info *th);

/* Timers of this lcore's stack (once a millisecond, proxy lcores). */
void sl_proxy_tick(struct sl_lcore *lc);

/* `show tcp`: each proxy lcore's stack counters (main lcore). */
void sl_proxy_show(const struct sl_dp *dp, struct sl_outbuf *out);

#endif
