/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the bump allocator (controlplane/cfg/arena.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/arena.h"
#include "tests/unit/sl_test.h"

static void test_create_destroy(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(sl_arena_used(a), 0);
	sl_arena_destroy(a);
	sl_arena_destroy(NULL); /* accepted */
}

static void test_alloc_zeroed(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (size_t size = 1; size < 5000; size = size * 3 + 1) {
		unsigned char *p = sl_arena_alloc(a, size);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		size_t nz = 0;
		for (size_t i = 0; i < size; i++)
			nz += p[i] != 0;
		CU_ASSERT_EQUAL(nz, 0);
		memset(p, 0xa5, size); /* dirty it: the next allocation must still be zeroed */
	}
	sl_arena_destroy(a);
}

static void test_alignment(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	static const size_t sizes[] = {1, 3, 7, 15, 16, 17, 31, 33, 100, 1000, 20000, 70000, 5};
	for (int round = 0; round < 50; round++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			void *p = sl_arena_alloc(a, sizes[i]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(p);
			CU_ASSERT_EQUAL((uintptr_t)p % 16, 0);
		}
	sl_arena_destroy(a);
}

static void test_distinct(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	unsigned char *p[200];
	for (int i = 0; i < 200; i++) {
		p[i] = sl_arena_alloc(a, 1000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
		memset(p[i], i, 1000);
	}
	int bad = 0;
	for (int i = 0; i < 200; i++)
		for (int j = 0; j < 1000; j++)
			bad += p[i][j] != (unsigned char)i;
	CU_ASSERT_EQUAL(bad, 0); /* no two allocations overlap */
	sl_arena_destroy(a);
}

static void test_big_allocation(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	char *small = sl_arena_alloc(a, 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(small);
	strcpy(small, "small");
	size_t big = 256 * 1024;
	unsigned char *p = sl_arena_alloc(a, big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p[0], 0);
	CU_ASSERT_EQUAL(p[big - 1], 0);
	memset(p, 0x5a, big);
	/* allocations after the big one still work and do not overlap it */
	char *after = sl_arena_alloc(a, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	CU_ASSERT(after + 100 <= (char *)p || after >= (char *)p + big);
	CU_ASSERT_STRING_EQUAL(small, "small");
	/* a second big one and one that fills exactly a 64 KiB block */
	CU_ASSERT_PTR_NOT_NULL(sl_arena_alloc(a, 65 * 1024));
	CU_ASSERT_PTR_NOT_NULL(sl_arena_alloc(a, 64 * 1024));
	CU_ASSERT(sl_arena_used(a) >= big + 129 * 1024 + 110);
	sl_arena_destroy(a);
}

static void test_big_first(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL(sl_arena_alloc(a, 100 * 1024));
	for (int i = 0; i < 100; i++)
		CU_ASSERT_PTR_NOT_NULL(sl_arena_alloc(a, 64));
	sl_arena_destroy(a);
}

static void test_absurd_size(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NULL(sl_arena_alloc(a, (size_t)2 << 30));
	CU_ASSERT_PTR_NULL(sl_arena_alloc(a, SIZE_MAX));
	CU_ASSERT_PTR_NULL(sl_arena_alloc(a, SIZE_MAX - 8));
	CU_ASSERT_PTR_NOT_NULL(sl_arena_alloc(a, 8)); /* still usable */
	sl_arena_destroy(a);
}

static void test_strdup(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	char src[] = "hello world";
	char *s = sl_arena_strdup(a, src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_EQUAL(s, src);
	CU_ASSERT_STRING_EQUAL(s, "hello world");
	src[0] = 'J';
	CU_ASSERT_STRING_EQUAL(s, "hello world");

	char *n = sl_arena_strndup(a, "abcdef", 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_STRING_EQUAL(n, "abc");

	/* strndup copies @len bytes even when they are not NUL-terminated */
	const char raw[4] = {'w', 'x', 'y', 'z'};
	char *r = sl_arena_strndup(a, raw, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r, "wxyz");

	char *e = sl_arena_strdup(a, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e, "");
	char *z = sl_arena_strndup(a, "abc", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_STRING_EQUAL(z, "");

	/* a long string (crosses into a block of its own) */
	size_t len = 100000;
	char *big = malloc(len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'q', len);
	big[len] = '\0';
	char *b = sl_arena_strdup(a, big);
	CU_ASSERT_PTR_NOT_NULL(b);
	if (b != NULL)
		CU_ASSERT_EQUAL(memcmp(b, big, len + 1), 0);
	free(big);
	sl_arena_destroy(a);
}

static int dtor_count;
static int dtor_order[8];

static void dtor(void *obj)
{
	int *v = obj;
	if (dtor_count < 8)
		dtor_order[dtor_count] = *v;
	dtor_count++;
}

static void test_defer(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	static int vals[5] = {1, 2, 3, 4, 5};
	dtor_count = 0;
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(sl_arena_defer(a, dtor, &vals[i]), 0);
	CU_ASSERT_EQUAL(dtor_count, 0); /* nothing runs before destroy */
	sl_arena_alloc(a, 100000);
	CU_ASSERT_EQUAL(dtor_count, 0);
	sl_arena_destroy(a);
	CU_ASSERT_EQUAL(dtor_count, 5);
	/* newest first */
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(dtor_order[i], 5 - i);
}

static void free_obj(void *obj)
{
	free(obj);
	dtor_count++;
}

static void test_defer_frees_foreign_objects(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	dtor_count = 0;
	for (int i = 0; i < 1000; i++) {
		void *obj = malloc(32);
		CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
		CU_ASSERT_EQUAL(sl_arena_defer(a, free_obj, obj), 0);
	}
	sl_arena_destroy(a); /* leak checkers see every object freed */
	CU_ASSERT_EQUAL(dtor_count, 1000);
}

static void test_used_grows(void)
{
	struct sl_arena *a = sl_arena_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	size_t prev = sl_arena_used(a);
	CU_ASSERT_EQUAL(prev, 0);
	static const size_t sizes[] = {1, 16, 17, 100, 4096, 70000, 3};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(sl_arena_alloc(a, sizes[i]));
		size_t now = sl_arena_used(a);
		CU_ASSERT(now >= prev + sizes[i]);
		CU_ASSERT(now <= prev + sizes[i] + 16); /* at most alignment padding */
		prev = now;
	}
	CU_ASSERT_PTR_NOT_NULL(sl_arena_strdup(a, "0123456789"));
	CU_ASSERT(sl_arena_used(a) >= prev + 11);
	sl_arena_destroy(a);
}

static const struct sl_test_case alloc_cases[] = {
	{"create and destroy", test_create_destroy},
	{"alloc returns zeroed memory", test_alloc_zeroed},
	{"alignment 16", test_alignment},
	{"allocations do not overlap", test_distinct},
	{"big allocation (> 64 KiB)", test_big_allocation},
	{"big allocation first", test_big_first},
	{"absurd sizes refused", test_absurd_size},
	{"sl_arena_used grows", test_used_grows},
	{NULL, NULL},
};

static const struct sl_test_case str_cases[] = {
	{"strdup and strndup", test_strdup},
	{NULL, NULL},
};

static const struct sl_test_case defer_cases[] = {
	{"destructors run at destroy, newest first", test_defer},
	{"destructors free foreign objects", test_defer_frees_foreign_objects},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"arena/alloc", alloc_cases},
	{"arena/strings", str_cases},
	{"arena/defer", defer_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
