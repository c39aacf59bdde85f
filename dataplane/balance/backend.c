/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The balancing tables of one backend: rotation, smooth weighted round-robin schedule, Maglev.
 * The contract is in backend.h.
 */
#include "dataplane/balance/backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/balance/maglev.h"

/* ---- rotation ------------------------------------------------------------------------------ */

static bool takes_traffic(const struct sl_bal_server *s)
{
	return s->usable && !s->drain && s->weight > 0;
}

/* Fills b->rot: the active servers that take traffic, or the backups when there is none: the
 * first one only, unless @all_backups (HAProxy's `option allbackups`). */
static void build_rotation(struct sl_bal_backend *b, bool all_backups)
{
	bool active = false;
	for (unsigned i = 0; i < b->nservers && !active; i++)
		active = takes_traffic(&b->servers[i]) && !b->servers[i].backup;
	for (unsigned i = 0; i < b->nservers; i++) {
		const struct sl_bal_server *s = &b->servers[i];
		if (!takes_traffic(s) || s->backup == active)
			continue;
		b->rot[b->nrot++] = (uint16_t)i;
		if (!active && !all_backups)
			break;
	}
}

/* ---- smooth weighted round-robin schedule ------------------------------------------------- */

/*
 * The schedule is nginx's smooth weighted round-robin: at each turn every server's credit grows
 * by its weight, the server with the most credit (the first in rotation among equals) is picked
 * and its credit falls by the total weight T. After T turns every credit is back to 0, so one
 * period of T entries is the whole sequence.
 *
 * Done naively that is T turns of a pass over the N servers. But servers of equal weight move in
 * step: their credits differ only by how many times each was picked in the current round, and
 * they are picked in rotation order, one after the other. So a class of equal weights is one
 * candidate (the next of its members to play) whose credit stays the same while the members
 * take their turns and falls by T once all of them have: a turn is a pass over the distinct
 * weights, not the servers, which gives exactly the same sequence in T * classes steps.
 */
struct wclass {
	int64_t credit;	 /* the credit of the class's candidate */
	uint32_t weight; /* of every member */
	uint32_t first;	 /* its members: byrot[first .. first + n), in rotation order */
	uint32_t n;
	uint32_t next; /* the candidate: byrot[first + next] */
};

struct rot_weight {
	uint32_t weight;
	uint16_t pos; /* position in rotation */
};

static int by_weight_then_pos(const void *pa, const void *pb)
{
	const struct rot_weight *a = pa, *b = pb;
	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	return (int)a->pos - (int)b->pos;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int build_schedule(struct sl_bal_backend *b)
{
	uint32_t g = 0;
	uint64_t total = 0;
	for (unsigned i = 0; i < b->nrot; i++)
		g = gcd(g, b->servers[b->rot[i]].weight);
	for (unsigned i = 0; i < b->nrot; i++)
		total += b->servers[b->rot[i]].weight / g;
	if (total == 0)
		return 0;
	if (total > SL_BAL_SCHED_MAX)
		return -E2BIG;

	int r = -ENOMEM;
	struct rot_weight *byrot = malloc(sizeof(*byrot) * b->nrot);
	struct wclass *cls = malloc(sizeof(*cls) * b->nrot);
	b->sched = malloc(sizeof(*b->sched) * total);
	if (byrot == NULL || cls == NULL || b->sched == NULL)
		goto out;
	for (unsigned i = 0; i < b->nrot; i++) {
		byrot[i].weight = b->servers[b->rot[i]].weight / g;
		byrot[i].pos = (uint16_t)i;
	}
	qsort(byrot, b->nrot, sizeof(*byrot), by_weight_then_pos);
	unsigned ncls = 0;
	for (unsigned i = 0; i < b->nrot; i++) {
		if (i == 0 || byrot[i].weight != byrot[i - 1].weight)
			cls[ncls++] = (struct wclass){.weight = byrot[i].weight, .first = i};
		cls[ncls - 1].n++;
	}
	for (uint32_t t = 0; t < total; t++) {
		struct wclass *best = NULL;
		uint16_t best_pos = 0;
		for (unsigned c = 0; c < ncls; c++) {
			struct wclass *k = &cls[c];
			k->credit += k->weight;
			uint16_t pos = byrot[k->first + k->next].pos;
			if (best == NULL || k->credit > best->credit ||
			    (k->credit == best->credit && pos < best_pos)) {
				best = k;
				best_pos = pos;
			}
		}
		b->sched[t] = b->rot[best_pos];
		if (++best->next == best->n) {
			best->next = 0;
			best->credit -= (int64_t)total;
		}
	}
	b->nsched = (uint32_t)total;
	r = 0;
out:
	free(byrot);
	free(cls);
	return r;
}

/* ---- Maglev ------------------------------------------------------------------------------- */

/* The Maglev table over every server, keyed "backend/server", weight 0 out of rotation. */
static int build_maglev(struct sl_bal_backend *b)
{
	size_t bytes = 0, blen = strlen(b->name);
	for (unsigned i = 0; i < b->nservers; i++)
		bytes += blen + 1 + strlen(b->servers[i].name) + 1;
	int r = -ENOMEM;
	struct sl_maglev_server *ms = calloc(b->nservers ? b->nservers : 1, sizeof(*ms));
	char *keys = malloc(bytes ? bytes : 1);
	uint32_t size = sl_maglev_size_for(b->nservers);
	b->maglev = malloc(sl_maglev_bytes(size));
	if (ms == NULL || keys == NULL || b->maglev == NULL)
		goto out;
	char *k = keys;
	for (unsigned i = 0; i < b->nservers; i++) {
		ms[i].key = k;
		k += sprintf(k, "%s/%s", b->name, b->servers[i].name) + 1;
	}
	for (unsigned i = 0; i < b->nrot; i++)
		ms[b->rot[i]].weight = b->servers[b->rot[i]].weight;
	r = sl_maglev_build(b->maglev, size, ms, b->nservers);
out:
	free(ms);
	free(keys);
	return r;
}

/* ---- API ---------------------------------------------------------------------------------- */

int sl_bal_backend_build(struct sl_bal_backend *b, const char *name, enum sl_bal_algo balance,
			 const struct sl_bal_server *in, unsigned n)
{
	const struct sl_bal_opts o = {.all_backups = true};
	return sl_bal_backend_build_opts(b, name, balance, in, n, &o);
}

int sl_bal_backend_build_opts(struct sl_bal_backend *b, const char *name, enum sl_bal_algo balance,
			      const struct sl_bal_server *in, unsigned n, const struct sl_bal_opts *o)
{
	if (b == NULL)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	if (name == NULL || (in == NULL && n > 0))
		return -EINVAL;
	if (n > SL_BAL_MAX_SERVERS)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++)
		if (in[i].name == NULL)
			return -EINVAL;
	b->name = name;
	b->balance = balance;
	b->id = o->id;
	b->draws = o->draws > 0 ? o->draws : 2;
	b->nservers = (uint16_t)n;
	b->servers = malloc(sizeof(*b->servers) * (n ? n : 1));
	b->rot = malloc(sizeof(*b->rot) * (n ? n : 1));
	int r = -ENOMEM;
	if (b->servers == NULL || b->rot == NULL)
		goto fail;
	if (n > 0)
		memcpy(b->servers, in, sizeof(*in) * n);
	build_rotation(b, o->all_backups);
	r = build_schedule(b);
	if (r == 0)
		r = build_maglev(b);
	if (r == 0)
		return 0;
fail:
	sl_bal_backend_free(b);
	return r;
}

void sl_bal_backend_free(struct sl_bal_backend *b)
{
	if (b == NULL)
		return;
	free(b->servers);
	free(b->rot);
	free(b->sched);
	free(b->maglev);
	memset(b, 0, sizeof(*b));
}

int sl_bal_backend_find_cookie(const struct sl_bal_backend *b, const char *ck, size_t len)
{
	for (unsigned i = 0; i < b->nservers; i++) {
		const char *c = b->servers[i].cookie;
		if (c != NULL && strnlen(c, len + 1) == len && memcmp(c, ck, len) == 0)
			return (int)i;
	}
	return -1;
}

int sl_bal_backend_find_gidx(const struct sl_bal_backend *b, uint16_t gidx)
{
	for (unsigned i = 0; i < b->nservers; i++)
		if (b->servers[i].gidx == gidx)
			return (int)i;
	return -1;
}
