/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment arrival, RFC 9293 section 3.10.7: validation (IPv4, checksum, flags, options),
 * demultiplexing, LISTEN (with SYN cookies, RFC 4987), SYN-SENT, and the synchronized states
 * (sequence check with PAWS, RFC 7323 5; RST/SYN/ACK defences of RFC 5961; ACK processing
 * with RFC 6298 RTT samples, RFC 5681 congestion control and RFC 6582 NewReno; data with
 * bounded out-of-order reassembly; FIN).
 */
#include "dataplane/tcp/tcb.h"

#include <errno.h>
#include <string.h>

#include "proto/bytes.h"
#include "proto/ipv4.h"

struct seg {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack, win;
	uint8_t flags;
	const uint8_t *data;
	uint32_t len;
	struct sl_tcp_opts o;
};

static const uint16_t cookie_mss[8] = {216, 536, 1024, 1220, 1360, 1440, 1452, 1460};

#define COOKIE_PERIOD_US 64000000ull /* the cookie clock counts 64 s units (RFC 4987 3.6) */

/*
 * Returns the SYN cookie ISN for a SYN (RFC 4987 section 3.6): 5 bits of a 64 s counter, 3
 * bits of MSS index, 24 bits of keyed hash over the four-tuple, the counter and the peer's
 * ISN @irs. @mss is the peer's (clamped) MSS.
 */
uint32_t sl_tcp_cookie_make(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
			    uint32_t raddr, uint16_t rport, uint32_t irs, uint16_t mss)
{
	uint32_t t = (uint32_t)(st->now / COOKIE_PERIOD_US);
	uint32_t idx = 0;
	for (uint32_t i = 0; i < 8; i++)
		if (cookie_mss[i] <= mss)
			idx = i;
	uint32_t h = sl_tcp_hash4(st, laddr, lport, raddr, rport, irs ^ (t * 0x9e3779b1u));
	return (t & 31) << 27 | idx << 24 | (h & 0xffffff);
}

/* Checks the cookie acknowledged by @s; returns the MSS it encodes, or 0 when invalid. */
static uint16_t cookie_check(struct sl_tcp_stack *st, const struct seg *s)
{
	uint32_t cookie = s->ack - 1, irs = s->seq - 1;
	uint32_t now_t = (uint32_t)(st->now / COOKIE_PERIOD_US);
	uint32_t age = (now_t - (cookie >> 27)) & 31;
	if (age > 1)
		return 0;
	uint32_t t = now_t - age;
	uint32_t h = sl_tcp_hash4(st, s->dst, s->dport, s->src, s->sport, irs ^ (t * 0x9e3779b1u));
	if ((h & 0xffffff) != (cookie & 0xffffff))
		return 0;
	return cookie_mss[(cookie >> 24) & 7];
}

static uint16_t clamp_mss(const struct sl_tcp_stack *st, const struct sl_tcp_opts *o)
{
	uint32_t m = o->has_mss ? o->mss : SL_TCP_DEF_MSS;
	if (m < SL_TCP_MIN_MSS)
		m = SL_TCP_MIN_MSS;
	if (m > st->p.mss)
		m = st->p.mss;
	return (uint16_t)m;
}

/* Initial window, RFC 5681 section 3.1. */
static uint32_t initial_cwnd(uint32_t mss)
{
	return mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
}

/* Applies the options of the peer's SYN / SYN-ACK (@o) to @c, given what we offer. */
static void negotiate(struct sl_tcp_conn *c, const struct seg *s)
{
	const struct sl_tcp_params *p = &c->st->p;
	c->mss = clamp_mss(c->st, &s->o);
	c->ts_ok = !p->no_timestamps && s->o.has_ts;
	c->sack_ok = !p->no_sack && s->o.sack_ok;
	c->ws_ok = !p->no_wscale && s->o.has_wscale;
	if (c->ws_ok) {
		c->snd_scale = s->o.wscale;
	} else {
		c->snd_scale = 0;
		c->rcv_scale = 0;
	}
	if (c->ts_ok)
		c->ts_recent = s->o.ts_val;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->cwnd = initial_cwnd(c->mss);
}

/* Sends a challenge ACK (RFC 5961 3.2, 4.2, 5.2), at most challenge_acks_per_s a second. */
static void challenge_ack(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (st->now - c->chack_start >= 1000000) {
		c->chack_start = st->now;
		c->chack_count = 0;
	}
	if (c->chack_count >= st->p.challenge_acks_per_s) {
		st->s.challenge_acks_limited++;
		return;
	}
	c->chack_count++;
	st->s.challenge_acks++;
	sl_tcp_send_ack(c);
}

static void reset_reply(struct sl_tcp_stack *st, const struct seg *s)
{
	if (s->flags & SL_TCP_RST)
		return;
	if (s->flags & SL_TCP_ACK)
		sl_tcp_send_reset_reply(st, s->dst, s->dport, s->src, s->sport, s->ack, 0, false);
	else
		sl_tcp_send_reset_reply(st, s->dst, s->dport, s->src, s->sport, 0,
					s->seq + s->len + ((s->flags & SL_TCP_SYN) ? 1 : 0) +
						((s->flags & SL_TCP_FIN) ? 1 : 0),
					true);
}

static void conn_input(struct sl_tcp_conn *c, struct seg *s);

/*
 * True when the listener @l is at its maxconn. Only the connections it accepted count: its
 * half-open ones give way, or a flood of SYNs would fill the cap and keep every client out.
 */
static bool listener_full(const struct sl_tcp_listener *l)
{
	if (l->maxconn == 0)
		return false;
	if (l->grp_base == NULL)
		return l->nconn >= l->maxconn;
	uint32_t sum = 0; /* every stack's accepted connections (sl_tcp_listen_share) */
	for (uint32_t i = 0; i < l->grp_n; i++)
		sum += __atomic_load_n(&l->grp_base[(size_t)i * l->grp_stride], __ATOMIC_RELAXED);
	return sum >= l->maxconn;
}

/* Refuses @s at the full listener @l (see sl_tcp_listen_maxconn): RST, or nothing. */
static void refuse_maxconn(struct sl_tcp_stack *st, const struct sl_tcp_listener *l,
			   const struct seg *s)
{
	st->s.refused_maxconn++;
	if (l->maxconn_rst)
		reset_reply(st, s);
}

/*
 * An ACK at the listener @l: the third segment of a handshake answered with a SYN cookie
 * (RFC 4987 3.6). A valid cookie always gets a connection unless the listener is at its
 * maxconn or every slot of the pool holds a connection in use (then RST, as a full host).
 * Returns the connection, or NULL.
 */
static struct sl_tcp_conn *cookie_input(struct sl_tcp_stack *st, struct sl_tcp_listener *l,
					struct seg *s)
{
	uint16_t mss = (s->flags & SL_TCP_SYN) ? 0 : cookie_check(st, s);
	if (mss == 0) {
		if (!(s->flags & SL_TCP_SYN))
			st->s.syncookies_bad++;
		reset_reply(st, s);
		return NULL;
	}
	st->s.syncookies_ok++;
	if (listener_full(l)) {
		refuse_maxconn(st, l, s);
		return NULL;
	}
	struct sl_tcp_conn *c = sl_tcp_conn_new(st, s->dst, s->dport, s->src, s->sport, true);
	if (c == NULL) {
		st->s.refused_full++;
		reset_reply(st, s);
		return NULL;
	}
	c->passive = true;
	c->cbs = l->cbs;
	c->arg = l->arg;
	c->iss = s->ack - 1;
	c->snd_una = c->snd_nxt = c->snd_max = s->ack;
	c->sseq = s->ack;
	c->irs = s->seq - 1;
	c->rcv_nxt = c->rcv_adv = c->last_ack_sent = s->seq;
	c->mss = mss < st->p.mss ? mss : st->p.mss;
	c->rcv_scale = c->snd_scale = 0;
	c->ws_ok = c->ts_ok = c->sack_ok = false;
	c->cwnd = initial_cwnd(c->mss);
	c->snd_wnd = s->win;
	c->max_sndwnd = s->win;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->recover = c->iss;
	sl_tcp_set_state(c, SL_TCP_ESTABLISHED);
	c->app_owned = true;
	c->ev |= SL_EV_ACCEPTED;
	c->acc_lsn = l;
	sl_tcp_lsn_count(l, 1);
	conn_input(c, s);
	return c;
}

/*
 * LISTEN, RFC 9293 3.10.7.2. A SYN gets state (SYN-RECEIVED) while its listener's backlog
 * and the stack's half-open share (syn_max) have room and a slot is free; otherwise a SYN
 * cookie (RFC 4987 3.6) and no state. Returns the connection the segment created, if any.
 */
static struct sl_tcp_conn *listen_input(struct sl_tcp_stack *st, struct sl_tcp_listener *l,
					struct seg *s)
{
	if (s->flags & SL_TCP_RST)
		return NULL;
	if (s->flags & SL_TCP_ACK)
		return cookie_input(st, l, s);
	if (!(s->flags & SL_TCP_SYN))
		return NULL;
	if (listener_full(l)) {
		refuse_maxconn(st, l, s);
		return NULL;
	}
	struct sl_tcp_conn *c = NULL;
	if (l->syn_count >= l->backlog)
		st->s.syn_dropped_backlog++;
	else if (st->s.syn_in_use >= st->p.syn_max)
		st->s.syncookies_share++;
	else
		c = sl_tcp_conn_new(st, s->dst, s->dport, s->src, s->sport, false);
	if (c == NULL) {
		uint16_t mss = clamp_mss(st, &s->o);
		uint32_t iss = sl_tcp_cookie_make(st, s->dst, s->dport, s->src, s->sport, s->seq, mss);
		uint32_t idx_mss = cookie_mss[(iss >> 24) & 7];
		st->s.syncookies_sent++;
		sl_tcp_send_cookie_synack(st, s->dst, s->dport, s->src, s->sport, iss, s->seq + 1,
					  (uint16_t)(idx_mss < st->p.mss ? idx_mss : st->p.mss));
		return NULL;
	}
	c->cbs = l->cbs;
	c->arg = l->arg;
	negotiate(c, s);
	c->iss = (uint32_t)(st->now / 4) + sl_tcp_hash4(st, c->laddr, c->lport, c->raddr, c->rport, 0x15u);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sseq = c->iss + 1;
	c->recover = c->iss;
	c->snd_wnd = s->win; /* never scaled in a SYN (RFC 7323 2.2) */
	c->snd_wl1 = s->seq;
	c->snd_wl2 = c->iss;
	sl_tcp_enter_syn_rcvd(c, l);
	sl_tcp_send_syn(c);
	return c;
}

/* SYN-SENT, RFC 9293 3.10.7.3. */
static void syn_sent_input(struct sl_tcp_conn *c, struct seg *s)
{
	struct sl_tcp_stack *st = c->st;
	bool ack_ok = false;
	if (s->flags & SL_TCP_ACK) {
		if (SEQ_LEQ(s->ack, c->iss) || SEQ_GT(s->ack, c->snd_max)) {
			/* Old duplicate or bogus SYN-ACK: reset it, stay in SYN-SENT. */
			if (!(s->flags & SL_TCP_RST))
				sl_tcp_send_reset_reply(st, c->laddr, c->lport, c->raddr, c->rport,
							s->ack, 0, false);
			st->s.drop_seq++;
			return;
		}
		ack_ok = true;
	}
	if (s->flags & SL_TCP_RST) {
		if (ack_ok) {
			st->s.rst_in_accepted++;
			sl_tcp_conn_fail(c, SL_TCP_ERR_REFUSED);
		}
		return;
	}
	if (!(s->flags & SL_TCP_SYN))
		return;
	negotiate(c, s);
	c->snd_wnd = s->win;
	c->max_sndwnd = s->win;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->recover = c->iss;
	if (!ack_ok) { /* simultaneous open */
		sl_tcp_set_state(c, SL_TCP_SYN_RCVD);
		c->ack_now = true;
		sl_tcp_output(c);
		return;
	}
	c->snd_una = s->ack;
	if (c->rtt_timing && c->retries == 0)
		sl_tcp_rtt_sample(c, (uint32_t)(st->now - c->rtt_start));
	c->rtt_timing = false;
	c->retries = 0;
	sl_tmr_cancel(&st->wheel, &c->rtx);
	c->rtx_mode = SL_RTX_NONE;
	sl_tcp_set_state(c, c->fin_queued ? SL_TCP_FIN_WAIT_1 : SL_TCP_ESTABLISHED);
	c->ev |= SL_EV_CONNECTED;
	c->ack_now = true;
	sl_tcp_output(c);
}

/* Inserts [@s, @e) in the out-of-order ranges; false when there is no room (data dropped). */
static bool ooo_add(struct sl_tcp_conn *c, uint32_t s, uint32_t e)
{
	for (int i = 0; i < c->nooo; i++) {
		struct sl_ooo_range *r = &c->ooo[i];
		if (SEQ_LEQ(r->start, e) && SEQ_LEQ(s, r->end)) {
			s = sl_seq_min(s, r->start);
			e = sl_seq_max(e, r->end);
			c->ooo[i] = c->ooo[--c->nooo];
			i = -1;
		}
	}
	if (c->nooo >= SL_TCP_OOO_MAX)
		return false;
	c->ooo[c->nooo++] = (struct sl_ooo_range){s, e, ++c->ooo_age};
	return true;
}

/* Appends the chain @b .. @last to the in-order receive queue. */
static void rq_append(struct sl_tcp_conn *c, struct sl_tcp_buf *b, struct sl_tcp_buf *last)
{
	if (c->rq_tail != NULL)
		c->rq_tail->next = b;
	else
		c->rq_head = b;
	c->rq_tail = last;
	last->next = NULL;
}

/*
 * Puts the piece @b [b->seq, b->seq + b->len) in the out-of-order queue, trimmed against the
 * pieces already there (which win: their bytes arrived first). Frees @b when nothing is new.
 */
static void oq_insert(struct sl_tcp_conn *c, struct sl_tcp_buf *b)
{
	struct sl_tcp_stack *st = c->st;
	struct sl_tcp_buf **pp = &c->oq_head;
	while (*pp != NULL && SEQ_LEQ((*pp)->seq + (*pp)->len, b->seq))
		pp = &(*pp)->next;
	struct sl_tcp_buf *cur = *pp;
	if (cur != NULL && SEQ_LEQ(cur->seq, b->seq)) { /* overlaps from the left */
		uint32_t cut = cur->seq + cur->len - b->seq;
		if (cut >= b->len) {
			sl_tcp_buf_put(st, b);
			return;
		}
		b->data += cut;
		b->len -= cut;
		b->seq += cut;
		pp = &cur->next;
	}
	while ((cur = *pp) != NULL && SEQ_LT(cur->seq, b->seq + b->len)) {
		if (SEQ_LEQ(cur->seq + cur->len, b->seq + b->len)) { /* covered by @b */
			*pp = cur->next;
			sl_tcp_buf_put(st, cur);
			c->noq--;
			continue;
		}
		b->len = cur->seq - b->seq; /* overlaps on the right */
		break;
	}
	b->next = *pp;
	*pp = b;
	c->noq++;
}

/* Segment text (RFC 9293 3.10.7.4 "seventh"), already trimmed to the window. */
static void data_in(struct sl_tcp_conn *c, uint32_t seq, const uint8_t *d, uint32_t len)
{
	struct sl_tcp_stack *st = c->st;
	struct sl_tcp_buf *b, *last;
	if (seq != c->rcv_nxt) {
		c->ack_now = true; /* duplicate ACK at once, RFC 5681 4.2 */
		uint32_t pieces = (len + st->p.chunk_size - 1) / st->p.chunk_size;
		if (c->noq + pieces > st->p.ooo_bufs) {
			st->s.ooo_dropped++;
			return;
		}
		b = sl_tcp_buf_make(st, d, len, seq, &last);
		if (b == NULL) {
			st->s.drop_nobuf++;
			return;
		}
		if (!ooo_add(c, seq, seq + len)) {
			sl_tcp_buf_free(st, b);
			st->s.ooo_dropped++;
			return;
		}
		st->s.ooo_queued++;
		while (b != NULL) {
			struct sl_tcp_buf *next = b->next;
			oq_insert(c, b);
			b = next;
		}
		return;
	}
	last = c->rq_tail;
	if (last != NULL && sl_tcp_chunk_room(st, last) >= len) { /* small segment: coalesce */
		memcpy(last->data + last->len, d, len);
		last->len += len;
		st->s.bytes_copied_in += len;
	} else {
		b = sl_tcp_buf_make(st, d, len, seq, &last);
		if (b == NULL) { /* nothing to hold it: as if lost, the peer sends it again */
			st->s.drop_nobuf++;
			return;
		}
		rq_append(c, b, last);
	}
	c->rlen += len;
	c->rcv_nxt += len;
	st->s.bytes_in += len;
	bool filled = false;
	while ((b = c->oq_head) != NULL && SEQ_LEQ(b->seq, c->rcv_nxt)) {
		c->oq_head = b->next;
		c->noq--;
		uint32_t cut = c->rcv_nxt - b->seq;
		if (cut >= b->len) {
			sl_tcp_buf_put(st, b);
			continue;
		}
		b->data += cut;
		b->len -= cut;
		b->seq += cut;
		rq_append(c, b, b);
		c->rlen += b->len;
		c->rcv_nxt += b->len;
		st->s.bytes_in += b->len;
	}
	for (int i = 0; i < c->nooo; i++) {
		if (SEQ_LEQ(c->ooo[i].start, c->rcv_nxt)) {
			c->ooo[i] = c->ooo[--c->nooo];
			i = -1;
			filled = true;
		}
	}
	if (!c->app_owned) { /* orphan after close: acknowledge and discard */
		sl_tcp_buf_free(st, c->rq_head);
		c->rq_head = c->rq_tail = NULL;
		c->rlen = 0;
	} else {
		c->ev |= SL_EV_READABLE;
	}
	if (filled || c->nooo > 0 || ++c->unacked_segs >= 2)
		c->ack_now = true; /* every second segment, and gap repairs (RFC 5681 4.2) */
	else if (!sl_tmr_armed(&c->delack))
		sl_tmr_arm(&st->wheel, &c->delack, st->now, st->p.delack_us);
}

/* A new cumulative ACK (snd_una < ack <= snd_max). */
static void ack_new(struct sl_tcp_conn *c, const struct seg *s)
{
	struct sl_tcp_stack *st = c->st;
	uint32_t acked = s->ack - c->snd_una;
	if (c->ts_ok && s->o.has_ts && s->o.ts_ecr != 0) {
		uint32_t ms = sl_tcp_ts_now(c) - s->o.ts_ecr;
		if (ms < 600000)
			sl_tcp_rtt_sample(c, ms * 1000);
	} else if (c->rtt_timing && SEQ_GT(s->ack, c->rtt_seq)) {
		sl_tcp_rtt_sample(c, (uint32_t)(st->now - c->rtt_start));
		c->rtt_timing = false;
	}
	c->retries = 0;
	uint32_t dacked = 0;
	if (SEQ_GT(s->ack, c->sseq)) {
		dacked = s->ack - c->sseq;
		if (dacked > c->slen)
			dacked = c->slen;
	}
	if (dacked > 0)
		sl_tcp_sq_drop(c, dacked);
	if (dacked > 0 && c->want_writable && c->app_owned) {
		c->want_writable = false;
		c->ev |= SL_EV_WRITABLE;
	}
	c->snd_una = s->ack;
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	if (c->in_recovery) {
		if (SEQ_GEQ(s->ack, c->recover)) { /* full ACK, RFC 6582 3.2 (6) */
			uint32_t f = sl_tcp_flight(c) + c->mss;
			c->cwnd = c->ssthresh < f ? c->ssthresh : f;
			c->in_recovery = false;
			c->dupacks = 0;
		} else { /* partial ACK, RFC 6582 3.2 (5) */
			sl_tcp_send_seg_at(c, c->snd_una, c->mss, false);
			c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
			if (acked >= c->mss)
				c->cwnd += c->mss;
			if (c->cwnd < c->mss)
				c->cwnd = c->mss;
		}
	} else {
		c->dupacks = 0;
		c->cc->on_ack(c, acked);
	}
	if (c->snd_una != c->snd_max) {
		sl_tcp_rtx_arm(c); /* RFC 6298 5.3 */
	} else if (c->rtx_mode == SL_RTX_REXMIT) {
		sl_tmr_cancel(&st->wheel, &c->rtx); /* all acknowledged, RFC 6298 5.2 */
		c->rtx_mode = SL_RTX_NONE;
	}
}

/* A duplicate ACK (RFC 5681 section 2 definition) in a synchronized state. */
static void ack_dup(struct sl_tcp_conn *c)
{
	/* The same ACK with a closed window answers a zero-window probe (RFC 9293 3.8.6.1): the
	 * peer is slow, nothing was lost. */
	if (c->snd_wnd == 0)
		return;
	c->dupacks++;
	if (c->in_recovery) {
		c->cwnd += c->mss; /* RFC 6582 3.2 (4) */
		return;
	}
	if (c->dupacks != 3 || !SEQ_GT(c->snd_una, c->recover))
		return;
	/* Fast retransmit (RFC 5681 3.2, RFC 6582 3.2 (2)-(3)). */
	c->ssthresh = c->cc->ssthresh(c, false);
	c->recover = c->snd_max;
	c->in_recovery = true;
	c->st->s.fast_retransmits++;
	sl_tcp_send_seg_at(c, c->snd_una, c->mss, false);
	c->cwnd = c->ssthresh + 3u * c->mss;
}

static bool fin_acked(const struct sl_tcp_conn *c)
{
	return c->fin_queued && c->slen == 0 && c->snd_una == c->sseq + 1;
}

/* Synchronized states and SYN-RECEIVED, RFC 9293 3.10.7.4. */
static void conn_input(struct sl_tcp_conn *c, struct seg *s)
{
	struct sl_tcp_stack *st = c->st;
	if (c->state == SL_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		return;
	}
	bool rst = (s->flags & SL_TCP_RST) != 0;
	/* PAWS, RFC 7323 5.3 R1. */
	if (c->ts_ok && s->o.has_ts && !rst && SEQ_LT(s->o.ts_val, c->ts_recent)) {
		st->s.drop_paws++;
		c->ack_now = true;
		sl_tcp_output(c);
		return;
	}
	uint32_t wnd = sl_tcp_rcv_space(c);
	if (rst) { /* RFC 5961 section 3.2 */
		if (s->seq == c->rcv_nxt) {
			st->s.rst_in_accepted++;
			if (c->state == SL_TCP_SYN_RCVD && c->passive)
				sl_tcp_conn_done(c); /* back to LISTEN */
			else if (c->state == SL_TCP_SYN_RCVD)
				sl_tcp_conn_fail(c, SL_TCP_ERR_REFUSED);
			else if (c->state == SL_TCP_TIME_WAIT || c->state == SL_TCP_CLOSING ||
				 c->state == SL_TCP_LAST_ACK)
				sl_tcp_conn_done(c);
			else
				sl_tcp_conn_fail(c, SL_TCP_ERR_RESET);
		} else if (sl_seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + (wnd > 0 ? wnd : 1))) {
			challenge_ack(c);
		} else {
			st->s.drop_seq++;
		}
		return;
	}
	/* Sequence acceptability, RFC 9293 3.10.7.4 "first". */
	bool syn = (s->flags & SL_TCP_SYN) != 0, fin = (s->flags & SL_TCP_FIN) != 0;
	if (syn && c->state == SL_TCP_SYN_RCVD && (s->flags & SL_TCP_ACK) && s->seq == c->irs) {
		/* Simultaneous open (RFC 9293 figure 7, line 6): the peer's SYN-ACK repeats the
		 * SYN we already have; its SYN is trimmed first, as BSD does, and its ACK then
		 * completes the handshake instead of failing the window test. */
		syn = false;
		s->seq++;
	}
	uint32_t seglen = s->len + syn + fin;
	bool ok;
	if (seglen == 0) /* right edge included, as BSD: a peer that filled our window
			  * acknowledges with SEG.SEQ = RCV.NXT + RCV.WND */
		ok = SEQ_LEQ(c->rcv_nxt, s->seq) && SEQ_LEQ(s->seq, c->rcv_nxt + wnd);
	else
		ok = wnd != 0 && (sl_seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
				  sl_seq_in(s->seq + seglen - 1, c->rcv_nxt, c->rcv_nxt + wnd));
	if (!ok && wnd == 0 && s->seq == c->rcv_nxt)
		ok = true; /* zero window: still process its ACK (and drop its data) */
	if (!ok) {
		st->s.drop_seq++;
		if (c->state == SL_TCP_TIME_WAIT && fin) /* retransmitted FIN: restart 2 MSL */
			sl_tmr_arm(&st->wheel, &c->rtx, st->now, st->p.time_wait_us);
		c->ack_now = true;
		sl_tcp_output(c);
		return;
	}
	c->last_rcv = st->now; /* the peer is alive (keepalive) */
	c->ka_sent = 0;
	/* Timestamp to echo, RFC 7323 4.3 (2). */
	if (c->ts_ok && s->o.has_ts && SEQ_LEQ(s->seq, c->last_ack_sent) &&
	    SEQ_GEQ(s->o.ts_val, c->ts_recent))
		c->ts_recent = s->o.ts_val;
	/* Trim to the window. */
	uint32_t seq = s->seq;
	const uint8_t *d = s->data;
	uint32_t len = s->len;
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t cut = c->rcv_nxt - seq;
		if (syn) {
			syn = false;
			cut--;
			seq++;
		}
		if (cut >= len) {
			if (cut > len)
				fin = false;
			cut = len;
		}
		d += cut;
		len -= cut;
		seq += cut;
	}
	if (SEQ_GT(seq + len, c->rcv_nxt + wnd)) {
		uint32_t keep = SEQ_GT(c->rcv_nxt + wnd, seq) ? c->rcv_nxt + wnd - seq : 0;
		len = keep;
		fin = false;
	}
	/* "fourth": SYN in the window (RFC 5961 4.2; RFC 9293: passive SYN-RECEIVED -> LISTEN). */
	if (syn) {
		if (c->state == SL_TCP_SYN_RCVD && c->passive)
			sl_tcp_conn_done(c);
		else
			challenge_ack(c);
		return;
	}
	/* "fifth": ACK. */
	if (!(s->flags & SL_TCP_ACK))
		return;
	if (c->state == SL_TCP_SYN_RCVD) {
		if (!(SEQ_LT(c->snd_una, s->ack) && SEQ_LEQ(s->ack, c->snd_max))) {
			sl_tcp_send_reset_reply(st, c->laddr, c->lport, c->raddr, c->rport, s->ack, 0,
						false);
			return;
		}
		if (c->lsn != NULL && listener_full(c->lsn)) {
			/* As a full accept queue: RST (the connection goes), or the ACK is
			 * ignored and a retransmission completes the handshake later. */
			st->s.refused_maxconn++;
			if (c->lsn->maxconn_rst) {
				sl_tcp_send_reset_reply(st, c->laddr, c->lport, c->raddr, c->rport,
							s->ack, 0, false);
				sl_tcp_conn_done(c);
			}
			return;
		}
		if (c->rtt_timing && c->retries == 0)
			sl_tcp_rtt_sample(c, (uint32_t)(st->now - c->rtt_start));
		c->rtt_timing = false;
		c->retries = 0;
		c->snd_una = s->ack;
		c->snd_wnd = s->win << c->snd_scale;
		c->max_sndwnd = c->snd_wnd;
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		sl_tmr_cancel(&st->wheel, &c->rtx);
		c->rtx_mode = SL_RTX_NONE;
		bool was_passive = c->lsn != NULL || c->passive;
		struct sl_tcp_listener *l = c->lsn;
		sl_tcp_set_state(c, c->fin_queued ? SL_TCP_FIN_WAIT_1 : SL_TCP_ESTABLISHED);
		if (was_passive && !c->app_owned) {
			c->app_owned = true;
			c->ev |= SL_EV_ACCEPTED;
			if (l != NULL) {
				c->acc_lsn = l;
				sl_tcp_lsn_count(l, 1);
			}
		} else {
			c->ev |= SL_EV_CONNECTED;
		}
	}
	uint32_t win = s->win << c->snd_scale;
	if (SEQ_GT(s->ack, c->snd_max)) { /* acknowledges something not sent, RFC 5961 5.2 */
		st->s.drop_seq++;
		c->ack_now = true;
		sl_tcp_output(c);
		return;
	}
	uint32_t lo = c->snd_una - (c->max_sndwnd > 65535 ? c->max_sndwnd : 65535);
	if (SEQ_LT(s->ack, lo)) { /* too old, RFC 5961 5.2 */
		st->s.drop_seq++;
		challenge_ack(c);
		return;
	}
	if (SEQ_GT(s->ack, c->snd_una)) {
		ack_new(c, s);
	} else if (s->ack == c->snd_una && len == 0 && !fin && win == c->snd_wnd &&
		   c->snd_max != c->snd_una && s->len == 0) {
		ack_dup(c);
	}
	/* Send window update, RFC 9293 3.10.7.4 (SND.WL1 / SND.WL2). */
	if (SEQ_LT(c->snd_wl1, s->seq) || (c->snd_wl1 == s->seq && SEQ_LEQ(c->snd_wl2, s->ack))) {
		uint32_t old = c->snd_wnd;
		c->snd_wnd = win;
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		if (win > c->max_sndwnd)
			c->max_sndwnd = win;
		if (old == 0 && win > 0 && c->snd_nxt != c->snd_una) {
			c->snd_nxt = c->snd_una; /* the window opened: resend from the probe */
			c->retries = 0;
		}
		if (win == 0)
			c->retries = 0; /* the peer is alive: keep probing (RFC 9293 3.8.6.1) */
	}
	switch (c->state) {
	case SL_TCP_FIN_WAIT_1:
		if (fin_acked(c)) {
			sl_tcp_set_state(c, SL_TCP_FIN_WAIT_2);
			if (!c->app_owned) {
				c->rtx_mode = SL_RTX_FINWAIT2;
				sl_tmr_arm(&st->wheel, &c->rtx, st->now, st->p.fin_wait2_us);
			}
		}
		break;
	case SL_TCP_CLOSING:
		if (fin_acked(c)) {
			sl_tcp_enter_time_wait(c);
			return;
		}
		break;
	case SL_TCP_LAST_ACK:
		if (fin_acked(c)) {
			sl_tcp_conn_done(c);
			return;
		}
		break;
	case SL_TCP_TIME_WAIT:
		if (fin) {
			c->ack_now = true;
			sl_tmr_arm(&st->wheel, &c->rtx, st->now, st->p.time_wait_us);
		}
		sl_tcp_output(c);
		return;
	default:
		break;
	}
	/* "seventh": text. New data for an application that closed is lost: RST (RFC 1122
	 * 4.2.2.13, RFC 2525 2.17), as a host does for a closed socket. */
	if (len > 0 && !c->app_owned &&
	    (c->state == SL_TCP_FIN_WAIT_1 || c->state == SL_TCP_FIN_WAIT_2)) {
		st->s.rst_data_after_close++;
		sl_tcp_send_rst(c);
		sl_tcp_conn_done(c);
		return;
	}
	if (len > 0) {
		if (c->state == SL_TCP_ESTABLISHED || c->state == SL_TCP_FIN_WAIT_1 ||
		    c->state == SL_TCP_FIN_WAIT_2)
			data_in(c, seq, d, len);
	}
	/* "eighth": FIN, only once everything before it arrived. */
	if (fin && seq + len == c->rcv_nxt && !c->fin_rcvd) {
		c->rcv_nxt++;
		c->fin_rcvd = true;
		c->ack_now = true;
		if (c->app_owned)
			c->ev |= SL_EV_PEER_CLOSED;
		switch (c->state) {
		case SL_TCP_ESTABLISHED:
			sl_tcp_set_state(c, SL_TCP_CLOSE_WAIT);
			break;
		case SL_TCP_FIN_WAIT_1:
			if (fin_acked(c)) {
				sl_tcp_send_ack(c);
				sl_tcp_enter_time_wait(c);
				return;
			}
			sl_tcp_set_state(c, SL_TCP_CLOSING);
			break;
		case SL_TCP_FIN_WAIT_2:
			sl_tcp_send_ack(c);
			sl_tcp_enter_time_wait(c);
			return;
		default:
			break;
		}
	}
	sl_tcp_output(c);
}

/* Validates the IPv4 packet and demultiplexes it; see sl_tcp_input(). */
int sl_tcp_segment_in(struct sl_tcp_stack *st, const uint8_t *pkt, size_t len)
{
	struct sl_ipv4_info ip;
	int ihl = sl_ipv4_parse(pkt, len, &ip, NULL);
	if (ihl < 0 || ip.proto != SL_IPPROTO_TCP) {
		st->s.drop_ip++;
		return -EINVAL;
	}
	const uint8_t *t = pkt + ihl;
	size_t tlen = (size_t)ip.total_len - (size_t)ihl;
	struct sl_tcp_info th;
	int doff = sl_tcp_parse(t, tlen, &th, NULL);
	if (doff < 0) {
		st->s.drop_ip++;
		return -EINVAL;
	}
	if (!sl_tcp4_csum_ok(t, tlen, ip.src, ip.dst)) {
		st->s.drop_csum++;
		return -EBADMSG;
	}
	if (!sl_tcp_flags_valid(th.flags)) {
		st->s.drop_flags++;
		return -EINVAL;
	}
	struct seg s = {.src = ip.src, .dst = ip.dst, .sport = th.sport, .dport = th.dport,
			.seq = th.seq, .ack = th.ack, .win = th.win, .flags = th.flags,
			.data = t + doff, .len = (uint32_t)(tlen - (size_t)doff)};
	if (sl_tcp_parse_opts(t + SL_TCP_HLEN, (size_t)doff - SL_TCP_HLEN, &s.o) != 0) {
		st->s.drop_opts++; /* malformed option list: the segment is dropped */
		return -EINVAL;
	}
	st->s.segs_in++;
	struct sl_tcp_conn *c = sl_tcp_lookup(st, ip.dst, th.dport, ip.src, th.sport);
	if (c != NULL && c->state == SL_TCP_TIME_WAIT && !c->app_owned &&
	    (s.flags & (SL_TCP_SYN | SL_TCP_ACK)) == SL_TCP_SYN &&
	    (c->ts_ok && s.o.has_ts ? SEQ_GT(s.o.ts_val, c->ts_recent)
				    : SEQ_GT(s.seq, c->rcv_nxt))) {
		/* A new incarnation of the four-tuple (RFC 6191, RFC 1122 4.2.2.13): the SYN
		 * cannot be an old duplicate, so TIME-WAIT ends and the listener takes it. */
		st->s.time_wait_reused++;
		sl_tcp_conn_done(c);
		c = NULL;
	}
	if (c != NULL) {
		conn_input(c, &s);
		sl_tcp_dispatch(c);
		return 0;
	}
	struct sl_tcp_listener *l = sl_tcp_find_listener(st, ip.dst, th.dport);
	if (l != NULL) {
		c = listen_input(st, l, &s);
		if (c != NULL)
			sl_tcp_dispatch(c);
		return 0;
	}
	st->s.drop_no_conn++;
	reset_reply(st, &s);
	return -ENOENT;
}

int sl_tcp_pmtu(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport, uint32_t raddr,
		uint16_t rport, uint32_t seq, uint16_t mtu)
{
	/* RFC 1191 section 7's plateaus, for routers that do not give the MTU */
	static const uint16_t plateau[] = {1492, 1006, 576, SL_TCP_PMTU_MIN};
	sl_tcp_enter(st);
	st->now = st->ops.now_us(st->env);
	int r = -1;
	struct sl_tcp_conn *c = sl_tcp_lookup(st, laddr, lport, raddr, rport);
	if (c == NULL || c->state == SL_TCP_SYN_SENT || c->state == SL_TCP_SYN_RCVD ||
	    c->state == SL_TCP_TIME_WAIT || SEQ_LT(seq, c->snd_una) || !SEQ_LT(seq, c->snd_max)) {
		st->s.icmp_ignored++;
		goto out;
	}
	r = 0;
	uint32_t cur = (uint32_t)c->mss + SL_IPV4_HLEN + SL_TCP_HLEN;
	if (mtu == 0) {
		for (size_t i = 0; i < sizeof(plateau) / sizeof(plateau[0]) && mtu == 0; i++)
			if (plateau[i] < cur)
				mtu = plateau[i];
		if (mtu == 0)
			goto out;
	}
	if (mtu >= cur)
		goto out; /* no smaller than what we send: stale or forged */
	if (mtu < SL_TCP_PMTU_MIN)
		mtu = SL_TCP_PMTU_MIN;
	uint16_t mss = (uint16_t)(mtu - SL_IPV4_HLEN - SL_TCP_HLEN);
	if (mss >= c->mss)
		goto out;
	c->mss = mss;
	st->s.pmtu_lowered++;
	r = 1;
	/* what was sent in the old size did not pass: send it again, smaller */
	if (c->snd_nxt != c->snd_una) {
		c->snd_nxt = c->snd_una;
		c->rtt_timing = false;
		sl_tcp_output(c);
	}
out:
	sl_tcp_leave(st);
	return r;
}
