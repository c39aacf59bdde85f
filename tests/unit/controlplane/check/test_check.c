/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for controlplane/check/check.c: HAProxy's health-check logic on a virtual clock. */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "controlplane/cfg/cfg-t.h"
#include "controlplane/check/check.h"
#include "tests/unit/sl_test.h"

#define EV_DOWN (SL_CHK_EV_CHANGED | SL_CHK_EV_DOWN)
#define EV_UP (SL_CHK_EV_CHANGED | SL_CHK_EV_UP)

static struct sl_srv_params params(int inter, int fastinter, int downinter, int rise, int fall)
{
	struct sl_srv_params p;
	memset(&p, 0, sizeof(p));
	p.check = true;
	p.inter = inter;
	p.fastinter = fastinter;
	p.downinter = downinter;
	p.rise = rise;
	p.fall = fall;
	p.weight = 1;
	return p;
}

static const char *st(const struct sl_check_srv *s)
{
	static char buf[64];
	return sl_check_srv_status_text(s, buf, sizeof(buf));
}

static const char *cst(const struct sl_check_srv *s)
{
	static char buf[64];
	return sl_check_srv_check_status(s, buf, sizeof(buf));
}

/* Runs the check of s if due at t and reports status st at t + dur; returns the events. */
static unsigned probe(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t t,
		      enum sl_check_status status, uint64_t dur)
{
	struct sl_check_srv *out[4];
	CU_ASSERT_EQUAL_FATAL(sl_check_due(sc, t, out, 4), 1);
	CU_ASSERT_PTR_EQUAL(out[0], s);
	CU_ASSERT_TRUE(s->in_progress);
	return sl_check_report(sc, s, t + dur, status, 0, NULL);
}

/* ---------------------------------------------------------------- status codes */

static void test_status_codes(void)
{
	static const struct {
		enum sl_check_status st;
		const char *name, *desc;
		enum sl_check_res res;
		bool code;
	} t[] = {
		{SL_CHK_UNK, "UNK", "Unknown", SL_CHK_RES_UNKNOWN, false},
		{SL_CHK_INI, "INI", "Initializing", SL_CHK_RES_UNKNOWN, false},
		{SL_CHK_SOCKERR, "SOCKERR", "Socket error", SL_CHK_RES_FAILED, false},
		{SL_CHK_L4OK, "L4OK", "Layer4 check passed", SL_CHK_RES_PASSED, false},
		{SL_CHK_L4TOUT, "L4TOUT", "Layer4 timeout", SL_CHK_RES_FAILED, false},
		{SL_CHK_L4CON, "L4CON", "Layer4 connection problem", SL_CHK_RES_FAILED, false},
		{SL_CHK_L6OK, "L6OK", "Layer6 check passed", SL_CHK_RES_PASSED, false},
		{SL_CHK_L6TOUT, "L6TOUT", "Layer6 timeout", SL_CHK_RES_FAILED, false},
		{SL_CHK_L6RSP, "L6RSP", "Layer6 invalid response", SL_CHK_RES_FAILED, false},
		{SL_CHK_L7TOUT, "L7TOUT", "Layer7 timeout", SL_CHK_RES_FAILED, false},
		{SL_CHK_L7RSP, "L7RSP", "Layer7 invalid response", SL_CHK_RES_FAILED, false},
		{SL_CHK_L7OK, "L7OK", "Layer7 check passed", SL_CHK_RES_PASSED, true},
		{SL_CHK_L7OKC, "L7OKC", "Layer7 check conditionally passed", SL_CHK_RES_CONDPASS, true},
		{SL_CHK_L7STS, "L7STS", "Layer7 wrong status", SL_CHK_RES_FAILED, true},
	};
	CU_ASSERT_EQUAL(sizeof(t) / sizeof(t[0]), SL_CHK_NSTATUS);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_STRING_EQUAL(sl_check_status_str(t[i].st), t[i].name);
		CU_ASSERT_STRING_EQUAL(sl_check_status_desc(t[i].st), t[i].desc);
		CU_ASSERT_EQUAL(sl_check_status_result(t[i].st), t[i].res);
		CU_ASSERT_EQUAL(sl_check_status_has_code(t[i].st), t[i].code);
	}
	CU_ASSERT_STRING_EQUAL(sl_check_status_str((enum sl_check_status)99), "UNK");
	CU_ASSERT_STRING_EQUAL(sl_check_status_desc((enum sl_check_status)99), "Unknown");
}

/* ---------------------------------------------------------------- initial states */

static void test_init_states(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	struct sl_check_srv s;
	sl_check_srv_init(&s, &p, 5000);
	CU_ASSERT_EQUAL(s.op, SL_CHK_OP_UP);
	CU_ASSERT_EQUAL(s.health, 2);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP 1/3"); /* health rise < rise+fall-1 */
	CU_ASSERT_STRING_EQUAL(cst(&s), "INI");
	CU_ASSERT_EQUAL(sl_check_srv_lastchg(&s, 12000), 7);
	CU_ASSERT_EQUAL(sl_check_srv_downtime(&s, 12000), 0);
	CU_ASSERT_TRUE(sl_check_srv_usable(&s));

	p.fall = 1; /* full health = rise: plain UP from the start */
	sl_check_srv_init(&s, &p, 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP");

	p = params(2000, 0, 0, 2, 3);
	p.check = false;
	sl_check_srv_init(&s, &p, 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "no check");
	CU_ASSERT_STRING_EQUAL(cst(&s), "");
	CU_ASSERT_EQUAL(sl_check_report(NULL, &s, 10, SL_CHK_L4CON, 0, NULL), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "no check");

	p = params(2000, 0, 0, 2, 3);
	p.disabled = true;
	sl_check_srv_init(&s, &p, 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "MAINT");
	CU_ASSERT_STRING_EQUAL(cst(&s), "");
	CU_ASSERT_EQUAL(s.health, 0);
	CU_ASSERT_FALSE(sl_check_srv_usable(&s));
	CU_ASSERT_EQUAL(sl_check_srv_downtime(&s, 9000), 9);
}

/* ---------------------------------------------------------------- rise/fall and intervals */

static void test_rise_fall_intervals(void)
{
	struct sl_srv_params p = params(2000, 500, 10000, 2, 3);
	struct sl_check_srv s, *ps = &s, *out[2];
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	CU_ASSERT_EQUAL(sl_check_sched_start(&sc, &ps, 1, 0), 0);
	CU_ASSERT_EQUAL(s.next_ms, 0);
	CU_ASSERT_EQUAL(sl_check_srv_interval(&s), 500); /* health rise: a transition */

	/* first check passes: full health, plain UP, ev 0 (it was UP already) */
	CU_ASSERT_EQUAL(probe(&sc, &s, 0, SL_CHK_L4OK, 10), 0);
	CU_ASSERT_EQUAL(s.health, 4);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP");
	CU_ASSERT_STRING_EQUAL(cst(&s), "L4OK");
	CU_ASSERT_EQUAL(s.duration_ms, 10);
	CU_ASSERT_EQUAL(s.next_ms, 2010); /* completion + inter */
	CU_ASSERT_EQUAL(sl_check_next_ms(&sc), 2010);
	CU_ASSERT_EQUAL(sl_check_due(&sc, 2009, out, 2), 0);

	/* three failures: UP 2/3, UP 1/3 at fastinter, then DOWN */
	CU_ASSERT_EQUAL(probe(&sc, &s, 2010, SL_CHK_L4CON, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP 2/3");
	CU_ASSERT_EQUAL(s.chkfail, 1);
	CU_ASSERT_EQUAL(s.next_ms, 2510);
	CU_ASSERT_EQUAL(probe(&sc, &s, 2510, SL_CHK_L4TOUT, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP 1/3");
	CU_ASSERT_EQUAL(s.next_ms, 3010);
	CU_ASSERT_EQUAL(s.chkdown, 0);
	CU_ASSERT_EQUAL(probe(&sc, &s, 3010, SL_CHK_SOCKERR, 0), EV_DOWN);
	CU_ASSERT_STRING_EQUAL(st(&s), "DOWN");
	CU_ASSERT_EQUAL(s.chkfail, 3);
	CU_ASSERT_EQUAL(s.chkdown, 1);
	CU_ASSERT_EQUAL(s.last_change_s, 3);
	CU_ASSERT_EQUAL(s.next_ms, 13010); /* downinter */

	/* failures while DOWN (health 0) are not counted again, as HAProxy */
	CU_ASSERT_EQUAL(probe(&sc, &s, 13010, SL_CHK_L4CON, 0), 0);
	CU_ASSERT_EQUAL(s.chkfail, 3);
	CU_ASSERT_EQUAL(s.next_ms, 23010);

	/* two successes: DOWN 1/2 at fastinter, then UP */
	CU_ASSERT_EQUAL(probe(&sc, &s, 23010, SL_CHK_L4OK, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "DOWN 1/2");
	CU_ASSERT_EQUAL(s.next_ms, 23510);
	CU_ASSERT_EQUAL(sl_check_srv_downtime(&s, 23510), 20);
	CU_ASSERT_EQUAL(probe(&sc, &s, 23510, SL_CHK_L4OK, 0), EV_UP);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP");
	CU_ASSERT_EQUAL(s.next_ms, 25510);
	CU_ASSERT_EQUAL(sl_check_srv_downtime(&s, 90000), 20);
	CU_ASSERT_EQUAL(sl_check_srv_lastchg(&s, 30000), 7);

	/* a failure then a success: back to full health without a state change */
	CU_ASSERT_EQUAL(probe(&sc, &s, 25510, SL_CHK_L4CON, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP 2/3");
	CU_ASSERT_EQUAL(probe(&sc, &s, 26010, SL_CHK_L4OK, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP");
	CU_ASSERT_EQUAL(s.next_ms, 28010);
	sl_check_sched_free(&sc);
}

static void test_intervals_default_to_inter(void)
{
	struct sl_srv_params p = params(3000, 0, 0, 3, 2);
	struct sl_check_srv s, *ps = &s;
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 100);
	CU_ASSERT_EQUAL(probe(&sc, &s, 100, SL_CHK_L7STS, 0), EV_DOWN); /* health 3 -> 2 < rise */
	CU_ASSERT_EQUAL(s.next_ms, 3100);
	CU_ASSERT_EQUAL(probe(&sc, &s, 3100, SL_CHK_L7OK, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "DOWN 1/3");
	CU_ASSERT_EQUAL(probe(&sc, &s, 6100, SL_CHK_L7OK, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "DOWN 2/3");
	CU_ASSERT_EQUAL(probe(&sc, &s, 9100, SL_CHK_L7OK, 0), EV_UP);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP");
	CU_ASSERT_EQUAL(s.health, 4);
	CU_ASSERT_EQUAL(probe(&sc, &s, 12100, SL_CHK_L6RSP, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP 1/2");
	CU_ASSERT_EQUAL(probe(&sc, &s, 15100, SL_CHK_L6TOUT, 0), EV_DOWN);
	sl_check_sched_free(&sc);
}

static void test_startup_single_failure(void)
{
	/* HAProxy starts a checked server at health = rise: the first failure takes it down */
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	p.shutdown_on_down = true;
	struct sl_check_srv s, *ps = &s;
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 0);
	CU_ASSERT_EQUAL(probe(&sc, &s, 0, SL_CHK_L4TOUT, 2000), EV_DOWN | SL_CHK_EV_SHUTDOWN);
	CU_ASSERT_STRING_EQUAL(st(&s), "DOWN");
	CU_ASSERT_EQUAL(s.chkfail, 1);
	CU_ASSERT_EQUAL(s.chkdown, 1);
	CU_ASSERT_EQUAL(s.duration_ms, 2000);
	CU_ASSERT_EQUAL(s.next_ms, 4000);
	sl_check_sched_free(&sc);
}

static void test_in_progress_and_code(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	struct sl_check_srv s, *ps = &s, *out[1];
	struct sl_check_sched sc;
	struct sl_httpchk chk;
	memset(&chk, 0, sizeof(chk));
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 0);
	sl_check_report(&sc, &s, 0, SL_CHK_L4OK, 0, NULL);
	CU_ASSERT_EQUAL(sl_check_due(&sc, 2000, out, 1), 1);
	CU_ASSERT_STRING_EQUAL(cst(&s), "* L4OK");
	CU_ASSERT_EQUAL(sl_check_due(&sc, 5000, out, 1), 0); /* in progress: out of the heap */
	CU_ASSERT_EQUAL(sl_check_report_http(&sc, &s, 2003, &chk, 503, "Service Unavailable", NULL,
					     0),
			0);
	CU_ASSERT_STRING_EQUAL(cst(&s), "L7STS");
	CU_ASSERT_EQUAL(s.code, 503);
	CU_ASSERT_TRUE(sl_check_status_has_code(s.status));
	CU_ASSERT_STRING_EQUAL(s.info, "Service Unavailable");
	CU_ASSERT_EQUAL(s.duration_ms, 3);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP 2/3");
	sl_check_sched_free(&sc);
}

/* A result lost between lcores: the check is given up, nothing judged, the server due again. */
static void test_lost_result(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	struct sl_check_srv s, *ps = &s, *out[1];
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 0);
	sl_check_report(&sc, &s, 0, SL_CHK_L4OK, 0, NULL);
	CU_ASSERT_FALSE(sl_check_lost(&sc, &s, 100)); /* not in progress: nothing to give up */
	CU_ASSERT_EQUAL(sl_check_due(&sc, 2000, out, 1), 1);
	CU_ASSERT_EQUAL(sl_check_due(&sc, 9000, out, 1), 0); /* the result never comes */
	uint64_t chkfail = s.chkfail;
	char before[64];
	snprintf(before, sizeof(before), "%s", st(&s));
	CU_ASSERT_TRUE(sl_check_lost(&sc, &s, 9000));
	CU_ASSERT_FALSE(s.in_progress);
	CU_ASSERT_STRING_EQUAL(st(&s), before); /* no verdict: state and health unchanged */
	CU_ASSERT_STRING_EQUAL(cst(&s), "L4OK");
	CU_ASSERT_EQUAL(s.chkfail, chkfail);
	CU_ASSERT_EQUAL(sl_check_due(&sc, 10999, out, 1), 0); /* next one at now + inter */
	CU_ASSERT_EQUAL(sl_check_due(&sc, 11000, out, 1), 1);
	CU_ASSERT_PTR_EQUAL(out[0], &s);
	CU_ASSERT_FALSE(sl_check_lost(&sc, &s, 11000) && s.in_progress);
	sl_check_sched_free(&sc);
}

/* ---------------------------------------------------------------- admin states */

static void test_maint(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	p.shutdown_on_down = true;
	struct sl_check_srv s, *ps = &s, *out[1];
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 0);
	sl_check_report(&sc, &s, 0, SL_CHK_L4OK, 0, NULL); /* next at 2000 */

	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_MAINT, 1500),
			EV_DOWN | SL_CHK_EV_SHUTDOWN);
	CU_ASSERT_STRING_EQUAL(st(&s), "MAINT");
	CU_ASSERT_STRING_EQUAL(cst(&s), "");
	CU_ASSERT_EQUAL(s.chkdown, 1);
	CU_ASSERT_EQUAL(s.health, 0);
	CU_ASSERT_FALSE(sl_check_srv_usable(&s));
	CU_ASSERT_FALSE(sl_check_srv_accepts_persistent(&s));
	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_MAINT, 1600), 0); /* no-op */

	/* no checks in maintenance: the timer stays on the inter grid */
	CU_ASSERT_EQUAL(sl_check_due(&sc, 2000, out, 1), 0);
	CU_ASSERT_EQUAL(s.next_ms, 4000);
	CU_ASSERT_EQUAL(sl_check_due(&sc, 9000, out, 1), 0);
	CU_ASSERT_EQUAL(s.next_ms, 10000);

	/* leaving maintenance: UP with health = rise, checked at the next tick */
	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_READY, 9500), EV_UP);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP 1/3");
	CU_ASSERT_STRING_EQUAL(cst(&s), "L4OK");
	CU_ASSERT_EQUAL(sl_check_srv_downtime(&s, 20000), 8); /* 1 s .. 9 s */
	CU_ASSERT_EQUAL(sl_check_due(&sc, 9999, out, 1), 0);
	CU_ASSERT_EQUAL(probe(&sc, &s, 10000, SL_CHK_L4CON, 0), EV_DOWN | SL_CHK_EV_SHUTDOWN);
	CU_ASSERT_EQUAL(s.chkdown, 2);

	/* entering MAINT when already DOWN: no new transition */
	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_MAINT, 11000), SL_CHK_EV_CHANGED);
	CU_ASSERT_EQUAL(s.chkdown, 2);

	/* a result arriving in MAINT (check started before) is recorded, changes nothing */
	sl_check_set_admin(&sc, &s, SL_CHK_SET_READY, 11000);
	CU_ASSERT_EQUAL(sl_check_due(&sc, 12000, out, 1), 1);
	sl_check_set_admin(&sc, &s, SL_CHK_SET_MAINT, 12001);
	CU_ASSERT_EQUAL(sl_check_report(&sc, &s, 12002, SL_CHK_L4CON, 0, NULL), 0);
	CU_ASSERT_EQUAL(s.health, 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "MAINT");
	CU_ASSERT_FALSE(s.in_progress);
	sl_check_sched_free(&sc);
}

static void test_drain(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	struct sl_check_srv s, *ps = &s;
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 0);
	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_DRAIN, 0), SL_CHK_EV_CHANGED);
	CU_ASSERT_STRING_EQUAL(st(&s), "DRAIN 1/3");
	CU_ASSERT_EQUAL(probe(&sc, &s, 0, SL_CHK_L4OK, 0), 0); /* checks go on in DRAIN */
	CU_ASSERT_STRING_EQUAL(st(&s), "DRAIN");
	CU_ASSERT_FALSE(sl_check_srv_usable(&s));
	CU_ASSERT_TRUE(sl_check_srv_accepts_persistent(&s));
	CU_ASSERT_EQUAL(probe(&sc, &s, 2000, SL_CHK_L4CON, 0), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "DRAIN 2/3");
	probe(&sc, &s, 4000, SL_CHK_L4CON, 0);
	CU_ASSERT_EQUAL(probe(&sc, &s, 6000, SL_CHK_L4CON, 0), EV_DOWN);
	CU_ASSERT_STRING_EQUAL(st(&s), "DOWN"); /* a stopped server shows DOWN, drained or not */
	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_READY, 7000), SL_CHK_EV_CHANGED);
	CU_ASSERT_STRING_EQUAL(st(&s), "DOWN");
	probe(&sc, &s, 16000, SL_CHK_L4OK, 0);
	CU_ASSERT_EQUAL(probe(&sc, &s, 18000, SL_CHK_L4OK, 0), EV_UP);
	CU_ASSERT_TRUE(sl_check_srv_usable(&s));

	/* maint -> drain: leaves maintenance (UP 1/3) into drain */
	sl_check_set_admin(&sc, &s, SL_CHK_SET_MAINT, 20000);
	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_DRAIN, 21000), EV_UP);
	CU_ASSERT_STRING_EQUAL(st(&s), "DRAIN 1/3");
	/* drain -> maint: MAINT wins, the drain flag goes */
	CU_ASSERT_EQUAL(sl_check_set_admin(&sc, &s, SL_CHK_SET_MAINT, 22000), EV_DOWN);
	CU_ASSERT_EQUAL(s.admin, SL_CHK_ADM_MAINT);

	/* an unchecked server */
	p.check = false;
	sl_check_srv_init(&s, &p, 0);
	sl_check_set_admin(NULL, &s, SL_CHK_SET_DRAIN, 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "DRAIN");
	sl_check_set_admin(NULL, &s, SL_CHK_SET_MAINT, 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "MAINT");
	CU_ASSERT_EQUAL(sl_check_set_admin(NULL, &s, SL_CHK_SET_READY, 0), EV_UP);
	CU_ASSERT_STRING_EQUAL(st(&s), "no check");
	sl_check_sched_free(&sc);
}

static void test_nolb_disable_on_404(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	struct sl_check_srv s, *ps = &s;
	struct sl_check_sched sc;
	struct sl_httpchk chk;
	memset(&chk, 0, sizeof(chk));
	chk.on = true;
	chk.disable_on_404 = true;
	sl_check_sched_init(&sc, 0, 0, 1);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 0);
	struct sl_check_srv *out[1];
	CU_ASSERT_EQUAL(sl_check_due(&sc, 0, out, 1), 1);
	CU_ASSERT_EQUAL(sl_check_report_http(&sc, &s, 0, &chk, 404, "Not Found", NULL, 0),
			SL_CHK_EV_CHANGED | SL_CHK_EV_NOLB);
	CU_ASSERT_EQUAL(s.status, SL_CHK_L7OKC);
	CU_ASSERT_STRING_EQUAL(st(&s), "NOLB");
	CU_ASSERT_FALSE(sl_check_srv_usable(&s));
	CU_ASSERT_TRUE(sl_check_srv_accepts_persistent(&s));
	CU_ASSERT_EQUAL(sl_check_due(&sc, 2000, out, 1), 1);
	CU_ASSERT_EQUAL(sl_check_report(&sc, &s, 2000, SL_CHK_L7TOUT, 0, NULL), 0);
	CU_ASSERT_STRING_EQUAL(st(&s), "NOLB 2/3");
	CU_ASSERT_EQUAL(sl_check_due(&sc, 4000, out, 1), 1);
	CU_ASSERT_EQUAL(sl_check_report_http(&sc, &s, 4000, &chk, 200, "OK", NULL, 0), EV_UP);
	CU_ASSERT_STRING_EQUAL(st(&s), "UP");

	/* a DOWN server's 404 is a failure (L7STS), not L7OKC */
	s.op = SL_CHK_OP_DOWN;
	s.health = 0;
	char info[64];
	CU_ASSERT_EQUAL(sl_check_http_eval(&chk, true, 404, "Not Found", NULL, 0, info, sizeof(info)),
			SL_CHK_L7STS);
	CU_ASSERT_EQUAL(sl_check_http_eval(&chk, false, 404, "Not Found", NULL, 0, info, sizeof(info)),
			SL_CHK_L7OKC);
	CU_ASSERT_STRING_EQUAL(info, "Not Found");
	sl_check_sched_free(&sc);
}

static void test_shutdown_backups_on_up(void)
{
	struct sl_srv_params p = params(1000, 0, 0, 1, 1);
	p.shutdown_backup_on_up = true;
	struct sl_check_srv s;
	sl_check_srv_init(&s, &p, 0);
	CU_ASSERT_EQUAL(sl_check_report(NULL, &s, 0, SL_CHK_L4CON, 0, NULL), EV_DOWN);
	CU_ASSERT_EQUAL(sl_check_report(NULL, &s, 1000, SL_CHK_L4OK, 0, NULL),
			EV_UP | SL_CHK_EV_SHUTDOWN_BACKUPS);
	p.backup = true; /* only active servers shut backups down */
	sl_check_srv_init(&s, &p, 0);
	sl_check_report(NULL, &s, 0, SL_CHK_L4CON, 0, NULL);
	CU_ASSERT_EQUAL(sl_check_report(NULL, &s, 1000, SL_CHK_L4OK, 0, NULL), EV_UP);
}

/* ---------------------------------------------------------------- HTTP expect */

static void *rx(const char *pat)
{
	int err;
	PCRE2_SIZE off;
	return pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
}

static enum sl_check_status ev(const struct sl_httpchk *c, int code, const char *body, char *info)
{
	return sl_check_http_eval(c, false, code, "R", body, body ? strlen(body) : 0, info, 96);
}

static void test_status_list(void)
{
	CU_ASSERT_EQUAL(sl_check_status_list_match("200", 200), 1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200", 201), 0);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200-399", 302), 1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200-399", 399), 1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200-399", 404), 0);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200,302,400-404", 302), 1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200,302,400-404", 403), 1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200,302,400-404", 301), 0);
	CU_ASSERT_EQUAL(sl_check_status_list_match("", 200), -1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("200,", 200), -1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("300-200", 250), -1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("2000", 200), -1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("20a", 200), -1);
	CU_ASSERT_EQUAL(sl_check_status_list_match("-200", 200), -1);
}

static void test_expect(void)
{
	struct sl_httpchk c;
	char info[96];
	memset(&c, 0, sizeof(c));

	/* default: 2xx/3xx L7OK, else L7STS; detail = reason phrase */
	CU_ASSERT_EQUAL(ev(&c, 200, NULL, info), SL_CHK_L7OK);
	CU_ASSERT_STRING_EQUAL(info, "R");
	CU_ASSERT_EQUAL(ev(&c, 302, NULL, info), SL_CHK_L7OK);
	CU_ASSERT_EQUAL(ev(&c, 404, NULL, info), SL_CHK_L7STS); /* no disable-on-404 */
	CU_ASSERT_EQUAL(ev(&c, 500, NULL, info), SL_CHK_L7STS);
	CU_ASSERT_EQUAL(ev(&c, 101, NULL, info), SL_CHK_L7STS);
	CU_ASSERT_EQUAL(ev(&c, 0, NULL, info), SL_CHK_L7RSP);
	CU_ASSERT_EQUAL(ev(NULL, 204, NULL, info), SL_CHK_L7OK);

	/* status */
	c.expect = SL_EXPECT_STATUS;
	c.expect_pat = "200";
	CU_ASSERT_EQUAL(ev(&c, 200, NULL, info), SL_CHK_L7OK);
	CU_ASSERT_STRING_EQUAL(info, "HTTP status check returned code <200>");
	CU_ASSERT_EQUAL(ev(&c, 301, NULL, info), SL_CHK_L7STS);
	CU_ASSERT_STRING_EQUAL(info, "HTTP status check returned code <301>");
	c.expect_pat = "200-399";
	CU_ASSERT_EQUAL(ev(&c, 301, NULL, info), SL_CHK_L7OK);
	CU_ASSERT_EQUAL(ev(&c, 400, NULL, info), SL_CHK_L7STS);
	c.expect_pat = "200,204,500-503";
	CU_ASSERT_EQUAL(ev(&c, 502, NULL, info), SL_CHK_L7OK);
	CU_ASSERT_EQUAL(ev(&c, 201, NULL, info), SL_CHK_L7STS);
	c.expect_neg = true; /* "! status 200,204,500-503" */
	CU_ASSERT_EQUAL(ev(&c, 502, NULL, info), SL_CHK_L7STS);
	CU_ASSERT_EQUAL(ev(&c, 201, NULL, info), SL_CHK_L7OK);

	/* rstatus */
	c.expect = SL_EXPECT_RSTATUS;
	c.expect_neg = false;
	c.expect_pat = "^(2|3)0";
	c.expect_re = rx(c.expect_pat);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.expect_re);
	CU_ASSERT_EQUAL(ev(&c, 204, NULL, info), SL_CHK_L7OK);
	CU_ASSERT_EQUAL(ev(&c, 310, NULL, info), SL_CHK_L7STS);
	CU_ASSERT_STRING_EQUAL(info, "HTTP status check returned code <310>");
	c.expect_neg = true;
	CU_ASSERT_EQUAL(ev(&c, 204, NULL, info), SL_CHK_L7STS);
	CU_ASSERT_EQUAL(ev(&c, 500, NULL, info), SL_CHK_L7OK);
	pcre2_code_free(c.expect_re);

	/* string: the body, whatever the status */
	c.expect = SL_EXPECT_STRING;
	c.expect_neg = false;
	c.expect_re = NULL;
	c.expect_pat = "ready";
	CU_ASSERT_EQUAL(ev(&c, 500, "status: ready\n", info), SL_CHK_L7OK);
	CU_ASSERT_STRING_EQUAL(info, "HTTP content check matched");
	CU_ASSERT_EQUAL(ev(&c, 200, "status: starting\n", info), SL_CHK_L7RSP);
	CU_ASSERT_STRING_EQUAL(info, "HTTP content check did not match");
	CU_ASSERT_EQUAL(ev(&c, 200, NULL, info), SL_CHK_L7RSP);
	/* binary-safe: a NUL before the pattern */
	static const char bin[] = {'x', '\0', 'r', 'e', 'a', 'd', 'y'};
	CU_ASSERT_EQUAL(sl_check_http_eval(&c, false, 200, NULL, bin, sizeof(bin), info, 96),
			SL_CHK_L7OK);
	c.expect_neg = true; /* "! string maintenance" */
	c.expect_pat = "maintenance";
	CU_ASSERT_EQUAL(ev(&c, 200, "in maintenance", info), SL_CHK_L7RSP);
	CU_ASSERT_STRING_EQUAL(info, "HTTP check matched unwanted content");
	CU_ASSERT_EQUAL(ev(&c, 200, "all good", info), SL_CHK_L7OK);
	CU_ASSERT_STRING_EQUAL(info, "HTTP check did not match unwanted content");

	/* rstring */
	c.expect = SL_EXPECT_RSTRING;
	c.expect_neg = false;
	c.expect_pat = "\"status\" *: *\"(UP|ok)\"";
	c.expect_re = rx(c.expect_pat);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.expect_re);
	CU_ASSERT_EQUAL(ev(&c, 200, "{\"status\": \"UP\"}", info), SL_CHK_L7OK);
	CU_ASSERT_EQUAL(ev(&c, 200, "{\"status\": \"DOWN\"}", info), SL_CHK_L7RSP);
	CU_ASSERT_EQUAL(ev(&c, 200, "", info), SL_CHK_L7RSP);
	c.expect_neg = true;
	CU_ASSERT_EQUAL(ev(&c, 200, "{\"status\": \"UP\"}", info), SL_CHK_L7RSP);
	CU_ASSERT_EQUAL(ev(&c, 200, "{\"status\": \"DOWN\"}", info), SL_CHK_L7OK);
	pcre2_code_free(c.expect_re);

	/* disable-on-404 comes before expect */
	c.expect = SL_EXPECT_STATUS;
	c.expect_neg = false;
	c.expect_re = NULL;
	c.expect_pat = "200";
	c.disable_on_404 = true;
	CU_ASSERT_EQUAL(ev(&c, 404, NULL, info), SL_CHK_L7OKC);
	CU_ASSERT_EQUAL(sl_check_http_eval(&c, false, 200, NULL, NULL, 0, NULL, 0), SL_CHK_L7OK);
}

/* ---------------------------------------------------------------- scheduling */

static void test_spread_first_checks(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 1); /* fall 1: full health, inter */
	struct sl_check_srv s[5], *ps[6];
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	for (int i = 0; i < 5; i++) {
		sl_check_srv_init(&s[i], &p, 0);
		ps[i] = &s[i];
	}
	ps[5] = NULL;
	s[2].check = false; /* not counted, not scheduled */
	CU_ASSERT_EQUAL(sl_check_sched_start(&sc, ps, 6, 1000), 0);
	CU_ASSERT_EQUAL(s[0].next_ms, 1000);
	CU_ASSERT_EQUAL(s[1].next_ms, 1500);
	CU_ASSERT_EQUAL(s[3].next_ms, 2000);
	CU_ASSERT_EQUAL(s[4].next_ms, 2500);
	CU_ASSERT_EQUAL(s[2].heap_idx, SIZE_MAX);
	struct sl_check_srv *out[8];
	CU_ASSERT_EQUAL(sl_check_due(&sc, 1999, out, 8), 2);
	CU_ASSERT_PTR_EQUAL(out[0], &s[0]);
	CU_ASSERT_PTR_EQUAL(out[1], &s[1]);
	CU_ASSERT_EQUAL(sl_check_due(&sc, 3000, out, 1), 1); /* max honoured */
	CU_ASSERT_PTR_EQUAL(out[0], &s[3]);
	sl_check_sched_free(&sc);

	/* the longest interval is spread; max-spread-checks caps it */
	sl_check_sched_init(&sc, 0, 0, 1);
	for (int i = 0; i < 4; i++)
		sl_check_srv_init(&s[i], &p, 0);
	s[3].inter = 8000;
	sl_check_sched_start(&sc, ps, 4, 0);
	CU_ASSERT_EQUAL(s[1].next_ms, 2000);
	CU_ASSERT_EQUAL(s[3].next_ms, 6000);
	sl_check_sched_free(&sc);
	sl_check_sched_init(&sc, 0, 1000, 1);
	for (int i = 0; i < 4; i++)
		sl_check_srv_init(&s[i], &p, 0);
	s[3].inter = 8000;
	sl_check_sched_start(&sc, ps, 4, 0);
	CU_ASSERT_EQUAL(s[1].next_ms, 250);
	CU_ASSERT_EQUAL(s[3].next_ms, 750);
	sl_check_sched_free(&sc);
}

static void test_spread_checks_jitter(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 1);
	struct sl_check_srv s, *ps = &s, *out[1];
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 10, 0, 42);
	sl_check_srv_init(&s, &p, 0);
	sl_check_sched_start(&sc, &ps, 1, 0);
	uint64_t t = 0, lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < 200; i++) {
		CU_ASSERT_EQUAL_FATAL(sl_check_due(&sc, t, out, 1), 1);
		sl_check_report(&sc, &s, t, SL_CHK_L4OK, 0, NULL);
		uint64_t d = s.next_ms - t;
		CU_ASSERT_TRUE(d >= 1800 && d <= 2200);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		t = s.next_ms;
	}
	CU_ASSERT_TRUE(lo < 1900 && hi > 2100); /* it does vary, both ways */
	sl_check_sched_free(&sc);
}

static void test_heap_order(void)
{
	enum { N = 1000 };
	struct sl_srv_params p = params(1000, 0, 0, 2, 1);
	struct sl_check_srv *s = calloc(N, sizeof(*s));
	struct sl_check_srv **ps = calloc(N, sizeof(*ps)), **out = calloc(N, sizeof(*out));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ps);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 7);
	uint32_t r = 12345;
	for (int i = 0; i < N; i++) {
		r = r * 1103515245u + 12345u;
		p.inter = 100 + (int)(r >> 16) % 5000;
		sl_check_srv_init(&s[i], &p, 0);
		ps[i] = &s[i];
	}
	sl_check_sched_start(&sc, ps, N, 0);
	/* run 20 s of checks; every one must come out at or after its time, in order */
	uint64_t prev = 0;
	size_t total = 0;
	for (uint64_t t = 0; t <= 20000; t += 7) {
		size_t k = sl_check_due(&sc, t, out, N);
		for (size_t i = 0; i < k; i++) {
			CU_ASSERT_TRUE(out[i]->next_ms <= t);
			CU_ASSERT_TRUE(out[i]->next_ms >= prev);
			prev = out[i]->next_ms;
		}
		for (size_t i = 0; i < k; i++)
			sl_check_report(&sc, out[i], t, (i % 3) ? SL_CHK_L4OK : SL_CHK_L4CON, 0, NULL);
		total += k;
		prev = 0;
		CU_ASSERT_TRUE(sl_check_next_ms(&sc) > t);
	}
	CU_ASSERT_TRUE(total > N * 4);
	CU_ASSERT_EQUAL(sc.n, N);
	sl_check_sched_remove(&sc, &s[10]);
	sl_check_sched_remove(&sc, &s[10]);
	CU_ASSERT_EQUAL(sc.n, N - 1);
	sl_check_sched_free(&sc);
	free(s);
	free(ps);
	free(out);
}

/* ---------------------------------------------------------------- rotation */

static void test_rotation(void)
{
	struct sl_srv_params p = params(2000, 0, 0, 2, 3);
	struct sl_check_srv s[5];
	const struct sl_check_srv *ps[6];
	bool in[6];
	for (int i = 0; i < 5; i++) {
		p.backup = i >= 2; /* a0 a1 b2 b3 b4 */
		sl_check_srv_init(&s[i], &p, 0);
		ps[i] = &s[i];
	}
	ps[5] = NULL;
	CU_ASSERT_EQUAL(sl_check_rotation(ps, 6, false, in), 2);
	CU_ASSERT_TRUE(in[0] && in[1] && !in[2] && !in[3] && !in[4] && !in[5]);

	sl_check_report(NULL, &s[0], 0, SL_CHK_L4CON, 0, NULL); /* a0 DOWN */
	sl_check_set_admin(NULL, &s[1], SL_CHK_SET_DRAIN, 0); /* a1 drained: not usable */
	sl_check_report(NULL, &s[2], 0, SL_CHK_L4CON, 0, NULL); /* b2 DOWN */
	CU_ASSERT_EQUAL(sl_check_rotation(ps, 6, false, in), 1); /* first usable backup only */
	CU_ASSERT_TRUE(!in[0] && !in[1] && !in[2] && in[3] && !in[4]);
	CU_ASSERT_EQUAL(sl_check_rotation(ps, 6, true, in), 2); /* option allbackups */
	CU_ASSERT_TRUE(in[3] && in[4] && !in[2]);

	s[3].weight = 0; /* weight 0: not usable */
	CU_ASSERT_EQUAL(sl_check_rotation(ps, 6, false, in), 1);
	CU_ASSERT_TRUE(in[4]);

	sl_check_set_admin(NULL, &s[4], SL_CHK_SET_MAINT, 0);
	CU_ASSERT_EQUAL(sl_check_rotation(ps, 6, false, in), 0);

	sl_check_set_admin(NULL, &s[1], SL_CHK_SET_READY, 0); /* active back: backups out */
	s[3].weight = 1;
	CU_ASSERT_EQUAL(sl_check_rotation(ps, 6, true, in), 1);
	CU_ASSERT_TRUE(in[1] && !in[3]);
}

/* ---------------------------------------------------------------- reload */

/* A reload keeps what the running process knows of a server (sl_check_srv_carry). */
static void test_carry_across_reload(void)
{
	struct sl_check_sched sc;
	sl_check_sched_init(&sc, 0, 0, 1);
	struct sl_srv_params p = params(1000, 0, 0, 2, 3);
	struct sl_check_srv old;
	sl_check_srv_init(&old, &p, 0);
	struct sl_check_srv *list[1] = {&old};
	sl_check_sched_start(&sc, list, 1, 0);
	/* HAProxy's start: UP with health = rise, the first failure takes it DOWN */
	CU_ASSERT_EQUAL(probe(&sc, &old, 0, SL_CHK_L4CON, 1), EV_DOWN);
	CU_ASSERT_STRING_EQUAL(st(&old), "DOWN");
	sl_check_sched_remove(&sc, &old);

	/* the same server in the new configuration: still DOWN, counters and result kept */
	struct sl_check_srv nw;
	sl_check_srv_init(&nw, &p, 5000);
	CU_ASSERT_NSTRING_EQUAL(st(&nw), "UP", 2); /* what a fresh start would say */
	sl_check_srv_carry(&nw, &old, false, false);
	CU_ASSERT_STRING_EQUAL(st(&nw), "DOWN");
	CU_ASSERT_EQUAL(nw.chkdown, 1);
	CU_ASSERT_EQUAL(nw.chkfail, old.chkfail);
	CU_ASSERT_EQUAL(nw.status, SL_CHK_L4CON);
	CU_ASSERT_EQUAL(nw.last_change_s, old.last_change_s);
	/* it comes back after rise successes, on the new schedule */
	struct sl_check_srv *l2[1] = {&nw};
	sl_check_sched_start(&sc, l2, 1, 5000);
	CU_ASSERT_EQUAL(probe(&sc, &nw, 5000, SL_CHK_L4OK, 1), 0);
	CU_ASSERT_EQUAL(probe(&sc, &nw, 6001, SL_CHK_L4OK, 1), EV_UP);
	sl_check_sched_remove(&sc, &nw);

	/* an UP server whose fall was lowered: health clamped to the new range, still UP */
	struct sl_srv_params p5 = params(1000, 0, 0, 2, 5);
	struct sl_check_srv up5, up2;
	sl_check_srv_init(&up5, &p5, 0);
	up5.health = 6; /* full: rise + fall - 1 */
	struct sl_srv_params p2 = params(1000, 0, 0, 2, 2);
	sl_check_srv_init(&up2, &p2, 0);
	sl_check_srv_carry(&up2, &up5, false, false);
	CU_ASSERT_EQUAL(up2.health, 3);
	CU_ASSERT_STRING_EQUAL(st(&up2), "UP");

	/* drained at run time: stays drained across the reload */
	struct sl_check_srv dr, dr2;
	sl_check_srv_init(&dr, &p, 0);
	sl_check_set_admin(NULL, &dr, SL_CHK_SET_DRAIN, 10);
	sl_check_srv_init(&dr2, &p, 20000);
	sl_check_srv_carry(&dr2, &dr, false, false);
	CU_ASSERT_NSTRING_EQUAL(st(&dr2), "DRAIN", 5);

	/* `disabled` removed from the file: the file decides (UP), the counters stay */
	struct sl_srv_params pd = p;
	pd.disabled = true;
	struct sl_check_srv dis, en;
	sl_check_srv_init(&dis, &pd, 0);
	dis.chkdown = 4;
	CU_ASSERT_STRING_EQUAL(st(&dis), "MAINT");
	sl_check_srv_init(&en, &p, 30000);
	sl_check_srv_carry(&en, &dis, true, false);
	CU_ASSERT_NSTRING_EQUAL(st(&en), "UP", 2);
	CU_ASSERT_EQUAL(en.chkdown, 4);
	/* and a maintenance set at run time survives a reload that leaves `disabled` alone */
	struct sl_check_srv m, m2;
	sl_check_srv_init(&m, &p, 0);
	sl_check_set_admin(NULL, &m, SL_CHK_SET_MAINT, 10);
	sl_check_srv_init(&m2, &p, 40000);
	sl_check_srv_carry(&m2, &m, false, false);
	CU_ASSERT_STRING_EQUAL(st(&m2), "MAINT");
	CU_ASSERT_FALSE(sl_check_srv_usable(&m2));
	sl_check_sched_free(&sc);
}


static const struct sl_test_case status_cases[] = {
	{"codes, descriptions, verdicts", test_status_codes},
	{"initial states", test_init_states},
	{"in progress, code, duration", test_in_progress_and_code},
	{"a lost result: given up, no verdict, due again", test_lost_result},
	{NULL, NULL},
};

static const struct sl_test_case state_cases[] = {
	{"rise/fall with fastinter and downinter", test_rise_fall_intervals},
	{"intervals default to inter", test_intervals_default_to_inter},
	{"one failure at start-up takes a server down", test_startup_single_failure},
	{"maint", test_maint},
	{"drain", test_drain},
	{"nolb from disable-on-404", test_nolb_disable_on_404},
	{"on-marked-up shutdown-backup-sessions", test_shutdown_backups_on_up},
	{"backup selection", test_rotation},
	{"state carried across a reload", test_carry_across_reload},
	{NULL, NULL},
};


static const struct sl_test_case expect_cases[] = {
	{"status lists", test_status_list},
	{"expect kinds and negation", test_expect},
	{NULL, NULL},
};

static const struct sl_test_case sched_cases[] = {
	{"first checks spread", test_spread_first_checks},
	{"spread-checks jitter", test_spread_checks_jitter},
	{"heap order", test_heap_order},
	{NULL, NULL},
};

/* ---------------------------------------------------------------- tcp-check */

static struct sl_tcpchk_rule tc_send(const char *data)
{
	return (struct sl_tcpchk_rule){.op = SL_TCPCHK_SEND,
				       .data = (const uint8_t *)data,
				       .len = strlen(data)};
}

static struct sl_tcpchk_rule tc_expect(enum sl_tcpchk_match m, bool neg, const char *pat)
{
	struct sl_tcpchk_rule r = {.op = SL_TCPCHK_EXPECT,
				   .match = m,
				   .neg = neg,
				   .data = (const uint8_t *)pat,
				   .len = strlen(pat)};
	if (m == SL_TCPCHK_RSTRING) {
		int err;
		PCRE2_SIZE off;
		r.re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
		CU_ASSERT_PTR_NOT_NULL(r.re);
	}
	return r;
}

static void test_tcpchk_match(void)
{
	void *md = sl_tcpchk_md_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	struct sl_tcpchk_rule s = tc_expect(SL_TCPCHK_STRING, false, "+PONG");
	CU_ASSERT_TRUE(sl_tcpchk_match(&s, "+PONG\r\n", 7, md));
	CU_ASSERT_TRUE(sl_tcpchk_match(&s, "xx+PONGyy", 9, md)); /* anywhere in the bytes */
	CU_ASSERT_FALSE(sl_tcpchk_match(&s, "+PON", 4, md));
	CU_ASSERT_FALSE(sl_tcpchk_match(&s, "", 0, md));
	CU_ASSERT_FALSE(sl_tcpchk_match(&s, "+pong", 5, md)); /* case matters */
	/* binary: bytes with a NUL in them */
	static const uint8_t pat[] = {0x00, 0x01, 0xff};
	struct sl_tcpchk_rule b = {.op = SL_TCPCHK_EXPECT, .match = SL_TCPCHK_BINARY, .data = pat,
				   .len = 3};
	static const uint8_t rx1[] = {'a', 0x00, 0x01, 0xff, 'b'};
	static const uint8_t rx2[] = {'a', 0x00, 0x01, 0xfe};
	CU_ASSERT_TRUE(sl_tcpchk_match(&b, rx1, sizeof(rx1), md));
	CU_ASSERT_FALSE(sl_tcpchk_match(&b, rx2, sizeof(rx2), md));
	/* rstring: a search, anchors apply to the received bytes */
	struct sl_tcpchk_rule r = tc_expect(SL_TCPCHK_RSTRING, false, "^220 .*ESMTP");
	CU_ASSERT_TRUE(sl_tcpchk_match(&r, "220 mx ESMTP ready\r\n", 20, md));
	CU_ASSERT_FALSE(sl_tcpchk_match(&r, "554 no ESMTP\r\n", 14, md));
	CU_ASSERT_FALSE(sl_tcpchk_match(&r, "x220 ESMTP", 10, md));
	/* the length counts, not a NUL: bytes past it are not seen */
	CU_ASSERT_FALSE(sl_tcpchk_match(&r, "220 mx ESMTP", 6, md));
	pcre2_code_free(r.re);
	sl_tcpchk_md_free(md);
}

static enum sl_tcpchk_do step(const struct sl_tcpchk *tc, unsigned *pc, const char *rx,
			      bool last, const struct sl_tcpchk_rule **snd,
			      enum sl_check_status *res)
{
	*snd = NULL;
	*res = SL_CHK_UNK;
	return sl_tcpchk_step(tc, pc, rx, strlen(rx), last, NULL, snd, res);
}

static void test_tcpchk_sequence(void)
{
	struct sl_tcpchk_rule rules[] = {
		{.op = SL_TCPCHK_CONNECT, .port = 6379},
		tc_send("PING\r\n"),
		tc_expect(SL_TCPCHK_STRING, false, "+PONG"),
		tc_send("QUIT\r\n"),
		tc_expect(SL_TCPCHK_STRING, false, "+OK"),
	};
	struct sl_tcpchk tc = {.on = true, .rules = rules, .nrules = 5};
	const struct sl_tcpchk_rule *snd;
	enum sl_check_status res;
	unsigned pc = 0;
	CU_ASSERT_EQUAL(step(&tc, &pc, "", false, &snd, &res), SL_TCPCHK_DO_SEND);
	CU_ASSERT_PTR_EQUAL(snd, &rules[1]);
	CU_ASSERT_EQUAL(step(&tc, &pc, "", false, &snd, &res), SL_TCPCHK_DO_WAIT);
	CU_ASSERT_EQUAL(step(&tc, &pc, "+PO", false, &snd, &res), SL_TCPCHK_DO_WAIT);
	CU_ASSERT_EQUAL(pc, 2u);
	CU_ASSERT_EQUAL(step(&tc, &pc, "+PONG\r\n", false, &snd, &res), SL_TCPCHK_DO_SEND);
	CU_ASSERT_PTR_EQUAL(snd, &rules[3]);
	/* the buffer was emptied by the send: the next expect sees the new answer */
	CU_ASSERT_EQUAL(step(&tc, &pc, "+OK\r\n", false, &snd, &res), SL_TCPCHK_DO_DONE);
	CU_ASSERT_EQUAL(res, SL_CHK_L7OK);

	/* the wrong answer, and the server closes: L7RSP */
	pc = 0;
	CU_ASSERT_EQUAL(step(&tc, &pc, "", false, &snd, &res), SL_TCPCHK_DO_SEND);
	CU_ASSERT_EQUAL(step(&tc, &pc, "-ERR\r\n", false, &snd, &res), SL_TCPCHK_DO_WAIT);
	CU_ASSERT_EQUAL(step(&tc, &pc, "-ERR\r\n", true, &snd, &res), SL_TCPCHK_DO_DONE);
	CU_ASSERT_EQUAL(res, SL_CHK_L7RSP);
	CU_ASSERT_EQUAL(sl_tcpchk_port(&tc, 80), 6379);
	rules[0].port = 0;
	CU_ASSERT_EQUAL(sl_tcpchk_port(&tc, 80), 80);
	CU_ASSERT_EQUAL(sl_tcpchk_port(NULL, 81), 81);
}

static void test_tcpchk_negation_and_runs(void)
{
	const struct sl_tcpchk_rule *snd;
	enum sl_check_status res;
	/* `expect ! string ERR`: absent -> waits until nothing more comes, then passes */
	struct sl_tcpchk_rule neg[] = {tc_expect(SL_TCPCHK_STRING, true, "ERR")};
	struct sl_tcpchk tn = {.on = true, .rules = neg, .nrules = 1};
	unsigned pc = 0;
	CU_ASSERT_EQUAL(step(&tn, &pc, "OK", false, &snd, &res), SL_TCPCHK_DO_WAIT);
	CU_ASSERT_EQUAL(step(&tn, &pc, "OK", true, &snd, &res), SL_TCPCHK_DO_DONE);
	CU_ASSERT_EQUAL(res, SL_CHK_L7OK);
	pc = 0;
	CU_ASSERT_EQUAL(step(&tn, &pc, "OK ERR", false, &snd, &res), SL_TCPCHK_DO_DONE);
	CU_ASSERT_EQUAL(res, SL_CHK_L7RSP);

	/* consecutive expects judge the same bytes; a wait resumes from the first of them */
	struct sl_tcpchk_rule run[] = {tc_expect(SL_TCPCHK_STRING, false, "A"),
				       tc_expect(SL_TCPCHK_STRING, false, "B")};
	struct sl_tcpchk tr = {.on = true, .rules = run, .nrules = 2};
	pc = 0;
	CU_ASSERT_EQUAL(step(&tr, &pc, "A", false, &snd, &res), SL_TCPCHK_DO_WAIT);
	CU_ASSERT_EQUAL(pc, 0u);
	CU_ASSERT_EQUAL(step(&tr, &pc, "BA", false, &snd, &res), SL_TCPCHK_DO_DONE);
	CU_ASSERT_EQUAL(res, SL_CHK_L7OK);

	/* connect only (or no rule at all): a layer 4 check */
	struct sl_tcpchk_rule conn[] = {{.op = SL_TCPCHK_CONNECT, .port = 1935}};
	struct sl_tcpchk tcn = {.on = true, .rules = conn, .nrules = 1};
	pc = 0;
	CU_ASSERT_EQUAL(step(&tcn, &pc, "", false, &snd, &res), SL_TCPCHK_DO_DONE);
	CU_ASSERT_EQUAL(res, SL_CHK_L4OK);
	struct sl_tcpchk none = {.on = true};
	pc = 0;
	CU_ASSERT_EQUAL(step(&none, &pc, "", false, &snd, &res), SL_TCPCHK_DO_DONE);
	CU_ASSERT_EQUAL(res, SL_CHK_L4OK);
}

static const struct sl_test_case tcpchk_cases[] = {
	{"tcp-check expect matching", test_tcpchk_match},
	{"tcp-check send/expect sequence", test_tcpchk_sequence},
	{"tcp-check negation and runs of expects", test_tcpchk_negation_and_runs},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"check status", status_cases},
		{"check state", state_cases},
		{"check expect", expect_cases},
		{"check schedule", sched_cases},
		{"tcp-check", tcpchk_cases},
		{NULL, NULL},
	};
	return sl_test_run(suites);
}
