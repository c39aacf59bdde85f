/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the stats socket's command line (controlplane/stats/cmdlang.c): what an
 * operator or a script writes on the socket, split into ';'-separated commands and escaped
 * words, matched against a table (longest prefix of whole words), checked against the
 * session's level, with the built-ins help / prompt / quit. The table's handlers print their
 * words back, so the splitting's output is exercised too. The input's first byte picks the
 * session's level and prompt mode; the rest is the line.
 *
 * Properties: no crash, no read or write outside a buffer (ASan), the answer bounded by the
 * output's cap, a known return value, and a handler never sees a NULL word before argc.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/stats/cmdlang.h"
#include "controlplane/stats/stats_proto.h"
#include "proto/outbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int echo(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	(void)arg;
	for (int i = 0; i < argc; i++) {
		if (argv[i] == NULL)
			abort();
		sl_outbuf_printf(out, "[%s]", argv[i]);
	}
	if (argv[argc] != NULL)
		abort();
	sl_outbuf_printf(out, "\n");
	return 0;
}

static int fails(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	(void)arg;
	(void)argc;
	(void)argv;
	(void)out;
	return -EINVAL;
}

static const struct sl_cli_cmd table[] = {
	{"show stat", SL_CLI_USER, echo, "[typed|json]*", "report counters"},
	{"show", SL_CLI_USER, echo, NULL, "show things"},
	{"show info", SL_CLI_USER, echo, NULL, "report information"},
	{"set server", SL_CLI_ADMIN, echo, "<b>/<s> state ready|drain|maint", "change a server"},
	{"disable frontend", SL_CLI_OPERATOR, echo, "<f>", NULL},
	{"clear counters", SL_CLI_OPERATOR, fails, NULL, "reset counters"},
	{NULL, 0, NULL, NULL, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > SL_PROTO_LINE_MAX + 64)
		return 0;
	char *line = malloc(size);
	if (line == NULL)
		return 0;
	memcpy(line, data + 1, size - 1);
	line[size - 1] = '\0';
	struct sl_outbuf out;
	sl_outbuf_init(&out, 4096);
	bool prompt = (data[0] & 4) != 0, quit = false;
	int r = sl_cli_exec(table, NULL, data[0] & 3, line, &out, &prompt, &quit);
	if (r != 0 && r != -E2BIG && r != -ENOSPC)
		abort();
	if (out.len - out.off > 4096)
		abort();
	sl_outbuf_free(&out);
	free(line);
	return 0;
}
