/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing with weights (Eisenbud et al., NSDI 2016, section 3.4) and the flow
 * hashes of the L4 path. The design is described in maglev.h.
 */
#include "dataplane/balance/maglev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

/* ---- mixing functions (fixed constants: deterministic everywhere) ---------------------------- */

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/*
 * 64-bit finaliser with full avalanche: xor-shift / odd multiply / xor-shift / odd multiply /
 * xor-shift, with the constants of D. Stafford's "Mix13" variant (the one SplitMix64 uses).
 * A bijection of the 64-bit values.
 */
static inline uint64_t mix_a(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A second finaliser of the same shape with other constants (Murmur3's fmix64 ones). */
static inline uint64_t mix_b(uint64_t z)
{
	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdull;
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ull;
	return z ^ (z >> 33);
}

/*
 * The two name hashes of the paper's permutation (section 3.4: "h1" gives the offset, "h2" the
 * skip). They must be unrelated, or backends with close offsets would also have close skips:
 * h1 is FNV-1a 64 followed by mix_a; h2 is a rotate-multiply byte hash with another seed, folded
 * with the length and followed by mix_b.
 */
static uint64_t key_h1(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 offset basis */
	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3ull; /* FNV 64 prime */
	return mix_a(h);
}

static uint64_t key_h2(const char *key)
{
	uint64_t h = 0x243f6a8885a308d3ull; /* digits of pi: an arbitrary fixed seed */
	uint64_t len = 0;
	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++, len++)
		h = rotl64(h ^ *p, 23) * 0x9e3779b97f4a7c15ull;
	return mix_b(h ^ len);
}

/* ---- flow hashes ----------------------------------------------------------------------------- */

uint32_t sl_flow_hash5(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
		       uint8_t proto)
{
	uint64_t a = ((uint64_t)saddr << 32) | daddr;
	uint64_t b = ((uint64_t)sport << 32) | ((uint64_t)dport << 8) | proto;
	/* a * odd is a bijection; the shift brings the addresses' high product bits down before b
	 * (another odd multiplier) is added, with a constant so that the all-zero tuple does not
	 * hash to 0 (mix_a(0) = 0); mix_a spreads every input bit over the result. */
	uint64_t h = a * 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	h += b * 0xd6e8feb86659fd93ull + 0xbb67ae8584caa73bull;
	return (uint32_t)(mix_a(h) >> 32);
}

uint32_t sl_flow_hash_src(uint32_t saddr)
{
	return (uint32_t)(mix_a((uint64_t)saddr * 0x9e3779b97f4a7c15ull + 0x6a09e667f3bcc909ull) >>
			  32);
}

/* ---- primes ---------------------------------------------------------------------------------- */

bool sl_maglev_is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	if (n < 4)
		return true;
	if (n % 2 == 0 || n % 3 == 0)
		return false;
	/* every prime above 3 is 6k - 1 or 6k + 1 */
	for (uint64_t i = 5; i * i <= n; i += 6)
		if (n % i == 0 || n % (i + 2) == 0)
			return false;
	return true;
}

uint32_t sl_maglev_next_prime(uint32_t n)
{
	if (n <= 2)
		return 2;
	for (uint64_t c = n | 1u; c <= UINT32_MAX; c += 2)
		if (sl_maglev_is_prime((uint32_t)c))
			return (uint32_t)c;
	return 0;
}

uint32_t sl_maglev_size_for(unsigned n)
{
	uint64_t want = (uint64_t)(n > SL_MAGLEV_MAX_SERVERS ? SL_MAGLEV_MAX_SERVERS : n) * 100;
	if (want <= SL_MAGLEV_SIZE_DEFAULT)
		return SL_MAGLEV_SIZE_DEFAULT;
	return sl_maglev_next_prime((uint32_t)want + 1);
}

size_t sl_maglev_bytes(uint32_t size)
{
	return sizeof(struct sl_maglev) + (size_t)size * sizeof(uint16_t);
}

/* ---- table population ------------------------------------------------------------------------ */

/* One weighted server during the build. */
struct turn {
	uint64_t h1;	 /* offset hash, also the first tie-break key */
	const char *key; /* second tie-break key */
	uint32_t pos;	 /* next slot of its permutation to try: the per-server cursor */
	uint32_t skip;
	uint32_t weight;
	uint16_t idx; /* index in the caller's array */
};

/* Order of the tie-break: by h1, then key bytes, then input index (only for duplicate keys). */
static int turn_cmp(const void *pa, const void *pb)
{
	const struct turn *a = pa, *b = pb;
	if (a->h1 != b->h1)
		return a->h1 < b->h1 ? -1 : 1;
	int c = strcmp(a->key, b->key);
	if (c != 0)
		return c;
	return (int)a->idx - (int)b->idx;
}

/*
 * A heap node: the virtual time of a server's next turn, num / (2 * weight) with
 * num = 2 * turns taken + 1, and its rank in the tie-break order. Kept in the node (not behind a
 * pointer) so that sifting touches one contiguous array.
 */
struct hnode {
	uint64_t num;
	uint32_t weight;
	uint32_t rank;
};

/* True when @a plays before @b: earlier time (exact: the cross products need up to 65 bits), or
 * the same time and a lower rank. */
static inline bool plays_before(const struct hnode *a, const struct hnode *b)
{
	u128 ta = (u128)a->num * b->weight, tb = (u128)b->num * a->weight;
	if (ta != tb)
		return ta < tb;
	return a->rank < b->rank;
}

static void sift_down(struct hnode *heap, uint32_t len, uint32_t i)
{
	struct hnode v = heap[i];
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= len)
			break;
		if (c + 1 < len && plays_before(&heap[c + 1], &heap[c]))
			c++;
		if (!plays_before(&heap[c], &v))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = v;
}

/* Next slot of a permutation: (pos + skip) mod size, without overflow for any 32-bit size. */
static inline uint32_t advance(uint32_t pos, uint32_t skip, uint32_t size)
{
	return pos >= size - skip ? pos - (size - skip) : pos + skip;
}

/* One turn of the paper's loop: @s claims the next empty slot of its permutation. There is one
 * (the caller stops when the table is full) and the walk reaches it: the permutation visits every
 * slot, and the slots it skips are taken for good. */
static inline void play(struct sl_maglev *m, struct turn *s)
{
	uint32_t c = s->pos;
	while (m->entries[c] != SL_MAGLEV_NONE)
		c = advance(c, s->skip, m->size);
	m->entries[c] = s->idx;
	s->pos = advance(c, s->skip, m->size);
}

int sl_maglev_build(struct sl_maglev *m, uint32_t size, const struct sl_maglev_server *servers,
		    unsigned n)
{
	if (m == NULL || !sl_maglev_is_prime(size) || n > SL_MAGLEV_MAX_SERVERS ||
	    (n > 0 && servers == NULL))
		return -EINVAL;
	unsigned k = 0;
	bool equal = true;
	uint32_t w0 = 0;
	for (unsigned i = 0; i < n; i++) {
		if (servers[i].key == NULL)
			return -EINVAL;
		if (servers[i].weight == 0)
			continue;
		if (w0 == 0)
			w0 = servers[i].weight;
		equal = equal && servers[i].weight == w0;
		k++;
	}

	struct turn *t = NULL;
	struct hnode *heap = NULL;
	if (k > 0) {
		t = malloc(k * sizeof(*t));
		heap = equal ? NULL : malloc(k * sizeof(*heap));
		if (t == NULL || (!equal && heap == NULL)) {
			free(t);
			free(heap);
			return -ENOMEM;
		}
	}

	/* From here on nothing fails: @m may be written. */
	m->size = size;
	for (uint32_t s = 0; s < size; s++)
		m->entries[s] = SL_MAGLEV_NONE;
	if (k == 0)
		return 0;

	/* The permutation of each weighted server (section 3.4): offset = h1 mod M,
	 * skip = h2 mod (M - 1) + 1. Slots are generated on the fly from a cursor: no M-sized
	 * permutation per server. For M = 2, skip is 1. */
	unsigned j = 0;
	for (unsigned i = 0; i < n; i++) {
		if (servers[i].weight == 0)
			continue;
		t[j].h1 = key_h1(servers[i].key);
		t[j].key = servers[i].key;
		t[j].pos = (uint32_t)(t[j].h1 % size);
		t[j].skip = (uint32_t)(key_h2(servers[i].key) % (size - 1)) + 1;
		t[j].weight = servers[i].weight;
		t[j].idx = (uint16_t)i;
		j++;
	}

	/* Rank by key, so ties between turns never depend on the input order. */
	qsort(t, k, sizeof(*t), turn_cmp);

	/* The paper's loop, until all M slots are taken (~M ln M cursor steps in all). */
	uint32_t filled = 0;
	if (equal) {
		/* all turns of a round fall at the same time: round robin in rank order, exactly
		 * the paper's pseudocode, without the heap */
		for (;;)
			for (uint32_t r = 0; r < k; r++) {
				play(m, &t[r]);
				if (++filled == size)
					goto done;
			}
	}
	/* Weights: a heap of the servers by the virtual time of their next turn (see maglev.h). */
	for (uint32_t r = 0; r < k; r++)
		heap[r] = (struct hnode){.num = 1, .weight = t[r].weight, .rank = r};
	for (uint32_t r = k / 2; r-- > 0;)
		sift_down(heap, k, r);
	for (; filled < size; filled++) {
		play(m, &t[heap[0].rank]);
		heap[0].num += 2;
		sift_down(heap, k, 0);
	}
done:
	free(t);
	free(heap);
	return 0;
}

uint32_t sl_maglev_count(const struct sl_maglev *m, unsigned n, uint32_t *counts)
{
	uint32_t none = 0;
	for (unsigned i = 0; i < n; i++)
		counts[i] = 0;
	for (uint32_t s = 0; s < m->size; s++) {
		uint16_t e = m->entries[s];
		if (e == SL_MAGLEV_NONE)
			none++;
		else if (e < n)
			counts[e]++;
	}
	return none;
}
