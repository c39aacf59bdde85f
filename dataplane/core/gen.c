/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/gen.h"

#include <string.h>

const struct sl_bal_backend *sl_gen_backend(const struct sl_gen *g, const char *name, int16_t *idx)
{
	/* the generation's names point into its configuration: the same pointer, except for
	 * the moment between a reload's publish and an lcore following it (then by name) */
	for (unsigned i = 0; g != NULL && i < g->nbackends; i++)
		if (g->backends[i].name == name) {
			*idx = (int16_t)i;
			return &g->backends[i];
		}
	for (unsigned i = 0; g != NULL && i < g->nbackends; i++)
		if (strcmp(g->backends[i].name, name) == 0) {
			*idx = (int16_t)i;
			return &g->backends[i];
		}
	return NULL;
}

int sl_gen_find_server(const struct sl_gen *g, const char *be, const char *srv)
{
	int16_t bi;
	const struct sl_bal_backend *b = sl_gen_backend(g, be, &bi);
	for (unsigned i = 0; b != NULL && i < b->nservers; i++)
		if (strcmp(b->servers[i].name, srv) == 0)
			return b->servers[i].gidx;
	return -1;
}
