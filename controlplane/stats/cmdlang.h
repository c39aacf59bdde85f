/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator command language (HAProxy's stats socket CLI, see controlplane/stats/stats_proto.h):
 * splitting a request line into commands and words, matching a command table, permission levels,
 * the built-in commands help / prompt / quit, and HAProxy's "Unknown command" help text.
 *
 * Pure C, no I/O, no global state: the socket server (controlplane/stats/stats_sock.h) feeds it lines and
 * sends what it writes into a struct sl_outbuf.
 */
#ifndef SL_CLI_H
#define SL_CLI_H

#include <stdbool.h>

#include "proto/outbuf.h"

/* Access levels of a socket and minimum levels of commands; the same numbers as the
 * configuration's "stats socket ... level user|operator|admin" (SL_LEVEL_* in cfg-t.h). */
enum sl_cli_level { SL_CLI_USER = 0, SL_CLI_OPERATOR = 1, SL_CLI_ADMIN = 2 };

/*
 * A command's handler. Accepts the table's opaque @arg, every word of the command in @argv
 * (argv[0] is the command's first word, e.g. "show" for "show stat typed"; argv[argc] is NULL; the
 * words may be modified) and the output buffer. Prints its answer, errors included (HAProxy style:
 * one line ending in ".\n"), into @out. Returns 0, or a negative errno when it failed without
 * printing anything (the dispatcher then prints "Command failed: <strerror>.").
 */
typedef int (*sl_cli_fn)(void *arg, int argc, char **argv, struct sl_outbuf *out);

/* One entry of a command table; a table ends with an entry whose words is NULL. */
struct sl_cli_cmd {
	const char *words; /* the words that name it, separated by one space: "show stat" */
	int level;	   /* minimum enum sl_cli_level */
	sl_cli_fn fn;
	const char *usage; /* argument synopsis after the words ("[typed|json]*"), or NULL */
	const char *help;  /* one-line description; NULL hides the command from help texts */
};

/*
 * Splits the next command off a request line, in place. Accepts *@cursor pointing into a
 * NUL-terminated line (set it to the line first). A ';' ends a command unless escaped ("\;": the
 * backslash is kept for sl_cli_split_words()). Returns the command (NUL-terminated, possibly
 * empty or blank) and advances *@cursor, or NULL when the line is exhausted. A line "a;" yields
 * "a" then "" (HAProxy runs the empty command too); an empty line yields "" once.
 */
char *sl_cli_next_cmd(char **cursor);

/*
 * Splits a command into words, in place: words are separated by runs of spaces and tabs; a
 * backslash makes the next byte part of the word (so "\ " is a space inside a word, "\;" a ';',
 * "\\" a backslash). Accepts @argv with room for @max pointers. Returns the number of words
 * (argv[argc] set to NULL), or -E2BIG when more than @max - 1 words were found.
 */
int sl_cli_split_words(char *cmd, char **argv, int max);

/*
 * Finds the table entry whose words are the longest prefix of @argv (whole words). Accepts the
 * table, the words. Returns the entry, or NULL when none matches. Levels are not looked at.
 */
const struct sl_cli_cmd *sl_cli_match(const struct sl_cli_cmd *table, int argc, char *const *argv);

/*
 * Prints @header then the list of commands usable at @level, sorted, HAProxy's way
 * ("  <words> <usage>    : <help>", the first column padded to 40), then the built-ins help,
 * prompt and quit. With @argc > 0 only entries whose words start with @argv are listed (the last
 * word may be a prefix: "help sh" lists the show commands); when none does, all are listed.
 * Returns 0, or -ENOSPC when @out is full.
 */
int sl_cli_print_help(const struct sl_cli_cmd *table, int level, const char *header, int argc,
		      char *const *argv, struct sl_outbuf *out);

/*
 * Runs one request line: every ';'-separated command in order, each followed by the end-of-output
 * empty line and, when *@prompt_mode is set, the prompt "> ". Built-ins (they take precedence
 * over table entries): "help [words]" (the list for this level), "prompt" (toggles
 * *@prompt_mode) and "quit" (sets *@quit, prints nothing and stops the line). A command needing a
 * higher level than @level gets "Permission denied"; an unknown one (or an empty one) HAProxy's
 * "Unknown command" text with the commands usable at @level. Accepts the table and its @arg, the
 * session's @level, the line (without its '\n'; a trailing '\r' is ignored; modified in place),
 * the output and the session's state.
 * Returns 0, -E2BIG when the line is longer than SL_PROTO_LINE_MAX - 1 bytes (the message
 * SL_PROTO_MSG_TOO_LONG is printed, nothing is run: the caller should close the session), or
 * -ENOSPC when @out hit its cap (the remaining commands are not run).
 */
int sl_cli_exec(const struct sl_cli_cmd *table, void *arg, int level, char *line,
		struct sl_outbuf *out, bool *prompt_mode, bool *quit);

/* The name of a level ("user", "operator", "admin"), or "?" for another value. */
const char *sl_cli_level_name(int level);

#endif
