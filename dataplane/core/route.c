/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/route.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* What a lookup returns for one prefix. */
struct sl_route_ent {
	uint32_t gw;  /* the next hop of a route; 0 for a connected subnet */
	uint32_t src; /* the preferred source address */
	uint16_t port;
	bool connected;
	uint16_t pool;	/* the local-address pool of src: pool[pool, pool + npool) of the table */
	uint16_t npool;
};

struct sl_route_table {
	uint32_t n;		  /* entries */
	uint32_t nlens;		  /* prefix lengths present */
	uint32_t mask[33];	  /* their masks, longest first */
	uint32_t first[34];	  /* the entries of mask[i] are [first[i], first[i + 1]) */
	uint32_t *key;		  /* n prefixes, ascending within each length (binary-searched) */
	struct sl_route_ent *ent; /* n, parallel to key */
	uint32_t npool;		  /* = the addresses given */
	uint32_t *pool;		  /* the addresses grouped by (port, subnet), declared order within */
};

static uint32_t mask_of(unsigned plen)
{
	return plen == 0 ? 0 : ~0u << (32 - plen);
}

/* An entry while the table is built: its sort key and where it was declared. */
struct cand {
	uint32_t prefix;
	uint8_t plen;
	uint32_t order; /* the address's index, or naddrs + the route's index */
	struct sl_route_ent e;
};

/* Longest prefix first, then ascending prefix; at equal prefixes connected, then declared, first.
 */
static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	if (a->e.connected != b->e.connected)
		return a->e.connected ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void fault_set(struct sl_route_fault *f, int err, int route,
		      const struct sl_route_spec *spec, const char *why)
{
	if (f == NULL)
		return;
	memset(f, 0, sizeof(*f));
	f->err = err;
	f->route = route;
	if (spec != NULL)
		f->spec = *spec;
	f->why = why;
}

/*
 * Sorts @c[0, @n) and lays the table out, one entry per (length, prefix): the first of each group
 * (connected, then declared first). Two routes in one group are refused. @naddrs tells routes'
 * indexes from addresses'.
 */
static struct sl_route_table *layout(struct cand *c, unsigned n, unsigned naddrs,
				     const struct sl_route_spec *routes, const uint32_t *pool,
				     struct sl_route_fault *f)
{
	if (n > 0)
		qsort(c, n, sizeof(*c), cand_cmp);
	unsigned m = 0;
	for (unsigned i = 0; i < n;) {
		unsigned j = i + 1, nroutes = c[i].e.connected ? 0 : 1;
		for (; j < n && c[j].plen == c[i].plen && c[j].prefix == c[i].prefix; j++) {
			if (c[j].e.connected)
				continue;
			if (++nroutes > 1) {
				unsigned r = c[j].order - naddrs;
				fault_set(f, -EEXIST, (int)r, &routes[r],
					  "another route to the same destination is declared "
					  "before it");
				return NULL;
			}
		}
		c[m++] = c[i];
		i = j;
	}
	struct sl_route_table *t = calloc(1, sizeof(*t) + m * sizeof(struct sl_route_ent) +
						     ((size_t)m + naddrs) * sizeof(uint32_t));
	if (t == NULL) {
		fault_set(f, -ENOMEM, -1, NULL, "out of memory");
		return NULL;
	}
	t->ent = (struct sl_route_ent *)(t + 1);
	t->key = (uint32_t *)(t->ent + m);
	t->pool = t->key + m;
	t->npool = naddrs;
	if (naddrs > 0)
		memcpy(t->pool, pool, naddrs * sizeof(*pool));
	t->n = m;
	for (unsigned i = 0; i < m; i++) {
		if (i == 0 || c[i].plen != c[i - 1].plen) {
			t->mask[t->nlens] = mask_of(c[i].plen);
			t->first[t->nlens++] = i;
		}
		t->key[i] = c[i].prefix;
		t->ent[i] = c[i].e;
	}
	t->first[t->nlens] = m;
	return t;
}

/* The connected subnet of address @i, whose pool is @grp[i]. */
static struct cand connected_cand(const struct sl_route_addr *addrs, const struct sl_route_ent *grp,
				  unsigned i)
{
	return (struct cand){
		.prefix = addrs[i].ip & mask_of(addrs[i].plen),
		.plen = addrs[i].plen,
		.order = i,
		.e = {.src = addrs[i].ip,
		      .port = addrs[i].port,
		      .connected = true,
		      .pool = grp[i].pool,
		      .npool = grp[i].npool},
	};
}

/* An address while the pools are made: its group key and where it was declared. */
struct pool_cand {
	uint16_t port;
	uint8_t plen;
	uint32_t prefix;
	uint32_t order;
	uint32_t ip;
};

/* By port, subnet, then declaration. */
static int pool_cmp(const void *pa, const void *pb)
{
	const struct pool_cand *a = pa, *b = pb;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * The local-address pools: @pool gets the @n addresses grouped by (port, connected subnet), in
 * declared order within a group; @grp[i] the group of address i (its .pool and .npool). The
 * source address of a subnet's route (the first address declared on it: see route.h) is the
 * first of its group. O(n log n). Returns false when out of memory.
 */
static bool make_pools(const struct sl_route_addr *addrs, unsigned n, uint32_t *pool,
		       struct sl_route_ent *grp)
{
	struct pool_cand *pc = calloc(n + 1, sizeof(*pc));
	if (pc == NULL)
		return false;
	for (unsigned i = 0; i < n; i++)
		pc[i] = (struct pool_cand){addrs[i].port, addrs[i].plen,
					   addrs[i].ip & mask_of(addrs[i].plen), i, addrs[i].ip};
	if (n > 0)
		qsort(pc, n, sizeof(*pc), pool_cmp);
	for (unsigned i = 0; i < n;) {
		unsigned j = i + 1;
		while (j < n && pc[j].port == pc[i].port && pc[j].plen == pc[i].plen &&
		       pc[j].prefix == pc[i].prefix)
			j++;
		for (unsigned k = i; k < j; k++) {
			pool[k] = pc[k].ip;
			grp[pc[k].order].pool = (uint16_t)i;
			grp[pc[k].order].npool = (uint16_t)(j - i);
		}
		i = j;
	}
	free(pc);
	return true;
}

struct sl_route_table *sl_route_build(const struct sl_route_addr *addrs, unsigned naddrs,
				      const struct sl_route_spec *routes, unsigned nroutes,
				      struct sl_route_fault *fault)
{
	struct sl_route_table *t = NULL, *conn = NULL;
	struct cand *c = calloc((size_t)naddrs + nroutes + 1, sizeof(*c));
	uint32_t *pool = calloc((size_t)naddrs + 1, sizeof(*pool));
	struct sl_route_ent *grp = calloc((size_t)naddrs + 1, sizeof(*grp));
	if (c == NULL || pool == NULL || grp == NULL) {
		fault_set(fault, -ENOMEM, -1, NULL, "out of memory");
		goto out_cand;
	}
	for (unsigned i = 0; i < naddrs; i++)
		if (addrs[i].plen > 32) {
			fault_set(fault, -EINVAL, -1, NULL,
				  "an address's prefix length is over 32");
			goto out_cand;
		}
	if (naddrs > UINT16_MAX || !make_pools(addrs, naddrs, pool, grp)) {
		fault_set(fault, naddrs > UINT16_MAX ? -EINVAL : -ENOMEM, -1, NULL,
			  naddrs > UINT16_MAX ? "more than 65535 addresses" : "out of memory");
		goto out_cand;
	}
	/*
	 * The connected subnets alone first: each gateway is resolved against them, a longest match
	 * among connected subnets only, never through another route (a next hop must be directly
	 * connected, RFC 1812 5.2.4.3). layout() sorts in place: the addresses are set again after.
	 */
	for (unsigned i = 0; i < naddrs; i++)
		c[i] = connected_cand(addrs, grp, i);
	conn = layout(c, naddrs, naddrs, routes, pool, fault);
	if (conn == NULL)
		goto out_cand;
	for (unsigned i = 0; i < naddrs; i++)
		c[i] = connected_cand(addrs, grp, i);
	for (unsigned r = 0; r < nroutes; r++) {
		const struct sl_route_spec *s = &routes[r];
		struct sl_route_hop via;
		if (s->plen > 32) {
			fault_set(fault, -EINVAL, (int)r, s, "the prefix length is over 32");
			goto out_conn;
		}
		for (unsigned i = 0; i < naddrs; i++)
			if (addrs[i].ip == s->gw) {
				fault_set(fault, -ELOOP, (int)r, s,
					  "the gateway is one of sluice's own addresses");
				goto out_conn;
			}
		if (!sl_route_lookup(conn, s->gw, &via)) {
			fault_set(fault, -EHOSTUNREACH, (int)r, s,
				  "the gateway is on no connected subnet (no 'address' line's "
				  "subnet holds it)");
			goto out_conn;
		}
		c[naddrs + r] = (struct cand){
			.prefix = s->dst & mask_of(s->plen),
			.plen = s->plen,
			.order = naddrs + r,
			.e = {.gw = s->gw,
			      .src = via.src,
			      .port = via.port,
			      .connected = false,
			      .pool = (uint16_t)(via.pool - conn->pool),
			      .npool = via.npool},
		};
	}
	t = layout(c, naddrs + nroutes, naddrs, routes, pool, fault);
out_conn:
	sl_route_free(conn);
out_cand:
	free(grp);
	free(pool);
	free(c);
	return t;
}

static int port_index(const struct sl_dataplane *dp, const char *name)
{
	int i = 0;
	for (const struct sl_dp_port *p = dp->ports; p != NULL; p = p->next, i++)
		if (strcmp(p->name, name) == 0)
			return i;
	return -1;
}

struct sl_route_table *sl_route_build_cfg(const struct sl_dataplane *dp,
					  struct sl_route_fault *fault)
{
	unsigned na = 0, nr = 0;
	for (const struct sl_dp_addr *a = dp->addrs; a != NULL; a = a->next)
		na++;
	for (const struct sl_dp_route *r = dp->routes; r != NULL; r = r->next)
		nr++;
	struct sl_route_table *t = NULL;
	struct sl_route_addr *addrs = calloc(na + 1, sizeof(*addrs));
	struct sl_route_spec *routes = calloc(nr + 1, sizeof(*routes));
	if (addrs == NULL || routes == NULL) {
		fault_set(fault, -ENOMEM, -1, NULL, "out of memory");
		goto out;
	}
	unsigned i = 0;
	for (const struct sl_dp_addr *a = dp->addrs; a != NULL; a = a->next, i++) {
		int pi = port_index(dp, a->port);
		if (pi < 0 || a->net.family != AF_INET) {
			fault_set(fault, -EINVAL, -1, NULL,
				  pi < 0 ? "the address names no declared port"
					 : "the address is not IPv4");
			if (fault != NULL)
				fault->loc = a->loc;
			goto out;
		}
		addrs[i] = (struct sl_route_addr){a->net.v4, a->net.plen, (uint16_t)pi};
	}
	i = 0;
	for (const struct sl_dp_route *r = dp->routes; r != NULL; r = r->next, i++) {
		routes[i] = (struct sl_route_spec){r->dst.v4, r->dst.plen, r->via.v4};
		if (r->dst.family != AF_INET || r->via.family != AF_INET) {
			fault_set(fault, -EINVAL, (int)i, &routes[i], "the route is not IPv4");
			if (fault != NULL)
				fault->loc = r->loc;
			goto out;
		}
	}
	t = sl_route_build(addrs, na, routes, nr, fault);
	if (t == NULL && fault != NULL && fault->route >= 0) {
		const struct sl_dp_route *r = dp->routes;
		for (int k = 0; k < fault->route && r != NULL; k++)
			r = r->next;
		if (r != NULL)
			fault->loc = r->loc;
	}
out:
	free(routes);
	free(addrs);
	return t;
}

void sl_route_free(struct sl_route_table *t)
{
	free(t);
}

bool sl_route_lookup(const struct sl_route_table *t, uint32_t dst, struct sl_route_hop *hop)
{
	for (uint32_t l = 0; l < t->nlens; l++) {
		uint32_t key = dst & t->mask[l];
		/*
		 * The last key <= key in this length's slice (never empty), by halving without a
		 * branch on the comparison: a conditional move instead of a mispredicted jump per
		 * step, as destinations are random to the branch predictor.
		 */
		const uint32_t *k = t->key + t->first[l];
		uint32_t n = t->first[l + 1] - t->first[l];
		while (n > 1) {
			uint32_t half = n >> 1;
			k = k[half] <= key ? k + half : k;
			n -= half;
		}
		if (*k != key)
			continue;
		const struct sl_route_ent *e = &t->ent[k - t->key];
		hop->next_hop = e->connected ? dst : e->gw;
		hop->src = e->src;
		hop->port = e->port;
		hop->connected = e->connected;
		hop->pool = t->pool + e->pool;
		hop->npool = e->npool;
		return true;
	}
	return false;
}

unsigned sl_route_count(const struct sl_route_table *t)
{
	return t->n;
}
