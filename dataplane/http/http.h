/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP/1.1 proxy on the proxy lcores: `mode http` frontends terminated by the lcore's TCP
 * stack, requests routed with dataplane/rules/http_rules.c (ACLs, use_backend, redirects, cookies, header
 * edits) and relayed to a server over a connection the same stack opens from the lcore's
 * local port range. Bodies are streamed (Content-Length, chunked, until close) as the chains
 * of buffers the stack received, never buffered whole; a 101 turns the connection into a
 * tunnel under `timeout tunnel`.
 */
#ifndef SL_HTTPX_H
#define SL_HTTPX_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct sl_dp;
struct sl_lcore;
struct sl_outbuf;
struct sl_cfg;
struct sl_tls_ctx;
struct sl_tls_tickets;

/* HTTP counters of one proxy lcore for one proxy (frontend or backend), by proxy counter slot
 * (struct sl_proxy's slot, stable across reloads). */
#define SL_HX_TIME_SAMPLES 512 /* HAProxy's TIME_STATS_SAMPLES */

/* Sliding averages of a backend's or a server's transactions (ms; sum of the last samples, see
 * time_add() in dataplane/http/counters.c): queue, connect, response and total time. */
struct sl_hx_times {
	uint32_t q, c, r, t;
	uint64_t n; /* samples (a sum over lcores adds min(n, SL_HX_TIME_SAMPLES) of each) */
};

struct sl_hx_pxctr {
	uint64_t stot, ended; /* sessions (frontend) */
	uint64_t bin, bout;   /* bytes from / to the clients */
	uint64_t req_tot;     /* requests (frontend: received; backend: forwarded) */
	uint64_t hrsp[6];     /* responses by class: 1xx..5xx, other */
	uint64_t ereq;	      /* request errors (400, 408) */
	uint64_t cli_abrt, srv_abrt; /* backend: transactions cut short by a client / a server */
	uint64_t dreq;	      /* frontend: requests denied by a rule (and proxied TCP connections
			       * rejected by tcp-request content) */
	uint64_t dcon;	      /* frontend: connections rejected by tcp-request connection */
	uint64_t intercepted; /* frontend: requests answered by a rule or the frontend itself
			       * (redirects, monitor-uri), HAProxy's intercepted_req */
	uint64_t econ, eresp; /* backend: failed connections to servers, failed responses */
	uint64_t wretr, wredis; /* backend: connection retries, redispatches */
	int64_t qcur;	      /* backend: requests waiting for a server slot on this lcore */
	struct sl_hx_times tm; /* backend */
};

/* HTTP counters of one proxy lcore for one server, by server counter slot. */
struct sl_hx_srvctr {
	uint64_t hrsp[6];
	uint64_t bin, bout; /* bytes from / to the clients of its transactions */
	uint64_t req_tot;   /* transactions it served */
	uint64_t econ, eresp, wretr, wredis;
	uint64_t cli_abrt, srv_abrt;
	struct sl_hx_times tm;
};

/* What the proxy lcores' HTTP engines share (dp->http). Written by main before the loops;
 * read-only after (the ticket keys inside rotate under their own sequence locks). */
struct sl_http_shared {
	struct sl_tls_tickets *tickets; /* session ticket keys of every lcore's contexts */
	unsigned lst_cap;               /* listener slots of each lcore (a reload may add ports) */
};

/* One ssl bind's new contexts for one lcore (SL_MSG_CERTS), matched to its listeners by address
 * and port. */
struct sl_http_cert {
	uint32_t addr;
	bool any;
	uint16_t port_lo, port_hi;
	struct sl_tls_ctx *ctx;
};
struct sl_http_certs {
	unsigned n;
	struct sl_http_cert e[];
};

/* Main lcore, before the loops: what the lcores share (ticket keys when a bind is ssl, the
 * listener slots). Returns 0 or -1. */
int sl_http_init(struct sl_dp *dp, const struct sl_cfg *cfg);
void sl_http_fini(struct sl_dp *dp);

/*
 * Main lcore, before the loops, after the lcore's stack exists: sets up @lc's HTTP frontends of
 * @cfg (listeners, the certificates of ssl binds) and its sessions (its share of global
 * maxconn), and registers its role: timers, reload following, `reset server`, queries
 * (SL_QUERY_HTTP_SESS, SL_QUERY_HTTP_ERRORS) and new certificates. Nothing when @cfg has no HTTP
 * frontend. Returns 0 or -1 (printed).
 */
int sl_http_lcore_init(struct sl_dp *dp, struct sl_lcore *lc, const struct sl_cfg *cfg);
void sl_http_lcore_fini(struct sl_lcore *lc);

/*
 * Main lcore, before a reload is applied: whether the proxy lcores can follow @cfg (listener
 * slots for its HTTP ports; an HTTP engine at all). Returns 0, or -1 with the reason in @out.
 */
int sl_http_reload_check(const struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_outbuf *out);

/*
 * Reloads the certificates of every `ssl` bind of @cfg from disk (main lcore: `reload certs`,
 * SIGHUP): every lcore's contexts are loaded first, and one unreadable or invalid file refuses
 * the whole reload (the current ones keep serving); then each proxy lcore gets its set and
 * switches at its next tick. Established connections keep the certificates they started with.
 * Returns 0 or -1; says what it did in @out, a failure as "@refusal: why" (`reload certs`:
 * "reload refused", which sluicectl turns into exit status 1; a reload that already applied
 * says the certificates were not reloaded).
 */
int sl_http_reload_certs(struct sl_dp *dp, const struct sl_cfg *cfg, const char *refusal,
			 struct sl_outbuf *out);

/*
 * Loads every `ssl` bind's certificates once to check them (sluiced -c, and at start before
 * anything else runs); each problem is printed as "FILE:LINE: bind: reason". Returns the
 * number of binds that failed.
 */
int sl_http_check_certs(const struct sl_cfg *cfg);

/*
 * TLS towards `ssl` servers (srvtls.c, main lcore). sl_http_srv_tls_build() gives every `ssl`
 * server of a mode http backend of @cfg its @nlc contexts (one per proxy lcore), reading its
 * ca-file, before @cfg is published; returns 0, or -1 with each problem printed as
 * "FILE:LINE: server 'NAME': reason" and nothing built. sl_http_srv_tls_free() drops them once
 * @cfg retired (@nlc as built). sl_http_check_srv_tls() builds each once to check it (sluiced
 * -c, reload) and returns the number that failed.
 */
int sl_http_srv_tls_build(struct sl_cfg *cfg, unsigned nlc);
void sl_http_srv_tls_free(struct sl_cfg *cfg, unsigned nlc);
int sl_http_check_srv_tls(const struct sl_cfg *cfg);

/*
 * Adds @lc's HTTP counters to @sum: @pxc indexed by proxy counter slot (@npx entries, at most
 * SL_PX_SLOTS + 1), @srv by server counter slot (SL_MAX_SERVERS entries). Any lcore: the
 * counters are only written by their lcore; a read may be a moment old.
 */
void sl_http_sum(const struct sl_lcore *lc, struct sl_hx_pxctr *pxc, unsigned npx,
		 struct sl_hx_srvctr *srv);

/* An lcore's session and buffer figures (counters: any lcore). False when it has no engine. */
struct sl_http_stats {
	unsigned active, sessions, bufs_free, bufsize, queued;
	uint64_t queued_total, queue_timeouts;
	size_t sess_size;
};
bool sl_http_stats(const struct sl_lcore *lc, struct sl_http_stats *st);

#endif
