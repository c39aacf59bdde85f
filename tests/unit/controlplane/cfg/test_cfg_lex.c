/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the configuration lexer (controlplane/cfg/cfg_lex.c): one line into words, the way
 * HAProxy's parse_line() splits it.
 */
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_lex.h"
#include "tests/unit/sl_test.h"

static struct sl_cfg_words W;
static const char *E;

static const char *fake_getenv(const char *name)
{
	if (strcmp(name, "DOMAIN") == 0)
		return "example.com";
	if (strcmp(name, "PORT") == 0)
		return "8080";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	if (strcmp(name, "LONG") == 0) /* 100 bytes */
		return "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	return NULL;
}

/* Lexes a NUL-terminated line with the fake environment. */
static int lex(const char *s)
{
	E = NULL;
	return sl_cfg_lex_line(s, strlen(s), &W, fake_getenv, &E);
}

/* Lexes @s and asserts it gives exactly the @n words of @want. */
#define LEX_EQ(s, n, ...)                                                   \
	do {                                                                \
		const char *want_[] = {__VA_ARGS__};                        \
		int rc_ = lex(s);                                           \
		CU_ASSERT_EQUAL(rc_, (n));                                  \
		if (rc_ == (n))                                             \
			for (int i_ = 0; i_ < (n); i_++)                    \
				CU_ASSERT_STRING_EQUAL(W.w[i_], want_[i_]); \
	} while (0)

/* Lexes @s and asserts it is refused with a message. */
#define LEX_REFUSED(s)                       \
	do {                                 \
		CU_ASSERT_EQUAL(lex(s), -1); \
		CU_ASSERT_PTR_NOT_NULL(E);   \
	} while (0)

/* ---------------------------------------------------------------- splitting and comments */

static void test_split_spaces_tabs(void)
{
	LEX_EQ("bind *:80", 2, "bind", "*:80");
	LEX_EQ("  \tbind \t *:80   ssl \t", 3, "bind", "*:80", "ssl");
	LEX_EQ("\t\tserver\tams1\t172.30.0.42:5080\tcheck", 4, "server", "ams1", "172.30.0.42:5080",
	       "check");
	LEX_EQ("x", 1, "x");
}

static void test_comments(void)
{
	LEX_EQ("stats auth U:P  # creds", 3, "stats", "auth", "U:P");
	LEX_EQ("listen stats # Define a listen section called \"stats\"", 2, "listen", "stats");
	/* mid-line, glued to a word: still a comment */
	LEX_EQ("timeout tunnel  2h  #this is for websocket", 3, "timeout", "tunnel", "2h");
	LEX_EQ("a b#c d", 2, "a", "b");
	LEX_EQ("a #", 1, "a");
	/* quoted or escaped '#' is not a comment */
	LEX_EQ("a \"b#c\" 'd#e' f\\#g", 4, "a", "b#c", "d#e", "f#g");
}

static void test_blank_lines(void)
{
	CU_ASSERT_EQUAL(lex(""), 0);
	CU_ASSERT_EQUAL(lex("    "), 0);
	CU_ASSERT_EQUAL(lex("\t \t"), 0);
	CU_ASSERT_EQUAL(lex("# a comment"), 0);
	CU_ASSERT_EQUAL(lex("   # indented comment \"unterminated"), 0);
	CU_ASSERT_EQUAL(lex("#"), 0);
	CU_ASSERT_EQUAL(lex("\r"), 0);
	CU_ASSERT_EQUAL(lex("  # c\r"), 0);
}

static void test_crlf(void)
{
	LEX_EQ("bind *:80\r", 2, "bind", "*:80");
	LEX_EQ("mode http \r", 2, "mode", "http");
	/* only the trailing \r goes: an escaped one inside stays a control character */
	LEX_EQ("a\\rb\r", 1, "a\rb");
}

static void test_not_nul_terminated(void)
{
	const char buf[] = "bind *:80XXXXXXXX";
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(buf, 9, &W, fake_getenv, &E), 2);
	CU_ASSERT_STRING_EQUAL(W.w[0], "bind");
	CU_ASSERT_STRING_EQUAL(W.w[1], "*:80");
}

/* ---------------------------------------------------------------- quoting */

static void test_quotes(void)
{
	LEX_EQ("stats realm \"Haproxy Statistics\"", 3, "stats", "realm", "Haproxy Statistics");
	LEX_EQ("stats realm 'Haproxy Statistics'", 3, "stats", "realm", "Haproxy Statistics");
	LEX_EQ("a\"b c\"d", 1, "ab cd");
	LEX_EQ("a'b c'd", 1, "ab cd");
	LEX_EQ("'a'\"b\"c", 1, "abc");
	LEX_EQ("\"it's\" 'say \"hi\"'", 2, "it's", "say \"hi\"");
	/* empty quotes give an empty word */
	LEX_EQ("x \"\" y ''", 4, "x", "", "y", "");
	/* tabs and spaces are kept inside quotes */
	LEX_EQ("\"a\t b\"", 1, "a\t b");
}

static void test_single_quotes_literal(void)
{
	LEX_EQ("'a\\ b'", 1, "a\\ b");
	LEX_EQ("'\\x41\\n'", 1, "\\x41\\n");
	LEX_EQ("'$DOMAIN'", 1, "$DOMAIN");
	LEX_EQ("'${DOMAIN}'", 1, "${DOMAIN}");
}

static void test_unterminated_quotes(void)
{
	LEX_REFUSED("stats realm \"Haproxy Statistics");
	LEX_REFUSED("stats realm 'Haproxy Statistics");
	LEX_REFUSED("\"");
	LEX_REFUSED("'");
	LEX_REFUSED("a \"b\" 'c");
	LEX_REFUSED("a \"b\\\"");
}

/* ---------------------------------------------------------------- escapes */

static void test_escapes(void)
{
	LEX_EQ("stats realm Haproxy\\ Statistics", 3, "stats", "realm", "Haproxy Statistics");
	LEX_EQ("reqadd X-Forwarded-Proto:\\ http", 2, "reqadd", "X-Forwarded-Proto: http");
	LEX_EQ("a\\#b", 1, "a#b");
	LEX_EQ("a\\\\b", 1, "a\\b");
	LEX_EQ("a\\\"b", 1, "a\"b");
	LEX_EQ("a\\'b", 1, "a'b");
	LEX_EQ("a\\$b", 1, "a$b");
	LEX_EQ("a\\rb\\nc\\td", 1, "a\rb\nc\td");
	LEX_EQ("\\x41", 1, "A");
	LEX_EQ("x\\x41\\x62y", 1, "xAby");
	LEX_EQ("\\x7e\\x7E", 1, "~~");
	/* the same escapes inside double quotes */
	LEX_EQ("\"a\\\"b\\x41\\ \\\\\"", 1, "a\"bA \\");
	LEX_EQ("\"\\$DOMAIN\"", 1, "$DOMAIN");
}

static void test_bad_hex_escapes(void)
{
	LEX_REFUSED("\\x4");
	LEX_REFUSED("\\x4 a");
	LEX_REFUSED("\\xZZ");
	LEX_REFUSED("a\\xg1");
	LEX_REFUSED("\\x");
	LEX_REFUSED("\\x00");
	LEX_REFUSED("\"\\x00\"");
	LEX_REFUSED("\"\\xZZ\"");
}

static void test_unknown_escapes_kept(void)
{
	LEX_EQ("acl hls_request path_reg -i ^.*\\.(m3u8|ts)$", 5, "acl", "hls_request", "path_reg",
	       "-i", "^.*\\.(m3u8|ts)$");
	LEX_EQ("^/a\\d+\\w\\.x$", 1, "^/a\\d+\\w\\.x$");
	LEX_EQ("\"\\.\"", 1, "\\.");
}

/* ---------------------------------------------------------------- variables */

static void test_variables_in_double_quotes(void)
{
	LEX_EQ("\"${DOMAIN}\"", 1, "example.com");
	LEX_EQ("\"$DOMAIN\"", 1, "example.com");
	LEX_EQ("\"$DOMAIN.pem\"", 1, "example.com.pem");
	LEX_EQ("\"/certs/${DOMAIN}.pem\"", 1, "/certs/example.com.pem");
	LEX_EQ("bind \":${PORT}\"", 2, "bind", ":8080");
	LEX_EQ("\"${UNSET-default}\"", 1, "default");
	LEX_EQ("\"${DOMAIN-default}\"", 1, "example.com");
	LEX_EQ("\"${UNSET-}\"", 1, "");
	LEX_EQ("a\"${UNSET}\"b", 1, "ab");
	LEX_EQ("\"$UNSET\"", 1, "");
	LEX_EQ("\"${EMPTY}\"", 1, "");
	LEX_EQ("\"x${PORT}y$PORT\"", 1, "x8080y8080");
	/* a '$' not followed by a name is literal */
	LEX_EQ("\"a$ b\"", 1, "a$ b");
	LEX_EQ("\"a$\"", 1, "a$");
}

static void test_variables_literal_outside_double_quotes(void)
{
	LEX_EQ("crt /etc/haproxy/certs/$DOMAIN.pem", 2, "crt", "/etc/haproxy/certs/$DOMAIN.pem");
	LEX_EQ("${DOMAIN}", 1, "${DOMAIN}");
	LEX_EQ("'$DOMAIN'", 1, "$DOMAIN");
	LEX_EQ("^/a$", 1, "^/a$");
}

static void test_no_getenv(void)
{
	E = NULL;
	const char *s = "\"${DOMAIN}\" \"${DOMAIN-d}\"";
	CU_ASSERT_EQUAL(sl_cfg_lex_line(s, strlen(s), &W, NULL, &E), 2);
	CU_ASSERT_STRING_EQUAL(W.w[0], "");
	CU_ASSERT_STRING_EQUAL(W.w[1], "d");
}

static void test_unterminated_variable(void)
{
	LEX_REFUSED("\"${VAR\"");
	LEX_REFUSED("\"${VAR");
	LEX_REFUSED("\"${VAR-default\"");
}

/* ---------------------------------------------------------------- limits */

static void test_nul_byte(void)
{
	const char line[] = "bind *:80\0ssl";
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(line, sizeof(line) - 1, &W, fake_getenv, &E), -1);
	CU_ASSERT_PTR_NOT_NULL(E);
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line("\0", 1, &W, fake_getenv, &E), -1);
	CU_ASSERT_PTR_NOT_NULL(E);
	/* even inside a comment */
	const char c[] = "a # x\0y";
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(c, sizeof(c) - 1, &W, fake_getenv, &E), -1);
	CU_ASSERT_PTR_NOT_NULL(E);
}

static void test_line_length(void)
{
	char *line = malloc(SL_CFG_MAX_LINE + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	memset(line, 'a', SL_CFG_MAX_LINE + 1);
	line[SL_CFG_MAX_LINE + 1] = '\0';

	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(line, 65536, &W, fake_getenv, &E), 1);
	CU_ASSERT_EQUAL(strlen(W.w[0]), 65536);
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(line, 65537, &W, fake_getenv, &E), -1);
	CU_ASSERT_PTR_NOT_NULL(E);

	/* 65536 bytes of words and spaces */
	for (size_t i = 1; i < SL_CFG_MAX_LINE; i += 2)
		line[i] = ' ';
	E = NULL;
	int rc = sl_cfg_lex_line(line, 65536, &W, fake_getenv, &E);
	CU_ASSERT(rc > 0 || (rc == -1 && E != NULL)); /* too many words: refused, not a crash */
	free(line);
}

static void test_word_count(void)
{
	char line[257 * 2 + 1];
	for (int i = 0; i < 257; i++) {
		line[2 * i] = 'a' + i % 26;
		line[2 * i + 1] = ' ';
	}
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(line, 256 * 2 - 1, &W, fake_getenv, &E), 256);
	CU_ASSERT_STRING_EQUAL(W.w[255], "v"); /* 255 % 26 = 21 */
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(line, 257 * 2 - 1, &W, fake_getenv, &E), -1);
	CU_ASSERT_PTR_NOT_NULL(E);
	/* 256 words followed by trailing blanks and a comment are fine */
	memcpy(line + 256 * 2, "# c", 3);
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(line, 256 * 2 + 3, &W, fake_getenv, &E), 256);
}

static void test_expansion_overflow(void)
{
	/* 64 KiB of "$LONG" expand to more than SL_CFG_WORDS_BUF: refused, no overflow */
	static char line[SL_CFG_MAX_LINE];
	size_t n = 0;
	line[n++] = '"';
	while (n + 5 < sizeof(line) - 1) {
		memcpy(line + n, "$LONG", 5);
		n += 5;
	}
	line[n++] = '"';
	E = NULL;
	CU_ASSERT_EQUAL(sl_cfg_lex_line(line, n, &W, fake_getenv, &E), -1);
	CU_ASSERT_PTR_NOT_NULL(E);
}

/* Every prefix of real lines: never crashes, returns >= 0, or -1 with a message. */
static void test_truncated_lines(void)
{
	static const char *const lines[] = {
		"  redirect scheme https if ! { ssl_fc }  # comment",
		"  acl hls_request path_reg -i ^.*\\.(m3u8|ts)$",
		"  stats realm Haproxy\\ Statistics  # Title text",
		"  bind \"${ADDR-0.0.0.0}:${PORT}\" ssl crt '/etc/$X.pem' a\"b c\"d \\x41\\x4",
		"  http-request set-header X-A \"%[src] \\\"q\\\" \\t\" if { hdr(host) -i a }\r",
	};
	for (size_t l = 0; l < sizeof(lines) / sizeof(lines[0]); l++) {
		size_t len = strlen(lines[l]);
		for (size_t cut = 0; cut <= len; cut++) {
			/* copy into an exact-size heap buffer so that over-reads are caught by ASan
			 */
			char *buf = malloc(cut + 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
			memcpy(buf, lines[l], cut);
			E = NULL;
			int rc = sl_cfg_lex_line(buf, cut, &W, fake_getenv, &E);
			CU_ASSERT(rc >= 0 || (rc == -1 && E != NULL));
			for (int i = 0; i < rc; i++)
				CU_ASSERT(W.w[i] >= W.buf && W.w[i] < W.buf + sizeof(W.buf));
			free(buf);
		}
	}
}

static const struct sl_test_case split_cases[] = {
	{"split on spaces and tabs", test_split_spaces_tabs},
	{"comments", test_comments},
	{"blank and comment-only lines", test_blank_lines},
	{"CRLF", test_crlf},
	{"input need not be NUL-terminated", test_not_nul_terminated},
	{NULL, NULL},
};

static const struct sl_test_case quote_cases[] = {
	{"double and single quotes", test_quotes},
	{"single quotes are literal", test_single_quotes_literal},
	{"unterminated quotes refused", test_unterminated_quotes},
	{NULL, NULL},
};

static const struct sl_test_case escape_cases[] = {
	{"escapes", test_escapes},
	{"bad \\x escapes refused", test_bad_hex_escapes},
	{"unknown escapes kept", test_unknown_escapes_kept},
	{NULL, NULL},
};

static const struct sl_test_case var_cases[] = {
	{"expanded inside double quotes", test_variables_in_double_quotes},
	{"literal outside double quotes", test_variables_literal_outside_double_quotes},
	{"no getenv hook", test_no_getenv},
	{"unterminated ${ refused", test_unterminated_variable},
	{NULL, NULL},
};

static const struct sl_test_case limit_cases[] = {
	{"NUL byte refused", test_nul_byte},
	{"65536-byte line accepted, 65537 refused", test_line_length},
	{"256 words accepted, 257 refused", test_word_count},
	{"expansion overflow refused", test_expansion_overflow},
	{"truncated lines never crash", test_truncated_lines},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"lex/split", split_cases},   {"lex/quote", quote_cases},  {"lex/escape", escape_cases},
	{"lex/variables", var_cases}, {"lex/limits", limit_cases}, {NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}
