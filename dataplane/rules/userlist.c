/* SPDX-License-Identifier: BSD-3-Clause */
/* Userlist checks for http_auth(): see userlist.h. */
#include "dataplane/rules/userlist.h"

#include <crypt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dataplane/rules/http_auth.h"
#include "proto/siphash.h"

#define UL_CACHE 256 /* verified credentials kept per thread (direct-mapped) */

struct sl_ul_scratch {
	struct crypt_data cd;
	struct sl_siphash_key key;
	uint64_t cache[UL_CACHE]; /* 0: empty */
	unsigned long crypts;
};

struct sl_ul_scratch *sl_ul_scratch_new(void)
{
	struct sl_ul_scratch *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	if (getrandom(&s->key, sizeof(s->key), 0) != (ssize_t)sizeof(s->key)) {
		free(s);
		return NULL;
	}
	return s;
}

void sl_ul_scratch_free(struct sl_ul_scratch *s)
{
	if (s != NULL) {
		explicit_bzero(s, sizeof(*s));
		free(s);
	}
}

unsigned long sl_ul_crypt_calls(const struct sl_ul_scratch *s)
{
	return s != NULL ? s->crypts : 0;
}

/* Whether the comma-separated @list holds @w (@wl bytes). */
static bool in_list(const char *list, const char *w, size_t wl)
{
	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *e = strchr(p, ',');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);
		if (l == wl && memcmp(p, w, wl) == 0)
			return true;
		p = e != NULL ? e + 1 : NULL;
	}
	return false;
}

const struct sl_ul_user *sl_ul_check(const struct sl_userlist *ul, const char *v, size_t vl,
				     struct sl_ul_scratch *s)
{
	uint8_t cred[1024];
	size_t cl = 0;
	if (ul == NULL || s == NULL ||
	    !sl_http_auth_basic_decode(v, vl, cred, sizeof(cred) - 1, &cl))
		return NULL;
	const uint8_t *colon = memchr(cred, ':', cl);
	size_t nl = (size_t)(colon - cred);
	const char *pass = (const char *)colon + 1;
	size_t pl = cl - nl - 1;
	cred[cl] = '\0';
	const struct sl_ul_user *u = ul->users;
	for (; u != NULL; u = u->next)
		if (strlen(u->name) == nl && memcmp(u->name, cred, nl) == 0)
			break;
	const struct sl_ul_user *found = NULL;
	if (u == NULL || memchr(pass, '\0', pl) != NULL) {
		found = NULL;
	} else if (u->insecure) {
		found = sl_http_auth_ct_equal(pass, pl, u->pass, strlen(u->pass)) ? u : NULL;
	} else {
		/* the key covers the whole value and the stored hash: a changed password misses */
		uint64_t k = sl_siphash_2u64(&s->key, sl_siphash(&s->key, cred, cl),
					     sl_siphash(&s->key, u->pass, strlen(u->pass)));
		k |= 1; /* never 0, the empty slot */
		uint64_t *slot = &s->cache[k % UL_CACHE];
		if (*slot == k) {
			found = u;
		} else {
			s->crypts++;
			/* crypt_rn(): libxcrypt's, which sanitizers do not intercept (their crypt_r
			 * interceptor left libcrypt unlinked in the ASan build: a call to address 0) */
			const char *h = crypt_rn(pass, u->pass, &s->cd, (int)sizeof(s->cd));
			if (h != NULL && h[0] != '*' &&
			    sl_http_auth_ct_equal(h, strlen(h), u->pass, strlen(u->pass))) {
				found = u;
				*slot = k;
			}
		}
	}
	explicit_bzero(cred, sizeof(cred));
	return found;
}

bool sl_ul_in_group(const struct sl_userlist *ul, const struct sl_ul_user *u, const char *g,
		    size_t gl)
{
	if (ul == NULL || u == NULL)
		return false;
	if (in_list(u->groups, g, gl))
		return true;
	for (const struct sl_ul_group *gr = ul->groups; gr != NULL; gr = gr->next)
		if (strlen(gr->name) == gl && memcmp(gr->name, g, gl) == 0 &&
		    in_list(gr->users, u->name, strlen(u->name)))
			return true;
	return false;
}
