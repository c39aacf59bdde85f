/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: parse haproxy.cfg-style text (plus sluice's `dataplane` section) into the model
 * of controlplane/cfg/cfg-t.h, check it, and print it back as canonical text.
 *
 * Pure control-plane code: no DPDK, no global state; safe to call from any thread, but a given
 * sl_cfg is only ever touched by the main lcore until it is published (then it is read-only).
 */
#ifndef SL_CFG_H
#define SL_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "controlplane/cfg/cfg-t.h"
#include "controlplane/cfg/cfg_lex.h"

/* One configuration text: a file's name (for messages) and its bytes. */
struct sl_cfg_text {
	const char *name;
	const char *data;
	size_t len;
};

enum sl_cfg_diag_level { SL_DIAG_ERROR, SL_DIAG_WARNING, SL_DIAG_NOTICE };

/*
 * Receives one diagnostic. @file/@line name the place (line 0: the file as a whole, file NULL:
 * the configuration as a whole). The default sink prints "FILE:LINE: message" for an error and
 * "FILE:LINE: warning: message" for a warning on stderr.
 */
typedef void (*sl_cfg_diag_fn)(void *arg, enum sl_cfg_diag_level level, const char *file,
			       int line, const char *msg);

/* What goes before a diagnostic's message, as every sink prints it: "FILE:LINE: ", "FILE: " or
 * "", then "warning: " / "notice: " but for errors. Written into @buf (size @n, truncated). */
void sl_cfg_diag_prefix(char *buf, size_t n, enum sl_cfg_diag_level level, const char *file,
			int line);

/*
 * Reads a file that the configuration names (errorfile, crt). Returns 0 with *@data and *@len set to
 * the content copied into @arena (for a directory: *@data NULL, returns -EISDIR), or a negative
 * errno. The default reads the real filesystem; tests and the fuzzer pass their own.
 */
typedef int (*sl_cfg_read_fn)(void *arg, struct sl_arena *arena, const char *path,
			      const char **data, size_t *len);

struct sl_cfg_opts {
	sl_cfg_getenv_fn getenv_fn; /* NULL: getenv(3) */
	sl_cfg_read_fn read_fn;     /* NULL: the real filesystem */
	void *read_arg;
	sl_cfg_diag_fn diag_fn;     /* NULL: stderr */
	void *diag_arg;
	bool no_dataplane_ok;       /* do not warn about a missing dataplane section */
	bool strict;                /* sluiced --strict: any warning makes the configuration
				     * invalid (one error after them, as `zero-warning`) */
};

/*
 * Parses the texts in order as one configuration (so an operator can keep haproxy.cfg untouched
 * and add a dataplane file), then checks cross references. Every error and warning goes to the
 * diagnostic sink; parsing goes on after an error so that all of them are reported.
 * Returns 0 with *@out set (caller frees with sl_cfg_free()), -EINVAL when at least one error was
 * reported (*@out NULL), or -ENOMEM.
 */
int sl_cfg_parse(const struct sl_cfg_text *texts, int ntexts, const struct sl_cfg_opts *opts,
		 struct sl_cfg **out);

/*
 * Reads the files named in @paths and parses them like sl_cfg_parse(). A file that cannot be read
 * is an error naming it. Same returns.
 */
int sl_cfg_load_files(const char *const *paths, int npaths, const struct sl_cfg_opts *opts,
		      struct sl_cfg **out);

/* Frees a configuration and everything in it. NULL is accepted. */
void sl_cfg_free(struct sl_cfg *cfg);

/*
 * Prints @cfg as canonical configuration text: every effective setting written out, defaults
 * resolved into each proxy. Parsing the output yields the same model (and the same dump).
 * Returns 0, or -EIO when writing failed.
 */
int sl_cfg_dump(const struct sl_cfg *cfg, FILE *f);

/* Lookups by name; NULL when absent. @cap is SL_CAP_FE or SL_CAP_BE. */
struct sl_proxy *sl_cfg_find_proxy(const struct sl_cfg *cfg, const char *name, unsigned cap);
struct sl_server *sl_cfg_find_server(const struct sl_proxy *be, const char *name);

/* The stats page of @cfg that stands for @px, a stats page of the configuration a reload
 * replaced: the same name, else the stats frontend listening on the same first port. NULL when
 * none (a reload cannot remove a stats page: sl_cfg_reload_check() refuses it). */
const struct sl_proxy *sl_cfg_stats_page_in(const struct sl_cfg *cfg, const struct sl_proxy *px);

/* Parses a time such as "5000", "5s", "2h", "100ms" into milliseconds (rounded up from us).
 * Returns 0, or -EINVAL (bad unit or syntax) / -ERANGE (over INT_MAX ms). */
int sl_cfg_parse_time(const char *s, int *ms);

/*
 * Resolves host name @host to one IPv4 address (*@v4, host order). Returns 0, or -ENOENT (no
 * such name), -EAFNOSUPPORT (the name has IPv6 addresses only), another negative errno (a
 * failure); on failure @err (size @errlen) may say why in a few words. sluiced's is getaddrinfo()
 * (controlplane/resolve.c); tests pass their own.
 */
typedef int (*sl_cfg_resolve_fn)(void *arg, const char *host, uint32_t *v4, char *err,
				 size_t errlen);

struct sl_cfg_resolve_opts {
	sl_cfg_resolve_fn fn; /* "libc"; NULL: libc fails for every name */
	void *arg;
	const struct sl_cfg *running; /* "last": the configuration serving now (NULL at start) */
	sl_cfg_diag_fn diag_fn;       /* NULL: stderr */
	void *diag_arg;
	/* A run-time DNS update (controlplane/resolvers.c) rebuilding the running configuration's
	 * texts: a server written with a name gets its address from @runtime_fn when it returns 1
	 * (*v4 set) or 0 (no address: maintenance), else (< 0) the address the running
	 * configuration gave it; no init-addr method runs for either. NULL at start and reload. */
	int (*runtime_fn)(void *arg, const struct sl_proxy *px, const struct sl_server *s,
			  uint32_t *v4);
	void *runtime_arg;
};

/*
 * Gives each server written with a host name its address, by its init-addr methods in order
 * (default "last,libc"): last = the address the running configuration gave the same server
 * (backend and server names) written with the same name; libc = @o->fn; none = no address, the
 * server in maintenance until a reload resolves it; an IPv4 address. Main's work, after
 * sl_cfg_parse() and before the configuration is used. Every server that no method resolves is
 * an error at its line ("could not resolve address"). Returns 0, or -EINVAL after reporting.
 */
int sl_cfg_resolve(struct sl_cfg *cfg, const struct sl_cfg_resolve_opts *o);

/*
 * Whether the dataplane of @cfg can reach server @s of backend @px at its address: a loopback
 * address (127.0.0.0/8), an IPv6 one (never used) or one on no subnet of an `address` line and
 * under no `route` cannot be: SL_DIAG_WARNING (the configuration stays valid, as HAProxy's would)
 * with the message, naming the server, in @msg (size @len). Returns -1 when reachable, without an
 * address, or when @cfg has no dataplane section. Run on servers written with an address by the parse's final
 * checks, and on those written with a host name once sl_cfg_resolve() gave them one.
 */
int sl_cfg_server_reach(const struct sl_cfg *cfg, const struct sl_proxy *px,
			const struct sl_server *s, char *msg, size_t len);

/* Whether @s starts in maintenance from the file: `disabled`, or no address (init-addr none). */
static inline bool sl_cfg_srv_maint(const struct sl_server *s)
{
	return s->p.disabled || s->addr.family == 0;
}

/* Names of enum values, as written in the configuration. */
const char *sl_cfg_init_addr_name(enum sl_init_addr_method m);
const char *sl_cfg_balance_name(enum sl_balance b);
const char *sl_cfg_fetch_name(enum sl_acl_fetch f);
/* The name of stick table data type @d (enum sl_cfg_stk_data): "http_req_rate"; "?" when out of range. */
const char *sl_cfg_stk_data_name(int d);

#endif
