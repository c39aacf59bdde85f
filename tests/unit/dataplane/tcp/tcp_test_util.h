/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for the TCP stack tests: a deterministic PRNG, a virtual clock, a simulated wire
 * between stacks (loss, duplication, reordering, delay), a capturing environment for scripted
 * tests, and a segment builder / parser.
 */
#ifndef SL_TCP_TEST_UTIL_H
#define SL_TCP_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/tcp/stack.h"
#include "proto/tcp.h"

/* xorshift64* */
uint64_t tt_rand(uint64_t *s);

/* ---- simulated wire between two stacks ---- */

struct tt_pkt {
	uint64_t at; /* delivery time, us */
	uint64_t order;
	int to;	     /* stack index */
	uint16_t len;
	uint8_t *data;
};

struct tt_net {
	uint64_t now;
	uint64_t rng;
	double loss, dup;	   /* probabilities per packet */
	uint32_t delay_us, jitter_us; /* one-way delay: delay + uniform [0, jitter) */
	struct sl_tcp_stack *st[2];
	uint32_t addr[2];
	struct tt_pkt *heap;
	size_t n, cap;
	uint64_t order;
	uint64_t sent, lost, dups, delivered;
	uint64_t unrouted; /* packets to an address neither stack has (a spoofed source's) */
	bool copy_in;	  /* deliver with sl_tcp_input() (copies) instead of sl_tcp_input_ext() */
	int64_t ext_held; /* packets kept by the stacks, not yet released */
	struct tt_env {
		struct tt_net *net;
		int idx;
	} env[2];
};

/* The ops of a stack attached to a tt_net (env: &net->env[i]). */
extern const struct sl_tcp_ops tt_net_ops;

void tt_net_init(struct tt_net *n, uint64_t seed, uint32_t addr0, uint32_t addr1);
void tt_net_free(struct tt_net *n);
/* Runs one event: the next packet due by the next millisecond tick, or that tick (timers of
 * both stacks). Returns false when nothing is queued and the clock moved. A packet whose
 * destination is not the address of the stack across the wire vanishes (counted in
 * unrouted), as an answer to a spoofed source would. */
bool tt_net_step(struct tt_net *n);

/* ---- capturing environment for scripted tests ---- */

struct tt_cap {
	uint64_t now;
	uint64_t rng;
	uint8_t *pkts[256];
	size_t lens[256];
	size_t n;
};

extern const struct sl_tcp_ops tt_cap_ops;
void tt_cap_clear(struct tt_cap *c);

/* A parsed segment. */
struct tt_seg {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint32_t len; /* payload */
	const uint8_t *data;
	struct sl_tcp_opts o;
	int nsack;
	uint32_t sack[4][2];
};

/* Parses the IPv4 packet @p (checksums verified: false when wrong). */
bool tt_parse(const uint8_t *p, size_t len, struct tt_seg *out);

/* Builds an IPv4+TCP packet in @buf (>= 1500 bytes); returns its length. */
size_t tt_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
		size_t optlen, const void *data, size_t dlen);

#endif
