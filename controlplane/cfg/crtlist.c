/* SPDX-License-Identifier: BSD-3-Clause */
/* The crt-list parser: see crtlist.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/crtlist.h"

/* The SSL options HAProxy 2.6 knows on a crt-list line that sluice accepts without effect
 * (the bind's settings apply: one set of versions, ciphers and ALPN per bind line). */
static const struct {
	const char *name;
	bool value;
} ignored_opts[] = {
	{"alpn", true},	   {"npn", true},	  {"ciphers", true},	   {"ciphersuites", true},
	{"curves", true},  {"ecdhe", true},	  {"ssl-min-ver", true},   {"ssl-max-ver", true},
	{"allow-0rtt", false},
};

int sl_crtlist_verify(const char *w)
{
	if (strcmp(w, "none") == 0)
		return 0;
	if (strcmp(w, "optional") == 0)
		return 1;
	if (strcmp(w, "required") == 0)
		return 2;
	return -1;
}

static void errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void ent_free(struct sl_crtlist_ent *e)
{
	free(e->crt);
	free(e->ca_file);
	free(e->crl_file);
	free(e->ca_verify_file);
	for (int i = 0; i < e->nfilters; i++)
		free(e->filters[i]);
	free(e->filters);
	for (int i = 0; i < e->nignored; i++)
		free(e->ignored[i]);
	free(e->ignored);
}

void sl_crtlist_free(struct sl_crtlist *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < l->n; i++)
		ent_free(&l->ents[i]);
	free(l->ents);
	l->ents = NULL;
	l->n = 0;
}

static int push(char ***v, int *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
	if (nv == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strndup(s, len)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

/* Splits one line (@len bytes, no newline) into words: offsets into @p, at most @max. The
 * bracket characters are words of their own ("[alpn" is "[" then "alpn"). Returns the count,
 * or -1 when over @max. A word starting with '#' ends the line. */
static int split(const char *p, size_t len, size_t *off, size_t *wl, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
			i++;
		if (i == len || p[i] == '#')
			break;
		if (n == max)
			return -1;
		size_t s = i;
		if (p[i] == '[' || p[i] == ']') {
			i++;
		} else {
			while (i < len && p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
			       p[i] != '[' && p[i] != ']')
				i++;
		}
		off[n] = s;
		wl[n++] = i - s;
	}
	return n;
}

static bool weq(const char *p, size_t l, const char *w)
{
	return strlen(w) == l && memcmp(p, w, l) == 0;
}

#define MAXW 256

static int parse_line(const char *name, int ln, const char *p, size_t len,
		      struct sl_crtlist_ent *e, char *err, size_t errlen)
{
	size_t off[MAXW], wl[MAXW];
	int n = split(p, len, off, wl, MAXW);
	if (n < 0) {
		errf(err, errlen, "%s:%d: more than %d words on the line", name, ln, MAXW);
		return -1;
	}
	if (n == 0)
		return 0;
	if (p[off[0]] == '[' || p[off[0]] == ']') {
		errf(err, errlen, "%s:%d: the line must start with a certificate file", name, ln);
		return -1;
	}
	if ((e->crt = strndup(p + off[0], wl[0])) == NULL)
		goto nomem;
	int i = 1;
	if (i < n && p[off[i]] == '[') {
		for (i++; i < n && p[off[i]] != ']'; i++) {
			const char *w = p + off[i];
			size_t l = wl[i];
			const char *v = i + 1 < n && p[off[i + 1]] != ']' ? p + off[i + 1] : NULL;
			size_t vl = v != NULL ? wl[i + 1] : 0;
			bool valued = weq(w, l, "verify") || weq(w, l, "ca-file") ||
				      weq(w, l, "crl-file") || weq(w, l, "ca-verify-file");
			size_t k;
			for (k = 0; !valued && k < sizeof(ignored_opts) / sizeof(ignored_opts[0]); k++)
				if (weq(w, l, ignored_opts[k].name))
					break;
			bool ign = !valued && k < sizeof(ignored_opts) / sizeof(ignored_opts[0]);
			if (!valued && !ign && !weq(w, l, "no-ca-names")) {
				errf(err, errlen, "%s:%d: unknown ssl keyword '%.*s'", name, ln,
				     (int)l, w);
				return -1;
			}
			if ((valued || (ign && ignored_opts[k].value)) && v == NULL) {
				errf(err, errlen, "%s:%d: '%.*s' expects an argument", name, ln,
				     (int)l, w);
				return -1;
			}
			if (weq(w, l, "verify")) {
				char vb[16];
				snprintf(vb, sizeof(vb), "%.*s", (int)(vl < 15 ? vl : 15), v);
				e->verify = vl < 15 ? sl_crtlist_verify(vb) : -1;
				if (e->verify < 0) {
					errf(err, errlen,
					     "%s:%d: 'verify': unknown verify method '%.*s', only 'none', 'optional' and 'required' are supported",
					     name, ln, (int)vl, v);
					return -1;
				}
			} else if (weq(w, l, "ca-file") || weq(w, l, "crl-file") ||
				   weq(w, l, "ca-verify-file")) {
				char **dst = weq(w, l, "ca-file")  ? &e->ca_file :
					     weq(w, l, "crl-file") ? &e->crl_file :
								     &e->ca_verify_file;
				free(*dst);
				if ((*dst = strndup(v, vl)) == NULL)
					goto nomem;
			} else if (weq(w, l, "no-ca-names")) {
				e->no_ca_names = true;
			} else if (push(&e->ignored, &e->nignored, w, l) < 0) {
				goto nomem;
			}
			if (valued || (ign && ignored_opts[k].value))
				i++;
		}
		if (i < n) /* the ']' */
			i++;
	}
	for (; i < n; i++) {
		if (p[off[i]] == '[' || p[off[i]] == ']') {
			errf(err, errlen, "%s:%d: '%c' out of place: the ssl options go in one [...] right after the certificate file",
			     name, ln, p[off[i]]);
			return -1;
		}
		if (weq(p + off[i], wl[i], "!")) {
			errf(err, errlen, "%s:%d: empty negative SNI filter '!'", name, ln);
			return -1;
		}
		if (push(&e->filters, &e->nfilters, p + off[i], wl[i]) < 0)
			goto nomem;
	}
	return 1;
nomem:
	errf(err, errlen, "%s:%d: out of memory", name, ln);
	return -1;
}

int sl_crtlist_parse(const char *name, const char *text, size_t len, struct sl_crtlist *out,
		     char *err, size_t errlen)
{
	out->ents = NULL;
	out->n = 0;
	if (err != NULL && errlen != 0)
		err[0] = '\0';
	size_t pos = 0;
	for (int ln = 1; pos < len; ln++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (memchr(text + pos, '\0', ll) != NULL) {
			errf(err, errlen, "%s:%d: NUL byte in the line", name, ln);
			goto fail;
		}
		struct sl_crtlist_ent e = {.line = ln, .verify = SL_CRTLIST_VERIFY_UNSET};
		int r = parse_line(name, ln, text + pos, ll, &e, err, errlen);
		if (r < 0) {
			ent_free(&e);
			goto fail;
		}
		if (r > 0) {
			struct sl_crtlist_ent *ne =
				realloc(out->ents, (size_t)(out->n + 1) * sizeof(*ne));
			if (ne == NULL) {
				ent_free(&e);
				errf(err, errlen, "%s:%d: out of memory", name, ln);
				goto fail;
			}
			out->ents = ne;
			out->ents[out->n++] = e;
		}
		pos += ll + (nl != NULL);
	}
	return 0;
fail:
	sl_crtlist_free(out);
	return -1;
}
