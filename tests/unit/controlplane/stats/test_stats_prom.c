/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Prometheus exposition (controlplane/stats/stats_prom.c): a fixed model rendered
 * byte for byte, label escaping, and a small parser of the text format 0.0.4 that every line of
 * every rendering must satisfy (HELP/TYPE once per family, before its samples, families
 * contiguous, label values escaped, numeric values).
 */
#include <ctype.h>
#include <math.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/outbuf.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_prom.h"
#include "tests/unit/sl_test.h"

/* ---------------------------------------------------------------- a fixed model */

#define NROWS 5

static void build_model(struct sl_stats_row *rows, const char *px, const char *hostile_srv)
{
	struct sl_stats_row *fe = &rows[0], *s1 = &rows[1], *s2 = &rows[2], *be = &rows[3],
			    *li = &rows[4];
	sl_stats_row_init(fe, SL_STATS_FE);
	sl_stats_set_str(fe, SL_ST_PXNAME, px);
	sl_stats_set_str(fe, SL_ST_SVNAME, "FRONTEND");
	sl_stats_set_u(fe, SL_ST_SCUR, 3);
	sl_stats_set_u(fe, SL_ST_STOT, 100);
	sl_stats_set_u(fe, SL_ST_BIN, 2048);
	sl_stats_set_u(fe, SL_ST_BOUT, 4096);
	sl_stats_set_str(fe, SL_ST_STATUS, "OPEN");
	sl_stats_set_u(fe, SL_ST_HRSP_2XX, 90);
	sl_stats_set_u(fe, SL_ST_HRSP_5XX, 1);

	sl_stats_row_init(s1, SL_STATS_SRV);
	sl_stats_set_str(s1, SL_ST_PXNAME, px);
	sl_stats_set_str(s1, SL_ST_SVNAME, "s1");
	sl_stats_set_u(s1, SL_ST_SCUR, 1);
	sl_stats_set_u(s1, SL_ST_STOT, 60);
	sl_stats_set_str(s1, SL_ST_STATUS, "UP 1/3");
	sl_stats_set_u(s1, SL_ST_WEIGHT, 1);
	sl_stats_set_u(s1, SL_ST_ACT, 1);
	sl_stats_set_u(s1, SL_ST_QTIME, 5);
	sl_stats_set_u(s1, SL_ST_CTIME, 1500);
	sl_stats_set_s(s1, SL_ST_LASTSESS, -1);

	sl_stats_row_init(s2, SL_STATS_SRV);
	sl_stats_set_str(s2, SL_ST_PXNAME, px);
	sl_stats_set_str(s2, SL_ST_SVNAME, hostile_srv);
	sl_stats_set_str(s2, SL_ST_STATUS, "MAINT (via b/s)");
	sl_stats_set_u(s2, SL_ST_SCUR, 0);

	sl_stats_row_init(be, SL_STATS_BE);
	sl_stats_set_str(be, SL_ST_PXNAME, px);
	sl_stats_set_str(be, SL_ST_SVNAME, "BACKEND");
	sl_stats_set_str(be, SL_ST_STATUS, "UP");
	sl_stats_set_u(be, SL_ST_STOT, 60);
	sl_stats_set_u(be, SL_ST_ACT, 1);
	sl_stats_set_u(be, SL_ST_BCK, 0);

	sl_stats_row_init(li, SL_STATS_LI); /* listeners are not exported */
	sl_stats_set_str(li, SL_ST_PXNAME, px);
	sl_stats_set_str(li, SL_ST_SVNAME, "sock-1");
	sl_stats_set_u(li, SL_ST_SCUR, 7);
}

static void free_model(struct sl_stats_row *rows)
{
	for (int i = 0; i < NROWS; i++)
		sl_stats_row_clear(&rows[i]);
}

static const struct sl_stats_prom_counter dp_counters[] = {
	{"rx_packets", 1000, false},
	{"drop_ipv4_bad_checksum", 3, true},
	{"tx_bytes", 64000, false},
	{"drop_tx_full", 0, true},
};
static const struct sl_stats_prom_lcore dp_lcores[] = {
	{1, "worker", 0.25, 10, 20},
	{2, "main", 0.0, 0, 0},
};
static const struct sl_stats_prom_dp dp = {dp_counters, 4, dp_lcores, 2, 10, 1024, 7};

/* What the fixed model renders to (server s2's name is s"2\\x<newline>y). */
static const char expected_text[] =
	"# HELP sluice_frontend_current_sessions Current number of active sessions.\n"
	"# TYPE sluice_frontend_current_sessions gauge\n"
	"sluice_frontend_current_sessions{proxy=\"web\"} 3\n"
	"# HELP sluice_frontend_sessions_total Total number of sessions.\n"
	"# TYPE sluice_frontend_sessions_total counter\n"
	"sluice_frontend_sessions_total{proxy=\"web\"} 100\n"
	"# HELP sluice_frontend_bytes_in_total Total number of bytes received from clients.\n"
	"# TYPE sluice_frontend_bytes_in_total counter\n"
	"sluice_frontend_bytes_in_total{proxy=\"web\"} 2048\n"
	"# HELP sluice_frontend_bytes_out_total Total number of bytes sent to clients.\n"
	"# TYPE sluice_frontend_bytes_out_total counter\n"
	"sluice_frontend_bytes_out_total{proxy=\"web\"} 4096\n"
	"# HELP sluice_frontend_status Whether the proxy is up (frontend OPEN, backend UP): 1 or 0.\n"
	"# TYPE sluice_frontend_status gauge\n"
	"sluice_frontend_status{proxy=\"web\"} 1\n"
	"# HELP sluice_frontend_http_responses_total Total number of HTTP responses, by class of status code.\n"
	"# TYPE sluice_frontend_http_responses_total counter\n"
	"sluice_frontend_http_responses_total{proxy=\"web\",code=\"2xx\"} 90\n"
	"sluice_frontend_http_responses_total{proxy=\"web\",code=\"5xx\"} 1\n"
	"# HELP sluice_backend_sessions_total Total number of sessions.\n"
	"# TYPE sluice_backend_sessions_total counter\n"
	"sluice_backend_sessions_total{proxy=\"web\"} 60\n"
	"# HELP sluice_backend_status Whether the proxy is up (frontend OPEN, backend UP): 1 or 0.\n"
	"# TYPE sluice_backend_status gauge\n"
	"sluice_backend_status{proxy=\"web\"} 1\n"
	"# HELP sluice_backend_active_servers Number of usable active servers.\n"
	"# TYPE sluice_backend_active_servers gauge\n"
	"sluice_backend_active_servers{proxy=\"web\"} 1\n"
	"# HELP sluice_backend_backup_servers Number of usable backup servers.\n"
	"# TYPE sluice_backend_backup_servers gauge\n"
	"sluice_backend_backup_servers{proxy=\"web\"} 0\n"
	"# HELP sluice_server_current_sessions Current number of active sessions.\n"
	"# TYPE sluice_server_current_sessions gauge\n"
	"sluice_server_current_sessions{proxy=\"web\",server=\"s1\"} 1\n"
	"sluice_server_current_sessions{proxy=\"web\",server=\"s\\\"2\\\\x\\ny\"} 0\n"
	"# HELP sluice_server_sessions_total Total number of sessions.\n"
	"# TYPE sluice_server_sessions_total counter\n"
	"sluice_server_sessions_total{proxy=\"web\",server=\"s1\"} 60\n"
	"# HELP sluice_server_status Current state of the server: 1 for the state it is in, 0 for the others (no check counts as UP).\n"
	"# TYPE sluice_server_status gauge\n"
	"sluice_server_status{proxy=\"web\",server=\"s1\",state=\"UP\"} 1\n"
	"sluice_server_status{proxy=\"web\",server=\"s1\",state=\"DOWN\"} 0\n"
	"sluice_server_status{proxy=\"web\",server=\"s1\",state=\"MAINT\"} 0\n"
	"sluice_server_status{proxy=\"web\",server=\"s1\",state=\"DRAIN\"} 0\n"
	"sluice_server_status{proxy=\"web\",server=\"s1\",state=\"NOLB\"} 0\n"
	"sluice_server_status{proxy=\"web\",server=\"s\\\"2\\\\x\\ny\",state=\"UP\"} 0\n"
	"sluice_server_status{proxy=\"web\",server=\"s\\\"2\\\\x\\ny\",state=\"DOWN\"} 0\n"
	"sluice_server_status{proxy=\"web\",server=\"s\\\"2\\\\x\\ny\",state=\"MAINT\"} 1\n"
	"sluice_server_status{proxy=\"web\",server=\"s\\\"2\\\\x\\ny\",state=\"DRAIN\"} 0\n"
	"sluice_server_status{proxy=\"web\",server=\"s\\\"2\\\\x\\ny\",state=\"NOLB\"} 0\n"
	"# HELP sluice_server_weight Effective weight.\n"
	"# TYPE sluice_server_weight gauge\n"
	"sluice_server_weight{proxy=\"web\",server=\"s1\"} 1\n"
	"# HELP sluice_server_last_session_seconds Seconds since the last session was assigned (-1: never).\n"
	"# TYPE sluice_server_last_session_seconds gauge\n"
	"sluice_server_last_session_seconds{proxy=\"web\",server=\"s1\"} -1\n"
	"# HELP sluice_server_queue_time_average_seconds Average queue time of the last 1024 requests, in seconds.\n"
	"# TYPE sluice_server_queue_time_average_seconds gauge\n"
	"sluice_server_queue_time_average_seconds{proxy=\"web\",server=\"s1\"} 0.005\n"
	"# HELP sluice_server_connect_time_average_seconds Average connect time of the last 1024 requests, in seconds.\n"
	"# TYPE sluice_server_connect_time_average_seconds gauge\n"
	"sluice_server_connect_time_average_seconds{proxy=\"web\",server=\"s1\"} 1.5\n"
	"# HELP sluice_dataplane_rx_packets_total Dataplane counter rx_packets, summed over the lcores.\n"
	"# TYPE sluice_dataplane_rx_packets_total counter\n"
	"sluice_dataplane_rx_packets_total 1000\n"
	"# HELP sluice_dataplane_tx_bytes_total Dataplane counter tx_bytes, summed over the lcores.\n"
	"# TYPE sluice_dataplane_tx_bytes_total counter\n"
	"sluice_dataplane_tx_bytes_total 64000\n"
	"# HELP sluice_dataplane_packets_dropped_total Packets the dataplane dropped, by reason.\n"
	"# TYPE sluice_dataplane_packets_dropped_total counter\n"
	"sluice_dataplane_packets_dropped_total{reason=\"ipv4_bad_checksum\"} 3\n"
	"sluice_dataplane_packets_dropped_total{reason=\"tx_full\"} 0\n"
	"# HELP sluice_dataplane_lcore_busy_ratio Share of the last interval the lcore spent on packets (0 to 1).\n"
	"# TYPE sluice_dataplane_lcore_busy_ratio gauge\n"
	"sluice_dataplane_lcore_busy_ratio{lcore=\"1\",role=\"worker\"} 0.25\n"
	"sluice_dataplane_lcore_busy_ratio{lcore=\"2\",role=\"main\"} 0\n"
	"# HELP sluice_dataplane_flows Entries in use in the L4 flow tables.\n"
	"# TYPE sluice_dataplane_flows gauge\n"
	"sluice_dataplane_flows 10\n"
	"# HELP sluice_dataplane_flows_capacity Size of the L4 flow tables.\n"
	"# TYPE sluice_dataplane_flows_capacity gauge\n"
	"sluice_dataplane_flows_capacity 1024\n"
	"# HELP sluice_process_dropped_logs_total Log lines lost: a full ring or socket, or an absent receiver (DroppedLogs).\n"
	"# TYPE sluice_process_dropped_logs_total counter\n"
	"sluice_process_dropped_logs_total 7\n";

/* ---------------------------------------------------------------- an exposition parser */

#define MAXN 512

struct parse_state {
	char *typed[MAXN]; /* families with a TYPE line */
	size_t ntyped;
	char *helped[MAXN];
	size_t nhelped;
	char *closed[MAXN]; /* families whose samples are over */
	size_t nclosed;
	char *series[4 * MAXN];
	size_t nseries;
	char cur[256]; /* family of the last sample */
	char err[512];
};

static bool in_list(char **l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i], s) == 0)
			return true;
	return false;
}

static void add_list(char **l, size_t *n, const char *s)
{
	if (*n < MAXN * 4)
		l[(*n)++] = strdup(s);
}

static void free_state(struct parse_state *ps)
{
	for (size_t i = 0; i < ps->ntyped; i++)
		free(ps->typed[i]);
	for (size_t i = 0; i < ps->nhelped; i++)
		free(ps->helped[i]);
	for (size_t i = 0; i < ps->nclosed; i++)
		free(ps->closed[i]);
	for (size_t i = 0; i < ps->nseries; i++)
		free(ps->series[i]);
}

/* Length of a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) at @p, 0 if none. */
static size_t metric_name_len(const char *p, bool colon)
{
	size_t i = 0;
	while (isalpha((unsigned char)p[i]) || p[i] == '_' || (colon && p[i] == ':') ||
	       (i > 0 && isdigit((unsigned char)p[i])))
		i++;
	return i;
}

static bool valid_value(const char *v)
{
	if (strcmp(v, "NaN") == 0 || strcmp(v, "+Inf") == 0 || strcmp(v, "-Inf") == 0)
		return true;
	if (*v == '\0')
		return false;
	char *end;
	strtod(v, &end);
	return *end == '\0';
}

/* Checks one line (without its newline). Returns false with ps->err set on a violation. */
static bool check_line(struct parse_state *ps, const char *line)
{
	char name[256];
	if (line[0] == '#') {
		bool help = strncmp(line, "# HELP ", 7) == 0, type = strncmp(line, "# TYPE ", 7) == 0;
		if (!help && !type)
			return true; /* a comment */
		size_t nl = metric_name_len(line + 7, true);
		if (nl == 0 || nl >= sizeof(name) || line[7 + nl] != ' ') {
			snprintf(ps->err, sizeof(ps->err), "bad HELP/TYPE name: %s", line);
			return false;
		}
		memcpy(name, line + 7, nl);
		name[nl] = '\0';
		const char *rest = line + 7 + nl + 1;
		if (help) {
			if (in_list(ps->helped, ps->nhelped, name) || in_list(ps->typed, ps->ntyped, name)) {
				snprintf(ps->err, sizeof(ps->err), "HELP twice or after TYPE: %s", line);
				return false;
			}
			for (const char *p = rest; *p; p++)
				if (*p == '\\' && p[1] != '\\' && p[1] != 'n') {
					snprintf(ps->err, sizeof(ps->err), "bad HELP escape: %s", line);
					return false;
				} else if (*p == '\\') {
					p++;
				}
			add_list(ps->helped, &ps->nhelped, name);
			return true;
		}
		if (strcmp(rest, "counter") != 0 && strcmp(rest, "gauge") != 0 &&
		    strcmp(rest, "untyped") != 0 && strcmp(rest, "histogram") != 0 &&
		    strcmp(rest, "summary") != 0) {
			snprintf(ps->err, sizeof(ps->err), "bad TYPE: %s", line);
			return false;
		}
		if (in_list(ps->typed, ps->ntyped, name) || in_list(ps->closed, ps->nclosed, name) ||
		    strcmp(ps->cur, name) == 0) {
			snprintf(ps->err, sizeof(ps->err), "TYPE twice or after samples: %s", line);
			return false;
		}
		add_list(ps->typed, &ps->ntyped, name);
		return true;
	}
	if (line[0] == '\0')
		return true;

	/* A sample: name[{labels}] value [timestamp] */
	size_t nl = metric_name_len(line, true);
	if (nl == 0 || nl >= sizeof(name)) {
		snprintf(ps->err, sizeof(ps->err), "bad sample name: %s", line);
		return false;
	}
	memcpy(name, line, nl);
	name[nl] = '\0';
	const char *p = line + nl;
	char labelnames[16][64];
	size_t nlabels = 0;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t ll = metric_name_len(p, false);
			if (ll == 0 || ll >= 64 || p[ll] != '=' || p[ll + 1] != '"') {
				snprintf(ps->err, sizeof(ps->err), "bad label: %s", line);
				return false;
			}
			for (size_t i = 0; i < nlabels; i++)
				if (strlen(labelnames[i]) == ll && strncmp(labelnames[i], p, ll) == 0) {
					snprintf(ps->err, sizeof(ps->err), "label twice: %s", line);
					return false;
				}
			if (nlabels < 16) {
				memcpy(labelnames[nlabels], p, ll);
				labelnames[nlabels++][ll] = '\0';
			}
			p += ll + 2;
			while (*p != '"') {
				if (*p == '\0') {
					snprintf(ps->err, sizeof(ps->err), "open label value: %s", line);
					return false;
				}
				if (*p == '\\') {
					if (p[1] != '\\' && p[1] != '"' && p[1] != 'n') {
						snprintf(ps->err, sizeof(ps->err), "bad escape: %s", line);
						return false;
					}
					p++;
				}
				p++;
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}') {
				snprintf(ps->err, sizeof(ps->err), "bad label list: %s", line);
				return false;
			}
		}
		p++;
	}
	if (*p != ' ') {
		snprintf(ps->err, sizeof(ps->err), "no value: %s", line);
		return false;
	}
	p++;
	char value[64];
	size_t vl = strcspn(p, " ");
	if (vl == 0 || vl >= sizeof(value)) {
		snprintf(ps->err, sizeof(ps->err), "bad value: %s", line);
		return false;
	}
	memcpy(value, p, vl);
	value[vl] = '\0';
	if (!valid_value(value)) {
		snprintf(ps->err, sizeof(ps->err), "bad value: %s", line);
		return false;
	}
	if (p[vl] == ' ') { /* a timestamp: an integer */
		const char *t = p + vl + 1;
		if (*t == '-')
			t++;
		if (*t == '\0' || strspn(t, "0123456789") != strlen(t)) {
			snprintf(ps->err, sizeof(ps->err), "bad timestamp: %s", line);
			return false;
		}
	}

	/* Families: typed, contiguous; series unique. */
	if (!in_list(ps->typed, ps->ntyped, name)) {
		snprintf(ps->err, sizeof(ps->err), "sample without TYPE: %s", line);
		return false;
	}
	if (strcmp(ps->cur, name) != 0) {
		if (in_list(ps->closed, ps->nclosed, name)) {
			snprintf(ps->err, sizeof(ps->err), "family not contiguous: %s", line);
			return false;
		}
		if (ps->cur[0] != '\0')
			add_list(ps->closed, &ps->nclosed, ps->cur);
		snprintf(ps->cur, sizeof(ps->cur), "%s", name);
	}
	char series[1024];
	snprintf(series, sizeof(series), "%.*s", (int)(p - 1 - line), line);
	if (in_list(ps->series, ps->nseries, series)) {
		snprintf(ps->err, sizeof(ps->err), "series twice: %s", line);
		return false;
	}
	add_list(ps->series, &ps->nseries, series);
	return true;
}

/* Checks a whole exposition. Returns the number of samples, or -1 (message printed). */
static int check_exposition(const char *text)
{
	struct parse_state ps;
	memset(&ps, 0, sizeof(ps));
	size_t len = strlen(text);
	int rc = 0;
	if (len > 0 && text[len - 1] != '\n') {
		fprintf(stderr, "exposition does not end with a newline\n");
		return -1;
	}
	char *copy = strdup(text), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!check_line(&ps, line)) {
			fprintf(stderr, "%s\n", ps.err);
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		rc = (int)ps.nseries;
	free(copy);
	free_state(&ps);
	return rc;
}

/* ---------------------------------------------------------------- tests */

static void test_fixed_model(void)
{
	struct sl_stats_row rows[NROWS];
	struct sl_outbuf o;
	build_model(rows, "web", "s\"2\\x\ny");
	sl_outbuf_init(&o, 0);
	int rc = sl_stats_prom_render(rows, NROWS, &dp, &o);
	CU_ASSERT_EQUAL(rc, 37);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), expected_text);
	if (strcmp(sl_outbuf_data(&o), expected_text) != 0)
		fprintf(stderr, "got:\n%s\n", sl_outbuf_data(&o));
	CU_ASSERT_EQUAL(check_exposition(sl_outbuf_data(&o)), 37);
	/* the listener row (scur 7) is not there */
	CU_ASSERT_PTR_NULL(strstr(sl_outbuf_data(&o), "sock-1"));
	CU_ASSERT_PTR_NULL(strstr(sl_outbuf_data(&o), "} 7\n"));
	sl_outbuf_free(&o);
	free_model(rows);
}

static void test_escape(void)
{
	struct sl_outbuf o;
	sl_outbuf_init(&o, 0);
	CU_ASSERT_EQUAL(sl_stats_prom_escape_label("a\\b\"c\nd'e{f}", &o), 0);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "a\\\\b\\\"c\\nd'e{f}");
	sl_outbuf_reset(&o);
	sl_stats_prom_escape_label(NULL, &o);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "");
	sl_outbuf_reset(&o);
	sl_stats_prom_escape_label("\\\\\n\n\"", &o);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "\\\\\\\\\\n\\n\\\"");
	sl_outbuf_free(&o);
}

/* Hostile names everywhere: the output still parses, and the parser catches broken lines. */
static void test_every_line_valid(void)
{
	struct sl_stats_row rows[NROWS];
	struct sl_outbuf o;
	static const struct sl_stats_prom_counter odd[] = {
		{"weird-name.with spaces", 1, false},
		{"already_total", 2, false},
		{"drop_\"quoted\"\\\n", 3, true},
		{"", 4, false},
		{NULL, 5, true},
	};
	static const struct sl_stats_prom_lcore lc[] = {{7, "a\"b\nc", NAN, 0, 0},
							{8, NULL, 2.5, 0, 0}};
	const struct sl_stats_prom_dp odd_dp = {odd, 5, lc, 2, 0, 0, 0};

	build_model(rows, "p\"x\\{}\n,=", "srv\n\n\"\\");
	sl_outbuf_init(&o, 0);
	int rc = sl_stats_prom_render(rows, NROWS, &odd_dp, &o);
	CU_ASSERT(rc > 0);
	CU_ASSERT_EQUAL(check_exposition(sl_outbuf_data(&o)), rc);
	const char *t = sl_outbuf_data(&o);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "sluice_dataplane_weird_name_with_spaces_total 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "sluice_dataplane_already_total 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		t, "sluice_dataplane_packets_dropped_total{reason=\"\\\"quoted\\\"\\\\\\n\"} 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "{lcore=\"7\",role=\"a\\\"b\\nc\"} NaN\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "sluice_dataplane_lcore_busy_ratio{lcore=\"8\"} 1\n"));
	CU_ASSERT_PTR_NULL(strstr(t, "flows"));
	CU_ASSERT_PTR_NULL(strstr(t, " 4\n")); /* the nameless counters are skipped */
	CU_ASSERT_PTR_NULL(strstr(t, " 5\n"));
	sl_outbuf_free(&o);
	free_model(rows);

	/* The parser itself refuses what it must. */
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\na{x=\"1\"} 1\n"), 1);
	CU_ASSERT_EQUAL(check_exposition("a 1\n"), -1);				 /* no TYPE */
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\na{x=\"\n\"} 1\n"), -1); /* raw newline */
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\na{x=\"\\q\"} 1\n"), -1);
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\na{x=\"\"\"} 1\n"), -1);
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\na 1x\n"), -1);
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\n# TYPE a gauge\n"), -1);
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{z=\"\"} 2\n"),
			-1);
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\na 1\na 2\n"), -1);
	CU_ASSERT_EQUAL(check_exposition("# TYPE a gauge\na 1"), -1);
}

/* Empty fields give no sample, and a family without samples gives no HELP / TYPE. */
static void test_empty_fields(void)
{
	struct sl_stats_row r[2];
	struct sl_outbuf o;
	sl_stats_row_init(&r[0], SL_STATS_SRV);
	sl_stats_set_str(&r[0], SL_ST_PXNAME, "b");
	sl_stats_set_str(&r[0], SL_ST_SVNAME, "s");
	sl_stats_set_u(&r[0], SL_ST_BOUT, 5);
	sl_stats_row_init(&r[1], SL_STATS_FE); /* no pxname: skipped */
	sl_stats_set_u(&r[1], SL_ST_SCUR, 9);
	sl_outbuf_init(&o, 0);
	CU_ASSERT_EQUAL(sl_stats_prom_render(r, 2, NULL, &o), 1);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o),
			       "# HELP sluice_server_bytes_out_total Total number of bytes sent to "
			       "clients.\n"
			       "# TYPE sluice_server_bytes_out_total counter\n"
			       "sluice_server_bytes_out_total{proxy=\"b\",server=\"s\"} 5\n");
	sl_outbuf_reset(&o);
	CU_ASSERT_EQUAL(sl_stats_prom_render(NULL, 0, NULL, &o), 0);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&o), "");
	sl_outbuf_free(&o);
	sl_stats_row_clear(&r[0]);
	sl_stats_row_clear(&r[1]);
}

/* Server states: each status string maps to exactly one state=... sample at 1. */
static void test_server_states(void)
{
	static const struct {
		const char *status, *state;
	} cases[] = {
		{"UP", "UP"},	     {"UP 2/3", "UP"},	   {"no check", "UP"},
		{"DOWN", "DOWN"},    {"DOWN 1/2", "DOWN"}, {"DOWN (agent)", "DOWN"},
		{"MAINT", "MAINT"},  {"DRAIN", "DRAIN"},   {"NOLB", "NOLB"},
		{"UPPER", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_stats_row r;
		struct sl_outbuf o;
		sl_stats_row_init(&r, SL_STATS_SRV);
		sl_stats_set_str(&r, SL_ST_PXNAME, "b");
		sl_stats_set_str(&r, SL_ST_SVNAME, "s");
		sl_stats_set_str(&r, SL_ST_STATUS, cases[i].status);
		sl_outbuf_init(&o, 0);
		CU_ASSERT_EQUAL(sl_stats_prom_render(&r, 1, NULL, &o), 5);
		const char *t = sl_outbuf_data(&o);
		int ones = 0;
		for (const char *p = t; (p = strstr(p, "} 1\n")) != NULL; p++)
			ones++;
		CU_ASSERT_EQUAL(ones, cases[i].state != NULL ? 1 : 0);
		if (cases[i].state != NULL) {
			char want[128];
			snprintf(want, sizeof(want), "state=\"%s\"} 1\n", cases[i].state);
			CU_ASSERT_PTR_NOT_NULL(strstr(t, want));
		}
		sl_outbuf_free(&o);
		sl_stats_row_clear(&r);
	}
}

static void test_cap(void)
{
	struct sl_stats_row rows[NROWS];
	struct sl_outbuf o;
	build_model(rows, "web", "s2");
	sl_outbuf_init(&o, 200);
	CU_ASSERT_EQUAL(sl_stats_prom_render(rows, NROWS, &dp, &o), -ENOSPC);
	CU_ASSERT(sl_outbuf_len(&o) <= 200);
	sl_outbuf_free(&o);
	free_model(rows);
}

static const struct sl_test_case prom_cases[] = {
	{"fixed_model", test_fixed_model},
	{"escape", test_escape},
	{"every_line_valid", test_every_line_valid},
	{"empty_fields", test_empty_fields},
	{"server_states", test_server_states},
	{"cap", test_cap},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"stats_prom", prom_cases},
		{NULL, NULL},
	};
	return sl_test_run(suites);
}
