/* SPDX-License-Identifier: BSD-3-Clause */
/* Reassembly of IPv4 fragments on the workers: see frag.h. */
#include "dataplane/loop/frag.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "dataplane/core/counters.h"
#include "dataplane/core/lcore.h"
#include "dataplane/core/tx.h"
#include "proto/bytes.h"
#include "proto/ipv4.h"
#include "proto/reasm.h"

#define HDR_MAX (14 + 4 + SL_IPV4_MAX_HLEN) /* Ethernet (a VLAN tag's room), IPv4 with options */

/* One datagram's bytes: the headers of its first fragment, then its payload. */
struct frag_buf {
	uint8_t l2, ihl;
	uint8_t hdr[HDR_MAX];
	uint8_t data[];
};

struct sl_frag {
	struct sl_reasm *r;
	uint32_t max_len; /* payload bytes a slot holds: the datagram fits one mbuf */
	size_t buf_size;
	uint8_t *bufs;	       /* SL_FRAG_SLOTS struct frag_buf of buf_size bytes */
};

static struct frag_buf *slot_buf(struct sl_frag *f, unsigned slot)
{
	return (struct frag_buf *)(f->bufs + (size_t)slot * f->buf_size);
}

static void frag_tick(struct sl_lcore *lc, void *st)
{
	struct sl_frag *f = st;
	unsigned n = sl_reasm_expire(f->r, lc->now_ms * 1000);
	lc->ctr->c[SL_CTR_DROP_IPV4_FRAG_TIMEOUT] += n;
}

int sl_frag_worker_init(struct sl_lcore *lc)
{
	struct sl_frag *f = rte_zmalloc_socket("sl_frag", sizeof(*f), 64, lc->socket);
	if (f == NULL)
		return -ENOMEM;
	lc->frag = f;
	uint32_t room = rte_pktmbuf_data_room_size(lc->pool) - RTE_PKTMBUF_HEADROOM;
	f->max_len = room > HDR_MAX ? room - HDR_MAX : 0;
	f->buf_size = RTE_ALIGN_CEIL(sizeof(struct frag_buf) + f->max_len, 64);
	f->bufs = rte_malloc_socket("sl_frag_bufs", f->buf_size * SL_FRAG_SLOTS, 64, lc->socket);
	f->r = sl_reasm_create(SL_FRAG_SLOTS, f->max_len, SL_FRAG_TIMEOUT_US);
	if (f->bufs == NULL || f->r == NULL) {
		sl_frag_worker_fini(lc);
		return -ENOMEM;
	}
	struct sl_role role = {.name = "frag", .st = f, .tick = frag_tick};
	if (sl_lcore_add_role(lc, &role) < 0) {
		sl_frag_worker_fini(lc);
		return -ENOSPC;
	}
	return 0;
}

void sl_frag_worker_fini(struct sl_lcore *lc)
{
	struct sl_frag *f = lc->frag;
	if (f == NULL)
		return;
	sl_reasm_destroy(f->r);
	rte_free(f->bufs);
	rte_free(f);
	lc->frag = NULL;
}

/* Builds the whole datagram of @b (@total payload bytes) in a new mbuf; NULL without one. */
static struct rte_mbuf *build(struct sl_lcore *lc, const struct frag_buf *b, uint32_t total)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(lc->pool);
	if (m == NULL)
		return NULL;
	uint32_t len = (uint32_t)b->l2 + b->ihl + total;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, b->hdr, (size_t)b->l2 + b->ihl);
	memcpy(p + b->l2 + b->ihl, b->data, total);
	uint8_t *ip = p + b->l2;
	sl_put_be16(ip + 2, (uint16_t)(b->ihl + total));
	sl_put_be16(ip + 6, 0); /* whole: no MF, no offset */
	sl_ipv4_set_csum(ip, b->ihl);
	return m;
}

void sl_frag_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, size_t l2,
		   const struct sl_ipv4_info *iph, sl_frag_whole_fn whole)
{
	struct sl_dp *dp = lc->dp;
	if (iph->proto != SL_IPPROTO_TCP || dp->nworkers == 0 || l2 > 18) {
		lc->ctr->c[SL_CTR_DROP_IPV4_FRAG]++;
		rte_pktmbuf_free(m);
		return;
	}
	/* every fragment of a datagram to one worker, whatever queue RSS chose */
	uint32_t h = (iph->src * 2654435761u ^ iph->dst ^ (uint32_t)iph->id << 16) * 2246822519u;
	unsigned owner = dp->worker_ids[(h >> 16) % dp->nworkers];
	if (owner != lc->lcore_id) {
		m->port = port;
		sl_handout(lc, owner, m);
		return;
	}
	struct sl_frag *f = lc->frag;
	if (f == NULL) {
		lc->ctr->c[SL_CTR_DROP_IPV4_FRAG]++;
		rte_pktmbuf_free(m);
		return;
	}
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *) + l2;
	uint32_t len = (uint32_t)iph->total_len - iph->ihl_bytes;
	struct sl_reasm_key k = {iph->src, iph->dst, iph->id, iph->proto};
	unsigned slot = 0;
	uint32_t total = 0;
	bool evicted = false;
	int r = sl_reasm_add(f->r, &k, iph->frag_off_bytes, len, iph->mf, lc->now_ms * 1000, &slot,
			     &total, &evicted);
	if (evicted) /* a datagram pushed out by this newer one */
		lc->ctr->c[SL_CTR_DROP_IPV4_FRAG]++;
	if (r < 0) {
		lc->ctr->c[r == SL_REASM_ERR_OVERLAP ? SL_CTR_DROP_IPV4_FRAG_OVERLAP :
						       SL_CTR_DROP_IPV4_FRAG_INVALID]++;
		rte_pktmbuf_free(m);
		return;
	}
	struct frag_buf *b = slot_buf(f, slot);
	memcpy(b->data + iph->frag_off_bytes, ip + iph->ihl_bytes, len);
	if (iph->frag_off_bytes == 0) {
		b->l2 = (uint8_t)l2;
		b->ihl = iph->ihl_bytes;
		memcpy(b->hdr, rte_pktmbuf_mtod(m, const uint8_t *), l2 + iph->ihl_bytes);
	}
	rte_pktmbuf_free(m);
	if (r != SL_REASM_DONE)
		return;
	struct rte_mbuf *w = build(lc, b, total);
	if (w == NULL) {
		lc->ctr->c[SL_CTR_DROP_IPV4_FRAG]++;
		return;
	}
	lc->ctr->c[SL_CTR_IPV4_REASSEMBLED]++;
	whole(lc, port, w);
}
