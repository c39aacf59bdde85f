/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segment building and the send path: output of queued data within the send and congestion
 * windows (RFC 9293 3.8.6, RFC 5681), retransmission timer (RFC 6298), zero-window probes
 * (RFC 9293 3.8.6.1), delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2), options (RFC 7323,
 * RFC 2018), resets for segments without a connection (RFC 9293 3.10.7.1).
 */
#include "dataplane/tcp/tcb.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/ipv4.h"

/*
 * Emits one IPv4+TCP packet with @plen payload bytes from @off bytes into the chain @pay,
 * built straight in the environment's transmit buffer (tx_alloc) or in the scratch buffer.
 */
static void emit(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		 const uint8_t *opt, size_t optlen, const struct sl_tcp_buf *pay, uint32_t off,
		 uint32_t plen)
{
	size_t tl = SL_IPV4_HLEN + SL_TCP_HLEN + optlen + plen;
	void *h = NULL;
	uint8_t *p = st->pkt;
	if (st->ops.tx_alloc != NULL) {
		p = st->ops.tx_alloc(st->env, tl, &h);
		if (p == NULL) {
			st->s.segs_out++; /* counted as sent: the loss is the environment's */
			return;
		}
	}
	sl_ipv4_build(p, 0, (uint16_t)tl, st->ip_id++, true, 64, SL_IPPROTO_TCP, laddr, raddr);
	uint8_t *t = p + SL_IPV4_HLEN;
	sl_put_be16(t, lport);
	sl_put_be16(t + 2, rport);
	sl_put_be32(t + 4, seq);
	sl_put_be32(t + 8, (flags & SL_TCP_ACK) ? ack : 0);
	t[12] = (uint8_t)(((SL_TCP_HLEN + optlen) / 4) << 4);
	t[13] = flags;
	sl_put_be16(t + 14, win);
	sl_put_be32(t + 16, 0);
	uint8_t *q = t + SL_TCP_HLEN;
	if (optlen > 0)
		memcpy(q, opt, optlen);
	q += optlen;
	if (plen > 0)
		sl_tcp_copy_out(pay, off, q, plen);
	sl_tcp4_set_csum(t, tl - SL_IPV4_HLEN, laddr, raddr);
	st->s.segs_out++;
	st->s.bytes_out += plen;
	if (flags & SL_TCP_RST)
		st->s.rst_out++;
	if (h != NULL)
		(void)st->ops.tx_send(st->env, h, tl);
	else
		(void)st->ops.output(st->env, p, tl);
}

/* Returns the TSval we send now: a millisecond clock plus a per-connection offset. */
uint32_t sl_tcp_ts_now(const struct sl_tcp_conn *c)
{
	return (uint32_t)(c->st->now / 1000) + c->ts_off;
}

/* Returns the bytes (and SYN/FIN) sent and not acknowledged. */
uint32_t sl_tcp_flight(const struct sl_tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

static size_t put_ts(const struct sl_tcp_conn *c, uint8_t *o, bool pad)
{
	size_t n = 0;
	if (pad) {
		o[n++] = SL_TCP_OPT_NOP;
		o[n++] = SL_TCP_OPT_NOP;
	}
	o[n++] = SL_TCP_OPT_TS;
	o[n++] = 10;
	sl_put_be32(o + n, sl_tcp_ts_now(c));
	sl_put_be32(o + n + 4, c->state == SL_TCP_SYN_SENT ? 0 : c->ts_recent);
	return n + 8;
}

/* Builds the options of a segment of @c at @o (40 bytes); returns their length. */
static size_t build_opts(const struct sl_tcp_conn *c, bool syn, bool ack, uint8_t *o)
{
	size_t n = 0;
	if (syn) {
		o[n++] = SL_TCP_OPT_MSS;
		o[n++] = 4;
		sl_put_be16(o + n, c->st->p.mss);
		n += 2;
		if (c->sack_ok && c->ts_ok) {
			o[n++] = SL_TCP_OPT_SACK_PERM;
			o[n++] = 2;
			n += put_ts(c, o + n, false);
		} else if (c->ts_ok) {
			n += put_ts(c, o + n, true);
		} else if (c->sack_ok) {
			o[n++] = SL_TCP_OPT_NOP;
			o[n++] = SL_TCP_OPT_NOP;
			o[n++] = SL_TCP_OPT_SACK_PERM;
			o[n++] = 2;
		}
		if (c->ws_ok) {
			o[n++] = SL_TCP_OPT_NOP;
			o[n++] = SL_TCP_OPT_WSCALE;
			o[n++] = 3;
			o[n++] = c->rcv_scale;
		}
		return n;
	}
	if (c->ts_ok)
		n += put_ts(c, o, true);
	if (ack && c->sack_ok && c->nooo > 0) {
		/* SACK blocks, the most recently changed first (RFC 2018 section 4). */
		unsigned max = c->ts_ok ? 3 : 4, k = 0;
		uint8_t used = 0;
		o[n++] = SL_TCP_OPT_NOP;
		o[n++] = SL_TCP_OPT_NOP;
		o[n++] = SL_TCP_OPT_SACK;
		size_t lenpos = n++;
		while (k < max && k < c->nooo) {
			int best = -1;
			for (int i = 0; i < c->nooo; i++)
				if (!(used & (1u << i)) &&
				    (best < 0 || c->ooo[i].age > c->ooo[best].age))
					best = i;
			used |= (uint8_t)(1u << best);
			sl_put_be32(o + n, c->ooo[best].start);
			sl_put_be32(o + n + 4, c->ooo[best].end);
			n += 8;
			k++;
		}
		o[lenpos] = (uint8_t)(2 + 8 * k);
	}
	return n;
}

/* Returns the window field to send and records the advertised right edge. */
static uint16_t window_field(struct sl_tcp_conn *c, bool syn)
{
	uint32_t space = sl_tcp_rcv_space(c);
	uint32_t w = syn ? space : space >> c->rcv_scale;
	if (w > 65535)
		w = 65535;
	uint32_t edge = c->rcv_nxt + (syn ? w : w << c->rcv_scale);
	if (SEQ_GT(edge, c->rcv_adv))
		c->rcv_adv = edge;
	return (uint16_t)w;
}

/*
 * Sends a segment of @c: sequence @seq, @flags, @len data bytes from offset @off of the send
 * queue (sequence sseq + off). ACK carries rcv_nxt and clears the delayed ACK.
 */
static void seg_out(struct sl_tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t off, uint32_t len)
{
	struct sl_tcp_stack *st = c->st;
	uint8_t opt[40];
	bool syn = (flags & SL_TCP_SYN) != 0;
	size_t optlen = (flags & SL_TCP_RST) ? 0 : build_opts(c, syn, (flags & SL_TCP_ACK) != 0, opt);
	uint16_t win = window_field(c, syn);
	const struct sl_tcp_buf *b = NULL;
	uint32_t boff = 0;
	if (len > 0)
		b = sl_tcp_sq_find(c, c->sseq + off, &boff);
	if (b == NULL)
		len = 0;
	if (flags & SL_TCP_ACK) {
		c->last_ack_sent = c->rcv_nxt;
		c->ack_now = false;
		c->unacked_segs = 0;
		sl_tmr_cancel(&st->wheel, &c->delack);
	}
	emit(st, c->laddr, c->lport, c->raddr, c->rport, seq, c->rcv_nxt, flags, win, opt, optlen,
	     b, boff, len);
}

/* Largest payload of a non-SYN segment of @c (MSS minus the options we always send). */
static uint32_t seg_room(const struct sl_tcp_conn *c)
{
	uint32_t room = c->mss - (c->ts_ok ? 12u : 0u);
	if (c->sack_ok && c->nooo > 0)
		room -= 4 + 8u * (c->nooo < (c->ts_ok ? 3 : 4) ? c->nooo : (c->ts_ok ? 3u : 4u));
	return room;
}

/* Arms the retransmission timer with the current RTO (RFC 6298 5.1 / 5.3). */
void sl_tcp_rtx_arm(struct sl_tcp_conn *c)
{
	c->rtx_mode = SL_RTX_REXMIT;
	sl_tmr_arm(&c->st->wheel, &c->rtx, c->st->now, c->rto);
}

/* Sends (or re-sends) our SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED) and arms the timer. */
void sl_tcp_send_syn(struct sl_tcp_conn *c)
{
	uint8_t flags = c->state == SL_TCP_SYN_SENT ? SL_TCP_SYN : SL_TCP_SYN | SL_TCP_ACK;
	if (c->retries == 0 && !c->rtt_timing) {
		c->rtt_timing = true;
		c->rtt_seq = c->iss;
		c->rtt_start = c->st->now;
	}
	seg_out(c, c->iss, flags, 0, 0);
	c->snd_nxt = c->snd_max = c->iss + 1;
	if (!sl_tmr_armed(&c->rtx))
		sl_tcp_rtx_arm(c);
}

/*
 * Sends a pure ACK now. Its sequence number is snd_max (as BSD does), not snd_nxt: after a
 * go-back-N retransmission snd_nxt may sit below what the peer already received, and an ACK
 * with such a sequence number fails the peer's acceptability test (RFC 9293 3.10.7.4) and is
 * dropped unread. Capped at the peer's right window edge, which a zero-window probe passes.
 */
void sl_tcp_send_ack(struct sl_tcp_conn *c)
{
	uint32_t edge = c->snd_una + c->snd_wnd;
	seg_out(c, SEQ_LEQ(c->snd_max, edge) ? c->snd_max : edge, SL_TCP_ACK, 0, 0);
}

/* Sends RST|ACK for the synchronized connection @c (abort, RFC 9293 3.10.5). */
void sl_tcp_send_rst(struct sl_tcp_conn *c)
{
	seg_out(c, c->snd_max, SL_TCP_RST | SL_TCP_ACK, 0, 0);
}

/*
 * Re-sends data from sequence @seq (at most @maxlen bytes and one segment), with FIN when it
 * reaches a FIN already sent; snd_nxt and snd_max do not move. A retransmission carries only
 * bytes already sent (below snd_max) and, unless it is a zero-window @probe, only bytes inside
 * the peer's window (RFC 5681 3.1).
 */
void sl_tcp_send_seg_at(struct sl_tcp_conn *c, uint32_t seq, uint32_t maxlen, bool probe)
{
	uint32_t off = seq - c->sseq;
	if (SEQ_LT(seq, c->sseq) || off > c->slen || !SEQ_LT(seq, c->snd_max))
		return;
	uint32_t len = c->slen - off;
	uint32_t room = seg_room(c);
	if (len > room)
		len = room;
	if (len > maxlen)
		len = maxlen;
	if (len > c->snd_max - seq)
		len = c->snd_max - seq;
	uint32_t edge = c->snd_una + c->snd_wnd;
	if (!probe && SEQ_GT(seq + len, edge))
		len = SEQ_GT(edge, seq) ? edge - seq : 0;
	uint8_t flags = SL_TCP_ACK;
	uint32_t fin_seq = c->sseq + c->slen;
	if (c->fin_queued && off + len == c->slen && SEQ_GT(c->snd_max, fin_seq))
		flags |= SL_TCP_FIN;
	if (len == 0 && !(flags & SL_TCP_FIN))
		return;
	if (len > 0 && len == c->slen - off)
		flags |= SL_TCP_PSH;
	c->st->s.retransmits++;
	seg_out(c, seq, flags, off, len);
}

/*
 * Sends what the send window (peer's window and cwnd) allows of the queued data and FIN,
 * then a pure ACK if one is due and nothing carried it; keeps the timer in the right mode.
 */
void sl_tcp_output(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (st == NULL)
		return;
	switch (c->state) {
	case SL_TCP_ESTABLISHED:
	case SL_TCP_CLOSE_WAIT:
	case SL_TCP_FIN_WAIT_1:
	case SL_TCP_CLOSING:
	case SL_TCP_LAST_ACK:
		break;
	case SL_TCP_FIN_WAIT_2:
	case SL_TCP_TIME_WAIT:
		if (c->ack_now)
			sl_tcp_send_ack(c);
		return;
	case SL_TCP_SYN_RCVD:
		if (c->ack_now) {
			c->ack_now = false;
			seg_out(c, c->iss, SL_TCP_SYN | SL_TCP_ACK, 0, 0);
		}
		return;
	default:
		return;
	}
	uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
	for (;;) {
		uint32_t off = c->snd_nxt - c->sseq;
		if (off > c->slen)
			break; /* FIN already sent */
		uint32_t avail = c->slen - off;
		int32_t usable = (int32_t)(c->snd_una + wnd - c->snd_nxt);
		uint32_t room = seg_room(c);
		uint32_t len = avail < room ? avail : room;
		if (usable < (int32_t)len)
			len = usable > 0 ? (uint32_t)usable : 0;
		bool fin = c->fin_queued && off + len == c->slen;
		/* Sender SWS avoidance (RFC 9293 3.8.6.2.1): a partial segment only when it
		 * carries the last queued byte or nothing is in flight. */
		if (!fin && len < room && len < avail && c->snd_max != c->snd_una)
			break;
		if (len == 0 && !fin)
			break;
		uint8_t flags = SL_TCP_ACK | (fin ? SL_TCP_FIN : 0) | (len > 0 && len == avail ? SL_TCP_PSH : 0);
		if (SEQ_LT(c->snd_nxt, c->snd_max))
			st->s.retransmits++;
		else if (!c->rtt_timing && !c->ts_ok && len > 0) {
			c->rtt_timing = true; /* time one segment per RTT (RFC 6298 3) */
			c->rtt_seq = c->snd_nxt;
			c->rtt_start = st->now;
		}
		seg_out(c, c->snd_nxt, flags, off, len);
		c->snd_nxt += len + (fin ? 1 : 0);
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		if (fin)
			break;
	}
	if (c->ack_now)
		sl_tcp_send_ack(c);
	/* Timer mode: retransmission while something is in flight, persist while the peer's
	 * window is zero with data waiting, nothing otherwise. */
	uint32_t off = c->snd_nxt - c->sseq;
	bool pending = off <= c->slen && (off < c->slen || c->fin_queued);
	if (c->snd_max != c->snd_una) {
		if (c->rtx_mode != SL_RTX_REXMIT || !sl_tmr_armed(&c->rtx))
			sl_tcp_rtx_arm(c);
	} else if (pending && c->snd_wnd == 0) {
		if (c->rtx_mode != SL_RTX_PERSIST || !sl_tmr_armed(&c->rtx)) {
			c->rtx_mode = SL_RTX_PERSIST;
			sl_tmr_arm(&st->wheel, &c->rtx, st->now, c->rto);
		}
	} else if (c->rtx_mode == SL_RTX_REXMIT || c->rtx_mode == SL_RTX_PERSIST) {
		sl_tmr_cancel(&st->wheel, &c->rtx);
		c->rtx_mode = SL_RTX_NONE;
	}
	if (c->rtx_mode == SL_RTX_NONE && c->keepalive)
		sl_tcp_ka_arm(c);
}

/* Arms the keepalive timer of @c when nothing else uses the connection timer. */
void sl_tcp_ka_arm(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	if (!c->keepalive || c->rtx_mode != SL_RTX_NONE ||
	    (c->state != SL_TCP_ESTABLISHED && c->state != SL_TCP_CLOSE_WAIT &&
	     c->state != SL_TCP_FIN_WAIT_2))
		return;
	uint64_t idle = st->now - c->last_rcv;
	uint64_t wait = idle < st->p.keepalive_idle_us ? st->p.keepalive_idle_us - idle : 0;
	c->rtx_mode = SL_RTX_KEEPALIVE;
	sl_tmr_arm(&st->wheel, &c->rtx, st->now, wait > 0 ? wait : 1);
}

/*
 * Keepalive timer (RFC 9293 3.8.4, RFC 1122 4.2.3.6): after idle time without a segment
 * from the peer, a probe (SEG.SEQ = SND.NXT - 1, no data: the peer must answer with an ACK)
 * every interval; when the probes go unanswered the connection fails.
 */
static void keepalive_timeout(struct sl_tcp_conn *c)
{
	struct sl_tcp_stack *st = c->st;
	c->rtx_mode = SL_RTX_NONE;
	uint64_t idle = st->now - c->last_rcv;
	if (idle < st->p.keepalive_idle_us) { /* something arrived meanwhile */
		sl_tcp_ka_arm(c);
		return;
	}
	if (c->ka_sent >= st->p.keepalive_probes) {
		st->s.keepalive_timeouts++;
		sl_tcp_send_rst(c);
		sl_tcp_conn_fail(c, SL_TCP_ERR_TIMEOUT);
		sl_tcp_dispatch(c);
		return;
	}
	c->ka_sent++;
	st->s.keepalive_probes++;
	seg_out(c, c->snd_una - 1, SL_TCP_ACK, 0, 0);
	c->rtx_mode = SL_RTX_KEEPALIVE;
	sl_tmr_arm(&st->wheel, &c->rtx, st->now, st->p.keepalive_intvl_us);
}

/* Takes an RTT sample in microseconds (RFC 6298 section 2) and recomputes the RTO. */
void sl_tcp_rtt_sample(struct sl_tcp_conn *c, uint32_t r)
{
	const struct sl_tcp_params *p = &c->st->p;
	if (c->srtt == 0) {
		c->srtt = r > 0 ? r : 1;
		c->rttvar = r / 2;
	} else {
		uint32_t d = c->srtt > r ? c->srtt - r : r - c->srtt;
		c->rttvar = (3 * c->rttvar + d) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
		if (c->srtt == 0)
			c->srtt = 1;
	}
	uint64_t rto = (uint64_t)c->srtt + (4 * c->rttvar > 1000 ? 4 * c->rttvar : 1000);
	if (rto < p->rto_min_us)
		rto = p->rto_min_us;
	if (rto > p->rto_max_us)
		rto = p->rto_max_us;
	c->rto = (uint32_t)rto;
}

/* Retransmission / persist / TIME-WAIT / FIN-WAIT-2 timer of a connection. */
void sl_tcp_rtx_timeout(struct sl_tmr *t, void *arg)
{
	struct sl_tcp_conn *c = arg;
	struct sl_tcp_stack *st = c->st;
	(void)t;
	switch (c->rtx_mode) {
	case SL_RTX_TIMEWAIT:
	case SL_RTX_FINWAIT2:
		sl_tcp_conn_done(c);
		return;
	case SL_RTX_PERSIST: {
		/* Zero-window probe: one byte beyond the window (RFC 9293 3.8.6.1); it is then in
		 * flight and the retransmission timer takes over, with back-off. */
		st->s.zwp_sent++;
		uint32_t off = c->snd_nxt - c->sseq;
		if (off < c->slen) {
			seg_out(c, c->snd_nxt, SL_TCP_ACK, off, 1);
			c->snd_nxt++;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
		} else {
			sl_tcp_send_ack(c);
		}
		c->rto = c->rto * 2 > st->p.rto_max_us ? st->p.rto_max_us : c->rto * 2;
		sl_tcp_rtx_arm(c);
		sl_tcp_dispatch(c);
		return;
	}
	case SL_RTX_KEEPALIVE:
		keepalive_timeout(c);
		return;
	case SL_RTX_REXMIT:
		break;
	default:
		return;
	}
	st->s.rto_fires++;
	c->retries++;
	bool syn = c->state == SL_TCP_SYN_SENT || c->state == SL_TCP_SYN_RCVD;
	if (c->retries > (syn ? st->p.syn_retries : st->p.max_retries)) {
		if (!syn)
			sl_tcp_send_rst(c);
		sl_tcp_conn_fail(c, SL_TCP_ERR_TIMEOUT);
		sl_tcp_dispatch(c);
		return;
	}
	/* Back off (RFC 6298 5.5), Karn: no RTT sample from a retransmitted segment (5.7 / 3). */
	c->rto = c->rto * 2 > st->p.rto_max_us ? st->p.rto_max_us : c->rto * 2;
	c->rtt_timing = false;
	if (syn) {
		st->s.retransmits++;
		sl_tcp_send_syn(c);
		sl_tcp_rtx_arm(c);
		return;
	}
	if (c->snd_wnd == 0 && SEQ_LT(c->snd_una, c->sseq + c->slen)) {
		/* Window still closed: probe again with the first unacknowledged byte. */
		st->s.zwp_sent++;
		sl_tcp_send_seg_at(c, c->snd_una, 1, true);
		sl_tcp_rtx_arm(c);
		return;
	}
	/* RFC 5681 (4): ssthresh from the controller (NewReno: max(FlightSize / 2, 2 SMSS)),
	 * cwnd = 1 SMSS; go back to snd_una; RFC 6582 section 3.2 (4): recover = highest
	 * sequence sent. */
	c->ssthresh = c->cc->ssthresh(c, true);
	c->cwnd = c->mss;
	c->recover = c->snd_max;
	c->in_recovery = false;
	c->dupacks = 0;
	c->snd_nxt = c->snd_una;
	sl_tcp_output(c);
	sl_tcp_rtx_arm(c);
	sl_tcp_dispatch(c);
}

/* Delayed ACK timer: the ACK is due now. */
void sl_tcp_delack_timeout(struct sl_tmr *t, void *arg)
{
	struct sl_tcp_conn *c = arg;
	(void)t;
	c->ack_now = true;
	sl_tcp_output(c);
}

/* Sends a RST for a segment that has no connection (RFC 9293 3.10.7.1). */
void sl_tcp_send_reset_reply(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
			     uint32_t raddr, uint16_t rport, uint32_t seq, uint32_t ack,
			     bool with_ack)
{
	emit(st, laddr, lport, raddr, rport, seq, ack, SL_TCP_RST | (with_ack ? SL_TCP_ACK : 0), 0,
	     NULL, 0, NULL, 0, 0);
}

/* Sends the SYN-ACK of a SYN cookie (only MSS: no state remembers other options). */
void sl_tcp_send_cookie_synack(struct sl_tcp_stack *st, uint32_t laddr, uint16_t lport,
			       uint32_t raddr, uint16_t rport, uint32_t iss, uint32_t ack,
			       uint16_t mss)
{
	uint8_t o[4] = {SL_TCP_OPT_MSS, 4, 0, 0};
	sl_put_be16(o + 2, mss);
	uint32_t w = st->p.rcvbuf > 65535 ? 65535 : st->p.rcvbuf;
	emit(st, laddr, lport, raddr, rport, iss, ack, SL_TCP_SYN | SL_TCP_ACK, (uint16_t)w, o, 4,
	     NULL, 0, 0);
}
