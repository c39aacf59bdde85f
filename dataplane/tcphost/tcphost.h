/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP host of the proxy lcores: one userspace TCP stack per proxy lcore (dataplane/tcp/),
 * its environment (transmit mbufs, the TSC clock, randomness), and the steering of the segments
 * of connections sluice terminates to the lcore whose stack holds them. The engines that serve
 * those connections (the HTTP engine, the stats page, the built-in services, HTTP checks) use
 * the stack of their lcore (lc->tcp).
 *
 * A client connection belongs to one proxy lcore, chosen by a hash of the client
 * address and port; a connection sluice opens (to a server, a check) uses a local port of its
 * lcore's own range, so the reply's destination port names the lcore. A segment that arrives on
 * another lcore is handed to the owner through its ring.
 */
#ifndef SL_TCPHOST_H
#define SL_TCPHOST_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct sl_outbuf;

struct sl_cfg;
struct sl_dp;
struct sl_lcore;
struct sl_ipv4_info;
struct sl_tcp_info;
struct sl_tcp_stats;

/* Received mbufs one proxy lcore's TCP stack may hold as payload (beyond: copied); the packet
 * pool is sized with this many more per proxy lcore. */
#define SL_PROXY_EXT_MAX 2048

/* What a destination port is for (sl_tcphost_shared.use). */
enum sl_th_use {
	SL_TH_NONE = 0,
	SL_TH_LISTEN = 1, /* a terminated service listens: the client's hash picks the lcore */
	SL_TH_CHECK = 2,  /* an HTTP check's local port: the lcore that owns it */
	SL_TH_SERVER = 3, /* a server connection's local port: the lcore that owns it */
};

/* What the lcores share (dp->th). Written by main (before the loops, and `use` bytes set to
 * SL_TH_LISTEN by a reload, never cleared); read by every worker. */
struct sl_tcphost_shared {
	uint8_t *use;           /* 65536 bytes: enum sl_th_use by destination port */
	uint32_t max_conns;     /* each stack's connections (sl_tcphost_size()) */
	uint32_t http_sessions; /* each lcore's HTTP sessions */
	uint32_t max_listeners; /* each stack's listeners: twice the start's, 1024 at least */
};

/*
 * The size of each proxy lcore's stack for @cfg with @nproxies proxy lcores: the process's
 * client connections (global maxconn) shared out among the proxy lcores (*@clients), as many
 * server-side connections, TIME_WAIT room, the HTTP checks' and stats pages' slots, and the
 * built-in services. Pure.
 */
uint32_t sl_tcphost_size(const struct sl_cfg *cfg, unsigned nproxies, uint32_t *clients);

/*
 * Creates the proxy lcores' stacks (sized by sl_tcphost_size()), registers their role (the
 * stack's timers), listens for the built-in services and steers every port @cfg terminates.
 * Main lcore, before the loops, after the lcores' roles are set. Returns 0 or -1 (printed).
 */
int sl_tcphost_init(struct sl_dp *dp, const struct sl_cfg *cfg);
void sl_tcphost_fini(struct sl_dp *dp);

/*
 * A TCP segment to an owned address that no L4 service or flow took (worker lcore). Returns true
 * when it was consumed (fed to this lcore's stack, or handed to the owning proxy lcore), false
 * when no terminated service listens on its port.
 */
bool sl_tcphost_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, const uint8_t *ip,
		      const struct sl_ipv4_info *iph, const struct sl_tcp_info *th);

/*
 * An ICMP "fragmentation needed" (type 3 code 4) quoting a segment of a connection sluice
 * terminates (worker lcore): handed to the proxy lcore that holds it, whose stack lowers the
 * connection's segment size (sl_tcp_pmtu(): only for a sequence number in flight). Counted in
 * tcp_pmtu_lowered or drop_icmp_frag_needed_ignored. Returns false for any other message (the
 * caller drops it).
 */
bool sl_tcphost_icmp_error(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m,
			   const uint8_t *ip, const struct sl_ipv4_info *iph);

/* The ports @cfg's proxy lcores terminate (HTTP frontends, stats pages on dataplane addresses,
 * built-in services) are steered to them; ports that went stay steered for the connections
 * already accepted. Main lcore (at start and before a reload's publish). */
void sl_tcphost_mark_ports(struct sl_dp *dp, const struct sl_cfg *cfg);

/* 0 when @cfg's listeners (HTTP frontends, stats pages, services) fit each proxy lcore's stack,
 * else -1 with "reload refused: ..." in @out. Main lcore, before a reload applies. */
int sl_tcphost_reload_check(const struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_outbuf *out);

/* Whether bind address @ip (0: any) is on the dataplane (else the kernel serves it). */
bool sl_tcphost_bind_owned(const struct sl_dp *dp, uint32_t ip, bool any);

/* A proxy lcore's stack counters (any lcore: plain loads). False when it has no stack. */
bool sl_tcphost_stats(const struct sl_lcore *lc, struct sl_tcp_stats *out);

#endif
