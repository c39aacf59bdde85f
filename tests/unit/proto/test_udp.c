/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the UDP header parser and checksum helpers (proto/udp.c), RFC 768. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/udp.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* Real datagrams 198.51.100.1:58195 -> 198.51.100.2 (Linux, tcpdump -xx), UDP header onwards. */
#define CLI 0xc6336401u
#define SRV 0xc6336402u

/* To port 5000: "hello sluice" (20 bytes), checksum 0x2452. */
static const uint8_t hello[20] = {
	0xe3, 0x53, 0x13, 0x88, 0x00, 0x14, 0x24, 0x52, 0x68, 0x65,
	0x6c, 0x6c, 0x6f, 0x20, 0x73, 0x6c, 0x75, 0x69, 0x63, 0x65,
};

/* To port 5001: "odd" (11 bytes: odd length), checksum 0xe12b. */
static const uint8_t odd[11] = {0xe3, 0x53, 0x13, 0x89, 0x00, 0x0b, 0xe1, 0x2b, 0x6f, 0x64, 0x64};

static int parse_err(const uint8_t *p, size_t len)
{
	struct sl_udp_info u;
	enum sl_udp_err err = SL_UDP_OK;
	int r = sl_udp_parse(p, len, &u, &err);
	if (r == -1)
		return (int)err;
	return r == 8 && err == SL_UDP_OK ? 0 : 100;
}

static void test_parse_real(void)
{
	struct sl_udp_info u;
	enum sl_udp_err err = SL_UDP_ERR_LEN;
	CU_ASSERT_EQUAL(sl_udp_parse(hello, sizeof(hello), &u, &err), SL_UDP_HLEN);
	CU_ASSERT_EQUAL(err, SL_UDP_OK);
	CU_ASSERT_EQUAL(u.sport, 58195);
	CU_ASSERT_EQUAL(u.dport, 5000);
	CU_ASSERT_EQUAL(u.len, 20);
	CU_ASSERT_EQUAL(u.csum, 0x2452);
	CU_ASSERT_EQUAL(memcmp(hello + 8, "hello sluice", u.len - 8u), 0);

	uint8_t buf[1 + 11];
	memcpy(buf + 1, odd, 11); /* unaligned */
	CU_ASSERT_EQUAL(sl_udp_parse(buf + 1, 11, &u, NULL), 8);
	CU_ASSERT_EQUAL(u.dport, 5001);
	CU_ASSERT_EQUAL(u.len, 11);
}

/* The datagram may be followed by padding: the length field says where it ends. */
static void test_padding(void)
{
	uint8_t buf[32] = {0};
	memcpy(buf, odd, sizeof(odd));
	struct sl_udp_info u;
	CU_ASSERT_EQUAL(sl_udp_parse(buf, sizeof(buf), &u, NULL), 8);
	CU_ASSERT_EQUAL(u.len, 11);
	CU_ASSERT_TRUE(sl_udp4_csum_ok(buf, u.len, CLI, SRV));
}

static void test_errors(void)
{
	CU_ASSERT_EQUAL(parse_err(hello, 7), SL_UDP_ERR_SHORT);
	CU_ASSERT_EQUAL(parse_err(hello, 0), SL_UDP_ERR_SHORT);
	CU_ASSERT_EQUAL(parse_err(hello, 19), SL_UDP_ERR_LEN); /* length 20 > 19 */
	uint8_t h[20];
	memcpy(h, hello, 20);
	h[4] = 0, h[5] = 7;
	CU_ASSERT_EQUAL(parse_err(h, 20), SL_UDP_ERR_LEN);
	h[5] = 0;
	CU_ASSERT_EQUAL(parse_err(h, 20), SL_UDP_ERR_LEN);
	h[5] = 8; /* empty payload is fine */
	CU_ASSERT_EQUAL(parse_err(h, 20), 0);
	h[4] = 0xff, h[5] = 0xff;
	CU_ASSERT_EQUAL(parse_err(h, 20), SL_UDP_ERR_LEN);

	CU_ASSERT_STRING_EQUAL(sl_udp_err_name(SL_UDP_OK), "udp_ok");
	CU_ASSERT_STRING_EQUAL(sl_udp_err_name(SL_UDP_ERR_SHORT), "udp_short");
	CU_ASSERT_STRING_EQUAL(sl_udp_err_name(SL_UDP_ERR_LEN), "udp_bad_len");
	CU_ASSERT_STRING_EQUAL(sl_udp_err_name((enum sl_udp_err)SL_UDP_ERR_COUNT), "udp_unknown");
}

static void test_truncated(void)
{
	int bad = 0;
	for (size_t n = 0; n <= sizeof(hello); n++) {
		uint8_t *p = sl_t_dup(hello, n);
		int want = n < 8 ? SL_UDP_ERR_SHORT : n < 20 ? SL_UDP_ERR_LEN : 0;
		if (parse_err(p, n) != want)
			bad++;
		free(p);
	}
	for (size_t n = 0; n <= sizeof(odd); n++) {
		uint8_t *p = sl_t_dup(odd, n);
		int want = n < 8 ? SL_UDP_ERR_SHORT : n < 11 ? SL_UDP_ERR_LEN : 0;
		if (parse_err(p, n) != want)
			bad++;
		/* The checksum helper on a cut datagram: reads only n bytes, says false. */
		if (sl_udp4_csum_ok(p, n, CLI, SRV) != (n == sizeof(odd)))
			bad++;
		free(p);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_csum(void)
{
	CU_ASSERT_TRUE(sl_udp4_csum_ok(hello, sizeof(hello), CLI, SRV));
	CU_ASSERT_TRUE(sl_udp4_csum_ok(odd, sizeof(odd), CLI, SRV));
	CU_ASSERT_FALSE(sl_udp4_csum_ok(odd, sizeof(odd), CLI, SRV ^ 0x100));
	CU_ASSERT_FALSE(sl_udp4_csum_ok(odd, 7, CLI, SRV));
	uint8_t d[20];
	memcpy(d, hello, 20);
	d[19] ^= 1;
	CU_ASSERT_FALSE(sl_udp4_csum_ok(d, 20, CLI, SRV));
	/* Checksum 0: none was computed (RFC 768); accepted whatever the data. */
	d[6] = d[7] = 0;
	CU_ASSERT_TRUE(sl_udp4_csum_ok(d, 20, CLI, SRV));

	/* set_csum reproduces Linux's values, odd length and unaligned included. */
	uint8_t buf[1 + 20];
	uint8_t *p = buf + 1;
	memcpy(p, odd, 11);
	p[6] = p[7] = 0xaa;
	sl_udp4_set_csum(p, 11, CLI, SRV);
	CU_ASSERT_EQUAL(memcmp(p, odd, 11), 0);
	memcpy(p, hello, 20);
	p[6] = p[7] = 0;
	sl_udp4_set_csum(p, 20, CLI, SRV);
	CU_ASSERT_EQUAL(memcmp(p, hello, 20), 0);
}

/* A datagram whose checksum computes to 0 is sent as 0xffff, which verifies. */
static void test_csum_zero_becomes_ffff(void)
{
	uint8_t d[20];
	memcpy(d, hello, 20);
	d[6] = d[7] = 0;
	d[8] = d[9] = 0; /* a payload word to tune */
	sl_udp4_set_csum(d, 20, CLI, SRV);
	/* Putting the checksum value in the payload word makes the whole sum 0xffff. */
	d[8] = d[6], d[9] = d[7];
	sl_udp4_set_csum(d, 20, CLI, SRV);
	CU_ASSERT_EQUAL(d[6], 0xff);
	CU_ASSERT_EQUAL(d[7], 0xff);
	CU_ASSERT_TRUE(sl_udp4_csum_ok(d, 20, CLI, SRV));
	/* Reference: over the pseudo header, with the field zero, the checksum is 0. */
	uint8_t ph[12 + 20] = {0xc6, 0x33, 0x64, 0x01, 0xc6, 0x33, 0x64, 0x02, 0, 17, 0, 20};
	memcpy(ph + 12, d, 20);
	ph[12 + 6] = ph[12 + 7] = 0;
	CU_ASSERT_EQUAL(sl_t_ref_csum(ph, sizeof(ph), 0), 0);
}

/* Random datagrams: set_csum then csum_ok, against the reference. */
static void test_csum_random(void)
{
	struct sl_t_rng rng = {0xd9a};
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		uint8_t ph[12 + 600];
		size_t len = 8 + sl_t_below(&rng, 593);
		sl_t_fill(&rng, ph, sizeof(ph));
		uint8_t *d = ph + 12;
		uint32_t src = (uint32_t)ph[0] << 24 | (uint32_t)ph[1] << 16 | ph[2] << 8 | ph[3];
		uint32_t dst = (uint32_t)ph[4] << 24 | (uint32_t)ph[5] << 16 | ph[6] << 8 | ph[7];
		ph[8] = 0, ph[9] = 17, ph[10] = (uint8_t)(len >> 8), ph[11] = (uint8_t)len;
		sl_udp4_set_csum(d, len, src, dst);
		if (!sl_udp4_csum_ok(d, len, src, dst))
			bad++;
		uint16_t got = sl_t_be16(d + 6);
		d[6] = d[7] = 0;
		uint16_t want = sl_t_ref_csum(ph, 12 + len, 0);
		if (got != (want == 0 ? 0xffff : want))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const struct sl_test_case parse_cases[] = {
	{"real datagrams", test_parse_real},
	{"padding after the datagram", test_padding},
	{"SHORT and LEN, names", test_errors},
	{"every truncation", test_truncated},
	{NULL, NULL},
};

static const struct sl_test_case csum_cases[] = {
	{"checksums of real datagrams", test_csum},
	{"computed 0 is sent as 0xffff", test_csum_zero_becomes_ffff},
	{"1000 random datagrams vs reference", test_csum_random},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"udp/parse", parse_cases},
	{"udp/csum", csum_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
