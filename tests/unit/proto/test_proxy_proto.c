/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the PROXY protocol parser and builders (proto/proxy_proto.c): v1 and v2 headers
 * of every family, every truncation of each ("need more", never an answer), every TLV, the
 * CRC32C, hostile headers (wrong signatures, lengths past their container, oversized), built
 * headers parsing back, and seeded mutations (every input an exact-size heap copy, which the
 * ASan build checks).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proxy_proto.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

static int parse_max(const void *p, size_t len, size_t max, struct sl_pp_hdr *h)
{
	uint8_t *d = sl_t_dup(p, len);
	int r = sl_pp_parse(d, len, max, h);
	if (r == SL_PP_OK) {
		CU_ASSERT(h->len <= len);
		/* slices lie in the input; re-pointed at the caller's copy */
		struct sl_pp_slice *sl[] = {&h->alpn,	    &h->authority,  &h->unique_id,
					    &h->ssl_version, &h->ssl_cn,     &h->ssl_cipher,
					    &h->ssl_sig_alg, &h->ssl_key_alg};
		for (size_t i = 0; i < SL_ARRAY_SIZE(sl); i++)
			if (sl[i]->p != NULL) {
				CU_ASSERT(sl[i]->p >= d && sl[i]->p + sl[i]->len <= d + h->len);
				sl[i]->p = (const uint8_t *)p + (sl[i]->p - d);
			}
	}
	free(d);
	return r;
}

static int parse(const void *p, size_t len, struct sl_pp_hdr *h)
{
	return parse_max(p, len, 16384, h);
}

/* Every strict prefix of a valid header is "need more". */
static void all_prefixes_more(const void *p, size_t len)
{
	struct sl_pp_hdr h;
	for (size_t n = 0; n < len; n++) {
		int r = parse(p, n, &h);
		CU_ASSERT_EQUAL(r, SL_PP_MORE);
		if (r != SL_PP_MORE)
			fprintf(stderr, "prefix %zu of %zu: %d\n", n, len, r);
	}
}

static void test_crc32c(void)
{
	CU_ASSERT_EQUAL(sl_pp_crc32c((const uint8_t *)"123456789", 9), 0xe3069283u);
	CU_ASSERT_EQUAL(sl_pp_crc32c((const uint8_t *)"", 0), 0u);
}

static void test_v1(void)
{
	struct sl_pp_hdr h;
	const char *l = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\nGET / HTTP/1.1\r\n";
	CU_ASSERT_EQUAL(parse(l, strlen(l), &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.version, 1);
	CU_ASSERT_EQUAL(h.fam, SL_PP_TCP4);
	CU_ASSERT_EQUAL(h.len, strlen("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n"));
	CU_ASSERT(memcmp(h.src, "\xc0\x00\x02\x07", 4) == 0);
	CU_ASSERT(memcmp(h.dst, "\xc6\x33\x64\x01", 4) == 0);
	CU_ASSERT_EQUAL(h.sport, 56324);
	CU_ASSERT_EQUAL(h.dport, 443);
	all_prefixes_more(l, h.len);

	const char *l6 = "PROXY TCP6 2001:db8::1 2001:db8::2 65535 0\r\n";
	CU_ASSERT_EQUAL(parse(l6, strlen(l6), &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_TCP6);
	CU_ASSERT_EQUAL(h.src[0], 0x20);
	CU_ASSERT_EQUAL(h.src[15], 1);
	CU_ASSERT_EQUAL(h.sport, 65535);
	CU_ASSERT_EQUAL(h.dport, 0);
	all_prefixes_more(l6, strlen(l6));

	const char *u = "PROXY UNKNOWN\r\n";
	CU_ASSERT_EQUAL(parse(u, strlen(u), &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_UNSPEC);
	CU_ASSERT_EQUAL(h.len, 15);
	all_prefixes_more(u, strlen(u));
	const char *u2 = "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n";
	CU_ASSERT_EQUAL(parse(u2, strlen(u2), &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_UNSPEC);

	/* the longest line the spec allows: 107 bytes (UNKNOWN with IPv6 addresses) */
	const char *lng = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
			  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	CU_ASSERT_EQUAL(strlen(lng), SL_PP_V1_MAX);
	CU_ASSERT_EQUAL(parse(lng, strlen(lng), &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.len, SL_PP_V1_MAX);
	all_prefixes_more(lng, strlen(lng));
	const char *l6max = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	CU_ASSERT_EQUAL(parse(l6max, strlen(l6max), &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_TCP6);
	/* a smaller limit than the line: oversized */
	CU_ASSERT_EQUAL(parse_max(l, strlen(l), 20, &h), SL_PP_BAD);
}

static void test_v1_bad(void)
{
	static const char *const bad[] = {
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\n",	  /* bare LF */
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\rX",	  /* CR not CRLF */
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",		  /* a word short */
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 443 9\r\n",	  /* a word more */
		"PROXY TCP4  192.0.2.7 198.51.100.1 56324 443\r\n",	  /* two spaces */
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 443 \r\n",	  /* trailing space */
		"PROXY TCP4 192.0.2.256 198.51.100.1 56324 443\r\n",	  /* address */
		"PROXY TCP4 2001:db8::1 198.51.100.1 56324 443\r\n",	  /* v6 under TCP4 */
		"PROXY TCP6 192.0.2.7 2001:db8::1 1 2\r\n",		  /* v4 under TCP6 */
		"PROXY TCP4 192.0.2.7 198.51.100.1 65536 443\r\n",	  /* port range */
		"PROXY TCP4 192.0.2.7 198.51.100.1 -1 443\r\n",	  /* port sign */
		"PROXY TCP4 192.0.2.7 198.51.100.1 123456 443\r\n",	  /* port length */
		"PROXY TCP4 192.0.2.7 198.51.100.1 1x 443\r\n",	  /* port digits */
		"PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n",		  /* protocol */
		"PROXY tcp4 192.0.2.7 198.51.100.1 1 2\r\n",		  /* protocol case */
		"PROXY \r\n",						  /* no protocol */
		"PROXY TCP4\r\n",					  /* nothing after it */
		"PROXY TCP4 192.0.2.7\0 198.51.100.1 1 2\r\n",		  /* NUL */
		"GET / HTTP/1.1\r\n\r\n",				  /* no header */
		"proxy TCP4 192.0.2.7 198.51.100.1 1 2\r\n",		  /* signature case */
		"PROXY_TCP4 192.0.2.7 198.51.100.1 1 2\r\n",		  /* signature */
		"\x16\x03\x01\x02\x00\x01",				  /* a TLS hello */
	};
	struct sl_pp_hdr h;
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		size_t n = strlen(bad[i]);
		if (i == 17)
			n = 40;
		int r = parse(bad[i], n, &h);
		CU_ASSERT_EQUAL(r, SL_PP_BAD);
		if (r != SL_PP_BAD)
			fprintf(stderr, "v1 bad %zu: %d\n", i, r);
	}
	/* no CRLF within 107 bytes: oversized, refused (and not before) */
	char lng[200];
	memcpy(lng, "PROXY UNKNOWN ", 14);
	memset(lng + 14, 'a', sizeof(lng) - 14);
	CU_ASSERT_EQUAL(parse(lng, SL_PP_V1_MAX - 1, &h), SL_PP_MORE);
	CU_ASSERT_EQUAL(parse(lng, SL_PP_V1_MAX, &h), SL_PP_BAD);
	CU_ASSERT_EQUAL(parse(lng, sizeof(lng), &h), SL_PP_BAD);
	/* a CR as the 107th byte: its LF would be the 108th */
	lng[SL_PP_V1_MAX - 1] = '\r';
	lng[SL_PP_V1_MAX] = '\n';
	CU_ASSERT_EQUAL(parse(lng, SL_PP_V1_MAX + 1, &h), SL_PP_BAD);
	lng[SL_PP_V1_MAX - 2] = '\r';
	lng[SL_PP_V1_MAX - 1] = '\n';
	CU_ASSERT_EQUAL(parse(lng, SL_PP_V1_MAX, &h), SL_PP_OK);
}

/* ------------------------------------------------------------------ v2 */

static const uint8_t sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A v2 header by hand: @vc version/command, @fam, then @body (addresses and TLVs). */
static size_t mk(uint8_t *out, uint8_t vc, uint8_t fam, const uint8_t *body, size_t n)
{
	memcpy(out, sig, 12);
	out[12] = vc;
	out[13] = fam;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
	if (n > 0)
		memcpy(out + 16, body, n);
	return 16 + n;
}

static const uint8_t addr4[12] = {192, 0, 2, 7, 198, 51, 100, 1, 0xdc, 0x04, 0x01, 0xbb};

static void test_v2_families(void)
{
	uint8_t b[600];
	struct sl_pp_hdr h;
	size_t n = mk(b, 0x21, 0x11, addr4, sizeof(addr4));
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.version, 2);
	CU_ASSERT(!h.local);
	CU_ASSERT_EQUAL(h.fam, SL_PP_TCP4);
	CU_ASSERT_EQUAL(h.len, 28);
	CU_ASSERT(memcmp(h.src, addr4, 4) == 0);
	CU_ASSERT(memcmp(h.dst, addr4 + 4, 4) == 0);
	CU_ASSERT_EQUAL(h.sport, 56324);
	CU_ASSERT_EQUAL(h.dport, 443);
	all_prefixes_more(b, n);

	uint8_t a6[36] = {0x20, 0x01, 0x0d, 0xb8};
	a6[15] = 1;
	a6[16] = 0x20;
	a6[31] = 2;
	a6[33] = 80;
	a6[35] = 81;
	n = mk(b, 0x21, 0x21, a6, sizeof(a6));
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_TCP6);
	CU_ASSERT_EQUAL(h.sport, 80);
	CU_ASSERT_EQUAL(h.dport, 81);
	CU_ASSERT_EQUAL(h.src[15], 1);
	all_prefixes_more(b, n);

	/* LOCAL: addresses ignored; with an address block, and without */
	n = mk(b, 0x20, 0x11, addr4, sizeof(addr4));
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT(h.local);
	CU_ASSERT_EQUAL(h.fam, SL_PP_UNSPEC);
	n = mk(b, 0x20, 0x00, NULL, 0);
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT(h.local);
	CU_ASSERT_EQUAL(h.len, 16);
	all_prefixes_more(b, n);
	/* PROXY over UDP, unix, AF_UNSPEC: the connection's own addresses */
	n = mk(b, 0x21, 0x12, addr4, sizeof(addr4));
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_UNSPEC);
	uint8_t un[216] = {0};
	n = mk(b, 0x21, 0x31, un, sizeof(un));
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_UNSPEC);
	n = mk(b, 0x21, 0x00, NULL, 0);
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_UNSPEC);
}

static void test_v2_bad(void)
{
	uint8_t b[600];
	struct sl_pp_hdr h;
	size_t n;
	/* version 1 and 3, command 2..15 */
	n = mk(b, 0x11, 0x11, addr4, sizeof(addr4));
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	n = mk(b, 0x31, 0x11, addr4, sizeof(addr4));
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	for (uint8_t c = 2; c < 16; c++) {
		n = mk(b, (uint8_t)(0x20 | c), 0x11, addr4, sizeof(addr4));
		CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	}
	/* unknown families and transports */
	static const uint8_t fams[] = {0x01, 0x10, 0x13, 0x23, 0x41, 0xff};
	for (size_t i = 0; i < sizeof(fams); i++) {
		n = mk(b, 0x21, fams[i], addr4, sizeof(addr4));
		CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	}
	/* address blocks shorter than the family needs */
	n = mk(b, 0x21, 0x11, addr4, 11);
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	uint8_t a6[36] = {0};
	n = mk(b, 0x21, 0x21, a6, 35);
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	n = mk(b, 0x21, 0x31, a6, 36);
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	/* a wrong signature byte, anywhere in it */
	for (int i = 0; i < 12; i++) {
		n = mk(b, 0x21, 0x11, addr4, sizeof(addr4));
		b[i] ^= 0x40;
		CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	}
	/* oversized: a length past the caller's limit, refused before the bytes arrive */
	n = mk(b, 0x21, 0x11, addr4, sizeof(addr4));
	b[14] = 0xff;
	b[15] = 0xff;
	CU_ASSERT_EQUAL(parse(b, 16, &h), SL_PP_BAD);
	CU_ASSERT_EQUAL(parse_max(b, 16, 16 + 0xffff, &h), SL_PP_MORE);
	n = mk(b, 0x21, 0x11, addr4, sizeof(addr4));
	CU_ASSERT_EQUAL(parse_max(b, n, n - 1, &h), SL_PP_BAD);
	CU_ASSERT_EQUAL(parse_max(b, n, n, &h), SL_PP_OK);
}

/* A TLV into @out at *@o. */
static void tlv(uint8_t *out, size_t *o, uint8_t t, const void *v, size_t l)
{
	out[*o] = t;
	out[*o + 1] = (uint8_t)(l >> 8);
	out[*o + 2] = (uint8_t)l;
	memcpy(out + *o + 3, v, l);
	*o += 3 + l;
}

static void test_v2_tlvs(void)
{
	uint8_t body[512], b[600];
	size_t o = 0;
	memcpy(body, addr4, 12);
	o = 12;
	tlv(body, &o, SL_PP2_TYPE_ALPN, "h2", 2);
	tlv(body, &o, SL_PP2_TYPE_AUTHORITY, "a.test", 6);
	tlv(body, &o, SL_PP2_TYPE_NOOP, "\0\0\0", 3);
	tlv(body, &o, SL_PP2_TYPE_UNIQUE_ID, "id-42", 5);
	tlv(body, &o, SL_PP2_TYPE_NETNS, "ns", 2);
	tlv(body, &o, 0xe0, "custom", 6);
	uint8_t ssl[128] = {SL_PP2_CLIENT_SSL | SL_PP2_CLIENT_CERT_CONN, 0, 0, 0, 9};
	size_t so = 5;
	tlv(ssl, &so, SL_PP2_SUBTYPE_SSL_VERSION, "TLSv1.3", 7);
	tlv(ssl, &so, SL_PP2_SUBTYPE_SSL_CN, "cn", 2);
	tlv(ssl, &so, SL_PP2_SUBTYPE_SSL_CIPHER, "TLS_AES_128_GCM_SHA256", 22);
	tlv(ssl, &so, SL_PP2_SUBTYPE_SSL_SIG_ALG, "RSA-SHA256", 10);
	tlv(ssl, &so, SL_PP2_SUBTYPE_SSL_KEY_ALG, "RSA2048", 7);
	tlv(ssl, &so, 0x2f, "x", 1); /* unknown sub-TLV: skipped */
	tlv(body, &o, SL_PP2_TYPE_SSL, ssl, so);
	size_t crc_at = o + 3;
	tlv(body, &o, SL_PP2_TYPE_CRC32C, "\0\0\0\0", 4);
	size_t n = mk(b, 0x21, 0x11, body, o);
	uint32_t c = sl_pp_crc32c(b, n);
	b[16 + crc_at] = (uint8_t)(c >> 24);
	b[16 + crc_at + 1] = (uint8_t)(c >> 16);
	b[16 + crc_at + 2] = (uint8_t)(c >> 8);
	b[16 + crc_at + 3] = (uint8_t)c;
	struct sl_pp_hdr h;
	CU_ASSERT_EQUAL_FATAL(parse(b, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.len, n);
	CU_ASSERT(h.alpn.len == 2 && memcmp(h.alpn.p, "h2", 2) == 0);
	CU_ASSERT(h.authority.len == 6 && memcmp(h.authority.p, "a.test", 6) == 0);
	CU_ASSERT(h.unique_id.len == 5 && memcmp(h.unique_id.p, "id-42", 5) == 0);
	CU_ASSERT(h.has_ssl);
	CU_ASSERT_EQUAL(h.ssl_client, SL_PP2_CLIENT_SSL | SL_PP2_CLIENT_CERT_CONN);
	CU_ASSERT_EQUAL(h.ssl_verify, 9);
	CU_ASSERT(h.ssl_version.len == 7 && memcmp(h.ssl_version.p, "TLSv1.3", 7) == 0);
	CU_ASSERT(h.ssl_cn.len == 2 && memcmp(h.ssl_cn.p, "cn", 2) == 0);
	CU_ASSERT(h.ssl_cipher.len == 22);
	CU_ASSERT(h.ssl_sig_alg.len == 10);
	CU_ASSERT(h.ssl_key_alg.len == 7);
	CU_ASSERT(h.has_crc32c);
	all_prefixes_more(b, n);
	/* every byte of the header flipped: a CRC32C mismatch, or a structure error, never OK
	 * with the same facts (the CRC covers the whole header) */
	for (size_t i = 12; i < n; i++) {
		b[i] ^= 0x01;
		struct sl_pp_hdr g;
		int r = parse(b, n, &g);
		CU_ASSERT(r != SL_PP_OK || !g.has_crc32c || g.len != n);
		b[i] ^= 0x01;
	}

	/* hostile TLVs: each length past its container */
	static const struct {
		uint8_t t;
		size_t len;    /* the TLV's stated length */
		size_t actual; /* the value bytes present */
	} hostile[] = {
		{SL_PP2_TYPE_AUTHORITY, 10, 9}, /* past the header */
		{SL_PP2_TYPE_CRC32C, 3, 3},	/* a CRC32C not 4 bytes */
		{SL_PP2_TYPE_CRC32C, 5, 5},
		{SL_PP2_TYPE_UNIQUE_ID, 129, 129}, /* longer than the spec's 128 */
		{SL_PP2_TYPE_SSL, 4, 4},	   /* an SSL TLV shorter than client + verify */
		{SL_PP2_TYPE_NOOP, 0xffff, 10},
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(hostile); i++) {
		uint8_t bd[400] = {0};
		memcpy(bd, addr4, 12);
		bd[12] = hostile[i].t;
		bd[13] = (uint8_t)(hostile[i].len >> 8);
		bd[14] = (uint8_t)hostile[i].len;
		n = mk(b, 0x21, 0x11, bd, 15 + hostile[i].actual);
		CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	}
	/* one or two bytes after the last TLV: not a TLV */
	for (size_t extra = 1; extra <= 2; extra++) {
		uint8_t bd[20] = {0};
		memcpy(bd, addr4, 12);
		n = mk(b, 0x21, 0x11, bd, 12 + extra);
		CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	}
	/* a sub-TLV of SSL past the SSL TLV */
	uint8_t bad_ssl[16] = {1, 0, 0, 0, 0, SL_PP2_SUBTYPE_SSL_VERSION, 0, 9, 'T', 'L', 'S'};
	o = 12;
	memcpy(body, addr4, 12);
	tlv(body, &o, SL_PP2_TYPE_SSL, bad_ssl, 11);
	n = mk(b, 0x21, 0x11, body, o);
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
	/* a wrong CRC32C */
	o = 12;
	tlv(body, &o, SL_PP2_TYPE_CRC32C, "\1\2\3\4", 4);
	n = mk(b, 0x21, 0x11, body, o);
	CU_ASSERT_EQUAL(parse(b, n, &h), SL_PP_BAD);
}

/* ------------------------------------------------------------------ builders */

static void test_build_v1(void)
{
	char out[SL_PP_V1_MAX];
	size_t n = sl_pp_build_v1(out, sizeof(out), 0xc0000207, 56324, 0xc6336401, 443);
	CU_ASSERT_EQUAL(n, strlen("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n"));
	CU_ASSERT(memcmp(out, "PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n", n) == 0);
	struct sl_pp_hdr h;
	CU_ASSERT_EQUAL(parse(out, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.sport, 56324);
	n = sl_pp_build_v1(out, sizeof(out), 0xffffffff, 65535, 0xffffffff, 65535);
	CU_ASSERT(n > 0 && n < SL_PP_V1_MAX);
	CU_ASSERT_EQUAL(sl_pp_build_v1(out, 10, 1, 2, 3, 4), 0);
}

static void test_build_v2(void)
{
	uint8_t out[512];
	struct sl_pp_hdr h;
	size_t n = sl_pp_build_v2(out, sizeof(out), false, 0xc0000207, 56324, 0xc6336401, 443, 0,
				  NULL);
	CU_ASSERT_EQUAL(n, 28);
	CU_ASSERT_EQUAL(parse(out, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.fam, SL_PP_TCP4);
	CU_ASSERT(memcmp(h.src, "\xc0\x00\x02\x07", 4) == 0);
	CU_ASSERT_EQUAL(h.dport, 443);

	n = sl_pp_build_v2(out, sizeof(out), true, 0, 0, 0, 0, SL_PP2O_CRC32C, NULL);
	CU_ASSERT_EQUAL(parse(out, n, &h), SL_PP_OK);
	CU_ASSERT(h.local);
	CU_ASSERT(h.has_crc32c);

	struct sl_pp2_facts f = {.ssl = true, .ssl_version = "TLSv1.3",
				 .ssl_cipher = "TLS_AES_256_GCM_SHA384", .authority = "www.test",
				 .unique_id = (const uint8_t *)"uid", .unique_id_len = 3};
	uint32_t all = SL_PP2O_SSL | SL_PP2O_SSL_CIPHER | SL_PP2O_CERT_SIG | SL_PP2O_CERT_KEY |
		       SL_PP2O_CERT_CN | SL_PP2O_AUTHORITY | SL_PP2O_UNIQUE_ID | SL_PP2O_CRC32C;
	n = sl_pp_build_v2(out, sizeof(out), false, 0x0a000001, 1, 0x0a000002, 2, all, &f);
	CU_ASSERT_EQUAL_FATAL(parse(out, n, &h), SL_PP_OK);
	CU_ASSERT_EQUAL(h.len, n);
	CU_ASSERT(h.has_crc32c);
	CU_ASSERT(h.authority.len == 8 && memcmp(h.authority.p, "www.test", 8) == 0);
	CU_ASSERT(h.unique_id.len == 3 && memcmp(h.unique_id.p, "uid", 3) == 0);
	CU_ASSERT(h.has_ssl);
	CU_ASSERT_EQUAL(h.ssl_client, SL_PP2_CLIENT_SSL);
	CU_ASSERT_EQUAL(h.ssl_verify, 0);
	CU_ASSERT(h.ssl_version.len == 7 && memcmp(h.ssl_version.p, "TLSv1.3", 7) == 0);
	CU_ASSERT(h.ssl_cipher.len == strlen("TLS_AES_256_GCM_SHA384"));
	CU_ASSERT(h.ssl_cn.p == NULL);
	/* HAProxy's order: the CRC32C first after the addresses */
	CU_ASSERT_EQUAL(out[28], SL_PP2_TYPE_CRC32C);
	/* every capacity short of the header: 0, never a write past it */
	for (size_t cap = 0; cap < n; cap++) {
		uint8_t *d = malloc(cap + 1);
		CU_ASSERT_EQUAL(sl_pp_build_v2(d, cap, false, 1, 2, 3, 4, all, &f), 0);
		free(d);
	}
	/* a plain client: the SSL TLV says so, with no sub-TLV; absent facts add nothing */
	struct sl_pp2_facts plain = {0};
	n = sl_pp_build_v2(out, sizeof(out), false, 1, 2, 3, 4, all, &plain);
	CU_ASSERT_EQUAL(parse(out, n, &h), SL_PP_OK);
	CU_ASSERT(h.has_ssl);
	CU_ASSERT_EQUAL(h.ssl_client, 0);
	CU_ASSERT(h.ssl_version.p == NULL);
	CU_ASSERT(h.authority.p == NULL && h.unique_id.p == NULL);
	CU_ASSERT_EQUAL(n, 28 + 7 + 8);
}

static void test_mutations(void)
{
	uint8_t base[600];
	struct sl_pp2_facts f = {.ssl = true, .ssl_version = "TLSv1.2", .ssl_cipher = "X",
				 .authority = "a"};
	size_t bn = sl_pp_build_v2(base, sizeof(base), false, 1, 2, 3, 4, 0xff, &f);
	const char *v1 = "PROXY TCP4 1.2.3.4 5.6.7.8 9 10\r\n";
	uint64_t seed = 7;
	for (int i = 0; i < 20000; i++) {
		uint8_t m[600];
		size_t bl = (i & 1) ? bn : strlen(v1);
		memcpy(m, (i & 1) ? base : (const uint8_t *)v1, bl);
		for (int k = 0; k < 3; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			m[(seed >> 33) % bl] = (uint8_t)(seed >> 13);
		}
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		size_t n = (seed >> 33) % (bl + 1);
		struct sl_pp_hdr h;
		int r = parse(m, n, &h);
		CU_ASSERT(r == SL_PP_OK || r == SL_PP_MORE || r == SL_PP_BAD);
		if (r == SL_PP_OK)
			CU_ASSERT(h.len <= n);
	}
}

static const struct sl_test_case cases[] = {
	{"CRC32C check value", test_crc32c},
	{"v1: TCP4, TCP6, UNKNOWN, the longest line, every truncation", test_v1},
	{"v1: hostile lines", test_v1_bad},
	{"v2: every family, LOCAL, every truncation", test_v2_families},
	{"v2: versions, commands, families, short blocks, signature, oversized", test_v2_bad},
	{"v2: every TLV, CRC32C, hostile TLVs", test_v2_tlvs},
	{"v1 builder", test_build_v1},
	{"v2 builder: every proxy-v2-option, capacities", test_build_v2},
	{"seeded mutations", test_mutations},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"proxy_proto", cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
