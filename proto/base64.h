/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict base64 (RFC 4648 section 4, the standard alphabet with '=' padding), for HTTP Basic
 * credentials.
 *
 * The decoder accepts only canonical input: a length that is a multiple of 4, characters of the
 * alphabet only (no whitespace, no URL-safe '-' / '_'), '=' only as the last one or two
 * characters, and zero bits where padding leaves unused bits (so every byte string has exactly
 * one accepted encoding). The alphabet is decoded without table lookups or data-dependent
 * branches per character, so decoding a secret does not leak it through the cache.
 *
 * Pure C, no allocation, no global state.
 */
#ifndef SL_BASE64_H
#define SL_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that decoding @inlen characters can produce at most. */
static inline size_t sl_base64_decoded_max(size_t inlen)
{
	return inlen / 4 * 3;
}

/* Characters (without the NUL) that encoding @len bytes produces. */
static inline size_t sl_base64_encoded_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

/*
 * Decodes @inlen characters of @in (no NUL needed) into @out. Accepts the input, the output
 * buffer and its size, and where to store the number of decoded bytes. Returns 0, -EINVAL when
 * the input is not canonical base64 (bad character, bad length, misplaced or missing padding,
 * non-zero unused bits), or -EMSGSIZE when the decoded bytes would not fit in @outcap (nothing is
 * guaranteed about @out then). An empty input decodes to 0 bytes.
 */
int sl_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap, size_t *outlen);

/*
 * Encodes @len bytes of @in with padding, followed by a NUL. Accepts the output buffer and its
 * size, which must be at least sl_base64_encoded_len(@len) + 1. Returns the number of characters
 * written (without the NUL), or -EMSGSIZE (nothing written).
 */
int sl_base64_encode(const void *in, size_t len, char *out, size_t outcap);

#endif
