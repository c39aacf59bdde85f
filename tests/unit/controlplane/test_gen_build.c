/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the generation as a reload builds it (controlplane/gen_build.c sl_gen_build with
 * counter slots from controlplane/cfg/cfg_reload.c): a server keeps its counter slot (its flows'
 * counters, checks, local-port cursor) and most of its Maglev entries when others come and go;
 * server states given by slot take servers out of rotation; the generation records the
 * configuration it was built from. No EAL: building a generation needs none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_reload.h"
#include "proto/outbuf.h"
#include "controlplane/gen_build.h"
#include "dataplane/balance/maglev.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/gen.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

#define FE "frontend rtmp_in\n  mode tcp\n  bind :1935\n  default_backend rtmp\n"
#define BE "backend rtmp\n  mode tcp\n  balance source\n"

static struct sl_cfg *parse_slots(const char *text, const struct sl_cfg *old, struct sl_slots *st)
{
	struct sl_cfg *c = NULL;
	struct tdiags d;
	int r = tparse(text, &c, &d);
	if (r != 0)
		tdiag_print(&d, "parse");
	CU_ASSERT_EQUAL_FATAL(r, 0);
	struct sl_outbuf why;
	sl_outbuf_init(&why, 0);
	CU_ASSERT_EQUAL_FATAL(sl_cfg_assign_slots(old, c, st, &why), 0);
	sl_outbuf_free(&why);
	return c;
}

static const struct sl_bal_server *server(const struct sl_bal_backend *b, const char *name)
{
	for (unsigned i = 0; i < b->nservers; i++)
		if (strcmp(b->servers[i].name, name) == 0)
			return &b->servers[i];
	return NULL;
}

/* The name of the server Maglev gives @h in @b (NULL: none). */
static const char *owner(const struct sl_bal_backend *b, uint32_t h)
{
	uint16_t k = sl_maglev_lookup(b->maglev, h);
	return k == SL_MAGLEV_NONE ? NULL : b->servers[k].name;
}

static void test_reload_generation(void)
{
	struct sl_slots st = {0};
	struct sl_dp dp;
	memset(&dp, 0, sizeof(dp));
	static struct sl_tmo_table tmo;
	dp.tmo = &tmo;
	struct sl_cfg *a = parse_slots(FE BE "  server a 10.0.0.1:1935\n"
					      "  server b 10.0.0.2:1935\n"
					      "  server c 10.0.0.3:1935\n"
					      "  server e 10.0.0.5:1935\n",
				       NULL, &st);
	struct sl_gen *g1 = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_gen_build(a, &dp, NULL, NULL, &g1), 0);
	CU_ASSERT_PTR_EQUAL(g1->cfg, a);
	CU_ASSERT_EQUAL(g1->cfg_gen, 0);
	const struct sl_bal_backend *b1 = &g1->backends[0];
	CU_ASSERT_EQUAL(b1->nrot, 4);

	/* the reload: a removed, d added before b (equal weights: c's share stays a quarter) */
	struct sl_cfg *bcfg = parse_slots(FE BE "  server d 10.0.0.4:1935\n"
						"  server b 10.0.0.2:1935\n"
						"  server c 10.0.0.3:1935\n"
						"  server e 10.0.0.5:1935\n",
					  a, &st);
	dp.cfg_gen = 1;
	struct sl_gen *g2 = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_gen_build(bcfg, &dp, NULL, NULL, &g2), 0);
	CU_ASSERT_PTR_EQUAL(g2->cfg, bcfg);
	CU_ASSERT_EQUAL(g2->cfg_gen, 1);
	const struct sl_bal_backend *b2 = &g2->backends[0];
	/* counter slots: kept by name, the new server gets one nobody had */
	CU_ASSERT_EQUAL(server(b2, "b")->gidx, server(b1, "b")->gidx);
	CU_ASSERT_EQUAL(server(b2, "c")->gidx, server(b1, "c")->gidx);
	CU_ASSERT_EQUAL(server(b2, "e")->gidx, server(b1, "e")->gidx);
	for (unsigned i = 0; i < b1->nservers; i++)
		CU_ASSERT_NOT_EQUAL(server(b2, "d")->gidx, b1->servers[i].gidx);
	/* Maglev keyed by name: nothing maps to the removed a, and most of what c owned stays
	 * c's (a replaced by d: Maglev's d takes its share from every server while a's entries
	 * are shared out, so c keeps about four fifths; a plain removal, below, keeps nearly
	 * all) */
	unsigned owned = 0, kept = 0, to_a = 0;
	for (uint32_t i = 0; i < 200000; i++) {
		uint32_t h = i * 2654435761u;
		const char *o1 = owner(b1, h), *o2 = owner(b2, h);
		if (o2 != NULL && strcmp(o2, "a") == 0)
			to_a++;
		if (o1 == NULL || strcmp(o1, "c") != 0)
			continue;
		owned++;
		kept += o2 != NULL && strcmp(o2, "c") == 0;
	}
	CU_ASSERT_EQUAL(to_a, 0);
	CU_ASSERT(owned > 30000);
	CU_ASSERT(kept * 100 >= owned * 70);
	if (kept * 100 < owned * 70)
		fprintf(stderr, "c kept %u of %u entries\n", kept, owned);
	/* a removed only: c keeps what it had (it gains a's share on top) */
	struct sl_cfg *rcfg = parse_slots(FE BE "  server b 10.0.0.2:1935\n"
						"  server c 10.0.0.3:1935\n"
						"  server e 10.0.0.5:1935\n",
					  a, &st);
	struct sl_gen *gr = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_gen_build(rcfg, &dp, NULL, NULL, &gr), 0);
	unsigned keep_r = 0;
	for (uint32_t i = 0; i < 200000; i++) {
		uint32_t h = i * 2654435761u;
		const char *o1 = owner(b1, h), *o2 = owner(&gr->backends[0], h);
		keep_r += o1 != NULL && strcmp(o1, "c") == 0 && o2 != NULL && strcmp(o2, "c") == 0;
	}
	CU_ASSERT(keep_r * 100 >= owned * 97);
	if (keep_r * 100 < owned * 97)
		fprintf(stderr, "a removed: c kept %u of %u entries\n", keep_r, owned);
	sl_gen_free(gr);
	sl_cfg_free(rcfg);
	/* a weight changed by the file: the new generation has it, the slot stays */
	struct sl_cfg *ccfg = parse_slots(FE BE "  server d 10.0.0.4:1935\n"
						"  server b 10.0.0.2:1935\n"
						"  server c 10.0.0.3:1935\n"
						"  server e 10.0.0.5:1935 weight 2\n",
					  bcfg, &st);
	struct sl_gen *gw = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_gen_build(ccfg, &dp, NULL, NULL, &gw), 0);
	CU_ASSERT_EQUAL(server(&gw->backends[0], "e")->weight, 2);
	CU_ASSERT_EQUAL(server(&gw->backends[0], "e")->gidx, server(b1, "e")->gidx);
	sl_gen_free(gw);
	sl_cfg_free(ccfg);

	/* server states by slot: c DOWN (out), b draining (persistence only), d in */
	uint8_t state[SL_MAX_SERVERS];
	memset(state, SL_SRV_RT_IN, sizeof(state));
	state[server(b2, "c")->gidx] = SL_SRV_RT_OUT;
	state[server(b2, "b")->gidx] = SL_SRV_RT_PERSIST;
	struct sl_gen *g3 = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_gen_build(bcfg, &dp, state, NULL, &g3), 0);
	const struct sl_bal_backend *b3 = &g3->backends[0];
	CU_ASSERT_EQUAL(b3->nrot, 2); /* d and e */
	CU_ASSERT_FALSE(server(b3, "c")->usable);
	CU_ASSERT_TRUE(server(b3, "b")->usable);
	CU_ASSERT_TRUE(server(b3, "b")->drain);
	for (uint32_t i = 0; i < 20000; i++) {
		const char *o = owner(b3, i * 2654435761u);
		CU_ASSERT(o != NULL && (strcmp(o, "d") == 0 || strcmp(o, "e") == 0));
	}
	sl_gen_free(g1);
	sl_gen_free(g2);
	sl_gen_free(g3);
	sl_cfg_free(a);
	sl_cfg_free(bcfg);
}

int main(void)
{
	static const struct sl_test_case cases[] = {
		{"a reload's generation: slots, Maglev, states", test_reload_generation},
		{NULL, NULL},
	};
	static const struct sl_test_suite suites[] = {{"l4 generation", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}
