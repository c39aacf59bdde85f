/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016, section 3.4) with weights, and the flow
 * hashes: primes, argument checks, shares with equal and unequal weights, disruption when a server
 * leaves or comes back, determinism (a hard-coded checksum) and independence from the input order,
 * fixed hash values, spread and avalanche of the hashes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/balance/maglev.h"
#include "tests/unit/sl_test.h"

#define M0   SL_MAGLEV_SIZE_DEFAULT
#define MAXN 1000

static struct sl_maglev *ta, *tb;	  /* two tables of up to SL_MAGLEV_SIZE_LARGE entries */
static char keys[MAXN][32];		  /* "rtmp/edgeNNN" */
static struct sl_maglev_server srv[MAXN]; /* keys[i], weight 1 unless a test changes it */
static uint32_t counts[SL_MAGLEV_MAX_SERVERS];

static void reset_servers(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		srv[i].key = keys[i];
		srv[i].weight = 1;
	}
}

/* Fraction of @m's entries held by server @i. */
static double share(const struct sl_maglev *m, unsigned n, unsigned i)
{
	sl_maglev_count(m, n, counts);
	return (double)counts[i] / m->size;
}

/* FNV-1a 32 over the entry values (as numbers, so the result does not depend on byte order). */
static uint32_t checksum(const struct sl_maglev *m)
{
	uint32_t h = 2166136261u;
	for (uint32_t s = 0; s < m->size; s++) {
		h = (h ^ (m->entries[s] & 0xff)) * 16777619u;
		h = (h ^ (m->entries[s] >> 8)) * 16777619u;
	}
	return h ^ m->size;
}

/* ---- primes and sizes ---- */

static void test_primes(void)
{
	/* the largest 32-bit primes, the table sizes, and small ones */
	static const uint32_t primes[] = {
		2, 3, 5, 7, 11, 13, 65537, 65539, 100003, 655373, 1000003, 4294967279u, 4294967291u,
	};
	/* 4294049777 = 65537 * 65521: two primes near 2^16, where the trial division ends */
	static const uint32_t composites[] = {
		0, 1, 4, 6, 9, 15, 25, 49, 65535, 65536, 655371, 4294049777u, 4294967295u,
	};
	for (unsigned i = 0; i < sizeof(primes) / sizeof(primes[0]); i++)
		CU_ASSERT_TRUE(sl_maglev_is_prime(primes[i]));
	for (unsigned i = 0; i < sizeof(composites) / sizeof(composites[0]); i++)
		CU_ASSERT_FALSE(sl_maglev_is_prime(composites[i]));
	unsigned below = 0;
	for (uint32_t i = 0; i < 100000; i++)
		below += sl_maglev_is_prime(i);
	CU_ASSERT_EQUAL(below, 9592); /* pi(10^5) */

	CU_ASSERT_EQUAL(sl_maglev_next_prime(0), 2);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(2), 2);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(14), 17);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(1000), 1009);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(65536), 65537);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(65537), 65537);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(65538), 65539);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(655360), 655373);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(4294967200u), 4294967231u);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(4294967291u), 4294967291u);
	CU_ASSERT_EQUAL(sl_maglev_next_prime(4294967292u), 0);

	CU_ASSERT_EQUAL(sl_maglev_size_for(0), 65537);
	CU_ASSERT_EQUAL(sl_maglev_size_for(655), 65537);
	CU_ASSERT_EQUAL(sl_maglev_size_for(1000), 100003);
	CU_ASSERT_TRUE(sl_maglev_size_for(70000) > 100u * SL_MAGLEV_MAX_SERVERS);
	CU_ASSERT_TRUE(sl_maglev_is_prime(sl_maglev_size_for(70000)));
	CU_ASSERT_EQUAL(sl_maglev_bytes(65537), 4 + 2 * 65537);
}

/* ---- argument checks ---- */

static void test_einval(void)
{
	reset_servers(4);
	memset(ta, 0x5a, sl_maglev_bytes(1009));
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 65536, srv, 4), -EINVAL);
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 0, srv, 4), -EINVAL);
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 1, srv, 4), -EINVAL);
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 1009, NULL, 4), -EINVAL);
	CU_ASSERT_EQUAL(sl_maglev_build(NULL, 1009, srv, 4), -EINVAL);
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 1009, srv, SL_MAGLEV_MAX_SERVERS + 1), -EINVAL);
	srv[2].key = NULL;
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 1009, srv, 4), -EINVAL);
	srv[2].weight = 0; /* a NULL key is refused even without weight */
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 1009, srv, 4), -EINVAL);
	/* the table is untouched by a refused build */
	CU_ASSERT_EQUAL(ta->size, 0x5a5a5a5au);
	CU_ASSERT_EQUAL(ta->entries[0], 0x5a5a);
	CU_ASSERT_EQUAL(ta->entries[1008], 0x5a5a);

	/* tiny primes work (M = 2: skip is always 1) */
	reset_servers(4);
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 2, srv, 4), 0);
	CU_ASSERT_EQUAL(ta->size, 2);
	CU_ASSERT_NOT_EQUAL(ta->entries[0], ta->entries[1]);
	CU_ASSERT_EQUAL(sl_maglev_build(ta, 3, srv, 1), 0);
	CU_ASSERT_TRUE(ta->entries[0] == 0 && ta->entries[1] == 0 && ta->entries[2] == 0);
}

/* ---- no server, no weight ---- */

static void test_empty(void)
{
	reset_servers(10);
	CU_ASSERT_EQUAL(sl_maglev_build(ta, M0, NULL, 0), 0);
	CU_ASSERT_EQUAL(sl_maglev_count(ta, 0, counts), M0);
	CU_ASSERT_EQUAL(sl_maglev_lookup(ta, 0), SL_MAGLEV_NONE);
	CU_ASSERT_EQUAL(sl_maglev_lookup(ta, 0xffffffffu), SL_MAGLEV_NONE);
	for (unsigned i = 0; i < 10; i++)
		srv[i].weight = 0;
	CU_ASSERT_EQUAL(sl_maglev_build(ta, M0, srv, 10), 0);
	CU_ASSERT_EQUAL(ta->size, M0);
	CU_ASSERT_EQUAL(sl_maglev_count(ta, 10, counts), M0);
	for (uint32_t h = 0; h < 1000; h++)
		CU_ASSERT_EQUAL(sl_maglev_lookup(ta, h * 4294967u), SL_MAGLEV_NONE);
	/* one server with weight takes everything */
	srv[7].weight = 3;
	CU_ASSERT_EQUAL(sl_maglev_build(ta, M0, srv, 10), 0);
	CU_ASSERT_EQUAL(sl_maglev_count(ta, 10, counts), 0);
	CU_ASSERT_EQUAL(counts[7], M0);
}

/* ---- shares ---- */

static void test_equal_shares(void)
{
	static const unsigned ns[] = {2, 3, 7, 10, 100};
	for (unsigned q = 0; q < sizeof(ns) / sizeof(ns[0]); q++) {
		unsigned n = ns[q];
		reset_servers(n);
		CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, srv, n), 0);
		CU_ASSERT_EQUAL(sl_maglev_count(ta, n, counts), 0);
		uint32_t lo = UINT32_MAX, hi = 0;
		double worst = 0;
		for (unsigned i = 0; i < n; i++) {
			double rel = ((double)counts[i] / M0 - 1.0 / n) * n;
			if (rel < 0)
				rel = -rel;
			if (rel > worst)
				worst = rel;
			lo = counts[i] < lo ? counts[i] : lo;
			hi = counts[i] > hi ? counts[i] : hi;
		}
		/* the paper's loop gives equal servers floor or ceil of M / N entries */
		CU_ASSERT_TRUE(hi - lo <= 1);
		CU_ASSERT_TRUE(worst <= 0.01); /* relative: |share - 1/N| <= 1% of 1/N */
		printf("\n    N=%-3u entries %u..%u, worst relative error %.4f%%", n, lo, hi,
		       100 * worst);
	}
}

static void check_weighted(const uint32_t *w, unsigned n, uint32_t size)
{
	uint64_t sum = 0;
	reset_servers(n);
	for (unsigned i = 0; i < n; i++) {
		srv[i].weight = w[i];
		sum += w[i];
	}
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, size, srv, n), 0);
	CU_ASSERT_EQUAL(sl_maglev_count(ta, n, counts), 0);
	double worst = 0, worst_entries = 0;
	for (unsigned i = 0; i < n; i++) {
		double want = (double)size * w[i] / (double)sum;
		double d = counts[i] > want ? counts[i] - want : want - counts[i];
		if (d > worst_entries)
			worst_entries = d;
		if (d / size > worst)
			worst = d / size;
		CU_ASSERT_TRUE(d / size <= 0.01); /* within one percentage point of w / sum(w) */
		CU_ASSERT_TRUE(d <= 2.0);	  /* in fact within an entry or two */
	}
	printf("\n    weights");
	for (unsigned i = 0; i < n && i < 6; i++)
		printf(" %u", w[i]);
	printf("%s: worst |share - w/sum| = %.5f points (%.1f entries)", n > 6 ? " ..." : "",
	       100 * worst, worst_entries);
}

static void test_weighted_shares(void)
{
	static const uint32_t w1[] = {1, 2, 3, 4};
	static const uint32_t w2[] = {1, 1, 1, 5};
	static const uint32_t w3[] = {256, 1};
	static const uint32_t w4[] = {0, 7, 0, 3, 100, 1, 0, 50};
	static const uint32_t w5[] = {4000000000u, 1000000000u, 3};
	check_weighted(w1, 4, M0);
	check_weighted(w2, 4, M0);
	check_weighted(w3, 2, M0);
	check_weighted(w4, 8, M0);
	check_weighted(w5, 3, M0);
	uint32_t w6[MAXN];
	for (unsigned i = 0; i < MAXN; i++)
		w6[i] = 1 + i % 10;
	check_weighted(w6, MAXN, SL_MAGLEV_SIZE_LARGE);
}

/* Multiplying every weight by a constant changes nothing. */
static void test_weight_scale(void)
{
	static const uint32_t w[] = {1, 2, 3, 4, 0, 6};
	reset_servers(6);
	for (unsigned i = 0; i < 6; i++)
		srv[i].weight = w[i];
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, srv, 6), 0);
	for (unsigned i = 0; i < 6; i++)
		srv[i].weight = w[i] * 37;
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(tb, M0, srv, 6), 0);
	CU_ASSERT_EQUAL(memcmp(ta, tb, sl_maglev_bytes(M0)), 0);
}

/* ---- disruption ---- */

/*
 * Builds @out from servers 0..n-1 without @gone (by removing it from the array, so indexes shift)
 * and rewrites its entries as indexes of the full array, to compare with a table of all n.
 */
static void build_without(struct sl_maglev *out, unsigned n, unsigned gone)
{
	struct sl_maglev_server sub[MAXN];
	unsigned map[MAXN], k = 0;
	for (unsigned i = 0; i < n; i++)
		if (i != gone) {
			sub[k] = srv[i];
			map[k++] = i;
		}
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(out, M0, sub, k), 0);
	for (uint32_t s = 0; s < out->size; s++)
		out->entries[s] = (uint16_t)map[out->entries[s]];
}

static void test_disruption(void)
{
	static const unsigned ns[] = {3, 10, 50};
	static const double limit[] = {0.01, 0.02, 0.02};
	for (unsigned q = 0; q < sizeof(ns) / sizeof(ns[0]); q++) {
		unsigned n = ns[q];
		double worst = 0, worst_back = 0, sum = 0;
		reset_servers(n);
		CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, srv, n), 0);
		for (unsigned gone = 0; gone < n; gone++) {
			build_without(tb, n, gone);
			uint32_t others = 0, moved = 0, changed = 0;
			for (uint32_t s = 0; s < M0; s++) {
				if (ta->entries[s] != tb->entries[s])
					changed++;
				if (ta->entries[s] == gone) {
					/* the removed server's entries all move */
					CU_ASSERT_NOT_EQUAL(tb->entries[s], gone);
					continue;
				}
				others++;
				moved += ta->entries[s] != tb->entries[s];
			}
			CU_ASSERT_EQUAL(sl_maglev_count(tb, n, counts), 0);
			CU_ASSERT_EQUAL(counts[gone], 0);
			double f = (double)moved / others;
			sum += f;
			worst = f > worst ? f : worst;
			CU_ASSERT_TRUE(f < limit[q]);
			/* adding it back (the table of all n): its share moves, and a bit more */
			double back = (double)changed / M0;
			worst_back = back > worst_back ? back : worst_back;
			CU_ASSERT_TRUE(back >= 1.0 / n - 1.0 / M0 - 1e-9);
			CU_ASSERT_TRUE(back < 1.0 / n + limit[q]);
		}
		printf("\n    N=%-2u remove one: other entries moved avg %.3f%% worst %.3f%% "
		       "(limit %.0f%%); add back: changed worst %.3f%% (1/N = %.3f%%)",
		       n, 100 * sum / n, 100 * worst, 100 * limit[q], 100 * worst_back, 100.0 / n);
	}
}

/* Weight 1 -> 0 is exactly a removal. */
static void test_weight_zero_is_removal(void)
{
	static const uint32_t w[] = {1, 2, 3, 4, 5, 1, 1, 2};
	reset_servers(8);
	for (unsigned i = 0; i < 8; i++)
		srv[i].weight = w[i];
	for (unsigned gone = 0; gone < 8; gone++) {
		uint32_t keep = srv[gone].weight;
		build_without(tb, 8, gone);
		srv[gone].weight = 0;
		CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, srv, 8), 0);
		srv[gone].weight = keep;
		CU_ASSERT_EQUAL(memcmp(ta, tb, sl_maglev_bytes(M0)), 0);
	}
}

/* ---- determinism and input order ---- */

static void test_determinism(void)
{
	reset_servers(10);
	for (unsigned i = 0; i < 10; i++)
		srv[i].weight = 1 + i % 3;
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, srv, 10), 0);
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(tb, M0, srv, 10), 0);
	CU_ASSERT_EQUAL(memcmp(ta, tb, sl_maglev_bytes(M0)), 0);
	/* the same table in every process and build: a regression anchor for the hashes and the
	 * population loop (a change here changes which server every existing flow goes to) */
	uint32_t c1 = checksum(ta);
	CU_ASSERT_EQUAL(c1, 0x807d7fd2u);

	static const char *const names[] = {"10.0.0.1:1935", "10.0.0.2:1935", "10.0.0.3:1935"};
	struct sl_maglev_server s3[3] = {{names[0], 1}, {names[1], 1}, {names[2], 1}};
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, s3, 3), 0);
	uint32_t c2 = checksum(ta);
	CU_ASSERT_EQUAL(c2, 0x9b1376aeu);
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, SL_MAGLEV_SIZE_LARGE, srv, 10), 0);
	uint32_t c3 = checksum(ta);
	CU_ASSERT_EQUAL(c3, 0x5d80a49eu);
}

/* The input order does not matter: the same key gets the same entries wherever it sits. */
static void test_order_independent(void)
{
	unsigned n = 50;
	struct sl_maglev_server shuf[MAXN];
	unsigned pos[MAXN]; /* shuf[k] = srv[pos[k]] */
	reset_servers(n);
	for (unsigned i = 0; i < n; i++)
		srv[i].weight = 1 + (i * 7) % 4; /* ties between equal weights are frequent */
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, srv, n), 0);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned k = 0; k < n; k++) {
			/* reversed, rotated by 17, and a multiplicative shuffle */
			pos[k] = round == 0 ? n - 1 - k : round == 1 ? (k + 17) % n : (k * 31) % n;
			shuf[k] = srv[pos[k]];
		}
		CU_ASSERT_EQUAL_FATAL(sl_maglev_build(tb, M0, shuf, n), 0);
		uint32_t diff = 0;
		for (uint32_t s = 0; s < M0; s++)
			diff += pos[tb->entries[s]] != ta->entries[s];
		CU_ASSERT_EQUAL(diff, 0);
	}
}

/* ---- lookup ---- */

static void test_lookup(void)
{
	reset_servers(10);
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, srv, 10), 0);
	/* multiply-shift reduction: hash 0 -> slot 0, hash 2^32 - 1 -> slot M - 1 */
	CU_ASSERT_EQUAL(sl_maglev_lookup(ta, 0), ta->entries[0]);
	CU_ASSERT_EQUAL(sl_maglev_lookup(ta, 0xffffffffu), ta->entries[M0 - 1]);
	for (uint32_t s = 0; s < M0; s += 997) {
		uint32_t h =
			(uint32_t)((((uint64_t)s << 32) + M0 - 1) / M0); /* first hash of slot s */
		CU_ASSERT_EQUAL(sl_maglev_lookup(ta, h), ta->entries[s]);
		if (s > 0)
			CU_ASSERT_EQUAL(sl_maglev_lookup(ta, h - 1), ta->entries[s - 1]);
	}
	/* flows spread over the servers by their shares */
	memset(counts, 0, sizeof(counts));
	unsigned flows = 1000000;
	for (unsigned i = 0; i < flows; i++)
		counts[sl_maglev_lookup(ta, sl_flow_hash5(0xc0a80000u + i / 5000, 0x0a4d0001u,
							  (uint16_t)(1024 + i % 5000), 1935, 6))]++;
	for (unsigned i = 0; i < 10; i++)
		CU_ASSERT_TRUE((double)counts[i] / flows > 0.09 &&
			       (double)counts[i] / flows < 0.11);
}

/* ---- edges: many servers, more servers than slots ---- */

static void test_many_servers(void)
{
	static struct sl_maglev_server many[SL_MAGLEV_MAX_SERVERS];
	static char names[SL_MAGLEV_MAX_SERVERS][12];
	for (unsigned i = 0; i < SL_MAGLEV_MAX_SERVERS; i++) {
		snprintf(names[i], sizeof(names[i]), "s%u", i);
		many[i].key = names[i];
		many[i].weight = 1;
	}
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, many, SL_MAGLEV_MAX_SERVERS), 0);
	CU_ASSERT_EQUAL(sl_maglev_count(ta, SL_MAGLEV_MAX_SERVERS, counts), 0);
	unsigned two = 0;
	for (unsigned i = 0; i < SL_MAGLEV_MAX_SERVERS; i++) {
		CU_ASSERT_TRUE(counts[i] == 1 || counts[i] == 2);
		two += counts[i] == 2;
	}
	CU_ASSERT_EQUAL(two, M0 - SL_MAGLEV_MAX_SERVERS);
	/* more servers than slots: M of them get one entry each, the others none */
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, 101, many, 300), 0);
	CU_ASSERT_EQUAL(sl_maglev_count(ta, 300, counts), 0);
	unsigned one = 0;
	for (unsigned i = 0; i < 300; i++) {
		CU_ASSERT_TRUE(counts[i] <= 1);
		one += counts[i];
	}
	CU_ASSERT_EQUAL(one, 101);
	/* duplicate keys are accepted: they share one permutation and split its slots */
	struct sl_maglev_server dup[3] = {{"a", 1}, {"a", 1}, {"b", 2}};
	CU_ASSERT_EQUAL_FATAL(sl_maglev_build(ta, M0, dup, 3), 0);
	CU_ASSERT_TRUE(share(ta, 3, 0) > 0.24 && share(ta, 3, 0) < 0.26);
	CU_ASSERT_TRUE(share(ta, 3, 1) > 0.24 && share(ta, 3, 1) < 0.26);
}

/* ---- flow hashes ---- */

static void test_hash_values(void)
{
	/* fixed values: the same in every process, run and machine */
	CU_ASSERT_EQUAL(sl_flow_hash5(0, 0, 0, 0, 0), 0x86fa59fau);
	CU_ASSERT_EQUAL(sl_flow_hash5(0xc0a8010au, 0x0a4d0001u, 51234, 1935, 6), 0x6dc6b285u);
	CU_ASSERT_EQUAL(sl_flow_hash5(0xc0a8010au, 0x0a4d0001u, 51235, 1935, 6), 0xc3385eefu);
	CU_ASSERT_EQUAL(sl_flow_hash5(0xc0a8010au, 0x0a4d0001u, 51234, 1935, 17), 0x14abe28fu);
	CU_ASSERT_EQUAL(sl_flow_hash_src(0), 0x3564b439u);
	CU_ASSERT_EQUAL(sl_flow_hash_src(0xc0a8010au), 0x44305006u);
	CU_ASSERT_EQUAL(sl_flow_hash_src(0xc0a8010bu), 0x74a666cbu);
}

/* 1M sequential inputs into 64 buckets, by the low and by the high bits: each within 5% of the
 * mean (the mean is 15625; one binomial standard deviation is about 124). */
enum pattern { SPORT_SEQ, SADDR_SEQ, DPORT_SADDR, SRC_ONLY };

static uint32_t pattern_hash(enum pattern p, uint32_t i)
{
	switch (p) {
	case SPORT_SEQ: /* many clients behind one address range, ephemeral ports in sequence */
		return sl_flow_hash5(0xc0a80000u + (i >> 16), 0x0a4d0001u, (uint16_t)i, 1935, 6);
	case SADDR_SEQ: /* one flow per client, clients in sequence */
		return sl_flow_hash5(0x0a000000u + i, 0x0a4d0001u, 40000, 443, 6);
	case DPORT_SADDR: /* destination port and protocol vary too */
		return sl_flow_hash5(0xac100000u + (i >> 4), 0x0a4d0001u + (i & 3),
				     (uint16_t)(32768 + (i >> 12)), (uint16_t)(80 + (i & 15)),
				     (i & 8) ? 17 : 6);
	case SRC_ONLY:
		return sl_flow_hash_src(0x0a000000u + i);
	}
	return 0;
}

static void test_hash_spread(void)
{
	static const char *const names[] = {"sport++", "saddr++", "mixed", "src"};
	for (int p = SPORT_SEQ; p <= SRC_ONLY; p++) {
		uint32_t lo[64] = {0}, hi[64] = {0};
		for (uint32_t i = 0; i < 1000000; i++) {
			uint32_t h = pattern_hash((enum pattern)p, i);
			lo[h & 63]++;
			hi[h >> 26]++;
		}
		double worst = 0;
		for (unsigned b = 0; b < 64; b++) {
			double dl = lo[b] / 15625.0 - 1, dh = hi[b] / 15625.0 - 1;
			dl = dl < 0 ? -dl : dl;
			dh = dh < 0 ? -dh : dh;
			worst = dl > worst ? dl : worst;
			worst = dh > worst ? dh : worst;
			CU_ASSERT_TRUE(dl <= 0.05);
			CU_ASSERT_TRUE(dh <= 0.05);
		}
		printf("\n    %-8s worst bucket %.2f%% from the mean", names[p], 100 * worst);
	}
}

/* Strict avalanche: flipping any input bit flips each output bit with probability ~1/2. */
static void test_hash_avalanche(void)
{
	enum { SAMPLES = 4000 };
	static uint32_t flips[104][32];
	uint64_t x = 0x123456789abcdefull;
	memset(flips, 0, sizeof(flips));
	for (unsigned s = 0; s < SAMPLES; s++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t sa = (uint32_t)(x >> 32);
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t da = (uint32_t)(x >> 32);
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint16_t sp = (uint16_t)(x >> 48), dp = (uint16_t)(x >> 32);
		uint8_t pr = (uint8_t)(x >> 24);
		uint32_t h = sl_flow_hash5(sa, da, sp, dp, pr);
		for (unsigned b = 0; b < 104; b++) {
			uint32_t sa2 = sa, da2 = da;
			uint16_t sp2 = sp, dp2 = dp;
			uint8_t pr2 = pr;
			if (b < 32)
				sa2 ^= 1u << b;
			else if (b < 64)
				da2 ^= 1u << (b - 32);
			else if (b < 80)
				sp2 ^= (uint16_t)(1u << (b - 64));
			else if (b < 96)
				dp2 ^= (uint16_t)(1u << (b - 80));
			else
				pr2 ^= (uint8_t)(1u << (b - 96));
			uint32_t d = h ^ sl_flow_hash5(sa2, da2, sp2, dp2, pr2);
			for (unsigned o = 0; o < 32; o++)
				flips[b][o] += (d >> o) & 1;
		}
	}
	double worst = 0;
	for (unsigned b = 0; b < 104; b++)
		for (unsigned o = 0; o < 32; o++) {
			double p = (double)flips[b][o] / SAMPLES - 0.5;
			p = p < 0 ? -p : p;
			worst = p > worst ? p : worst;
		}
	/* one standard deviation is 0.008 at 4000 samples */
	CU_ASSERT_TRUE(worst < 0.05);
	printf("\n    hash5: worst flip probability 0.5 +- %.4f", worst);
	worst = 0;
	for (unsigned b = 0; b < 32; b++) {
		uint32_t f[32] = {0};
		for (uint32_t s = 0; s < SAMPLES; s++) {
			uint32_t a = s * 2654435761u;
			uint32_t d = sl_flow_hash_src(a) ^ sl_flow_hash_src(a ^ (1u << b));
			for (unsigned o = 0; o < 32; o++)
				f[o] += (d >> o) & 1;
		}
		for (unsigned o = 0; o < 32; o++) {
			double p = (double)f[o] / SAMPLES - 0.5;
			p = p < 0 ? -p : p;
			worst = p > worst ? p : worst;
		}
	}
	CU_ASSERT_TRUE(worst < 0.05);
	printf("; src: 0.5 +- %.4f", worst);
}

static const struct sl_test_case maglev_cases[] = {
	{"primes and sizes", test_primes},
	{"invalid arguments leave the table untouched", test_einval},
	{"no server or no weight: every entry NONE", test_empty},
	{"equal weights: shares of 1/N", test_equal_shares},
	{"weights: shares of w/sum(w)", test_weighted_shares},
	{"scaling all weights changes nothing", test_weight_scale},
	{"disruption on removal and addition", test_disruption},
	{"weight 0 is a removal", test_weight_zero_is_removal},
	{"determinism: fixed checksums", test_determinism},
	{"input order does not matter", test_order_independent},
	{"lookup: multiply-shift reduction", test_lookup},
	{"many servers, more servers than slots, duplicate keys", test_many_servers},
	{NULL, NULL},
};

static const struct sl_test_case hash_cases[] = {
	{"fixed values", test_hash_values},
	{"spread of sequential inputs over 64 buckets", test_hash_spread},
	{"avalanche", test_hash_avalanche},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"maglev", maglev_cases},
	{"flow hash", hash_cases},
	{NULL, NULL},
};

int main(void)
{
	ta = malloc(sl_maglev_bytes(SL_MAGLEV_SIZE_LARGE));
	tb = malloc(sl_maglev_bytes(SL_MAGLEV_SIZE_LARGE));
	if (ta == NULL || tb == NULL)
		return 2;
	for (unsigned i = 0; i < MAXN; i++)
		snprintf(keys[i], sizeof(keys[i]), "rtmp/edge%03u", i);
	int rc = sl_test_run(suites);
	free(ta);
	free(tb);
	return rc;
}
