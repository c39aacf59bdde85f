/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the stats socket server (controlplane/stats/stats_sock.c), end to end in one process:
 * the server and its clients are unix sockets in a temporary directory, driven by calls to
 * sl_stats_sock_poll(). No network.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "controlplane/stats/cmdlang.h"
#include "proto/outbuf.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_proto.h"
#include "controlplane/stats/stats_sock.h"
#include "tests/unit/sl_test.h"

/* ---------------------------------------------------------------- the daemon side */

struct ctx {
	struct sl_stats_row rows[2];
	size_t big; /* bytes printed by "show big" */
};

static int cmd_show_stat(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct ctx *c = arg;
	return sl_stats_cmd_show_stat(c->rows, 2, argc, argv, out);
}

static int cmd_show_info(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	sl_outbuf_puts(out, "Name: sluice\n");
	return 0;
}

static int cmd_show_big(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	struct ctx *c = arg;
	char line[1024];
	memset(line, 'b', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	for (size_t n = 0; n < c->big; n += sizeof(line))
		if (sl_outbuf_append(out, line, sizeof(line)) < 0)
			break;
	return 0;
}

static int cmd_set_weight(void *arg, int argc, char **argv, struct sl_outbuf *out)
{
	return 0;
}

static const struct sl_cli_cmd cmds[] = {
	{"show stat", SL_CLI_USER, cmd_show_stat, "[typed|json]", "report counters"},
	{"show info", SL_CLI_USER, cmd_show_info, NULL, "report information"},
	{"show big", SL_CLI_USER, cmd_show_big, NULL, "a lot of output"},
	{"set weight", SL_CLI_ADMIN, cmd_set_weight, "<bk>/<srv> <w>", "change a weight"},
	{NULL, 0, NULL, NULL, NULL},
};

static void ctx_init(struct ctx *c)
{
	sl_stats_row_init(&c->rows[0], SL_STATS_FE);
	sl_stats_set_str(&c->rows[0], SL_ST_PXNAME, "fe");
	sl_stats_set_str(&c->rows[0], SL_ST_SVNAME, "FRONTEND");
	sl_stats_set_str(&c->rows[0], SL_ST_STATUS, "OPEN");
	sl_stats_set_u(&c->rows[0], SL_ST_IID, 1);
	sl_stats_row_init(&c->rows[1], SL_STATS_BE);
	sl_stats_set_str(&c->rows[1], SL_ST_PXNAME, "be");
	sl_stats_set_str(&c->rows[1], SL_ST_SVNAME, "BACKEND");
	sl_stats_set_str(&c->rows[1], SL_ST_STATUS, "UP");
	sl_stats_set_u(&c->rows[1], SL_ST_IID, 2);
	c->big = 8u << 20;
}

static void ctx_free(struct ctx *c)
{
	sl_stats_row_clear(&c->rows[0]);
	sl_stats_row_clear(&c->rows[1]);
}

/* The CSV "show stat" answers with for ctx_init()'s rows. */
static char *expected_csv(struct ctx *c)
{
	struct sl_outbuf o;
	sl_outbuf_init(&o, 0);
	sl_stats_render_csv(c->rows, 2, &o);
	char *s = strdup(sl_outbuf_data(&o));
	sl_outbuf_free(&o);
	return s;
}

/* ---------------------------------------------------------------- helpers */

struct tmp {
	char dir[64];
	char path[96];
};

static void tmp_make(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/sl_stats_sock_XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/admin.sock", t->dir);
}

static void tmp_remove(struct tmp *t)
{
	unlink(t->path);
	rmdir(t->dir);
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connects a client (the kernel completes it before the server accepts) and makes it
 * non-blocking. Returns the descriptor or -1. */
static int client_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Sends all of @data while serving the server. Returns 0 or -1. */
static int client_send(struct sl_stats_sock *s, int fd, const char *data, size_t len)
{
	long long end = mono_ms() + 5000;
	size_t off = 0;
	while (off < len && mono_ms() < end) {
		ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN)
			return -1;
		sl_stats_sock_poll(s, 1);
	}
	return off == len ? 0 : -1;
}

struct answer {
	char *data;
	size_t len;
	bool eof; /* the server closed (EOF or reset) */
	int err;  /* errno of a failed read, ECONNRESET included */
};

/*
 * Serves the server and reads the client until it closes, @until appears at the end of what was
 * read, or @ms elapse. The answer is NUL-terminated; free data.
 */
static struct answer client_read(struct sl_stats_sock *s, int fd, const char *until, int ms)
{
	struct answer a = {calloc(1, 1), 0, false, 0};
	long long end = mono_ms() + ms;
	while (mono_ms() < end) {
		sl_stats_sock_poll(s, 2);
		char buf[65536];
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r > 0) {
			a.data = realloc(a.data, a.len + (size_t)r + 1);
			memcpy(a.data + a.len, buf, (size_t)r);
			a.len += (size_t)r;
			a.data[a.len] = '\0';
		} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
			a.err = r == 0 ? 0 : errno;
			a.eof = true;
			break;
		}
		if (until != NULL && a.len >= strlen(until) &&
		    strcmp(a.data + a.len - strlen(until), until) == 0)
			break;
	}
	return a;
}

/* Serves the server for @ms. */
static void serve(struct sl_stats_sock *s, int ms)
{
	long long end = mono_ms() + ms;
	while (mono_ms() < end)
		sl_stats_sock_poll(s, 5);
}

/* ---------------------------------------------------------------- tests */

static void test_open_close(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);

	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0640, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct stat st;
	CU_ASSERT_EQUAL(stat(t.path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0640);
	CU_ASSERT(sl_stats_sock_fd(s) >= 0);

	/* Somebody listens: refused, and the file is left alone. */
	errno = 0;
	CU_ASSERT_PTR_NULL(sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c));
	CU_ASSERT_EQUAL(errno, EADDRINUSE);
	CU_ASSERT_EQUAL(stat(t.path, &st), 0);

	/* External polling: the listening socket first. */
	struct pollfd fds[4];
	int wait = 0;
	CU_ASSERT_EQUAL(sl_stats_sock_pollfds(s, fds, 4, &wait), 1);
	CU_ASSERT_EQUAL(fds[0].fd, sl_stats_sock_fd(s));
	CU_ASSERT_EQUAL(fds[0].events, POLLIN);
	CU_ASSERT_EQUAL(wait, -1);

	CU_ASSERT_EQUAL(sl_stats_sock_set_timeout(s, 0), -EINVAL);
	CU_ASSERT_EQUAL(sl_stats_sock_set_limits(s, 0, 0), -EINVAL);
	sl_stats_sock_close(s);
	CU_ASSERT_EQUAL(stat(t.path, &st), -1);
	sl_stats_sock_close(NULL);

	/* A stale socket file (its owner died without removing it) is replaced. */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", t.path);
	CU_ASSERT_EQUAL(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	CU_ASSERT_EQUAL(stat(t.path, &st), 0);
	s = sl_stats_sock_open(t.path, -1, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL(s);
	sl_stats_sock_close(s);

	/* Not a socket: refused, untouched. */
	FILE *f = fopen(t.path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
	errno = 0;
	CU_ASSERT_PTR_NULL(sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c));
	CU_ASSERT_EQUAL(errno, EEXIST);
	CU_ASSERT_EQUAL(stat(t.path, &st), 0);
	CU_ASSERT_TRUE(S_ISREG(st.st_mode));

	/* A path that fits sun_path but leaves no room for the temporary name: bound directly. */
	char edge[108];
	int used = snprintf(edge, sizeof(edge), "%s/", t.dir);
	memset(edge + used, 's', sizeof(edge) - 2 - (size_t)used);
	edge[sizeof(edge) - 2] = '\0';
	s = sl_stats_sock_open(edge, 0600, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL(s);
	CU_ASSERT_EQUAL(stat(edge, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	sl_stats_sock_close(s);
	CU_ASSERT_EQUAL(stat(edge, &st), -1);

	/* A path too long for sun_path. */
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	errno = 0;
	CU_ASSERT_PTR_NULL(sl_stats_sock_open(longp, 0600, SL_CLI_ADMIN, cmds, &c));
	CU_ASSERT_EQUAL(errno, ENAMETOOLONG);

	ctx_free(&c);
	tmp_remove(&t);
}

static void test_one_shot(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);
	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	char *csv = expected_csv(&c);
	size_t want_len = strlen(csv) + 1;
	char *want = malloc(want_len + 1);
	snprintf(want, want_len + 1, "%s\n", csv);

	/* "show stat\n": the CSV, the empty line, then the server closes. */
	int fd = client_connect(t.path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(client_send(s, fd, "show stat\n", 10), 0);
	struct answer a = client_read(s, fd, NULL, 3000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_EQUAL(a.err, 0);
	CU_ASSERT_STRING_EQUAL(a.data, want);
	free(a.data);
	close(fd);

	/* Two lines already buffered are both answered (HAProxy does), then the server closes. */
	fd = client_connect(t.path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(client_send(s, fd, "show info\nshow info;show info\n", 30), 0);
	a = client_read(s, fd, NULL, 3000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\nName: sluice\n\nName: sluice\n\n");
	free(a.data);
	close(fd);

	/* The client shuts its side after a complete line: answered. After a partial line:
	 * nothing (HAProxy drops it). */
	fd = client_connect(t.path);
	CU_ASSERT_EQUAL(client_send(s, fd, "show info\n", 10), 0);
	shutdown(fd, SHUT_WR);
	a = client_read(s, fd, NULL, 3000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\n");
	free(a.data);
	close(fd);
	fd = client_connect(t.path);
	CU_ASSERT_EQUAL(client_send(s, fd, "show info", 9), 0);
	shutdown(fd, SHUT_WR);
	a = client_read(s, fd, NULL, 3000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_EQUAL(a.len, 0);
	free(a.data);
	close(fd);

	serve(s, 20);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);
	free(want);
	free(csv);
	sl_stats_sock_close(s);
	ctx_free(&c);
	tmp_remove(&t);
}

static void test_prompt_mode(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);
	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0600, SL_CLI_USER, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	char *csv = expected_csv(&c);

	int fd = client_connect(t.path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(client_send(s, fd, "prompt\n", 7), 0);
	struct answer a = client_read(s, fd, "\n> ", 3000);
	CU_ASSERT_FALSE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, "\n> ");
	free(a.data);

	/* Two commands, one at a time: each answer ends with the empty line and the prompt, and
	 * the connection stays open. */
	CU_ASSERT_EQUAL(client_send(s, fd, "show info\n", 10), 0);
	a = client_read(s, fd, "\n> ", 3000);
	CU_ASSERT_FALSE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\n> ");
	free(a.data);

	CU_ASSERT_EQUAL(client_send(s, fd, "show stat\n", 10), 0);
	a = client_read(s, fd, "\n\n> ", 3000);
	CU_ASSERT_FALSE(a.eof);
	CU_ASSERT(a.len == strlen(csv) + 3 && strncmp(a.data, csv, strlen(csv)) == 0);
	free(a.data);

	/* A line that arrives in pieces, the end of it with the next line. */
	CU_ASSERT_EQUAL(client_send(s, fd, "show in", 7), 0);
	serve(s, 20);
	CU_ASSERT_EQUAL(client_send(s, fd, "f", 1), 0);
	serve(s, 20);
	CU_ASSERT_EQUAL(client_send(s, fd, "o\nshow info\n", 12), 0);
	a = client_read(s, fd, "Name: sluice\n\n> Name: sluice\n\n> ", 3000);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\n> Name: sluice\n\n> ");
	free(a.data);

	/* The socket's level applies. */
	CU_ASSERT_EQUAL(client_send(s, fd, "set weight be/s 1\n", 18), 0);
	a = client_read(s, fd, "\n> ", 3000);
	CU_ASSERT_STRING_EQUAL(a.data, "Permission denied\n\n> ");
	free(a.data);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 1);

	/* quit: no output, the server closes. */
	CU_ASSERT_EQUAL(client_send(s, fd, "quit\n", 5), 0);
	a = client_read(s, fd, NULL, 3000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_EQUAL(a.len, 0);
	free(a.data);
	close(fd);
	serve(s, 10);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);

	free(csv);
	sl_stats_sock_close(s);
	ctx_free(&c);
	tmp_remove(&t);
}

static void test_idle_timeout(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);
	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sl_stats_sock_set_timeout(s, 300), 0);

	/* A connects and says nothing. */
	long long t0 = mono_ms();
	int idle = client_connect(t.path);
	CU_ASSERT_FATAL(idle >= 0);
	serve(s, 50);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 1);

	/* Meanwhile B is served. */
	int fd = client_connect(t.path);
	CU_ASSERT_EQUAL(client_send(s, fd, "show info\n", 10), 0);
	struct answer a = client_read(s, fd, NULL, 2000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\n");
	free(a.data);
	close(fd);
	CU_ASSERT(mono_ms() - t0 < 250);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 1);

	/* A is closed after the timeout, not before. */
	a = client_read(s, idle, NULL, 3000);
	long long took = mono_ms() - t0;
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_EQUAL(a.len, 0);
	CU_ASSERT(took >= 290 && took < 2000);
	free(a.data);
	close(idle);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);

	/* The poll timeout follows the next client deadline: a sleeping caller wakes up for it. */
	idle = client_connect(t.path);
	serve(s, 20);
	struct pollfd fds[4];
	int wait = -1;
	CU_ASSERT_EQUAL(sl_stats_sock_pollfds(s, fds, 4, &wait), 2);
	CU_ASSERT(wait > 200 && wait <= 300);
	CU_ASSERT_EQUAL(fds[1].events, POLLIN);
	t0 = mono_ms();
	while (sl_stats_sock_nclients(s) > 0 && mono_ms() - t0 < 3000)
		sl_stats_sock_poll(s, -1);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);
	CU_ASSERT(mono_ms() - t0 < 1000);
	close(idle);

	sl_stats_sock_close(s);
	ctx_free(&c);
	tmp_remove(&t);
}

static void test_line_too_long(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);
	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	/* 70 KiB without a newline: an error, then the server closes. */
	size_t n = 70 * 1024;
	char *big = malloc(n);
	memset(big, 'a', n);
	int fd = client_connect(t.path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(client_send(s, fd, big, n), 0);
	struct answer a = client_read(s, fd, NULL, 3000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_EQUAL(a.err, 0);
	CU_ASSERT_STRING_EQUAL(a.data, SL_PROTO_MSG_TOO_LONG);
	free(a.data);
	close(fd);

	/* 64 KiB minus one and a newline is still a line. */
	fd = client_connect(t.path);
	memcpy(big, "show info ", 10);
	big[SL_PROTO_LINE_MAX - 1] = '\n';
	CU_ASSERT_EQUAL(client_send(s, fd, big, SL_PROTO_LINE_MAX), 0);
	a = client_read(s, fd, NULL, 3000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\n");
	free(a.data);
	close(fd);

	serve(s, 10);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);
	free(big);
	sl_stats_sock_close(s);
	ctx_free(&c);
	tmp_remove(&t);
}

static void test_reader_never_reads(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);
	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sl_stats_sock_set_timeout(s, 400), 0);

	/* 8 MiB of output to a client that never reads: every poll call returns (a blocking
	 * write would never return, and the test program would hit meson's timeout), no speed
	 * asserted: machines are shared. */
	int lazy = client_connect(t.path);
	CU_ASSERT_FATAL(lazy >= 0);
	CU_ASSERT_EQUAL(send(lazy, "show big\n", 9, MSG_NOSIGNAL), 9);
	for (int i = 0; i < 20; i++)
		CU_ASSERT(sl_stats_sock_poll(s, 0) >= 0);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 1);

	/* Another client is served meanwhile. */
	int fd = client_connect(t.path);
	CU_ASSERT_EQUAL(client_send(s, fd, "show info\n", 10), 0);
	struct answer a = client_read(s, fd, NULL, 2000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\n");
	free(a.data);
	close(fd);

	/* The non-reader makes no progress: dropped at the idle timeout. */
	long long t0 = mono_ms();
	while (sl_stats_sock_nclients(s) > 0 && mono_ms() - t0 < 3000)
		sl_stats_sock_poll(s, 10);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);
	close(lazy);

	/* With a 1 MiB cap, 8 MiB of output drops the client at once. */
	CU_ASSERT_EQUAL(sl_stats_sock_set_limits(s, 64, (size_t)1 << 20), 0);
	CU_ASSERT_EQUAL(sl_stats_sock_set_timeout(s, 10000), 0);
	lazy = client_connect(t.path);
	CU_ASSERT_EQUAL(send(lazy, "show big\n", 9, MSG_NOSIGNAL), 9);
	t0 = mono_ms();
	serve(s, 30);
	while (sl_stats_sock_nclients(s) > 0 && mono_ms() - t0 < 3000)
		sl_stats_sock_poll(s, 10);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);
	CU_ASSERT(mono_ms() - t0 < 1000);
	/* What the client gets is less than the whole answer, then the end. */
	a = client_read(s, lazy, NULL, 2000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT(a.len < c.big);
	free(a.data);
	close(lazy);

	/* A reader that does read gets all 8 MiB with the default cap. */
	CU_ASSERT_EQUAL(sl_stats_sock_set_limits(s, 64, 0), 0);
	fd = client_connect(t.path);
	CU_ASSERT_EQUAL(client_send(s, fd, "show big\n", 9), 0);
	a = client_read(s, fd, NULL, 10000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_EQUAL(a.len, c.big + 1);
	free(a.data);
	close(fd);

	sl_stats_sock_close(s);
	ctx_free(&c);
	tmp_remove(&t);
}

static void test_too_many_clients(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);
	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sl_stats_sock_set_limits(s, 2, 0), 0);

	int a1 = client_connect(t.path), a2 = client_connect(t.path);
	serve(s, 30);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 2);
	int a3 = client_connect(t.path);
	struct answer a = client_read(s, a3, NULL, 2000);
	CU_ASSERT_TRUE(a.eof);
	CU_ASSERT_STRING_EQUAL(a.data, SL_PROTO_MSG_TOO_MANY_CLIENTS);
	free(a.data);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 2);

	/* The first two still work. */
	CU_ASSERT_EQUAL(client_send(s, a1, "show info\n", 10), 0);
	a = client_read(s, a1, NULL, 2000);
	CU_ASSERT_STRING_EQUAL(a.data, "Name: sluice\n\n");
	free(a.data);
	close(a1);
	close(a2);
	close(a3);
	serve(s, 20);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 0);

	sl_stats_sock_close(s);
	ctx_free(&c);
	tmp_remove(&t);
}

static void test_close_with_clients(void)
{
	struct tmp t;
	struct ctx c;
	tmp_make(&t);
	ctx_init(&c);
	struct sl_stats_sock *s = sl_stats_sock_open(t.path, 0600, SL_CLI_ADMIN, cmds, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	int fd = client_connect(t.path);
	CU_ASSERT_EQUAL(client_send(s, fd, "prompt\n", 7), 0);
	serve(s, 20);
	CU_ASSERT_EQUAL(sl_stats_sock_nclients(s), 1);
	sl_stats_sock_close(s);
	char buf[16];
	ssize_t r;
	long long t0 = mono_ms();
	while ((r = read(fd, buf, sizeof(buf))) > 0 || (r < 0 && errno == EAGAIN)) {
		if (mono_ms() - t0 > 2000)
			break;
	}
	CU_ASSERT_EQUAL(r, 0);
	close(fd);
	struct stat st;
	CU_ASSERT_EQUAL(stat(t.path, &st), -1);
	ctx_free(&c);
	tmp_remove(&t);
}

static const struct sl_test_case cases[] = {
	{"open_close", test_open_close},
	{"one_shot", test_one_shot},
	{"prompt_mode", test_prompt_mode},
	{"idle_timeout", test_idle_timeout},
	{"line_too_long", test_line_too_long},
	{"reader_never_reads", test_reader_never_reads},
	{"too_many_clients", test_too_many_clients},
	{"close_with_clients", test_close_with_clients},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"stats_sock", cases},
		{NULL, NULL},
	};
	return sl_test_run(suites);
}
