/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run-time DNS for servers written with a host name and `resolvers NAME` (HAProxy 2.6's
 * resolvers): A queries over the kernel's UDP sockets to each section's name servers, answers
 * kept per (section, name), and the address each such server should have now. Main lcore only:
 * sockets are non-blocking and polled from main's loop; nothing here touches the packet lcores.
 * An address change is applied by the caller as a rebuild of the running configuration
 * (sl_reload_dns() in controlplane/reload.c), which publishes new tables as a reload does.
 */
#ifndef SL_RESOLVERS_H
#define SL_RESOLVERS_H

#include <stdbool.h>
#include <stdint.h>

struct sl_cfg;
struct sl_proxy;
struct sl_server;
struct sl_outbuf;
struct sl_resolv;

/*
 * The resolutions of @cfg's servers that name a resolvers section, with a UDP socket per
 * section. What @old knew of the same (section, name) pairs is kept (answers, counters), so a
 * reload does not forget them. Returns NULL when @cfg has no such server (nothing to do) or on
 * failure (errno set: a socket could not be opened, reported on stderr).
 */
struct sl_resolv *sl_resolv_create(const struct sl_cfg *cfg, const struct sl_resolv *old);

/* Closes the sockets and frees @r (NULL accepted). */
void sl_resolv_destroy(struct sl_resolv *r);

/*
 * Sends the queries that are due at @now_ms (ms, monotonic), sends again those without an
 * answer after `timeout retry`, reads every answer waiting. Returns true when a server of the
 * running configuration @running should get another address (or lose it, or get one back):
 * the caller then rebuilds the configuration with sl_resolv_server_addr().
 */
bool sl_resolv_poll(struct sl_resolv *r, const struct sl_cfg *running, uint64_t now_ms);

/*
 * sl_cfg_resolve_opts.runtime_fn (@arg: the struct sl_resolv): for a server with resolvers,
 * 1 with *@v4 its address (the one it has when the last valid answer still holds it, else the
 * first of the answer in resolve-net order, avoiding the backend's other servers' addresses
 * with prevent-dup-ip), 0 when it should have none (the last error's hold period has passed:
 * maintenance, as HAProxy), -1 when the resolvers have nothing to say (no answer yet, or not
 * such a server): it keeps the address it has.
 */
int sl_resolv_server_addr(void *arg, const struct sl_proxy *px, const struct sl_server *s,
			  uint32_t *v4);

/* `show resolvers`: each section's name servers with HAProxy's counters, then each name's
 * status, addresses and age. */
void sl_resolv_show(const struct sl_resolv *r, struct sl_outbuf *out);

#endif
