/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PROXY protocol in the configuration: the `server`/`default-server` parameters send-proxy,
 * no-send-proxy, send-proxy-v2, no-send-proxy-v2, proxy-v2-options and check-send-proxy, and
 * the checks once the file is read: a mode tcp frontend whose binds take `accept-proxy` or
 * whose default backend has a server sending a PROXY header runs on the proxy lcores (the
 * proxied TCP engine reads and writes the header; the workers' L4 path relays packets and
 * cannot insert or strip bytes).
 */
#include <string.h>

#include "controlplane/cfg/cfg_int.h"
#include "proto/proxy_proto.h"

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* HAProxy 2.6's proxy-v2-options words, and what each adds. */
static const struct {
	const char *name;
	uint8_t bit;
} pp2_opts[] = {
	{"ssl", SL_PP2O_SSL},	      {"ssl-cipher", SL_PP2O_SSL_CIPHER},
	{"cert-sig", SL_PP2O_CERT_SIG}, {"cert-key", SL_PP2O_CERT_KEY},
	{"cert-cn", SL_PP2O_CERT_CN},   {"authority", SL_PP2O_AUTHORITY},
	{"unique-id", SL_PP2O_UNIQUE_ID}, {"crc32c", SL_PP2O_CRC32C},
};

static int parse_v2_options(struct cfg_ctx *c, const char *kw, const char *v, uint8_t *opts)
{
	char buf[256];
	if (strlen(v) >= sizeof(buf)) {
		cfg_err(c, "'%s': 'proxy-v2-options': list too long", kw);
		return -1;
	}
	strcpy(buf, v);
	char *save = NULL;
	for (char *w = strtok_r(buf, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		size_t k = 0;
		while (k < sizeof(pp2_opts) / sizeof(pp2_opts[0]) && !is(pp2_opts[k].name, w))
			k++;
		if (k == sizeof(pp2_opts) / sizeof(pp2_opts[0])) {
			cfg_err(c, "'%s': 'proxy-v2-options': unknown option '%s' (ssl, cert-cn, ssl-cipher, cert-sig, cert-key, authority, crc32c, unique-id)",
				kw, w);
			return -1;
		}
		*opts |= pp2_opts[k].bit;
	}
	return 0;
}

int cfg_srv_pp_param(struct cfg_ctx *c, const char *kw, struct sl_srv_params *p, int argc,
		     char **argv, int *i)
{
	const char *k = argv[*i];
	if (is(k, "send-proxy")) {
		p->send_proxy |= SL_SEND_PROXY_V1;
		return 1;
	}
	if (is(k, "no-send-proxy")) {
		p->send_proxy &= (uint8_t)~SL_SEND_PROXY_V1;
		return 1;
	}
	if (is(k, "send-proxy-v2")) {
		p->send_proxy |= SL_SEND_PROXY_V2;
		return 1;
	}
	if (is(k, "no-send-proxy-v2")) {
		p->send_proxy &= (uint8_t)~SL_SEND_PROXY_V2;
		return 1;
	}
	if (is(k, "check-send-proxy")) {
		p->check_send_proxy = true;
		return 1;
	}
	if (is(k, "proxy-v2-options")) {
		if (*i + 1 >= argc) {
			cfg_err(c, "'%s': 'proxy-v2-options' expects a list of options", kw);
			return -1;
		}
		(*i)++;
		if (parse_v2_options(c, kw, argv[*i], &p->pp_opts) < 0)
			return -1;
		if (p->pp_opts & (SL_PP2O_CERT_SIG | SL_PP2O_CERT_KEY | SL_PP2O_CERT_CN))
			cfg_warn(c, "'%s': 'proxy-v2-options' cert-cn, cert-sig and cert-key add nothing: sluice asks clients for no certificate, so there is none to describe",
				 kw);
		if (p->pp_opts & SL_PP2O_UNIQUE_ID)
			cfg_warn(c, "'%s': 'proxy-v2-options unique-id' adds nothing: sluice gives requests no unique ID (unique-id-format)",
				 kw);
		return 1;
	}
	return 0;
}

static bool sends_proxy(const struct sl_proxy *be)
{
	for (const struct sl_server *s = be != NULL ? be->servers : NULL; s != NULL; s = s->next)
		if (s->p.send_proxy != 0)
			return true;
	return false;
}

void cfg_check_pproxy(struct cfg_ctx *c, struct sl_proxy *px)
{
	if (!(px->cap & SL_CAP_FE) || (px->cap & SL_CAP_DEF) || px->mode != SL_MODE_TCP ||
	    px->tcp_proxied)
		return;
	for (const struct sl_bind *b = px->binds; b != NULL; b = b->next)
		if (b->accept_proxy)
			px->tcp_proxied = true;
	const struct sl_proxy *be = px->default_backend != NULL ?
					    sl_cfg_find_proxy(c->cfg, px->default_backend, SL_CAP_BE) :
				    (px->cap & SL_CAP_BE) ? px :
							    NULL;
	if (be != NULL && be->mode == SL_MODE_TCP && sends_proxy(be))
		px->tcp_proxied = true;
}
