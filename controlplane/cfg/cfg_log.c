/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `log` lines (global and proxies), as HAProxy 2.6 reads them:
 *   log TARGET [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]
 * TARGET: an absolute path (a UNIX datagram socket such as /dev/log), an IPv4 address with an
 * optional port (UDP, 514 by default; `udp@`, `udp4@` and `ipv4@` prefixes), `stdout`, `stderr`.
 * Parser context only.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

static const char *const facilities[] = {
	"kern",	  "user",   "mail",   "daemon", "auth",	  "syslog", "lpr",    "news",
	"uucp",	  "cron",   "auth2",  "ftp",    "ntp",	  "audit",  "alert",  "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", NULL};
static const char *const levels[] = {"emerg",	"alert", "crit", "err",
				     "warning", "notice", "info", "debug", NULL};
static const char *const formats[] = {"rfc3164",  "rfc5424", "short", "raw", "local",
				      "priority", "timed",   "iso",   NULL};

static int word_index(const char *const *words, const char *w)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return -1;
}

const char *sl_cfg_log_level_name(int level)
{
	return level >= 0 && level < 8 ? levels[level] : "?";
}

static int target(struct cfg_ctx *c, const char *t, struct sl_log_target *lt)
{
	if (strcmp(t, "stdout") == 0 || strcmp(t, "fd@1") == 0) {
		lt->kind = SL_LOGT_STDOUT;
		return 0;
	}
	if (strcmp(t, "stderr") == 0 || strcmp(t, "fd@2") == 0) {
		lt->kind = SL_LOGT_STDERR;
		return 0;
	}
	if (strncmp(t, "unix@", 5) == 0)
		t += 5;
	if (t[0] == '/') {
		lt->kind = SL_LOGT_UNIX;
		lt->path = cfg_strdup(c, t);
		return 0;
	}
	if (strncmp(t, "udp@", 4) == 0 || strncmp(t, "udp4@", 5) == 0 ||
	    strncmp(t, "ipv4@", 5) == 0)
		t = strchr(t, '@') + 1;
	else if (strchr(t, '@') != NULL || t[0] == '[' || strchr(t, ':') != strrchr(t, ':')) {
		cfg_err(c, "'log': target '%s' is not supported: a path (/dev/log), an IPv4 address[:port], stdout or stderr (ring@, fd@N, TCP and IPv6 targets are not supported yet)",
			t);
		return -1;
	}
	char host[64];
	const char *colon = strchr(t, ':');
	size_t hl = colon != NULL ? (size_t)(colon - t) : strlen(t);
	struct in_addr in;
	if (hl == 0 || hl >= sizeof(host)) {
		cfg_err(c, "'log': invalid target '%s'", t);
		return -1;
	}
	memcpy(host, t, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &in) != 1) {
		cfg_err(c, "'log': target '%s' is not an IPv4 address, a path, stdout or stderr", t);
		return -1;
	}
	int port = 514;
	if (colon != NULL && cfg_int(c, "log", colon + 1, 1, 65535, &port) < 0)
		return -1;
	lt->kind = SL_LOGT_UDP;
	lt->ip = ntohl(in.s_addr);
	lt->port = (uint16_t)port;
	return 0;
}

/* A decimal number of @s up to @end, 1 .. UINT32_MAX; 0 when it is not one. */
static unsigned number(const char *s, const char *end)
{
	unsigned long v = 0;
	if (s == end)
		return 0;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || v > 0xffffffffUL / 10)
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	return v <= 0xffffffffUL ? (unsigned)v : 0;
}

/* `sample RANGES:SIZE` (HAProxy's: "1-3,7:10" sends lines 1, 2, 3 and 7 of every 10). */
static int sample(struct cfg_ctx *c, const char *arg, struct sl_log_target *lt)
{
	const char *colon = strchr(arg, ':');
	if (colon == NULL) {
		cfg_err(c, "'log ... sample %s': missing sample size (RANGES:SIZE, e.g. 1:2)", arg);
		return -1;
	}
	lt->smp_size = number(colon + 1, colon + strlen(colon));
	if (lt->smp_size == 0) {
		cfg_err(c, "'log ... sample': invalid sample size '%s'", colon + 1);
		return -1;
	}
	lt->smp_n = 0;
	if (colon > arg && colon[-1] == ',') {
		cfg_err(c, "'log ... sample': an empty range in '%.*s'", (int)(colon - arg), arg);
		return -1;
	}
	for (const char *p = arg; p < colon;) {
		const char *e = memchr(p, ',', (size_t)(colon - p));
		if (e == NULL)
			e = colon;
		const char *dash = memchr(p, '-', (size_t)(e - p));
		unsigned lo = number(p, dash != NULL ? dash : e);
		unsigned hi = dash != NULL ? number(dash + 1, e) : lo;
		if (lo == 0 || hi < lo) {
			cfg_err(c, "'log ... sample': invalid range '%.*s' (N or N-M, from 1)",
				(int)(e - p), p);
			return -1;
		}
		if (hi > lt->smp_size) {
			cfg_err(c, "'log ... sample': range '%.*s' exceeds the sample size %u",
				(int)(e - p), p, lt->smp_size);
			return -1;
		}
		if (lt->smp_n == SL_LOG_SMP_MAX) {
			cfg_err(c, "'log ... sample': more than %d ranges", SL_LOG_SMP_MAX);
			return -1;
		}
		/* kept sorted; an overlap is refused, as HAProxy refuses it */
		unsigned k = lt->smp_n;
		while (k > 0 && lt->smp[k - 1].low > lo) {
			lt->smp[k] = lt->smp[k - 1];
			k--;
		}
		if ((k > 0 && lt->smp[k - 1].high >= lo) || (k < lt->smp_n && lt->smp[k + 1].low <= hi)) {
			cfg_err(c, "'log ... sample': overlapping ranges in '%.*s'", (int)(colon - arg),
				arg);
			return -1;
		}
		lt->smp[k].low = lo;
		lt->smp[k].high = hi;
		lt->smp_n++;
		p = e < colon ? e + 1 : colon;
	}
	if (lt->smp_n == 0) {
		cfg_err(c, "'log ... sample': no range before the size in '%s'", arg);
		return -1;
	}
	return 0;
}

int cfg_log_target(struct cfg_ctx *c, int argc, char **argv, struct sl_log_target **head)
{
	struct sl_log_target lt = {.len = 1024, .format = SL_LOGF_RFC3164, .level = 7,
				   .minlevel = 0, .loc = cfg_loc(c)};
	if (argc < 3) {
		cfg_err(c, "'log' expects a target and a facility: log TARGET [len N] [format F] FACILITY [LEVEL [MINLEVEL]]");
		return -1;
	}
	if (target(c, argv[1], &lt) < 0)
		return -1;
	int i = 2;
	for (; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "len") == 0) {
			if (cfg_int(c, "len", argv[i + 1], 80, 65535, &lt.len) < 0)
				return -1;
		} else if (strcmp(argv[i], "format") == 0) {
			int f = word_index(formats, argv[i + 1]);
			if (f < 0) {
				cfg_err(c, "'log': unknown format '%s' (rfc3164, rfc5424, short, raw, local, priority, timed, iso)",
					argv[i + 1]);
				return -1;
			}
			lt.format = (enum sl_log_fmt)f;
		} else if (strcmp(argv[i], "sample") == 0) {
			if (sample(c, argv[i + 1], &lt) < 0)
				return -1;
		} else {
			break;
		}
	}
	if (i >= argc) {
		cfg_err(c, "'log' expects a facility after the target");
		return -1;
	}
	lt.facility = word_index(facilities, argv[i]);
	if (lt.facility < 0) {
		cfg_err(c, "'log': unknown facility '%s'", argv[i]);
		return -1;
	}
	if (++i < argc) {
		lt.level = word_index(levels, argv[i]);
		if (lt.level < 0) {
			cfg_err(c, "'log': unknown level '%s' (emerg, alert, crit, err, warning, notice, info, debug)",
				argv[i]);
			return -1;
		}
	}
	if (++i < argc) {
		lt.minlevel = word_index(levels, argv[i]);
		if (lt.minlevel < 0) {
			cfg_err(c, "'log': unknown minimum level '%s'", argv[i]);
			return -1;
		}
	}
	if (++i < argc) {
		cfg_err(c, "'log': unexpected argument '%s'", argv[i]);
		return -1;
	}
	struct sl_log_target *n = cfg_alloc(c, sizeof(*n));
	if (n == NULL)
		return -1;
	*n = lt;
	while (*head != NULL)
		head = &(*head)->next;
	*head = n;
	return 0;
}

struct sl_log_target *cfg_log_copy(struct cfg_ctx *c, const struct sl_log_target *src)
{
	struct sl_log_target *head = NULL, **tail = &head;
	for (; src != NULL; src = src->next) {
		struct sl_log_target *n = cfg_alloc(c, sizeof(*n));
		if (n == NULL)
			return head;
		*n = *src;
		n->next = NULL;
		*tail = n;
		tail = &n->next;
	}
	return head;
}

void cfg_log_keep_text(struct cfg_ctx *c, int argc, char **argv, struct sl_cfg_str **head)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL) {
		c->oom = true;
		return;
	}
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			fputc(' ', f);
		cfg_dump_word(f, argv[i]);
	}
	fclose(f);
	cfg_str_append(c, head, text);
	free(text);
}
