/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The port plan (portplan.h): where each use's local ports go, given the binds.
 *
 * Every use has a home (its default place) and wants a number of ports there; it needs at least
 * its minimum per lcore. Placing is done in two tiers, each complete for what it tries:
 *
 *  A. Each use takes the lowest free piece of its home that holds all it wants, else the largest
 *     free piece there if that holds its minimum: with no bind inside the ports it uses by
 *     default this is today's place, and a bind inside only shrinks or shifts the range within
 *     its home. The uses whose home has no such piece are then placed in the free intervals
 *     left (below), from port SL_PORT_PLAN_FLOOR up.
 *  B. If that fails, every use is placed afresh in the free intervals: the homes taken in A may
 *     have held the only room that the others could use.
 *
 * Placing k uses in free intervals: a placement exists iff the uses can be assigned to intervals
 * so that each interval holds the sum of its uses' minimums (uses in one interval sit side by
 * side). If one exists, one exists in the k largest intervals (move everything from a smaller
 * used interval to a larger unused one), so trying the k^k assignments to those (k <= 4: at most
 * 256) finds it. Among the feasible ones the plan takes the one that hands out the most ports.
 *
 * Ports are counted in 32-bit unsigned arithmetic and a range's end is checked against 65535
 * before it is stored: no count of lcores makes a port wrap.
 */
#include "controlplane/cfg/portplan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cfg/cfg.h"

#define PORT_MAX 65535u

/* Ports taken by binds and services (and below the floor): one bit a port. */
struct taken {
	uint64_t w[(PORT_MAX + 1) / 64];
};

/* A maximal run of free ports. */
struct gap {
	uint32_t lo, len;
};

/* One use: where it lives by default, and how it is split. */
struct use_def {
	const char *name;
	uint32_t home_lo, home_hi; /* its default place: today's constants */
	uint32_t max_span;	   /* the size of a table the engine indexes by port; 0: none */
	uint32_t min_span;	   /* SL_PORT_PLAN_MIN_* */
	bool per_worker;	   /* split among the workers, else among the proxy lcores */
	bool single;		   /* one lcore only (the first worker) */
};

static const struct use_def use_defs[SL_PORT_NUSES] = {
	[SL_PORT_L4_NAT] = {"L4 full-NAT source ports", 32768, 60999, 0, SL_PORT_PLAN_MIN_L4, true,
			    false},
	[SL_PORT_HTTP_SERVER] = {"HTTP server-side ports", 16384, 32767, 0, SL_PORT_PLAN_MIN_HTTP,
				 false, false},
	[SL_PORT_PROBE] = {"L4 health probe ports", 61000, 61000 + SL_PORT_PLAN_PROBE_SLOTS - 1,
			   SL_PORT_PLAN_PROBE_SLOTS, SL_PORT_PLAN_MIN_PROBE, true, true},
	[SL_PORT_HTTP_CHECK] = {"HTTP health check ports", 62100, PORT_MAX,
				SL_PORT_PLAN_CHECK_SLOTS, SL_PORT_PLAN_MIN_CHECK, false, false},
};

/* One use for given lcore counts. */
struct want {
	const struct use_def *def;
	uint32_t nlcores;
	uint32_t max_span; /* PORT_MAX when the use has no table */
	uint32_t want;	   /* ports it takes when it can: its whole home, or its tables' worth */
	uint32_t need;	   /* fewest it accepts: its minimum times nlcores */
};

const char *sl_port_plan_use_name(enum sl_port_use u)
{
	return (unsigned)u < SL_PORT_NUSES ? use_defs[u].name : "none";
}

const char *sl_port_plan_lcore_name(enum sl_port_use u)
{
	if ((unsigned)u >= SL_PORT_NUSES)
		return "none";
	return use_defs[u].per_worker ? "worker" : "proxy lcore";
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void wants_for(unsigned nworkers, unsigned nproxies, struct want w[SL_PORT_NUSES])
{
	for (unsigned u = 0; u < SL_PORT_NUSES; u++) {
		const struct use_def *d = &use_defs[u];
		struct want *x = &w[u];
		x->def = d;
		x->nlcores = d->single ? 1 : d->per_worker ? nworkers : nproxies;
		x->max_span = d->max_span != 0 ? d->max_span : PORT_MAX;
		x->want = d->max_span != 0 ? d->max_span * x->nlcores : d->home_hi - d->home_lo + 1;
		x->need = d->min_span * x->nlcores;
	}
}

/* ------------------------------------------------------------------ the taken ports */

static void mark(struct taken *t, uint32_t lo, uint32_t hi)
{
	for (uint32_t p = lo; p <= hi; p++)
		t->w[p / 64] |= 1ull << (p % 64);
}

static bool is_taken(const struct taken *t, uint32_t p)
{
	return t->w[p / 64] >> (p % 64) & 1;
}

/* The first gap in [@from, @hi] (@hi <= PORT_MAX): true with *@g set, false when none. */
static bool next_gap(const struct taken *t, uint32_t from, uint32_t hi, struct gap *g)
{
	uint32_t p = from;
	while (p <= hi && is_taken(t, p))
		p++;
	if (p > hi)
		return false;
	g->lo = p;
	while (p <= hi && !is_taken(t, p))
		p++;
	g->len = p - g->lo;
	return true;
}

/* Calls @fn for each bind and each dataplane service until it returns true; returns that. */
static bool each_occupant(const struct sl_cfg *cfg,
			  bool (*fn)(void *, const struct sl_port_occupant *), void *arg)
{
	if (cfg == NULL)
		return false;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			struct sl_port_occupant o = {
				.kw = "bind", .lo = b->port_lo, .hi = b->port_hi, .loc = b->loc};
			if (fn(arg, &o))
				return true;
		}
	for (const struct sl_dp_service *sv = cfg->dp.services; sv != NULL; sv = sv->next) {
		struct sl_port_occupant o = {
			.kw = "service", .lo = sv->port, .hi = sv->port, .loc = sv->loc};
		if (fn(arg, &o))
			return true;
	}
	return false;
}

static bool mark_occupant(void *arg, const struct sl_port_occupant *o)
{
	if (o->lo >= 1 && o->lo <= o->hi) /* the parser refuses others; keep the bitmap sane */
		mark(arg, o->lo, o->hi);
	return false;
}

struct find_arg {
	uint16_t lo, hi;
	struct sl_port_occupant *o;
};

static bool find_occupant(void *arg, const struct sl_port_occupant *o)
{
	struct find_arg *f = arg;
	if (o->hi < f->lo || o->lo > f->hi)
		return false;
	*f->o = *o;
	return true;
}

bool sl_port_plan_occupant(const struct sl_cfg *cfg, uint16_t lo, uint16_t hi,
			   struct sl_port_occupant *o)
{
	struct find_arg f = {.lo = lo, .hi = hi, .o = o};
	return each_occupant(cfg, find_occupant, &f);
}

/* ------------------------------------------------------------------ placing */

/* Sets use @u's range: @count ports from @lo, cut to whole slices. */
static void set_range(struct sl_port_plan *plan, const struct want *w, enum sl_port_use u,
		      uint32_t lo, uint32_t count)
{
	uint32_t span = min_u32(count / w->nlcores, w->max_span);
	uint32_t hi = lo + span * w->nlcores - 1;
	/* callers place inside free gaps of [1, PORT_MAX]: these hold by construction */
	if (span < w->def->min_span || hi > PORT_MAX)
		return;
	plan->r[u] = (struct sl_port_range){.lo = (uint16_t)lo,
					    .hi = (uint16_t)hi,
					    .span = (uint16_t)span,
					    .nlcores = (uint16_t)w->nlcores};
}

static uint32_t range_len(const struct sl_port_range *r)
{
	return r->span == 0 ? 0 : (uint32_t)r->hi - r->lo + 1;
}

/* Tier A's first step: use @u in its home. Returns whether it found room there. */
static bool place_home(struct sl_port_plan *plan, const struct taken *t, const struct want *w,
		       enum sl_port_use u)
{
	struct gap g, best = {0, 0};
	for (uint32_t p = w->def->home_lo; next_gap(t, p, w->def->home_hi, &g); p = g.lo + g.len) {
		if (g.len >= w->want) {
			best = g; /* the lowest piece that holds it all */
			break;
		}
		if (g.len > best.len)
			best = g;
	}
	if (best.len < w->need)
		return false;
	set_range(plan, w, u, best.lo, min_u32(best.len, w->want));
	return true;
}

/*
 * Places the @k uses of @which in the free gaps of @t from SL_PORT_PLAN_FLOOR up (see the top of
 * the file). Returns whether every one got its minimum.
 */
static bool place_free(struct sl_port_plan *plan, const struct taken *t,
		       const struct want w[SL_PORT_NUSES], const enum sl_port_use *which,
		       unsigned k)
{
	struct gap top[SL_PORT_NUSES] = {{0, 0}};
	unsigned ng = 0;
	struct gap g;
	for (uint32_t p = SL_PORT_PLAN_FLOOR; next_gap(t, p, PORT_MAX, &g); p = g.lo + g.len) {
		/* keep the k largest, the lower first among equals */
		unsigned i = ng < k ? ng++ : k;
		while (i > 0 && top[i - 1].len < g.len) {
			if (i < k)
				top[i] = top[i - 1];
			i--;
		}
		if (i < k)
			top[i] = g;
	}
	if (ng == 0)
		return false;

	unsigned total = 1, best_a[SL_PORT_NUSES] = {0};
	uint32_t best_ports = 0;
	bool found = false;
	for (unsigned i = 0; i < k; i++)
		total *= ng;
	for (unsigned code = 0; code < total; code++) {
		unsigned a[SL_PORT_NUSES];
		uint32_t need[SL_PORT_NUSES] = {0}, want[SL_PORT_NUSES] = {0}, ports = 0;
		bool fits = true;
		for (unsigned i = 0, c = code; i < k; i++, c /= ng) {
			a[i] = c % ng;
			need[a[i]] += w[which[i]].need;
			want[a[i]] += w[which[i]].want;
		}
		for (unsigned j = 0; j < ng; j++) {
			fits &= need[j] <= top[j].len;
			ports += min_u32(want[j], top[j].len);
		}
		if (fits && (!found || ports > best_ports)) {
			found = true;
			best_ports = ports;
			memcpy(best_a, a, sizeof(a[0]) * k);
		}
	}
	if (!found)
		return false;

	/* in each gap, its uses side by side: each takes what it wants but leaves the later ones
	 * their minimums */
	for (unsigned j = 0; j < ng; j++) {
		uint32_t pos = top[j].lo, end = top[j].lo + top[j].len;
		for (unsigned i = 0; i < k; i++) {
			if (best_a[i] != j)
				continue;
			uint32_t later = 0;
			for (unsigned l = i + 1; l < k; l++)
				later += best_a[l] == j ? w[which[l]].need : 0;
			set_range(plan, &w[which[i]], which[i], pos,
				  min_u32(w[which[i]].want, end - pos - later));
			pos += range_len(&plan->r[which[i]]);
		}
	}
	return true;
}

static void mark_plan(struct taken *t, const struct sl_port_plan *plan)
{
	for (unsigned u = 0; u < SL_PORT_NUSES; u++)
		if (plan->r[u].span != 0)
			mark(t, plan->r[u].lo, plan->r[u].hi);
}

/* Both tiers. Returns whether every use was placed. */
static bool place(struct sl_port_plan *plan, const struct taken *t,
		  const struct want w[SL_PORT_NUSES])
{
	enum sl_port_use rest[SL_PORT_NUSES];
	unsigned k = 0;
	memset(plan, 0, sizeof(*plan));
	for (unsigned u = 0; u < SL_PORT_NUSES; u++)
		if (!place_home(plan, t, &w[u], (enum sl_port_use)u))
			rest[k++] = (enum sl_port_use)u;
	if (k == 0)
		return true;
	struct taken ta = *t;
	mark_plan(&ta, plan);
	if (place_free(plan, &ta, w, rest, k))
		return true;
	enum sl_port_use all[SL_PORT_NUSES] = {SL_PORT_L4_NAT, SL_PORT_HTTP_SERVER, SL_PORT_PROBE,
					       SL_PORT_HTTP_CHECK};
	memset(plan, 0, sizeof(*plan));
	return place_free(plan, t, w, all, SL_PORT_NUSES);
}

/* ------------------------------------------------------------------ refusals */

static void say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whylen, const char *fmt, ...)
{
	if (why == NULL || whylen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* "port 80" or "ports 80-89", into @buf. */
static const char *ports_text(char *buf, size_t n, uint16_t lo, uint16_t hi)
{
	if (lo == hi)
		snprintf(buf, n, "port %u", lo);
	else
		snprintf(buf, n, "ports %u-%u", lo, hi);
	return buf;
}

struct clash_arg {
	const struct sl_port_plan *dflt;
	struct sl_port_occupant o;
	enum sl_port_use use;
};

static bool find_clash(void *arg, const struct sl_port_occupant *o)
{
	struct clash_arg *c = arg;
	for (unsigned u = 0; u < SL_PORT_NUSES; u++)
		if (o->hi >= c->dflt->r[u].lo && o->lo <= c->dflt->r[u].hi) {
			c->o = *o;
			c->use = (enum sl_port_use)u;
			return true;
		}
	return false;
}

/*
 * No placement: names the first bind or service inside a default range (there is one: with none,
 * tier A keeps every default), that use's minimum, and the largest free interval.
 */
static void refuse(const struct sl_cfg *cfg, const struct taken *t,
		   const struct want w[SL_PORT_NUSES], const struct sl_port_plan *dflt,
		   struct sl_cfg_loc *at, char *why, size_t whylen)
{
	struct gap g, big = {0, 0};
	for (uint32_t p = SL_PORT_PLAN_FLOOR; next_gap(t, p, PORT_MAX, &g); p = g.lo + g.len)
		if (g.len > big.len)
			big = g;
	char room[80];
	if (big.len == 0)
		snprintf(room, sizeof(room), "no port from %u up is free", SL_PORT_PLAN_FLOOR);
	else
		snprintf(room, sizeof(room), "the largest free interval is %u-%u (%u ports)",
			 big.lo, big.lo + big.len - 1, big.len);

	struct clash_arg c = {.dflt = dflt, .use = SL_PORT_NONE};
	if (!each_occupant(cfg, find_clash, &c)) {
		say(why, whylen, "the local ports of sluice's own connections cannot be placed: %s",
		    room);
		return;
	}
	const struct want *x = &w[c.use];
	uint32_t all = 0;
	for (unsigned u = 0; u < SL_PORT_NUSES; u++)
		all += w[u].need;
	char pt[32];
	*at = c.o.loc;
	say(why, whylen,
	    "'%s' %s %s inside the %s (%u-%u) and leave no room to move them: from port %u up they "
	    "need %u free ports in one interval (%u per %s x %u, the fewest) and the four uses %u "
	    "in all, but %s",
	    c.o.kw, ports_text(pt, sizeof(pt), c.o.lo, c.o.hi), c.o.lo == c.o.hi ? "falls" : "fall",
	    use_defs[c.use].name, dflt->r[c.use].lo, dflt->r[c.use].hi, SL_PORT_PLAN_FLOOR, x->need,
	    x->def->min_span, sl_port_plan_lcore_name(c.use), x->nlcores, all, room);
}

/* ------------------------------------------------------------------ entry points */

int sl_port_plan_make_at(const struct sl_cfg *cfg, unsigned nworkers, unsigned nproxies,
			 struct sl_port_plan *out, struct sl_cfg_loc *at, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	at->file = NULL;
	at->line = 0;
	if (nworkers < 1 || nworkers > SL_PORT_PLAN_MAX_LCORES || nproxies < 1 ||
	    nproxies > SL_PORT_PLAN_MAX_LCORES) {
		say(why, whylen, "%u workers and %u proxy lcores: each must be 1 to %u", nworkers,
		    nproxies, SL_PORT_PLAN_MAX_LCORES);
		return -EINVAL;
	}
	struct want w[SL_PORT_NUSES];
	wants_for(nworkers, nproxies, w);
	struct taken floor = {{0}}, t;
	mark(&floor, 0, SL_PORT_PLAN_FLOOR - 1);
	t = floor;
	each_occupant(cfg, mark_occupant, &t);
	if (place(out, &t, w))
		return 0;
	/* where the ranges are without binds: what a bind collides with */
	struct sl_port_plan dflt;
	place(&dflt, &floor, w);
	refuse(cfg, &t, w, &dflt, at, why, whylen);
	memset(out, 0, sizeof(*out));
	return -ENOSPC;
}

int sl_port_plan_make(const struct sl_cfg *cfg, unsigned nworkers, unsigned nproxies,
		      struct sl_port_plan *out, char *why, size_t whylen)
{
	struct sl_cfg_loc at;
	char msg[512];
	int r = sl_port_plan_make_at(cfg, nworkers, nproxies, out, &at, msg, sizeof(msg));
	if (r < 0 && why != NULL && whylen > 0) {
		char pre[300];
		sl_cfg_diag_prefix(pre, sizeof(pre), SL_DIAG_ERROR, at.file, at.line);
		snprintf(why, whylen, "%s%s", pre, msg);
	}
	return r;
}

static unsigned ncores(const struct sl_cfg *cfg)
{
	if (cfg != NULL && cfg->dp.present && sl_cpus_count(&cfg->dp.cores) != 0)
		return sl_cpus_count(&cfg->dp.cores);
	return 1;
}

bool sl_port_plan_main_shares(const struct sl_cfg *cfg)
{
	unsigned n = ncores(cfg);
	if (n < 2 || sl_cpus_count(&cfg->dp.cores_on) != 0)
		return false;
	return cfg->dp.control == SL_CONTROL_SHARED ||
	       (cfg->dp.control == SL_CONTROL_DEFAULT && n == 2);
}

void sl_port_plan_lcores(const struct sl_cfg *cfg, unsigned *nworkers, unsigned *nproxies)
{
	unsigned n = ncores(cfg);
	if (sl_port_plan_main_shares(cfg))
		*nworkers = n; /* a worker on every core, main beside the first one's */
	else
		*nworkers = n == 1 ? 1 : n - 1; /* main forwards too only when alone */
	*nproxies = *nworkers;
}
