/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/stats/cmdlang.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "controlplane/stats/stats_proto.h"

/* Width of the first column of help lines (HAProxy's "  %-40s: %s"). */
#define CLI_HELP_COL 40

/* The built-in commands, listed after the table's in every help text (HAProxy's order). */
static const struct sl_cli_cmd cli_builtins[] = {
	{SL_PROTO_CMD_HELP, SL_CLI_USER, NULL, "[<command>]", "list matching or all commands"},
	{SL_PROTO_CMD_PROMPT, SL_CLI_USER, NULL, NULL, "toggle interactive mode with prompt"},
	{SL_PROTO_CMD_QUIT, SL_CLI_USER, NULL, NULL, "disconnect"},
	{NULL, 0, NULL, NULL, NULL},
};

const char *sl_cli_level_name(int level)
{
	switch (level) {
	case SL_CLI_USER:
		return "user";
	case SL_CLI_OPERATOR:
		return "operator";
	case SL_CLI_ADMIN:
		return "admin";
	}
	return "?";
}

/* ---------------------------------------------------------------- splitting */

char *sl_cli_next_cmd(char **cursor)
{
	char *p = *cursor;
	if (p == NULL)
		return NULL;
	char *start = p;
	while (*p != '\0') {
		if (*p == SL_PROTO_ESCAPE && p[1] != '\0') {
			p += 2;
			continue;
		}
		if (*p == SL_PROTO_CMD_SEP) {
			*p = '\0';
			*cursor = p + 1;
			return start;
		}
		p++;
	}
	*cursor = NULL;
	return start;
}

int sl_cli_split_words(char *cmd, char **argv, int max)
{
	int argc = 0;
	char *r = cmd;

	if (max < 1)
		return -E2BIG;
	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '\0')
			break;
		if (argc >= max - 1) {
			argv[argc] = NULL;
			return -E2BIG;
		}
		char *w = r;
		argv[argc++] = w;
		while (*r != '\0' && *r != ' ' && *r != '\t') {
			if (*r == SL_PROTO_ESCAPE && r[1] != '\0')
				r++;
			*w++ = *r++;
		}
		if (*r != '\0')
			r++;
		*w = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* ---------------------------------------------------------------- matching */

/*
 * Whether @words ("show stat") is a prefix of @argv, word by word; with @last_partial, the last
 * word of @argv may be a prefix of the corresponding word of @words and @argv may be the shorter.
 * Returns the number of words of @words when it matches (or the number of argv words compared
 * for a partial match), 0 otherwise.
 */
static int words_match(const char *words, int argc, char *const *argv, bool last_partial)
{
	const char *p = words;
	int i = 0;
	while (*p != '\0') {
		const char *end = strchr(p, ' ');
		size_t wl = end != NULL ? (size_t)(end - p) : strlen(p);
		if (i >= argc)
			return last_partial && i > 0 ? i : 0;
		size_t al = strlen(argv[i]);
		if (last_partial && i == argc - 1) {
			if (al > wl || strncmp(p, argv[i], al) != 0)
				return 0;
			return i + 1;
		}
		if (al != wl || strncmp(p, argv[i], wl) != 0)
			return 0;
		i++;
		p += wl;
		while (*p == ' ')
			p++;
	}
	if (last_partial && i < argc)
		return 0;
	return i;
}

const struct sl_cli_cmd *sl_cli_match(const struct sl_cli_cmd *table, int argc, char *const *argv)
{
	const struct sl_cli_cmd *best = NULL;
	int best_n = 0;
	if (table == NULL || argc <= 0)
		return NULL;
	for (const struct sl_cli_cmd *c = table; c->words != NULL; c++) {
		int n = words_match(c->words, argc, argv, false);
		if (n > best_n) {
			best = c;
			best_n = n;
		}
	}
	return best;
}

/* ---------------------------------------------------------------- help texts */

/* Which entries a help text lists. */
enum help_filter { HELP_ALL, HELP_PREFIX, HELP_FIRST_WORD, HELP_NEAR };

struct help_sel {
	enum help_filter kind;
	int argc;
	char *const *argv;
};

/* Levenshtein distance between @a and @b (both short words), capped at 9. */
static int word_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 31 || lb > 31)
		return 9;
	int prev[32], cur[32];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1;
			int ins = cur[j - 1] + 1;
			int m = sub < del ? sub : del;
			cur[j] = m < ins ? m : ins;
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb] > 9 ? 9 : prev[lb];
}

/* The first word of @words copied into @buf (truncated to the buffer). */
static void first_word(const char *words, char *buf, size_t size)
{
	size_t n = strcspn(words, " ");
	if (n >= size)
		n = size - 1;
	memcpy(buf, words, n);
	buf[n] = '\0';
}

static bool help_selected(const struct sl_cli_cmd *c, int level, const struct help_sel *sel)
{
	if (c->help == NULL || c->level > level)
		return false;
	char fw[64];
	switch (sel->kind) {
	case HELP_ALL:
		return true;
	case HELP_PREFIX:
		return words_match(c->words, sel->argc, sel->argv, true) > 0;
	case HELP_FIRST_WORD:
		first_word(c->words, fw, sizeof(fw));
		return strcmp(fw, sel->argv[0]) == 0;
	case HELP_NEAR:
		first_word(c->words, fw, sizeof(fw));
		if (strncmp(fw, sel->argv[0], strlen(sel->argv[0])) == 0)
			return true;
		return word_distance(fw, sel->argv[0]) <= (strlen(sel->argv[0]) > 3 ? 2 : 1);
	}
	return false;
}

static int help_count(const struct sl_cli_cmd *table, int level, const struct help_sel *sel)
{
	int n = 0;
	for (const struct sl_cli_cmd *c = table; c != NULL && c->words != NULL; c++)
		if (help_selected(c, level, sel))
			n++;
	return n;
}

static void help_line(const struct sl_cli_cmd *c, struct sl_outbuf *out)
{
	char col[256];
	if (c->usage != NULL && c->usage[0] != '\0')
		snprintf(col, sizeof(col), "%s %s", c->words, c->usage);
	else
		snprintf(col, sizeof(col), "%s", c->words);
	sl_outbuf_printf(out, "  %-*s: %s\n", CLI_HELP_COL, col, c->help);
}

/* Orders two entries for help texts: by words, then by position in the table. */
static bool help_before(const struct sl_cli_cmd *a, const struct sl_cli_cmd *b)
{
	int r = strcmp(a->words, b->words);
	return r < 0 || (r == 0 && a < b);
}

/* Prints the selected entries of @table sorted by words (a selection sort: tables are small and
 * this needs no memory), then the built-ins. */
static int help_list(const struct sl_cli_cmd *table, int level, const struct help_sel *sel,
		     struct sl_outbuf *out)
{
	const struct sl_cli_cmd *prev = NULL;
	for (;;) {
		const struct sl_cli_cmd *next = NULL;
		for (const struct sl_cli_cmd *c = table; c != NULL && c->words != NULL; c++) {
			if (!help_selected(c, level, sel))
				continue;
			if (prev != NULL && !help_before(prev, c))
				continue;
			if (next == NULL || help_before(c, next))
				next = c;
		}
		if (next == NULL)
			break;
		help_line(next, out);
		prev = next;
	}
	for (const struct sl_cli_cmd *c = cli_builtins; c->words != NULL; c++)
		help_line(c, out);
	return out->truncated ? -ENOSPC : 0;
}

int sl_cli_print_help(const struct sl_cli_cmd *table, int level, const char *header, int argc,
		      char *const *argv, struct sl_outbuf *out)
{
	struct help_sel sel = {HELP_ALL, argc, argv};
	if (argc > 0) {
		sel.kind = HELP_PREFIX;
		if (help_count(table, level, &sel) == 0)
			sel.kind = HELP_ALL;
	}
	sl_outbuf_puts(out, header);
	return help_list(table, level, &sel, out);
}

/* HAProxy's answer to an unknown command: the commands that look like it, or all of them. */
static void print_unknown(const struct sl_cli_cmd *table, int level, int argc, char *const *argv,
			  struct sl_outbuf *out)
{
	struct help_sel sel = {HELP_ALL, argc, argv};
	if (argc > 0) {
		sel.kind = HELP_FIRST_WORD;
		if (help_count(table, level, &sel) == 0) {
			sel.kind = HELP_NEAR;
			if (help_count(table, level, &sel) == 0)
				sel.kind = HELP_ALL;
		}
	}
	sl_outbuf_puts(out, sel.kind == HELP_ALL ? SL_PROTO_MSG_UNKNOWN_ALL
						 : SL_PROTO_MSG_UNKNOWN_MAYBE);
	help_list(table, level, &sel, out);
}

/* ---------------------------------------------------------------- execution */

static void run_one(const struct sl_cli_cmd *table, void *arg, int level, int argc, char **argv,
		    struct sl_outbuf *out, bool *prompt_mode, bool *quit)
{
	if (argc > 0) {
		if (strcmp(argv[0], SL_PROTO_CMD_HELP) == 0) {
			sl_cli_print_help(table, level, SL_PROTO_MSG_HELP, argc - 1, argv + 1, out);
			return;
		}
		if (strcmp(argv[0], SL_PROTO_CMD_PROMPT) == 0) {
			*prompt_mode = !*prompt_mode;
			return;
		}
		if (strcmp(argv[0], SL_PROTO_CMD_QUIT) == 0) {
			*quit = true;
			return;
		}
	}
	const struct sl_cli_cmd *c = sl_cli_match(table, argc, argv);
	if (c == NULL || c->fn == NULL) {
		print_unknown(table, level, argc, argv, out);
		return;
	}
	if (c->level > level) {
		sl_outbuf_puts(out, SL_PROTO_MSG_PERMISSION);
		return;
	}
	size_t before = sl_outbuf_len(out);
	int rc = c->fn(arg, argc, argv, out);
	if (rc < 0 && sl_outbuf_len(out) == before && !out->truncated)
		sl_outbuf_printf(out, "Command failed: %s.\n", strerror(-rc));
}

int sl_cli_exec(const struct sl_cli_cmd *table, void *arg, int level, char *line,
		struct sl_outbuf *out, bool *prompt_mode, bool *quit)
{
	size_t len = strlen(line);
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len > SL_PROTO_LINE_MAX - 1) {
		sl_outbuf_puts(out, SL_PROTO_MSG_TOO_LONG);
		return -E2BIG;
	}

	char *cursor = line;
	char *cmd;
	while ((cmd = sl_cli_next_cmd(&cursor)) != NULL) {
		if (out->truncated)
			return -ENOSPC;
		char *argv[SL_PROTO_MAX_WORDS + 1];
		int argc = sl_cli_split_words(cmd, argv, SL_PROTO_MAX_WORDS + 1);
		if (argc < 0)
			sl_outbuf_puts(out, SL_PROTO_MSG_TOO_MANY_WORDS);
		else
			run_one(table, arg, level, argc, argv, out, prompt_mode, quit);
		if (*quit)
			break;
		sl_outbuf_puts(out, SL_PROTO_END_OF_OUTPUT);
		if (*prompt_mode)
			sl_outbuf_puts(out, SL_PROTO_PROMPT);
	}
	return out->truncated ? -ENOSPC : 0;
}
