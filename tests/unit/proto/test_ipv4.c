/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the IPv4 header parser and builders (proto/ipv4.c), RFC 791. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/csum.h"
#include "proto/eth.h"
#include "proto/ipv4.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* Real frame (tcpdump -xx): ping 192.0.2.2 -> 192.0.2.1, echo request, id 0x50bf seq 1. */
static const uint8_t echo_frame[98] = {
	0x02, 0xfc, 0x00, 0x00, 0x00, 0x05, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x54, 0xab, 0x05, 0x40, 0x00, 0x40, 0x01, 0x0b, 0xa0, 0xc0, 0x00,
	0x02, 0x02, 0xc0, 0x00, 0x02, 0x01, 0x08, 0x00, 0x60, 0xaa, 0x50, 0xbf, 0x00, 0x01,
	0x15, 0xe2, 0x0b, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x5c, 0x75, 0x0a, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
};

/* Real IPv4 header of the echo reply from 192.0.2.1 (DF clear, id 0x21a4). */
static const uint8_t reply_hdr[20] = {0x45, 0x00, 0x00, 0x54, 0x21, 0xa4, 0x00, 0x00, 0x40, 0x01,
				      0xd5, 0x01, 0xc0, 0x00, 0x02, 0x01, 0xc0, 0x00, 0x02, 0x02};

/* Real UDP datagram 198.51.100.1:58195 -> 198.51.100.2:5001 "odd", IPv4 onwards (31 bytes). */
static const uint8_t udp_pkt[31] = {
	0x45, 0x00, 0x00, 0x1f, 0x6d, 0x86, 0x40, 0x00, 0x40, 0x11, 0x78,
	0xdd, 0xc6, 0x33, 0x64, 0x01, 0xc6, 0x33, 0x64, 0x02, 0xe3, 0x53,
	0x13, 0x89, 0x00, 0x0b, 0xe1, 0x2b, 0x6f, 0x64, 0x64,
};

#define ECHO_IP	    (echo_frame + 14)
#define ECHO_IP_LEN 84

/* Recomputes the header checksum with the test's reference sum (not the module's). */
static void fix_csum(uint8_t *h, size_t ihl)
{
	h[10] = h[11] = 0;
	uint16_t c = sl_t_ref_csum(h, ihl, 0);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}

static int parse_err(const uint8_t *p, size_t len)
{
	struct sl_ipv4_info ip;
	enum sl_ipv4_err err = SL_IPV4_OK;
	int r = sl_ipv4_parse(p, len, &ip, &err);
	if (r == -1)
		return (int)err;
	return err == SL_IPV4_OK && r >= 20 ? 0 : 100;
}

static void test_parse_echo_frame(void)
{
	struct sl_eth_info e;
	CU_ASSERT_EQUAL_FATAL(sl_eth_parse(echo_frame, sizeof(echo_frame), &e), 14);
	CU_ASSERT_EQUAL(e.type, SL_ETH_P_IPV4);
	struct sl_ipv4_info ip;
	enum sl_ipv4_err err = SL_IPV4_ERR_SRC;
	CU_ASSERT_EQUAL(sl_ipv4_parse(echo_frame + 14, sizeof(echo_frame) - 14, &ip, &err), 20);
	CU_ASSERT_EQUAL(err, SL_IPV4_OK);
	CU_ASSERT_EQUAL(ip.ihl_bytes, 20);
	CU_ASSERT_EQUAL(ip.tos, 0);
	CU_ASSERT_EQUAL(ip.total_len, 84);
	CU_ASSERT_EQUAL(ip.id, 0xab05);
	CU_ASSERT_TRUE(ip.df);
	CU_ASSERT_FALSE(ip.mf);
	CU_ASSERT_EQUAL(ip.frag_off_bytes, 0);
	CU_ASSERT_EQUAL(ip.ttl, 64);
	CU_ASSERT_EQUAL(ip.proto, SL_IPPROTO_ICMP);
	CU_ASSERT_EQUAL(ip.src, 0xc0000202);
	CU_ASSERT_EQUAL(ip.dst, 0xc0000201);
}

static void test_parse_reply_and_udp(void)
{
	struct sl_ipv4_info ip;
	enum sl_ipv4_err err;
	uint8_t pkt[84];
	memcpy(pkt, reply_hdr, 20);
	memcpy(pkt + 20, ECHO_IP + 20, 64); /* payload bytes do not matter to the IP header */
	CU_ASSERT_EQUAL(sl_ipv4_parse(pkt, sizeof(pkt), &ip, &err), 20);
	CU_ASSERT_FALSE(ip.df);
	CU_ASSERT_EQUAL(ip.id, 0x21a4);
	CU_ASSERT_EQUAL(ip.src, 0xc0000201);

	CU_ASSERT_EQUAL(sl_ipv4_parse(udp_pkt, sizeof(udp_pkt), &ip, &err), 20);
	CU_ASSERT_EQUAL(err, SL_IPV4_OK);
	CU_ASSERT_EQUAL(ip.proto, SL_IPPROTO_UDP);
	CU_ASSERT_EQUAL(ip.total_len, 31);
	CU_ASSERT_EQUAL(ip.src, 0xc6336401);
	CU_ASSERT_EQUAL(ip.dst, 0xc6336402);
}

/* A 45-byte frame is padded to 60 on the wire: the IPv4 packet is then shorter than len. */
static void test_ethernet_padding(void)
{
	uint8_t f[60] = {0};
	memcpy(f + 14, udp_pkt, sizeof(udp_pkt));
	struct sl_ipv4_info ip;
	enum sl_ipv4_err err;
	CU_ASSERT_EQUAL(sl_ipv4_parse(f + 14, 46, &ip, &err), 20);
	CU_ASSERT_EQUAL(err, SL_IPV4_OK);
	CU_ASSERT_EQUAL(ip.total_len, 31); /* the caller trims to this */
}

/* A header with options (IHL 6, Router Alert, RFC 2113) and at an odd address. */
static void test_options_unaligned(void)
{
	uint8_t buf[1 + 24 + 8];
	uint8_t *h = buf + 1;
	memcpy(h, ECHO_IP, 20);
	h[0] = 0x46;
	h[3] = 32; /* total length 24 + 8 */
	h[20] = 0x94, h[21] = 0x04, h[22] = 0x00, h[23] = 0x00;
	memset(h + 24, 0x5a, 8);
	fix_csum(h, 24);
	struct sl_ipv4_info ip;
	enum sl_ipv4_err err;
	CU_ASSERT_EQUAL(sl_ipv4_parse(h, 32, &ip, &err), 24);
	CU_ASSERT_EQUAL(err, SL_IPV4_OK);
	CU_ASSERT_EQUAL(ip.ihl_bytes, 24);
	CU_ASSERT_EQUAL(ip.total_len, 32);
	/* Every truncation of it, exact-size buffers. */
	int bad = 0;
	for (size_t n = 0; n <= 32; n++) {
		uint8_t *p = sl_t_dup(h, n);
		int e = parse_err(p, n);
		int want = n < 20   ? SL_IPV4_ERR_SHORT
			   : n < 24 ? SL_IPV4_ERR_IHL
			   : n < 32 ? SL_IPV4_ERR_TOTLEN
				    : 0;
		if (e != want)
			bad++;
		free(p);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Every truncation of the real packets: SHORT, then TOTLEN, then success at full length. */
static void test_truncated(void)
{
	int bad = 0;
	for (size_t n = 0; n <= ECHO_IP_LEN; n++) {
		uint8_t *p = sl_t_dup(ECHO_IP, n);
		int want = n < 20 ? SL_IPV4_ERR_SHORT : n < ECHO_IP_LEN ? SL_IPV4_ERR_TOTLEN : 0;
		if (parse_err(p, n) != want)
			bad++;
		free(p);
	}
	for (size_t n = 0; n <= sizeof(udp_pkt); n++) {
		uint8_t *p = sl_t_dup(udp_pkt, n);
		int want = n < 20		 ? SL_IPV4_ERR_SHORT
			   : n < sizeof(udp_pkt) ? SL_IPV4_ERR_TOTLEN
						 : 0;
		if (parse_err(p, n) != want)
			bad++;
		free(p);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_err_short_version_ihl_totlen(void)
{
	uint8_t h[84];
	CU_ASSERT_EQUAL(parse_err(ECHO_IP, 19), SL_IPV4_ERR_SHORT);

	memcpy(h, ECHO_IP, 84);
	h[0] = 0x65; /* version 6 */
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_VERSION);
	h[0] = 0x05; /* version 0 */
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_VERSION);

	memcpy(h, ECHO_IP, 84);
	h[0] = 0x44; /* IHL 4 */
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_IHL);
	h[0] = 0x40; /* IHL 0 */
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_IHL);
	h[0] = 0x4f; /* IHL 15: 60 bytes, more than the 40 given */
	CU_ASSERT_EQUAL(parse_err(h, 40), SL_IPV4_ERR_IHL);

	memcpy(h, ECHO_IP, 84);
	h[2] = 0, h[3] = 19; /* total length below the header */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_TOTLEN);
	h[3] = 0;
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_TOTLEN);
	memcpy(h, ECHO_IP, 84);
	h[0] = 0x4f; /* IHL 60 within len, but total length 40 < 60 */
	h[3] = 40;
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_TOTLEN);
	memcpy(h, ECHO_IP, 84);
	h[3] = 85; /* one more than we have */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_TOTLEN);
	h[2] = 0xff, h[3] = 0xff;
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_TOTLEN);
	/* Total length exactly the header: an empty payload is fine. */
	h[2] = 0, h[3] = 20;
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 20), 0);
}

static void test_err_csum(void)
{
	uint8_t h[84];
	memcpy(h, ECHO_IP, 84);
	h[11] ^= 1;
	struct sl_ipv4_info ip;
	enum sl_ipv4_err err;
	CU_ASSERT_EQUAL(sl_ipv4_parse(h, 84, &ip, &err), -1);
	CU_ASSERT_EQUAL(err, SL_IPV4_ERR_CSUM);
	CU_ASSERT_EQUAL(ip.src, 0xc0000202); /* filled all the same */
	CU_ASSERT_EQUAL(ip.proto, SL_IPPROTO_ICMP);
	/* A changed field without a checksum update. */
	memcpy(h, ECHO_IP, 84);
	h[8] = 63;
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_CSUM);
	/* A corrupted option byte is covered too. */
	uint8_t o[24 + 4];
	memcpy(o, ECHO_IP, 20);
	o[0] = 0x46, o[3] = 28;
	o[20] = 1, o[21] = 1, o[22] = 1, o[23] = 0; /* NOP NOP NOP EOL */
	fix_csum(o, 24);
	memset(o + 24, 0, 4);
	CU_ASSERT_EQUAL(parse_err(o, 28), 0);
	o[22] = 0;
	CU_ASSERT_EQUAL(parse_err(o, 28), SL_IPV4_ERR_CSUM);
	/* Payload bytes are not covered by the header checksum. */
	memcpy(h, ECHO_IP, 84);
	h[40] ^= 0xff;
	CU_ASSERT_EQUAL(parse_err(h, 84), 0);
}

static void test_err_ttl_frag(void)
{
	uint8_t h[84];
	struct sl_ipv4_info ip;
	enum sl_ipv4_err err;

	memcpy(h, ECHO_IP, 84);
	h[8] = 0; /* TTL 0 is accepted: a host does not discard for the TTL (RFC 1122 3.2.1.7) */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), 0);
	h[8] = 1;
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), 0);

	memcpy(h, ECHO_IP, 84);
	h[6] = 0x20, h[7] = 0x00; /* MF, offset 0: first fragment */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(sl_ipv4_parse(h, 84, &ip, &err), -1);
	CU_ASSERT_EQUAL(err, SL_IPV4_ERR_FRAG);
	CU_ASSERT_TRUE(ip.mf);
	CU_ASSERT_EQUAL(ip.frag_off_bytes, 0);

	h[6] = 0x00, h[7] = 0xb9; /* last fragment, offset 185 * 8 = 1480 */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(sl_ipv4_parse(h, 84, &ip, &err), -1);
	CU_ASSERT_EQUAL(err, SL_IPV4_ERR_FRAG);
	CU_ASSERT_FALSE(ip.mf);
	CU_ASSERT_EQUAL(ip.frag_off_bytes, 1480);

	h[6] = 0x3f, h[7] = 0xff; /* MF + largest offset */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(sl_ipv4_parse(h, 84, &ip, &err), -1);
	CU_ASSERT_EQUAL(err, SL_IPV4_ERR_FRAG);
	CU_ASSERT_EQUAL(ip.frag_off_bytes, 8191 * 8);

	h[6] = 0x40, h[7] = 0x00; /* DF only: not a fragment */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), 0);
	h[6] = 0xc0; /* reserved bit + DF: ignored */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), 0);
}

static int with_src(uint32_t src)
{
	uint8_t h[84];
	memcpy(h, ECHO_IP, 84);
	h[12] = (uint8_t)(src >> 24), h[13] = (uint8_t)(src >> 16);
	h[14] = (uint8_t)(src >> 8), h[15] = (uint8_t)src;
	fix_csum(h, 20);
	return parse_err(h, 84);
}

static void test_err_src(void)
{
	CU_ASSERT_EQUAL(with_src(0x00000000), SL_IPV4_ERR_SRC); /* 0.0.0.0 */
	CU_ASSERT_EQUAL(with_src(0x00010203), SL_IPV4_ERR_SRC); /* 0.1.2.3 */
	CU_ASSERT_EQUAL(with_src(0x7f000001), SL_IPV4_ERR_SRC); /* 127.0.0.1 */
	CU_ASSERT_EQUAL(with_src(0x7fffffff), SL_IPV4_ERR_SRC);
	CU_ASSERT_EQUAL(with_src(0xe0000001), SL_IPV4_ERR_SRC); /* 224.0.0.1 */
	CU_ASSERT_EQUAL(with_src(0xefffffff), SL_IPV4_ERR_SRC); /* 239.255.255.255 */
	CU_ASSERT_EQUAL(with_src(0xffffffff), SL_IPV4_ERR_SRC); /* broadcast */
	CU_ASSERT_EQUAL(with_src(0x01000000), 0);		/* 1.0.0.0 */
	CU_ASSERT_EQUAL(with_src(0x7effffff), 0);		/* 126.255.255.255 */
	CU_ASSERT_EQUAL(with_src(0x80000000), 0);		/* 128.0.0.0 */
	CU_ASSERT_EQUAL(with_src(0xdfffffff), 0);		/* 223.255.255.255 */
	CU_ASSERT_EQUAL(with_src(0xf0000001), 0);		/* 240/4 is not listed */
	CU_ASSERT_TRUE(sl_ipv4_bad_src(0xe1020304));
	CU_ASSERT_FALSE(sl_ipv4_bad_src(0x0a000001));
}

/* Checks come in enum order: the first failing reason wins. */
static void test_err_order(void)
{
	uint8_t h[84];
	memcpy(h, ECHO_IP, 84);
	h[8] = 0;    /* TTL 0 (no error) ... */
	h[6] = 0x20; /* ... and a fragment ... */
	h[12] = 127; /* ... from loopback */
	fix_csum(h, 20);
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_FRAG);
	h[11] ^= 0x40;
	CU_ASSERT_EQUAL(parse_err(h, 84), SL_IPV4_ERR_CSUM);
	/* NULL err is accepted. */
	struct sl_ipv4_info ip;
	CU_ASSERT_EQUAL(sl_ipv4_parse(h, 84, &ip, NULL), -1);
	CU_ASSERT_EQUAL(sl_ipv4_parse(ECHO_IP, 84, &ip, NULL), 20);
}

static void test_err_names(void)
{
	static const char *const want[SL_IPV4_ERR_COUNT] = {
		"ipv4_ok",	"ipv4_short",	      "ipv4_bad_version", "ipv4_bad_ihl",
		"ipv4_bad_total_len", "ipv4_bad_csum", "ipv4_fragment",	  "ipv4_bad_src",
	};
	for (int i = 0; i < SL_IPV4_ERR_COUNT; i++)
		CU_ASSERT_STRING_EQUAL(sl_ipv4_err_name((enum sl_ipv4_err)i), want[i]);
	CU_ASSERT_STRING_EQUAL(sl_ipv4_err_name((enum sl_ipv4_err)SL_IPV4_ERR_COUNT),
			       "ipv4_unknown");
}

/* Building the header of the real echo request gives the bytes Linux sent, checksum included. */
static void test_build(void)
{
	uint8_t buf[21];
	uint8_t *h = buf + 1; /* unaligned */
	sl_ipv4_build(h, 0, 84, 0xab05, true, 64, SL_IPPROTO_ICMP, 0xc0000202, 0xc0000201);
	CU_ASSERT_EQUAL(memcmp(h, ECHO_IP, 20), 0);
	sl_ipv4_build(h, 0, 84, 0x21a4, false, 64, SL_IPPROTO_ICMP, 0xc0000201, 0xc0000202);
	CU_ASSERT_EQUAL(memcmp(h, reply_hdr, 20), 0);
	sl_ipv4_build(h, 0, 31, 0x6d86, true, 64, SL_IPPROTO_UDP, 0xc6336401, 0xc6336402);
	CU_ASSERT_EQUAL(memcmp(h, udp_pkt, 20), 0);
}

/* set_csum after a change equals the RFC 1624 update and the reference; with options too. */
static void test_set_csum(void)
{
	struct sl_t_rng rng = {0x1b4};
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		uint8_t h[60];
		size_t ihl = 20 + 4 * sl_t_below(&rng, 11);
		sl_t_fill(&rng, h, ihl);
		h[0] = (uint8_t)(0x40 | ihl / 4);
		sl_ipv4_set_csum(h, ihl);
		if (sl_csum(h, ihl) != 0)
			bad++;
		uint16_t want = sl_t_ref_csum(h, ihl, 0); /* 0 over a valid header */
		if (want != 0)
			bad++;
		/* Decrement the TTL the way a router does: incremental vs recomputed. */
		uint16_t old_w, new_w, c;
		memcpy(&old_w, h + 8, 2);
		memcpy(&c, h + 10, 2);
		h[8]--;
		memcpy(&new_w, h + 8, 2);
		uint16_t inc = sl_csum_update16(c, old_w, new_w);
		sl_ipv4_set_csum(h, ihl);
		if (memcmp(&inc, h + 10, 2) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const struct sl_test_case parse_cases[] = {
	{"real echo request frame", test_parse_echo_frame},
	{"real echo reply and UDP packets", test_parse_reply_and_udp},
	{"Ethernet padding after total length", test_ethernet_padding},
	{"options, unaligned, truncations", test_options_unaligned},
	{"every truncation of real packets", test_truncated},
	{"SHORT, VERSION, IHL, TOTLEN", test_err_short_version_ihl_totlen},
	{"CSUM", test_err_csum},
	{"TTL and FRAG", test_err_ttl_frag},
	{"SRC", test_err_src},
	{"reasons in order, NULL err", test_err_order},
	{"error names", test_err_names},
	{NULL, NULL},
};

static const struct sl_test_case build_cases[] = {
	{"headers identical to Linux's", test_build},
	{"set_csum vs reference and RFC 1624", test_set_csum},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"ipv4/parse", parse_cases},
	{"ipv4/build", build_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
