/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/cfg/cfg_reload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "controlplane/cfg/cfg.h"
#include "proto/outbuf.h"

bool sl_cfg_stats_only(const struct sl_proxy *px)
{
	return px->stats.enabled && px->default_backend == NULL && px->switches == NULL &&
	       px->nservers == 0;
}

static bool is_proxy(const struct sl_proxy *px)
{
	return !(px->cap & SL_CAP_DEF);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The proxy of @c named @name with exactly the capabilities @cap, or NULL. */
static const struct sl_proxy *find_exact(const struct sl_cfg *c, const char *name, unsigned cap)
{
	for (const struct sl_proxy *p = c != NULL ? c->proxies : NULL; p != NULL; p = p->next)
		if (is_proxy(p) && p->cap == cap && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* ------------------------------------------------------------------ slots */

/* The next slot in 1..max not taken, from the cursor on; 0 when every slot is taken. */
static int fresh_slot(uint8_t *taken, uint32_t max, uint32_t *cursor)
{
	for (uint32_t k = 0; k < max; k++) {
		uint32_t s = (*cursor + k) % max + 1;
		if (!taken[s]) {
			taken[s] = 1;
			*cursor = s % max;
			return (int)s;
		}
	}
	return 0;
}

int sl_cfg_assign_slots(const struct sl_cfg *old, struct sl_cfg *nw, struct sl_slots *st,
			struct sl_outbuf *why)
{
	uint8_t *pxt = calloc(SL_PX_SLOTS + 1, 1), *svt = calloc(SL_SRV_SLOTS + 1, 1);
	int r = 0;
	if (pxt == NULL || svt == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* first what stays: the same proxy or server keeps its slot */
	for (struct sl_proxy *p = nw->proxies; p != NULL; p = p->next) {
		p->slot = 0;
		for (struct sl_server *s = p->servers; s != NULL; s = s->next)
			s->slot = 0;
		const struct sl_proxy *o = is_proxy(p) ? find_exact(old, p->name, p->cap) : NULL;
		if (o == NULL || o->slot == 0)
			continue;
		p->slot = o->slot;
		pxt[o->slot] = 1;
		for (struct sl_server *s = p->servers; s != NULL; s = s->next) {
			const struct sl_server *os = sl_cfg_find_server(o, s->name);
			if (os != NULL && os->slot > 0) {
				s->slot = os->slot;
				svt[os->slot] = 1;
			}
		}
	}
	/* then what is new */
	for (struct sl_proxy *p = nw->proxies; p != NULL && r == 0; p = p->next) {
		if (!is_proxy(p))
			continue;
		if (p->slot == 0 && (p->slot = fresh_slot(pxt, SL_PX_SLOTS, &st->next_px)) == 0) {
			sl_outbuf_printf(why, "more than %d proxies: no counter slot for '%s'\n",
					 SL_PX_SLOTS, p->name);
			r = -E2BIG;
		}
		for (struct sl_server *s = p->servers; s != NULL && r == 0; s = s->next)
			if (s->slot == 0 &&
			    (s->slot = fresh_slot(svt, SL_SRV_SLOTS, &st->next_srv)) == 0) {
				sl_outbuf_printf(why, "more than %d servers: no counter slot for '%s/%s'\n",
						 SL_SRV_SLOTS, p->name, s->name);
				r = -E2BIG;
			}
	}
out:
	free(pxt);
	free(svt);
	return r;
}

/* ------------------------------------------------------------------ what cannot change live */

static void addr_text(const struct sl_cfg_net *n, bool any, char *buf, size_t len)
{
	if (any)
		snprintf(buf, len, "*");
	else if (n->family == AF_INET)
		snprintf(buf, len, "%u.%u.%u.%u", n->v4 >> 24, n->v4 >> 16 & 255, n->v4 >> 8 & 255,
			 n->v4 & 255);
	else
		snprintf(buf, len, "[ipv6]");
}

static bool same_net(const struct sl_cfg_net *a, const struct sl_cfg_net *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       (a->family == AF_INET ? a->v4 == b->v4 : memcmp(a->v6, b->v6, 16) == 0);
}

static bool same_strs(const struct sl_cfg_str *a, const struct sl_cfg_str *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (strcmp(a->s, b->s) != 0)
			return false;
	return a == NULL && b == NULL;
}

static bool same_ports(const struct sl_dp_port *a, const struct sl_dp_port *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (!same_str(a->name, b->name) || a->driver != b->driver ||
		    !same_str(a->iface, b->iface) || !same_str(a->pci, b->pci) ||
		    a->queues != b->queues || a->mtu != b->mtu || a->xdp_all != b->xdp_all)
			return false;
	return a == NULL && b == NULL;
}

static bool same_addrs(const struct sl_dp_addr *a, const struct sl_dp_addr *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (!same_net(&a->net, &b->net) || !same_str(a->port, b->port))
			return false;
	return a == NULL && b == NULL;
}

static bool same_routes(const struct sl_dp_route *a, const struct sl_dp_route *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (!same_net(&a->dst, &b->dst) || !same_net(&a->via, &b->via))
			return false;
	return a == NULL && b == NULL;
}

static bool same_services(const struct sl_dp_service *a, const struct sl_dp_service *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (a->kind != b->kind || a->port != b->port)
			return false;
	return a == NULL && b == NULL;
}

static bool same_sockets(const struct sl_stats_socket *a, const struct sl_stats_socket *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next)
		if (strcmp(a->path, b->path) != 0 || a->mode != b->mode || a->level != b->level)
			return false;
	return a == NULL && b == NULL;
}

/* Writes "FILE:LINE: " of @loc (of the new configuration) or nothing. */
static void where(struct sl_outbuf *o, const struct sl_cfg_loc *loc)
{
	if (loc != NULL && loc->file != NULL && loc->line > 0)
		sl_outbuf_printf(o, "%s:%d: ", loc->file, loc->line);
	else if (loc != NULL && loc->file != NULL)
		sl_outbuf_printf(o, "%s: ", loc->file);
}

/* One listening port on the proxy lcores: an HTTP frontend's or a stats page's. */
struct lst {
	const struct sl_proxy *px;
	const struct sl_bind *b;
	uint16_t port;
	bool page;
};

static size_t listeners(const struct sl_cfg *c, struct lst *out, size_t max)
{
	size_t n = 0;
	for (const struct sl_proxy *px = c->proxies; px != NULL; px = px->next) {
		if (!is_proxy(px) || !sl_cfg_on_proxy_lcores(px))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			if (b->addr.family != AF_INET)
				continue;
			for (unsigned port = b->port_lo; port <= b->port_hi; port++) {
				if (n < max)
					out[n] = (struct lst){px, b, (uint16_t)port,
							      sl_cfg_stats_only(px)};
				n++;
			}
		}
	}
	return n;
}

static bool same_listener(const struct lst *a, const struct lst *b)
{
	return a->port == b->port && a->page == b->page && a->b->any == b->b->any &&
	       (a->b->any || a->b->addr.v4 == b->b->addr.v4) && a->b->ssl == b->b->ssl;
}

/* Listeners of @a that @b does not have and that cannot come or go live, written as "@what":
 * stats pages, `ssl` binds (their certificates are loaded per lcore before the loops run), and
 * any HTTP listener when the running process has none (@http_engine false: its proxy lcores
 * have no HTTP engine to listen with). Plain HTTP frontends' ports come and go by reload. */
static int listener_diff(const struct lst *a, size_t na, const struct lst *b, size_t nb,
			 const char *what, bool http_engine, struct sl_outbuf *why)
{
	int n = 0;
	for (size_t i = 0; i < na; i++) {
		size_t k = 0;
		while (k < nb && !same_listener(&a[i], &b[k]))
			k++;
		if (k < nb || (!a[i].page && !a[i].b->ssl && http_engine))
			continue;
		char ip[64];
		addr_text(&a[i].b->addr, a[i].b->any, ip, sizeof(ip));
		where(why, &a[i].b->loc);
		sl_outbuf_printf(why, "bind: %s %s:%u%s of '%s' %s: the proxy lcores' listening ports change only with a restart\n",
				 a[i].page ? "stats page" : "HTTP frontend", ip, a[i].port,
				 a[i].b->ssl ? " ssl" : "", a[i].px->name, what);
		n++;
	}
	return n;
}

#define MAX_LST 4096

int sl_cfg_reload_check(const struct sl_cfg *old, const struct sl_cfg *nw, struct sl_outbuf *why)
{
	int n = 0;
	const struct sl_dataplane *a = &old->dp, *b = &nw->dp;
	static const char restart[] = "cannot change in a running process (restart sluiced)";
	const struct {
		bool same;
		const char *what;
	} dp[] = {
		{a->present == b->present, "the dataplane section"},
		{same_ports(a->ports, b->ports), "port"},
		{same_addrs(a->addrs, b->addrs), "address"},
		{same_routes(a->routes, b->routes), "route"},
		{memcmp(&a->cores, &b->cores, sizeof(a->cores)) == 0 &&
			 memcmp(&a->cores_on, &b->cores_on, sizeof(a->cores_on)) == 0,
		 "cores"},
		{a->memory_mb == b->memory_mb, "memory"},
		{a->flows == b->flows, "flows"},
		{a->idle == b->idle, "idle"},
		{a->control == b->control, "control"},
		{same_strs(a->eal_args, b->eal_args), "eal"},
		{same_services(a->services, b->services), "service"},
	};
	for (size_t i = 0; i < sizeof(dp) / sizeof(dp[0]); i++) {
		if (dp[i].same)
			continue;
		where(why, &b->loc);
		sl_outbuf_printf(why, "dataplane: '%s' %s\n", dp[i].what, restart);
		n++;
	}
	const struct sl_global *ga = &old->global, *gb = &nw->global;
	const struct {
		bool same;
		const char *what;
	} gl[] = {
		{ga->maxconn == gb->maxconn, "maxconn"},
		{ga->nbthread == gb->nbthread, "nbthread"},
		{ga->bufsize == gb->bufsize, "tune.bufsize"},
		{ga->maxrewrite == gb->maxrewrite, "tune.maxrewrite"},
		{same_sockets(ga->sockets, gb->sockets), "stats socket"},
	};
	for (size_t i = 0; i < sizeof(gl) / sizeof(gl[0]); i++) {
		if (gl[i].same)
			continue;
		sl_outbuf_printf(why, "global: '%s' %s\n", gl[i].what, restart);
		n++;
	}
	struct lst *la = calloc(MAX_LST, sizeof(*la)), *lb = calloc(MAX_LST, sizeof(*lb));
	if (la == NULL || lb == NULL) {
		sl_outbuf_printf(why, "out of memory comparing the listeners\n");
		n++;
	} else {
		size_t na = listeners(old, la, MAX_LST), nb = listeners(nw, lb, MAX_LST);
		if (na > MAX_LST || nb > MAX_LST) {
			sl_outbuf_printf(why, "more than %d listening ports on the proxy lcores\n", MAX_LST);
			n++;
		} else {
			bool engine = false; /* the running process serves HTTP frontends */
			for (size_t i = 0; i < na; i++)
				engine |= !la[i].page;
			n += listener_diff(lb, nb, la, na, "added", engine, why);
			n += listener_diff(la, na, lb, nb, "removed", engine, why);
		}
	}
	free(la);
	free(lb);
	return n;
}

/* ------------------------------------------------------------------ what changes */

static const char *kind(const struct sl_proxy *p)
{
	return p->cap == (SL_CAP_FE | SL_CAP_BE) ? "listen" : p->cap == SL_CAP_FE ? "frontend" : "backend";
}

static void ip_port(const struct sl_server *s, char *buf, size_t len)
{
	char ip[64];
	if (s->addr.family == 0) { /* a host name left without an address (init-addr none) */
		snprintf(buf, len, "no address");
		return;
	}
	addr_text(&s->addr, false, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, s->port);
}

static bool same_bind(const struct sl_bind *a, const struct sl_bind *b)
{
	return a->any == b->any && (a->any || same_net(&a->addr, &b->addr)) &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi && a->ssl == b->ssl;
}

/* Binds of @a that @b does not have, one line each ("frontend web bind *:81 added"). */
static int bind_changes(const struct sl_proxy *a, const struct sl_proxy *b, const char *what,
			struct sl_outbuf *out)
{
	int n = 0;
	for (const struct sl_bind *x = a->binds; x != NULL; x = x->next) {
		const struct sl_bind *y = b->binds;
		while (y != NULL && !same_bind(x, y))
			y = y->next;
		if (y != NULL)
			continue;
		char ip[64];
		addr_text(&x->addr, x->any, ip, sizeof(ip));
		if (x->port_lo == x->port_hi)
			sl_outbuf_printf(out, "%s %s bind %s:%u%s %s\n", kind(a), a->name, ip, x->port_lo,
					 x->ssl ? " ssl" : "", what);
		else
			sl_outbuf_printf(out, "%s %s bind %s:%u-%u%s %s\n", kind(a), a->name, ip,
					 x->port_lo, x->port_hi, x->ssl ? " ssl" : "", what);
		n++;
	}
	return n;
}

int sl_cfg_reload_summary(const struct sl_cfg *old, const struct sl_cfg *nw, struct sl_outbuf *out)
{
	int n = 0;
	for (const struct sl_proxy *p = nw->proxies; p != NULL; p = p->next) {
		if (!is_proxy(p))
			continue;
		const struct sl_proxy *o = find_exact(old, p->name, p->cap);
		if (o == NULL) {
			sl_outbuf_printf(out, "%s %s added\n", kind(p), p->name);
			n++;
		} else if (p->cap & SL_CAP_FE) {
			n += bind_changes(p, o, "added", out);
			n += bind_changes(o, p, "removed", out);
		}
		for (const struct sl_server *s = p->servers; s != NULL; s = s->next) {
			const struct sl_server *os = o != NULL ? sl_cfg_find_server(o, s->name) : NULL;
			char a[80], b[80];
			ip_port(s, b, sizeof(b));
			if (os == NULL) {
				sl_outbuf_printf(out, "server %s/%s added (%s)\n", p->name, s->name, b);
				n++;
				continue;
			}
			ip_port(os, a, sizeof(a));
			if (strcmp(a, b) != 0) {
				sl_outbuf_printf(out, "server %s/%s address %s -> %s\n", p->name, s->name, a, b);
				n++;
			}
			if (os->p.weight != s->p.weight) {
				sl_outbuf_printf(out, "server %s/%s weight %d -> %d\n", p->name, s->name,
						 os->p.weight, s->p.weight);
				n++;
			}
		}
		for (const struct sl_server *os = o != NULL ? o->servers : NULL; os != NULL; os = os->next)
			if (sl_cfg_find_server(p, os->name) == NULL) {
				sl_outbuf_printf(out, "server %s/%s removed\n", p->name, os->name);
				n++;
			}
	}
	for (const struct sl_proxy *o = old->proxies; o != NULL; o = o->next)
		if (is_proxy(o) && find_exact(nw, o->name, o->cap) == NULL) {
			sl_outbuf_printf(out, "%s %s removed\n", kind(o), o->name);
			n++;
		}
	return n;
}
