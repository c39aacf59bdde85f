/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the ICMP parser and echo reply rewrite (proto/icmp.c), RFC 792 and RFC 1624. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/csum.h"
#include "proto/icmp.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* Real ICMP echo request (ping from Linux, id 0x50bf, seq 1, 56 data bytes), checksum 0x60aa. */
static const uint8_t echo_req[64] = {
	0x08, 0x00, 0x60, 0xaa, 0x50, 0xbf, 0x00, 0x01, 0x15, 0xe2, 0x0b, 0x6b, 0x00,
	0x00, 0x00, 0x00, 0x5c, 0x75, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11,
	0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e,
	0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

/* The real echo reply the peer (192.0.2.1) sent back to it, checksum 0x68aa. */
static const uint8_t echo_rep[64] = {
	0x00, 0x00, 0x68, 0xaa, 0x50, 0xbf, 0x00, 0x01, 0x15, 0xe2, 0x0b, 0x6b, 0x00,
	0x00, 0x00, 0x00, 0x5c, 0x75, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11,
	0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e,
	0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

static void test_parse_real(void)
{
	struct sl_icmp_info ic;
	enum sl_icmp_err err = SL_ICMP_ERR_CSUM;
	CU_ASSERT_EQUAL(sl_icmp_parse(echo_req, sizeof(echo_req), &ic, &err), SL_ICMP_HLEN);
	CU_ASSERT_EQUAL(err, SL_ICMP_OK);
	CU_ASSERT_EQUAL(ic.type, SL_ICMP_ECHO_REQUEST);
	CU_ASSERT_EQUAL(ic.code, 0);
	CU_ASSERT_EQUAL(ic.id, 0x50bf);
	CU_ASSERT_EQUAL(ic.seq, 1);
	CU_ASSERT_EQUAL(sl_icmp_parse(echo_rep, sizeof(echo_rep), &ic, &err), 8);
	CU_ASSERT_EQUAL(ic.type, SL_ICMP_ECHO_REPLY);
	CU_ASSERT_EQUAL(ic.seq, 1);
	/* Unaligned. */
	uint8_t u[65];
	memcpy(u + 1, echo_req, 64);
	CU_ASSERT_EQUAL(sl_icmp_parse(u + 1, 64, &ic, NULL), 8);
	CU_ASSERT_EQUAL(ic.id, 0x50bf);
}

static void test_errors(void)
{
	struct sl_icmp_info ic;
	enum sl_icmp_err err;
	CU_ASSERT_EQUAL(sl_icmp_parse(echo_req, 7, &ic, &err), -1);
	CU_ASSERT_EQUAL(err, SL_ICMP_ERR_SHORT);
	CU_ASSERT_EQUAL(sl_icmp_parse(echo_req, 0, &ic, &err), -1);
	CU_ASSERT_EQUAL(err, SL_ICMP_ERR_SHORT);

	uint8_t p[64];
	memcpy(p, echo_req, 64);
	p[63] ^= 0x01; /* last data byte: the checksum covers the whole message */
	CU_ASSERT_EQUAL(sl_icmp_parse(p, 64, &ic, &err), -1);
	CU_ASSERT_EQUAL(err, SL_ICMP_ERR_CSUM);
	CU_ASSERT_EQUAL(ic.id, 0x50bf); /* filled all the same */
	memcpy(p, echo_req, 64);
	p[0] = 0; /* type changed without a checksum update */
	CU_ASSERT_EQUAL(sl_icmp_parse(p, 64, &ic, &err), -1);
	CU_ASSERT_EQUAL(err, SL_ICMP_ERR_CSUM);
	/* Ethernet padding left in: the checksum is then wrong (unless the padding is zero). */
	uint8_t padded[70] = {0};
	memcpy(padded, echo_req, 64);
	padded[69] = 0xee;
	CU_ASSERT_EQUAL(sl_icmp_parse(padded, 70, &ic, &err), -1);
	CU_ASSERT_EQUAL(err, SL_ICMP_ERR_CSUM);

	CU_ASSERT_STRING_EQUAL(sl_icmp_err_name(SL_ICMP_OK), "icmp_ok");
	CU_ASSERT_STRING_EQUAL(sl_icmp_err_name(SL_ICMP_ERR_SHORT), "icmp_short");
	CU_ASSERT_STRING_EQUAL(sl_icmp_err_name(SL_ICMP_ERR_CSUM), "icmp_bad_csum");
	CU_ASSERT_STRING_EQUAL(sl_icmp_err_name((enum sl_icmp_err)SL_ICMP_ERR_COUNT),
			       "icmp_unknown");
}

/* Every truncation in exact-size buffers: SHORT below 8, else the checksum decides. */
static void test_truncated(void)
{
	int bad = 0;
	for (size_t n = 0; n <= sizeof(echo_req); n++) {
		uint8_t *p = sl_t_dup(echo_req, n);
		struct sl_icmp_info ic;
		enum sl_icmp_err err = SL_ICMP_OK;
		int r = sl_icmp_parse(p, n, &ic, &err);
		if (n < 8) {
			bad += r != -1 || err != SL_ICMP_ERR_SHORT;
		} else {
			int ok = sl_t_ref_csum(p, n, 0) == 0;
			bad += ok ? r != 8 || err != SL_ICMP_OK
				  : r != -1 || err != SL_ICMP_ERR_CSUM;
		}
		free(p);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The rewrite of the real request is byte for byte the real reply. */
static void test_echo_to_reply_real(void)
{
	uint8_t p[64];
	memcpy(p, echo_req, 64);
	sl_icmp_echo_to_reply(p, 64);
	CU_ASSERT_EQUAL(memcmp(p, echo_rep, 64), 0);
	struct sl_icmp_info ic;
	CU_ASSERT_EQUAL(sl_icmp_parse(p, 64, &ic, NULL), 8);
	CU_ASSERT_EQUAL(ic.type, SL_ICMP_ECHO_REPLY);
}

/* 1000 random echo requests, odd and even lengths, unaligned: incremental == full recompute. */
static void test_echo_to_reply_random(void)
{
	struct sl_t_rng rng = {0x1c3b};
	uint8_t buf[1 + 1500];
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		size_t len = 8 + sl_t_below(&rng, 1493);
		uint8_t *p = buf + (i & 1);
		sl_t_fill(&rng, p, len);
		p[0] = SL_ICMP_ECHO_REQUEST;
		p[1] = 0;
		if (i % 50 == 0)
			memset(p + 4, 0, len - 4); /* id, seq and data all zero */
		p[2] = p[3] = 0;
		uint16_t c = sl_t_ref_csum(p, len, 0);
		p[2] = (uint8_t)(c >> 8), p[3] = (uint8_t)c;

		struct sl_icmp_info ic;
		if (sl_icmp_parse(p, len, &ic, NULL) != 8 || ic.type != SL_ICMP_ECHO_REQUEST)
			bad++;
		sl_icmp_echo_to_reply(p, len);
		uint8_t inc[2] = {p[2], p[3]};
		p[2] = p[3] = 0;
		uint16_t full = sl_csum(p, len); /* full recomputation */
		if (memcmp(inc, &full, 2) != 0)
			bad++;
		if (sl_t_ref_csum(p, len, 0) != sl_t_be16(inc))
			bad++;
		memcpy(p + 2, inc, 2);
		if (sl_icmp_parse(p, len, &ic, NULL) != 8 || ic.type != SL_ICMP_ECHO_REPLY)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * The RFC 1624 corner: a reply that is all zero must carry 0xffff (a receiver summing it gets
 * 0xffff and accepts it; with 0x0000 it gets 0 and drops it). A reply that is not all zero and
 * whose right checksum is 0x0000 keeps 0x0000.
 */
static void test_echo_to_reply_zero_corner(void)
{
	for (size_t len = 8; len <= 12; len++) {
		uint8_t p[12] = {SL_ICMP_ECHO_REQUEST, 0, 0xf7, 0xff}; /* ~0x0800 */
		uint8_t *d = sl_t_dup(p, len);
		CU_ASSERT_EQUAL(sl_icmp_parse(d, len, &(struct sl_icmp_info){0}, NULL), 8);
		sl_icmp_echo_to_reply(d, len);
		CU_ASSERT_EQUAL(d[2], 0xff);
		CU_ASSERT_EQUAL(d[3], 0xff);
		CU_ASSERT_EQUAL(sl_icmp_parse(d, len, &(struct sl_icmp_info){0}, NULL), 8);
		free(d);
	}
	/* id 0xffff: the reply sums to 0xffff, so its checksum is a genuine 0x0000. */
	uint8_t q[8] = {SL_ICMP_ECHO_REQUEST, 0, 0xf7, 0xff, 0xff, 0xff, 0x00, 0x00};
	q[2] = q[3] = 0;
	uint16_t c = sl_t_ref_csum(q, 8, 0);
	q[2] = (uint8_t)(c >> 8), q[3] = (uint8_t)c;
	CU_ASSERT_EQUAL(sl_icmp_parse(q, 8, &(struct sl_icmp_info){0}, NULL), 8);
	sl_icmp_echo_to_reply(q, 8);
	CU_ASSERT_EQUAL(q[2], 0);
	CU_ASSERT_EQUAL(q[3], 0);
	CU_ASSERT_EQUAL(sl_icmp_parse(q, 8, &(struct sl_icmp_info){0}, NULL), 8);
}

static const struct sl_test_case parse_cases[] = {
	{"real echo request and reply", test_parse_real},
	{"SHORT and CSUM, names", test_errors},
	{"every truncation", test_truncated},
	{NULL, NULL},
};

static const struct sl_test_case echo_cases[] = {
	{"real request becomes the real reply", test_echo_to_reply_real},
	{"1000 random requests vs full recomputation", test_echo_to_reply_random},
	{"all-zero reply gets 0xffff", test_echo_to_reply_zero_corner},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"icmp/parse", parse_cases},
	{"icmp/echo", echo_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
