/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/lcore.h"

#include <errno.h>

#include <rte_cycles.h>

#include "dataplane/core/route.h"

uint64_t sl_dp_now_ms(const struct sl_dp *dp)
{
	return (rte_rdtsc() - dp->start_tsc) * 1000 / dp->tsc_hz;
}

uint64_t sl_dp_now_us(const struct sl_dp *dp)
{
	uint64_t c = rte_rdtsc() - dp->start_tsc, hz = dp->tsc_hz;
	return c / hz * 1000000 + c % hz * 1000000 / hz;
}

const struct sl_addr *sl_dp_owned(const struct sl_dp *dp, uint16_t port, uint32_t ip)
{
	for (unsigned i = 0; i < dp->naddrs; i++)
		if (dp->addrs[i].ip == ip && dp->addrs[i].port == port)
			return &dp->addrs[i];
	return NULL;
}

bool sl_dp_owns(const struct sl_dp *dp, uint32_t ip)
{
	for (unsigned i = 0; i < dp->naddrs; i++)
		if (dp->addrs[i].ip == ip)
			return true;
	return false;
}

bool sl_dp_martian_src(const struct sl_dp *dp, uint32_t src)
{
	for (unsigned i = 0; i < dp->naddrs; i++) {
		const struct sl_addr *a = &dp->addrs[i];
		if (a->ip == src)
			return true;
		if (a->mask < 0xfffffffeu && (src & a->mask) == (a->ip & a->mask) &&
		    (src | a->mask) == 0xffffffffu)
			return true;
	}
	return false;
}

uint32_t sl_dp_route_src(const struct sl_dp *dp, uint32_t dst)
{
	struct sl_route_hop hop;
	return sl_route_lookup(dp->routes, dst, &hop) ? hop.src : 0;
}

int sl_lcore_add_role(struct sl_lcore *lc, const struct sl_role *r)
{
	if (lc->nrole == SL_MAX_ROLES)
		return -ENOSPC;
	lc->role[lc->nrole++] = *r;
	return 0;
}

void sl_lcore_add_service(struct sl_lcore *lc, enum sl_service_id id, sl_service_fn fn, void *st)
{
	lc->service[id] = fn;
	lc->service_st[id] = st;
}

void sl_lcore_dispatch(struct sl_lcore *lc, const struct sl_msg *m)
{
	for (unsigned i = 0; i < lc->nrole; i++) {
		const struct sl_role *r = &lc->role[i];
		if (r->msg != NULL && m->op < 32 && (r->msgs & SL_MSG_BIT(m->op)))
			r->msg(lc, r->st, m);
	}
	/* every role that knows the question answered: the buffer is main's again */
	if (m->op == SL_MSG_QUERY)
		__atomic_store_n(&((struct sl_query *)m->ptr)->done, 1, __ATOMIC_RELEASE);
}
