/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cost of rendering the statistics of a large configuration (issue: stats): a frontend and
 * B backends of S servers each (default 10 x 100 = 1000 servers), the rows built from the
 * configuration, one counter set in each row (as the stats socket's fill does with sl_stats_find),
 * then rendered as `show stat` CSV, JSON, the HTML page and the Prometheus exposition. Prints
 * the median of R runs (default 15) of each step in microseconds.
 *
 *   ./build/bench_stats [BACKENDS SERVERS RUNS]
 *   ./build/bench_stats --smoke     (2 backends x 10 servers, one run, no figure; fails when a
 *                                    server's row is missing or a format renders nothing)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controlplane/cfg/cfg.h"
#include "proto/outbuf.h"
#include "controlplane/stats/stats_html.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_prom.h"
#include "tools/bench/bench_smoke.h"

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

static char *config(int nb, int ns)
{
	size_t cap = (size_t)nb * (size_t)ns * 64 + 4096, len = 0;
	char *t = malloc(cap);
	if (t == NULL)
		return NULL;
	len += (size_t)snprintf(t + len, cap - len,
				"defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n"
				"  timeout server 30s\nfrontend web\n  bind :80\n  default_backend b0\n");
	for (int b = 0; b < nb; b++) {
		len += (size_t)snprintf(t + len, cap - len, "backend b%d\n", b);
		for (int s = 0; s < ns; s++)
			len += (size_t)snprintf(t + len, cap - len, "  server s%d 10.%d.%d.%d:80 check\n",
						s, b + 1, s / 250, s % 250 + 1);
	}
	return t;
}

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	int nb = smoke ? 2 : argc > 1 ? atoi(argv[1]) : 10;
	int ns = smoke ? 10 : argc > 2 ? atoi(argv[2]) : 100;
	int runs = smoke ? 1 : argc > 3 ? atoi(argv[3]) : 15;
	if (nb < 1 || ns < 1 || runs < 1)
		return 64;
	char *text = config(nb, ns);
	struct sl_cfg_text ct = {"bench.cfg", text, text ? strlen(text) : 0};
	struct sl_cfg_opts opts = {.no_dataplane_ok = true};
	struct sl_cfg *cfg = NULL;
	if (text == NULL || sl_cfg_parse(&ct, 1, &opts, &cfg) < 0) {
		fprintf(stderr, "bench_stats: cannot build the configuration\n");
		return 1;
	}
	double *t[6];
	for (int k = 0; k < 6; k++)
		t[k] = calloc((size_t)runs, sizeof(double));
	size_t bytes[6] = {0};
	long found = 0;
	for (int r = 0; r < runs; r++) {
		struct sl_stats_row *rows;
		size_t n;
		double t0 = now_us();
		sl_stats_rows_from_cfg(cfg, &rows, &n);
		double t1 = now_us();
		/* what the socket's fill does per server: find its row by name, set a counter */
		for (int b = 0; b < nb; b++)
			for (int s = 0; s < ns; s++) {
				char px[16], sv[16];
				snprintf(px, sizeof(px), "b%d", b);
				snprintf(sv, sizeof(sv), "s%d", s);
				struct sl_stats_row *row = sl_stats_find(rows, n, px, sv);
				if (row != NULL) {
					sl_stats_set_u(row, SL_ST_STOT, (uint64_t)(b * ns + s));
					found++;
				}
			}
		double t2 = now_us();
		struct sl_outbuf o[4];
		struct sl_stats_filter f;
		sl_stats_filter_init(&f);
		for (int k = 0; k < 4; k++)
			sl_outbuf_init(&o[k], 0);
		double t3 = now_us();
		sl_stats_render(rows, n, SL_STATS_FMT_CSV, &f, &o[0]);
		double t4 = now_us();
		sl_stats_render(rows, n, SL_STATS_FMT_JSON, &f, &o[1]);
		double t5 = now_us();
		struct sl_stats_html_opts ho = {.uri = "/stats", .admin = true, .admin_token = "x"};
		sl_stats_html_render(rows, n, &ho, &o[2]);
		double t6 = now_us();
		sl_stats_prom_render(rows, n, NULL, &o[3]);
		double t7 = now_us();
		t[0][r] = t1 - t0;
		t[1][r] = t2 - t1;
		t[2][r] = t4 - t3;
		t[3][r] = t5 - t4;
		t[4][r] = t6 - t5;
		t[5][r] = t7 - t6;
		for (int k = 0; k < 4; k++) {
			bytes[k + 2] = sl_outbuf_len(&o[k]);
			sl_outbuf_free(&o[k]);
		}
		sl_stats_rows_free(rows, n);
	}
	if (found != (long)runs * nb * ns)
		return bench_fail("bench_stats", "%ld server rows found of %ld", found,
				  (long)runs * nb * ns);
	static const char *const what[6] = {"rows from the configuration", "counters into the rows (find by name)",
					    "show stat CSV", "show stat json", "HTML page",
					    "Prometheus"};
	for (int k = 2; k < 6; k++)
		if (bytes[k] == 0)
			return bench_fail("bench_stats", "%s: nothing rendered", what[k]);
	printf("%d backends x %d servers (%d rows), median of %d runs\n", nb, ns, nb * (ns + 1) + 1,
	       runs);
	for (int k = 0; k < 6; k++) {
		printf("  %-40s %10.0f us", what[k], median(t[k], runs));
		if (bytes[k] > 0)
			printf("  (%zu bytes)", bytes[k]);
		printf("\n");
		free(t[k]);
	}
	sl_cfg_free(cfg);
	free(text);
	return 0;
}
