/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the configuration lexer and parser: any bytes as a configuration file.
 * Files named by the configuration come from a fake filesystem (nothing real is read) and
 * diagnostics are swallowed; a successful parse is dumped and re-parsed, and the round trip
 * must succeed (a dump that does not parse back is a bug).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/arena.h"
#include "controlplane/cfg/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_diag(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
		    const char *msg)
{
}

static const char *fake_env(const char *name)
{
	return strcmp(name, "DOMAIN") == 0 ? "example.com" : NULL;
}

static int fake_read(void *arg, struct sl_arena *a, const char *path, const char **data,
		     size_t *len)
{
	static const char resp[] = "HTTP/1.0 503 Service Unavailable\r\n\r\nbusy\n";
	if (strncmp(path, "/dir", 4) == 0)
		return -EISDIR;
	if (strncmp(path, "/f", 2) != 0)
		return -ENOENT;
	*data = sl_arena_strndup(a, resp, sizeof(resp) - 1);
	*len = sizeof(resp) - 1;
	return *data != NULL ? 0 : -ENOMEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_cfg_opts opts = {.getenv_fn = fake_env,
				   .read_fn = fake_read,
				   .diag_fn = no_diag,
				   .no_dataplane_ok = true};
	struct sl_cfg_text t = {.name = "fuzz.cfg", .data = (const char *)data, .len = size};
	struct sl_cfg *cfg = NULL;
	if (sl_cfg_parse(&t, 1, &opts, &cfg) != 0)
		return 0;

	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	if (f == NULL)
		abort();
	sl_cfg_dump(cfg, f);
	fclose(f);
	sl_cfg_free(cfg);

	struct sl_cfg_text t2 = {.name = "dump.cfg", .data = buf, .len = blen};
	struct sl_cfg *cfg2 = NULL;
	int r = sl_cfg_parse(&t2, 1, &opts, &cfg2);
	if (r != 0) {
		fprintf(stderr, "dump does not parse back:\n%s\n", buf);
		abort();
	}
	char *buf2 = NULL;
	size_t blen2 = 0;
	f = open_memstream(&buf2, &blen2);
	if (f == NULL)
		abort();
	sl_cfg_dump(cfg2, f);
	fclose(f);
	if (blen != blen2 || memcmp(buf, buf2, blen) != 0) {
		fprintf(stderr, "dump is not stable:\n%s\n---\n%s\n", buf, buf2);
		abort();
	}
	sl_cfg_free(cfg2);
	free(buf);
	free(buf2);
	return 0;
}
