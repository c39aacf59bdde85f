/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion controllers behind struct sl_tcp_cc (tcb.h): how the window grows on new ACKs and
 * where ssthresh goes at a loss. Loss detection and recovery (fast retransmit, NewReno partial
 * ACKs, RTO) stay in the stack and are the same for every controller, as in RFC 9438 section
 * 4.9 and Linux's split between tcp_input.c and the congestion modules.
 */
#include <math.h>

#include "dataplane/tcp/tcb.h"

/* Slow start (RFC 5681 section 3.1, (2)): at most one SMSS per ACK. */
static void slow_start(struct sl_tcp_conn *c, uint32_t acked)
{
	c->cwnd += acked < c->mss ? acked : c->mss;
}

/* ---- NewReno (RFC 5681, RFC 6582) ---- */

static void reno_on_ack(struct sl_tcp_conn *c, uint32_t acked)
{
	if (c->cwnd < c->ssthresh) {
		slow_start(c, acked);
		return;
	}
	uint32_t inc = (uint32_t)((uint64_t)c->mss * c->mss / c->cwnd);
	c->cwnd += inc > 0 ? inc : 1; /* congestion avoidance, RFC 5681 (3) */
}

/* RFC 5681 (4): max(FlightSize / 2, 2 SMSS). */
static uint32_t reno_ssthresh(struct sl_tcp_conn *c, bool timeout)
{
	(void)timeout;
	uint32_t flight = sl_tcp_flight(c);
	return flight / 2 > 2u * c->mss ? flight / 2 : 2u * c->mss;
}

const struct sl_tcp_cc sl_tcp_cc_newreno = {"newreno", reno_on_ack, reno_ssthresh};

/* ---- CUBIC (RFC 9438) ---- */

#define CUBIC_BETA 0.7 /* multiplicative decrease, section 4.6 */
#define CUBIC_C	   0.4 /* section 5 */

/*
 * Congestion avoidance: the window follows W_cubic(t) = C (t - K)^3 + W_max (section 4.2), in
 * segments, t in seconds since the epoch began plus one RTT (section 4.4), bounded by 1.5 x
 * cwnd per RTT (4.4), and never below the Reno-friendly estimate W_est (4.3).
 */
static void cubic_on_ack(struct sl_tcp_conn *c, uint32_t acked)
{
	if (c->cwnd < c->ssthresh) {
		slow_start(c, acked);
		return;
	}
	double mss = c->mss, cwnd = (double)c->cwnd / mss;
	uint32_t now_ms = (uint32_t)(c->st->now / 1000);
	if (c->cu_epoch_ms == 0) { /* first ACK of congestion avoidance after a loss */
		c->cu_epoch_ms = now_ms ? now_ms : 1;
		double wmax = (double)c->cu_wmax / mss;
		c->cu_k = wmax > cwnd ? (float)cbrt((wmax - cwnd) / CUBIC_C) : 0.0f;
		c->cu_origin = wmax > cwnd ? c->cu_wmax : c->cwnd;
		c->cu_west = c->cwnd;
	}
	double t = (double)(now_ms - c->cu_epoch_ms) / 1000.0 + (double)c->srtt / 1e6;
	double d = t - c->cu_k;
	double target = (double)c->cu_origin / mss + CUBIC_C * d * d * d;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	/* Reno-friendly region (4.3): alpha = 3 (1 - beta) / (1 + beta) segments per RTT. */
	const double alpha = 3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA);
	c->cu_west += (uint32_t)(alpha * (double)acked * mss / (double)c->cwnd);
	uint32_t grow = 0;
	if (target > cwnd)
		grow = (uint32_t)((target - cwnd) * mss * (double)acked / (double)c->cwnd);
	c->cwnd += grow;
	if (c->cu_west > c->cwnd)
		c->cwnd = c->cu_west;
}

/* Section 4.6 and 4.7 (fast convergence): remember W_max, ssthresh = beta x cwnd. */
static uint32_t cubic_ssthresh(struct sl_tcp_conn *c, bool timeout)
{
	uint32_t cwnd = c->cwnd;
	if (cwnd < c->cu_wmax)
		c->cu_wmax = (uint32_t)((double)cwnd * (1.0 + CUBIC_BETA) / 2.0);
	else
		c->cu_wmax = cwnd;
	c->cu_epoch_ms = 0;
	(void)timeout;
	uint32_t s = (uint32_t)((double)cwnd * CUBIC_BETA);
	return s > 2u * c->mss ? s : 2u * c->mss;
}

const struct sl_tcp_cc sl_tcp_cc_cubic = {"cubic", cubic_on_ack, cubic_ssthresh};
