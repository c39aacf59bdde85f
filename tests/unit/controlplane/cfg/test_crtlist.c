/* SPDX-License-Identifier: BSD-3-Clause */
/* The crt-list parser (controlplane/cfg/crtlist.h) on HAProxy 2.6's syntax. */
#include <string.h>

#include "controlplane/cfg/crtlist.h"
#include "tests/unit/sl_test.h"

static int parse(const char *text, struct sl_crtlist *l, char *err, size_t errlen)
{
	return sl_crtlist_parse("list.txt", text, strlen(text), l, err, errlen);
}

static void test_lines(void)
{
	struct sl_crtlist l;
	char err[256];
	const char *t = "# comment\n"
			"\n"
			"   \t\n"
			"a.pem\n"
			"b.pem [verify required ca-file /ca.pem crl-file /crl.pem] b.test *.b.test !x.b.test\n"
			"c.pem [alpn h2,http/1.1 ssl-min-ver TLSv1.3 no-ca-names allow-0rtt ca-verify-file /v.pem] c.test # tail\n"
			"d.pem    [  verify optional  ]\r\n"
			"e.pem [verify none] e.test";
	CU_ASSERT_EQUAL_FATAL(parse(t, &l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 5);
	CU_ASSERT_STRING_EQUAL(l.ents[0].crt, "a.pem");
	CU_ASSERT_EQUAL(l.ents[0].line, 4);
	CU_ASSERT_EQUAL(l.ents[0].verify, SL_CRTLIST_VERIFY_UNSET);
	CU_ASSERT_EQUAL(l.ents[0].nfilters, 0);
	CU_ASSERT_PTR_NULL(l.ents[0].ca_file);
	const struct sl_crtlist_ent *b = &l.ents[1];
	CU_ASSERT_EQUAL(b->line, 5);
	CU_ASSERT_EQUAL(b->verify, 2);
	CU_ASSERT_STRING_EQUAL(b->ca_file, "/ca.pem");
	CU_ASSERT_STRING_EQUAL(b->crl_file, "/crl.pem");
	CU_ASSERT_EQUAL_FATAL(b->nfilters, 3);
	CU_ASSERT_STRING_EQUAL(b->filters[0], "b.test");
	CU_ASSERT_STRING_EQUAL(b->filters[1], "*.b.test");
	CU_ASSERT_STRING_EQUAL(b->filters[2], "!x.b.test");
	const struct sl_crtlist_ent *c = &l.ents[2];
	CU_ASSERT_TRUE(c->no_ca_names);
	CU_ASSERT_STRING_EQUAL(c->ca_verify_file, "/v.pem");
	CU_ASSERT_EQUAL_FATAL(c->nignored, 3);
	CU_ASSERT_STRING_EQUAL(c->ignored[0], "alpn");
	CU_ASSERT_STRING_EQUAL(c->ignored[1], "ssl-min-ver");
	CU_ASSERT_STRING_EQUAL(c->ignored[2], "allow-0rtt");
	CU_ASSERT_EQUAL_FATAL(c->nfilters, 1); /* "# tail" is a comment */
	CU_ASSERT_STRING_EQUAL(c->filters[0], "c.test");
	CU_ASSERT_EQUAL(l.ents[3].verify, 1);
	CU_ASSERT_EQUAL(l.ents[3].nfilters, 0);
	CU_ASSERT_EQUAL(l.ents[4].verify, 0);
	CU_ASSERT_EQUAL(l.ents[4].line, 8);
	CU_ASSERT_STRING_EQUAL(l.ents[4].filters[0], "e.test");
	sl_crtlist_free(&l);
	CU_ASSERT_EQUAL(l.n, 0);
}

static void test_empty_and_unclosed(void)
{
	struct sl_crtlist l;
	char err[256];
	CU_ASSERT_EQUAL(parse("", &l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(parse("# only\n\n", &l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	/* HAProxy 2.6 takes a missing ']' to the end of the line */
	CU_ASSERT_EQUAL_FATAL(parse("a.pem [verify optional ca-file /c.pem", &l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(l.ents[0].verify, 1);
	CU_ASSERT_STRING_EQUAL(l.ents[0].ca_file, "/c.pem");
	sl_crtlist_free(&l);
}

static void expect_err(const char *text, const char *want)
{
	struct sl_crtlist l;
	char err[256];
	CU_ASSERT_EQUAL(parse(text, &l, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	if (strstr(err, want) == NULL)
		fprintf(stderr, "got '%s', want '%s'\n", err, want);
}

static void test_errors(void)
{
	expect_err("a.pem\nb.pem [foo] x\n", "list.txt:2: unknown ssl keyword 'foo'");
	expect_err("a.pem [verify bogus]\n", "list.txt:1: 'verify': unknown verify method 'bogus'");
	expect_err("\n\na.pem [ca-file]\n", "list.txt:3: 'ca-file' expects an argument");
	expect_err("a.pem [verify]", "'verify' expects an argument");
	expect_err("[verify none] a.pem", "list.txt:1: the line must start with a certificate file");
	expect_err("a.pem x.test [verify none]", "'[' out of place");
	expect_err("a.pem ! x", "empty negative SNI filter");
	struct sl_crtlist l;
	char err[256];
	CU_ASSERT_EQUAL(sl_crtlist_parse("list.txt", "a.pem\0b\n", 8, &l, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "list.txt:1: NUL byte"));
}

static void test_verify_words(void)
{
	CU_ASSERT_EQUAL(sl_crtlist_verify("none"), 0);
	CU_ASSERT_EQUAL(sl_crtlist_verify("optional"), 1);
	CU_ASSERT_EQUAL(sl_crtlist_verify("required"), 2);
	CU_ASSERT_EQUAL(sl_crtlist_verify("Required"), -1);
}

static const struct sl_test_case cases[] = {
	{"lines, options, filters, comments", test_lines},
	{"empty lists, unclosed bracket", test_empty_and_unclosed},
	{"errors name the list's file:line", test_errors},
	{"verify words", test_verify_words},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {{"crtlist", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}
