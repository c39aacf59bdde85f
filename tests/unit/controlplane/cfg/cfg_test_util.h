/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the configuration parser tests (test_cfg.c, test_cfg_errors.c): a
 * diagnostics collector, a fake filesystem and environment, parse wrappers and assertions.
 */
#ifndef SL_CFG_TEST_UTIL_H
#define SL_CFG_TEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "controlplane/cfg/cfg.h"
#include "tests/unit/sl_test.h"

/* ---------------------------------------------------------------- diagnostics */

struct tdiag {
	enum sl_cfg_diag_level level;
	char file[256]; /* "" when the diagnostic names no file */
	int line;
	char msg[1024];
};

struct tdiags {
	int n, nerr, nwarn; /* counted even beyond the 128 stored */
	struct tdiag d[128];
};

/* sl_cfg_diag_fn recording into the struct tdiags at @arg. */
void tdiag_collect(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
		   const char *msg);

/* Prints every stored diagnostic on stderr (to explain a failed assertion). */
void tdiag_print(const struct tdiags *d, const char *why);

/* The first diagnostic of @level, or NULL. */
const struct tdiag *tdiag_first(const struct tdiags *d, enum sl_cfg_diag_level level);

/* Whether some diagnostic of @level is at @file:@line (line < 0: any line) and contains @sub
 * (NULL: any message). */
bool tdiag_has(const struct tdiags *d, enum sl_cfg_diag_level level, const char *file, int line,
	       const char *sub);

/* ---------------------------------------------------------------- fakes */

/*
 * Fake filesystem for sl_cfg_read_fn. Always present: /etc/haproxy/errors/{400,403,408,500,502,
 * 503,504}.http, /etc/haproxy/certs/$DOMAIN.pem (literal '$'), /certs/site.pem, and the
 * directories /certs/dir and /etc/ssl/private. tfs_add() adds a file for the current test (the
 * table is emptied by tfs_reset(), which tparse*() do NOT call: call it in the test).
 */
void tfs_reset(void);
void tfs_add(const char *path, const char *content);
/* The content the fake filesystem gives for @path, or NULL. */
const char *tfs_content(const char *path);
int tfs_read(void *arg, struct sl_arena *arena, const char *path, const char **data, size_t *len);

/* Fake environment: DOMAIN=example.com, PORT=8080, EMPTY="", ADDR=10.0.0.7. */
const char *tgetenv(const char *name);

/* ---------------------------------------------------------------- parsing */

/* Parses @text as one file named "t.cfg" with the fakes and no_dataplane_ok. *@d is reset. */
int tparse(const char *text, struct sl_cfg **out, struct tdiags *d);
/* The same for @n texts. */
int tparse_n(const struct sl_cfg_text *texts, int n, struct sl_cfg **out, struct tdiags *d);
/* The same with the no_dataplane_ok option given. */
int tparse_opt(const struct sl_cfg_text *texts, int n, bool no_dataplane_ok, struct sl_cfg **out,
	       struct tdiags *d);

/* Reads SL_FIXTURES/@rel (e.g. "seed/seed-common.cfg") into a malloc()ed, NUL-terminated buffer;
 * NULL when it cannot be read. */
char *tload_fixture(const char *rel, size_t *len);

/*
 * Parses fixture files (paths relative to SL_FIXTURES) in order, each text named by its basename
 * ("seed-common.cfg"). Returns the sl_cfg_parse() result, or -ENOENT when a fixture is missing.
 */
int tparse_fixtures(const char *const *rels, int n, struct sl_cfg **out, struct tdiags *d);

/* Dumps @cfg into a malloc()ed NUL-terminated string (NULL on failure). */
char *tdump(const struct sl_cfg *cfg, size_t *len);

/* Most keyword families in one valid configuration (with a dataplane section). */
extern const char tkitchen_sink[];

/* ---------------------------------------------------------------- model lookups */

/* The first non-defaults proxy named @name, or NULL. */
struct sl_proxy *tpx(const struct sl_cfg *cfg, const char *name);
/* The proxy named @name with all caps in @cap, or NULL. */
struct sl_proxy *tpx_cap(const struct sl_cfg *cfg, const char *name, unsigned cap);
struct sl_server *tsrv(const struct sl_proxy *px, const char *name);
struct sl_acl *tacl(const struct sl_proxy *px, const char *name);
int tcount_str(const struct sl_cfg_str *l);
/* The @i-th (0-based) string of a list, or NULL. */
const char *tstr_at(const struct sl_cfg_str *l, int i);
/* IPv4 a.b.c.d in host order. */
#define TIP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

/* ---------------------------------------------------------------- assertions */

/*
 * Checks the errors in @d: with @exact, there is exactly one error, otherwise at least one; the
 * first error is at @file:@line (@line < 0: any line) and its message contains @sub or, when
 * @sub2 is not NULL, @sub2. Prints the diagnostics when the check fails.
 */
bool tcheck_first_error(const struct tdiags *d, bool exact, const char *file, int line,
			const char *sub, const char *sub2);

/* NULL-safe string comparison; prints both strings when they differ. */
bool tstreq(const char *got, const char *want, const char *expr);
#define T_STR_EQ(got, want) CU_ASSERT(tstreq((got), (want), #got))
/* For a field whose model comment says 'default "X"': NULL (meaning the default) or "X". */
#define T_STR_DEFAULT(got, want) CU_ASSERT((got) == NULL || tstreq((got), (want), #got))

/* Asserts that a parse succeeded with no error (printing the diagnostics otherwise). */
#define T_PARSED_OK(rc, cfg, d)                                          \
	do {                                                             \
		if ((rc) != 0 || (d)->nerr != 0 || (cfg) == NULL)        \
			tdiag_print((d), "expected a successful parse"); \
		CU_ASSERT_EQUAL((rc), 0);                                \
		CU_ASSERT_EQUAL((d)->nerr, 0);                           \
		CU_ASSERT_PTR_NOT_NULL_FATAL((cfg));                     \
	} while (0)

/* Parses @text (named "t.cfg") and asserts it succeeds; leaves the result in @cfg. */
#define T_PARSE_OK(text, cfg, d)                       \
	do {                                           \
		int rc_ = tparse((text), &(cfg), (d)); \
		T_PARSED_OK(rc_, (cfg), (d));          \
	} while (0)

/*
 * Parses @texts and checks that they are refused: -EINVAL, *out NULL, exactly one error (or at
 * least one when !@exact) whose first is at @file:@line (@line < 0: any) and names @sub (or
 * @sub2). Prints what went wrong; the diagnostics are left in *@d when @d is not NULL.
 */
bool trefused(const struct sl_cfg_text *texts, int n, bool exact, const char *file, int line,
	      const char *sub, const char *sub2, struct tdiags *d);
/* The same for one NUL-terminated text named "t.cfg". */
bool trefused1(const char *text, bool exact, int line, const char *sub, const char *sub2,
	       struct tdiags *d);

#define T_REFUSED_EX(text, exact, line, sub, sub2) \
	CU_ASSERT(trefused1((text), (exact), (line), (sub), (sub2), NULL))
#define T_REFUSED(text, line, sub)	  T_REFUSED_EX((text), true, (line), (sub), NULL)
#define T_REFUSED2(text, line, sub, sub2) T_REFUSED_EX((text), true, (line), (sub), (sub2))

#endif
