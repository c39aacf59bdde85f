/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The statistics model that every renderer of the operator channel uses: HAProxy 2.6's "show stat"
 * rows (one per frontend, listener, server and backend) made of typed fields indexed by HAProxy's
 * column numbers, and the "show info" fields; renderers for HAProxy's CSV, "typed" and JSON
 * formats; the "show stat" / "show info" commands; and the rows a configuration gives at startup.
 *
 * Rows are plain arrays the caller owns: build them with sl_stats_rows_from_cfg() (or
 * sl_stats_row_init()), then update any field of any row with sl_stats_set_*() as counters come
 * from the dataplane. String fields are copied (freed by sl_stats_row_clear() / _rows_free()).
 *
 * Pure C, no DPDK, no global state.
 */
#ifndef SL_STATS_MODEL_H
#define SL_STATS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/outbuf.h"

struct sl_cfg;

/* What a row describes: HAProxy's STATS_TYPE_* values (the "type" column). */
enum sl_stats_obj { SL_STATS_FE = 0, SL_STATS_BE = 1, SL_STATS_SRV = 2, SL_STATS_LI = 3 };

/* The columns of "show stat", in HAProxy 2.6's order (the CSV header, the "typed" positions). */
enum sl_stats_col {
	SL_ST_PXNAME = 0,
	SL_ST_SVNAME,
	SL_ST_QCUR,
	SL_ST_QMAX,
	SL_ST_SCUR,
	SL_ST_SMAX,
	SL_ST_SLIM,
	SL_ST_STOT,
	SL_ST_BIN,
	SL_ST_BOUT,
	SL_ST_DREQ,
	SL_ST_DRESP,
	SL_ST_EREQ,
	SL_ST_ECON,
	SL_ST_ERESP,
	SL_ST_WRETR,
	SL_ST_WREDIS,
	SL_ST_STATUS,
	SL_ST_WEIGHT,
	SL_ST_ACT,
	SL_ST_BCK,
	SL_ST_CHKFAIL,
	SL_ST_CHKDOWN,
	SL_ST_LASTCHG,
	SL_ST_DOWNTIME,
	SL_ST_QLIMIT,
	SL_ST_PID,
	SL_ST_IID,
	SL_ST_SID,
	SL_ST_THROTTLE,
	SL_ST_LBTOT,
	SL_ST_TRACKED,
	SL_ST_TYPE,
	SL_ST_RATE,
	SL_ST_RATE_LIM,
	SL_ST_RATE_MAX,
	SL_ST_CHECK_STATUS,
	SL_ST_CHECK_CODE,
	SL_ST_CHECK_DURATION,
	SL_ST_HRSP_1XX,
	SL_ST_HRSP_2XX,
	SL_ST_HRSP_3XX,
	SL_ST_HRSP_4XX,
	SL_ST_HRSP_5XX,
	SL_ST_HRSP_OTHER,
	SL_ST_HANAFAIL,
	SL_ST_REQ_RATE,
	SL_ST_REQ_RATE_MAX,
	SL_ST_REQ_TOT,
	SL_ST_CLI_ABRT,
	SL_ST_SRV_ABRT,
	SL_ST_COMP_IN,
	SL_ST_COMP_OUT,
	SL_ST_COMP_BYP,
	SL_ST_COMP_RSP,
	SL_ST_LASTSESS,
	SL_ST_LAST_CHK,
	SL_ST_LAST_AGT,
	SL_ST_QTIME,
	SL_ST_CTIME,
	SL_ST_RTIME,
	SL_ST_TTIME,
	SL_ST_AGENT_STATUS,
	SL_ST_AGENT_CODE,
	SL_ST_AGENT_DURATION,
	SL_ST_CHECK_DESC,
	SL_ST_AGENT_DESC,
	SL_ST_CHECK_RISE,
	SL_ST_CHECK_FALL,
	SL_ST_CHECK_HEALTH,
	SL_ST_AGENT_RISE,
	SL_ST_AGENT_FALL,
	SL_ST_AGENT_HEALTH,
	SL_ST_ADDR,
	SL_ST_COOKIE,
	SL_ST_MODE,
	SL_ST_ALGO,
	SL_ST_CONN_RATE,
	SL_ST_CONN_RATE_MAX,
	SL_ST_CONN_TOT,
	SL_ST_INTERCEPTED,
	SL_ST_DCON,
	SL_ST_DSES,
	SL_ST_WREW,
	SL_ST_CONNECT,
	SL_ST_REUSE,
	SL_ST_CACHE_LOOKUPS,
	SL_ST_CACHE_HITS,
	SL_ST_SRV_ICUR,
	SL_ST_SRC_ILIM,
	SL_ST_QTIME_MAX,
	SL_ST_CTIME_MAX,
	SL_ST_RTIME_MAX,
	SL_ST_TTIME_MAX,
	SL_ST_EINT,
	SL_ST_IDLE_CONN_CUR,
	SL_ST_SAFE_CONN_CUR,
	SL_ST_USED_CONN_CUR,
	SL_ST_NEED_CONN_EST,
	SL_ST_UWEIGHT,
	SL_ST_AGG_SERVER_STATUS,
	SL_ST_AGG_SERVER_CHECK_STATUS,
	SL_ST_AGG_CHECK_STATUS,
	/* columns of the statistics modules (ssl, h2, h1), after the "-" column of the CSV */
	SL_ST_SSL_SESS,
	SL_ST_SSL_REUSED_SESS,
	SL_ST_SSL_FAILED_HANDSHAKE,
	SL_ST_H2_HEADERS_RCVD,
	SL_ST_H2_DATA_RCVD,
	SL_ST_H2_SETTINGS_RCVD,
	SL_ST_H2_RST_STREAM_RCVD,
	SL_ST_H2_GOAWAY_RCVD,
	SL_ST_H2_DETECTED_CONN_PROTOCOL_ERRORS,
	SL_ST_H2_DETECTED_STRM_PROTOCOL_ERRORS,
	SL_ST_H2_RST_STREAM_RESP,
	SL_ST_H2_GOAWAY_RESP,
	SL_ST_H2_OPEN_CONNECTIONS,
	SL_ST_H2_BACKEND_OPEN_STREAMS,
	SL_ST_H2_TOTAL_CONNECTIONS,
	SL_ST_H2_BACKEND_TOTAL_STREAMS,
	SL_ST_H1_OPEN_CONNECTIONS,
	SL_ST_H1_OPEN_STREAMS,
	SL_ST_H1_TOTAL_CONNECTIONS,
	SL_ST_H1_TOTAL_STREAMS,
	SL_ST_H1_BYTES_IN,
	SL_ST_H1_BYTES_OUT,
	SL_ST_H1_SPLICED_BYTES_IN,
	SL_ST_H1_SPLICED_BYTES_OUT,
	SL_ST_NFIELDS
};

/* Standard columns: the CSV prints "-" after them, then the module columns. */
#define SL_ST_NSTD (SL_ST_AGG_CHECK_STATUS + 1)

/* The type of a field's value (HAProxy's FF_*). A column always stores the same type. */
enum sl_stats_ftype { SL_FT_EMPTY, SL_FT_U32, SL_FT_S32, SL_FT_U64, SL_FT_S64, SL_FT_STR };

/* One field: empty (printed as nothing), an integer, or an owned string. */
struct sl_stats_field {
	enum sl_stats_ftype type;
	union {
		uint64_t u; /* SL_FT_U32, SL_FT_U64 */
		int64_t s;  /* SL_FT_S32, SL_FT_S64 */
		char *str;  /* SL_FT_STR, malloc()ed */
	} v;
};

/* One "show stat" line. */
struct sl_stats_row {
	enum sl_stats_obj obj;
	struct sl_stats_field f[SL_ST_NFIELDS];
};

/* ---------------------------------------------------------------- columns */

/* HAProxy's name of a column ("scur"), or NULL for an invalid column. */
const char *sl_stats_col_name(int col);

/* The column named @name, or -1. */
int sl_stats_col_by_name(const char *name);

/* The value type HAProxy uses for a column (SL_FT_EMPTY for an invalid column). */
enum sl_stats_ftype sl_stats_col_type(int col);

/* HAProxy's three tag letters (origin, nature, scope: "MCP") of a column in a row of kind @obj,
 * or "???" for an invalid column. */
const char *sl_stats_col_tags(int col, enum sl_stats_obj obj);

/* ---------------------------------------------------------------- rows */

/* Makes @r a row of kind @obj with every field empty except "type". Accepts uninitialized memory.
 */
void sl_stats_row_init(struct sl_stats_row *r, enum sl_stats_obj obj);

/* Frees the strings of @r and empties every field except "type". */
void sl_stats_row_clear(struct sl_stats_row *r);

/*
 * Sets an integer column. Accepts the row, the column and the value, stored in the column's type
 * (u32 columns saturate at UINT32_MAX, s32 ones at INT32_MIN/MAX). Returns 0, or -EINVAL for an
 * invalid column, a string column, or a negative value (set_s) in an unsigned column.
 */
int sl_stats_set_u(struct sl_stats_row *r, int col, uint64_t v);
int sl_stats_set_s(struct sl_stats_row *r, int col, int64_t v);

/* Sets a string column to a copy of @s (NULL empties it). Returns 0, -EINVAL for an invalid or
 * non-string column, or -ENOMEM (the field is then empty). */
int sl_stats_set_str(struct sl_stats_row *r, int col, const char *s);

/* Empties a column (frees its string). Invalid columns are ignored. */
void sl_stats_set_empty(struct sl_stats_row *r, int col);

/* The value of an integer column (0 when empty, a string or invalid; negative s32/s64 values
 * are returned as 0). */
uint64_t sl_stats_get_u(const struct sl_stats_row *r, int col);

/* The value of a string column, or NULL when it is empty, not a string or invalid. */
const char *sl_stats_get_str(const struct sl_stats_row *r, int col);

/* The row whose pxname is @px and svname is @sv ("FRONTEND", "BACKEND" or a server), or NULL. */
struct sl_stats_row *sl_stats_find(struct sl_stats_row *rows, size_t n, const char *px,
				   const char *sv);

/*
 * Builds the rows of a freshly started configuration, in HAProxy's order: for each proxy in file
 * order, its FRONTEND row (frontends and listens), then its server rows and its BACKEND row
 * (backends and listens). Values are those HAProxy 2.6 shows right after startup: status "OPEN"
 * for frontends; for servers "no check", "UP" (or "UP 1/<fall>" while the first checks have
 * not run, with check_status "INI") or "MAINT" (disabled); weight, act, bck, slim (maxconn),
 * qlimit (maxqueue), addr, cookie, check_rise/fall/health; for backends the summed weight, the
 * usable active and backup server counts, slim = fullconn (10% of the maxconn of the frontends
 * using it when not set), algo, cookie; mode, pid=1, iid, sid, type; every counter 0 and the
 * columns HAProxy leaves empty for that kind of row empty. iid is the proxy's id, plus one when
 * the global section declares a stats socket (HAProxy numbers its CLI proxy first).
 * Accepts the configuration and where to store the array (caller frees with sl_stats_rows_free())
 * and its length. Returns 0, or -ENOMEM.
 */
int sl_stats_rows_from_cfg(const struct sl_cfg *cfg, struct sl_stats_row **rows, size_t *n);

/* Frees an array of @n rows and their strings. NULL is accepted. */
void sl_stats_rows_free(struct sl_stats_row *rows, size_t n);

/* ---------------------------------------------------------------- rendering */

enum sl_stats_fmt { SL_STATS_FMT_CSV, SL_STATS_FMT_TYPED, SL_STATS_FMT_JSON };

/* Which rows "show stat" prints (HAProxy's "show stat <iid> <type> <sid>", "up", "no-maint"). */
struct sl_stats_filter {
	int64_t iid;	 /* -1: every proxy */
	unsigned types;	 /* bit (1 << obj) set: rows of that kind are shown */
	int64_t sid;	 /* -1: every server / listener (FRONTEND and BACKEND rows are not
			  * filtered by it) */
	bool hide_down;	 /* "up": hide servers in maintenance or down */
	bool hide_maint; /* "no-maint": hide servers in maintenance */
};

/* A filter that shows everything. */
void sl_stats_filter_init(struct sl_stats_filter *f);

/*
 * Renders rows: CSV (the header, then one line per row, every field followed by ',', empty
 * fields empty, strings quoted only when they contain ',', '"' or a line break), "typed" (one
 * "F.iid.sid.pos.name.1:TAGS:type:value" line per non-empty field) or JSON (an array of rows,
 * each an array of field objects, as HAProxy 2.6). With hide_down / hide_maint, BACKEND rows get
 * " (up/total)" after their status, as HAProxy. Accepts the rows, their number, the format, a
 * filter (NULL: all) and the output. Returns the number of rows printed, or -ENOSPC when @out
 * hit its cap.
 */
int sl_stats_render(const struct sl_stats_row *rows, size_t n, enum sl_stats_fmt fmt,
		    const struct sl_stats_filter *flt, struct sl_outbuf *out);

/* sl_stats_render() in CSV of every row. Same returns. */
int sl_stats_render_csv(const struct sl_stats_row *rows, size_t n, struct sl_outbuf *out);

/*
 * The "show stat" command, as HAProxy 2.6 parses it:
 * "show stat [{<iid>|<proxy>} <type> <sid>] [typed|json] [desc] [up|no-maint]" (the filter
 * triple only counts when all three are there; the last format word wins; "desc" is accepted and
 * ignored). Accepts the rows, their number and the command's words (argv[0] = "show").
 * Returns 0 (an unknown proxy prints "No such proxy."), or -ENOSPC.
 */
int sl_stats_cmd_show_stat(const struct sl_stats_row *rows, size_t n, int argc, char **argv,
			   struct sl_outbuf *out);

/*
 * "show stat" straight from a configuration: builds the startup rows (sl_stats_rows_from_cfg()),
 * runs sl_stats_cmd_show_stat() on them and frees them. For a daemon without live counters yet;
 * one that has them keeps its rows and calls sl_stats_cmd_show_stat(). Returns 0, -ENOMEM (with
 * a message printed) or -ENOSPC.
 */
int sl_stats_show_stat(const struct sl_cfg *cfg, int argc, char **argv, struct sl_outbuf *out);

/* ---------------------------------------------------------------- show info */

/* The fields of "show info", in HAProxy 2.6's order. */
enum sl_stats_info_field {
	SL_INF_NAME = 0,
	SL_INF_VERSION,
	SL_INF_RELEASE_DATE,
	SL_INF_NBTHREAD,
	SL_INF_NBPROC,
	SL_INF_PROCESS_NUM,
	SL_INF_PID,
	SL_INF_UPTIME,
	SL_INF_UPTIME_SEC,
	SL_INF_MEMMAX_MB,
	SL_INF_POOL_ALLOC_MB,
	SL_INF_POOL_USED_MB,
	SL_INF_POOL_FAILED,
	SL_INF_ULIMIT_N,
	SL_INF_MAXSOCK,
	SL_INF_MAXCONN,
	SL_INF_HARD_MAXCONN,
	SL_INF_CURR_CONNS,
	SL_INF_CUM_CONNS,
	SL_INF_CUM_REQ,
	SL_INF_MAX_SSL_CONNS,
	SL_INF_CURR_SSL_CONNS,
	SL_INF_CUM_SSL_CONNS,
	SL_INF_MAXPIPES,
	SL_INF_PIPES_USED,
	SL_INF_PIPES_FREE,
	SL_INF_CONN_RATE,
	SL_INF_CONN_RATE_LIMIT,
	SL_INF_MAX_CONN_RATE,
	SL_INF_SESS_RATE,
	SL_INF_SESS_RATE_LIMIT,
	SL_INF_MAX_SESS_RATE,
	SL_INF_SSL_RATE,
	SL_INF_SSL_RATE_LIMIT,
	SL_INF_MAX_SSL_RATE,
	SL_INF_SSL_FRONTEND_KEY_RATE,
	SL_INF_SSL_FRONTEND_MAX_KEY_RATE,
	SL_INF_SSL_FRONTEND_SESSION_REUSE_PCT,
	SL_INF_SSL_BACKEND_KEY_RATE,
	SL_INF_SSL_BACKEND_MAX_KEY_RATE,
	SL_INF_SSL_CACHE_LOOKUPS,
	SL_INF_SSL_CACHE_MISSES,
	SL_INF_COMPRESS_BPS_IN,
	SL_INF_COMPRESS_BPS_OUT,
	SL_INF_COMPRESS_BPS_RATE_LIM,
	SL_INF_ZLIB_MEM_USAGE,
	SL_INF_MAX_ZLIB_MEM_USAGE,
	SL_INF_TASKS,
	SL_INF_RUN_QUEUE,
	SL_INF_IDLE_PCT,
	SL_INF_NODE,
	SL_INF_DESCRIPTION,
	SL_INF_STOPPING,
	SL_INF_JOBS,
	SL_INF_UNSTOPPABLE_JOBS,
	SL_INF_LISTENERS,
	SL_INF_ACTIVE_PEERS,
	SL_INF_CONNECTED_PEERS,
	SL_INF_DROPPED_LOGS,
	SL_INF_BUSY_POLLING,
	SL_INF_FAILED_RESOLUTIONS,
	SL_INF_TOTAL_BYTES_OUT,
	SL_INF_TOTAL_SPLICDED_BYTES_OUT,
	SL_INF_BYTES_OUT_RATE,
	SL_INF_DEBUG_COMMANDS_ISSUED,
	SL_INF_CUM_RECV_LOGS,
	SL_INF_BUILD_INFO,
	SL_INF_MEMMAX_BYTES,
	SL_INF_POOL_ALLOC_BYTES,
	SL_INF_POOL_USED_BYTES,
	SL_INF_START_TIME_SEC,
	SL_INF_TAINTED,
	SL_INF_NFIELDS
};

struct sl_stats_info {
	struct sl_stats_field f[SL_INF_NFIELDS];
};

/* Empties every field. Accepts uninitialized memory. */
void sl_stats_info_init(struct sl_stats_info *inf);

/* Sets an integer / string field (same rules and returns as sl_stats_set_u/_s/_str). */
int sl_stats_info_set_u(struct sl_stats_info *inf, int field, uint64_t v);
int sl_stats_info_set_str(struct sl_stats_info *inf, int field, const char *s);

/* Frees the strings; every field is empty again. */
void sl_stats_info_free(struct sl_stats_info *inf);

/* HAProxy's name of an info field ("CurrConns"), or NULL. */
const char *sl_stats_info_name(int field);

/*
 * Renders "show info": "Name: value" lines for the non-empty fields (SL_STATS_FMT_CSV means this
 * plain form), "pos.Name.1:TAGS:type:value" lines (typed), or a JSON array of field objects.
 * Returns 0, or -ENOSPC.
 */
int sl_stats_info_render(const struct sl_stats_info *inf, enum sl_stats_fmt fmt,
			 struct sl_outbuf *out);

/* The "show info [typed|json]" command (other words are ignored, the last format wins).
 * Returns 0, or -ENOSPC. */
int sl_stats_cmd_show_info(const struct sl_stats_info *inf, int argc, char **argv,
			   struct sl_outbuf *out);

#endif
