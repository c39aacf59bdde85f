/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition (format 0.0.4) of the statistics model, for `stats prometheus-uri`
 * and `http-request use-service prometheus-exporter`.
 *
 * Metric families:
 *  - sluice_frontend_*, sluice_backend_*, sluice_server_*: one family per "show stat" column that
 *    has a meaning as a number, labelled proxy="PXNAME" (and server="SVNAME" for servers).
 *    Columns that count since startup are counters named *_total (bytes: *_bytes_total); current
 *    values, maxima, limits, rates and averages are gauges. Times HAProxy gives in milliseconds
 *    are exported in seconds (*_seconds). The hrsp_* columns form one family,
 *    *_http_responses_total{code="1xx".."5xx"|"other"}. Empty fields give no sample, and a
 *    family without samples is not printed at all. Listener rows and the ssl/h2/h1 module
 *    columns are not exported.
 *  - status: sluice_frontend_status and sluice_backend_status are 1 when the proxy is OPEN / UP,
 *    else 0. sluice_server_status is a state set, as HAProxy's own exporter does: one sample per
 *    state in {UP, DOWN, MAINT, DRAIN, NOLB} with state="..." and value 1 for the server's
 *    current state, 0 for the others. The state is the first word of the status column
 *    ("UP 1/3" is UP, "MAINT (via b/s)" is MAINT, "no check" is UP: a server without checks
 *    takes traffic).
 *  - sluice_dataplane_*: from struct sl_stats_prom_dp, which the caller fills from the dataplane
 *    counters: every drop counter becomes a sample of
 *    sluice_dataplane_packets_dropped_total{reason="NAME"} (NAME without its "drop_" prefix),
 *    every other counter its own counter family sluice_dataplane_NAME_total; lcores give
 *    sluice_dataplane_lcore_busy_ratio{lcore="ID",role="ROLE"} (gauge, 0..1) and the flow table
 *    sluice_dataplane_flows (current entries) and sluice_dataplane_flows_capacity (gauges);
 *    sluice_process_dropped_logs_total counts the log lines lost (HAProxy's exporter calls it
 *    haproxy_process_dropped_logs_total, `show info` DroppedLogs).
 *
 * "# HELP" and "# TYPE" come once per family, before its samples, and every family's samples are
 * contiguous. Label values are escaped as the format requires ('\\' -> "\\\\", '"' -> "\\\"",
 * newline -> "\\n"). Names the caller gives (counter names) are reduced to [a-zA-Z0-9_].
 *
 * Pure C, no DPDK, no global state.
 */
#ifndef SL_STATS_PROM_H
#define SL_STATS_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/outbuf.h"
#include "controlplane/stats/stats_model.h"

/* Content-Type of the exposition. */
#define SL_STATS_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* One dataplane counter summed over the lcores, by the name `show drops` / `show lcores` print
 * ("rx_packets", "drop_ipv4_bad_checksum"). */
struct sl_stats_prom_counter {
	const char *name;
	uint64_t value;
	bool is_drop; /* a drop reason: goes to ..._packets_dropped_total{reason=...} */
};

/* One lcore of the dataplane. */
struct sl_stats_prom_lcore {
	unsigned id;	  /* the EAL lcore id */
	const char *role; /* "worker", "proxy", "main", ... (NULL: none) */
	double busy;	  /* share of the last interval spent on packets, 0..1 */
	uint64_t rx_pps;  /* packet rates over the last interval (the HTML page shows them) */
	uint64_t tx_pps;
};

/* What the dataplane adds to the stats (every member may be empty / 0). */
struct sl_stats_prom_dp {
	const struct sl_stats_prom_counter *counters;
	size_t n_counters;
	const struct sl_stats_prom_lcore *lcores;
	size_t n_lcores;
	uint64_t flows;		 /* entries in use in the L4 flow tables */
	uint64_t flows_capacity; /* their total size; 0: no flow table (flow gauges not printed) */
	uint64_t dropped_logs;	 /* log lines lost (HAProxy's DroppedLogs): a counter family of
				  * its own, sluice_process_dropped_logs_total */
};

/*
 * Renders the exposition of @n rows and the dataplane figures @dp (NULL: none) into @out.
 * Returns the number of samples printed, or -ENOSPC when @out hit its cap.
 */
int sl_stats_prom_render(const struct sl_stats_row *rows, size_t n,
			 const struct sl_stats_prom_dp *dp, struct sl_outbuf *out);

/* Appends @s escaped as a label value (without the surrounding quotes). NULL is "". Returns 0,
 * or -ENOSPC / -ENOMEM from the buffer. */
int sl_stats_prom_escape_label(const char *s, struct sl_outbuf *out);

#endif
