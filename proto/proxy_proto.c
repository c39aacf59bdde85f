/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PROXY protocol, versions 1 and 2: parser and builders (proxy_proto.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proto/proxy_proto.h"

static const uint8_t v2_sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				   0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
static const char v1_sig[] = "PROXY ";

/* CRC32C (reflected polynomial 0x82f63b78) of @len bytes, continuing @crc (bitwise: a header is
 * checksummed once per connection). */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
	}
	return crc;
}

uint32_t sl_pp_crc32c(const uint8_t *p, size_t len)
{
	return ~crc_update(0xffffffffu, p, len);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------------------------ v1 */

/* The next space-separated word of @s (one space between words, none leading): its start, its
 * end in *@end. NULL when there is none. */
static char *word(char *s, char **end)
{
	if (s == NULL || *s == '\0' || *s == ' ')
		return NULL;
	char *e = s;
	while (*e != '\0' && *e != ' ')
		e++;
	*end = e;
	return s;
}

/* A decimal port, 0..65535, at most five digits. */
static bool v1_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static int parse_v1(const uint8_t *p, size_t len, struct sl_pp_hdr *h)
{
	size_t lim = len < SL_PP_V1_MAX ? len : SL_PP_V1_MAX;
	size_t eol = 0;
	bool found = false;
	for (size_t i = sizeof(v1_sig) - 1; i < lim; i++) {
		if (p[i] == '\n' || p[i] == '\0')
			return SL_PP_BAD; /* a bare LF, or a NUL: not a v1 line */
		if (p[i] == '\r') {
			if (i + 2 > SL_PP_V1_MAX)
				return SL_PP_BAD; /* its LF would be past the 107 bytes */
			if (i + 1 >= len)
				return SL_PP_MORE;
			if (p[i + 1] != '\n')
				return SL_PP_BAD;
			eol = i;
			found = true;
			break;
		}
	}
	if (!found)
		return len >= SL_PP_V1_MAX ? SL_PP_BAD : SL_PP_MORE;
	char line[SL_PP_V1_MAX + 1];
	size_t n = eol - (sizeof(v1_sig) - 1);
	memcpy(line, p + sizeof(v1_sig) - 1, n);
	line[n] = '\0';
	h->version = 1;
	h->len = eol + 2;
	char *e, *proto = word(line, &e);
	if (proto == NULL)
		return SL_PP_BAD;
	bool last = *e == '\0';
	*e = '\0';
	if (strcmp(proto, "UNKNOWN") == 0) { /* the rest of the line is ignored (spec 2.1) */
		h->fam = SL_PP_UNSPEC;
		return SL_PP_OK;
	}
	int af;
	if (strcmp(proto, "TCP4") == 0)
		af = AF_INET, h->fam = SL_PP_TCP4;
	else if (strcmp(proto, "TCP6") == 0)
		af = AF_INET6, h->fam = SL_PP_TCP6;
	else
		return SL_PP_BAD;
	char *f[4];
	char *s = e + 1;
	for (int i = 0; i < 4; i++) {
		if (last || (f[i] = word(s, &e)) == NULL)
			return SL_PP_BAD;
		last = *e == '\0';
		*e = '\0';
		s = e + 1;
	}
	if (!last)
		return SL_PP_BAD; /* more words than the four */
	if (inet_pton(af, f[0], h->src) != 1 || inet_pton(af, f[1], h->dst) != 1 ||
	    !v1_port(f[2], &h->sport) || !v1_port(f[3], &h->dport))
		return SL_PP_BAD;
	return SL_PP_OK;
}

/* ------------------------------------------------------------------ v2 */

/* The SSL TLV's value: client bits, verify, then sub-TLVs. */
static bool parse_ssl(const uint8_t *v, size_t n, struct sl_pp_hdr *h)
{
	if (n < 5)
		return false;
	h->has_ssl = true;
	h->ssl_client = v[0];
	h->ssl_verify = rd32(v + 1);
	size_t o = 5;
	while (o < n) {
		if (n - o < 3)
			return false;
		uint8_t t = v[o];
		size_t l = rd16(v + o + 1);
		if (l > n - o - 3)
			return false;
		struct sl_pp_slice sl = {v + o + 3, l};
		switch (t) {
		case SL_PP2_SUBTYPE_SSL_VERSION:
			h->ssl_version = sl;
			break;
		case SL_PP2_SUBTYPE_SSL_CN:
			h->ssl_cn = sl;
			break;
		case SL_PP2_SUBTYPE_SSL_CIPHER:
			h->ssl_cipher = sl;
			break;
		case SL_PP2_SUBTYPE_SSL_SIG_ALG:
			h->ssl_sig_alg = sl;
			break;
		case SL_PP2_SUBTYPE_SSL_KEY_ALG:
			h->ssl_key_alg = sl;
			break;
		default:
			break;
		}
		o += 3 + l;
	}
	return true;
}

static int parse_v2(const uint8_t *p, size_t len, size_t max, struct sl_pp_hdr *h)
{
	if (len < SL_PP_V2_HDR)
		return SL_PP_MORE;
	uint8_t ver = p[12] >> 4, cmd = p[12] & 0x0f;
	if (ver != 2 || cmd > 1)
		return SL_PP_BAD;
	size_t total = SL_PP_V2_HDR + rd16(p + 14);
	if (total > max)
		return SL_PP_BAD; /* oversized */
	if (len < total)
		return SL_PP_MORE;
	h->version = 2;
	h->len = total;
	h->local = cmd == 0;
	uint8_t fam = p[13];
	const uint8_t *a = p + SL_PP_V2_HDR;
	size_t alen = total - SL_PP_V2_HDR, skip;
	switch (fam) {
	case 0x11: /* TCP over IPv4 */
	case 0x12: /* UDP over IPv4 */
		skip = 12;
		break;
	case 0x21:
	case 0x22:
		skip = 36;
		break;
	case 0x31: /* unix stream/dgram */
	case 0x32:
		skip = 216;
		break;
	case 0x00:
		skip = 0;
		break;
	default:
		return SL_PP_BAD; /* an unknown family or transport */
	}
	if (alen < skip)
		return SL_PP_BAD;
	if (!h->local && fam == 0x11) {
		h->fam = SL_PP_TCP4;
		memcpy(h->src, a, 4);
		memcpy(h->dst, a + 4, 4);
		h->sport = rd16(a + 8);
		h->dport = rd16(a + 10);
	} else if (!h->local && fam == 0x21) {
		h->fam = SL_PP_TCP6;
		memcpy(h->src, a, 16);
		memcpy(h->dst, a + 16, 16);
		h->sport = rd16(a + 32);
		h->dport = rd16(a + 34);
	} else {
		h->fam = SL_PP_UNSPEC; /* LOCAL, UDP, unix, AF_UNSPEC: the connection's own */
	}
	size_t o = skip;
	const uint8_t *crc = NULL;
	while (o < alen) {
		if (alen - o < 3)
			return SL_PP_BAD;
		uint8_t t = a[o];
		size_t l = rd16(a + o + 1);
		if (l > alen - o - 3)
			return SL_PP_BAD;
		const uint8_t *v = a + o + 3;
		switch (t) {
		case SL_PP2_TYPE_ALPN:
			h->alpn = (struct sl_pp_slice){v, l};
			break;
		case SL_PP2_TYPE_AUTHORITY:
			h->authority = (struct sl_pp_slice){v, l};
			break;
		case SL_PP2_TYPE_CRC32C:
			if (l != 4)
				return SL_PP_BAD;
			crc = v;
			break;
		case SL_PP2_TYPE_UNIQUE_ID:
			if (l > SL_PP2_UNIQUE_ID_MAX)
				return SL_PP_BAD;
			h->unique_id = (struct sl_pp_slice){v, l};
			break;
		case SL_PP2_TYPE_SSL:
			if (!parse_ssl(v, l, h))
				return SL_PP_BAD;
			break;
		default: /* NOOP, NETNS, custom and unknown types: skipped */
			break;
		}
		o += 3 + l;
	}
	if (crc != NULL) { /* over the whole header, the checksum's own bytes as zeros */
		uint32_t want = rd32(crc);
		size_t at = (size_t)(crc - p);
		static const uint8_t zero[4];
		uint32_t c = crc_update(0xffffffffu, p, at);
		c = crc_update(c, zero, 4);
		c = crc_update(c, crc + 4, total - at - 4);
		if (~c != want)
			return SL_PP_BAD;
		h->has_crc32c = true;
	}
	return SL_PP_OK;
}

int sl_pp_parse(const uint8_t *p, size_t len, size_t max, struct sl_pp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	size_t n1 = len < sizeof(v1_sig) - 1 ? len : sizeof(v1_sig) - 1;
	size_t n2 = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
	if (len > 0 && memcmp(p, v1_sig, n1) == 0) {
		if (len < sizeof(v1_sig) - 1)
			return SL_PP_MORE;
		int r = parse_v1(p, len, h);
		if (r == SL_PP_OK && h->len > max)
			return SL_PP_BAD;
		return r;
	}
	if (len > 0 && memcmp(p, v2_sig, n2) == 0) {
		if (len < sizeof(v2_sig))
			return SL_PP_MORE;
		return parse_v2(p, len, max, h);
	}
	return len == 0 ? SL_PP_MORE : SL_PP_BAD;
}

/* ------------------------------------------------------------------ builders */

size_t sl_pp_build_v1(char *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst,
		      uint16_t dport)
{
	int n = snprintf(out, cap, "PROXY TCP4 %u.%u.%u.%u %u.%u.%u.%u %u %u\r\n", src >> 24,
			 (src >> 16) & 255, (src >> 8) & 255, src & 255, dst >> 24, (dst >> 16) & 255,
			 (dst >> 8) & 255, dst & 255, sport, dport);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void wr16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

/* A TLV at @out + *@o, when it fits in @cap. */
static bool put_tlv(uint8_t *out, size_t cap, size_t *o, uint8_t type, const void *v, size_t l)
{
	if (l > 0xffff || cap - *o < 3 + l)
		return false;
	out[*o] = type;
	wr16(out + *o + 1, l);
	if (l > 0)
		memcpy(out + *o + 3, v, l);
	*o += 3 + l;
	return true;
}

size_t sl_pp_build_v2(uint8_t *out, size_t cap, bool local, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport, uint32_t opts, const struct sl_pp2_facts *f)
{
	static const struct sl_pp2_facts none;
	if (f == NULL)
		f = &none;
	if (cap < SL_PP_V2_HDR + 12)
		return 0;
	memcpy(out, v2_sig, sizeof(v2_sig));
	out[12] = local ? 0x20 : 0x21;
	size_t o = SL_PP_V2_HDR;
	if (local) {
		out[13] = 0x00; /* AF_UNSPEC: no address block */
	} else {
		out[13] = 0x11;
		wr32(out + o, src);
		wr32(out + o + 4, dst);
		wr16(out + o + 8, sport);
		wr16(out + o + 10, dport);
		o += 12;
	}
	size_t crc_at = 0;
	static const uint8_t zero4[4];
	if (opts & SL_PP2O_CRC32C) {
		crc_at = o + 3;
		if (!put_tlv(out, cap, &o, SL_PP2_TYPE_CRC32C, zero4, 4))
			return 0;
	}
	if ((opts & SL_PP2O_AUTHORITY) && f->authority != NULL && f->authority[0] != '\0' &&
	    !put_tlv(out, cap, &o, SL_PP2_TYPE_AUTHORITY, f->authority, strlen(f->authority)))
		return 0;
	if ((opts & SL_PP2O_UNIQUE_ID) && f->unique_id != NULL && f->unique_id_len > 0 &&
	    !put_tlv(out, cap, &o, SL_PP2_TYPE_UNIQUE_ID, f->unique_id,
		     f->unique_id_len < SL_PP2_UNIQUE_ID_MAX ? f->unique_id_len
							     : SL_PP2_UNIQUE_ID_MAX))
		return 0;
	if (opts & SL_PP2O_SSL) {
		/* client bits and verify (0: no client certificate to fail), then sub-TLVs */
		size_t at = o;
		uint8_t head[5] = {f->ssl ? SL_PP2_CLIENT_SSL : 0, 0, 0, 0, 0};
		if (!put_tlv(out, cap, &o, SL_PP2_TYPE_SSL, head, sizeof(head)))
			return 0;
		if (f->ssl && f->ssl_version != NULL &&
		    !put_tlv(out, cap, &o, SL_PP2_SUBTYPE_SSL_VERSION, f->ssl_version,
			     strlen(f->ssl_version)))
			return 0;
		if (f->ssl && (opts & SL_PP2O_SSL_CIPHER) && f->ssl_cipher != NULL &&
		    !put_tlv(out, cap, &o, SL_PP2_SUBTYPE_SSL_CIPHER, f->ssl_cipher,
			     strlen(f->ssl_cipher)))
			return 0;
		wr16(out + at + 1, o - at - 3);
	}
	if (o - SL_PP_V2_HDR > 0xffff)
		return 0;
	wr16(out + 14, o - SL_PP_V2_HDR);
	if (crc_at != 0)
		wr32(out + crc_at, sl_pp_crc32c(out, o));
	return o;
}
