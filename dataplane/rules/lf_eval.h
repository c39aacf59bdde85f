/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Evaluation of log-format strings compiled at load (struct sl_lf, controlplane/cfg/cfg-t.h) and
 * map lookups, on the proxy lcores. Pure: no allocation, no global state; the result is written
 * into the caller's buffer (the head being built), converters work in place.
 *
 * Samples as HAProxy 2.6 writes them: addresses dotted, ports and booleans (ssl_fc) decimal,
 * strings as they are. A fetch without a sample (no such header, no query, no SNI), and a map
 * lookup that finds nothing and has no default, write nothing (HAProxy's set-header then sets
 * an empty value). req.hdr(NAME) is the last comma-separated element of the NAME fields (an
 * occurrence N > 0 the N-th, N < 0 the N-th from the end), as HAProxy's sample fetch.
 * regsub() runs pcre2_substitute() with the calling thread's match data (ctx->scratch): without
 * a scratch it yields no sample.
 */
#ifndef SL_LF_EVAL_H
#define SL_LF_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "controlplane/cfg/cfg-t.h"
#include "dataplane/rules/acl_eval.h"

/* The groups of a regex match, for \1..\9 (replace-header, replace-path): PCRE2's ovector. */
struct sl_lf_groups {
	const char *subj;
	const size_t *ov; /* pairs of offsets into subj; (size_t)-1: unset */
	unsigned n;	  /* pairs */
};

/*
 * Appends @lf evaluated for @ctx (and the groups @g, may be NULL) at @buf[*@len, @cap). Returns
 * false when the result does not fit (*@len is then unchanged), true otherwise.
 */
bool sl_lf_eval(const struct sl_lf *lf, const struct sl_acl_ctx *ctx,
		const struct sl_lf_groups *g, char *buf, size_t cap, size_t *len);

/* The entry of @m matching key @k (@kl bytes) the way @how says, or NULL: the first in file
 * order (map_str: an exact match, found in the sorted index). */
const struct sl_map_ent *sl_map_lookup(const struct sl_map *m, enum sl_map_match how,
				       const char *k, size_t kl);

#endif
