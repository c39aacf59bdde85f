/* SPDX-License-Identifier: BSD-3-Clause */
/* Run-time DNS on the main lcore: see resolvers.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/resolvers.h"
#include "proto/dns.h"
#include "proto/outbuf.h"

/* HAProxy's per-name-server counters (`show resolvers`). */
#define NS_COUNTERS(X)                                                                             \
	X(sent) X(snd_error) X(valid) X(update) X(cname) X(cname_error) X(any_err) X(nx)          \
		X(timeout) X(refused) X(other) X(invalid) X(too_big) X(truncated) X(outdated)

struct ns_ctr {
#define X(n) uint64_t n;
	NS_COUNTERS(X)
#undef X
};

enum res_status { ST_NONE, ST_VALID, ST_NX, ST_REFUSED, ST_TIMEOUT, ST_OTHER };

static const char *const status_names[] = {"none", "valid", "nx", "refused", "timeout", "other"};

/* One resolvers section: its socket and its name servers' counters. */
struct res_sec {
	char name[64];
	char ns_id[SL_RESOLVERS_NS_MAX][64];
	const struct sl_resolvers *cf; /* in the configuration given to create() */
	int fd;
	struct ns_ctr ctr[SL_RESOLVERS_NS_MAX];
};

/* One (section, name) resolution. */
struct res_name {
	int sec;
	char host[SL_DNS_NAME_MAX + 1];
	enum res_status status;
	bool inflight;
	int tries;
	uint16_t qid;
	uint64_t sent_ms, next_ms, status_ms;
	uint64_t valid_ms;     /* the last valid answer (its addresses are in addr) */
	uint64_t err_since_ms; /* the first error after a valid answer or none */
	uint64_t hold_end_ms;  /* when the last error's hold period ends (0: none pending) */
	int naddr;
	uint32_t addr[SL_DNS_ADDR_MAX];
};

struct sl_resolv {
	int nsec, nnames;
	struct res_sec *secs;
	struct res_name *names;
	const struct sl_cfg *running; /* set by poll, read by sl_resolv_server_addr() */
	uint64_t now_ms;
	bool dirty; /* an answer, a timeout or a hold's end since the last evaluation */
};

static int find_sec(const struct sl_resolv *r, const char *name)
{
	for (int i = 0; i < r->nsec; i++)
		if (strcmp(r->secs[i].name, name) == 0)
			return i;
	return -1;
}

static struct res_name *find_name(const struct sl_resolv *r, int sec, const char *host)
{
	for (int i = 0; i < r->nnames; i++)
		if (r->names[i].sec == sec && strcasecmp(r->names[i].host, host) == 0)
			return &r->names[i];
	return NULL;
}

void sl_resolv_destroy(struct sl_resolv *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nsec; i++)
		if (r->secs[i].fd >= 0)
			close(r->secs[i].fd);
	free(r->secs);
	free(r->names);
	free(r);
}

struct sl_resolv *sl_resolv_create(const struct sl_cfg *cfg, const struct sl_resolv *old)
{
	int nsec = 0, nnames = 0;
	for (const struct sl_resolvers *s = cfg->resolvers; s != NULL; s = s->next)
		nsec++;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (const struct sl_server *s = px->servers; s != NULL; s = s->next)
			nnames += s->p.resolvers != NULL && s->host != NULL;
	if (nnames == 0) {
		errno = 0; /* nothing to do, not a failure */
		return NULL;
	}
	struct sl_resolv *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->secs = calloc((size_t)nsec, sizeof(*r->secs));
	r->names = calloc((size_t)nnames, sizeof(*r->names));
	if (r->secs == NULL || r->names == NULL) {
		sl_resolv_destroy(r);
		return NULL;
	}
	for (const struct sl_resolvers *s = cfg->resolvers; s != NULL; s = s->next) {
		struct res_sec *rs = &r->secs[r->nsec++];
		snprintf(rs->name, sizeof(rs->name), "%s", s->name);
		rs->cf = s;
		rs->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (rs->fd < 0) {
			fprintf(stderr, "sluiced: resolvers %s: cannot open a UDP socket: %s\n", s->name,
				strerror(errno));
			sl_resolv_destroy(r);
			return NULL;
		}
		for (int i = 0; i < s->nns; i++)
			snprintf(rs->ns_id[i], sizeof(rs->ns_id[i]), "%s", s->ns[i].id);
		int os = old != NULL ? find_sec(old, s->name) : -1;
		for (int i = 0; os >= 0 && i < s->nns; i++)
			for (int j = 0; j < SL_RESOLVERS_NS_MAX; j++)
				if (strcmp(old->secs[os].ns_id[j], rs->ns_id[i]) == 0)
					rs->ctr[i] = old->secs[os].ctr[j];
	}
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		for (const struct sl_server *s = px->servers; s != NULL; s = s->next) {
			if (s->p.resolvers == NULL || s->host == NULL)
				continue;
			int sec = find_sec(r, s->p.resolvers);
			if (sec < 0 || find_name(r, sec, s->host) != NULL)
				continue;
			struct res_name *n = &r->names[r->nnames++];
			n->sec = sec;
			snprintf(n->host, sizeof(n->host), "%s", s->host);
			int os = old != NULL ? find_sec(old, s->p.resolvers) : -1;
			const struct res_name *on = os >= 0 ? find_name(old, os, s->host) : NULL;
			if (on != NULL) { /* what is known stays; a query in flight is sent again */
				*n = *on;
				n->sec = sec;
				n->inflight = false;
			}
		}
	return r;
}

static void send_query(struct sl_resolv *r, struct res_name *n, uint64_t now)
{
	struct res_sec *rs = &r->secs[n->sec];
	const struct sl_resolvers *cf = rs->cf;
	uint8_t q[SL_DNS_NAME_MAX + 64];
	if (n->tries == 0 && getrandom(&n->qid, sizeof(n->qid), GRND_NONBLOCK) != sizeof(n->qid))
		n->qid = (uint16_t)(n->qid * 31421u + 6927u + (uint16_t)now);
	int len = sl_dns_query_a(q, sizeof(q), n->qid, n->host, (uint16_t)cf->payload);
	n->inflight = true;
	n->sent_ms = now;
	n->tries++;
	for (int i = 0; i < cf->nns; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons(cf->ns[i].port),
					 .sin_addr.s_addr = htonl(cf->ns[i].ip)};
		if (len > 0 && sendto(rs->fd, q, (size_t)len, 0, (struct sockaddr *)&sa,
				      sizeof(sa)) == len)
			rs->ctr[i].sent++;
		else
			rs->ctr[i].snd_error++;
	}
}

/* The hold period of @n's last status: how long its last valid answer stays in use. */
static uint64_t hold_of(const struct sl_resolvers *cf, enum res_status st)
{
	switch (st) {
	case ST_NX:
		return (uint64_t)cf->hold_nx;
	case ST_REFUSED:
		return (uint64_t)cf->hold_refused;
	case ST_TIMEOUT:
		return (uint64_t)cf->hold_timeout;
	case ST_OTHER:
		return (uint64_t)cf->hold_other;
	default:
		return UINT64_MAX;
	}
}

static void end_resolution(struct sl_resolv *r, struct res_name *n, enum res_status st,
			   uint64_t now)
{
	const struct sl_resolvers *cf = r->secs[n->sec].cf;
	if (st != ST_VALID && (n->status == ST_VALID || n->status == ST_NONE))
		n->err_since_ms = now;
	n->inflight = false;
	n->tries = 0;
	n->status = st;
	n->status_ms = now;
	n->next_ms = now + (uint64_t)(st == ST_VALID ? cf->hold_valid : cf->t_resolve);
	n->hold_end_ms = 0;
	if (st != ST_VALID) {
		uint64_t hold = hold_of(cf, st);
		if (hold != UINT64_MAX)
			n->hold_end_ms = (n->naddr > 0 ? n->valid_ms : n->err_since_ms) + hold;
	}
	r->dirty = true;
}

static int ns_index(const struct sl_resolvers *cf, const struct sockaddr_in *from)
{
	for (int i = 0; i < cf->nns; i++)
		if (htonl(cf->ns[i].ip) == from->sin_addr.s_addr &&
		    htons(cf->ns[i].port) == from->sin_port)
			return i;
	return -1;
}

static void read_answers(struct sl_resolv *r, int sec, uint64_t now)
{
	struct res_sec *rs = &r->secs[sec];
	uint8_t m[65536];
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t len = recvfrom(rs->fd, m, sizeof(m), 0, (struct sockaddr *)&from, &fl);
		if (len < 0)
			return; /* EAGAIN, or an ICMP error on the socket: the retry timer handles it */
		int ns = ns_index(rs->cf, &from);
		if (ns < 0)
			continue; /* not from a name server of the section */
		struct ns_ctr *c = &rs->ctr[ns];
		if (len > rs->cf->payload) {
			c->too_big++;
			continue;
		}
		if (len < 12) {
			c->invalid++;
			continue;
		}
		struct res_name *n = NULL;
		for (int i = 0; i < r->nnames && n == NULL; i++)
			if (r->names[i].sec == sec && r->names[i].inflight &&
			    r->names[i].qid == sl_dns_id(m))
				n = &r->names[i];
		if (n == NULL) {
			c->outdated++; /* an answer after another name server's, or to a retired query */
			continue;
		}
		struct sl_dns_answer a;
		if (sl_dns_parse_a(m, (size_t)len, n->host, &a) < 0) {
			c->invalid++;
			continue;
		}
		if (a.truncated)
			c->truncated++;
		if (a.rcode == SL_DNS_NOERROR && a.naddr > 0) {
			c->valid++;
			bool same = a.naddr == n->naddr &&
				    memcmp(a.addr, n->addr, sizeof(a.addr[0]) * (size_t)a.naddr) == 0;
			if (!same)
				c->update++;
			n->naddr = a.naddr;
			memcpy(n->addr, a.addr, sizeof(a.addr[0]) * (size_t)a.naddr);
			n->valid_ms = now;
			end_resolution(r, n, ST_VALID, now);
		} else if (a.rcode == SL_DNS_NXDOMAIN) {
			c->nx++;
			end_resolution(r, n, ST_NX, now);
		} else if (a.rcode == SL_DNS_REFUSED) {
			c->refused++;
			end_resolution(r, n, ST_REFUSED, now);
		} else {
			/* SERVFAIL, or NOERROR without an A record: HAProxy's "other" */
			c->other++;
			c->any_err++;
			end_resolution(r, n, ST_OTHER, now);
		}
	}
}

/* Whether @n's addresses are in use at @now: a valid answer, or an error whose hold period has
 * not ended since the last valid answer. */
static bool usable(const struct sl_resolv *r, const struct res_name *n, uint64_t now)
{
	if (n->naddr == 0)
		return false;
	if (n->status == ST_VALID || n->status == ST_NONE)
		return true;
	uint64_t hold = hold_of(r->secs[n->sec].cf, n->status);
	return now - n->valid_ms < hold;
}

static bool in_net(const struct sl_cfg_net *net, uint32_t a)
{
	uint32_t mask = net->plen == 0 ? 0 : ~0u << (32 - net->plen);
	return (a & mask) == (net->v4 & mask);
}

static bool used_by_other(const struct sl_proxy *px, const struct sl_server *s, uint32_t a)
{
	for (const struct sl_server *o = px->servers; o != NULL; o = o->next)
		if (o != s && o->addr.family == AF_INET && o->addr.v4 == a)
			return true;
	return false;
}

int sl_resolv_server_addr(void *arg, const struct sl_proxy *px, const struct sl_server *s,
			  uint32_t *v4)
{
	const struct sl_resolv *r = arg;
	if (r == NULL || s->p.resolvers == NULL || s->host == NULL)
		return -1;
	int sec = find_sec(r, s->p.resolvers);
	const struct res_name *n = sec >= 0 ? find_name(r, sec, s->host) : NULL;
	if (n == NULL || (n->status == ST_NONE && n->naddr == 0))
		return -1;
	if (!usable(r, n, r->now_ms)) {
		/* never valid: the address init-addr gave stays until the errors' hold period,
		 * counted from the first, has passed; after a valid answer, it counts from that */
		if (n->naddr == 0 &&
		    r->now_ms - n->err_since_ms < hold_of(r->secs[sec].cf, n->status))
			return -1;
		return 0;
	}
	/* the running configuration's server of the same names, for its address now */
	const struct sl_proxy *rpx =
		r->running != NULL ? sl_cfg_find_proxy(r->running, px->name, SL_CAP_BE) : NULL;
	const struct sl_server *rs = rpx != NULL ? sl_cfg_find_server(rpx, s->name) : NULL;
	if (rs != NULL && rs->addr.family == AF_INET)
		for (int i = 0; i < n->naddr; i++)
			if (n->addr[i] == rs->addr.v4) {
				*v4 = rs->addr.v4;
				return 1;
			}
	/* another address: the first in resolve-net order, not another server's if asked */
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k <= s->p.nresolve_net; k++)
			for (int i = 0; i < n->naddr; i++) {
				uint32_t a = n->addr[i];
				if (k < s->p.nresolve_net && !in_net(&s->p.resolve_net[k], a))
					continue;
				if (pass == 0 && s->p.prevent_dup_ip && rpx != NULL &&
				    used_by_other(rpx, rs, a))
					continue;
				*v4 = a;
				return 1;
			}
	*v4 = n->addr[0];
	return 1;
}

/* Whether a server of @running has another address than the resolvers give it now. */
static bool differs(struct sl_resolv *r, const struct sl_cfg *running)
{
	for (const struct sl_proxy *px = running->proxies; px != NULL; px = px->next)
		for (const struct sl_server *s = px->servers; s != NULL; s = s->next) {
			uint32_t v4 = 0;
			int k = sl_resolv_server_addr(r, px, s, &v4);
			if (k < 0)
				continue;
			if (k == 0 ? s->addr.family != 0 :
				     s->addr.family != AF_INET || s->addr.v4 != v4)
				return true;
		}
	return false;
}

bool sl_resolv_poll(struct sl_resolv *r, const struct sl_cfg *running, uint64_t now_ms)
{
	if (r == NULL)
		return false;
	r->running = running;
	r->now_ms = now_ms;
	for (int i = 0; i < r->nsec; i++)
		read_answers(r, i, now_ms);
	for (int i = 0; i < r->nnames; i++) {
		struct res_name *n = &r->names[i];
		const struct sl_resolvers *cf = r->secs[n->sec].cf;
		if (n->inflight && now_ms - n->sent_ms >= (uint64_t)cf->t_retry) {
			if (n->tries < cf->retries) {
				send_query(r, n, now_ms);
			} else {
				for (int k = 0; k < cf->nns; k++)
					r->secs[n->sec].ctr[k].timeout++;
				end_resolution(r, n, ST_TIMEOUT, now_ms);
			}
		} else if (!n->inflight && now_ms >= n->next_ms) {
			send_query(r, n, now_ms);
		}
		/* an error's hold ending changes the answer without a message */
		if (n->hold_end_ms != 0 && now_ms >= n->hold_end_ms) {
			n->hold_end_ms = 0;
			r->dirty = true;
		}
	}
	if (!r->dirty)
		return false;
	r->dirty = false;
	return differs(r, running);
}

void sl_resolv_show(const struct sl_resolv *r, struct sl_outbuf *out)
{
	if (r == NULL)
		return;
	for (int i = 0; i < r->nsec; i++) {
		const struct res_sec *rs = &r->secs[i];
		sl_outbuf_printf(out, "Resolvers section %s\n", rs->name);
		for (int k = 0; k < rs->cf->nns; k++) {
			sl_outbuf_printf(out, " nameserver %s:\n", rs->cf->ns[k].id);
#define X(f) sl_outbuf_printf(out, "  %-12s %" PRIu64 "\n", #f ":", rs->ctr[k].f);
			NS_COUNTERS(X)
#undef X
		}
		for (int j = 0; j < r->nnames; j++) {
			const struct res_name *n = &r->names[j];
			if (n->sec != i)
				continue;
			sl_outbuf_printf(out, " name %s: %s", n->host, status_names[n->status]);
			for (int a = 0; a < n->naddr; a++) {
				struct in_addr in = {.s_addr = htonl(n->addr[a])};
				char b[INET_ADDRSTRLEN];
				inet_ntop(AF_INET, &in, b, sizeof(b));
				sl_outbuf_printf(out, "%s%s", a == 0 ? " " : ",", b);
			}
			if (n->status != ST_NONE)
				sl_outbuf_printf(out, " (%" PRIu64 " ms ago)", r->now_ms - n->status_ms);
			sl_outbuf_printf(out, "\n");
		}
	}
}
