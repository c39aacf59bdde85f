/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stick tables in the configuration: `stick-table`, `stick on|match|store-request`,
 * `http-request track-sc0|1|2`, the sc_*, scN_* and src_* fetches, and their cross checks.
 * HAProxy 2.6's syntax (configuration manual 4.2 "stick-table", "stick on", 7.3.3 sc_*); what
 * sluice does not build is refused by name.
 */
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

static const char *const data_names[SL_CFG_STK_NDATA + 1] = {
	"server_id", "conn_cur", "conn_cnt",	  "conn_rate", "http_req_cnt",
	"http_req_rate", "gpc0", "gpc0_rate", NULL,
};

/* Data types HAProxy 2.6 knows that sluice does not count: refused by name. */
static const char *const other_data[] = {
	"server_key", "gpc1", "gpc1_rate", "gpc", "gpc_rate", "gpt0", "gpt", "sess_cnt",
	"sess_rate", "http_err_cnt", "http_err_rate", "http_fail_cnt",
	"http_fail_rate", "bytes_in_cnt", "bytes_in_rate", "bytes_out_cnt", "bytes_out_rate",
	NULL,
};

const char *sl_cfg_stk_data_name(int d)
{
	return d >= 0 && d < SL_CFG_STK_NDATA ? data_names[d] : "?";
}

static int data_find(const char *name, size_t len)
{
	for (int i = 0; i < SL_CFG_STK_NDATA; i++)
		if (strlen(data_names[i]) == len && strncmp(data_names[i], name, len) == 0)
			return i;
	return -1;
}

static bool is_rate(int d)
{
	return d == SL_CFG_STK_CONN_RATE || d == SL_CFG_STK_HTTP_REQ_RATE ||
	       d == SL_CFG_STK_GPC0_RATE;
}

/* HAProxy's size: a number with an optional k, m or g suffix (powers of 1024). */
static int parse_size(struct cfg_ctx *c, const char *s, int *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s)
		goto bad;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	else if (*end == 'g' || *end == 'G')
		v <<= 30, end++;
	if (*end != '\0' || v > (1u << 30))
		goto bad;
	*out = (int)v;
	return 0;
bad:
	cfg_err(c, "'stick-table': invalid size '%s' (a number, optionally with k, m or g)", s);
	return -1;
}

/* `store DATA[,DATA...]`, each rate with its period: `http_req_rate(10s)`. */
static int parse_store(struct cfg_ctx *c, struct sl_stktable *t, const char *list)
{
	const char *p = list;
	while (*p != '\0') {
		const char *e = p;
		int depth = 0;
		while (*e != '\0' && (*e != ',' || depth > 0)) {
			depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
			e++;
		}
		const char *paren = memchr(p, '(', (size_t)(e - p));
		size_t nl = paren ? (size_t)(paren - p) : (size_t)(e - p);
		int d = data_find(p, nl);
		if (d < 0) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)nl, p);
			bool known = false;
			for (const char *const *o = other_data; *o != NULL; o++)
				known |= strcmp(*o, name) == 0;
			if (known)
				cfg_err(c, "'stick-table': data type '%s' is not supported by sluice (server_id, conn_cur, conn_cnt, conn_rate(P), http_req_cnt, http_req_rate(P), gpc0, gpc0_rate(P) are)",
					name);
			else
				cfg_err(c, "'stick-table': unknown data type '%s' in 'store'", name);
			return -1;
		}
		if (is_rate(d)) {
			if (paren == NULL || e[-1] != ')' || paren + 1 >= e - 1) {
				cfg_err(c, "'stick-table': '%s' expects a period, as in '%s(10s)'",
					data_names[d], data_names[d]);
				return -1;
			}
			char per[32];
			snprintf(per, sizeof(per), "%.*s", (int)(e - 1 - paren - 1), paren + 1);
			if (cfg_time(c, "stick-table store", per, &t->period[d]) < 0)
				return -1;
			if (t->period[d] <= 0) {
				cfg_err(c, "'stick-table': '%s' needs a period above 0", data_names[d]);
				return -1;
			}
		} else if (paren != NULL) {
			cfg_err(c, "'stick-table': '%s' takes no argument", data_names[d]);
			return -1;
		}
		t->store |= 1u << d;
		p = *e == ',' ? e + 1 : e;
	}
	return 0;
}

int cfg_kw_stick_table(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (px->stktable != NULL) {
		cfg_err(c, "'stick-table': only one per proxy (the first is at line %d)",
			px->stktable->loc.line);
		return -1;
	}
	struct sl_stktable *t = cfg_alloc(c, sizeof(*t));
	if (t == NULL)
		return -1;
	t->loc = cfg_loc(c);
	bool typed = false;
	t->size = -1;
	for (int i = 1; i < argc; i++) {
		const char *k = argv[i];
		bool has = i + 1 < argc;
		if (strcmp(k, "type") == 0 && has) {
			const char *ty = argv[++i];
			if (strcmp(ty, "ip") != 0) {
				if (strcmp(ty, "ipv6") == 0 || strcmp(ty, "integer") == 0 ||
				    strcmp(ty, "string") == 0 || strcmp(ty, "binary") == 0)
					cfg_err(c, "'stick-table': type '%s' is not supported by sluice yet (type ip is)",
						ty);
				else
					cfg_err(c, "'stick-table': unknown type '%s' (ip, ipv6, integer, string, binary)",
						ty);
				return -1;
			}
			typed = true;
		} else if (strcmp(k, "size") == 0 && has) {
			if (parse_size(c, argv[++i], &t->size) < 0)
				return -1;
		} else if (strcmp(k, "expire") == 0 && has) {
			if (cfg_time(c, "stick-table expire", argv[++i], &t->expire) < 0)
				return -1;
		} else if (strcmp(k, "store") == 0 && has) {
			if (parse_store(c, t, argv[++i]) < 0)
				return -1;
		} else if (strcmp(k, "peers") == 0 || strcmp(k, "nopurge") == 0 ||
			   strcmp(k, "srvkey") == 0 || strcmp(k, "write-to") == 0 ||
			   strcmp(k, "recv-only") == 0) {
			cfg_err(c, "'stick-table': '%s' is not supported by sluice (one process: no peers to share with; a full set purges its oldest entry)",
				k);
			return -1;
		} else {
			cfg_err(c, "'stick-table': unexpected argument '%s' (type, size, expire, store)",
				k);
			return -1;
		}
	}
	if (!typed) {
		cfg_err(c, "'stick-table': 'type' is missing (type ip)");
		return -1;
	}
	if (t->size <= 0) {
		cfg_err(c, "'stick-table': 'size' is %s (size N[k|m|g], above 0)",
			t->size < 0 ? "missing" : "0");
		return -1;
	}
	px->stktable = t;
	return 0;
}

/* `KEY [table NAME]` at argv[i..end): the key must be src. Sets *table. */
static int key_and_table(struct cfg_ctx *c, const char *kw, int i, int end, char **argv,
			 const char **table)
{
	if (i >= end) {
		cfg_err(c, "'%s' expects a key ('src')", kw);
		return -1;
	}
	if (strcmp(argv[i], "src") != 0) {
		cfg_err(c, "'%s': only the key 'src' is supported by sluice, got '%s'", kw, argv[i]);
		return -1;
	}
	*table = NULL;
	i++;
	if (i < end && strcmp(argv[i], "table") == 0) {
		if (i + 1 >= end) {
			cfg_err(c, "'%s': 'table' expects a table name", kw);
			return -1;
		}
		*table = cfg_strdup(c, argv[i + 1]);
		i += 2;
	}
	if (i < end) {
		cfg_err(c, "'%s': unexpected argument '%s'", kw, argv[i]);
		return -1;
	}
	return 0;
}

int cfg_kw_stick(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'stick' expects 'on', 'match' or 'store-request'");
		return -1;
	}
	struct sl_stick_rule *r = cfg_alloc(c, sizeof(*r));
	if (r == NULL)
		return -1;
	r->loc = cfg_loc(c);
	const char *k = argv[1];
	if (strcmp(k, "on") == 0)
		r->kind = SL_STICK_ON;
	else if (strcmp(k, "match") == 0)
		r->kind = SL_STICK_MATCH;
	else if (strcmp(k, "store-request") == 0)
		r->kind = SL_STICK_STORE;
	else if (strcmp(k, "store-response") == 0) {
		cfg_err(c, "'stick store-response' is not supported by sluice (stick on src is)");
		return -1;
	} else {
		cfg_err(c, "'stick': unknown rule '%s' (on, match, store-request)", k);
		return -1;
	}
	int end = argc;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "if") == 0 || strcmp(argv[i], "unless") == 0) {
			cfg_err(c, "'stick %s': conditions ('%s') are not supported by sluice yet", k,
				argv[i]);
			return -1;
		}
	char kw[32];
	snprintf(kw, sizeof(kw), "stick %s", k);
	if (key_and_table(c, kw, 2, end, argv, &r->table) < 0)
		return -1;
	SL_LIST_APPEND(&px->stick_rules, r);
	return 0;
}

int cfg_track_sc(struct cfg_ctx *c, struct sl_hrule *r, const char *kw, int ci, char **argv)
{
	const char *act = argv[1];
	int sc = act[8] - '0';
	if (strncmp(act, "track-sc", 8) != 0 || sc < 0 || sc > 2 || act[9] != '\0') {
		cfg_err(c, "'%s': '%s': sluice tracks sc0, sc1 and sc2", kw, act);
		return -1;
	}
	char k[48];
	snprintf(k, sizeof(k), "%s %s", kw, act);
	r->action = SL_HR_TRACK_SC;
	r->status = sc;
	return key_and_table(c, k, 2, ci, argv, &r->name);
}

int cfg_stick_fetch(struct cfg_ctx *c, const char *word, struct sl_acl *acl)
{
	int sc;
	const char *rest;
	if (strncmp(word, "sc_", 3) == 0) {
		sc = 3; /* from the first argument */
		rest = word + 3;
	} else if (strncmp(word, "sc", 2) == 0 && word[2] >= '0' && word[2] <= '2' &&
		   word[3] == '_') {
		sc = word[2] - '0';
		rest = word + 4;
	} else if (strncmp(word, "src_", 4) == 0) {
		sc = -1;
		rest = word + 4;
	} else {
		return 0;
	}
	const char *paren = strchr(rest, '(');
	size_t nl = paren ? (size_t)(paren - rest) : strlen(rest);
	bool inc = false;
	int d;
	if (nl == 8 && strncmp(rest, "get_gpc0", 8) == 0)
		d = SL_CFG_STK_GPC0;
	else if (nl == 8 && strncmp(rest, "inc_gpc0", 8) == 0) {
		d = SL_CFG_STK_GPC0;
		inc = true;
	} else {
		d = data_find(rest, nl);
		if (d == SL_CFG_STK_SERVER_ID)
			d = -1;
	}
	if (d < 0)
		return 0; /* not one of ours: the caller says "unknown fetch" */
	char args[128] = "";
	if (paren != NULL) {
		size_t l = strlen(paren);
		if (paren[l - 1] != ')' || l - 2 >= sizeof(args)) {
			cfg_err(c, "'acl': '%s': unbalanced parentheses", word);
			return -1;
		}
		memcpy(args, paren + 1, l - 2);
		args[l - 2] = '\0';
	}
	char *table = args;
	if (sc == 3) {
		char *comma = strchr(args, ',');
		if (comma != NULL)
			*comma = '\0';
		if (strlen(args) != 1 || args[0] < '0' || args[0] > '2') {
			cfg_err(c, "'acl': '%s' expects a counter number 0, 1 or 2 first, as in 'sc_%.*s(0)'",
				word, (int)nl, rest);
			return -1;
		}
		sc = args[0] - '0';
		table = comma != NULL ? comma + 1 : args + 1;
	}
	acl->fetch = SL_FETCH_STK;
	acl->stk.sc = sc;
	acl->stk.data = d;
	acl->stk.inc = inc;
	acl->stk.table = table[0] != '\0' ? cfg_strdup(c, table) : NULL;
	return 1;
}

static const struct sl_proxy *table_proxy(const struct sl_cfg *cfg, const char *name)
{
	for (const struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next)
		if (!(p->cap & SL_CAP_DEF) && p->stktable != NULL && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* The table a rule of @px names (@name, or @px's own): reports and returns NULL when none. */
static const struct sl_proxy *need_table(struct cfg_ctx *c, const struct sl_proxy *px,
					 const char *name, const struct sl_cfg_loc *loc,
					 const char *what)
{
	if (name == NULL) {
		if (px->stktable != NULL)
			return px;
		cfg_err_at(c, loc, "'%s' in %s '%s': the proxy has no stick-table (add one, or name one with 'table NAME')",
			   what, px->cap & SL_CAP_FE ? "frontend" : "backend", px->name);
		return NULL;
	}
	const struct sl_proxy *t = table_proxy(c->cfg, name);
	if (t == NULL)
		cfg_err_at(c, loc, "'%s': table '%s' not found (no proxy of that name declares a stick-table)",
			   what, name);
	return t;
}

static void check_acl(struct cfg_ctx *c, const struct sl_proxy *px, struct sl_acl *a)
{
	if (a == NULL || a->fetch != SL_FETCH_STK)
		return;
	if (a->stk.table != NULL || a->stk.sc < 0) {
		const struct sl_proxy *t = need_table(c, px, a->stk.table, &a->loc, "acl");
		if (t != NULL && a->stk.table == NULL)
			a->stk.table = t->name; /* src_*: the proxy's own table, named for the lcores */
	}
}

static void check_cond(struct cfg_ctx *c, const struct sl_proxy *px, const struct sl_cond *cd)
{
	if (cd == NULL)
		return;
	for (const struct sl_cond_and *o = cd->ors; o != NULL; o = o->next)
		for (const struct sl_cond_term *t = o->terms; t != NULL; t = t->next)
			check_acl(c, px, (struct sl_acl *)t->anon);
}

void cfg_stick_check(struct cfg_ctx *c)
{
	for (struct sl_proxy *px = c->cfg->proxies; px != NULL; px = px->next) {
		if (px->cap & SL_CAP_DEF)
			continue;
		for (const struct sl_stick_rule *r = px->stick_rules; r != NULL; r = r->next) {
			if (!(px->cap & SL_CAP_BE)) {
				cfg_err_at(c, &r->loc, "'stick' is a backend keyword (frontend '%s')",
					   px->name);
				continue;
			}
			need_table(c, px, r->table, &r->loc, "stick");
		}
		for (const struct sl_hrule *r = px->req_rules; r != NULL; r = r->next) {
			if (r->action == SL_HR_TRACK_SC)
				need_table(c, px, r->name, &r->loc, "http-request track-sc");
			check_cond(c, px, r->cond);
		}
		for (struct sl_acl *a = px->acls; a != NULL; a = a->next)
			check_acl(c, px, a);
	}
}
