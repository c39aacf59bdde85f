/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration lexer: one line of an haproxy.cfg-style file into words, the way HAProxy's
 * parse_line() splits it (see docs/config.md, "Lexical rules"):
 *
 *  - words are separated by spaces and tabs; a trailing '\r' (CRLF files) is dropped;
 *  - an unquoted, unescaped '#' starts a comment that runs to the end of the line;
 *  - '...' quotes everything literally; "..." quotes but still honours backslash escapes and
 *    expands environment variables written $NAME, ${NAME} or ${NAME-default};
 *  - outside single quotes, '\' followed by space, '#', '\\', '\'', '"' or '$' yields that
 *    character, \r \n \t their control characters and \xHH a byte; any other '\c' is kept as the
 *    two characters, so regexes such as "\.(m3u8|ts)$" reach the regex compiler untouched;
 *  - '$' outside double quotes is literal (HAProxy 2.x), as in the seed's "$DOMAIN.pem";
 *  - quotes may start or end in the middle of a word: a"b c"d is the single word "ab cd".
 *
 * Pure: no allocation, no I/O. Any thread may call it.
 */
#ifndef SL_CFG_LEX_H
#define SL_CFG_LEX_H

#include <stddef.h>

/* Longest accepted input line and the output space for its words after expansion. */
#define SL_CFG_MAX_LINE (64 * 1024)
#define SL_CFG_MAX_WORDS 256
#define SL_CFG_WORDS_BUF (2 * SL_CFG_MAX_LINE)

/* The words of one line; each w[i] is NUL-terminated and points into buf. */
struct sl_cfg_words {
	int n;
	char *w[SL_CFG_MAX_WORDS];
	char buf[SL_CFG_WORDS_BUF];
};

/* Looks up an environment variable; returns NULL when it is not set. */
typedef const char *(*sl_cfg_getenv_fn)(const char *name);

/*
 * Splits @line (@len bytes, no '\n'; it need not be NUL-terminated) into @out.
 * @getenv_fn resolves variables inside double quotes (NULL: no variable is set).
 * Returns the number of words (0 for a blank or comment-only line), or -1 when the line is
 * refused, with *@err set to a static message: NUL byte, line longer than SL_CFG_MAX_LINE,
 * unterminated quote, bad \x escape, unterminated ${, more than SL_CFG_MAX_WORDS words, or
 * words longer than SL_CFG_WORDS_BUF after expansion.
 */
int sl_cfg_lex_line(const char *line, size_t len, struct sl_cfg_words *out,
		    sl_cfg_getenv_fn getenv_fn, const char **err);

/* The value of hex digit @c (0-9, a-f, A-F), or -1. Also read by `tcp-check ... binary HEX`. */
int sl_cfg_hexval(char c);

#endif
