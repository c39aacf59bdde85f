/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The http-request / http-response actions beyond headers, deny and redirect (HAProxy 2.6's
 * syntax): return, set-path, set-query, set-uri, set-method, replace-header, replace-value,
 * replace-path, replace-uri, set-status. Called by kw_http_rule() (cfg_kw.c) with the action
 * at argv[1] and the rule's condition starting at argv[ci].
 */
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

/* Fields HAProxy refuses in `http-request return ... hdr`: it sets them itself. */
static bool reply_owned(const char *n)
{
	return strcasecmp(n, "content-length") == 0 || strcasecmp(n, "content-type") == 0 ||
	       strcasecmp(n, "transfer-encoding") == 0 || strcasecmp(n, "connection") == 0;
}

/* return [status N] [content-type T] [string S|lf-string S|file F|lf-file F|errorfile F]
 * [hdr NAME VALUE]* */
static int parse_return(struct cfg_ctx *c, const char *kw, struct sl_hrule *r, int ci, char **argv)
{
	r->action = SL_HR_RETURN;
	r->status = 200;
	bool body = false;
	for (int i = 2; i < ci; i += 2) { /* a word and its value (hdr: one more, below) */
		const char *k = argv[i];
		bool two = strcmp(k, "hdr") == 0;
		if (i + 1 >= ci || (two && i + 2 >= ci)) {
			cfg_err(c, "'%s return': '%s' expects %s", kw, k, two ? "a name and a value" : "a value");
			return -1;
		}
		const char *v = argv[i + 1];
		if (strcmp(k, "status") == 0) {
			if (cfg_int(c, "status", v, 200, 599, &r->status) < 0)
				return -1;
		} else if (strcmp(k, "content-type") == 0) {
			r->ctype = cfg_strdup(c, v);
		} else if (strcmp(k, "hdr") == 0) {
			if (reply_owned(v)) {
				cfg_err(c, "'%s return': header '%s' is set by the reply itself", kw, v);
				return -1;
			}
			struct sl_hrule_hdr *h = cfg_alloc(c, sizeof(*h));
			if (h == NULL)
				return -1;
			h->name = cfg_strdup(c, v);
			h->value = cfg_lf(c, "http-request return hdr", argv[i + 2], 0);
			if (h->value == NULL)
				return -1;
			SL_LIST_APPEND(&r->hdrs, h);
			i++;
		} else if (strcmp(k, "string") == 0 || strcmp(k, "lf-string") == 0 ||
			   strcmp(k, "file") == 0 || strcmp(k, "lf-file") == 0 ||
			   strcmp(k, "errorfile") == 0) {
			if (body) {
				cfg_err(c, "'%s return': only one of string, lf-string, file, lf-file, errorfile",
					kw);
				return -1;
			}
			body = true;
			const char *data = cfg_strdup(c, v);
			size_t len = strlen(v);
			if (strcmp(k, "file") == 0 || strcmp(k, "lf-file") == 0 ||
			    strcmp(k, "errorfile") == 0) {
				if (cfg_read_file(c, v, &data, &len) < 0) {
					cfg_err(c, "'%s return': cannot read %s '%s'", kw, k, v);
					return -1;
				}
			}
			if (strncmp(k, "lf-", 3) == 0) {
				char *z = cfg_alloc(c, len + 1);
				if (z == NULL)
					return -1;
				memcpy(z, data, len);
				r->body_lf = cfg_lf(c, "http-request return", z, 0);
				if (r->body_lf == NULL)
					return -1;
			} else {
				r->body = data;
				r->body_len = len;
				r->raw_reply = k[0] == 'e';
			}
		} else if (strcmp(k, "default-errorfiles") == 0) {
			cfg_err(c, "'%s return': 'default-errorfiles' is not supported by sluice; use 'errorfile FILE'",
				kw);
			return -1;
		} else {
			cfg_err(c, "'%s return': unknown argument '%s' (status, content-type, string, lf-string, file, lf-file, errorfile, hdr)",
				kw, k);
			return -1;
		}
	}
	if (r->raw_reply && (r->ctype != NULL || r->hdrs != NULL)) {
		cfg_err(c, "'%s return': 'errorfile' is a whole response: no content-type nor hdr", kw);
		return -1;
	}
	if (body && !r->raw_reply && r->ctype == NULL) {
		cfg_err(c, "'%s return': a body needs a 'content-type'", kw);
		return -1;
	}
	if (!body && r->ctype != NULL) {
		cfg_err(c, "'%s return': 'content-type' without a body", kw);
		return -1;
	}
	return 0;
}

int cfg_http_action(struct cfg_ctx *c, bool req, int ci, char **argv, struct sl_hrule *r)
{
	const char *kw = argv[0], *act = argv[1];
	unsigned fl = req ? 0 : CFG_LF_RSP;
	static const struct {
		const char *name;
		enum sl_hrule_action a;
		int nargs; /* after the action */
		bool regex, hdr, req_only, rsp_only;
	} acts[] = {
		{"return", SL_HR_RETURN, -1, false, false, true, false},
		{"set-path", SL_HR_SET_PATH, 1, false, false, true, false},
		{"set-query", SL_HR_SET_QUERY, 1, false, false, true, false},
		{"set-uri", SL_HR_SET_URI, 1, false, false, true, false},
		{"set-method", SL_HR_SET_METHOD, 1, false, false, true, false},
		{"replace-path", SL_HR_REPLACE_PATH, 2, true, false, true, false},
		{"replace-uri", SL_HR_REPLACE_URI, 2, true, false, true, false},
		{"replace-header", SL_HR_REPLACE_HEADER, 3, true, true, false, false},
		{"replace-value", SL_HR_REPLACE_VALUE, 3, true, true, false, false},
		{"set-status", SL_HR_SET_STATUS, -1, false, false, false, true},
		{"auth", SL_HR_AUTH, -1, false, false, true, false},
	};
	size_t i;
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(acts[i].name, act) == 0)
			break;
	if (i == sizeof(acts) / sizeof(acts[0]) || (acts[i].req_only && !req) ||
	    (acts[i].rsp_only && req))
		return 1; /* not ours */
	char what[64];
	snprintf(what, sizeof(what), "%s %s", kw, act);
	r->action = acts[i].a;
	if (r->action == SL_HR_RETURN)
		return parse_return(c, kw, r, ci, argv);
	if (r->action == SL_HR_AUTH) {
		r->px_name = c->px != NULL && c->px->name != NULL ? c->px->name : "";
		if (ci == 4 && strcmp(argv[2], "realm") == 0) {
			r->reason = cfg_strdup(c, argv[3]);
		} else if (ci != 2) {
			cfg_err(c, "'%s': unexpected argument '%s' (only 'realm REALM')", what, argv[2]);
			return -1;
		}
		return 0;
	}
	if (r->action == SL_HR_SET_STATUS) {
		if (ci < 3 || cfg_int(c, what, argv[2], 100, 999, &r->status) < 0) {
			if (ci < 3)
				cfg_err(c, "'%s' expects a status code", what);
			return -1;
		}
		if (ci == 5 && strcmp(argv[3], "reason") == 0) {
			r->reason = cfg_strdup(c, argv[4]);
		} else if (ci != 3) {
			cfg_err(c, "'%s': unexpected argument '%s' (only 'reason TEXT')", what, argv[3]);
			return -1;
		}
		return 0;
	}
	int n = acts[i].nargs;
	if (ci != 2 + n) {
		cfg_err(c, "'%s' expects %d argument%s (quote values with spaces)", what, n,
			n > 1 ? "s" : "");
		return -1;
	}
	int a = 2;
	if (acts[i].hdr)
		r->name = cfg_strdup(c, argv[a++]);
	if (acts[i].regex) {
		r->re_src = cfg_strdup(c, argv[a]);
		r->re = cfg_regex(c, what, argv[a++], false);
		if (r->re == NULL)
			return -1;
		fl |= CFG_LF_BACKREF;
	}
	r->value = cfg_strdup(c, argv[a]);
	r->lf = cfg_lf(c, what, argv[a], fl);
	return r->lf != NULL ? 0 : -1;
}
