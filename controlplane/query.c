/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/query.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "dataplane/core/lcore.h"
#include "dataplane/core/msg.h"
#include "proto/outbuf.h"

#define QUERY_WAIT_MS 200
#define QUERY_BUF (256 * 1024) /* an lcore's answer at most */

/* Hands @m to lcore @id: in place when it is main's own (main runs its roles), else its ring. */
static int deliver(struct sl_dp *dp, unsigned id, const struct sl_msg *m)
{
	if (id == rte_lcore_id()) {
		sl_lcore_dispatch(dp->lcores[id], m);
		return 0;
	}
	return sl_msg_send(dp, id, m);
}

unsigned sl_query_proxies(struct sl_dp *dp, uint16_t what, unsigned max, struct sl_outbuf *out)
{
	unsigned total = 0;
	for (unsigned i = 0; i < dp->nproxies && total < max; i++) {
		unsigned id = dp->proxy_ids[i];
		struct sl_query *q = calloc(1, sizeof(*q));
		char *buf = malloc(QUERY_BUF);
		if (q == NULL || buf == NULL) {
			free(q);
			free(buf);
			sl_outbuf_printf(out, "out of memory asking lcore %u\n", id);
			break;
		}
		*q = (struct sl_query){.what = what, .max = max - total, .buf = buf, .size = QUERY_BUF};
		struct sl_msg m = {.op = SL_MSG_QUERY, .ptr = q};
		if (deliver(dp, id, &m) < 0) {
			sl_outbuf_printf(out, "lcore %u is busy with earlier commands; try again\n", id);
			free(q);
			free(buf);
			continue;
		}
		/* the lcore answers at its next tick; it owns q and buf until done is set */
		uint64_t until = rte_rdtsc() + dp->tsc_hz / 1000 * QUERY_WAIT_MS;
		while (!__atomic_load_n(&q->done, __ATOMIC_ACQUIRE) && rte_rdtsc() < until) {
			struct timespec ts = {.tv_nsec = 20000};
			nanosleep(&ts, NULL);
		}
		if (!__atomic_load_n(&q->done, __ATOMIC_ACQUIRE)) {
			/* too late: the buffers are the lcore's now; it frees nothing, so they stay
			 * (a bounded leak, named) rather than be freed under it */
			sl_outbuf_printf(out, "lcore %u did not answer within %d ms\n", id,
					 QUERY_WAIT_MS);
			continue;
		}
		sl_outbuf_append(out, q->buf, q->len);
		total += q->count;
		free(buf);
		free(q);
	}
	return total;
}

int sl_query_broadcast(struct sl_dp *dp, const struct sl_msg *m)
{
	int r = 0;
	unsigned id;
	RTE_LCORE_FOREACH(id) {
		const struct sl_lcore *lc = dp->lcores[id];
		if (lc == NULL || !(lc->roles & (SL_ROLE_WORKER | SL_ROLE_PROXY)))
			continue;
		if (deliver(dp, id, m) < 0)
			r = -ENOBUFS;
	}
	return r;
}

int sl_query_reset_server(struct sl_dp *dp, uint16_t gidx)
{
	struct sl_msg m = {.op = SL_MSG_RESET_SERVER, .a = gidx};
	return sl_query_broadcast(dp, &m);
}
