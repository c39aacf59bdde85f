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

/* ------------------------------------------------------------------ HTTP health checks */

/* Local ports of HTTP checks: proxy lcore i owns SL_HCHK_PORT_LO + i * SL_HCHK_SLOTS, ... */
/* Received mbufs one proxy lcore's TCP stack may hold as payload (beyond: copied); the
 * packet pool is sized with this many more per proxy lcore. */
#define SL_PROXY_EXT_MAX 2048

#define SL_HCHK_PORT_LO 62100
#define SL_HCHK_SLOTS 64

struct sl_httpchk;

/* main -> proxy lcore: one HTTP check (`option httpchk`) */
struct sl_hchk_req {
	uint32_t ip;
	uint16_t port;
	uint16_t id;            /* caller's server id */
	uint32_t timeout_ms;
	uint32_t srv_down;      /* the server is DOWN (disable-on-404 only applies when not) */
	const struct sl_httpchk *chk; /* the backend's expectations (immutable config) */
	const char *text;       /* the request, kept alive by the caller */
	uint32_t text_len;
	uint32_t cfg_gen;       /* the configuration generation of @chk and @text */
};

/* proxy lcore -> main */
struct sl_hchk_res {
	uint16_t id;
	uint8_t status;         /* enum sl_check_status */
	uint8_t pad;
	int32_t code;           /* HTTP status, 0 when none */
};

/* Main lcore: sends an HTTP check to a proxy lcore. Returns 0, -ENOBUFS or -ENODEV (no proxy). */
int sl_proxy_hcheck_request(struct sl_dp *dp, const struct sl_hchk_req *req);

/* Main lcore: takes up to @n results. Returns how many. */
unsigned sl_proxy_hcheck_results(struct sl_dp *dp, struct sl_hchk_res *res, unsigned n);

/* A reload: the ports @cfg's proxy lcores terminate (HTTP frontends, stats pages on dataplane
 * addresses, built-in services) are steered to them (dp->svc_ports value 1); ports that went
 * stay steered for the connections already accepted. Main lcore. */
struct sl_cfg;
void sl_proxy_mark_ports(struct sl_dp *dp, const struct sl_cfg *cfg);

/* Timers of this lcore's stack (once a millisecond, proxy lcores). */
void sl_proxy_tick(struct sl_lcore *lc);

/* `show tcp`: each proxy lcore's stack counters (main lcore). */
void sl_proxy_show(const struct sl_dp *dp, struct sl_outbuf *out);

#endif
