/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/stats/stats_prom.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- the families of the rows */

enum m_type { M_GAUGE, M_COUNTER };
enum m_kind { M_PLAIN, M_MS, M_STATUS, M_HRSP };

#define F_ (1u << SL_STATS_FE)
#define B_ (1u << SL_STATS_BE)
#define S_ (1u << SL_STATS_SRV)

struct metric {
	const char *name; /* after "sluice_<frontend|backend|server>_" */
	int col;
	unsigned char type; /* enum m_type */
	unsigned char kind; /* enum m_kind */
	unsigned char objs; /* the row kinds that have it */
	const char *help;
};

static const struct metric metrics[] = {
	{"current_queue", SL_ST_QCUR, M_GAUGE, M_PLAIN, B_ | S_, "Current number of queued requests."},
	{"max_queue", SL_ST_QMAX, M_GAUGE, M_PLAIN, B_ | S_, "Highest number of queued requests."},
	{"current_sessions", SL_ST_SCUR, M_GAUGE, M_PLAIN, F_ | B_ | S_,
	 "Current number of active sessions."},
	{"max_sessions", SL_ST_SMAX, M_GAUGE, M_PLAIN, F_ | B_ | S_,
	 "Highest number of active sessions."},
	{"limit_sessions", SL_ST_SLIM, M_GAUGE, M_PLAIN, F_ | B_ | S_,
	 "Configured limit of active sessions."},
	{"sessions_total", SL_ST_STOT, M_COUNTER, M_PLAIN, F_ | B_ | S_, "Total number of sessions."},
	{"bytes_in_total", SL_ST_BIN, M_COUNTER, M_PLAIN, F_ | B_ | S_,
	 "Total number of bytes received from clients."},
	{"bytes_out_total", SL_ST_BOUT, M_COUNTER, M_PLAIN, F_ | B_ | S_,
	 "Total number of bytes sent to clients."},
	{"requests_denied_total", SL_ST_DREQ, M_COUNTER, M_PLAIN, F_ | B_,
	 "Total number of requests denied by rules."},
	{"responses_denied_total", SL_ST_DRESP, M_COUNTER, M_PLAIN, F_ | B_ | S_,
	 "Total number of responses denied by rules."},
	{"request_errors_total", SL_ST_EREQ, M_COUNTER, M_PLAIN, F_,
	 "Total number of request errors."},
	{"connection_errors_total", SL_ST_ECON, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of failed connections to servers."},
	{"response_errors_total", SL_ST_ERESP, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of response errors."},
	{"retry_warnings_total", SL_ST_WRETR, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of connection retries."},
	{"redispatch_warnings_total", SL_ST_WREDIS, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of redispatches to another server."},
	{"status", SL_ST_STATUS, M_GAUGE, M_STATUS, F_ | B_ | S_, NULL},
	{"weight", SL_ST_WEIGHT, M_GAUGE, M_PLAIN, B_ | S_, "Effective weight."},
	{"active_servers", SL_ST_ACT, M_GAUGE, M_PLAIN, B_, "Number of usable active servers."},
	{"backup_servers", SL_ST_BCK, M_GAUGE, M_PLAIN, B_, "Number of usable backup servers."},
	{"check_failures_total", SL_ST_CHKFAIL, M_COUNTER, M_PLAIN, S_,
	 "Total number of failed health checks."},
	{"check_up_down_total", SL_ST_CHKDOWN, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of UP to DOWN transitions."},
	{"status_age_seconds", SL_ST_LASTCHG, M_GAUGE, M_PLAIN, B_ | S_,
	 "Seconds since the last UP/DOWN transition."},
	{"downtime_seconds_total", SL_ST_DOWNTIME, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total time spent DOWN, in seconds."},
	{"queue_limit", SL_ST_QLIMIT, M_GAUGE, M_PLAIN, S_, "Configured limit of queued requests."},
	{"throttle_percent", SL_ST_THROTTLE, M_GAUGE, M_PLAIN, S_,
	 "Current slow-start throttle, in percent."},
	{"loadbalanced_total", SL_ST_LBTOT, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of times a server was picked by the balancing algorithm."},
	{"current_session_rate", SL_ST_RATE, M_GAUGE, M_PLAIN, F_ | B_ | S_,
	 "Sessions per second over the last second."},
	{"limit_session_rate", SL_ST_RATE_LIM, M_GAUGE, M_PLAIN, F_,
	 "Configured limit of new sessions per second."},
	{"max_session_rate", SL_ST_RATE_MAX, M_GAUGE, M_PLAIN, F_ | B_ | S_,
	 "Highest number of new sessions per second."},
	{"check_duration_seconds", SL_ST_CHECK_DURATION, M_GAUGE, M_MS, S_,
	 "Duration of the last health check, in seconds."},
	{"http_responses_total", SL_ST_HRSP_1XX, M_COUNTER, M_HRSP, F_ | B_ | S_,
	 "Total number of HTTP responses, by class of status code."},
	{"current_request_rate", SL_ST_REQ_RATE, M_GAUGE, M_PLAIN, F_,
	 "HTTP requests per second over the last second."},
	{"max_request_rate", SL_ST_REQ_RATE_MAX, M_GAUGE, M_PLAIN, F_,
	 "Highest number of HTTP requests per second."},
	{"http_requests_total", SL_ST_REQ_TOT, M_COUNTER, M_PLAIN, F_ | B_ | S_,
	 "Total number of HTTP requests."},
	{"client_aborts_total", SL_ST_CLI_ABRT, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of transfers aborted by the client."},
	{"server_aborts_total", SL_ST_SRV_ABRT, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of transfers aborted by the server."},
	{"http_comp_bytes_in_total", SL_ST_COMP_IN, M_COUNTER, M_PLAIN, F_ | B_,
	 "Total number of bytes fed to the compressor."},
	{"http_comp_bytes_out_total", SL_ST_COMP_OUT, M_COUNTER, M_PLAIN, F_ | B_,
	 "Total number of bytes the compressor produced."},
	{"http_comp_bytes_bypassed_total", SL_ST_COMP_BYP, M_COUNTER, M_PLAIN, F_ | B_,
	 "Total number of bytes that bypassed the compressor."},
	{"http_comp_responses_total", SL_ST_COMP_RSP, M_COUNTER, M_PLAIN, F_ | B_,
	 "Total number of compressed HTTP responses."},
	{"last_session_seconds", SL_ST_LASTSESS, M_GAUGE, M_PLAIN, B_ | S_,
	 "Seconds since the last session was assigned (-1: never)."},
	{"queue_time_average_seconds", SL_ST_QTIME, M_GAUGE, M_MS, B_ | S_,
	 "Average queue time of the last 1024 requests, in seconds."},
	{"connect_time_average_seconds", SL_ST_CTIME, M_GAUGE, M_MS, B_ | S_,
	 "Average connect time of the last 1024 requests, in seconds."},
	{"response_time_average_seconds", SL_ST_RTIME, M_GAUGE, M_MS, B_ | S_,
	 "Average response time of the last 1024 requests, in seconds."},
	{"total_time_average_seconds", SL_ST_TTIME, M_GAUGE, M_MS, B_ | S_,
	 "Average total session time of the last 1024 requests, in seconds."},
	{"current_connection_rate", SL_ST_CONN_RATE, M_GAUGE, M_PLAIN, F_,
	 "Connections per second over the last second."},
	{"max_connection_rate", SL_ST_CONN_RATE_MAX, M_GAUGE, M_PLAIN, F_,
	 "Highest number of connections per second."},
	{"connections_total", SL_ST_CONN_TOT, M_COUNTER, M_PLAIN, F_,
	 "Total number of accepted connections."},
	{"intercepted_requests_total", SL_ST_INTERCEPTED, M_COUNTER, M_PLAIN, F_,
	 "Total number of requests answered by sluice itself."},
	{"denied_connections_total", SL_ST_DCON, M_COUNTER, M_PLAIN, F_,
	 "Total number of connections denied by tcp-request connection rules."},
	{"denied_sessions_total", SL_ST_DSES, M_COUNTER, M_PLAIN, F_,
	 "Total number of sessions denied by tcp-request session rules."},
	{"failed_header_rewriting_total", SL_ST_WREW, M_COUNTER, M_PLAIN, F_ | B_ | S_,
	 "Total number of failed header rewrites."},
	{"connection_attempts_total", SL_ST_CONNECT, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of connection attempts to servers."},
	{"connection_reuses_total", SL_ST_REUSE, M_COUNTER, M_PLAIN, B_ | S_,
	 "Total number of reused server connections."},
	{"http_cache_lookups_total", SL_ST_CACHE_LOOKUPS, M_COUNTER, M_PLAIN, F_ | B_,
	 "Total number of HTTP cache lookups."},
	{"http_cache_hits_total", SL_ST_CACHE_HITS, M_COUNTER, M_PLAIN, F_ | B_,
	 "Total number of HTTP cache hits."},
	{"current_idle_connections", SL_ST_SRV_ICUR, M_GAUGE, M_PLAIN, S_,
	 "Current number of idle server connections."},
	{"limit_idle_connections", SL_ST_SRC_ILIM, M_GAUGE, M_PLAIN, S_,
	 "Configured limit of idle server connections."},
	{"max_queue_time_seconds", SL_ST_QTIME_MAX, M_GAUGE, M_MS, B_ | S_,
	 "Highest queue time, in seconds."},
	{"max_connect_time_seconds", SL_ST_CTIME_MAX, M_GAUGE, M_MS, B_ | S_,
	 "Highest connect time, in seconds."},
	{"max_response_time_seconds", SL_ST_RTIME_MAX, M_GAUGE, M_MS, B_ | S_,
	 "Highest response time, in seconds."},
	{"max_total_time_seconds", SL_ST_TTIME_MAX, M_GAUGE, M_MS, B_ | S_,
	 "Highest total session time, in seconds."},
	{"internal_errors_total", SL_ST_EINT, M_COUNTER, M_PLAIN, F_ | B_ | S_,
	 "Total number of internal errors."},
	{"unsafe_idle_connections", SL_ST_IDLE_CONN_CUR, M_GAUGE, M_PLAIN, S_,
	 "Current number of unsafe idle server connections."},
	{"safe_idle_connections", SL_ST_SAFE_CONN_CUR, M_GAUGE, M_PLAIN, S_,
	 "Current number of safe idle server connections."},
	{"used_connections", SL_ST_USED_CONN_CUR, M_GAUGE, M_PLAIN, S_,
	 "Current number of server connections in use."},
	{"needed_connections", SL_ST_NEED_CONN_EST, M_GAUGE, M_PLAIN, S_,
	 "Estimated number of server connections needed."},
	{"user_weight", SL_ST_UWEIGHT, M_GAUGE, M_PLAIN, B_ | S_, "Weight set by the operator."},
};

static const char *const obj_prefix[] = {
	[SL_STATS_FE] = "frontend", [SL_STATS_BE] = "backend", [SL_STATS_SRV] = "server"};

static const char *const srv_states[] = {"UP", "DOWN", "MAINT", "DRAIN", "NOLB"};
#define N_SRV_STATES (sizeof(srv_states) / sizeof(srv_states[0]))

static const char *const hrsp_codes[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

/* ---------------------------------------------------------------- printing helpers */

int sl_stats_prom_escape_label(const char *s, struct sl_outbuf *out)
{
	if (s == NULL)
		s = "";
	const char *run = s;
	for (const char *p = s; *p != '\0'; p++) {
		const char *esc = NULL;
		if (*p == '\\')
			esc = "\\\\";
		else if (*p == '"')
			esc = "\\\"";
		else if (*p == '\n')
			esc = "\\n";
		if (esc == NULL)
			continue;
		sl_outbuf_append(out, run, (size_t)(p - run));
		sl_outbuf_puts(out, esc);
		run = p + 1;
	}
	sl_outbuf_puts(out, run);
	return out->truncated ? -ENOSPC : 0;
}

/* Appends @s escaped for a HELP line ('\\' and newline escaped). */
static void emit_help_text(const char *s, struct sl_outbuf *out)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\\')
			sl_outbuf_puts(out, "\\\\");
		else if (*p == '\n')
			sl_outbuf_puts(out, "\\n");
		else
			sl_outbuf_append(out, p, 1);
	}
}

/* Appends @s reduced to a metric name part: [a-zA-Z0-9_], anything else becomes '_'. */
static void emit_name_part(const char *s, size_t len, struct sl_outbuf *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_';
		sl_outbuf_append(out, ok ? &c : "_", 1);
	}
}

/* A family's header, printed before its first sample. */
struct family {
	const char *prefix; /* "sluice_frontend_" ... */
	const char *name;
	const char *help;
	const char *type; /* "gauge" / "counter" */
	bool started;
};

static void family_start(struct family *fam, struct sl_outbuf *out)
{
	if (fam->started)
		return;
	fam->started = true;
	sl_outbuf_printf(out, "# HELP %s%s ", fam->prefix, fam->name);
	emit_help_text(fam->help, out);
	sl_outbuf_printf(out, "\n# TYPE %s%s %s\n", fam->prefix, fam->name, fam->type);
}

/* "name{proxy="..",server=".."" (the caller closes the braces, after more labels if any). */
static void emit_row_labels(const struct family *fam, const struct sl_stats_row *r,
			    struct sl_outbuf *out)
{
	sl_outbuf_printf(out, "%s%s{proxy=\"", fam->prefix, fam->name);
	sl_stats_prom_escape_label(sl_stats_get_str(r, SL_ST_PXNAME), out);
	sl_outbuf_puts(out, "\"");
	if (r->obj == SL_STATS_SRV) {
		sl_outbuf_puts(out, ",server=\"");
		sl_stats_prom_escape_label(sl_stats_get_str(r, SL_ST_SVNAME), out);
		sl_outbuf_puts(out, "\"");
	}
}

/* A number field's value; milliseconds become seconds with up to 3 decimals. */
static void emit_value(const struct sl_stats_field *f, bool ms, struct sl_outbuf *out)
{
	if (f->type == SL_FT_S32 || f->type == SL_FT_S64) {
		sl_outbuf_printf(out, "%" PRId64, f->v.s);
		return;
	}
	if (!ms) {
		sl_outbuf_printf(out, "%" PRIu64, f->v.u);
		return;
	}
	uint64_t whole = f->v.u / 1000;
	unsigned frac = (unsigned)(f->v.u % 1000);
	if (frac == 0) {
		sl_outbuf_printf(out, "%" PRIu64, whole);
		return;
	}
	char digits[4];
	snprintf(digits, sizeof(digits), "%03u", frac);
	for (int i = 2; i > 0 && digits[i] == '0'; i--)
		digits[i] = '\0';
	sl_outbuf_printf(out, "%" PRIu64 ".%s", whole, digits);
}

static bool is_number(const struct sl_stats_field *f)
{
	return f->type == SL_FT_U32 || f->type == SL_FT_U64 || f->type == SL_FT_S32 ||
	       f->type == SL_FT_S64;
}

static bool starts_with_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	return strncmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ' ');
}

/* The index in srv_states of a server status string, or -1. */
static int srv_state(const char *st)
{
	if (strcmp(st, "no check") == 0)
		return 0;
	for (size_t i = 0; i < N_SRV_STATES; i++)
		if (starts_with_word(st, srv_states[i]))
			return (int)i;
	return -1;
}

/* Samples of one family over the rows of kind @obj. Returns the number printed. */
static int emit_row_family(const struct metric *m, enum sl_stats_obj obj,
			   const struct sl_stats_row *rows, size_t n, struct sl_outbuf *out)
{
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "sluice_%s_", obj_prefix[obj]);
	struct family fam = {prefix, m->name, m->help, m->type == M_COUNTER ? "counter" : "gauge",
			     false};
	int samples = 0;

	if (m->kind == M_STATUS)
		fam.help = obj == SL_STATS_SRV
				   ? "Current state of the server: 1 for the state it is in, 0 for "
				     "the others (no check counts as UP)."
				   : "Whether the proxy is up (frontend OPEN, backend UP): 1 or 0.";
	for (size_t i = 0; i < n && !out->truncated; i++) {
		const struct sl_stats_row *r = &rows[i];
		if (r->obj != obj || sl_stats_get_str(r, SL_ST_PXNAME) == NULL)
			continue;
		if (obj == SL_STATS_SRV && sl_stats_get_str(r, SL_ST_SVNAME) == NULL)
			continue;
		switch (m->kind) {
		case M_PLAIN:
		case M_MS: {
			const struct sl_stats_field *f = &r->f[m->col];
			if (!is_number(f))
				break;
			family_start(&fam, out);
			emit_row_labels(&fam, r, out);
			sl_outbuf_puts(out, "} ");
			emit_value(f, m->kind == M_MS, out);
			sl_outbuf_puts(out, "\n");
			samples++;
			break;
		}
		case M_STATUS: {
			const char *st = sl_stats_get_str(r, SL_ST_STATUS);
			if (st == NULL)
				break;
			family_start(&fam, out);
			if (obj != SL_STATS_SRV) {
				bool up = starts_with_word(st, obj == SL_STATS_FE ? "OPEN" : "UP");
				emit_row_labels(&fam, r, out);
				sl_outbuf_printf(out, "} %d\n", up ? 1 : 0);
				samples++;
				break;
			}
			int cur = srv_state(st);
			for (size_t s = 0; s < N_SRV_STATES; s++) {
				emit_row_labels(&fam, r, out);
				sl_outbuf_printf(out, ",state=\"%s\"} %d\n", srv_states[s],
						 (int)s == cur ? 1 : 0);
				samples++;
			}
			break;
		}
		case M_HRSP:
			for (int c = 0; c < 6; c++) {
				const struct sl_stats_field *f = &r->f[SL_ST_HRSP_1XX + c];
				if (!is_number(f))
					continue;
				family_start(&fam, out);
				emit_row_labels(&fam, r, out);
				sl_outbuf_printf(out, ",code=\"%s\"} ", hrsp_codes[c]);
				emit_value(f, false, out);
				sl_outbuf_puts(out, "\n");
				samples++;
			}
			break;
		}
	}
	return samples;
}

/* ---------------------------------------------------------------- dataplane */

static int emit_dataplane(const struct sl_stats_prom_dp *dp, struct sl_outbuf *out)
{
	int samples = 0;
	bool any_drop = false;

	for (size_t i = 0; i < dp->n_counters; i++) {
		const struct sl_stats_prom_counter *c = &dp->counters[i];
		if (c->name == NULL || c->name[0] == '\0')
			continue;
		if (c->is_drop) {
			any_drop = true;
			continue;
		}
		size_t len = strlen(c->name);
		bool has_total = len >= 6 && strcmp(c->name + len - 6, "_total") == 0;
		if (has_total)
			len -= 6;
		sl_outbuf_puts(out, "# HELP sluice_dataplane_");
		emit_name_part(c->name, len, out);
		sl_outbuf_puts(out, "_total Dataplane counter ");
		emit_help_text(c->name, out);
		sl_outbuf_puts(out, ", summed over the lcores.\n# TYPE sluice_dataplane_");
		emit_name_part(c->name, len, out);
		sl_outbuf_puts(out, "_total counter\nsluice_dataplane_");
		emit_name_part(c->name, len, out);
		sl_outbuf_printf(out, "_total %" PRIu64 "\n", c->value);
		samples++;
	}
	if (any_drop) {
		sl_outbuf_puts(out, "# HELP sluice_dataplane_packets_dropped_total Packets the "
				    "dataplane dropped, by reason.\n"
				    "# TYPE sluice_dataplane_packets_dropped_total counter\n");
		for (size_t i = 0; i < dp->n_counters; i++) {
			const struct sl_stats_prom_counter *c = &dp->counters[i];
			if (c->name == NULL || c->name[0] == '\0' || !c->is_drop)
				continue;
			const char *reason = c->name;
			if (strncmp(reason, "drop_", 5) == 0 && reason[5] != '\0')
				reason += 5;
			sl_outbuf_puts(out, "sluice_dataplane_packets_dropped_total{reason=\"");
			sl_stats_prom_escape_label(reason, out);
			sl_outbuf_printf(out, "\"} %" PRIu64 "\n", c->value);
			samples++;
		}
	}
	if (dp->n_lcores > 0) {
		sl_outbuf_puts(out, "# HELP sluice_dataplane_lcore_busy_ratio Share of the last "
				    "interval the lcore spent on packets (0 to 1).\n"
				    "# TYPE sluice_dataplane_lcore_busy_ratio gauge\n");
		for (size_t i = 0; i < dp->n_lcores; i++) {
			const struct sl_stats_prom_lcore *l = &dp->lcores[i];
			sl_outbuf_printf(out, "sluice_dataplane_lcore_busy_ratio{lcore=\"%u\"", l->id);
			if (l->role != NULL) {
				sl_outbuf_puts(out, ",role=\"");
				sl_stats_prom_escape_label(l->role, out);
				sl_outbuf_puts(out, "\"");
			}
			if (isnan(l->busy))
				sl_outbuf_puts(out, "} NaN\n");
			else
				sl_outbuf_printf(out, "} %.6g\n",
						 l->busy < 0 ? 0.0 : l->busy > 1 ? 1.0 : l->busy);
			samples++;
		}
	}
	if (dp->flows_capacity > 0) {
		sl_outbuf_printf(out,
				 "# HELP sluice_dataplane_flows Entries in use in the L4 flow "
				 "tables.\n# TYPE sluice_dataplane_flows gauge\n"
				 "sluice_dataplane_flows %" PRIu64 "\n"
				 "# HELP sluice_dataplane_flows_capacity Size of the L4 flow "
				 "tables.\n# TYPE sluice_dataplane_flows_capacity gauge\n"
				 "sluice_dataplane_flows_capacity %" PRIu64 "\n",
				 dp->flows, dp->flows_capacity);
		samples += 2;
	}
	sl_outbuf_printf(out,
			 "# HELP sluice_process_dropped_logs_total Log lines lost: a full ring or "
			 "socket, or an absent receiver (DroppedLogs).\n"
			 "# TYPE sluice_process_dropped_logs_total counter\n"
			 "sluice_process_dropped_logs_total %" PRIu64 "\n",
			 dp->dropped_logs);
	samples++;
	return samples;
}

/* ---------------------------------------------------------------- entry point */

int sl_stats_prom_render(const struct sl_stats_row *rows, size_t n,
			 const struct sl_stats_prom_dp *dp, struct sl_outbuf *out)
{
	static const enum sl_stats_obj objs[] = {SL_STATS_FE, SL_STATS_BE, SL_STATS_SRV};
	int samples = 0;

	for (size_t o = 0; o < sizeof(objs) / sizeof(objs[0]); o++)
		for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++)
			if (metrics[m].objs & (1u << objs[o]))
				samples += emit_row_family(&metrics[m], objs[o], rows, n, out);
	if (dp != NULL)
		samples += emit_dataplane(dp, out);
	return out->truncated ? -ENOSPC : samples;
}
