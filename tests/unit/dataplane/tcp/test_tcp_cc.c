/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The congestion controllers of dataplane/tcp/cc.c on a connection driven by hand: NewReno's
 * slow start, congestion avoidance and ssthresh (RFC 5681); CUBIC's decrease to 0.7 x cwnd,
 * concave return to W_max in about K = cbrt(W_max (1 - beta) / C) seconds, convex probing
 * beyond it, and fast convergence (RFC 9438).
 */
#include <math.h>
#include <string.h>

#include "dataplane/tcp/tcb.h"
#include "tests/unit/sl_test.h"

#define MSS 1000u

static struct sl_tcp_stack st;
static struct sl_tcp_conn c;

static void conn_init(const struct sl_tcp_cc *cc, uint32_t cwnd, uint32_t ssthresh)
{
	memset(&st, 0, sizeof(st));
	memset(&c, 0, sizeof(c));
	st.now = 1000000;
	c.st = &st;
	c.cc = cc;
	c.mss = MSS;
	c.cwnd = cwnd;
	c.ssthresh = ssthresh;
	c.srtt = 100000; /* 100 ms */
}

/* One RTT of ACKs, one per MSS of the window, then the clock moves by the RTT. */
static void one_rtt(void)
{
	uint32_t acks = c.cwnd / MSS;
	for (uint32_t i = 0; i < acks; i++)
		c.cc->on_ack(&c, MSS);
	st.now += c.srtt;
}

static void test_newreno(void)
{
	conn_init(&sl_tcp_cc_newreno, 10 * MSS, 20 * MSS);
	c.cc->on_ack(&c, 3 * MSS);
	CU_ASSERT_EQUAL(c.cwnd, 11 * MSS); /* slow start: one SMSS per ACK at most */
	c.cc->on_ack(&c, 500);
	CU_ASSERT_EQUAL(c.cwnd, 11 * MSS + 500);
	conn_init(&sl_tcp_cc_newreno, 40 * MSS, 20 * MSS);
	one_rtt();
	CU_ASSERT(c.cwnd >= 41 * MSS - 40 && c.cwnd <= 41 * MSS + 40); /* +1 SMSS per RTT */
	c.snd_una = 1000;
	c.snd_max = 1000 + 30 * MSS;
	CU_ASSERT_EQUAL(c.cc->ssthresh(&c, false), 15 * MSS); /* FlightSize / 2 */
	c.snd_max = 1000 + 3 * MSS;
	CU_ASSERT_EQUAL(c.cc->ssthresh(&c, true), 2 * MSS); /* at least 2 SMSS */
}

static void test_cubic_curve(void)
{
	conn_init(&sl_tcp_cc_cubic, 100 * MSS, UINT32_MAX);
	uint32_t s = c.cc->ssthresh(&c, false);
	CU_ASSERT_EQUAL(s, 70 * MSS);
	CU_ASSERT_EQUAL(c.cu_wmax, 100 * MSS);
	c.ssthresh = s;
	c.cwnd = s;
	double k = cbrt(100.0 * 0.3 / 0.4); /* 4.22 s */
	uint64_t start = st.now;
	uint32_t at_half = 0;
	while (st.now - start < (uint64_t)(k * 1e6)) {
		one_rtt();
		if (at_half == 0 && st.now - start >= (uint64_t)(k * 0.5e6))
			at_half = c.cwnd;
	}
	/* Concave: well above the decrease, still below W_max halfway; W_max again near K. */
	CU_ASSERT(at_half > 85 * MSS && at_half < 100 * MSS);
	CU_ASSERT(c.cwnd >= 95 * MSS && c.cwnd <= 105 * MSS);
	/* Convex beyond W_max: after 2 K it has grown well past it. */
	while (st.now - start < (uint64_t)(2 * k * 1e6))
		one_rtt();
	CU_ASSERT(c.cwnd > 120 * MSS);
	/* Fast convergence: a loss below the previous W_max lowers W_max further. */
	c.cwnd = 90 * MSS;
	c.cu_wmax = 100 * MSS;
	c.cc->ssthresh(&c, false);
	CU_ASSERT_EQUAL(c.cu_wmax, 76500);
}

static void test_cubic_reno_friendly(void)
{
	/* A tiny W_max and a long RTT: the Reno-friendly estimate leads, cwnd never lags it. */
	conn_init(&sl_tcp_cc_cubic, 10 * MSS, UINT32_MAX);
	c.srtt = 1000000;
	c.ssthresh = c.cc->ssthresh(&c, false);
	c.cwnd = c.ssthresh;
	uint32_t before = c.cwnd;
	for (int i = 0; i < 10; i++)
		one_rtt();
	CU_ASSERT(c.cwnd >= before + 4 * MSS); /* about 0.53 SMSS per RTT at least */
}

static const struct sl_test_case cases[] = {{"newreno", test_newreno},
					    {"cubic_curve", test_cubic_curve},
					    {"cubic_reno_friendly", test_cubic_reno_friendly},
					    {NULL, NULL}};
static const struct sl_test_suite suites[] = {{"tcp_cc", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}
