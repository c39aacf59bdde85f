/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the Internet checksum (proto/csum.c): RFC 1071 and RFC 1624. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/bytes.h"
#include "proto/csum.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* The checksum as a host-order number, from the network-order value the module returns. */
static uint16_t host(uint16_t net)
{
	return sl_ntoh16(net);
}

/* RFC 1071 section 3, "Numerical Example": 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2. */
static void test_rfc1071_example(void)
{
	const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	CU_ASSERT_EQUAL(host(sl_csum(b, sizeof(b))), (uint16_t)~0xddf2);
	CU_ASSERT_EQUAL(host(sl_csum_fold(sl_csum_partial(b, sizeof(b), 0))), 0x220d);
	/* The stored value is what memcpy puts in the header: bytes 22 0d. */
	uint16_t c = sl_csum(b, sizeof(b));
	uint8_t out[2];
	memcpy(out, &c, 2);
	CU_ASSERT_EQUAL(out[0], 0x22);
	CU_ASSERT_EQUAL(out[1], 0x0d);
}

/* A real IPv4 header (ping 192.0.2.2 -> 192.0.2.1, captured): checksum 0x0ba0. */
static const uint8_t ip_hdr[20] = {0x45, 0x00, 0x00, 0x54, 0xab, 0x05, 0x40, 0x00, 0x40, 0x01,
				   0x0b, 0xa0, 0xc0, 0x00, 0x02, 0x02, 0xc0, 0x00, 0x02, 0x01};

static void test_real_ipv4_header(void)
{
	CU_ASSERT_EQUAL(sl_csum(ip_hdr, sizeof(ip_hdr)), 0); /* valid header sums to 0 */
	uint8_t h[20];
	memcpy(h, ip_hdr, 20);
	h[10] = h[11] = 0;
	uint16_t c = sl_csum(h, 20);
	CU_ASSERT_EQUAL(memcmp(&c, ip_hdr + 10, 2), 0);
	CU_ASSERT_EQUAL(host(c), 0x0ba0);
}

static void test_fold(void)
{
	CU_ASSERT_EQUAL(sl_csum_fold(0), 0xffff);
	CU_ASSERT_EQUAL(sl_csum_fold(0xffff), 0);
	CU_ASSERT_EQUAL(sl_csum_fold(0x10000), 0xfffe); /* carry 1 -> sum 1 */
	CU_ASSERT_EQUAL(sl_csum_fold(0x1fffe), 0);	/* 0xfffe + 1 = 0xffff */
	CU_ASSERT_EQUAL(sl_csum_fold(0xffffffff), 0);	/* 0xffff + 0xffff -> 0xffff */
	CU_ASSERT_EQUAL(sl_csum_fold(0x12345678), (uint16_t) ~(0x1234 + 0x5678));
	CU_ASSERT_EQUAL(sl_csum(NULL, 0), 0xffff);
	CU_ASSERT_EQUAL(sl_csum_partial(NULL, 0, 1234), 1234);
}

/* Odd lengths: the last byte is the high byte of a zero-padded word. */
static void test_odd_lengths(void)
{
	const uint8_t one[] = {0xab};
	CU_ASSERT_EQUAL(host(sl_csum(one, 1)), (uint16_t)~0xab00);
	const uint8_t three[] = {0x12, 0x34, 0x56};
	CU_ASSERT_EQUAL(host(sl_csum(three, 3)), (uint16_t) ~(0x1234 + 0x5600));
}

/* Random buffers, odd and even lengths, at every start alignment, against the reference. */
static void test_random_vs_reference(void)
{
	struct sl_t_rng rng = {0x5eed0001};
	uint8_t *buf = malloc(2048 + 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	int bad = 0;
	for (int i = 0; i < 3000; i++) {
		size_t len = i < 200 ? (size_t)i : sl_t_below(&rng, 2049);
		size_t off = sl_t_below(&rng, 8);
		sl_t_fill(&rng, buf, len + off);
		uint8_t *p = sl_t_dup(buf + off, len); /* exact size: ASan checks the bounds */
		if (host(sl_csum(p, len)) != sl_t_ref_csum(p, len, 0))
			bad++;
		if (host(sl_csum(buf + off, len)) != sl_t_ref_csum(buf + off, len, 0))
			bad++;
		free(p);
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(buf);
}

/* Special contents: all 0xff (largest words, most carries), all zero, long buffers. */
static void test_special_contents(void)
{
	size_t n = (1u << 20) + 3;
	uint8_t *p = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, 0xff, n);
	CU_ASSERT_EQUAL(host(sl_csum(p, n)), sl_t_ref_csum(p, n, 0));
	CU_ASSERT_EQUAL(host(sl_csum(p, n - 1)), sl_t_ref_csum(p, n - 1, 0));
	/* Large starting accumulator: no carry may be lost. */
	uint32_t sum = sl_csum_partial(p, n, 0xffffffffu);
	CU_ASSERT_EQUAL(sl_csum_fold(sum), sl_csum_fold(sl_csum_partial(p, n, 0xffff)));
	memset(p, 0, n);
	CU_ASSERT_EQUAL(sl_csum(p, n), 0xffff);
	free(p);
}

/* Chained partial sums over even-length chunks give the whole-buffer sum. */
static void test_chaining(void)
{
	struct sl_t_rng rng = {0x5eed0002};
	uint8_t buf[1501];
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		size_t len = sl_t_below(&rng, sizeof(buf) + 1);
		sl_t_fill(&rng, buf, len);
		size_t cut = sl_t_below(&rng, (uint32_t)len + 1) & ~(size_t)1; /* even */
		uint32_t s = sl_csum_partial(buf, cut, 0);
		s = sl_csum_partial(buf + cut, len - cut, s);
		if (sl_csum_fold(s) != sl_csum(buf, len))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A random buffer with a checksum field at @csum_off, full checksum stored there. */
static void store_full_csum(uint8_t *buf, size_t len, size_t csum_off)
{
	buf[csum_off] = buf[csum_off + 1] = 0;
	uint16_t c = sl_csum(buf, len);
	memcpy(buf + csum_off, &c, 2);
}

/* RFC 1624 eqn. 3 on a 16-bit word, 1000 random cases, vs a full recomputation. */
static void test_update16_random(void)
{
	struct sl_t_rng rng = {0x5eed0003};
	uint8_t buf[128];
	int bad = 0, bad_valid = 0;
	for (int i = 0; i < 1000; i++) {
		size_t len = 4 + sl_t_below(&rng, sizeof(buf) - 3); /* 4..128, odd and even */
		sl_t_fill(&rng, buf, len);
		size_t csum_off = 2 * sl_t_below(&rng, (uint32_t)(len / 2));
		store_full_csum(buf, len, csum_off);
		size_t w;
		do
			w = 2 * sl_t_below(&rng, (uint32_t)(len / 2));
		while (w == csum_off);
		uint16_t old_w, new_w, c;
		memcpy(&old_w, buf + w, 2);
		switch (i % 10) {
		case 0:
			new_w = old_w; /* no change */
			break;
		case 1:
			new_w = 0;
			break;
		case 2:
			new_w = 0xffff;
			break;
		default:
			new_w = (uint16_t)sl_t_rand64(&rng);
		}
		memcpy(buf + w, &new_w, 2);
		memcpy(&c, buf + csum_off, 2);
		uint16_t inc = sl_csum_update16(c, old_w, new_w);
		uint8_t copy[128];
		memcpy(copy, buf, len);
		store_full_csum(copy, len, csum_off);
		uint16_t full;
		memcpy(&full, copy + csum_off, 2);
		if (inc != full)
			bad++;
		memcpy(buf + csum_off, &inc, 2);
		if (sl_csum(buf, len) != 0)
			bad_valid++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(bad_valid, 0);
}

/* The same for 32-bit fields (addresses) at even offsets, and against the reference sum. */
static void test_update32_random(void)
{
	struct sl_t_rng rng = {0x5eed0004};
	uint8_t buf[64];
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		size_t len = 8 + sl_t_below(&rng, sizeof(buf) - 7); /* 8..64 */
		sl_t_fill(&rng, buf, len);
		size_t csum_off = 0;
		store_full_csum(buf, len, csum_off);
		size_t w =
			2 + 2 * sl_t_below(&rng, (uint32_t)((len - 4) / 2)); /* even, after csum */
		uint32_t old_v, new_v = (uint32_t)sl_t_rand64(&rng);
		if (i % 7 == 0)
			new_v = 0;
		memcpy(&old_v, buf + w, 4);
		memcpy(buf + w, &new_v, 4);
		uint16_t c;
		memcpy(&c, buf + csum_off, 2);
		uint16_t inc = sl_csum_update32(c, old_v, new_v);
		buf[0] = buf[1] = 0;
		if (host(inc) != sl_t_ref_csum(buf, len, 0))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The RFC 1624 section 4 example: HC 0xdd2f, m 0x5555 -> m' 0x3285 gives HC' 0x0000. */
static void test_rfc1624_example(void)
{
	uint16_t hc = sl_hton16(0xdd2f), m = sl_hton16(0x5555), m2 = sl_hton16(0x3285);
	CU_ASSERT_EQUAL(host(sl_csum_update16(hc, m, m2)), 0x0000);
}

/* The pseudo header sum equals summing the 12 pseudo-header bytes built by hand. */
static void test_pseudo4(void)
{
	struct sl_t_rng rng = {0x5eed0005};
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		uint8_t ph[12];
		sl_t_fill(&rng, ph, 8);
		uint8_t proto = (uint8_t)sl_t_rand64(&rng);
		uint16_t l4len = (uint16_t)sl_t_rand64(&rng);
		ph[8] = 0;
		ph[9] = proto;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		uint32_t src_be, dst_be;
		memcpy(&src_be, ph, 4);
		memcpy(&dst_be, ph + 4, 4);
		uint16_t got = sl_csum_fold(sl_csum_pseudo4(src_be, dst_be, proto, l4len));
		if (host(got) != sl_t_ref_csum(ph, 12, 0))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const struct sl_test_case full_cases[] = {
	{"RFC 1071 numerical example", test_rfc1071_example},
	{"real IPv4 header", test_real_ipv4_header},
	{"fold edge cases", test_fold},
	{"odd lengths", test_odd_lengths},
	{"random buffers vs reference, any alignment", test_random_vs_reference},
	{"all-ones, all-zero and 1 MiB buffers", test_special_contents},
	{"chained partial sums", test_chaining},
	{"IPv4 pseudo header", test_pseudo4},
	{NULL, NULL},
};

static const struct sl_test_case inc_cases[] = {
	{"RFC 1624 section 4 example", test_rfc1624_example},
	{"update16: 1000 random cases vs full recomputation", test_update16_random},
	{"update32: 1000 random cases vs reference", test_update32_random},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"csum/full", full_cases},
	{"csum/incremental", inc_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
