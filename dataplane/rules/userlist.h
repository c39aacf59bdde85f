/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The http_auth(L) / http_auth_group(L) fetches: HTTP Basic credentials of a request checked
 * against a userlist (HAProxy 2.6's auth_resolve_groups()/check_user()). A `password` is a
 * crypt(3) hash, checked with crypt_rn() on the calling proxy lcore, as HAProxy checks it inline;
 * each lcore keeps the credentials it verified (keyed by a SipHash of the Authorization value
 * and of the stored hash, with a key drawn at start), so a keep-alive client costs one crypt()
 * and a reload that changes a password invalidates its entries. `insecure-password`s compare in
 * constant time. Failures are never cached.
 *
 * Threads: one struct sl_ul_scratch per evaluating thread (it holds crypt_rn()'s working area
 * and the cache); the userlists are read-only.
 */
#ifndef SL_USERLIST_H
#define SL_USERLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "controlplane/cfg/cfg-t.h"

struct sl_ul_scratch;

/* Allocates a scratch (start-up only); NULL when out of memory. */
struct sl_ul_scratch *sl_ul_scratch_new(void);
void sl_ul_scratch_free(struct sl_ul_scratch *s);

/* How many crypt_rn() calls this scratch made (tests: the cache works). */
unsigned long sl_ul_crypt_calls(const struct sl_ul_scratch *s);

/*
 * The user of @ul whose credentials the Authorization value @v (@vl bytes) carries ("Basic"
 * and base64 of "user:password"), or NULL: unknown user, wrong password, malformed value.
 */
const struct sl_ul_user *sl_ul_check(const struct sl_userlist *ul, const char *v, size_t vl,
				     struct sl_ul_scratch *s);

/* Whether user @u of @ul belongs to group @g (@gl bytes): its `groups`, or the group's `users`. */
bool sl_ul_in_group(const struct sl_userlist *ul, const struct sl_ul_user *u, const char *g,
		    size_t gl);

#endif
