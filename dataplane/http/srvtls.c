/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS towards servers, on the main lcore: each `ssl` server's contexts (one per proxy lcore, so
 * that no two lcores share OpenSSL state), built from its line, its default-server and the
 * global ssl-default-server-* / ssl-server-verify when a configuration is loaded (start,
 * reload: the ca-file is read again), hung on the configuration's server (struct sl_server.tls)
 * before it is published, freed when it retires. Connections and cached sessions hold their
 * own references, so a context outlives its configuration as long as they need it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg.h"
#include "dataplane/http/http_int.h"
#include "tls/tls.h"

/* "ssl-min-ver TLSv1.2" in ssl-default-server-options: the version, or NULL. */
static const char *opt_ver(const struct sl_cfg_str *l, const char *kw)
{
	size_t n = strlen(kw);
	for (; l != NULL; l = l->next)
		if (strncmp(l->s, kw, n) == 0 && l->s[n] == ' ')
			return l->s + n + 1;
	return NULL;
}

/* One context for server @s of @cfg. Returns 0 or -1 (printed as FILE:LINE: server ...). */
static int ctx_new(const struct sl_cfg *cfg, const struct sl_server *s,
		   struct sl_tls_client_ctx **out)
{
	const struct sl_global *g = &cfg->global;
	const struct sl_srv_tls *t = &s->p.tls;
	char ca[4096];
	const char *ca_file = t->ca_file;
	if (ca_file != NULL && ca_file[0] != '/' && g->ca_base != NULL) {
		snprintf(ca, sizeof(ca), "%s/%s", g->ca_base, ca_file);
		ca_file = ca;
	}
	const char *minv = t->min_ver != NULL ? t->min_ver : opt_ver(g->ssl_srv_options, "ssl-min-ver");
	const char *maxv = t->max_ver != NULL ? t->max_ver : opt_ver(g->ssl_srv_options, "ssl-max-ver");
	struct sl_tls_client_opts o = {
		.verify = t->verify < 0 ? !g->ssl_server_verify_none : t->verify == 1,
		.ca_file = ca_file,
		.ciphers = t->ciphers != NULL ? t->ciphers : g->ssl_srv_ciphers,
		.ciphersuites = t->ciphersuites != NULL ? t->ciphersuites : g->ssl_srv_ciphersuites,
		.min_version = hx_tls_version(minv),
		.max_version = hx_tls_version(maxv),
		.no_tls13 = hx_has_opt(g->ssl_srv_options, "no-tlsv13"),
		.no_tls12 = hx_has_opt(g->ssl_srv_options, "no-tlsv12"),
		.no_tickets = hx_has_opt(g->ssl_srv_options, "no-tls-tickets"),
		.no_reuse = t->no_reuse,
		.alpn = t->alpn,
	};
	char err[512];
	if (sl_tls_client_ctx_new(&o, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s:%d: server '%s': %s\n", s->loc.file, s->loc.line, s->name, err);
		return -1;
	}
	return 0;
}

/* Whether @s of backend @px speaks TLS on its traffic (HTTP engine) or its HTTP checks. */
static bool srv_ssl(const struct sl_proxy *px, const struct sl_server *s)
{
	return (px->cap & SL_CAP_BE) && !(px->cap & SL_CAP_DEF) &&
	       ((px->mode == SL_MODE_HTTP && s->p.tls.ssl) ||
		(s->p.tls.check_ssl && s->p.check && px->chk.on));
}

int sl_http_check_srv_tls(const struct sl_cfg *cfg)
{
	int bad = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (const struct sl_server *s = px->servers; s != NULL; s = s->next) {
			struct sl_tls_client_ctx *c = NULL;
			if (!srv_ssl(px, s))
				continue;
			if (ctx_new(cfg, s, &c) < 0)
				bad++;
			sl_tls_client_ctx_free(c);
		}
	return bad;
}

void sl_http_srv_tls_free(struct sl_cfg *cfg, unsigned nlc)
{
	for (struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (struct sl_server *s = px->servers; s != NULL; s = s->next) {
			if (s->tls == NULL)
				continue;
			for (unsigned i = 0; i < nlc; i++)
				sl_tls_client_ctx_free(s->tls[i]);
			free(s->tls);
			s->tls = NULL;
		}
}

int sl_http_srv_tls_build(struct sl_cfg *cfg, unsigned nlc)
{
	for (struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (struct sl_server *s = px->servers; s != NULL; s = s->next) {
			if (!srv_ssl(px, s) || nlc == 0)
				continue;
			s->tls = calloc(nlc, sizeof(*s->tls));
			if (s->tls == NULL) {
				fprintf(stderr, "sluiced: out of memory for the TLS contexts of server '%s'\n",
					s->name);
				sl_http_srv_tls_free(cfg, nlc);
				return -1;
			}
			for (unsigned i = 0; i < nlc; i++)
				if (ctx_new(cfg, s, &s->tls[i]) < 0) {
					sl_http_srv_tls_free(cfg, nlc);
					return -1;
				}
		}
	return 0;
}
