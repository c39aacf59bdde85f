/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the event logger (controlplane/log/logger.c): each header format HAProxy 2.6
 * writes, levels and minimum levels, truncation at `len`; then lines through a real UNIX
 * datagram socket and UDP on loopback to a receiver of the test's, a proxy's own targets and
 * `log global`, a target below the line's level skipped, and an absent receiver counted as a
 * dropped line; `sample RANGES:SIZE` parsed as HAProxy 2.6 parses it and splitting lines
 * between targets.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/log/logger.h"
#include "tests/unit/sl_test.h"

/* 2026-12-07 14:05:09 UTC */
#define T0 1796652309

static void test_formats(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	char b[512];
	struct sl_log_target t = {.len = 1024, .facility = 16, .level = 7};
	t.format = SL_LOGF_RFC3164;
	sl_log_line(b, sizeof(b), &t, 5, "sluiced", NULL, 42, T0, 123456, "Proxy p started.");
	CU_ASSERT_STRING_EQUAL(b, "<133>Dec  7 14:05:09 sluiced[42]: Proxy p started.\n");
	sl_log_line(b, sizeof(b), &t, 5, "sluiced", "lb1", 42, T0, 0, "m");
	CU_ASSERT_STRING_EQUAL(b, "<133>Dec  7 14:05:09 lb1 sluiced[42]: m\n");
	t.format = SL_LOGF_LOCAL;
	sl_log_line(b, sizeof(b), &t, 5, "sluiced", "lb1", 42, T0, 0, "m");
	CU_ASSERT_STRING_EQUAL(b, "<133>Dec  7 14:05:09 sluiced[42]: m\n");
	t.format = SL_LOGF_RFC5424;
	sl_log_line(b, sizeof(b), &t, 1, "sluiced", NULL, 42, T0, 123456, "m");
	CU_ASSERT_STRING_EQUAL(b, "<129>1 2026-12-07T14:05:09.123456+00:00 - sluiced 42 - - m\n");
	t.format = SL_LOGF_SHORT;
	sl_log_line(b, sizeof(b), &t, 0, "sluiced", NULL, 42, T0, 0, "m");
	CU_ASSERT_STRING_EQUAL(b, "<128>m\n");
	t.format = SL_LOGF_RAW;
	sl_log_line(b, sizeof(b), &t, 0, "sluiced", NULL, 42, T0, 0, "m");
	CU_ASSERT_STRING_EQUAL(b, "m\n");
	t.format = SL_LOGF_TIMED;
	sl_log_line(b, sizeof(b), &t, 6, "sluiced", NULL, 42, T0, 0, "m");
	CU_ASSERT_STRING_EQUAL(b, "<134>Dec  7 14:05:09 m\n");
	/* minlevel: a more important line is sent as minlevel */
	t.format = SL_LOGF_SHORT;
	t.minlevel = 3;
	sl_log_line(b, sizeof(b), &t, 0, "sluiced", NULL, 42, T0, 0, "m");
	CU_ASSERT_STRING_EQUAL(b, "<131>m\n");
	/* len: the line, newline included, is at most len bytes */
	t.minlevel = 0;
	t.len = 80;
	char msg[200];
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	size_t n = sl_log_line(b, sizeof(b), &t, 0, "sluiced", NULL, 42, T0, 0, msg);
	CU_ASSERT_EQUAL(n, 80);
	CU_ASSERT_EQUAL(strlen(b), 80);
	CU_ASSERT_EQUAL(b[79], '\n');
	CU_ASSERT(strncmp(b, "<128>xxx", 8) == 0);
}

static int bind_unix(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	return fd;
}

static int bind_udp(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t l = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &l) < 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

static int recv_line(int fd, char *b, size_t n)
{
	struct timeval tv = {.tv_sec = 1};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t r = recv(fd, b, n - 1, 0);
	b[r > 0 ? r : 0] = '\0';
	return (int)r;
}

static void test_targets(void)
{
	char dir[] = "/tmp/sl-logger-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/log.sock", dir);
	int ux = bind_unix(path);
	uint16_t port = 0;
	int udp = bind_udp(&port);
	CU_ASSERT_FATAL(ux >= 0 && udp >= 0);
	char text[2048];
	snprintf(text, sizeof(text),
		 "global\n  log %s local0 notice\n  log-tag lb\n"
		 "defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n"
		 "backend withglobal\n  log global\n  log 127.0.0.1:%u format raw local1\n"
		 "backend own\n  log 127.0.0.1:%u format short local2 err\n"
		 "backend nowhere\n  log %s/absent.sock local0\n",
		 path, port, port, dir);
	const struct sl_cfg_text t = {.name = "t.cfg", .data = text, .len = strlen(text)};
	const struct sl_cfg_opts o = {.no_dataplane_ok = true};
	struct sl_cfg *cfg = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_cfg_parse(&t, 1, &o, &cfg), 0);
	struct sl_logger *lg = sl_logger_new(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	char b[1024];
	/* log global and its own: both */
	CU_ASSERT_EQUAL(sl_log(lg, sl_cfg_find_proxy(cfg, "withglobal", SL_CAP_BE), SL_LOG_NOTICE,
			       "Server %s/%s is UP.", "withglobal", "s1"),
			2);
	CU_ASSERT(recv_line(ux, b, sizeof(b)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b, " lb["));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "]: Server withglobal/s1 is UP.\n"));
	CU_ASSERT_EQUAL(strncmp(b, "<133>", 5), 0);
	CU_ASSERT(recv_line(udp, b, sizeof(b)) > 0);
	CU_ASSERT_STRING_EQUAL(b, "Server withglobal/s1 is UP.\n");
	/* a target whose level is err skips a notice, takes an alert */
	const struct sl_proxy *own = sl_cfg_find_proxy(cfg, "own", SL_CAP_BE);
	CU_ASSERT_EQUAL(sl_log(lg, own, SL_LOG_NOTICE, "quiet"), 0);
	CU_ASSERT_EQUAL(sl_log(lg, own, SL_LOG_ALERT, "loud"), 1);
	CU_ASSERT(recv_line(udp, b, sizeof(b)) > 0);
	CU_ASSERT_STRING_EQUAL(b, "<145>loud\n");
	/* the global targets alone (px NULL); info is below notice */
	CU_ASSERT_EQUAL(sl_log(lg, NULL, SL_LOG_INFO, "too detailed"), 0);
	CU_ASSERT_EQUAL(sl_logger_dropped(lg), 0);
	/* no receiver: dropped and counted, and nothing waits */
	CU_ASSERT_EQUAL(sl_log(lg, sl_cfg_find_proxy(cfg, "nowhere", SL_CAP_BE), SL_LOG_ALERT, "x"), 0);
	CU_ASSERT_EQUAL(sl_logger_dropped(lg), 1);
	/* a full receiver: lines dropped and counted, never a wait */
	int sent = 0;
	for (int i = 0; i < 5000; i++)
		sent += sl_log(lg, NULL, SL_LOG_ALERT, "flood %d %0200d", i, 0);
	CU_ASSERT(sent < 5000);
	CU_ASSERT_EQUAL(sl_logger_dropped(lg), 1 + (uint64_t)(5000 - sent));
	sl_logger_free(lg);
	sl_cfg_free(cfg);
	close(ux);
	close(udp);
	unlink(path);
	rmdir(dir);
}

/* Parses @text as a global section's log line; returns the configuration or NULL (refused). */
static struct sl_cfg *parse_log(const char *line)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "global\n  %s\ndefaults\n  mode http\n  timeout connect 1s\n"
		 "  timeout client 1s\n  timeout server 1s\n",
		 line);
	const struct sl_cfg_text t = {.name = "t.cfg", .data = text, .len = strlen(text)};
	const struct sl_cfg_opts o = {.no_dataplane_ok = true};
	struct sl_cfg *cfg = NULL;
	return sl_cfg_parse(&t, 1, &o, &cfg) == 0 ? cfg : NULL;
}

static void test_sample(void)
{
	/* what HAProxy 2.6 refuses: no size, size 0, a range past the size, reversed, overlapping */
	static const char *const bad[] = {"1", "1:0", "3:2", "0:2", "2-1:3", "1,1:2", "1-3,2:5",
					  ":3", "1,:3", "a:3", "1:x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];
		snprintf(line, sizeof(line), "log 127.0.0.1:514 sample %s local0", bad[i]);
		struct sl_cfg *cfg = parse_log(line);
		CU_ASSERT_PTR_NULL(cfg);
		if (cfg != NULL) {
			fprintf(stderr, "accepted: %s\n", line);
			sl_cfg_free(cfg);
		}
	}
	/* 1-3,7:10: lines 1, 2, 3 and 7 of every 10, ranges sorted whatever their order */
	struct sl_cfg *cfg = parse_log("log 127.0.0.1:514 len 200 sample 7,1-3:10 local0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	const struct sl_log_target *t = cfg->global.log_targets;
	CU_ASSERT_EQUAL(t->smp_size, 10);
	CU_ASSERT_EQUAL(t->smp_n, 2);
	CU_ASSERT_EQUAL(t->len, 200);
	CU_ASSERT_EQUAL(t->facility, 16);
	unsigned idx = 0;
	char got[32] = "";
	for (int i = 0; i < 20; i++)
		got[i] = sl_log_sample(t, &idx) ? 'y' : '.';
	CU_ASSERT_STRING_EQUAL(got, "yyy...y...yyy...y...");
	sl_cfg_free(cfg);
	/* 1:2 every other line; no sample: every line */
	cfg = parse_log("log 127.0.0.1:514 sample 1:2 local0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	idx = 0;
	for (int i = 0; i < 6; i++)
		got[i] = sl_log_sample(cfg->global.log_targets, &idx) ? 'y' : '.';
	got[6] = '\0';
	CU_ASSERT_STRING_EQUAL(got, "y.y.y.");
	sl_cfg_free(cfg);
	struct sl_log_target all = {.len = 1024};
	idx = 0;
	CU_ASSERT(sl_log_sample(&all, &idx) && sl_log_sample(&all, &idx));

	/* through the logger: two targets splitting the lines 1:2 and 2:2 */
	uint16_t port = 0;
	int udp = bind_udp(&port);
	CU_ASSERT_FATAL(udp >= 0);
	char line[160];
	snprintf(line, sizeof(line),
		 "log 127.0.0.1:%u sample 1:2 format raw local0\n"
		 "  log 127.0.0.1:%u sample 2:2 format short local1",
		 port, port);
	cfg = parse_log(line);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_logger *lg = sl_logger_new(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lg);
	char b[256];
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(sl_log(lg, NULL, SL_LOG_NOTICE, "line %d", i), 1);
		CU_ASSERT(recv_line(udp, b, sizeof(b)) > 0);
		CU_ASSERT_STRING_EQUAL(b, i % 2 == 0 ? (i == 0 ? "line 0\n" : "line 2\n") :
						    (i == 1 ? "<141>line 1\n" : "<141>line 3\n"));
	}
	sl_logger_free(lg);
	sl_cfg_free(cfg);
	close(udp);
}

int main(void)
{
	static const struct sl_test_case cases[] = {
		{"header formats, levels, len", test_formats},
		{"UNIX and UDP targets, log global, levels, drops", test_targets},
		{"log ... sample RANGES:SIZE", test_sample},
		{NULL, NULL},
	};
	static const struct sl_test_suite suites[] = {{"logger", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}
