/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the TCP header parser, flag check, options and checksum (proto/tcp.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/bytes.h"
#include "proto/csum.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/*
 * Real segments of one connection 198.51.100.1:34174 -> 198.51.100.2:1935 (Linux 6.x,
 * tcpdump -xx with checksum offload off), TCP header onwards.
 */
#define CLI 0xc6336401u /* 198.51.100.1 */
#define SRV 0xc6336402u /* 198.51.100.2 */

/* SYN, options: mss 1460, sackOK, TS val 1724641378 ecr 0, nop, wscale 10. */
static const uint8_t syn[40] = {
	0x85, 0x7e, 0x07, 0x8f, 0x43, 0xe7, 0xdd, 0xfa, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
	0xfa, 0xf0, 0xf2, 0x83, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x66, 0xcb, 0xf0, 0x62, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};

/* SYN-ACK from the server. */
static const uint8_t synack[40] = {
	0x07, 0x8f, 0x85, 0x7e, 0x68, 0xd9, 0xfe, 0xcf, 0x43, 0xe7, 0xdd, 0xfb, 0xa0, 0x12,
	0xfe, 0x88, 0x14, 0xe4, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0xd4, 0x60, 0x9d, 0xec, 0x66, 0xcb, 0xf0, 0x62, 0x01, 0x03, 0x03, 0x0a,
};

/* PSH|ACK carrying "RTMP" (4 bytes of payload), options nop nop TS. */
static const uint8_t data_seg[36] = {
	0x85, 0x7e, 0x07, 0x8f, 0x43, 0xe7, 0xdd, 0xfb, 0x68, 0xd9, 0xfe, 0xd0,
	0x80, 0x18, 0x00, 0x3f, 0xa2, 0x4c, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a,
	0x66, 0xcb, 0xf0, 0x62, 0xd4, 0x60, 0x9d, 0xec, 0x52, 0x54, 0x4d, 0x50,
};

/* FIN|ACK from the server. */
static const uint8_t fin[32] = {
	0x07, 0x8f, 0x85, 0x7e, 0x68, 0xd9, 0xfe, 0xd0, 0x43, 0xe7, 0xdd,
	0xff, 0x80, 0x11, 0x00, 0x40, 0x41, 0xf7, 0x00, 0x00, 0x01, 0x01,
	0x08, 0x0a, 0xd4, 0x60, 0x9d, 0xec, 0x66, 0xcb, 0xf0, 0x62,
};

static int parse_err(const uint8_t *p, size_t len)
{
	struct sl_tcp_info t;
	enum sl_tcp_err err = SL_TCP_OK;
	int r = sl_tcp_parse(p, len, &t, &err);
	if (r == -1)
		return (int)err;
	return err == SL_TCP_OK && r >= 20 ? 0 : 100;
}

static void test_parse_syn(void)
{
	struct sl_tcp_info t;
	enum sl_tcp_err err = SL_TCP_ERR_DOFF;
	CU_ASSERT_EQUAL(sl_tcp_parse(syn, sizeof(syn), &t, &err), 40);
	CU_ASSERT_EQUAL(err, SL_TCP_OK);
	CU_ASSERT_EQUAL(t.sport, 34174);
	CU_ASSERT_EQUAL(t.dport, 1935);
	CU_ASSERT_EQUAL(t.seq, 1139269114u);
	CU_ASSERT_EQUAL(t.ack, 0);
	CU_ASSERT_EQUAL(t.doff_bytes, 40);
	CU_ASSERT_EQUAL(t.flags, SL_TCP_SYN);
	CU_ASSERT_EQUAL(t.win, 64240);
	CU_ASSERT_EQUAL(t.urg, 0);
	CU_ASSERT_TRUE(sl_tcp_flags_valid(t.flags));

	struct sl_tcp_opts o;
	CU_ASSERT_EQUAL(sl_tcp_parse_opts(syn + 20, t.doff_bytes - 20u, &o), 0);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_EQUAL(o.mss, 1460);
	CU_ASSERT_TRUE(o.sack_ok);
	CU_ASSERT_TRUE(o.has_ts);
	CU_ASSERT_EQUAL(o.ts_val, 1724641378u);
	CU_ASSERT_EQUAL(o.ts_ecr, 0);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 10);
}

static void test_parse_others(void)
{
	struct sl_tcp_info t;
	CU_ASSERT_EQUAL(sl_tcp_parse(synack, sizeof(synack), &t, NULL), 40);
	CU_ASSERT_EQUAL(t.flags, SL_TCP_SYN | SL_TCP_ACK);
	CU_ASSERT_EQUAL(t.seq, 1759117007u);
	CU_ASSERT_EQUAL(t.ack, 1139269115u);
	CU_ASSERT_EQUAL(t.sport, 1935);

	CU_ASSERT_EQUAL(sl_tcp_parse(data_seg, sizeof(data_seg), &t, NULL), 32);
	CU_ASSERT_EQUAL(t.flags, SL_TCP_PSH | SL_TCP_ACK);
	CU_ASSERT_EQUAL(t.win, 63);
	CU_ASSERT_EQUAL(memcmp(data_seg + t.doff_bytes, "RTMP", 4), 0);
	struct sl_tcp_opts o;
	CU_ASSERT_EQUAL(sl_tcp_parse_opts(data_seg + 20, 12, &o), 0);
	CU_ASSERT_FALSE(o.has_mss);
	CU_ASSERT_FALSE(o.sack_ok);
	CU_ASSERT_TRUE(o.has_ts);
	CU_ASSERT_EQUAL(o.ts_ecr, 3563101676u);

	CU_ASSERT_EQUAL(sl_tcp_parse(fin, sizeof(fin), &t, NULL), 32);
	CU_ASSERT_EQUAL(t.flags, SL_TCP_FIN | SL_TCP_ACK);
	CU_ASSERT_TRUE(sl_tcp_flags_valid(t.flags));

	/* Unaligned. */
	uint8_t u[41];
	memcpy(u + 1, syn, 40);
	CU_ASSERT_EQUAL(sl_tcp_parse(u + 1, 40, &t, NULL), 40);
	CU_ASSERT_EQUAL(t.seq, 1139269114u);
}

static void test_errors(void)
{
	CU_ASSERT_EQUAL(parse_err(syn, 19), SL_TCP_ERR_SHORT);
	CU_ASSERT_EQUAL(parse_err(syn, 0), SL_TCP_ERR_SHORT);
	CU_ASSERT_EQUAL(parse_err(syn, 39), SL_TCP_ERR_DOFF); /* doff 10 > 39 bytes */
	uint8_t h[60];
	memcpy(h, syn, 40);
	memset(h + 40, 0, 20);
	h[12] = 0x40; /* doff 4 */
	CU_ASSERT_EQUAL(parse_err(h, 60), SL_TCP_ERR_DOFF);
	h[12] = 0x00;
	CU_ASSERT_EQUAL(parse_err(h, 60), SL_TCP_ERR_DOFF);
	h[12] = 0xf0; /* doff 15 = 60 bytes */
	CU_ASSERT_EQUAL(parse_err(h, 60), 0);
	CU_ASSERT_EQUAL(parse_err(h, 59), SL_TCP_ERR_DOFF);
	h[12] = 0x5f; /* reserved bits and the old NS bit are ignored */
	CU_ASSERT_EQUAL(parse_err(h, 20), 0);

	CU_ASSERT_STRING_EQUAL(sl_tcp_err_name(SL_TCP_OK), "tcp_ok");
	CU_ASSERT_STRING_EQUAL(sl_tcp_err_name(SL_TCP_ERR_SHORT), "tcp_short");
	CU_ASSERT_STRING_EQUAL(sl_tcp_err_name(SL_TCP_ERR_DOFF), "tcp_bad_doff");
	CU_ASSERT_STRING_EQUAL(sl_tcp_err_name((enum sl_tcp_err)SL_TCP_ERR_COUNT), "tcp_unknown");
}

/* Every truncation of every real segment, exact-size buffers; options too. */
static void test_truncated(void)
{
	const struct {
		const uint8_t *p;
		size_t len, doff;
	} segs[] = {{syn, sizeof(syn), 40},
		    {synack, sizeof(synack), 40},
		    {data_seg, sizeof(data_seg), 32},
		    {fin, sizeof(fin), 32}};
	int bad = 0;
	for (size_t s = 0; s < SL_ARRAY_SIZE(segs); s++)
		for (size_t n = 0; n <= segs[s].len; n++) {
			uint8_t *p = sl_t_dup(segs[s].p, n);
			int want = n < 20	      ? SL_TCP_ERR_SHORT
				   : n < segs[s].doff ? SL_TCP_ERR_DOFF
						      : 0;
			if (parse_err(p, n) != want)
				bad++;
			free(p);
			/* The option list cut at every length: never a read past it. */
			if (n <= segs[s].doff - 20) {
				uint8_t *o = sl_t_dup(segs[s].p + 20, n);
				struct sl_tcp_opts opts;
				int r = sl_tcp_parse_opts(o, n, &opts);
				if (r != 0 && r != -1)
					bad++;
				free(o);
			}
		}
	CU_ASSERT_EQUAL(bad, 0);
}

static int opts(const uint8_t *o, size_t n, struct sl_tcp_opts *out)
{
	uint8_t *d = sl_t_dup(o, n);
	int r = sl_tcp_parse_opts(d, n, out);
	free(d);
	return r;
}

static void test_options(void)
{
	struct sl_tcp_opts o;
	/* Cut SYN options: 02 04 05 b4 | 04 02 | 08 0a ... */
	CU_ASSERT_EQUAL(opts(syn + 20, 1, &o), -1); /* kind without length */
	CU_ASSERT_EQUAL(opts(syn + 20, 3, &o), -1); /* MSS running past the end */
	CU_ASSERT_EQUAL(opts(syn + 20, 4, &o), 0);
	CU_ASSERT_TRUE(o.has_mss);
	CU_ASSERT_FALSE(o.sack_ok);
	CU_ASSERT_EQUAL(opts(syn + 20, 6, &o), 0);
	CU_ASSERT_TRUE(o.sack_ok);
	CU_ASSERT_EQUAL(opts(syn + 20, 15, &o), -1); /* timestamps cut */
	CU_ASSERT_EQUAL(opts(NULL, 0, &o), 0);
	CU_ASSERT_FALSE(o.has_mss || o.has_ts || o.has_wscale || o.sack_ok);

	const uint8_t len0[] = {0x02, 0x00, 0x05, 0xb4};
	CU_ASSERT_EQUAL(opts(len0, sizeof(len0), &o), -1);
	const uint8_t len1[] = {0x01, 0x1e, 0x01, 0x00};
	CU_ASSERT_EQUAL(opts(len1, sizeof(len1), &o), -1);
	/* EOL ends the list: what follows is padding, even garbage. */
	const uint8_t eol[] = {0x02, 0x04, 0x02, 0x18, 0x00, 0xff, 0x00, 0x01};
	CU_ASSERT_EQUAL(opts(eol, sizeof(eol), &o), 0);
	CU_ASSERT_EQUAL(o.mss, 536);
	/* Unknown kinds skipped by their length; known kinds with a wrong length ignored. */
	const uint8_t odd[] = {0xfe, 0x04, 0xf9, 0x89, 0x02, 0x03,
			       0x05, 0x03, 0x03, 0x0e, 0x01, 0x01};
	CU_ASSERT_EQUAL(opts(odd, sizeof(odd), &o), 0);
	CU_ASSERT_FALSE(o.has_mss);
	CU_ASSERT_TRUE(o.has_wscale);
	CU_ASSERT_EQUAL(o.wscale, 14);
	/* Window scale above 14 is clamped (RFC 7323 section 2.3). */
	const uint8_t ws[] = {0x03, 0x03, 0x0f, 0x00};
	CU_ASSERT_EQUAL(opts(ws, sizeof(ws), &o), 0);
	CU_ASSERT_EQUAL(o.wscale, SL_TCP_WSCALE_MAX);
	/* SACK blocks (kind 5) are skipped. */
	const uint8_t sack[] = {0x01, 0x01, 0x05, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8};
	CU_ASSERT_EQUAL(opts(sack, sizeof(sack), &o), 0);
}

/* The reference rule, written independently: PSH/ECE/CWR ignored, then an explicit list. */
static bool ref_valid(uint8_t f)
{
	bool is_fin = f & 0x01, is_syn = f & 0x02, is_rst = f & 0x04, is_ack = f & 0x10,
	     is_urg = f & 0x20;
	if (is_syn && (is_fin || is_rst))
		return false;
	if (is_rst && (is_fin || is_urg))
		return false;
	if (!is_syn && !is_rst && !is_ack)
		return false; /* no ACK: only SYN or RST */
	if (is_syn && is_ack && is_urg)
		return false;
	if (is_fin && !is_ack)
		return false;
	return true;
}

static void test_flags(void)
{
	/* What real stacks send. */
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_SYN));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_SYN | SL_TCP_ECE | SL_TCP_CWR)); /* ECN setup */
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_SYN | SL_TCP_ACK));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_SYN | SL_TCP_ACK | SL_TCP_ECE));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_ACK));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_PSH | SL_TCP_ACK));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_FIN | SL_TCP_ACK));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_FIN | SL_TCP_PSH | SL_TCP_ACK));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_RST));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_RST | SL_TCP_ACK));
	CU_ASSERT_TRUE(sl_tcp_flags_valid(SL_TCP_URG | SL_TCP_ACK | SL_TCP_PSH));
	/* What scanners and broken stacks send. */
	CU_ASSERT_FALSE(sl_tcp_flags_valid(0));					   /* NULL */
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_FIN));			   /* FIN scan */
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_FIN | SL_TCP_PSH | SL_TCP_URG)); /* Xmas */
	CU_ASSERT_FALSE(sl_tcp_flags_valid(0xff));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_SYN | SL_TCP_FIN));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_SYN | SL_TCP_FIN | SL_TCP_ACK));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_SYN | SL_TCP_RST));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_RST | SL_TCP_FIN));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_RST | SL_TCP_FIN | SL_TCP_ACK));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_PSH));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_URG));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_ECE | SL_TCP_CWR));
	CU_ASSERT_FALSE(sl_tcp_flags_valid(SL_TCP_FIN | SL_TCP_PSH));
	/* All 256 combinations against the independent rule. */
	int bad = 0, valid = 0;
	for (int f = 0; f < 256; f++) {
		bool v = sl_tcp_flags_valid((uint8_t)f);
		valid += v;
		if (v != ref_valid((uint8_t)f))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(valid, 9 * 8); /* 9 base combinations times PSH/ECE/CWR */
}

/* Checksums of the real segments over the real pseudo header. */
static void test_csum(void)
{
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(syn, sizeof(syn), CLI, SRV));
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(synack, sizeof(synack), SRV, CLI));
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(data_seg, sizeof(data_seg), CLI, SRV));
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(fin, sizeof(fin), SRV, CLI));
	/* Wrong pseudo header: swapped direction is fine (same sum), another address is not. */
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(syn, sizeof(syn), SRV, CLI));
	CU_ASSERT_FALSE(sl_tcp4_csum_ok(syn, sizeof(syn), CLI, SRV + 1));
	CU_ASSERT_FALSE(sl_tcp4_csum_ok(syn, sizeof(syn) - 2, CLI, SRV)); /* length is in it */
	CU_ASSERT_FALSE(sl_tcp4_csum_ok(syn, 19, CLI, SRV));
	uint8_t s[36];
	memcpy(s, data_seg, sizeof(s));
	s[35] ^= 0x20; /* payload byte */
	CU_ASSERT_FALSE(sl_tcp4_csum_ok(s, sizeof(s), CLI, SRV));

	/* set_csum reproduces the checksums Linux computed; odd length and unaligned. */
	uint8_t buf[1 + 41];
	uint8_t *p = buf + 1;
	memcpy(p, syn, 40);
	p[16] = 0x12, p[17] = 0x34;
	sl_tcp4_set_csum(p, 40, CLI, SRV);
	CU_ASSERT_EQUAL(memcmp(p, syn, 40), 0);
	memcpy(p, data_seg, 36);
	p[36] = '!';
	sl_tcp4_set_csum(p, 37, CLI, SRV);
	CU_ASSERT_TRUE(sl_tcp4_csum_ok(p, 37, CLI, SRV));
	/* Against the reference over a hand-made pseudo header. */
	uint8_t ph[12 + 37] = {0xc6, 0x33, 0x64, 0x01, 0xc6, 0x33, 0x64, 0x02, 0, 6, 0, 37};
	memcpy(ph + 12, p, 37);
	ph[12 + 16] = ph[12 + 17] = 0;
	CU_ASSERT_EQUAL(sl_t_ref_csum(ph, sizeof(ph), 0), sl_t_be16(p + 16));
}

/* NAT rewrite: changing an address and a port incrementally keeps the segment valid. */
static void test_csum_nat_rewrite(void)
{
	struct sl_t_rng rng = {0x7c9};
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		uint8_t seg[200];
		size_t len = 20 + sl_t_below(&rng, 181);
		sl_t_fill(&rng, seg, len);
		seg[12] = 0x50;
		uint32_t src = (uint32_t)sl_t_rand64(&rng), dst = (uint32_t)sl_t_rand64(&rng);
		sl_tcp4_set_csum(seg, len, src, dst);
		uint32_t ndst = (uint32_t)sl_t_rand64(&rng);
		uint16_t c, old_port, new_port = (uint16_t)sl_t_rand64(&rng);
		memcpy(&c, seg + 16, 2);
		memcpy(&old_port, seg + 2, 2);
		c = sl_csum_update32(c, sl_hton32(dst), sl_hton32(ndst));
		c = sl_csum_update16(c, old_port, new_port);
		memcpy(seg + 2, &new_port, 2);
		memcpy(seg + 16, &c, 2);
		if (!sl_tcp4_csum_ok(seg, len, src, ndst))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const struct sl_test_case parse_cases[] = {
	{"real SYN with options", test_parse_syn},
	{"real SYN-ACK, data, FIN", test_parse_others},
	{"SHORT and DOFF, names", test_errors},
	{"every truncation", test_truncated},
	{"options: malformed, EOL, unknown, clamps", test_options},
	{NULL, NULL},
};

static const struct sl_test_case check_cases[] = {
	{"flag combinations", test_flags},
	{"checksums of real segments", test_csum},
	{"incremental NAT rewrite stays valid", test_csum_nat_rewrite},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"tcp/parse", parse_cases},
	{"tcp/check", check_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
