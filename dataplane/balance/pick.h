/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server picker: one choice of server for both engines, the L4 NAT path (a new flow) and the
 * HTTP proxy lcores (a request), over the tables of dataplane/balance/backend.h.
 *
 * What the picker reads, and who owns it:
 *   - the backend's tables (immutable, shared by every lcore);
 *   - a cursor (struct sl_pick_cursor), the only state the picker writes: one per lcore AND per
 *     backend, owned by that lcore. Sharing one cursor between backends breaks the balance: with
 *     two backends of two servers picked in turn, each backend would always get the same server
 *     (its cursor always lands on the same parity);
 *   - the counts of active connections per counter slot (gidx) of every lcore that balances
 *     (struct sl_pick_counts), whose sums leastconn compares and maxconn limits. The picker never
 *     changes them: each lcore counts its own connections once made and uncounts them when they
 *     end (sl_pick_count_add/sub), and the picker reads the others' with relaxed loads;
 *   - the hashes of what is being balanced, computed by the caller (only the one the backend's
 *     algorithm reads needs to be set);
 *   - an avoid set: servers to leave out if possible (HAProxy's srvtoavoid, the server that
 *     failed before a redispatch).
 *
 * maxconn is a whole-process limit and leastconn compares whole-process counts (HAProxy's): a
 * server's count is the sum over the lcores that balance of each one's own count, read when a
 * connection is being placed (one load per lcore and server considered; never per packet). No
 * lcore tells the others anything: two lcores that both see the last free slot at the same
 * instant both take it, so a server may exceed its maxconn by at most (lcores - 1) for as long
 * as those connections last, and two lcores may pick the same least loaded server at once.
 * Beyond SL_PICK_EXACT_MAX lcores the sums cost more than a pick should (tools/bench/bench_pick.c,
 * docs/performance.md) and the picker falls back to shares: each lcore gives a server at most
 * ceil(maxconn / lcores) connections and leastconn compares the lcore's own counts (then the
 * process may exceed maxconn by one per lcore when maxconn < lcores, and an lcore may refuse
 * while another has room).
 *
 * The results, and what the engines do with them (HAProxy's behaviour):
 *   SL_PICK_OK    a server was chosen;
 *   SL_PICK_NONE  nothing is in rotation: HTTP answers 503, L4 drops the SYN;
 *   SL_PICK_FULL  servers are in rotation but none has a free slot under its maxconn (or the one
 *                 a hash names has none): HTTP queues the request (`timeout queue`), L4 refuses.
 *
 * Pure C: no DPDK, no allocation; tests/unit/dataplane/balance/test_pick.c,
 * tools/bench/bench_pick.c.
 */
#ifndef SL_BAL_PICK_H
#define SL_BAL_PICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/balance/backend.h"

/* An lcore's position in one backend's rotation. Zero it to start; any value is valid. */
struct sl_pick_cursor {
	uint64_t rr;
};

/* Above this many lcores, shares instead of sums (see above): at 64 lcores a sum is 64 loads of
 * lines other cores write, per server considered. */
#ifndef SL_PICK_EXACT_MAX /* (tools/bench/bench_pick.c raises it, to measure the sums) */
#define SL_PICK_EXACT_MAX 16
#endif

/*
 * The active connections of the lcores that balance, per counter slot (gidx). Array lc[i] is
 * lcore i's own: written by that lcore alone (sl_pick_count_add/sub: a relaxed atomic store of
 * its new value, so that no reader sees a torn one), read by every lcore of the set with relaxed
 * atomic loads (sl_pick_count()). A count read from another lcore may be a moment old.
 */
struct sl_pick_counts {
	const uint32_t *const *lc; /* @n arrays, each with at least one entry above the largest
				    * gidx of the backend; NULL counts 0 everywhere */
	unsigned n;                /* lcores that balance; 0 is taken as 1 */
	unsigned self;             /* the calling lcore's index in lc[] (used for shares only) */
};

/* What a pick depends on besides the backend and the cursor. */
struct sl_pick_in {
	struct sl_pick_counts active;
	uint32_t hash_src;     /* balance source: sl_flow_hash_src() of the client address */
	uint32_t hash_uri;     /* balance uri: sl_pick_hash_uri() of the request's URI; balance
				* hdr: of the header's value */
	bool no_hash;	       /* balance hdr: the request has no such header (roundrobin) */
	uint32_t hash5;	       /* any other algorithm that hashes (L4: sl_flow_hash5()) */
	const uint16_t *avoid; /* counter slots (gidx) to leave out if possible, or NULL */
	unsigned navoid;
};

enum sl_pick_res {
	SL_PICK_OK,   /* *srv holds the chosen server's index in b->servers */
	SL_PICK_NONE, /* no server in rotation */
	SL_PICK_FULL, /* servers in rotation, none of those that may be chosen has a free slot */
};

/*
 * Chooses the server of @b for a new connection (L4: a flow; HTTP: a request that does not
 * persist). Servers out of rotation are never chosen, servers without a free slot
 * (sl_pick_has_slot()) never either. By algorithm:
 *   - roundrobin, static-rr: the next server of the smooth weighted schedule from @cur, skipping
 *     those without a slot (3:1 weights give 6 and 2 of 8 picks, spread: a a b a);
 *   - leastconn: the fewest active connections (process-wide sums) per unit of weight (compared
 *     without division),
 *     equals broken by the cursor, which moves on at each pick, so equal servers alternate;
 *   - first: the first server in rotation (configuration order, backups last) with a free slot;
 *     weights are ignored (HAProxy's `first`);
 *   - random: HAProxy's random(N): Maglev (weighted) for N keys drawn from the cursor (a
 *     splitmix64 state per lcore and backend, mixed with @in->hash5), the least loaded of the
 *     servers drawn (leastconn's comparison) kept; draws without a free slot or avoided are
 *     passed over, and when all are, leastconn decides (FULL when no server has a slot);
 *   - source, uri, any other: the server Maglev gives for @in->hash_src, @in->hash_uri or
 *     @in->hash5. A hash names one server: when it has no free slot the result is SL_PICK_FULL
 *     (HTTP waits for that server) rather than another server.
 * The avoid set (@in->avoid): an avoided server is chosen only when no other server in rotation
 * may be (HAProxy's srvtoavoid: still better than nothing). For the schedule, leastconn and
 * first that means no other has a free slot; for a hash, an avoided server gives way to the
 * next one in rotation that is not avoided (then FULL if that one has no slot), and stays when
 * every server in rotation is avoided.
 *
 * Returns SL_PICK_OK with *@srv set, or SL_PICK_NONE / SL_PICK_FULL (*@srv untouched). Moves
 * @cur (schedule, leastconn) when it returns SL_PICK_OK (random: at every call). Does not count
 * the connection: the caller counts it in its own array (sl_pick_count_add()) once it uses the server.
 *
 * Any lcore, on its own cursor; no allocation, no lock. Cost: one schedule entry or one Maglev
 * read when the servers have room; a pass over the rotation for leastconn (first: up to the
 * first server with room); up to one period of the schedule when servers are full; one load
 * per lcore for each server considered whose maxconn is set (each server of the rotation for
 * leastconn) (tools/bench/bench_pick.c).
 */
enum sl_pick_res sl_pick_server(const struct sl_bal_backend *b, struct sl_pick_cursor *cur,
				const struct sl_pick_in *in, uint16_t *srv);

/*
 * Whether server @s has a free slot, given the lcores' counts @c: true when it has no maxconn, or
 * when the sum of the counts of its gidx < maxconn (beyond SL_PICK_EXACT_MAX lcores: when the
 * calling lcore's own count < ceil(maxconn / lcores)). For cookie persistence and retries to the
 * same server, which do not go through sl_pick_server(). Any lcore of the set; pure.
 */
bool sl_pick_has_slot(const struct sl_bal_server *s, const struct sl_pick_counts *c);

/* Server counter slot @gidx's active connections in the whole process: the sum of @c's counts
 * (beyond SL_PICK_EXACT_MAX lcores: the calling lcore's own). Any lcore of the set. */
uint32_t sl_pick_count(const struct sl_pick_counts *c, uint16_t gidx);

/* The owner of counts @own (its lcore only) counts a connection of server slot @gidx made... */
static inline void sl_pick_count_add(uint32_t *own, uint16_t gidx)
{
	__atomic_store_n(&own[gidx], own[gidx] + 1, __ATOMIC_RELAXED);
}

/* ... and uncounts it when it ends (never below 0). */
static inline void sl_pick_count_sub(uint32_t *own, uint16_t gidx)
{
	if (own[gidx] > 0)
		__atomic_store_n(&own[gidx], own[gidx] - 1, __ATOMIC_RELAXED);
}

/*
 * The hash `balance uri [len N] [depth N] [whole]` balances on (HAProxy's meaning), over the
 * @len bytes at @uri: the request's path followed by '?' and its query when it has one (they are
 * contiguous in the request line). What is hashed is the part before the '?' (the whole of it
 * with @whole), cut after @max_len bytes (0: no limit) and before the slash that opens directory
 * level @depth + 1 (0: no limit): with depth 2, "/a/b/c/d" hashes "/a/b". Mixed in every bit, so
 * that Maglev's lookup (which uses the high bits) spreads it. Any lcore; pure; one pass.
 */
uint32_t sl_pick_hash_uri(const char *uri, size_t len, unsigned max_len, unsigned depth,
			  bool whole);

#endif
