/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of strict base64 (proto/base64.c) and of the stats page's Basic
 * authentication (dataplane/rules/http_auth.c): RFC 4648 vectors, every malformed input refused,
 * every malformed Authorization header refused, the comparison walks the whole input and every
 * configured user, and the challenge's realm is escaped.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/base64.h"
#include "dataplane/rules/http_auth.h"
#include "proto/outbuf.h"
#include "tests/unit/sl_test.h"

/* ---------------------------------------------------------------- base64 */

static int dec(const char *in, char *out, size_t cap, size_t *len)
{
	return sl_base64_decode(in, strlen(in), (uint8_t *)out, cap, len);
}

static void test_b64_vectors(void)
{
	static const char *const v[][2] = {
		{"", ""},	  {"f", "Zg=="},	{"fo", "Zm8="},		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
	};
	char out[64], enc[64];
	size_t len;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL(dec(v[i][1], out, sizeof(out), &len), 0);
		CU_ASSERT_EQUAL(len, strlen(v[i][0]));
		CU_ASSERT(memcmp(out, v[i][0], len) == 0);
		CU_ASSERT_EQUAL(sl_base64_encode(v[i][0], strlen(v[i][0]), enc, sizeof(enc)),
				(int)strlen(v[i][1]));
		CU_ASSERT_STRING_EQUAL(enc, v[i][1]);
	}
	/* every byte value round-trips, the whole alphabet decodes */
	uint8_t all[256], back[256];
	char b64[400];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(sl_base64_encode(all, 256, b64, sizeof(b64)), 344);
	CU_ASSERT_EQUAL(sl_base64_decode(b64, 344, back, sizeof(back), &len), 0);
	CU_ASSERT_EQUAL(len, 256);
	CU_ASSERT(memcmp(all, back, 256) == 0);
	CU_ASSERT_EQUAL(dec("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", out,
			    sizeof(out), &len),
			0);
	CU_ASSERT_EQUAL(len, 48);
	CU_ASSERT_EQUAL(sl_base64_encode("abc", 3, b64, 4), -EMSGSIZE); /* no room for the NUL */
}

static void test_b64_strict(void)
{
	static const char *const bad[] = {
		"Zg",	    /* no padding */
		"Zg=",	    /* short */
		"Zg===",    /* bad length */
		"Z===",	    /* three '=' */
		"====",	    /* only padding */
		"Zm9v\n",   /* whitespace */
		"Zm 9v",    /* space */
		"Zm9v ",    /* trailing space */
		"Zh==",	    /* non-zero unused bits ("f" is Zg==) */
		"Zm9=",	    /* idem ("fo" is Zm8=) */
		"Zg==Zg==", /* padding in the middle */
		"Z=g=",	    /* '=' before a character */
		"Zm-_",	    /* URL-safe alphabet */
		"Zm9\x80",  /* non-ASCII */
		"Zm9*",	    /* punctuation */
		"Zm9:",
		"Zm9@",
		"Zm9[",
		"Zm9`",
		"Zm9{",
	};
	char out[64];
	size_t len = 99;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dec(bad[i], out, sizeof(out), &len);
		CU_ASSERT_EQUAL(rc, -EINVAL);
		if (rc != -EINVAL)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CU_ASSERT_EQUAL(len, 0);
	}
	/* a NUL inside the given length is a bad character, not the end */
	CU_ASSERT_EQUAL(sl_base64_decode("Zm\0v", 4, (uint8_t *)out, sizeof(out), &len), -EINVAL);
	/* oversize: output does not fit */
	CU_ASSERT_EQUAL(dec("Zm9vYmFy", out, 5, &len), -EMSGSIZE);
	CU_ASSERT_EQUAL(dec("Zm9vYmE=", out, 5, &len), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_EQUAL(sl_base64_decoded_max(8), 6);
}

/* ---------------------------------------------------------------- Basic auth */

static struct sl_cfg_str u3 = {NULL, "carol:c@r0l:with:colons"};
static struct sl_cfg_str u2 = {&u3, "bob:hunter2"};
static struct sl_cfg_str u1 = {&u2, "admin:s3cret"};

/* "Basic " + base64(@cred) in @buf. */
static const char *basic(const char *scheme, const char *cred, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s ", scheme);
	sl_base64_encode(cred, strlen(cred), buf + n, size - (size_t)n);
	return buf;
}

static void test_auth_ok(void)
{
	char h[256];
	size_t cmp;
	CU_ASSERT_TRUE(sl_http_auth_check(basic("Basic", "admin:s3cret", h, sizeof(h)), &u1));
	CU_ASSERT_TRUE(sl_http_auth_check(basic("basic", "bob:hunter2", h, sizeof(h)), &u1));
	CU_ASSERT_TRUE(sl_http_auth_check(basic("BASIC", "carol:c@r0l:with:colons", h, sizeof(h)),
					  &u1));
	CU_ASSERT_TRUE(sl_http_auth_check("  Basic   YWRtaW46czNjcmV0 \t", &u1));
	/* every user is compared, whichever matches (or none) */
	CU_ASSERT_TRUE(sl_http_auth_check_count(basic("Basic", "admin:s3cret", h, sizeof(h)), &u1,
						&cmp));
	CU_ASSERT_EQUAL(cmp, 3);
	CU_ASSERT_FALSE(sl_http_auth_check_count(basic("Basic", "admin:wrong", h, sizeof(h)), &u1,
						 &cmp));
	CU_ASSERT_EQUAL(cmp, 3);
}

static void test_auth_refused(void)
{
	char h[256];
	size_t cmp = 99;
	/* wrong credentials */
	CU_ASSERT_FALSE(sl_http_auth_check(basic("Basic", "admin:s3cre", h, sizeof(h)), &u1));
	CU_ASSERT_FALSE(sl_http_auth_check(basic("Basic", "admin:s3cret!", h, sizeof(h)), &u1));
	CU_ASSERT_FALSE(sl_http_auth_check(basic("Basic", "Admin:s3cret", h, sizeof(h)), &u1));
	CU_ASSERT_FALSE(sl_http_auth_check(basic("Basic", "bob:s3cret", h, sizeof(h)), &u1));
	CU_ASSERT_FALSE(sl_http_auth_check(basic("Basic", "admin:s3cret", h, sizeof(h)), NULL));
	/* a NUL byte smuggled in the credentials */
	char enc[64];
	sl_base64_encode("admin:s3cret\0x", 14, enc, sizeof(enc));
	snprintf(h, sizeof(h), "Basic %s", enc);
	CU_ASSERT_FALSE(sl_http_auth_check(h, &u1));

	static const char *const bad[] = {
		NULL,
		"",
		"   ",
		"Basic",
		"Basic ",
		"Basic    ",
		"YWRtaW46czNjcmV0",	   /* no scheme */
		"Bearer YWRtaW46czNjcmV0", /* another scheme */
		"Basi YWRtaW46czNjcmV0",
		"BasicYWRtaW46czNjcmV0",    /* no space */
		"Basic\tYWRtaW46czNjcmV0",  /* not SP */
		"Basic YWRtaW46czNjcmV0=",  /* bad length */
		"Basic YWRtaW46czNjcmV0!!", /* bad characters */
		"Basic YWRta W46czNjcmV0",  /* space inside */
		"Basic YWRtaW46czNjcmV0 YWRtaW46czNjcmV0",
		"Basic YWRtaW4=",	    /* "admin": no colon */
		"Basic OnMzY3JldA==",	    /* ":s3cret": empty user */
		"Basic Og==",		    /* ":" */
		"Basic ====",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool ok = sl_http_auth_check_count(bad[i], &u1, &cmp);
		CU_ASSERT_FALSE(ok);
		CU_ASSERT_EQUAL(cmp, 0); /* refused before any comparison */
		if (ok || cmp != 0)
			fprintf(stderr, "case %zu: ok=%d cmp=%zu\n", i, ok, cmp);
	}

	/* over 10 KiB: refused even when valid, exactly 10 KiB is examined */
	size_t big = SL_HTTP_AUTH_MAX_HEADER + 1;
	char *hb = malloc(big + 1);
	char *cred = malloc(8000);
	memset(cred, 'x', 7000);
	memcpy(cred, "admin:", 6);
	cred[7000] = '\0';
	int n = snprintf(hb, big + 1, "Basic ");
	int e = sl_base64_encode(cred, 7000, hb + n, big + 1 - (size_t)n);
	CU_ASSERT(e > 0);
	size_t l = strlen(hb); /* 6 + 9336 = 9342 */
	memset(hb + l, ' ', big - l); /* pad with spaces to 10 KiB + 1 */
	hb[big] = '\0';
	CU_ASSERT_FALSE(sl_http_auth_check_count(hb, &u1, &cmp));
	CU_ASSERT_EQUAL(cmp, 0);
	hb[big - 1] = '\0'; /* exactly 10 KiB: examined (and wrong) */
	CU_ASSERT_FALSE(sl_http_auth_check_count(hb, &u1, &cmp));
	CU_ASSERT_EQUAL(cmp, 3);
	struct sl_cfg_str longuser = {NULL, cred};
	CU_ASSERT_TRUE(sl_http_auth_check(hb, &longuser));
	free(hb);
	free(cred);
}

/*
 * The comparison's logic is independent of where the first difference is: the accumulated
 * difference carries the bits of every differing byte, so the loop did not stop at the first
 * one, and the result never depends on more than equality.
 */
static void test_ct_compare(void)
{
	/* differences at the first and the last byte, with disjoint bits */
	const char a[] = "\x01xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x80";
	const char b[] = "\x00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\x00";
	CU_ASSERT_EQUAL(sl_http_auth_ct_diff(a, sizeof(a) - 1, b, sizeof(b) - 1), 0x81);
	/* one difference anywhere gives the same kind of answer */
	char x[64], y[64];
	memset(x, 'q', sizeof(x));
	for (size_t pos = 0; pos < sizeof(x); pos++) {
		memcpy(y, x, sizeof(y));
		y[pos] ^= 0x10;
		CU_ASSERT_EQUAL(sl_http_auth_ct_diff(x, sizeof(x), y, sizeof(y)), 0x10);
		CU_ASSERT_FALSE(sl_http_auth_ct_equal(x, sizeof(x), y, sizeof(y)));
	}
	/* every byte position contributes: flip bit (pos % 8) at every position */
	memcpy(y, x, sizeof(y));
	for (size_t pos = 0; pos < 8; pos++)
		y[sizeof(y) - 8 + pos] ^= (char)(1u << pos);
	CU_ASSERT_EQUAL(sl_http_auth_ct_diff(x, sizeof(x), y, sizeof(y)), 0xff);
	/* lengths: a different length always differs, whatever the bytes; the walk covers the
	 * presented side even when the secret is shorter or empty */
	CU_ASSERT_EQUAL(sl_http_auth_ct_diff("abc", 3, "abc", 3), 0);
	CU_ASSERT(sl_http_auth_ct_equal("abc", 3, "abc", 3));
	CU_ASSERT_EQUAL(sl_http_auth_ct_diff("abc", 3, "ab", 2), 0x100u | ('c' ^ 'a'));
	CU_ASSERT_EQUAL(sl_http_auth_ct_diff("ab", 2, "abc", 3), 0x100u);
	CU_ASSERT_EQUAL(sl_http_auth_ct_diff("ab", 2, "", 0), 0x100u | 'a' | 'b');
	CU_ASSERT_EQUAL(sl_http_auth_ct_diff("", 0, "", 0), 0);
	CU_ASSERT_FALSE(sl_http_auth_ct_equal("", 0, "a", 1));
}

static void test_challenge(void)
{
	struct sl_outbuf o;
	sl_outbuf_init(&o, 0);
	CU_ASSERT_EQUAL(sl_http_auth_challenge("Ant Media", &o), 0);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "WWW-Authenticate: Basic realm=\"Ant Media\"\r\n");
	sl_outbuf_reset(&o);
	sl_http_auth_challenge("a\"b\\c\r\nSet-Cookie: x=1\x7f", &o);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o),
			       "WWW-Authenticate: Basic realm=\"a\\\"b\\\\cSet-Cookie: x=1\"\r\n");
	sl_outbuf_reset(&o);
	sl_http_auth_challenge(NULL, &o);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o),
			       "WWW-Authenticate: Basic realm=\"" SL_HTTP_AUTH_DEFAULT_REALM
			       "\"\r\n");
	sl_outbuf_free(&o);
	sl_outbuf_init(&o, 10);
	CU_ASSERT_EQUAL(sl_http_auth_challenge("x", &o), -ENOSPC);
	sl_outbuf_free(&o);
}

static const struct sl_test_case b64_cases[] = {
	{"vectors", test_b64_vectors},
	{"strict", test_b64_strict},
	{NULL, NULL},
};

static const struct sl_test_case auth_cases[] = {
	{"ok", test_auth_ok},
	{"refused", test_auth_refused},
	{"ct_compare", test_ct_compare},
	{"challenge", test_challenge},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"base64", b64_cases},
		{"http_auth", auth_cases},
		{NULL, NULL},
	};
	return sl_test_run(suites);
}
