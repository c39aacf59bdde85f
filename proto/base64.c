/* SPDX-License-Identifier: BSD-3-Clause */
#include "proto/base64.h"

#include <errno.h>
#include <stdbool.h>

/*
 * Mask helpers: all-ones (0xffffffff) when the condition holds, else 0, computed without
 * branches. Arguments are small (a byte value plus a constant), so the subtractions never wrap
 * past bit 31.
 */
static inline uint32_t mask_ge(uint32_t a, uint32_t b) /* a >= b */
{
	return ~(uint32_t)((int32_t)(a - b) >> 31);
}

static inline uint32_t mask_range(uint32_t c, uint32_t lo, uint32_t hi) /* lo <= c <= hi */
{
	return mask_ge(c, lo) & mask_ge(hi, c);
}

/* The 6-bit value of a base64 character, or 0xff for a character outside the alphabet. */
static uint32_t decode_char(unsigned char ch)
{
	uint32_t c = ch;
	uint32_t v = 0xff;
	uint32_t m;

	m = mask_range(c, 'A', 'Z');
	v = (v & ~m) | ((c - 'A') & m);
	m = mask_range(c, 'a', 'z');
	v = (v & ~m) | ((c - 'a' + 26) & m);
	m = mask_range(c, '0', '9');
	v = (v & ~m) | ((c - '0' + 52) & m);
	m = mask_range(c, '+', '+');
	v = (v & ~m) | (62 & m);
	m = mask_range(c, '/', '/');
	v = (v & ~m) | (63 & m);
	return v;
}

int sl_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap, size_t *outlen)
{
	*outlen = 0;
	if (inlen % 4 != 0)
		return -EINVAL;
	if (inlen == 0)
		return 0;

	/* Padding: only the last one or two characters of the last quantum. */
	size_t pad = 0;
	if (in[inlen - 1] == '=') {
		pad = 1;
		if (in[inlen - 2] == '=')
			pad = 2;
	}
	size_t need = inlen / 4 * 3 - pad;
	if (need > outcap)
		return -EMSGSIZE;

	uint32_t bad = 0;
	size_t o = 0;
	for (size_t i = 0; i < inlen; i += 4) {
		bool last = i + 4 == inlen;
		size_t nchar = last ? 4 - pad : 4;
		uint32_t q = 0;
		for (size_t k = 0; k < 4; k++) {
			uint32_t v = k < nchar ? decode_char((unsigned char)in[i + k]) : 0;
			bad |= v & 0xc0; /* 0xff: not in the alphabet ('=' included) */
			q = (q << 6) | (v & 0x3f);
		}
		if (nchar == 4) {
			out[o++] = (uint8_t)(q >> 16);
			out[o++] = (uint8_t)(q >> 8);
			out[o++] = (uint8_t)q;
		} else if (nchar == 3) {
			bad |= q & 0xff; /* unused bits must be zero */
			out[o++] = (uint8_t)(q >> 16);
			out[o++] = (uint8_t)(q >> 8);
		} else {
			bad |= q & 0xffff;
			out[o++] = (uint8_t)(q >> 16);
		}
	}
	if (bad != 0)
		return -EINVAL;
	*outlen = o;
	return 0;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sl_base64_encode(const void *in, size_t len, char *out, size_t outcap)
{
	const uint8_t *p = in;
	size_t need = sl_base64_encoded_len(len);
	if (len > ((size_t)-1 - 3) / 4 * 3 || need >= outcap || need > (size_t)INT32_MAX)
		return -EMSGSIZE;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		size_t rest = len - i;
		uint32_t q = (uint32_t)p[i] << 16;
		if (rest > 1)
			q |= (uint32_t)p[i + 1] << 8;
		if (rest > 2)
			q |= p[i + 2];
		out[o++] = b64_alphabet[(q >> 18) & 63];
		out[o++] = b64_alphabet[(q >> 12) & 63];
		out[o++] = rest > 1 ? b64_alphabet[(q >> 6) & 63] : '=';
		out[o++] = rest > 2 ? b64_alphabet[q & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}
