/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks, HAProxy's logic without the network: WHEN to probe each server and WHAT a
 * probe's result means. The probes themselves are run by the caller (L4 probes and HTTP checks
 * on the packet lcores, controlplane/check_sched.c); it reports each outcome as one of HAProxy's check_status codes, and gets back
 * event flags ("state changed", "shut the server's sessions down", ...) to act upon.
 *
 * Model (HAProxy's, src/server.c + src/check.c):
 *  - an operational state: UP (SRV_ST_RUNNING), NOLB (SRV_ST_STOPPING: only persistent traffic,
 *    after "http-check disable-on-404" saw a 404) or DOWN (SRV_ST_STOPPED);
 *  - admin flags set from the stats socket: MAINT (no traffic, checks paused) and DRAIN (no new
 *    traffic except persistent clients; checks go on);
 *  - a health counter 0 .. rise+fall-1: a failed check decrements it (to 0 as soon as it falls
 *    below rise), a passed one increments it (to rise+fall-1 as soon as it reaches rise). The
 *    server goes DOWN when health reaches 0 and UP when health reaches rise.
 *
 * Times are a virtual clock in milliseconds given by the caller (now_ms); nothing here reads a
 * clock, allocates per check, or keeps global state. One scheduler per thread that runs checks.
 * Pure C (+ PCRE2 for rstatus/rstring), no DPDK.
 */
#ifndef SL_CHECK_H
#define SL_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_srv_params;
struct sl_httpchk;
struct sl_tcpchk;
struct sl_tcpchk_rule;

/* HAProxy's check_status codes (the "check_status" column), in HAProxy's order: the codes after
 * L7RSP carry an HTTP code (check_code), every code after INI carries a duration. */
enum sl_check_status {
	SL_CHK_UNK = 0,  /* "UNK"     Unknown */
	SL_CHK_INI,      /* "INI"     Initializing: no check finished yet */
	SL_CHK_SOCKERR,  /* "SOCKERR" Socket error */
	SL_CHK_L4OK,     /* "L4OK"    Layer4 check passed */
	SL_CHK_L4TOUT,   /* "L4TOUT"  Layer4 timeout */
	SL_CHK_L4CON,    /* "L4CON"   Layer4 connection problem */
	SL_CHK_L6OK,     /* "L6OK"    Layer6 check passed */
	SL_CHK_L6TOUT,   /* "L6TOUT"  Layer6 timeout */
	SL_CHK_L6RSP,    /* "L6RSP"   Layer6 invalid response */
	SL_CHK_L7TOUT,   /* "L7TOUT"  Layer7 timeout */
	SL_CHK_L7RSP,    /* "L7RSP"   Layer7 invalid response */
	SL_CHK_L7OK,     /* "L7OK"    Layer7 check passed */
	SL_CHK_L7OKC,    /* "L7OKC"   Layer7 check conditionally passed (disable-on-404) */
	SL_CHK_L7STS,    /* "L7STS"   Layer7 wrong status */
	SL_CHK_NSTATUS
};

/* What a status means for the health counter (HAProxy's CHK_RES_*). */
enum sl_check_res {
	SL_CHK_RES_UNKNOWN = 0, /* UNK, INI: no verdict */
	SL_CHK_RES_PASSED,
	SL_CHK_RES_CONDPASS,    /* passed, but asks for NOLB (L7OKC) */
	SL_CHK_RES_FAILED,
};

/* Operational state (HAProxy's SRV_ST_*; STARTING/slowstart is folded into UP). */
enum sl_check_op { SL_CHK_OP_DOWN = 0, SL_CHK_OP_UP, SL_CHK_OP_NOLB };

/* Admin flags (HAProxy's SRV_ADMF_FMAINT / SRV_ADMF_FDRAIN). */
#define SL_CHK_ADM_MAINT 0x1u
#define SL_CHK_ADM_DRAIN 0x2u

/* "set server B/S state ready|drain|maint" ("enable server" = ready, "disable server" = maint). */
enum sl_check_admin_cmd { SL_CHK_SET_READY, SL_CHK_SET_DRAIN, SL_CHK_SET_MAINT };

/* Event flags returned by the functions that change a server. */
#define SL_CHK_EV_CHANGED   0x01u /* state or admin changed: rebuild the L4 tables / LB weights */
#define SL_CHK_EV_DOWN      0x02u /* the server went DOWN (checks or MAINT) */
#define SL_CHK_EV_UP        0x04u /* the server went UP */
#define SL_CHK_EV_NOLB      0x08u /* the server went NOLB (disable-on-404) */
#define SL_CHK_EV_SHUTDOWN  0x10u /* "on-marked-down shutdown-sessions": reset this server's flows */
#define SL_CHK_EV_SHUTDOWN_BACKUPS 0x20u /* "on-marked-up shutdown-backup-sessions": reset the
					   * flows of every backup server of the backend */

#define SL_CHK_INFO_LEN 96

/* One server's check state. Caller-owned (e.g. an array per backend); the scheduler keeps
 * pointers to it, so it must not move while scheduled. Read the fields freely; change them only
 * through the functions below. */
struct sl_check_srv {
	/* configuration (copied from struct sl_srv_params by sl_check_srv_init) */
	bool check;        /* "check": health checks enabled */
	int inter, fastinter, downinter; /* ms; fastinter/downinter 0 = inter */
	int rise, fall;
	int weight;
	bool backup;
	bool shutdown_on_down;      /* on-marked-down shutdown-sessions */
	bool shutdown_backup_on_up; /* on-marked-up shutdown-backup-sessions */

	/* state */
	enum sl_check_op op;
	unsigned admin;    /* SL_CHK_ADM_* */
	int health;        /* 0 .. rise+fall-1 */
	bool in_progress;  /* handed out by sl_check_due(), no result yet ("* " in check_status) */
	enum sl_check_status status; /* last status (INI before the first check) */
	int code;          /* last HTTP status (meaningful for L7OK/L7OKC/L7STS only) */
	uint64_t duration_ms; /* duration of the last check */
	char info[SL_CHK_INFO_LEN]; /* last check's detail (HAProxy's check->desc, "last_chk") */

	/* counters, as "show stat" shows them */
	uint64_t chkfail;  /* failed checks (while health > 0, as HAProxy counts them) */
	uint64_t chkdown;  /* UP -> DOWN transitions */
	uint64_t last_change_s; /* time of the last state change, seconds of the virtual clock */
	uint64_t down_time_s;   /* seconds spent DOWN before the current state */

	/* scheduling (private) */
	uint64_t next_ms;  /* next check time */
	uint64_t start_ms; /* start of the check in progress */
	size_t heap_idx;   /* position in the scheduler's heap, SIZE_MAX when not in it */
	uint32_t seq;      /* tie-break between equal times: order of sl_check_sched_start */
};

/* The check scheduler: a binary min-heap of servers keyed by next check time. */
struct sl_check_sched {
	struct sl_check_srv **heap;
	size_t n, cap;
	int spread_checks; /* global "spread-checks" percent, 0..50 */
	int max_spread_ms; /* global "max-spread-checks", 0 = none */
	uint64_t rng;      /* xorshift64* state for the spread-checks jitter */
	uint32_t nseq;
};

/* ---------------------------------------------------------------- status codes */

/* Accepts a status; returns HAProxy's short name ("L7OK") or "UNK" when out of range. */
const char *sl_check_status_str(enum sl_check_status st);

/* Accepts a status; returns HAProxy's description ("Layer7 check passed", the check_desc
 * column) or "Unknown". */
const char *sl_check_status_desc(enum sl_check_status st);

/* Accepts a status; returns whether it passes, conditionally passes, fails or is no verdict. */
enum sl_check_res sl_check_status_result(enum sl_check_status st);

/* Accepts a status; returns whether HAProxy shows a check_code with it (L7OK, L7OKC, L7STS). */
bool sl_check_status_has_code(enum sl_check_status st);

/* ---------------------------------------------------------------- servers */

/* Initialises a server's check state from its configuration at time now_ms (start-up or a new
 * configuration): a checked server starts UP with health = rise and status INI (HAProxy's start,
 * shown "UP 1/fall" until the first check passes, and a single failure takes it DOWN); a
 * "disabled" server starts in MAINT, DOWN, health 0, checks paused. Called by whoever builds
 * the per-server state from struct sl_server (main lcore). */
void sl_check_srv_init(struct sl_check_srv *s, const struct sl_srv_params *p, uint64_t now_ms);

/*
 * A reload: @s was just initialised from the new configuration (sl_check_srv_init); carries over
 * what @old (the same server in the running configuration) knows: its counters always, and its
 * state (UP/DOWN, health clamped to the new rise + fall, admin state set at run time, the last
 * check's result) unless `disabled` was added or removed in the file (the file decides then).
 * Not scheduled: the caller schedules @s afterwards.
 */
void sl_check_srv_carry(struct sl_check_srv *s, const struct sl_check_srv *old, bool old_disabled,
			bool now_disabled);

/* Accepts a server; returns the interval to its next check, HAProxy's srv_getinter(): inter at
 * full health, downinter (else inter) when DOWN with health 0, fastinter (else inter) in
 * between (UP going down, DOWN going up). */
int sl_check_srv_interval(const struct sl_check_srv *s);

/* Writes the "status" column as HAProxy prints it ("UP", "UP 2/3", "DOWN", "DOWN 1/2", "NOLB",
 * "NOLB 1/3", "DRAIN", "DRAIN 1/3", "MAINT", "no check") into buf (size n, NUL-terminated);
 * returns buf. Called by the stats code for each server row. */
const char *sl_check_srv_status_text(const struct sl_check_srv *s, char *buf, size_t n);

/* Writes the "check_status" column into buf: "" when checks are off or paused (MAINT),
 * otherwise the status short name, prefixed with "* " while a check is in progress; returns buf. */
const char *sl_check_srv_check_status(const struct sl_check_srv *s, char *buf, size_t n);

/* Accepts a server and now_ms; returns "lastchg": seconds since the last state change. */
uint64_t sl_check_srv_lastchg(const struct sl_check_srv *s, uint64_t now_ms);

/* Accepts a server and now_ms; returns "downtime": total seconds spent DOWN (MAINT included,
 * as in HAProxy, where maintenance is the stopped state). */
uint64_t sl_check_srv_downtime(const struct sl_check_srv *s, uint64_t now_ms);

/* Accepts a server; returns whether it takes new, non-persistent traffic (HAProxy's
 * srv_currently_usable(): UP, not MAINT, not DRAIN, weight > 0). */
bool sl_check_srv_usable(const struct sl_check_srv *s);

/* Accepts a server; returns whether a persistent client (cookie, stick) may still reach it:
 * UP or NOLB, DRAIN allowed, not MAINT, not DOWN. */
bool sl_check_srv_accepts_persistent(const struct sl_check_srv *s);

/* Decides a backend's rotation: in_rot[i] = true for the usable active servers, or, when none is
 * usable, for the first usable backup (or every usable backup with allbackups, "option
 * allbackups"). srvs[i] may be NULL (skipped). Returns the number of servers in rotation.
 * Called by whoever builds the L4 tables / LB state after an SL_CHK_EV_CHANGED. */
size_t sl_check_rotation(const struct sl_check_srv *const *srvs, size_t n, bool allbackups,
			 bool *in_rot);

/* ---------------------------------------------------------------- admin (stats socket) */

/* Applies "set server B/S state ready|drain|maint" to s at now_ms, HAProxy's way: maint pauses
 * checks, sets health 0 and takes a running server DOWN (chkdown++, shutdown-sessions flag);
 * leaving maint sets health = rise and UP again ("start OK but check immediately": the first
 * failure takes it DOWN); drain keeps the state and checks. Returns SL_CHK_EV_* flags (0 when
 * nothing changed). sched may be NULL when s is not scheduled. Called by the stats socket
 * command handlers (main lcore). */
unsigned sl_check_set_admin(struct sl_check_sched *sched, struct sl_check_srv *s,
			    enum sl_check_admin_cmd cmd, uint64_t now_ms);

/* ---------------------------------------------------------------- scheduling */

/* Initialises a scheduler with the global spread-checks percent (0..50), max-spread-checks (ms,
 * 0 = none) and a seed for the jitter. Returns 0. Called once per checking thread. */
int sl_check_sched_init(struct sl_check_sched *sc, int spread_checks, int max_spread_ms,
			uint64_t seed);

/* Frees the scheduler's heap (not the servers). */
void sl_check_sched_free(struct sl_check_sched *sc);

/* Schedules the first check of every checked server of srvs[0..n) (NULL entries and servers
 * without "check" are skipped), spreading them over the longest interval as HAProxy's
 * start_checks() does: the k-th of N checks at now + mininter * k / N, mininter being the
 * largest sl_check_srv_interval() of them (capped by max-spread-checks). May be called again
 * for more servers (e.g. a new backend). Returns 0, or -ENOMEM. */
int sl_check_sched_start(struct sl_check_sched *sc, struct sl_check_srv *const *srvs, size_t n,
			 uint64_t now_ms);

/* Removes s from the scheduler (server deleted, or its checks turned off). */
void sl_check_sched_remove(struct sl_check_sched *sc, struct sl_check_srv *s);

/* Pops up to max servers whose check is due at now_ms (next_ms <= now_ms), earliest first, into
 * out, marks each in progress (start_ms = now_ms) and returns their count: the caller starts a
 * probe for each and later reports it with sl_check_report(). Servers in MAINT are not handed
 * out: their timer keeps running on the inter grid (HAProxy's paused check task). O(k log n).
 * Called by the checking loop each tick. */
size_t sl_check_due(struct sl_check_sched *sc, uint64_t now_ms, struct sl_check_srv **out,
		    size_t max);

/* Returns the earliest next check time, UINT64_MAX when nothing is scheduled (for sleeping). */
uint64_t sl_check_next_ms(const struct sl_check_sched *sc);

/* ---------------------------------------------------------------- results */

/* Reports the outcome of s's check at now_ms: status, HTTP code (0 if none) and a detail text
 * (NULL = none). Records status/code/duration (now - start), updates health, chkfail, the state
 * (fall failures: DOWN, chkdown++; rise successes: UP; L7OKC: NOLB) and schedules the next
 * check at now + sl_check_srv_interval() (+/- spread-checks jitter). A result arriving while in
 * MAINT is recorded but changes nothing. Returns SL_CHK_EV_* flags. Called by the probe code
 * when a check finishes or times out. */
unsigned sl_check_report(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t now_ms,
			 enum sl_check_status st, int code, const char *info);

/* Gives up on s's check in progress whose result never came (a message lost between lcores: a
 * full ring): no verdict, the health and state unchanged, the next check at now + interval, as
 * if the check had not been due. Returns true when s was in progress. Called by the checking
 * loop for a check started more than its timeout plus a margin ago. */
bool sl_check_lost(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t now_ms);

/* Evaluates an HTTP check response against the backend's httpchk settings: disable-on-404 (a
 * 404 from a server that is not DOWN: L7OKC), then "http-check expect [!] status|rstatus|string|
 * rstring", else the default (2xx/3xx: L7OK, other: L7STS). code is the status code, reason
 * the reason phrase (may be NULL), body/len the body bytes. Writes HAProxy's detail text into
 * info (size infosz, may be 0). Returns the status (L7OK, L7OKC, L7STS or L7RSP). */
enum sl_check_status sl_check_http_eval(const struct sl_httpchk *chk, bool srv_down, int code,
					const char *reason, const void *body, size_t len,
					char *info, size_t infosz);

/* sl_check_http_eval() for s's response then sl_check_report(); returns SL_CHK_EV_* flags.
 * Called by the HTTP probe code when a response is complete. */
unsigned sl_check_report_http(struct sl_check_sched *sc, struct sl_check_srv *s, uint64_t now_ms,
			      const struct sl_httpchk *chk, int code, const char *reason,
			      const void *body, size_t len);

/* Matches code against an "http-check expect status" list: "200", "200-399", "200,302,400-404".
 * Returns 1 on a match, 0 otherwise, -1 when the list is malformed. */
int sl_check_status_list_match(const char *list, int code);

/* ---------------------------------------------------------------- tcp-check */

/* Whether the received bytes rx/len match @r's pattern (an expect rule: string or binary
 * anywhere in them, rstring a PCRE2 search), before its `!`. @md is a pcre2_match_data * the
 * caller made once (sl_tcpchk_md_new), reused for every check: nothing is allocated here. */
bool sl_tcpchk_match(const struct sl_tcpchk_rule *r, const void *rx, size_t len, void *md);

/* A match data for sl_tcpchk_match (one per check slot, made at start-up), and its release. */
void *sl_tcpchk_md_new(void);
void sl_tcpchk_md_free(void *md);

/* What the check runner does next (sl_tcpchk_step). */
enum sl_tcpchk_do {
	SL_TCPCHK_DO_SEND, /* send (*send)->data/len, empty the receive buffer, call again */
	SL_TCPCHK_DO_WAIT, /* wait for more bytes (or the peer's close), then call again */
	SL_TCPCHK_DO_DONE, /* the check is over: report *st */
};

/*
 * Runs @tc's rules from *pc (0 after the connection is up) over what was received since the
 * last send (rx/len; last_read: the peer closed or the buffer is full, nothing more will come),
 * HAProxy's tcpcheck_main(): connect rules are passed (the connection is up), a send is handed
 * to the caller, consecutive expects are evaluated on the same bytes; an expect that does not
 * match ([!] inverts) waits for more bytes, and fails (L7RSP) once nothing more will come. At
 * the end: L7OK when the last rule run was an expect or a send, L4OK when it was the connect.
 * *pc is left on the rule to resume from. @md: see sl_tcpchk_match.
 */
enum sl_tcpchk_do sl_tcpchk_step(const struct sl_tcpchk *tc, unsigned *pc, const void *rx,
				 size_t len, bool last_read, void *md,
				 const struct sl_tcpchk_rule **send, enum sl_check_status *st);

/* The port @tc connects to: its connect rule's `port`, else @srv_port. */
uint16_t sl_tcpchk_port(const struct sl_tcpchk *tc, uint16_t srv_port);

#endif
