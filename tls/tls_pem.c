/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading a certificate bundle: one PEM file holding a leaf certificate, its chain and its
 * private key in any order (what HAProxy's `crt` takes), or certbot's pair of fullchain.pem and
 * privkey.pem. The leaf is found by its key rather than by its place in the file, and the chain
 * is put back in issuer order, so a bundle concatenated in the "wrong" order still serves a
 * chain clients can verify.
 *
 * Every refusal names the file and says why in one line: these messages are what an operator
 * sees when a reload is refused, often at night.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/tls_int.h"

/* A bundle is a few kilobytes; the bound only stops a mistaken path from being slurped. */
#define PEM_FILE_MAX (1024 * 1024)

void sl_tls_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* One line: a file name or an OpenSSL reason must not break the log format. */
	for (char *p = err; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

const char *sl_tls_ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r != NULL ? r : "unknown reason";
}

/*
 * Reads the whole regular file @path into a malloc'd buffer. Returns 0, or -1 with @err set
 * (cannot open or read, not a regular file, too large, empty or only blank).
 */
static int read_file(const char *path, unsigned char **data, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	unsigned char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		sl_tls_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		sl_tls_errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail_close;
	}
	if (!S_ISREG(st.st_mode)) {
		sl_tls_errf(err, errlen, "%s: not a regular file", path);
		goto fail_close;
	}
	if (st.st_size > PEM_FILE_MAX) {
		sl_tls_errf(err, errlen, "%s: too large for a PEM bundle (%lld bytes, limit %d)",
			    path, (long long)st.st_size, PEM_FILE_MAX);
		goto fail_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		sl_tls_errf(err, errlen, "%s: out of memory", path);
		goto fail_close;
	}
	/* Read to EOF rather than trusting st_size: the file may be rewritten under us. */
	for (;;) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sl_tls_errf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail_free;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > (size_t)st.st_size) {
			sl_tls_errf(err, errlen, "%s: changed while being read", path);
			goto fail_free;
		}
	}
	close(fd);
	size_t i = 0;
	while (i < got && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	if (i == got) {
		sl_tls_errf(err, errlen, "%s: empty file", path);
		free(buf);
		return -1;
	}
	*data = buf;
	*len = got;
	return 0;

fail_free:
	free(buf);
fail_close:
	close(fd);
	return -1;
}

/* What the PEM blocks of a bundle's files gave, before the leaf is known. */
struct acc {
	STACK_OF(X509) *certs; /* in file order */
	EVP_PKEY *key;
	const char *key_file;
	int blocks;
};

static bool is_cert_block(const char *name)
{
	return strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0 ||
	       strcmp(name, PEM_STRING_X509_TRUSTED) == 0;
}

static bool is_key_block(const char *name)
{
	size_t n = strlen(name), k = strlen("PRIVATE KEY");
	return n >= k && strcmp(name + n - k, "PRIVATE KEY") == 0;
}

/*
 * Decodes one PEM block (@name, its @header lines, @der of @dlen bytes) of @path into @a.
 * Returns 0 (kept or ignored) or -1 with @err set.
 */
static int take_block(struct acc *a, const char *path, const char *name, const char *header,
		      const unsigned char *der, long dlen, char *err, size_t errlen)
{
	const unsigned char *p = der;

	if (is_cert_block(name)) {
		/* TRUSTED CERTIFICATE carries trust settings after the DER: the _AUX form. */
		bool aux = strcmp(name, PEM_STRING_X509_TRUSTED) == 0;
		X509 *x = aux ? d2i_X509_AUX(NULL, &p, dlen) : d2i_X509(NULL, &p, dlen);
		if (x == NULL || p != der + dlen) {
			X509_free(x);
			sl_tls_errf(err, errlen,
				    "%s: PEM block %d (%s) is not a valid certificate: %s", path,
				    a->blocks, name, sl_tls_ossl_reason());
			return -1;
		}
		if (!sk_X509_push(a->certs, x)) {
			X509_free(x);
			sl_tls_errf(err, errlen, "%s: out of memory", path);
			return -1;
		}
		return 0;
	}
	if (!is_key_block(name))
		return 0; /* EC/DH PARAMETERS, CRLs...: HAProxy skips them too */
	if (strcmp(name, PEM_STRING_PKCS8) == 0 || strstr(header, "ENCRYPTED") != NULL) {
		sl_tls_errf(err, errlen,
			    "%s: the private key is encrypted (a passphrase cannot be asked for at "
			    "reload: store it unencrypted, readable by root only)",
			    path);
		return -1;
	}
	if (a->key != NULL) {
		sl_tls_errf(err, errlen, "%s: more than one private key (first in %s)", path,
			    a->key_file);
		return -1;
	}
	/* PKCS#8 "PRIVATE KEY" as well as traditional "RSA/EC PRIVATE KEY" DER. */
	EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, dlen);
	if (k == NULL || p != der + dlen) {
		EVP_PKEY_free(k);
		sl_tls_errf(err, errlen, "%s: PEM block %d (%s) is not a valid private key: %s",
			    path, a->blocks, name, sl_tls_ossl_reason());
		return -1;
	}
	a->key = k;
	a->key_file = path;
	return 0;
}

/* Reads the PEM blocks of @path into @a. Returns 0 or -1 with @err set. */
static int read_blocks(struct acc *a, const char *path, char *err, size_t errlen)
{
	unsigned char *data;
	size_t len;
	int ret = -1;

	if (read_file(path, &data, &len, err, errlen) != 0)
		return -1;
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL) {
		sl_tls_errf(err, errlen, "%s: out of memory", path);
		goto out_data;
	}
	int here = 0;
	ERR_clear_error();
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *der = NULL;
		long dlen = 0;
		if (!PEM_read_bio(bio, &name, &header, &der, &dlen)) {
			unsigned long e = ERR_peek_last_error();
			/* "no start line" at the end is how PEM_read_bio() says "no more blocks".
			 */
			if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
				ERR_clear_error();
				break;
			}
			sl_tls_errf(err, errlen, "%s: undecodable PEM after %d good block(s): %s",
				    path, here, sl_tls_ossl_reason());
			goto out_bio;
		}
		a->blocks++;
		here++;
		int r = take_block(a, path, name, header, der, dlen, err, errlen);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, (size_t)dlen); /* may be a private key */
		if (r != 0)
			goto out_bio;
	}
	if (here == 0) {
		sl_tls_errf(err, errlen, "%s: no PEM data (not a PEM file?)", path);
		goto out_bio;
	}
	ret = 0;
out_bio:
	BIO_free(bio);
out_data:
	OPENSSL_cleanse(data, len); /* the file held a private key */
	free(data);
	return ret;
}

/* Formats @t as "2024-05-01 12:00:00 UTC" into @buf. */
static const char *fmt_time(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Refuses a leaf outside its validity period: clients would refuse it anyway. */
static int check_dates(X509 *leaf, const char *what, char *err, size_t errlen)
{
	char tb[64];
	const ASN1_TIME *nb = X509_get0_notBefore(leaf), *na = X509_get0_notAfter(leaf);
	int cb = X509_cmp_current_time(nb), ca = X509_cmp_current_time(na);

	if (cb == 0 || ca == 0) {
		sl_tls_errf(err, errlen, "%s: certificate has malformed validity dates", what);
		return -1;
	}
	if (cb > 0) {
		sl_tls_errf(err, errlen, "%s: certificate is not yet valid (notBefore %s)", what,
			    fmt_time(nb, tb, sizeof(tb)));
		return -1;
	}
	if (ca < 0) {
		sl_tls_errf(err, errlen, "%s: certificate expired (notAfter %s)", what,
			    fmt_time(na, tb, sizeof(tb)));
		return -1;
	}
	return 0;
}

/*
 * Moves the certificates of @certs other than @leaf into a new chain: the leaf's issuer first,
 * then its issuer and so on (RFC 8446 4.4.2 wants that order, TLS 1.2 clients may require
 * it), then whatever is left, in file order.
 */
static STACK_OF(X509) *order_chain(STACK_OF(X509) *certs, X509 *leaf)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *cur = leaf;

	if (chain == NULL)
		return NULL;
	for (;;) {
		int found = -1;
		for (int i = 0; i < sk_X509_num(certs); i++) {
			X509 *x = sk_X509_value(certs, i);
			if (x != NULL && x != cur && X509_check_issued(x, cur) == X509_V_OK) {
				found = i;
				break;
			}
		}
		if (found < 0)
			break;
		cur = sk_X509_value(certs, found);
		sk_X509_set(certs, found, NULL);
		if (!sk_X509_push(chain, cur))
			goto fail;
	}
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		if (x == NULL)
			continue;
		sk_X509_set(certs, i, NULL);
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			goto fail;
		}
	}
	return chain;
fail:
	sk_X509_pop_free(chain, X509_free);
	return NULL;
}

void sl_tls_bundle_clear(struct sl_tls_bundle *b)
{
	X509_free(b->leaf);
	sk_X509_pop_free(b->chain, X509_free);
	EVP_PKEY_free(b->key);
	memset(b, 0, sizeof(*b));
}

int sl_tls_bundle_read(const char *const *files, int nfiles, struct sl_tls_bundle *b, char *err,
		       size_t errlen)
{
	struct acc a = {.certs = sk_X509_new_null()};
	char what[1024];
	int ret = -1;

	memset(b, 0, sizeof(*b));
	/* Messages about the bundle as a whole name all its files. */
	snprintf(what, sizeof(what), "%s%s%s", files[0], nfiles > 1 ? " + " : "",
		 nfiles > 1 ? files[1] : "");
	if (a.certs == NULL) {
		sl_tls_errf(err, errlen, "%s: out of memory", what);
		return -1;
	}
	for (int i = 0; i < nfiles; i++)
		if (read_blocks(&a, files[i], err, errlen) != 0)
			goto out;
	if (sk_X509_num(a.certs) == 0) {
		sl_tls_errf(err, errlen, "%s: no certificate", what);
		goto out;
	}
	if (a.key == NULL) {
		sl_tls_errf(err, errlen, "%s: no private key", what);
		goto out;
	}
	int li = -1;
	for (int i = 0; i < sk_X509_num(a.certs) && li < 0; i++)
		if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(a.certs, i)), a.key) == 1)
			li = i;
	ERR_clear_error();
	if (li < 0) {
		sl_tls_errf(
			err, errlen,
			"%s: the private key does not match the certificate%s (%d in the bundle)",
			what, sk_X509_num(a.certs) > 1 ? " nor any other" : "",
			sk_X509_num(a.certs));
		goto out;
	}
	X509 *leaf = sk_X509_value(a.certs, li);
	if (check_dates(leaf, what, err, errlen) != 0)
		goto out;
	sk_X509_set(a.certs, li, NULL);
	b->leaf = leaf;
	b->chain = order_chain(a.certs, leaf);
	if (b->chain == NULL) {
		sl_tls_errf(err, errlen, "%s: out of memory", what);
		sl_tls_bundle_clear(b);
		goto out;
	}
	b->key = a.key;
	a.key = NULL;
	ret = 0;
out:
	sk_X509_pop_free(a.certs, X509_free);
	EVP_PKEY_free(a.key);
	return ret;
}
