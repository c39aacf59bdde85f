/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks that need the whole configuration: references to backends and dataplane ports, modes
 * that must agree, listeners that would be ambiguous on the dataplane, and HAProxy's warnings
 * (missing timeouts, server cookies without a backend cookie), `source` addresses sluice owns.
 */
#include "controlplane/cfg/cfg_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "controlplane/cfg/portplan.h"

static void check_backend_ref(struct cfg_ctx *c, const struct sl_proxy *fe, const char *name,
			      const struct sl_cfg_loc *loc, const char *kw)
{
	const struct sl_proxy *be = sl_cfg_find_proxy(c->cfg, name, SL_CAP_BE);
	if (be == NULL) {
		cfg_err_at(c, loc, "'%s': no backend named '%s'", kw, name);
		return;
	}
	if (be->mode != fe->mode)
		cfg_err_at(c, loc,
			   "'%s': %s '%s' is in mode %s but backend '%s' is in mode %s", kw,
			   fe->cap == SL_CAP_FE ? "frontend" : "listen", fe->name,
			   fe->mode == SL_MODE_HTTP ? "http" : "tcp", be->name,
			   be->mode == SL_MODE_HTTP ? "http" : "tcp");
}

static bool nets_overlap(const struct sl_bind *a, const struct sl_bind *b)
{
	if (a->port_hi < b->port_lo || b->port_hi < a->port_lo)
		return false;
	if (a->any != b->any)
		return false; /* a specific address wins over a wildcard, as with sockets */
	if (a->any)
		return a->addr.family == b->addr.family;
	if (a->addr.family != b->addr.family)
		return false;
	if (a->addr.family == AF_INET)
		return a->addr.v4 == b->addr.v4;
	return memcmp(a->addr.v6, b->addr.v6, 16) == 0;
}

/* Returns the first bind declared before @b that overlaps it, or NULL; *@owner gets its proxy. */
static const struct sl_bind *earlier_conflict(const struct sl_cfg *cfg, const struct sl_bind *b,
					      const struct sl_proxy **owner)
{
	for (const struct sl_proxy *q = cfg->proxies; q != NULL; q = q->next)
		for (const struct sl_bind *o = q->binds; o != NULL; o = o->next) {
			if (o == b)
				return NULL;
			if (nets_overlap(b, o)) {
				*owner = q;
				return o;
			}
		}
	return NULL;
}

/* Two frontends on one VIP:port cannot both own it on the dataplane (no SO_REUSEPORT there). */
static void check_binds(struct cfg_ctx *c)
{
	for (struct sl_proxy *p = c->cfg->proxies; p != NULL; p = p->next)
		for (struct sl_bind *b = p->binds; b != NULL; b = b->next) {
			const struct sl_proxy *q = NULL;
			const struct sl_bind *o = earlier_conflict(c->cfg, b, &q);
			if (o == NULL)
				continue;
			cfg_err_at(c, &b->loc,
				   "'bind': %s '%s' listens on a port that %s '%s' already binds at %s:%d",
				   p->cap == SL_CAP_FE ? "frontend" : "listen", p->name,
				   q->cap == SL_CAP_FE ? "frontend" : "listen", q->name, o->loc.file,
				   o->loc.line);
		}
}

/* The subnet of the `address` line @a holds @ip. */
static bool on_subnet(const struct sl_dp_addr *a, uint32_t ip)
{
	uint32_t mask = a->net.plen == 0 ? 0 : ~0u << (32 - a->net.plen);
	return ((a->net.v4 ^ ip) & mask) == 0;
}

/*
 * The dataplane's routes (docs/config.md, `route`). A gateway must be directly reachable, on the
 * subnet of an `address` line, whose port the route then takes: sluice resolves each gateway
 * once, at start, never through another route (dataplane/core/route.c refuses the same at
 * build). A gateway that is sluice's own address would loop. Two routes to one NET/LEN would be
 * ambiguous; overlapping routes are fine: the longest prefix wins. A route to a connected subnet
 * is never used (the connected subnet wins the tie): a warning.
 */
static void check_routes(struct cfg_ctx *c)
{
	const struct sl_dataplane *dp = &c->cfg->dp;
	for (const struct sl_dp_route *r = dp->routes; r != NULL; r = r->next) {
		char dst[CFG_NET_TEXT], via[CFG_NET_TEXT];
		if (r->dst.plen == 0)
			snprintf(dst, sizeof(dst), "default");
		else
			cfg_net_text(&r->dst, true, dst, sizeof(dst));
		cfg_net_text(&r->via, false, via, sizeof(via));
		const struct sl_dp_addr *own = NULL, *link = NULL, *same = NULL;
		for (const struct sl_dp_addr *a = dp->addrs; a != NULL; a = a->next) {
			if (own == NULL && a->net.v4 == r->via.v4)
				own = a;
			if (link == NULL && on_subnet(a, r->via.v4))
				link = a;
			if (same == NULL && a->net.plen == r->dst.plen && on_subnet(a, r->dst.v4))
				same = a;
		}
		if (own != NULL)
			cfg_err_at(c, &r->loc,
				   "'route': gateway '%s' is sluice's own address (declared at %s:%d)", via,
				   own->loc.file, own->loc.line);
		else if (link == NULL)
			cfg_err_at(c, &r->loc,
				   "'route': gateway '%s' is on no subnet of an 'address' line; a gateway must be directly reachable",
				   via);
		for (const struct sl_dp_route *e = dp->routes; e != r; e = e->next)
			if (e->dst.plen == r->dst.plen && e->dst.v4 == r->dst.v4) {
				cfg_err_at(c, &r->loc, "'route': '%s' is already routed at %s:%d", dst,
					   e->loc.file, e->loc.line);
				break;
			}
		if (same != NULL)
			cfg_warn_at(c, &r->loc,
				    "'route': '%s' is the connected subnet of the address at %s:%d; the route is never used",
				    dst, same->loc.file, same->loc.line);
	}
}

/*
 * The local ports sluice opens connections from (portplan.h) must stay clear of every bind, since
 * replies are steered by destination port: a plan that cannot be made is an error at the bind that
 * takes the room, a range that moved is a notice at the bind that moved it. The lcore counts are
 * those the dataplane section's 'cores' implies.
 */
static void check_port_plan(struct cfg_ctx *c)
{
	unsigned nw, np;
	sl_port_plan_lcores(c->cfg, &nw, &np);
	struct sl_port_plan plan, dflt;
	struct sl_cfg_loc at;
	char why[512];
	if (sl_port_plan_make_at(c->cfg, nw, np, &plan, &at, why, sizeof(why)) < 0) {
		cfg_err_at(c, &at, "%s", why);
		return;
	}
	if (sl_port_plan_make(NULL, nw, np, &dflt, NULL, 0) < 0)
		return;
	for (unsigned u = 0; u < SL_PORT_NUSES; u++) {
		const struct sl_port_range *r = &plan.r[u], *d = &dflt.r[u];
		if (r->lo == d->lo && r->hi == d->hi && r->span == d->span)
			continue;
		const char *name = sl_port_plan_use_name((enum sl_port_use)u);
		const char *per = sl_port_plan_lcore_name((enum sl_port_use)u);
		struct sl_port_occupant o;
		char ports[32];
		if (sl_port_plan_occupant(c->cfg, d->lo, d->hi, &o)) {
			snprintf(ports, sizeof(ports), o.lo == o.hi ? "port %u" : "ports %u-%u",
				 o.lo, o.hi);
			cfg_notice_at(
				c, &o.loc,
				"the %s move from %u-%u to %u-%u (%u per %s): '%s' %s %s inside",
				name, d->lo, d->hi, r->lo, r->hi, r->span, per, o.kw, ports,
				o.lo == o.hi ? "falls" : "fall");
		} else {
			cfg_notice_at(c, &c->cfg->dp.loc,
				      "the %s move from %u-%u to %u-%u (%u per %s), to leave room "
				      "for the others",
				      name, d->lo, d->hi, r->lo, r->hi, r->span, per);
		}
	}
}

/* `source ADDR` at @loc must be one of the dataplane's addresses (sluice can send from no other). */
static void check_source(struct cfg_ctx *c, const struct sl_cfg_net *n, const struct sl_cfg_loc *loc,
			 const char *what)
{
	if (n->family != AF_INET)
		return;
	for (const struct sl_dp_addr *a = c->cfg->dp.addrs; a != NULL; a = a->next)
		if (a->net.family == AF_INET && a->net.v4 == n->v4)
			return;
	char ip[INET_ADDRSTRLEN];
	struct in_addr in = {.s_addr = htonl(n->v4)};
	inet_ntop(AF_INET, &in, ip, sizeof(ip));
	cfg_err_at(c, loc,
		   "'source': %s (%s) is not one of sluice's addresses (the dataplane section's "
		   "'address' lines): sluice connects to servers from its own addresses only",
		   ip, what);
}

/*
 * A frontend's `bind` on a specific IPv4 address must be one of the dataplane's: sluice answers
 * ARP for and receives on its `address`es only, so any other would listen nowhere (HAProxy fails
 * to start when it cannot bind). A stats page may bind a kernel address (controlplane/kpage.c).
 * The dataplane serves IPv4 only: an IPv6 bind listens nowhere (a warning).
 */
static void check_bind_owned(struct cfg_ctx *c, const struct sl_proxy *px, const struct sl_bind *b)
{
	const char *kind = px->cap == SL_CAP_FE ? "frontend" : "listen";
	if (b->addr.family == AF_INET6) {
		cfg_warn_at(c, &b->loc,
			    "'bind': %s '%s': an IPv6 address listens nowhere: the dataplane serves "
			    "IPv4 only for now (bind '*:PORT' for IPv4)",
			    kind, px->name);
		return;
	}
	if (b->addr.family != AF_INET || b->any)
		return;
	for (const struct sl_dp_addr *a = c->cfg->dp.addrs; a != NULL; a = a->next)
		if (a->net.family == AF_INET && a->net.v4 == b->addr.v4)
			return;
	if (px->mode == SL_MODE_HTTP && px->stats.enabled)
		return; /* a stats page on a kernel address: the main lcore serves it */
	char ip[CFG_NET_TEXT];
	cfg_net_text(&b->addr, false, ip, sizeof(ip));
	cfg_err_at(c, &b->loc,
		   "'bind': %s is not one of sluice's addresses (the dataplane section's 'address' "
		   "lines): %s '%s' would listen nowhere; bind one of them or '*'",
		   ip, kind, px->name);
}

int sl_cfg_server_reach(const struct sl_cfg *cfg, const struct sl_proxy *px,
			const struct sl_server *s, char *msg, size_t len)
{
	const struct sl_dataplane *dp = &cfg->dp;
	if (!dp->present || s->addr.family == 0)
		return -1;
	char ip[CFG_NET_TEXT];
	cfg_net_text(&s->addr, false, ip, sizeof(ip));
	if (s->addr.family == AF_INET6) {
		snprintf(msg, len,
			 "'server %s/%s': IPv6 address %s: IPv6 servers are not supported yet (the "
			 "dataplane serves IPv4 only): the server is never used",
			 px->name, s->name, ip);
		return SL_DIAG_WARNING;
	}
	if ((s->addr.v4 >> 24) == 127) {
		snprintf(msg, len,
			 "'server %s/%s': %s is a loopback address: sluice's dataplane cannot reach "
			 "the host's loopback, so no connection to it succeeds; give the server an "
			 "address reached through a dataplane port",
			 px->name, s->name, ip);
		return SL_DIAG_WARNING;
	}
	for (const struct sl_dp_addr *a = dp->addrs; a != NULL; a = a->next)
		if (a->net.family == AF_INET && on_subnet(a, s->addr.v4))
			return -1;
	for (const struct sl_dp_route *r = dp->routes; r != NULL; r = r->next) {
		uint32_t mask = r->dst.plen == 0 ? 0 : ~0u << (32 - r->dst.plen);
		if (((r->dst.v4 ^ s->addr.v4) & mask) == 0)
			return -1;
	}
	snprintf(msg, len,
		 "'server %s/%s': %s is on no subnet of an 'address' line and under no 'route': "
		 "sluice cannot reach it (add 'route NET via GATEWAY' to the dataplane section)",
		 px->name, s->name, ip);
	return SL_DIAG_WARNING;
}

/* `control`: meaningful with two cores or more, placed by `cores` alone (not `cores ... on`). */
static void check_control(struct cfg_ctx *c)
{
	const struct sl_dataplane *dp = &c->cfg->dp;
	if (dp->control == SL_CONTROL_DEFAULT)
		return;
	const char *how = dp->control == SL_CONTROL_SHARED ? "shared" : "own";
	if (sl_cpus_count(&dp->cores_on) != 0)
		cfg_err_at(c, &dp->control_loc,
			   "'control %s' cannot be combined with 'cores LIST on CPULIST', which places every lcore itself",
			   how);
	else if (sl_cpus_count(&dp->cores) < 2)
		cfg_warn_at(c, &dp->control_loc,
			    "'control %s' has no effect with one core: main is also the worker and the proxy lcore",
			    how);
}

void cfg_check(struct cfg_ctx *c)
{
	struct sl_cfg *cfg = c->cfg;
	cfg_stick_check(c);

	cfg_resolvers_check(c);

	cfg_userlist_resolve(c);

	for (struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (px->mode == SL_MODE_TCP &&
		    (px->log_format == SL_LOG_HTTP || px->log_format == SL_LOG_HTTP_CLF)) {
			/* as HAProxy: an HTTP log format cannot describe a TCP proxy */
			cfg_warn_at(c, &px->loc,
				    "'option httplog' not usable with %s '%s' (needs 'mode http'); falling back to 'option tcplog'",
				    px->cap == SL_CAP_FE ? "frontend" :
				    px->cap == SL_CAP_BE ? "backend" : "listen",
				    px->name);
			px->log_format = SL_LOG_TCP;
		}
		if (px->mode == SL_MODE_TCP) {
			/* as HAProxy: HTTP-only settings of a TCP proxy are reported, not applied */
			const char *kind = px->cap == SL_CAP_FE ? "frontend" :
					   px->cap == SL_CAP_BE ? "backend" : "listen";
			if (px->req_rules != NULL)
				cfg_warn_at(c, &px->req_rules->loc,
					    "'http-request' rules ignored for %s '%s' as they require HTTP mode",
					    kind, px->name);
			if (px->rsp_rules != NULL)
				cfg_warn_at(c, &px->rsp_rules->loc,
					    "'http-response' rules ignored for %s '%s' as they require HTTP mode",
					    kind, px->name);
			if ((px->cap & SL_CAP_FE) && px->monitor_uri != NULL)
				cfg_warn_at(c, &px->monitor_uri_loc,
					    "'monitor-uri' ignored for %s '%s' as it requires HTTP mode",
					    kind, px->name);
			if (px->redirects != NULL)
				cfg_warn_at(c, &px->redirects->loc,
					    "'redirect' rules ignored for %s '%s' as they require HTTP mode",
					    kind, px->name);
			if ((px->cap & SL_CAP_BE) &&
			    (px->balance == SL_BAL_URI || px->balance == SL_BAL_HDR))
				cfg_warn_at(c, &px->loc,
					    "'balance %s' needs HTTP mode in %s '%s': flows are hashed by their addresses instead",
					    px->balance == SL_BAL_URI ? "uri" : "hdr", kind, px->name);
		}
		cfg_check_tcp_rules(c, px);
		cfg_check_pproxy(c, px);
		if (px->cap & SL_CAP_FE) {
			if (px->default_backend != NULL)
				check_backend_ref(c, px, px->default_backend,
						  &px->default_backend_loc, "default_backend");
			for (struct sl_switch *sw = px->switches; sw != NULL; sw = sw->next)
				if (sw->lf == NULL) /* a dynamic name is looked up per request */
					check_backend_ref(c, px, sw->backend, &sw->loc, "use_backend");
			for (struct sl_bind *b = px->binds; cfg->dp.present && b != NULL; b = b->next)
				check_bind_owned(c, px, b);
			if (px->binds == NULL)
				cfg_warn_at(c, &px->loc,
					    "%s '%s' has no 'bind' line; declare it as a backend if this was intended",
					    px->cap == SL_CAP_FE ? "frontend" : "listen", px->name);
			for (struct sl_bind *b = px->binds; b != NULL; b = b->next)
				if (b->ssl && b->crts == NULL && b->crt_lists == NULL)
					cfg_err_at(c, &b->loc,
						   "'bind': 'ssl' without a certificate ('crt FILE|DIR' or 'crt-list FILE') in %s '%s'",
						   px->cap == SL_CAP_FE ? "frontend" : "listen",
						   px->name);
			if (px->to.client == 0)
				cfg_warn_at(c, &px->loc,
					    "missing 'timeout client' for %s '%s': idle clients are never closed",
					    px->cap == SL_CAP_FE ? "frontend" : "listen", px->name);
		}
		if (px->cap & SL_CAP_BE) {
			if (px->to.connect == 0 || px->to.server == 0)
				cfg_warn_at(c, &px->loc,
					    "missing 'timeout connect' or 'timeout server' for %s '%s'",
					    px->cap == SL_CAP_BE ? "backend" : "listen", px->name);
			for (struct sl_server *s = px->servers; s != NULL; s = s->next) {
				cfg_http_check_connect(px, s);
				cfg_check_srv_ssl(c, px, s);
			}
			for (struct sl_server *s = px->servers; s != NULL; s = s->next)
				if (s->cookie != NULL && px->cookie.name == NULL)
					cfg_warn_at(c, &s->loc,
						    "server '%s/%s' has a cookie ('%s') but backend '%s' has no 'cookie' line: it is ignored",
						    px->name, s->name, s->cookie, px->name);
			if (px->tcpchk.nrules > 0 && !px->tcpchk.on)
				cfg_warn_at(c, &px->tcpchk.loc,
					    "backend '%s' uses tcp-check rules without 'option tcp-check', so the rules are ignored",
					    px->name);
			if (px->cookie.name != NULL && px->mode != SL_MODE_HTTP)
				cfg_warn_at(c, &px->loc,
					    "'cookie' is ignored in backend '%s': it requires mode http",
					    px->name);
		}
	}
	check_binds(c);
	check_control(c);
	check_port_plan(c);

	struct sl_dataplane *dp = &cfg->dp;
	for (struct sl_dp_addr *a = dp->addrs; a != NULL; a = a->next) {
		bool found = false;
		for (struct sl_dp_port *p = dp->ports; p != NULL; p = p->next)
			found |= strcmp(p->name, a->port) == 0;
		if (!found)
			cfg_err_at(c, &a->loc, "'address': no dataplane port named '%s'", a->port);
	}
	check_routes(c);
	/* without a dataplane section nothing runs (warned below): no address to check against */
	for (struct sl_proxy *px = cfg->proxies; dp->present && px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_BE))
			continue;
		char what[160];
		snprintf(what, sizeof(what), "backend '%s'", px->name);
		check_source(c, &px->source, &px->source_loc, what);
		for (const struct sl_server *s = px->servers; s != NULL; s = s->next) {
			snprintf(what, sizeof(what), "server '%s/%s'", px->name, s->name);
			check_source(c, &s->p.source, &s->p.source_loc, what);
			char msg[512];
			int lvl = sl_cfg_server_reach(cfg, px, s, msg, sizeof(msg));
			if (lvl == SL_DIAG_ERROR)
				cfg_err_at(c, &s->loc, "%s", msg);
			else if (lvl == SL_DIAG_WARNING)
				cfg_warn_at(c, &s->loc, "%s", msg);
		}
	}
	cfg_alog_check(c);
	if (dp->present && dp->ports == NULL)
		cfg_err_at(c, &dp->loc, "'dataplane': no 'port' line: sluice needs a NIC to own");
	if (dp->present && dp->addrs == NULL)
		cfg_err_at(c, &dp->loc, "'dataplane': no 'address' line: sluice answers for no address");
	if (!dp->present && !c->opts->no_dataplane_ok) {
		struct sl_cfg_loc l = {.file = NULL, .line = 0};
		cfg_warn_at(c, &l,
			    "no 'dataplane' section: the configuration is valid, but sluiced needs one to run (see docs/config.md)");
	}
}
