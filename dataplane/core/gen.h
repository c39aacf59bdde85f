/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generation: what the main lcore publishes for the packet lcores to balance with, built
 * from the configuration and the servers' states (controlplane/gen_build.c).
 *
 * Writer: the main lcore builds a generation, publishes it with one pointer store (release) in
 * dp->gen and frees the previous one after an RCU grace period (rte_rcu_qsbr: every worker and
 * proxy lcore reports a quiescent state each loop iteration). Readers: the L4 engine (services,
 * backends) and the HTTP engine (backends) on every worker and proxy lcore, between two
 * quiescent states; they never keep a pointer into a generation across loop iterations. A
 * generation never changes once published.
 *
 * Timeout profiles are the one thing a flow keeps beyond a packet: a flow lives across any
 * number of reloads, so it keeps an index into dp->tmo, a table that only grows (main appends a
 * profile before publishing the generation that uses it; an entry never changes or goes).
 */
#ifndef SL_GEN_H
#define SL_GEN_H

#include <stdint.h>

#include "dataplane/balance/backend.h"
#include "dataplane/stick/stick.h"

struct sl_cfg;

#define SL_MAX_SERVERS 4096 /* server counter slots (gidx) */

/* Timeouts of a `mode tcp` flow in ms, resolved from the frontend and its backend as HAProxy
 * means them. Interned in dp->tmo: a flow keeps the index. */
struct sl_tmo_profile {
	uint32_t connect, established, client_fin, server_fin;
};

#define SL_TMO_PROFILES 1024 /* distinct profiles a process can have in its lifetime */

/* The interned profiles: written by main only (appended before the generation that uses them
 * is published), read by the workers. */
struct sl_tmo_table {
	struct sl_tmo_profile p[SL_TMO_PROFILES];
	uint32_t n;
};

/* A `mode tcp` frontend's listening VIP:port range. */
struct sl_l4_service {
	uint32_t vip;      /* 0: every owned address */
	uint16_t port_lo, port_hi;
	uint16_t backend;  /* index in gen->backends */
	uint16_t tmo;      /* its timeouts: dp->tmo->p[tmo] */
	const char *frontend;
};

/* A stick table of the configuration (a proxy's `stick-table`), by the proxy's name. The table
 * itself is shared with the other generations that have the same definition (a reload keeps
 * its entries): main counts them in t->refs and frees it with the last one. */
struct sl_gen_stk {
	const char *name;
	struct sl_stk_table *t;
};

/* A backend's `stick` rules (the engines' balance pick consults the table first). */
struct sl_gen_stick {
	struct sl_stk_table *t; /* NULL: no stick rule */
	bool match;		/* stick on / stick match: a known client goes to its server */
	bool store;		/* stick on / stick store-request: the server chosen is stored */
};

/* One generation. Immutable once published. */
struct sl_gen {
	struct sl_l4_service *services;
	unsigned nservices;
	struct sl_bal_backend *backends; /* balancing tables (dataplane/balance/backend.h) */
	unsigned nbackends;
	unsigned nservers; /* counter slots: every server's gidx is below (there may be gaps) */
	const struct sl_cfg *cfg; /* the configuration it was built from (names point into it) */
	uint32_t cfg_gen;         /* that configuration's generation (dp->cfg_gen then) */
	struct sl_gen_stk *stk;   /* stick tables, nstk of them */
	unsigned nstk;
	struct sl_gen_stick *be_stick; /* by backend index: nbackends of them */
	/* dport -> service index + 1 for wildcard-address services (0: none) */
	uint16_t port_svc[65536];
};

/* Runtime state of a server (by gidx) given to the builder: health and admin state (checks,
 * the stats socket) and a weight set at run time. */
#define SL_SRV_RT_IN	  0 /* usable: in rotation */
#define SL_SRV_RT_OUT	  1 /* down or in maintenance: no traffic */
#define SL_SRV_RT_PERSIST 2 /* drain: only clients that persist by cookie */
#define SL_SRV_WEIGHT_CFG 0xffff /* weights[]: the configuration's */

/* The backend of @g whose name is @name: the same pointer (names point into the generation's
 * configuration), else equal text (between a reload's publish and an lcore following it).
 * Sets *@idx. NULL when none. Any lcore. */
const struct sl_bal_backend *sl_gen_backend(const struct sl_gen *g, const char *name, int16_t *idx);

/* The stick table of proxy @name in @g, or NULL. Any lcore (a table found in the generation an
 * lcore reads lives at least until its next quiescent state). */
struct sl_stk_table *sl_gen_table(const struct sl_gen *g, const char *name);

/*
 * `stick` at a new connection from @ip of backend @bi (servers @b): the server the client sticks
 * to when one is stored and usable (HAProxy ignores a stored server that is down, and replaces
 * it), through @r (the entry, created when the rules store). Returns the server's index in @b,
 * or -1 (balance, then sl_gen_stick_store()). Any packet lcore.
 */
int sl_gen_stick_match(const struct sl_gen *g, int bi, const struct sl_bal_backend *b, uint32_t ip,
		       uint32_t now, struct sl_stk_ref *r);
/* Stores the server of index @si picked by the balance for the entry @r found by
 * sl_gen_stick_match() (nothing when the rules do not store or no entry was made). Returns the
 * server to use: @si, or the one another lcore stored first for the same client when it is
 * usable (so the first connections of a client agree whichever lcore took them). */
int sl_gen_stick_store(const struct sl_gen *g, int bi, const struct sl_bal_backend *b,
		       struct sl_stk_ref *r, int si);

/* The counter slot (gidx) of server @srv of backend @be in @g, or -1. Any lcore. */
int sl_gen_find_server(const struct sl_gen *g, const char *be, const char *srv);

#endif
