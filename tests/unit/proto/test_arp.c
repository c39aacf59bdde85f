/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the ARP parser and builders (proto/arp.c), RFC 826. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/arp.h"
#include "proto/eth.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* Real captures (tcpdump -xx on a Linux host 192.0.2.2 at 02:fc:00:00:00:01), ARP part only. */

/* "Request who-has 192.0.2.2 tell 192.0.2.1" from the router 02:fc:00:00:00:05. */
static const uint8_t req_in[28] = {
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x05,
	0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x02,
};

/* Linux's answer to it: "Reply 192.0.2.2 is-at 02:fc:00:00:00:01". */
static const uint8_t reply_out[28] = {
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01,
	0xc0, 0x00, 0x02, 0x02, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x05, 0xc0, 0x00, 0x02, 0x01,
};

/* A whole frame: "Request who-has 192.0.2.99 tell 192.0.2.2", broadcast. */
static const uint8_t req_frame[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01,
	0xc0, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x63,
};

static const uint8_t mac1[6] = {0x02, 0xfc, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac5[6] = {0x02, 0xfc, 0x00, 0x00, 0x00, 0x05};
static const uint8_t zero_mac[6] = {0};

static void test_parse_request(void)
{
	struct sl_arp_info a;
	enum sl_arp_err err = SL_ARP_ERR_OP;
	CU_ASSERT_EQUAL(sl_arp_parse(req_in, sizeof(req_in), &a, &err), SL_ARP_LEN);
	CU_ASSERT_EQUAL(err, SL_ARP_OK);
	CU_ASSERT_EQUAL(a.op, SL_ARP_OP_REQUEST);
	CU_ASSERT_EQUAL(memcmp(a.sha, mac5, 6), 0);
	CU_ASSERT_EQUAL(a.spa, 0xc0000201);
	CU_ASSERT_EQUAL(memcmp(a.tha, zero_mac, 6), 0);
	CU_ASSERT_EQUAL(a.tpa, 0xc0000202);
	CU_ASSERT_FALSE(sl_arp_is_gratuitous(&a));
}

static void test_parse_reply(void)
{
	struct sl_arp_info a;
	enum sl_arp_err err;
	CU_ASSERT_EQUAL(sl_arp_parse(reply_out, sizeof(reply_out), &a, &err), 28);
	CU_ASSERT_EQUAL(err, SL_ARP_OK);
	CU_ASSERT_EQUAL(a.op, SL_ARP_OP_REPLY);
	CU_ASSERT_EQUAL(memcmp(a.sha, mac1, 6), 0);
	CU_ASSERT_EQUAL(a.spa, 0xc0000202);
	CU_ASSERT_EQUAL(memcmp(a.tha, mac5, 6), 0);
	CU_ASSERT_EQUAL(a.tpa, 0xc0000201);
}

/* The frame as a NIC hands it over: Ethernet header, ARP, padding to 60 bytes. */
static void test_parse_padded_frame(void)
{
	uint8_t f[60] = {0};
	memcpy(f, req_frame, sizeof(req_frame));
	struct sl_eth_info e;
	CU_ASSERT_EQUAL(sl_eth_parse(f, sizeof(f), &e), 14);
	CU_ASSERT_EQUAL(e.type, SL_ETH_P_ARP);
	struct sl_arp_info a;
	CU_ASSERT_EQUAL(sl_arp_parse(f + 14, sizeof(f) - 14, &a, NULL), 28); /* NULL err ok */
	CU_ASSERT_EQUAL(a.tpa, 0xc0000263);
	CU_ASSERT_EQUAL(a.spa, 0xc0000202);
	/* Unaligned: at an odd address. */
	uint8_t u[29];
	memcpy(u + 1, req_frame + 14, 28);
	CU_ASSERT_EQUAL(sl_arp_parse(u + 1, 28, &a, NULL), 28);
	CU_ASSERT_EQUAL(a.tpa, 0xc0000263);
}

static int parse_err(const uint8_t *p, size_t len)
{
	struct sl_arp_info a;
	enum sl_arp_err err = SL_ARP_OK;
	int r = sl_arp_parse(p, len, &a, &err);
	return r == -1 ? (int)err : (r == 28 && err == SL_ARP_OK ? 0 : 100);
}

static void test_errors(void)
{
	uint8_t p[28];
	CU_ASSERT_EQUAL(parse_err(req_in, 27), SL_ARP_ERR_SHORT);
	CU_ASSERT_EQUAL(parse_err(req_in, 0), SL_ARP_ERR_SHORT);

	memcpy(p, req_in, 28);
	p[1] = 6; /* IEEE 802 networks */
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_HTYPE);
	memcpy(p, req_in, 28);
	p[0] = 1;
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_HTYPE);

	memcpy(p, req_in, 28);
	p[2] = 0x86, p[3] = 0xdd;
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_PTYPE);

	memcpy(p, req_in, 28);
	p[4] = 8;
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_HLEN_PLEN);
	memcpy(p, req_in, 28);
	p[5] = 16;
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_HLEN_PLEN);

	memcpy(p, req_in, 28);
	p[7] = 3; /* RARP request */
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_OP);
	p[7] = 0;
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_OP);
	p[6] = 1, p[7] = 1;
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_OP);

	/* Reasons come in order: a short packet is SHORT whatever else is wrong. */
	memset(p, 0xee, sizeof(p));
	CU_ASSERT_EQUAL(parse_err(p, 20), SL_ARP_ERR_SHORT);
	CU_ASSERT_EQUAL(parse_err(p, 28), SL_ARP_ERR_HTYPE);
}

static void test_err_names(void)
{
	CU_ASSERT_STRING_EQUAL(sl_arp_err_name(SL_ARP_OK), "arp_ok");
	CU_ASSERT_STRING_EQUAL(sl_arp_err_name(SL_ARP_ERR_SHORT), "arp_short");
	CU_ASSERT_STRING_EQUAL(sl_arp_err_name(SL_ARP_ERR_HTYPE), "arp_bad_htype");
	CU_ASSERT_STRING_EQUAL(sl_arp_err_name(SL_ARP_ERR_PTYPE), "arp_bad_ptype");
	CU_ASSERT_STRING_EQUAL(sl_arp_err_name(SL_ARP_ERR_HLEN_PLEN), "arp_bad_hlen_plen");
	CU_ASSERT_STRING_EQUAL(sl_arp_err_name(SL_ARP_ERR_OP), "arp_bad_op");
	CU_ASSERT_STRING_EQUAL(sl_arp_err_name((enum sl_arp_err)SL_ARP_ERR_COUNT), "arp_unknown");
}

/* Every truncation, in exact-size heap buffers: SHORT below 28, never a read past the end. */
static void test_truncated(void)
{
	int bad = 0;
	for (size_t n = 0; n <= sizeof(req_in); n++) {
		uint8_t *p = sl_t_dup(req_in, n);
		int e = parse_err(p, n);
		if (e != (n < 28 ? SL_ARP_ERR_SHORT : 0))
			bad++;
		free(p);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Building the answer to the real request gives the very bytes Linux sent. */
static void test_build_reply(void)
{
	struct sl_arp_info a;
	CU_ASSERT_EQUAL_FATAL(sl_arp_parse(req_in, 28, &a, NULL), 28);
	uint8_t buf[28];
	CU_ASSERT_EQUAL(sl_arp_build(buf, sizeof(buf), SL_ARP_OP_REPLY, mac1, a.tpa, a.sha, a.spa),
			28);
	CU_ASSERT_EQUAL(memcmp(buf, reply_out, 28), 0);

	/* In place over the request, with the request's own sha as the new tha. */
	uint8_t p[28];
	memcpy(p, req_in, 28);
	CU_ASSERT_EQUAL(sl_arp_build(p, 28, SL_ARP_OP_REPLY, mac1, 0xc0000202, p + 8, 0xc0000201),
			28);
	CU_ASSERT_EQUAL(memcmp(p, reply_out, 28), 0);

	/* And the request Linux sent for 192.0.2.99. */
	CU_ASSERT_EQUAL(
		sl_arp_build(buf, 28, SL_ARP_OP_REQUEST, mac1, 0xc0000202, zero_mac, 0xc0000263),
		28);
	CU_ASSERT_EQUAL(memcmp(buf, req_frame + 14, 28), 0);
}

static void test_build_cap(void)
{
	uint8_t buf[28];
	memset(buf, 0xaa, sizeof(buf));
	CU_ASSERT_EQUAL(sl_arp_build(buf, 27, SL_ARP_OP_REQUEST, mac1, 1, zero_mac, 2), 0);
	CU_ASSERT_EQUAL(sl_arp_build(buf, 0, SL_ARP_OP_REQUEST, mac1, 1, zero_mac, 2), 0);
	CU_ASSERT_EQUAL(sl_arp_build_gratuitous(buf, 27, mac1, 1), 0);
	CU_ASSERT_EQUAL(buf[0], 0xaa);
	CU_ASSERT_EQUAL(buf[27], 0xaa);
}

static void test_gratuitous(void)
{
	uint8_t buf[64];
	CU_ASSERT_EQUAL(sl_arp_build_gratuitous(buf, sizeof(buf), mac1, 0xc0000202), 28);
	struct sl_arp_info a;
	enum sl_arp_err err;
	CU_ASSERT_EQUAL(sl_arp_parse(buf, 28, &a, &err), 28);
	CU_ASSERT_EQUAL(a.op, SL_ARP_OP_REQUEST);
	CU_ASSERT_EQUAL(a.spa, 0xc0000202);
	CU_ASSERT_EQUAL(a.tpa, 0xc0000202);
	CU_ASSERT_EQUAL(memcmp(a.sha, mac1, 6), 0);
	CU_ASSERT_EQUAL(memcmp(a.tha, zero_mac, 6), 0);
	CU_ASSERT_TRUE(sl_arp_is_gratuitous(&a));
	const uint8_t expect[28] = {0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xfc,
				    0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x00, 0x00,
				    0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x02};
	CU_ASSERT_EQUAL(memcmp(buf, expect, 28), 0);
}

static const struct sl_test_case parse_cases[] = {
	{"real request", test_parse_request},
	{"real reply", test_parse_reply},
	{"padded frame, unaligned", test_parse_padded_frame},
	{"every error reason", test_errors},
	{"error names", test_err_names},
	{"every truncation", test_truncated},
	{NULL, NULL},
};

static const struct sl_test_case build_cases[] = {
	{"reply identical to Linux's", test_build_reply},
	{"capacity too small", test_build_cap},
	{"gratuitous ARP", test_gratuitous},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"arp/parse", parse_cases},
	{"arp/build", build_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
