/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log-format strings compiled at load (HAProxy's parse_logformat_string(), the part sluice
 * evaluates): literal text, "%%", "%[FETCH(ARGS),CONV(ARGS)...]", the variables %ci %cp %fi %fp,
 * and, for replace-* rules, the regex back-references \1..\9. Everything else is refused by
 * name at file:line. Map files named by map*() converters are read here, on main, once per
 * configuration.
 */
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

/* ------------------------------------------------------------------ map files */

static bool map_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Splits a map or pattern file into entries: one per line, leading spaces skipped, lines empty
 * or starting with '#' ignored; with @kv the key ends at the first space and the value is the
 * rest of the line, trimmed (HAProxy's pat_ref_read_from_file_smp()); without it the whole
 * trimmed line is the pattern. Returns the number of entries written to @ents (NULL: count).
 */
static size_t split_lines(const char *d, size_t len, bool kv, struct sl_map_ent *ents)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && d[e] != '\n')
			e++;
		size_t a = i, b = e;
		i = e + 1;
		if (b > a && d[b - 1] == '\r')
			b--;
		while (a < b && map_space(d[a]))
			a++;
		while (b > a && map_space(d[b - 1]))
			b--;
		if (a == b || d[a] == '#')
			continue;
		size_t k = a;
		if (kv)
			while (k < b && !map_space(d[k]))
				k++;
		else
			k = b;
		size_t v = k;
		while (v < b && map_space(d[v]))
			v++;
		if (ents != NULL)
			ents[n] = (struct sl_map_ent){.key = d + a, .klen = (uint32_t)(k - a),
						      .val = kv ? d + v : NULL,
						      .vlen = (uint32_t)(b - v)};
		n++;
	}
	return n;
}

/* Orders entry indexes by key bytes, then length, then file order (the first line wins). */
static int ent_cmp(const void *a, const void *b, void *arg)
{
	const struct sl_map_ent *ents = arg;
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
	const struct sl_map_ent *x = &ents[ia], *y = &ents[ib];
	int r = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
	if (r == 0)
		r = x->klen < y->klen ? -1 : x->klen > y->klen ? 1 : 0;
	return r != 0 ? r : ia < ib ? -1 : ia > ib ? 1 : 0;
}

const struct sl_map *cfg_map(struct cfg_ctx *c, const char *kw, const char *file, bool kv)
{
	for (struct sl_map *m = c->cfg->maps; m != NULL; m = m->next)
		if (strcmp(m->file, file) == 0 && (m->n == 0 || (m->ents[0].val != NULL) == kv))
			return m;
	const char *d;
	size_t len;
	if (cfg_read_file(c, file, &d, &len) < 0) {
		cfg_err(c, "'%s': cannot read %s file '%s'", kw, kv ? "map" : "pattern", file);
		return NULL;
	}
	struct sl_map *m = cfg_alloc(c, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->file = cfg_strdup(c, file);
	m->n = split_lines(d, len, kv, NULL);
	m->ents = cfg_alloc(c, (m->n ? m->n : 1) * sizeof(*m->ents));
	if (m->ents == NULL)
		return NULL;
	split_lines(d, len, kv, m->ents);
	m->order = cfg_alloc(c, (m->n ? m->n : 1) * sizeof(*m->order));
	if (m->order == NULL)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		m->order[i] = (uint32_t)i;
	qsort_r(m->order, m->n, sizeof(*m->order), ent_cmp, m->ents);
	m->next = c->cfg->maps;
	c->cfg->maps = m;
	return m;
}

/* ------------------------------------------------------------------ expressions */

static const struct {
	const char *name;
	enum sl_lf_fetch f;
	bool req; /* reads the request: not in an http-response rule */
} fetches[] = {
	{"src", SL_LF_SRC, false},	       {"src_port", SL_LF_SRC_PORT, false},
	{"dst", SL_LF_DST, false},	       {"dst_port", SL_LF_DST_PORT, false},
	{"path", SL_LF_PATH, true},	       {"query", SL_LF_QUERY, true},
	{"url", SL_LF_URL, true},	       {"base", SL_LF_BASE, true},
	{"method", SL_LF_METHOD, true},	       {"req.hdr", SL_LF_HDR, true},
	{"hdr", SL_LF_HDR, true},	       {"ssl_fc", SL_LF_SSL_FC, false},
	{"ssl_fc_sni", SL_LF_SSL_FC_SNI, false},
	{"ssl_c_used", SL_LF_SSL_C_USED, false},	{"ssl_fc_has_crt", SL_LF_SSL_FC_HAS_CRT, false},
	{"ssl_c_verify", SL_LF_SSL_C_VERIFY, false},	{"ssl_c_s_dn", SL_LF_SSL_C_S_DN, false},
	{"ssl_c_i_dn", SL_LF_SSL_C_I_DN, false},	{"ssl_c_serial", SL_LF_SSL_C_SERIAL, false},
};

static const struct {
	const char *name;
	enum sl_lf_conv_kind k;
	enum sl_map_match m;
} convs[] = {
	{"lower", SL_LF_LOWER, 0},	   {"upper", SL_LF_UPPER, 0},
	{"map", SL_LF_MAP, SL_MAP_STR},	   {"map_str", SL_LF_MAP, SL_MAP_STR},
	{"map_beg", SL_LF_MAP, SL_MAP_BEG}, {"map_dom", SL_LF_MAP, SL_MAP_DOM},
	{"map_end", SL_LF_MAP, SL_MAP_END}, {"map_sub", SL_LF_MAP, SL_MAP_SUB},
	{"regsub", SL_LF_REGSUB, 0},	   {"hex", SL_LF_HEX, 0},
};

/* One "NAME[(ARGS)]" of a sample expression: *@name, *@args (NULL: none), both in the arena. */
static int split_call(struct cfg_ctx *c, const char *kw, const char *s, size_t n,
		      const char **name, const char **args)
{
	const char *p = memchr(s, '(', n);
	*args = NULL;
	if (p == NULL) {
		char *nm = cfg_alloc(c, n + 1);
		if (nm == NULL)
			return -1;
		memcpy(nm, s, n);
		*name = nm;
		return 0;
	}
	if (s[n - 1] != ')') {
		cfg_err(c, "'%s': missing ')' in '%.*s'", kw, (int)n, s);
		return -1;
	}
	char *nm = cfg_alloc(c, (size_t)(p - s) + 1);
	char *ar = cfg_alloc(c, (size_t)(s + n - 1 - (p + 1)) + 1);
	if (nm == NULL || ar == NULL)
		return -1;
	memcpy(nm, s, (size_t)(p - s));
	memcpy(ar, p + 1, (size_t)(s + n - 1 - (p + 1)));
	*name = nm;
	*args = ar;
	return 0;
}

/* Splits @args at its first comma: the second part in *@rest (NULL when none). */
static char *split_arg(struct cfg_ctx *c, const char *args, const char **rest)
{
	const char *comma = strchr(args, ',');
	*rest = NULL;
	size_t l = comma != NULL ? (size_t)(comma - args) : strlen(args);
	char *a = cfg_alloc(c, l + 1);
	if (a != NULL)
		memcpy(a, args, l);
	if (comma != NULL)
		*rest = comma + 1;
	return a;
}

static int compile_fetch(struct cfg_ctx *c, const char *kw, const char *name, const char *args,
			 unsigned flags, struct sl_lf_node *nd)
{
	size_t i;
	for (i = 0; i < sizeof(fetches) / sizeof(fetches[0]); i++)
		if (strcmp(fetches[i].name, name) == 0)
			break;
	if (i == sizeof(fetches) / sizeof(fetches[0])) {
		cfg_err(c, "'%s': sample fetch '%s' is unknown or not supported by sluice (src, src_port, dst, dst_port, path, query, url, base, method, req.hdr(), hdr(), ssl_fc, ssl_fc_sni, ssl_c_used, ssl_fc_has_crt, ssl_c_verify, ssl_c_s_dn, ssl_c_i_dn, ssl_c_serial)",
			kw, name);
		return -1;
	}
	if (fetches[i].req && (flags & CFG_LF_RSP)) {
		cfg_err(c, "'%s': sample fetch '%s' needs the HTTP request, which is not available in a response rule",
			kw, name);
		return -1;
	}
	if (fetches[i].req && fetches[i].f != SL_LF_METHOD && (flags & CFG_LF_LOG)) {
		cfg_err(c, "'%s': sample fetch '%s' may not be used in a log-format: it needs the HTTP request headers, gone when the line is written (as HAProxy 2.6 says; capture the header instead)",
			kw, name);
		return -1;
	}
	nd->fetch = fetches[i].f;
	if (nd->fetch != SL_LF_HDR) {
		if (args != NULL) {
			cfg_err(c, "'%s': sample fetch '%s' takes no argument", kw, name);
			return -1;
		}
		return 0;
	}
	const char *rest;
	char *h = args != NULL ? split_arg(c, args, &rest) : NULL;
	if (h == NULL || h[0] == '\0') {
		cfg_err(c, "'%s': sample fetch '%s' expects a header name", kw, name);
		return -1;
	}
	nd->text = h;
	nd->len = (uint32_t)strlen(h);
	nd->occ = -1;
	if (rest != NULL && cfg_int(c, name, rest, -1000, 1000, &nd->occ) < 0)
		return -1;
	return 0;
}

/*
 * regsub(REGEX,SUBST[,FLAGS]): the arguments split at commas ("\\," is a comma), SUBST's \\N
 * written as PCRE2's $N ('$' doubled), FLAGS of 'g' (every match) and 'i' (caseless).
 */
static int compile_regsub(struct cfg_ctx *c, const char *kw, const char *args,
			  struct sl_lf_conv *cv)
{
	size_t al = args != NULL ? strlen(args) : 0;
	char *w[3];
	int nw = 0;
	char *buf = cfg_alloc(c, 2 * al + 3);
	if (buf == NULL)
		return -1;
	w[nw++] = buf;
	for (size_t i = 0; i < al; i++) {
		if (args[i] == '\\' && i + 1 < al && args[i + 1] == ',') {
			*buf++ = ',';
			i++;
		} else if (args[i] == ',') {
			*buf++ = '\0';
			if (nw == 3) {
				cfg_err(c, "'%s': regsub takes at most 3 arguments", kw);
				return -1;
			}
			w[nw++] = buf;
		} else {
			*buf++ = args[i];
		}
	}
	*buf = '\0';
	if (args == NULL || nw < 2 || w[0][0] == '\0') {
		cfg_err(c, "'%s': regsub expects a regex and a replacement: regsub(REGEX,SUBST[,FLAGS])",
			kw);
		return -1;
	}
	bool icase = false;
	for (const char *f = nw == 3 ? w[2] : ""; *f != '\0'; f++) {
		if (*f == 'g')
			cv->global = true;
		else if (*f == 'i')
			icase = true;
		else {
			cfg_err(c, "'%s': regsub flag '%c' is not supported (g, i)", kw, *f);
			return -1;
		}
	}
	cv->re = cfg_regex(c, kw, w[0], icase);
	if (cv->re == NULL)
		return -1;
	size_t sl = strlen(w[1]);
	char *sub = cfg_alloc(c, 2 * sl + 1), *o = sub;
	if (sub == NULL)
		return -1;
	for (size_t i = 0; i < sl; i++) {
		if (w[1][i] == '\\' && i + 1 < sl && w[1][i + 1] >= '0' && w[1][i + 1] <= '9') {
			*o++ = '$';
			*o++ = w[1][++i];
		} else if (w[1][i] == '$') {
			*o++ = '$';
			*o++ = '$';
		} else {
			*o++ = w[1][i];
		}
	}
	cv->subst = sub;
	return 0;
}

static int compile_conv(struct cfg_ctx *c, const char *kw, const char *name, const char *args,
			struct sl_lf_node *nd)
{
	size_t i;
	for (i = 0; i < sizeof(convs) / sizeof(convs[0]); i++)
		if (strcmp(convs[i].name, name) == 0)
			break;
	if (i == sizeof(convs) / sizeof(convs[0])) {
		cfg_err(c, "'%s': converter '%s' is unknown or not supported by sluice (lower, upper, map, map_str, map_beg, map_dom, map_end, map_sub, regsub, hex)",
			kw, name);
		return -1;
	}
	if (nd->nconv == SL_LF_MAX_CONV) {
		cfg_err(c, "'%s': more than %d converters in one sample expression", kw,
			SL_LF_MAX_CONV);
		return -1;
	}
	struct sl_lf_conv *cv = &nd->conv[nd->nconv++];
	cv->kind = convs[i].k;
	cv->match = convs[i].m;
	if (cv->kind == SL_LF_REGSUB)
		return compile_regsub(c, kw, args, cv);
	if (cv->kind != SL_LF_MAP) {
		if (args != NULL) {
			cfg_err(c, "'%s': converter '%s' takes no argument", kw, name);
			return -1;
		}
		return 0;
	}
	const char *def;
	char *file = args != NULL ? split_arg(c, args, &def) : NULL;
	if (file == NULL || file[0] == '\0') {
		cfg_err(c, "'%s': converter '%s' expects a map file", kw, name);
		return -1;
	}
	cv->def = def != NULL ? cfg_strdup(c, def) : NULL;
	cv->map = cfg_map(c, kw, file, true);
	return cv->map != NULL ? 0 : -1;
}

/* "FETCH(ARGS),CONV(ARGS),..." at @s (@n bytes) into @nd. */
static int compile_sample(struct cfg_ctx *c, const char *kw, const char *s, size_t n,
			  unsigned flags, struct sl_lf_node *nd)
{
	bool first = true;
	while (n > 0) {
		/* the next comma outside parentheses */
		size_t e = 0;
		int depth = 0;
		for (; e < n; e++) {
			if (s[e] == '(')
				depth++;
			else if (s[e] == ')')
				depth--;
			else if (s[e] == ',' && depth == 0)
				break;
		}
		if (e == 0) {
			cfg_err(c, "'%s': empty %s in sample expression", kw,
				first ? "fetch" : "converter");
			return -1;
		}
		const char *name, *args;
		if (split_call(c, kw, s, e, &name, &args) < 0)
			return -1;
		if ((first ? compile_fetch(c, kw, name, args, flags, nd) :
			     compile_conv(c, kw, name, args, nd)) < 0)
			return -1;
		first = false;
		if (e == n)
			break;
		s += e + 1;
		n -= e + 1;
		if (n == 0) {
			cfg_err(c, "'%s': empty converter in sample expression", kw);
			return -1;
		}
	}
	if (first) {
		cfg_err(c, "'%s': empty sample expression '%%[]'", kw);
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	enum sl_lf_fetch f;
} lf_vars[] = {{"ci", SL_LF_SRC}, {"cp", SL_LF_SRC_PORT}, {"fi", SL_LF_DST}, {"fp", SL_LF_DST_PORT}};

struct sl_lf *cfg_lf(struct cfg_ctx *c, const char *kw, const char *text, unsigned flags)
{
	size_t tl = strlen(text);
	/* at most one node per input byte */
	struct sl_lf *lf = cfg_alloc(c, sizeof(*lf));
	struct sl_lf_node *nodes = cfg_alloc(c, (tl + 1) * sizeof(*nodes));
	char *lit = cfg_alloc(c, tl + 1); /* the literal bytes, unescaped, one after another */
	if (lf == NULL || nodes == NULL || lit == NULL)
		return NULL;
	lf->src = cfg_strdup(c, text);
	lf->nodes = nodes;
	size_t litn = 0;
	struct sl_lf_node *cur = NULL; /* the literal node being extended */
	for (size_t i = 0; i < tl;) {
		char ch = text[i];
		if (ch == '%' && i + 1 < tl && text[i + 1] == '%') {
			ch = '%';
			i += 2;
		} else if (ch == '\\' && (flags & CFG_LF_BACKREF) && i + 1 < tl &&
			   text[i + 1] >= '0' && text[i + 1] <= '9') {
			struct sl_lf_node *nd = &nodes[lf->n++];
			nd->fetch = SL_LF_BACKREF;
			nd->occ = text[i + 1] - '0';
			lf->dynamic = true;
			cur = NULL;
			i += 2;
			continue;
		} else if (ch == '%') {
			const char *p = text + i + 1;
			if (*p == '{') {
				const char *e = strchr(p, '}');
				cfg_err(c, "'%s': log-format options '%.*s' are not supported by sluice",
					kw, e != NULL ? (int)(e - p + 1) : (int)strlen(p), p);
				return NULL;
			}
			if (*p == '[') {
				const char *e = p + 1;
				int depth = 0;
				while (*e != '\0' && (*e != ']' || depth > 0)) {
					depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
					e++;
				}
				if (*e != ']') {
					cfg_err(c, "'%s': missing ']' after '%s'", kw, p + 1);
					return NULL;
				}
				struct sl_lf_node *nd = &nodes[lf->n++];
				if (compile_sample(c, kw, p + 1, (size_t)(e - p - 1), flags, nd) < 0)
					return NULL;
				lf->dynamic = true;
				cur = NULL;
				i = (size_t)(e + 1 - text);
				continue;
			}
			size_t vl = 0;
			while ((p[vl] >= 'a' && p[vl] <= 'z') || (p[vl] >= 'A' && p[vl] <= 'Z'))
				vl++;
			if (vl == 0) {
				cfg_err(c, "'%s': '%%' must be followed by '[', a variable name or '%%' (write '%%%%' for a literal '%%') in '%s'",
					kw, text);
				return NULL;
			}
			size_t k;
			for (k = 0; k < sizeof(lf_vars) / sizeof(lf_vars[0]); k++)
				if (strlen(lf_vars[k].name) == vl && memcmp(lf_vars[k].name, p, vl) == 0)
					break;
			if (k == sizeof(lf_vars) / sizeof(lf_vars[0])) {
				cfg_err(c, "'%s': log-format variable '%%%.*s' is not supported by sluice (%%ci, %%cp, %%fi, %%fp and %%[FETCH] are)",
					kw, (int)vl, p);
				return NULL;
			}
			struct sl_lf_node *nd = &nodes[lf->n++];
			nd->fetch = lf_vars[k].f;
			lf->dynamic = true;
			cur = NULL;
			i += 1 + vl;
			continue;
		} else {
			i++;
		}
		if (cur == NULL) {
			cur = &nodes[lf->n++];
			cur->lit = true;
			cur->text = lit + litn;
		}
		lit[litn++] = ch;
		cur->len++;
	}
	return lf;
}
