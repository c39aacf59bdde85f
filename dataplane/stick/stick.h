/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stick tables: HAProxy's `stick-table type ip size N expire T store ...`, one fixed block of
 * entries keyed by a client IPv4 address, for persistence (`stick on src`: the server a client
 * reached, its server_id) and per-source counters (`track-sc0 src`: conn_cur, conn_cnt,
 * conn_rate, http_req_cnt, http_req_rate, gpc0, gpc0_rate).
 *
 * Layout: ceil(size / SL_STK_WAYS) sets of SL_STK_WAYS entries (set associative, like a CPU
 * cache); a key lives in the set its hash names, in any way of it. Every entry is allocated at
 * load (sl_stk_table_new()): nothing is allocated per packet. When a set is full, the entry
 * of that set whose expiry comes first and that no connection tracks is purged (HAProxy purges
 * the oldest entries of the whole table; sluice the oldest of the set: counted in `purged`);
 * when every entry of the set is tracked, nothing is created (`full`), as HAProxy does when
 * nothing can be purged. Expired entries count as absent and their ways are reused.
 *
 * Sharing (the documented exception to the channels rule, docs/architecture.md): one table is
 * read and written by every worker and proxy lcore at once, because `stick on src` must send a
 * client to the same server whichever lcore RSS gave its connection (the NIC hashes the
 * 4-tuple, so one client's connections land on every lcore), and that decision is taken at the
 * SYN, where waiting for another lcore through a ring is not possible. No lock: each entry's key
 * word is claimed with a compare-and-swap (its version bits make a reused way a different key,
 * so a stale reference never writes into another client's entry); counters are atomic adds;
 * the server a key sticks to is set once with a compare-and-swap from 0 (the first lcore to
 * store wins; the others adopt its choice); rates are HAProxy's freq counters, rotated with a
 * compare-and-swap. Two lcores creating the same new key at the same instant in two ways of its
 * set both see the other (sequentially consistent CAS then load): the one that sees a twin
 * gives its way back, waits a little (longer for a higher way) and looks again; after
 * 8 attempts the call gives up (the caller then balances as without a table). Readers: the same lcores, and main for `show table`
 * (relaxed loads: a moment old). Writers: packet lcores; main only for `clear table`.
 *
 * Time is the caller's millisecond clock (32 bits, wrapping: every comparison is a signed
 * difference).
 *
 * Pure C: no DPDK. tests/unit/dataplane/stick/test_stick.c; tools/bench/bench_stick.c.
 */
#ifndef SL_STICK_H
#define SL_STICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_STK_WAYS 8

/* What an entry may store (`store` of the stick-table line; server_id is implied by stick
 * rules, as HAProxy does). */
enum sl_stk_data {
	SL_STK_SERVER_ID,
	SL_STK_CONN_CUR,
	SL_STK_CONN_CNT,
	SL_STK_CONN_RATE,
	SL_STK_HTTP_REQ_CNT,
	SL_STK_HTTP_REQ_RATE,
	SL_STK_GPC0,
	SL_STK_GPC0_RATE,
	SL_STK_NDATA
};

/* The name HAProxy gives @d ("http_req_rate"), NULL when out of range. */
const char *sl_stk_data_name(enum sl_stk_data d);
/* The data type named @name, -1 when none. Whether it takes a period: sl_stk_data_is_rate(). */
int sl_stk_data_find(const char *name);
bool sl_stk_data_is_rate(enum sl_stk_data d);

/* HAProxy's freq_ctr: events in the current period and the previous one. One 64-bit word holds
 * the period's start (high 32 bits, ms) and its count (low 32 bits), so a rotation is one CAS. */
struct sl_stk_frq {
	uint64_t tc;
	uint32_t prev;
};

/* One entry. key: bit 63 valid, bits 32..62 version (bumped at each claim), bits 0..31 the
 * IPv4 address (host order). */
struct sl_stk_entry {
	uint64_t key;
	uint32_t exp;	    /* ms: when it expires (caller's clock) */
	uint32_t use;	    /* connections tracking it now (HAProxy's ref count, `use=`) */
	uint32_t server_id; /* 0: none stored yet */
	uint32_t conn_cur, conn_cnt, http_req_cnt, gpc0;
	struct sl_stk_frq conn_rate, http_req_rate, gpc0_rate;
};

/* A table's definition, as the configuration gives it. */
struct sl_stk_def {
	uint32_t size;	    /* entries (HAProxy's size); > 0 */
	uint32_t expire_ms; /* 0: entries never expire (purged only when their set is full) */
	uint32_t store;	    /* bit (1 << enum sl_stk_data) per stored type */
	uint32_t period[SL_STK_NDATA]; /* ms, for the rates */
};

struct sl_stk_table {
	struct sl_stk_def def;
	uint32_t nsets;
	struct sl_stk_entry *e; /* nsets * SL_STK_WAYS */
	/* events, written by any lcore with relaxed atomic adds, read by main */
	uint64_t purged;  /* entries purged to make room */
	uint64_t full;	  /* creations refused: every way of the set tracked */
	uint64_t created; /* entries created */
	uint32_t refs;	  /* generations holding it (main lcore only) */
	uint64_t races;	  /* creations that met another lcore's of the same key (and retried) */
};

/* A found or created entry, as a caller keeps it while it tracks it (sl_stk_ref_ok()). */
struct sl_stk_ref {
	struct sl_stk_entry *e;
	uint64_t key; /* the key word when found: the entry is still this key while it equals */
};

/* A new table of @def (copied), every entry allocated now and zeroed. NULL when out of memory
 * or @def->size is 0. Main lcore. */
struct sl_stk_table *sl_stk_table_new(const struct sl_stk_def *def);
void sl_stk_table_free(struct sl_stk_table *t);
/* Whether two definitions describe the same table (a reload keeps its entries then). */
bool sl_stk_def_same(const struct sl_stk_def *a, const struct sl_stk_def *b);

/* Looks @ip up at time @now. @create: a missing key is created (an existing way reused as the
 * head comment says). Touches the entry's expiry when found or created. Returns whether @r was
 * set. Any lcore. */
bool sl_stk_get(struct sl_stk_table *t, uint32_t ip, uint32_t now, bool create,
		struct sl_stk_ref *r);
/* Whether @r still names the entry it found (not expired nor reused since). */
bool sl_stk_ref_ok(const struct sl_stk_ref *r);

/* The server @r sticks to (0: none). */
uint32_t sl_stk_server(const struct sl_stk_ref *r);
/* Stores @sid as @r's server unless one is stored already, or replaces @old by @sid (@old != 0:
 * the stored server is down, HAProxy then stores the new one). Returns the server the entry
 * holds afterwards (another lcore's when it stored first). */
uint32_t sl_stk_store_server(const struct sl_stk_ref *r, uint32_t old, uint32_t sid);

/* Tracking (HAProxy's stream_track_stkctr()): use, conn_cur, conn_cnt and conn_rate grow, and
 * the expiry is touched. sl_stk_untrack() when the connection ends: use and conn_cur shrink
 * (nothing when the entry was reused meanwhile). */
void sl_stk_track(struct sl_stk_table *t, const struct sl_stk_ref *r, uint32_t now);
void sl_stk_untrack(const struct sl_stk_ref *r);
/* One more HTTP request (http_req_cnt, http_req_rate). */
void sl_stk_http_req(struct sl_stk_table *t, const struct sl_stk_ref *r, uint32_t now);
/* gpc0 + 1 (and gpc0_rate); returns the new gpc0 (0 when not stored). */
uint64_t sl_stk_inc_gpc0(struct sl_stk_table *t, const struct sl_stk_ref *r, uint32_t now);

/* The value of data @d of @r at @now; false when the table does not store it (HAProxy's fetch
 * then returns no sample). Rates are per their period. */
bool sl_stk_read(const struct sl_stk_table *t, const struct sl_stk_ref *r, enum sl_stk_data d,
		 uint32_t now, uint64_t *v);

/* HAProxy's freq counters over @period ms at @now: add @inc; read the rate (the current
 * period's count plus the previous one's weighted by what remains of the current period). */
void sl_stk_frq_add(struct sl_stk_frq *f, uint32_t period, uint32_t now, uint32_t inc);
uint32_t sl_stk_frq_read(const struct sl_stk_frq *f, uint32_t period, uint32_t now);

/* Walks the live entries (not expired at @now) in table order: @fn gets each; stops when it
 * returns false. Returns the number of live entries seen. Main lcore (show table). */
unsigned sl_stk_walk(const struct sl_stk_table *t, uint32_t now,
		     bool (*fn)(void *arg, const struct sl_stk_entry *e, uint32_t ip), void *arg);
/* Entries live at @now. */
unsigned sl_stk_used(const struct sl_stk_table *t, uint32_t now);
/* Removes the entry of @ip (@all: every entry) that no connection tracks; returns how many
 * went. Main lcore (clear table), while packet lcores run. */
unsigned sl_stk_clear(struct sl_stk_table *t, bool all, uint32_t ip);

#endif
