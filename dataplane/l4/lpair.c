/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/l4/lpair.h"

bool sl_lpair_alloc(struct sl_flow_table *ft, struct sl_lpair_cursor *c, const uint32_t *pool,
		    unsigned npool, uint16_t lo, uint16_t hi, unsigned probes,
		    struct sl_flow_key *sk, uint64_t now_ms)
{
	enum sl_flow_dir d;
	for (unsigned i = 0; i < probes; i++) {
		sk->daddr = pool[sl_lpair_next(c, npool, lo, hi, &sk->dport)];
		if (sl_flow_lookup(ft, sk, sl_flow_key_hash(sk), &d, now_ms) == NULL)
			return true;
	}
	return false;
}
