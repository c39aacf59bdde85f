/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML statistics page of `stats uri`, laid out as HAProxy's: one table per proxy (its
 * FRONTEND row, its server rows, its BACKEND row) with the row colour telling the state, an
 * optional legend, a "dataplane" section (lcore load and packet rates, drops by reason, flow
 * table fill) and a live chart of requests/s (sessions/s when no HTTP request was counted) and
 * Mbit/s of the frontends, drawn in the browser by a small inline script that polls "<uri>;csv"
 * (the caller serves sl_stats_render() in CSV there) and draws on a <canvas>; a second chart
 * plots the connections of the busiest servers from the same poll.
 *
 * The page is self-contained: inline CSS and script, no external asset, no absolute URL. Every
 * name coming from the configuration or the caller is HTML-escaped.
 *
 * Admin forms (`stats admin`): when the caller allows it, every server row gets buttons that POST
 * "action=disable|enable|drain|ready&b=BACKEND&s=SERVER&token=TOKEN" to the stats URI. TOKEN is
 * the caller's anti-CSRF token: the caller must refuse a POST whose token is not the one it gave
 * (and should check that Origin, when present, is its own); without a token no form is printed.
 *
 * Pure C, no DPDK, no global state.
 */
#ifndef SL_STATS_HTML_H
#define SL_STATS_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/outbuf.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_prom.h"

/* The default `stats uri`. */
#define SL_STATS_HTML_DEFAULT_URI "/haproxy?stats"

struct sl_stats_html_opts {
	const char *uri;	 /* `stats uri` (NULL: SL_STATS_HTML_DEFAULT_URI) */
	const char *version;	 /* shown in the title unless hide_version (NULL: SL_VERSION) */
	bool hide_version;	 /* `stats hide-version` */
	bool show_legends;	 /* `stats show-legends` */
	const char *node;	 /* `stats show-node` name (NULL: not shown) */
	const char *desc;	 /* `stats show-desc` text (NULL: not shown) */
	int refresh_ms;		 /* `stats refresh`, in ms (0: no automatic reload) */
	bool norefresh;		 /* the request's URI ended in ";norefresh" */
	bool admin;		 /* `stats admin` allows this request */
	const char *admin_token; /* anti-CSRF token the forms carry (NULL or "": no forms) */
	unsigned chart_poll_s;	 /* the chart polls every N seconds (0: 5) */
	const struct sl_stats_prom_dp *dp; /* the dataplane section (NULL: not shown) */
};

/*
 * Renders the page of @n rows with @o (NULL: defaults) into @out. Returns the number of proxy
 * tables printed, or -ENOSPC when @out hit its cap.
 */
int sl_stats_html_render(const struct sl_stats_row *rows, size_t n,
			 const struct sl_stats_html_opts *o, struct sl_outbuf *out);

/* Appends @s with '&', '<', '>', '"' and '\'' replaced by entities (safe in text and in quoted
 * attributes). NULL is "". Returns 0, or -ENOSPC / -ENOMEM from the buffer. */
int sl_stats_html_escape(const char *s, struct sl_outbuf *out);

/*
 * The CSS class of a row's status string: "up", "going-down" ("UP 1/3"), "down", "going-up"
 * ("DOWN 1/2"), "maint", "drain", "nolb", "nocheck", "open", "stop", "full", or "unknown" (NULL
 * included).
 */
const char *sl_stats_html_state_class(const char *status);

#endif
