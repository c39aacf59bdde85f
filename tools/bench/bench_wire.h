/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An in-memory wire for TCP stacks run in one process, without NIC or EAL (bench_http, the
 * HTTP engine's accept test): the stacks' output queues each frame, the caller delivers them by
 * destination address; the stacks' clock comes from the TSC (clock_gettime per segment would
 * cost more than what is measured), measured once against the monotonic clock; a xorshift
 * random source. One wire, one clock per program (static state in each includer).
 */
#ifndef SL_BENCH_WIRE_H
#define SL_BENCH_WIRE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>

#include "dataplane/tcp/stack.h"

struct bench_frame {
	uint16_t len;
	uint8_t data[1600];
};

static struct bench_frame *bench_q;
static size_t bench_qcap, bench_qhead, bench_qtail;
static uint64_t bench_tsc_hz, bench_tsc0;

/* Microseconds of the monotonic clock. */
static inline uint64_t bench_mono_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/* Sets up a wire of @cap frames and the TSC clock (its rate measured over @measure_us).
 * Returns 0 or -1 (no memory). */
static inline int bench_wire_init(size_t cap, uint64_t measure_us)
{
	bench_q = calloc(cap, sizeof(*bench_q));
	bench_qcap = cap;
	uint64_t t0 = bench_mono_us(), c0 = rte_rdtsc();
	while (bench_mono_us() - t0 < measure_us)
		;
	bench_tsc_hz = (rte_rdtsc() - c0) * 1000000 / (bench_mono_us() - t0);
	bench_tsc0 = rte_rdtsc();
	return bench_q != NULL ? 0 : -1;
}

/* The stacks' output: queues the frame; -1 when the wire is full. */
static inline int bench_wire_out(void *env, const uint8_t *p, size_t len)
{
	(void)env;
	if (bench_qtail - bench_qhead == bench_qcap || len > sizeof(bench_q[0].data))
		return -1;
	struct bench_frame *k = &bench_q[bench_qtail++ % bench_qcap];
	k->len = (uint16_t)len;
	memcpy(k->data, p, len);
	return 0;
}

/* The next queued frame and its IPv4 destination, or NULL when the wire is empty. */
static inline struct bench_frame *bench_wire_next(uint32_t *dst)
{
	if (bench_qhead == bench_qtail)
		return NULL;
	struct bench_frame *k = &bench_q[bench_qhead++ % bench_qcap];
	*dst = (uint32_t)k->data[16] << 24 | k->data[17] << 16 | k->data[18] << 8 | k->data[19];
	return k;
}

/* The stacks' clock: microseconds of the TSC since bench_wire_init(). */
static inline uint64_t bench_wire_now(void *env)
{
	(void)env;
	uint64_t c = rte_rdtsc() - bench_tsc0;
	return c / bench_tsc_hz * 1000000 + c % bench_tsc_hz * 1000000 / bench_tsc_hz;
}

static inline uint32_t bench_wire_random(void *env)
{
	static uint64_t s = 88172645463325252ULL;
	(void)env;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)s;
}

static const struct sl_tcp_ops bench_wire_ops = {
	.output = bench_wire_out, .now_us = bench_wire_now, .random = bench_wire_random};

#endif
