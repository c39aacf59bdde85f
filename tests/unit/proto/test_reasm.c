/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 reassembly bookkeeping (proto/reasm.c): every order of arrival, duplicates and overlaps
 * (the datagram discarded), bad fragments (refused alone), size and count bounds, eviction of
 * the oldest datagram when the table is full, deadlines, and datagrams kept apart by their key.
 * A byte buffer per slot stands for the caller's, so that the assembled bytes are checked too.
 */
#include <string.h>

#include "proto/reasm.h"
#include "tests/unit/sl_test.h"

#define NS 4
#define MAXLEN 2000

static struct sl_reasm *r;
static uint8_t buf[NS][MAXLEN];
static uint8_t want[MAXLEN];
static const struct sl_reasm_key K1 = {0x0a000001, 0x0a000002, 7, 6};

static void fresh(void)
{
	sl_reasm_destroy(r);
	r = sl_reasm_create(NS, MAXLEN, 1000000);
	CU_ASSERT_FATAL(r != NULL);
	for (int i = 0; i < MAXLEN; i++)
		want[i] = (uint8_t)(i * 7 + 3);
}

static struct sl_reasm_stats stats(void)
{
	struct sl_reasm_stats s;
	sl_reasm_stats(r, &s);
	return s;
}

/* Adds want[off, off+len) as a fragment of @k; copies it into the slot's buffer as a caller
 * does. Returns the result; *@total when done. */
static int frag(const struct sl_reasm_key *k, uint32_t off, uint32_t len, bool mf, uint64_t now,
		uint32_t *total, unsigned *slot)
{
	unsigned s = NS;
	uint32_t t = 0;
	bool ev = false;
	uint64_t before = stats().evicted;
	int rc = sl_reasm_add(r, k, off, len, mf, now, &s, &t, &ev);
	CU_ASSERT_EQUAL(ev, stats().evicted != before); /* reported as counted */
	if (rc >= 0) {
		CU_ASSERT_FATAL(s < NS);
		memcpy(buf[s] + off, want + off, len);
	}
	if (total != NULL)
		*total = t;
	if (slot != NULL)
		*slot = s;
	return rc;
}

static void test_orders(void)
{
	/* a 1000-byte datagram in three fragments (400 + 400 + 200), in all six orders */
	static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	static const uint32_t off[3] = {0, 400, 800}, len[3] = {400, 400, 200};
	for (int p = 0; p < 6; p++) {
		fresh();
		uint32_t total = 0;
		unsigned slot = NS;
		for (int i = 0; i < 3; i++) {
			int f = perm[p][i];
			int rc = frag(&K1, off[f], len[f], f != 2, 10, &total, &slot);
			CU_ASSERT_EQUAL(rc, i == 2 ? SL_REASM_DONE : SL_REASM_MORE);
		}
		CU_ASSERT_EQUAL(total, 1000);
		CU_ASSERT_EQUAL(memcmp(buf[slot], want, 1000), 0);
		CU_ASSERT_EQUAL(stats().in_use, 0);
		CU_ASSERT_EQUAL(stats().done, 1);
	}
}

static void test_overlaps_discard(void)
{
	/* an exact duplicate */
	fresh();
	CU_ASSERT_EQUAL(frag(&K1, 0, 400, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 0, 400, true, 1, NULL, NULL), SL_REASM_ERR_OVERLAP);
	CU_ASSERT_EQUAL(stats().in_use, 0);
	/* the datagram is gone: the rest starts a new one that never completes */
	CU_ASSERT_EQUAL(frag(&K1, 400, 100, false, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(stats().in_use, 1);
	/* partial overlaps, at either end */
	fresh();
	CU_ASSERT_EQUAL(frag(&K1, 400, 400, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 0, 408, true, 1, NULL, NULL), SL_REASM_ERR_OVERLAP);
	fresh();
	CU_ASSERT_EQUAL(frag(&K1, 400, 400, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 792, 100, false, 1, NULL, NULL), SL_REASM_ERR_OVERLAP);
	/* one inside another */
	fresh();
	CU_ASSERT_EQUAL(frag(&K1, 0, 800, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 400, 8, true, 1, NULL, NULL), SL_REASM_ERR_OVERLAP);
	CU_ASSERT_EQUAL(stats().overlap, 1);
	CU_ASSERT_EQUAL(stats().in_use, 0);
}

static void test_bad_fragments(void)
{
	fresh();
	CU_ASSERT_EQUAL(frag(&K1, 0, 0, true, 1, NULL, NULL), SL_REASM_ERR_BAD);   /* empty */
	CU_ASSERT_EQUAL(frag(&K1, 0, 401, true, 1, NULL, NULL), SL_REASM_ERR_BAD); /* not 8n */
	CU_ASSERT_EQUAL(stats().in_use, 0);					 /* no slot taken */
	CU_ASSERT_EQUAL(frag(&K1, 0, 400, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 800, 100, false, 1, NULL, NULL), SL_REASM_MORE); /* end 900 */
	/* beyond the end, a second last fragment with another end: refused, the datagram stays */
	CU_ASSERT_EQUAL(frag(&K1, 896, 8, true, 1, NULL, NULL), SL_REASM_ERR_BAD);
	CU_ASSERT_EQUAL(frag(&K1, 400, 200, false, 1, NULL, NULL), SL_REASM_ERR_BAD);
	CU_ASSERT_EQUAL(stats().in_use, 1);
	uint32_t total = 0;
	unsigned slot = NS;
	CU_ASSERT_EQUAL(frag(&K1, 400, 400, true, 1, &total, &slot), SL_REASM_DONE);
	CU_ASSERT_EQUAL(total, 900);
	CU_ASSERT_EQUAL(memcmp(buf[slot], want, 900), 0);
	/* a last fragment that ends before bytes already received */
	fresh();
	CU_ASSERT_EQUAL(frag(&K1, 800, 96, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 0, 400, false, 1, NULL, NULL), SL_REASM_ERR_BAD);
	CU_ASSERT_EQUAL(stats().bad, 1);
}

static void test_bounds(void)
{
	fresh();
	/* too big, alone and for a datagram in progress (discarded) */
	CU_ASSERT_EQUAL(frag(&K1, MAXLEN - 8, 16, true, 1, NULL, NULL), SL_REASM_ERR_TOOBIG);
	CU_ASSERT_EQUAL(stats().in_use, 0);
	CU_ASSERT_EQUAL(frag(&K1, 0, 8, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, MAXLEN, 8, false, 1, NULL, NULL), SL_REASM_ERR_TOOBIG);
	CU_ASSERT_EQUAL(stats().in_use, 0);
	/* exactly the largest datagram fits */
	uint32_t total = 0;
	CU_ASSERT_EQUAL(frag(&K1, 0, 1000, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 1000, MAXLEN - 1000, false, 1, &total, NULL), SL_REASM_DONE);
	CU_ASSERT_EQUAL(total, MAXLEN);
	/* at most SL_REASM_MAX_FRAGS fragments: the next one discards the datagram */
	fresh();
	for (uint32_t i = 0; i < SL_REASM_MAX_FRAGS; i++)
		CU_ASSERT_EQUAL(frag(&K1, 8 * i, 8, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&K1, 8 * SL_REASM_MAX_FRAGS, 8, false, 1, NULL, NULL),
			SL_REASM_ERR_TOOMANY);
	CU_ASSERT_EQUAL(stats().toomany, 1);
	CU_ASSERT_EQUAL(stats().in_use, 0);
}

static void test_keys_eviction_deadline(void)
{
	fresh();
	struct sl_reasm_key k[NS + 1];
	for (int i = 0; i <= NS; i++) {
		k[i] = K1;
		k[i].id = (uint16_t)(100 + i);
	}
	/* fields of the key keep datagrams apart */
	struct sl_reasm_key other = K1;
	other.proto = 17;
	CU_ASSERT_EQUAL(frag(&K1, 0, 400, true, 1, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&other, 0, 400, true, 2, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(stats().in_use, 2);
	/* a full table: a new datagram takes the oldest one's slot (K1, born at 1) */
	CU_ASSERT_EQUAL(frag(&k[0], 0, 8, true, 3, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(frag(&k[1], 0, 8, true, 4, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(stats().in_use, NS);
	CU_ASSERT_EQUAL(frag(&k[2], 0, 8, true, 5, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(stats().evicted, 1);
	CU_ASSERT_EQUAL(stats().in_use, NS);
	/* K1 is gone: its last fragment starts a new datagram (and evicts `other`) */
	CU_ASSERT_EQUAL(frag(&K1, 400, 8, false, 6, NULL, NULL), SL_REASM_MORE);
	CU_ASSERT_EQUAL(stats().evicted, 2);
	/* deadlines: 1 s after the first fragment */
	CU_ASSERT_EQUAL(sl_reasm_expire(r, 1000002), 0);
	CU_ASSERT_EQUAL(sl_reasm_expire(r, 1000004), 2); /* k[0] (3) and k[1] (4) */
	CU_ASSERT_EQUAL(stats().in_use, NS - 2);
	CU_ASSERT_EQUAL(sl_reasm_expire(r, 2000000), NS - 2);
	CU_ASSERT_EQUAL(stats().expired, NS);
	CU_ASSERT_EQUAL(stats().in_use, 0);
}

static const struct sl_test_case cases[] = {
	{"every order of arrival", test_orders},
	{"overlaps and duplicates discard the datagram", test_overlaps_discard},
	{"bad fragments are refused alone", test_bad_fragments},
	{"size and fragment-count bounds", test_bounds},
	{"keys, eviction of the oldest, deadlines", test_keys_eviction_deadline},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {{"reasm", cases}, {NULL, NULL}};

int main(void)
{
	int rc = sl_test_run(suites);
	sl_reasm_destroy(r);
	return rc;
}
