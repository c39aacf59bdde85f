/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour (ARP) table: IPv4 address -> Ethernet address, shared by every lcore without locks.
 *
 * One writer: the lcore that receives ARP (it owns RX queue 0 of the port, where a NIC's RSS puts
 * non-IP frames) learns entries; every lcore reads. Each entry is guarded by a sequence counter
 * (a seqlock): the writer makes it odd while it updates, readers retry when they saw it odd or
 * changed. Readers never block the writer and never take a lock.
 *
 * Entries never go back to empty (open addressing stays correct without tombstones); an entry not
 * confirmed for `max_age_ms` is invisible to lookups and its slot may be reused.
 *
 * Pure C: no DPDK, so tests/unit/dataplane/core/test_neigh.c runs it without a NIC.
 */
#ifndef SL_NEIGH_H
#define SL_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#define SL_NEIGH_SLOTS 4096 /* power of two */
#define SL_NEIGH_PROBE 32   /* longest probe sequence */

struct sl_neigh_entry {
	uint32_t seq;        /* odd while being written */
	uint32_t ip;         /* host order; 0 = never used */
	uint64_t mac;        /* 48-bit MAC in the low bytes, in wire order (byte 0 first) */
	uint64_t updated_ms; /* last confirmation */
};

struct sl_neigh_table {
	struct sl_neigh_entry e[SL_NEIGH_SLOTS];
	uint32_t max_age_ms;
	uint32_t used; /* slots ever used (writer only) */
};

/* Initialises an empty table whose entries expire after @max_age_ms without confirmation. */
void sl_neigh_init(struct sl_neigh_table *t, uint32_t max_age_ms);

/*
 * Records that @ip is at @mac (writer lcore only). Returns 0, or -ENOSPC when the probe sequence
 * for @ip holds only live entries (a counted refusal: the table is full around that address).
 */
int sl_neigh_learn(struct sl_neigh_table *t, uint32_t ip, const uint8_t mac[6], uint64_t now_ms);

/*
 * Looks @ip up (any lcore). Returns true and fills @mac when a live entry exists, false otherwise.
 */
bool sl_neigh_lookup(const struct sl_neigh_table *t, uint32_t ip, uint8_t mac[6],
		     uint64_t now_ms);

/* Number of live entries at @now_ms (for `show neigh`; walks the table). */
unsigned sl_neigh_count(const struct sl_neigh_table *t, uint64_t now_ms);

#endif
