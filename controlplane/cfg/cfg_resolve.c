/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server addresses written as host names: the init-addr methods (HAProxy's srv_iterate_initaddr())
 * applied after the parse, on main, at start, at `sluiced -c` and at each reload. The parser stays
 * pure: the name lookup is a function passed in (getaddrinfo() in sluiced, a table in the tests).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cfg/cfg.h"

const char *sl_cfg_init_addr_name(enum sl_init_addr_method m)
{
	switch (m) {
	case SL_INIT_LAST:
		return "last";
	case SL_INIT_LIBC:
		return "libc";
	case SL_INIT_NONE:
		return "none";
	case SL_INIT_IP:
		return "ip";
	case SL_INIT_DNS:
		return "dns";
	}
	return "?";
}

static void diag(const struct sl_cfg_resolve_opts *o, enum sl_cfg_diag_level lvl,
		 const struct sl_cfg_loc *loc, const char *msg)
{
	if (o->diag_fn != NULL) {
		o->diag_fn(o->diag_arg, lvl, loc->file, loc->line, msg);
		return;
	}
	char pre[4200];
	sl_cfg_diag_prefix(pre, sizeof(pre), lvl, loc->file, loc->line);
	fprintf(stderr, "%s%s\n", pre, msg);
}

/* "last": the running configuration's address for the same backend/server written with the
 * same name, when the backend loads server state (HAProxy reads it from its server-state file;
 * sluice's state is the running one). Without load-server-state-from-file HAProxy has no state
 * to read, so "last" finds nothing and a reload resolves the name again. */
static bool last_addr(const struct sl_cfg *running, const struct sl_proxy *px,
		      const struct sl_server *s, uint32_t *v4)
{
	if (running == NULL || !px->load_server_state)
		return false;
	const struct sl_proxy *opx = sl_cfg_find_proxy(running, px->name, SL_CAP_BE);
	const struct sl_server *os = opx != NULL ? sl_cfg_find_server(opx, s->name) : NULL;
	if (os == NULL || os->host == NULL || strcmp(os->host, s->host) != 0 ||
	    os->addr.family != AF_INET)
		return false;
	*v4 = os->addr.v4;
	return true;
}

/* Applies the methods of @s in order; 0 when one gave an outcome, else -1 with @why filled. */
static int resolve_server(const struct sl_cfg_resolve_opts *o, const struct sl_proxy *px,
			  struct sl_server *s, char *why, size_t whylen)
{
	static const struct sl_init_addr dflt = {
		.n = 2, .m = {{.m = SL_INIT_LAST}, {.m = SL_INIT_LIBC}}};
	const struct sl_init_addr *ia = s->p.init_addr.n > 0 ? &s->p.init_addr : &dflt;
	size_t off = 0;
	why[0] = '\0';
	if (o->runtime_fn != NULL) {
		uint32_t v4 = 0;
		int r = o->runtime_fn(o->runtime_arg, px, s, &v4);
		if (r >= 0) {
			s->addr = r > 0 ? (struct sl_cfg_net){.family = AF_INET, .plen = 32, .v4 = v4} :
					  (struct sl_cfg_net){0};
			s->addr_from = SL_INIT_DNS;
			if (r == 0)
				snprintf(why, whylen, "the resolvers' last answers gave none");
			return 0;
		}
		/* not the resolvers' server: the address it has now, whatever gave it */
		const struct sl_proxy *opx =
			o->running != NULL ? sl_cfg_find_proxy(o->running, px->name, SL_CAP_BE) : NULL;
		const struct sl_server *os = opx != NULL ? sl_cfg_find_server(opx, s->name) : NULL;
		if (os != NULL && os->host != NULL && strcmp(os->host, s->host) == 0) {
			s->addr = os->addr;
			s->addr_from = os->addr_from;
			return 0;
		}
	}
	for (int i = 0; i < ia->n; i++) {
		uint32_t v4 = 0;
		char err[160] = "";
		int r = -ENOENT;
		switch (ia->m[i].m) {
		case SL_INIT_LAST:
			r = last_addr(o->running, px, s, &v4) ? 0 : -ENOENT;
			if (r < 0)
				snprintf(err, sizeof(err), "%s",
					 o->running == NULL	 ? "no running configuration" :
					 !px->load_server_state ? "no server state (load-server-state-from-file)" :
								  "no address in the running configuration");
			break;
		case SL_INIT_LIBC:
			r = o->fn != NULL ? o->fn(o->arg, s->host, &v4, err, sizeof(err)) : -ENOSYS;
			if (r == -EAFNOSUPPORT)
				snprintf(err, sizeof(err),
					 "the name has IPv6 addresses only: IPv6 servers are not supported yet");
			else if (r < 0 && err[0] == '\0')
				snprintf(err, sizeof(err), "%s", strerror(-r));
			break;
		case SL_INIT_NONE:
			memset(&s->addr, 0, sizeof(s->addr));
			s->addr_from = SL_INIT_NONE;
			return 0;
		case SL_INIT_IP:
			v4 = ia->m[i].ip;
			r = 0;
			break;
		case SL_INIT_DNS: /* not a method of the list */
			break;
		}
		if (r == 0) {
			s->addr = (struct sl_cfg_net){.family = AF_INET, .plen = 32, .v4 = v4};
			s->addr_from = ia->m[i].m;
			return 0;
		}
		if (off < whylen)
			off += (size_t)snprintf(why + off, whylen - off, "%s%s: %s", i > 0 ? "; " : "",
						sl_cfg_init_addr_name(ia->m[i].m), err);
	}
	return -1;
}

int sl_cfg_resolve(struct sl_cfg *cfg, const struct sl_cfg_resolve_opts *o)
{
	int bad = 0;
	for (struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_BE))
			continue;
		for (struct sl_server *s = px->servers; s != NULL; s = s->next) {
			if (s->host == NULL)
				continue;
			char why[600], msg[900];
			if (resolve_server(o, px, s, why, sizeof(why)) < 0) {
				snprintf(msg, sizeof(msg),
					 "'server %s/%s': could not resolve address '%s' (%s)", px->name,
					 s->name, s->host, why);
				diag(o, SL_DIAG_ERROR, &s->loc, msg);
				cfg->nerrors++;
				bad++;
			} else if (s->addr.family != 0) {
				/* the address the name gave: one the dataplane reaches? */
				int lvl = sl_cfg_server_reach(cfg, px, s, msg, sizeof(msg));
				if (lvl == SL_DIAG_WARNING && cfg->strict) {
					diag(o, SL_DIAG_WARNING, &s->loc, msg);
					snprintf(msg, sizeof(msg),
						 "--strict: the warning above makes the configuration invalid");
					lvl = SL_DIAG_ERROR;
				}
				if (lvl >= 0) {
					diag(o, (enum sl_cfg_diag_level)lvl, &s->loc, msg);
					cfg->nerrors += lvl == SL_DIAG_ERROR;
					cfg->nwarnings += lvl == SL_DIAG_WARNING;
					bad += lvl == SL_DIAG_ERROR;
				}
			} else {
				snprintf(msg, sizeof(msg),
					 s->addr_from == SL_INIT_DNS || s->p.resolvers != NULL ?
						 "'server %s/%s': no address for '%s' (%s%s%s): the server is in maintenance until its resolvers resolve the name" :
						 "'server %s/%s': no address for '%s' (%s%s%s): the server is in maintenance until a reload resolves it",
					 px->name, s->name, s->host, why, why[0] != '\0' ? "; " : "",
					 s->addr_from == SL_INIT_DNS ? "resolvers" : "init-addr none");
				diag(o, SL_DIAG_NOTICE, &s->loc, msg);
			}
		}
	}
	return bad > 0 ? -EINVAL : 0;
}
