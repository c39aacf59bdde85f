/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT rewrite: every rewritten packet must carry the checksums a full recomputation gives,
 * in both directions of a flow, for TCP and UDP, on real packet bytes and on random ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/csum.h"
#include "proto/ipv4.h"
#include "proto/nat.h"
#include "proto/tcp.h"
#include "proto/udp.h"
#include "tests/unit/sl_test.h"

/* A real TCP SYN (client 10.77.0.10:40000 -> VIP 10.77.0.1:1935, MSS/SACK/TS/WS options). */
static const uint8_t syn[] = {
	0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0x0a, 0x4d, 0x00,
	0x0a, 0x0a, 0x4d, 0x00, 0x01, 0x9c, 0x40, 0x07, 0x8f, 0x6d, 0x2a, 0x1b, 0x3c, 0x00, 0x00,
	0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04,
	0x02, 0x08, 0x0a, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static void fix_checksums(uint8_t *p, size_t len)
{
	sl_ipv4_set_csum(p, 20);
	uint32_t s = (uint32_t)p[12] << 24 | p[13] << 16 | p[14] << 8 | p[15];
	uint32_t d = (uint32_t)p[16] << 24 | p[17] << 16 | p[18] << 8 | p[19];
	if (p[9] == 6)
		sl_tcp4_set_csum(p + 20, len - 20, s, d);
	else
		sl_udp4_set_csum(p + 20, len - 20, s, d);
}

static uint32_t addr(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint16_t port(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The rewritten packet equals one built with the new fields and full checksums. */
static void check_against_full(uint8_t *p, size_t len, uint32_t sa, uint16_t sp, uint32_t da,
			       uint16_t dp)
{
	uint8_t *ref = malloc(len);
	memcpy(ref, p, len);
	sl_nat_rewrite4(p, 20, sa, sp, da, dp);

	ref[8]--;
	for (int i = 0; i < 4; i++) {
		ref[12 + i] = (uint8_t)(sa >> (24 - 8 * i));
		ref[16 + i] = (uint8_t)(da >> (24 - 8 * i));
	}
	ref[20] = (uint8_t)(sp >> 8);
	ref[21] = (uint8_t)sp;
	ref[22] = (uint8_t)(dp >> 8);
	ref[23] = (uint8_t)dp;
	fix_checksums(ref, len);

	CU_ASSERT_EQUAL(sl_csum(p, 20), 0);
	bool l4ok = p[9] == 6 ? sl_tcp4_csum_ok(p + 20, len - 20, sa, da) :
				sl_udp4_csum_ok(p + 20, len - 20, sa, da);
	CU_ASSERT_TRUE(l4ok);
	/* byte-identical except for the one's complement zero ambiguity of the checksum fields */
	size_t cs = p[9] == 6 ? 36 : 26;
	bool same = memcmp(p, ref, cs) == 0 && memcmp(p + cs + 2, ref + cs + 2, len - cs - 2) == 0;
	CU_ASSERT_TRUE(same);
	free(ref);
}

static void test_syn_both_directions(void)
{
	uint8_t p[sizeof(syn)];
	memcpy(p, syn, sizeof(syn));
	fix_checksums(p, sizeof(p));
	/* client -> VIP becomes local 10.77.0.1:20001 -> server 10.77.0.21:1935 */
	check_against_full(p, sizeof(p), 0x0a4d0001, 20001, 0x0a4d0015, 1935);
	CU_ASSERT_EQUAL(p[8], 63);
	CU_ASSERT_EQUAL(addr(p + 12), 0x0a4d0001);
	CU_ASSERT_EQUAL(port(p + 20), 20001);
	/* and the reply direction: server -> local becomes VIP -> client */
	uint8_t r[sizeof(syn)];
	memcpy(r, syn, sizeof(syn));
	r[12] = 10, r[13] = 77, r[14] = 0, r[15] = 21; /* src server */
	r[16] = 10, r[17] = 77, r[18] = 0, r[19] = 1;  /* dst local */
	r[20] = 0x07, r[21] = 0x8f;                    /* sport 1935 */
	r[22] = 0x4e, r[23] = 0x21;                    /* dport 20001 */
	r[33] = 0x12;                                  /* SYN+ACK */
	fix_checksums(r, sizeof(r));
	check_against_full(r, sizeof(r), 0x0a4d0001, 1935, 0x0a4d000a, 40000);
	CU_ASSERT_EQUAL(port(r + 22), 40000);
}

static void test_udp(void)
{
	uint8_t p[20 + 8 + 11];
	sl_ipv4_build(p, 0, sizeof(p), 7, false, 64, 17, 0x0a4d000a, 0x0a4d0001);
	p[20] = 0x30, p[21] = 0x39, p[22] = 0x00, p[23] = 0x35;
	p[24] = 0, p[25] = 19;
	memcpy(p + 28, "hello world", 11);
	fix_checksums(p, sizeof(p));
	check_against_full(p, sizeof(p), 0x0a4d0001, 30000, 0x0a4d0016, 53);
	/* no checksum (0) stays none */
	sl_ipv4_build(p, 0, sizeof(p), 7, false, 64, 17, 0x0a4d000a, 0x0a4d0001);
	p[26] = p[27] = 0;
	sl_nat_rewrite4(p, 20, 0x0a4d0001, 30000, 0x0a4d0016, 53);
	CU_ASSERT_EQUAL(p[26], 0);
	CU_ASSERT_EQUAL(p[27], 0);
	CU_ASSERT_EQUAL(sl_csum(p, 20), 0);
}

/* 1000 random packets of random sizes, random new tuples, TCP and UDP. */
static void test_random(void)
{
	srand(1624);
	for (int n = 0; n < 1000; n++) {
		size_t len = 40 + (size_t)(rand() % 1400);
		uint8_t *p = malloc(len);
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)rand();
		bool udp = n & 1;
		sl_ipv4_build(p, 0, (uint16_t)len, (uint16_t)rand(), true, (uint8_t)(2 + rand() % 250),
			      udp ? 17 : 6, (uint32_t)rand() * 2654435761u, (uint32_t)rand() * 40503u);
		if (udp) {
			p[24] = (uint8_t)((len - 20) >> 8);
			p[25] = (uint8_t)(len - 20);
		} else {
			p[32] = 0x50;
		}
		fix_checksums(p, len);
		check_against_full(p, len, (uint32_t)rand(), (uint16_t)rand(), (uint32_t)rand() * 7u,
				   (uint16_t)rand());
		free(p);
	}
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* An ACK with timestamps and two SACK blocks, checksums valid. */
static size_t sack_segment(uint8_t *p)
{
	static const uint8_t opts[] = {1, 1, 8, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0, /* TS */
				       1, 1, 5, 18, 0, 0, 1, 0, 0, 0, 2, 0,       /* SACK */
				       0, 0, 3, 0, 0, 0, 4, 0};
	size_t tlen = 20 + sizeof(opts) + 10;
	sl_ipv4_build(p, 0, (uint16_t)(20 + tlen), 9, true, 64, 6, 0x0a4d0015, 0x0a4d0001);
	uint8_t *t = p + 20;
	memset(t, 0, tlen);
	t[0] = 0x07, t[1] = 0x8f, t[2] = 0x80, t[3] = 0x01;
	t[4] = 0x11, t[5] = 0x22, t[6] = 0x33, t[7] = 0x44;   /* seq */
	t[8] = 0x55, t[9] = 0x66, t[10] = 0x77, t[11] = 0x88; /* ack */
	t[12] = (uint8_t)(((20 + sizeof(opts)) / 4) << 4);
	t[13] = 0x10;
	t[14] = 0xff;
	memcpy(t + 20, opts, sizeof(opts));
	fix_checksums(p, 20 + tlen);
	return 20 + tlen;
}

static void test_seq_ts_translation(void)
{
	uint8_t p[128];
	size_t len = sack_segment(p);
	size_t doff = (size_t)(p[32] >> 4) * 4;
	uint32_t d = 0x9abcdef0u;
	uint8_t ref[128];
	memcpy(ref, p, len);

	sl_nat_tcp_to_server(p + 20, doff, d);
	CU_ASSERT_EQUAL(be32(p + 24), be32(ref + 24) + d);       /* seq */
	CU_ASSERT_EQUAL(be32(p + 28), be32(ref + 28));           /* ack untouched */
	CU_ASSERT_EQUAL(be32(p + 20 + 24), be32(ref + 20 + 24) + d); /* TSval */
	CU_ASSERT_EQUAL(be32(p + 20 + 28), be32(ref + 20 + 28));     /* TSecr untouched */
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(p + 20, len - 20, 0x0a4d0015, 0x0a4d0001));

	memcpy(p, ref, len);
	sl_nat_tcp_to_client(p + 20, doff, d);
	CU_ASSERT_EQUAL(be32(p + 24), be32(ref + 24));           /* seq untouched */
	CU_ASSERT_EQUAL(be32(p + 28), be32(ref + 28) - d);       /* ack */
	CU_ASSERT_EQUAL(be32(p + 20 + 24), be32(ref + 20 + 24)); /* TSval untouched */
	CU_ASSERT_EQUAL(be32(p + 20 + 28), be32(ref + 20 + 28) - d);
	for (int k = 0; k < 4; k++)
		CU_ASSERT_EQUAL(be32(p + 20 + 36 + 4 * k), be32(ref + 20 + 36 + 4 * k) - d);
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(p + 20, len - 20, 0x0a4d0015, 0x0a4d0001));

	uint32_t ts = 0;
	CU_ASSERT_TRUE(sl_nat_tcp_tsval(ref + 20, doff, &ts));
	CU_ASSERT_EQUAL(ts, 0x00001000u);
	/* no options: only seq/ack; a malformed option list stops the walk, nothing breaks */
	memcpy(p, ref, len);
	p[20 + 20 + 3] = 0; /* TS option length 0 */
	sl_nat_tcp_to_client(p + 20, doff, d);
	CU_ASSERT_EQUAL(be32(p + 28), be32(ref + 28) - d);
	CU_ASSERT_FALSE(sl_nat_tcp_tsval(p + 20, doff, &ts));
	/* random offsets against full recomputation */
	srand(6528);
	for (int n = 0; n < 1000; n++) {
		len = sack_segment(p);
		uint32_t r = (uint32_t)rand() * 2654435761u;
		if (n & 1)
			sl_nat_tcp_to_server(p + 20, doff, r);
		else
			sl_nat_tcp_to_client(p + 20, doff, r);
		CU_ASSERT_TRUE_FATAL(sl_tcp4_csum_ok(p + 20, len - 20, 0x0a4d0015, 0x0a4d0001));
	}
}

/* ICMP "fragmentation needed" from a server about a segment sluice sent it (local -> server):
 * becomes an error from the VIP to the client about the client's own segment. */
/* The server-side offset's per-tuple constant is SipHash-2-4 keyed (RFC 6528), not a plain hash:
 * a value computed by tests/unit/proto/siphash_ref.py (key 00..0f, 10.78.0.1:40000 ->
 * 10.78.0.21:1935), another for another key, another for the ports swapped. */
static void test_isn_secret(void)
{
	struct sl_siphash_key k = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
	struct sl_siphash_key k2 = {k.k0 ^ 1, k.k1};
	uint32_t s = 0x0a4e0001, d = 0x0a4e0015;
	CU_ASSERT_EQUAL(sl_nat_isn_secret(&k, s, d, 40000, 1935), 0xbb8c7811u);
	CU_ASSERT_EQUAL(sl_nat_isn_secret(&k, s, d, 40000, 1935), 0xbb8c7811u); /* stable */
	CU_ASSERT_NOT_EQUAL(sl_nat_isn_secret(&k2, s, d, 40000, 1935), 0xbb8c7811u);
	CU_ASSERT_NOT_EQUAL(sl_nat_isn_secret(&k, s, d, 1935, 40000), 0xbb8c7811u);
}

static void test_icmp_error(void)
{
	uint8_t orig[sizeof(syn)];
	memcpy(orig, syn, sizeof(syn));
	/* the segment as sent to the server: 10.77.0.1:33000 -> 10.77.0.21:1935, seq + offset */
	sl_nat_rewrite4(orig, 20, 0x0a4d0001, 33000, 0x0a4d0015, 1935);
	uint8_t m[20 + 8 + sizeof(syn)];
	sl_ipv4_build(m, 0, sizeof(m), 77, false, 64, 1, 0x0a4d0015, 0x0a4d0001);
	uint8_t *ic = m + 20;
	memset(ic, 0, 8);
	ic[0] = 3, ic[1] = 4, ic[6] = 0x05, ic[7] = 0x78; /* frag needed, MTU 1400 */
	memcpy(ic + 8, orig, sizeof(orig));
	fix_checksums(orig, sizeof(orig));
	memcpy(ic + 8, orig, sizeof(orig));
	uint16_t c = sl_csum(ic, 8 + sizeof(orig));
	memcpy(ic + 2, &c, 2);
	uint32_t seq_before = addr(ic + 8 + 24);

	CU_ASSERT_EQUAL(sl_nat_icmp_error4(m, sizeof(m), 0x0a4d0001, 0x0a4d000a, 0x0a4d000a, 40000,
					   0x0a4d0001, 1935, (uint32_t)-5u), 0);
	CU_ASSERT_EQUAL(sl_csum(m, 20), 0);
	CU_ASSERT_EQUAL(sl_csum(ic, 8 + sizeof(orig)), 0);
	uint8_t *q = ic + 8;
	CU_ASSERT_EQUAL(sl_csum(q, 20), 0);
	CU_ASSERT_EQUAL(addr(q + 12), 0x0a4d000a);
	CU_ASSERT_EQUAL(addr(q + 16), 0x0a4d0001);
	CU_ASSERT_EQUAL(port(q + 20), 40000);
	CU_ASSERT_EQUAL(port(q + 22), 1935);
	CU_ASSERT_EQUAL(addr(q + 24), seq_before - 5);
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(q + 20, sizeof(orig) - 20, 0x0a4d000a, 0x0a4d0001));
	CU_ASSERT_EQUAL(ic[6], 0x05); /* the MTU is kept */
	/* too short, or not about TCP/UDP: refused, untouched */
	CU_ASSERT_EQUAL(sl_nat_icmp_error4(m, 40, 1, 2, 3, 4, 5, 6, 0), -1);
	q[9] = 1;
	CU_ASSERT_EQUAL(sl_nat_icmp_error4(m, sizeof(m), 1, 2, 3, 4, 5, 6, 0), -1);
}

static const struct sl_test_case cases[] = {
	{"ICMP error about a NATed segment", test_icmp_error},
	{"server-side offset: SipHash of the 4-tuple, keyed", test_isn_secret},
	{"sequence and timestamp translation", test_seq_ts_translation},
	{"TCP SYN, both directions of a flow", test_syn_both_directions},
	{"UDP, with and without checksum", test_udp},
	{"1000 random packets against full recomputation", test_random},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {{"nat", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}
