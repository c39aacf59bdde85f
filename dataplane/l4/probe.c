/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/l4/probe.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "dataplane/core/ipout.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "dataplane/l4/l4.h"
#include "proto/ipv4.h"
#include "proto/tcp.h"

_Static_assert(sizeof(struct sl_probe_req) <= sizeof(((struct sl_msg *)0)->u.raw), "fits a msg");
_Static_assert(sizeof(struct sl_probe_res) <= sizeof(((struct sl_msg *)0)->u.raw), "fits a msg");

/* One probe in flight (indexed by local port - the probe range's first port). */
struct probe_slot {
	uint32_t ip;
	uint16_t port;
	uint16_t id;
	uint32_t iss;
	uint32_t timeout_ms;
	uint64_t sent_ms;
	uint8_t busy;
};

/* The probing worker's state (lc->probe): written by that worker only. */
struct sl_probe_state {
	uint16_t lo;	/* the probe range's first port */
	unsigned nslot; /* its ports: slots in use (<= SL_PROBE_SLOTS) */
	struct probe_slot slot[SL_PROBE_SLOTS];
};

static void report(struct sl_lcore *lc, uint16_t id, enum sl_probe_status st, uint32_t ms)
{
	struct sl_msg m = {.op = SL_MSG_PROBE_RES};
	struct sl_probe_res r = {.id = id, .status = (uint8_t)st, .duration_ms = ms};
	memcpy(m.u.raw, &r, sizeof(r));
	sl_msg_to_main(lc, &m); /* a full inbox loses a result (counted): the next probe brings
				 * another */
}

static void finish(struct sl_lcore *lc, struct probe_slot *s, enum sl_probe_status st)
{
	report(lc, s->id, st, (uint32_t)(lc->now_ms - s->sent_ms));
	s->busy = 0;
}

void sl_probe_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m,
		    const struct sl_ipv4_info *iph, const struct sl_tcp_info *th)
{
	struct sl_dp *dp = lc->dp;
	if (lc->probe == NULL) {
		/* replies reach the probing worker whatever queue RSS chose */
		m->port = port;
		sl_handout(lc, dp->l4->probe_lcore, m);
		return;
	}
	struct probe_slot *s = &lc->probe->slot[th->dport - lc->probe->lo];
	if (s->busy && s->ip == iph->src && s->port == th->sport) {
		if ((th->flags & (SL_TCP_SYN | SL_TCP_ACK)) == (SL_TCP_SYN | SL_TCP_ACK) &&
		    th->ack == s->iss + 1) {
			/* accepted: reset the half-open connection, as a connect+close would end */
			sl_tcp_ctl_send(lc, iph->dst, th->dport, iph->src, th->sport, th->ack, 0,
					SL_TCP_RST, false);
			finish(lc, s, SL_PROBE_OK);
		} else if ((th->flags & SL_TCP_RST) && th->ack == s->iss + 1) {
			finish(lc, s, SL_PROBE_REFUSED);
		}
	}
	lc->ctr->c[SL_CTR_PROBE_REPLIES]++;
	rte_pktmbuf_free(m);
}

/* SL_MSG_PROBE: sends the SYN from a free slot's port. */
static void probe_msg(struct sl_lcore *lc, void *st, const struct sl_msg *m)
{
	struct sl_probe_state *ps = st;
	struct sl_probe_req req;
	memcpy(&req, m->u.raw, sizeof(req));
	/* a free slot, starting from a rotating point (slots are reused late) */
	unsigned i, start = (unsigned)(rte_rand() % ps->nslot);
	for (i = 0; i < ps->nslot; i++)
		if (!ps->slot[(start + i) % ps->nslot].busy)
			break;
	if (i == ps->nslot) {
		report(lc, req.id, SL_PROBE_NO_ROOM, 0);
		return;
	}
	unsigned k = (start + i) % ps->nslot;
	struct probe_slot *s = &ps->slot[k];
	*s = (struct probe_slot){.ip = req.ip,
				 .port = req.port,
				 .id = req.id,
				 .iss = (uint32_t)rte_rand(),
				 .timeout_ms = req.timeout_ms,
				 .sent_ms = lc->now_ms,
				 .busy = 1};
	uint32_t src = sl_dp_route_src(lc->dp, req.ip);
	sl_tcp_ctl_send(lc, src, (uint16_t)(ps->lo + k), req.ip, req.port, s->iss, 0,
			SL_TCP_SYN, true);
	lc->ctr->c[SL_CTR_PROBES_SENT]++;
}

/* Once a millisecond: silent probes time out. */
static void probe_tick(struct sl_lcore *lc, void *st)
{
	struct sl_probe_state *ps = st;
	for (unsigned k = 0; k < ps->nslot; k++) {
		struct probe_slot *s = &ps->slot[k];
		if (s->busy && lc->now_ms - s->sent_ms >= s->timeout_ms)
			finish(lc, s, SL_PROBE_TIMEOUT);
	}
}

int sl_probe_init(struct sl_dp *dp)
{
	struct sl_lcore *lc = dp->lcores[dp->l4->probe_lcore];
	lc->probe = rte_zmalloc_socket("sl_probes", sizeof(*lc->probe), 64, lc->socket);
	if (lc->probe == NULL)
		return -ENOMEM;
	const struct sl_port_range *pr = &dp->plan.r[SL_PORT_PROBE];
	lc->probe->lo = pr->lo;
	lc->probe->nslot = (unsigned)(pr->hi - pr->lo) + 1 < SL_PROBE_SLOTS ?
				   (unsigned)(pr->hi - pr->lo) + 1 :
				   SL_PROBE_SLOTS;
	struct sl_role r = {.name = "probe",
			    .st = lc->probe,
			    .msgs = SL_MSG_BIT(SL_MSG_PROBE),
			    .msg = probe_msg,
			    .tick = probe_tick};
	if (sl_lcore_add_role(lc, &r) < 0) {
		sl_probe_fini(dp);
		return -ENOSPC;
	}
	return 0;
}

void sl_probe_fini(struct sl_dp *dp)
{
	if (dp->l4 == NULL)
		return;
	struct sl_lcore *lc = dp->lcores[dp->l4->probe_lcore];
	if (lc != NULL) {
		rte_free(lc->probe);
		lc->probe = NULL;
	}
}
