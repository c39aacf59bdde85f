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

#include <stdint.h>

struct sl_dp;
struct sl_lcore;
struct sl_outbuf;

/* Local ports of the proxy lcores' server connections, shared out among them. */
#define SL_HX_LPORT_LO 16384
#define SL_HX_LPORT_HI 32767

/* HTTP counters of one proxy lcore for one proxy (frontend or backend), by proxy counter slot
 * (struct sl_proxy's slot, stable across reloads). */
#define SL_HX_TIME_SAMPLES 512 /* HAProxy's TIME_STATS_SAMPLES */

/* Sliding averages of a backend's or a server's transactions (ms; sum of the last samples, see
 * time_add() in httpx.c): queue, connect, response and total time. */
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
	uint64_t dreq;	      /* frontend: requests denied by a rule */
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

/* Sessions (client connections) one proxy lcore serves at once; beyond, refused (counted). */
#define SL_HX_SESSIONS 4096

/* Sets up this proxy lcore's HTTP frontends (listeners) and sessions. Main lcore, after the
 * lcore's stack exists. Returns 0 or -1 (printed). */
int sl_httpx_init(struct sl_dp *dp, struct sl_lcore *lc);
void sl_httpx_fini(struct sl_lcore *lc);

/*
 * Proxy lcore, at the tick that finds a generation @c of another configuration than lc->cfg
 * (a reload): points the listeners and sessions at @c's configuration by name, opens its new
 * plain HTTP ports and closes the ones that went. Called before lc->cfg follows.
 */
struct sl_l4_conf;
void sl_httpx_take_cfg(struct sl_lcore *lc, const struct sl_l4_conf *c);

/* How many sessions still point into an earlier configuration (their frontend, backend or
 * server is gone: they keep it until they end). */
unsigned sl_httpx_stale(const struct sl_lcore *lc);

/* Timers of the sessions (once a millisecond). */
void sl_httpx_tick(struct sl_lcore *lc);

/*
 * Reloads the certificates of every `ssl` bind from disk (main lcore: `reload certs`, SIGHUP):
 * all are loaded first, and one unreadable or invalid file refuses the whole reload (the
 * current ones keep serving); then each proxy lcore switches at its next tick. Established
 * connections keep the certificates they started with. Returns 0 or -1; says what it did in
 * @out.
 */
int sl_httpx_reload_certs(struct sl_dp *dp, struct sl_outbuf *out);

/*
 * Loads every `ssl` bind's certificates once to check them (sluiced -c, and at start before
 * anything else runs); each problem is printed as "FILE:LINE: bind: reason". Returns the
 * number of binds that failed.
 */
struct sl_cfg;
int sl_httpx_check_certs(const struct sl_cfg *cfg);

/*
 * Ends every session of this lcore that is talking to server @gidx (`shutdown sessions
 * server`, `on-marked-down shutdown-sessions`): both connections closed at once, so that
 * clients reconnect to another server.
 */
void sl_httpx_reset_server(struct sl_lcore *lc, uint16_t gidx);

/*
 * Adds this lcore's HTTP counters to @sum: @pxc indexed by proxy counter slot (@npx entries,
 * at most SL_PX_SLOTS + 1), @srv by server counter slot (SL_L4_MAX_SERVERS entries). Main lcore
 * or a stats page (the counters are only written by their lcore; a read may be a moment old).
 */
void sl_httpx_sum(const struct sl_lcore *lc, struct sl_hx_pxctr *pxc, unsigned npx,
		  struct sl_hx_srvctr *srv);

/* `show errors`: the last requests each proxy lcore refused as malformed (400), with their
 * first bytes and the parser's reason (main lcore; an entry being rewritten is skipped). */
void sl_httpx_show_errors(const struct sl_dp *dp, struct sl_outbuf *out);

/* `show sess`: up to @max live HTTP sessions of the proxy lcores, one line each (client,
 * frontend, backend, server, phases, age). Returns how many were written. Main lcore. */
unsigned sl_httpx_show_sess(const struct sl_dp *dp, struct sl_outbuf *out, unsigned max);

/* `show pools`: the proxy lcores' session and head buffer pools. Main lcore. */
void sl_httpx_show_pools(const struct sl_dp *dp, struct sl_outbuf *out);

/* `show sess` summary of the proxy lcores (main lcore). */
void sl_httpx_show(const struct sl_dp *dp, struct sl_outbuf *out);

#endif
