/* SPDX-License-Identifier: BSD-3-Clause */
/* Server host names through getaddrinfo(), on main (controlplane/resolve.h). */
#include "controlplane/resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int lookup(const char *host, int family, struct addrinfo **res)
{
	const struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM};
	return getaddrinfo(host, NULL, &hints, res);
}

int sl_resolve_libc(void *arg, const char *host, uint32_t *v4, char *err, size_t errlen)
{
	(void)arg;
	struct addrinfo *res = NULL;
	int g = lookup(host, AF_INET, &res);
	if (g == 0) {
		for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
			if (ai->ai_family == AF_INET) {
				const struct sockaddr_in *sin = (const void *)ai->ai_addr;
				*v4 = ntohl(sin->sin_addr.s_addr);
				freeaddrinfo(res);
				return 0;
			}
		freeaddrinfo(res);
		g = EAI_NONAME;
	}
	snprintf(err, errlen, "%s", gai_strerror(g));
	if (g == EAI_MEMORY)
		return -ENOMEM;
	/* no IPv4 address: an IPv6-only name says so plainly (also when DNS did not answer for
	 * IPv4: /etc/hosts may have the name's IPv6 address only) */
	if (lookup(host, AF_INET6, &res) == 0) {
		freeaddrinfo(res);
		return -EAFNOSUPPORT;
	}
	return g == EAI_AGAIN ? -EAGAIN : g == EAI_SYSTEM ? -EIO : -ENOENT;
}

int sl_resolve_cfg(struct sl_cfg *cfg, const struct sl_cfg *running, sl_cfg_diag_fn diag_fn,
		   void *diag_arg)
{
	const struct sl_cfg_resolve_opts o = {.fn = sl_resolve_libc,
					      .running = running,
					      .diag_fn = diag_fn,
					      .diag_arg = diag_arg};
	return sl_cfg_resolve(cfg, &o);
}
