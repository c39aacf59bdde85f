/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sequence number arithmetic (RFC 9293 section 3.4): sequence numbers live in a 2^32 space
 * and wrap, so "a before b" is decided by the sign of the 32-bit difference b - a. Valid when
 * the two numbers are less than 2^31 apart, which the windows of a connection guarantee
 * (RFC 7323 section 2.3 bounds the scaled window to 2^30).
 *
 * Header only (static inline), used by the whole stack and by timestamp comparisons (PAWS,
 * RFC 7323 section 5.3, uses the same modular order on TSval).
 */
#ifndef SL_TCP_SEQ_H
#define SL_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* Returns the signed distance from @b to @a (a - b) in sequence space. */
static inline int32_t sl_seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* True when @a comes strictly before @b (a < b modulo 2^32). */
static inline bool SEQ_LT(uint32_t a, uint32_t b)
{
	return sl_seq_diff(a, b) < 0;
}

/* True when @a comes before @b or equals it. */
static inline bool SEQ_LEQ(uint32_t a, uint32_t b)
{
	return sl_seq_diff(a, b) <= 0;
}

/* True when @a comes strictly after @b. */
static inline bool SEQ_GT(uint32_t a, uint32_t b)
{
	return sl_seq_diff(a, b) > 0;
}

/* True when @a comes after @b or equals it. */
static inline bool SEQ_GEQ(uint32_t a, uint32_t b)
{
	return sl_seq_diff(a, b) >= 0;
}

/* Returns the later of @a and @b in sequence order. */
static inline uint32_t sl_seq_max(uint32_t a, uint32_t b)
{
	return SEQ_GT(a, b) ? a : b;
}

/* Returns the earlier of @a and @b in sequence order. */
static inline uint32_t sl_seq_min(uint32_t a, uint32_t b)
{
	return SEQ_LT(a, b) ? a : b;
}

/* True when @lo <= @s < @hi in sequence order (an empty range when @lo == @hi). */
static inline bool sl_seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
	return SEQ_LEQ(lo, s) && SEQ_LT(s, hi);
}

#endif
