/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `tcp-request connection|content accept|reject [if|unless COND]` and `tcp-request
 * inspect-delay TIME` (HAProxy 2.6, configuration manual 4.2), and the checks that decide
 * which path a mode tcp frontend takes: the workers' L4 full-NAT path (connection rules are
 * evaluated there on the SYN), or the proxy lcores' TCP proxy when it has content rules,
 * use_backend rules (the L4 path balances a flow from its SYN alone, to the default backend)
 * or an `ssl` bind (TLS terminated, plain bytes to the servers).
 *
 * The other actions HAProxy defines are refused by name with what sluice does instead.
 */
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

/* What each fetch needs: the connection only, its TLS session (an `ssl` bind's handshake, done
 * before the content rules run), the client's first bytes, or an HTTP request. */
enum need { NEED_CONN, NEED_SSL, NEED_PAYLOAD, NEED_HTTP };

static enum need fetch_need(enum sl_acl_fetch f)
{
	switch (f) {
	case SL_FETCH_SRC:
	case SL_FETCH_DST:
	case SL_FETCH_DST_PORT:
	case SL_FETCH_SRC_PORT:
	case SL_FETCH_ALWAYS_TRUE:
	case SL_FETCH_ALWAYS_FALSE:
		return NEED_CONN;
	case SL_FETCH_SSL_FC:
	case SL_FETCH_SSL_FC_SNI:
		return NEED_SSL;
	case SL_FETCH_REQ_LEN:
	case SL_FETCH_REQ_SSL_HELLO_TYPE:
	case SL_FETCH_REQ_SSL_VER:
	case SL_FETCH_REQ_SSL_SNI:
		return NEED_PAYLOAD;
	default:
		return NEED_HTTP;
	}
}

/* The first ACL line of @cond (or of the named ACLs it uses) whose fetch needs more than
 * @max; NULL when none. */
static const struct sl_acl *cond_needs(const struct sl_proxy *px, const struct sl_cond *cond,
				       enum need max)
{
	if (cond == NULL)
		return NULL;
	for (const struct sl_cond_and *a = cond->ors; a != NULL; a = a->next)
		for (const struct sl_cond_term *t = a->terms; t != NULL; t = t->next) {
			if (t->anon != NULL) {
				if (fetch_need(t->anon->fetch) > max)
					return t->anon;
				continue;
			}
			for (const struct sl_acl *l = px->acls; l != NULL; l = l->next)
				if (l->name != NULL && t->name != NULL && strcmp(l->name, t->name) == 0 &&
				    fetch_need(l->fetch) > max)
					return l;
		}
	return NULL;
}

static bool cond_uses_payload(const struct sl_proxy *px, const struct sl_cond *cond)
{
	return cond_needs(px, cond, NEED_SSL) != NULL;
}

/* An `ssl` bind: TLS is terminated on the proxy lcores, whatever the rules (RTMPS and the like) */
static bool has_ssl_bind(const struct sl_proxy *px)
{
	for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
		if (b->ssl)
			return true;
	return false;
}

static int tcp_rule(struct cfg_ctx *c, struct sl_proxy *px, struct sl_tcp_rule **list,
		    const char *kw, int argc, char **argv)
{
	if (argc < 1) {
		cfg_err(c, "'%s' expects an action (accept, reject)", kw);
		return -1;
	}
	const char *act = argv[0];
	struct sl_tcp_rule *r = cfg_alloc(c, sizeof(*r));
	if (strcmp(act, "accept") == 0) {
		r->action = SL_TCPR_ACCEPT;
	} else if (strcmp(act, "reject") == 0) {
		r->action = SL_TCPR_REJECT;
	} else if (strncmp(act, "track-sc", 8) == 0 || strncmp(act, "sc-", 3) == 0) {
		cfg_err(c, "'%s %s': stick counters are not supported yet", kw, act);
		return -1;
	} else if (strcmp(act, "expect-proxy") == 0 || strcmp(act, "expect-netscaler-cip") == 0) {
		cfg_err(c, "'%s %s' is not supported yet; for the PROXY protocol from clients, use 'accept-proxy' on the bind",
			kw, act);
		return -1;
	} else if (strcmp(act, "silent-drop") == 0) {
		cfg_err(c, "'%s silent-drop' is not supported by sluice; use 'reject' (the client gets a RST)",
			kw);
		return -1;
	} else {
		/* set-var, unset-var, capture, set-src, set-dst, set-mark, set-tos, do-resolve,
		 * send-spoe-group, use-service, switch-mode, lua.*, set-log-level, ... */
		cfg_err(c, "'%s %s' is not supported by sluice (only 'accept' and 'reject' are)", kw,
			act);
		return -1;
	}
	r->loc = cfg_loc(c);
	if (argc > 1) {
		if (strcmp(argv[1], "if") != 0 && strcmp(argv[1], "unless") != 0) {
			cfg_err(c, "'%s %s': expected 'if' or 'unless', got '%s'", kw, act, argv[1]);
			return -1;
		}
		r->cond = cfg_parse_cond(c, px, kw, argc - 1, argv + 1);
		if (r->cond == NULL)
			return -1;
	}
	SL_LIST_APPEND(list, r);
	return 0;
}

int cfg_kw_tcp_request(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'tcp-request' expects 'connection', 'content' or 'inspect-delay'");
		return -1;
	}
	const char *what = argv[1];
	if (strcmp(what, "inspect-delay") == 0) {
		if (argc != 3) {
			cfg_err(c, "'tcp-request inspect-delay' expects a time");
			return -1;
		}
		if (cfg_time(c, "tcp-request inspect-delay", argv[2], &px->inspect_delay) < 0)
			return -1;
		px->inspect_delay_loc = cfg_loc(c);
		return 0;
	}
	bool conn = strcmp(what, "connection") == 0;
	if (!conn && strcmp(what, "content") != 0) {
		if (strcmp(what, "session") == 0)
			cfg_err(c, "'tcp-request session' is not supported by sluice; 'tcp-request connection' rules see the same fetches");
		else
			cfg_err(c, "'tcp-request %s': expected 'connection', 'content' or 'inspect-delay'",
				what);
		return -1;
	}
	if (px->cap & SL_CAP_DEF) {
		cfg_err(c, "'tcp-request %s' rules in a defaults section are not supported by sluice; write them in the frontend",
			what);
		return -1;
	}
	if (!(px->cap & SL_CAP_FE)) {
		cfg_err(c, "'tcp-request %s' in backend '%s' is not supported yet (sluice evaluates them in frontends)",
			what, px->name);
		return -1;
	}
	char kw[40];
	snprintf(kw, sizeof(kw), "tcp-request %s", what);
	return tcp_rule(c, px, conn ? &px->tcp_conn_rules : &px->tcp_content_rules, kw, argc - 2,
			argv + 2);
}

/* A fetch used where its sample cannot be had: HAProxy refuses these too. */
static void refuse_fetch(struct cfg_ctx *c, const struct sl_cfg_loc *loc, const char *kw,
			 const struct sl_acl *a, const char *why)
{
	cfg_err_at(c, loc, "'%s': fetch '%s' (acl at %s:%d) %s", kw, sl_cfg_fetch_name(a->fetch),
		   a->loc.file, a->loc.line, why);
}

void cfg_check_tcp_rules(struct cfg_ctx *c, struct sl_proxy *px)
{
	if (!(px->cap & SL_CAP_FE) || (px->cap & SL_CAP_DEF))
		return;
	const struct sl_acl *a;
	for (const struct sl_tcp_rule *r = px->tcp_conn_rules; r != NULL; r = r->next)
		if ((a = cond_needs(px, r->cond, NEED_CONN)) != NULL)
			refuse_fetch(c, &r->loc, "tcp-request connection", a,
				     "needs the request's contents, none of which is available when the connection is accepted (src, dst, src_port, dst_port are)");
	if (px->mode == SL_MODE_HTTP) {
		if (px->tcp_content_rules != NULL)
			cfg_err_at(c, &px->tcp_content_rules->loc,
				   "'tcp-request content' in mode http frontend '%s' is not supported yet; use 'http-request deny' rules",
				   px->name);
		if (px->inspect_delay > 0)
			cfg_warn_at(c, &px->inspect_delay_loc,
				    "'tcp-request inspect-delay' has no effect in mode http frontend '%s' (no content rules run there)",
				    px->name);
		for (const struct sl_switch *sw = px->switches; sw != NULL; sw = sw->next)
			if ((a = cond_needs(px, sw->cond, NEED_CONN)) != NULL &&
			    fetch_need(a->fetch) == NEED_PAYLOAD)
				refuse_fetch(c, &sw->loc, "use_backend", a,
					     "reads the first bytes of a mode tcp connection; in mode http use the request's fetches");
		return;
	}
	/* HTTP fetches in a mode tcp frontend: HAProxy 2.6 accepts them (it may parse the first
	 * bytes as HTTP); sluice does not, so such a rule could never match: it is dropped with
	 * a warning saying so, and the configuration stays valid as HAProxy's is */
	for (struct sl_tcp_rule **rp = &px->tcp_content_rules; *rp != NULL;) {
		if ((a = cond_needs(px, (*rp)->cond, NEED_PAYLOAD)) != NULL) {
			cfg_warn_at(c, &(*rp)->loc,
				    "'tcp-request content': fetch '%s' (acl at %s:%d) needs an HTTP request, which sluice does not read in a mode tcp frontend: the rule never matches and is ignored",
				    sl_cfg_fetch_name(a->fetch), a->loc.file, a->loc.line);
			*rp = (*rp)->next;
		} else {
			rp = &(*rp)->next;
		}
	}
	bool payload = false;
	for (struct sl_switch **sp = &px->switches; *sp != NULL;) {
		if ((a = cond_needs(px, (*sp)->cond, NEED_PAYLOAD)) != NULL) {
			cfg_warn_at(c, &(*sp)->loc,
				    "'use_backend': fetch '%s' (acl at %s:%d) needs an HTTP request, which sluice does not read in a mode tcp frontend: the rule never matches and is ignored",
				    sl_cfg_fetch_name(a->fetch), a->loc.file, a->loc.line);
			*sp = (*sp)->next;
			continue;
		}
		payload |= cond_uses_payload(px, (*sp)->cond);
		sp = &(*sp)->next;
	}
	for (const struct sl_tcp_rule *r = px->tcp_content_rules; r != NULL; r = r->next)
		payload |= cond_uses_payload(px, r->cond);
	if (payload && px->inspect_delay == 0)
		/* HAProxy 2.6 says the same: without a delay the rules see whatever the first
		 * segment brought */
		cfg_warn_at(c, px->tcp_content_rules != NULL ? &px->tcp_content_rules->loc : &px->loc,
			    "frontend '%s' reads the client's first bytes ('req.*' fetches) without 'tcp-request inspect-delay': rules see only what has arrived when the connection is set up",
			    px->name);
	/* connection rules alone stay on the L4 path: the workers evaluate them on the SYN */
	px->tcp_proxied = px->tcp_content_rules != NULL || px->switches != NULL || has_ssl_bind(px);
}
