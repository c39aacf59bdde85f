/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access logs' configuration: `log-format` compiled into items (HAProxy 2.6's variables that
 * sluice writes, %[sample] through the expression compiler of cfg_lf.c), HAProxy's own formats
 * for option httplog / httpslog / httplog clf / tcplog, `capture request|response header`, and
 * which format each frontend writes (cfg_alog_check). Parser context only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

/* HAProxy 2.6's formats (src/log.c). */
#define FMT_HTTPLOG                                                                                \
	"%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc "  \
	"%sq/%bq %hr %hs %{+Q}r"
#define FMT_CLF                                                                                    \
	"%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta "   \
	"%tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl"
/* httpslog: the connection and TLS error codes are one field of sluice's own (%[fc_err]... are
 * not fetches sluice has), as HAProxy writes them for a connection without error */
#define FMT_HTTPSLOG FMT_HTTPLOG " %sluiceHttpsErrs %[ssl_fc_sni]/%sslv/%sslc"
#define FMT_TCPLOG "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq"

static const struct {
	const char *name;
	enum sl_alog_var v;
} vars[] = {
	{"ci", SL_AV_CI},	{"cp", SL_AV_CP},	{"fi", SL_AV_FI},	{"fp", SL_AV_FP},
	{"ft", SL_AV_FT},	{"f", SL_AV_F},		{"b", SL_AV_B},		{"s", SL_AV_S},
	{"si", SL_AV_SI},	{"sp", SL_AV_SP},	{"t", SL_AV_T},		{"tr", SL_AV_TR_DATE},
	{"trg", SL_AV_TRG},	{"trl", SL_AV_TRL},	{"T", SL_AV_T_GMT},	{"Tl", SL_AV_T_LOCAL},
	{"Ts", SL_AV_TS_EPOCH}, {"ms", SL_AV_MS},	{"Th", SL_AV_TH},	{"Ti", SL_AV_TI},
	{"TR", SL_AV_TQ_REQ},	{"Tw", SL_AV_TW},	{"Tc", SL_AV_TC},	{"Tr", SL_AV_TR_RSP},
	{"Ta", SL_AV_TA},	{"Tt", SL_AV_TT},	{"Tq", SL_AV_TQ},	{"ST", SL_AV_ST},
	{"B", SL_AV_BYTES},	{"U", SL_AV_UP},	{"ts", SL_AV_TS},	{"tsc", SL_AV_TSC},
	{"ac", SL_AV_AC},	{"fc", SL_AV_FC},	{"bc", SL_AV_BC},	{"sc", SL_AV_SC},
	{"rc", SL_AV_RC},	{"sq", SL_AV_SQ},	{"bq", SL_AV_BQ},	{"hr", SL_AV_HR},
	{"hs", SL_AV_HS},	{"hrl", SL_AV_HRL},	{"hsl", SL_AV_HSL},	{"r", SL_AV_R},
	{"HM", SL_AV_HM},	{"HU", SL_AV_HU},	{"HV", SL_AV_HV},	{"HP", SL_AV_HP},
	{"ID", SL_AV_ID},	{"sslv", SL_AV_SSLV},	{"sslc", SL_AV_SSLC},	{"CC", SL_AV_CC},
	{"CS", SL_AV_CS},	{"pid", SL_AV_PID},	{"H", SL_AV_H},		{"o", SL_AV_O},
	{"sluiceHttpsErrs", SL_AV_HTTPS_ERRS}, /* FMT_HTTPSLOG's only (internal) */
};

/* HAProxy 2.6's other variables: refused with a reason rather than as unknown. */
static const char *const hap_only[] = {"bi", "bp", "rt", "Tu", "HQ", "lc", NULL};

/* Parses %{+Q,-X,...}: returns the flags after @flags, or -1. */
static int parse_flags(struct cfg_ctx *c, const char *kw, const char *p, size_t l, int flags)
{
	while (l > 0) {
		size_t e = 0;
		while (e < l && p[e] != ',')
			e++;
		if (e != 2 || (p[0] != '+' && p[0] != '-') ||
		    (p[1] != 'Q' && p[1] != 'X' && p[1] != 'E')) {
			cfg_err(c, "'%s': unknown log-format flag '%.*s' (+Q, -Q, +X, -X, +E, -E)", kw,
				(int)e, p);
			return -1;
		}
		int f = p[1] == 'Q' ? SL_AF_Q : p[1] == 'X' ? SL_AF_X : SL_AF_E;
		flags = p[0] == '+' ? (flags | f) : (flags & ~f);
		p += e;
		l -= e;
		if (l > 0) {
			p++;
			l--;
		}
	}
	return flags;
}

static const struct sl_alog_fmt *compile(struct cfg_ctx *c, const char *kw, const char *src,
					 bool internal)
{
	size_t sl = strlen(src);
	struct sl_alog_fmt *f = cfg_alloc(c, sizeof(*f));
	struct sl_alog_item *it = cfg_alloc(c, (sl + 1) * sizeof(*it));
	char *text = cfg_alloc(c, sl + 1);
	struct sl_lf **smp = cfg_alloc(c, (sl / 3 + 1) * sizeof(*smp));
	if (f == NULL || it == NULL || text == NULL || smp == NULL)
		return NULL;
	f->src = cfg_strdup(c, src);
	f->it = it;
	f->text = text;
	f->smp = smp;
	size_t tn = 0;
	int oflags = 0; /* %{...}o: flags of every variable after it */
	struct sl_alog_item *cur = NULL; /* the text item being extended */
	for (size_t i = 0; i < sl;) {
		char ch = src[i];
		if (ch == ' ') {
			while (i < sl && src[i] == ' ')
				i++;
			it[f->n++] = (struct sl_alog_item){.var = SL_AV_SEP};
			cur = NULL;
			continue;
		}
		if (ch != '%' || (i + 1 < sl && src[i + 1] == '%')) {
			if (cur == NULL) {
				cur = &it[f->n++];
				*cur = (struct sl_alog_item){.var = SL_AV_TEXT, .off = (uint32_t)tn};
			}
			text[tn++] = ch;
			cur->len++;
			i += ch == '%' ? 2 : 1;
			continue;
		}
		cur = NULL;
		const char *p = src + i + 1;
		int flags = oflags;
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (e == NULL) {
				cfg_err(c, "'%s': missing '}' after '%s'", kw, p);
				return NULL;
			}
			flags = parse_flags(c, kw, p + 1, (size_t)(e - p - 1), oflags);
			if (flags < 0)
				return NULL;
			p = e + 1;
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
			char *expr = cfg_alloc(c, (size_t)(e - p) + 3);
			if (expr == NULL)
				return NULL;
			snprintf(expr, (size_t)(e - p) + 3, "%%%.*s", (int)(e - p + 1), p);
			struct sl_lf *lf = cfg_lf(c, kw, expr, CFG_LF_LOG);
			if (lf == NULL)
				return NULL;
			it[f->n++] = (struct sl_alog_item){.var = SL_AV_SAMPLE, .flags = (uint8_t)flags,
							   .off = f->nsmp};
			smp[f->nsmp++] = lf;
			i = (size_t)(e + 1 - src);
			continue;
		}
		size_t vl = 0;
		while ((p[vl] >= 'a' && p[vl] <= 'z') || (p[vl] >= 'A' && p[vl] <= 'Z'))
			vl++;
		if (vl == 0) {
			cfg_err(c, "'%s': '%%' must be followed by a variable name, '{', '[' or '%%' in '%s'",
				kw, src);
			return NULL;
		}
		size_t k;
		for (k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
			if (strlen(vars[k].name) == vl && memcmp(vars[k].name, p, vl) == 0)
				break;
		if (k == sizeof(vars) / sizeof(vars[0]) ||
		    (vars[k].v == SL_AV_HTTPS_ERRS && !internal)) {
			bool hap = false;
			for (int h = 0; hap_only[h] != NULL; h++)
				hap |= strlen(hap_only[h]) == vl && memcmp(hap_only[h], p, vl) == 0;
			cfg_err(c, hap ? "'%s': log-format variable '%%%.*s' is not supported by sluice" :
					 "'%s': no such log-format variable '%%%.*s'",
				kw, (int)vl, p);
			return NULL;
		}
		if (vars[k].v == SL_AV_O)
			oflags = flags;
		else
			it[f->n++] = (struct sl_alog_item){.var = (uint8_t)vars[k].v,
							   .flags = (uint8_t)flags};
		i = (size_t)(p + vl - src);
	}
	return f;
}

const struct sl_alog_fmt *cfg_alog_compile(struct cfg_ctx *c, const char *kw, const char *src)
{
	return compile(c, kw, src, false);
}

/* log-format STRING */
int cfg_kw_log_format(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc != 2) {
		cfg_err(c, "'log-format' expects one argument (quote a format with spaces)");
		return -1;
	}
	const struct sl_alog_fmt *f = cfg_alog_compile(c, "log-format", argv[1]);
	if (f == NULL)
		return -1;
	px->log_fmt = f;
	return 0;
}

/* capture request header NAME len N | capture response header NAME len N | capture cookie */
int cfg_kw_capture(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "cookie") == 0) {
		cfg_warn(c, "'capture cookie' has no effect: sluice writes '-' for %%CC and %%CS");
		return 0;
	}
	bool req = argc >= 2 && strcmp(argv[1], "request") == 0;
	if (argc != 6 || (!req && strcmp(argv[1], "response") != 0) ||
	    strcmp(argv[2], "header") != 0 || strcmp(argv[4], "len") != 0) {
		cfg_err(c, "'capture' expects 'request header NAME len N', 'response header NAME len N' or 'cookie NAME len N'");
		return -1;
	}
	int len;
	if (cfg_int(c, "capture", argv[5], 1, 1024, &len) < 0)
		return -1;
	int *n = req ? &px->ncap_req : &px->ncap_rsp;
	if (*n == SL_CAPTURES) {
		cfg_err(c, "'capture': at most %d %s headers are captured by sluice", SL_CAPTURES,
			argv[1]);
		return -1;
	}
	struct sl_capture *cap = req ? &px->cap_req[*n] : &px->cap_rsp[*n];
	cap->name = cfg_strdup(c, argv[3]);
	cap->len = len;
	(*n)++;
	return 0;
}

/* Whether @px's access log lines go anywhere: its own `log` lines or the global ones. */
static bool has_targets(const struct sl_cfg *cfg, const struct sl_proxy *px)
{
	return px->log_targets != NULL || (px->log_global && cfg->global.log_targets != NULL);
}

void cfg_alog_check(struct cfg_ctx *c)
{
	struct sl_cfg *cfg = c->cfg;
	const struct sl_alog_fmt *std[5] = {NULL};
	for (struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		px->alog = NULL;
		if (!(px->cap & SL_CAP_FE) || !has_targets(cfg, px))
			continue;
		bool http = px->mode == SL_MODE_HTTP;
		if (px->log_fmt == NULL && px->log_format == SL_LOG_NONE)
			continue;
		if (!http) {
			cfg_warn_at(c, &px->loc,
				    "frontend '%s': no access log: sluice writes access logs for mode http frontends only (not yet for mode tcp, proxied or forwarded by its workers)",
				    px->name);
			continue;
		}
		if (px->log_fmt != NULL) {
			px->alog = px->log_fmt;
			continue;
		}
		enum sl_log_format lf = px->log_format;
		if (std[lf] == NULL)
			std[lf] = compile(c, "log-format",
					  lf == SL_LOG_TCP	? FMT_TCPLOG :
					  lf == SL_LOG_HTTP_CLF ? FMT_CLF :
					  lf == SL_LOG_HTTPS	? FMT_HTTPSLOG :
								  FMT_HTTPLOG,
					  true);
		px->alog = std[lf];
	}
}
