/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/msg.h"

#include <errno.h>

#include "dataplane/core/lcore.h"

_Static_assert(sizeof(struct sl_msg) == 64, "a message is one cache line");

int sl_msg_send(struct sl_dp *dp, unsigned lcore, const struct sl_msg *m)
{
	if (lcore >= RTE_MAX_LCORE || dp->lcores[lcore] == NULL ||
	    dp->lcores[lcore]->cmdring == NULL)
		return -ENODEV;
	return rte_ring_enqueue_elem(dp->lcores[lcore]->cmdring, (void *)(uintptr_t)m,
				     sizeof(*m)) == 0 ?
		       0 :
		       -ENOBUFS;
}

int sl_msg_to_main(struct sl_lcore *lc, struct sl_msg *m)
{
	m->from = (uint16_t)lc->lcore_id;
	if (lc->dp->inbox == NULL || rte_ring_enqueue_elem(lc->dp->inbox, m, sizeof(*m)) != 0) {
		lc->ctr->c[SL_CTR_DROP_RING_FULL]++;
		return -ENOBUFS;
	}
	return 0;
}

int sl_msg_recv(struct sl_lcore *lc, struct sl_msg *m)
{
	return lc->cmdring != NULL && rte_ring_dequeue_elem(lc->cmdring, m, sizeof(*m)) == 0;
}

int sl_msg_main_recv(struct sl_dp *dp, struct sl_msg *m)
{
	return dp->inbox != NULL && rte_ring_dequeue_elem(dp->inbox, m, sizeof(*m)) == 0;
}
