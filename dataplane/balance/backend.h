/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The balancing tables of one backend: its servers as the picker sees them, the servers in
 * rotation, the smooth weighted round-robin schedule over them and their Maglev table. One
 * builder for both engines (the L4 NAT path and the HTTP proxy lcores), read by
 * dataplane/balance/pick.h.
 *
 * Who decides what: the caller (the generation builder on the main lcore) decides each server's
 * state (usable, drain, backup, weight: configuration, health checks, `set server`); this module
 * decides the rotation from those states, HAProxy's way:
 *   - a server is in rotation when it is usable, not draining and of weight > 0 (HAProxy's
 *     srv_currently_usable(): weight 0 drains like `set server ... state drain`);
 *   - backups are in rotation only when no active server is (HAProxy's "backup" server option):
 *     the first usable one in configuration order, or every usable one with `option
 *     allbackups` (struct sl_bal_opts).
 *
 * Sharing: built on the main lcore into a generation that workers read after it is published
 * (RCU); immutable from then on, so any lcore may read it without a lock. Freed by the main
 * lcore once no worker can see it.
 *
 * Pure C: no DPDK, no configuration include; tests/unit/dataplane/balance/test_backend.c.
 */
#ifndef SL_BAL_BACKEND_H
#define SL_BAL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_maglev;
struct sl_tls_client_ctx;
struct sl_srv_tls;

/*
 * The balance algorithm of a backend, as the picker tells them apart. The values are those of
 * enum sl_balance in controlplane/cfg/cfg-t.h, one for one, so the generation builder passes
 * the configuration's value through a cast (this module may not include the configuration:
 * tests/unit/dataplane/balance/test_backend.c asserts the two enums agree). A value the picker
 * does not know (an algorithm added to the configuration first) hashes the 5-tuple through
 * Maglev, as the L4 path always did for unknown algorithms.
 */
enum sl_bal_algo {
	SL_BAL_ALGO_ROUNDROBIN, /* the schedule (sluice's roundrobin is static, as static-rr) */
	SL_BAL_ALGO_STATIC_RR,	/* the schedule */
	SL_BAL_ALGO_LEASTCONN,	/* fewest active connections per unit of weight */
	SL_BAL_ALGO_FIRST,	/* the first server in rotation with a free slot */
	SL_BAL_ALGO_SOURCE,	/* Maglev on the client address hash */
	SL_BAL_ALGO_URI,	/* Maglev on the path hash (sl_pick_hash_uri()) */
	SL_BAL_ALGO_RANDOM,	/* the least loaded of `draws` servers Maglev gives for random keys */
	SL_BAL_ALGO_HDR,	/* Maglev on a header's hash (hash_uri), roundrobin without it */
};

#define SL_BAL_MAX_SERVERS 65534u /* a server index fits a Maglev entry (SL_MAGLEV_MAX_SERVERS) */
#define SL_BAL_SCHED_MAX   (1u << 24) /* schedule entries (32 MiB): beyond, the build refuses */

/* One server of a backend, as the picker and the engines see it. */
struct sl_bal_server {
	uint32_t ip;	 /* IPv4 address, as the configuration holds it */
	uint16_t port;	 /* 0: the client's destination port */
	uint16_t weight; /* relative weight; 0 drains (never in rotation) */
	uint16_t gidx;	 /* its counter slot: index into per-lcore arrays (active, counters) */
	bool usable;	 /* may take traffic: up and not in maintenance */
	bool drain;	 /* no new traffic; clients that persist by cookie still reach it */
	bool backup;	 /* takes traffic only when no active server is in rotation */
	bool shutdown_on_down; /* `on-marked-down shutdown-sessions` (the engines act on it) */
	const char *name;      /* the server's name; never NULL */
	const char *cookie;    /* `cookie VALUE` (HTTP persistence), or NULL */
	uint32_t maxconn;      /* concurrent connections for the whole process, 0 = unlimited */
	uint32_t src;          /* `source ADDR`: the only local address towards it (an owned one);
				* 0: the pool of the route to it (dataplane/core/route.h) */
	/* `ssl` (HTTP engine): its TLS contexts by proxy lcore and its TLS settings (both owned
	 * by the configuration), or NULL */
	struct sl_tls_client_ctx *const *tls;
	const struct sl_srv_tls *tlsp;
	/* `send-proxy` / `send-proxy-v2` (SL_SEND_PROXY_* bits) and `proxy-v2-options` (SL_PP2O_*
	 * bits): the proxy engines write a PROXY header first on each connection to it */
	uint8_t send_proxy, pp_opts;
};

/* The balancing tables of one backend. Immutable once built. */
struct sl_bal_backend {
	const char *name;
	enum sl_bal_algo balance;
	uint16_t id;		       /* the caller's stable id of the backend (per-lcore cursors) */
	uint8_t draws;		       /* random: servers drawn per pick (at least 1) */
	uint16_t nservers;
	struct sl_bal_server *servers; /* nservers, in configuration order (the caller's order) */
	/* in rotation: indexes into servers[], in configuration order */
	uint16_t *rot;
	uint16_t nrot;
	/* smooth weighted round-robin order over rot (indexes into servers[]): one period of the
	 * sequence, sum of the weights in rotation divided by their greatest common divisor */
	uint16_t *sched;
	uint32_t nsched;
	/* Maglev over every server, those out of rotation with weight 0: an entry is an index into
	 * servers[] of a server in rotation, or SL_MAGLEV_NONE when nothing is in rotation */
	struct sl_maglev *maglev;
};

/*
 * Builds into @b the tables of backend @name (algorithm @balance) from its @n servers @in, whose
 * usable, drain, backup and weight fields are already decided. @b is overwritten (its previous
 * content is not freed). Computes:
 *   - servers: a copy of @in (the strings are not copied: @name and each server's name and
 *     cookie must outlive @b; they point into the configuration generation);
 *   - rot: the servers in rotation (see the head comment), in the order of @in;
 *   - sched: the smooth weighted round-robin order over rot (the one nginx uses: each turn
 *     every server gains its weight, the richest is picked and pays the total; ties go to the
 *     first in rotation), so that a heavy server's turns are spread evenly. Weights are first
 *     divided by their greatest common divisor, which gives the same sequence, shorter;
 *   - maglev: the Maglev table (dataplane/balance/maglev.h) of every server keyed
 *     "@name/server name", weighted by its weight when in rotation and 0 otherwise, of
 *     sl_maglev_size_for(@n) entries: a server keeps its slots when others come and go.
 *
 * Returns 0; -EINVAL when @b or @name is NULL, @in is NULL with @n > 0 or a server's name is
 * NULL; -E2BIG when @n > SL_BAL_MAX_SERVERS or the schedule would exceed SL_BAL_SCHED_MAX
 * entries; -ENOMEM. On error @b is zeroed (nothing to free). Afterwards the caller owns @b's
 * tables: sl_bal_backend_free().
 *
 * Main lcore (allocates with malloc). Cost: the Maglev build (about 1 ms up to 655 servers,
 * maglev.h), plus one step per schedule entry and distinct weight in rotation
 * (tools/bench/bench_pick.c measures both).
 */
int sl_bal_backend_build(struct sl_bal_backend *b, const char *name, enum sl_bal_algo balance,
			 const struct sl_bal_server *in, unsigned n);

/* Options of a build: the backend's stable @id (kept in b->id), and whether every usable backup
 * is in rotation when no active server is (`option allbackups`) or only the first one
 * (HAProxy's default). */
struct sl_bal_opts {
	uint16_t id;
	bool all_backups;
	uint8_t draws; /* balance random: draws per pick; 0 is taken as 2 (HAProxy's default) */
};

/* sl_bal_backend_build() with options; sl_bal_backend_build() is this with id 0 and every
 * backup. Same returns. */
int sl_bal_backend_build_opts(struct sl_bal_backend *b, const char *name, enum sl_bal_algo balance,
			      const struct sl_bal_server *in, unsigned n, const struct sl_bal_opts *o);

/*
 * Frees the tables of @b and zeroes it (@b itself is the caller's). Accepts NULL and a zeroed
 * backend. Main lcore, once no worker can read @b.
 */
void sl_bal_backend_free(struct sl_bal_backend *b);

/*
 * The index in @b->servers of the server whose cookie value is the @len bytes at @ck (not
 * NUL-terminated), or -1 when none has it (or @b is empty). Every server is searched, usable or
 * not: the caller decides (HAProxy ignores a cookie naming a server that is down, and honours
 * one naming a draining server). Any lcore; O(servers), no allocation.
 */
int sl_bal_backend_find_cookie(const struct sl_bal_backend *b, const char *ck, size_t len);

/*
 * The index in @b->servers of the server of counter slot @gidx, or -1 when none has it. For a
 * retry to the same server and for avoid sets. Any lcore; O(servers), no allocation.
 */
int sl_bal_backend_find_gidx(const struct sl_bal_backend *b, uint16_t gidx);

#endif
