/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS towards servers: the `server`/`default-server` parameters (ssl, no-ssl, check-ssl, verify,
 * ca-file, sni, no-ssl-reuse, ssl-min-ver, ssl-max-ver, ciphers, ciphersuites, alpn), the
 * global ssl-default-server-* and ssl-server-verify, and their checks once the file is read
 * (HAProxy 2.6's rules: `verify required`, its default, needs a ca-file).
 */
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool tls_ver_ok(const char *v)
{
	return is(v, "TLSv1.0") || is(v, "TLSv1.1") || is(v, "TLSv1.2") || is(v, "TLSv1.3") ||
	       is(v, "SSLv3");
}

/* `sni EXPR`: str(NAME) or req.hdr(host); other sample expressions are refused by name. */
static int parse_sni(struct cfg_ctx *c, const char *kw, const char *v, struct sl_srv_tls *t)
{
	size_t n = strlen(v);
	if (n > 5 && strncmp(v, "str(", 4) == 0 && v[n - 1] == ')') {
		char name[256];
		if (n - 5 >= sizeof(name) || n == 5) {
			cfg_err(c, "'%s': 'sni %s': the name must be 1 to 255 bytes", kw, v);
			return -1;
		}
		memcpy(name, v + 4, n - 5);
		name[n - 5] = '\0';
		t->sni = SL_SNI_STR;
		t->sni_str = cfg_strdup(c, name);
		return 0;
	}
	if (strcasecmp(v, "req.hdr(host)") == 0 || strcasecmp(v, "hdr(host)") == 0) {
		t->sni = SL_SNI_HOST;
		return 0;
	}
	cfg_err(c, "'%s': 'sni %s': sluice takes only 'str(NAME)' and 'req.hdr(host)' as the server name expression",
		kw, v);
	return -1;
}

int cfg_srv_ssl_param(struct cfg_ctx *c, const char *kw, struct sl_srv_params *p, int argc,
		      char **argv, int *i)
{
	struct sl_srv_tls *t = &p->tls;
	const char *k = argv[*i];
	if (is(k, "ssl")) {
		t->ssl = true;
		t->loc = cfg_loc(c);
		return 1;
	}
	if (is(k, "no-ssl")) {
		t->ssl = false;
		return 1;
	}
	if (is(k, "check-ssl")) {
		t->check_ssl = true;
		if (!t->ssl)
			t->loc = cfg_loc(c);
		return 1;
	}
	if (is(k, "no-check-ssl")) {
		t->check_ssl = false;
		return 1;
	}
	if (is(k, "no-ssl-reuse")) {
		t->no_reuse = true;
		return 1;
	}
	if (is(k, "ssl-reuse")) {
		t->no_reuse = false;
		return 1;
	}
	static const char *const valued[] = {"verify", "ca-file", "sni", "check-sni", "ssl-min-ver",
					     "ssl-max-ver", "ciphers", "ciphersuites", "alpn",
					     NULL};
	bool mine = false;
	for (int j = 0; valued[j] != NULL; j++)
		mine |= is(k, valued[j]);
	if (!mine)
		return 0;
	if (*i + 1 >= argc) {
		cfg_err(c, "'%s': '%s' expects a value", kw, k);
		return -1;
	}
	const char *v = argv[++*i];
	if (is(k, "verify")) {
		if (!is(v, "none") && !is(v, "required")) {
			cfg_err(c, "'%s': 'verify' expects 'none' or 'required', got '%s'", kw, v);
			return -1;
		}
		t->verify = is(v, "required") ? 1 : 0;
	} else if (is(k, "ca-file")) {
		t->ca_file = cfg_strdup(c, v);
	} else if (is(k, "check-sni")) {
		t->check_sni = cfg_strdup(c, v);
	} else if (is(k, "sni")) {
		return parse_sni(c, kw, v, t) < 0 ? -1 : 1;
	} else if (is(k, "ssl-min-ver") || is(k, "ssl-max-ver")) {
		if (!tls_ver_ok(v)) {
			cfg_err(c, "'%s': '%s' expects SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, got '%s'",
				kw, k, v);
			return -1;
		}
		if (is(v, "SSLv3")) {
			cfg_err(c, "'%s': '%s SSLv3': SSLv3 is not spoken by sluice's TLS library", kw, k);
			return -1;
		}
		*(is(k, "ssl-min-ver") ? &t->min_ver : &t->max_ver) = cfg_strdup(c, v);
	} else if (is(k, "ciphers")) {
		t->ciphers = cfg_strdup(c, v);
	} else if (is(k, "ciphersuites")) {
		t->ciphersuites = cfg_strdup(c, v);
	} else { /* alpn */
		if (!is(v, "http/1.1")) {
			cfg_err(c, "'%s': 'alpn %s': sluice speaks only HTTP/1.1 to servers (no HTTP/2 towards them): use 'alpn http/1.1' or none",
				kw, v);
			return -1;
		}
		t->alpn = cfg_strdup(c, v);
	}
	return 1;
}

static bool p_check(const struct sl_server *s)
{
	return s->p.check;
}

void cfg_http_check_connect(const struct sl_proxy *px, struct sl_server *s)
{
	if (!px->chk.on || !s->p.check)
		return;
	if (px->chk.connect_ssl)
		s->p.tls.check_ssl = true;
	if (px->chk.connect_sni != NULL && s->p.tls.check_sni == NULL)
		s->p.tls.check_sni = px->chk.connect_sni;
	if (px->chk.connect_port != 0)
		s->p.check_port = px->chk.connect_port;
}

void cfg_check_srv_ssl(struct cfg_ctx *c, struct sl_proxy *px, struct sl_server *s)
{
	const struct sl_srv_tls *t = &s->p.tls;
	if (!t->ssl && !t->check_ssl)
		return;
	if (px->mode == SL_MODE_TCP && t->ssl) {
		cfg_err_at(c, &s->loc,
			   "'server %s': 'ssl' needs a 'mode http' backend ('%s' is mode tcp, whose packet-level NAT cannot speak TLS)",
			   s->name, px->name);
		return;
	}
	if (t->check_ssl && p_check(s) && (!px->chk.on || px->tcpchk.on)) {
		cfg_err_at(c, &s->loc,
			   "'server %s': 'check-ssl' needs 'option httpchk' in sluice (HTTP checks over TLS; a TLS handshake alone or tcp-check over TLS as the check are not supported yet)",
			   s->name);
		return;
	}
	bool verify = t->verify < 0 ? !c->cfg->global.ssl_server_verify_none : t->verify == 1;
	if (verify && t->ca_file == NULL)
		cfg_err_at(c, &s->loc,
			   "'server %s/%s': verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default",
			   px->name, s->name);
}

int cfg_g_ssl_server_verify(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc != 2 || (!is(argv[1], "none") && !is(argv[1], "required"))) {
		cfg_err(c, "'%s' expects 'none' or 'required'", argv[0]);
		return -1;
	}
	c->cfg->global.ssl_server_verify_none = is(argv[1], "none");
	return 0;
}

static const char *const srv_opts[] = {
	"no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "no-tls-tickets",
	"ssl-min-ver", "ssl-max-ver", NULL,
};

int cfg_g_ssl_server_options(struct cfg_ctx *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		bool known = false;
		for (const char *const *o = srv_opts; *o != NULL; o++)
			known |= is(*o, argv[i]);
		if (!known) {
			cfg_err(c, "'%s': option '%s' is not supported by sluice (it takes no-sslv3, no-tlsv10, no-tlsv11, no-tlsv12, no-tlsv13, no-tls-tickets, ssl-min-ver, ssl-max-ver)",
				argv[0], argv[i]);
			return -1;
		}
		if (is(argv[i], "ssl-min-ver") || is(argv[i], "ssl-max-ver")) {
			if (i + 1 >= argc || !tls_ver_ok(argv[i + 1])) {
				cfg_err(c, "'%s': '%s' expects SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3",
					argv[0], argv[i]);
				return -1;
			}
			cfg_str_append(c, &c->cfg->global.ssl_srv_options, cfg_join(c, 2, argv + i));
			i++;
			continue;
		}
		cfg_str_append(c, &c->cfg->global.ssl_srv_options, argv[i]);
	}
	return 0;
}

int cfg_g_ssl_server_ciphers(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc != 2) {
		cfg_err(c, "'%s' expects one argument", argv[0]);
		return -1;
	}
	const char **dst = is(argv[0], "ssl-default-server-ciphers") ?
				   &c->cfg->global.ssl_srv_ciphers :
				   &c->cfg->global.ssl_srv_ciphersuites;
	*dst = cfg_strdup(c, argv[1]);
	return 0;
}
