/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration parser's engine: files into lines, lines into words (cfg_lex.c), words into
 * sections and keywords. `global` and `dataplane` keywords live here; proxy keywords in cfg_kw.c.
 * Errors never stop the parse, so an operator sees all of them at once (as `haproxy -c` does).
 */
#include "controlplane/cfg/cfg_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static const char *real_getenv(const char *name)
{
	return getenv(name);
}

/* ------------------------------------------------------------------ diagnostics */

void sl_cfg_diag_prefix(char *buf, size_t n, enum sl_cfg_diag_level level, const char *file,
			int line)
{
	const char *tag = level == SL_DIAG_ERROR ? "" : level == SL_DIAG_WARNING ? "warning: " : "notice: ";
	if (file != NULL && line > 0)
		snprintf(buf, n, "%s:%d: %s", file, line, tag);
	else if (file != NULL)
		snprintf(buf, n, "%s: %s", file, tag);
	else
		snprintf(buf, n, "%s", tag);
}

static void default_diag(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
			 const char *msg)
{
	char pre[4200];
	sl_cfg_diag_prefix(pre, sizeof(pre), level, file, line);
	fprintf(stderr, "%s%s\n", pre, msg);
}

static void vdiag(struct cfg_ctx *c, enum sl_cfg_diag_level lvl, const char *file, int line,
		  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void vdiag(struct cfg_ctx *c, enum sl_cfg_diag_level lvl, const char *file, int line,
		  const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (lvl == SL_DIAG_ERROR)
		c->cfg->nerrors++;
	else if (lvl == SL_DIAG_WARNING)
		c->cfg->nwarnings++;
	sl_cfg_diag_fn fn = c->opts->diag_fn != NULL ? c->opts->diag_fn : default_diag;
	fn(c->opts->diag_arg, lvl, file, line, msg);
}

void cfg_err(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, SL_DIAG_ERROR, c->file, c->line, fmt, ap);
	va_end(ap);
}

void cfg_warn(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, SL_DIAG_WARNING, c->file, c->line, fmt, ap);
	va_end(ap);
}

void cfg_err_at(struct cfg_ctx *c, const struct sl_cfg_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, SL_DIAG_ERROR, loc->file, loc->line, fmt, ap);
	va_end(ap);
}

void cfg_warn_at(struct cfg_ctx *c, const struct sl_cfg_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, SL_DIAG_WARNING, loc->file, loc->line, fmt, ap);
	va_end(ap);
}

void cfg_notice_at(struct cfg_ctx *c, const struct sl_cfg_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, SL_DIAG_NOTICE, loc->file, loc->line, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ arena helpers */

void *cfg_alloc(struct cfg_ctx *c, size_t size)
{
	void *p = sl_arena_alloc(c->a, size);
	if (p == NULL) {
		c->oom = true;
		/* Keep going on a static dummy so callers need no NULL checks; the parse fails. */
		static _Thread_local union {
			max_align_t align;
			unsigned char b[4096];
		} dummy;
		if (size > sizeof(dummy))
			abort();
		memset(&dummy, 0, size);
		return &dummy;
	}
	return p;
}

const char *cfg_strdup(struct cfg_ctx *c, const char *s)
{
	char *p = sl_arena_strdup(c->a, s);
	if (p == NULL) {
		c->oom = true;
		return "";
	}
	return p;
}

struct sl_cfg_loc cfg_loc(const struct cfg_ctx *c)
{
	return (struct sl_cfg_loc){.file = c->file, .line = c->line};
}

void cfg_str_append(struct cfg_ctx *c, struct sl_cfg_str **head, const char *s)
{
	struct sl_cfg_str *n = cfg_alloc(c, sizeof(*n));
	if (c->oom)
		return;
	n->s = cfg_strdup(c, s);
	SL_LIST_APPEND(head, n);
}

const char *cfg_join(struct cfg_ctx *c, int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *p = cfg_alloc(c, len);
	if (c->oom)
		return "";
	p[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(p, " ");
		strcat(p, argv[i]);
	}
	return p;
}

/* ------------------------------------------------------------------ value parsers */

int cfg_int(struct cfg_ctx *c, const char *kw, const char *s, long min, long max, int *out)
{
	char *end;
	if (s == NULL) {
		cfg_err(c, "'%s' expects an integer argument", kw);
		return -1;
	}
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || (*s != '-' && (*s < '0' || *s > '9'))) {
		cfg_err(c, "'%s': '%s' is not an integer", kw, s);
		return -1;
	}
	if (v < min || v > max) {
		cfg_err(c, "'%s': '%s' is out of range (%ld to %ld)", kw, s, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int sl_cfg_parse_time(const char *s, int *ms)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	unsigned long long v = 0;
	const char *p = s;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > (unsigned long long)INT_MAX * 1000)
			return -ERANGE;
		p++;
	}
	unsigned long long mul_us;
	if (*p == '\0' || strcmp(p, "ms") == 0)
		mul_us = 1000;
	else if (strcmp(p, "us") == 0)
		mul_us = 1;
	else if (strcmp(p, "s") == 0)
		mul_us = 1000ULL * 1000;
	else if (strcmp(p, "m") == 0)
		mul_us = 60ULL * 1000 * 1000;
	else if (strcmp(p, "h") == 0)
		mul_us = 3600ULL * 1000 * 1000;
	else if (strcmp(p, "d") == 0)
		mul_us = 86400ULL * 1000 * 1000;
	else
		return -EINVAL;
	unsigned long long us = v * mul_us;
	if (mul_us != 0 && us / mul_us != v)
		return -ERANGE;
	unsigned long long m = (us + 999) / 1000; /* round microseconds up */
	if (m > INT_MAX)
		return -ERANGE;
	*ms = (int)m;
	return 0;
}

int cfg_time(struct cfg_ctx *c, const char *kw, const char *s, int *ms)
{
	if (s == NULL) {
		cfg_err(c, "'%s' expects a time argument (e.g. 5000, 5s, 2h)", kw);
		return -1;
	}
	int r = sl_cfg_parse_time(s, ms);
	if (r == -ERANGE) {
		cfg_err(c, "'%s': time '%s' is too large (more than 24 days)", kw, s);
		return -1;
	}
	if (r < 0) {
		cfg_err(c, "'%s': invalid time '%s' (a number with an optional unit us, ms, s, m, h or d)",
			kw, s);
		return -1;
	}
	return 0;
}

int cfg_net(struct cfg_ctx *c, const char *kw, const char *s, bool plen_ok, struct sl_cfg_net *n)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(buf) || (slash != NULL && !plen_ok))
		goto bad;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(n, 0, sizeof(*n));
	struct in_addr a4;
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		n->family = AF_INET;
		n->v4 = ntohl(a4.s_addr);
		n->plen = 32;
	} else if (inet_pton(AF_INET6, buf, n->v6) == 1) {
		n->family = AF_INET6;
		n->plen = 128;
	} else {
		goto bad;
	}
	if (slash != NULL) {
		int max = n->family == AF_INET ? 32 : 128;
		char *end;
		errno = 0;
		long p = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' && n->family == AF_INET) {
			goto bad;
		} else if (*end == '\0' && errno == 0 && p >= 0 && p <= max && slash[1] >= '0' &&
			   slash[1] <= '9') {
			n->plen = (uint8_t)p;
		} else if (n->family == AF_INET && inet_pton(AF_INET, slash + 1, &a4) == 1) {
			/* dotted mask, contiguous only */
			uint32_t m = ntohl(a4.s_addr);
			if (m != 0 && (~m & (~m + 1)) != 0)
				goto bad;
			n->plen = (uint8_t)__builtin_popcount(m);
		} else {
			goto bad;
		}
		if (n->family == AF_INET && n->plen < 32)
			n->v4 &= n->plen == 0 ? 0 : ~0u << (32 - n->plen);
	}
	return 0;
bad:
	cfg_err(c, "'%s': invalid address '%s'%s", kw, s,
		plen_ok ? " (IPv4 or IPv6 address, optionally /prefix)" :
			  " (an IPv4 or IPv6 address; only server lines take host names)");
	return -1;
}

/* Parses "N" or "N-M" as a port range into lo/hi. Returns 0 or -1 (reported). */
static int port_range(struct cfg_ctx *c, const char *kw, const char *s, bool range_ok,
		      uint16_t *lo, uint16_t *hi)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	long a = strtol(s, &end, 10), b = a;
	if (errno != 0)
		goto bad;
	if (*end == '-' && range_ok) {
		const char *t = end + 1;
		if (*t < '0' || *t > '9')
			goto bad;
		b = strtol(t, &end, 10);
		if (errno != 0)
			goto bad;
	}
	if (*end != '\0')
		goto bad;
	if (a < 1 || a > 65535 || b < 1 || b > 65535) {
		cfg_err(c, "'%s': invalid port '%s' (1 to 65535)", kw, s);
		return -1;
	}
	if (b < a) {
		cfg_err(c, "'%s': invalid port range '%s' (end before start)", kw, s);
		return -1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	cfg_err(c, "'%s': invalid port '%s'", kw, s);
	return -1;
}

/* Splits "ADDR:PORT" at the last colon, handling "[v6]:port". @host gets the address part. */
static const char *split_host_port(const char *s, char *host, size_t hostlen)
{
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t hl = colon != NULL ? (size_t)(colon - s) : strlen(s);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= hostlen)
		hl = hostlen - 1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	return colon != NULL ? colon + 1 : NULL;
}

int cfg_bind_addr(struct cfg_ctx *c, const char *s, struct sl_bind *b)
{
	char host[128];
	if (strncmp(s, "ipv4@", 5) == 0)
		s += 5;
	else if (strncmp(s, "ipv6@", 5) == 0)
		s += 5;
	else if (strchr(s, '@') != NULL) {
		cfg_err(c, "'bind': address family in '%s' is not supported (IPv4/IPv6 only)", s);
		return -1;
	}
	const char *port = split_host_port(s, host, sizeof(host));
	if (port == NULL || *port == '\0') {
		cfg_err(c, "'bind': missing port in '%s' (expected ADDR:PORT, *:PORT or :PORT)", s);
		return -1;
	}
	if (host[0] == '\0' || strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0) {
		b->any = true;
		b->addr.family = AF_INET;
	} else if (strcmp(host, "::") == 0) {
		b->any = true;
		b->addr.family = AF_INET6;
	} else if (cfg_net(c, "bind", host, false, &b->addr) < 0) {
		return -1;
	}
	return port_range(c, "bind", port, true, &b->port_lo, &b->port_hi);
}

bool cfg_host_name(const char *s)
{
	/* RFC 1123 labels (letters, digits, '-', and '_' as found in service names), not all
	 * digits and dots (an address that did not parse), no empty label */
	size_t label = 0;
	bool alpha = false;
	if (*s == '\0' || strlen(s) > 253)
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		bool letter = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-' ||
			      *p == '_';
		if (!letter && !(*p >= '0' && *p <= '9'))
			return false;
		alpha |= letter;
		if (++label > 63)
			return false;
	}
	return alpha && s[0] != '-';
}

int cfg_server_addr(struct cfg_ctx *c, const char *s, struct sl_server *srv)
{
	char host[128];
	struct in6_addr tmp;
	const char *port;
	/* A bare IPv6 address has colons but no port. */
	if (s[0] != '[' && inet_pton(AF_INET6, s, &tmp) == 1) {
		snprintf(host, sizeof(host), "%s", s);
		port = NULL;
	} else {
		port = split_host_port(s, host, sizeof(host));
	}
	if (host[0] == '\0') {
		cfg_err(c, "'server': missing address in '%s'", s);
		return -1;
	}
	if (cfg_host_name(host)) {
		/* resolved after the parse, on main (sl_cfg_resolve(), init-addr) */
		srv->host = cfg_strdup(c, host);
		memset(&srv->addr, 0, sizeof(srv->addr));
	} else if (cfg_net(c, "server", host, false, &srv->addr) < 0) {
		return -1;
	}
	if (port == NULL || *port == '\0') {
		srv->port = 0;
		return 0;
	}
	if (*port == '+' || *port == '-') {
		cfg_err(c, "'server': port offsets ('%s') are not supported", s);
		return -1;
	}
	uint16_t lo, hi;
	if (port_range(c, "server", port, false, &lo, &hi) < 0)
		return -1;
	srv->port = lo;
	return 0;
}

static void regex_free(void *re)
{
	pcre2_code_free(re);
}

void *cfg_regex(struct cfg_ctx *c, const char *kw, const char *pat, bool icase)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
				       icase ? PCRE2_CASELESS : 0, &err, &off, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		cfg_err(c, "'%s': invalid regex '%s': %s at offset %zu", kw, pat, (char *)msg,
			(size_t)off);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional speed-up; failure is harmless */
	if (sl_arena_defer(c->a, regex_free, re) < 0) {
		c->oom = true;
		return NULL;
	}
	return re;
}

/* ------------------------------------------------------------------ did you mean */

static size_t lev(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			size_t del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			prev = cur;
		}
	}
	return row[lb];
}

const char *cfg_did_you_mean(const char *word, const void *names, size_t stride)
{
	const char *best = NULL;
	size_t bestd = 99;
	size_t wl = strlen(word);
	for (const unsigned char *p = names;; p += stride) {
		const char *n = *(const char *const *)p;
		if (n == NULL)
			break;
		size_t d = lev(word, n);
		if (d < bestd) {
			bestd = d;
			best = n;
		}
	}
	/* Close enough: at most a third of the word's letters wrong, and never more than 3. */
	if (best != NULL && bestd <= 3 && bestd * 3 <= wl + 1)
		return best;
	return NULL;
}

/* ------------------------------------------------------------------ global section */

struct global_kw {
	const char *name;
	int (*fn)(struct cfg_ctx *c, int argc, char **argv);
};

static int g_ignored(struct cfg_ctx *c, int argc, char **argv)
{
	/* what sluice does instead, where it says more than "no effect" */
	static const struct {
		const char *kw, *why;
	} why[] = {
		{"nbproc", "sluice runs one process; its lcores are the dataplane's 'cores'"},
		{"cpu-map", "the dataplane's 'cores' places sluice's lcores on CPUs"},
		{"master-worker", "sluiced is one process and reloads in place"},
		{"hard-stop-after", "sluiced reloads in place: no old process is left to stop"},
		{"tune.ssl.cachesize", "sluice resumes TLS sessions with tickets only, without a "
				       "session cache"},
		{"tune.ssl.lifetime", "sluice resumes TLS sessions with tickets only, without a "
				      "session cache"},
		{"quiet", "sluiced prints its warnings unless started with -q"},
		{"server-state-file", "sluiced reloads in its own process, which keeps the servers' "
				      "states ('load-server-state-from-file' reads them there)"},
	};
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strcmp(why[i].kw, argv[0]) == 0) {
			cfg_warn(c, "'%s' has no effect: %s", argv[0], why[i].why);
			return 0;
		}
	cfg_warn(c, "'%s' is accepted for compatibility and has no effect in sluice", argv[0]);
	return 0;
}

/*
 * Keywords that tune a process HAProxy's way and have no counterpart in sluice: accepted (HAProxy
 * 2.6 accepts them) with a warning that says what sluice does instead.
 */
static int g_tuning(struct cfg_ctx *c, int argc, char **argv)
{
	const char *k = argv[0];
	if (strcmp(k, "ulimit-n") == 0 || strcmp(k, "strict-limits") == 0 ||
	    strcmp(k, "fd-hard-limit") == 0) {
		cfg_warn(c, "'%s' has no effect in sluice: its connections are not file descriptors; "
			    "they are bounded by 'maxconn' and the dataplane 'memory'",
			 k);
		return 0;
	}
	if (strcmp(k, "default-path") == 0) {
		if (argc < 2 || (strcmp(argv[1], "current") != 0 && strcmp(argv[1], "config") != 0 &&
				 strcmp(argv[1], "parent") != 0 && strcmp(argv[1], "origin") != 0) ||
		    (strcmp(argv[1], "origin") == 0) != (argc == 3) ||
		    (strcmp(argv[1], "origin") != 0 && argc != 2)) {
			cfg_err(c, "'default-path' expects 'current', 'config', 'parent' or 'origin PATH'");
			return -1;
		}
		if (strcmp(argv[1], "current") != 0) /* 'current' is what sluice does */
			cfg_warn(c, "'default-path %s' is not applied: sluice resolves relative paths "
				    "from its working directory ('default-path current'); give absolute "
				    "paths",
				 argv[1]);
		return 0;
	}
	/* busy-polling, the rest of HAProxy's thread and poller tuning */
	cfg_warn(c, "'%s' has no effect in sluice: its workers poll their ports on the cores of the "
		    "dataplane section ('cores', 'idle')",
		 k);
	return 0;
}

/* `zero-warning`: any warning makes the configuration invalid (checked once it is all read). */
static int g_zero_warning(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc != 1) {
		cfg_err(c, "'zero-warning' takes no argument");
		return -1;
	}
	c->cfg->global.zero_warning = cfg_loc(c);
	return 0;
}

/* What sluice cannot do at all: one line saying so and what to use instead. */
static int g_refused(struct cfg_ctx *c, int argc, char **argv)
{
	cfg_err(c, "'%s': sluice runs no Lua (no Lua actions, services, fetches or converters); "
		   "route with ACLs and use_backend instead: an ACME HTTP-01 challenge goes to a "
		   "backend with 'use_backend acme if { path_beg /.well-known/acme-challenge/ }'",
		argv[0]);
	return -1;
}

static int g_log(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc < 2) {
		cfg_err(c, "'log' expects an address and a facility, or 'global'");
		return -1;
	}
	cfg_log_keep_text(c, argc, argv, &c->cfg->global.logs);
	return cfg_log_target(c, argc, argv, &c->cfg->global.log_targets);
}

static int g_log_tag(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc != 2) {
		cfg_err(c, "'log-tag' expects one word");
		return -1;
	}
	c->cfg->global.log_tag = cfg_strdup(c, argv[1]);
	return 0;
}

static int g_log_send_hostname(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc > 2) {
		cfg_err(c, "'log-send-hostname' expects at most one host name");
		return -1;
	}
	c->cfg->global.log_send_hostname = true;
	c->cfg->global.log_hostname = argc == 2 ? cfg_strdup(c, argv[1]) : NULL;
	return 0;
}

static int g_maxconn(struct cfg_ctx *c, int argc, char **argv)
{
	return cfg_int(c, "maxconn", argv[1], 1, 100000000, &c->cfg->global.maxconn);
}

static int one_arg(struct cfg_ctx *c, int argc, char **argv, const char **dst)
{
	if (argc != 2) {
		cfg_err(c, "'%s' expects exactly one argument", argv[0]);
		return -1;
	}
	*dst = cfg_strdup(c, argv[1]);
	return 0;
}

/* `user`, `group`, `uid`, `gid`: sluiced keeps the identity it was started with. */
static int g_identity(struct cfg_ctx *c, int argc, char **argv)
{
	const char **dst = strcmp(argv[0], "user") == 0	 ? &c->cfg->global.user :
			   strcmp(argv[0], "group") == 0 ? &c->cfg->global.group :
							   NULL;
	if (dst != NULL && one_arg(c, argc, argv, dst) < 0)
		return -1;
	cfg_warn(c, "'%s' has no effect: sluiced keeps running as root (DPDK and AF_XDP need "
		    "CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_IPC_LOCK)",
		 argv[0]);
	return 0;
}

static int g_chroot(struct cfg_ctx *c, int argc, char **argv)
{
	if (one_arg(c, argc, argv, &c->cfg->global.chroot) < 0)
		return -1;
	cfg_warn(c, "'chroot' has no effect: sluiced does not change its root directory (it reads "
		    "its configuration files again at each reload)");
	return 0;
}

static int g_pidfile(struct cfg_ctx *c, int argc, char **argv)
{
	return one_arg(c, argc, argv, &c->cfg->global.pidfile);
}

static int g_ca_base(struct cfg_ctx *c, int argc, char **argv)
{
	return one_arg(c, argc, argv, &c->cfg->global.ca_base); /* server ca-file: srvtls.c */
}

static int g_crt_base(struct cfg_ctx *c, int argc, char **argv)
{
	return one_arg(c, argc, argv, &c->cfg->global.crt_base);
}

static int g_ciphers(struct cfg_ctx *c, int argc, char **argv)
{
	return one_arg(c, argc, argv, &c->cfg->global.ssl_bind_ciphers);
}

static int g_ciphersuites(struct cfg_ctx *c, int argc, char **argv)
{
	return one_arg(c, argc, argv, &c->cfg->global.ssl_bind_ciphersuites);
}

static const char *const ssl_bind_opts[] = {
	"no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "no-tls-tickets",
	"force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13",
	"ssl-min-ver", "ssl-max-ver", "prefer-client-ciphers", "strict-sni", NULL,
};

static int g_ssl_options(struct cfg_ctx *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		bool known = false;
		for (const char *const *o = ssl_bind_opts; *o != NULL; o++)
			known |= strcmp(*o, argv[i]) == 0;
		if (!known) {
			cfg_err(c, "'%s': unknown option '%s'", argv[0], argv[i]);
			return -1;
		}
		if (strcmp(argv[i], "ssl-min-ver") == 0 || strcmp(argv[i], "ssl-max-ver") == 0) {
			if (i + 1 >= argc || (strcmp(argv[i + 1], "SSLv3") != 0 &&
					      strncmp(argv[i + 1], "TLSv1.", 6) != 0)) {
				cfg_err(c, "'%s': '%s' expects SSLv3, TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3",
					argv[0], argv[i]);
				return -1;
			}
			cfg_str_append(c, &c->cfg->global.ssl_bind_options,
				       cfg_join(c, 2, argv + i));
			i++;
			continue;
		}
		if (strcmp(argv[i], "force-sslv3") == 0)
			cfg_warn(c, "'%s': 'force-sslv3' has no effect: sluice offers TLS 1.0 to 1.3, "
				    "never SSLv3",
				 argv[0]);
		else if (strcmp(argv[i], "strict-sni") == 0)
			cfg_warn(c, "'%s': 'strict-sni' has no effect: a client whose SNI names no "
				    "certificate gets the bind's first one",
				 argv[0]);
		cfg_str_append(c, &c->cfg->global.ssl_bind_options, argv[i]);
	}
	return 0;
}

static int g_daemon(struct cfg_ctx *c, int argc, char **argv)
{
	c->cfg->global.daemon = true;
	cfg_warn(c, "'daemon' has no effect: sluiced stays in the foreground; run it as a service "
		    "(its systemd unit, sluiced.service)");
	return 0;
}

static int g_nbthread(struct cfg_ctx *c, int argc, char **argv)
{
	if (cfg_int(c, "nbthread", argv[1], 1, 4096, &c->cfg->global.nbthread) < 0)
		return -1;
	cfg_warn(c, "'nbthread' is mapped to the dataplane's 'cores' list; sluice runs one loop per core");
	return 0;
}

static int g_bufsize(struct cfg_ctx *c, int argc, char **argv)
{
	return cfg_int(c, "tune.bufsize", argv[1], 1024, 1 << 20, &c->cfg->global.bufsize);
}

static int g_maxrewrite(struct cfg_ctx *c, int argc, char **argv)
{
	if (cfg_int(c, "tune.maxrewrite", argv[1], 0, 1 << 19, &c->cfg->global.maxrewrite) < 0)
		return -1;
	cfg_warn(c, "'tune.maxrewrite' has no effect: sluice reserves no room in its buffers for "
		    "rewrites; a rewritten head is built in a buffer of its own (64 kB)");
	return 0;
}

static int g_dhparam(struct cfg_ctx *c, int argc, char **argv)
{
	if (cfg_int(c, "tune.ssl.default-dh-param", argv[1], 1024, 16384,
		    &c->cfg->global.dh_param) < 0)
		return -1;
	cfg_warn(c, "'tune.ssl.default-dh-param' has no effect: sluice lets OpenSSL size the DHE "
		    "group to the certificate's key (ffdhe2048 for RSA-2048)");
	return 0;
}

static int g_spread(struct cfg_ctx *c, int argc, char **argv)
{
	return cfg_int(c, "spread-checks", argv[1], 0, 50, &c->cfg->global.spread_checks);
}

static int g_stats(struct cfg_ctx *c, int argc, char **argv)
{
	struct sl_global *g = &c->cfg->global;
	if (argc >= 2 && strcmp(argv[1], "timeout") == 0)
		return cfg_time(c, "stats timeout", argc > 2 ? argv[2] : NULL, &g->stats_timeout);
	if (argc >= 2 && strcmp(argv[1], "maxconn") == 0)
		return cfg_int(c, "stats maxconn", argc > 2 ? argv[2] : NULL, 1, 1000000,
			       &g->stats_maxconn);
	if (argc < 2 || strcmp(argv[1], "socket") != 0) {
		cfg_err(c, "'stats %s' is not a global keyword (expected 'stats socket', 'stats timeout' or 'stats maxconn')",
			argc >= 2 ? argv[1] : "");
		return -1;
	}
	if (argc < 3) {
		cfg_err(c, "'stats socket' expects a path");
		return -1;
	}
	struct sl_stats_socket *s = cfg_alloc(c, sizeof(*s));
	s->path = cfg_strdup(c, argv[2]);
	s->mode = -1;
	s->level = SL_LEVEL_OPERATOR; /* HAProxy's default level for a stats socket */
	s->loc = cfg_loc(c);
	if (strchr(argv[2], '@') != NULL || argv[2][0] != '/') {
		/* ipv4@ / abns@ / relative paths: only absolute unix paths for now */
		if (strncmp(argv[2], "unix@", 5) == 0)
			s->path = cfg_strdup(c, argv[2] + 5);
		else if (argv[2][0] != '/') {
			cfg_err(c, "'stats socket': '%s' is not an absolute unix socket path", argv[2]);
			return -1;
		}
	}
	for (int i = 3; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(k, "mode") == 0) {
			char *end;
			if (v == NULL || *v == '\0' || (s->mode = (int)strtol(v, &end, 8), *end != '\0') ||
			    s->mode < 0 || s->mode > 0777) {
				cfg_err(c, "'stats socket': invalid mode '%s' (octal, e.g. 600)", v ? v : "");
				return -1;
			}
			i++;
		} else if (strcmp(k, "level") == 0) {
			if (v != NULL && strcmp(v, "user") == 0)
				s->level = SL_LEVEL_USER;
			else if (v != NULL && strcmp(v, "operator") == 0)
				s->level = SL_LEVEL_OPERATOR;
			else if (v != NULL && strcmp(v, "admin") == 0)
				s->level = SL_LEVEL_ADMIN;
			else {
				cfg_err(c, "'stats socket': invalid level '%s' (user, operator or admin)",
					v ? v : "");
				return -1;
			}
			i++;
		} else if (strcmp(k, "expose-fd") == 0 || strcmp(k, "user") == 0 ||
			   strcmp(k, "group") == 0 || strcmp(k, "uid") == 0 || strcmp(k, "gid") == 0 ||
			   strcmp(k, "process") == 0 || strcmp(k, "thread") == 0) {
			if (v == NULL) {
				cfg_err(c, "'stats socket': '%s' expects an argument", k);
				return -1;
			}
			cfg_warn(c, "'stats socket': parameter '%s' has no effect in sluice: %s", k,
				 strcmp(k, "expose-fd") == 0 ?
					 "it passes no listening sockets (reloads happen in place)" :
				 strcmp(k, "process") == 0 || strcmp(k, "thread") == 0 ?
					 "its main lcore serves every stats socket" :
					 "the socket belongs to the user sluiced runs as (root); "
					 "'mode' sets who may connect");
			i++;
		} else {
			cfg_err(c, "'stats socket': unknown parameter '%s'", k);
			return -1;
		}
	}
	SL_LIST_APPEND(&c->cfg->global.sockets, s);
	return 0;
}

static const struct global_kw global_kws[] = {
	{"log", g_log},
	{"maxconn", g_maxconn},
	{"user", g_identity},
	{"group", g_identity},
	{"uid", g_identity},
	{"gid", g_identity},
	{"daemon", g_daemon},
	{"nbthread", g_nbthread},
	{"nbproc", g_ignored},
	{"cpu-map", g_ignored},
	{"master-worker", g_ignored},
	{"chroot", g_chroot},
	{"pidfile", g_pidfile},
	{"stats", g_stats},
	{"ca-base", g_ca_base},
	{"crt-base", g_crt_base},
	{"ssl-default-bind-ciphers", g_ciphers},
	{"ssl-default-bind-ciphersuites", g_ciphersuites},
	{"ssl-default-bind-options", g_ssl_options},
	{"ssl-default-server-ciphers", cfg_g_ssl_server_ciphers},
	{"ssl-default-server-ciphersuites", cfg_g_ssl_server_ciphers},
	{"ssl-default-server-options", cfg_g_ssl_server_options},
	{"ssl-server-verify", cfg_g_ssl_server_verify},
	{"ssl-dh-param-file", g_ignored},
	{"tune.bufsize", g_bufsize},
	{"tune.maxrewrite", g_maxrewrite},
	{"tune.ssl.default-dh-param", g_dhparam},
	{"tune.ssl.cachesize", g_ignored},
	{"tune.ssl.lifetime", g_ignored},
	{"spread-checks", g_spread},
	{"log-send-hostname", g_log_send_hostname},
	{"log-tag", g_log_tag},
	{"hard-stop-after", g_ignored},
	{"server-state-file", g_ignored},
	{"description", g_ignored},
	{"node", g_ignored},
	{"quiet", g_ignored},
	{"ulimit-n", g_tuning},
	{"strict-limits", g_tuning},
	{"fd-hard-limit", g_tuning},
	{"default-path", g_tuning},
	{"busy-polling", g_tuning},
	{"zero-warning", g_zero_warning},
	{"lua-load", g_refused},
	{"lua-load-per-thread", g_refused},
	{"lua-prepend-path", g_refused},
	{NULL, NULL},
};

const char *cfg_global_kw_name(size_t i)
{
	size_t n = 0;
	while (global_kws[n].name != NULL)
		n++;
	return i < n ? global_kws[i].name : NULL;
}

/* Keywords whose handler reads argv[1] unconditionally need an argument. */
static bool global_needs_arg(const char *kw)
{
	static const char *const with_arg[] = {"maxconn", "nbthread", "tune.bufsize",
					       "tune.maxrewrite", "tune.ssl.default-dh-param",
					       "spread-checks", "ulimit-n", "fd-hard-limit", NULL};
	for (const char *const *p = with_arg; *p != NULL; p++)
		if (strcmp(*p, kw) == 0)
			return true;
	return false;
}

static int parse_global(struct cfg_ctx *c, int argc, char **argv)
{
	for (const struct global_kw *k = global_kws; k->name != NULL; k++) {
		if (strcmp(k->name, argv[0]) != 0)
			continue;
		if (global_needs_arg(argv[0]) && argc != 2) {
			cfg_err(c, "'%s' expects exactly one argument", argv[0]);
			return -1;
		}
		return k->fn(c, argc, argv);
	}
	const char *dym = cfg_did_you_mean(argv[0], global_kws, sizeof(global_kws[0]));
	cfg_err(c, "unknown keyword '%s' in 'global' section%s%s%s", argv[0],
		dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
	return -1;
}

/* ------------------------------------------------------------------ dataplane section */

/* A core list "0-1,4" into @mask, numbers up to @max. */
static int parse_cores(struct cfg_ctx *c, const char *s, struct sl_cpus *mask, long max)
{
	struct sl_cpus m;
	memset(&m, 0, sizeof(m));
	const char *p = s;
	while (*p != '\0') {
		char *end;
		if (*p < '0' || *p > '9')
			goto bad;
		long a = strtol(p, &end, 10), b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				goto bad;
			b = strtol(end + 1, &end, 10);
		}
		if (a > max || b > max || b < a)
			goto bad;
		for (long i = a; i <= b; i++)
			m.w[i / 64] |= 1ULL << (i % 64);
		if (*end == ',')
			end++;
		else if (*end != '\0')
			goto bad;
		p = end;
	}
	if (sl_cpus_count(&m) == 0)
		goto bad;
	*mask = m;
	return 0;
bad:
	cfg_err(c, "'cores': invalid core list '%s' (e.g. 0-1 or 0,2,4-7; numbers 0 to %ld)", s, max);
	return -1;
}

static bool valid_pci(const char *s)
{
	unsigned dom, bus, dev, fn;
	char tail;
	if (sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) == 4)
		return bus <= 0xff && dev <= 0x1f && fn <= 7 && strlen(s) <= 12;
	if (sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &tail) == 3)
		return bus <= 0xff && dev <= 0x1f && fn <= 7 && strlen(s) <= 7;
	return false;
}

static int dp_port(struct cfg_ctx *c, int argc, char **argv)
{
	struct sl_dataplane *dp = &c->cfg->dp;
	if (argc < 2) {
		cfg_err(c, "'port' expects a name: port NAME iface IFNAME [driver af_xdp|af_packet|tap] | port NAME pci ADDR");
		return -1;
	}
	for (struct sl_dp_port *o = dp->ports; o != NULL; o = o->next)
		if (strcmp(o->name, argv[1]) == 0) {
			cfg_err(c, "'port': duplicate port name '%s' (first at %s:%d)", argv[1],
				o->loc.file, o->loc.line);
			return -1;
		}
	struct sl_dp_port *p = cfg_alloc(c, sizeof(*p));
	p->name = cfg_strdup(c, argv[1]);
	p->loc = cfg_loc(c);
	bool have_driver = false, have_steer = false;
	p->driver = SL_DRV_AF_XDP;
	for (int i = 2; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL) {
			cfg_err(c, "'port': '%s' expects a value", k);
			return -1;
		}
		i++;
		if (strcmp(k, "iface") == 0) {
			if (strlen(v) >= 16 || strchr(v, '/') != NULL || *v == '\0') {
				cfg_err(c, "'port': invalid interface name '%s'", v);
				return -1;
			}
			p->iface = cfg_strdup(c, v);
		} else if (strcmp(k, "pci") == 0) {
			if (!valid_pci(v)) {
				cfg_err(c, "'port': invalid PCI address '%s' (e.g. 0000:3b:00.0)", v);
				return -1;
			}
			p->pci = cfg_strdup(c, v);
		} else if (strcmp(k, "driver") == 0) {
			have_driver = true;
			if (strcmp(v, "af_xdp") == 0)
				p->driver = SL_DRV_AF_XDP;
			else if (strcmp(v, "af_packet") == 0)
				p->driver = SL_DRV_AF_PACKET;
			else if (strcmp(v, "tap") == 0)
				p->driver = SL_DRV_TAP;
			else {
				cfg_err(c, "'port': unknown driver '%s' (af_xdp, af_packet or tap; use 'pci ADDR' for a DPDK-bound NIC)",
					v);
				return -1;
			}
		} else if (strcmp(k, "queues") == 0) {
			if (cfg_int(c, "queues", v, 1, 64, &p->queues) < 0)
				return -1;
		} else if (strcmp(k, "mtu") == 0) {
			if (cfg_int(c, "mtu", v, 68, 9702, &p->mtu) < 0)
				return -1;
		} else if (strcmp(k, "xdp-steer") == 0) {
			if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
				cfg_err(c, "'port': 'xdp-steer' expects 'on' or 'off', got '%s'", v);
				return -1;
			}
			p->xdp_all = strcmp(v, "off") == 0;
			have_steer = true;
		} else {
			cfg_err(c, "'port': unknown parameter '%s'", k);
			return -1;
		}
	}
	if ((p->iface == NULL) == (p->pci == NULL)) {
		cfg_err(c, "'port %s': exactly one of 'iface IFNAME' or 'pci ADDR' is required", p->name);
		return -1;
	}
	if (have_steer && (p->driver != SL_DRV_AF_XDP || p->pci != NULL)) {
		cfg_err(c, "'port %s': 'xdp-steer' applies to af_xdp ports only", p->name);
		return -1;
	}
	if (p->pci != NULL) {
		if (have_driver) {
			cfg_err(c, "'port %s': 'driver' applies to 'iface' ports; a 'pci' port uses the DPDK driver its NIC is bound to",
				p->name);
			return -1;
		}
		p->driver = SL_DRV_PCI;
	}
	SL_LIST_APPEND(&dp->ports, p);
	return 0;
}

static int dp_address(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[2], "port") != 0) {
		cfg_err(c, "'address' expects: address IP/PREFIX port NAME");
		return -1;
	}
	struct sl_dp_addr *a = cfg_alloc(c, sizeof(*a));
	if (cfg_net(c, "address", argv[1], true, &a->net) < 0)
		return -1;
	if (a->net.family != AF_INET) {
		cfg_err(c, "'address': '%s': only IPv4 addresses are served by the dataplane for now",
			argv[1]);
		return -1;
	}
	if (strchr(argv[1], '/') == NULL)
		a->net.plen = 24;
	/* keep the host bits: cfg_net() masked them, re-read the address itself */
	struct in_addr in;
	char host[INET_ADDRSTRLEN + 1];
	size_t hl = strcspn(argv[1], "/");
	if (hl < sizeof(host)) {
		memcpy(host, argv[1], hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET, host, &in) == 1)
			a->net.v4 = ntohl(in.s_addr);
	}
	a->port = cfg_strdup(c, argv[3]);
	a->loc = cfg_loc(c);
	SL_LIST_APPEND(&c->cfg->dp.addrs, a);
	return 0;
}

static int dp_route(struct cfg_ctx *c, int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[2], "via") != 0) {
		cfg_err(c, "'route' expects: route default|NET/PREFIX via IP");
		return -1;
	}
	struct sl_dp_route *r = cfg_alloc(c, sizeof(*r));
	if (strcmp(argv[1], "default") == 0)
		r->dst = (struct sl_cfg_net){.family = AF_INET, .plen = 0};
	else if (cfg_net(c, "route", argv[1], true, &r->dst) < 0)
		return -1;
	if (cfg_net(c, "route", argv[3], false, &r->via) < 0)
		return -1;
	if (r->dst.family != AF_INET || r->via.family != AF_INET) {
		cfg_err(c, "'route': '%s': only IPv4 routes are served by the dataplane for now",
			r->dst.family != AF_INET ? argv[1] : argv[3]);
		return -1;
	}
	r->loc = cfg_loc(c);
	SL_LIST_APPEND(&c->cfg->dp.routes, r);
	return 0;
}

static int parse_dataplane(struct cfg_ctx *c, int argc, char **argv)
{
	struct sl_dataplane *dp = &c->cfg->dp;
	const char *kw = argv[0];
	if (strcmp(kw, "port") == 0)
		return dp_port(c, argc, argv);
	if (strcmp(kw, "address") == 0)
		return dp_address(c, argc, argv);
	if (strcmp(kw, "route") == 0)
		return dp_route(c, argc, argv);
	if (strcmp(kw, "service") == 0) {
		if (argc != 3) {
			cfg_err(c, "'service' expects: service echo|http-ok PORT");
			return -1;
		}
		struct sl_dp_service *sv = cfg_alloc(c, sizeof(*sv));
		if (strcmp(argv[1], "echo") == 0)
			sv->kind = SL_SVC_ECHO;
		else if (strcmp(argv[1], "http-ok") == 0)
			sv->kind = SL_SVC_HTTP_OK;
		else {
			cfg_err(c, "'service': unknown service '%s' (echo or http-ok)", argv[1]);
			return -1;
		}
		int port;
		if (cfg_int(c, "service", argv[2], 1, 65535, &port) < 0)
			return -1;
		sv->port = (uint16_t)port;
		sv->loc = cfg_loc(c);
		SL_LIST_APPEND(&dp->services, sv);
		return 0;
	}
	if (strcmp(kw, "eal") == 0) {
		for (int i = 1; i < argc; i++)
			cfg_str_append(c, &dp->eal_args, argv[i]);
		return 0;
	}
	if (strcmp(kw, "control") == 0) {
		if (argc != 2) {
			cfg_err(c, "'control' expects exactly one argument (shared or own)");
			return -1;
		}
		if (strcmp(argv[1], "shared") == 0)
			dp->control = SL_CONTROL_SHARED;
		else if (strcmp(argv[1], "own") == 0)
			dp->control = SL_CONTROL_OWN;
		else {
			cfg_err(c, "'control': unknown placement '%s' (shared or own)", argv[1]);
			return -1;
		}
		dp->control_loc = cfg_loc(c);
		return 0;
	}
	if (strcmp(kw, "cores") == 0 || strcmp(kw, "memory") == 0 || strcmp(kw, "flows") == 0 ||
	    strcmp(kw, "idle") == 0) {
		if (strcmp(kw, "cores") == 0 && argc == 4 && strcmp(argv[2], "on") == 0) {
			/* lcores on fewer CPUs (EAL --lcores): test machines have two */
			if (parse_cores(c, argv[1], &dp->cores, SL_MAX_LCORES - 1) < 0 ||
			    parse_cores(c, argv[3], &dp->cores_on, SL_MAX_CPUS - 1) < 0)
				return -1;
			if (sl_cpus_count(&dp->cores_on) < sl_cpus_count(&dp->cores))
				cfg_warn(c, "'cores %s on %s': %u lcores share %u CPUs; for tests, not production (their loops take turns on a CPU)",
					 argv[1], argv[3], sl_cpus_count(&dp->cores),
					 sl_cpus_count(&dp->cores_on));
			return 0;
		}
		if (argc != 2) {
			cfg_err(c, "'%s' expects exactly one argument%s", kw,
				strcmp(kw, "cores") == 0 ? " (or 'cores LIST on CPULIST')" : "");
			return -1;
		}
		if (strcmp(kw, "cores") == 0)
			return parse_cores(c, argv[1], &dp->cores, SL_MAX_CPUS - 1);
		if (strcmp(kw, "memory") == 0)
			return cfg_int(c, "memory", argv[1], 64, 1 << 20, &dp->memory_mb);
		if (strcmp(kw, "flows") == 0)
			return cfg_int(c, "flows", argv[1], 1024, 1 << 26, &dp->flows);
		if (strcmp(argv[1], "adaptive") == 0)
			dp->idle = SL_IDLE_ADAPTIVE;
		else if (strcmp(argv[1], "poll") == 0)
			dp->idle = SL_IDLE_POLL;
		else {
			cfg_err(c, "'idle': unknown policy '%s' (adaptive or poll)", argv[1]);
			return -1;
		}
		return 0;
	}
	static const char *const names[] = {"port",  "address", "route", "cores",   "control",
					    "memory", "flows",  "idle",  "eal",	    "service",
					    NULL};
	const char *dym = cfg_did_you_mean(kw, names, sizeof(names[0]));
	cfg_err(c, "unknown keyword '%s' in 'dataplane' section%s%s%s", kw,
		dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
	return -1;
}

/* ------------------------------------------------------------------ sections */

static bool valid_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.' || *s == ':'))
			return false;
	return true;
}

static struct sl_proxy *find_named_defaults(struct cfg_ctx *c, const char *name)
{
	for (struct sl_proxy *d = c->named_defaults; d != NULL; d = d->next)
		if (d->name != NULL && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static void open_proxy(struct cfg_ctx *c, int argc, char **argv)
{
	const char *kw = argv[0];
	unsigned cap = strcmp(kw, "frontend") == 0 ? SL_CAP_FE :
		       strcmp(kw, "backend") == 0  ? SL_CAP_BE :
						     SL_CAP_FE | SL_CAP_BE;
	c->sec = SEC_PROXY;
	c->sec_kw = kw;
	/* Lines of a broken header still go to a scratch proxy, so they are checked too. */
	struct sl_proxy *px = cfg_alloc(c, sizeof(*px));
	cfg_proxy_init(px);
	px->cap = cap;
	px->loc = cfg_loc(c);
	c->px = px;

	if (argc < 2) {
		cfg_err(c, "'%s' expects a name", kw);
		px->name = "";
		return;
	}
	px->name = cfg_strdup(c, argv[1]);
	const struct sl_proxy *def = c->defaults;
	int i = 2;
	if (cap == (SL_CAP_FE | SL_CAP_BE) && argc > 2 && strcmp(argv[2], "from") != 0) {
		/* old-style "listen NAME ADDR:PORT": an implicit bind */
		struct sl_bind *b = cfg_alloc(c, sizeof(*b));
		b->loc = cfg_loc(c);
		if (cfg_bind_addr(c, argv[2], b) == 0)
			SL_LIST_APPEND(&px->binds, b);
		i = 3;
	}
	if (i < argc && strcmp(argv[i], "from") == 0) {
		if (i + 1 >= argc) {
			cfg_err(c, "'%s %s from' expects the name of a defaults section", kw, argv[1]);
		} else if ((def = find_named_defaults(c, argv[i + 1])) == NULL) {
			cfg_err(c, "'%s %s': no defaults section named '%s'", kw, argv[1], argv[i + 1]);
			def = c->defaults;
		}
		i += 2;
	}
	if (i < argc)
		cfg_err(c, "'%s %s': unexpected argument '%s'", kw, argv[1], argv[i]);
	if (!valid_name(argv[1])) {
		cfg_err(c, "'%s': invalid name '%s' (letters, digits, '-', '_', '.', ':')", kw, argv[1]);
		return;
	}
	if (def != NULL)
		cfg_proxy_inherit(c, px, def);

	for (struct sl_proxy *o = c->cfg->proxies; o != NULL; o = o->next) {
		if (strcmp(o->name, px->name) == 0 && (o->cap & cap) != 0) {
			const char *okw = o->cap == SL_CAP_FE ? "frontend" :
					  o->cap == SL_CAP_BE ? "backend" : "listen";
			cfg_err(c, "%s '%s' has the same name as %s '%s' declared at %s:%d", kw,
				px->name, okw, o->name, o->loc.file, o->loc.line);
			return;
		}
	}
	px->id = ++c->cfg->nproxies;
	SL_LIST_APPEND(&c->cfg->proxies, px);
}

static void open_defaults(struct cfg_ctx *c, int argc, char **argv)
{
	c->sec = SEC_DEFAULTS;
	c->sec_kw = "defaults";
	struct sl_proxy *px = cfg_alloc(c, sizeof(*px));
	cfg_proxy_init(px);
	px->cap = SL_CAP_DEF;
	px->loc = cfg_loc(c);
	px->name = NULL;
	int i = 1;
	if (argc > 1 && strcmp(argv[1], "from") != 0) {
		if (!valid_name(argv[1]))
			cfg_err(c, "'defaults': invalid name '%s'", argv[1]);
		else if (find_named_defaults(c, argv[1]) != NULL)
			cfg_err(c, "'defaults': duplicate defaults section name '%s'", argv[1]);
		px->name = cfg_strdup(c, argv[1]);
		i = 2;
	}
	if (i < argc && strcmp(argv[i], "from") == 0) {
		const struct sl_proxy *def = i + 1 < argc ? find_named_defaults(c, argv[i + 1]) : NULL;
		if (def == NULL)
			cfg_err(c, "'defaults from': no defaults section named '%s'",
				i + 1 < argc ? argv[i + 1] : "");
		else
			cfg_proxy_inherit(c, px, def);
		i += 2;
	}
	if (i < argc)
		cfg_err(c, "'defaults': unexpected argument '%s'", argv[i]);
	/* A defaults section applies to every proxy after it, until the next one (HAProxy). */
	c->px = px;
	c->defaults = px;
	if (px->name != NULL) {
		px->next = c->named_defaults;
		c->named_defaults = px;
	}
}

static const char *const section_names[] = {"global", "defaults", "frontend", "backend",
					    "listen", "dataplane", NULL};
static const char *const unsupported_sections[] = {"peers", "mailers",
						   "program", "http-errors", "ring",
						   "fcgi-app", "crt-store", "traces", NULL};

/* Returns true when @argv[0] opens a section (and opens it). */
static bool section_line(struct cfg_ctx *c, int argc, char **argv)
{
	const char *kw = argv[0];
	if (strcmp(kw, "global") == 0) {
		c->sec = SEC_GLOBAL;
		c->sec_kw = kw;
		c->px = NULL;
		if (argc > 1)
			cfg_err(c, "'global' takes no argument, got '%s'", argv[1]);
		return true;
	}
	if (strcmp(kw, "dataplane") == 0) {
		c->sec = SEC_DATAPLANE;
		c->sec_kw = kw;
		c->px = NULL;
		if (!c->cfg->dp.present)
			c->cfg->dp.loc = cfg_loc(c);
		c->cfg->dp.present = true;
		if (argc > 1)
			cfg_err(c, "'dataplane' takes no argument, got '%s'", argv[1]);
		return true;
	}
	if (strcmp(kw, "defaults") == 0) {
		open_defaults(c, argc, argv);
		return true;
	}
	if (strcmp(kw, "resolvers") == 0) {
		cfg_resolvers_open(c, argc, argv);
		return true;
	}
	if (strcmp(kw, "userlist") == 0) {
		cfg_userlist_open(c, argc, argv);
		return true;
	}
	if (strcmp(kw, "frontend") == 0 || strcmp(kw, "backend") == 0 ||
	    strcmp(kw, "listen") == 0) {
		open_proxy(c, argc, argv);
		return true;
	}
	if (strcmp(kw, "cache") == 0) {
		/* HAProxy's small object cache: without it every request goes to a server, which
		 * is what sluice does: accepted with a warning, its lines skipped */
		cfg_warn(c, "section 'cache' has no effect: sluice caches no responses (every request goes to a server); its lines are skipped");
		c->sec = SEC_SKIP;
		c->sec_kw = kw;
		c->px = NULL;
		return true;
	}
	for (const char *const *u = unsupported_sections; *u != NULL; u++) {
		if (strcmp(*u, kw) == 0) {
			cfg_err(c, "section '%s' is not supported by sluice; its lines are skipped", kw);
			c->sec = SEC_SKIP;
			c->sec_kw = kw;
			c->px = NULL;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ .if blocks */

static bool eval_if_term(struct cfg_ctx *c, const char *t, bool *ok)
{
	char a[256], b[256];
	*ok = true;
	if (*t == '!')
		return !eval_if_term(c, t + 1, ok);
	if (strcmp(t, "0") == 0 || strcmp(t, "") == 0)
		return false;
	if (strcmp(t, "1") == 0)
		return true;
	if (sscanf(t, "defined(%255[^)])", a) == 1) {
		sl_cfg_getenv_fn ge = c->opts->getenv_fn != NULL ? c->opts->getenv_fn : real_getenv;
		return ge(a) != NULL;
	}
	if (sscanf(t, "streq(%255[^,],%255[^)])", a, b) == 2)
		return strcmp(a, b) == 0;
	if (sscanf(t, "strneq(%255[^,],%255[^)])", a, b) == 2)
		return strcmp(a, b) != 0;
	if (sscanf(t, "feature(%255[^)])", a) == 1)
		return strcmp(a, "OPENSSL") == 0 || strcmp(a, "PCRE2") == 0 ||
		       strcmp(a, "PCRE2_JIT") == 0;
	if (sscanf(t, "version_atleast(%255[^)])", a) == 1)
		return strverscmp("2.6", a) >= 0;
	if (sscanf(t, "version_before(%255[^)])", a) == 1)
		return strverscmp("2.6", a) < 0;
	char *end;
	long v = strtol(t, &end, 10);
	if (*end == '\0')
		return v != 0;
	*ok = false;
	return false;
}

/* Handles a line starting with '.'; returns true when it was a directive. */
static bool directive_line(struct cfg_ctx *c, int argc, char **argv)
{
	const char *kw = argv[0];
	bool taking = c->if_depth == 0 || c->ifs[c->if_depth].active;
	if (strcmp(kw, ".if") == 0) {
		if (c->if_depth == CFG_MAX_IF_DEPTH) {
			cfg_err(c, "'.if': too many nested blocks (more than %d)", CFG_MAX_IF_DEPTH);
			return true;
		}
		bool ok = true, v = argc > 1 && eval_if_term(c, argv[1], &ok);
		if (!ok)
			cfg_err(c, "'.if': unknown condition '%s'", argv[1]);
		c->if_depth++;
		c->ifs[c->if_depth].active = taking && v;
		c->ifs[c->if_depth].done = v;
		c->ifs[c->if_depth].in_else = false;
		c->ifs[c->if_depth].line = c->line;
		if (!taking)
			c->ifs[c->if_depth].done = true; /* nothing in this block is taken */
		return true;
	}
	if (strcmp(kw, ".elif") == 0 || strcmp(kw, ".else") == 0 || strcmp(kw, ".endif") == 0) {
		if (c->if_depth == 0) {
			cfg_err(c, "'%s' without '.if'", kw);
			return true;
		}
		if (strcmp(kw, ".endif") == 0) {
			c->if_depth--;
			return true;
		}
		if (c->ifs[c->if_depth].in_else) {
			cfg_err(c, "'%s' after '.else'", kw);
			return true;
		}
		bool v = true, ok = true;
		if (strcmp(kw, ".elif") == 0) {
			v = argc > 1 && eval_if_term(c, argv[1], &ok);
			if (!ok)
				cfg_err(c, "'.elif': unknown condition '%s'", argv[1]);
		} else {
			c->ifs[c->if_depth].in_else = true;
		}
		c->ifs[c->if_depth].active = !c->ifs[c->if_depth].done && v;
		c->ifs[c->if_depth].done |= v;
		return true;
	}
	if (!taking)
		return true;
	if (strcmp(kw, ".diag") == 0 || strcmp(kw, ".notice") == 0) {
		struct sl_cfg_loc l = cfg_loc(c);
		sl_cfg_diag_fn fn = c->opts->diag_fn != NULL ? c->opts->diag_fn : default_diag;
		fn(c->opts->diag_arg, SL_DIAG_NOTICE, l.file, l.line,
		   argc > 1 ? cfg_join(c, argc - 1, argv + 1) : "");
		return true;
	}
	if (strcmp(kw, ".warning") == 0) {
		cfg_warn(c, "%s", argc > 1 ? cfg_join(c, argc - 1, argv + 1) : "");
		return true;
	}
	if (strcmp(kw, ".alert") == 0) {
		cfg_err(c, "%s", argc > 1 ? cfg_join(c, argc - 1, argv + 1) : "");
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ the line loop */

static void parse_line(struct cfg_ctx *c, struct sl_cfg_words *w)
{
	int argc = w->n;
	char **argv = w->w;

	if (argv[0][0] == '.' && directive_line(c, argc, argv))
		return;
	if (c->if_depth > 0 && !c->ifs[c->if_depth].active)
		return;
	if (section_line(c, argc, argv))
		return;
	switch (c->sec) {
	case SEC_NONE: {
		const char *dym = cfg_did_you_mean(argv[0], section_names, sizeof(section_names[0]));
		cfg_err(c, "keyword '%s' outside of any section%s%s%s", argv[0],
			dym ? "; did you mean '" : " (expected global, defaults, frontend, backend, listen or dataplane)",
			dym ? dym : "", dym ? "'?" : "");
		break;
	}
	case SEC_SKIP:
		break;
	case SEC_USERLIST:
		cfg_userlist_line(c, argc, argv);
		break;
	case SEC_GLOBAL:
		parse_global(c, argc, argv);
		break;
	case SEC_DATAPLANE:
		parse_dataplane(c, argc, argv);
		break;
	case SEC_RESOLVERS:
		cfg_resolvers_keyword(c, argc, argv);
		break;
	case SEC_DEFAULTS:
	case SEC_PROXY:
		cfg_proxy_keyword(c, argc, argv);
		break;
	}
}

static void parse_text(struct cfg_ctx *c, const struct sl_cfg_text *t, struct sl_cfg_words *w)
{
	sl_cfg_getenv_fn ge = c->opts->getenv_fn != NULL ? c->opts->getenv_fn : real_getenv;
	c->file = cfg_strdup(c, t->name != NULL ? t->name : "<config>");
	c->line = 0;
	size_t off = 0;
	while (off < t->len) {
		const char *line = t->data + off;
		const char *nl = memchr(line, '\n', t->len - off);
		size_t len = nl != NULL ? (size_t)(nl - line) : t->len - off;
		off += len + (nl != NULL);
		c->line++;
		const char *err = NULL;
		int n = sl_cfg_lex_line(line, len, w, ge, &err);
		if (n < 0) {
			cfg_err(c, "%s", err);
			continue;
		}
		if (n == 0)
			continue;
		parse_line(c, w);
	}
	/* An open .if block ends with its file. */
	while (c->if_depth > 0) {
		struct sl_cfg_loc l = {.file = c->file, .line = c->ifs[c->if_depth].line};
		cfg_err_at(c, &l, "'.if' block not closed by '.endif' before the end of the file");
		c->if_depth--;
	}
}

int sl_cfg_parse(const struct sl_cfg_text *texts, int ntexts, const struct sl_cfg_opts *opts,
		 struct sl_cfg **out)
{
	static const struct sl_cfg_opts no_opts;
	*out = NULL;
	struct sl_arena *a = sl_arena_create();
	if (a == NULL)
		return -ENOMEM;
	struct sl_cfg *cfg = sl_arena_alloc(a, sizeof(*cfg));
	struct cfg_ctx *c = sl_arena_alloc(a, sizeof(*c));
	struct sl_cfg_words *w = malloc(sizeof(*w));
	if (cfg == NULL || c == NULL || w == NULL) {
		free(w);
		sl_arena_destroy(a);
		return -ENOMEM;
	}
	cfg->arena = a;
	cfg->global.maxconn = 2000;
	cfg->global.bufsize = 16384;
	cfg->global.maxrewrite = 1024;
	c->cfg = cfg;
	c->a = a;
	c->opts = opts != NULL ? opts : &no_opts;
	cfg->strict = c->opts->strict;
	cfg->texts = sl_arena_alloc(a, sizeof(*cfg->texts) * (size_t)(ntexts > 0 ? ntexts : 1));
	if (cfg->texts == NULL)
		c->oom = true;
	for (int i = 0; cfg->texts != NULL && i < ntexts; i++) {
		char *d = sl_arena_alloc(a, texts[i].len + 1);
		if (d == NULL) {
			c->oom = true;
			break;
		}
		memcpy(d, texts[i].data, texts[i].len);
		d[texts[i].len] = '\0';
		cfg->texts[i] = (struct sl_cfg_text){
			.name = texts[i].name != NULL ? cfg_strdup(c, texts[i].name) : NULL,
			.data = d,
			.len = texts[i].len};
		cfg->ntexts = i + 1;
	}

	for (int i = 0; i < ntexts; i++)
		parse_text(c, &texts[i], w);
	free(w);
	c->line = 0;
	cfg_check(c);
	if (cfg->global.zero_warning.line > 0 && cfg->nwarnings > 0 && cfg->nerrors == 0)
		cfg_err_at(c, &cfg->global.zero_warning,
			   "'zero-warning': the configuration drew %d warning(s) (above); with "
			   "'zero-warning' they make it invalid, as in HAProxy",
			   cfg->nwarnings);
	else if (c->opts->strict && cfg->nwarnings > 0 && cfg->nerrors == 0)
		cfg_err_at(c, &(struct sl_cfg_loc){.file = NULL, .line = 0},
			   "--strict: the configuration drew %d warning(s) (above); with --strict "
			   "they make it invalid",
			   cfg->nwarnings);

	if (c->oom) {
		sl_arena_destroy(a);
		return -ENOMEM;
	}
	if (cfg->nerrors > 0) {
		sl_arena_destroy(a);
		return -EINVAL;
	}
	*out = cfg;
	return 0;
}

/* Reads a whole file into malloc'ed memory. Returns 0 or a negative errno. */
static int slurp(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		return e;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*data = buf;
	*len = n;
	return 0;
}

static int default_read(void *arg, struct sl_arena *arena, const char *path, const char **data,
			size_t *len)
{
	char *buf;
	size_t n;
	*data = NULL;
	*len = 0;
	int r = slurp(path, &buf, &n);
	if (r < 0)
		return r;
	char *copy = sl_arena_strndup(arena, buf, n);
	free(buf);
	if (copy == NULL)
		return -ENOMEM;
	*data = copy;
	*len = n;
	return 0;
}

int cfg_read_file(struct cfg_ctx *c, const char *path, const char **data, size_t *len)
{
	sl_cfg_read_fn rd = c->opts->read_fn != NULL ? c->opts->read_fn : default_read;
	*data = NULL;
	*len = 0;
	return rd(c->opts->read_arg, c->a, path, data, len);
}

int sl_cfg_load_files(const char *const *paths, int npaths, const struct sl_cfg_opts *opts,
		      struct sl_cfg **out)
{
	struct sl_cfg_text *texts = calloc((size_t)(npaths > 0 ? npaths : 1), sizeof(*texts));
	int bad = 0, r;
	*out = NULL;
	if (texts == NULL)
		return -ENOMEM;
	for (int i = 0; i < npaths; i++) {
		char *d = NULL;
		size_t n = 0;
		r = slurp(paths[i], &d, &n);
		if (r < 0) {
			sl_cfg_diag_fn fn = opts != NULL && opts->diag_fn != NULL ? opts->diag_fn :
										    default_diag;
			char msg[512];
			snprintf(msg, sizeof(msg), "cannot read configuration file: %s", strerror(-r));
			fn(opts != NULL ? opts->diag_arg : NULL, SL_DIAG_ERROR, paths[i], 0, msg);
			bad++;
			continue;
		}
		texts[i] = (struct sl_cfg_text){.name = paths[i], .data = d, .len = n};
	}
	if (bad == 0)
		r = sl_cfg_parse(texts, npaths, opts, out);
	else
		r = -EINVAL;
	for (int i = 0; i < npaths; i++)
		free((char *)texts[i].data);
	free(texts);
	return r;
}

void sl_cfg_free(struct sl_cfg *cfg)
{
	if (cfg != NULL)
		sl_arena_destroy(cfg->arena);
}

struct sl_proxy *sl_cfg_find_proxy(const struct sl_cfg *cfg, const char *name, unsigned cap)
{
	for (struct sl_proxy *p = cfg->proxies; p != NULL; p = p->next)
		if ((p->cap & cap) != 0 && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

const struct sl_proxy *sl_cfg_stats_page_in(const struct sl_cfg *cfg, const struct sl_proxy *px)
{
	const struct sl_proxy *n = sl_cfg_find_proxy(cfg, px->name, SL_CAP_FE);
	if (n != NULL && n->stats.enabled)
		return n;
	for (n = cfg->proxies; n != NULL && px->binds != NULL; n = n->next)
		for (const struct sl_bind *b = n->binds; n->stats.enabled && b != NULL; b = b->next)
			if (b->port_lo == px->binds->port_lo)
				return n;
	return NULL;
}

struct sl_server *sl_cfg_find_server(const struct sl_proxy *be, const char *name)
{
	for (struct sl_server *s = be->servers; s != NULL; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}
