/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access-log lines: an access-log record (proto/alog.h) written as a compiled log-format says
 * (struct sl_alog_fmt, controlplane/cfg/cfg_alog.c), byte for byte as HAProxy 2.6's
 * sess_build_logline() writes the same variables: separators (runs of spaces in the format)
 * collapse when a variable writes nothing, -1 for a timer not reached, captured headers
 * between braces with '"', '#', '{', '|', '}' and bytes outside 32..126 written as #XX, the
 * request line with '"', '#' and those bytes so. Pure (main lcore; unit-tested).
 */
#ifndef SL_LOG_ALOG_FMT_H
#define SL_LOG_ALOG_FMT_H

#include <stddef.h>

#include "controlplane/cfg/cfg-t.h"
#include "proto/alog.h"

/* Writes @r as @f says into @buf (@n bytes, NUL-terminated, cut at @n - 1); @host for %H,
 * @pid for %pid. Returns the length written. */
size_t sl_alog_format(char *buf, size_t n, const struct sl_alog_fmt *f,
		      const struct sl_alog_rec *r, const char *host, int pid);

#endif
