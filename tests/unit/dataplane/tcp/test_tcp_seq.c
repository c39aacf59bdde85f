/* SPDX-License-Identifier: BSD-3-Clause */
/* Sequence arithmetic (dataplane/tcp/seq.h): ordering across the 2^32 wrap. */
#include "dataplane/tcp/seq.h"
#include "tests/unit/sl_test.h"

static void test_basic(void)
{
	CU_ASSERT(SEQ_LT(1, 2));
	CU_ASSERT(!SEQ_LT(2, 2));
	CU_ASSERT(SEQ_LEQ(2, 2));
	CU_ASSERT(SEQ_GT(3, 2));
	CU_ASSERT(!SEQ_GT(2, 2));
	CU_ASSERT(SEQ_GEQ(2, 2));
	CU_ASSERT(!SEQ_GEQ(1, 2));
}

static void test_wrap(void)
{
	/* 0xfffffff0 comes before 0x10 once the space wrapped. */
	CU_ASSERT(SEQ_LT(0xfffffff0u, 0x10u));
	CU_ASSERT(SEQ_GT(0x10u, 0xfffffff0u));
	CU_ASSERT(SEQ_LEQ(0xffffffffu, 0u));
	CU_ASSERT(SEQ_LT(0xffffffffu, 0u));
	CU_ASSERT(SEQ_GEQ(0u, 0xffffffffu));
	CU_ASSERT_EQUAL(sl_seq_diff(5u, 0xfffffffbu), 10);
	CU_ASSERT_EQUAL(sl_seq_diff(0xfffffffbu, 5u), -10);
	CU_ASSERT_EQUAL(sl_seq_max(0xfffffff0u, 3u), 3u);
	CU_ASSERT_EQUAL(sl_seq_min(0xfffffff0u, 3u), 0xfffffff0u);
	/* Every distance below 2^31 orders correctly from every base, wrap included. */
	uint32_t bases[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xfffffff0u, 0xffffffffu, 12345u};
	uint32_t dists[] = {1, 2, 1000, 65535, 1u << 20, 0x7ffffffeu, 0x7fffffffu};
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		for (size_t j = 0; j < sizeof(dists) / sizeof(dists[0]); j++) {
			uint32_t a = bases[i], b = bases[i] + dists[j];
			CU_ASSERT(SEQ_LT(a, b));
			CU_ASSERT(SEQ_LEQ(a, b));
			CU_ASSERT(SEQ_GT(b, a));
			CU_ASSERT(SEQ_GEQ(b, a));
			CU_ASSERT(!SEQ_GT(a, b));
			CU_ASSERT(!SEQ_LT(b, a));
		}
}

static void test_in_range(void)
{
	CU_ASSERT(sl_seq_in(0xfffffffeu, 0xfffffff0u, 0x10u));
	CU_ASSERT(sl_seq_in(0u, 0xfffffff0u, 0x10u));
	CU_ASSERT(sl_seq_in(0xfu, 0xfffffff0u, 0x10u));
	CU_ASSERT(!sl_seq_in(0x10u, 0xfffffff0u, 0x10u));
	CU_ASSERT(!sl_seq_in(0xffffffefu, 0xfffffff0u, 0x10u));
	CU_ASSERT(!sl_seq_in(5u, 5u, 5u)); /* empty */
}

static const struct sl_test_case cases[] = {
	{"basic", test_basic}, {"wrap", test_wrap}, {"in_range", test_in_range}, {NULL, NULL}};
static const struct sl_test_suite suites[] = {{"tcp_seq", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}
