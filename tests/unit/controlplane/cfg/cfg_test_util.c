/* SPDX-License-Identifier: BSD-3-Clause */
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/arena.h"

#ifndef SL_FIXTURES
#error "SL_FIXTURES must name the tests/fixtures directory"
#endif

/* ---------------------------------------------------------------- diagnostics */

static const char *level_name(enum sl_cfg_diag_level l)
{
	switch (l) {
	case SL_DIAG_ERROR:
		return "error";
	case SL_DIAG_WARNING:
		return "warning";
	case SL_DIAG_NOTICE:
		return "notice";
	}
	return "?";
}

void tdiag_collect(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
		   const char *msg)
{
	struct tdiags *d = arg;
	if (level == SL_DIAG_ERROR)
		d->nerr++;
	else if (level == SL_DIAG_WARNING)
		d->nwarn++;
	if (d->n < (int)(sizeof(d->d) / sizeof(d->d[0]))) {
		struct tdiag *t = &d->d[d->n];
		t->level = level;
		snprintf(t->file, sizeof(t->file), "%s", file != NULL ? file : "");
		t->line = line;
		snprintf(t->msg, sizeof(t->msg), "%s", msg != NULL ? msg : "(null)");
	}
	d->n++;
}

void tdiag_print(const struct tdiags *d, const char *why)
{
	fprintf(stderr, "\n  -- %s; %d diagnostics (%d errors, %d warnings):\n", why, d->n, d->nerr,
		d->nwarn);
	int n = d->n < 128 ? d->n : 128;
	for (int i = 0; i < n; i++)
		fprintf(stderr, "     %s:%d: %s: %s\n", d->d[i].file, d->d[i].line,
			level_name(d->d[i].level), d->d[i].msg);
}

const struct tdiag *tdiag_first(const struct tdiags *d, enum sl_cfg_diag_level level)
{
	int n = d->n < 128 ? d->n : 128;
	for (int i = 0; i < n; i++)
		if (d->d[i].level == level)
			return &d->d[i];
	return NULL;
}

bool tdiag_has(const struct tdiags *d, enum sl_cfg_diag_level level, const char *file, int line,
	       const char *sub)
{
	int n = d->n < 128 ? d->n : 128;
	for (int i = 0; i < n; i++) {
		const struct tdiag *t = &d->d[i];
		if (t->level != level)
			continue;
		if (file != NULL && strcmp(t->file, file) != 0)
			continue;
		if (line >= 0 && t->line != line)
			continue;
		if (sub != NULL && strstr(t->msg, sub) == NULL)
			continue;
		return true;
	}
	return false;
}

bool tcheck_first_error(const struct tdiags *d, bool exact, const char *file, int line,
			const char *sub, const char *sub2)
{
	char why[512];
	const struct tdiag *e = tdiag_first(d, SL_DIAG_ERROR);
	if (exact && d->nerr != 1) {
		snprintf(why, sizeof(why), "expected exactly one error, got %d", d->nerr);
		goto bad;
	}
	if (e == NULL) {
		snprintf(why, sizeof(why), "expected an error, got none");
		goto bad;
	}
	if (strcmp(e->file, file) != 0 || (line >= 0 && e->line != line)) {
		snprintf(why, sizeof(why), "expected the first error at %s:%d", file, line);
		goto bad;
	}
	if (strstr(e->msg, sub) == NULL && (sub2 == NULL || strstr(e->msg, sub2) == NULL)) {
		snprintf(why, sizeof(why), "expected the first error to contain \"%s\"%s%s%s", sub,
			 sub2 != NULL ? " or \"" : "", sub2 != NULL ? sub2 : "",
			 sub2 != NULL ? "\"" : "");
		goto bad;
	}
	return true;
bad:
	tdiag_print(d, why);
	return false;
}

bool trefused(const struct sl_cfg_text *texts, int n, bool exact, const char *file, int line,
	      const char *sub, const char *sub2, struct tdiags *d)
{
	struct tdiags local;
	if (d == NULL)
		d = &local;
	struct sl_cfg *sentinel = (struct sl_cfg *)d; /* sl_cfg_parse() must reset *out to NULL */
	struct sl_cfg *cfg = sentinel;
	int rc = tparse_n(texts, n, &cfg, d);
	bool ok = true;
	if (rc != -EINVAL) {
		fprintf(stderr, "\n  -- expected -EINVAL, got %d", rc);
		ok = false;
	}
	if (cfg != NULL) {
		fprintf(stderr, "\n  -- expected *out NULL%s",
			cfg == sentinel ? " (left untouched)" : "");
		ok = false;
	}
	if (!tcheck_first_error(d, exact, file, line, sub, sub2))
		ok = false;
	else if (!ok || getenv("SL_TEST_VERBOSE") != NULL)
		tdiag_print(d, ok ? "refused as expected" : "diagnostics");
	if (rc == 0 && cfg != sentinel)
		sl_cfg_free(cfg);
	return ok;
}

bool trefused1(const char *text, bool exact, int line, const char *sub, const char *sub2,
	       struct tdiags *d)
{
	struct sl_cfg_text t = {.name = "t.cfg", .data = text, .len = strlen(text)};
	return trefused(&t, 1, exact, "t.cfg", line, sub, sub2, d);
}

bool tstreq(const char *got, const char *want, const char *expr)
{
	if (got != NULL && want != NULL && strcmp(got, want) == 0)
		return true;
	if (got == NULL && want == NULL)
		return true;
	fprintf(stderr, "\n  -- %s: got %s%s%s, expected %s%s%s", expr, got ? "\"" : "",
		got ? got : "NULL", got ? "\"" : "", want ? "\"" : "", want ? want : "NULL",
		want ? "\"" : "");
	return false;
}

/* ---------------------------------------------------------------- fake filesystem */

#define TFS_ERR(code, text)                                                              \
	{                                                                                \
		"/etc/haproxy/errors/" #code ".http",                                    \
			"HTTP/1.0 " #code " " text                                       \
			"\r\nCache-Control: no-cache\r\nConnection: close\r\n"           \
			"Content-Type: text/html\r\n\r\n<html><body><h1>" #code " " text \
			"</h1></body></html>\n",                                         \
			false                                                            \
	}

struct tfile {
	const char *path;
	const char *content; /* NULL for a directory */
	bool dir;
};

static const struct tfile tfs_defaults[] = {
	TFS_ERR(400, "Bad request"),
	TFS_ERR(403, "Forbidden"),
	TFS_ERR(408, "Request Time-out"),
	TFS_ERR(500, "Internal Server Error"),
	TFS_ERR(502, "Bad Gateway"),
	TFS_ERR(503, "Service Unavailable"),
	TFS_ERR(504, "Gateway Time-out"),
	{"/etc/haproxy/certs/$DOMAIN.pem",
	 "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	 "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
	 false},
	{"/certs/site.pem",
	 "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"
	 "-----BEGIN PRIVATE KEY-----\nMIIF\n-----END PRIVATE KEY-----\n",
	 false},
	{"/certs/dir", NULL, true},
	{"/etc/ca.pem", "-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n", false},
	{"/etc/crl.pem", "-----BEGIN X509 CRL-----\nMIIE\n-----END X509 CRL-----\n", false},
	{"/etc/list", "# a crt-list\n/certs/site.pem [verify optional ca-file /etc/ca.pem] a.test !b.a.test\n", false},
	{"/etc/ssl/private", NULL, true},
};

#define TFS_MAX 32
static struct tfile tfs_extra[TFS_MAX];
static int tfs_nextra;

void tfs_reset(void)
{
	tfs_nextra = 0;
}

void tfs_add(const char *path, const char *content)
{
	if (tfs_nextra < TFS_MAX)
		tfs_extra[tfs_nextra++] = (struct tfile){path, content, content == NULL};
}

static const struct tfile *tfs_find(const char *path)
{
	for (int i = 0; i < tfs_nextra; i++)
		if (strcmp(tfs_extra[i].path, path) == 0)
			return &tfs_extra[i];
	for (size_t i = 0; i < sizeof(tfs_defaults) / sizeof(tfs_defaults[0]); i++)
		if (strcmp(tfs_defaults[i].path, path) == 0)
			return &tfs_defaults[i];
	return NULL;
}

const char *tfs_content(const char *path)
{
	const struct tfile *f = tfs_find(path);
	return f != NULL ? f->content : NULL;
}

int tfs_read(void *arg, struct sl_arena *arena, const char *path, const char **data, size_t *len)
{
	(void)arg;
	*data = NULL;
	*len = 0;
	if (path == NULL)
		return -EINVAL;
	const struct tfile *f = tfs_find(path);
	if (f == NULL)
		return -ENOENT;
	if (f->dir)
		return -EISDIR;
	size_t n = strlen(f->content);
	char *p = sl_arena_strndup(arena, f->content, n);
	if (p == NULL)
		return -ENOMEM;
	*data = p;
	*len = n;
	return 0;
}

/* ---------------------------------------------------------------- fake environment */

const char *tgetenv(const char *name)
{
	static const struct {
		const char *name, *value;
	} env[] = {
		{"DOMAIN", "example.com"},
		{"PORT", "8080"},
		{"EMPTY", ""},
		{"ADDR", "10.0.0.7"},
	};
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (strcmp(env[i].name, name) == 0)
			return env[i].value;
	return NULL;
}

/* ---------------------------------------------------------------- parsing */

int tparse_opt(const struct sl_cfg_text *texts, int n, bool no_dataplane_ok, struct sl_cfg **out,
	       struct tdiags *d)
{
	memset(d, 0, sizeof(*d));
	struct sl_cfg_opts opts = {
		.getenv_fn = tgetenv,
		.read_fn = tfs_read,
		.read_arg = NULL,
		.diag_fn = tdiag_collect,
		.diag_arg = d,
		.no_dataplane_ok = no_dataplane_ok,
	};
	return sl_cfg_parse(texts, n, &opts, out);
}

int tparse_n(const struct sl_cfg_text *texts, int n, struct sl_cfg **out, struct tdiags *d)
{
	return tparse_opt(texts, n, true, out, d);
}

int tparse(const char *text, struct sl_cfg **out, struct tdiags *d)
{
	struct sl_cfg_text t = {.name = "t.cfg", .data = text, .len = strlen(text)};
	return tparse_n(&t, 1, out, d);
}

char *tload_fixture(const char *rel, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", SL_FIXTURES, rel);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "cannot open fixture %s\n", path);
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		if (cap - n - 1 == 0) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf == NULL)
		return NULL;
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int tparse_fixtures(const char *const *rels, int n, struct sl_cfg **out, struct tdiags *d)
{
	struct sl_cfg_text texts[8];
	char *bufs[8] = {0};
	int rc = 0;
	if (n > 8)
		return -E2BIG;
	for (int i = 0; i < n; i++) {
		size_t len = 0;
		bufs[i] = tload_fixture(rels[i], &len);
		if (bufs[i] == NULL) {
			rc = -ENOENT;
			goto out;
		}
		const char *slash = strrchr(rels[i], '/');
		texts[i] = (struct sl_cfg_text){
			.name = slash != NULL ? slash + 1 : rels[i], .data = bufs[i], .len = len};
	}
	rc = tparse_n(texts, n, out, d);
out:
	for (int i = 0; i < n; i++)
		free(bufs[i]);
	return rc;
}

char *tdump(const struct sl_cfg *cfg, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (f == NULL)
		return NULL;
	int rc = sl_cfg_dump(cfg, f);
	if (fclose(f) != 0 || rc != 0) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}

/* ---------------------------------------------------------------- sample configuration */

const char tkitchen_sink[] =
	"global\n"
	"  log 127.0.0.1:514 local0 info\n"
	"  maxconn 4096\n"
	"  user sluice\n"
	"  group sluice\n"
	"  daemon\n"
	"  stats socket /run/sluice.sock mode 600 level admin\n"
	"  ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256\n"
	"  ssl-default-bind-options no-sslv3 no-tlsv10\n"
	"  tune.bufsize 32768\n"
	"defaults\n"
	"  mode http\n"
	"  option httplog\n"
	"  option dontlognull\n"
	"  option http-server-close\n"
	"  option forwardfor except 127.0.0.0/8\n"
	"  option redispatch\n"
	"  retries 2\n"
	"  timeout connect 100us\n"
	"  timeout client 30s\n"
	"  timeout server 1m\n"
	"  timeout tunnel 1h\n"
	"  timeout http-request 10s\n"
	"  default-server inter 3s fall 5\n"
	"  errorfile 503 /etc/haproxy/errors/503.http\n"
	"frontend www\n"
	"  bind *:80\n"
	"  bind 10.77.0.1:443 ssl crt /certs/site.pem crt /certs/dir alpn h2,http/1.1\n"
	"  bind :2935-2940\n"
	"  maxconn 1000\n"
	"  acl api path_beg /api /v2\n"
	"  acl hls path_reg -i ^.*\\.(m3u8|ts)$\n"
	"  acl lan src 10.0.0.0/8 192.168.0.0/16\n"
	"  acl host hdr(host) -i example.com\n"
	"  http-request deny if !lan { path_beg /admin }\n"
	"  http-request set-header X-Proto https if { ssl_fc }\n"
	"  http-request del-header X-Secret\n"
	"  http-response add-header X-Served-By \"sluice node 1\"\n"
	"  redirect scheme https code 301 if !{ ssl_fc } host\n"
	"  use_backend api if api or hls\n"
	"  use_backend api unless lan\n"
	"  default_backend web\n"
	"backend web\n"
	"  balance leastconn\n"
	"  cookie SRV insert indirect nocache httponly secure domain .example.com maxidle 30m\n"
	"  option httpchk GET /health\n"
	"  http-check expect status 200\n"
	"  server w1 10.0.1.1:8080 check cookie w1 weight 50 maxconn 100\n"
	"  server w2 10.0.1.2:8080 check cookie w2 backup\n"
	"backend api\n"
	"  balance uri\n"
	"  timeout server 2m\n"
	"  server a1 10.0.2.1 check port 9000 addr 10.0.2.100 rise 3 fall 2\n"
	"listen stats\n"
	"  bind :6080\n"
	"  stats enable\n"
	"  stats uri /stats\n"
	"  stats realm Sluice\\ Statistics\n"
	"  stats auth admin:secret\n"
	"  stats auth \"ops:with space\"\n"
	"  stats refresh 10s\n"
	"  stats admin if TRUE\n"
	"listen rtmp\n"
	"  mode tcp\n"
	"  bind :1935\n"
	"  balance source\n"
	"  server r1 10.0.3.1:1935 check\n"
	"dataplane\n"
	"  port lan0 iface eth0 driver af_xdp\n"
	"  address 10.77.0.1/24 port lan0\n"
	"  route default via 10.77.0.254\n"
	"  route 10.99.0.0/16 via 10.77.0.253\n"
	"  cores 0,2-3\n"
	"  memory 1024\n";

/* ---------------------------------------------------------------- model lookups */

struct sl_proxy *tpx(const struct sl_cfg *cfg, const char *name)
{
	for (struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next)
		if ((p->cap & SL_CAP_DEF) == 0 && p->name != NULL && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct sl_proxy *tpx_cap(const struct sl_cfg *cfg, const char *name, unsigned cap)
{
	for (struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next)
		if ((p->cap & SL_CAP_DEF) == 0 && (p->cap & cap) == cap && p->name != NULL &&
		    strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

struct sl_server *tsrv(const struct sl_proxy *px, const char *name)
{
	for (struct sl_server *s = px->servers; s != NULL; s = s->next)
		if (s->name != NULL && strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

struct sl_acl *tacl(const struct sl_proxy *px, const char *name)
{
	for (struct sl_acl *a = px->acls; a != NULL; a = a->next)
		if (a->name != NULL && strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

int tcount_str(const struct sl_cfg_str *l)
{
	int n = 0;
	for (; l != NULL; l = l->next)
		n++;
	return n;
}

const char *tstr_at(const struct sl_cfg_str *l, int i)
{
	for (; l != NULL; l = l->next, i--)
		if (i == 0)
			return l->s;
	return NULL;
}
