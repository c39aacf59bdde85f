/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/stats/stats_html.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#ifndef SL_VERSION
#define SL_VERSION "unknown"
#endif

/* ---------------------------------------------------------------- helpers */

int sl_stats_html_escape(const char *s, struct sl_outbuf *out)
{
	if (s == NULL)
		s = "";
	const char *run = s;
	for (const char *p = s; *p != '\0'; p++) {
		const char *ent;
		switch (*p) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		sl_outbuf_append(out, run, (size_t)(p - run));
		sl_outbuf_puts(out, ent);
		run = p + 1;
	}
	sl_outbuf_puts(out, run);
	return out->truncated ? -ENOSPC : 0;
}

static bool word_is(const char *s, const char *w)
{
	size_t n = strlen(w);
	return strncmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ' ');
}

/* Whether @s is "WORD n/m..." (a transition in progress). */
static bool word_with_ratio(const char *s, const char *w)
{
	size_t n = strlen(w);
	return strncmp(s, w, n) == 0 && s[n] == ' ' && s[n + 1] >= '0' && s[n + 1] <= '9';
}

const char *sl_stats_html_state_class(const char *st)
{
	if (st == NULL)
		return "unknown";
	if (word_with_ratio(st, "UP"))
		return "going-down";
	if (word_is(st, "UP"))
		return "up";
	if (word_with_ratio(st, "DOWN"))
		return "going-up";
	if (word_is(st, "DOWN"))
		return "down";
	if (word_is(st, "MAINT"))
		return "maint";
	if (word_is(st, "DRAIN"))
		return "drain";
	if (word_is(st, "NOLB"))
		return "nolb";
	if (strcmp(st, "no check") == 0)
		return "nocheck";
	if (word_is(st, "OPEN"))
		return "open";
	if (word_is(st, "STOP"))
		return "stop";
	if (word_is(st, "FULL"))
		return "full";
	return "unknown";
}

/* A field as cell text: numbers in decimal, strings escaped, empty as nothing. */
static void emit_field(const struct sl_stats_row *r, int col, struct sl_outbuf *out)
{
	const struct sl_stats_field *f = &r->f[col];
	switch (f->type) {
	case SL_FT_U32:
	case SL_FT_U64:
		sl_outbuf_printf(out, "%" PRIu64, f->v.u);
		break;
	case SL_FT_S32:
	case SL_FT_S64:
		sl_outbuf_printf(out, "%" PRId64, f->v.s);
		break;
	case SL_FT_STR:
		sl_stats_html_escape(f->v.str, out);
		break;
	case SL_FT_EMPTY:
		break;
	}
}

static bool has(const struct sl_stats_row *r, int col)
{
	return r->f[col].type != SL_FT_EMPTY;
}

/* A duration in seconds as "3d4h", "4h5m", "5m6s" or "6s". */
static void emit_duration(uint64_t s, struct sl_outbuf *out)
{
	if (s >= 86400)
		sl_outbuf_printf(out, "%" PRIu64 "d%" PRIu64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		sl_outbuf_printf(out, "%" PRIu64 "h%" PRIu64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		sl_outbuf_printf(out, "%" PRIu64 "m%" PRIu64 "s", s / 60, s % 60);
	else
		sl_outbuf_printf(out, "%" PRIu64 "s", s);
}

static void td(const struct sl_stats_row *r, int col, struct sl_outbuf *out)
{
	sl_outbuf_puts(out, "<td>");
	emit_field(r, col, out);
	sl_outbuf_puts(out, "</td>");
}

/* ---------------------------------------------------------------- head, legend */

static const char page_css[] =
	"body{font-family:Arial,Helvetica,sans-serif;font-size:12px;margin:8px;color:#222;"
	"background:#fff}\n"
	"h1{font-size:18px;margin:0 0 4px;color:#fff;background:#35506b;padding:6px}\n"
	"h2{font-size:15px;margin:8px 0}\nh3{font-size:13px;margin:10px 0 4px}\n"
	"table{border-collapse:collapse;margin-bottom:12px}\n"
	"th,td{border:1px solid #9aa;padding:1px 4px;text-align:right;white-space:nowrap}\n"
	"th{background:#dde4ea;text-align:center}\n"
	"td.name,th.pxname{text-align:left;font-weight:bold}\n"
	"th.pxname{background:#35506b;color:#fff}\n"
	"tr.frontend,tr.backend{background:#eef0f3;font-weight:bold}\n"
	".up,.open{background:#bdf0bd}\n.going-down{background:#f8f4a0}\n"
	".going-up{background:#fbd38d}\n.down,.stop{background:#f4a3a3}\n"
	".full{background:#f8c291}\n.maint{background:#bfc8f4}\n.drain{background:#a9d6f5}\n"
	".nolb{background:#d8c3ee}\n.nocheck{background:#dcdcdc}\n"
	"tr.frontend.open,tr.backend.up{background:#d6f5d6}\n"
	"tr.backend.down{background:#f4a3a3}\n"
	"span.sw{display:inline-block;width:14px;height:10px;border:1px solid #888;"
	"margin-right:4px}\n"
	"div.bar{display:inline-block;width:80px;height:8px;border:1px solid #888;"
	"background:#fff;vertical-align:middle;margin-right:4px}\n"
	"div.bar span{display:block;height:100%;background:#4a90d9}\n"
	"form.adm{display:inline;margin:0}\nform.adm button{font-size:10px;padding:0 3px}\n"
	"canvas{border:1px solid #9aa;background:#fafbfc}\n"
	"p.links a{margin-right:12px}\n";

static const struct {
	const char *cls;
	const char *text;
} legend[] = {
	{"up", "active or backup UP"},
	{"going-down", "UP, going down"},
	{"going-up", "DOWN, going up"},
	{"down", "active or backup DOWN"},
	{"maint", "DOWN for maintenance (MAINT)"},
	{"drain", "soft stopped for maintenance (DRAIN)"},
	{"nolb", "not taking new traffic (NOLB)"},
	{"nocheck", "not checked"},
};

static void emit_legend(struct sl_outbuf *out)
{
	sl_outbuf_puts(out, "<section id=\"legend\"><h3>Legend</h3><table class=\"legend\">\n");
	for (size_t i = 0; i < sizeof(legend) / sizeof(legend[0]); i++)
		sl_outbuf_printf(out,
				 "<tr><td class=\"%s\"><span class=\"sw %s\"></span></td>"
				 "<td class=\"name\">%s</td></tr>\n",
				 legend[i].cls, legend[i].cls, legend[i].text);
	sl_outbuf_puts(out, "</table>\n<p>Note: \"UP n/m\" and \"DOWN n/m\" count the checks of a "
			    "transition in progress; MAINT, DRAIN and NOLB are set by the "
			    "operator.</p></section>\n");
}

/* ---------------------------------------------------------------- dataplane */

static void emit_bar(double share, struct sl_outbuf *out)
{
	if (isnan(share) || share < 0)
		share = 0;
	if (share > 1)
		share = 1;
	sl_outbuf_printf(out, "<div class=\"bar\"><span style=\"width:%.1f%%\"></span></div>%.1f%%",
			 share * 100, share * 100);
}

static void emit_dataplane(const struct sl_stats_prom_dp *dp, struct sl_outbuf *out)
{
	sl_outbuf_puts(out, "<section id=\"dataplane\"><h3>Dataplane</h3>\n");

	if (dp->n_lcores > 0) {
		sl_outbuf_puts(out, "<table class=\"dp lcores\"><thead><tr><th>lcore</th>"
				    "<th>role</th><th>busy</th><th>rx pkt/s</th><th>tx pkt/s</th>"
				    "</tr></thead><tbody>\n");
		for (size_t i = 0; i < dp->n_lcores; i++) {
			const struct sl_stats_prom_lcore *l = &dp->lcores[i];
			sl_outbuf_printf(out, "<tr><td>%u</td><td class=\"name\">", l->id);
			sl_stats_html_escape(l->role, out);
			sl_outbuf_puts(out, "</td><td>");
			emit_bar(l->busy, out);
			sl_outbuf_printf(out, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
					 l->rx_pps, l->tx_pps);
		}
		sl_outbuf_puts(out, "</tbody></table>\n");
	}

	if (dp->flows_capacity > 0) {
		sl_outbuf_printf(out,
				 "<div class=\"flows\">Flow table: %" PRIu64 " / %" PRIu64 " entries ",
				 dp->flows, dp->flows_capacity);
		emit_bar((double)dp->flows / (double)dp->flows_capacity, out); /* a <div>: not in a <p> */
		sl_outbuf_puts(out, "</div>\n");
	}
	sl_outbuf_printf(out, "<div class=\"logs\">Dropped logs: %" PRIu64 "</div>\n",
			 dp->dropped_logs);

	bool any = false;
	sl_outbuf_puts(out, "<table class=\"dp drops\"><thead><tr><th>drop reason</th>"
			    "<th>packets</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < dp->n_counters; i++) {
		const struct sl_stats_prom_counter *c = &dp->counters[i];
		if (!c->is_drop || c->name == NULL || c->value == 0)
			continue;
		sl_outbuf_puts(out, "<tr><td class=\"name\">");
		sl_stats_html_escape(strncmp(c->name, "drop_", 5) == 0 && c->name[5] != '\0'
					     ? c->name + 5
					     : c->name,
				     out);
		sl_outbuf_printf(out, "</td><td>%" PRIu64 "</td></tr>\n", c->value);
		any = true;
	}
	if (!any)
		sl_outbuf_puts(out, "<tr><td class=\"name\" colspan=\"2\">no packet dropped</td>"
				    "</tr>\n");
	sl_outbuf_puts(out, "</tbody></table>\n");

	bool header = false;
	for (size_t i = 0; i < dp->n_counters; i++) {
		const struct sl_stats_prom_counter *c = &dp->counters[i];
		if (c->is_drop || c->name == NULL)
			continue;
		if (!header) {
			sl_outbuf_puts(out, "<table class=\"dp counters\"><thead><tr><th>counter</th>"
					    "<th>value</th></tr></thead><tbody>\n");
			header = true;
		}
		sl_outbuf_puts(out, "<tr><td class=\"name\">");
		sl_stats_html_escape(c->name, out);
		sl_outbuf_printf(out, "</td><td>%" PRIu64 "</td></tr>\n", c->value);
	}
	if (header)
		sl_outbuf_puts(out, "</tbody></table>\n");
	sl_outbuf_puts(out, "</section>\n");
}

/* ---------------------------------------------------------------- chart */

/*
 * Polls the CSV stats (HAProxy's JSON of 1 000 servers is 12 MB; its CSV 240 KB), sums the
 * frontends' stot, req_tot, bin and bout, and plots the rates of
 * the last 60 polls: requests/s (sessions/s while no request was counted) and Mbit/s, each on
 * its own scale; a second chart plots the current connections (scur) of the 8 busiest servers. Fetches with the page's credentials (same origin only). No "//" comment and no
 * absolute URL on purpose.
 */
static const char chart_js[] =
	"(function(){\n"
	"var c=document.getElementById('sl-chart');\n"
	"if(!c||!c.getContext||!window.fetch)return;\n"
	/* without the page's own user:password, which fetch() refuses in a URL */
	"var u=new URL(c.getAttribute('data-csv'),location.href);u.username=u.password='';\n"
	"var url=u.href,iv=(+c.getAttribute('data-poll')||5)*1000;\n"
	"var N=60,pts=[],last=null,info=document.getElementById('sl-chart-info');\n"
	"function parse(t){var L=t.split('\\n'),h=L[0].replace(/^# /,'').split(','),rows=[];\n"
	" for(var i=1;i<L.length;i++){if(!L[i])continue;var v=L[i].split(','),o={};\n"
	"  for(var k=0;k<h.length;k++)o[h[k]]=v[k];rows.push(o);}\n"
	" return rows;}\n"
	"function sum(rows){var s=0,r=0,b=0;\n"
	" rows.forEach(function(o){if(o.svname!=='FRONTEND')return;\n"
	"  s+=+o.stot||0;r+=+o.req_tot||0;b+=(+o.bin||0)+(+o.bout||0);});\n"
	" return {t:Date.now(),s:s,r:r,b:b};}\n"
	"function line(g,k,col,w,h){var m=1;\n"
	" for(var i=0;i<pts.length;i++)m=Math.max(m,pts[i][k]);\n"
	" g.strokeStyle=col;g.lineWidth=2;g.beginPath();\n"
	" for(var i=0;i<pts.length;i++){var x=(N-pts.length+i)*(w-1)/(N-1),"
	"y=h-3-pts[i][k]/m*(h-24);\n"
	"  if(i===0)g.moveTo(x,y);else g.lineTo(x,y);}\n"
	" g.stroke();return m;}\n"
	"function draw(){var g=c.getContext('2d'),w=c.width,h=c.height;g.clearRect(0,0,w,h);\n"
	" var req=pts.some(function(p){return p.r>0;}),k=req?'r':'s',"
	"lbl=req?'requests/s':'sessions/s';\n"
	" var m1=line(g,k,'#2a6ebb',w,h),m2=line(g,'m','#c0392b',w,h),p=pts[pts.length-1];\n"
	" g.font='12px sans-serif';g.fillStyle='#2a6ebb';\n"
	" g.fillText(lbl+': '+p[k].toFixed(1)+' (scale '+m1.toFixed(0)+')',6,14);\n"
	" g.fillStyle='#c0392b';\n"
	" g.fillText('Mbit/s: '+p.m.toFixed(2)+' (scale '+m2.toFixed(1)+')',w/2,14);\n"
	" if(info)info.textContent=lbl+' '+p[k].toFixed(1)+', Mbit/s '+p.m.toFixed(2);}\n"
	"function tick(){fetch(url,{credentials:'same-origin',cache:'no-store'})\n"
	" .then(function(x){if(!x.ok)throw x.status;return x.text();})\n"
	" .then(function(t){var j=parse(t),cur=sum(j);\n"
	"  if(last&&cur.t>last.t){var dt=(cur.t-last.t)/1000;\n"
	"   pts.push({r:Math.max(0,(cur.r-last.r)/dt),s:Math.max(0,(cur.s-last.s)/dt),\n"
	"    m:Math.max(0,(cur.b-last.b)*8/dt/1e6)});\n"
	"   if(pts.length>N)pts.shift();draw();}\n"
	"  last=cur;conns(j);})\n"
	" .catch(function(){if(info)info.textContent='statistics unavailable';});}\n"
	"var C=document.getElementById('sl-conn'),cinfo=document.getElementById('sl-conn-info'),sv={};\n"
	"var pal=['#2a6ebb','#c0392b','#27ae60','#8e44ad','#d35400','#16a085','#7f8c8d','#b7950b'];\n"
	"function servers(rows){var o={};\n"
	" rows.forEach(function(x){if(x.type==='2')o[x.pxname+'/'+x.svname]=+x.scur||0;});\n"
	" return o;}\n"
	"function cur(n){var a=sv[n];return a[a.length-1];}\n"
	"function drawConn(){if(!C||!C.getContext)return;var g=C.getContext('2d'),w=C.width,h=C.height;\n"
	" g.clearRect(0,0,w,h);var names=Object.keys(sv).sort(function(a,b){return cur(b)-cur(a);}).slice(0,8),m=1;\n"
	" names.forEach(function(n){sv[n].forEach(function(v){m=Math.max(m,v);});});g.font='11px sans-serif';\n"
	" names.forEach(function(n,i){var a=sv[n];g.strokeStyle=pal[i];g.lineWidth=2;g.beginPath();\n"
	"  for(var k=0;k<a.length;k++){var x=(N-a.length+k)*(w-1)/(N-1),y=h-3-a[k]/m*(h-32);\n"
	"   if(k===0)g.moveTo(x,y);else g.lineTo(x,y);}\n"
	"  g.stroke();g.fillStyle=pal[i];g.fillText(n+': '+cur(n),6+(i%4)*(w/4),12+Math.floor(i/4)*13);});\n"
	" if(cinfo)cinfo.textContent=names.map(function(n){return n+' '+cur(n);}).join(', ');}\n"
	"function conns(j){var o=servers(j);\n"
	" Object.keys(o).forEach(function(n){var a=sv[n]||(sv[n]=[]);a.push(o[n]);if(a.length>N)a.shift();});\n"
	" drawConn();}\n"
	"tick();setInterval(tick,iv);\n"
	"})();\n";

static void emit_chart(const char *uri, unsigned poll_s, struct sl_outbuf *out)
{
	sl_outbuf_puts(out, "<section id=\"chart\"><h3>Traffic of the frontends</h3>\n"
			    "<canvas id=\"sl-chart\" width=\"720\" height=\"160\" data-csv=\"");
	sl_stats_html_escape(uri, out);
	sl_outbuf_printf(out,
			 ";csv\" data-poll=\"%u\">requests/s and Mbit/s (needs JavaScript)"
			 "</canvas>\n<p id=\"sl-chart-info\"></p>\n"
			 "<h3>Connections per server</h3>\n"
			 "<canvas id=\"sl-conn\" width=\"720\" height=\"160\">current connections of the "
			 "busiest servers (needs JavaScript)</canvas>\n<p id=\"sl-conn-info\"></p></section>\n",
			 poll_s);
}

/* ---------------------------------------------------------------- proxy tables */

static void emit_table_head(const char *px, bool admin, struct sl_outbuf *out)
{
	sl_outbuf_puts(out, "<table class=\"px\" data-proxy=\"");
	sl_stats_html_escape(px, out);
	sl_outbuf_puts(out, "\">\n<thead><tr><th class=\"pxname\" rowspan=\"2\">");
	sl_stats_html_escape(px, out);
	sl_outbuf_puts(out,
		       "</th><th colspan=\"3\">Queue</th><th colspan=\"3\">Session rate</th>"
		       "<th colspan=\"6\">Sessions</th><th colspan=\"2\">Bytes</th>"
		       "<th colspan=\"2\">Denied</th><th colspan=\"3\">Errors</th>"
		       "<th colspan=\"2\">Warnings</th><th colspan=\"9\">Server</th>");
	if (admin)
		sl_outbuf_puts(out, "<th rowspan=\"2\">Admin</th>");
	sl_outbuf_puts(out, "</tr>\n<tr>"
			    "<th>Cur</th><th>Max</th><th>Limit</th>"
			    "<th>Cur</th><th>Max</th><th>Limit</th>"
			    "<th>Cur</th><th>Max</th><th>Limit</th><th>Total</th><th>LbTot</th>"
			    "<th>Last</th>"
			    "<th>In</th><th>Out</th><th>Req</th><th>Resp</th>"
			    "<th>Req</th><th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th>"
			    "<th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th>"
			    "<th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th>"
			    "</tr></thead>\n<tbody>\n");
}

static void emit_admin_form(const char *uri, const char *px, const char *sv, const char *token,
			    struct sl_outbuf *out)
{
	static const char *const actions[][2] = {
		{"disable", "Disable"}, {"enable", "Enable"}, {"drain", "Drain"}, {"ready", "Ready"}};
	sl_outbuf_puts(out, "<td><form class=\"adm\" method=\"post\" action=\"");
	sl_stats_html_escape(uri, out);
	sl_outbuf_puts(out, "\"><input type=\"hidden\" name=\"b\" value=\"");
	sl_stats_html_escape(px, out);
	sl_outbuf_puts(out, "\"><input type=\"hidden\" name=\"s\" value=\"");
	sl_stats_html_escape(sv, out);
	sl_outbuf_puts(out, "\"><input type=\"hidden\" name=\"token\" value=\"");
	sl_stats_html_escape(token, out);
	sl_outbuf_puts(out, "\">");
	for (size_t i = 0; i < 4; i++)
		sl_outbuf_printf(out, "<button type=\"submit\" name=\"action\" value=\"%s\">%s"
				      "</button>",
				 actions[i][0], actions[i][1]);
	sl_outbuf_puts(out, "</form></td>");
}

static void emit_row(const struct sl_stats_row *r, const char *uri, bool admin, const char *token,
		     struct sl_outbuf *out)
{
	const char *st = sl_stats_get_str(r, SL_ST_STATUS);
	const char *kind = r->obj == SL_STATS_FE ? "frontend" : r->obj == SL_STATS_BE ? "backend"
										   : "server";
	sl_outbuf_printf(out, "<tr class=\"%s %s\"", kind, sl_stats_html_state_class(st));
	if (r->obj == SL_STATS_SRV) {
		sl_outbuf_puts(out, " data-server=\"");
		sl_stats_html_escape(sl_stats_get_str(r, SL_ST_SVNAME), out);
		sl_outbuf_puts(out, "\"");
	}
	sl_outbuf_puts(out, "><td class=\"name\">");
	if (r->obj == SL_STATS_FE)
		sl_outbuf_puts(out, "Frontend");
	else if (r->obj == SL_STATS_BE)
		sl_outbuf_puts(out, "Backend");
	else
		sl_stats_html_escape(sl_stats_get_str(r, SL_ST_SVNAME), out);
	sl_outbuf_puts(out, "</td>");

	static const int cols1[] = {SL_ST_QCUR,	 SL_ST_QMAX, SL_ST_QLIMIT, SL_ST_RATE,
				    SL_ST_RATE_MAX, SL_ST_RATE_LIM, SL_ST_SCUR, SL_ST_SMAX,
				    SL_ST_SLIM,	 SL_ST_STOT, SL_ST_LBTOT};
	for (size_t i = 0; i < sizeof(cols1) / sizeof(cols1[0]); i++)
		td(r, cols1[i], out);
	/* Last: seconds since the last session (-1 or empty: never). */
	sl_outbuf_puts(out, "<td>");
	if (has(r, SL_ST_LASTSESS) && r->f[SL_ST_LASTSESS].v.s >= 0)
		emit_duration((uint64_t)r->f[SL_ST_LASTSESS].v.s, out);
	sl_outbuf_puts(out, "</td>");
	static const int cols2[] = {SL_ST_BIN,	SL_ST_BOUT,  SL_ST_DREQ,  SL_ST_DRESP, SL_ST_EREQ,
				    SL_ST_ECON, SL_ST_ERESP, SL_ST_WRETR, SL_ST_WREDIS};
	for (size_t i = 0; i < sizeof(cols2) / sizeof(cols2[0]); i++)
		td(r, cols2[i], out);

	/* Status: "1h2m UP" (age of the state, then the state). */
	sl_outbuf_printf(out, "<td class=\"%s\">", sl_stats_html_state_class(st));
	if (r->obj != SL_STATS_FE && has(r, SL_ST_LASTCHG)) {
		emit_duration(sl_stats_get_u(r, SL_ST_LASTCHG), out);
		sl_outbuf_puts(out, " ");
	}
	sl_stats_html_escape(st, out);
	sl_outbuf_puts(out, "</td><td>");
	if (has(r, SL_ST_CHECK_STATUS)) {
		emit_field(r, SL_ST_CHECK_STATUS, out);
		if (has(r, SL_ST_CHECK_CODE)) {
			sl_outbuf_puts(out, "/");
			emit_field(r, SL_ST_CHECK_CODE, out);
		}
		if (has(r, SL_ST_CHECK_DURATION)) {
			sl_outbuf_puts(out, " in ");
			emit_field(r, SL_ST_CHECK_DURATION, out);
			sl_outbuf_puts(out, "ms");
		}
	}
	sl_outbuf_puts(out, "</td>");
	td(r, SL_ST_WEIGHT, out);
	if (r->obj == SL_STATS_SRV) {
		sl_outbuf_printf(out, "<td>%s</td><td>%s</td>",
				 !has(r, SL_ST_ACT)		  ? ""
				 : sl_stats_get_u(r, SL_ST_ACT) ? "Y"
								  : "-",
				 !has(r, SL_ST_BCK)		  ? ""
				 : sl_stats_get_u(r, SL_ST_BCK) ? "Y"
								  : "-");
	} else {
		td(r, SL_ST_ACT, out);
		td(r, SL_ST_BCK, out);
	}
	td(r, SL_ST_CHKFAIL, out);
	td(r, SL_ST_CHKDOWN, out);
	sl_outbuf_puts(out, "<td>");
	if (has(r, SL_ST_DOWNTIME))
		emit_duration(sl_stats_get_u(r, SL_ST_DOWNTIME), out);
	sl_outbuf_puts(out, "</td><td>");
	if (has(r, SL_ST_THROTTLE)) {
		emit_field(r, SL_ST_THROTTLE, out);
		sl_outbuf_puts(out, "%");
	}
	sl_outbuf_puts(out, "</td>");
	if (admin) {
		if (r->obj == SL_STATS_SRV)
			emit_admin_form(uri, sl_stats_get_str(r, SL_ST_PXNAME),
					sl_stats_get_str(r, SL_ST_SVNAME), token, out);
		else
			sl_outbuf_puts(out, "<td></td>");
	}
	sl_outbuf_puts(out, "</tr>\n");
}

/* ---------------------------------------------------------------- the page */

int sl_stats_html_render(const struct sl_stats_row *rows, size_t n,
			 const struct sl_stats_html_opts *o, struct sl_outbuf *out)
{
	static const struct sl_stats_html_opts defaults = {0};
	if (o == NULL)
		o = &defaults;
	const char *uri = o->uri != NULL ? o->uri : SL_STATS_HTML_DEFAULT_URI;
	bool admin = o->admin && o->admin_token != NULL && o->admin_token[0] != '\0';
	bool refresh = o->refresh_ms > 0 && !o->norefresh;

	sl_outbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			    "<meta name=\"referrer\" content=\"same-origin\">\n");
	if (refresh)
		sl_outbuf_printf(out, "<meta http-equiv=\"refresh\" content=\"%d\">\n",
				 o->refresh_ms / 1000 + (o->refresh_ms % 1000 != 0));
	sl_outbuf_puts(out, "<title>Statistics Report for sluice");
	if (o->node != NULL) {
		sl_outbuf_puts(out, " on ");
		sl_stats_html_escape(o->node, out);
	}
	sl_outbuf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>sluice", page_css);
	if (!o->hide_version) {
		sl_outbuf_puts(out, " version ");
		sl_stats_html_escape(o->version != NULL ? o->version : SL_VERSION, out);
	}
	sl_outbuf_puts(out, "</h1>\n<h2>Statistics Report");
	if (o->node != NULL) {
		sl_outbuf_puts(out, " for node ");
		sl_stats_html_escape(o->node, out);
	}
	sl_outbuf_puts(out, "</h2>\n");
	if (o->desc != NULL) {
		sl_outbuf_puts(out, "<p class=\"desc\">");
		sl_stats_html_escape(o->desc, out);
		sl_outbuf_puts(out, "</p>\n");
	}

	/* Links are relative to the page: the stats URI plus HAProxy's ";" options. */
	sl_outbuf_puts(out, "<p class=\"links\">");
	if (o->refresh_ms > 0) {
		sl_outbuf_puts(out, "<a href=\"");
		sl_stats_html_escape(uri, out);
		sl_outbuf_printf(out, "%s\">%s</a>", o->norefresh ? "" : ";norefresh",
				 o->norefresh ? "Enable refresh" : "Disable refresh");
	}
	sl_outbuf_puts(out, "<a href=\"");
	sl_stats_html_escape(uri, out);
	sl_outbuf_puts(out, ";csv\">CSV export</a><a href=\"");
	sl_stats_html_escape(uri, out);
	sl_outbuf_puts(out, ";json\">JSON export</a></p>\n");

	if (o->show_legends)
		emit_legend(out);
	if (o->dp != NULL)
		emit_dataplane(o->dp, out);
	emit_chart(uri, o->chart_poll_s != 0 ? o->chart_poll_s : 5, out);

	/* One table per run of rows of the same proxy: FRONTEND, servers, BACKEND. */
	int tables = 0;
	for (size_t i = 0; i < n && !out->truncated;) {
		const char *px = sl_stats_get_str(&rows[i], SL_ST_PXNAME);
		if (px == NULL) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < n && sl_stats_get_str(&rows[j], SL_ST_PXNAME) != NULL &&
		       strcmp(sl_stats_get_str(&rows[j], SL_ST_PXNAME), px) == 0)
			j++;
		emit_table_head(px, admin, out);
		static const enum sl_stats_obj order[] = {SL_STATS_FE, SL_STATS_SRV, SL_STATS_BE};
		for (size_t k = 0; k < 3; k++)
			for (size_t r = i; r < j; r++)
				if (rows[r].obj == order[k])
					emit_row(&rows[r], uri, admin, o->admin_token, out);
		sl_outbuf_puts(out, "</tbody></table>\n");
		tables++;
		i = j;
	}

	sl_outbuf_printf(out, "<script>\n%s</script>\n</body>\n</html>\n", chart_js);
	return out->truncated ? -ENOSPC : tables;
}
