/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Canonical configuration text of a model: every effective setting written out, defaults
 * resolved into each proxy, so that `sluiced -c --dump` shows what sluice understood and the
 * output parses back to the same model (tests/unit/controlplane/cfg/test_cfg.c checks the round trip).
 */
#include "controlplane/cfg/cfg_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static bool plain_char(unsigned char ch)
{
	return ch > ' ' && ch < 0x7f && ch != '"' && ch != '\'' && ch != '\\' && ch != '#' &&
	       ch != '$';
}

void cfg_dump_word(FILE *f, const char *s)
{
	bool plain = *s != '\0';
	for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
		plain = plain_char(*p);
	if (plain) {
		fputs(s, f);
		return;
	}
	/* Double quotes keep escapes working: \" \\ \$ \# and control characters as escapes. */
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$')
			fprintf(f, "\\%c", *p);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < ' ' || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void word(FILE *f, const char *s)
{
	fputc(' ', f);
	cfg_dump_word(f, s);
}

static void time_word(FILE *f, int ms)
{
	if (ms != 0 && ms % 86400000 == 0)
		fprintf(f, " %dd", ms / 86400000);
	else if (ms != 0 && ms % 3600000 == 0)
		fprintf(f, " %dh", ms / 3600000);
	else if (ms != 0 && ms % 60000 == 0)
		fprintf(f, " %dm", ms / 60000);
	else if (ms != 0 && ms % 1000 == 0)
		fprintf(f, " %ds", ms / 1000);
	else
		fprintf(f, " %d", ms);
}

void cfg_net_text(const struct sl_cfg_net *n, bool with_plen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	if (n->family == AF_INET) {
		struct in_addr in = {.s_addr = htonl(n->v4)};
		inet_ntop(AF_INET, &in, a, sizeof(a));
	} else {
		inet_ntop(AF_INET6, n->v6, a, sizeof(a));
	}
	if (with_plen)
		snprintf(buf, len, "%s/%d", a, n->plen);
	else
		snprintf(buf, len, "%s", a);
}

static void net_word(FILE *f, const struct sl_cfg_net *n, bool with_plen)
{
	char buf[CFG_NET_TEXT];
	cfg_net_text(n, with_plen, buf, sizeof(buf));
	fprintf(f, " %s", buf);
}

/* ------------------------------------------------------------------ conditions */

static void acl_body(FILE *f, const struct sl_acl *a)
{
	if (a->fetch == SL_FETCH_STK) {
		const struct sl_acl_stk *k = &a->stk;
		const char *d = k->inc ? "inc_gpc0" : sl_cfg_stk_data_name(k->data);
		if (k->sc < 0)
			fprintf(f, " src_%s(%s)", d, k->table ? k->table : "");
		else
			fprintf(f, " sc_%s(%d%s%s)", d, k->sc, k->table ? "," : "",
				k->table ? k->table : "");
	} else if (a->hdr != NULL) {
		fprintf(f, " %s(", sl_cfg_fetch_name(a->fetch));
		cfg_dump_word(f, a->hdr);
		fputc(')', f);
	} else {
		fprintf(f, " %s", sl_cfg_fetch_name(a->fetch));
	}
	if (a->icase)
		fputs(" -i", f);
	bool intpat = a->fetch == SL_FETCH_HDR_CNT || a->fetch == SL_FETCH_DST_PORT ||
		      a->fetch == SL_FETCH_STK ||
		      a->fetch == SL_FETCH_SRC_PORT || a->fetch == SL_FETCH_REQ_LEN ||
		      a->fetch == SL_FETCH_REQ_SSL_HELLO_TYPE || a->fetch == SL_FETCH_REQ_SSL_VER;
	bool dashdash = false;
	for (const struct sl_acl_pat *p = a->pats; p != NULL; p = p->next)
		dashdash |= p->str[0] == '-' && !intpat;
	if (dashdash)
		fputs(" --", f);
	for (const struct sl_acl_pat *p = a->pats; p != NULL; p = p->next) {
		if (intpat && p->op != SL_INT_RANGE) {
			static const char *const ops[] = {"eq", "ge", "gt", "le", "lt"};
			fprintf(f, " %s", ops[p->op]);
		}
		word(f, p->str);
	}
}

static void cond(FILE *f, const struct sl_cond *c)
{
	if (c == NULL)
		return;
	fputs(c->unless ? " unless" : " if", f);
	for (const struct sl_cond_and *o = c->ors; o != NULL; o = o->next) {
		if (o != c->ors)
			fputs(" or", f);
		for (const struct sl_cond_term *t = o->terms; t != NULL; t = t->next) {
			if (t->neg)
				fputs(" !", f);
			if (t->name != NULL) {
				word(f, t->name);
			} else {
				fputs(" {", f);
				acl_body(f, t->anon);
				fputs(" }", f);
			}
		}
	}
}

/* ------------------------------------------------------------------ pieces */

static void redirect(FILE *f, const struct sl_redirect *r)
{
	static const char *const kinds[] = {"location", "prefix", "scheme"};
	fprintf(f, " %s", kinds[r->kind]);
	word(f, r->target);
	fprintf(f, " code %d", r->code);
	if (r->drop_query)
		fputs(" drop-query", f);
	if (r->append_slash)
		fputs(" append-slash", f);
	if (r->ignore_empty)
		fputs(" ignore-empty", f);
	if (r->set_cookie != NULL) {
		fputs(" set-cookie", f);
		word(f, r->set_cookie);
	}
	if (r->clear_cookie != NULL) {
		fputs(" clear-cookie", f);
		word(f, r->clear_cookie);
	}
}

static void hrule(FILE *f, const char *kw, const struct sl_hrule *r)
{
	fprintf(f, "    %s", kw);
	switch (r->action) {
	case SL_HR_SET_HEADER:
	case SL_HR_ADD_HEADER:
		fputs(r->action == SL_HR_SET_HEADER ? " set-header" : " add-header", f);
		word(f, r->name);
		word(f, r->value);
		break;
	case SL_HR_DEL_HEADER:
		fputs(" del-header", f);
		word(f, r->name);
		break;
	case SL_HR_REDIRECT:
		fputs(" redirect", f);
		redirect(f, &r->redir);
		break;
	case SL_HR_DENY:
		fprintf(f, " deny deny_status %d", r->status);
		break;
	case SL_HR_ALLOW:
		fputs(" allow", f);
		break;
	case SL_HR_USE_SERVICE:
		fputs(" use-service", f);
		word(f, r->name);
		break;
	case SL_HR_TRACK_SC:
		fprintf(f, " track-sc%d src", r->status);
		if (r->name != NULL) {
			fputs(" table", f);
			word(f, r->name);
		}
		break;
	case SL_HR_RETURN:
		fprintf(f, " return status %d", r->status);
		if (r->ctype != NULL) {
			fputs(" content-type", f);
			word(f, r->ctype);
		}
		if (r->body_lf != NULL) {
			fputs(" lf-string", f);
			word(f, r->body_lf->src);
		} else if (r->body != NULL) {
			fputs(r->raw_reply ? " errorfile-data" : " string", f);
			fprintf(f, " <%zu bytes>", r->body_len);
		}
		for (const struct sl_hrule_hdr *h = r->hdrs; h != NULL; h = h->next) {
			fputs(" hdr", f);
			word(f, h->name);
			word(f, h->value->src);
		}
		break;
	case SL_HR_AUTH:
		fputs(" auth", f);
		if (r->reason != NULL) {
			fputs(" realm", f);
			word(f, r->reason);
		}
		break;
	case SL_HR_SET_STATUS:
		fprintf(f, " set-status %d", r->status);
		if (r->reason != NULL) {
			fputs(" reason", f);
			word(f, r->reason);
		}
		break;
	default: { /* set-path ... replace-value: the words as written */
		static const char *const names[] = {
			[SL_HR_REPLACE_HEADER] = "replace-header", [SL_HR_REPLACE_VALUE] = "replace-value",
			[SL_HR_SET_PATH] = "set-path",		   [SL_HR_SET_QUERY] = "set-query",
			[SL_HR_SET_URI] = "set-uri",		   [SL_HR_SET_METHOD] = "set-method",
			[SL_HR_REPLACE_PATH] = "replace-path",	   [SL_HR_REPLACE_URI] = "replace-uri"};
		fprintf(f, " %s", names[r->action]);
		if (r->name != NULL)
			word(f, r->name);
		if (r->re_src != NULL)
			word(f, r->re_src);
		word(f, r->value);
		break;
	}
	}
	cond(f, r->cond);
	fputc('\n', f);
}

/* TLS towards the server (cfg_srvssl.c). */
static void srv_tls(FILE *f, const struct sl_srv_tls *t)
{
	if (t->ssl)
		fputs(" ssl", f);
	if (t->check_ssl)
		fputs(" check-ssl", f);
	if (t->verify >= 0)
		fputs(t->verify ? " verify required" : " verify none", f);
	if (t->no_reuse)
		fputs(" no-ssl-reuse", f);
	if (t->sni == SL_SNI_STR)
		fprintf(f, " sni str(%s)", t->sni_str);
	else if (t->sni == SL_SNI_HOST)
		fputs(" sni req.hdr(host)", f);
	const struct {
		const char *kw, *v;
	} kv[] = {{"ca-file", t->ca_file},	   {"check-sni", t->check_sni},
		  {"ciphers", t->ciphers},	   {"ciphersuites", t->ciphersuites},
		  {"ssl-min-ver", t->min_ver}, {"ssl-max-ver", t->max_ver},
		  {"alpn", t->alpn}};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (kv[i].v != NULL) {
			fprintf(f, " %s", kv[i].kw);
			word(f, kv[i].v);
		}
}

static void srv_params(FILE *f, const struct sl_srv_params *p)
{
	if (p->check)
		fputs(" check", f);
	fputs(" inter", f);
	time_word(f, p->inter);
	if (p->fastinter) {
		fputs(" fastinter", f);
		time_word(f, p->fastinter);
	}
	if (p->downinter) {
		fputs(" downinter", f);
		time_word(f, p->downinter);
	}
	fprintf(f, " rise %d fall %d weight %d", p->rise, p->fall, p->weight);
	if (p->backup)
		fputs(" backup", f);
	if (p->disabled)
		fputs(" disabled", f);
	if (p->maxconn)
		fprintf(f, " maxconn %d", p->maxconn);
	if (p->maxqueue)
		fprintf(f, " maxqueue %d", p->maxqueue);
	if (p->check_port)
		fprintf(f, " port %d", p->check_port);
	if (p->check_addr.family != 0) {
		fputs(" addr", f);
		net_word(f, &p->check_addr, false);
	}
	if (p->shutdown_on_down)
		fputs(" on-marked-down shutdown-sessions", f);
	if (p->shutdown_backup_on_up)
		fputs(" on-marked-up shutdown-backup-sessions", f);
	if (p->slowstart) {
		fputs(" slowstart", f);
		time_word(f, p->slowstart);
	}
	if (p->send_proxy & SL_SEND_PROXY_V1)
		fputs(" send-proxy", f);
	if (p->send_proxy & SL_SEND_PROXY_V2)
		fputs(" send-proxy-v2", f);
	if (p->check_send_proxy)
		fputs(" check-send-proxy", f);
	if (p->pp_opts != 0) {
		static const char *const names[] = {"ssl",	 "ssl-cipher", "cert-sig",  "cert-key",
						    "cert-cn",	 "authority",  "unique-id", "crc32c"};
		const char *sep = " proxy-v2-options ";
		for (unsigned k = 0; k < 8; k++)
			if (p->pp_opts & (1u << k)) {
				fprintf(f, "%s%s", sep, names[k]);
				sep = ",";
			}
	}
	if (p->source.family != 0) {
		fputs(" source", f);
		net_word(f, &p->source, false);
	}
	for (int i = 0; i < p->init_addr.n; i++) {
		fputs(i == 0 ? " init-addr " : ",", f);
		if (p->init_addr.m[i].m == SL_INIT_IP) {
			struct in_addr a = {.s_addr = htonl(p->init_addr.m[i].ip)};
			char ip[INET_ADDRSTRLEN];
			fputs(inet_ntop(AF_INET, &a, ip, sizeof(ip)), f);
		} else {
			fputs(sl_cfg_init_addr_name(p->init_addr.m[i].m), f);
		}
	}
	if (p->resolvers != NULL) {
		fputs(" resolvers ", f);
		cfg_dump_word(f, p->resolvers);
	}
	if (p->prevent_dup_ip)
		fputs(" resolve-opts prevent-dup-ip", f);
	for (int i = 0; i < p->nresolve_net; i++) {
		fputs(i == 0 ? " resolve-net" : ",", f);
		net_word(f, &p->resolve_net[i], true);
	}
	srv_tls(f, &p->tls);
}

static void dump_resolvers(FILE *f, const struct sl_resolvers *r)
{
	fputs("\nresolvers ", f);
	cfg_dump_word(f, r->name);
	fputc('\n', f);
	for (int i = 0; i < r->nns; i++) {
		struct in_addr a = {.s_addr = htonl(r->ns[i].ip)};
		char ip[INET_ADDRSTRLEN];
		fputs("    nameserver ", f);
		cfg_dump_word(f, r->ns[i].id);
		fprintf(f, " %s:%u\n", inet_ntop(AF_INET, &a, ip, sizeof(ip)), r->ns[i].port);
	}
	const struct {
		const char *name;
		int v;
	} holds[] = {{"valid", r->hold_valid},	   {"nx", r->hold_nx},
		     {"other", r->hold_other},	   {"refused", r->hold_refused},
		     {"timeout", r->hold_timeout}, {"obsolete", r->hold_obsolete}};
	for (size_t i = 0; i < sizeof(holds) / sizeof(holds[0]); i++) {
		fprintf(f, "    hold %s", holds[i].name);
		time_word(f, holds[i].v);
		fputc('\n', f);
	}
	fprintf(f, "    resolve_retries %d\n    accepted_payload_size %d\n", r->retries, r->payload);
	fputs("    timeout resolve", f);
	time_word(f, r->t_resolve);
	fputs("\n    timeout retry", f);
	time_word(f, r->t_retry);
	fputc('\n', f);
}

static void bind_line(FILE *f, const struct sl_bind *b)
{
	char buf[CFG_NET_TEXT];
	fputs("    bind ", f);
	if (b->any)
		fputs(b->addr.family == AF_INET6 ? ":::" : "*:", f);
	else if (b->addr.family == AF_INET6) {
		cfg_net_text(&b->addr, false, buf, sizeof(buf));
		fprintf(f, "[%s]:", buf);
	} else {
		cfg_net_text(&b->addr, false, buf, sizeof(buf));
		fprintf(f, "%s:", buf);
	}
	if (b->port_hi != b->port_lo)
		fprintf(f, "%u-%u", b->port_lo, b->port_hi);
	else
		fprintf(f, "%u", b->port_lo);
	if (b->name != NULL) {
		fputs(" name", f);
		word(f, b->name);
	}
	if (b->ssl)
		fputs(" ssl", f);
	for (const struct sl_cfg_str *s = b->crts; s != NULL; s = s->next) {
		fputs(" crt", f);
		word(f, s->s);
	}
	const struct {
		const char *kw, *v;
	} kv[] = {{"alpn", b->alpn},       {"ssl-min-ver", b->ssl_min_ver},
		  {"ssl-max-ver", b->ssl_max_ver}, {"ciphers", b->ciphers},
		  {"ciphersuites", b->ciphersuites}};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (kv[i].v != NULL) {
			fprintf(f, " %s", kv[i].kw);
			word(f, kv[i].v);
		}
	for (const struct sl_cfg_str *s = b->ssl_opts; s != NULL; s = s->next)
		word(f, s->s);
	if (b->accept_proxy)
		fputs(" accept-proxy", f);
	fputc('\n', f);
}

static void cookie_line(FILE *f, const struct sl_cookie *ck)
{
	static const char *const modes[] = {NULL, "insert", "prefix", "rewrite"};
	fputs("    cookie", f);
	word(f, ck->name);
	if (modes[ck->mode] != NULL)
		fprintf(f, " %s", modes[ck->mode]);
	const struct {
		bool on;
		const char *kw;
	} flags[] = {{ck->indirect, "indirect"}, {ck->nocache, "nocache"},
		     {ck->postonly, "postonly"}, {ck->preserve, "preserve"},
		     {ck->httponly, "httponly"}, {ck->secure, "secure"},
		     {ck->dynamic, "dynamic"}};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (flags[i].on)
			fprintf(f, " %s", flags[i].kw);
	for (const struct sl_cfg_str *d = ck->domains; d != NULL; d = d->next) {
		fputs(" domain", f);
		word(f, d->s);
	}
	if (ck->maxidle) {
		fputs(" maxidle", f);
		time_word(f, ck->maxidle);
	}
	if (ck->maxlife) {
		fputs(" maxlife", f);
		time_word(f, ck->maxlife);
	}
	if (ck->attrs != NULL) {
		fputs(" attr", f);
		word(f, ck->attrs);
	}
	fputc('\n', f);
}

static void hex_word(FILE *f, const uint8_t *b, size_t n)
{
	fputc(' ', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static void tcpchk(FILE *f, const struct sl_tcpchk *t)
{
	if (t->on)
		fputs("    option tcp-check\n", f);
	for (unsigned k = 0; k < t->nrules; k++) {
		const struct sl_tcpchk_rule *r = &t->rules[k];
		switch (r->op) {
		case SL_TCPCHK_CONNECT:
			fputs("    tcp-check connect", f);
			if (r->port)
				fprintf(f, " port %u", r->port);
			break;
		case SL_TCPCHK_SEND:
			/* a string without a NUL byte is written back as one */
			if (memchr(r->data, '\0', r->len) == NULL && r->data[r->len] == '\0') {
				fputs("    tcp-check send", f);
				word(f, (const char *)r->data);
			} else {
				fputs("    tcp-check send-binary", f);
				hex_word(f, r->data, r->len);
			}
			break;
		case SL_TCPCHK_EXPECT:
			fprintf(f, "    tcp-check expect%s %s", r->neg ? " !" : "",
				r->match == SL_TCPCHK_STRING ? "string" :
				r->match == SL_TCPCHK_RSTRING ? "rstring" : "binary");
			if (r->match == SL_TCPCHK_BINARY)
				hex_word(f, r->data, r->len);
			else
				word(f, (const char *)r->data);
			break;
		}
		if (r->comment != NULL) {
			fputs(" comment", f);
			word(f, r->comment);
		}
		fputc('\n', f);
	}
}

static void httpchk(FILE *f, const struct sl_httpchk *c)
{
	if (!c->on)
		return;
	fputs("    option httpchk\n", f);
	if (c->method || c->uri || c->version || c->headers) {
		fputs("    http-check send", f);
		if (c->method) {
			fputs(" meth", f);
			word(f, c->method);
		}
		if (c->uri) {
			fputs(" uri", f);
			word(f, c->uri);
		}
		if (c->version) {
			fputs(" ver", f);
			word(f, c->version);
		}
		for (const struct sl_cfg_str *h = c->headers; h != NULL; h = h->next) {
			const char *colon = strchr(h->s, ':');
			char name[256];
			size_t nl = colon ? (size_t)(colon - h->s) : strlen(h->s);
			if (nl >= sizeof(name))
				nl = sizeof(name) - 1;
			memcpy(name, h->s, nl);
			name[nl] = '\0';
			const char *v = colon ? colon + 1 : "";
			while (*v == ' ')
				v++;
			fputs(" hdr", f);
			word(f, name);
			word(f, v);
		}
		fputc('\n', f);
	}
	if (c->expect != SL_EXPECT_NONE) {
		static const char *const kinds[] = {NULL, "status", "rstatus", "string", "rstring"};
		fprintf(f, "    http-check expect%s %s", c->expect_neg ? " !" : "", kinds[c->expect]);
		word(f, c->expect_pat);
		fputc('\n', f);
	}
	if (c->disable_on_404)
		fputs("    http-check disable-on-404\n", f);
}

static void stats_lines(FILE *f, const struct sl_stats *st)
{
	if (!st->enabled)
		return;
	fputs("    stats enable\n", f);
	if (st->uri) {
		fputs("    stats uri", f);
		word(f, st->uri);
		fputc('\n', f);
	}
	if (st->realm) {
		fputs("    stats realm", f);
		word(f, st->realm);
		fputc('\n', f);
	}
	for (const struct sl_cfg_str *a = st->auth; a != NULL; a = a->next) {
		fputs("    stats auth", f);
		word(f, a->s);
		fputc('\n', f);
	}
	if (st->hide_version)
		fputs("    stats hide-version\n", f);
	if (st->refresh) {
		fputs("    stats refresh", f);
		time_word(f, st->refresh);
		fputc('\n', f);
	}
	if (st->show_legends)
		fputs("    stats show-legends\n", f);
	if (st->show_node)
		fputs("    stats show-node\n", f);
	if (st->show_desc) {
		fputs("    stats show-desc", f);
		if (*st->show_desc)
			word(f, st->show_desc);
		fputc('\n', f);
	}
	if (st->prometheus_uri) {
		fputs("    stats prometheus-uri", f);
		word(f, st->prometheus_uri);
		fputc('\n', f);
	}
	if (st->admin) {
		fputs("    stats admin", f);
		cond(f, st->admin);
		fputc('\n', f);
	}
}

/* ------------------------------------------------------------------ sections */

static void dump_global(FILE *f, const struct sl_global *g)
{
	fputs("global\n", f);
	fprintf(f, "    maxconn %d\n", g->maxconn);
	if (g->nbthread)
		fprintf(f, "    nbthread %d\n", g->nbthread);
	if (g->daemon)
		fputs("    daemon\n", f);
	const struct {
		const char *kw, *v;
	} kv[] = {{"user", g->user},
		  {"group", g->group},
		  {"chroot", g->chroot},
		  {"pidfile", g->pidfile},
		  {"ca-base", g->ca_base},
		  {"crt-base", g->crt_base},
		  {"ssl-default-bind-ciphers", g->ssl_bind_ciphers},
		  {"ssl-default-bind-ciphersuites", g->ssl_bind_ciphersuites},
		  {"ssl-default-server-ciphers", g->ssl_srv_ciphers},
		  {"ssl-default-server-ciphersuites", g->ssl_srv_ciphersuites},
		  {"ssl-server-verify", g->ssl_server_verify_none ? "none" : NULL}};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (kv[i].v != NULL) {
			fprintf(f, "    %s", kv[i].kw);
			word(f, kv[i].v);
			fputc('\n', f);
		}
	for (const struct sl_cfg_str *l = g->logs; l != NULL; l = l->next)
		fprintf(f, "    log %s\n", l->s); /* kept as written: already split words */
	if (g->ssl_bind_options != NULL) {
		fputs("    ssl-default-bind-options", f);
		for (const struct sl_cfg_str *o = g->ssl_bind_options; o != NULL; o = o->next)
			fprintf(f, " %s", o->s);
		fputc('\n', f);
	}
	if (g->ssl_srv_options != NULL) {
		fputs("    ssl-default-server-options", f);
		for (const struct sl_cfg_str *o = g->ssl_srv_options; o != NULL; o = o->next)
			fprintf(f, " %s", o->s);
		fputc('\n', f);
	}
	static const char *const levels[] = {"user", "operator", "admin"};
	for (const struct sl_stats_socket *s = g->sockets; s != NULL; s = s->next) {
		fputs("    stats socket", f);
		word(f, s->path);
		if (s->mode >= 0)
			fprintf(f, " mode %o", s->mode);
		fprintf(f, " level %s\n", levels[s->level]);
	}
	if (g->stats_timeout) {
		fputs("    stats timeout", f);
		time_word(f, g->stats_timeout);
		fputc('\n', f);
	}
	if (g->stats_maxconn)
		fprintf(f, "    stats maxconn %d\n", g->stats_maxconn);
	fprintf(f, "    tune.bufsize %d\n", g->bufsize);
	if (g->maxrewrite != 1024) /* written when set otherwise: it draws a warning */
		fprintf(f, "    tune.maxrewrite %d\n", g->maxrewrite);
	if (g->dh_param)
		fprintf(f, "    tune.ssl.default-dh-param %d\n", g->dh_param);
	if (g->spread_checks)
		fprintf(f, "    spread-checks %d\n", g->spread_checks);
}

/* A core mask as the `cores` keyword reads it: "0-1,4". */
static void mask_list(FILE *f, const struct sl_cpus *m)
{
	bool first = true;
	for (int i = 0; i < SL_MAX_CPUS; i++) {
		if (!sl_cpus_has(m, (unsigned)i))
			continue;
		int j = i;
		while (j + 1 < SL_MAX_CPUS && sl_cpus_has(m, (unsigned)j + 1))
			j++;
		fprintf(f, first ? "%d" : ",%d", i);
		if (j > i)
			fprintf(f, "-%d", j);
		first = false;
		i = j;
	}
}

static void dump_dataplane(FILE *f, const struct sl_dataplane *dp)
{
	if (!dp->present)
		return;
	fputs("\ndataplane\n", f);
	static const char *const drivers[] = {NULL, "af_xdp", "af_packet", "tap"};
	for (const struct sl_dp_port *p = dp->ports; p != NULL; p = p->next) {
		fputs("    port", f);
		word(f, p->name);
		if (p->driver == SL_DRV_PCI) {
			fputs(" pci", f);
			word(f, p->pci);
		} else {
			fputs(" iface", f);
			word(f, p->iface);
			fprintf(f, " driver %s", drivers[p->driver]);
		}
		if (p->queues)
			fprintf(f, " queues %d", p->queues);
		if (p->mtu)
			fprintf(f, " mtu %d", p->mtu);
		if (p->xdp_all)
			fprintf(f, " xdp-steer off");
		fputc('\n', f);
	}
	for (const struct sl_dp_addr *a = dp->addrs; a != NULL; a = a->next) {
		fputs("    address", f);
		net_word(f, &a->net, true);
		fputs(" port", f);
		word(f, a->port);
		fputc('\n', f);
	}
	for (const struct sl_dp_route *r = dp->routes; r != NULL; r = r->next) {
		fputs("    route", f);
		if (r->dst.plen == 0 && r->dst.family == AF_INET)
			fputs(" default", f);
		else
			net_word(f, &r->dst, true);
		fputs(" via", f);
		net_word(f, &r->via, false);
		fputc('\n', f);
	}
	if (sl_cpus_count(&dp->cores) != 0) {
		fputs("    cores ", f);
		mask_list(f, &dp->cores);
		if (sl_cpus_count(&dp->cores_on) != 0) {
			fputs(" on ", f);
			mask_list(f, &dp->cores_on);
		}
		fputc('\n', f);
	}
	if (dp->memory_mb)
		fprintf(f, "    memory %d\n", dp->memory_mb);
	if (dp->flows)
		fprintf(f, "    flows %d\n", dp->flows);
	if (dp->control != SL_CONTROL_DEFAULT)
		fprintf(f, "    control %s\n", dp->control == SL_CONTROL_SHARED ? "shared" : "own");
	fprintf(f, "    idle %s\n", dp->idle == SL_IDLE_POLL ? "poll" : "adaptive");
	for (const struct sl_dp_service *sv = dp->services; sv != NULL; sv = sv->next)
		fprintf(f, "    service %s %u\n", sv->kind == SL_SVC_ECHO ? "echo" : "http-ok", sv->port);
	if (dp->eal_args != NULL) {
		fputs("    eal", f);
		for (const struct sl_cfg_str *s = dp->eal_args; s != NULL; s = s->next)
			word(f, s->s);
		fputc('\n', f);
	}
}

static void dump_proxy(FILE *f, const struct sl_proxy *px)
{
	bool fe = px->cap & SL_CAP_FE, be = px->cap & SL_CAP_BE;
	fprintf(f, "\n%s", fe && be ? "listen" : fe ? "frontend" : "backend");
	word(f, px->name);
	fputc('\n', f);
	fprintf(f, "    mode %s\n", px->mode == SL_MODE_HTTP ? "http" : "tcp");
	for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
		bind_line(f, b);
	if (fe && px->maxconn)
		fprintf(f, "    maxconn %d\n", px->maxconn);
	if (px->log_global)
		fputs("    log global\n", f);
	for (const struct sl_cfg_str *l = px->logs; l != NULL; l = l->next)
		fprintf(f, "    log %s\n", l->s);

	if (px->log_format == SL_LOG_TCP)
		fputs("    option tcplog\n", f);
	else if (px->log_format == SL_LOG_HTTP)
		fputs("    option httplog\n", f);
	else if (px->log_format == SL_LOG_HTTP_CLF)
		fputs("    option httplog clf\n", f);
	static const char *const conns[] = {"http-keep-alive", "http-server-close", "httpclose"};
	fprintf(f, "    option %s\n", conns[px->http_conn]);
	if (px->dontlognull)
		fputs("    option dontlognull\n", f);
	if (px->tcpka)
		fputs("    option tcpka\n", f);
	if (px->http_ignore_probes)
		fputs("    option http-ignore-probes\n", f);
	if (px->fwdfor.on) {
		fputs("    option forwardfor", f);
		if (px->fwdfor.except.family != 0) {
			fputs(" except", f);
			net_word(f, &px->fwdfor.except, true);
		}
		if (px->fwdfor.header != NULL) {
			fputs(" header", f);
			word(f, px->fwdfor.header);
		}
		if (px->fwdfor.if_none)
			fputs(" if-none", f);
		fputc('\n', f);
	}
	const struct {
		const char *name;
		int v;
	} to[] = {{"connect", px->to.connect},
		  {"client", px->to.client},
		  {"server", px->to.server},
		  {"tunnel", px->to.tunnel},
		  {"client-fin", px->to.client_fin},
		  {"server-fin", px->to.server_fin},
		  {"http-request", px->to.http_request},
		  {"http-keep-alive", px->to.http_keep_alive},
		  {"queue", px->to.queue},
		  {"check", px->to.check}};
	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++)
		if (to[i].v) {
			fprintf(f, "    timeout %s", to[i].name);
			time_word(f, to[i].v);
			fputc('\n', f);
		}
	for (const struct sl_errorfile *e = px->errorfiles; e != NULL; e = e->next) {
		fprintf(f, "    errorfile %d", e->code);
		word(f, e->path);
		fputc('\n', f);
	}
	if (be) {
		if (px->fullconn)
			fprintf(f, "    fullconn %d\n", px->fullconn);
		if (px->source.family != 0) {
			fputs("    source", f);
			net_word(f, &px->source, false);
			fputc('\n', f);
		}
		fprintf(f, "    retries %d\n", px->retries);
		if (px->load_server_state)
			fputs("    load-server-state-from-file local\n", f);
		if (px->redispatch)
			fputs("    option redispatch\n", f);
		if (px->allbackups)
			fputs("    option allbackups\n", f);
		if (px->abortonclose)
			fputs("    option abortonclose\n", f);
		if (px->log_health_checks)
			fputs("    option log-health-checks\n", f);
		fprintf(f, "    balance %s", sl_cfg_balance_name(px->balance));
		if (px->balance == SL_BAL_RANDOM)
			fprintf(f, "(%d)", px->random_draws);
		if (px->balance == SL_BAL_HDR)
			fprintf(f, "(%s)%s", px->bal_hdr, px->bal_hdr_domain ? " use_domain_only" : "");
		if (px->uri_len)
			fprintf(f, " len %d", px->uri_len);
		if (px->uri_depth)
			fprintf(f, " depth %d", px->uri_depth);
		if (px->uri_whole)
			fputs(" whole", f);
		fputc('\n', f);
		if (px->cookie.name != NULL)
			cookie_line(f, &px->cookie);
		httpchk(f, &px->chk);
		tcpchk(f, &px->tcpchk);
	}
	for (const struct sl_acl *a = px->acls; a != NULL; a = a->next) {
		fputs("    acl", f);
		word(f, a->name);
		acl_body(f, a);
		fputc('\n', f);
	}
	stats_lines(f, &px->stats);
	if (px->monitor_uri != NULL) {
		fputs("    monitor-uri", f);
		word(f, px->monitor_uri);
		fputc('\n', f);
	}
	for (const struct sl_monitor_fail *m = px->monitor_fails; m != NULL; m = m->next) {
		fputs("    monitor fail", f);
		cond(f, m->cond);
		fputc('\n', f);
	}
	for (const struct sl_redirect_rule *r = px->redirects; r != NULL; r = r->next) {
		fputs("    redirect", f);
		redirect(f, &r->redir);
		cond(f, r->cond);
		fputc('\n', f);
	}
	if (px->stktable != NULL) {
		const struct sl_stktable *t = px->stktable;
		fprintf(f, "    stick-table type ip size %d", t->size);
		if (t->expire > 0)
			fprintf(f, " expire %dms", t->expire);
		for (int d = 0; d < SL_CFG_STK_NDATA; d++) {
			if (!(t->store >> d & 1))
				continue;
			fprintf(f, " store %s", sl_cfg_stk_data_name(d));
			if (t->period[d] > 0)
				fprintf(f, "(%dms)", t->period[d]);
		}
		fputc('\n', f);
	}
	for (const struct sl_stick_rule *r = px->stick_rules; r != NULL; r = r->next) {
		static const char *const kinds[] = {"on", "match", "store-request"};
		fprintf(f, "    stick %s src", kinds[r->kind]);
		if (r->table != NULL) {
			fputs(" table", f);
			word(f, r->table);
		}
		fputc('\n', f);
	}
	for (const struct sl_hrule *r = px->req_rules; r != NULL; r = r->next)
		hrule(f, "http-request", r);
	for (const struct sl_hrule *r = px->rsp_rules; r != NULL; r = r->next)
		hrule(f, "http-response", r);
	if (px->inspect_delay) {
		fputs("    tcp-request inspect-delay", f);
		time_word(f, px->inspect_delay);
		fputc('\n', f);
	}
	for (int k = 0; k < 2; k++)
		for (const struct sl_tcp_rule *r = k == 0 ? px->tcp_conn_rules : px->tcp_content_rules;
		     r != NULL; r = r->next) {
			fprintf(f, "    tcp-request %s %s", k == 0 ? "connection" : "content",
				r->action == SL_TCPR_ACCEPT ? "accept" : "reject");
			cond(f, r->cond);
			fputc('\n', f);
		}
	for (const struct sl_switch *s = px->switches; s != NULL; s = s->next) {
		fputs("    use_backend", f);
		word(f, s->backend);
		cond(f, s->cond);
		fputc('\n', f);
	}
	if (fe && px->default_backend != NULL) {
		fputs("    default_backend", f);
		word(f, px->default_backend);
		fputc('\n', f);
	}
	for (const struct sl_server *s = px->servers; s != NULL; s = s->next) {
		char buf[CFG_NET_TEXT];
		cfg_net_text(&s->addr, false, buf, sizeof(buf));
		fputs("    server", f);
		word(f, s->name);
		if (s->host != NULL)
			fprintf(f, s->port ? " %s:%u" : " %s", s->host, s->port);
		else if (s->addr.family == AF_INET6)
			fprintf(f, s->port ? " [%s]:%u" : " %s", buf, s->port);
		else if (s->port)
			fprintf(f, " %s:%u", buf, s->port);
		else
			fprintf(f, " %s", buf);
		srv_params(f, &s->p);
		if (s->cookie != NULL) {
			fputs(" cookie", f);
			word(f, s->cookie);
		}
		/* what the name gave, once sl_cfg_resolve() ran (-c resolves as a start does) */
		if (s->host != NULL && s->addr_from != 0) {
			if (s->addr.family == AF_INET)
				fprintf(f, "  # %s (%s)", buf, sl_cfg_init_addr_name(s->addr_from));
			else
				fputs("  # no address (none): in maintenance", f);
		}
		fputc('\n', f);
	}
	/* After the servers, so that they keep exactly the parameters printed on their lines. */
	if (be) {
		fputs("    default-server", f);
		srv_params(f, &px->dflt_srv);
		fputc('\n', f);
	}
}

int sl_cfg_dump(const struct sl_cfg *cfg, FILE *f)
{
	fprintf(f, "# canonical configuration as understood by sluiced %s\n", SL_VERSION);
	dump_global(f, &cfg->global);
	dump_dataplane(f, &cfg->dp);
	for (const struct sl_userlist *ul = cfg->userlists; ul != NULL; ul = ul->next) {
		fputs("\nuserlist", f);
		word(f, ul->name);
		fputc('\n', f);
		for (const struct sl_ul_group *g = ul->groups; g != NULL; g = g->next) {
			fputs("    group", f);
			word(f, g->name);
			if (g->users != NULL) {
				fputs(" users", f);
				word(f, g->users);
			}
			fputc('\n', f);
		}
		for (const struct sl_ul_user *u = ul->users; u != NULL; u = u->next) {
			fputs("    user", f);
			word(f, u->name);
			fputs(u->insecure ? " insecure-password" : " password", f);
			word(f, u->pass);
			if (u->groups != NULL) {
				fputs(" groups", f);
				word(f, u->groups);
			}
			fputc('\n', f);
		}
	}
	for (const struct sl_resolvers *r = cfg->resolvers; r != NULL; r = r->next)
		dump_resolvers(f, r);
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		dump_proxy(f, px);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
