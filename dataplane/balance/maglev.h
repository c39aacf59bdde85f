/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing, with weights, and the flow hashes of the L4 path.
 *
 * Reference: D. E. Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
 * NSDI 2016, section 3.4 ("Consistent Hashing"). Each backend has a permutation of the M slots of
 * a lookup table, derived from its name:
 *
 *     offset = h1(name) mod M,  skip = h2(name) mod (M - 1) + 1,
 *     permutation[j] = (offset + j * skip) mod M            (M prime, so every slot appears once)
 *
 * and the backends take turns: on its turn a backend claims the next slot of its permutation that
 * is still empty, until the table is full. A lookup is then one array read.
 *
 * Weights (our generalisation; the section's pseudocode gives every backend one turn per round):
 * a backend of weight w takes its turns at a rate proportional to w. Its j-th turn (j = 0, 1, ...)
 * happens at the virtual time (j + 1/2) / w, and turns are played in time order (stride
 * scheduling, i.e. the Sainte-Lague / Webster apportionment). So:
 *   - equal weights give exactly the paper's round-robin loop;
 *   - at the end every backend holds round(T * w) entries for one common T: its share is w / sum(w)
 *     to within one entry (1/M), whatever the weights;
 *   - the moments of a backend's turns depend only on its own weight, so removing a backend (or
 *     setting its weight to 0) leaves the others' order of play unchanged, as in the paper, which
 *     keeps the disruption low; multiplying all weights by a constant changes nothing.
 * Turns that fall at the same time are played in an order fixed by the backends' keys (by h1, then
 * by the key bytes), never by their position in the input array: the table maps the same key to the
 * same backend whatever the order of the array (ties between two backends with the same key, which
 * have the same permutation, fall back to the array order).
 *
 * Sharing: the control plane (main lcore) builds a new table with sl_maglev_build() into memory it
 * allocated (sl_maglev_bytes()), then publishes the pointer (a release store) and frees the old
 * table once every worker has passed a quiescent point. Workers only call sl_maglev_lookup(): one
 * array read, no lock, no allocation. Never rebuild a table that workers may be reading.
 *
 * Pure C: no DPDK, so tests/unit/dataplane/balance/test_maglev.c runs it without a NIC.
 */
#ifndef SL_MAGLEV_H
#define SL_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_MAGLEV_NONE	       0xffffu /* entry value when no server has a weight */
#define SL_MAGLEV_MAX_SERVERS  65534u  /* server indexes 0..65533 fit an entry, next to NONE */
#define SL_MAGLEV_SIZE_DEFAULT 65537u  /* prime; holds 100 entries per server up to 655 servers */
#define SL_MAGLEV_SIZE_LARGE   655373u /* prime; for up to 6553 servers */

struct sl_maglev_server {
	/* Stable identity, e.g. "backend/server" or "10.0.0.1:1935": it alone determines the
	 * server's permutation, so the same key lands on the same slots in every process. */
	const char *key;
	/* Relative weight; 0 = the server gets no entry. */
	uint32_t weight;
};

struct sl_maglev {
	uint32_t size;	    /* M: number of entries, a prime */
	uint16_t entries[]; /* index into the server array of the build, or SL_MAGLEV_NONE */
};

/*
 * Bytes to allocate for a table of @size entries (header included). Any caller; pure.
 */
size_t sl_maglev_bytes(uint32_t size);

/*
 * Fills @m (sl_maglev_bytes(@size) bytes, allocated by the caller) with the Maglev table of the
 * @n servers of @servers: entry values are indexes into @servers. Servers of weight 0 get no entry;
 * when none has a weight (or @n is 0), every entry is SL_MAGLEV_NONE. @servers and its keys are
 * only read during the call (the table keeps no pointer to them).
 *
 * Returns 0; -EINVAL when @size is not prime, @n > SL_MAGLEV_MAX_SERVERS, @servers is NULL with
 * @n > 0 or a key is NULL (even a weight-0 server's); -ENOMEM when the temporary state (about 48
 * bytes per server) cannot be allocated. On error @m is left untouched.
 *
 * Control plane only (main lcore): it allocates with malloc(). Cost: ~M ln M cursor steps, plus a
 * heap operation per entry (O(M log N)) when the weights differ; measured on a 2.6 GHz EPYC:
 * about 1 ms for M = 65537 and 10-17 ms for M = 655373 with equal weights, 6 ms and 60 ms with
 * 1000 servers of weights 1..256 (tools/bench/bench_maglev.c). @m must not be visible to workers
 * while it is built.
 */
int sl_maglev_build(struct sl_maglev *m, uint32_t size, const struct sl_maglev_server *servers,
		    unsigned n);

/*
 * The server index for a flow of hash @hash (SL_MAGLEV_NONE when the table is empty). Any lcore,
 * lock-free: one multiplication and one array read.
 *
 * The reduction of the 32-bit hash to a slot is Lemire's multiply-shift, (hash * M) >> 32, rather
 * than hash % M: same uniformity (each slot receives floor or ceil of 2^32 / M hash values) without
 * a division; it uses the high bits of @hash, so @hash must be well mixed there (sl_flow_hash5()
 * and sl_flow_hash_src() are).
 */
static inline uint16_t sl_maglev_lookup(const struct sl_maglev *m, uint32_t hash)
{
	return m->entries[(uint32_t)(((uint64_t)hash * m->size) >> 32)];
}

/*
 * Counts the entries of each server: @counts[i] (for i < @n) receives how many entries hold i.
 * Returns the number of entries that hold SL_MAGLEV_NONE. Control plane (stats, tests); walks the
 * whole table.
 */
uint32_t sl_maglev_count(const struct sl_maglev *m, unsigned n, uint32_t *counts);

/* True when @n is prime. Any caller; pure; at most ~22000 trial divisions. */
bool sl_maglev_is_prime(uint32_t n);

/*
 * The smallest prime >= @n, or 0 when there is none below 2^32 (n > 4294967291). Any caller; pure.
 */
uint32_t sl_maglev_next_prime(uint32_t n);

/*
 * A table size for @n servers following the paper's rule (section 3.4): M prime and larger than
 * 100 * N, so that shares differ by at most about 1%. Returns SL_MAGLEV_SIZE_DEFAULT up to 655
 * servers, then the next prime above 100 * @n. Control plane.
 */
uint32_t sl_maglev_size_for(unsigned n);

/*
 * Flow hashes for the L4 path: deterministic (no random seed: the same value in every process, on
 * every run and on every machine, so that several load balancers pick the same server for a flow,
 * as in the paper), well mixed in every bit, 4 to 8 cycles each in a burst (13 to 16 of latency).
 * Addresses and ports are taken as numbers; pass them in the same byte order everywhere (host order
 * in sluice). Any lcore; pure.
 */

/* Hash of a TCP/UDP 5-tuple (`balance roundrobin` style L4 spreading of flows). */
uint32_t sl_flow_hash5(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
		       uint8_t proto);

/* Hash of the client address alone (`balance source`: all flows of a client go to one server). */
uint32_t sl_flow_hash_src(uint32_t saddr);

#endif
