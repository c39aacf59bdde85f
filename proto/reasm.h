/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 reassembly bookkeeping (RFC 791 section 3.2, RFC 1122 3.3.2): which datagrams one lcore
 * is putting together, which byte ranges of each have arrived, when each is given up. The bytes
 * themselves are the caller's: slot i of the table has a buffer the caller owns, into which it
 * copies each accepted fragment's data at its offset.
 *
 * Bounded in memory and time: a fixed number of slots (a new datagram takes a free slot, or
 * the oldest one's: counted in `evicted`), a largest datagram, at most SL_REASM_MAX_FRAGS
 * fragments per datagram, and a deadline per datagram from its first fragment. Overlaps are not
 * merged: any fragment that overlaps one already received, an exact duplicate included, discards
 * the whole datagram, as RFC 5722 requires for IPv6 and as current hosts do for IPv4 (a
 * datagram never assembled two ways, no fragment-overlap evasion).
 *
 * Pure C: allocation in sl_reasm_create() only; the caller passes the clock.
 */
#ifndef SL_REASM_H
#define SL_REASM_H

#include <stdbool.h>
#include <stdint.h>

#define SL_REASM_MAX_FRAGS 16

/* What names a datagram (RFC 791: source, destination, protocol, identification). */
struct sl_reasm_key {
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
};

enum sl_reasm_result {
	SL_REASM_MORE = 0,	  /* accepted; the datagram waits for more */
	SL_REASM_DONE = 1,	  /* accepted, and the datagram is whole: read it from the slot's
				   * buffer now (the slot is free again) */
	SL_REASM_ERR_BAD = -1,	  /* a fragment that cannot be: empty, a non-last one whose length
				   * is not a multiple of 8, beyond the last one's end, a second
				   * last one with another end */
	SL_REASM_ERR_OVERLAP = -2, /* overlaps what arrived: the datagram is discarded */
	SL_REASM_ERR_TOOBIG = -3,  /* ends beyond the largest datagram: discarded */
	SL_REASM_ERR_TOOMANY = -4, /* one fragment too many: discarded */
};

struct sl_reasm_stats {
	uint64_t done, bad, overlap, toobig, toomany, evicted, expired;
	uint32_t in_use;
};

struct sl_reasm;

/*
 * Creates a table of @nslots datagrams (>= 1) of at most @max_len bytes of IP payload each,
 * given up @timeout_us after their first fragment. Returns NULL on allocation failure.
 */
struct sl_reasm *sl_reasm_create(unsigned nslots, uint32_t max_len, uint64_t timeout_us);
void sl_reasm_destroy(struct sl_reasm *r);

/*
 * Records a fragment of the datagram @k: @len bytes of its payload at byte offset @off, @mf its
 * "more fragments" flag, @now the clock (microseconds). Sets *@slot to the datagram's slot
 * whenever the result is not an error: the caller then copies the fragment's bytes into that
 * slot's buffer at @off. On SL_REASM_DONE it also sets *@total to the payload's length. Sets
 * *@evicted to whether this fragment's new datagram pushed out the oldest one (also counted in
 * `evicted`). An error leaves nothing of the datagram behind except for SL_REASM_ERR_BAD, which
 * only refuses the fragment.
 */
int sl_reasm_add(struct sl_reasm *r, const struct sl_reasm_key *k, uint32_t off, uint32_t len,
		 bool mf, uint64_t now, unsigned *slot, uint32_t *total, bool *evicted);

/* Gives up the datagrams whose deadline is past @now; returns how many (also in `expired`). */
unsigned sl_reasm_expire(struct sl_reasm *r, uint64_t now);

void sl_reasm_stats(const struct sl_reasm *r, struct sl_reasm_stats *out);

#endif
