/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks without the network: state machine, scheduling, result interpretation.
 * See check.h for the model; the HAProxy functions each piece follows are named in comments.
 */
#include "controlplane/check/check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "controlplane/cfg/cfg-t.h"

/* ---------------------------------------------------------------- status codes */

static const struct {
	const char *name;
	const char *desc;
	enum sl_check_res res;
} statuses[SL_CHK_NSTATUS] = {
	[SL_CHK_UNK] = {"UNK", "Unknown", SL_CHK_RES_UNKNOWN},
	[SL_CHK_INI] = {"INI", "Initializing", SL_CHK_RES_UNKNOWN},
	[SL_CHK_SOCKERR] = {"SOCKERR", "Socket error", SL_CHK_RES_FAILED},
	[SL_CHK_L4OK] = {"L4OK", "Layer4 check passed", SL_CHK_RES_PASSED},
	[SL_CHK_L4TOUT] = {"L4TOUT", "Layer4 timeout", SL_CHK_RES_FAILED},
	[SL_CHK_L4CON] = {"L4CON", "Layer4 connection problem", SL_CHK_RES_FAILED},
	[SL_CHK_L6OK] = {"L6OK", "Layer6 check passed", SL_CHK_RES_PASSED},
	[SL_CHK_L6TOUT] = {"L6TOUT", "Layer6 timeout", SL_CHK_RES_FAILED},
	[SL_CHK_L6RSP] = {"L6RSP", "Layer6 invalid response", SL_CHK_RES_FAILED},
	[SL_CHK_L7TOUT] = {"L7TOUT", "Layer7 timeout", SL_CHK_RES_FAILED},
	[SL_CHK_L7RSP] = {"L7RSP", "Layer7 invalid response", SL_CHK_RES_FAILED},
	[SL_CHK_L7OK] = {"L7OK", "Layer7 check passed", SL_CHK_RES_PASSED},
	[SL_CHK_L7OKC] = {"L7OKC", "Layer7 check conditionally passed", SL_CHK_RES_CONDPASS},
	[SL_CHK_L7STS] = {"L7STS", "Layer7 wrong status", SL_CHK_RES_FAILED},
};

static bool status_valid(enum sl_check_status st)
{
	return (unsigned)st < SL_CHK_NSTATUS;
}

const char *sl_check_status_str(enum sl_check_status st)
{
	return status_valid(st) ? statuses[st].name : "UNK";
}

const char *sl_check_status_desc(enum sl_check_status st)
{
	return status_valid(st) ? statuses[st].desc : "Unknown";
}

enum sl_check_res sl_check_status_result(enum sl_check_status st)
{
	return status_valid(st) ? statuses[st].res : SL_CHK_RES_UNKNOWN;
}

bool sl_check_status_has_code(enum sl_check_status st)
{
	/* HAProxy: status >= HCHK_STATUS_L57DATA */
	return st == SL_CHK_L7OK || st == SL_CHK_L7OKC || st == SL_CHK_L7STS;
}

/* ---------------------------------------------------------------- servers */

static int full_health(const struct sl_check_srv *s)
{
	return s->rise + s->fall - 1;
}

static uint64_t secs(uint64_t ms)
{
	return ms / 1000;
}

void sl_check_srv_init(struct sl_check_srv *s, const struct sl_srv_params *p, uint64_t now_ms)
{
	memset(s, 0, sizeof(*s));
	s->check = p->check;
	s->inter = p->inter > 0 ? p->inter : 2000;
	s->fastinter = p->fastinter;
	s->downinter = p->downinter;
	s->rise = p->rise > 0 ? p->rise : 2;
	s->fall = p->fall > 0 ? p->fall : 3;
	s->weight = p->weight;
	s->backup = p->backup;
	s->shutdown_on_down = p->shutdown_on_down;
	s->shutdown_backup_on_up = p->shutdown_backup_on_up;
	s->status = s->check ? SL_CHK_INI : SL_CHK_UNK;
	s->last_change_s = secs(now_ms);
	s->heap_idx = SIZE_MAX;
	if (p->disabled) {
		/* srv_parse_disabled(): forced maintenance, stopped, check paused, health 0 */
		s->admin = SL_CHK_ADM_MAINT;
		s->op = SL_CHK_OP_DOWN;
		s->health = 0;
	} else {
		s->op = SL_CHK_OP_UP;
		s->health = s->rise; /* "rise" keyword: health = rise */
	}
}

void sl_check_srv_carry(struct sl_check_srv *s, const struct sl_check_srv *old, bool old_disabled,
			bool now_disabled)
{
	s->chkfail = old->chkfail;
	s->chkdown = old->chkdown;
	s->down_time_s = old->down_time_s;
	/* `disabled` added or taken away in the file: the file decides, as at start-up */
	if (old_disabled != now_disabled)
		return;
	s->admin = old->admin;
	s->last_change_s = old->last_change_s;
	if (!s->check || !old->check) {
		/* checks turned on or off: no result to keep; the state follows the admin one */
		if (s->admin & SL_CHK_ADM_MAINT) {
			s->op = SL_CHK_OP_DOWN;
			s->health = 0;
		}
		return;
	}
	s->op = old->op;
	s->health = old->health;
	if (s->health > full_health(s)) /* rise or fall made smaller */
		s->health = full_health(s);
	if (s->op == SL_CHK_OP_UP && s->health < s->rise && !(s->admin & SL_CHK_ADM_MAINT))
		s->health = s->rise; /* still UP: at least "UP 1/fall" */
	s->status = old->status;
	s->code = old->code;
	s->duration_ms = old->duration_ms;
	memcpy(s->info, old->info, sizeof(s->info));
}

int sl_check_srv_interval(const struct sl_check_srv *s)
{
	/* srv_getinter() */
	if (s->health == full_health(s))
		return s->inter;
	if (s->op == SL_CHK_OP_DOWN && s->health == 0)
		return s->downinter > 0 ? s->downinter : s->inter;
	return s->fastinter > 0 ? s->fastinter : s->inter;
}

const char *sl_check_srv_status_text(const struct sl_check_srv *s, char *buf, size_t n)
{
	/* stats_fill_sv_stats(): the srv_hlt_st[] choice, then the "%d/%d" arguments */
	if (n == 0)
		return buf;
	if (s->admin & SL_CHK_ADM_MAINT) {
		snprintf(buf, n, "MAINT");
		return buf;
	}
	const char *word;
	bool counts; /* the " %d/%d" of the transitional states */
	bool drain = (s->admin & SL_CHK_ADM_DRAIN) != 0;
	switch (s->op) {
	case SL_CHK_OP_UP:
		counts = s->check && s->health < full_health(s);
		word = drain ? "DRAIN" : (counts || s->check) ? "UP" : "no check";
		break;
	case SL_CHK_OP_NOLB:
		word = "NOLB";
		counts = s->check && s->health != full_health(s);
		break;
	default:
		word = "DOWN";
		counts = s->check && s->health != 0;
		break;
	}
	int a = s->op != SL_CHK_OP_DOWN ? s->health - s->rise + 1 : s->health;
	int b = s->op != SL_CHK_OP_DOWN ? s->fall : s->rise;
	if (counts)
		snprintf(buf, n, "%s %d/%d", word, a, b);
	else
		snprintf(buf, n, "%s", word);
	return buf;
}

const char *sl_check_srv_check_status(const struct sl_check_srv *s, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	if (!s->check || (s->admin & SL_CHK_ADM_MAINT))
		buf[0] = '\0';
	else
		snprintf(buf, n, "%s%s", s->in_progress ? "* " : "", sl_check_status_str(s->status));
	return buf;
}

uint64_t sl_check_srv_lastchg(const struct sl_check_srv *s, uint64_t now_ms)
{
	uint64_t now = secs(now_ms);
	return now > s->last_change_s ? now - s->last_change_s : 0;
}

uint64_t sl_check_srv_downtime(const struct sl_check_srv *s, uint64_t now_ms)
{
	/* srv_downtime() */
	uint64_t now = secs(now_ms);
	if (s->op != SL_CHK_OP_DOWN || s->last_change_s >= now)
		return s->down_time_s;
	return s->down_time_s + now - s->last_change_s;
}

bool sl_check_srv_usable(const struct sl_check_srv *s)
{
	/* srv_currently_usable() */
	return s->op == SL_CHK_OP_UP && !(s->admin & (SL_CHK_ADM_MAINT | SL_CHK_ADM_DRAIN)) &&
	       s->weight > 0;
}

bool sl_check_srv_accepts_persistent(const struct sl_check_srv *s)
{
	return !(s->admin & SL_CHK_ADM_MAINT) && s->op != SL_CHK_OP_DOWN;
}

size_t sl_check_rotation(const struct sl_check_srv *const *srvs, size_t n, bool allbackups,
			 bool *in_rot)
{
	size_t act = 0, cnt = 0;
	for (size_t i = 0; i < n; i++) {
		in_rot[i] = false;
		if (srvs[i] != NULL && !srvs[i]->backup && sl_check_srv_usable(srvs[i]))
			act++;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sl_check_srv *s = srvs[i];
		if (s == NULL || !sl_check_srv_usable(s))
			continue;
		if (act > 0 ? !s->backup : s->backup) {
			if (act == 0 && !allbackups && cnt > 0)
				break; /* only the first usable backup (HAProxy's lbprm.fbck) */
			in_rot[i] = true;
			cnt++;
		}
	}
	return cnt;
}

/* ---------------------------------------------------------------- heap */

static bool earlier(const struct sl_check_srv *a, const struct sl_check_srv *b)
{
	return a->next_ms < b->next_ms || (a->next_ms == b->next_ms && a->seq < b->seq);
}

static void heap_set(struct sl_check_sched *sc, size_t i, struct sl_check_srv *s)
{
	sc->heap[i] = s;
	s->heap_idx = i;
}

static void sift_up(struct sl_check_sched *sc, size_t i)
{
	struct sl_check_srv *s = sc->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(s, sc->heap[parent]))
			break;
		heap_set(sc, i, sc->heap[parent]);
		i = parent;
	}
	heap_set(sc, i, s);
}

static void sift_down(struct sl_check_sched *sc, size_t i)
{
	struct sl_check_srv *s = sc->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= sc->n)
			break;
		if (c + 1 < sc->n && earlier(sc->heap[c + 1], sc->heap[c]))
			c++;
		if (!earlier(sc->heap[c], s))
			break;
		heap_set(sc, i, sc->heap[c]);
		i = c;
	}
	heap_set(sc, i, s);
}

static int heap_push(struct sl_check_sched *sc, struct sl_check_srv *s)
{
	if (s->heap_idx != SIZE_MAX) { /* already in: re-position */
		sift_up(sc, s->heap_idx);
		sift_down(sc, s->heap_idx);
		return 0;
	}
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct sl_check_srv **h = realloc(sc->heap, cap * sizeof(*h));
		if (h == NULL)
			return -ENOMEM;
		sc->heap = h;
		sc->cap = cap;
	}
	heap_set(sc, sc->n++, s);
	sift_up(sc, s->heap_idx);
	return 0;
}

static void heap_del(struct sl_check_sched *sc, struct sl_check_srv *s)
{
	size_t i = s->heap_idx;
	if (i == SIZE_MAX || i >= sc->n || sc->heap[i] != s)
		return;
	s->heap_idx = SIZE_MAX;
	struct sl_check_srv *last = sc->heap[--sc->n];
	if (i == sc->n)
		return;
	heap_set(sc, i, last);
	sift_up(sc, i);
	sift_down(sc, last->heap_idx);
}

/* ---------------------------------------------------------------- scheduling */

int sl_check_sched_init(struct sl_check_sched *sc, int spread_checks, int max_spread_ms,
			uint64_t seed)
{
	memset(sc, 0, sizeof(*sc));
	sc->spread_checks = spread_checks < 0 ? 0 : spread_checks > 50 ? 50 : spread_checks;
	sc->max_spread_ms = max_spread_ms > 0 ? max_spread_ms : 0;
	sc->rng = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
	return 0;
}

void sl_check_sched_free(struct sl_check_sched *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		sc->heap[i]->heap_idx = SIZE_MAX;
	free(sc->heap);
	sc->heap = NULL;
	sc->n = sc->cap = 0;
}

static uint32_t rng32(struct sl_check_sched *sc)
{
	/* xorshift64* */
	uint64_t x = sc->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sc->rng = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

/* The "spread-checks" jitter: +/- pct% of the interval, as process_chk_conn() draws it. */
static int64_t jitter(struct sl_check_sched *sc, int inter)
{
	if (sc->spread_checks <= 0)
		return 0;
	int64_t rv = (int64_t)inter * sc->spread_checks / 100;
	rv -= (int64_t)(2.0 * (double)rv * ((double)rng32(sc) / 4294967295.0));
	return rv;
}

int sl_check_sched_start(struct sl_check_sched *sc, struct sl_check_srv *const *srvs, size_t n,
			 uint64_t now_ms)
{
	/* start_checks(): mininter = the largest interval, nbcheck = number of checks */
	int64_t mininter = 0;
	size_t nbcheck = 0;
	for (size_t i = 0; i < n; i++) {
		if (srvs[i] == NULL || !srvs[i]->check)
			continue;
		nbcheck++;
		if (sl_check_srv_interval(srvs[i]) > mininter)
			mininter = sl_check_srv_interval(srvs[i]);
	}
	if (sc->max_spread_ms > 0 && mininter > sc->max_spread_ms)
		mininter = sc->max_spread_ms;
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		struct sl_check_srv *s = srvs[i];
		if (s == NULL || !s->check)
			continue;
		/* start_check_task(): expire = now + mininter * srvpos / nbcheck */
		s->next_ms = now_ms + (uint64_t)(mininter * (int64_t)pos / (int64_t)nbcheck);
		s->seq = sc->nseq++;
		s->in_progress = false;
		pos++;
		if (heap_push(sc, s) < 0)
			return -ENOMEM;
	}
	return 0;
}

void sl_check_sched_remove(struct sl_check_sched *sc, struct sl_check_srv *s)
{
	heap_del(sc, s);
}

uint64_t sl_check_next_ms(const struct sl_check_sched *sc)
{
	return sc->n > 0 ? sc->heap[0]->next_ms : UINT64_MAX;
}

size_t sl_check_due(struct sl_check_sched *sc, uint64_t now_ms, struct sl_check_srv **out,
		    size_t max)
{
	size_t k = 0;
	while (k < max && sc->n > 0 && sc->heap[0]->next_ms <= now_ms) {
		struct sl_check_srv *s = sc->heap[0];
		if (s->admin & SL_CHK_ADM_MAINT) {
			/* paused: process_chk() goes to "reschedule", the timer stays on the grid */
			while (s->next_ms <= now_ms)
				s->next_ms += (uint64_t)s->inter;
			sift_down(sc, 0);
			continue;
		}
		heap_del(sc, s);
		s->in_progress = true;
		s->start_ms = now_ms;
		out[k++] = s;
	}
	return k;
}

static void reschedule(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t now_ms)
{
	if (sc == NULL)
		return;
	int inter = sl_check_srv_interval(s);
	int64_t next = (int64_t)now_ms + inter + jitter(sc, inter);
	/* "while (tick_is_expired(t->expire, now_ms)) t->expire += inter" */
	while (next <= (int64_t)now_ms)
		next += s->inter;
	s->next_ms = (uint64_t)next;
	/* A server handed out by sl_check_due() left its slot free: no allocation, cannot fail.
	 * One never scheduled before may need to grow the heap; on ENOMEM it stays unscheduled. */
	heap_push(sc, s);
}

/* ---------------------------------------------------------------- transitions */

/* srv_set_stopped() */
static unsigned set_down(struct sl_check_srv *s, uint64_t now_ms)
{
	if ((s->admin & SL_CHK_ADM_MAINT) || s->op == SL_CHK_OP_DOWN)
		return 0;
	s->last_change_s = secs(now_ms);
	s->op = SL_CHK_OP_DOWN;
	s->chkdown++;
	return SL_CHK_EV_CHANGED | SL_CHK_EV_DOWN | (s->shutdown_on_down ? SL_CHK_EV_SHUTDOWN : 0);
}

/* The down time of a stopped server that starts running again. */
static void account_down(struct sl_check_srv *s, uint64_t now_ms)
{
	uint64_t now = secs(now_ms);
	if (s->op == SL_CHK_OP_DOWN && s->last_change_s < now)
		s->down_time_s += now - s->last_change_s;
	s->last_change_s = now;
}

static unsigned up_events(const struct sl_check_srv *s)
{
	unsigned ev = SL_CHK_EV_CHANGED | SL_CHK_EV_UP;
	/* "on-marked-up shutdown-backup-sessions": a non-backup server with a weight */
	if (s->shutdown_backup_on_up && !s->backup && s->weight > 0 &&
	    !(s->admin & SL_CHK_ADM_DRAIN))
		ev |= SL_CHK_EV_SHUTDOWN_BACKUPS;
	return ev;
}

/* srv_set_running() */
static unsigned set_up(struct sl_check_srv *s, uint64_t now_ms)
{
	if ((s->admin & SL_CHK_ADM_MAINT) || s->op == SL_CHK_OP_UP)
		return 0;
	account_down(s, now_ms);
	s->op = SL_CHK_OP_UP;
	return up_events(s);
}

/* srv_set_stopping() */
static unsigned set_nolb(struct sl_check_srv *s, uint64_t now_ms)
{
	if ((s->admin & SL_CHK_ADM_MAINT) || s->op == SL_CHK_OP_NOLB)
		return 0;
	account_down(s, now_ms);
	s->op = SL_CHK_OP_NOLB;
	return SL_CHK_EV_CHANGED | SL_CHK_EV_NOLB;
}

/* srv_set_admin_flag(MAINT) */
static unsigned enter_maint(struct sl_check_srv *s, uint64_t now_ms)
{
	if (s->admin & SL_CHK_ADM_MAINT)
		return 0;
	s->admin |= SL_CHK_ADM_MAINT;
	s->health = 0; /* checks paused */
	unsigned ev = SL_CHK_EV_CHANGED;
	if (s->op != SL_CHK_OP_DOWN) {
		s->last_change_s = secs(now_ms);
		s->op = SL_CHK_OP_DOWN;
		s->chkdown++;
		ev |= SL_CHK_EV_DOWN | (s->shutdown_on_down ? SL_CHK_EV_SHUTDOWN : 0);
	}
	return ev;
}

/* srv_clr_admin_flag(MAINT) */
static unsigned leave_maint(struct sl_check_srv *s, uint64_t now_ms)
{
	if (!(s->admin & SL_CHK_ADM_MAINT))
		return 0;
	s->admin &= ~SL_CHK_ADM_MAINT;
	if (s->check)
		s->health = s->rise; /* "start OK but check immediately" */
	account_down(s, now_ms);
	s->op = SL_CHK_OP_UP;
	return up_events(s);
}

/* srv_set_admin_flag(DRAIN) */
static unsigned enter_drain(struct sl_check_srv *s, uint64_t now_ms)
{
	if (s->admin & SL_CHK_ADM_DRAIN)
		return 0;
	s->admin |= SL_CHK_ADM_DRAIN;
	if (s->admin & SL_CHK_ADM_MAINT)
		return 0; /* "drain state is applied only if not yet in maint" */
	s->last_change_s = secs(now_ms);
	return SL_CHK_EV_CHANGED;
}

/* srv_clr_admin_flag(DRAIN) */
static unsigned leave_drain(struct sl_check_srv *s, uint64_t now_ms)
{
	if (!(s->admin & SL_CHK_ADM_DRAIN))
		return 0;
	s->admin &= ~SL_CHK_ADM_DRAIN;
	if (s->admin & SL_CHK_ADM_MAINT)
		return 0;
	s->last_change_s = secs(now_ms);
	return SL_CHK_EV_CHANGED;
}

unsigned sl_check_set_admin(struct sl_check_sched *sched, struct sl_check_srv *s,
			    enum sl_check_admin_cmd cmd, uint64_t now_ms)
{
	(void)sched; /* the timer keeps running while paused: nothing to move */
	unsigned ev = 0;
	switch (cmd) {
	case SL_CHK_SET_MAINT: /* srv_adm_set_maint() */
		ev |= enter_maint(s, now_ms);
		ev |= leave_drain(s, now_ms);
		break;
	case SL_CHK_SET_DRAIN: /* srv_adm_set_drain() */
		ev |= enter_drain(s, now_ms);
		ev |= leave_maint(s, now_ms);
		break;
	case SL_CHK_SET_READY: /* srv_adm_set_ready() */
		ev |= leave_drain(s, now_ms);
		ev |= leave_maint(s, now_ms);
		break;
	}
	return ev;
}

/* ---------------------------------------------------------------- results */

bool sl_check_lost(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t now_ms)
{
	if (!s->in_progress)
		return false;
	s->in_progress = false;
	if (sc != NULL)
		heap_del(sc, s); /* not scheduled while in progress; harmless if absent */
	reschedule(sc, s, now_ms);
	return true;
}

unsigned sl_check_report(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t now_ms,
			 enum sl_check_status st, int code, const char *info)
{
	if (!s->check)
		return 0;
	if (sc != NULL)
		heap_del(sc, s); /* a result without sl_check_due(): take it out, re-add below */
	uint64_t start = s->in_progress ? s->start_ms : now_ms;
	s->in_progress = false;
	s->status = status_valid(st) ? st : SL_CHK_UNK;
	s->code = code;
	s->duration_ms = now_ms > start ? now_ms - start : 0;
	snprintf(s->info, sizeof(s->info), "%s", info != NULL ? info : "");

	unsigned ev = 0;
	if (!(s->admin & SL_CHK_ADM_MAINT)) {
		/* set_server_check_status(): the health counter */
		enum sl_check_res res = sl_check_status_result(s->status);
		if (res == SL_CHK_RES_FAILED) {
			if (s->health > 0) {
				s->chkfail++;
				s->health--;
				if (s->health < s->rise)
					s->health = 0;
			}
		} else if (res == SL_CHK_RES_PASSED || res == SL_CHK_RES_CONDPASS) {
			if (s->health < full_health(s)) {
				s->health++;
				if (s->health >= s->rise)
					s->health = full_health(s);
			}
		}
		/* check_notify_failure() / _stopping() / _success() */
		if (res == SL_CHK_RES_FAILED && s->health == 0)
			ev = set_down(s, now_ms);
		else if (res == SL_CHK_RES_CONDPASS && s->health >= s->rise)
			ev = set_nolb(s, now_ms);
		else if (res == SL_CHK_RES_PASSED && s->health >= s->rise)
			ev = set_up(s, now_ms);
	}
	reschedule(sc, s, now_ms);
	return ev;
}

/* ---------------------------------------------------------------- HTTP expect */

static int parse_code(const char **p, const char *end)
{
	const char *q = *p;
	int v = 0, nd = 0;
	while (q < end && *q >= '0' && *q <= '9' && nd < 4) {
		v = v * 10 + (*q - '0');
		q++;
		nd++;
	}
	if (nd == 0 || nd > 3)
		return -1;
	*p = q;
	return v;
}

int sl_check_status_list_match(const char *list, int code)
{
	if (list == NULL || *list == '\0')
		return -1;
	int match = 0;
	const char *p = list;
	for (;;) {
		const char *end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		int lo = parse_code(&p, end), hi = lo;
		if (lo < 0)
			return -1;
		if (p < end && *p == '-') {
			p++;
			hi = parse_code(&p, end);
			if (hi < 0 || hi < lo)
				return -1;
		}
		if (p != end)
			return -1;
		if (code >= lo && code <= hi)
			match = 1;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return match;
}

static bool regex_match(void *re, const void *subj, size_t len)
{
	if (re == NULL)
		return false;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (md == NULL)
		return false;
	int rc = pcre2_match(re, (PCRE2_SPTR)(subj != NULL ? subj : ""), len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

static bool contains(const void *body, size_t len, const char *pat)
{
	size_t pl = strlen(pat);
	if (pl == 0)
		return true;
	if (body == NULL || len < pl)
		return false;
	return memmem(body, len, pat, pl) != NULL;
}

static void put_info(char *info, size_t infosz, const char *text)
{
	if (infosz > 0)
		snprintf(info, infosz, "%s", text);
}

enum sl_check_status sl_check_http_eval(const struct sl_httpchk *chk, bool srv_down, int code,
					const char *reason, const void *body, size_t len,
					char *info, size_t infosz)
{
	const char *rs = reason != NULL ? reason : "";
	if (infosz > 0)
		info[0] = '\0';
	if (code < 100 || code > 999) {
		put_info(info, infosz, "Invalid HTTP status code");
		return SL_CHK_L7RSP;
	}
	/* 404 may be accepted as "stopping" only if the server was not down */
	if (chk != NULL && chk->disable_on_404 && !srv_down && code == 404) {
		put_info(info, infosz, rs);
		return SL_CHK_L7OKC;
	}
	enum sl_check_expect_kind kind = chk != NULL ? chk->expect : SL_EXPECT_NONE;
	bool neg = chk != NULL && chk->expect_neg;
	bool m;
	switch (kind) {
	case SL_EXPECT_STATUS:
	case SL_EXPECT_RSTATUS: {
		char sc[8];
		snprintf(sc, sizeof(sc), "%03d", code);
		if (kind == SL_EXPECT_STATUS)
			m = sl_check_status_list_match(chk->expect_pat, code) == 1;
		else
			m = regex_match(chk->expect_re, sc, strlen(sc));
		if (neg)
			m = !m;
		if (infosz > 0)
			snprintf(info, infosz, "HTTP status check returned code <%s>", sc);
		return m ? SL_CHK_L7OK : SL_CHK_L7STS;
	}
	case SL_EXPECT_STRING:
	case SL_EXPECT_RSTRING:
		if (kind == SL_EXPECT_STRING)
			m = chk->expect_pat != NULL && contains(body, len, chk->expect_pat);
		else
			m = regex_match(chk->expect_re, body, len);
		if (m) {
			put_info(info, infosz,
				 neg ? "HTTP check matched unwanted content" : "HTTP content check matched");
			return neg ? SL_CHK_L7RSP : SL_CHK_L7OK;
		}
		put_info(info, infosz,
			 neg ? "HTTP check did not match unwanted content" : "HTTP content check did not match");
		return neg ? SL_CHK_L7OK : SL_CHK_L7RSP;
	default:
		/* no expect rule: HTTP/1.x 2xx and 3xx are OK */
		put_info(info, infosz, rs);
		return (code / 100 == 2 || code / 100 == 3) ? SL_CHK_L7OK : SL_CHK_L7STS;
	}
}

unsigned sl_check_report_http(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t now_ms,
			      const struct sl_httpchk *chk, int code, const char *reason,
			      const void *body, size_t len)
{
	char info[SL_CHK_INFO_LEN];
	enum sl_check_status st = sl_check_http_eval(chk, s->op == SL_CHK_OP_DOWN, code, reason,
						     body, len, info, sizeof(info));
	return sl_check_report(sc, s, now_ms, st, code, info);
}

/* ---------------------------------------------------------------- tcp-check */

void *sl_tcpchk_md_new(void)
{
	return pcre2_match_data_create(1, NULL);
}

void sl_tcpchk_md_free(void *md)
{
	pcre2_match_data_free(md);
}

bool sl_tcpchk_match(const struct sl_tcpchk_rule *r, const void *rx, size_t len, void *md)
{
	switch (r->match) {
	case SL_TCPCHK_STRING:
	case SL_TCPCHK_BINARY:
		if (r->len == 0)
			return true;
		return rx != NULL && len >= r->len && memmem(rx, len, r->data, r->len) != NULL;
	case SL_TCPCHK_RSTRING:
		if (r->re == NULL || md == NULL)
			return false;
		return pcre2_match(r->re, (PCRE2_SPTR)(rx != NULL ? rx : ""), len, 0, 0, md, NULL) >= 0;
	}
	return false;
}

enum sl_tcpchk_do sl_tcpchk_step(const struct sl_tcpchk *tc, unsigned *pc, const void *rx,
				 size_t len, bool last_read, void *md,
				 const struct sl_tcpchk_rule **send, enum sl_check_status *st)
{
	enum sl_tcpchk_op last = SL_TCPCHK_CONNECT;
	if (*pc > 0 && *pc <= tc->nrules)
		last = tc->rules[*pc - 1].op;
	while (*pc < tc->nrules) {
		const struct sl_tcpchk_rule *r = &tc->rules[*pc];
		switch (r->op) {
		case SL_TCPCHK_CONNECT:
			break;
		case SL_TCPCHK_SEND:
			*send = r;
			(*pc)++;
			return SL_TCPCHK_DO_SEND;
		case SL_TCPCHK_EXPECT: {
			bool m = sl_tcpchk_match(r, rx, len, md);
			if (!m && !last_read) {
				/* wait from the first expect of this run: they all see the same
				 * bytes, as HAProxy's expect.head */
				while (*pc > 0 && tc->rules[*pc - 1].op == SL_TCPCHK_EXPECT)
					(*pc)--;
				return SL_TCPCHK_DO_WAIT;
			}
			if (m == r->neg) {
				*st = SL_CHK_L7RSP;
				return SL_TCPCHK_DO_DONE;
			}
			break;
		}
		}
		last = r->op;
		(*pc)++;
	}
	*st = last == SL_TCPCHK_CONNECT ? SL_CHK_L4OK : SL_CHK_L7OK;
	return SL_TCPCHK_DO_DONE;
}

uint16_t sl_tcpchk_port(const struct sl_tcpchk *tc, uint16_t srv_port)
{
	for (unsigned k = 0; tc != NULL && k < tc->nrules; k++)
		if (tc->rules[k].op == SL_TCPCHK_CONNECT && tc->rules[k].port != 0)
			return tc->rules[k].port;
	return srv_port;
}
