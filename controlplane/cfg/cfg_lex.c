/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/cfg/cfg_lex.h"

#include <stdbool.h>
#include <string.h>

/* Output cursor: appends bytes to out->buf and remembers overflow instead of failing early. */
struct lex_out {
	struct sl_cfg_words *words;
	size_t pos;
	bool overflow;
};

static void put(struct lex_out *o, char c)
{
	if (o->pos + 1 >= SL_CFG_WORDS_BUF) {
		o->overflow = true;
		return;
	}
	o->words->buf[o->pos++] = c;
}

int sl_cfg_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_var_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/*
 * Expands the variable whose '$' is at line[*i]; advances *i past it. Returns 0, or -1 with
 * *err set. A '$' not followed by a name or '{' is kept literally.
 */
static int expand_var(const char *line, size_t len, size_t *i, struct lex_out *o,
		      sl_cfg_getenv_fn getenv_fn, const char **err)
{
	char name[256];
	size_t n = 0, j = *i + 1;
	const char *def = NULL;
	size_t deflen = 0;

	if (j < len && line[j] == '{') {
		j++;
		while (j < len && is_var_char(line[j]))
			if (n < sizeof(name) - 1)
				name[n++] = line[j++];
			else
				j++;
		if (j < len && line[j] == '-') {
			def = line + j + 1;
			while (j < len && line[j] != '}')
				j++;
			deflen = (size_t)(line + j - def);
		}
		if (j >= len || line[j] != '}') {
			*err = "unterminated '${' in variable reference";
			return -1;
		}
		j++;
	} else {
		while (j < len && is_var_char(line[j]))
			if (n < sizeof(name) - 1)
				name[n++] = line[j++];
			else
				j++;
	}
	if (n == 0 && def == NULL) {
		put(o, '$');
		*i += 1;
		return 0;
	}
	name[n] = '\0';
	const char *val = getenv_fn != NULL && n > 0 ? getenv_fn(name) : NULL;
	if (val != NULL) {
		while (*val)
			put(o, *val++);
	} else {
		for (size_t k = 0; k < deflen; k++)
			put(o, def[k]);
	}
	*i = j;
	return 0;
}

/*
 * Handles the backslash at line[*i] (outside single quotes); advances *i. Returns 0 or -1.
 */
static int escape(const char *line, size_t len, size_t *i, struct lex_out *o, const char **err)
{
	size_t j = *i + 1;
	if (j >= len) {
		put(o, '\\'); /* a lone trailing backslash is literal */
		*i = j;
		return 0;
	}
	char c = line[j];
	switch (c) {
	case ' ':
	case '#':
	case '\\':
	case '\'':
	case '"':
	case '$':
		put(o, c);
		break;
	case 'r':
		put(o, '\r');
		break;
	case 'n':
		put(o, '\n');
		break;
	case 't':
		put(o, '\t');
		break;
	case 'x': {
		int h = j + 1 < len ? sl_cfg_hexval(line[j + 1]) : -1;
		int l = j + 2 < len ? sl_cfg_hexval(line[j + 2]) : -1;
		if (h < 0 || l < 0) {
			*err = "invalid '\\x' escape: two hexadecimal digits expected";
			return -1;
		}
		if (h == 0 && l == 0) {
			*err = "'\\x00' escape: NUL bytes are not allowed";
			return -1;
		}
		put(o, (char)(h * 16 + l));
		j += 2;
		break;
	}
	default:
		put(o, '\\');
		put(o, c);
		break;
	}
	*i = j + 1;
	return 0;
}

int sl_cfg_lex_line(const char *line, size_t len, struct sl_cfg_words *out,
		    sl_cfg_getenv_fn getenv_fn, const char **err)
{
	struct lex_out o = {.words = out, .pos = 0, .overflow = false};
	size_t i = 0;

	out->n = 0;
	if (len > SL_CFG_MAX_LINE) {
		*err = "line too long (more than 65536 bytes)";
		return -1;
	}
	if (memchr(line, '\0', len) != NULL) {
		*err = "NUL byte in line";
		return -1;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;

	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len || line[i] == '#')
			break;
		if (out->n == SL_CFG_MAX_WORDS) {
			*err = "too many words on one line (more than 256)";
			return -1;
		}
		size_t start = o.pos;
		char quote = 0;
		while (i < len) {
			char c = line[i];
			if (quote == '\'') {
				if (c == '\'')
					quote = 0;
				else
					put(&o, c);
				i++;
			} else if (quote == '"') {
				if (c == '"') {
					quote = 0;
					i++;
				} else if (c == '\\') {
					if (escape(line, len, &i, &o, err) < 0)
						return -1;
				} else if (c == '$') {
					if (expand_var(line, len, &i, &o, getenv_fn, err) < 0)
						return -1;
				} else {
					put(&o, c);
					i++;
				}
			} else {
				if (c == ' ' || c == '\t' || c == '#')
					break;
				if (c == '\'' || c == '"') {
					quote = c;
					i++;
				} else if (c == '\\') {
					if (escape(line, len, &i, &o, err) < 0)
						return -1;
				} else {
					put(&o, c);
					i++;
				}
			}
		}
		if (quote != 0) {
			*err = quote == '"' ? "unterminated double quote" : "unterminated single quote";
			return -1;
		}
		put(&o, '\0');
		if (o.overflow) {
			*err = "line too long after variable expansion";
			return -1;
		}
		out->w[out->n++] = out->buf + start;
	}
	return out->n;
}
