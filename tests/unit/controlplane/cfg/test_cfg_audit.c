/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keyword audit: every word the parser accepts is in effect as HAProxy 2.6 defines it (its
 * setting read by the code that acts on it), or draws a warning naming it and saying what sluice
 * does instead, or is refused with a reason; nothing in between.
 *
 * The decisions below are that audit, one per word of each of the parser's own tables
 * (controlplane/cfg/cfg_kwtab.h: global, proxy, option, timeout, server, bind, stats). The test
 * walks the tables and fails on a word without a decision (a keyword added without one), on a
 * decision for a word no table holds, and on a word that does not behave as decided: an IN_EFFECT
 * line must parse with no diagnostic at all, a WARNED line with a warning naming the word and no
 * error, a REFUSED line with an error naming it. Deciding IN_EFFECT means its model field has a
 * reader in dataplane/ or controlplane/ (checked by hand when the decision is written).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/cfg/cfg_kwtab.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

enum status { IN_EFFECT, WARNED, REFUSED };

/* Where a decision's text goes in the base configuration (see audit_parse()). */
enum where {
	W_GLOBAL,   /* a line of the global section */
	W_DEFAULTS, /* a line of the defaults section */
	W_FRONTEND, /* a line of frontend f (mode http, bind 10.77.0.1:80) */
	W_BACKEND,  /* a line of backend b */
	W_SERVER,   /* words after "server s 10.77.0.2:80" */
	W_BIND,     /* words after "bind 10.77.0.1:80" */
};

struct decision {
	enum sl_cfg_kw_family fam;
	const char *name;
	enum status st;
	enum where at;
	const char *text; /* lines are separated by "\n  " */
};

#define G(n, s, t)  {SL_KWF_GLOBAL, n, s, W_GLOBAL, t}
#define PF(n, s, t) {SL_KWF_PROXY, n, s, W_FRONTEND, t}
#define PB(n, s, t) {SL_KWF_PROXY, n, s, W_BACKEND, t}
#define OF(n, s)    {SL_KWF_OPTION, n, s, W_FRONTEND, "option " n}
#define OB(n, s)    {SL_KWF_OPTION, n, s, W_BACKEND, "option " n}
#define T(n)        {SL_KWF_TIMEOUT, n, IN_EFFECT, W_DEFAULTS, "timeout " n " 5s"}
#define S(n, s, t)  {SL_KWF_SERVER, n, s, W_SERVER, t}
#define N(n, s, t)  {SL_KWF_BIND, n, s, W_BIND, t}
#define ST(n, s, t) {SL_KWF_STATS, n, s, W_FRONTEND, t}
#define CRT	    "ssl crt /certs/site.pem "

static const struct decision decisions[] = {
	/* ---- global */
	G("log", IN_EFFECT, "log 127.0.0.1 local0"), /* event logs (test_logger) */
	G("maxconn", IN_EFFECT, "maxconn 1000"),
	G("user", WARNED, "user haproxy"),
	G("group", WARNED, "group haproxy"),
	G("uid", WARNED, "uid 99"),
	G("gid", WARNED, "gid 99"),
	G("daemon", WARNED, "daemon"),
	G("nbthread", WARNED, "nbthread 4"),
	G("nbproc", WARNED, "nbproc 1"),
	G("cpu-map", WARNED, "cpu-map 1 0"),
	G("master-worker", WARNED, "master-worker"),
	G("chroot", WARNED, "chroot /var/lib/haproxy"),
	G("pidfile", IN_EFFECT, "pidfile /run/haproxy.pid"),
	G("stats", IN_EFFECT, "stats socket /run/s.sock mode 600 level admin\n  stats timeout 30s\n  stats maxconn 10"),
	G("ca-base", IN_EFFECT, "ca-base /etc/ssl/certs"),
	G("crt-base", IN_EFFECT, "crt-base /certs"),
	G("ssl-default-bind-ciphers", IN_EFFECT, "ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256"),
	G("ssl-default-bind-ciphersuites", IN_EFFECT, "ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256"),
	G("ssl-default-bind-options", IN_EFFECT, "ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets"),
	G("ssl-default-server-ciphers", IN_EFFECT, "ssl-default-server-ciphers ECDHE-RSA-AES128-GCM-SHA256"),
	G("ssl-default-server-ciphersuites", IN_EFFECT, "ssl-default-server-ciphersuites TLS_AES_128_GCM_SHA256"),
	G("ssl-default-server-options", IN_EFFECT, "ssl-default-server-options no-sslv3"),
	G("ssl-server-verify", IN_EFFECT, "ssl-server-verify required"),
	G("ssl-dh-param-file", WARNED, "ssl-dh-param-file /etc/dh.pem"),
	G("tune.bufsize", IN_EFFECT, "tune.bufsize 32768"),
	G("tune.maxrewrite", WARNED, "tune.maxrewrite 2048"),
	G("tune.ssl.default-dh-param", WARNED, "tune.ssl.default-dh-param 2048"),
	G("tune.ssl.cachesize", WARNED, "tune.ssl.cachesize 20000"),
	G("tune.ssl.lifetime", WARNED, "tune.ssl.lifetime 300"),
	G("spread-checks", IN_EFFECT, "spread-checks 5"),
	G("log-send-hostname", IN_EFFECT, "log-send-hostname"),
	G("log-tag", IN_EFFECT, "log-tag lb"),
	G("hard-stop-after", WARNED, "hard-stop-after 30s"),
	G("server-state-file", WARNED, "server-state-file /var/state"),
	G("description", WARNED, "description edge"),
	G("node", WARNED, "node lb1"),
	G("quiet", WARNED, "quiet"),
	G("ulimit-n", WARNED, "ulimit-n 65536"),
	G("strict-limits", WARNED, "strict-limits"),
	G("fd-hard-limit", WARNED, "fd-hard-limit 65536"),
	G("default-path", IN_EFFECT, "default-path current"),
	G("busy-polling", WARNED, "busy-polling"),
	G("zero-warning", IN_EFFECT, "zero-warning"),
	G("lua-load", REFUSED, "lua-load /etc/acme.lua"),
	G("lua-load-per-thread", REFUSED, "lua-load-per-thread /etc/acme.lua"),
	G("lua-prepend-path", REFUSED, "lua-prepend-path /usr/share/lua/?.lua"),

	/* ---- proxies */
	PF("bind", IN_EFFECT, "bind 10.77.0.1:81"),
	PF("mode", IN_EFFECT, "mode http"),
	PF("maxconn", IN_EFFECT, "maxconn 100"),
	PB("fullconn", WARNED, "fullconn 100"),
	PB("source", IN_EFFECT, "source 10.77.0.1"),
	PF("default_backend", IN_EFFECT, "default_backend b"),
	PF("use_backend", IN_EFFECT, "use_backend b if { path /x }"),
	PF("acl", IN_EFFECT, "acl a path /x"),
	PB("balance", IN_EFFECT, "balance leastconn"),
	PB("server", IN_EFFECT, "server s2 10.77.0.3:80"),
	PB("default-server", IN_EFFECT, "default-server inter 3s"),
	PB("cookie", IN_EFFECT, "cookie SRV insert indirect nocache"),
	PB("option", IN_EFFECT, "option redispatch"),
	PB("no", IN_EFFECT, "no option redispatch"),
	PB("timeout", IN_EFFECT, "timeout queue 5s"),
	PB("contimeout", WARNED, "contimeout 5s"),
	PF("clitimeout", WARNED, "clitimeout 5s"),
	PB("srvtimeout", WARNED, "srvtimeout 5s"),
	PB("retries", IN_EFFECT, "retries 2"),
	PB("load-server-state-from-file", IN_EFFECT, "load-server-state-from-file global"),
	PF("errorfile", IN_EFFECT, "errorfile 503 /etc/haproxy/errors/503.http"),
	PF("redirect", IN_EFFECT, "redirect scheme https if { path /x }"),
	PF("http-request", IN_EFFECT, "http-request set-header X-A b"),
	PB("http-response", IN_EFFECT, "http-response set-header X-A b"),
	PB("http-after-response", WARNED, "http-after-response set-header X-A b"),
	PF("reqadd", WARNED, "reqadd X-A:\\ b"),
	PB("rspadd", WARNED, "rspadd X-A:\\ b"),
	PF("reqrep", REFUSED, "reqrep ^a b"),
	PF("reqirep", REFUSED, "reqirep ^a b"),
	PF("reqdel", REFUSED, "reqdel ^a"),
	PF("reqidel", REFUSED, "reqidel ^a"),
	PF("reqdeny", REFUSED, "reqdeny ^a"),
	PB("rsprep", REFUSED, "rsprep ^a b"),
	PB("rspirep", REFUSED, "rspirep ^a b"),
	PB("rspdel", REFUSED, "rspdel ^a"),
	PB("rspidel", REFUSED, "rspidel ^a"),
	PB("http-check", IN_EFFECT, "option httpchk GET /health\n  http-check expect status 200"),
	PF("stats", IN_EFFECT, "stats uri /stats"),
	PF("log", IN_EFFECT, "log global"),
	PB("description", WARNED, "description the app"),
	PB("id", WARNED, "id 7"),
	PF("capture", IN_EFFECT, "capture request header Host len 32"), /* access logs */
	PB("hash-type", WARNED, "hash-type consistent"),
	PB("http-reuse", WARNED, "http-reuse safe"),
	PF("log-format", IN_EFFECT, "log-format %ci"), /* test_alog_fmt */
	PF("unique-id-format", WARNED, "unique-id-format %ci"),
	PF("unique-id-header", WARNED, "unique-id-header X-ID"),
	PF("monitor-uri", IN_EFFECT, "monitor-uri /ping"),
	PF("monitor", IN_EFFECT, "monitor-uri /ping\n  monitor fail if { path /x }"),
	PF("compression", WARNED, "compression algo gzip"),
	PF("tcp-request", IN_EFFECT, "tcp-request connection reject if { src 10.0.0.9 }"),
	PB("tcp-response", REFUSED, "tcp-response content accept"),
	PB("tcp-check", IN_EFFECT, "option tcp-check\n  tcp-check connect"),
	PB("stick-table", IN_EFFECT, "stick-table type ip size 1m"),
	/* without a stick-table in the backend: refused (test_cfg_stick reads it with one) */
	PB("stick", REFUSED, "stick on src"),
	PF("filter", REFUSED, "filter compression"),
	PB("use-server", REFUSED, "use-server s if { path /x }"),

	/* ---- option */
	OB("forwardfor", IN_EFFECT),
	OB("http-server-close", IN_EFFECT),
	OB("httpclose", IN_EFFECT),
	OB("forceclose", IN_EFFECT),
	OB("http-keep-alive", IN_EFFECT),
	OF("httplog", IN_EFFECT), /* test_access_logs */
	OF("httpslog", IN_EFFECT),
	OF("tcplog", IN_EFFECT), /* HTTP frontends: the tcplog format */
	OB("httpchk", IN_EFFECT),
	OB("tcp-check", IN_EFFECT),
	OF("dontlognull", IN_EFFECT),
	OB("redispatch", IN_EFFECT),
	OB("abortonclose", WARNED),
	OB("log-health-checks", IN_EFFECT),
	OB("tcpka", WARNED),
	OF("clitcpka", WARNED),
	OF("http-ignore-probes", IN_EFFECT),
	OB("srvtcpka", WARNED),
	OB("splice-auto", WARNED),
	OB("splice-request", WARNED),
	OB("splice-response", WARNED),
	OB("http-buffer-request", WARNED),
	OB("http-pretend-keepalive", WARNED),
	OB("http-no-delay", WARNED),
	OB("http-use-htx", WARNED),
	OB("prefer-last-server", WARNED),
	OB("allbackups", IN_EFFECT),
	OB("persist", WARNED),
	OB("dontlog-normal", WARNED),
	OF("logasap", WARNED),
	OF("contstats", WARNED),
	OB("log-separate-errors", WARNED),
	OB("independent-streams", WARNED),
	OB("nolinger", WARNED),
	OF("socket-stats", WARNED),
	OB("originalto", WARNED),

	/* ---- timeout */
	T("connect"),
	T("client"),
	T("server"),
	T("tunnel"),
	T("client-fin"),
	T("server-fin"),
	T("http-request"),
	T("http-keep-alive"),
	T("queue"),
	T("check"),

	/* ---- server parameters */
	S("check", IN_EFFECT, "check"),
	S("no-check", IN_EFFECT, "no-check"),
	S("inter", IN_EFFECT, "check inter 3s"),
	S("fastinter", IN_EFFECT, "check fastinter 1s"),
	S("downinter", IN_EFFECT, "check downinter 5s"),
	S("rise", IN_EFFECT, "check rise 3"),
	S("fall", IN_EFFECT, "check fall 2"),
	S("weight", IN_EFFECT, "weight 10"),
	{SL_KWF_SERVER, "cookie", IN_EFFECT, W_BACKEND,
	 "cookie SRV insert\n  server t 10.77.0.3:80 cookie t"},
	S("backup", IN_EFFECT, "backup"),
	S("no-backup", IN_EFFECT, "no-backup"),
	S("disabled", IN_EFFECT, "disabled"),
	S("enabled", IN_EFFECT, "enabled"),
	S("maxconn", IN_EFFECT, "maxconn 10"),
	S("maxqueue", WARNED, "maxconn 10 maxqueue 10"),
	S("port", IN_EFFECT, "check port 8080"),
	S("addr", IN_EFFECT, "check addr 10.77.0.9"),
	S("on-marked-down", IN_EFFECT, "check on-marked-down shutdown-sessions"),
	S("on-marked-up", IN_EFFECT, "check on-marked-up shutdown-backup-sessions"),
	S("slowstart", WARNED, "slowstart 10s"),
	S("send-proxy", IN_EFFECT, "send-proxy"),
	S("no-send-proxy", IN_EFFECT, "no-send-proxy"),
	S("send-proxy-v2", IN_EFFECT, "send-proxy-v2"),
	S("no-send-proxy-v2", IN_EFFECT, "no-send-proxy-v2"),
	S("proxy-v2-options", IN_EFFECT, "send-proxy-v2 proxy-v2-options ssl,ssl-cipher,authority,crc32c"),
	S("check-send-proxy", IN_EFFECT, "check check-send-proxy"),
	S("source", IN_EFFECT, "source 10.77.0.1"),
	S("init-addr", IN_EFFECT, "init-addr last,libc"),
	S("id", WARNED, "id 5"),
	S("minconn", WARNED, "minconn 5"),
	S("observe", WARNED, "observe layer7"),
	S("error-limit", WARNED, "error-limit 10"),
	S("on-error", WARNED, "on-error fastinter"),
	/* run-time DNS: a section that does not exist is refused (test_cfg_resolve reads the
	 * sections and the warning for a server written with an address) */
	S("resolvers", REFUSED, "resolvers dns"),
	S("resolve-prefer", IN_EFFECT, "resolve-prefer ipv4"),
	S("resolve-opts", IN_EFFECT, "resolve-opts allow-dup-ip"),
	S("resolve-net", IN_EFFECT, "resolve-net 10.0.0.0/8"),
	/* TLS towards the server (test_cfg_compat, test_server_tls.sh) */
	S("verify", IN_EFFECT, "ssl verify none"),
	S("ssl", IN_EFFECT, "ssl verify none"),
	S("no-ssl", IN_EFFECT, "no-ssl"),
	S("check-ssl", IN_EFFECT, "check-ssl verify none"),
	S("no-check-ssl", IN_EFFECT, "no-check-ssl"),
	S("sni", IN_EFFECT, "ssl verify none sni str(x)"),
	S("check-sni", IN_EFFECT, "check-ssl verify none check-sni x"),
	S("ca-file", IN_EFFECT, "ssl ca-file /etc/ca.pem"),
	S("no-ssl-reuse", IN_EFFECT, "ssl verify none no-ssl-reuse"),
	S("ssl-reuse", IN_EFFECT, "ssl verify none ssl-reuse"),
	S("ssl-min-ver", IN_EFFECT, "ssl verify none ssl-min-ver TLSv1.2"),
	S("ssl-max-ver", IN_EFFECT, "ssl verify none ssl-max-ver TLSv1.3"),
	S("ciphers", IN_EFFECT, "ssl verify none ciphers ECDHE-RSA-AES128-GCM-SHA256"),
	S("ciphersuites", IN_EFFECT, "ssl verify none ciphersuites TLS_AES_128_GCM_SHA256"),
	S("alpn", IN_EFFECT, "ssl verify none alpn http/1.1"),
	S("usesrc", REFUSED, "usesrc client"),
	S("interface", REFUSED, "interface eth0"),

	/* ---- bind parameters */
	N("ssl", IN_EFFECT, CRT),
	N("crt", WARNED, "crt /certs/site.pem"),
	N("alpn", IN_EFFECT, CRT "alpn http/1.1"),
	N("no-alpn", IN_EFFECT, CRT "no-alpn"),
	N("ssl-min-ver", IN_EFFECT, CRT "ssl-min-ver TLSv1.2"),
	N("ssl-max-ver", IN_EFFECT, CRT "ssl-max-ver TLSv1.3"),
	N("ciphers", IN_EFFECT, CRT "ciphers ECDHE-RSA-AES128-GCM-SHA256"),
	N("ciphersuites", IN_EFFECT, CRT "ciphersuites TLS_AES_128_GCM_SHA256"),
	N("name", WARNED, "name web"),
	N("no-sslv3", IN_EFFECT, CRT "no-sslv3"),
	N("no-tlsv10", IN_EFFECT, CRT "no-tlsv10"),
	N("no-tlsv11", IN_EFFECT, CRT "no-tlsv11"),
	N("no-tlsv12", IN_EFFECT, CRT "no-tlsv12"),
	N("no-tlsv13", IN_EFFECT, CRT "no-tlsv13"),
	N("no-tls-tickets", IN_EFFECT, CRT "no-tls-tickets"),
	N("force-tlsv12", IN_EFFECT, CRT "force-tlsv12"),
	N("force-tlsv13", IN_EFFECT, CRT "force-tlsv13"),
	N("strict-sni", WARNED, CRT "strict-sni"),
	/* sluice leaves the cipher choice to the client always (Mozilla intermediate) */
	N("prefer-client-ciphers", IN_EFFECT, CRT "prefer-client-ciphers"),
	/* the CertificateRequest names no CA */
	N("no-ca-names", IN_EFFECT, CRT "no-ca-names"),
	N("process", WARNED, "process 1"),
	N("thread", WARNED, "thread 1"),
	N("verify", IN_EFFECT, CRT "ca-file /etc/ca.pem verify required"),
	N("maxconn", WARNED, "maxconn 100"),
	N("backlog", WARNED, "backlog 100"),
	N("id", WARNED, "id 3"),
	N("ecdhe", WARNED, CRT "ecdhe prime256v1"),
	N("curves", WARNED, CRT "curves X25519"),
	N("transparent", WARNED, "transparent"),
	N("v4v6", WARNED, "v4v6"),
	N("v6only", WARNED, "v6only"),
	N("tfo", WARNED, "tfo"),
	N("defer-accept", WARNED, "defer-accept"),
	N("crt-list", IN_EFFECT, "ssl crt-list /etc/list"),
	N("ca-file", IN_EFFECT, CRT "ca-file /etc/ca.pem verify optional"),
	N("ca-verify-file", IN_EFFECT, CRT "ca-verify-file /etc/ca.pem verify required"),
	N("crl-file", IN_EFFECT, CRT "ca-file /etc/ca.pem verify optional crl-file /etc/crl.pem"),
	N("accept-proxy", IN_EFFECT, "accept-proxy"),
	N("npn", REFUSED, CRT "npn http/1.1"),
	N("interface", REFUSED, "interface eth0"),

	/* ---- stats in a proxy */
	ST("enable", IN_EFFECT, "stats enable"),
	ST("uri", IN_EFFECT, "stats uri /s"),
	ST("realm", IN_EFFECT, "stats realm lb"),
	ST("auth", IN_EFFECT, "stats auth a:b"),
	ST("hide-version", IN_EFFECT, "stats hide-version"),
	ST("refresh", IN_EFFECT, "stats refresh 5s"),
	ST("admin", IN_EFFECT, "stats admin if { src 10.0.0.0/8 }"),
	ST("show-legends", IN_EFFECT, "stats show-legends"),
	ST("show-node", WARNED, "stats show-node"),
	ST("show-modules", WARNED, "stats show-modules"),
	ST("show-desc", WARNED, "stats show-desc the edge"),
	ST("scope", WARNED, "stats scope f"),
	ST("prometheus-uri", IN_EFFECT, "stats prometheus-uri /metrics"),
	ST("socket", REFUSED, "stats socket /run/x.sock"),
	ST("timeout", REFUSED, "stats timeout 5s"),
	ST("maxconn", REFUSED, "stats maxconn 5"),
};

#define NDECISIONS (sizeof(decisions) / sizeof(decisions[0]))

static const char *const fam_names[SL_KWF_COUNT] = {"global",	"proxy", "option", "timeout",
						    "server",	"bind",	 "stats"};

/* The base configuration with @d's text at its place (NULL: none); it parses with no diagnostic. */
static int audit_parse(const struct decision *d, struct sl_cfg **cfg, struct tdiags *dg)
{
	static char text[4096];
	const char *t = d != NULL ? d->text : "";
#define AT(w) (d != NULL && d->at == (w) ? t : "")
	snprintf(text, sizeof(text),
		 "global\n  %s\n"
		 "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n"
		 "  timeout server 30s\n  %s\n"
		 "frontend f\n  bind 10.77.0.1:80 %s\n  %s\n  default_backend b\n"
		 "backend b\n  %s\n  server s 10.77.0.2:80 %s\n"
		 "dataplane\n  port lan0 iface eth0\n  address 10.77.0.1/24 port lan0\n",
		 AT(W_GLOBAL), AT(W_DEFAULTS), AT(W_BIND), AT(W_FRONTEND), AT(W_BACKEND),
		 AT(W_SERVER));
#undef AT
	struct sl_cfg_text tx = {.name = "audit.cfg", .data = text, .len = strlen(text)};
	return tparse_opt(&tx, 1, false, cfg, dg);
}

static void test_base_is_silent(void)
{
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	int rc = audit_parse(NULL, &cfg, &d);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(d.n, 0);
	if (d.n != 0)
		tdiag_print(&d, "the audit's base configuration");
	sl_cfg_free(cfg);
}

/* Every word of every table has one decision, and every decision names a word of its table. */
static void test_every_keyword_decided(void)
{
	for (int f = 0; f < SL_KWF_COUNT; f++) {
		const char *n;
		for (size_t i = 0; (n = sl_cfg_kw_name((enum sl_cfg_kw_family)f, i)) != NULL; i++) {
			int found = 0;
			for (size_t k = 0; k < NDECISIONS; k++)
				found += decisions[k].fam == (enum sl_cfg_kw_family)f &&
					 strcmp(decisions[k].name, n) == 0;
			if (found != 1)
				fprintf(stderr, "audit: %s keyword '%s' has %d decisions (want 1: in effect, warned or refused)\n",
					fam_names[f], n, found);
			CU_ASSERT_EQUAL(found, 1);
		}
	}
	for (size_t k = 0; k < NDECISIONS; k++) {
		bool known = false;
		const char *n;
		for (size_t i = 0; (n = sl_cfg_kw_name(decisions[k].fam, i)) != NULL; i++)
			known = known || strcmp(n, decisions[k].name) == 0;
		if (!known)
			fprintf(stderr, "audit: decision for '%s' (%s) names no keyword of the table\n",
				decisions[k].name, fam_names[decisions[k].fam]);
		CU_ASSERT(known);
	}
}

/* A warning or an error naming @name (quoted as the messages quote keywords, or as a word). */
static bool names_it(const struct tdiags *d, enum sl_cfg_diag_level lvl, const char *name)
{
	for (int i = 0; i < d->n && i < 128; i++)
		if (d->d[i].level == lvl && strstr(d->d[i].msg, name) != NULL)
			return true;
	return false;
}

static void check_family(enum sl_cfg_kw_family fam)
{
	for (size_t k = 0; k < NDECISIONS; k++) {
		const struct decision *dc = &decisions[k];
		if (dc->fam != fam)
			continue;
		struct sl_cfg *cfg = NULL;
		struct tdiags d;
		int rc = audit_parse(dc, &cfg, &d);
		bool ok;
		switch (dc->st) {
		case IN_EFFECT:
			ok = rc == 0 && d.n == 0;
			break;
		case WARNED:
			ok = rc == 0 && d.nerr == 0 && names_it(&d, SL_DIAG_WARNING, dc->name);
			break;
		case REFUSED:
		default:
			ok = rc != 0 && names_it(&d, SL_DIAG_ERROR, dc->name);
			break;
		}
		if (!ok) {
			char why[256];
			snprintf(why, sizeof(why), "audit: %s '%s' (%s) decided %s", fam_names[fam],
				 dc->name, dc->text,
				 dc->st == IN_EFFECT ? "in effect (no diagnostic)" :
				 dc->st == WARNED    ? "warned (a warning naming it)" :
						       "refused (an error naming it)");
			tdiag_print(&d, why);
		}
		CU_ASSERT(ok);
		sl_cfg_free(cfg);
	}
}

static void test_global(void)
{
	check_family(SL_KWF_GLOBAL);
}

static void test_proxy(void)
{
	check_family(SL_KWF_PROXY);
}

static void test_option(void)
{
	check_family(SL_KWF_OPTION);
}

static void test_timeout(void)
{
	check_family(SL_KWF_TIMEOUT);
}

static void test_server(void)
{
	check_family(SL_KWF_SERVER);
}

static void test_bind(void)
{
	check_family(SL_KWF_BIND);
}

static void test_stats(void)
{
	check_family(SL_KWF_STATS);
}

/* `no option X` returns to what sluice does: never a warning. */
static void test_no_option_is_silent(void)
{
	static const struct decision nos[] = {
		{SL_KWF_OPTION, "abortonclose", IN_EFFECT, W_BACKEND, "no option abortonclose"},
		{SL_KWF_OPTION, "httplog", IN_EFFECT, W_FRONTEND, "no option httplog"},
		{SL_KWF_OPTION, "tcpka", IN_EFFECT, W_BACKEND, "no option tcpka"},
		{SL_KWF_PROXY, "log", IN_EFFECT, W_FRONTEND, "log none"},
		{SL_KWF_SERVER, "slowstart", IN_EFFECT, W_SERVER, "slowstart 0"},
		{SL_KWF_SERVER, "maxqueue", IN_EFFECT, W_SERVER, "maxqueue 0"},
	};
	for (size_t k = 0; k < sizeof(nos) / sizeof(nos[0]); k++) {
		struct sl_cfg *cfg = NULL;
		struct tdiags d;
		int rc = audit_parse(&nos[k], &cfg, &d);
		CU_ASSERT(rc == 0 && d.n == 0);
		if (rc != 0 || d.n != 0)
			tdiag_print(&d, nos[k].text);
		sl_cfg_free(cfg);
	}
}

/* sl_cfg_opts.strict (sluiced --strict): a warning makes the configuration invalid, with one
 * error after the warnings; without warnings nothing changes. */
static void test_strict(void)
{
	static const char warned[] = "global\n  daemon\n  chroot /var/empty\n"
				     "defaults\n  mode http\n  timeout connect 5s\n"
				     "  timeout client 30s\n  timeout server 30s\n"
				     "backend b\n  server s 10.0.0.2:80\n";
	static const char silent[] = "defaults\n  mode http\n  timeout connect 5s\n"
				     "  timeout client 30s\n  timeout server 30s\n"
				     "backend b\n  server s 10.0.0.2:80\n";
	for (int strict = 0; strict <= 1; strict++) {
		for (int w = 0; w <= 1; w++) {
			const char *text = w ? warned : silent;
			struct tdiags d;
			memset(&d, 0, sizeof(d));
			struct sl_cfg_text tx = {.name = "s.cfg", .data = text, .len = strlen(text)};
			struct sl_cfg_opts opts = {.diag_fn = tdiag_collect,
						   .diag_arg = &d,
						   .no_dataplane_ok = true,
						   .strict = strict != 0};
			struct sl_cfg *cfg = NULL;
			int rc = sl_cfg_parse(&tx, 1, &opts, &cfg);
			CU_ASSERT_EQUAL(d.nwarn, w ? 2 : 0);
			if (strict && w) {
				CU_ASSERT_EQUAL(rc, -EINVAL);
				CU_ASSERT_EQUAL(d.nerr, 1);
				const struct tdiag *e = tdiag_first(&d, SL_DIAG_ERROR);
				CU_ASSERT(e != NULL && e->line == 0 &&
					  strstr(e->msg, "--strict: the configuration drew 2 warning(s)") != NULL);
			} else {
				CU_ASSERT_EQUAL(rc, 0);
				CU_ASSERT_EQUAL(d.nerr, 0);
			}
			sl_cfg_free(cfg);
		}
	}
}

/* Addresses the dataplane does not own or reach: binds, servers. */
static void test_addresses(void)
{
	static const char dp[] = "dataplane\n  port lan0 iface eth0\n"
				 "  address 10.77.0.1/24 port lan0\n"
				 "  route 10.90.0.0/16 via 10.77.0.254\n";
	static const char head[] = "defaults\n  mode http\n  timeout connect 5s\n"
				   "  timeout client 30s\n  timeout server 30s\n";
	char text[2048];
	struct sl_cfg *cfg = NULL;
	struct tdiags d;
	/* a frontend on an address not owned: refused at its bind line */
	snprintf(text, sizeof(text), "%sfrontend f\n  bind 10.77.0.9:80\n  default_backend b\n"
		 "backend b\n  server s 10.77.0.2:80\n%s", head, dp);
	T_REFUSED_EX(text, false, 7, "'bind': 10.77.0.9 is not one of sluice's addresses", NULL);
	/* ... but a stats page there is served by the kernel (controlplane/kpage.c) */
	snprintf(text, sizeof(text), "%slisten st\n  bind 127.0.0.1:8404\n  stats enable\n%s",
		 head, dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_EQUAL(d.n, 0);
	sl_cfg_free(cfg);
	/* an IPv6 bind listens nowhere: warned */
	snprintf(text, sizeof(text), "%sfrontend f\n  bind :::80\n  default_backend b\n"
		 "backend b\n  server s 10.77.0.2:80\n%s", head, dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 7, "IPv6 address listens nowhere"));
	sl_cfg_free(cfg);
	/* a server on loopback or IPv6: warned (HAProxy starts it; sluice cannot reach it) */
	snprintf(text, sizeof(text),
		 "%sbackend b\n  server lo 127.0.0.1:8080\n  server s6 [2001:db8::5]:80\n%s", head,
		 dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_EQUAL(d.n, 2);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 7,
			    "'server b/lo': 127.0.0.1 is a loopback address: sluice's dataplane cannot reach"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 8, "IPv6 servers are not supported yet"));
	sl_cfg_free(cfg);
	/* a server on no subnet and under no route: warned; under a route or connected: silent */
	snprintf(text, sizeof(text),
		 "%sbackend b\n  server far 10.91.0.5:80\n  server routed 10.90.3.4:80\n"
		 "  server near 10.77.0.7:80\n%s", head, dp);
	T_PARSE_OK(text, cfg, &d);
	CU_ASSERT_EQUAL(d.n, 1);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 7,
			    "'server b/far': 10.91.0.5 is on no subnet of an 'address' line and under no 'route'"));
	sl_cfg_free(cfg);
	/* without a dataplane section nothing is checked (no addresses to check against) */
	T_PARSE_OK("backend b\n  server lo 127.0.0.1:8080\n  timeout connect 1s\n"
		   "  timeout server 1s\n",
		   cfg, &d);
	sl_cfg_free(cfg);
}

static const struct sl_test_case cases[] = {
	{"the base configuration draws nothing", test_base_is_silent},
	{"every keyword of every table has a decision", test_every_keyword_decided},
	{"global keywords as decided", test_global},
	{"proxy keywords as decided", test_proxy},
	{"options as decided", test_option},
	{"timeouts as decided", test_timeout},
	{"server parameters as decided", test_server},
	{"bind parameters as decided", test_bind},
	{"stats words as decided", test_stats},
	{"'no option', 'log none', zero values: silent", test_no_option_is_silent},
	{"strict: warnings make the configuration invalid", test_strict},
	{"bind and server addresses the dataplane does not own or reach", test_addresses},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {{"cfg_audit", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}
