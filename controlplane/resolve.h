/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server host names through the C library (getaddrinfo(): /etc/hosts, DNS as nsswitch.conf says),
 * for sl_cfg_resolve()'s "libc" method. Main only: it blocks while the lookup runs.
 */
#ifndef SL_RESOLVE_H
#define SL_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "controlplane/cfg/cfg.h"

/* An sl_cfg_resolve_fn: the first IPv4 address of @host (host order). -EAFNOSUPPORT when the name
 * has IPv6 addresses only, -ENOENT when it has none, -EAGAIN on a temporary failure. */
int sl_resolve_libc(void *arg, const char *host, uint32_t *v4, char *err, size_t errlen);

/* Resolves @cfg's server names at start (@running NULL) or at a reload: sl_cfg_resolve() with
 * sl_resolve_libc(), diagnostics to @diag_fn (NULL: stderr). Returns 0 or -EINVAL. */
int sl_resolve_cfg(struct sl_cfg *cfg, const struct sl_cfg *running, sl_cfg_diag_fn diag_fn,
		   void *diag_arg);

#endif
