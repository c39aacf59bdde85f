/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the DNS A query builder and answer reader (proto/dns.c), RFC 1035: the query's
 * bytes, a real-shaped answer with compression pointers and a CNAME chain, every truncation of
 * it, pointer loops, and answers that are not to our question.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns.h"
#include "tests/unit/sl_test.h"

static void test_query(void)
{
	uint8_t b[512];
	int n = sl_dns_query_a(b, sizeof(b), 0x1234, "app.svc.", 0);
	static const uint8_t want[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				       3,    'a',  'p',  'p',  3, 's', 'v', 'c', 0,
				       0,    1,    0,    1};
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(want));
	CU_ASSERT(memcmp(b, want, sizeof(want)) == 0);
	/* EDNS0: ARCOUNT 1 and an OPT record with the payload size as its class */
	n = sl_dns_query_a(b, sizeof(b), 7, "app.svc", 1232);
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(want) + 11);
	CU_ASSERT_EQUAL(b[11], 1);
	CU_ASSERT_EQUAL(b[sizeof(want)], 0);
	CU_ASSERT_EQUAL(b[sizeof(want) + 2], 41);
	CU_ASSERT_EQUAL(b[sizeof(want) + 3] << 8 | b[sizeof(want) + 4], 1232);
	/* bad names, small buffers */
	CU_ASSERT_EQUAL(sl_dns_query_a(b, sizeof(b), 1, "", 0), -1);
	CU_ASSERT_EQUAL(sl_dns_query_a(b, sizeof(b), 1, "a..b", 0), -1);
	CU_ASSERT_EQUAL(sl_dns_query_a(b, sizeof(b), 1, ".a", 0), -1);
	char lab[80];
	memset(lab, 'x', 64);
	lab[64] = '\0';
	CU_ASSERT_EQUAL(sl_dns_query_a(b, sizeof(b), 1, lab, 0), -1);
	lab[63] = '\0';
	CU_ASSERT(sl_dns_query_a(b, sizeof(b), 1, lab, 0) > 0);
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 50; i < 299; i += 50)
		big[i] = '.';
	CU_ASSERT_EQUAL(sl_dns_query_a(b, sizeof(b), 1, big, 0), -1);
	CU_ASSERT_EQUAL(sl_dns_query_a(b, 20, 1, "app.svc", 0), -1);
}

/* The answer to "www.test" A: www.test CNAME web.test (pointer into the question), web.test A
 * 10.0.0.7 and 10.0.0.8 (owner: a pointer to the CNAME's target), an A of another name (not
 * ours), TTLs 300, 60, 120. */
static const uint8_t answer[] = {
	0xbe, 0xef, 0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 0,
	/* question @12 */
	3, 'w', 'w', 'w', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
	/* @26 CNAME: owner -> @12, target "web" + pointer to "test" @16 */
	0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 44, 0, 6, 3, 'w', 'e', 'b', 0xc0, 16,
	/* @44 A web.test (pointer to @38) 10.0.0.7 ttl 60 */
	0xc0, 38, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7,
	/* @60 A web.test 10.0.0.8 ttl 120 */
	0xc0, 38, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0, 0, 8,
	/* @76 A other.test 10.9.9.9: not in the chain */
	5, 'o', 't', 'h', 'e', 'r', 0xc0, 16, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 9, 9, 9,
};

static void test_answer(void)
{
	struct sl_dns_answer a;
	CU_ASSERT_EQUAL_FATAL(sl_dns_parse_a(answer, sizeof(answer), "WWW.Test.", &a), 0);
	CU_ASSERT_EQUAL(a.id, 0xbeef);
	CU_ASSERT_EQUAL(sl_dns_id(answer), 0xbeef);
	CU_ASSERT_EQUAL(a.rcode, SL_DNS_NOERROR);
	CU_ASSERT_EQUAL(a.truncated, 0);
	CU_ASSERT_EQUAL_FATAL(a.naddr, 2);
	CU_ASSERT_EQUAL(a.addr[0], 0x0a000007u);
	CU_ASSERT_EQUAL(a.addr[1], 0x0a000008u);
	CU_ASSERT_EQUAL(a.ttl, 60);
	/* not our question */
	CU_ASSERT_EQUAL(sl_dns_parse_a(answer, sizeof(answer), "web.test", &a), -ENOENT);
	/* every truncation is malformed, never a read past the end */
	for (size_t n = 0; n < sizeof(answer); n++) {
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, answer, n);
		int r = sl_dns_parse_a(cut, n, "www.test", &a);
		if (r != -EBADMSG)
			fprintf(stderr, "truncated at %zu: %d\n", n, r);
		CU_ASSERT_EQUAL(r, -EBADMSG);
		free(cut);
	}
}

static void test_errors(void)
{
	struct sl_dns_answer a;
	uint8_t m[sizeof(answer)];
	/* NXDOMAIN, no answers: a successful read with the rcode */
	memcpy(m, answer, 26);
	m[3] = 0x83;
	m[7] = 0;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, 26, "www.test", &a), 0);
	CU_ASSERT_EQUAL(a.rcode, SL_DNS_NXDOMAIN);
	CU_ASSERT_EQUAL(a.naddr, 0);
	/* TC */
	m[2] |= 0x02;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, 26, "www.test", &a), 0);
	CU_ASSERT_EQUAL(a.truncated, 1);
	/* a query, not a response */
	memcpy(m, answer, sizeof(m));
	m[2] &= 0x7f;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, sizeof(m), "www.test", &a), -EBADMSG);
	/* two questions */
	memcpy(m, answer, sizeof(m));
	m[5] = 2;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, sizeof(m), "www.test", &a), -ENOENT);
	/* a question of type AAAA */
	memcpy(m, answer, sizeof(m));
	m[23] = 28;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, sizeof(m), "www.test", &a), -ENOENT);
	/* a pointer loop in the CNAME's target: @38 points at itself */
	memcpy(m, answer, sizeof(m));
	m[38] = 0xc0;
	m[39] = 38;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, sizeof(m), "www.test", &a), -EBADMSG);
	/* a pointer past the end */
	memcpy(m, answer, sizeof(m));
	m[45] = 200;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, sizeof(m), "www.test", &a), -EBADMSG);
	/* an A record of 5 bytes */
	memcpy(m, answer, sizeof(m));
	m[55] = 5;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, sizeof(m), "www.test", &a), -EBADMSG);
	/* an obsolete label type */
	memcpy(m, answer, sizeof(m));
	m[12] = 0x43;
	CU_ASSERT_EQUAL(sl_dns_parse_a(m, sizeof(m), "www.test", &a), -EBADMSG);
	/* a name over 255 bytes through pointers: a label of 63 pointing back to itself's start
	 * repeats until the name is too long */
	uint8_t longm[12 + 66 + 4];
	memset(longm, 0, sizeof(longm));
	longm[2] = 0x80;
	longm[5] = 1;
	longm[12] = 63;
	memset(longm + 13, 'a', 63);
	longm[76] = 0xc0;
	longm[77] = 12;
	CU_ASSERT_EQUAL(sl_dns_parse_a(longm, sizeof(longm), "a", &a), -EBADMSG);
	/* more A records than kept: the first SL_DNS_ADDR_MAX */
	uint8_t many[26 + 20 * 16 + 16];
	memcpy(many, answer, 26);
	many[7] = SL_DNS_ADDR_MAX + 4;
	size_t o = 26;
	for (int i = 0; i < SL_DNS_ADDR_MAX + 4 && o + 16 <= sizeof(many); i++) {
		const uint8_t rr[16] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 9, 0, 4, 10, 1, 0, (uint8_t)i};
		memcpy(many + o, rr, 16);
		o += 16;
	}
	CU_ASSERT_EQUAL_FATAL(o, 26 + 16 * (SL_DNS_ADDR_MAX + 4));
	CU_ASSERT_EQUAL(sl_dns_parse_a(many, o, "www.test", &a), 0);
	CU_ASSERT_EQUAL(a.naddr, SL_DNS_ADDR_MAX);
	CU_ASSERT_EQUAL(a.addr[SL_DNS_ADDR_MAX - 1], 0x0a010000u + SL_DNS_ADDR_MAX - 1);
}

int main(void)
{
	static const struct sl_test_case cases[] = {
		{"A query, EDNS0, bad names", test_query},
		{"answer: CNAME chain, pointers, every truncation", test_answer},
		{"rcodes, TC, loops, bad lengths, not our question", test_errors},
		{NULL, NULL},
	};
	static const struct sl_test_suite suites[] = {{"dns", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}
