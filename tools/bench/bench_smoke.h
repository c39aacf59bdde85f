/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smoke mode every benchmark offers, so that none can rot unnoticed: `bench_X --smoke`
 * (first argument, nothing after it) runs the benchmark's own work on a few thousand
 * iterations, prints no figure and asserts none (timed assertions never appear in tests: the
 * machines are shared), and exits 0 when the work ran as it should, non-zero otherwise (a
 * crash, a request that never completed, a counter that says the packets were dropped).
 * tools/bench/smoke.sh runs every build/bench_* this way; the test command calls it.
 * Benchmarks that need EAL take their EAL arguments from bench_dp.h in this mode.
 */
#ifndef SL_BENCH_SMOKE_H
#define SL_BENCH_SMOKE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * True when the command line asks for the smoke mode (argv[1] is "--smoke"). Then stdout, where
 * a benchmark prints its figures, goes to /dev/null: a smoke run checks that the work runs,
 * never what it costs. Failures go to stderr (bench_fail).
 */
static inline bool bench_smoke(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--smoke") != 0)
		return false;
	if (freopen("/dev/null", "w", stdout) == NULL)
		fclose(stdout);
	return true;
}

/* Says on stderr why a run failed, naming the benchmark, and returns 1 (the exit status). */
static inline int bench_fail(const char *bench, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int bench_fail(const char *bench, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: FAILED: ", bench);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

#endif
