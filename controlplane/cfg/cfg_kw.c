/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy keywords (defaults, frontend, backend, listen), one handler each, in a table that says
 * which sections accept the keyword (HAProxy's capability flags). Handlers fill the model in
 * controlplane/cfg/cfg-t.h; every refusal names the keyword and the offending word.
 */
#include "controlplane/cfg/cfg_int.h"
#include "controlplane/cfg/crtlist.h"
#include "controlplane/cfg/cfg_kwtab.h"
#include "controlplane/cfg/cfg_lex.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define D SL_CAP_DEF
#define F SL_CAP_FE
#define B SL_CAP_BE

typedef int (*kw_fn)(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv);

struct proxy_kw {
	const char *name;
	unsigned cap;
	kw_fn fn;
};

/* ------------------------------------------------------------------ defaults and inheritance */

void cfg_srv_params_init(struct sl_srv_params *p)
{
	memset(p, 0, sizeof(*p));
	p->inter = 2000;
	p->rise = 2;
	p->fall = 3;
	p->weight = 1;
	p->tls.verify = -1;
}

void cfg_proxy_init(struct sl_proxy *px)
{
	px->mode = SL_MODE_TCP; /* HAProxy's built-in default when no defaults section says http */
	px->retries = 3;
	px->balance = SL_BAL_ROUNDROBIN;
	px->http_conn = SL_HTTP_KEEP_ALIVE;
	cfg_srv_params_init(&px->dflt_srv);
}

static struct sl_cfg_str *copy_strs(struct cfg_ctx *c, const struct sl_cfg_str *s)
{
	struct sl_cfg_str *head = NULL;
	for (; s != NULL; s = s->next)
		cfg_str_append(c, &head, s->s);
	return head;
}

void cfg_proxy_inherit(struct cfg_ctx *c, struct sl_proxy *px, const struct sl_proxy *def)
{
	bool fe = (px->cap & (SL_CAP_FE | SL_CAP_DEF)) != 0;
	bool be = (px->cap & (SL_CAP_BE | SL_CAP_DEF)) != 0;

	/* settings of both sides */
	px->mode = def->mode;
	px->dontlognull = def->dontlognull;
	px->log_global = def->log_global;
	px->log_targets = cfg_log_copy(c, def->log_targets); /* its own lines come after */
	px->logs = copy_strs(c, def->logs);
	px->tcpka = def->tcpka;
	px->http_ignore_probes = def->http_ignore_probes;
	px->log_format = def->log_format;
	px->log_fmt = def->log_fmt;
	px->http_conn = def->http_conn;
	px->fwdfor = def->fwdfor;
	px->to = def->to;
	px->inspect_delay = def->inspect_delay;
	px->inspect_delay_loc = def->inspect_delay_loc;
	px->stats = def->stats;
	px->stats.auth = copy_strs(c, def->stats.auth);
	px->errorfiles = NULL;
	for (const struct sl_errorfile *e = def->errorfiles; e != NULL; e = e->next) {
		struct sl_errorfile *n = cfg_alloc(c, sizeof(*n));
		*n = *e;
		n->next = NULL;
		SL_LIST_APPEND(&px->errorfiles, n);
	}
	/* frontend-only settings (a keyword allowed in defaults and frontends) */
	if (fe) {
		px->maxconn = def->maxconn;
		px->monitor_uri = def->monitor_uri;
		px->monitor_uri_loc = def->monitor_uri_loc;
		px->default_backend = def->default_backend;
		px->default_backend_loc = def->default_backend_loc;
	}
	/* backend-only settings */
	if (be) {
		px->fullconn = def->fullconn;
		px->retries = def->retries;
		px->load_server_state = def->load_server_state;
		px->redispatch = def->redispatch;
		px->allbackups = def->allbackups;
		px->log_health_checks = def->log_health_checks;
		px->abortonclose = def->abortonclose;
		px->balance = def->balance;
		px->uri_len = def->uri_len;
		px->uri_depth = def->uri_depth;
		px->uri_whole = def->uri_whole;
		px->bal_hdr = def->bal_hdr;
		px->bal_hdr_domain = def->bal_hdr_domain;
		px->random_draws = def->random_draws;
		px->cookie = def->cookie;
		px->cookie.domains = copy_strs(c, def->cookie.domains);
		px->chk = def->chk;
		px->chk.headers = copy_strs(c, def->chk.headers);
		px->tcpchk = def->tcpchk;
		px->tcpchk.inherited = def->tcpchk.nrules > 0;
		px->tcpchk.pending_comment = NULL;
		px->dflt_srv = def->dflt_srv;
		px->source = def->source;
		px->source_loc = def->source_loc;
	}
}

/* ------------------------------------------------------------------ small helpers */

static int need_args(struct cfg_ctx *c, int argc, char **argv, int min, const char *usage)
{
	if (argc < min) {
		cfg_err(c, "'%s' expects %s", argv[0], usage);
		return -1;
	}
	return 0;
}

static int no_more(struct cfg_ctx *c, const char *kw, int i, int argc, char **argv)
{
	if (i < argc) {
		cfg_err(c, "'%s': unexpected argument '%s'", kw, argv[i]);
		return -1;
	}
	return 0;
}

static const char *px_kind(const struct sl_proxy *px)
{
	return px->cap == SL_CAP_DEF ? "defaults" :
	       px->cap == SL_CAP_FE  ? "frontend" :
	       px->cap == SL_CAP_BE  ? "backend" :
				       "listen";
}

/* ------------------------------------------------------------------ ACLs and conditions */

struct fetch_def {
	const char *name;
	enum sl_acl_fetch fetch;
	bool has_arg; /* name(arg) */
	enum { PAT_STR, PAT_REG, PAT_NET, PAT_INT, PAT_VER, PAT_NONE } pat;
};

static const struct fetch_def fetches[] = {
	{"path", SL_FETCH_PATH, false, PAT_STR},
	{"path_beg", SL_FETCH_PATH_BEG, false, PAT_STR},
	{"path_end", SL_FETCH_PATH_END, false, PAT_STR},
	{"path_sub", SL_FETCH_PATH_SUB, false, PAT_STR},
	{"path_reg", SL_FETCH_PATH_REG, false, PAT_REG},
	{"path_dir", SL_FETCH_PATH_DIR, false, PAT_STR},
	{"url_beg", SL_FETCH_URL_BEG, false, PAT_STR},
	{"url_reg", SL_FETCH_URL_REG, false, PAT_REG},
	{"hdr", SL_FETCH_HDR, true, PAT_STR},
	{"hdr_beg", SL_FETCH_HDR_BEG, true, PAT_STR},
	{"hdr_end", SL_FETCH_HDR_END, true, PAT_STR},
	{"hdr_sub", SL_FETCH_HDR_SUB, true, PAT_STR},
	{"hdr_reg", SL_FETCH_HDR_REG, true, PAT_REG},
	{"hdr_cnt", SL_FETCH_HDR_CNT, true, PAT_INT},
	{"req.hdr", SL_FETCH_HDR, true, PAT_STR},
	{"method", SL_FETCH_METHOD, false, PAT_STR},
	{"src", SL_FETCH_SRC, false, PAT_NET},
	{"dst_port", SL_FETCH_DST_PORT, false, PAT_INT},
	{"ssl_fc", SL_FETCH_SSL_FC, false, PAT_NONE},
	{"ssl_fc_sni", SL_FETCH_SSL_FC_SNI, false, PAT_STR},
	{"always_true", SL_FETCH_ALWAYS_TRUE, false, PAT_NONE},
	{"dst", SL_FETCH_DST, false, PAT_NET},
	{"src_port", SL_FETCH_SRC_PORT, false, PAT_INT},
	{"req.len", SL_FETCH_REQ_LEN, false, PAT_INT},
	{"req_len", SL_FETCH_REQ_LEN, false, PAT_INT},
	{"req.ssl_hello_type", SL_FETCH_REQ_SSL_HELLO_TYPE, false, PAT_INT},
	{"req_ssl_hello_type", SL_FETCH_REQ_SSL_HELLO_TYPE, false, PAT_INT},
	{"req.ssl_ver", SL_FETCH_REQ_SSL_VER, false, PAT_VER},
	{"req_ssl_ver", SL_FETCH_REQ_SSL_VER, false, PAT_VER},
	{"req.ssl_sni", SL_FETCH_REQ_SSL_SNI, false, PAT_STR},
	{"req_ssl_sni", SL_FETCH_REQ_SSL_SNI, false, PAT_STR},
	{"always_false", SL_FETCH_ALWAYS_FALSE, false, PAT_NONE},
	{"http_auth", SL_FETCH_HTTP_AUTH, true, PAT_NONE},
	{"http_auth_group", SL_FETCH_HTTP_AUTH_GROUP, true, PAT_STR},
	{"ssl_c_used", SL_FETCH_SSL_C_USED, false, PAT_NONE},
	{"ssl_fc_has_crt", SL_FETCH_SSL_FC_HAS_CRT, false, PAT_NONE},
	{"ssl_c_verify", SL_FETCH_SSL_C_VERIFY, false, PAT_INT},
	{"ssl_c_s_dn", SL_FETCH_SSL_C_S_DN, false, PAT_STR},
	{"ssl_c_i_dn", SL_FETCH_SSL_C_I_DN, false, PAT_STR},
	{NULL, 0, false, PAT_NONE},
};

const char *sl_cfg_fetch_name(enum sl_acl_fetch f)
{
	for (const struct fetch_def *d = fetches; d->name != NULL; d++)
		if (d->fetch == f)
			return d->name;
	return "?";
}

static const struct fetch_def *fetch_of(enum sl_acl_fetch f)
{
	for (const struct fetch_def *d = fetches; d->name != NULL; d++)
		if (d->fetch == f)
			return d;
	return NULL;
}

/* "-m beg" on path/hdr: the match method picks the fetch variant. */
static int apply_match(struct cfg_ctx *c, struct sl_acl *acl, const char *m)
{
	bool is_hdr = acl->fetch >= SL_FETCH_HDR && acl->fetch <= SL_FETCH_HDR_REG;
	bool is_path = acl->fetch >= SL_FETCH_PATH && acl->fetch <= SL_FETCH_PATH_DIR;
	static const struct {
		const char *m;
		enum sl_acl_fetch path, hdr;
	} tab[] = {
		{"str", SL_FETCH_PATH, SL_FETCH_HDR},
		{"beg", SL_FETCH_PATH_BEG, SL_FETCH_HDR_BEG},
		{"end", SL_FETCH_PATH_END, SL_FETCH_HDR_END},
		{"sub", SL_FETCH_PATH_SUB, SL_FETCH_HDR_SUB},
		{"reg", SL_FETCH_PATH_REG, SL_FETCH_HDR_REG},
		{"dir", SL_FETCH_PATH_DIR, SL_FETCH_PATH_DIR},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcmp(tab[i].m, m) != 0)
			continue;
		if (is_path) {
			acl->fetch = tab[i].path;
			return 0;
		}
		if (is_hdr && tab[i].hdr != SL_FETCH_PATH_DIR) {
			acl->fetch = tab[i].hdr;
			return 0;
		}
	}
	if (strcmp(m, "found") == 0)
		return 0; /* no pattern: presence, which is what an empty pattern list means */
	if (strcmp(m, "str") == 0 && acl->fetch == SL_FETCH_REQ_SSL_SNI)
		return 0;
	cfg_err(c, "'acl': match method '-m %s' is not supported with '%s'", m,
		sl_cfg_fetch_name(acl->fetch));
	return -1;
}

static int int_pattern(struct cfg_ctx *c, const char *s, struct sl_acl_pat *p)
{
	char *end;
	errno = 0;
	p->num = strtoll(s, &end, 10);
	if (end != s && *end == ':') {
		const char *t = end + 1;
		p->num2 = strtoll(t, &end, 10);
		if (end == t || *end != '\0' || errno != 0 || p->num2 < p->num)
			goto bad;
		p->op = SL_INT_RANGE;
		return 0;
	}
	if (end == s || *end != '\0' || errno != 0)
		goto bad;
	return 0;
bad:
	cfg_err(c, "'acl': invalid integer pattern '%s'", s);
	return -1;
}

/* "3.1" (SSL/TLS versions as req.ssl_ver gives them: major << 16 | minor), or an integer. */
static int ver_pattern(struct cfg_ctx *c, const char *s, struct sl_acl_pat *p)
{
	char *end;
	errno = 0;
	long maj = strtol(s, &end, 10);
	if (end != s && *end == '.') {
		const char *t = end + 1;
		long min = strtol(t, &end, 10);
		if (end == t || *end != '\0' || errno != 0 || maj < 0 || maj > 255 || min < 0 ||
		    min > 255)
			goto bad;
		p->num = maj << 16 | min;
		return 0;
	}
	if (end == s || *end != '\0' || errno != 0 || maj < 0)
		goto bad;
	p->num = maj;
	return 0;
bad:
	cfg_err(c, "'acl': invalid version pattern '%s' (as in '3.1')", s);
	return -1;
}

/* One pattern @s of kind @pat appended to @acl. Returns 0 or -1 (reported). */
static int add_pattern(struct cfg_ctx *c, struct sl_acl *acl, int pat, enum sl_acl_int_op op,
		       const char *s)
{
	struct sl_acl_pat *p = cfg_alloc(c, sizeof(*p));
	if (p == NULL)
		return -1;
	p->str = cfg_strdup(c, s);
	switch (pat) {
	case PAT_REG:
		p->re = cfg_regex(c, "acl", s, acl->icase);
		if (p->re == NULL)
			return -1;
		break;
	case PAT_NET:
		if (cfg_net(c, "acl", s, true, &p->net) < 0)
			return -1;
		break;
	case PAT_INT:
		p->op = op;
		if (int_pattern(c, s, p) < 0)
			return -1;
		break;
	case PAT_VER: /* "MAJOR.MINOR" as HAProxy's dotted versions: major << 16 | minor */
		p->op = op;
		if (ver_pattern(c, s, p) < 0)
			return -1;
		break;
	default:
		break;
	}
	SL_LIST_APPEND(&acl->pats, p);
	acl->npats++;
	return 0;
}

/*
 * Parses "FETCH [flags] PATTERN..." from @argv[0..argc) into a new ACL. Returns NULL after
 * reporting an error.
 */
static struct sl_acl *parse_acl_body(struct cfg_ctx *c, const char *name, int argc, char **argv)
{
	if (argc < 1) {
		cfg_err(c, "'acl %s' expects a fetch method (path_beg, hdr(host), src, ...)",
			name ? name : "");
		return NULL;
	}
	char fname[64];
	const char *arg = NULL;
	const char *paren = strchr(argv[0], '(');
	size_t fl = paren ? (size_t)(paren - argv[0]) : strlen(argv[0]);
	if (fl >= sizeof(fname))
		fl = sizeof(fname) - 1;
	memcpy(fname, argv[0], fl);
	fname[fl] = '\0';
	const struct fetch_def *fd = NULL;
	for (const struct fetch_def *d = fetches; d->name != NULL; d++)
		if (strcmp(d->name, fname) == 0)
			fd = d;
	static const struct fetch_def stk_fetch = {"sc_*", SL_FETCH_STK, false, PAT_INT};
	struct sl_acl stk = {0};
	int is_stk = fd == NULL ? cfg_stick_fetch(c, argv[0], &stk) : 0;
	if (is_stk < 0)
		return NULL;
	if (is_stk > 0)
		fd = &stk_fetch; /* a stick counter (cfg_stick.c): integer patterns */
	if (fd == NULL) {
		const char *dym = cfg_did_you_mean(fname, fetches, sizeof(fetches[0]));
		cfg_err(c, "'acl': unknown fetch method '%s'%s%s%s", argv[0],
			dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
		return NULL;
	}
	struct sl_acl *acl = cfg_alloc(c, sizeof(*acl));
	acl->name = name ? cfg_strdup(c, name) : NULL;
	acl->fetch = fd->fetch;
	acl->stk = stk.stk;
	acl->loc = cfg_loc(c);
	if (is_stk > 0) {
		/* arguments parsed by cfg_stick_fetch() */
	} else if (fd->has_arg) {
		size_t l = strlen(argv[0]);
		if (paren == NULL || argv[0][l - 1] != ')' || paren + 1 >= argv[0] + l - 1) {
			cfg_err(c, "'acl': '%s' expects a header name in parentheses, as in '%s(host)'",
				argv[0], fname);
			return NULL;
		}
		char *h = cfg_alloc(c, l);
		memcpy(h, paren + 1, (size_t)(argv[0] + l - 1 - (paren + 1)));
		char *comma = strchr(h, ',');
		if (comma != NULL)
			*comma = '\0'; /* occurrence argument: the last occurrence is used */
		if (h[0] == '\0') {
			cfg_err(c, "'acl': '%s' has an empty header name", argv[0]);
			return NULL;
		}
		arg = h;
		acl->hdr = arg;
		if (acl->fetch == SL_FETCH_HTTP_AUTH || acl->fetch == SL_FETCH_HTTP_AUTH_GROUP) {
			acl->next_auth = c->auth_acls; /* its userlist: found by cfg_check */
			c->auth_acls = acl;
		}
	} else if (paren != NULL) {
		cfg_err(c, "'acl': '%s' takes no argument", fname);
		return NULL;
	}
	int i = 1, files = 0;
	const struct sl_map *pfiles[8];
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-i") == 0)
			acl->icase = true;
		else if (strcmp(argv[i], "-n") == 0)
			; /* no dup: nothing to do */
		else if (strcmp(argv[i], "-m") == 0) {
			if (i + 1 >= argc) {
				cfg_err(c, "'acl': '-m' expects a match method");
				return NULL;
			}
			if (apply_match(c, acl, argv[++i]) < 0)
				return NULL;
		} else if (strcmp(argv[i], "-f") == 0) {
			if (i + 1 >= argc) {
				cfg_err(c, "'acl': '-f' expects a pattern file");
				return NULL;
			}
			const struct sl_map *m = cfg_map(c, "acl -f", argv[++i], false);
			if (m == NULL)
				return NULL;
			if (files == 8) {
				cfg_err(c, "'acl': more than 8 pattern files on one line");
				return NULL;
			}
			pfiles[files++] = m;
		} else if (fd->pat == PAT_INT && argv[i][1] >= '0' && argv[i][1] <= '9') {
			break; /* a negative number */
		} else {
			cfg_err(c, "'acl': unknown flag '%s' (-i, -m, -n, --)", argv[i]);
			return NULL;
		}
	}
	const struct fetch_def *eff = is_stk > 0 ? &stk_fetch : fetch_of(acl->fetch);
	enum sl_acl_int_op op = SL_INT_EQ;
	/* the patterns of the -f files first, one a line, then those of the line */
	for (int f = 0; f < files; f++)
		for (size_t k = 0; k < pfiles[f]->n; k++) {
			const struct sl_map_ent *e = &pfiles[f]->ents[k];
			char *pat = cfg_alloc(c, e->klen + 1);
			if (pat == NULL)
				return NULL;
			memcpy(pat, e->key, e->klen);
			if (add_pattern(c, acl, eff->pat, SL_INT_EQ, pat) < 0)
				return NULL;
		}
	for (; i < argc; i++) {
		if (eff->pat == PAT_NONE) {
			cfg_err(c, "'acl': '%s' takes no pattern, got '%s'", eff->name, argv[i]);
			return NULL;
		}
		if (eff->pat == PAT_INT || eff->pat == PAT_VER) {
			static const char *const ops[] = {"eq", "ge", "gt", "le", "lt"};
			bool was_op = false;
			for (int k = 0; k < 5; k++)
				if (strcmp(argv[i], ops[k]) == 0) {
					op = (enum sl_acl_int_op)k;
					was_op = true;
				}
			if (was_op)
				continue;
		}
		if (add_pattern(c, acl, eff->pat, op, argv[i]) < 0)
			return NULL;
	}
	return acl;
}

/* Built-in ACLs that HAProxy predefines. */
static struct sl_acl *predefined_acl(struct cfg_ctx *c, const char *name)
{
	static const struct {
		const char *name;
		const char *body[3];
	} pre[] = {
		{"TRUE", {"always_true", NULL, NULL}},
		{"FALSE", {"always_false", NULL, NULL}},
		{"LOCALHOST", {"src", "127.0.0.1/8", NULL}},
		{"METH_GET", {"method", "GET", "HEAD"}},
		{"METH_HEAD", {"method", "HEAD", NULL}},
		{"METH_POST", {"method", "POST", NULL}},
		{"METH_PUT", {"method", "PUT", NULL}},
		{"METH_DELETE", {"method", "DELETE", NULL}},
		{"METH_OPTIONS", {"method", "OPTIONS", NULL}},
		{"METH_CONNECT", {"method", "CONNECT", NULL}},
		{"METH_TRACE", {"method", "TRACE", NULL}},
	};
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		if (strcmp(pre[i].name, name) != 0)
			continue;
		char *argv[3];
		int argc = 0;
		for (int k = 0; k < 3 && pre[i].body[k] != NULL; k++)
			argv[argc++] = (char *)pre[i].body[k];
		return parse_acl_body(c, NULL, argc, argv);
	}
	return NULL;
}

static bool acl_defined(const struct sl_proxy *px, const char *name)
{
	for (const struct sl_acl *a = px->acls; a != NULL; a = a->next)
		if (a->name != NULL && strcmp(a->name, name) == 0)
			return true;
	return false;
}

/*
 * Parses a condition from @argv[0] ("if" or "unless") to the end. Returns NULL after reporting an
 * error. ACL names must be declared before use in the same proxy, as in HAProxy.
 */
static struct sl_cond *parse_cond(struct cfg_ctx *c, struct sl_proxy *px, const char *kw,
				  int argc, char **argv)
{
	struct sl_cond *cond = cfg_alloc(c, sizeof(*cond));
	cond->unless = strcmp(argv[0], "unless") == 0;
	struct sl_cond_and *cur = cfg_alloc(c, sizeof(*cur));
	SL_LIST_APPEND(&cond->ors, cur);
	bool neg = false;
	if (argc < 2) {
		cfg_err(c, "'%s': '%s' expects a condition", kw, argv[0]);
		return NULL;
	}
	for (int i = 1; i < argc; i++) {
		const char *t = argv[i];
		if (strcmp(t, "or") == 0 || strcmp(t, "||") == 0) {
			if (cur->terms == NULL || neg || i + 1 == argc) {
				cfg_err(c, "'%s': misplaced '%s' in condition", kw, t);
				return NULL;
			}
			cur = cfg_alloc(c, sizeof(*cur));
			SL_LIST_APPEND(&cond->ors, cur);
			continue;
		}
		if (strcmp(t, "!") == 0) {
			neg = !neg;
			continue;
		}
		struct sl_cond_term *term = cfg_alloc(c, sizeof(*term));
		while (*t == '!') {
			neg = !neg;
			t++;
		}
		term->neg = neg;
		neg = false;
		if (strcmp(t, "{") == 0) {
			int j = i + 1;
			while (j < argc && strcmp(argv[j], "}") != 0)
				j++;
			if (j == argc) {
				cfg_err(c, "'%s': missing '}' after anonymous ACL", kw);
				return NULL;
			}
			if (j == i + 1) {
				cfg_err(c, "'%s': empty anonymous ACL '{ }'", kw);
				return NULL;
			}
			term->anon = parse_acl_body(c, NULL, j - i - 1, argv + i + 1);
			if (term->anon == NULL)
				return NULL;
			i = j;
		} else if (strcmp(t, "}") == 0 || *t == '\0') {
			cfg_err(c, "'%s': unexpected '%s' in condition", kw, argv[i]);
			return NULL;
		} else {
			term->name = cfg_strdup(c, t);
			if (!acl_defined(px, t)) {
				term->anon = predefined_acl(c, t);
				if (term->anon == NULL) {
					cfg_err(c, "'%s': no such ACL '%s' (declare it with 'acl %s ...' before this line)",
						kw, t, t);
					return NULL;
				}
			}
		}
		SL_LIST_APPEND(&cur->terms, term);
	}
	if (neg) {
		cfg_err(c, "'%s': '!' at the end of the condition", kw);
		return NULL;
	}
	return cond;
}

struct sl_cond *cfg_parse_cond(struct cfg_ctx *c, struct sl_proxy *px, const char *kw, int argc,
			       char **argv)
{
	return parse_cond(c, px, kw, argc, argv);
}

/* Finds "if"/"unless" in argv; returns its index or argc. */
static int cond_start(int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++)
		if (strcmp(argv[i], "if") == 0 || strcmp(argv[i], "unless") == 0)
			return i;
	return argc;
}

static int kw_acl(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (need_args(c, argc, argv, 3, "a name, a fetch method and patterns") < 0)
		return -1;
	const char *n = argv[1];
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.' || *p == ':')) {
			cfg_err(c, "'acl': invalid ACL name '%s'", n);
			return -1;
		}
	struct sl_acl *acl = parse_acl_body(c, n, argc - 2, argv + 2);
	if (acl == NULL)
		return -1;
	SL_LIST_APPEND(&px->acls, acl);
	return 0;
}

/* ------------------------------------------------------------------ bind */

/*
 * "alpn LIST": the HTTP engine speaks HTTP/1.1 and HTTP/1.0 only, so of LIST only http/1.1
 * and http/1.0 are offered, in the order written; any other protocol (h2, h3, ...) is
 * dropped with a warning naming it, else a client would negotiate h2 and then fail. Nothing
 * left: *@out is "", no ALPN at all, and a client that offers ALPN is answered without it
 * (as HAProxy and OpenSSL do when the server has no protocol in common), in HTTP/1.1.
 * "" as written is that no-ALPN form too (what 'no-alpn' gives, and the dump writes).
 * Returns 0, or -1 on an empty or over-long protocol name (refused, as OpenSSL would).
 */
static int bind_alpn(struct cfg_ctx *c, const char *list, const char **out)
{
	size_t n = strlen(list), nk = 0, nd = 0;
	char *kept = cfg_alloc(c, n + 1), *dropped = cfg_alloc(c, n + 1);
	int ndropped = 0;

	*out = NULL;
	if (kept == NULL || dropped == NULL)
		return 0; /* out of memory: remembered, the parse fails */
	for (const char *p = list; n != 0;) {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len == 0 || len > 255) {
			cfg_err(c, "'bind': 'alpn %s': %s", list,
				len == 0 ? "empty protocol name" : "protocol name over 255 bytes");
			return -1;
		}
		bool spoken = len == 8 &&
			      (memcmp(p, "http/1.1", 8) == 0 || memcmp(p, "http/1.0", 8) == 0);
		char *to = spoken ? kept : dropped;
		size_t *at = spoken ? &nk : &nd;
		if (*at != 0)
			to[(*at)++] = ',';
		memcpy(to + *at, p, len);
		*at += len;
		ndropped += !spoken;
		if (e == NULL)
			break;
		p = e + 1;
	}
	kept[nk] = '\0';
	dropped[nd] = '\0';
	if (ndropped != 0 && nk != 0)
		cfg_warn(c,
			 "'bind': 'alpn %s': %s %s not spoken by sluice yet (HTTP/1.x only); "
			 "offering %s",
			 list, dropped, ndropped > 1 ? "are" : "is", kept);
	else if (ndropped != 0)
		cfg_warn(c,
			 "'bind': 'alpn %s': %s %s not spoken by sluice yet (HTTP/1.x only); "
			 "offering no ALPN (the handshake goes on without it, in HTTP/1.1)",
			 list, dropped, ndropped > 1 ? "are" : "is");
	*out = kept;
	return 0;
}

/*
 * Every word a `bind` line knows, in effect, warned or refused (the handlers below decide): a word
 * not here is an unknown parameter. The keyword audit test (test_cfg_audit.c) walks this list
 * and fails on a word it has no decision for, so a parameter is added here and there together.
 */
static const char *const bind_words[] = {
	"ssl", "crt", "alpn", "no-alpn", "ssl-min-ver", "ssl-max-ver", "ciphers", "ciphersuites",
	"name", "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "no-tls-tickets",
	"force-tlsv12", "force-tlsv13", "strict-sni", "prefer-client-ciphers", "no-ca-names",
	"process", "thread", "verify", "maxconn", "backlog", "id", "ecdhe", "curves", "transparent",
	"v4v6", "v6only", "tfo", "defer-accept", "crt-list", "ca-file", "accept-proxy", "npn",
	"interface", "crl-file", "ca-verify-file", NULL,
};

static bool word_in(const char *const *words, const char *w)
{
	for (; *words != NULL; words++)
		if (strcmp(*words, w) == 0)
			return true;
	return false;
}

/*
 * crt-list FILE, ca-file FILE, crl-file FILE, verify none|optional|required of a bind (client
 * certificates: docs/config.md). The crt-list is read and checked here for `sluiced -c`
 * (errors name its own file:line); dataplane/http/certs.c reads it again at every load.
 */
static int bind_client_tls(struct cfg_ctx *c, struct sl_bind *b, const char *k, const char *v)
{
	if (strcmp(k, "verify") == 0) {
		b->verify = sl_crtlist_verify(v);
		if (b->verify < 0) {
			cfg_err(c, "'bind': 'verify' expects none, optional or required, got '%s'", v);
			return -1;
		}
		return 0;
	}
	const char *base = strcmp(k, "crt-list") == 0 ? NULL : c->cfg->global.ca_base;
	const char *path = v;
	if (v[0] != '/' && base != NULL) {
		size_t l = strlen(base) + strlen(v) + 2;
		char *full = cfg_alloc(c, l);
		snprintf(full, l, "%s/%s", base, v);
		path = full;
	}
	const char *data;
	size_t len;
	int r = cfg_read_file(c, path, &data, &len);
	if (r < 0) {
		cfg_err(c, "'bind': '%s': cannot read '%s': %s", k, path, strerror(-r));
		return -1;
	}
	if (strcmp(k, "ca-file") == 0) {
		b->ca_file = cfg_strdup(c, path);
		return 0;
	}
	if (strcmp(k, "crl-file") == 0 || strcmp(k, "ca-verify-file") == 0) {
		*(strcmp(k, "crl-file") == 0 ? &b->crl_file : &b->ca_verify_file) =
			cfg_strdup(c, path);
		return 0;
	}
	struct sl_crtlist l;
	char err[512];
	if (sl_crtlist_parse(path, data, len, &l, err, sizeof(err)) < 0) {
		cfg_err(c, "'bind': 'crt-list': %s", err);
		return -1;
	}
	for (int i = 0; i < l.n; i++)
		for (int j = 0; j < l.ents[i].nignored; j++)
			cfg_warn(c, "'bind': 'crt-list' %s:%d: '%s' has no effect on a crt-list line in sluice: the bind line's setting applies",
				 path, l.ents[i].line, l.ents[i].ignored[j]);
	sl_crtlist_free(&l);
	cfg_str_append(c, &b->crt_lists, path);
	return 0;
}

static int kw_bind(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (need_args(c, argc, argv, 2, "an address (ADDR:PORT, *:PORT or :PORT)") < 0)
		return -1;
	/* "bind A:1,B:2" lists several addresses; each becomes a bind with the same parameters */
	char *list = (char *)cfg_strdup(c, argv[1]);
	struct sl_bind tmpl = {0};
	tmpl.loc = cfg_loc(c);
	tmpl.verify = -1;
	for (int i = 2; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = strcmp(k, "crt") == 0 || strcmp(k, "alpn") == 0 ||
			     strcmp(k, "ssl-min-ver") == 0 || strcmp(k, "ssl-max-ver") == 0 ||
			     strcmp(k, "ciphers") == 0 || strcmp(k, "ciphersuites") == 0 ||
			     strcmp(k, "name") == 0 || strcmp(k, "process") == 0 ||
			     strcmp(k, "thread") == 0 || strcmp(k, "verify") == 0 ||
			     strcmp(k, "crt-list") == 0 || strcmp(k, "ca-file") == 0 ||
			     strcmp(k, "crl-file") == 0 || strcmp(k, "ca-verify-file") == 0 ||
			     strcmp(k, "maxconn") == 0 || strcmp(k, "backlog") == 0 ||
			     strcmp(k, "id") == 0 || strcmp(k, "ecdhe") == 0 ||
			     strcmp(k, "curves") == 0;
		if (takes && v == NULL) {
			cfg_err(c, "'bind': '%s' expects an argument", k);
			return -1;
		}
		if (!word_in(bind_words, k)) {
			const char *dym = cfg_did_you_mean(k, bind_words, sizeof(bind_words[0]));
			cfg_err(c, "'bind': unknown parameter '%s'%s%s%s", k,
				dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
			return -1;
		}
		if (strcmp(k, "ssl") == 0) {
			tmpl.ssl = true;
		} else if (strcmp(k, "crt") == 0) {
			const char *path = v;
			const char *base = c->cfg->global.crt_base;
			char *full = NULL;
			if (v[0] != '/' && base != NULL) {
				size_t l = strlen(base) + strlen(v) + 2;
				full = cfg_alloc(c, l);
				snprintf(full, l, "%s/%s", base, v);
				path = full;
			}
			const char *data;
			size_t len;
			int r = cfg_read_file(c, path, &data, &len);
			if (r < 0 && r != -EISDIR) {
				cfg_err(c, "'bind': cannot load certificate 'crt %s': %s", path,
					strerror(-r));
				return -1;
			}
			cfg_str_append(c, &tmpl.crts, path);
			i++;
		} else if (strcmp(k, "crt-list") == 0 || strcmp(k, "ca-file") == 0 ||
			   strcmp(k, "crl-file") == 0 || strcmp(k, "verify") == 0 ||
			   strcmp(k, "ca-verify-file") == 0) {
			if (bind_client_tls(c, &tmpl, k, v) < 0)
				return -1;
			i++;
		} else if (strcmp(k, "alpn") == 0) {
			if (bind_alpn(c, v, &tmpl.alpn) < 0)
				return -1;
			i++;
		} else if (strcmp(k, "no-alpn") == 0) {
			/* HAProxy: the ALPN string set empty, not advertised; the last of
			 * 'alpn' and 'no-alpn' wins */
			tmpl.alpn = cfg_strdup(c, "");
		} else if (strcmp(k, "ssl-min-ver") == 0 || strcmp(k, "ssl-max-ver") == 0) {
			if (strcmp(v, "SSLv3") != 0 && strcmp(v, "TLSv1.0") != 0 &&
			    strcmp(v, "TLSv1.1") != 0 && strcmp(v, "TLSv1.2") != 0 &&
			    strcmp(v, "TLSv1.3") != 0) {
				cfg_err(c, "'bind': '%s' expects SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, got '%s'",
					k, v);
				return -1;
			}
			if (strcmp(k, "ssl-min-ver") == 0)
				tmpl.ssl_min_ver = cfg_strdup(c, v);
			else
				tmpl.ssl_max_ver = cfg_strdup(c, v);
			i++;
		} else if (strcmp(k, "ciphers") == 0) {
			tmpl.ciphers = cfg_strdup(c, v);
			i++;
		} else if (strcmp(k, "ciphersuites") == 0) {
			tmpl.ciphersuites = cfg_strdup(c, v);
			i++;
		} else if (strcmp(k, "name") == 0) {
			tmpl.name = cfg_strdup(c, v);
			cfg_warn(c, "'bind': 'name' has no effect: sluice's stats show no listener rows");
			i++;
		} else if (strncmp(k, "no-", 3) == 0 || strncmp(k, "force-", 6) == 0 ||
			   strcmp(k, "strict-sni") == 0 || strcmp(k, "prefer-client-ciphers") == 0) {
			bool known = false;
			static const char *const ok[] = {
				"no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13",
				"no-tls-tickets", "force-tlsv12", "force-tlsv13", "strict-sni",
				"prefer-client-ciphers", "no-ca-names", NULL};
			for (const char *const *o = ok; *o != NULL; o++)
				known |= strcmp(*o, k) == 0;
			if (!known) {
				cfg_err(c, "'bind': unknown parameter '%s'", k);
				return -1;
			}
			if (strcmp(k, "strict-sni") == 0)
				cfg_warn(c, "'bind': 'strict-sni' has no effect: a client whose SNI "
					    "names no certificate gets the bind's first one");
			cfg_str_append(c, &tmpl.ssl_opts, k);
		} else if (takes || strcmp(k, "transparent") == 0 || strcmp(k, "v4v6") == 0 ||
			   strcmp(k, "v6only") == 0 || strcmp(k, "tfo") == 0 ||
			   strcmp(k, "defer-accept") == 0) {
			/* socket-level tuning of the kernel listener: meaningless on the dataplane */
			cfg_warn(c, "'bind': parameter '%s' has no effect in sluice", k);
			if (takes)
				i++;
		} else if (strcmp(k, "accept-proxy") == 0) {
			tmpl.accept_proxy = true; /* dataplane/http/pproxy.c */
		} else if (strcmp(k, "npn") == 0 ||
			   strcmp(k, "interface") == 0) {
			cfg_err(c, "'bind': parameter '%s' is not supported by sluice yet", k);
			return -1;
		} else {
			static const char *const names[] = {"ssl", "crt", "alpn", "ssl-min-ver",
							    "ssl-max-ver", "ciphers", "ciphersuites",
							    "name", "strict-sni", NULL};
			const char *dym = cfg_did_you_mean(k, names, sizeof(names[0]));
			cfg_err(c, "'bind': unknown parameter '%s'%s%s%s", k,
				dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
			return -1;
		}
	}
	if (tmpl.crts != NULL && !tmpl.ssl)
		cfg_warn(c, "'bind': 'crt' given without 'ssl'; the certificate is not used");
	if (tmpl.crt_lists != NULL && !tmpl.ssl)
		cfg_warn(c, "'bind': 'crt-list' given without 'ssl'; its certificates are not used");
	if (tmpl.verify > 0 && tmpl.ca_file == NULL && tmpl.ca_verify_file == NULL &&
	    tmpl.crt_lists == NULL) {
		/* HAProxy: "verify is enabled but no CA file specified"; a crt-list's lines may
		 * name their own (checked when the certificates load) */
		cfg_err(c, "'bind': 'verify %s' needs 'ca-file' to check client certificates with",
			tmpl.verify == 2 ? "required" : "optional");
		return -1;
	}
	char *save = NULL;
	for (char *tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		struct sl_bind *b = cfg_alloc(c, sizeof(*b));
		*b = tmpl;
		if (cfg_bind_addr(c, tok, b) < 0)
			return -1;
		SL_LIST_APPEND(&px->binds, b);
	}
	return 0;
}

/* ------------------------------------------------------------------ simple proxy settings */

static int kw_mode(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "tcp") != 0 && strcmp(argv[1], "http") != 0)) {
		cfg_err(c, "'mode' expects 'tcp' or 'http'%s%s%s", argc > 1 ? ", got '" : "",
			argc > 1 ? argv[1] : "", argc > 1 ? "'" : "");
		return -1;
	}
	px->mode = strcmp(argv[1], "http") == 0 ? SL_MODE_HTTP : SL_MODE_TCP;
	return 0;
}

static int kw_maxconn(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2) {
		cfg_err(c, "'maxconn' expects one integer");
		return -1;
	}
	return cfg_int(c, "maxconn", argv[1], 0, 100000000, &px->maxconn);
}

static int kw_fullconn(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2) {
		cfg_err(c, "'fullconn' expects one integer");
		return -1;
	}
	if (cfg_int(c, "fullconn", argv[1], 0, 100000000, &px->fullconn) < 0)
		return -1;
	/* HAProxy's fullconn scales the servers' minconn (dynamic limits), which sluice warns off */
	cfg_warn(c, "'fullconn' has no effect: it scales the servers' 'minconn', which sluice does "
		    "not apply; each server's 'maxconn' is its limit ('show stat' shows it as slim)");
	return 0;
}

static int kw_retries(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2) {
		cfg_err(c, "'retries' expects one integer");
		return -1;
	}
	return cfg_int(c, "retries", argv[1], 0, 100, &px->retries);
}

static int kw_load_server_state(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "global") != 0 && strcmp(argv[1], "local") != 0 &&
			  strcmp(argv[1], "none") != 0)) {
		cfg_err(c, "'load-server-state-from-file' expects 'global', 'local' or 'none'");
		return -1;
	}
	/* sluice reloads in its own process: the running configuration is the state HAProxy
	 * would have saved to the file and read back, so no file is read or needed */
	px->load_server_state = strcmp(argv[1], "none") != 0;
	return 0;
}

static int kw_default_backend(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2) {
		cfg_err(c, "'default_backend' expects one backend name");
		return -1;
	}
	px->default_backend = cfg_strdup(c, argv[1]);
	px->default_backend_loc = cfg_loc(c);
	return 0;
}

static int kw_use_backend(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'use_backend' expects a backend name and an optional condition");
		return -1;
	}
	struct sl_switch *sw = cfg_alloc(c, sizeof(*sw));
	sw->backend = cfg_strdup(c, argv[1]);
	if (strchr(argv[1], '%') != NULL) { /* a name built per request (HAProxy's log-format) */
		sw->lf = cfg_lf(c, "use_backend", argv[1], 0);
		if (sw->lf == NULL)
			return -1;
	}
	sw->loc = cfg_loc(c);
	if (argc > 2) {
		if (strcmp(argv[2], "if") != 0 && strcmp(argv[2], "unless") != 0) {
			cfg_err(c, "'use_backend': expected 'if' or 'unless' after the backend name, got '%s'",
				argv[2]);
			return -1;
		}
		sw->cond = parse_cond(c, px, "use_backend", argc - 2, argv + 2);
		if (sw->cond == NULL)
			return -1;
	}
	for (const struct sl_hrule *p = px->req_rules; p != NULL; p = p->next)
		if (p->action >= SL_HR_SET_PATH && p->action <= SL_HR_REPLACE_URI &&
		    p->action != SL_HR_SET_METHOD && (sw->cond != NULL || sw->lf != NULL)) {
			cfg_warn(c, "'use_backend' reads the request line as received, not as rewritten at line %d (sluice applies the line rewrites when the request is forwarded)",
				 p->loc.line);
			break;
		}
	SL_LIST_APPEND(&px->switches, sw);
	return 0;
}

static const struct {
	const char *name;
	enum sl_balance b;
} balances[] = {
	{"roundrobin", SL_BAL_ROUNDROBIN}, {"static-rr", SL_BAL_STATIC_RR},
	{"leastconn", SL_BAL_LEASTCONN},   {"first", SL_BAL_FIRST},
	{"source", SL_BAL_SOURCE},         {"uri", SL_BAL_URI},
	{"random", SL_BAL_RANDOM},         {"hdr", SL_BAL_HDR},
	{NULL, 0},
};

const char *sl_cfg_balance_name(enum sl_balance b)
{
	for (int i = 0; balances[i].name != NULL; i++)
		if (balances[i].b == b)
			return balances[i].name;
	return "?";
}

static int kw_balance(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (need_args(c, argc, argv, 2, "an algorithm (roundrobin, static-rr, leastconn, first, source, uri, random)") < 0)
		return -1;
	int i, draws = 2;
	const char *alg = argv[1];
	if (strncmp(argv[1], "random(", 7) == 0) {
		/* random(N): N draws, the least loaded of them (HAProxy's power of N choices) */
		const char *v = argv[1] + 7;
		char *end = NULL;
		long n = strtol(v, &end, 10);
		if (end == v || strcmp(end, ")") != 0 || n < 1 || n > 100) {
			cfg_err(c, "'balance': '%s': random(N) takes a number of draws from 1 to 100",
				argv[1]);
			return -1;
		}
		draws = (int)n;
		alg = "random";
	}
	const char *hdr_name = NULL;
	if (strncmp(argv[1], "hdr(", 4) == 0) {
		/* hdr(NAME) [use_domain_only]: a hash of the header's value */
		size_t l = strlen(argv[1]);
		if (l < 6 || argv[1][l - 1] != ')') {
			cfg_err(c, "'balance': '%s': hdr(NAME) expects a header name", argv[1]);
			return -1;
		}
		char *h = cfg_alloc(c, l - 4);
		if (h == NULL)
			return -1;
		memcpy(h, argv[1] + 4, l - 5);
		hdr_name = h;
		alg = "hdr";
	}
	for (i = 0; balances[i].name != NULL; i++)
		if (strcmp(balances[i].name, alg) == 0)
			break;
	if (balances[i].name == NULL) {
		static const char *const haproxy_only[] = {"url_param", "rdp-cookie",
							   "hash", "url32", "url32+src", NULL};
		for (const char *const *h = haproxy_only; *h != NULL; h++)
			if (strncmp(argv[1], *h, strlen(*h)) == 0) {
				cfg_err(c, "'balance': algorithm '%s' is not supported by sluice (roundrobin, static-rr, leastconn, first, source, uri, random)",
					argv[1]);
				return -1;
			}
		const char *dym = cfg_did_you_mean(argv[1], balances, sizeof(balances[0]));
		cfg_err(c, "'balance': unknown algorithm '%s'%s%s%s", argv[1],
			dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
		return -1;
	}
	px->balance = balances[i].b;
	px->random_draws = px->balance == SL_BAL_RANDOM ? draws : 0;
	px->uri_len = px->uri_depth = 0;
	px->uri_whole = false;
	px->bal_hdr = hdr_name;
	px->bal_hdr_domain = false;
	if (px->balance == SL_BAL_HDR) {
		if (strcmp(argv[1], "hdr") == 0) {
			cfg_err(c, "'balance hdr' expects a header name: hdr(NAME)");
			return -1;
		}
		for (int j = 2; j < argc; j++) {
			if (strcmp(argv[j], "use_domain_only") != 0) {
				cfg_err(c, "'balance %s': unknown option '%s' (use_domain_only)", argv[1],
					argv[j]);
				return -1;
			}
			px->bal_hdr_domain = true;
		}
		return 0;
	}
	for (int j = 2; j < argc; j++) {
		if (px->balance != SL_BAL_URI) {
			cfg_err(c, "'balance %s': unexpected argument '%s'", argv[1], argv[j]);
			return -1;
		}
		if (strcmp(argv[j], "whole") == 0) {
			px->uri_whole = true;
		} else if (strcmp(argv[j], "len") == 0 || strcmp(argv[j], "depth") == 0) {
			int *dst = argv[j][0] == 'l' ? &px->uri_len : &px->uri_depth;
			if (cfg_int(c, argv[j], j + 1 < argc ? argv[j + 1] : NULL, 1, 65535, dst) < 0)
				return -1;
			j++;
		} else {
			cfg_err(c, "'balance uri': unknown option '%s' (len, depth, whole)", argv[j]);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ server and default-server */

/*
 * The address of `source ADDR` (@kw: "source", or the server keyword naming it) into *@n, at the
 * current line. sluice takes local ports from its port plan, so ADDR:PORT is refused, and so is
 * anything but an IPv4 address. Whether ADDR is owned is checked once the dataplane section is
 * read (cfg_check). Returns 0 or -1.
 */
static int parse_source_addr(struct cfg_ctx *c, const char *kw, const char *v, struct sl_cfg_net *n)
{
	const char *colon = strrchr(v, ':');
	if (colon != NULL && strchr(v, ':') == colon) {
		cfg_err(c,
			"'%s': a local port ('%s') is not supported: sluice takes the local ports of its "
			"connections to servers from its port plan (docs/config.md, Local ports); give "
			"the address alone",
			kw, v);
		return -1;
	}
	if (cfg_net(c, kw, v, false, n) < 0)
		return -1;
	if (n->family != AF_INET) {
		cfg_err(c, "'%s': '%s' is not an IPv4 address (sluice's addresses are IPv4)", kw, v);
		return -1;
	}
	n->plen = 32;
	return 0;
}

/* The words of HAProxy's `source` that sluice has no equivalent for: a clear refusal. */
static bool source_option_refused(struct cfg_ctx *c, const char *kw, const char *w)
{
	if (strcmp(w, "usesrc") == 0) {
		cfg_err(c,
			"'%s': 'usesrc' (transparent proxying with a foreign source address) is not "
			"supported: sluice connects from its own addresses (full NAT)",
			kw);
		return true;
	}
	if (strcmp(w, "interface") == 0) {
		cfg_err(c,
			"'%s': 'interface' is not supported: the route to the server chooses the port "
			"(the dataplane section's 'address' and 'route' lines)",
			kw);
		return true;
	}
	return false;
}

static int kw_source(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'source' expects an address: source ADDR");
		return -1;
	}
	for (int i = 2; i < argc; i++)
		if (source_option_refused(c, "source", argv[i]))
			return -1;
	if (argc > 2) {
		cfg_err(c, "'source': unexpected '%s' after the address", argv[2]);
		return -1;
	}
	if (parse_source_addr(c, "source", argv[1], &px->source) < 0)
		return -1;
	px->source_loc = (struct sl_cfg_loc){c->file, c->line};
	return 0;
}

enum { SRV_P_FLAG, SRV_P_INT, SRV_P_TIME, SRV_P_STR };

/* "init-addr last,libc,none,IP": the methods in order (HAProxy's srv_parse_init_addr()). */
static int parse_init_addr(struct cfg_ctx *c, const char *kw, const char *v,
			   struct sl_init_addr *ia)
{
	struct sl_init_addr out = {0};
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", v);
	char *save = NULL;
	for (char *m = strtok_r(buf, ",", &save); m != NULL; m = strtok_r(NULL, ",", &save)) {
		if (out.n == SL_INIT_ADDR_MAX) {
			cfg_err(c, "'%s': 'init-addr' takes at most %d methods, got '%s'", kw,
				SL_INIT_ADDR_MAX, v);
			return -1;
		}
		struct sl_cfg_net ip;
		struct in6_addr a6;
		if (strcmp(m, "last") == 0) {
			out.m[out.n++].m = SL_INIT_LAST;
		} else if (strcmp(m, "libc") == 0) {
			out.m[out.n++].m = SL_INIT_LIBC;
		} else if (strcmp(m, "none") == 0) {
			out.m[out.n++].m = SL_INIT_NONE;
		} else if (inet_pton(AF_INET6, m, &a6) == 1) {
			cfg_err(c, "'%s': 'init-addr': IPv6 address '%s': IPv6 servers are not supported yet",
				kw, m);
			return -1;
		} else if (!cfg_host_name(m) && m[0] >= '0' && m[0] <= '9') {
			if (cfg_net(c, "init-addr", m, false, &ip) < 0)
				return -1;
			out.m[out.n].m = SL_INIT_IP;
			out.m[out.n++].ip = ip.v4;
		} else {
			cfg_err(c, "'%s': 'init-addr': unknown init-addr method '%s', supported methods are 'libc', 'last', 'none' and an IPv4 address",
				kw, m);
			return -1;
		}
	}
	if (out.n == 0) {
		cfg_err(c, "'%s': 'init-addr' expects a list of methods (last, libc, none, an address)",
			kw);
		return -1;
	}
	*ia = out;
	return 0;
}

/* Every word of `server` / `default-server` lines, in effect, warned or refused: as bind_words. */
static const char *const srv_words[] = {
	"check", "no-check", "inter", "fastinter", "downinter", "rise", "fall", "weight",
	"cookie", "backup", "no-backup", "disabled", "enabled", "maxconn", "maxqueue", "port",
	"addr", "on-marked-down", "on-marked-up", "slowstart", "send-proxy", "no-send-proxy",
	"source", "init-addr", "id", "minconn", "observe", "error-limit", "on-error", "resolvers",
	"resolve-prefer", "resolve-opts", "resolve-net", "usesrc", "interface",
	/* TLS towards the server: cfg_srvssl.c */
	"ssl", "no-ssl", "check-ssl", "no-check-ssl", "verify", "ca-file", "sni", "check-sni",
	"no-ssl-reuse", "ssl-reuse", "ssl-min-ver", "ssl-max-ver", "ciphers", "ciphersuites", "alpn",
	/* the PROXY protocol towards the server: cfg_pproxy.c */
	"send-proxy-v2", "no-send-proxy-v2", "proxy-v2-options", "check-send-proxy",
	NULL,
};

/* Parses server parameters from argv[i..]; @srv NULL for default-server. Returns 0 or -1. */
static int parse_srv_params(struct cfg_ctx *c, const char *kw, struct sl_srv_params *p,
			    struct sl_server *srv, int i, int argc, char **argv)
{
	for (; i < argc; i++) {
		int t = cfg_srv_ssl_param(c, kw, p, argc, argv, &i); /* TLS: cfg_srvssl.c */
		if (t == 0)
			t = cfg_srv_pp_param(c, kw, p, argc, argv, &i); /* PROXY: cfg_pproxy.c */
		if (t < 0)
			return -1;
		if (t > 0)
			continue;
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strncmp(k, "agent-", 6) == 0 || strcmp(k, "no-agent-check") == 0) {
			cfg_err(c, "'%s': '%s' is not supported by sluice yet (no agent checks): an agent can set the server's state and weight on the stats socket instead ('set server B/S state ready|drain|maint', 'set server B/S weight N')",
				kw, k);
			return -1;
		}
		if (!word_in(srv_words, k)) {
			const char *dym = cfg_did_you_mean(k, srv_words, sizeof(srv_words[0]));
			cfg_err(c, "'%s': unknown parameter '%s'%s%s%s", kw, k,
				dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
			return -1;
		}
		if (strcmp(k, "check") == 0)
			p->check = true;
		else if (strcmp(k, "no-check") == 0)
			p->check = false;
		else if (strcmp(k, "backup") == 0)
			p->backup = true;
		else if (strcmp(k, "no-backup") == 0)
			p->backup = false;
		else if (strcmp(k, "disabled") == 0)
			p->disabled = true;
		else if (strcmp(k, "enabled") == 0)
			p->disabled = false;
		else {
			/* the rest take a value */
			if (v == NULL) {
				bool known = strcmp(k, "inter") == 0 || strcmp(k, "fastinter") == 0 ||
					     strcmp(k, "downinter") == 0 || strcmp(k, "rise") == 0 ||
					     strcmp(k, "fall") == 0 || strcmp(k, "weight") == 0 ||
					     strcmp(k, "cookie") == 0 || strcmp(k, "maxconn") == 0 ||
					     strcmp(k, "maxqueue") == 0 || strcmp(k, "port") == 0 ||
					     strcmp(k, "addr") == 0 || strcmp(k, "on-marked-down") == 0 ||
					     strcmp(k, "on-marked-up") == 0 || strcmp(k, "slowstart") == 0 ||
					     strcmp(k, "source") == 0 || strcmp(k, "init-addr") == 0;
				if (known) {
					cfg_err(c, "'%s': '%s' expects a value", kw, k);
					return -1;
				}
			}
			if (source_option_refused(c, kw, k))
				return -1;
			i++;
			if (strcmp(k, "source") == 0) {
				if (parse_source_addr(c, "source", v, &p->source) < 0)
					return -1;
				p->source_loc = (struct sl_cfg_loc){c->file, c->line};
			} else if (strcmp(k, "inter") == 0) {
				if (cfg_time(c, "inter", v, &p->inter) < 0)
					return -1;
				if (p->inter == 0) {
					cfg_err(c, "'%s': 'inter' must be greater than 0", kw);
					return -1;
				}
			} else if (strcmp(k, "fastinter") == 0) {
				if (cfg_time(c, "fastinter", v, &p->fastinter) < 0)
					return -1;
			} else if (strcmp(k, "downinter") == 0) {
				if (cfg_time(c, "downinter", v, &p->downinter) < 0)
					return -1;
			} else if (strcmp(k, "slowstart") == 0) {
				if (cfg_time(c, "slowstart", v, &p->slowstart) < 0)
					return -1;
				if (p->slowstart > 0)
					cfg_warn(c, "'%s': 'slowstart' has no effect: a server that "
						    "comes up takes its full weight at once",
						 kw);
			} else if (strcmp(k, "rise") == 0) {
				if (cfg_int(c, "rise", v, 1, 1000000, &p->rise) < 0)
					return -1;
			} else if (strcmp(k, "fall") == 0) {
				if (cfg_int(c, "fall", v, 1, 1000000, &p->fall) < 0)
					return -1;
			} else if (strcmp(k, "weight") == 0) {
				if (cfg_int(c, "weight", v, 0, 256, &p->weight) < 0)
					return -1;
			} else if (strcmp(k, "maxconn") == 0) {
				if (cfg_int(c, "maxconn", v, 0, 100000000, &p->maxconn) < 0)
					return -1;
			} else if (strcmp(k, "maxqueue") == 0) {
				if (cfg_int(c, "maxqueue", v, 0, 100000000, &p->maxqueue) < 0)
					return -1;
				if (p->maxqueue > 0)
					cfg_warn(c, "'%s': 'maxqueue' has no effect: requests wait for a "
						    "server slot without limit, until 'timeout queue'",
						 kw);
			} else if (strcmp(k, "port") == 0) {
				if (cfg_int(c, "port", v, 1, 65535, &p->check_port) < 0)
					return -1;
			} else if (strcmp(k, "addr") == 0) {
				if (cfg_net(c, "addr", v, false, &p->check_addr) < 0)
					return -1;
			} else if (strcmp(k, "on-marked-down") == 0) {
				if (strcmp(v, "shutdown-sessions") != 0) {
					cfg_err(c, "'%s': 'on-marked-down' supports only 'shutdown-sessions', got '%s'",
						kw, v);
					return -1;
				}
				p->shutdown_on_down = true;
			} else if (strcmp(k, "on-marked-up") == 0) {
				if (strcmp(v, "shutdown-backup-sessions") != 0) {
					cfg_err(c, "'%s': 'on-marked-up' supports only 'shutdown-backup-sessions', got '%s'",
						kw, v);
					return -1;
				}
				p->shutdown_backup_on_up = true;
			} else if (strcmp(k, "cookie") == 0 && srv != NULL) {
				srv->cookie = cfg_strdup(c, v);
			} else if (strcmp(k, "init-addr") == 0) {
				if (parse_init_addr(c, kw, v, &p->init_addr) < 0)
					return -1;
			} else if (strcmp(k, "id") == 0 || strcmp(k, "minconn") == 0 ||
				   strcmp(k, "observe") == 0 ||
				   strcmp(k, "error-limit") == 0 || strcmp(k, "on-error") == 0) {
				cfg_warn(c, "'%s': parameter '%s' has no effect in sluice", kw, k);
			} else if (strcmp(k, "resolvers") == 0 || strcmp(k, "resolve-prefer") == 0 ||
				   strcmp(k, "resolve-opts") == 0 || strcmp(k, "resolve-net") == 0) {
				if (cfg_resolvers_srv_param(c, kw, k, v, p) < 0)
					return -1;
			} else {
				static const char *const names[] = {
					"check", "no-check", "inter", "fastinter", "downinter",
					"rise", "fall", "weight", "cookie", "backup", "disabled",
					"enabled", "maxconn", "maxqueue", "port", "addr",
					"on-marked-down", "on-marked-up", "slowstart", "send-proxy",
					"source", "init-addr", "resolvers", "resolve-prefer",
					"resolve-opts", "resolve-net", "ssl", "check-ssl", "verify",
					"ca-file", "sni", NULL};
				const char *dym = cfg_did_you_mean(k, names, sizeof(names[0]));
				cfg_err(c, "'%s': unknown parameter '%s'%s%s%s", kw, k,
					dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
				return -1;
			}
		}
	}
	return 0;
}

static int kw_server(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 3) {
		cfg_err(c, "'server' expects a name and an address: server NAME ADDR[:PORT] [params]");
		return -1;
	}
	const char *n = argv[1];
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.' || *p == ':')) {
			cfg_err(c, "'server': invalid server name '%s'", n);
			return -1;
		}
	struct sl_server *dup = sl_cfg_find_server(px, n);
	if (dup != NULL) {
		cfg_err(c, "'server': duplicate server name '%s' in %s '%s' (first at %s:%d)", n,
			px_kind(px), px->name, dup->loc.file, dup->loc.line);
		return -1;
	}
	struct sl_server *srv = cfg_alloc(c, sizeof(*srv));
	srv->name = cfg_strdup(c, n);
	srv->loc = cfg_loc(c);
	srv->p = px->dflt_srv;
	if (cfg_server_addr(c, argv[2], srv) < 0)
		return -1;
	if (parse_srv_params(c, "server", &srv->p, srv, 3, argc, argv) < 0)
		return -1;
	srv->id = ++px->nservers;
	SL_LIST_APPEND(&px->servers, srv);
	return 0;
}

static int kw_default_server(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "cookie") == 0) {
			cfg_err(c, "'default-server': 'cookie' must be set per server");
			return -1;
		}
	return parse_srv_params(c, "default-server", &px->dflt_srv, NULL, 1, argc, argv);
}

/* ------------------------------------------------------------------ cookie */

static int kw_cookie(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (need_args(c, argc, argv, 2, "a cookie name") < 0)
		return -1;
	struct sl_cookie ck = {0};
	ck.name = cfg_strdup(c, argv[1]);
	for (int i = 2; i < argc; i++) {
		const char *k = argv[i];
		enum sl_cookie_mode m = SL_COOKIE_NONE;
		if (strcmp(k, "insert") == 0)
			m = SL_COOKIE_INSERT;
		else if (strcmp(k, "prefix") == 0)
			m = SL_COOKIE_PREFIX;
		else if (strcmp(k, "rewrite") == 0)
			m = SL_COOKIE_REWRITE;
		if (m != SL_COOKIE_NONE) {
			if (ck.mode != SL_COOKIE_NONE) {
				cfg_err(c, "'cookie': '%s' conflicts with an earlier insert/prefix/rewrite",
					k);
				return -1;
			}
			ck.mode = m;
		} else if (strcmp(k, "indirect") == 0) {
			ck.indirect = true;
		} else if (strcmp(k, "nocache") == 0) {
			ck.nocache = true;
		} else if (strcmp(k, "postonly") == 0) {
			ck.postonly = true;
		} else if (strcmp(k, "preserve") == 0) {
			ck.preserve = true;
		} else if (strcmp(k, "httponly") == 0) {
			ck.httponly = true;
		} else if (strcmp(k, "secure") == 0) {
			ck.secure = true;
		} else if (strcmp(k, "dynamic") == 0) {
			ck.dynamic = true;
			cfg_warn(c, "'cookie': 'dynamic' has no effect: each server's cookie is the "
				    "value of its 'cookie' parameter");
		} else if (strcmp(k, "domain") == 0 || strcmp(k, "attr") == 0 ||
			   strcmp(k, "maxidle") == 0 || strcmp(k, "maxlife") == 0) {
			if (i + 1 >= argc) {
				cfg_err(c, "'cookie': '%s' expects a value", k);
				return -1;
			}
			const char *v = argv[++i];
			if (k[0] == 'd') {
				cfg_str_append(c, &ck.domains, v);
			} else if (k[0] == 'a') {
				if (ck.attrs == NULL)
					ck.attrs = cfg_strdup(c, v);
				else {
					char *j = cfg_alloc(c, strlen(ck.attrs) + strlen(v) + 3);
					sprintf(j, "%s; %s", ck.attrs, v);
					ck.attrs = j;
				}
			} else if (cfg_time(c, k, v, k[3] == 'i' ? &ck.maxidle : &ck.maxlife) < 0) {
				return -1;
			}
		} else {
			static const char *const names[] = {"insert", "prefix", "rewrite", "indirect",
							    "nocache", "postonly", "preserve",
							    "httponly", "secure", "domain", "maxidle",
							    "maxlife", "dynamic", "attr", NULL};
			const char *dym = cfg_did_you_mean(k, names, sizeof(names[0]));
			cfg_err(c, "'cookie': unknown option '%s'%s%s%s", k,
				dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
			return -1;
		}
	}
	if ((ck.indirect || ck.nocache || ck.postonly || ck.preserve) &&
	    ck.mode != SL_COOKIE_INSERT && ck.mode != SL_COOKIE_PREFIX &&
	    ck.mode != SL_COOKIE_REWRITE) {
		/* HAProxy accepts these alone too; they are only meaningful with a mode */
		cfg_warn(c, "'cookie %s': options without insert, prefix or rewrite have little effect",
			 ck.name);
	}
	px->cookie = ck;
	return 0;
}

/* ------------------------------------------------------------------ option */

enum opt_kind { OPT_BOOL, OPT_SPECIAL, OPT_IGNORED };

struct option_def {
	const char *name;
	unsigned cap;
	enum opt_kind kind;
	size_t off; /* bool offset in struct sl_proxy for OPT_BOOL */
};

#define PXOFF(f) offsetof(struct sl_proxy, f)

static const struct option_def options[] = {
	{"forwardfor", D | F | B, OPT_SPECIAL, 0},
	{"http-server-close", D | F | B, OPT_SPECIAL, 0},
	{"httpclose", D | F | B, OPT_SPECIAL, 0},
	{"forceclose", D | F | B, OPT_SPECIAL, 0},
	{"http-keep-alive", D | F | B, OPT_SPECIAL, 0},
	{"httplog", D | F | B, OPT_SPECIAL, 0},
	{"tcplog", D | F | B, OPT_SPECIAL, 0},
	{"httpslog", D | F | B, OPT_SPECIAL, 0},
	{"httpchk", D | B, OPT_SPECIAL, 0},
	{"tcp-check", D | B, OPT_SPECIAL, 0},
	{"dontlognull", D | F | B, OPT_BOOL, PXOFF(dontlognull)},
	{"redispatch", D | B, OPT_BOOL, PXOFF(redispatch)},
	{"abortonclose", D | B, OPT_BOOL, PXOFF(abortonclose)},
	{"log-health-checks", D | B, OPT_BOOL, PXOFF(log_health_checks)},
	{"tcpka", D | F | B, OPT_BOOL, PXOFF(tcpka)},
	{"http-ignore-probes", D | F, OPT_BOOL, PXOFF(http_ignore_probes)},
	{"clitcpka", D | F, OPT_IGNORED, 0},
	{"srvtcpka", D | B, OPT_IGNORED, 0},
	{"splice-auto", D | F | B, OPT_IGNORED, 0},
	{"splice-request", D | F | B, OPT_IGNORED, 0},
	{"splice-response", D | F | B, OPT_IGNORED, 0},
	{"http-buffer-request", D | F | B, OPT_IGNORED, 0},
	{"http-pretend-keepalive", D | F | B, OPT_IGNORED, 0},
	{"http-no-delay", D | F | B, OPT_IGNORED, 0},
	{"http-use-htx", D | F | B, OPT_IGNORED, 0},
	{"prefer-last-server", D | B, OPT_IGNORED, 0},
	{"allbackups", D | B, OPT_BOOL, PXOFF(allbackups)},
	{"persist", D | B, OPT_IGNORED, 0},
	{"dontlog-normal", D | F | B, OPT_IGNORED, 0},
	{"logasap", D | F, OPT_IGNORED, 0},
	{"contstats", D | F, OPT_IGNORED, 0},
	{"log-separate-errors", D | F | B, OPT_IGNORED, 0},
	{"independent-streams", D | F | B, OPT_IGNORED, 0},
	{"nolinger", D | F | B, OPT_IGNORED, 0},
	{"socket-stats", D | F, OPT_IGNORED, 0},
	{"originalto", D | F | B, OPT_IGNORED, 0},
	{NULL, 0, OPT_BOOL, 0},
};

static int opt_forwardfor(struct cfg_ctx *c, struct sl_proxy *px, bool no, int argc, char **argv)
{
	if (no) {
		px->fwdfor = (struct sl_forwardfor){0};
		return 0;
	}
	struct sl_forwardfor ff = {.on = true};
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "except") == 0 && i + 1 < argc) {
			if (cfg_net(c, "option forwardfor except", argv[++i], true, &ff.except) < 0)
				return -1;
		} else if (strcmp(argv[i], "header") == 0 && i + 1 < argc) {
			ff.header = cfg_strdup(c, argv[++i]);
		} else if (strcmp(argv[i], "if-none") == 0) {
			ff.if_none = true;
		} else {
			cfg_err(c, "'option forwardfor': unexpected argument '%s' (except NET, header NAME, if-none)",
				argv[i]);
			return -1;
		}
	}
	px->fwdfor = ff;
	return 0;
}

static int opt_httpchk(struct cfg_ctx *c, struct sl_proxy *px, bool no, int argc, char **argv)
{
	if (no) {
		px->chk.on = false;
		return 0;
	}
	int n = argc - 2;
	char **a = argv + 2;
	px->chk.on = true;
	px->chk.method = NULL;
	px->chk.uri = NULL;
	px->chk.version = NULL;
	px->chk.headers = NULL;
	if (n > 3) {
		cfg_err(c, "'option httpchk': unexpected argument '%s' (METHOD URI VERSION)", a[3]);
		return -1;
	}
	if (n == 1) {
		px->chk.uri = cfg_strdup(c, a[0]);
	} else if (n >= 2) {
		px->chk.method = cfg_strdup(c, a[0]);
		px->chk.uri = cfg_strdup(c, a[1]);
	}
	if (n == 3) {
		/* "HTTP/1.1\r\nHost:\ example.com": the version word may carry headers */
		char *ver = (char *)cfg_strdup(c, a[2]);
		char *crlf = strstr(ver, "\r\n");
		if (crlf != NULL) {
			*crlf = '\0';
			char *h = crlf + 2;
			while (h != NULL && *h != '\0') {
				char *next = strstr(h, "\r\n");
				if (next != NULL) {
					*next = '\0';
					next += 2;
				}
				if (*h != '\0')
					cfg_str_append(c, &px->chk.headers, h);
				h = next;
			}
		}
		px->chk.version = ver;
	}
	if (px->chk.uri != NULL && px->chk.uri[0] != '/' && strcmp(px->chk.uri, "*") != 0) {
		cfg_err(c, "'option httpchk': URI '%s' must start with '/'", px->chk.uri);
		return -1;
	}
	return 0;
}

#define NO_LOGS                                                                                    \
	"sluice writes every transaction's access log line at level info when it ends"

/*
 * What sluice does instead of option @name, for the options it accepts and does not apply
 * (OPT_IGNORED, and the kept booleans nothing reads); NULL for an option in effect, or one whose
 * generic "accepted for compatibility" warning says enough. `no option X` never warns.
 */
static const char *opt_no_effect(const char *name)
{
	static const struct {
		const char *name, *why;
	} why[] = {
		{"dontlog-normal", NO_LOGS},
		{"logasap", NO_LOGS},
		{"log-separate-errors", NO_LOGS},
		{"abortonclose", "a request whose client closed its side is still sent to the server "
				 "(HAProxy's default)"},
		{"tcpka", "sluice's TCP stack sends no keepalive probes (idle connections end at their "
			  "timeouts); in mode tcp the peers' own probes pass through"},
		{"clitcpka", "sluice's TCP stack sends no keepalive probes (idle connections end at "
			     "their timeouts); in mode tcp the peers' own probes pass through"},
		{"srvtcpka", "sluice's TCP stack sends no keepalive probes (idle connections end at "
			     "their timeouts); in mode tcp the peers' own probes pass through"},
		{"splice-auto", "sluice moves data through its own TCP stack, without kernel splicing"},
		{"splice-request", "sluice moves data through its own TCP stack, without kernel "
				   "splicing"},
		{"splice-response", "sluice moves data through its own TCP stack, without kernel "
				    "splicing"},
		{"prefer-last-server", "the balance algorithm picks the server of every request"},
		{"originalto", "sluice adds no X-Original-To header"},
	};
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strcmp(why[i].name, name) == 0)
			return why[i].why;
	return NULL;
}

static int kw_option(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	bool no = strcmp(argv[0], "no") == 0;
	if (no) {
		if (argc < 2 || strcmp(argv[1], "option") != 0) {
			cfg_err(c, "'no' must be followed by 'option NAME'");
			return -1;
		}
		argc--;
		argv++;
	}
	if (argc < 2) {
		cfg_err(c, "'option' expects an option name");
		return -1;
	}
	const char *name = argv[1];
	const struct option_def *o = NULL;
	for (const struct option_def *d = options; d->name != NULL; d++)
		if (strcmp(d->name, name) == 0)
			o = d;
	if (o == NULL) {
		static const char *const unsupported[] = {"ssl-hello-chk", "mysql-check",
							  "pgsql-check", "redis-check", "smtpchk",
							  "ldap-check", "spop-check", "external-check",
							  "transparent", "http_proxy", NULL};
		for (const char *const *u = unsupported; *u != NULL; u++)
			if (strcmp(*u, name) == 0) {
				cfg_err(c, "'option %s' is not supported by sluice", name);
				return -1;
			}
		const char *dym = cfg_did_you_mean(name, options, sizeof(options[0]));
		cfg_err(c, "unknown option '%s'%s%s%s", name, dym ? "; did you mean '" : "",
			dym ? dym : "", dym ? "'?" : "");
		return -1;
	}
	if ((o->cap & px->cap) == 0) {
		cfg_err(c, "'option %s' is not allowed in a '%s' section", name, px_kind(px));
		return -1;
	}
	const char *why = no ? NULL : opt_no_effect(name);
	switch (o->kind) {
	case OPT_BOOL:
		if (no_more(c, name, 2, argc, argv) < 0)
			return -1;
		*(bool *)((char *)px + o->off) = !no;
		if (why != NULL)
			cfg_warn(c, "'option %s' has no effect: %s", name, why);
		return 0;
	case OPT_IGNORED:
		if (why != NULL)
			cfg_warn(c, "'option %s' has no effect: %s", name, why);
		else
			cfg_warn(c, "'option %s' is accepted for compatibility and has no effect in sluice",
				 name);
		return 0;
	case OPT_SPECIAL:
		break;
	}
	if (strcmp(name, "forwardfor") == 0)
		return opt_forwardfor(c, px, no, argc, argv);
	if (strcmp(name, "httpchk") == 0) {
		if (!no)
			px->tcpchk.on = false; /* the last check type wins, as in HAProxy */
		return opt_httpchk(c, px, no, argc, argv);
	}
	if (strcmp(name, "tcp-check") == 0) {
		if (no_more(c, "option tcp-check", 2, argc, argv) < 0)
			return -1;
		px->tcpchk.on = !no;
		if (!no)
			px->chk.on = false;
		return 0;
	}
	if (strcmp(name, "httplog") == 0) {
		if (argc > 2 && strcmp(argv[2], "clf") != 0) {
			cfg_err(c, "'option httplog': unexpected argument '%s' (only 'clf')", argv[2]);
			return -1;
		}
		px->log_format = no ? SL_LOG_NONE : argc > 2 ? SL_LOG_HTTP_CLF : SL_LOG_HTTP;
		px->log_fmt = NULL; /* the last format given wins */
		return 0;
	}
	if (no_more(c, name, 2, argc, argv) < 0)
		return -1;
	if (strcmp(name, "tcplog") == 0 || strcmp(name, "httpslog") == 0) {
		px->log_format = no ? SL_LOG_NONE : name[0] == 't' ? SL_LOG_TCP : SL_LOG_HTTPS;
		px->log_fmt = NULL;
		return 0;
	}
	/* connection modes: the last one wins, "no" returns to keep-alive (HAProxy 2.x) */
	if (no) {
		px->http_conn = SL_HTTP_KEEP_ALIVE;
		return 0;
	}
	if (strcmp(name, "http-server-close") == 0)
		px->http_conn = SL_HTTP_SERVER_CLOSE;
	else if (strcmp(name, "http-keep-alive") == 0)
		px->http_conn = SL_HTTP_KEEP_ALIVE;
	else
		px->http_conn = SL_HTTP_CLOSE; /* httpclose, forceclose */
	return 0;
}

/* ------------------------------------------------------------------ timeout */

static const struct {
	const char *name;
	size_t off;
} timeouts[] = {
	{"connect", offsetof(struct sl_timeouts, connect)},
	{"client", offsetof(struct sl_timeouts, client)},
	{"server", offsetof(struct sl_timeouts, server)},
	{"tunnel", offsetof(struct sl_timeouts, tunnel)},
	{"client-fin", offsetof(struct sl_timeouts, client_fin)},
	{"server-fin", offsetof(struct sl_timeouts, server_fin)},
	{"http-request", offsetof(struct sl_timeouts, http_request)},
	{"http-keep-alive", offsetof(struct sl_timeouts, http_keep_alive)},
	{"queue", offsetof(struct sl_timeouts, queue)},
	{"check", offsetof(struct sl_timeouts, check)},
	{NULL, 0},
};

static int kw_timeout(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'timeout' expects a name and a time, e.g. 'timeout client 30s'");
		return -1;
	}
	for (int i = 0; timeouts[i].name != NULL; i++) {
		if (strcmp(timeouts[i].name, argv[1]) != 0)
			continue;
		char kw[64];
		snprintf(kw, sizeof(kw), "timeout %s", argv[1]);
		if (argc > 3) {
			cfg_err(c, "'%s': unexpected argument '%s'", kw, argv[3]);
			return -1;
		}
		return cfg_time(c, kw, argc > 2 ? argv[2] : NULL,
				(int *)((char *)&px->to + timeouts[i].off));
	}
	const char *dym = cfg_did_you_mean(argv[1], timeouts, sizeof(timeouts[0]));
	cfg_err(c, "unknown timeout '%s'%s%s%s", argv[1], dym ? "; did you mean '" : "",
		dym ? dym : "", dym ? "'?" : "");
	return -1;
}

static int kw_legacy_timeout(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	/* contimeout/clitimeout/srvtimeout: removed from HAProxy 2.1, still in old configs */
	int *dst = strcmp(argv[0], "contimeout") == 0 ? &px->to.connect :
		   strcmp(argv[0], "clitimeout") == 0 ? &px->to.client :
							&px->to.server;
	if (argc != 2) {
		cfg_err(c, "'%s' expects one time value", argv[0]);
		return -1;
	}
	cfg_warn(c, "'%s' is deprecated; use 'timeout %s'", argv[0],
		 argv[0][0] == 'c' && argv[0][1] == 'o' ? "connect" :
		 argv[0][0] == 'c'			 ? "client" :
							   "server");
	return cfg_time(c, argv[0], argv[1], dst);
}

/* ------------------------------------------------------------------ errorfile */

static const int errorfile_codes[] = {200, 400, 401, 403, 404, 405, 407, 408, 410,
				      413, 425, 429, 500, 501, 502, 503, 504, 0};

static int kw_errorfile(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 3) {
		cfg_err(c, "'errorfile' expects a status code and a file");
		return -1;
	}
	int code;
	if (cfg_int(c, "errorfile", argv[1], 100, 999, &code) < 0)
		return -1;
	bool ok = false;
	for (const int *k = errorfile_codes; *k != 0; k++)
		ok |= *k == code;
	if (!ok) {
		cfg_err(c, "'errorfile': status code '%s' cannot be replaced (200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504)",
			argv[1]);
		return -1;
	}
	const char *data = NULL;
	size_t len = 0;
	int r = cfg_read_file(c, argv[2], &data, &len);
	if (r < 0) {
		cfg_err(c, "'errorfile %d': cannot read '%s': %s", code, argv[2], strerror(-r));
		return -1;
	}
	if (len < 9 || strncmp(data, "HTTP/1.", 7) != 0) {
		cfg_err(c, "'errorfile %d': '%s' is not an HTTP response (it must start with 'HTTP/1.x CODE')",
			code, argv[2]);
		return -1;
	}
	int maxlen = c->cfg->global.bufsize;
	if (len > (size_t)maxlen) {
		cfg_err(c, "'errorfile %d': '%s' is larger than tune.bufsize (%d bytes)", code,
			argv[2], maxlen);
		return -1;
	}
	/* replace an inherited file for the same code */
	for (struct sl_errorfile *e = px->errorfiles; e != NULL; e = e->next) {
		if (e->code == code) {
			e->path = cfg_strdup(c, argv[2]);
			e->data = data;
			e->len = len;
			return 0;
		}
	}
	struct sl_errorfile *e = cfg_alloc(c, sizeof(*e));
	e->code = code;
	e->path = cfg_strdup(c, argv[2]);
	e->data = data;
	e->len = len;
	SL_LIST_APPEND(&px->errorfiles, e);
	return 0;
}

/* ------------------------------------------------------------------ redirect and http rules */

/*
 * Parses a redirect's words from argv[i..end), in any order as HAProxy 2.6 does
 * (http_parse_redirect_rule): "location|prefix|scheme TARGET", "code N", "drop-query",
 * "append-slash", "ignore-empty", "set-cookie X", "clear-cookie X". "code 301 location /x" is
 * the same rule as "location /x code 301"; when the type is given twice the last one counts
 * (HAProxy's). Returns 0 or -1.
 */
static int parse_redirect(struct cfg_ctx *c, const char *kw, struct sl_redirect *r, int i,
			  int end, char **argv)
{
	bool typed = false;
	r->code = 302;
	for (; i < end; i++) {
		const char *k = argv[i];
		if (strcmp(k, "location") == 0 || strcmp(k, "prefix") == 0 ||
		    strcmp(k, "scheme") == 0) {
			if (i + 1 >= end) {
				cfg_err(c, "'%s': '%s' expects a target", kw, k);
				return -1;
			}
			r->kind = k[0] == 'l' ? SL_REDIR_LOCATION
				  : k[0] == 'p' ? SL_REDIR_PREFIX
						: SL_REDIR_SCHEME;
			r->target = cfg_strdup(c, argv[++i]);
			typed = true;
		} else if (strcmp(k, "code") == 0) {
			if (cfg_int(c, "code", i + 1 < end ? argv[i + 1] : NULL, 0, 999, &r->code) < 0)
				return -1;
			if (r->code != 301 && r->code != 302 && r->code != 303 && r->code != 307 &&
			    r->code != 308) {
				cfg_err(c, "'%s': redirect code '%s' must be 301, 302, 303, 307 or 308",
					kw, argv[i + 1]);
				return -1;
			}
			i++;
		} else if (strcmp(k, "drop-query") == 0) {
			r->drop_query = true;
		} else if (strcmp(k, "append-slash") == 0) {
			r->append_slash = true;
		} else if (strcmp(k, "ignore-empty") == 0) {
			r->ignore_empty = true;
		} else if (strcmp(k, "set-cookie") == 0 || strcmp(k, "clear-cookie") == 0) {
			if (i + 1 >= end) {
				cfg_err(c, "'%s': '%s' expects a cookie", kw, k);
				return -1;
			}
			if (k[0] == 's')
				r->set_cookie = cfg_strdup(c, argv[++i]);
			else
				r->clear_cookie = cfg_strdup(c, argv[++i]);
		} else {
			cfg_err(c, "'%s': unknown redirect option '%s' (location, prefix, scheme, code, drop-query, append-slash, ignore-empty, set-cookie, clear-cookie)",
				kw, k);
			return -1;
		}
	}
	if (!typed) {
		cfg_err(c, "'%s' expects 'location', 'prefix' or 'scheme' and a target", kw);
		return -1;
	}
	return 0;
}

/* Parses the optional trailing condition at argv[ci..argc). Returns 0 or -1; *@out NULL if none. */
static int tail_cond(struct cfg_ctx *c, struct sl_proxy *px, const char *kw, int ci, int argc,
		     char **argv, struct sl_cond **out)
{
	*out = NULL;
	if (ci >= argc)
		return 0;
	*out = parse_cond(c, px, kw, argc - ci, argv + ci);
	return *out != NULL ? 0 : -1;
}

static int kw_redirect(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	struct sl_redirect_rule *rr = cfg_alloc(c, sizeof(*rr));
	int ci = cond_start(argc, argv, 1);
	if (parse_redirect(c, "redirect", &rr->redir, 1, ci, argv) < 0)
		return -1;
	if (tail_cond(c, px, "redirect", ci, argc, argv, &rr->cond) < 0)
		return -1;
	rr->loc = cfg_loc(c);
	SL_LIST_APPEND(&px->redirects, rr);
	return 0;
}

/* `monitor-uri URI`: requests for exactly URI are answered by the frontend itself (HAProxy's). */
static int kw_monitor_uri(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '\0') {
		cfg_err(c, "'monitor-uri' expects a URI");
		return -1;
	}
	px->monitor_uri = cfg_strdup(c, argv[1]);
	px->monitor_uri_loc = cfg_loc(c);
	return 0;
}

/* `monitor fail if|unless COND` */
static int kw_monitor(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "fail") != 0) {
		cfg_err(c, "'monitor' expects 'fail if|unless CONDITION'");
		return -1;
	}
	if (argc < 3 || (strcmp(argv[2], "if") != 0 && strcmp(argv[2], "unless") != 0)) {
		cfg_err(c, "'monitor fail' expects 'if' or 'unless' and a condition");
		return -1;
	}
	struct sl_monitor_fail *m = cfg_alloc(c, sizeof(*m));
	m->cond = parse_cond(c, px, "monitor fail", argc - 2, argv + 2);
	if (m->cond == NULL)
		return -1;
	m->loc = cfg_loc(c);
	if (px->req_rules != NULL) /* HAProxy says so too */
		cfg_warn(c, "a 'monitor fail' rule placed after an 'http-request' rule will still be "
			    "processed before");
	SL_LIST_APPEND(&px->monitor_fails, m);
	return 0;
}

static bool valid_header_name(const char *s)
{
	/* RFC 9110 token */
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("!#$%&'*+-.^_`|~", *s) != NULL))
			return false;
	return true;
}

/*
 * sluice evaluates the conditions and expressions of every http-request rule on the request as
 * received; HAProxy on the request as the earlier rules rewrote its line. Says so when a rule
 * with a condition or an expression follows a set-path/-query/-uri/-method or replace-path/-uri.
 */
static void http_rewrite_order_warn(struct cfg_ctx *c, const struct sl_hrule *rules,
				    const struct sl_hrule *r, const char *act)
{
	bool reads = r->cond != NULL || (r->lf != NULL && r->lf->dynamic) ||
		     (r->redir_lf != NULL && r->redir_lf->dynamic) || r->body_lf != NULL;
	for (const struct sl_hrule *p = rules; p != NULL && reads; p = p->next)
		if (p->action >= SL_HR_SET_PATH && p->action <= SL_HR_REPLACE_URI &&
		    p->action != SL_HR_SET_METHOD) {
			cfg_warn(c, "'http-request %s' reads the request line as received, not as rewritten at line %d (sluice applies the line rewrites when the request is forwarded)",
				 act, p->loc.line);
			return;
		}
}

static int kw_http_rule(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv);

/*
 * http-after-response set-header|add-header|del-header|replace-header|replace-value|set-status:
 * HAProxy runs these on every response, its own included, after the http-response rules. sluice
 * takes the rule as an http-response rule at its place (servers' responses), with a warning
 * that its own answers (redirects, errors, deny, return, stats) do not get it.
 */
static int kw_http_after_response(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	static const char *const acts[] = {"set-header",    "add-header",    "del-header",
					   "replace-header", "replace-value", "set-status", NULL};
	if (argc < 2 || !word_in(acts, argv[1])) {
		cfg_err(c, "'http-after-response' supports set-header, add-header, del-header, replace-header, replace-value and set-status in sluice");
		return -1;
	}
	cfg_warn(c, "'http-after-response %s' is applied as an 'http-response' rule at its place: to the servers' responses only; sluice's own answers (redirects, errors, deny, return) do not get it",
		 argv[1]);
	char *av[SL_CFG_MAX_WORDS];
	int n = argc < SL_CFG_MAX_WORDS ? argc : SL_CFG_MAX_WORDS;
	av[0] = (char *)"http-response";
	for (int i = 1; i < n; i++)
		av[i] = argv[i];
	return kw_http_rule(c, px, n, av);
}

static int kw_http_rule(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	bool req = strcmp(argv[0], "http-request") == 0;
	const char *kw = argv[0];
	if (argc < 2) {
		cfg_err(c, "'%s' expects an action", kw);
		return -1;
	}
	struct sl_hrule *r = cfg_alloc(c, sizeof(*r));
	r->loc = cfg_loc(c);
	const char *act = argv[1];
	int ext;
	/* positional, as HAProxy: a header value may itself be the word "if" */
	int first_cond = strcmp(act, "set-header") == 0 || strcmp(act, "add-header") == 0 ? 4 :
			 strcmp(act, "del-header") == 0					 ? 3 :
			 strncmp(act, "replace-", 8) == 0 ? (strcmp(act, "replace-header") == 0 ||
						     strcmp(act, "replace-value") == 0 ? 5 : 4) :
			 strncmp(act, "set-", 4) == 0 ? 3 : 2;
	int ci = cond_start(argc, argv, first_cond < argc ? first_cond : argc);
	if (strcmp(act, "set-header") == 0 || strcmp(act, "add-header") == 0) {
		if (ci != 4) {
			cfg_err(c, "'%s %s' expects a header name and a value (quote values with spaces)",
				kw, act);
			return -1;
		}
		r->action = act[0] == 's' ? SL_HR_SET_HEADER : SL_HR_ADD_HEADER;
		r->name = cfg_strdup(c, argv[2]);
		r->value = cfg_strdup(c, argv[3]);
		r->lf = cfg_lf(c, req ? "http-request set-header" : "http-response set-header",
			       argv[3], req ? 0 : CFG_LF_RSP);
		if (r->lf == NULL)
			return -1;
	} else if (strcmp(act, "del-header") == 0) {
		if (ci != 3) {
			cfg_err(c, "'%s del-header' expects one header name", kw);
			return -1;
		}
		r->action = SL_HR_DEL_HEADER;
		r->name = cfg_strdup(c, argv[2]);
	} else if (strcmp(act, "redirect") == 0 && req) {
		r->action = SL_HR_REDIRECT;
		if (parse_redirect(c, "http-request redirect", &r->redir, 2, ci, argv) < 0)
			return -1;
		/* HAProxy 2.6: the target of an http-request redirect is a log-format string */
		r->redir_lf = cfg_lf(c, "http-request redirect", r->redir.target, 0);
		if (r->redir_lf == NULL)
			return -1;
	} else if (strcmp(act, "deny") == 0) {
		r->action = SL_HR_DENY;
		r->status = 403;
		if (ci == 4 && strcmp(argv[2], "deny_status") == 0) {
			if (cfg_int(c, "deny_status", argv[3], 200, 599, &r->status) < 0)
				return -1;
			static const int known[] = {200, 400, 401, 403, 404, 405, 407, 408, 410,
						    413, 425, 429, 500, 501, 502, 503, 504, 0};
			const int *k = known;
			while (*k != 0 && *k != r->status)
				k++;
			if (*k == 0) { /* HAProxy 2.6 has no page for it either */
				cfg_err(c, "'%s deny': status code '%d' not handled by default with 'default-errorfiles' argument",
					kw, r->status);
				return -1;
			}
		} else if (ci != 2) {
			cfg_err(c, "'%s deny': unexpected argument '%s'", kw, argv[2]);
			return -1;
		}
	} else if (strncmp(act, "track-sc", 8) == 0 && req) {
		if (cfg_track_sc(c, r, kw, ci, argv) < 0)
			return -1;
	} else if (strcmp(act, "allow") == 0) {
		r->action = SL_HR_ALLOW;
		if (no_more(c, "allow", 2, ci, argv) < 0)
			return -1;
	} else if (strcmp(act, "use-service") == 0 && req) {
		if (ci != 3 || strcmp(argv[2], "prometheus-exporter") != 0) {
			cfg_err(c, "'http-request use-service': only 'prometheus-exporter' is supported, got '%s'",
				ci > 2 ? argv[2] : "");
			return -1;
		}
		r->action = SL_HR_USE_SERVICE;
		r->name = cfg_strdup(c, argv[2]);
	} else if ((req && strcmp(act, "cache-use") == 0) || (!req && strcmp(act, "cache-store") == 0)) {
		if (ci != 3) {
			cfg_err(c, "'%s %s' expects a cache name", kw, act);
			return -1;
		}
		cfg_warn(c, "'%s %s' has no effect: sluice caches no responses; every request goes to a server",
			 kw, act);
		return 0;
	} else if (strcmp(act, "capture") == 0) {
		/* capture SAMPLE len N | id N: what HAProxy keeps for its logs */
		if (ci != 5 || (strcmp(argv[3], "len") != 0 && strcmp(argv[3], "id") != 0)) {
			cfg_err(c, "'%s capture' expects a sample and 'len N' or 'id N'", kw);
			return -1;
		}
		cfg_warn(c, "'%s capture' has no effect: sluice's access logs show captured headers ('capture request|response header'), not captured samples", kw);
		return 0;
	} else if ((ext = cfg_http_action(c, req, ci, argv, r)) <= 0) {
		if (ext < 0)
			return -1;
	} else {
		static const char *const req_names[] = {
			"set-header", "add-header", "del-header", "redirect", "deny", "allow",
			"use-service", "return", "set-path", "set-query", "set-uri", "set-method",
			"replace-path", "replace-uri", "replace-header", "replace-value", "auth", NULL};
		static const char *const rsp_names[] = {
			"set-header", "add-header", "del-header", "deny", "allow", "replace-header",
			"replace-value", "set-status", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
		const char *dym = cfg_did_you_mean(act, req ? req_names : rsp_names,
						   sizeof(req_names[0]));
		cfg_err(c, "'%s': unknown or unsupported action '%s'%s%s%s", kw, act,
			dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
		return -1;
	}
	if (r->name != NULL && r->action != SL_HR_USE_SERVICE && r->action != SL_HR_TRACK_SC &&
	    !valid_header_name(r->name)) {
		cfg_err(c, "'%s %s': invalid header name '%s'", kw, act, r->name);
		return -1;
	}
	if (tail_cond(c, px, kw, ci, argc, argv, &r->cond) < 0)
		return -1;
	if (req)
		http_rewrite_order_warn(c, px->req_rules, r, act);
	if (req)
		SL_LIST_APPEND(&px->req_rules, r);
	else
		SL_LIST_APPEND(&px->rsp_rules, r);
	return 0;
}

/* reqadd/rspadd "Name:\ value" [if|unless COND]: HAProxy 1.x syntax, removed in 2.1. */
static int kw_legacy_add(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	bool req = argv[0][0] == 'r' && argv[0][1] == 'e';
	if (argc < 2) {
		cfg_err(c, "'%s' expects a header line 'Name:\\ value'", argv[0]);
		return -1;
	}
	const char *line = argv[1];
	const char *colon = strchr(line, ':');
	if (colon == NULL || colon == line) {
		cfg_err(c, "'%s': '%s' is not a header line 'Name: value'", argv[0], line);
		return -1;
	}
	struct sl_hrule *r = cfg_alloc(c, sizeof(*r));
	r->loc = cfg_loc(c);
	r->action = SL_HR_ADD_HEADER;
	char *name = cfg_alloc(c, (size_t)(colon - line) + 1);
	memcpy(name, line, (size_t)(colon - line));
	r->name = name;
	const char *v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	r->value = cfg_strdup(c, v);
	if (!valid_header_name(r->name)) {
		cfg_err(c, "'%s': invalid header name '%s'", argv[0], r->name);
		return -1;
	}
	if (argc > 2) {
		if (strcmp(argv[2], "if") != 0 && strcmp(argv[2], "unless") != 0) {
			cfg_err(c, "'%s': unexpected argument '%s' (quote or escape spaces in the header line)",
				argv[0], argv[2]);
			return -1;
		}
		if (tail_cond(c, px, argv[0], 2, argc, argv, &r->cond) < 0)
			return -1;
	}
	cfg_warn(c, "'%s' is deprecated (removed in HAProxy 2.1); read as '%s add-header %s \"%s\"'",
		 argv[0], req ? "http-request" : "http-response", r->name, r->value);
	if (req)
		SL_LIST_APPEND(&px->req_rules, r);
	else
		SL_LIST_APPEND(&px->rsp_rules, r);
	return 0;
}

static int kw_legacy_unsupported(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	cfg_err(c, "'%s' (HAProxy 1.x regex rewriting) is not supported; rewrite it with 'http-request' / 'http-response' rules",
		argv[0]);
	return -1;
}

/* ------------------------------------------------------------------ tcp-check */

/* "50494e47" -> the bytes, in the arena; NULL (error said) when not an even run of hex digits */
static const uint8_t *tcpchk_hex(struct cfg_ctx *c, const char *kw, const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 != 0) {
		cfg_err(c, "'%s': '%s' is not a binary string (an even number of hex digits)", kw,
			hex);
		return NULL;
	}
	uint8_t *b = cfg_alloc(c, n / 2 + 1);
	for (size_t i = 0; i < n; i += 2) {
		int h = sl_cfg_hexval(hex[i]), l = sl_cfg_hexval(hex[i + 1]);
		if (h < 0 || l < 0) {
			cfg_err(c, "'%s': '%s' is not a binary string (invalid hex digit)", kw, hex);
			return NULL;
		}
		b[i / 2] = (uint8_t)(h << 4 | l);
	}
	b[n / 2] = '\0'; /* terminated, for the dump */
	*len = n / 2;
	return b;
}

/* Appends @r to the backend's rules. Rules inherited from a defaults section are replaced
 * by the first rule of the backend's own. */
static int tcpchk_add(struct cfg_ctx *c, struct sl_proxy *px, const struct sl_tcpchk_rule *r)
{
	struct sl_tcpchk *t = &px->tcpchk;
	if (t->inherited) {
		t->inherited = false;
		t->rules = NULL;
		t->nrules = t->cap = 0;
	}
	if (t->nrules == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 8;
		struct sl_tcpchk_rule *nr = cfg_alloc(c, cap * sizeof(*nr));
		if (t->nrules > 0)
			memcpy(nr, t->rules, t->nrules * sizeof(*nr));
		t->rules = nr;
		t->cap = cap;
	}
	if (t->nrules == 0)
		t->loc = r->loc;
	t->rules[t->nrules] = *r;
	if (t->rules[t->nrules].comment == NULL)
		t->rules[t->nrules].comment = t->pending_comment;
	t->pending_comment = NULL;
	t->nrules++;
	return 0;
}

/* `comment TEXT` at argv[*i]: takes it. Returns 1 when it was one, 0 when not, -1 on error. */
static int tcpchk_comment(struct cfg_ctx *c, const char *kw, int argc, char **argv, int *i,
			  const char **comment)
{
	if (strcmp(argv[*i], "comment") != 0)
		return 0;
	if (*i + 1 >= argc) {
		cfg_err(c, "'%s': 'comment' expects a string", kw);
		return -1;
	}
	*comment = cfg_strdup(c, argv[++*i]);
	cfg_warn(c, "'%s ... comment' is accepted; sluice does not show check comments", kw);
	return 1;
}

/* `http-check connect [default] [port N] [ssl] [sni NAME] [linger] [comment TEXT]`: the one
 * connection of sluice's HTTP check, over TLS with `ssl` (HAProxy's tcpcheck connect rule). */
static int httpchk_connect(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	px->chk.connect_ssl = false;
	px->chk.connect_port = 0;
	px->chk.connect_sni = NULL;
	for (int i = 2; i < argc; i++) {
		const char *comment = NULL;
		int rc = tcpchk_comment(c, "http-check connect", argc, argv, &i, &comment);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		const char *k = argv[i];
		if (strcmp(k, "default") == 0 || strcmp(k, "linger") == 0)
			continue; /* the server's address; every check connection ends with a reset */
		if (strcmp(k, "ssl") == 0) {
			px->chk.connect_ssl = true;
			continue;
		}
		if ((strcmp(k, "port") == 0 || strcmp(k, "sni") == 0) && i + 1 >= argc) {
			cfg_err(c, "'http-check connect %s' expects a value", k);
			return -1;
		}
		if (strcmp(k, "port") == 0) {
			int port = 0;
			if (cfg_int(c, "http-check connect port", argv[++i], 1, 65535, &port) < 0)
				return -1;
			px->chk.connect_port = (uint16_t)port;
			continue;
		}
		if (strcmp(k, "sni") == 0) {
			px->chk.connect_sni = cfg_strdup(c, argv[++i]);
			continue;
		}
		static const char *const refused[] = {"addr", "send-proxy", "via-socks4", "alpn",
						      "proto", NULL};
		for (const char *const *u = refused; *u != NULL; u++)
			if (strcmp(*u, k) == 0) {
				cfg_err(c, "'http-check connect %s' is not supported by sluice (port, ssl, sni, default, linger, comment are)",
					k);
				return -1;
			}
		cfg_err(c, "'http-check connect': unknown argument '%s' (port, ssl, sni, default, linger, comment)",
			k);
		return -1;
	}
	return 0;
}

static int tcpchk_connect(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv,
			  struct sl_tcpchk_rule *r)
{
	const struct sl_tcpchk *t = &px->tcpchk;
	if (!t->inherited)
		for (unsigned k = 0; k < t->nrules; k++) {
			if (t->rules[k].op == SL_TCPCHK_CONNECT) {
				cfg_err(c, "'tcp-check connect': a second connection in one check is not supported by sluice (one 'connect', first)");
				return -1;
			}
			/* as HAProxy */
			cfg_err(c, "'tcp-check connect': first step MUST also be a 'connect', optionally preceded by a 'comment', when there is a 'connect' step in the tcp-check ruleset");
			return -1;
		}
	r->op = SL_TCPCHK_CONNECT;
	for (int i = 2; i < argc; i++) {
		int rc = tcpchk_comment(c, "tcp-check connect", argc, argv, &i, &r->comment);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		const char *k = argv[i];
		if (strcmp(k, "default") == 0 || strcmp(k, "linger") == 0) {
			/* default: the server's address and port, as sluice's connect does; linger:
			 * sluice ends every check connection with a reset already */
			continue;
		}
		if (strcmp(k, "port") == 0) {
			char *end = NULL;
			long port = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
			if (i + 1 >= argc || end == argv[i + 1] || *end != '\0' || port < 1 ||
			    port > 65535) {
				cfg_err(c, "'tcp-check connect': 'port' expects a TCP port (1 to 65535), got '%s'",
					i + 1 < argc ? argv[i + 1] : "");
				return -1;
			}
			r->port = (uint16_t)port;
			i++;
			continue;
		}
		static const char *const refused[] = {"addr", "send-proxy", "via-socks4", "ssl",
						      "sni", "alpn", "proto", NULL};
		for (const char *const *u = refused; *u != NULL; u++)
			if (strcmp(*u, k) == 0) {
				cfg_err(c, "'tcp-check connect %s' is not supported by sluice", k);
				return -1;
			}
		cfg_err(c, "'tcp-check connect': unknown argument '%s' (port, comment, default, linger)",
			k);
		return -1;
	}
	return 0;
}

static int tcpchk_send(struct cfg_ctx *c, int argc, char **argv, struct sl_tcpchk_rule *r)
{
	const char *kw = argv[1];
	bool bin = strcmp(kw, "send-binary") == 0;
	if (argc < 3) {
		cfg_err(c, "'tcp-check %s' expects a %s", kw, bin ? "binary string" : "string");
		return -1;
	}
	r->op = SL_TCPCHK_SEND;
	if (bin) {
		r->data = tcpchk_hex(c, "tcp-check send-binary", argv[2], &r->len);
		if (r->data == NULL)
			return -1;
	} else {
		r->data = (const uint8_t *)cfg_strdup(c, argv[2]);
		r->len = strlen(argv[2]);
	}
	for (int i = 3; i < argc; i++) {
		int rc = tcpchk_comment(c, "tcp-check send", argc, argv, &i, &r->comment);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			cfg_err(c, "'tcp-check %s': unexpected argument '%s' (only 'comment TEXT')", kw,
				argv[i]);
			return -1;
		}
	}
	return 0;
}

static int tcpchk_expect(struct cfg_ctx *c, int argc, char **argv, struct sl_tcpchk_rule *r)
{
	r->op = SL_TCPCHK_EXPECT;
	bool have = false;
	for (int i = 2; i < argc; i++) {
		int rc = tcpchk_comment(c, "tcp-check expect", argc, argv, &i, &r->comment);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		const char *k = argv[i];
		if (strcmp(k, "!") == 0 && !have) {
			r->neg = true;
			continue;
		}
		static const char *const refused[] = {"min-recv", "ok-status", "error-status",
						      "tout-status", "on-success", "on-error",
						      "status-code", "rbinary", "string-lf",
						      "binary-lf", "custom", NULL};
		for (const char *const *u = refused; *u != NULL; u++)
			if (strcmp(*u, k) == 0) {
				cfg_err(c, "'tcp-check expect %s' is not supported by sluice", k);
				return -1;
			}
		if (!have && (strcmp(k, "string") == 0 || strcmp(k, "rstring") == 0 ||
			      strcmp(k, "binary") == 0)) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				cfg_err(c, "'tcp-check expect': '%s' expects a pattern", k);
				return -1;
			}
			const char *pat = argv[++i];
			have = true;
			if (strcmp(k, "binary") == 0) {
				r->match = SL_TCPCHK_BINARY;
				r->data = tcpchk_hex(c, "tcp-check expect binary", pat, &r->len);
				if (r->data == NULL)
					return -1;
				continue;
			}
			r->match = strcmp(k, "string") == 0 ? SL_TCPCHK_STRING : SL_TCPCHK_RSTRING;
			r->data = (const uint8_t *)cfg_strdup(c, pat);
			r->len = strlen(pat);
			if (r->match == SL_TCPCHK_RSTRING) {
				r->re = cfg_regex(c, "tcp-check expect rstring", pat, false);
				if (r->re == NULL)
					return -1;
			}
			continue;
		}
		cfg_err(c, "'tcp-check expect': unexpected argument '%s' ([!] string|rstring|binary PATTERN [comment TEXT])",
			k);
		return -1;
	}
	if (!have) {
		cfg_err(c, "'tcp-check expect' expects [!] string|rstring|binary PATTERN");
		return -1;
	}
	return 0;
}

static int kw_tcp_check(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'tcp-check' expects connect, send, send-binary, expect or comment");
		return -1;
	}
	const char *a = argv[1];
	if (strcmp(a, "comment") == 0) {
		if (argc != 3) {
			cfg_err(c, "'tcp-check comment' expects one string");
			return -1;
		}
		/* HAProxy shows it in the check's status text; sluice's does not carry texts */
		cfg_warn(c, "'tcp-check comment' is accepted; sluice does not show check comments");
		px->tcpchk.pending_comment = cfg_strdup(c, argv[2]);
		return 0;
	}
	struct sl_tcpchk_rule r = {.loc = {.file = c->file, .line = c->line}};
	int rc;
	if (strcmp(a, "connect") == 0)
		rc = tcpchk_connect(c, px, argc, argv, &r);
	else if (strcmp(a, "send") == 0 || strcmp(a, "send-binary") == 0)
		rc = tcpchk_send(c, argc, argv, &r);
	else if (strcmp(a, "expect") == 0)
		rc = tcpchk_expect(c, argc, argv, &r);
	else if (strcmp(a, "send-lf") == 0 || strcmp(a, "send-binary-lf") == 0 ||
		 strncmp(a, "set-var", 7) == 0 || strncmp(a, "unset-var", 9) == 0) {
		cfg_err(c, "'tcp-check %s' is not supported by sluice", a);
		return -1;
	} else {
		cfg_err(c, "'tcp-check': unknown action '%s' (connect, send, send-binary, expect, comment)",
			a);
		return -1;
	}
	if (rc < 0)
		return -1;
	return tcpchk_add(c, px, &r);
}

/* ------------------------------------------------------------------ http-check */

static int kw_http_check(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'http-check' expects 'expect', 'send' or 'disable-on-404'");
		return -1;
	}
	if (strcmp(argv[1], "disable-on-404") == 0) {
		px->chk.disable_on_404 = true;
		return no_more(c, "http-check disable-on-404", 2, argc, argv);
	}
	if (strcmp(argv[1], "send-state") == 0) {
		cfg_warn(c, "'http-check send-state' has no effect in sluice");
		return 0;
	}
	if (strcmp(argv[1], "send") == 0) {
		for (int i = 2; i < argc; i++) {
			const char *k = argv[i];
			if (strcmp(k, "hdr") == 0 && i + 2 < argc) {
				char *h = cfg_alloc(c, strlen(argv[i + 1]) + strlen(argv[i + 2]) + 3);
				sprintf(h, "%s: %s", argv[i + 1], argv[i + 2]);
				cfg_str_append(c, &px->chk.headers, h);
				i += 2;
			} else if (i + 1 < argc && strcmp(k, "meth") == 0) {
				px->chk.method = cfg_strdup(c, argv[++i]);
			} else if (i + 1 < argc && strcmp(k, "uri") == 0) {
				px->chk.uri = cfg_strdup(c, argv[++i]);
			} else if (i + 1 < argc && strcmp(k, "ver") == 0) {
				px->chk.version = cfg_strdup(c, argv[++i]);
			} else {
				cfg_err(c, "'http-check send': unknown or incomplete argument '%s' (meth, uri, ver, hdr NAME VALUE)",
					k);
				return -1;
			}
		}
		return 0;
	}
	if (strcmp(argv[1], "connect") == 0)
		return httpchk_connect(c, px, argc, argv);
	if (strcmp(argv[1], "expect") != 0) {
		cfg_err(c, "'http-check': unknown action '%s' (expect, send, disable-on-404)",
			argv[1]);
		return -1;
	}
	int i = 2;
	bool neg = false;
	if (i < argc && strcmp(argv[i], "!") == 0) {
		neg = true;
		i++;
	}
	if (i + 2 != argc) {
		cfg_err(c, "'http-check expect' expects [!] status|rstatus|string|rstring PATTERN");
		return -1;
	}
	const char *k = argv[i], *pat = argv[i + 1];
	enum sl_check_expect_kind kind;
	if (strcmp(k, "status") == 0)
		kind = SL_EXPECT_STATUS;
	else if (strcmp(k, "rstatus") == 0)
		kind = SL_EXPECT_RSTATUS;
	else if (strcmp(k, "string") == 0)
		kind = SL_EXPECT_STRING;
	else if (strcmp(k, "rstring") == 0)
		kind = SL_EXPECT_RSTRING;
	else {
		cfg_err(c, "'http-check expect': unknown match '%s' (status, rstatus, string, rstring)",
			k);
		return -1;
	}
	void *re = NULL;
	if (kind == SL_EXPECT_RSTATUS || kind == SL_EXPECT_RSTRING) {
		re = cfg_regex(c, "http-check expect", pat, false);
		if (re == NULL)
			return -1;
	}
	if (kind == SL_EXPECT_STATUS) {
		/* "200", "200-399" or a comma list of those */
		for (const char *p = pat; *p; p++)
			if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == ',')) {
				cfg_err(c, "'http-check expect status': invalid status '%s'", pat);
				return -1;
			}
	}
	px->chk.expect = kind;
	px->chk.expect_neg = neg;
	px->chk.expect_pat = cfg_strdup(c, pat);
	px->chk.expect_re = re;
	return 0;
}

/* ------------------------------------------------------------------ stats */

/* Every word after `stats` in a proxy, as bind_words ('socket', 'timeout', 'maxconn': global). */
static const char *const stats_words[] = {
	"enable", "uri", "realm", "auth", "hide-version", "refresh", "admin", "show-legends",
	"show-node", "show-desc", "show-modules", "scope", "prometheus-uri", "socket", "timeout",
	"maxconn", NULL,
};

static int kw_stats(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	struct sl_stats *st = &px->stats;
	if (argc < 2) {
		cfg_err(c, "'stats' expects a sub-keyword (enable, uri, realm, auth, ...)");
		return -1;
	}
	const char *k = argv[1];
	const char *v = argc > 2 ? argv[2] : NULL;
	if (!word_in(stats_words, k)) {
		const char *dym = cfg_did_you_mean(k, stats_words, sizeof(stats_words[0]));
		cfg_err(c, "unknown keyword 'stats %s'%s%s%s", k, dym ? "; did you mean '" : "",
			dym ? dym : "", dym ? "'?" : "");
		return -1;
	}
	if (strcmp(k, "enable") == 0) {
		if (no_more(c, "stats enable", 2, argc, argv) < 0)
			return -1;
	} else if (strcmp(k, "hide-version") == 0) {
		st->hide_version = true;
	} else if (strcmp(k, "show-legends") == 0) {
		st->show_legends = true;
	} else if (strcmp(k, "show-modules") == 0) {
		if (no_more(c, "stats show-modules", 2, argc, argv) < 0)
			return -1;
		cfg_warn(c, "'stats show-modules' has no effect: sluice's stats page has no modules' "
			    "extra columns");
	} else if (strcmp(k, "show-node") == 0) {
		st->show_node = true;
		cfg_warn(c, "'stats show-node' has no effect: sluice's stats page shows no node name");
	} else if (strcmp(k, "show-desc") == 0) {
		st->show_desc = argc > 2 ? cfg_join(c, argc - 2, argv + 2) : "";
		cfg_warn(c, "'stats show-desc' has no effect: sluice's stats page shows no "
			    "description");
	} else if (strcmp(k, "uri") == 0 || strcmp(k, "realm") == 0 || strcmp(k, "auth") == 0 ||
		   strcmp(k, "refresh") == 0 || strcmp(k, "prometheus-uri") == 0 ||
		   strcmp(k, "scope") == 0) {
		if (argc != 3) {
			cfg_err(c, "'stats %s' expects exactly one argument (escape spaces with '\\ ')",
				k);
			return -1;
		}
		if (strcmp(k, "uri") == 0 || strcmp(k, "prometheus-uri") == 0) {
			if (v[0] != '/') {
				cfg_err(c, "'stats %s': '%s' must start with '/'", k, v);
				return -1;
			}
			if (k[0] == 'u')
				st->uri = cfg_strdup(c, v);
			else
				st->prometheus_uri = cfg_strdup(c, v);
		} else if (strcmp(k, "realm") == 0) {
			st->realm = cfg_strdup(c, v);
		} else if (strcmp(k, "auth") == 0) {
			if (strchr(v, ':') == NULL || v[0] == ':') {
				cfg_err(c, "'stats auth': '%s' must be 'user:password'", v);
				return -1;
			}
			cfg_str_append(c, &st->auth, v);
		} else if (strcmp(k, "refresh") == 0) {
			if (cfg_time(c, "stats refresh", v, &st->refresh) < 0)
				return -1;
		} else {
			cfg_warn(c, "'stats scope' has no effect in sluice (every proxy is shown)");
		}
	} else if (strcmp(k, "admin") == 0) {
		if (argc < 3 || (strcmp(argv[2], "if") != 0 && strcmp(argv[2], "unless") != 0)) {
			cfg_err(c, "'stats admin' expects 'if' or 'unless' and a condition");
			return -1;
		}
		st->admin = parse_cond(c, px, "stats admin", argc - 2, argv + 2);
		if (st->admin == NULL)
			return -1;
	} else if (strcmp(k, "socket") == 0 || strcmp(k, "timeout") == 0 ||
		   strcmp(k, "maxconn") == 0) {
		cfg_err(c, "'stats %s' belongs in the 'global' section", k);
		return -1;
	} else {
		static const char *const names[] = {"enable", "uri", "realm", "auth", "hide-version",
						    "refresh", "admin", "show-legends", "show-node",
						    "show-desc", "scope", "prometheus-uri", NULL};
		const char *dym = cfg_did_you_mean(k, names, sizeof(names[0]));
		cfg_err(c, "unknown keyword 'stats %s'%s%s%s", k, dym ? "; did you mean '" : "",
			dym ? dym : "", dym ? "'?" : "");
		return -1;
	}
	st->enabled = true; /* every stats keyword implies "stats enable", as in HAProxy */
	return 0;
}

/* ------------------------------------------------------------------ accepted, no effect */

static int kw_log(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "global") == 0) {
		px->log_global = true;
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "none") == 0) {
		px->log_global = false;
		px->log_targets = NULL;
		px->logs = NULL;
		return 0;
	}
	/* a target of its own, kept as written for --dump too */
	cfg_log_keep_text(c, argc, argv, &px->logs);
	return cfg_log_target(c, argc, argv, &px->log_targets);
}

static int kw_ignored(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	static const struct {
		const char *kw, *why;
	} why[] = {
		{"unique-id-format", "sluice gives requests no unique id (%ID is '-', no header)"},
		{"unique-id-header", "sluice gives requests no unique id (%ID is '-', no header)"},
		{"hash-type", "sluice's hashing balance algorithms (source, uri, random) use its "
			      "consistent hash (Maglev) whatever 'hash-type' says"},
		{"http-reuse", "sluice does not share a server connection between clients (as "
			       "'http-reuse never')"},
		{"id", "sluice numbers proxies in file order (iid in 'show stat')"},
		{"description", "sluice shows no proxy descriptions"},
	};
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strcmp(why[i].kw, argv[0]) == 0) {
			cfg_warn(c, "'%s' has no effect: %s", argv[0], why[i].why);
			return 0;
		}
	cfg_warn(c, "'%s' is accepted for compatibility and has no effect in sluice", argv[0]);
	return 0;
}

/* compression algo|type|offload|direction|algo-req|algo-res|type-req|type-res|minsize-req|
 * minsize-res ...: HAProxy compresses responses; sluice forwards them as the server sent them,
 * which a client takes as well (it only costs bandwidth), so the line is accepted with a
 * warning saying so. */
static int kw_compression(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	static const char *const words[] = {"algo",	 "type",     "offload",	    "direction",
					    "algo-req",	 "algo-res", "type-req",    "type-res",
					    "minsize-req", "minsize-res", NULL};
	if (argc < 2 || !word_in(words, argv[1]) ||
	    (argc < 3 && strcmp(argv[1], "offload") != 0)) {
		cfg_err(c, "'compression' expects algo, type, offload, direction, algo-req, algo-res, type-req, type-res, minsize-req or minsize-res and its values");
		return -1;
	}
	cfg_warn(c, "'compression %s' has no effect: sluice forwards responses as the server sent them, without compressing them",
		 argv[1]);
	return 0;
}

static int kw_unsupported(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	cfg_err(c, "'%s' is not supported by sluice", argv[0]);
	return -1;
}

/* ------------------------------------------------------------------ the table */

static const struct proxy_kw proxy_kws[] = {
	{"bind", F, kw_bind},
	{"mode", D | F | B, kw_mode},
	{"maxconn", D | F, kw_maxconn},
	{"fullconn", D | B, kw_fullconn},
	{"source", D | B, kw_source},
	{"default_backend", D | F, kw_default_backend},
	{"use_backend", F, kw_use_backend},
	{"acl", F | B, kw_acl},
	{"balance", D | B, kw_balance},
	{"server", B, kw_server},
	{"default-server", D | B, kw_default_server},
	{"cookie", D | B, kw_cookie},
	{"option", D | F | B, kw_option},
	{"no", D | F | B, kw_option},
	{"timeout", D | F | B, kw_timeout},
	{"contimeout", D | B, kw_legacy_timeout},
	{"clitimeout", D | F, kw_legacy_timeout},
	{"srvtimeout", D | B, kw_legacy_timeout},
	{"retries", D | B, kw_retries},
	{"load-server-state-from-file", D | B, kw_load_server_state},
	{"errorfile", D | F | B, kw_errorfile},
	{"redirect", F | B, kw_redirect},
	{"http-request", F | B, kw_http_rule},
	{"http-response", F | B, kw_http_rule},
	{"http-after-response", F | B, kw_http_after_response},
	{"reqadd", F | B, kw_legacy_add},
	{"rspadd", F | B, kw_legacy_add},
	{"reqrep", F | B, kw_legacy_unsupported},
	{"reqirep", F | B, kw_legacy_unsupported},
	{"reqdel", F | B, kw_legacy_unsupported},
	{"reqidel", F | B, kw_legacy_unsupported},
	{"reqdeny", F | B, kw_legacy_unsupported},
	{"rsprep", F | B, kw_legacy_unsupported},
	{"rspirep", F | B, kw_legacy_unsupported},
	{"rspdel", F | B, kw_legacy_unsupported},
	{"rspidel", F | B, kw_legacy_unsupported},
	{"http-check", D | B, kw_http_check},
	{"stats", D | F | B, kw_stats},
	{"log", D | F | B, kw_log},
	{"description", F | B, kw_ignored},
	{"id", F | B, kw_ignored},
	{"capture", F, cfg_kw_capture},
	{"hash-type", D | B, kw_ignored},
	{"http-reuse", D | B, kw_ignored},
	{"log-format", D | F, cfg_kw_log_format},
	{"unique-id-format", D | F, kw_ignored},
	{"unique-id-header", D | F, kw_ignored},
	{"monitor-uri", D | F, kw_monitor_uri},
	{"monitor", F, kw_monitor},
	{"compression", D | F | B, kw_compression},
	{"tcp-request", D | F | B, cfg_kw_tcp_request},
	{"tcp-response", B, kw_unsupported},
	{"tcp-check", D | B, kw_tcp_check},
	{"stick-table", F | B, cfg_kw_stick_table},
	{"stick", B, cfg_kw_stick},
	{"filter", F | B, kw_unsupported},
	{"use-server", B, kw_unsupported},
	{NULL, 0, NULL},
};

int cfg_proxy_keyword(struct cfg_ctx *c, int argc, char **argv)
{
	struct sl_proxy *px = c->px;
	for (const struct proxy_kw *k = proxy_kws; k->name != NULL; k++) {
		if (strcmp(k->name, argv[0]) != 0)
			continue;
		if ((k->cap & px->cap) == 0) {
			cfg_err(c, "'%s' is not allowed in a '%s' section", argv[0], px_kind(px));
			return -1;
		}
		return k->fn(c, px, argc, argv);
	}
	const char *dym = cfg_did_you_mean(argv[0], proxy_kws, sizeof(proxy_kws[0]));
	cfg_err(c, "unknown keyword '%s' in '%s' section%s%s%s", argv[0], px_kind(px),
		dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
	return -1;
}

/* ------------------------------------------------------------------ the tables, read only */

const char *sl_cfg_kw_name(enum sl_cfg_kw_family f, size_t i)
{
	size_t n = 0;
	switch (f) {
	case SL_KWF_GLOBAL:
		return cfg_global_kw_name(i);
	case SL_KWF_PROXY:
		for (n = 0; proxy_kws[n].name != NULL; n++)
			;
		return i < n ? proxy_kws[i].name : NULL;
	case SL_KWF_OPTION:
		for (n = 0; options[n].name != NULL; n++)
			;
		return i < n ? options[i].name : NULL;
	case SL_KWF_TIMEOUT:
		for (n = 0; timeouts[n].name != NULL; n++)
			;
		return i < n ? timeouts[i].name : NULL;
	case SL_KWF_SERVER:
		for (n = 0; srv_words[n] != NULL; n++)
			;
		return i < n ? srv_words[i] : NULL;
	case SL_KWF_BIND:
		for (n = 0; bind_words[n] != NULL; n++)
			;
		return i < n ? bind_words[i] : NULL;
	case SL_KWF_STATS:
		for (n = 0; stats_words[n] != NULL; n++)
			;
		return i < n ? stats_words[i] : NULL;
	}
	return NULL;
}
