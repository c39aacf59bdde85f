/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `resolvers` section (HAProxy 2.6's run-time DNS): name servers, timers and hold periods,
 * and the check, after the parse, of the servers that name a section. Parser context only.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

static struct sl_resolvers *find(const struct sl_cfg *cfg, const char *name)
{
	for (struct sl_resolvers *r = cfg->resolvers; r != NULL; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

void cfg_resolvers_open(struct cfg_ctx *c, int argc, char **argv)
{
	c->sec = SEC_RESOLVERS;
	c->sec_kw = "resolvers";
	c->px = NULL;
	c->res = NULL;
	if (argc != 2) {
		cfg_err(c, "'resolvers' expects a section name");
		c->sec = SEC_SKIP;
		return;
	}
	if (find(c->cfg, argv[1]) != NULL) {
		cfg_err(c, "'resolvers': a section named '%s' already exists", argv[1]);
		c->sec = SEC_SKIP;
		return;
	}
	struct sl_resolvers *r = cfg_alloc(c, sizeof(*r));
	if (r == NULL)
		return;
	*r = (struct sl_resolvers){.name = cfg_strdup(c, argv[1]),
				   .loc = cfg_loc(c),
				   .payload = 512,
				   .retries = 3,
				   .t_resolve = 1000,
				   .t_retry = 1000,
				   .hold_valid = 10000,
				   .hold_nx = 30000,
				   .hold_other = 30000,
				   .hold_refused = 30000,
				   .hold_timeout = 30000,
				   .hold_obsolete = 0};
	struct sl_resolvers **p = &c->cfg->resolvers;
	while (*p != NULL)
		p = &(*p)->next;
	*p = r;
	c->res = r;
}

static void add_ns(struct cfg_ctx *c, struct sl_resolvers *r, const char *id, uint32_t ip,
		   uint16_t port)
{
	if (r->nns == SL_RESOLVERS_NS_MAX) {
		cfg_err(c, "'nameserver': at most %d name servers in a resolvers section",
			SL_RESOLVERS_NS_MAX);
		return;
	}
	r->ns[r->nns].id = cfg_strdup(c, id);
	r->ns[r->nns].ip = ip;
	r->ns[r->nns].port = port;
	r->nns++;
}

static void kw_nameserver(struct cfg_ctx *c, struct sl_resolvers *r, int argc, char **argv)
{
	if (argc != 3) {
		cfg_err(c, "'nameserver' expects an id and an address IP:PORT");
		return;
	}
	for (int i = 0; i < r->nns; i++)
		if (strcmp(r->ns[i].id, argv[1]) == 0) {
			cfg_err(c, "'nameserver': id '%s' is already used in resolvers '%s'", argv[1],
				r->name);
			return;
		}
	const char *a = argv[2];
	if (strncmp(a, "udp@", 4) == 0 || strncmp(a, "udp4@", 5) == 0 || strncmp(a, "ipv4@", 5) == 0)
		a = strchr(a, '@') + 1;
	else if (strchr(a, '@') != NULL || a[0] == '[' || strchr(a, ':') != strrchr(a, ':')) {
		cfg_err(c, "'nameserver %s': only IPv4 name servers over UDP are supported ('%s'): TCP and IPv6 name servers are not supported yet",
			argv[1], argv[2]);
		return;
	}
	char host[64];
	const char *colon = strrchr(a, ':');
	size_t hl = colon != NULL ? (size_t)(colon - a) : strlen(a);
	struct in_addr in;
	if (hl == 0 || hl >= sizeof(host)) {
		cfg_err(c, "'nameserver %s': invalid address '%s' (expected IPv4:PORT)", argv[1],
			argv[2]);
		return;
	}
	memcpy(host, a, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, &in) != 1) {
		cfg_err(c, "'nameserver %s': '%s' is not an IPv4 address (host names are not accepted here, as in HAProxy)",
			argv[1], host);
		return;
	}
	int port = 53;
	if (colon != NULL && cfg_int(c, "nameserver", colon + 1, 1, 65535, &port) < 0)
		return;
	add_ns(c, r, argv[1], ntohl(in.s_addr), (uint16_t)port);
}

/* parse-resolv-conf: the name servers of /etc/resolv.conf (read now, at load or reload, on
 * main), in its order, as if each were written here, as HAProxy does. */
static void kw_parse_resolv_conf(struct cfg_ctx *c, struct sl_resolvers *r)
{
	const char *data = NULL;
	size_t len = 0;
	int rr = cfg_read_file(c, "/etc/resolv.conf", &data, &len);
	if (rr < 0) {
		cfg_err(c, "'parse-resolv-conf': cannot read /etc/resolv.conf: %s", strerror(-rr));
		return;
	}
	int n = 0;
	size_t off = 0;
	while (off < len) {
		const char *line = data + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl != NULL ? (size_t)(nl - line) : len - off;
		off += ll + (nl != NULL);
		char buf[256], word[64], addr[64];
		if (ll >= sizeof(buf))
			continue;
		memcpy(buf, line, ll);
		buf[ll] = '\0';
		struct in_addr in;
		if (sscanf(buf, " %63s %63s", word, addr) != 2 || strcmp(word, "nameserver") != 0)
			continue;
		if (inet_pton(AF_INET, addr, &in) != 1) {
			cfg_warn(c, "'parse-resolv-conf': name server '%s' of /etc/resolv.conf skipped: only IPv4 name servers are supported",
				 addr);
			continue;
		}
		char id[32];
		snprintf(id, sizeof(id), "resolv.conf_%d", ++n);
		add_ns(c, r, id, ntohl(in.s_addr), 53);
	}
	if (n == 0)
		cfg_warn(c, "'parse-resolv-conf': no IPv4 name server in /etc/resolv.conf");
}

static void kw_hold(struct cfg_ctx *c, struct sl_resolvers *r, int argc, char **argv)
{
	static const struct {
		const char *name;
		size_t off;
	} holds[] = {
		{"valid", offsetof(struct sl_resolvers, hold_valid)},
		{"nx", offsetof(struct sl_resolvers, hold_nx)},
		{"other", offsetof(struct sl_resolvers, hold_other)},
		{"refused", offsetof(struct sl_resolvers, hold_refused)},
		{"timeout", offsetof(struct sl_resolvers, hold_timeout)},
		{"obsolete", offsetof(struct sl_resolvers, hold_obsolete)},
	};
	if (argc != 3) {
		cfg_err(c, "'hold' expects a status (valid, nx, other, refused, timeout, obsolete) and a time");
		return;
	}
	for (size_t i = 0; i < sizeof(holds) / sizeof(holds[0]); i++)
		if (strcmp(argv[1], holds[i].name) == 0) {
			(void)cfg_time(c, "hold", argv[2], (int *)((char *)r + holds[i].off));
			return;
		}
	cfg_err(c, "'hold': unknown status '%s' (valid, nx, other, refused, timeout, obsolete)",
		argv[1]);
}

void cfg_resolvers_keyword(struct cfg_ctx *c, int argc, char **argv)
{
	struct sl_resolvers *r = c->res;
	if (r == NULL)
		return;
	const char *kw = argv[0];
	if (strcmp(kw, "nameserver") == 0) {
		kw_nameserver(c, r, argc, argv);
	} else if (strcmp(kw, "parse-resolv-conf") == 0) {
		kw_parse_resolv_conf(c, r);
	} else if (strcmp(kw, "hold") == 0) {
		kw_hold(c, r, argc, argv);
	} else if (strcmp(kw, "resolve_retries") == 0) {
		if (argc != 2)
			cfg_err(c, "'resolve_retries' expects one integer");
		else
			(void)cfg_int(c, kw, argv[1], 1, 1000, &r->retries);
	} else if (strcmp(kw, "accepted_payload_size") == 0) {
		if (argc != 2)
			cfg_err(c, "'accepted_payload_size' expects one integer");
		else
			(void)cfg_int(c, kw, argv[1], 512, 65535, &r->payload);
	} else if (strcmp(kw, "timeout") == 0) {
		if (argc != 3 || (strcmp(argv[1], "resolve") != 0 && strcmp(argv[1], "retry") != 0))
			cfg_err(c, "'timeout' in a resolvers section expects 'resolve' or 'retry' and a time");
		else
			(void)cfg_time(c, "timeout", argv[2],
				       strcmp(argv[1], "resolve") == 0 ? &r->t_resolve : &r->t_retry);
	} else {
		static const char *const names[] = {"nameserver",	     "parse-resolv-conf",
						    "hold",		     "resolve_retries",
						    "accepted_payload_size", "timeout",
						    NULL};
		const char *dym = cfg_did_you_mean(kw, names, sizeof(names[0]));
		cfg_err(c, "unknown keyword '%s' in resolvers section '%s'%s%s%s", kw, r->name,
			dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
	}
}

/* After the parse: every `resolvers NAME` of a server names a section with a name server. */
void cfg_resolvers_check(struct cfg_ctx *c)
{
	for (struct sl_resolvers *r = c->cfg->resolvers; r != NULL; r = r->next)
		if (r->nns == 0)
			cfg_err_at(c, &r->loc, "resolvers '%s' has no name server ('nameserver' or 'parse-resolv-conf')",
				   r->name);
	for (struct sl_proxy *px = c->cfg->proxies; px != NULL; px = px->next)
		for (struct sl_server *s = px->servers; s != NULL; s = s->next) {
			if (s->p.resolvers == NULL)
				continue;
			if (find(c->cfg, s->p.resolvers) == NULL)
				cfg_err_at(c, &s->p.resolvers_loc,
					   "'server %s/%s': resolvers '%s' not found", px->name,
					   s->name, s->p.resolvers);
			else if (s->host == NULL)
				cfg_warn_at(c, &s->loc,
					    "'server %s/%s': 'resolvers %s' has no effect on a server written with an IP address",
					    px->name, s->name, s->p.resolvers);
		}
}

int cfg_resolvers_srv_param(struct cfg_ctx *c, const char *kw, const char *k, const char *v,
			    struct sl_srv_params *p)
{
	if (v == NULL) {
		cfg_err(c, "'%s': '%s' expects a value", kw, k);
		return -1;
	}
	if (strcmp(k, "resolvers") == 0) {
		p->resolvers = cfg_strdup(c, v);
		p->resolvers_loc = cfg_loc(c);
	} else if (strcmp(k, "resolve-prefer") == 0) {
		if (strcmp(v, "ipv6") == 0) {
			cfg_warn(c, "'%s': 'resolve-prefer ipv6': sluice asks for A records only (IPv6 servers are not supported yet)",
				 kw);
		} else if (strcmp(v, "ipv4") != 0) {
			cfg_err(c, "'%s': 'resolve-prefer' expects 'ipv4' or 'ipv6', got '%s'", kw, v);
			return -1;
		}
	} else if (strcmp(k, "resolve-opts") == 0) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", v);
		for (char *save = NULL, *o = strtok_r(buf, ",", &save); o != NULL;
		     o = strtok_r(NULL, ",", &save)) {
			if (strcmp(o, "allow-dup-ip") == 0)
				p->prevent_dup_ip = false;
			else if (strcmp(o, "prevent-dup-ip") == 0)
				p->prevent_dup_ip = true;
			else if (strcmp(o, "ignore-weight") == 0)
				cfg_warn(c, "'%s': 'resolve-opts ignore-weight' has no effect: it concerns SRV records, which sluice does not ask for",
					 kw);
			else {
				cfg_err(c, "'%s': unknown resolve-opts '%s' (allow-dup-ip, prevent-dup-ip, ignore-weight)",
					kw, o);
				return -1;
			}
		}
	} else { /* resolve-net */
		char buf[512];
		snprintf(buf, sizeof(buf), "%s", v);
		p->nresolve_net = 0;
		for (char *save = NULL, *o = strtok_r(buf, ",", &save); o != NULL;
		     o = strtok_r(NULL, ",", &save)) {
			if (p->nresolve_net == 4) {
				cfg_err(c, "'%s': 'resolve-net': at most 4 networks", kw);
				return -1;
			}
			if (cfg_net(c, "resolve-net", o, true, &p->resolve_net[p->nresolve_net]) < 0)
				return -1;
			if (p->resolve_net[p->nresolve_net].family != AF_INET) {
				cfg_err(c, "'%s': 'resolve-net %s': only IPv4 networks are supported", kw,
					o);
				return -1;
			}
			p->nresolve_net++;
		}
	}
	return 0;
}
