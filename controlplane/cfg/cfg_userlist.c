/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `userlist` sections (HAProxy 2.6): `group NAME [users U1,U2...]`, `user NAME password HASH |
 * insecure-password PASS [groups G1,G2...]`. HASH is a crypt(3) string, checked on the proxy
 * lcores by dataplane/rules/userlist.c; the http_auth(L) and http_auth_group(L) fetches name
 * the list, resolved here once every line was read (a userlist may follow its users).
 */
#include <string.h>

#include "controlplane/cfg/cfg_int.h"

static struct sl_userlist *find_ul(const struct sl_cfg *cfg, const char *name)
{
	for (struct sl_userlist *u = cfg->userlists; u != NULL; u = u->next)
		if (strcmp(u->name, name) == 0)
			return u;
	return NULL;
}

void cfg_userlist_open(struct cfg_ctx *c, int argc, char **argv)
{
	c->sec = SEC_USERLIST;
	c->sec_kw = argv[0];
	c->px = NULL;
	c->ul = NULL;
	if (argc != 2) {
		cfg_err(c, "'userlist' expects one name");
		c->sec = SEC_SKIP;
		return;
	}
	if (find_ul(c->cfg, argv[1]) != NULL) {
		cfg_err(c, "'userlist': '%s' is declared twice", argv[1]);
		c->sec = SEC_SKIP;
		return;
	}
	struct sl_userlist *ul = cfg_alloc(c, sizeof(*ul));
	if (ul == NULL)
		return;
	ul->name = cfg_strdup(c, argv[1]);
	ul->loc = cfg_loc(c);
	SL_LIST_APPEND(&c->cfg->userlists, ul);
	c->ul = ul;
}

void cfg_userlist_line(struct cfg_ctx *c, int argc, char **argv)
{
	struct sl_userlist *ul = c->ul;
	if (ul == NULL)
		return;
	if (strcmp(argv[0], "group") == 0) {
		if (argc != 2 && !(argc == 4 && strcmp(argv[2], "users") == 0)) {
			cfg_err(c, "'group' expects a name and optionally 'users U1,U2'");
			return;
		}
		struct sl_ul_group *g = cfg_alloc(c, sizeof(*g));
		if (g == NULL)
			return;
		g->name = cfg_strdup(c, argv[1]);
		g->users = argc == 4 ? cfg_strdup(c, argv[3]) : NULL;
		SL_LIST_APPEND(&ul->groups, g);
		return;
	}
	if (strcmp(argv[0], "user") != 0) {
		cfg_err(c, "unknown keyword '%s' in 'userlist' section (user, group)", argv[0]);
		return;
	}
	struct sl_ul_user *u = cfg_alloc(c, sizeof(*u));
	if (u == NULL)
		return;
	if (argc < 2) {
		cfg_err(c, "'user' expects a name");
		return;
	}
	u->name = cfg_strdup(c, argv[1]);
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc) {
			cfg_err(c, "'user %s': '%s' expects a value", argv[1], argv[i]);
			return;
		}
		if (strcmp(argv[i], "password") == 0 || strcmp(argv[i], "insecure-password") == 0) {
			u->pass = cfg_strdup(c, argv[i + 1]);
			u->insecure = argv[i][0] == 'i';
		} else if (strcmp(argv[i], "groups") == 0) {
			u->groups = cfg_strdup(c, argv[i + 1]);
		} else {
			cfg_err(c, "'user %s': unknown argument '%s' (password, insecure-password, groups)",
				argv[1], argv[i]);
			return;
		}
	}
	if (u->pass == NULL) {
		cfg_err(c, "'user %s' expects 'password HASH' or 'insecure-password PASS'", argv[1]);
		return;
	}
	SL_LIST_APPEND(&ul->users, u);
}

/* Whether the comma-separated @list names only entries of @names (a user or group list). */
static const char *unknown_in(struct cfg_ctx *c, const char *list, bool users,
			      const struct sl_userlist *ul)
{
	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *e = strchr(p, ',');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);
		bool found = false;
		if (users) {
			for (const struct sl_ul_user *u = ul->users; u != NULL && !found; u = u->next)
				found = strlen(u->name) == l && memcmp(u->name, p, l) == 0;
		} else {
			for (const struct sl_ul_group *g = ul->groups; g != NULL && !found; g = g->next)
				found = strlen(g->name) == l && memcmp(g->name, p, l) == 0;
		}
		if (!found) {
			char *w = cfg_alloc(c, l + 1);
			if (w != NULL)
				memcpy(w, p, l);
			return w != NULL ? w : "?";
		}
		p = e != NULL ? e + 1 : NULL;
	}
	return NULL;
}

void cfg_userlist_resolve(struct cfg_ctx *c)
{
	/* as HAProxy: every group a user names, every user a group names, is declared */
	for (const struct sl_userlist *ul = c->cfg->userlists; ul != NULL; ul = ul->next) {
		for (const struct sl_ul_user *u = ul->users; u != NULL; u = u->next) {
			const char *w = unknown_in(c, u->groups, false, ul);
			if (w != NULL)
				cfg_err_at(c, &ul->loc, "userlist '%s': no such group '%s' specified in user '%s'",
					   ul->name, w, u->name);
		}
		for (const struct sl_ul_group *g = ul->groups; g != NULL; g = g->next) {
			const char *w = unknown_in(c, g->users, true, ul);
			if (w != NULL)
				cfg_err_at(c, &ul->loc, "userlist '%s': no such user '%s' specified in group '%s'",
					   ul->name, w, g->name);
		}
	}
	for (struct sl_acl *a = c->auth_acls; a != NULL; a = a->next_auth) {
		a->ul = find_ul(c->cfg, a->hdr);
		if (a->ul == NULL)
			cfg_err_at(c, &a->loc, "'%s': no userlist named '%s'",
				   a->fetch == SL_FETCH_HTTP_AUTH ? "http_auth" : "http_auth_group",
				   a->hdr);
	}
}
