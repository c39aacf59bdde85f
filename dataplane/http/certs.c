/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The certificates of the HTTP engine's `ssl` binds, on the main lcore: loaded and checked
 * (sluiced -c, start-up, reloads: all or nothing), each proxy lcore's own contexts with the
 * ticket keys they share, handed over by message (SL_MSG_CERTS); and what the lcores share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/cfg/crtlist.h"
#include "dataplane/core/lcore.h"
#include "dataplane/http/http_int.h"
#include "proto/outbuf.h"
#include "tls/tls.h"

/* The TLS versions and cipher settings of a bind, from its own keywords then global's
 * ssl-default-bind-*, as HAProxy reads them. */
int hx_tls_version(const char *v)
{
	if (v == NULL)
		return 0;
	if (strcmp(v, "TLSv1.3") == 0)
		return 0x0304;
	if (strcmp(v, "TLSv1.2") == 0)
		return 0x0303;
	if (strcmp(v, "TLSv1.1") == 0)
		return 0x0302;
	if (strcmp(v, "TLSv1.0") == 0)
		return 0x0301;
	return 0;
}

bool hx_has_opt(const struct sl_cfg_str *l, const char *o)
{
	for (; l != NULL; l = l->next)
		if (strcmp(l->s, o) == 0)
			return true;
	return false;
}

/* A version word of the global `ssl-default-bind-options` ("ssl-min-ver TLSv1.3"), or NULL. */
static const char *global_ver(const struct sl_cfg_str *l, const char *kw)
{
	size_t n = strlen(kw);
	const char *v = NULL;
	for (; l != NULL; l = l->next)
		if (strncmp(l->s, kw, n) == 0 && l->s[n] == ' ')
			v = l->s + n + 1; /* the last one wins */
	return v;
}

/*
 * The TLS versions of bind @b, as HAProxy reads them: the bind's ssl-min-ver / ssl-max-ver, else
 * the global ssl-default-bind-options'; force-tlsv12 / force-tlsv13 (bind or global) fix both;
 * no-sslv3, no-tlsv10 and no-tlsv11 raise a minimum below the version they remove (sluice's
 * default minimum, TLS 1.2, already leaves them out). 0: sl_tls_opts' default.
 */
static void tls_versions(const struct sl_global *g, const struct sl_bind *b, int *min, int *max)
{
	const struct sl_cfg_str *bo = b->ssl_opts, *go = g->ssl_bind_options;
	*min = hx_tls_version(b->ssl_min_ver != NULL ? b->ssl_min_ver : global_ver(go, "ssl-min-ver"));
	*max = hx_tls_version(b->ssl_max_ver != NULL ? b->ssl_max_ver : global_ver(go, "ssl-max-ver"));
	if (hx_has_opt(bo, "force-tlsv13") || hx_has_opt(go, "force-tlsv13"))
		*min = *max = 0x0304;
	else if (hx_has_opt(bo, "force-tlsv12") || hx_has_opt(go, "force-tlsv12"))
		*min = *max = 0x0303;
	else if (hx_has_opt(go, "force-tlsv11"))
		*min = *max = 0x0302;
	else if (hx_has_opt(go, "force-tlsv10"))
		*min = *max = 0x0301;
	if (*min != 0 && *min <= 0x0301 && (hx_has_opt(bo, "no-tlsv10") || hx_has_opt(go, "no-tlsv10")))
		*min = 0x0302;
	if (*min != 0 && *min <= 0x0302 && (hx_has_opt(bo, "no-tlsv11") || hx_has_opt(go, "no-tlsv11")))
		*min = 0x0303;
}

/* Appends crt-list @path's lines to @v (*@n used of @cap), crt-base applied to relative
 * certificate paths; the strings go to @keep (freed by the caller). 0, or -1 with @err. */
static int add_crt_list(const struct sl_global *g, const char *path, struct sl_tls_crt *v, int *n,
			int cap, struct sl_crtlist *keep, char **paths, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	if (f == NULL) {
		snprintf(err, errlen, "crt-list %s: %s", path, strerror(errno));
		return -1;
	}
	FILE *m = open_memstream(&text, &len);
	char buf[4096];
	size_t r;
	while (m != NULL && (r = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, r, m);
	fclose(f);
	if (m == NULL || fclose(m) != 0) {
		free(text);
		snprintf(err, errlen, "crt-list %s: out of memory", path);
		return -1;
	}
	int ret = sl_crtlist_parse(path, text, len, keep, err, errlen);
	free(text);
	if (ret < 0)
		return -1;
	for (int i = 0; i < keep->n; i++) {
		const struct sl_crtlist_ent *e = &keep->ents[i];
		if (*n == cap) {
			snprintf(err, errlen, "%s:%d: more than %d certificates on one bind", path,
				 e->line, cap);
			return -1;
		}
		char *p = NULL;
		if (e->crt[0] != '/' && g->crt_base != NULL &&
		    asprintf(&p, "%s/%s", g->crt_base, e->crt) < 0)
			p = NULL;
		paths[*n] = p;
		v[(*n)++] = (struct sl_tls_crt){
			.path = p != NULL ? p : e->crt,
			.filters = (const char *const *)e->filters,
			.nfilters = e->nfilters,
			.verify = e->verify,
			.ca_file = e->ca_file,
			.crl_file = e->crl_file,
			.ca_verify_file = e->ca_verify_file,
			.no_ca_names = e->no_ca_names,
		};
	}
	return 0;
}

#define HX_MAX_CRTS 1024
#define HX_MAX_CRT_LISTS 16

/* Loads the certificates of `ssl` bind @b with its settings: its crt arguments, then the lines
 * of its crt-lists, read now (start, reload, reload certs). Returns 0 or -1 (printed, and
 * written to @why when given). */
static int tls_load(const struct sl_cfg *cfg, const struct sl_bind *b, struct sl_tls_ctx **out,
		    char *why, size_t whylen)
{
	const struct sl_global *g = &cfg->global;
	struct sl_tls_crt *v = calloc(HX_MAX_CRTS, sizeof(*v));
	char **paths = calloc(HX_MAX_CRTS, sizeof(*paths));
	struct sl_crtlist lists[HX_MAX_CRT_LISTS] = {{0}};
	int n = 0, nl = 0, ret = -1;
	char err[512] = "out of memory";
	if (v == NULL || paths == NULL)
		goto out;
	for (const struct sl_cfg_str *c = b->crts; c != NULL && n < HX_MAX_CRTS; c = c->next)
		v[n++] = (struct sl_tls_crt){.path = c->s, .verify = -1};
	for (const struct sl_cfg_str *c = b->crt_lists; c != NULL; c = c->next) {
		if (nl == HX_MAX_CRT_LISTS) {
			snprintf(err, sizeof(err), "more than %d crt-list on one bind",
				 HX_MAX_CRT_LISTS);
			goto out;
		}
		if (add_crt_list(g, c->s, v, &n, HX_MAX_CRTS, &lists[nl++], paths, err,
				 sizeof(err)) < 0)
			goto out;
	}
	struct sl_tls_opts o = {
		.ciphers = b->ciphers != NULL ? b->ciphers : g->ssl_bind_ciphers,
		.ciphersuites = b->ciphersuites != NULL ? b->ciphersuites : g->ssl_bind_ciphersuites,
		.min_version = 0,
		.max_version = 0,
		.no_tls13 = hx_has_opt(b->ssl_opts, "no-tlsv13") || hx_has_opt(g->ssl_bind_options, "no-tlsv13"),
		.no_tls12 = hx_has_opt(b->ssl_opts, "no-tlsv12") || hx_has_opt(g->ssl_bind_options, "no-tlsv12"),
		.alpn = b->alpn,
		.verify = b->verify > 0 ? b->verify : SL_TLS_VERIFY_NONE,
		.ca_file = b->ca_file,
		.crl_file = b->crl_file,
		.ca_verify_file = b->ca_verify_file,
		.no_ca_names = hx_has_opt(b->ssl_opts, "no-ca-names"),
	};
	tls_versions(g, b, &o.min_version, &o.max_version);
	ret = sl_tls_ctx_load_crts(v, n, &o, out, err, sizeof(err));
out:
	if (ret < 0) {
		fprintf(stderr, "%s:%d: bind: %s\n", b->loc.file, b->loc.line, err);
		if (why != NULL)
			snprintf(why, whylen, "%s:%d: bind: %s", b->loc.file, b->loc.line, err);
	}
	for (int i = 0; i < nl; i++)
		sl_crtlist_free(&lists[i]);
	for (int i = 0; paths != NULL && i < n; i++)
		free(paths[i]);
	free(paths);
	free(v);
	return ret < 0 ? -1 : 0;
}

int sl_http_check_certs(const struct sl_cfg *cfg)
{
	int bad = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (!(px->cap & SL_CAP_FE) || (px->cap & SL_CAP_DEF))
			continue;
		for (const struct sl_bind *b = px->binds; b != NULL; b = b->next) {
			struct sl_tls_ctx *c = NULL;
			if (!b->ssl)
				continue;
			if (tls_load(cfg, b, &c, NULL, 0) < 0)
				bad++;
			sl_tls_ctx_free(c);
		}
	}
	return bad + sl_http_check_srv_tls(cfg); /* `ssl` servers: srvtls.c */
}

/* This lcore's copy of the certificates of `ssl` bind @b, with the shared ticket keys. */
int hx_tls_ctx_for(struct sl_dp *dp, const struct sl_cfg *cfg, const struct sl_bind *b,
		   struct sl_tls_ctx **out, char *why, size_t whylen)
{
	if (tls_load(cfg, b, out, why, whylen) < 0)
		return -1;
	const struct sl_global *g = &cfg->global;
	struct sl_tls_tickets *tk = dp->http != NULL ? dp->http->tickets : NULL;
	if (tk != NULL && !hx_has_opt(b->ssl_opts, "no-tls-tickets") &&
	    !hx_has_opt(g->ssl_bind_options, "no-tls-tickets"))
		sl_tls_ctx_set_tickets(*out, tk);
	return 0;
}

int sl_http_init(struct sl_dp *dp, const struct sl_cfg *cfg)
{
	struct sl_http_shared *sh = calloc(1, sizeof(*sh));
	if (sh == NULL)
		return -1;
	dp->http = sh;
	unsigned nl = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		if (hx_is_http_frontend(px))
			for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
				if (b->addr.family == AF_INET)
					nl += (unsigned)(b->port_hi - b->port_lo + 1);
	sh->lst_cap = nl + HX_LST_SPARE;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (const struct sl_bind *b = px->binds; hx_is_http_frontend(px) && b != NULL; b = b->next)
			if (b->ssl && sh->tickets == NULL && (sh->tickets = sl_tls_tickets_new()) == NULL)
				return -1;
	return 0;
}

void sl_http_fini(struct sl_dp *dp)
{
	if (dp->http == NULL)
		return;
	sl_tls_tickets_free(dp->http->tickets);
	free(dp->http);
	dp->http = NULL;
}

int sl_http_reload_check(const struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_outbuf *out)
{
	unsigned nl = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		if (hx_is_http_frontend(px))
			for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
				if (b->addr.family == AF_INET)
					nl += (unsigned)(b->port_hi - b->port_lo + 1);
	/* a reload first closes the ports that went, then opens the new ones: the new
	 * configuration's ports must fit the slots each proxy lcore has */
	if (dp->http != NULL && nl > dp->http->lst_cap) {
		sl_outbuf_printf(out, "reload refused: the new configuration listens on %u HTTP ports, more than the %u a running sluiced can hold (restart to go beyond)\n",
				 nl, dp->http->lst_cap);
		return -1;
	}
	if (dp->http == NULL && nl > 0) {
		sl_outbuf_printf(out, "reload refused: the running process has no HTTP frontend, so no HTTP engine: adding the first one needs a restart\n");
		return -1;
	}
	return 0;
}

int sl_http_reload_certs(struct sl_dp *dp, const struct sl_cfg *cfg, const char *refusal,
			 struct sl_outbuf *out)
{
	unsigned nb = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (const struct sl_bind *b = px->binds; hx_is_http_frontend(px) && b != NULL; b = b->next)
			nb += b->ssl && b->addr.family == AF_INET;
	if (nb == 0 || dp->nproxies == 0) {
		sl_outbuf_printf(out, "no ssl bind: nothing to reload\n");
		return 0;
	}
	/* build every lcore's contexts first: one bad file refuses the whole reload */
	struct sl_http_certs **sets = calloc(dp->nproxies, sizeof(*sets));
	if (sets == NULL)
		return -1;
	int rc = 0;
	for (unsigned p = 0; p < dp->nproxies && rc == 0; p++) {
		sets[p] = calloc(1, sizeof(*sets[p]) + nb * sizeof(sets[p]->e[0]));
		if (sets[p] == NULL) {
			rc = -1;
			break;
		}
		for (const struct sl_proxy *px = cfg->proxies; px != NULL && rc == 0; px = px->next)
			for (const struct sl_bind *b = px->binds; hx_is_http_frontend(px) && b != NULL;
			     b = b->next) {
				if (!b->ssl || b->addr.family != AF_INET)
					continue;
				char why[640];
				struct sl_http_cert *e = &sets[p]->e[sets[p]->n];
				*e = (struct sl_http_cert){.addr = b->addr.v4, .any = b->any,
							   .port_lo = b->port_lo, .port_hi = b->port_hi};
				if (hx_tls_ctx_for(dp, cfg, b, &e->ctx, why, sizeof(why)) < 0) {
					sl_outbuf_printf(out, "%s: %s; the current certificates keep serving\n",
							 refusal, why);
					rc = -1;
					break;
				}
				sets[p]->n++;
			}
	}
	/* hand them over; each proxy lcore switches at its next tick */
	for (unsigned p = 0; p < dp->nproxies; p++) {
		struct sl_msg m = {.op = SL_MSG_CERTS, .ptr = sets[p]};
		if (sets[p] == NULL)
			continue;
		if (rc == 0 && sl_msg_send(dp, dp->proxy_ids[p], &m) == 0)
			continue;
		for (unsigned k = 0; k < sets[p]->n; k++)
			sl_tls_ctx_free(sets[p]->e[k].ctx);
		free(sets[p]);
		if (rc == 0) {
			sl_outbuf_printf(out, "%s: lcore %u's command ring is full; every lcore keeps its certificates\n",
					 refusal, dp->proxy_ids[p]);
			rc = -1;
		}
	}
	free(sets);
	if (rc == 0)
		sl_outbuf_printf(out, "certificates reloaded: %u ssl bind(s) on %u proxy lcore(s); new handshakes use them\n",
				 nb, dp->nproxies);
	return rc;
}

