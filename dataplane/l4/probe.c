/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/l4/probe.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "dataplane/core/dp.h"
#include "dataplane/core/lcore.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

int sl_probe_init(struct sl_dp *dp)
{
	struct sl_lcore *lc = dp->lcores[dp->worker_ids[0]];
	lc->probes = rte_zmalloc("sl_probes", sizeof(*lc->probes) * SL_PROBE_SLOTS, 64);
	dp->probe_req = rte_ring_create_elem("sl_probe_req", sizeof(struct sl_probe_req), 1024,
					     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	dp->probe_res = rte_ring_create_elem("sl_probe_res", sizeof(struct sl_probe_res), 1024,
					     SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (lc->probes == NULL || dp->probe_req == NULL || dp->probe_res == NULL) {
		sl_probe_fini(dp);
		return -ENOMEM;
	}
	return 0;
}

void sl_probe_fini(struct sl_dp *dp)
{
	if (dp->nworkers > 0) {
		struct sl_lcore *lc = dp->lcores[dp->worker_ids[0]];
		if (lc != NULL) {
			rte_free(lc->probes);
			lc->probes = NULL;
		}
	}
	rte_ring_free(dp->probe_req);
	rte_ring_free(dp->probe_res);
	dp->probe_req = dp->probe_res = NULL;
}

int sl_probe_request(struct sl_dp *dp, const struct sl_probe_req *req)
{
	return rte_ring_enqueue_elem(dp->probe_req, (void *)(uintptr_t)req, sizeof(*req)) == 0 ?
		       0 :
		       -ENOBUFS;
}

unsigned sl_probe_results(struct sl_dp *dp, struct sl_probe_res *res, unsigned n)
{
	return rte_ring_dequeue_burst_elem(dp->probe_res, res, sizeof(*res), n, NULL);
}

static void report(struct sl_lcore *lc, struct sl_probe_slot *s, enum sl_probe_status st)
{
	struct sl_probe_res r = {.id = s->id,
				 .status = (uint8_t)st,
				 .duration_ms = (uint32_t)(lc->now_ms - s->sent_ms)};
	rte_ring_enqueue_elem(lc->dp->probe_res, &r, sizeof(r)); /* a full ring loses a result: the
								    next probe brings another */
	s->busy = 0;
}

void sl_probe_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m,
		    const struct sl_ipv4_info *iph, const struct sl_tcp_info *th)
{
	struct sl_dp *dp = lc->dp;
	if (lc->probes == NULL) {
		/* replies reach the probing worker whatever queue RSS chose */
		struct sl_lcore *owner = dp->lcores[dp->worker_ids[0]];
		m->port = port;
		if (rte_ring_enqueue(owner->rxring, m) != 0) {
			lc->ctr->c[SL_CTR_DROP_RING_FULL]++;
			rte_pktmbuf_free(m);
		}
		return;
	}
	struct sl_probe_slot *s = &lc->probes[th->dport - SL_PROBE_PORT_LO];
	if (s->busy && s->ip == iph->src && s->port == th->sport) {
		if ((th->flags & (SL_TCP_SYN | SL_TCP_ACK)) == (SL_TCP_SYN | SL_TCP_ACK) &&
		    th->ack == s->iss + 1) {
			/* accepted: reset the half-open connection, as a connect+close would end */
			sl_tcp_ctl_send(lc, iph->dst, th->dport, iph->src, th->sport, th->ack, 0,
				     SL_TCP_RST, false);
			report(lc, s, SL_PROBE_OK);
		} else if ((th->flags & SL_TCP_RST) && th->ack == s->iss + 1) {
			report(lc, s, SL_PROBE_REFUSED);
		}
	}
	lc->ctr->c[SL_CTR_PROBE_REPLIES]++;
	rte_pktmbuf_free(m);
}

void sl_probe_tick(struct sl_lcore *lc)
{
	struct sl_dp *dp = lc->dp;
	if (lc->probes == NULL)
		return;
	struct sl_probe_req req;
	while (rte_ring_dequeue_elem(dp->probe_req, &req, sizeof(req)) == 0) {
		/* a free slot, starting from a rotating point (slots are reused late) */
		unsigned i, start = (unsigned)(rte_rand() % SL_PROBE_SLOTS);
		for (i = 0; i < SL_PROBE_SLOTS; i++)
			if (!lc->probes[(start + i) % SL_PROBE_SLOTS].busy)
				break;
		if (i == SL_PROBE_SLOTS) {
			struct sl_probe_res r = {.id = req.id, .status = SL_PROBE_NO_ROOM};
			rte_ring_enqueue_elem(dp->probe_res, &r, sizeof(r));
			continue;
		}
		unsigned k = (start + i) % SL_PROBE_SLOTS;
		struct sl_probe_slot *s = &lc->probes[k];
		*s = (struct sl_probe_slot){.ip = req.ip,
					    .port = req.port,
					    .id = req.id,
					    .iss = (uint32_t)rte_rand(),
					    .timeout_ms = req.timeout_ms,
					    .sent_ms = lc->now_ms,
					    .busy = 1};
		uint32_t src = sl_dp_source_for(dp, 0, req.ip);
		sl_tcp_ctl_send(lc, src, (uint16_t)(SL_PROBE_PORT_LO + k), req.ip, req.port, s->iss, 0,
			     SL_TCP_SYN, true);
		lc->ctr->c[SL_CTR_PROBES_SENT]++;
	}
	for (unsigned k = 0; k < SL_PROBE_SLOTS; k++) {
		struct sl_probe_slot *s = &lc->probes[k];
		if (s->busy && lc->now_ms - s->sent_ms >= s->timeout_ms)
			report(lc, s, SL_PROBE_TIMEOUT);
	}
}
