/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4, written from the description in Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF" (2012), section 2. See siphash.h for the key layout and why we use it.
 *
 * The message is cut into 64-bit little-endian words m_i. The last word holds the 0..7
 * leftover bytes and, in its most significant byte, the message length modulo 256; a message
 * whose length is a multiple of 8 therefore ends with a word that is only the length byte.
 * Each word is absorbed with c = 2 SipRounds, then the state is finalised with d = 4 rounds.
 */
#include "proto/siphash.h"

#include <stdint.h>

/* The four state words v0..v3 of the paper. */
struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static uint64_t rotl64(uint64_t x, unsigned int b)
{
	/* Only called with constants 13, 16, 17, 21 and 32: never 0, so no shift by 64. */
	return (x << b) | (x >> (64 - b));
}

/*
 * One SipRound (paper, figure 2.1): two parallel add-rotate-xor half rounds on (v0, v1) and
 * (v2, v3), then the cross mix. The order of the operations is the paper's; only that order
 * is SipHash, so the statements are not rearranged for symmetry.
 */
static inline __attribute__((always_inline)) void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

/*
 * Initialisation: the key xored with the ASCII of "somepseudorandomlygeneratedbytes", which
 * only has to make the four words differ from one another (paper, section 2).
 */
static inline __attribute__((always_inline)) void sip_init(struct sip_state *s, const struct sl_siphash_key *key)
{
	s->v0 = key->k0 ^ 0x736f6d6570736575ull;
	s->v1 = key->k1 ^ 0x646f72616e646f6dull;
	s->v2 = key->k0 ^ 0x6c7967656e657261ull;
	s->v3 = key->k1 ^ 0x7465646279746573ull;
}

/* Compression of one message word with c = 2 rounds. */
static inline __attribute__((always_inline)) void sip_absorb(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

/* Finalisation with d = 4 rounds; 0xff marks the end so that it differs from compression. */
static inline __attribute__((always_inline)) uint64_t sip_final(struct sip_state *s)
{
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/*
 * The @n (0..8) bytes at @p as a little-endian number. Assembled byte by byte rather than by
 * casting @p to a wider type: packet data has no alignment guarantee, and this gives the same
 * word on big- and little-endian hosts (compilers turn the full 8-byte case into one load).
 */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

uint64_t sl_siphash(const struct sl_siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t left = len;
	struct sip_state s;

	sip_init(&s, key);
	for (; left >= 8; left -= 8, p += 8)
		sip_absorb(&s, load_le(p, 8));
	/* Last word: the 0..7 leftover bytes, and len mod 256 in the top byte. */
	sip_absorb(&s, load_le(p, left) | (uint64_t)(uint8_t)len << 56);
	return sip_final(&s);
}

uint64_t sl_siphash_2u64(const struct sl_siphash_key *key, uint64_t a, uint64_t b)
{
	struct sip_state s;

	/*
	 * The 16-byte message's two little-endian words are @a and @b by definition, so they go in
	 * as they are; the last word carries no data bytes, only the length 16 in its top byte.
	 */
	sip_init(&s, key);
	sip_absorb(&s, a);
	sip_absorb(&s, b);
	sip_absorb(&s, (uint64_t)16 << 56);
	return sip_final(&s);
}
