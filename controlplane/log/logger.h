/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event logs to the `log` targets (syslog over a UNIX datagram socket or UDP, stdout, stderr),
 * in HAProxy 2.6's header formats: server state changes, health checks with
 * `option log-health-checks`, proxies started and stopped, reloads. Main lcore only: sockets are
 * non-blocking and a line that cannot leave now is dropped and counted, never waited for.
 * (Access logs from the packet lcores are issue 18's next step.)
 */
#ifndef SL_LOG_LOGGER_H
#define SL_LOG_LOGGER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "controlplane/cfg/cfg-t.h"

struct sl_logger;

/* HAProxy's levels. */
enum { SL_LOG_EMERG, SL_LOG_ALERT, SL_LOG_CRIT, SL_LOG_ERR, SL_LOG_WARNING, SL_LOG_NOTICE,
       SL_LOG_INFO, SL_LOG_DEBUG };

/* A logger for @cfg's targets (the header's tag, host name); NULL when out of memory. Sockets
 * are opened when first used. */
struct sl_logger *sl_logger_new(const struct sl_cfg *cfg);

/* The targets and header of a new configuration (a reload); open sockets are kept. */
void sl_logger_set_cfg(struct sl_logger *lg, const struct sl_cfg *cfg);

void sl_logger_free(struct sl_logger *lg);

/*
 * Sends the line @fmt at @level to @px's targets: its own `log` lines and, with `log global`,
 * the global ones (@px NULL: the global ones). A target whose level is less important than
 * @level skips it. Returns the number of targets that took it.
 */
int sl_log(struct sl_logger *lg, const struct sl_proxy *px, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * `sample RANGES:SIZE` of @t: whether the next line offered to @t goes, *@idx being @t's count
 * of lines offered so far modulo its size (0 at start; advanced here). Every line goes when @t
 * has no sample. Pure; HAProxy's process_send_log() sampling.
 */
bool sl_log_sample(const struct sl_log_target *t, unsigned *idx);

/* Lines that a target could not take (socket full, receiver absent): HAProxy's DroppedLogs. */
uint64_t sl_logger_dropped(const struct sl_logger *lg);

/*
 * Builds the line sent to @t for @msg at @level (header as @t's format says, truncated at @t's
 * len) into @buf (size @n); @now: seconds since the epoch, @usec its microseconds. Pure; for
 * tests. Returns the line's length.
 */
size_t sl_log_line(char *buf, size_t n, const struct sl_log_target *t, int level, const char *tag,
		   const char *host, int pid, int64_t now, int usec, const char *msg);

#endif
