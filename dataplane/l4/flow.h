/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker connection table of the L4 full-NAT path.
 *
 * A flow has two keys, one per direction:
 *
 *   k[SL_FLOW_DIR_CLIENT]  cip:cport -> VIP:vport   (as the client sends it)
 *   k[SL_FLOW_DIR_SERVER]  sip:sport -> lip:lport   (as the server sends it; lip:lport is the SNAT
 *                                                    address the worker chose)
 *
 * and a packet from either side finds the flow, and which side it came from, with one lookup.
 *
 * Ownership: one table per worker lcore; only that lcore calls any function below on it (no locks,
 * no atomics). The main lcore may read the counters of struct sl_flow_table (plain loads; they may
 * lag). The caller provides the memory (sl_flow_table_bytes()); nothing is allocated afterwards.
 *
 * Design (details in flow.c):
 *   - the index is a bucketized cuckoo hash: buckets of 8 slots in one 64-byte line, each slot a
 *     16-bit signature and a 32-bit reference (flow index << 1 | direction). A key has two
 *     candidate buckets; the second is derived from the first and the signature alone
 *     (partial-key cuckoo), so entries can be moved without reading their flow. The table is sized
 *     for at most 50% slot load (2 keys per flow), so about 98% of the keys sit in their first
 *     bucket: a hit reads one bucket line and one flow line. Deleting clears a slot: no tombstones.
 *   - flows live in a preallocated array of 64-byte lines with a LIFO free list (the last freed,
 *     still warm in cache, is reused first).
 *   - timeouts are an absolute expire_ms per flow: lookups treat an expired flow as absent,
 *     an incremental sweep (a clock hand over the array) frees expired flows with a bounded
 *     amount of work per call, and an insert reclaims the expired flows it runs into.
 */
#ifndef SL_FLOW_H
#define SL_FLOW_H

#include <stddef.h>
#include <stdint.h>

#define SL_FLOW_CACHE_LINE 64
#define SL_FLOW_BUCKET_SLOTS 8
#define SL_FLOW_MAX_FLOWS (1u << 26) /* largest max_flows accepted by sl_flow_table_init() */

/*
 * One direction of a flow, host byte order. @pad is ignored (neither hashed nor compared), so a
 * key built on the stack need not clear it. 16 bytes.
 */
struct sl_flow_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t pad[3];
};

enum sl_flow_dir { SL_FLOW_DIR_CLIENT = 0, SL_FLOW_DIR_SERVER = 1 };

enum sl_flow_state {
	SL_FLOW_SYN_SENT,
	SL_FLOW_ESTABLISHED,
	SL_FLOW_FIN_CLIENT,
	SL_FLOW_FIN_SERVER,
	SL_FLOW_CLOSING, /* both sides sent FIN */
	SL_FLOW_RESET,
};

/*
 * One connection: one cache line, from the table's pool. Fields in the order a packet uses them:
 * the keys and expire_ms are read by every lookup; the rest is the caller's. The table writes
 * only k[], expire_ms (at insert), generation and _link; it zeroes the caller's fields at insert.
 * NAT rewrite addresses come from the keys: client->server packets get
 * saddr = k[SERVER].daddr (lip), sport = k[SERVER].dport (lport), daddr = k[SERVER].saddr (sip),
 * dport = k[SERVER].sport; server->client packets get the reverse of k[CLIENT].
 */
struct sl_flow {
	struct sl_flow_key k[2];  /* [SL_FLOW_DIR_CLIENT], [SL_FLOW_DIR_SERVER] */
	uint64_t expire_ms;       /* absolute; the flow is expired when now_ms >= expire_ms */
	uint32_t tcp_off;         /* caller: the L4 path's sequence/timestamp offset (proto/nat.h) */
	uint16_t server_idx;      /* caller */
	uint16_t generation;      /* table: incremented each time this slot is freed, so that
				   * (sl_flow_index(), generation) names one connection */
	uint8_t state;            /* caller: enum sl_flow_state, SL_FLOW_SYN_SENT at insert */
	uint8_t flags;            /* caller */
	uint16_t tmo;             /* caller (e.g. the index of its timeout profile) */
	uint32_t user[2];         /* caller (e.g. TCP sequence offset, per-flow accounting) */
	uint32_t _link;           /* table-private: free-list link, or "in use" */
} __attribute__((aligned(SL_FLOW_CACHE_LINE)));

/* One bucket of the index: one cache line. Empty slots have their two bits in @used clear. */
struct sl_flow_bucket {
	uint16_t sig[SL_FLOW_BUCKET_SLOTS]; /* high 16 bits of the key's hash */
	uint32_t ref[SL_FLOW_BUCKET_SLOTS]; /* flow index << 1 | enum sl_flow_dir */
	uint16_t used;                      /* slot i in use: bits 2i and 2i+1 set */
	uint8_t _pad[14];
} __attribute__((aligned(SL_FLOW_CACHE_LINE)));

typedef void sl_flow_cb(void *arg, struct sl_flow *f);

/*
 * The table's header, at the start of the caller's memory. Line 0 is what lookups and inserts
 * read; line 1 the sweep and the counters. Fields are read-only for callers.
 */
struct sl_flow_table {
	/* line 0: every packet */
	struct sl_flow_bucket *bkt;
	struct sl_flow *flows;
	uint32_t bmask;           /* number of buckets - 1 (a power of two minus one) */
	uint32_t free_head;       /* first free flow, SL_FLOW_NIL when none */
	uint32_t count;           /* flows allocated (live or expired but not yet freed) */
	uint32_t capacity;        /* max_flows */
	int32_t last_err;         /* why the last refused insert was refused (see sl_flow_insert) */
	uint32_t _pad0;
	sl_flow_cb *on_reclaim;   /* see sl_flow_set_on_reclaim() */
	void *reclaim_arg;
	/* line 1: housekeeping and counters (the main lcore may read these) */
	uint32_t hand __attribute__((aligned(SL_FLOW_CACHE_LINE))); /* next flow the sweep visits */
	uint32_t nbuckets;
	uint64_t refused_full;    /* insert refused: every flow in use (none expired where it looked) */
	uint64_t refused_bucket;  /* insert refused: both buckets of a key full, no cuckoo path */
	uint64_t refused_dup;     /* insert refused: a key belongs to a live flow */
	uint64_t reclaimed;       /* expired flows freed by insert (on_reclaim called) */
	uint64_t expired;         /* expired flows freed by sl_flow_expire() */
	uint64_t kicks;           /* entries moved to their other bucket (cuckoo displacement) */
} __attribute__((aligned(SL_FLOW_CACHE_LINE)));

#define SL_FLOW_NIL 0xffffffffu   /* end of the free list */
#define SL_FLOW_INUSE 0xfffffffeu /* _link of an allocated flow */

/*
 * Bytes of memory to give sl_flow_table_init() for @max_flows flows: header, buckets and the flow
 * array. Returns 0 when @max_flows is 0 or above SL_FLOW_MAX_FLOWS. Any lcore; pure.
 * About 96 to 128 bytes per flow (64 for the flow, 32 to 64 for its share of buckets).
 */
size_t sl_flow_table_bytes(uint32_t max_flows);

/*
 * Builds an empty table for @max_flows flows in @mem, which must be 64-byte aligned and hold
 * sl_flow_table_bytes(@max_flows) bytes; the table is then `(struct sl_flow_table *)mem`.
 * Returns 0, or -EINVAL (NULL or misaligned @mem, @max_flows 0 or too large). Called once, by the
 * lcore that will own the table or by main before the loops start; touches all of @mem.
 */
int sl_flow_table_init(void *mem, uint32_t max_flows);

/*
 * Sets the function an insert calls on each expired flow it frees on its own (a flow holding a
 * key being inserted again, or in a bucket it needs when the table is full), just before the flow
 * is freed: the place to release the SNAT port and count the end. @fn may read the flow, must not
 * delete it nor insert. NULL (the default): reclaimed flows are freed silently. Owner lcore.
 */
void sl_flow_set_on_reclaim(struct sl_flow_table *t, sl_flow_cb *fn, void *arg);

/*
 * Hash of @k for sl_flow_lookup() and sl_flow_prefetch(): deterministic (no seed; the same value
 * in every process on machines of one byte order), portable (multiply-xorshift, no CPU
 * extension), well mixed in every bit, @k->pad ignored. Any lcore; pure.
 */
uint32_t sl_flow_key_hash(const struct sl_flow_key *k);

/*
 * Finds the flow that holds @k (in either direction); @hash must be sl_flow_key_hash(@k).
 * Returns the flow and sets *@dir to the direction @k has in it, or returns NULL (*@dir
 * untouched) when no flow holds @k or the one holding it is expired at @now_ms (it is then freed
 * later by the sweep or an insert). The caller refreshes f->expire_ms itself. Owner lcore.
 */
struct sl_flow *sl_flow_lookup(struct sl_flow_table *t, const struct sl_flow_key *k,
			       uint32_t hash, enum sl_flow_dir *dir, uint64_t now_ms);

/*
 * Prefetches the first bucket of the key of hash @hash, for burst processing: hash every packet
 * of a burst, prefetch them all, then look them up. Owner lcore (or any: it only reads).
 */
static inline void sl_flow_prefetch(const struct sl_flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->bkt[hash & t->bmask], 0, 3);
}

/*
 * Second stage of a burst's prefetch, for tables bigger than the cache: reads the first bucket
 * of the key of hash @hash (prefetched earlier by sl_flow_prefetch()) and prefetches the flow
 * lines its signature points to, so that the lookup that follows finds both lines in cache.
 * Worth it when the table does not fit in the cache (about 100k flows and more; figures from
 * tools/bench/bench_flow.c). Owner lcore.
 */
void sl_flow_prefetch_flow(const struct sl_flow_table *t, uint32_t hash);

/*
 * Creates a flow with keys @client and @server, expiring at @expire_ms; its caller fields are
 * zero and state SL_FLOW_SYN_SENT. An expired flow holding either key is freed first (on_reclaim).
 * Returns the flow, or NULL with t->last_err set to (and the matching counter incremented):
 *   -EEXIST  a live flow holds @client or @server, or both keys are equal (refused_dup);
 *   -ENOSPC  every flow is in use, after freeing the expired flows found in the buckets of the
 *            two keys (refused_full);
 *   -EBUSY   both buckets of a key are full, expired entries reclaimed, and no cuckoo path frees a
 *            slot (refused_bucket; not expected below the 50% load the table is sized for).
 * Nothing is changed by a refusal, except expired flows being freed. Owner lcore.
 */
struct sl_flow *sl_flow_insert(struct sl_flow_table *t, const struct sl_flow_key *client,
			       const struct sl_flow_key *server, uint64_t now_ms,
			       uint64_t expire_ms);

/*
 * Removes @f (both keys) and returns it to the pool; @f must come from this table. Deleting a
 * flow that is already free does nothing. No callback is called. Owner lcore.
 */
void sl_flow_delete(struct sl_flow_table *t, struct sl_flow *f);

/*
 * Incremental sweep: visits the next @budget slots of the flow array (a clock hand that wraps;
 * free slots count as visited) and frees each allocated flow expired at @now_ms, after calling
 * @fn(@arg, f) on it (@fn may be NULL; it may read the flow, must not delete it). Returns the
 * number of flows freed. A full revolution takes capacity / budget calls. Owner lcore.
 */
unsigned sl_flow_expire(struct sl_flow_table *t, uint64_t now_ms, unsigned budget, sl_flow_cb *fn,
			void *arg);

/*
 * Calls @fn(@arg, f) on every allocated flow, including expired ones not freed yet (check
 * f->expire_ms). @fn may delete the flow it is given (e.g. to reset every flow of a server),
 * must not insert. Walks the whole array: for the control path, not per packet. Owner lcore.
 */
void sl_flow_foreach(struct sl_flow_table *t, sl_flow_cb *fn, void *arg);

/* Number of allocated flows (expired ones not freed yet included). Owner lcore; main may read. */
uint32_t sl_flow_count(const struct sl_flow_table *t);

/* max_flows given at init. Any lcore. */
uint32_t sl_flow_capacity(const struct sl_flow_table *t);

/*
 * The two candidate buckets of a key of hash @hash: @b[0] (tried first) and @b[1]. For tests and
 * diagnostics. Any lcore; pure.
 */
void sl_flow_key_buckets(const struct sl_flow_table *t, uint32_t hash, uint32_t b[2]);

/* Index of @f in the flow array (0 .. capacity-1), for logs and handles. Any lcore; pure. */
uint32_t sl_flow_index(const struct sl_flow_table *t, const struct sl_flow *f);

#endif
