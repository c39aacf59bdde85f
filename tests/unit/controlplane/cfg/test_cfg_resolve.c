/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for server host names: the parser keeping them as written (with init-addr), and
 * controlplane/cfg/cfg_resolve.c applying the init-addr methods with a fake resolver (no DNS). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "controlplane/cfg/cfg_reload.h"
#include "proto/outbuf.h"
#include "tests/unit/controlplane/cfg/cfg_test_util.h"

/* ---------------------------------------------------------------- the fake resolver */

struct fake_name {
	const char *name;
	int rc; /* 0: @ip; else what the resolver returns */
	uint32_t ip;
};

struct fake {
	const struct fake_name *names;
	int calls;
};

static int fake_resolve(void *arg, const char *host, uint32_t *v4, char *err, size_t errlen)
{
	struct fake *f = arg;
	f->calls++;
	for (const struct fake_name *n = f->names; n->name != NULL; n++)
		if (strcmp(n->name, host) == 0) {
			if (n->rc == 0)
				*v4 = n->ip;
			else if (n->rc == -EAGAIN)
				snprintf(err, errlen, "Temporary failure in name resolution");
			return n->rc;
		}
	snprintf(err, errlen, "Name or service not known");
	return -ENOENT;
}

static const struct fake_name names_a[] = {
	{"app1", 0, TIP4(10, 77, 0, 21)},
	{"app2", 0, TIP4(10, 77, 0, 22)},
	{"v6only", -EAFNOSUPPORT, 0},
	{"flaky", -EAGAIN, 0},
	{NULL, 0, 0},
};

/* the same names after a DNS change: app1 moved */
static const struct fake_name names_b[] = {
	{"app1", 0, TIP4(10, 77, 0, 31)},
	{"app2", 0, TIP4(10, 77, 0, 22)},
	{"flaky", -EAGAIN, 0},
	{NULL, 0, 0},
};

#define DEFAULTS                                                                                   \
	"defaults\n"                                                                               \
	"  mode tcp\n"                                                                             \
	"  timeout connect 5s\n"                                                                   \
	"  timeout client 50s\n"                                                                   \
	"  timeout server 50s\n"

static struct sl_cfg *parse_ok(const char *text)
{
	struct sl_cfg *c = NULL;
	struct tdiags d;
	int r = tparse(text, &c, &d);
	if (r != 0 || d.nwarn != 0)
		tdiag_print(&d, "parse");
	CU_ASSERT_EQUAL_FATAL(r, 0);
	return c;
}

/* sl_cfg_resolve() with the fake over @names, @running for "last"; diagnostics into @d. */
static int resolve(struct sl_cfg *c, const struct fake_name *names, const struct sl_cfg *running,
		   struct tdiags *d, struct fake *f)
{
	memset(d, 0, sizeof(*d));
	*f = (struct fake){.names = names};
	const struct sl_cfg_resolve_opts o = {.fn = fake_resolve,
					      .arg = f,
					      .running = running,
					      .diag_fn = tdiag_collect,
					      .diag_arg = d};
	return sl_cfg_resolve(c, &o);
}

/* ---------------------------------------------------------------- parsing */

static void test_parse_names(void)
{
	struct sl_cfg *c = parse_ok(DEFAULTS "backend b\n"
					     "  default-server init-addr last,libc,none\n"
					     "  server s1 app1:8080 check\n"
					     "  server s2 10.0.0.2:80\n"
					     "  server s3 app-3.svc.cluster.local init-addr 10.9.9.9,none\n"
					     "  server s4 server_john:3000\n");
	const struct sl_proxy *b = tpx(c, "b");
	const struct sl_server *s1 = tsrv(b, "s1"), *s2 = tsrv(b, "s2"), *s3 = tsrv(b, "s3");
	T_STR_EQ(s1->host, "app1");
	CU_ASSERT_EQUAL(s1->addr.family, 0); /* not resolved by the parser */
	CU_ASSERT_EQUAL(s1->port, 8080);
	CU_ASSERT_EQUAL(s1->p.init_addr.n, 3); /* from default-server */
	CU_ASSERT_EQUAL(s1->p.init_addr.m[0].m, SL_INIT_LAST);
	CU_ASSERT_EQUAL(s1->p.init_addr.m[1].m, SL_INIT_LIBC);
	CU_ASSERT_EQUAL(s1->p.init_addr.m[2].m, SL_INIT_NONE);
	CU_ASSERT_PTR_NULL(s2->host);
	CU_ASSERT_EQUAL(s2->addr.family, AF_INET);
	T_STR_EQ(s3->host, "app-3.svc.cluster.local");
	CU_ASSERT_EQUAL(s3->port, 0);
	CU_ASSERT_EQUAL(s3->p.init_addr.n, 2);
	CU_ASSERT_EQUAL(s3->p.init_addr.m[0].m, SL_INIT_IP);
	CU_ASSERT_EQUAL(s3->p.init_addr.m[0].ip, TIP4(10, 9, 9, 9));
	T_STR_EQ(tsrv(b, "s4")->host, "server_john");
	/* --dump writes the names as written, init-addr with them, and reads back the same */
	char *t = tdump(c, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " s1 app1:8080 check "));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " init-addr last,libc,none"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " s3 app-3.svc.cluster.local "));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " init-addr 10.9.9.9,none"));
	CU_ASSERT_PTR_NULL(strstr(t, "  # ")); /* nothing resolved yet: no comment */
	struct sl_cfg *c2 = parse_ok(t);
	char *t2 = tdump(c2, NULL);
	T_STR_EQ(t2, t);
	free(t2);
	free(t);
	sl_cfg_free(c2);
	sl_cfg_free(c);
}

static void test_parse_errors(void)
{
	struct sl_cfg *c = NULL;
	struct tdiags d;
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app1:80 init-addr last,foo\n", &c, &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "unknown init-addr method 'foo'", NULL));
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app1:80 init-addr ::1\n", &c, &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "IPv6 servers are not supported", NULL));
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app1:80 init-addr 1.2.3\n", &c, &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "'1.2.3'", NULL));
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app1:80 init-addr\n", &c, &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "'init-addr' expects a value", NULL));
	/* run-time DNS: a server naming no section, a section without a name server */
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app1:80 resolvers dns\n", &c, &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "'server b/s1': resolvers 'dns' not found",
				     NULL));
	CU_ASSERT_EQUAL(tparse("resolvers dns\n  hold valid 5s\n", &c, &d), -EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 1, "resolvers 'dns' has no name server",
				     NULL));
	static const struct {
		const char *line, *err;
	} bad[] = {
		{"  nameserver ns1 dns.example:53", "is not an IPv4 address"},
		{"  nameserver ns1 tcp@10.0.0.53:53", "TCP and IPv6 name servers are not supported yet"},
		{"  nameserver ns1 [::1]:53", "TCP and IPv6 name servers are not supported yet"},
		{"  nameserver ns1 10.0.0.53:0", "'nameserver'"},
		{"  nameserver ns1", "expects an id and an address"},
		{"  hold sometimes 5s", "unknown status 'sometimes'"},
		{"  hold valid soon", "invalid time 'soon'"},
		{"  resolve_retries 0", "'resolve_retries'"},
		{"  accepted_payload_size 100", "'accepted_payload_size'"},
		{"  timeout connect 1s", "expects 'resolve' or 'retry'"},
		{"  nameservr ns2 10.0.0.1:53", "did you mean 'nameserver'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "resolvers dns\n  nameserver ns0 10.0.0.1:53\n%s\n",
			 bad[i].line);
		CU_ASSERT_EQUAL(tparse(text, &c, &d), -EINVAL);
		CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 3, bad[i].err, NULL));
	}
	CU_ASSERT_EQUAL(tparse("resolvers dns\n  nameserver a 10.0.0.1:53\n  nameserver a 10.0.0.2:53\n",
			       &c, &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 3, "id 'a' is already used", NULL));
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app1:80 resolve-prefer ipv5\n", &c,
			       &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "expects 'ipv4' or 'ipv6'", NULL));
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app1:80 resolve-opts foo\n", &c,
			       &d),
			-EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "unknown resolve-opts 'foo'", NULL));
	/* not a host name: the address error */
	CU_ASSERT_EQUAL(tparse(DEFAULTS "backend b\n  server s1 app..one:80\n", &c, &d), -EINVAL);
	CU_ASSERT(tcheck_first_error(&d, true, "t.cfg", 7, "invalid address 'app..one'", NULL));
	/* binds take no names */
	CU_ASSERT_EQUAL(tparse("frontend f\n  bind www:80\n", &c, &d), -EINVAL);
	CU_ASSERT(tcheck_first_error(&d, false, "t.cfg", 2, "only server lines take host names", NULL));
}

/* ---------------------------------------------------------------- resolution */

static void test_resolve_default_libc(void)
{
	struct sl_cfg *c = parse_ok(DEFAULTS "backend b\n"
					     "  server s1 app1:80\n"
					     "  server s2 10.0.0.2:80\n"
					     "  server s3 app2\n");
	struct tdiags d;
	struct fake f;
	CU_ASSERT_EQUAL(resolve(c, names_a, NULL, &d, &f), 0);
	CU_ASSERT_EQUAL(d.n, 0);
	CU_ASSERT_EQUAL(f.calls, 2); /* the address is not looked up */
	const struct sl_server *s1 = tsrv(tpx(c, "b"), "s1");
	CU_ASSERT_EQUAL(s1->addr.family, AF_INET);
	CU_ASSERT_EQUAL(s1->addr.v4, TIP4(10, 77, 0, 21));
	CU_ASSERT_EQUAL(s1->addr_from, SL_INIT_LIBC);
	CU_ASSERT_FALSE(sl_cfg_srv_maint(s1));
	CU_ASSERT_EQUAL(tsrv(tpx(c, "b"), "s3")->addr.v4, TIP4(10, 77, 0, 22));
	CU_ASSERT_EQUAL(tsrv(tpx(c, "b"), "s2")->addr_from, 0);
	/* --dump: the name as written, what it gave as a comment */
	char *t = tdump(c, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " s1 app1:80 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "  # 10.77.0.21 (libc)\n"));
	free(t);
	sl_cfg_free(c);
}

static void test_resolve_errors(void)
{
	struct sl_cfg *c = parse_ok(DEFAULTS "backend b\n"
					     "  server s1 nosuch:80\n"
					     "  server s2 v6only:80\n"
					     "  server s3 flaky:80 init-addr libc\n"
					     "  server s4 app1:80\n");
	struct tdiags d;
	struct fake f;
	CU_ASSERT_EQUAL(resolve(c, names_a, NULL, &d, &f), -EINVAL);
	CU_ASSERT_EQUAL(d.nerr, 3);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 7,
			    "'server b/s1': could not resolve address 'nosuch' (last: no running configuration; libc: Name or service not known)"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 8,
			    "could not resolve address 'v6only' (last: no running configuration; libc: the name has IPv6 addresses only: IPv6 servers are not supported yet)"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, "t.cfg", 9,
			    "'server b/s3': could not resolve address 'flaky' (libc: Temporary failure in name resolution)"));
	if (d.nerr != 3)
		tdiag_print(&d, "resolve");
	sl_cfg_free(c);
}

static void test_resolve_none_and_ip(void)
{
	struct sl_cfg *c = parse_ok(DEFAULTS "backend b\n"
					     "  server s1 nosuch:80 init-addr libc,none check\n"
					     "  server s2 nosuch:80 init-addr libc,10.0.0.9\n"
					     "  server s3 app1:80 init-addr none\n");
	struct tdiags d;
	struct fake f;
	CU_ASSERT_EQUAL(resolve(c, names_a, NULL, &d, &f), 0);
	CU_ASSERT_EQUAL(d.nerr, 0);
	const struct sl_proxy *b = tpx(c, "b");
	const struct sl_server *s1 = tsrv(b, "s1"), *s2 = tsrv(b, "s2"), *s3 = tsrv(b, "s3");
	CU_ASSERT_EQUAL(s1->addr.family, 0);
	CU_ASSERT_EQUAL(s1->addr_from, SL_INIT_NONE);
	CU_ASSERT_TRUE(sl_cfg_srv_maint(s1)); /* in maintenance: no traffic, no checks */
	CU_ASSERT_FALSE(s1->p.disabled);      /* the file did not say `disabled` */
	CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", 7,
			    "'server b/s1': no address for 'nosuch' (libc: Name or service not known; init-addr none): the server is in maintenance until a reload resolves it"));
	CU_ASSERT_EQUAL(s2->addr.v4, TIP4(10, 0, 0, 9));
	CU_ASSERT_EQUAL(s2->addr_from, SL_INIT_IP);
	/* none first: no lookup at all, as HAProxy */
	CU_ASSERT_EQUAL(s3->addr.family, 0);
	CU_ASSERT_EQUAL(f.calls, 2);
	char *t = tdump(c, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "init-addr libc,none  # no address (none): in maintenance\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "init-addr libc,10.0.0.9  # 10.0.0.9 (ip)\n"));
	free(t);
	sl_cfg_free(c);
}

/* A reload with load-server-state-from-file: "last" keeps the running address of the same server
 * written with the same name. */
static void test_resolve_reload_last(void)
{
	static const char text[] = DEFAULTS "backend b\n"
					    "  load-server-state-from-file global\n"
					    "  server s1 app1:80\n"                      /* last,libc */
					    "  server s2 app1:80 init-addr libc\n"       /* follows DNS */
					    "  server s3 flaky:80 init-addr libc,last\n" /* DNS down */
					    "  server s4 nosuch:80 init-addr last,libc,none\n";
	struct sl_cfg *run = parse_ok(text);
	struct tdiags d;
	struct fake f;
	/* the running one: flaky had an address when it started (as if DNS answered then) */
	static const struct fake_name at_start[] = {
		{"app1", 0, TIP4(10, 77, 0, 21)}, {"flaky", 0, TIP4(10, 77, 0, 40)}, {NULL, 0, 0}};
	CU_ASSERT_EQUAL_FATAL(resolve(run, at_start, NULL, &d, &f), 0);
	CU_ASSERT_EQUAL(tsrv(tpx(run, "b"), "s4")->addr.family, 0);

	struct sl_cfg *nw = parse_ok(text);
	CU_ASSERT_EQUAL(resolve(nw, names_b, run, &d, &f), 0);
	const struct sl_proxy *b = tpx(nw, "b");
	const struct sl_server *s1 = tsrv(b, "s1"), *s2 = tsrv(b, "s2"), *s3 = tsrv(b, "s3");
	CU_ASSERT_EQUAL(s1->addr.v4, TIP4(10, 77, 0, 21)); /* kept: state of the running one */
	CU_ASSERT_EQUAL(s1->addr_from, SL_INIT_LAST);
	CU_ASSERT_EQUAL(s2->addr.v4, TIP4(10, 77, 0, 31)); /* libc: the new address */
	CU_ASSERT_EQUAL(s2->addr_from, SL_INIT_LIBC);
	CU_ASSERT_EQUAL(s3->addr.v4, TIP4(10, 77, 0, 40)); /* libc failed, last kept it */
	CU_ASSERT_EQUAL(s3->addr_from, SL_INIT_LAST);
	CU_ASSERT_EQUAL(tsrv(b, "s4")->addr.family, 0); /* no address before: none again */
	sl_cfg_free(nw);

	/* the name changed in the file: last does not apply, libc gives the new name's address */
	nw = parse_ok(DEFAULTS "backend b\n  load-server-state-from-file local\n"
			       "  server s1 app2:80\n");
	CU_ASSERT_EQUAL(resolve(nw, names_b, run, &d, &f), 0);
	CU_ASSERT_EQUAL(tsrv(tpx(nw, "b"), "s1")->addr.v4, TIP4(10, 77, 0, 22));
	CU_ASSERT_EQUAL(tsrv(tpx(nw, "b"), "s1")->addr_from, SL_INIT_LIBC);
	sl_cfg_free(nw);

	/* a server that had no address (none) gets one when the name resolves at a reload */
	static const struct fake_name later[] = {{"app1", 0, TIP4(10, 77, 0, 31)},
						 {"nosuch", 0, TIP4(10, 77, 0, 50)},
						 {NULL, 0, 0}};
	nw = parse_ok(text);
	CU_ASSERT_EQUAL(resolve(nw, later, run, &d, &f), 0);
	const struct sl_server *s4 = tsrv(tpx(nw, "b"), "s4");
	CU_ASSERT_EQUAL(s4->addr.v4, TIP4(10, 77, 0, 50));
	CU_ASSERT_FALSE(sl_cfg_srv_maint(s4));
	/* the reload's report says what moved */
	struct sl_outbuf sum;
	sl_outbuf_init(&sum, 0);
	CU_ASSERT_EQUAL(sl_cfg_reload_summary(run, nw, &sum), 2);
	char *rep = strndup(sl_outbuf_data(&sum), sl_outbuf_len(&sum));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	CU_ASSERT_PTR_NOT_NULL(strstr(rep, "server b/s2 address 10.77.0.21:80 -> 10.77.0.31:80\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(rep, "server b/s4 address no address -> 10.77.0.50:80\n"));
	free(rep);
	sl_outbuf_free(&sum);
	sl_cfg_free(nw);
	sl_cfg_free(run);
}

/* A reload without load-server-state-from-file (HAProxy's default: no state file): the default
 * last,libc finds no state and resolves the name again, so the server follows DNS; "none" in
 * the backend or in defaults' inheritance is the same. */
static void test_resolve_reload_no_state(void)
{
	static const char text[] = DEFAULTS "backend b\n"
					    "  server s1 app1:80\n"
					    "  server s3 flaky:80 init-addr last,libc\n";
	struct sl_cfg *run = parse_ok(text);
	struct tdiags d;
	struct fake f;
	static const struct fake_name at_start[] = {
		{"app1", 0, TIP4(10, 77, 0, 21)}, {"flaky", 0, TIP4(10, 77, 0, 40)}, {NULL, 0, 0}};
	CU_ASSERT_EQUAL_FATAL(resolve(run, at_start, NULL, &d, &f), 0);
	struct sl_cfg *nw = parse_ok(text);
	/* names_b: app1 moved to .31, flaky does not resolve any more */
	CU_ASSERT_NOT_EQUAL(resolve(nw, names_b, run, &d, &f), 0);
	CU_ASSERT_EQUAL(tsrv(tpx(nw, "b"), "s1")->addr.v4, TIP4(10, 77, 0, 31));
	CU_ASSERT_EQUAL(tsrv(tpx(nw, "b"), "s1")->addr_from, SL_INIT_LIBC);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_ERROR, NULL, -1,
			    "(last: no server state (load-server-state-from-file); libc: "));
	sl_cfg_free(nw);
	nw = parse_ok(DEFAULTS "  load-server-state-from-file global\n"
		      "backend b\n  load-server-state-from-file none\n  server s1 app1:80\n");
	CU_ASSERT_EQUAL(resolve(nw, names_b, run, &d, &f), 0);
	CU_ASSERT_EQUAL(tsrv(tpx(nw, "b"), "s1")->addr_from, SL_INIT_LIBC);
	sl_cfg_free(nw);
	sl_cfg_free(run);
}

/* A resolvers section read with HAProxy's defaults and every keyword; server parameters. */
static void test_resolvers_section(void)
{
	struct sl_cfg *c = parse_ok("resolvers dns\n"
				    "  nameserver ns1 10.0.0.53:53\n"
				    "  nameserver ns2 udp@10.0.0.54:5353\n"
				    "resolvers slow\n"
				    "  nameserver ns1 10.0.0.53\n"
				    "  hold valid 2s\n  hold nx 3s\n  hold other 4s\n"
				    "  hold refused 5s\n  hold timeout 6s\n  hold obsolete 7s\n"
				    "  resolve_retries 5\n  accepted_payload_size 1232\n"
				    "  timeout resolve 200ms\n  timeout retry 300ms\n" DEFAULTS
				    "backend b\n"
				    "  default-server resolvers dns resolve-prefer ipv4\n"
				    "  server s1 app1:80 resolve-opts prevent-dup-ip resolve-net 10.77.0.0/16,10.0.0.0/8\n"
				    "  server s2 app2:80 resolvers slow resolve-opts allow-dup-ip\n");
	const struct sl_resolvers *r = c->resolvers;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	T_STR_EQ(r->name, "dns");
	CU_ASSERT_EQUAL(r->nns, 2);
	CU_ASSERT_EQUAL(r->ns[1].ip, TIP4(10, 0, 0, 54));
	CU_ASSERT_EQUAL(r->ns[1].port, 5353);
	CU_ASSERT_EQUAL(r->hold_valid, 10000);
	CU_ASSERT_EQUAL(r->hold_nx, 30000);
	CU_ASSERT_EQUAL(r->hold_obsolete, 0);
	CU_ASSERT_EQUAL(r->retries, 3);
	CU_ASSERT_EQUAL(r->payload, 512);
	CU_ASSERT_EQUAL(r->t_resolve, 1000);
	r = r->next;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->ns[0].port, 53);
	CU_ASSERT_EQUAL(r->hold_valid, 2000);
	CU_ASSERT_EQUAL(r->hold_timeout, 6000);
	CU_ASSERT_EQUAL(r->hold_obsolete, 7000);
	CU_ASSERT_EQUAL(r->retries, 5);
	CU_ASSERT_EQUAL(r->payload, 1232);
	CU_ASSERT_EQUAL(r->t_resolve, 200);
	CU_ASSERT_EQUAL(r->t_retry, 300);
	const struct sl_server *s1 = tsrv(tpx(c, "b"), "s1"), *s2 = tsrv(tpx(c, "b"), "s2");
	T_STR_EQ(s1->p.resolvers, "dns");
	CU_ASSERT(s1->p.prevent_dup_ip);
	CU_ASSERT_EQUAL(s1->p.nresolve_net, 2);
	T_STR_EQ(s2->p.resolvers, "slow");
	CU_ASSERT_FALSE(s2->p.prevent_dup_ip);
	sl_cfg_free(c);
	/* warned: resolve-prefer ipv6, ignore-weight, resolvers on an address */
	struct tdiags d;
	CU_ASSERT_EQUAL(tparse("resolvers dns\n  nameserver ns1 10.0.0.53:53\n" DEFAULTS
			       "backend b\n"
			       "  server s1 app1:80 resolvers dns resolve-prefer ipv6 resolve-opts ignore-weight\n"
			       "  server s2 10.0.0.2:80 resolvers dns\n",
			       &c, &d),
			0);
	CU_ASSERT_EQUAL(d.nwarn, 3);
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 9, "sluice asks for A records only"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 9, "ignore-weight' has no effect"));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_WARNING, "t.cfg", 10,
			    "'resolvers dns' has no effect on a server written with an IP address"));
	sl_cfg_free(c);
}

/* A fake run-time DNS: s1 gets 10.77.0.99, s2 loses its address, s3 is not its business. */
static int fake_runtime(void *arg, const struct sl_proxy *px, const struct sl_server *s,
			uint32_t *v4)
{
	(void)arg;
	(void)px;
	if (strcmp(s->name, "s1") == 0) {
		*v4 = TIP4(10, 77, 0, 99);
		return 1;
	}
	return strcmp(s->name, "s2") == 0 ? 0 : -1;
}

/* The rebuild of a DNS update: the running configuration's texts parsed again, the resolvers'
 * answers for their servers, the running addresses for every other name (libc not asked). */
static void test_resolve_runtime_rebuild(void)
{
	static const char text[] = "resolvers dns\n  nameserver ns1 10.0.0.53:53\n" DEFAULTS
				   "backend b\n"
				   "  server s1 app1:80 resolvers dns\n"
				   "  server s2 app2:80 resolvers dns\n"
				   "  server s3 app1:81\n"
				   "  server s4 10.0.0.4:80\n";
	struct sl_cfg *run = parse_ok(text);
	struct tdiags d;
	struct fake f;
	CU_ASSERT_EQUAL_FATAL(resolve(run, names_b, NULL, &d, &f), 0);
	CU_ASSERT_EQUAL_FATAL(run->ntexts, 1);
	CU_ASSERT_EQUAL(run->texts[0].len, strlen(text));
	CU_ASSERT(memcmp(run->texts[0].data, text, strlen(text)) == 0);
	struct sl_cfg *nw = NULL;
	memset(&d, 0, sizeof(d));
	const struct sl_cfg_opts po = {
		.diag_fn = tdiag_collect, .diag_arg = &d, .no_dataplane_ok = true};
	CU_ASSERT_EQUAL_FATAL(sl_cfg_parse(run->texts, run->ntexts, &po, &nw), 0);
	memset(&d, 0, sizeof(d));
	const struct sl_cfg_resolve_opts o = {.running = run,
					      .runtime_fn = fake_runtime,
					      .diag_fn = tdiag_collect,
					      .diag_arg = &d};
	CU_ASSERT_EQUAL(sl_cfg_resolve(nw, &o), 0);
	const struct sl_proxy *b = tpx(nw, "b");
	CU_ASSERT_EQUAL(tsrv(b, "s1")->addr.v4, TIP4(10, 77, 0, 99));
	CU_ASSERT_EQUAL(tsrv(b, "s1")->addr_from, SL_INIT_DNS);
	CU_ASSERT_EQUAL(tsrv(b, "s2")->addr.family, 0);
	CU_ASSERT(sl_cfg_srv_maint(tsrv(b, "s2")));
	CU_ASSERT(tdiag_has(&d, SL_DIAG_NOTICE, "t.cfg", 10, "in maintenance until its resolvers resolve the name"));
	CU_ASSERT_EQUAL(tsrv(b, "s3")->addr.v4, TIP4(10, 77, 0, 31)); /* as running, libc not asked */
	CU_ASSERT_EQUAL(tsrv(b, "s3")->addr_from, SL_INIT_LIBC);
	CU_ASSERT_EQUAL(tsrv(b, "s4")->addr.v4, TIP4(10, 0, 0, 4));
	sl_cfg_free(nw);
	sl_cfg_free(run);
}

int main(void)
{
	static const struct sl_test_case cases[] = {
		{"names and init-addr parsed, dumped as written", test_parse_names},
		{"init-addr, resolvers and name errors", test_parse_errors},
		{"default last,libc at start: libc", test_resolve_default_libc},
		{"unresolvable names: errors at their lines", test_resolve_errors},
		{"init-addr none and an address", test_resolve_none_and_ip},
		{"reload: last keeps the running address (server state)", test_resolve_reload_last},
		{"reload without server state: last,libc follows DNS", test_resolve_reload_no_state},
		{"resolvers sections and server parameters", test_resolvers_section},
		{"run-time DNS rebuild: answers, running addresses", test_resolve_runtime_rebuild},
		{NULL, NULL},
	};
	static const struct sl_test_suite suites[] = {{"cfg resolve", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}
