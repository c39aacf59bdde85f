/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the configuration parser's files (cfg_parse.c: the line loop, sections and
 * shared value parsers; cfg_kw.c: proxy keywords; cfg_check.c: cross references; cfg_dump.c).
 * Not included outside controlplane/cfg_*.c.
 */
#ifndef SL_CFG_INT_H
#define SL_CFG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "controlplane/cfg/arena.h"
#include "controlplane/cfg/cfg.h"

/* Appends @node at the tail of the singly linked list *@headp (file order is kept). */
#define SL_LIST_APPEND(headp, node)                                                               \
	do {                                                                                      \
		__typeof__(*(headp)) *p_ = (headp);                                               \
		while (*p_ != NULL)                                                               \
			p_ = &(*p_)->next;                                                        \
		*p_ = (node);                                                                     \
	} while (0)

enum cfg_section {
	SEC_NONE,
	SEC_GLOBAL,
	SEC_DEFAULTS,
	SEC_PROXY,
	SEC_DATAPLANE,
	SEC_RESOLVERS,
	SEC_SKIP,
	SEC_USERLIST
};

#define CFG_MAX_IF_DEPTH 100

/* Parser state for one sl_cfg_parse() call. */
struct cfg_ctx {
	struct sl_cfg *cfg;
	struct sl_arena *a;
	const struct sl_cfg_opts *opts;
	const char *file; /* interned in the arena */
	int line;
	enum cfg_section sec;
	const char *sec_kw;          /* "global", "frontend", ... for messages */
	struct sl_proxy *px;         /* current proxy or defaults section */
	struct sl_resolvers *res;    /* current resolvers section */
	struct sl_proxy *defaults;   /* the defaults that apply to the next proxy */
	struct sl_proxy *named_defaults; /* chain of named defaults (linked by ->next) */
	struct sl_userlist *ul;	   /* the userlist section being read */
	struct sl_acl *auth_acls;  /* http_auth*() ACLs, resolved by cfg_check */
	bool oom;
	int if_depth;
	struct {
		bool active;  /* lines are taken in this branch */
		bool done;    /* some branch of this block was taken */
		bool in_else;
		int line;
	} ifs[CFG_MAX_IF_DEPTH + 1];
};

/* Diagnostics at the current file:line. */
void cfg_err(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cfg_warn(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Diagnostics at a stored location. */
void cfg_err_at(struct cfg_ctx *c, const struct sl_cfg_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cfg_warn_at(struct cfg_ctx *c, const struct sl_cfg_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Information that is neither an error nor a warning (a range of local ports that moved). */
void cfg_notice_at(struct cfg_ctx *c, const struct sl_cfg_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Arena helpers that remember out-of-memory in the context (callers may go on; the parse fails). */
void *cfg_alloc(struct cfg_ctx *c, size_t size);
const char *cfg_strdup(struct cfg_ctx *c, const char *s);
struct sl_cfg_loc cfg_loc(const struct cfg_ctx *c);
/* Appends a copy of @s to the string list *@head. */
void cfg_str_append(struct cfg_ctx *c, struct sl_cfg_str **head, const char *s);
/* Joins @argv[0..@argc) with single spaces into the arena. */
const char *cfg_join(struct cfg_ctx *c, int argc, char **argv);

/* Value parsers: each returns 0, or -1 after reporting an error that names @kw and the value. */
int cfg_int(struct cfg_ctx *c, const char *kw, const char *s, long min, long max, int *out);
int cfg_time(struct cfg_ctx *c, const char *kw, const char *s, int *ms);
/* "IP[/plen]" (plen optional: host route); IPv4 or IPv6. */
int cfg_net(struct cfg_ctx *c, const char *kw, const char *s, bool plen_ok, struct sl_cfg_net *n);
/* "[ADDR]:PORT[-PORT]" for bind: ADDR may be empty or '*' (any). */
int cfg_bind_addr(struct cfg_ctx *c, const char *s, struct sl_bind *b);
/* "ADDR[:PORT]" for server: the port may be omitted (0). */
int cfg_server_addr(struct cfg_ctx *c, const char *s, struct sl_server *srv);
/* Whether @s is written as a host name (letters, digits, '-', '_', dots; not an address). */
bool cfg_host_name(const char *s);
/* Compiles a PCRE2 regex owned by the arena; NULL after reporting the error. */
void *cfg_regex(struct cfg_ctx *c, const char *kw, const char *pat, bool icase);

/* cfg_srvssl.c: TLS towards servers. A server parameter at argv[*i]: returns 1 when taken
 * (*i moved past its value), 0 when not a TLS one, -1 after an error. */
int cfg_srv_ssl_param(struct cfg_ctx *c, const char *kw, struct sl_srv_params *p, int argc,
		      char **argv, int *i);
/* After the parse: mode tcp refusal, verify without ca-file. */
void cfg_check_srv_ssl(struct cfg_ctx *c, struct sl_proxy *px, struct sl_server *s);
/* `http-check connect ssl|sni|port` of @px applied to its checked server @s (check-ssl,
 * check-sni when it has none, the check port). After parsing, before cfg_check_srv_ssl. */
void cfg_http_check_connect(const struct sl_proxy *px, struct sl_server *s);
int cfg_g_ssl_server_verify(struct cfg_ctx *c, int argc, char **argv);
int cfg_g_ssl_server_options(struct cfg_ctx *c, int argc, char **argv);
int cfg_g_ssl_server_ciphers(struct cfg_ctx *c, int argc, char **argv);

/* Reads a file named by the configuration through opts->read_fn (see sl_cfg_read_fn). */
int cfg_read_file(struct cfg_ctx *c, const char *path, const char **data, size_t *len);

/* Suggests the closest of @names (NULL-terminated array of strings at @stride bytes apart) to
 * @word, or NULL when nothing is close. */
const char *cfg_did_you_mean(const char *word, const void *names, size_t stride);

/* Log-format strings (cfg_lf.c). Flags: */
#define CFG_LF_RSP 1u	  /* an http-response rule: fetches that read the request are refused */
#define CFG_LF_BACKREF 2u /* \1..\9 are the groups of the rule's regex */
#define CFG_LF_LOG 4u	  /* a log-format: fetches of the request's headers are refused */
/* Compiles @text for keyword @kw; NULL after reporting the error (file:line, the name refused). */
struct sl_lf *cfg_lf(struct cfg_ctx *c, const char *kw, const char *text, unsigned flags);
/* Access logs (cfg_alog.c): a log-format compiled (NULL: refused, said), the `log-format` and
 * `capture` keywords, and each frontend's format chosen (cfg_check). */
const struct sl_alog_fmt *cfg_alog_compile(struct cfg_ctx *c, const char *kw, const char *src);
int cfg_kw_log_format(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv);
int cfg_kw_capture(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv);
void cfg_alog_check(struct cfg_ctx *c);
/* Reads map file @file ("KEY VALUE" lines; @kv false: a pattern file, one pattern a line) once
 * per configuration; NULL after reporting the error. */
const struct sl_map *cfg_map(struct cfg_ctx *c, const char *kw, const char *file, bool kv);

/* userlist sections (cfg_userlist.c): opens one; reads one of its lines; resolves the
 * userlists named by http_auth*() ACLs (after every line was read). */
void cfg_userlist_open(struct cfg_ctx *c, int argc, char **argv);
void cfg_userlist_line(struct cfg_ctx *c, int argc, char **argv);
void cfg_userlist_resolve(struct cfg_ctx *c);

/* http-request/-response actions of cfg_http_act.c: 0 parsed, -1 error reported, 1 not one of
 * its actions. @ci: where the condition starts. */
int cfg_http_action(struct cfg_ctx *c, bool req, int ci, char **argv, struct sl_hrule *r);

/* Proxy keywords (cfg_kw.c). Returns 0 or -1 (reported). */
int cfg_proxy_keyword(struct cfg_ctx *c, int argc, char **argv);
/* Initialises @px with HAProxy's built-in defaults. */
void cfg_proxy_init(struct sl_proxy *px);
/* Copies the inheritable settings of defaults section @def into the new proxy @px. */
void cfg_proxy_inherit(struct cfg_ctx *c, struct sl_proxy *px, const struct sl_proxy *def);
/* Server parameters: HAProxy's built-in values. */
void cfg_srv_params_init(struct sl_srv_params *p);

/* The @i-th keyword of the global section's table (cfg_parse.c), NULL past its end. */
const char *cfg_global_kw_name(size_t i);
/* Stick tables (cfg_stick.c): the keywords, `http-request track-scN` (@r, the condition at
 * argv[@ci]), a stick counter fetch (1: parsed into @acl, 0: not one, -1: reported), the
 * cross checks (tables named exist, a proxy has the table it uses). */
int cfg_kw_stick_table(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv);
int cfg_kw_stick(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv);
int cfg_track_sc(struct cfg_ctx *c, struct sl_hrule *r, const char *kw, int ci, char **argv);
int cfg_stick_fetch(struct cfg_ctx *c, const char *word, struct sl_acl *acl);
void cfg_stick_check(struct cfg_ctx *c);
/* "if|unless COND" from @argv[0] to the end (cfg_kw.c); NULL after reporting an error. */
struct sl_cond *cfg_parse_cond(struct cfg_ctx *c, struct sl_proxy *px, const char *kw, int argc,
			       char **argv);
/* `tcp-request` (cfg_tcprule.c): the keyword, and the checks once the proxy is read (the
 * fetches each rule may use; whether a mode tcp frontend runs on the proxy lcores). */
int cfg_kw_tcp_request(struct cfg_ctx *c, struct sl_proxy *px, int argc, char **argv);
void cfg_check_tcp_rules(struct cfg_ctx *c, struct sl_proxy *px);
/* The PROXY protocol (cfg_pproxy.c): a server parameter (1 taken, 0 not this file's, -1
 * error), and the check that sends a mode tcp frontend needing it to the proxy lcores. */
int cfg_srv_pp_param(struct cfg_ctx *c, const char *kw, struct sl_srv_params *p, int argc,
		     char **argv, int *i);
void cfg_check_pproxy(struct cfg_ctx *c, struct sl_proxy *px);

/* Cross-reference checks after every line was read (cfg_check.c). */
void cfg_check(struct cfg_ctx *c);

/* cfg_log.c: a `log TARGET ... FACILITY [LEVEL [MINLEVEL]]` line appended to @head. 0 or -1. */
int cfg_log_target(struct cfg_ctx *c, int argc, char **argv, struct sl_log_target **head);
/* The line's words after `log`, each quoted where needed, appended to @head (--dump). */
void cfg_log_keep_text(struct cfg_ctx *c, int argc, char **argv, struct sl_cfg_str **head);
/* A copy of the list @src (a proxy inherits its defaults' targets). */
struct sl_log_target *cfg_log_copy(struct cfg_ctx *c, const struct sl_log_target *src);

/* cfg_resolvers.c: the `resolvers` section (opens it, reads its lines) and the servers'
 * references to it, checked after the parse. */
void cfg_resolvers_open(struct cfg_ctx *c, int argc, char **argv);
void cfg_resolvers_keyword(struct cfg_ctx *c, int argc, char **argv);
void cfg_resolvers_check(struct cfg_ctx *c);
/* A server parameter of run-time DNS (@k: resolvers, resolve-prefer, resolve-opts, resolve-net,
 * @v its value or NULL) into @p. Returns 0 or -1 after an error. */
int cfg_resolvers_srv_param(struct cfg_ctx *c, const char *kw, const char *k, const char *v,
			    struct sl_srv_params *p);

/* Dump helper: writes @s as one configuration word, quoted when needed (cfg_dump.c). */
void cfg_dump_word(FILE *f, const char *s);

/* Writes @n as "ADDR" or, with @with_plen, "ADDR/PLEN" into @buf (cfg_dump.c); a buffer of
 * CFG_NET_TEXT bytes always holds it. */
#define CFG_NET_TEXT 64
void cfg_net_text(const struct sl_cfg_net *n, bool with_plen, char *buf, size_t len);

#endif
