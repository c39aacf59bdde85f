/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the proto/ unit tests: exact-size heap copies (so that the ASan build
 * catches a parser reading one byte past its length) and a small seeded PRNG (reproducible
 * random cases).
 */
#ifndef SL_PROTO_TEST_UTIL_H
#define SL_PROTO_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Returns a malloc'd copy of the first @n bytes of @p, exactly @n bytes long (a read at [n] is
 * a heap overflow under ASan). Free with free(). Aborts when out of memory.
 */
static inline uint8_t *sl_t_dup(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n);
	if (d == NULL && n != 0)
		abort();
	if (n != 0)
		memcpy(d, p, n);
	return d;
}

/* xorshift64*: fixed-seed, reproducible, good enough to make test data. */
struct sl_t_rng {
	uint64_t s;
};

static inline uint64_t sl_t_rand64(struct sl_t_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform-enough integer in [0, n), n > 0. */
static inline uint32_t sl_t_below(struct sl_t_rng *r, uint32_t n)
{
	return (uint32_t)((sl_t_rand64(r) >> 32) % n);
}

static inline void sl_t_fill(struct sl_t_rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(sl_t_rand64(r) >> 56);
}

/*
 * Reference RFC 1071 checksum, written the slow obvious way and independently of proto/csum.c:
 * big-endian 16-bit words, end-around carry at every step, odd byte padded with zero. Returns
 * the checksum as a host-order number (0x1234 means bytes 12 34 in the header).
 */
static inline uint16_t sl_t_ref_csum(const uint8_t *p, size_t n, uint32_t start)
{
	uint32_t sum = start;
	for (size_t i = 0; i < n; i += 2) {
		uint32_t w = (uint32_t)p[i] << 8;
		if (i + 1 < n)
			w |= p[i + 1];
		sum += w;
		if (sum > 0xffff)
			sum = (sum & 0xffff) + 1;
	}
	return (uint16_t)~sum;
}

/* Reads the 16-bit network-order field at @p as a host-order number. */
static inline uint16_t sl_t_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#endif
