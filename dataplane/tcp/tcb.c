/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stack object and the connection control blocks: pools, four-tuple lookup, listeners,
 * connection lifetime, event dispatch and the application calls (RFC 9293 section 3.10.1-6).
 */
#include "dataplane/tcp/tcb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Keyed hash of a four-tuple and @salt with the stack's secret: hash buckets (a peer cannot
 * aim its connections at one bucket), ISNs (RFC 6528 section 3: a PRF of the four-tuple and a
 * secret) and SYN cookies (RFC 4987 3.6). SipHash-2-4. Returns 32 bits.
 */
uint32_t sl_tcp_hash4(const struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
		      uint32_t raddr, uint16_t rport, uint32_t salt)
{
	uint64_t a = (uint64_t)laddr << 32 | raddr;
	uint64_t b = (uint64_t)lport << 48 | (uint64_t)rport << 32 | salt;
	return (uint32_t)sl_siphash_2u64(&st->key, a, b);
}

/*
 * Hash bucket of a four-tuple. The last answer is remembered: a segment that finds no
 * connection and creates one, or a connect() that checks the tuple then hashes it, asks
 * twice in a row for the same tuple.
 */
static uint32_t bucket(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport, uint32_t raddr,
		       uint16_t rport)
{
	uint64_t a = (uint64_t)laddr << 32 | raddr;
	uint32_t p = (uint32_t)lport << 16 | rport;
	if (st->memo_valid && st->memo_a == a && st->memo_p == p)
		return st->memo_b;
	st->memo_a = a;
	st->memo_p = p;
	st->memo_b = sl_tcp_hash4(st, laddr, lport, raddr, rport, 0) & st->hash_mask;
	st->memo_valid = true;
	return st->memo_b;
}

/* Returns the connection of the four-tuple (host order), or NULL. */
struct sl_tcp_conn *sl_tcp_lookup(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
				  uint32_t raddr, uint16_t rport)
{
	for (struct sl_tcp_conn *c = st->hash[bucket(st, laddr, lport, raddr, rport)]; c != NULL;
	     c = c->hnext)
		if (c->laddr == laddr && c->lport == lport && c->raddr == raddr && c->rport == rport)
			return c;
	return NULL;
}

/* Returns the listener for @addr:@port (exact address first, then the wildcard), or NULL. */
struct sl_tcp_listener *sl_tcp_find_listener(struct sl_tcp_stack *st, uint32_t addr,
					     uint16_t port)
{
	struct sl_tcp_listener *any = NULL;
	for (uint32_t i = 0; i < st->p.max_listeners; i++) {
		struct sl_tcp_listener *l = &st->lsn[i];
		if (!l->used || l->port != port)
			continue;
		if (l->addr == addr)
			return l;
		if (l->addr == 0)
			any = l;
	}
	return any;
}

static void hash_remove(struct sl_tcp_conn *c)
{
	if (!c->in_hash)
		return;
	struct sl_tcp_stack *st = c->st;
	struct sl_tcp_conn **pp = &st->hash[c->hb];
	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	c->hnext = NULL;
	c->in_hash = false;
}

/* Appends @c (on no list) to @q. */
static void fifo_push(struct sl_tcp_fifo *q, struct sl_tcp_conn *c)
{
	c->age_prev = q->tail;
	c->age_next = NULL;
	if (q->tail != NULL)
		q->tail->age_next = c;
	else
		q->head = c;
	q->tail = c;
}

/* Takes @c off @q; returns false when it was not on it. */
static bool fifo_remove(struct sl_tcp_fifo *q, struct sl_tcp_conn *c)
{
	if (c->age_prev != NULL)
		c->age_prev->age_next = c->age_next;
	else if (q->head == c)
		q->head = c->age_next;
	else
		return false;
	if (c->age_next != NULL)
		c->age_next->age_prev = c->age_prev;
	else
		q->tail = c->age_prev;
	c->age_prev = c->age_next = NULL;
	return true;
}

/* Returns the receive window we can offer: free bytes of the receive ring. */
uint32_t sl_tcp_rcv_space(const struct sl_tcp_conn *c)
{
	return c->st->p.rcvbuf - c->rlen;
}

/* Picks our window shift (RFC 7323 2.2): the configured one, or the smallest fitting rcvbuf. */
void sl_tcp_conn_init_rcv_scale(struct sl_tcp_conn *c)
{
	const struct sl_tcp_params *p = &c->st->p;
	uint8_t s = p->wscale;
	if (s == 0)
		while (s < SL_TCP_WSCALE_MAX && (p->rcvbuf >> s) > 65535)
			s++;
	c->rcv_scale = p->no_wscale ? 0 : s;
}

/*
 * The pool is empty: frees the slot of the oldest unowned TIME-WAIT connection, else, with
 * @evict, of the oldest half-open one. That one was never acknowledged, so it goes without a
 * segment. The oldest, because a real client's handshake completes within a round trip while
 * a flood's half-open connections wait out their retransmissions (RFC 4987 3.4; with SYN
 * cookies beyond the share, the hybrid of 3.7).
 */
static void reclaim(struct sl_tcp_stack *st, bool evict)
{
	struct sl_tcp_conn *v = st->tw.head;
	if (v != NULL && !v->app_owned) {
		st->s.time_wait_recycled++;
	} else if (evict && st->syn.head != NULL) {
		v = st->syn.head;
		st->s.syn_evicted++;
	} else {
		return;
	}
	sl_tcp_conn_done(v);
	if (st->free_list == NULL && st->reap == v) { /* nobody references it: reuse now */
		st->reap = v->hnext;
		v->hnext = NULL;
		st->free_list = v;
	}
}

/*
 * Takes a connection from the pool, initialised CLOSED and hashed under the four-tuple. When
 * the pool is empty it reclaims a slot (above): @evict for a connection that is established
 * or opened by the application, never for a SYN's (state for a SYN must not cost another
 * SYN's). Returns it or NULL.
 */
struct sl_tcp_conn *sl_tcp_conn_new(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
				    uint32_t raddr, uint16_t rport, bool evict)
{
	if (st->free_list == NULL)
		reclaim(st, evict);
	struct sl_tcp_conn *c = st->free_list;
	if (c == NULL)
		return NULL;
	st->free_list = c->hnext;
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->sndbuf = st->p.sndbuf;
	c->last_rcv = st->now;
	c->cc = st->p.cc == SL_TCP_CC_CUBIC ? &sl_tcp_cc_cubic : &sl_tcp_cc_newreno;
	c->laddr = laddr;
	c->lport = lport;
	c->raddr = raddr;
	c->rport = rport;
	c->state = SL_TCP_CLOSED;
	c->rto = st->p.rto_init_us;
	c->ssthresh = UINT32_MAX;
	sl_tmr_init(&c->rtx, sl_tcp_rtx_timeout, c);
	sl_tmr_init(&c->delack, sl_tcp_delack_timeout, c);
	uint32_t b = bucket(st, laddr, lport, raddr, rport);
	c->hb = b;
	c->hnext = st->hash[b];
	st->hash[b] = c;
	c->in_hash = true;
	/* One timestamp clock per pair of addresses (keyed hash, as Linux does), not per
	 * connection: a new connection to a server that still holds the previous one of the
	 * same four-tuple in TIME-WAIT must carry newer timestamps, or that server takes its
	 * SYN for an old duplicate (PAWS) and the connection waits for a retransmission. */
	c->ts_off = sl_tcp_hash4(st, laddr, 0, raddr, 0, 0x7e57u);
	sl_tcp_conn_init_rcv_scale(c);
	st->s.conns_in_use++;
	st->s.conns_opened++;
	return c;
}

/* Sets the state of @c (keeps the TIME-WAIT and half-open lists and their counts right). */
void sl_tcp_set_state(struct sl_tcp_conn *c, enum sl_tcp_state s)
{
	struct sl_tcp_stack *st = c->st;
	if (c->lsn != NULL && s != SL_TCP_SYN_RCVD) {
		fifo_remove(&st->syn, c);
		st->s.syn_in_use--;
		c->lsn->syn_count--;
		c->lsn = NULL;
	}
	if (c->state == SL_TCP_TIME_WAIT && s != SL_TCP_TIME_WAIT && fifo_remove(&st->tw, c))
		st->s.time_wait_in_use--;
	c->state = (uint8_t)s;
}

/* Puts the new passive connection @c in SYN-RECEIVED for the listener @l: counted in its
 * backlog and in the stack's half-open share, at the tail of the half-open list. */
void sl_tcp_enter_syn_rcvd(struct sl_tcp_conn *c, struct sl_tcp_listener *l)
{
	struct sl_tcp_stack *st = c->st;
	c->passive = true;
	c->lsn = l;
	l->syn_count++;
	fifo_push(&st->syn, c);
	st->s.syn_in_use++;
	c->state = SL_TCP_SYN_RCVD;
}

/*
 * Enters TIME-WAIT (RFC 9293 3.10.7.4): 2 MSL timer, tail of the FIFO; beyond max_time_wait
 * the oldest unowned one is closed at once.
 */
void sl_tcp_enter_time_wait(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	sl_tcp_set_state(c, SL_TCP_TIME_WAIT);
	sl_tmr_cancel(&st->wheel, &c->delack);
	c->rtx_mode = SL_RTX_TIMEWAIT;
	sl_tmr_arm(&st->wheel, &c->rtx, st->now, st->p.time_wait_us);
	fifo_push(&st->tw, c);
	st->s.time_wait_in_use++;
	if (!c->closed_evt_done)
		c->ev |= SL_EV_CLOSED;
	while (st->s.time_wait_in_use > st->p.max_time_wait && st->tw.head != c &&
	       !st->tw.head->app_owned) {
		st->s.time_wait_recycled++;
		sl_tcp_conn_done(st->tw.head);
	}
}

/* Moves @c to CLOSED: unhashed, timers off; `closed` is queued for an owner. */
void sl_tcp_conn_done(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (c->state == SL_TCP_CLOSED && !c->in_hash)
		return;
	sl_tcp_set_state(c, SL_TCP_CLOSED);
	hash_remove(c);
	sl_tmr_cancel(&st->wheel, &c->rtx);
	sl_tmr_cancel(&st->wheel, &c->delack);
	c->rtx_mode = SL_RTX_NONE;
	sl_tcp_queues_free(c, !c->app_owned); /* received data stays readable for an owner */
	if (c->app_owned && !c->closed_evt_done)
		c->ev |= SL_EV_CLOSED;
	sl_tcp_maybe_free(c);
}

void sl_tcp_lsn_count(struct sl_tcp_listener *l, int d)
{
	l->nconn = (uint32_t)((int)l->nconn + d);
	if (l->grp_self != NULL) /* read by the other stacks: one plain store */
		__atomic_store_n(l->grp_self, (uint32_t)((int)*l->grp_self + d), __ATOMIC_RELAXED);
}

/* The application let go of @c: it no longer counts against its listener's maxconn, and
 * nobody will read what it received. */
static void app_release(struct sl_tcp_conn *c)
{
	c->app_owned = false;
	c->ev = 0;
	if (c->acc_lsn != NULL) {
		sl_tcp_lsn_count(c->acc_lsn, -1);
		c->acc_lsn = NULL;
	}
	sl_tcp_buf_free(c->st, c->rq_head);
	c->rq_head = c->rq_tail = NULL;
	c->app_in += c->rlen;
	c->rlen = 0;
}

static void bw_unlink(struct sl_tcp_conn *c)
{
	struct sl_tcp_conn **pp = &c->st->bw_head;
	while (*pp != NULL && *pp != c)
		pp = &(*pp)->bw_next;
	if (*pp == c)
		*pp = c->bw_next;
	c->bw_next = NULL;
	c->bw_linked = false;
}

/* Fails @c with @reason (SL_TCP_ERR_*): error then closed events, CLOSED. */
void sl_tcp_conn_fail(struct sl_tcp_conn *c, int reason)
{
	c->err = reason;
	c->reset = true;
	if (c->app_owned)
		c->ev |= SL_EV_ERROR;
	sl_tcp_conn_done(c);
}

/* Returns @c to the pool when it is CLOSED and unowned (deferred while inside the stack). */
void sl_tcp_maybe_free(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (c->state != SL_TCP_CLOSED || c->in_hash || c->app_owned || c->st == NULL)
		return;
	c->ev = 0;
	sl_tcp_queues_free(c, true);
	if (c->bw_linked)
		bw_unlink(c);
	if (c->acc_lsn != NULL) {
		sl_tcp_lsn_count(c->acc_lsn, -1);
		c->acc_lsn = NULL;
	}
	c->st = NULL; /* marks "on the reap list" */
	c->hnext = st->reap;
	st->reap = c;
	st->s.conns_in_use--;
	st->s.conns_closed++;
	if (st->depth == 0) {
		st->depth++;
		sl_tcp_leave(st);
	}
}

/* Marks the start of an entry point (frees are deferred until the matching leave). */
void sl_tcp_enter(struct sl_tcp_stack *st)
{
	st->depth++;
}

/* Ends an entry point; the outermost one returns released connections to the pool. */
void sl_tcp_leave(struct sl_tcp_stack *st)
{
	if (--st->depth > 0)
		return;
	while (st->reap != NULL) {
		struct sl_tcp_conn *c = st->reap;
		st->reap = c->hnext;
		c->hnext = st->free_list;
		st->free_list = c;
	}
}

/* Runs the pending callbacks of @c in a fixed order; stops when the application releases it. */
void sl_tcp_dispatch(struct sl_tcp_conn *c)
{
	while (c->st != NULL && c->app_owned && c->ev != 0) {
		const struct sl_tcp_cbs *cb = c->cbs;
		uint32_t ev = c->ev;
		uint32_t bit = ev & -ev; /* lowest first: the enum order */
		c->ev &= ~bit;
		if (cb == NULL)
			continue;
		switch (bit) {
		case SL_EV_ACCEPTED:
			if (cb->accepted != NULL && cb->accepted(c, c->arg) != 0) {
				sl_tcp_abort(c);
				return;
			}
			break;
		case SL_EV_CONNECTED:
			if (cb->connected != NULL)
				cb->connected(c, c->arg);
			break;
		case SL_EV_READABLE:
			if (cb->readable != NULL)
				cb->readable(c, c->arg);
			break;
		case SL_EV_WRITABLE:
			if (cb->writable != NULL)
				cb->writable(c, c->arg);
			break;
		case SL_EV_PEER_CLOSED:
			if (cb->peer_closed != NULL)
				cb->peer_closed(c, c->arg);
			break;
		case SL_EV_ERROR:
			if (cb->error != NULL)
				cb->error(c, c->arg, c->err);
			break;
		case SL_EV_CLOSED:
			c->closed_evt_done = true;
			if (cb->closed != NULL)
				cb->closed(c, c->arg);
			break;
		default:
			break;
		}
	}
	if (c->st == NULL || !c->app_owned)
		c->ev = 0;
}

static void set_defaults(struct sl_tcp_params *p)
{
#define DEF(f, v)                                                                                  \
	if (p->f == 0)                                                                             \
	p->f = (v)
	DEF(max_conns, 1024);
	DEF(max_listeners, 16);
	DEF(max_time_wait, p->max_conns / 4 + 1);
	DEF(syn_max, p->max_conns / 4 > 0 ? p->max_conns / 4 : 1);
	DEF(sndbuf, 65536);
	DEF(rcvbuf, 65536);
	DEF(mss, 1460);
	DEF(rto_init_us, 1000000);
	DEF(rto_min_us, 200000);
	DEF(rto_max_us, 60000000);
	DEF(max_retries, 12);
	DEF(syn_retries, 5);
	DEF(delack_us, 40000);
	DEF(time_wait_us, 60000000);
	DEF(fin_wait2_us, 60000000);
	DEF(challenge_acks_per_s, 10);
	DEF(chunk_size, 2048);
	DEF(chunks, p->max_conns * 8);
	DEF(ext_max, p->chunks);
	DEF(ext_min_len, 512);
	DEF(ooo_bufs, 64);
	DEF(keepalive_idle_us, 7200000000ull);
	DEF(keepalive_intvl_us, 75000000);
	DEF(keepalive_probes, 9);
	DEF(lport_min, 49152);
	DEF(lport_max, 65535);
#undef DEF
}

struct sl_tcp_stack *sl_tcp_stack_create(const struct sl_tcp_params *p,
					 const struct sl_tcp_ops *ops, void *env)
{
	if (ops == NULL || ops->now_us == NULL || ops->random == NULL ||
	    (ops->output == NULL && (ops->tx_alloc == NULL || ops->tx_send == NULL)) ||
	    (ops->tx_alloc == NULL) != (ops->tx_send == NULL))
		return NULL;
	struct sl_tcp_params prm = {0};
	if (p != NULL)
		prm = *p;
	set_defaults(&prm);
	if (prm.max_conns > (1u << 24) || prm.syn_max > prm.max_conns ||
	    prm.wscale > SL_TCP_WSCALE_MAX || prm.mss < 64 || prm.sndbuf > (1u << 30) ||
	    prm.rcvbuf > (1u << 30) || prm.sndbuf < prm.mss || prm.rcvbuf < prm.mss ||
	    prm.rto_min_us > prm.rto_max_us || prm.chunk_size < 64 || prm.chunk_size > (1u << 20) ||
	    prm.chunks > (1u << 26) || prm.ext_max > (1u << 26) || prm.lport_min > prm.lport_max ||
	    prm.keepalive_probes > 255 || prm.cc > SL_TCP_CC_CUBIC)
		return NULL;
	struct sl_tcp_stack *st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->p = prm;
	st->ops = *ops;
	st->env = env;
	st->now = ops->now_us(env);
	sl_tmr_wheel_init(&st->wheel, 1000, st->now);
	uint32_t nb = 1;
	while (nb < 2 * prm.max_conns)
		nb <<= 1;
	st->hash_mask = nb - 1;
	st->hash = calloc(nb, sizeof(*st->hash));
	st->conns = calloc(prm.max_conns, sizeof(*st->conns));
	st->lsn = calloc(prm.max_listeners, sizeof(*st->lsn));
	st->pkt = malloc(SL_TCP_PKT_MAX);
	if (st->hash == NULL || st->conns == NULL || st->lsn == NULL || st->pkt == NULL ||
	    sl_tcp_bufs_init(st) != 0) {
		sl_tcp_stack_destroy(st);
		return NULL;
	}
	for (uint32_t i = prm.max_conns; i-- > 0;) {
		st->conns[i].hnext = st->free_list;
		st->free_list = &st->conns[i];
	}
	st->key.k0 = (uint64_t)ops->random(env) << 32 | ops->random(env);
	st->key.k1 = (uint64_t)ops->random(env) << 32 | ops->random(env);
	st->ip_id = (uint16_t)ops->random(env);
	st->lport_next = ops->random(env);
	st->s.conns_max = prm.max_conns;
	st->s.syn_max = prm.syn_max;
	return st;
}

void sl_tcp_stack_destroy(struct sl_tcp_stack *st)
{
	if (st == NULL)
		return;
	if (st->conns != NULL && st->descs != NULL)
		for (uint32_t i = 0; i < st->p.max_conns; i++)
			if (st->conns[i].st == st) /* environment buffers go back */
				sl_tcp_queues_free(&st->conns[i], true);
	free(st->hash);
	free(st->conns);
	free(st->lsn);
	sl_tcp_bufs_fini(st);
	free(st->pkt);
	free(st);
}

void sl_tcp_stack_stats(const struct sl_tcp_stack *st, struct sl_tcp_stats *out)
{
	*out = st->s;
	out->timers_armed = st->wheel.armed;
}

int sl_tcp_listen(struct sl_tcp_stack *st, uint32_t addr, uint16_t port, uint32_t backlog,
		  const struct sl_tcp_cbs *cbs, void *arg)
{
	if (port == 0 || cbs == NULL)
		return -EINVAL;
	struct sl_tcp_listener *freel = NULL;
	for (uint32_t i = 0; i < st->p.max_listeners; i++) {
		struct sl_tcp_listener *l = &st->lsn[i];
		if (l->used && l->port == port && l->addr == addr)
			return -EADDRINUSE;
		if (!l->used && freel == NULL)
			freel = l;
	}
	if (freel == NULL)
		return -ENOSPC;
	*freel = (struct sl_tcp_listener){.used = true, .addr = addr, .port = port,
					  .backlog = backlog, .cbs = cbs, .arg = arg};
	return 0;
}

int sl_tcp_unlisten(struct sl_tcp_stack *st, uint32_t addr, uint16_t port)
{
	for (uint32_t i = 0; i < st->p.max_listeners; i++) {
		struct sl_tcp_listener *l = &st->lsn[i];
		if (l->used && l->port == port && l->addr == addr) {
			/* Accepted connections forget their listener; half-open ones go. */
			for (uint32_t j = 0; j < st->p.max_conns; j++) {
				if (st->conns[j].acc_lsn == l) {
					st->conns[j].acc_lsn = NULL;
					sl_tcp_lsn_count(l, -1);
				}
				if (st->conns[j].st != NULL && st->conns[j].lsn == l)
					sl_tcp_conn_done(&st->conns[j]);
			}
			l->used = false;
			return 0;
		}
	}
	return -ENOENT;
}

int sl_tcp_listen_maxconn(struct sl_tcp_stack *st, uint32_t addr, uint16_t port,
			  uint32_t maxconn, bool rst)
{
	for (uint32_t i = 0; i < st->p.max_listeners; i++) {
		struct sl_tcp_listener *l = &st->lsn[i];
		if (l->used && l->port == port && l->addr == addr) {
			l->maxconn = maxconn;
			l->maxconn_rst = rst;
			return 0;
		}
	}
	return -ENOENT;
}

int sl_tcp_listen_share(struct sl_tcp_stack *st, uint32_t addr, uint16_t port, uint32_t maxconn,
			uint32_t *rows, uint32_t stride, uint32_t n, uint32_t self_row, int col)
{
	bool shared = rows != NULL && n > 1 && self_row < n && col > 0 && (uint32_t)col < stride;
	uint32_t *self = shared ? &rows[(size_t)self_row * stride + (size_t)col] : NULL;
	const uint32_t *base = shared ? &rows[col] : NULL;
	for (uint32_t i = 0; i < st->p.max_listeners; i++) {
		struct sl_tcp_listener *l = &st->lsn[i];
		if (!l->used || l->port != port || l->addr != addr)
			continue;
		l->maxconn = maxconn;
		if (l->grp_self != self) {
			if (l->grp_self != NULL)
				__atomic_store_n(l->grp_self, *l->grp_self - l->nconn,
						 __ATOMIC_RELAXED);
			if (self != NULL)
				__atomic_store_n(self, *self + l->nconn, __ATOMIC_RELAXED);
		}
		l->grp_self = self;
		l->grp_base = base;
		l->grp_stride = stride;
		l->grp_n = shared ? n : 0;
		return 0;
	}
	return -ENOENT;
}

/*
 * Picks a local port of the range for a connection to @raddr:@rport: the first one, from a
 * keyed hash of the destination plus a running counter, whose four-tuple is free or in an
 * unowned TIME-WAIT (RFC 6056 algorithm 3 in spirit). Returns 0 when the range is full.
 */
static uint16_t pick_lport(struct sl_tcp_stack *st, uint32_t laddr, uint32_t raddr,
			   uint16_t rport)
{
	uint32_t n = (uint32_t)st->p.lport_max - st->p.lport_min + 1;
	uint32_t start = sl_tcp_hash4(st, laddr, 0, raddr, rport, 0x70u) + st->lport_next++;
	for (uint32_t i = 0; i < n; i++) {
		uint16_t port = (uint16_t)(st->p.lport_min + (start + i) % n);
		struct sl_tcp_conn *o = sl_tcp_lookup(st, laddr, port, raddr, rport);
		if (o == NULL || (o->state == SL_TCP_TIME_WAIT && !o->app_owned)) {
			st->lport_next += i;
			return port;
		}
	}
	return 0;
}

struct sl_tcp_conn *sl_tcp_connect(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
				   uint32_t raddr, uint16_t rport, const struct sl_tcp_cbs *cbs,
				   void *arg, int *err)
{
	int e = 0;
	struct sl_tcp_conn *c = NULL;
	if (rport == 0 || raddr == 0) {
		e = -EINVAL;
		goto out;
	}
	sl_tcp_enter(st);
	st->now = st->ops.now_us(st->env);
	if (lport == 0) {
		lport = pick_lport(st, laddr, raddr, rport);
		if (lport == 0) {
			st->s.connect_no_port++;
			e = -EADDRINUSE;
			sl_tcp_leave(st);
			goto out;
		}
	}
	struct sl_tcp_conn *old = sl_tcp_lookup(st, laddr, lport, raddr, rport);
	if (old != NULL) {
		if (old->state != SL_TCP_TIME_WAIT || old->app_owned) {
			e = -EADDRINUSE;
			sl_tcp_leave(st);
			goto out;
		}
		st->s.time_wait_recycled++;
		sl_tcp_conn_done(old);
	}
	c = sl_tcp_conn_new(st, laddr, lport, raddr, rport, true);
	if (c == NULL) {
		e = -ENOMEM;
		sl_tcp_leave(st);
		goto out;
	}
	c->cbs = cbs;
	c->arg = arg;
	c->app_owned = true;
	c->ts_ok = !st->p.no_timestamps;
	c->sack_ok = !st->p.no_sack;
	c->ws_ok = !st->p.no_wscale;
	c->iss = (uint32_t)(st->now / 4) + sl_tcp_hash4(st, laddr, lport, raddr, rport, 0x15u);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sseq = c->iss + 1;
	c->mss = SL_TCP_DEF_MSS;
	sl_tcp_set_state(c, SL_TCP_SYN_SENT);
	sl_tcp_send_syn(c);
	sl_tcp_leave(st);
out:
	if (err != NULL)
		*err = e;
	return c;
}

void sl_tcp_set_cbs(struct sl_tcp_conn *c, const struct sl_tcp_cbs *cbs, void *arg)
{
	c->cbs = cbs;
	c->arg = arg;
}

int sl_tcp_input(struct sl_tcp_stack *st, const uint8_t *pkt, size_t len)
{
	return sl_tcp_input_ext(st, pkt, len, NULL);
}

int sl_tcp_input_ext(struct sl_tcp_stack *st, const uint8_t *pkt, size_t len, void *ext)
{
	sl_tcp_enter(st);
	st->now = st->ops.now_us(st->env);
	st->in_ext = st->ops.buf_free != NULL ? ext : NULL;
	st->in_ext_kept = false;
	int r = sl_tcp_segment_in(st, pkt, len);
	bool kept = st->in_ext_kept;
	st->in_ext = NULL;
	st->in_ext_kept = false;
	sl_tcp_leave(st);
	return kept ? 1 : r;
}

unsigned sl_tcp_advance(struct sl_tcp_stack *st, uint64_t now_us)
{
	sl_tcp_enter(st);
	if (now_us > st->now)
		st->now = now_us;
	unsigned n = sl_tmr_advance(&st->wheel, now_us);
	sl_tcp_bw_wake(st);
	sl_tcp_leave(st);
	return n;
}

static bool can_send(const struct sl_tcp_conn *c)
{
	return c->state == SL_TCP_ESTABLISHED || c->state == SL_TCP_CLOSE_WAIT ||
	       c->state == SL_TCP_SYN_SENT || c->state == SL_TCP_SYN_RCVD;
}

/* Sends what the windows allow of newly queued data (once synchronized: a connection still
 * in its handshake sends it when established). */
static void send_queued(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (c->state == SL_TCP_SYN_SENT || c->state == SL_TCP_SYN_RCVD)
		return;
	sl_tcp_enter(st);
	st->now = st->ops.now_us(st->env);
	sl_tcp_output(c);
	sl_tcp_leave(st);
}

ssize_t sl_tcp_send(struct sl_tcp_conn *c, const void *data, size_t len)
{
	if (!can_send(c))
		return c->fin_queued && c->state != SL_TCP_CLOSED ? -EPIPE : -ENOTCONN;
	if (c->fin_queued)
		return -EPIPE;
	struct sl_tcp_stack *st = c->st;
	uint32_t room = c->sndbuf > c->slen ? c->sndbuf - c->slen : 0;
	uint32_t want = len < room ? (uint32_t)len : room, n = 0;
	const uint8_t *d = data;
	while (n < want) {
		struct sl_tcp_buf *t = c->sq_tail;
		uint32_t r = t != NULL ? sl_tcp_chunk_room(st, t) : 0;
		if (r == 0) {
			t = sl_tcp_chunk_get(st);
			if (t == NULL) { /* pool empty: wait for chunks (sl_tcp_bw_wake) */
				if (!c->bw_linked) {
					c->bw_linked = true;
					c->bw_next = st->bw_head;
					st->bw_head = c;
				}
				break;
			}
			t->seq = c->sseq + c->slen;
			if (c->sq_tail != NULL)
				c->sq_tail->next = t;
			else
				c->sq_head = t;
			c->sq_tail = t;
			r = sl_tcp_chunk_room(st, t);
		}
		uint32_t k = want - n < r ? want - n : r;
		memcpy(t->data + t->len, d + n, k);
		t->len += k;
		c->slen += k;
		n += k;
	}
	if (n < len && !c->bw_linked)
		c->want_writable = true;
	c->app_out += n;
	if (n > 0)
		send_queued(c);
	return n;
}

void sl_tcp_want_writable(struct sl_tcp_conn *c)
{
	c->want_writable = true;
}

size_t sl_tcp_readable(const struct sl_tcp_conn *c)
{
	return c->rlen;
}

size_t sl_tcp_writable(const struct sl_tcp_conn *c)
{
	return c->st != NULL && c->sndbuf > c->slen ? c->sndbuf - c->slen : 0;
}

/* After the application took received data: a window update when the right edge moves by
 * enough (receiver SWS avoidance, RFC 9293 3.8.6.2.2): min(rcvbuf / 2, 2 MSS). */
static void rcv_taken(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (c->state == SL_TCP_ESTABLISHED || c->state == SL_TCP_FIN_WAIT_1 ||
	    c->state == SL_TCP_FIN_WAIT_2) {
		uint32_t edge = c->rcv_nxt + sl_tcp_rcv_space(c);
		uint32_t thr = st->p.rcvbuf / 2 < 2u * st->p.mss ? st->p.rcvbuf / 2 : 2u * st->p.mss;
		if (SEQ_GEQ(edge, c->rcv_adv + thr)) {
			sl_tcp_enter(st);
			st->now = st->ops.now_us(st->env);
			c->ack_now = true;
			sl_tcp_output(c);
			sl_tcp_leave(st);
		}
	}
}

ssize_t sl_tcp_recv(struct sl_tcp_conn *c, void *buf, size_t max)
{
	struct sl_tcp_stack *st = c->st;
	if (c->rlen == 0) {
		if (c->reset)
			return -ENOTCONN;
		return c->fin_rcvd ? 0 : -EAGAIN;
	}
	uint32_t n = max < c->rlen ? (uint32_t)max : c->rlen, done = 0;
	uint8_t *dst = buf;
	while (done < n) {
		struct sl_tcp_buf *b = c->rq_head;
		uint32_t k = b->len < n - done ? b->len : n - done;
		memcpy(dst + done, b->data, k);
		done += k;
		if (k == b->len) {
			c->rq_head = b->next;
			sl_tcp_buf_put(st, b);
		} else {
			b->data += k;
			b->len -= k;
			b->seq += k;
		}
	}
	if (c->rq_head == NULL)
		c->rq_tail = NULL;
	c->rlen -= n;
	c->app_in += n;
	rcv_taken(c);
	return n;
}

struct sl_tcp_buf *sl_tcp_recv_bufs(struct sl_tcp_conn *c, size_t *len)
{
	struct sl_tcp_buf *b = c->rq_head;
	if (len != NULL)
		*len = c->rlen;
	if (b == NULL)
		return NULL;
	c->rq_head = c->rq_tail = NULL;
	c->rlen = 0;
	rcv_taken(c);
	return b;
}

ssize_t sl_tcp_send_bufs(struct sl_tcp_conn *c, struct sl_tcp_buf *b)
{
	struct sl_tcp_stack *st = c->st;
	if (!can_send(c) || c->fin_queued) {
		int e = c->fin_queued && c->state != SL_TCP_CLOSED ? -EPIPE : -ENOTCONN;
		if (st != NULL)
			sl_tcp_buf_free(st, b);
		return e;
	}
	uint32_t n = 0;
	for (struct sl_tcp_buf *p = b; p != NULL; p = p->next) {
		p->seq = c->sseq + c->slen + n;
		n += p->len;
		if (p->next == NULL) {
			if (c->sq_tail != NULL)
				c->sq_tail->next = b;
			else
				c->sq_head = b;
			c->sq_tail = p;
		}
	}
	c->slen += n;
	c->app_out += n;
	if (n > 0)
		send_queued(c);
	return n;
}

void sl_tcp_conn_bytes(const struct sl_tcp_conn *c, uint64_t *in, uint64_t *out)
{
	*in = c->app_in;
	*out = c->app_out;
}

int sl_tcp_set_cc(struct sl_tcp_conn *c, unsigned cc)
{
	if (cc > SL_TCP_CC_CUBIC)
		return -EINVAL;
	c->cc = cc == SL_TCP_CC_CUBIC ? &sl_tcp_cc_cubic : &sl_tcp_cc_newreno;
	c->cu_wmax = c->cu_epoch_ms = 0;
	return 0;
}

const char *sl_tcp_cc_name(const struct sl_tcp_conn *c)
{
	return c->cc->name;
}

void sl_tcp_set_sndbuf(struct sl_tcp_conn *c, uint32_t bytes)
{
	c->sndbuf = bytes != 0 ? bytes : c->st->p.sndbuf;
}

void sl_tcp_set_keepalive(struct sl_tcp_conn *c, bool on)
{
	c->keepalive = on;
	c->ka_sent = 0;
	if (on)
		sl_tcp_ka_arm(c);
	else if (c->rtx_mode == SL_RTX_KEEPALIVE) {
		sl_tmr_cancel(&c->st->wheel, &c->rtx);
		c->rtx_mode = SL_RTX_NONE;
	}
}

void sl_tcp_endpoints(const struct sl_tcp_conn *c, uint32_t *laddr, uint16_t *lport,
		      uint32_t *raddr, uint16_t *rport)
{
	if (laddr != NULL)
		*laddr = c->laddr;
	if (lport != NULL)
		*lport = c->lport;
	if (raddr != NULL)
		*raddr = c->raddr;
	if (rport != NULL)
		*rport = c->rport;
}

size_t sl_tcp_conn_size(void)
{
	return sizeof(struct sl_tcp_conn);
}

int sl_tcp_shutdown(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (st == NULL || c->state == SL_TCP_CLOSED)
		return -ENOTCONN;
	if (c->fin_queued)
		return 0;
	switch (c->state) {
	case SL_TCP_SYN_SENT:
	case SL_TCP_SYN_RCVD:
		c->fin_queued = true; /* sent once established */
		return 0;
	case SL_TCP_ESTABLISHED:
		c->fin_queued = true;
		sl_tcp_set_state(c, SL_TCP_FIN_WAIT_1);
		break;
	case SL_TCP_CLOSE_WAIT:
		c->fin_queued = true;
		sl_tcp_set_state(c, SL_TCP_LAST_ACK);
		break;
	default:
		return 0;
	}
	sl_tcp_enter(st);
	st->now = st->ops.now_us(st->env);
	sl_tcp_output(c);
	sl_tcp_leave(st);
	return 0;
}

int sl_tcp_close(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (st == NULL)
		return 0;
	sl_tcp_enter(st);
	bool unread = c->rlen > 0;
	app_release(c);
	switch (c->state) {
	case SL_TCP_SYN_SENT:
		sl_tcp_conn_done(c);
		break;
	case SL_TCP_SYN_RCVD:
	case SL_TCP_ESTABLISHED:
	case SL_TCP_CLOSE_WAIT:
		if (unread) { /* unread data: reset, RFC 2525 2.17 */
			sl_tcp_send_rst(c);
			sl_tcp_conn_done(c);
			break;
		}
		sl_tcp_shutdown(c);
		break;
	case SL_TCP_FIN_WAIT_2:
		c->rtx_mode = SL_RTX_FINWAIT2;
		sl_tmr_arm(&st->wheel, &c->rtx, st->now, st->p.fin_wait2_us);
		break;
	default:
		sl_tcp_maybe_free(c); /* CLOSED: free; other states finish alone */
		break;
	}
	sl_tcp_leave(st);
	return 0;
}

void sl_tcp_abort(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (st == NULL)
		return;
	sl_tcp_enter(st);
	app_release(c);
	if (c->state != SL_TCP_CLOSED && c->state != SL_TCP_SYN_SENT &&
	    c->state != SL_TCP_TIME_WAIT)
		sl_tcp_send_rst(c);
	sl_tcp_conn_done(c);
	sl_tcp_maybe_free(c);
	sl_tcp_leave(st);
}

enum sl_tcp_state sl_tcp_state(const struct sl_tcp_conn *c)
{
	return (enum sl_tcp_state)c->state;
}

const char *sl_tcp_state_name(enum sl_tcp_state s)
{
	static const char *const names[] = {"CLOSED",	   "LISTEN",	 "SYN-SENT",
					    "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
					    "FIN-WAIT-2",   "CLOSE-WAIT",  "CLOSING",
					    "LAST-ACK",	   "TIME-WAIT"};
	if ((unsigned)s < sizeof(names) / sizeof(names[0]))
		return names[s];
	return "UNKNOWN";
}
