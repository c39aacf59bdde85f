/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker connection table (see flow.h for the contract).
 *
 * Memory: [struct sl_flow_table][buckets: nbuckets x 64 B][flows: max_flows x 64 B].
 *
 * Index. nbuckets is the power of two >= max_flows / 2, so 2 * max_flows keys fill at most
 * 2 * max_flows / (8 * nbuckets) <= 50% of the slots. A key of hash h has:
 *   signature  sig = h >> 16
 *   bucket 1   b1  = h & bmask
 *   bucket 2   b2  = b1 ^ alt(sig)       (alt(sig) != 0, below nbuckets)
 * Since b2 ^ alt(sig) = b1, an entry's other bucket is known from the bucket it is in and its
 * signature: displacing an entry never reads its flow (partial-key cuckoo hashing, Fan et al.,
 * "MemC3", NSDI 2013). Inserts go to b1 when it has room, so at 50% load ~98% of the keys are in
 * b1 (a Poisson(4) bucket exceeds 8 with probability ~2%): a hit reads one bucket line and one
 * flow line. A miss reads both buckets. When both buckets are full, a breadth-first search over
 * at most SL_FLOW_BFS buckets finds a chain of moves that frees a slot; the moves run from the
 * end of the chain, so a failed search changes nothing. Deleting clears the slot's bits: no
 * tombstones, a lookup never needs them because it always looks at both buckets.
 *
 * Signatures share bits with the bucket index when nbuckets > 2^16 (the hash is 32 bits), which
 * leaves 32 - log2(nbuckets) bits to tell apart keys of one bucket: for 1M flows (2^19 buckets)
 * a false signature match, which costs one more flow line, happens on ~0.05% of lookups.
 *
 * Hash. A portable multiply-xorshift over the key's two 64-bit words (~7 cycles, three
 * multiplications of which two run in parallel), rather than CRC32C: the pure parts of the build
 * are not compiled with -msse4.2, and a target attribute would need a run-time CPU check and a
 * fallback giving different values on different machines. No seed: values are the same in every
 * process. Crafted keys can fill the two buckets of one pair; that refuses new flows of that pair
 * only (refused_bucket), never touches existing flows, and finding such keys is possible with any
 * unseeded hash of 32 bits anyway.
 *
 * Flows. The free list is a LIFO stack threaded through _link, so the flow freed last (warm in
 * cache) is reused first; _link == SL_FLOW_INUSE marks an allocated flow.
 *
 * Timeouts. No timer wheel: the caller refreshes expire_ms with one store per packet (a wheel
 * would move the flow between lists instead), lookups compare it (the flow line is read anyway),
 * so correctness never depends on when the sweep runs. The sweep only gives memory (and the
 * caller's SNAT port) back; a clock hand visits a bounded number of slots per call, so its cost
 * per call is fixed whatever the number of flows, and an insert frees the expired flows it runs
 * into, so a full table of dead flows does not refuse new ones in the buckets they occupy.
 */
#include "dataplane/l4/flow.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define SL_FLOW_BFS 64 /* buckets examined by one cuckoo search */

_Static_assert(sizeof(struct sl_flow_key) == 16, "flow key is 16 bytes");
_Static_assert(sizeof(struct sl_flow) == SL_FLOW_CACHE_LINE, "a flow is one cache line");
_Static_assert(sizeof(struct sl_flow_bucket) == SL_FLOW_CACHE_LINE, "a bucket is one cache line");
_Static_assert(sizeof(struct sl_flow_table) == 2 * SL_FLOW_CACHE_LINE, "table header: two lines");
_Static_assert(offsetof(struct sl_flow, expire_ms) + 8 <= SL_FLOW_CACHE_LINE, "lookup: one line");

/* ---- keys and hashes ---- */

/* The key as two 64-bit words, pad cleared (the in-memory layout of a stored key). */
static inline void key_words(const struct sl_flow_key *k, uint64_t w[2])
{
	memcpy(w, k, 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w[1] &= 0x000000ffffffffffull;
#else
	w[1] &= 0xffffffffff000000ull;
#endif
}

static inline uint32_t hash_words(const uint64_t w[2])
{
	/*
	 * Two independent multiplications (they run in parallel), the second product rotated so
	 * that the ports' well-mixed high bits meet the addresses' low ones, then one fold and a
	 * final multiplication whose high half depends on every input bit. Constants: odd, from
	 * the golden ratio and splitmix64/xxhash.
	 */
	uint64_t x = w[0] * 0x9e3779b97f4a7c15ull;
	uint64_t y = (w[1] ^ 0x27d4eb2f165667c5ull) * 0xc2b2ae3d27d4eb4full;
	x ^= (y >> 32) | (y << 32);
	x ^= x >> 32;
	x *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(x >> 32);
}

uint32_t sl_flow_key_hash(const struct sl_flow_key *k)
{
	uint64_t w[2];
	key_words(k, w);
	return hash_words(w);
}

static inline bool key_eq(const struct sl_flow_key *stored, const uint64_t w[2])
{
	uint64_t s[2];
	memcpy(s, stored, 16); /* stored keys have pad == 0 */
	return ((s[0] ^ w[0]) | (s[1] ^ w[1])) == 0;
}

static inline uint16_t sig_of(uint32_t h)
{
	return (uint16_t)(h >> 16);
}

/* Offset between a key's two buckets: a function of the signature only, never 0. */
static inline uint32_t alt_off(uint16_t sig, uint32_t bmask)
{
	uint32_t o = (uint32_t)(((uint64_t)(sig + 1u) * 0x9e3779b97f4a7c15ull) >> 32) & bmask;
	return o != 0 ? o : 1;
}

/* ---- buckets ---- */

/* Bits 2i and 2i+1 set for each used slot i whose signature is @sig. */
static inline uint32_t bucket_match(const struct sl_flow_bucket *b, uint16_t sig)
{
#if defined(__SSE2__)
	__m128i s = _mm_load_si128((const __m128i *)(const void *)b->sig);
	__m128i m = _mm_cmpeq_epi16(s, _mm_set1_epi16((short)sig));
	return (uint32_t)_mm_movemask_epi8(m) & b->used;
#else
	uint32_t m = 0;
	for (unsigned i = 0; i < SL_FLOW_BUCKET_SLOTS; i++)
		if (b->sig[i] == sig)
			m |= 3u << (2 * i);
	return m & b->used;
#endif
}

/* Index of a free slot of @b, or -1. */
static inline int bucket_free_slot(const struct sl_flow_bucket *b)
{
	uint32_t f = ~(uint32_t)b->used & 0x5555u;
	return f != 0 ? __builtin_ctz(f) >> 1 : -1;
}

static inline void bucket_set(struct sl_flow_bucket *b, int s, uint16_t sig, uint32_t ref)
{
	b->sig[s] = sig;
	b->ref[s] = ref;
	b->used = (uint16_t)(b->used | (3u << (2 * s)));
}

static inline void bucket_clear(struct sl_flow_bucket *b, int s)
{
	b->used = (uint16_t)(b->used & ~(3u << (2 * s)));
}

static inline bool slot_used(const struct sl_flow_bucket *b, int s)
{
	return (b->used >> (2 * s)) & 1u;
}

/* ---- table ---- */

static uint32_t nbuckets_for(uint32_t max_flows)
{
	uint32_t want = (max_flows + 1) / 2, n = 2;
	while (n < want)
		n <<= 1;
	return n;
}

static size_t header_bytes(void)
{
	return sizeof(struct sl_flow_table);
}

size_t sl_flow_table_bytes(uint32_t max_flows)
{
	if (max_flows == 0 || max_flows > SL_FLOW_MAX_FLOWS)
		return 0;
	return header_bytes() + (size_t)nbuckets_for(max_flows) * sizeof(struct sl_flow_bucket) +
	       (size_t)max_flows * sizeof(struct sl_flow);
}

int sl_flow_table_init(void *mem, uint32_t max_flows)
{
	if (mem == NULL || ((uintptr_t)mem & (SL_FLOW_CACHE_LINE - 1)) != 0 || max_flows == 0 ||
	    max_flows > SL_FLOW_MAX_FLOWS)
		return -EINVAL;
	struct sl_flow_table *t = mem;
	uint32_t nb = nbuckets_for(max_flows);
	memset(t, 0, sizeof(*t));
	t->bkt = (struct sl_flow_bucket *)(void *)((char *)mem + header_bytes());
	t->flows = (struct sl_flow *)(void *)((char *)t->bkt + (size_t)nb * sizeof(*t->bkt));
	t->bmask = nb - 1;
	t->nbuckets = nb;
	t->capacity = max_flows;
	memset(t->bkt, 0, (size_t)nb * sizeof(*t->bkt));
	memset(t->flows, 0, (size_t)max_flows * sizeof(*t->flows));
	for (uint32_t i = 0; i < max_flows; i++)
		t->flows[i]._link = i + 1 < max_flows ? i + 1 : SL_FLOW_NIL;
	t->free_head = 0;
	return 0;
}

void sl_flow_set_on_reclaim(struct sl_flow_table *t, sl_flow_cb *fn, void *arg)
{
	t->on_reclaim = fn;
	t->reclaim_arg = arg;
}

uint32_t sl_flow_count(const struct sl_flow_table *t)
{
	return t->count;
}

uint32_t sl_flow_capacity(const struct sl_flow_table *t)
{
	return t->capacity;
}

uint32_t sl_flow_index(const struct sl_flow_table *t, const struct sl_flow *f)
{
	return (uint32_t)(f - t->flows);
}

void sl_flow_key_buckets(const struct sl_flow_table *t, uint32_t hash, uint32_t b[2])
{
	b[0] = hash & t->bmask;
	b[1] = b[0] ^ alt_off(sig_of(hash), t->bmask);
}

static inline bool expired(const struct sl_flow *f, uint64_t now_ms)
{
	return f->expire_ms <= now_ms;
}

/*
 * Where the key of words @w and hash @h is: returns the bucket and sets *@slot, or NULL. The key
 * is in the table at most once.
 */
static inline struct sl_flow_bucket *find_key(const struct sl_flow_table *t, const uint64_t w[2],
					      uint32_t h, int *slot)
{
	uint16_t sig = sig_of(h);
	uint32_t b = h & t->bmask;
	for (int i = 0; i < 2; i++) {
		struct sl_flow_bucket *bk = &t->bkt[b];
		uint32_t m = bucket_match(bk, sig);
		while (m != 0) {
			int s = __builtin_ctz(m) >> 1;
			uint32_t ref = bk->ref[s];
			m &= ~(3u << (2 * s));
			if (key_eq(&t->flows[ref >> 1].k[ref & 1], w)) {
				*slot = s;
				return bk;
			}
		}
		b ^= alt_off(sig, t->bmask);
	}
	return NULL;
}

struct sl_flow *sl_flow_lookup(struct sl_flow_table *t, const struct sl_flow_key *k,
			       uint32_t hash, enum sl_flow_dir *dir, uint64_t now_ms)
{
	uint64_t w[2];
	int s;
	key_words(k, w);
	struct sl_flow_bucket *bk = find_key(t, w, hash, &s);
	if (bk == NULL)
		return NULL;
	uint32_t ref = bk->ref[s];
	struct sl_flow *f = &t->flows[ref >> 1];
	if (expired(f, now_ms))
		return NULL;
	*dir = (enum sl_flow_dir)(ref & 1);
	return f;
}

void sl_flow_prefetch_flow(const struct sl_flow_table *t, uint32_t hash)
{
	const struct sl_flow_bucket *bk = &t->bkt[hash & t->bmask];
	uint32_t m = bucket_match(bk, sig_of(hash));
	while (m != 0) {
		int s = __builtin_ctz(m) >> 1;
		m &= ~(3u << (2 * s));
		__builtin_prefetch(&t->flows[bk->ref[s] >> 1], 0, 3);
	}
}

/* Prefetches both buckets of the key of hash @h (insert and delete: the misses overlap). */
static inline void prefetch_buckets(const struct sl_flow_table *t, uint32_t h)
{
	uint32_t b1 = h & t->bmask;
	__builtin_prefetch(&t->bkt[b1], 1, 3);
	__builtin_prefetch(&t->bkt[b1 ^ alt_off(sig_of(h), t->bmask)], 1, 3);
}

/* Removes the entry @ref of the key of hash @h (it is in one of the two buckets). */
static void remove_ref(struct sl_flow_table *t, uint32_t h, uint32_t ref)
{
	uint16_t sig = sig_of(h);
	uint32_t b = h & t->bmask;
	for (int i = 0; i < 2; i++) {
		struct sl_flow_bucket *bk = &t->bkt[b];
		uint32_t m = bucket_match(bk, sig);
		while (m != 0) {
			int s = __builtin_ctz(m) >> 1;
			m &= ~(3u << (2 * s));
			if (bk->ref[s] == ref) {
				bucket_clear(bk, s);
				return;
			}
		}
		b ^= alt_off(sig, t->bmask);
	}
}

static void flow_free(struct sl_flow_table *t, struct sl_flow *f)
{
	uint32_t idx = (uint32_t)(f - t->flows);
	f->generation++;
	f->_link = t->free_head;
	t->free_head = idx;
	t->count--;
}

void sl_flow_delete(struct sl_flow_table *t, struct sl_flow *f)
{
	if (f->_link != SL_FLOW_INUSE)
		return;
	uint32_t idx = (uint32_t)(f - t->flows), h[2];
	for (uint32_t d = 0; d < 2; d++) {
		uint64_t w[2];
		key_words(&f->k[d], w);
		h[d] = hash_words(w);
		__builtin_prefetch(&t->bkt[h[d] & t->bmask], 1, 3);
	}
	for (uint32_t d = 0; d < 2; d++)
		remove_ref(t, h[d], idx << 1 | d);
	flow_free(t, f);
}

static void reclaim(struct sl_flow_table *t, struct sl_flow *f)
{
	if (t->on_reclaim != NULL)
		t->on_reclaim(t->reclaim_arg, f);
	sl_flow_delete(t, f);
	t->reclaimed++;
}

/* Frees the expired flows (other than @keep) with an entry in bucket @b. Returns how many. */
static unsigned reclaim_bucket(struct sl_flow_table *t, uint32_t b, uint64_t now_ms,
			       const struct sl_flow *keep)
{
	struct sl_flow_bucket *bk = &t->bkt[b];
	unsigned n = 0;
	for (int s = 0; s < SL_FLOW_BUCKET_SLOTS; s++) {
		if (!slot_used(bk, s))
			continue;
		struct sl_flow *f = &t->flows[bk->ref[s] >> 1];
		if (f != keep && expired(f, now_ms)) {
			reclaim(t, f); /* clears this slot, and the other key's if it is here too */
			n++;
		}
	}
	return n;
}

/*
 * Makes room in bucket @b1 or @b2 (the two buckets of a key of signature @sig) by moving
 * entries to their other bucket. Returns the bucket with a free slot, or -1 (nothing moved).
 */
static int64_t cuckoo(struct sl_flow_table *t, uint32_t b1, uint32_t b2)
{
	struct node {
		uint32_t bucket;
		int16_t parent; /* index in q[], -1 for the two roots */
		uint8_t slot;   /* slot of the parent's bucket whose entry moves to this bucket */
	} q[SL_FLOW_BFS];
	int n = 0;
	q[n++] = (struct node){b1, -1, 0};
	q[n++] = (struct node){b2, -1, 0};
	for (int head = 0; head < n; head++) {
		const struct sl_flow_bucket *bk = &t->bkt[q[head].bucket];
		for (int s = 0; s < SL_FLOW_BUCKET_SLOTS; s++) {
			uint32_t to = q[head].bucket ^ alt_off(bk->sig[s], t->bmask);
			if (bucket_free_slot(&t->bkt[to]) >= 0) {
				/* move along the chain, from its free end back to the root */
				int cur = head, slot = s;
				uint32_t dst = to;
				while (cur >= 0) {
					struct sl_flow_bucket *src = &t->bkt[q[cur].bucket];
					struct sl_flow_bucket *db = &t->bkt[dst];
					bucket_set(db, bucket_free_slot(db), src->sig[slot],
						   src->ref[slot]);
					bucket_clear(src, slot);
					t->kicks++;
					dst = q[cur].bucket;
					slot = q[cur].slot;
					cur = q[cur].parent;
				}
				return dst;
			}
			/* a bucket enters the search once, so a chain never passes twice through
			 * one bucket and each move finds the entry it expects */
			bool seen = false;
			for (int j = 0; j < n && !seen; j++)
				seen = q[j].bucket == to;
			if (!seen && n < SL_FLOW_BFS)
				q[n++] = (struct node){to, (int16_t)head, (uint8_t)s};
		}
	}
	return -1;
}

/*
 * Places the entry (@h, @ref) of flow @f. Returns 0 or -EBUSY (both buckets full, no expired
 * entry there, no cuckoo path).
 */
static int place(struct sl_flow_table *t, uint32_t h, uint32_t ref, uint64_t now_ms,
		 const struct sl_flow *f)
{
	uint16_t sig = sig_of(h);
	uint32_t b1 = h & t->bmask, b2 = b1 ^ alt_off(sig, t->bmask);
	int s = bucket_free_slot(&t->bkt[b1]);
	if (s >= 0) {
		bucket_set(&t->bkt[b1], s, sig, ref);
		return 0;
	}
	s = bucket_free_slot(&t->bkt[b2]);
	if (s >= 0) {
		bucket_set(&t->bkt[b2], s, sig, ref);
		return 0;
	}
	if (reclaim_bucket(t, b1, now_ms, f) + reclaim_bucket(t, b2, now_ms, f) == 0) {
		int64_t b = cuckoo(t, b1, b2);
		if (b < 0)
			return -EBUSY;
		b1 = (uint32_t)b;
	} else if (bucket_free_slot(&t->bkt[b1]) < 0) {
		b1 = b2;
	}
	bucket_set(&t->bkt[b1], bucket_free_slot(&t->bkt[b1]), sig, ref);
	return 0;
}

static struct sl_flow *refuse(struct sl_flow_table *t, int err, uint64_t *ctr)
{
	(*ctr)++;
	t->last_err = err;
	return NULL;
}

struct sl_flow *sl_flow_insert(struct sl_flow_table *t, const struct sl_flow_key *client,
			       const struct sl_flow_key *server, uint64_t now_ms,
			       uint64_t expire_ms)
{
	uint64_t w[2][2];
	uint32_t h[2];
	key_words(client, w[0]);
	key_words(server, w[1]);
	if (w[0][0] == w[1][0] && w[0][1] == w[1][1])
		return refuse(t, -EEXIST, &t->refused_dup);
	for (int d = 0; d < 2; d++) {
		h[d] = hash_words(w[d]);
		prefetch_buckets(t, h[d]);
	}
	/* a key held by a live flow refuses the insert; one held by an expired flow frees it */
	for (int d = 0; d < 2; d++) {
		int s;
		struct sl_flow_bucket *bk = find_key(t, w[d], h[d], &s);
		if (bk != NULL) {
			struct sl_flow *old = &t->flows[bk->ref[s] >> 1];
			if (!expired(old, now_ms))
				return refuse(t, -EEXIST, &t->refused_dup);
			reclaim(t, old);
		}
	}
	if (t->free_head == SL_FLOW_NIL) {
		for (int d = 0; d < 2; d++) {
			uint32_t b1 = h[d] & t->bmask;
			reclaim_bucket(t, b1, now_ms, NULL);
			reclaim_bucket(t, b1 ^ alt_off(sig_of(h[d]), t->bmask), now_ms, NULL);
		}
		if (t->free_head == SL_FLOW_NIL)
			return refuse(t, -ENOSPC, &t->refused_full);
	}
	uint32_t idx = t->free_head;
	struct sl_flow *f = &t->flows[idx];
	t->free_head = f->_link;
	t->count++;
	memcpy(&f->k[0], w[0], 16);
	memcpy(&f->k[1], w[1], 16);
	f->expire_ms = expire_ms;
	f->_link = SL_FLOW_INUSE;
	if (place(t, h[0], idx << 1 | SL_FLOW_DIR_CLIENT, now_ms, f) != 0) {
		flow_free(t, f);
		return refuse(t, -EBUSY, &t->refused_bucket);
	}
	if (place(t, h[1], idx << 1 | SL_FLOW_DIR_SERVER, now_ms, f) != 0) {
		remove_ref(t, h[0], idx << 1 | SL_FLOW_DIR_CLIENT);
		flow_free(t, f);
		return refuse(t, -EBUSY, &t->refused_bucket);
	}
	f->tcp_off = 0;
	f->server_idx = 0;
	f->state = SL_FLOW_SYN_SENT;
	f->flags = 0;
	f->tmo = 0;
	f->user[0] = 0;
	f->user[1] = 0;
	return f;
}

unsigned sl_flow_expire(struct sl_flow_table *t, uint64_t now_ms, unsigned budget, sl_flow_cb *fn,
			void *arg)
{
	unsigned freed = 0;
	uint32_t hand = t->hand;
	for (unsigned i = 0; i < budget; i++) {
		struct sl_flow *f = &t->flows[hand];
		if (++hand == t->capacity)
			hand = 0;
		if (f->_link == SL_FLOW_INUSE && expired(f, now_ms)) {
			if (fn != NULL)
				fn(arg, f);
			sl_flow_delete(t, f);
			t->expired++;
			freed++;
		}
	}
	t->hand = hand;
	return freed;
}

void sl_flow_foreach(struct sl_flow_table *t, sl_flow_cb *fn, void *arg)
{
	for (uint32_t i = 0; i < t->capacity; i++)
		if (t->flows[i]._link == SL_FLOW_INUSE)
			fn(arg, &t->flows[i]);
}
