/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the operator command language (controlplane/stats/cmdlang.c) and of the output buffer
 * (proto/outbuf.c): splitting lines into commands and words, dispatch by level, HAProxy's
 * built-ins and "Unknown command" help, the 64 KiB line limit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/stats/cmdlang.h"
#include "proto/outbuf.h"
#include "controlplane/stats/stats_proto.h"
#include "tests/unit/sl_test.h"

/* ---------------------------------------------------------------- a command table */

struct calls {
	int n;
	int argc;
	char argv[8][64];
};

/* Records its words, prints "<words>\n". */
static int cmd_echo(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct calls *c = arg;
	c->n++;
	c->argc = argc;
	for (int i = 0; i < argc && i < 8; i++)
		snprintf(c->argv[i], sizeof(c->argv[i]), "%s", argv[i]);
	CU_ASSERT_PTR_NULL(argv[argc]);
	for (int i = 0; i < argc; i++)
		sl_outbuf_printf(out, "%s%s", i ? " " : "", argv[i]);
	sl_outbuf_puts(out, "\n");
	return 0;
}

static int cmd_fail(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	return -ENOENT;
}

static int cmd_silent(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	return 0;
}

static const struct sl_cli_cmd table[] = {
	{"show stat", SL_CLI_USER, cmd_echo, "[typed|json]", "report counters"},
	{"show stat extra", SL_CLI_USER, cmd_echo, NULL, "a longer match"},
	{"show info", SL_CLI_USER, cmd_echo, NULL, "report information"},
	{"set weight", SL_CLI_ADMIN, cmd_echo, "<bk>/<srv> <w>", "change a server's weight"},
	{"disable server", SL_CLI_OPERATOR, cmd_echo, "<bk>/<srv>", "put a server in maintenance"},
	{"clear counters", SL_CLI_OPERATOR, cmd_silent, NULL, "clear counters"},
	{"fail", SL_CLI_USER, cmd_fail, NULL, "always fails"},
	{"hidden", SL_CLI_USER, cmd_echo, NULL, NULL},
	{NULL, 0, NULL, NULL, NULL},
};

/* Runs @line (copied) at @level in a fresh buffer; returns sl_cli_exec()'s result and leaves the
 * output in *@out (caller frees). */
static int run(const char *line, int level, struct calls *calls, struct sl_outbuf *out,
	       bool *prompt, bool *quit)
{
	char *copy = strdup(line);
	sl_outbuf_init(out, 0);
	int rc = sl_cli_exec(table, calls, level, copy, out, prompt, quit);
	free(copy);
	return rc;
}

static bool out_eq(const struct sl_outbuf *o, const char *want)
{
	if (strcmp(sl_outbuf_data(o), want) == 0)
		return true;
	fprintf(stderr, "\n--- got:\n%s\n--- want:\n%s\n---\n", sl_outbuf_data(o), want);
	return false;
}

/* ---------------------------------------------------------------- splitting */

static void test_next_cmd(void)
{
	char l1[] = "show stat;show info";
	char *cur = l1;
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "show stat");
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "show info");
	CU_ASSERT_PTR_NULL(sl_cli_next_cmd(&cur));

	char l2[] = "a\\;b;c";
	cur = l2;
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "a\\;b");
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "c");
	CU_ASSERT_PTR_NULL(sl_cli_next_cmd(&cur));

	/* Empty commands are kept: HAProxy runs them (and answers "Unknown command"). */
	char l3[] = ";a;;";
	cur = l3;
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "");
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "a");
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "");
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "");
	CU_ASSERT_PTR_NULL(sl_cli_next_cmd(&cur));

	char l4[] = "";
	cur = l4;
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "");
	CU_ASSERT_PTR_NULL(sl_cli_next_cmd(&cur));

	/* A trailing backslash is an ordinary byte. */
	char l5[] = "x\\";
	cur = l5;
	CU_ASSERT_STRING_EQUAL(sl_cli_next_cmd(&cur), "x\\");
	CU_ASSERT_PTR_NULL(sl_cli_next_cmd(&cur));
}

static void test_split_words(void)
{
	char *argv[8];
	char c1[] = "  show \t stat   typed ";
	CU_ASSERT_EQUAL(sl_cli_split_words(c1, argv, 8), 3);
	CU_ASSERT_STRING_EQUAL(argv[0], "show");
	CU_ASSERT_STRING_EQUAL(argv[1], "stat");
	CU_ASSERT_STRING_EQUAL(argv[2], "typed");
	CU_ASSERT_PTR_NULL(argv[3]);

	char c2[] = "a\\ b x\\;y \\\\z";
	CU_ASSERT_EQUAL(sl_cli_split_words(c2, argv, 8), 3);
	CU_ASSERT_STRING_EQUAL(argv[0], "a b");
	CU_ASSERT_STRING_EQUAL(argv[1], "x;y");
	CU_ASSERT_STRING_EQUAL(argv[2], "\\z");

	char c3[] = "   ";
	CU_ASSERT_EQUAL(sl_cli_split_words(c3, argv, 8), 0);
	CU_ASSERT_PTR_NULL(argv[0]);

	/* 7 words fit in 8 slots, 8 do not. */
	char c4[] = "1 2 3 4 5 6 7";
	CU_ASSERT_EQUAL(sl_cli_split_words(c4, argv, 8), 7);
	char c5[] = "1 2 3 4 5 6 7 8";
	CU_ASSERT_EQUAL(sl_cli_split_words(c5, argv, 8), -E2BIG);
}

static void test_match(void)
{
	char *a1[] = {"show", "stat", "typed", NULL};
	CU_ASSERT_PTR_EQUAL(sl_cli_match(table, 3, a1), &table[0]);
	char *a2[] = {"show", "stat", "extra", "x", NULL};
	CU_ASSERT_PTR_EQUAL(sl_cli_match(table, 4, a2), &table[1]);
	char *a3[] = {"show", NULL};
	CU_ASSERT_PTR_NULL(sl_cli_match(table, 1, a3));
	char *a4[] = {"show", "statistics", NULL};
	CU_ASSERT_PTR_NULL(sl_cli_match(table, 2, a4));
	CU_ASSERT_PTR_NULL(sl_cli_match(table, 0, a4));
}

/* ---------------------------------------------------------------- execution */

static void test_exec_one_shot(void)
{
	struct calls calls = {0};
	struct sl_outbuf out;
	bool prompt = false, quit = false;
	CU_ASSERT_EQUAL(run("show stat typed", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "show stat typed\n\n"));
	CU_ASSERT_EQUAL(calls.n, 1);
	CU_ASSERT_EQUAL(calls.argc, 3);
	CU_ASSERT_STRING_EQUAL(calls.argv[2], "typed");
	CU_ASSERT_FALSE(prompt);
	CU_ASSERT_FALSE(quit);
	sl_outbuf_free(&out);

	/* Several commands, escapes, a trailing '\r', and a command with no output. */
	calls.n = 0;
	CU_ASSERT_EQUAL(run("show info a\\;b ;clear counters;  show   stat\r", SL_CLI_ADMIN, &calls,
			    &out, &prompt, &quit),
			0);
	CU_ASSERT(out_eq(&out, "show info a;b\n\n\nshow stat\n\n"));
	CU_ASSERT_EQUAL(calls.n, 2);
	sl_outbuf_free(&out);
}

static void test_exec_prompt_quit(void)
{
	struct calls calls = {0};
	struct sl_outbuf out;
	bool prompt = false, quit = false;

	/* HAProxy: "prompt" answers "\n> ", then every output ends with "\n> ". */
	CU_ASSERT_EQUAL(run("prompt", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "\n> "));
	CU_ASSERT_TRUE(prompt);
	sl_outbuf_free(&out);

	CU_ASSERT_EQUAL(run("show info;show stat", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "show info\n\n> show stat\n\n> "));
	sl_outbuf_free(&out);

	/* quit prints nothing and stops the line. */
	calls.n = 0;
	CU_ASSERT_EQUAL(run("show info;quit;show stat", SL_CLI_USER, &calls, &out, &prompt, &quit),
			0);
	CU_ASSERT(out_eq(&out, "show info\n\n> "));
	CU_ASSERT_TRUE(quit);
	CU_ASSERT_EQUAL(calls.n, 1);
	sl_outbuf_free(&out);

	/* "prompt" again leaves interactive mode. */
	quit = false;
	CU_ASSERT_EQUAL(run("prompt", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "\n"));
	CU_ASSERT_FALSE(prompt);
	sl_outbuf_free(&out);
}

static void test_exec_levels(void)
{
	struct calls calls = {0};
	struct sl_outbuf out;
	bool prompt = false, quit = false;

	CU_ASSERT_EQUAL(run("set weight be/s1 5", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "Permission denied\n\n"));
	CU_ASSERT_EQUAL(calls.n, 0);
	sl_outbuf_free(&out);

	CU_ASSERT_EQUAL(run("set weight be/s1 5", SL_CLI_OPERATOR, &calls, &out, &prompt, &quit),
			0);
	CU_ASSERT(out_eq(&out, "Permission denied\n\n"));
	sl_outbuf_free(&out);

	CU_ASSERT_EQUAL(run("disable server be/s1;set weight be/s1 5", SL_CLI_OPERATOR, &calls,
			    &out, &prompt, &quit),
			0);
	CU_ASSERT(out_eq(&out, "disable server be/s1\n\nPermission denied\n\n"));
	CU_ASSERT_EQUAL(calls.n, 1);
	sl_outbuf_free(&out);

	CU_ASSERT_EQUAL(run("set weight be/s1 5", SL_CLI_ADMIN, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "set weight be/s1 5\n\n"));
	sl_outbuf_free(&out);

	CU_ASSERT_STRING_EQUAL(sl_cli_level_name(SL_CLI_OPERATOR), "operator");
	CU_ASSERT_STRING_EQUAL(sl_cli_level_name(7), "?");
}

/* The help lines of this table for level user, as HAProxy lays them out. */
#define HELP_USER                                                                           \
	"  fail                                    : always fails\n"                        \
	"  show info                               : report information\n"                  \
	"  show stat [typed|json]                  : report counters\n"                     \
	"  show stat extra                         : a longer match\n"                      \
	"  help [<command>]                        : list matching or all commands\n"       \
	"  prompt                                  : toggle interactive mode with prompt\n" \
	"  quit                                    : disconnect\n"

static void test_exec_unknown_and_help(void)
{
	struct calls calls = {0};
	struct sl_outbuf out;
	bool prompt = false, quit = false;

	/* Nothing like it: every command usable at this level (no admin one, no hidden one). */
	CU_ASSERT_EQUAL(run("frobnicate", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, SL_PROTO_MSG_UNKNOWN_ALL HELP_USER "\n"));
	sl_outbuf_free(&out);

	/* An empty command (here between two ';'), as HAProxy: the full list. */
	CU_ASSERT_EQUAL(run("show info;;show info", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(
		out_eq(&out, "show info\n\n" SL_PROTO_MSG_UNKNOWN_ALL HELP_USER "\nshow info\n\n"));
	sl_outbuf_free(&out);

	/* A known first word: the commands starting with it. */
	CU_ASSERT_EQUAL(run("show nothing", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(
		&out, SL_PROTO_MSG_UNKNOWN_MAYBE
		"  show info                               : report information\n"
		"  show stat [typed|json]                  : report counters\n"
		"  show stat extra                         : a longer match\n"
		"  help [<command>]                        : list matching or all commands\n"
		"  prompt                                  : toggle interactive mode with prompt\n"
		"  quit                                    : disconnect\n\n"));
	sl_outbuf_free(&out);

	/* A typo of a first word. */
	CU_ASSERT_EQUAL(run("shwo stat", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(strncmp(sl_outbuf_data(&out), SL_PROTO_MSG_UNKNOWN_MAYBE,
			  strlen(SL_PROTO_MSG_UNKNOWN_MAYBE)) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_outbuf_data(&out), "show stat"));
	CU_ASSERT_PTR_NULL(strstr(sl_outbuf_data(&out), "fail"));
	sl_outbuf_free(&out);

	/* "show" alone is not a command. */
	CU_ASSERT_EQUAL(run("show", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(strncmp(sl_outbuf_data(&out), SL_PROTO_MSG_UNKNOWN_MAYBE,
			  strlen(SL_PROTO_MSG_UNKNOWN_MAYBE)) == 0);
	sl_outbuf_free(&out);

	CU_ASSERT_EQUAL(run("help", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, SL_PROTO_MSG_HELP HELP_USER "\n"));
	sl_outbuf_free(&out);

	/* At admin level the admin and operator commands are listed too, sorted. */
	CU_ASSERT_EQUAL(run("help", SL_CLI_ADMIN, &calls, &out, &prompt, &quit), 0);
	const char *o = sl_outbuf_data(&out);
	const char *p1 = strstr(o, "  clear counters");
	const char *p2 = strstr(o, "  disable server <bk>/<srv>");
	const char *p3 = strstr(o, "  set weight <bk>/<srv> <w>               : change");
	CU_ASSERT(p1 != NULL && p2 != NULL && p3 != NULL && p1 < p2 && p2 < p3);
	CU_ASSERT_PTR_NULL(strstr(o, "hidden"));
	sl_outbuf_free(&out);

	/* help WORDS: the matching commands (the last word may be a prefix). */
	CU_ASSERT_EQUAL(run("help show st", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(
		&out, SL_PROTO_MSG_HELP
		"  show stat [typed|json]                  : report counters\n"
		"  show stat extra                         : a longer match\n"
		"  help [<command>]                        : list matching or all commands\n"
		"  prompt                                  : toggle interactive mode with prompt\n"
		"  quit                                    : disconnect\n\n"));
	sl_outbuf_free(&out);

	/* A hidden command still runs. */
	CU_ASSERT_EQUAL(run("hidden", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "hidden\n\n"));
	sl_outbuf_free(&out);
}

static void test_exec_errors(void)
{
	struct calls calls = {0};
	struct sl_outbuf out;
	bool prompt = false, quit = false;

	CU_ASSERT_EQUAL(run("fail", SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, "Command failed: No such file or directory.\n\n"));
	sl_outbuf_free(&out);

	/* 64 words are fine, 65 are refused. */
	char line[512] = "show stat";
	for (int i = 2; i < 64; i++)
		strcat(line, " w");
	CU_ASSERT_EQUAL(run(line, SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT_EQUAL(calls.argc, 64);
	sl_outbuf_free(&out);
	strcat(line, " w");
	CU_ASSERT_EQUAL(run(line, SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT(out_eq(&out, SL_PROTO_MSG_TOO_MANY_WORDS "\n"));
	sl_outbuf_free(&out);
}

static void test_exec_line_limit(void)
{
	struct calls calls = {0};
	struct sl_outbuf out;
	bool prompt = false, quit = false;
	size_t max = SL_PROTO_LINE_MAX - 1; /* the '\n' takes the last byte */
	/* static, not malloc: GCC's -Warray-bounds misjudges the malloc'ed size under ASan */
	static char line[SL_PROTO_LINE_MAX + 1];

	/* Exactly at the limit: run (one long word). */
	memcpy(line, "show stat ", 10);
	memset(line + 10, 'x', max - 10);
	line[max] = '\0';
	CU_ASSERT_EQUAL(run(line, SL_CLI_USER, &calls, &out, &prompt, &quit), 0);
	CU_ASSERT_EQUAL(calls.n, 1);
	CU_ASSERT_EQUAL(sl_outbuf_len(&out), max + 2);
	sl_outbuf_free(&out);

	/* One byte more: refused, nothing run. */
	line[max] = 'x';
	line[max + 1] = '\0';
	CU_ASSERT_EQUAL(run(line, SL_CLI_USER, &calls, &out, &prompt, &quit), -E2BIG);
	CU_ASSERT(out_eq(&out, SL_PROTO_MSG_TOO_LONG));
	CU_ASSERT_EQUAL(calls.n, 1);
	sl_outbuf_free(&out);
}

static void test_exec_output_cap(void)
{
	struct calls calls = {0};
	struct sl_outbuf out;
	bool prompt = false, quit = false;
	char line[] = "show info;show info;show info;show info";
	sl_outbuf_init(&out, 25);
	CU_ASSERT_EQUAL(sl_cli_exec(table, &calls, SL_CLI_USER, line, &out, &prompt, &quit),
			-ENOSPC);
	CU_ASSERT_TRUE(out.truncated);
	CU_ASSERT_EQUAL(sl_outbuf_len(&out), 25);
	CU_ASSERT(calls.n < 4);
	sl_outbuf_free(&out);
}

/* ---------------------------------------------------------------- outbuf */

static void test_outbuf_basic(void)
{
	struct sl_outbuf o;
	sl_outbuf_init(&o, 0);
	CU_ASSERT_EQUAL(o.cap, SL_OUTBUF_DEFAULT_CAP);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "");
	CU_ASSERT_EQUAL(sl_outbuf_printf(&o, "%s=%d", "a", 1), 0);
	CU_ASSERT_EQUAL(sl_outbuf_append(&o, "\0b", 2), 0);
	CU_ASSERT_EQUAL(sl_outbuf_len(&o), 5);
	CU_ASSERT_EQUAL(memcmp(sl_outbuf_data(&o), "a=1\0b", 5), 0);
	sl_outbuf_consume(&o, 2);
	CU_ASSERT_EQUAL(sl_outbuf_len(&o), 3);
	CU_ASSERT_EQUAL(sl_outbuf_data(&o)[0], '1');
	sl_outbuf_consume(&o, 100);
	CU_ASSERT_EQUAL(sl_outbuf_len(&o), 0);

	/* Growth well past the first allocation, long printf included. */
	char big[3000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(sl_outbuf_printf(&o, "%s%d\n", big, i), 0);
	CU_ASSERT_EQUAL(sl_outbuf_len(&o), 10 * 3001 + 90 * 3002);
	CU_ASSERT_EQUAL(strlen(sl_outbuf_data(&o)), sl_outbuf_len(&o));
	sl_outbuf_reset(&o);
	CU_ASSERT_EQUAL(sl_outbuf_len(&o), 0);
	sl_outbuf_free(&o);
	CU_ASSERT_PTR_NULL(o.buf);
}

static void test_outbuf_cap(void)
{
	struct sl_outbuf o;
	sl_outbuf_init(&o, 10);
	CU_ASSERT_EQUAL(sl_outbuf_puts(&o, "0123456"), 0);
	CU_ASSERT_EQUAL(sl_outbuf_puts(&o, "789ab"), -ENOSPC);
	CU_ASSERT_TRUE(o.truncated);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "0123456789");
	CU_ASSERT_EQUAL(sl_outbuf_puts(&o, "c"), -ENOSPC);
	CU_ASSERT_EQUAL(sl_outbuf_printf(&o, "%d", 1), -ENOSPC);
	CU_ASSERT_EQUAL(sl_outbuf_len(&o), 10);

	/* Consuming makes room only after a reset clears the mark. */
	sl_outbuf_reset(&o);
	CU_ASSERT_FALSE(o.truncated);
	char big[600];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(sl_outbuf_printf(&o, "%s", big), -ENOSPC);
	CU_ASSERT_EQUAL(sl_outbuf_len(&o), 10);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "zzzzzzzzzz");
	sl_outbuf_free(&o);

	/* The cap counts pending bytes: what was consumed no longer counts. */
	sl_outbuf_init(&o, 8);
	CU_ASSERT_EQUAL(sl_outbuf_puts(&o, "abcdef"), 0);
	sl_outbuf_consume(&o, 4);
	CU_ASSERT_EQUAL(sl_outbuf_puts(&o, "ghijkl"), 0);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "efghijkl");
	sl_outbuf_free(&o);
}

static const struct sl_test_case split_cases[] = {
	{"next_cmd", test_next_cmd},
	{"split_words", test_split_words},
	{"match", test_match},
	{NULL, NULL},
};

static const struct sl_test_case exec_cases[] = {
	{"one_shot", test_exec_one_shot},     {"prompt_quit", test_exec_prompt_quit},
	{"levels", test_exec_levels},	      {"unknown_and_help", test_exec_unknown_and_help},
	{"errors", test_exec_errors},	      {"line_limit_64k", test_exec_line_limit},
	{"output_cap", test_exec_output_cap}, {NULL, NULL},
};

static const struct sl_test_case outbuf_cases[] = {
	{"basic", test_outbuf_basic},
	{"cap", test_outbuf_cap},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"cli_split", split_cases},
		{"cli_exec", exec_cases},
		{"outbuf", outbuf_cases},
		{NULL, NULL},
	};
	return sl_test_run(suites);
}
