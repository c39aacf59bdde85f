/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the port plan (controlplane/cfg/portplan.c): for every lcore count the ranges are
 * disjoint, inside 1..65535, clear of every bind, split into slices that the owner functions
 * invert; a bind inside a range moves that range and nothing else; the seed configuration keeps
 * today's constants; and a plan with no room is refused at the bind's FILE:LINE, directly and
 * through the configuration checks that `sluiced -c` runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/portplan.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

static const char *const SEED[] = {"seed/seed-common.cfg", "seed/seed-https.cfg",
				   "seed/dataplane.cfg"};

/* ---------------------------------------------------------------- helpers */

/* A failed invariant: printed once with its plan, so a loop over counts stays readable. */
static bool bad(const char *what, enum sl_port_use u, unsigned nw, unsigned np, unsigned port)
{
	fprintf(stderr, "\n  -- %u workers, %u proxies: %s (%s, port %u)", nw, np, what,
		sl_port_plan_use_name(u), port);
	return false;
}

/*
 * Every invariant of a plan made for @nw workers and @np proxy lcores, with @cfg's binds and
 * services (NULL: none). Returns whether all hold (printing the first that does not).
 */
static bool plan_ok(const struct sl_port_plan *p, unsigned nw, unsigned np,
		    const struct sl_cfg *cfg)
{
	static const unsigned min[SL_PORT_NUSES] = {SL_PORT_PLAN_MIN_L4, SL_PORT_PLAN_MIN_HTTP,
						    SL_PORT_PLAN_MIN_PROBE, SL_PORT_PLAN_MIN_CHECK};
	static const unsigned max[SL_PORT_NUSES] = {65535, 65535, SL_PORT_PLAN_PROBE_SLOTS,
						    SL_PORT_PLAN_CHECK_SLOTS};
	const unsigned nl[SL_PORT_NUSES] = {nw, np, 1, np};
	for (unsigned u = 0; u < SL_PORT_NUSES; u++) {
		const struct sl_port_range *r = &p->r[u];
		enum sl_port_use e = (enum sl_port_use)u;
		if (r->lo < 1 || r->lo > r->hi)
			return bad("empty or at port 0", e, nw, np, r->lo);
		if (r->nlcores != nl[u])
			return bad("wrong number of slices", e, nw, np, r->nlcores);
		if (r->span < min[u] || r->span > max[u])
			return bad("span below the minimum or above its table", e, nw, np, r->span);
		if ((unsigned)r->lo + (unsigned)r->span * r->nlcores - 1 != r->hi)
			return bad("hi is not lo + span * nlcores - 1", e, nw, np, r->hi);
		if (r->lo < SL_PORT_PLAN_FLOOR)
			return bad("below the floor", e, nw, np, r->lo);
		for (unsigned i = 0; i < r->nlcores; i++) {
			uint16_t lo, hi;
			sl_port_plan_slice(p, e, i, &lo, &hi);
			if (lo < r->lo || hi > r->hi || hi - lo + 1 != r->span ||
			    (i > 0 && lo != r->lo + i * r->span))
				return bad("slice outside its range or overlapping", e, nw, np, lo);
			for (unsigned q = lo; q <= hi; q++)
				if (sl_port_plan_owner(p, e, (uint16_t)q) != (int)i)
					return bad("owner is not the slice's lcore", e, nw, np, q);
		}
		if (r->lo > 1 && sl_port_plan_owner(p, e, (uint16_t)(r->lo - 1)) != -1)
			return bad("a port below the range has an owner", e, nw, np, r->lo - 1);
		if (r->hi < 65535 && sl_port_plan_owner(p, e, (uint16_t)(r->hi + 1)) != -1)
			return bad("a port above the range has an owner", e, nw, np, r->hi + 1);
	}
	/* disjoint: each port has at most one use, and sl_port_plan_use() agrees with the ranges */
	for (unsigned q = 1; q <= 65535; q++) {
		unsigned in = 0, which = SL_PORT_NONE;
		for (unsigned u = 0; u < SL_PORT_NUSES; u++)
			if (q >= p->r[u].lo && q <= p->r[u].hi) {
				in++;
				which = u;
			}
		if (in > 1)
			return bad("ranges overlap", (enum sl_port_use)which, nw, np, q);
		if (sl_port_plan_use(p, (uint16_t)q) != (enum sl_port_use)which)
			return bad("sl_port_plan_use() disagrees", (enum sl_port_use)which, nw, np,
				   q);
	}
	if (sl_port_plan_use(p, 0) != SL_PORT_NONE)
		return bad("port 0 has a use", SL_PORT_NONE, nw, np, 0);
	if (cfg == NULL)
		return true;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
			for (unsigned q = b->port_lo; q <= b->port_hi; q++)
				if (sl_port_plan_use(p, (uint16_t)q) != SL_PORT_NONE)
					return bad("a bind inside a range", sl_port_plan_use(p, q),
						   nw, np, q);
	for (const struct sl_dp_service *sv = cfg->dp.services; sv != NULL; sv = sv->next)
		if (sl_port_plan_use(p, sv->port) != SL_PORT_NONE)
			return bad("a service inside a range", sl_port_plan_use(p, sv->port), nw,
				   np, sv->port);
	return true;
}

static bool range_is(const struct sl_port_range *r, unsigned lo, unsigned hi, unsigned span)
{
	if (r->lo == lo && r->hi == hi && r->span == span)
		return true;
	fprintf(stderr, "\n  -- range %u-%u span %u, expected %u-%u span %u", r->lo, r->hi, r->span,
		lo, hi, span);
	return false;
}

/* Parses @text (named "t.cfg"), asserting success; NULL on failure. */
static struct sl_cfg *parse(const char *text, struct tdiags *d)
{
	struct sl_cfg *cfg = NULL;
	int rc = tparse(text, &cfg, d);
	if (rc != 0 || d->nerr != 0)
		tdiag_print(d, "expected a successful parse");
	CU_ASSERT_EQUAL(rc, 0);
	return cfg;
}

/* A dataplane section with two addresses (5 lines), then @cores when not NULL (1 line). */
static char *with_dp(const char *proxies, const char *cores)
{
	size_t n = strlen(proxies) + 256;
	char *t = malloc(n);
	if (t == NULL)
		return NULL;
	snprintf(t, n,
		 "dataplane\n"
		 "  port p0 iface eth0\n"
		 "  address 10.0.0.1/24 port p0\n"
		 "  address 10.0.1.1/24 port p0\n"
		 "  address 10.0.2.1/24 port p0\n"
		 "%s%s%s%s",
		 cores != NULL ? "  cores " : "", cores != NULL ? cores : "",
		 cores != NULL ? "\n" : "", proxies);
	return t;
}

/* Parses with_dp(@proxies, @cores), asserting success; NULL on failure. */
static struct sl_cfg *parse_dp(const char *proxies, const char *cores, struct tdiags *d)
{
	char *text = with_dp(proxies, cores);
	struct sl_cfg *cfg = text != NULL ? parse(text, d) : NULL;
	free(text);
	return cfg;
}

/* The plans of @cfg for 1..128 lcores (as many workers as proxy lcores) keep every invariant. */
static bool every_count_ok(const struct sl_cfg *cfg)
{
	for (unsigned n = 1; n <= SL_PORT_PLAN_MAX_LCORES; n++) {
		struct sl_port_plan p;
		char why[512] = "";
		if (sl_port_plan_make(cfg, n, n, &p, why, sizeof(why)) != 0) {
			fprintf(stderr, "\n  -- %u lcores: %s", n, why);
			return false;
		}
		if (!plan_ok(&p, n, n, cfg))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- defaults */

/* No bind: every count keeps today's places, and every invariant holds. Before the plan, the
 * HTTP check ports of proxy lcore 54 on (62100 + 64 * 53 + 63 = 65555) passed 65535. */
static void test_defaults_every_count(void)
{
	for (unsigned n = 1; n <= SL_PORT_PLAN_MAX_LCORES; n++) {
		struct sl_port_plan p;
		char why[256] = "";
		CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(NULL, n, n, &p, why, sizeof(why)), 0);
		CU_ASSERT(plan_ok(&p, n, n, NULL));
		unsigned l4 = 28232 / n, hx = 16384 / n;
		unsigned ck = 64 * n <= 3436 ? 64 : 3436 / n;
		CU_ASSERT(range_is(&p.r[SL_PORT_L4_NAT], 32768, 32768 + l4 * n - 1, l4));
		CU_ASSERT(range_is(&p.r[SL_PORT_HTTP_SERVER], 16384, 16384 + hx * n - 1, hx));
		CU_ASSERT(range_is(&p.r[SL_PORT_PROBE], 61000, 62023, 1024));
		CU_ASSERT(range_is(&p.r[SL_PORT_HTTP_CHECK], 62100, 62100 + ck * n - 1, ck));
		CU_ASSERT(p.r[SL_PORT_HTTP_CHECK].hi <= 65535);
	}
}

/* Workers and proxy lcores counted apart (the plan does not assume they are equal). */
static void test_defaults_uneven_counts(void)
{
	for (unsigned nw = 1; nw <= SL_PORT_PLAN_MAX_LCORES; nw += 7)
		for (unsigned np = 1; np <= SL_PORT_PLAN_MAX_LCORES; np += 11) {
			struct sl_port_plan p;
			CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(NULL, nw, np, &p, NULL, 0), 0);
			CU_ASSERT(plan_ok(&p, nw, np, NULL));
			CU_ASSERT_EQUAL(p.r[SL_PORT_L4_NAT].span, 28232 / nw);
			CU_ASSERT_EQUAL(p.r[SL_PORT_HTTP_SERVER].span, 16384 / np);
		}
}

static void test_bad_counts(void)
{
	struct sl_port_plan p;
	char why[256];
	CU_ASSERT_EQUAL(sl_port_plan_make(NULL, 0, 1, &p, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "1 to 128"));
	CU_ASSERT_EQUAL(sl_port_plan_make(NULL, 1, 0, &p, why, sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(sl_port_plan_make(NULL, 129, 1, &p, why, sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(sl_port_plan_make(NULL, 1, 129, &p, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(p.r[0].span, 0); /* zeroed on failure */
}

/* The seed configuration (cores 0-1: main beside a worker on core 0, a worker on core 1) keeps
 * the ranges at their places, split in two. */
static void test_seed_keeps_today(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	tfs_reset();
	int rc = tparse_fixtures(SEED, 3, &cfg, &d);
	T_PARSED_OK(rc, cfg, &d);
	unsigned nw = 0, np = 0;
	sl_port_plan_lcores(cfg, &nw, &np);
	CU_ASSERT_EQUAL(nw, 2);
	CU_ASSERT_EQUAL(np, 2);
	struct sl_port_plan p;
	CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(cfg, nw, np, &p, NULL, 0), 0);
	CU_ASSERT(plan_ok(&p, nw, np, cfg));
	CU_ASSERT(range_is(&p.r[SL_PORT_L4_NAT], 32768, 60999, 14116));	    /* SL_LPORT_LO/HI */
	CU_ASSERT(range_is(&p.r[SL_PORT_HTTP_SERVER], 16384, 32767, 8192)); /* SL_HX_LPORT_* */
	CU_ASSERT(range_is(&p.r[SL_PORT_PROBE], 61000, 62023, 1024));	    /* SL_PROBE_PORT_LO */
	CU_ASSERT(range_is(&p.r[SL_PORT_HTTP_CHECK], 62100, 62227, 64));    /* SL_HCHK_PORT_LO */
	for (int i = 0; i < d.n && i < 128; i++)
		CU_ASSERT(d.d[i].level != SL_DIAG_NOTICE); /* nothing moved, nothing said */
	sl_cfg_free(cfg);
}

static void test_lcores_from_cores(void)
{
	static const struct {
		const char *cores; /* NULL: no cores line */
		unsigned n, np;    /* workers, proxy lcores */
	} cases[] = {{NULL, 1, 1},
		     {"0", 1, 1},
		     {"0-1", 2, 2}, /* main shares the first core with a worker */
		     {"0-1\n  control own", 1, 1},
		     {"0\n  control shared", 1, 1}, /* alone, main is the worker */
		     {"0-2", 2, 2},
		     {"0-2\n  control shared", 3, 3},
		     {"0-3 on 0-1", 3, 3}, /* placed by the list: main alone on lcore 0 */
		     {"0,2,4-7", 5, 5},
		     {"0-63", 63, 63},
		     {"0-127\n  control shared", 128, 128}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tdiags d;
		struct sl_cfg *cfg = parse_dp("", cases[i].cores, &d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		unsigned nw = 0, np = 0;
		sl_port_plan_lcores(cfg, &nw, &np);
		CU_ASSERT_EQUAL(nw, cases[i].n);
		CU_ASSERT_EQUAL(np, cases[i].np);
		sl_cfg_free(cfg);
	}
	struct tdiags d;
	struct sl_cfg *cfg = parse("frontend f\n  bind :80\n", &d); /* no dataplane: one core */
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	unsigned nw = 0, np = 0;
	sl_port_plan_lcores(cfg, &nw, &np);
	CU_ASSERT(nw == 1 && np == 1);
	sl_cfg_free(cfg);
	sl_port_plan_lcores(NULL, &nw, &np);
	CU_ASSERT(nw == 1 && np == 1);
}

/* ---------------------------------------------------------------- binds inside a range */

/*
 * One bind inside each default range, on different addresses and in both modes (a mode tcp
 * bind in the probe range was taken for probe replies; an HTTP bind, stats page included, in the
 * HTTP range was steered as server replies). Each range moves off its bind, the others stay.
 */
static void test_binds_move_ranges(void)
{
	static const char proxies[] = "frontend web\n"
				      "  mode http\n"
				      "  bind 10.0.0.1:20000\n" /* line 8: HTTP server side */
				      "  default_backend app\n"
				      "frontend rtmp\n"
				      "  mode tcp\n"
				      "  bind 10.0.1.1:40000\n" /* line 12: L4 NAT */
				      "  bind 10.0.2.1:61500\n" /* line 13: probes */
				      "  default_backend media\n"
				      "listen stats\n"
				      "  mode http\n"
				      "  bind *:62100\n" /* line 17: HTTP checks */
				      "  stats enable\n"
				      "backend app\n"
				      "  mode http\n"
				      "  server a 10.0.0.9:80\n"
				      "backend media\n"
				      "  mode tcp\n"
				      "  server m 10.0.0.9:1935\n";
	struct tdiags d;
	struct sl_cfg *cfg = parse_dp(proxies, NULL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_port_plan p;
	CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(cfg, 1, 1, &p, NULL, 0), 0);
	CU_ASSERT(plan_ok(&p, 1, 1, cfg));
	CU_ASSERT(range_is(&p.r[SL_PORT_HTTP_SERVER], 20001, 32767, 12767));
	CU_ASSERT(range_is(&p.r[SL_PORT_L4_NAT], 40001, 60999, 20999));
	CU_ASSERT(range_is(&p.r[SL_PORT_PROBE], 61501, 62023, 523));
	CU_ASSERT(range_is(&p.r[SL_PORT_HTTP_CHECK], 62101, 62164, 64));
	/* the configuration check says so at each bind */
	CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", 8,
			    "HTTP server-side ports move from 16384-32767 to 20001-32767"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", 12, "L4 full-NAT source ports move"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", 13, "'bind' port 61500 falls inside"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", 17, "HTTP health check ports"));
	CU_ASSERT(every_count_ok(cfg));
	sl_cfg_free(cfg);
}

/* A dataplane section with @naddrs addresses on one subnet (10.0.0.1, .2, ...), then @proxies. */
static struct sl_cfg *parse_pool(unsigned naddrs, const char *proxies, struct tdiags *d)
{
	char text[2048];
	size_t n = (size_t)snprintf(text, sizeof(text), "dataplane\n  port p0 iface eth0\n");
	for (unsigned i = 1; i <= naddrs; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  address 10.0.0.%u/24 port p0\n", i);
	snprintf(text + n, sizeof(text) - n, "%s", proxies);
	return parse(text, d);
}

/*
 * Several addresses on the servers' subnet (the L4 local-address pool): the plan is the one of a
 * single address for 1..128 lcores (ports are owned by number, the same slice on every address),
 * each worker owns its slice's ports whatever the address, and a bind on any of the addresses
 * moves the ranges as it would on the first.
 */
static void test_several_addresses(void)
{
	static const char binds[] = "frontend rtmp\n"
				    "  mode tcp\n"
				    "  bind 10.0.0.%u:40000\n"
				    "  default_backend media\n"
				    "backend media\n"
				    "  mode tcp\n"
				    "  server m 10.0.0.9:1935\n";
	struct tdiags d;
	struct sl_cfg *one = parse_pool(1, "", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	for (unsigned na = 2; na <= 8; na *= 2) {
		struct sl_cfg *many = parse_pool(na, "", &d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(many);
		unsigned diff = 0, owners = 0;
		for (unsigned n = 1; n <= SL_PORT_PLAN_MAX_LCORES; n++) {
			struct sl_port_plan p1, pn;
			CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(one, n, n, &p1, NULL, 0), 0);
			CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(many, n, n, &pn, NULL, 0), 0);
			diff += memcmp(&p1, &pn, sizeof(p1)) != 0;
			for (unsigned w = 0; w < n; w++) {
				uint16_t lo, hi;
				sl_port_plan_slice(&pn, SL_PORT_L4_NAT, w, &lo, &hi);
				owners += sl_port_plan_owner(&pn, SL_PORT_L4_NAT, lo) != (int)w ||
					  sl_port_plan_owner(&pn, SL_PORT_L4_NAT, hi) != (int)w ||
					  (unsigned)(hi - lo + 1) != 28232 / n;
			}
		}
		CU_ASSERT_EQUAL(diff, 0);
		CU_ASSERT_EQUAL(owners, 0);
		CU_ASSERT(every_count_ok(many));
		sl_cfg_free(many);
	}
	sl_cfg_free(one);
	/* a bind on the fourth address takes its port out of the range on all of them */
	char text[512];
	for (unsigned a = 1; a <= 4; a += 3) {
		snprintf(text, sizeof(text), binds, a);
		struct sl_cfg *cfg = parse_pool(4, text, &d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		struct sl_port_plan p;
		CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(cfg, 1, 1, &p, NULL, 0), 0);
		CU_ASSERT(range_is(&p.r[SL_PORT_L4_NAT], 40001, 60999, 20999));
		sl_cfg_free(cfg);
	}
}

/* A bind outside the ports a range really uses (past the last check slot, or in what the
 * division leaves over) moves nothing. */
static void test_bind_in_home_but_not_in_range(void)
{
	struct tdiags d;
	struct sl_cfg *cfg = parse_dp("frontend f\n  bind :62300\n  bind :60999\n", "0-3", &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_port_plan p, dflt;
	CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(cfg, 3, 3, &p, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(NULL, 3, 3, &dflt, NULL, 0), 0);
	CU_ASSERT(memcmp(&p, &dflt, sizeof(p)) == 0);
	CU_ASSERT_EQUAL(p.r[SL_PORT_L4_NAT].hi, 60997); /* 28232 = 3 * 9410 + 2 */
	CU_ASSERT(tdiag_first(&d, SL_DIAG_NOTICE) == NULL);
	sl_cfg_free(cfg);
}

/*
 * One listener, the range it moves with one worker and one proxy lcore, and the notice at its
 * line; then every count.
 */
static void test_one_listener_moves(void)
{
	static const struct {
		const char *text; /* after the dataplane's address lines (line 6 on) */
		enum sl_port_use use;
		unsigned lo, hi, span, line;
		const char *notice;
	} cases[] = {
		/* over a whole home: to the largest free interval, from 1024 up */
		{"frontend f\n  bind :16000-33000\n", SL_PORT_HTTP_SERVER, 1024, 15999, 14976, 7,
		 "HTTP server-side ports move from 16384-32767 to 1024-15999"},
		/* the same bind shifts the L4 range within its home */
		{"frontend f\n  bind :16000-33000\n", SL_PORT_L4_NAT, 33001, 60999, 27999, 7,
		 "'bind' ports 16000-33000 fall inside"},
		/* a dataplane service is a listener like a bind */
		{"  service echo 61000\n", SL_PORT_PROBE, 61001, 62023, 1023, 6,
		 "'service' port 61000 falls inside"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tdiags d;
		struct sl_cfg *cfg = parse_dp(cases[i].text, NULL, &d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		struct sl_port_plan p;
		CU_ASSERT_EQUAL_FATAL(sl_port_plan_make(cfg, 1, 1, &p, NULL, 0), 0);
		CU_ASSERT(plan_ok(&p, 1, 1, cfg));
		CU_ASSERT(range_is(&p.r[cases[i].use], cases[i].lo, cases[i].hi, cases[i].span));
		CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", (int)cases[i].line,
				    cases[i].notice));
		CU_ASSERT(every_count_ok(cfg));
		sl_cfg_free(cfg);
	}
}

/*
 * Only tier B finds this one: the binds leave one interval, 32768-60999. The L4 range at home
 * would take it all (220 ports x 128 workers) and leave the others no room; placed afresh, all
 * four fit side by side.
 */
static void test_homes_give_way(void)
{
	struct tdiags d;
	struct sl_cfg *cfg =
		parse_dp("frontend f\n  bind :1024-32767\n  bind :61000-65535\n", NULL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT(every_count_ok(cfg));
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- no room */

/* 128 lcores need 64 x 128 (L4) + 64 x 128 (HTTP) + 64 (probes) + 16 x 128 (checks) ports. */
#define NEED_128 (64 * 128 + 64 * 128 + 64 + 16 * 128)

/* Exactly the room needed is enough; one port less is refused at the bind, naming it. */
static void test_tight_room(void)
{
	char text[256];
	struct tdiags d;
	snprintf(text, sizeof(text), "frontend f\n  bind :1024-%u\n", 65535 - NEED_128);
	struct sl_cfg *cfg = parse(text, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_port_plan p;
	char why[512] = "";
	CU_ASSERT_EQUAL(sl_port_plan_make(cfg, 128, 128, &p, why, sizeof(why)), 0);
	CU_ASSERT(plan_ok(&p, 128, 128, cfg));
	sl_cfg_free(cfg);

	snprintf(text, sizeof(text), "frontend f\n  bind :1024-%u\n", 65535 - NEED_128 + 1);
	cfg = parse(text, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(sl_port_plan_make(cfg, 128, 128, &p, why, sizeof(why)), -ENOSPC);
	char want[128];
	snprintf(want, sizeof(want),
		 "t.cfg:2: 'bind' ports 1024-%u fall inside the L4 full-NAT source ports "
		 "(32768-60927)",
		 65535 - NEED_128 + 1);
	if (strncmp(why, want, strlen(want)) != 0)
		fprintf(stderr, "\n  -- got: %s\n  -- want: %s...", why, want);
	CU_ASSERT(strncmp(why, want, strlen(want)) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "64 per worker x 128"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "(18495 ports)"));
	CU_ASSERT_EQUAL(p.r[SL_PORT_L4_NAT].span, 0); /* zeroed on failure */
	/* with fewer lcores the same binds leave room */
	CU_ASSERT_EQUAL(sl_port_plan_make(cfg, 127, 127, &p, NULL, 0), 0);
	CU_ASSERT(plan_ok(&p, 127, 127, cfg));
	sl_cfg_free(cfg);
}

/* Two intervals that hold the four uses only one way: L4 or HTTP alone in the smaller one. */
static void test_split_room(void)
{
	char text[256];
	struct tdiags d;
	unsigned a = 1024 + 64 * 128, b = a + 1000; /* free: 1024..a-1, then b..65535 */
	/* the second interval is one port short of a 64 x 128 range, the probes and the checks */
	snprintf(text, sizeof(text), "frontend f\n  bind :%u-%u\n  bind :%u-%u\n", a, b - 1,
		 b + 64 * 128 + 64 + 16 * 128 - 1, 65535);
	struct sl_cfg *cfg = parse(text, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_port_plan p;
	char why[512] = "";
	CU_ASSERT_EQUAL(sl_port_plan_make(cfg, 128, 128, &p, why, sizeof(why)), -ENOSPC);
	sl_cfg_free(cfg);

	/* exactly enough */
	snprintf(text, sizeof(text), "frontend f\n  bind :%u-%u\n  bind :%u-%u\n", a, b - 1,
		 b + 64 * 128 + 64 + 16 * 128, 65535);
	cfg = parse(text, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(sl_port_plan_make(cfg, 128, 128, &p, why, sizeof(why)), 0);
	CU_ASSERT(plan_ok(&p, 128, 128, cfg));
	sl_cfg_free(cfg);
}

/* Every port bound: refused; the message names the first bind inside a default range. */
static void test_no_room_at_all(void)
{
	struct sl_port_plan p;
	struct sl_cfg_loc at;
	char why[512] = "";
	/* the parser refuses such a bind (tested below): build the model by hand */
	struct sl_bind b = {
		.port_lo = 1, .port_hi = 65535, .any = true, .loc = {.file = "h.cfg", .line = 7}};
	struct sl_proxy px = {.name = "f", .cap = SL_CAP_FE, .binds = &b};
	struct sl_cfg model = {.proxies = &px, .nproxies = 1};
	CU_ASSERT_EQUAL(sl_port_plan_make_at(&model, 1, 1, &p, &at, why, sizeof(why)), -ENOSPC);
	T_STR_EQ(at.file, "h.cfg");
	CU_ASSERT_EQUAL(at.line, 7);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "'bind' ports 1-65535 fall inside the L4 full-NAT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "no port from 1024 up is free"));
	CU_ASSERT(strncmp(why, "h.cfg", 5) != 0); /* the place is in @at, not in the text */
	CU_ASSERT_EQUAL(sl_port_plan_make(&model, 1, 1, &p, why, sizeof(why)), -ENOSPC);
	CU_ASSERT(strncmp(why, "h.cfg:7: 'bind' ports 1-65535", 29) == 0);
	/* the occupant helper */
	struct sl_port_occupant o;
	CU_ASSERT(sl_port_plan_occupant(&model, 5000, 5000, &o));
	CU_ASSERT(o.lo == 1 && o.hi == 65535 && o.loc.line == 7);
	b.port_lo = b.port_hi = 80;
	CU_ASSERT_FALSE(sl_port_plan_occupant(&model, 81, 65535, &o));
	CU_ASSERT_FALSE(sl_port_plan_occupant(NULL, 1, 65535, &o));
}

/* First-fit of @need[0..3] in the given order into the free ports (1 = free) of @free. */
static bool first_fit(const uint8_t *free_in, const unsigned need[4], const unsigned order[4])
{
	static uint8_t f[65536];
	memcpy(f, free_in, sizeof(f));
	for (unsigned i = 0; i < 4; i++) {
		unsigned n = need[order[i]], run = 0, q;
		for (q = SL_PORT_PLAN_FLOOR; q <= 65535 && run < n; q++)
			run = f[q] ? run + 1 : 0;
		if (run < n)
			return false;
		memset(&f[q - n], 0, n);
	}
	return true;
}

/*
 * Whether the four minimums fit in the free ports: first fit in every order of the uses. (Given
 * a placement, take the uses in the order of their places: each then fits where it was or
 * earlier, which only leaves more room for the rest; so this is exact, and independent of
 * portplan.c's search.)
 */
static bool fits_somehow(const uint8_t *free_ports, unsigned n)
{
	const unsigned need[4] = {64 * n, 64 * n, 64, 16 * n};
	for (unsigned a = 0; a < 4; a++)
		for (unsigned b = 0; b < 4; b++)
			for (unsigned c = 0; c < 4; c++) {
				unsigned d = 6 - a - b - c;
				if (a == b || a == c || b == c || d > 3 || d == a || d == b ||
				    d == c)
					continue;
				const unsigned order[4] = {a, b, c, d};
				if (first_fit(free_ports, need, order))
					return true;
			}
	return false;
}

/* Random binds, many of them wide: the plan is refused exactly when no placement exists, and
 * every plan made keeps every invariant. */
static void test_random_binds(void)
{
	static uint8_t free_ports[65536];
	struct sl_bind b[12];
	struct sl_proxy px = {.name = "f", .cap = SL_CAP_FE};
	struct sl_cfg model = {.proxies = &px, .nproxies = 1};
	unsigned seed = 12345, made = 0, refused = 0;
	for (unsigned iter = 0; iter < 400; iter++) {
		unsigned nb = 1 + rand_r(&seed) % 12, n = 1 + rand_r(&seed) % 128;
		memset(free_ports, 1, sizeof(free_ports));
		for (unsigned i = 0; i < nb; i++) {
			unsigned lo = 1 + rand_r(&seed) % 65535;
			unsigned len = rand_r(&seed) % 3 == 0 ? 1 : 1 + rand_r(&seed) % 30000;
			unsigned hi = lo + len - 1 > 65535 ? 65535 : lo + len - 1;
			b[i] = (struct sl_bind){.port_lo = (uint16_t)lo,
						.port_hi = (uint16_t)hi,
						.any = true,
						.loc = {.file = "r.cfg", .line = (int)i + 1},
						.next = i + 1 < nb ? &b[i + 1] : NULL};
			memset(&free_ports[lo], 0, hi - lo + 1);
		}
		px.binds = &b[0];
		struct sl_port_plan p;
		struct sl_cfg_loc at;
		char why[512] = "";
		int rc = sl_port_plan_make_at(&model, n, n, &p, &at, why, sizeof(why));
		bool possible = fits_somehow(free_ports, n);
		if ((rc == 0) != possible)
			fprintf(stderr, "\n  -- iteration %u, %u lcores: rc %d, possible %d: %s",
				iter, n, rc, possible, why);
		CU_ASSERT_EQUAL(rc == 0, possible);
		if (rc == 0) {
			made++;
			CU_ASSERT(plan_ok(&p, n, n, &model));
		} else {
			refused++;
			CU_ASSERT_EQUAL(rc, -ENOSPC);
			T_STR_EQ(at.file, "r.cfg"); /* a bind is always named */
			CU_ASSERT_PTR_NOT_NULL(strstr(why, "fall"));
		}
	}
	CU_ASSERT(made > 50 && refused > 50); /* both sides were tried */
	if (getenv("SL_TEST_VERBOSE") != NULL)
		fprintf(stderr, "\n  -- %u made, %u refused", made, refused);
	if (!(made > 50 && refused > 50))
		fprintf(stderr, "\n  -- %u made, %u refused", made, refused);
}

/* ---------------------------------------------------------------- sluiced -c */

/* The configuration check refuses a plan with no room at the bind's FILE:LINE, with the lcore
 * counts of the dataplane's cores (63 workers here), like any other configuration error. */
static void test_check_refuses(void)
{
	/* 63 lcores need 64 x 63 + 64 x 63 + 64 + 16 x 63 = 9136 ports */
	char proxies[128];
	snprintf(proxies, sizeof(proxies), "frontend f\n  bind 10.0.1.1:1024-%u\n", 65535 - 9136);
	struct tdiags d;
	struct sl_cfg *cfg = parse_dp(proxies, "0-63", &d);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	sl_cfg_free(cfg);

	snprintf(proxies, sizeof(proxies), "frontend f\n  bind 10.0.1.1:1024-%u\n", 65535 - 9135);
	char *text = with_dp(proxies, "0-63");
	char want[128];
	snprintf(want, sizeof(want),
		 "'bind' ports 1024-56400 fall inside the L4 full-NAT source ports (32768-%u)",
		 32768 + 28232 / 63 * 63 - 1);
	CU_ASSERT(trefused1(text, true, 8, want, NULL, &d));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 8, "64 per worker x 63"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 8,
			    "the four uses 9136 in all, but the largest free interval is "
			    "56401-65535 (9135 ports)"));
	free(text);

	/* the same binds with one core: 64 + 64 + 64 + 16 ports are enough */
	cfg = parse_dp(proxies, "0", &d);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	sl_cfg_free(cfg);

	/* no dataplane section: one core; no port left at all */
	T_REFUSED("frontend f\n"
		  "  bind :80\n"
		  "  bind 10.0.0.1:1-65535\n",
		  3, "'bind' ports 1-65535 fall inside the L4 full-NAT source ports");
}

static const struct sl_test_case default_cases[] = {
	{"defaults for every count", test_defaults_every_count},
	{"uneven counts", test_defaults_uneven_counts},
	{"counts out of range", test_bad_counts},
	{"the seed keeps today's ports", test_seed_keeps_today},
	{"lcore counts from cores", test_lcores_from_cores},
	{NULL, NULL},
};

static const struct sl_test_case move_cases[] = {
	{"binds move ranges", test_binds_move_ranges},
	{"a bind in the home but not in the range", test_bind_in_home_but_not_in_range},
	{"several addresses on one subnet: the same plan, owner by port", test_several_addresses},
	{"one listener moves ranges", test_one_listener_moves},
	{"homes give way", test_homes_give_way},
	{NULL, NULL},
};

static const struct sl_test_case room_cases[] = {
	{"tight room", test_tight_room},
	{"split room", test_split_room},
	{"no room at all", test_no_room_at_all},
	{"random binds", test_random_binds},
	{"sluiced -c refuses", test_check_refuses},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"portplan/defaults", default_cases},
	{"portplan/moves", move_cases},
	{"portplan/room", room_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
