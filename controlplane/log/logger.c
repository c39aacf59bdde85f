/* SPDX-License-Identifier: BSD-3-Clause */
/* Event logs to syslog targets, on main: see logger.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/log/logger.h"

#define UNIX_MAX 8 /* UNIX datagram sockets kept open, by path */
#define SMP_MAX 64 /* targets with a `sample` whose position is kept */

struct sl_logger {
	const struct sl_cfg *cfg;
	char host[256];
	int pid;
	int udp_fd;
	struct {
		char path[108];
		int fd;
	} unix_fds[UNIX_MAX];
	int nunix;
	struct {
		const struct sl_log_target *t;
		unsigned idx;
	} smp[SMP_MAX]; /* `sample` positions of this configuration's targets */
	int nsmp;
	uint64_t dropped;
};

bool sl_log_sample(const struct sl_log_target *t, unsigned *idx)
{
	if (t->smp_size == 0)
		return true;
	unsigned pos = *idx + 1; /* 1 .. smp_size */
	*idx = pos % t->smp_size;
	for (unsigned k = 0; k < t->smp_n; k++)
		if (t->smp[k].low <= pos && pos <= t->smp[k].high)
			return true;
	return false;
}

/* Whether the next line offered to @t goes (its `sample`); a target beyond SMP_MAX sends all. */
static bool sampled(struct sl_logger *lg, const struct sl_log_target *t)
{
	if (t->smp_size == 0)
		return true;
	int i = 0;
	while (i < lg->nsmp && lg->smp[i].t != t)
		i++;
	if (i == lg->nsmp) {
		if (lg->nsmp == SMP_MAX)
			return true;
		lg->smp[lg->nsmp].t = t;
		lg->smp[lg->nsmp++].idx = 0;
	}
	return sl_log_sample(t, &lg->smp[i].idx);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

size_t sl_log_line(char *buf, size_t n, const struct sl_log_target *t, int level, const char *tag,
		   const char *host, int pid, int64_t now, int usec, const char *msg)
{
	if (n == 0)
		return 0;
	if (level < t->minlevel)
		level = t->minlevel;
	int pri = t->facility * 8 + level;
	time_t tt = (time_t)now;
	struct tm tm;
	localtime_r(&tt, &tm);
	char iso[64];
	long off = tm.tm_gmtoff;
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d.%06d%c%02ld:%02ld",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 usec, off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
	char date[32];
	snprintf(date, sizeof(date), "%s %2d %02d:%02d:%02d", months[tm.tm_mon], tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	int k = 0;
	switch (t->format) {
	case SL_LOGF_RFC3164:
		k = snprintf(buf, n, "<%d>%s %s%s%s[%d]: %s", pri, date, host ? host : "",
			     host ? " " : "", tag, pid, msg);
		break;
	case SL_LOGF_LOCAL:
		k = snprintf(buf, n, "<%d>%s %s[%d]: %s", pri, date, tag, pid, msg);
		break;
	case SL_LOGF_RFC5424:
		k = snprintf(buf, n, "<%d>1 %s %s %s %d - - %s", pri, iso, host ? host : "-", tag,
			     pid, msg);
		break;
	case SL_LOGF_SHORT:
	case SL_LOGF_PRIORITY:
		k = snprintf(buf, n, "<%d>%s", pri, msg);
		break;
	case SL_LOGF_TIMED:
		k = snprintf(buf, n, "<%d>%s %s", pri, date, msg);
		break;
	case SL_LOGF_ISO:
		k = snprintf(buf, n, "<%d>%s %s", pri, iso, msg);
		break;
	case SL_LOGF_RAW:
		k = snprintf(buf, n, "%s", msg);
		break;
	}
	size_t len = k < 0 ? 0 : (size_t)k;
	size_t max = (size_t)t->len;
	if (len >= n)
		len = n - 1;
	if (len > max)
		len = max; /* HAProxy truncates the line at `len` */
	/* one line per message: a newline at its end, within len */
	if (len > 0 && buf[len - 1] != '\n') {
		if (len == max)
			len--;
		if (len + 1 < n)
			buf[len++] = '\n';
	}
	buf[len] = '\0';
	return len;
}

struct sl_logger *sl_logger_new(const struct sl_cfg *cfg)
{
	struct sl_logger *lg = calloc(1, sizeof(*lg));
	if (lg == NULL)
		return NULL;
	lg->udp_fd = -1;
	lg->pid = (int)getpid();
	sl_logger_set_cfg(lg, cfg);
	return lg;
}

void sl_logger_set_cfg(struct sl_logger *lg, const struct sl_cfg *cfg)
{
	if (lg == NULL)
		return;
	lg->cfg = cfg;
	lg->nsmp = 0; /* the new configuration's targets count from their start */
	lg->host[0] = '\0';
	if (cfg->global.log_send_hostname) {
		if (cfg->global.log_hostname != NULL)
			snprintf(lg->host, sizeof(lg->host), "%s", cfg->global.log_hostname);
		else if (gethostname(lg->host, sizeof(lg->host) - 1) < 0)
			lg->host[0] = '\0';
	}
}

void sl_logger_free(struct sl_logger *lg)
{
	if (lg == NULL)
		return;
	if (lg->udp_fd >= 0)
		close(lg->udp_fd);
	for (int i = 0; i < lg->nunix; i++)
		if (lg->unix_fds[i].fd >= 0)
			close(lg->unix_fds[i].fd);
	free(lg);
}

uint64_t sl_logger_dropped(const struct sl_logger *lg)
{
	return lg != NULL ? lg->dropped : 0;
}

/* The UNIX datagram socket connected to @path, opened on first use; -1 when it cannot be. A
 * socket whose receiver went away is opened again at the next line. */
static int unix_fd(struct sl_logger *lg, const char *path)
{
	int i = 0;
	for (; i < lg->nunix; i++)
		if (strcmp(lg->unix_fds[i].path, path) == 0)
			break;
	if (i == lg->nunix) {
		if (lg->nunix == UNIX_MAX)
			return -1;
		snprintf(lg->unix_fds[i].path, sizeof(lg->unix_fds[i].path), "%s", path);
		lg->unix_fds[i].fd = -1;
		lg->nunix++;
	}
	if (lg->unix_fds[i].fd >= 0)
		return lg->unix_fds[i].fd;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	lg->unix_fds[i].fd = fd;
	return fd;
}

static void unix_lost(struct sl_logger *lg, const char *path)
{
	for (int i = 0; i < lg->nunix; i++)
		if (strcmp(lg->unix_fds[i].path, path) == 0 && lg->unix_fds[i].fd >= 0) {
			close(lg->unix_fds[i].fd);
			lg->unix_fds[i].fd = -1;
		}
}

static bool send_line(struct sl_logger *lg, const struct sl_log_target *t, const char *line,
		      size_t len)
{
	ssize_t w = -1;
	switch (t->kind) {
	case SL_LOGT_STDOUT:
	case SL_LOGT_STDERR:
		w = write(t->kind == SL_LOGT_STDOUT ? 1 : 2, line, len);
		break;
	case SL_LOGT_UDP: {
		if (lg->udp_fd < 0)
			lg->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons(t->port),
					 .sin_addr.s_addr = htonl(t->ip)};
		if (lg->udp_fd >= 0)
			w = sendto(lg->udp_fd, line, len, 0, (struct sockaddr *)&sa, sizeof(sa));
		break;
	}
	case SL_LOGT_UNIX: {
		int fd = unix_fd(lg, t->path);
		if (fd >= 0) {
			w = send(fd, line, len, 0);
			if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				unix_lost(lg, t->path);
		}
		break;
	}
	}
	return w == (ssize_t)len;
}

static int send_all(struct sl_logger *lg, const struct sl_log_target *t, int level,
		    const char *msg, int64_t now, int usec)
{
	const char *tag = lg->cfg->global.log_tag != NULL ? lg->cfg->global.log_tag : "sluiced";
	int took = 0;
	for (; t != NULL; t = t->next) {
		/* HAProxy samples before the level filter: every line counts in the position */
		if (!sampled(lg, t) || level > t->level)
			continue;
		char line[65536 + 512];
		size_t len = sl_log_line(line, sizeof(line), t, level, tag,
					 lg->host[0] != '\0' ? lg->host : NULL, lg->pid, now, usec,
					 msg);
		if (send_line(lg, t, line, len))
			took++;
		else
			lg->dropped++;
	}
	return took;
}

int sl_log(struct sl_logger *lg, const struct sl_proxy *px, int level, const char *fmt, ...)
{
	if (lg == NULL || lg->cfg == NULL)
		return 0;
	char msg[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	int took = 0;
	if (px == NULL || px->log_global)
		took += send_all(lg, lg->cfg->global.log_targets, level, msg, tv.tv_sec,
				 (int)tv.tv_usec);
	if (px != NULL)
		took += send_all(lg, px->log_targets, level, msg, tv.tv_sec, (int)tv.tv_usec);
	return took;
}
