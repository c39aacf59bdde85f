/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ClientHello reader (proto/tls_hello.c): a real OpenSSL ClientHello, every
 * truncation of it ("need more", never an answer), hellos built field by field with each
 * length made wrong ("not TLS"), and seeded mutations (never a read past the input: every
 * input is an exact-size heap copy, which the ASan build checks).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tls_hello.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* openssl s_client -servername a.test (OpenSSL 3, TLS 1.3 offered): 312 bytes, one record */
static const uint8_t real_hello[] = {
	0x16, 0x03, 0x01, 0x01, 0x33, 0x01, 0x00, 0x01, 0x2f, 0x03, 0x03, 0x69, 0x82, 0xd7, 0x54, 0xdc,
	0x58, 0x51, 0x32, 0xeb, 0xc9, 0x01, 0x71, 0x44, 0x6f, 0xe1, 0xba, 0xed, 0x93, 0x12, 0x82, 0x6e,
	0x8a, 0x47, 0x8e, 0x28, 0xd2, 0x69, 0x13, 0xbd, 0xfd, 0xa4, 0xd0, 0x20, 0x53, 0xde, 0xfa, 0x4c,
	0x14, 0x58, 0x24, 0x1d, 0xc4, 0x4b, 0x02, 0x93, 0xc7, 0x98, 0xcd, 0x77, 0x91, 0x2c, 0xf0, 0x55,
	0x68, 0x5e, 0x28, 0xe0, 0x9c, 0x49, 0x0e, 0xb4, 0xb1, 0x8c, 0x57, 0x27, 0x00, 0x3e, 0x13, 0x02,
	0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
	0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27,
	0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d,
	0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xa8,
	0x00, 0x00, 0x00, 0x0b, 0x00, 0x09, 0x00, 0x00, 0x06, 0x61, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x00,
	0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16, 0x00, 0x14, 0x00, 0x1d, 0x00,
	0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01,
	0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00,
	0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08,
	0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03,
	0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09, 0x08,
	0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33,
	0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x67, 0xcb, 0x42, 0x17, 0x30, 0x29, 0x36, 0xa1,
	0xef, 0xd7, 0x96, 0x16, 0xc4, 0x35, 0x0e, 0xb1, 0x6d, 0x12, 0xae, 0xb0, 0x67, 0x23, 0xed, 0xdf,
	0xc4, 0x69, 0xa0, 0x55, 0x26, 0xce, 0x8d, 0x20,
};

static int parse(const uint8_t *p, size_t len, struct sl_tls_hello *h)
{
	uint8_t *d = sl_t_dup(p, len);
	int r = sl_tls_hello_parse(d, len, h);
	if (r == SL_TLSH_OK && h->sni != NULL) { /* the slice lies in the input */
		CU_ASSERT(h->sni >= d && h->sni + h->sni_len <= d + len);
		h->sni = p + (h->sni - d);
	}
	free(d);
	return r;
}

static int head(const uint8_t *p, size_t len, uint8_t *type, uint32_t *ver)
{
	uint8_t *d = sl_t_dup(p, len);
	int r = sl_tls_record_head(d, len, type, ver);
	free(d);
	return r;
}

static void test_real(void)
{
	struct sl_tls_hello h;
	CU_ASSERT_EQUAL(parse(real_hello, sizeof(real_hello), &h), SL_TLSH_OK);
	CU_ASSERT_EQUAL(h.rec_ver, 0x30001);
	CU_ASSERT_EQUAL(h.hello_ver, 0x30003);
	CU_ASSERT_EQUAL(h.sni_len, 6);
	CU_ASSERT(h.sni != NULL && memcmp(h.sni, "a.test", 6) == 0);
	uint8_t t = 0;
	uint32_t v = 0;
	CU_ASSERT_EQUAL(head(real_hello, sizeof(real_hello), &t, &v), SL_TLSH_OK);
	CU_ASSERT_EQUAL(t, 1);
	CU_ASSERT_EQUAL(v, 0x30001);
	/* bytes after the record (a second record, early data) change nothing */
	uint8_t more[sizeof(real_hello) + 7];
	memcpy(more, real_hello, sizeof(real_hello));
	memcpy(more + sizeof(real_hello), "\x17\x03\x03\x00\x02xy", 7);
	CU_ASSERT_EQUAL(parse(more, sizeof(more), &h), SL_TLSH_OK);
	CU_ASSERT(h.sni != NULL && h.sni_len == 6);
}

static void test_truncated(void)
{
	struct sl_tls_hello h;
	for (size_t n = 0; n < sizeof(real_hello); n++) {
		int r = parse(real_hello, n, &h);
		CU_ASSERT_EQUAL(r, SL_TLSH_MORE);
		if (r != SL_TLSH_MORE)
			printf("truncated at %zu: %d\n", n, r);
		uint8_t t;
		uint32_t v;
		CU_ASSERT_EQUAL(head(real_hello, n, &t, &v), n < 6 ? SL_TLSH_MORE : SL_TLSH_OK);
	}
}

/* ---- hellos built field by field */

struct hb {
	uint8_t b[1024];
	size_t n;
	/* offsets of the length fields */
	size_t rec_len, hs_len, sid_len, cs_len, comp_len, ext_len, sni_ext_len, sni_list_len,
		sni_name_len;
};

static void put(struct hb *h, const void *p, size_t n)
{
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

static void put16(struct hb *h, unsigned v)
{
	uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(h, x, 2);
}

static void set16(struct hb *h, size_t at, size_t v)
{
	h->b[at] = (uint8_t)(v >> 8);
	h->b[at + 1] = (uint8_t)v;
}

/* A ClientHello naming @sni (NULL: no server_name extension; @with_exts false: none at all),
 * with one extension before it. */
static void build(struct hb *h, const char *sni, bool with_exts)
{
	memset(h, 0, sizeof(*h));
	put(h, "\x16\x03\x01", 3);
	h->rec_len = h->n;
	put16(h, 0);
	put(h, "\x01\x00\x00\x00", 4);
	h->hs_len = h->n - 3;
	put(h, "\x03\x03", 2);
	uint8_t rnd[32];
	memset(rnd, 0x5a, sizeof(rnd));
	put(h, rnd, 32);
	h->sid_len = h->n;
	put(h, "\x04sid!", 5);
	h->cs_len = h->n;
	put(h, "\x00\x04\x13\x01\x13\x02", 6);
	h->comp_len = h->n;
	put(h, "\x01\x00", 2);
	if (with_exts) {
		h->ext_len = h->n;
		put16(h, 0);
		size_t e0 = h->n;
		put(h, "\x00\x0b\x00\x02\x01\x00", 6); /* ec_point_formats */
		if (sni != NULL) {
			size_t l = strlen(sni);
			put16(h, 0);
			h->sni_ext_len = h->n;
			put16(h, l + 5);
			h->sni_list_len = h->n;
			put16(h, l + 3);
			put(h, "\x00", 1);
			h->sni_name_len = h->n;
			put16(h, l);
			put(h, sni, l);
		}
		put(h, "\x00\x2b\x00\x03\x02\x03\x04", 7); /* supported_versions */
		set16(h, h->ext_len, h->n - e0);
	}
	set16(h, h->rec_len, h->n - 5);
	size_t hl = h->n - 9;
	h->b[6] = (uint8_t)(hl >> 16);
	h->b[7] = (uint8_t)(hl >> 8);
	h->b[8] = (uint8_t)hl;
}

static void test_built(void)
{
	struct hb b;
	struct sl_tls_hello h;
	build(&b, "b.test", true);
	CU_ASSERT_EQUAL(parse(b.b, b.n, &h), SL_TLSH_OK);
	CU_ASSERT(h.sni != NULL && h.sni_len == 6 && memcmp(h.sni, "b.test", 6) == 0);
	CU_ASSERT_EQUAL(h.hello_ver, 0x30003);
	for (size_t n = 0; n < b.n; n++)
		CU_ASSERT_EQUAL(parse(b.b, n, &h), SL_TLSH_MORE);
	build(&b, NULL, true); /* no server name: a hello without SNI */
	CU_ASSERT_EQUAL(parse(b.b, b.n, &h), SL_TLSH_OK);
	CU_ASSERT_PTR_NULL(h.sni);
	build(&b, NULL, false); /* no extensions at all */
	CU_ASSERT_EQUAL(parse(b.b, b.n, &h), SL_TLSH_OK);
	CU_ASSERT_PTR_NULL(h.sni);
}

/* Each length field made one too long and one too short (and 0 / 0xffff): never OK with a
 * name, never a read outside. */
static void test_bad_lengths(void)
{
	struct hb b;
	struct sl_tls_hello h;
	build(&b, "b.test", true);
	const size_t f16[] = {b.cs_len, b.ext_len, b.sni_ext_len, b.sni_list_len, b.sni_name_len};
	for (size_t i = 0; i < SL_ARRAY_SIZE(f16); i++) {
		unsigned v = (unsigned)b.b[f16[i]] << 8 | b.b[f16[i] + 1];
		const unsigned bad[] = {v + 1, v - 1, 0xffff};
		for (size_t k = 0; k < SL_ARRAY_SIZE(bad); k++) {
			struct hb m = b;
			set16(&m, f16[i], bad[k] & 0xffff);
			CU_ASSERT_EQUAL(parse(m.b, m.n, &h), SL_TLSH_NOT_TLS);
		}
	}
	/* one-byte lengths: session id, compression methods */
	const size_t f8[] = {b.sid_len, b.comp_len};
	for (size_t i = 0; i < SL_ARRAY_SIZE(f8); i++) {
		const uint8_t bad[] = {(uint8_t)(b.b[f8[i]] + 1), (uint8_t)(b.b[f8[i]] - 1), 0xff};
		for (size_t k = 0; k < SL_ARRAY_SIZE(bad); k++) {
			struct hb m = b;
			m.b[f8[i]] = bad[k];
			CU_ASSERT_EQUAL(parse(m.b, m.n, &h), SL_TLSH_NOT_TLS);
		}
	}
	/* the handshake length past the record: not in one record */
	struct hb m = b;
	m.b[8]++;
	CU_ASSERT_EQUAL(parse(m.b, m.n, &h), SL_TLSH_NOT_TLS);
	/* the handshake length short of the record: the hello's fields overrun it */
	m = b;
	m.b[8] -= 3;
	CU_ASSERT_EQUAL(parse(m.b, m.n, &h), SL_TLSH_NOT_TLS);
	/* a record longer than what came: need more; beyond a record's maximum, or 0: not TLS */
	m = b;
	set16(&m, m.rec_len, m.n - 5 + 1);
	CU_ASSERT_EQUAL(parse(m.b, m.n, &h), SL_TLSH_MORE);
	m = b;
	set16(&m, m.rec_len, 0xffff);
	CU_ASSERT_EQUAL(parse(m.b, m.n, &h), SL_TLSH_NOT_TLS);
	set16(&m, m.rec_len, 0);
	CU_ASSERT_EQUAL(parse(m.b, m.n, &h), SL_TLSH_NOT_TLS);
	/* an empty host name */
	build(&b, "", true);
	CU_ASSERT_EQUAL(parse(b.b, b.n, &h), SL_TLSH_NOT_TLS);
}

static void test_not_tls(void)
{
	struct sl_tls_hello h;
	uint8_t t;
	uint32_t v;
	const char *get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	CU_ASSERT_EQUAL(parse((const uint8_t *)get, strlen(get), &h), SL_TLSH_NOT_TLS);
	CU_ASSERT_EQUAL(head((const uint8_t *)get, 1, &t, &v), SL_TLSH_NOT_TLS);
	uint8_t m[sizeof(real_hello)];
	memcpy(m, real_hello, sizeof(m));
	m[0] = 0x17; /* application data */
	CU_ASSERT_EQUAL(parse(m, sizeof(m), &h), SL_TLSH_NOT_TLS);
	CU_ASSERT_EQUAL(head(m, sizeof(m), &t, &v), SL_TLSH_NOT_TLS);
	memcpy(m, real_hello, sizeof(m));
	m[1] = 2; /* before SSLv3 */
	CU_ASSERT_EQUAL(parse(m, 2, &h), SL_TLSH_NOT_TLS);
	CU_ASSERT_EQUAL(head(m, sizeof(m), &t, &v), SL_TLSH_NOT_TLS);
	memcpy(m, real_hello, sizeof(m));
	m[5] = 2; /* a ServerHello: the type is read, the hello refused */
	CU_ASSERT_EQUAL(head(m, sizeof(m), &t, &v), SL_TLSH_OK);
	CU_ASSERT_EQUAL(t, 2);
	CU_ASSERT_EQUAL(parse(m, sizeof(m), &h), SL_TLSH_NOT_TLS);
	memcpy(m, real_hello, sizeof(m));
	m[9] = 2; /* the hello's version before SSLv3 */
	CU_ASSERT_EQUAL(parse(m, sizeof(m), &h), SL_TLSH_NOT_TLS);
}

/* Seeded mutations of the real hello: one to four bytes changed; any answer, no overrun. */
static void test_mutations(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint8_t m[sizeof(real_hello)];
	for (int i = 0; i < 20000; i++) {
		memcpy(m, real_hello, sizeof(m));
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			m[(seed >> 33) % sizeof(m)] = (uint8_t)(seed >> 13);
		}
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		size_t n = (seed >> 33) % (sizeof(m) + 1);
		struct sl_tls_hello h;
		int r = parse(m, n, &h);
		CU_ASSERT(r == SL_TLSH_OK || r == SL_TLSH_MORE || r == SL_TLSH_NOT_TLS);
	}
}

static const struct sl_test_case cases[] = {
	{"a real OpenSSL ClientHello", test_real},
	{"every truncation is 'need more'", test_truncated},
	{"built hellos: with, without SNI, without extensions", test_built},
	{"every wrong length is 'not TLS'", test_bad_lengths},
	{"other records and versions", test_not_tls},
	{"seeded mutations", test_mutations},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"tls_hello", cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
