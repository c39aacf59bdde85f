/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum, RFC 1071, with RFC 1624 incremental updates. See csum.h for byte order. */
#include "proto/csum.h"

#include <string.h>

#include "proto/bytes.h"

/*
 * 32-bit words summed between two folds of the 64-bit accumulator: each adds < 2^32, so 2^24
 * of them plus a folded value (< 2^33) stay far below 2^64, whatever @len is.
 */
#define SL_CSUM_CHUNK_WORDS ((size_t)1 << 24)

/* 64 -> 32 bits with end-around carry: 2^32 - 1 is a multiple of 0xffff, so the one's
 * complement 16-bit sum is preserved (RFC 1071 section 2(C), "deferred carries"). */
static uint32_t fold64(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint32_t sl_csum_partial(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	uint64_t acc = sum;

	/*
	 * Native-order 32-bit loads via memcpy (alignment-safe): a 32-bit word w = hi * 2^16 + lo
	 * is congruent to hi + lo modulo 0xffff, so summing 32-bit words is summing the 16-bit
	 * words they hold (RFC 1071 section 2(C)); native order is fine by 2(B).
	 */
	while (len >= 4) {
		size_t words = len / 4;
		if (words > SL_CSUM_CHUNK_WORDS)
			words = SL_CSUM_CHUNK_WORDS;
		for (size_t i = 0; i < words; i++) {
			uint32_t w;
			memcpy(&w, b, sizeof(w));
			acc += w;
			b += 4;
		}
		len -= words * 4;
		acc = fold64(acc);
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, b, sizeof(w));
		acc += w;
		b += 2;
		len -= 2;
	}
	if (len == 1) {
		/* The last byte is the first (lower-address) byte of a word padded with zero. */
		uint16_t w = 0;
		memcpy(&w, b, 1);
		acc += w;
	}
	return fold64(acc);
}

uint16_t sl_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t sl_csum(const void *p, size_t len)
{
	return sl_csum_fold(sl_csum_partial(p, len, 0));
}

uint16_t sl_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	/* RFC 1624 section 3, eqn. 3: HC' = ~(~HC + ~m + m'). */
	uint32_t sum = (uint32_t)(uint16_t)~csum + (uint16_t)~old_word + new_word;
	return sl_csum_fold(sum);
}

uint16_t sl_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val)
{
	/* Eqn. 3 applied to the two 16-bit words of the field (their native halves). */
	uint32_t nold = ~old_val;
	uint32_t sum = (uint32_t)(uint16_t)~csum;
	sum += (nold >> 16) + (nold & 0xffffu);
	sum += (new_val >> 16) + (new_val & 0xffffu);
	return sl_csum_fold(sum);
}

uint32_t sl_csum_pseudo4(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint16_t l4len)
{
	/* Pseudo header: src(4) dst(4) zero(1) proto(1) length(2), RFC 9293 section 3.1. */
	uint32_t sum = 0;
	sum += (src_be >> 16) + (src_be & 0xffffu);
	sum += (dst_be >> 16) + (dst_be & 0xffffu);
	sum += sl_hton16(proto);
	sum += sl_hton16(l4len);
	return sum;
}
