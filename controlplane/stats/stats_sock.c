/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/stats/stats_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "controlplane/cfg/cfg-t.h"
#include "controlplane/stats/stats_proto.h"

/* The socket's level comes straight from the configuration's "stats socket ... level". */
_Static_assert((int)SL_CLI_USER == (int)SL_LEVEL_USER &&
		       (int)SL_CLI_OPERATOR == (int)SL_LEVEL_OPERATOR &&
		       (int)SL_CLI_ADMIN == (int)SL_LEVEL_ADMIN,
	       "cli levels and configuration levels differ");

/* No new command runs for a client while more than this much of its output is unsent. */
#define SOCK_HIGH_WATER ((size_t)256 << 10)
/* Lines run per client and per call, and clients accepted per call: bounds one call's work. */
#define SOCK_LINES_PER_CALL   32
#define SOCK_ACCEPTS_PER_CALL 16
/* Reads per client and per call. */
#define SOCK_READS_PER_CALL 4
#define SOCK_BACKLOG	    64

struct client {
	int fd;
	char *in; /* SL_PROTO_LINE_MAX bytes: the current (and following) request lines */
	size_t in_len;
	size_t in_scanned; /* leading bytes of in known to hold no '\n' */
	struct sl_outbuf out;
	int64_t last_ms; /* last read or write progress */
	bool prompt;	 /* interactive mode */
	bool eof;	 /* the client closed its side */
	bool closing;	 /* no more commands: close once the output is sent */
};

struct sl_stats_sock {
	int lfd;
	char *path;
	dev_t dev; /* of the socket file, to remove only our own at close */
	ino_t ino;
	int level;
	const struct sl_cli_cmd *cmds;
	void *arg;
	int timeout_ms;
	int max_clients;
	size_t out_cap;
	struct client **cl; /* nclients entries, room for cl_room */
	int nclients, cl_room;
	struct pollfd *pfds; /* room for cl_room + 1 */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	int fdfl = fcntl(fd, F_GETFD);
	if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int fill_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * Whether something listens on @path: 0 when the path is free (absent, or a stale socket file,
 * which is removed), -EADDRINUSE when a process accepts connections there, -EEXIST when it is not
 * a socket, another negative errno when it cannot be told.
 */
static int check_stale(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;

	struct sockaddr_un sun;
	int rc = fill_sun(&sun, path);
	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	/* Non-blocking: a listener with a full backlog answers EAGAIN instead of blocking us. */
	rc = set_nonblock_cloexec(fd);
	if (rc == 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 || rc == -EAGAIN || rc == -EINPROGRESS)
		return -EADDRINUSE;
	if (rc != -ECONNREFUSED)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * Creates, binds (under a temporary name, chmod, renamed into place, as HAProxy does) and
 * listens. A path too long for a temporary name next to it is bound directly and chmod()ed
 * after. Returns the descriptor or a negative errno.
 */
static int bind_listen(const char *path, int mode, dev_t *dev, ino_t *ino)
{
	char tmp[sizeof(((struct sockaddr_un *)0)->sun_path) + 32];
	struct sockaddr_un sun;
	int n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	bool direct = n < 0 || (size_t)n >= sizeof(sun.sun_path);
	const char *bound = direct ? path : tmp;
	int rc = fill_sun(&sun, bound);
	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	rc = set_nonblock_cloexec(fd);
	if (rc < 0)
		goto fail;
	if (!direct)
		unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		goto fail;
	}
	if (mode >= 0 && chmod(bound, (mode_t)mode) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	if (listen(fd, SOCK_BACKLOG) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	struct stat st;
	if (stat(bound, &st) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	if (!direct && rename(tmp, path) < 0) {
		rc = -errno;
		goto fail_unlink;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	return fd;
fail_unlink:
	unlink(bound);
fail:
	close(fd);
	return rc;
}

struct sl_stats_sock *sl_stats_sock_open(const char *path, int mode, int level,
					 const struct sl_cli_cmd *cmds, void *arg)
{
	struct sockaddr_un sun;
	int rc = path != NULL ? fill_sun(&sun, path) : -EINVAL;
	if (rc == 0 && cmds == NULL)
		rc = -EINVAL;
	if (rc == 0)
		rc = check_stale(path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	struct sl_stats_sock *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->lfd = -1;
	s->level = level;
	s->cmds = cmds;
	s->arg = arg;
	s->timeout_ms = SL_PROTO_IDLE_TIMEOUT_MS;
	s->max_clients = SL_STATS_SOCK_DEFAULT_MAX_CLIENTS;
	s->out_cap = SL_OUTBUF_DEFAULT_CAP;
	s->cl_room = s->max_clients;
	s->path = strdup(path);
	s->cl = calloc((size_t)s->cl_room, sizeof(*s->cl));
	s->pfds = calloc((size_t)s->cl_room + 1, sizeof(*s->pfds));
	if (s->path == NULL || s->cl == NULL || s->pfds == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	s->lfd = bind_listen(path, mode, &s->dev, &s->ino);
	if (s->lfd < 0) {
		rc = s->lfd;
		goto fail;
	}
	return s;
fail:
	free(s->path);
	free(s->cl);
	free(s->pfds);
	free(s);
	errno = -rc;
	return NULL;
}

int sl_stats_sock_set_timeout(struct sl_stats_sock *s, int timeout_ms)
{
	if (timeout_ms <= 0)
		return -EINVAL;
	s->timeout_ms = timeout_ms;
	return 0;
}

int sl_stats_sock_set_limits(struct sl_stats_sock *s, int max_clients, size_t out_cap)
{
	if (max_clients <= 0)
		return -EINVAL;
	if (max_clients > s->cl_room) {
		struct client **cl = realloc(s->cl, (size_t)max_clients * sizeof(*cl));
		if (cl == NULL)
			return -ENOMEM;
		s->cl = cl;
		struct pollfd *p = realloc(s->pfds, ((size_t)max_clients + 1) * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		s->pfds = p;
		s->cl_room = max_clients;
	}
	s->max_clients = max_clients;
	s->out_cap = out_cap != 0 ? out_cap : SL_OUTBUF_DEFAULT_CAP;
	return 0;
}

int sl_stats_sock_fd(const struct sl_stats_sock *s)
{
	return s->lfd;
}

int sl_stats_sock_nclients(const struct sl_stats_sock *s)
{
	return s->nclients;
}

/* ---------------------------------------------------------------- clients */

static void client_free(struct client *c)
{
	if (c->fd >= 0) {
		/* Discard what the client sent and we will not read (a bounded amount): closing a
		 * unix socket with unread data makes the peer's next read fail with ECONNRESET
		 * instead of returning our last answer and EOF. */
		char scratch[4096];
		for (int i = 0; i < 16 && read(c->fd, scratch, sizeof(scratch)) > 0; i++)
			;
		close(c->fd);
	}
	free(c->in);
	sl_outbuf_free(&c->out);
	free(c);
}

static void client_drop(struct sl_stats_sock *s, int i)
{
	client_free(s->cl[i]);
	s->cl[i] = s->cl[--s->nclients];
	s->cl[s->nclients] = NULL;
}

/* Whether a complete line waits in the input buffer. */
static bool client_has_line(const struct client *c)
{
	return c->in_len > c->in_scanned &&
	       memchr(c->in + c->in_scanned, '\n', c->in_len - c->in_scanned) != NULL;
}

/* Whether the client may have commands run now (input that can be processed). */
static bool client_runnable(const struct client *c)
{
	return !c->closing && sl_outbuf_len(&c->out) < SOCK_HIGH_WATER &&
	       (client_has_line(c) || c->in_len >= SL_PROTO_LINE_MAX);
}

static short client_events(const struct client *c)
{
	short ev = 0;
	if (!c->closing && !c->eof && c->in_len < SL_PROTO_LINE_MAX &&
	    sl_outbuf_len(&c->out) < SOCK_HIGH_WATER)
		ev |= POLLIN;
	if (sl_outbuf_len(&c->out) > 0)
		ev |= POLLOUT;
	return ev;
}

/* Reads what is there. Returns 1 when bytes or EOF came, 0 when nothing, -1 on a socket error. */
static int client_read(struct client *c, int64_t now)
{
	int got = 0;
	for (int i = 0; i < SOCK_READS_PER_CALL && !c->eof; i++) {
		size_t room = SL_PROTO_LINE_MAX - c->in_len;
		if (room == 0)
			break;
		ssize_t r = read(c->fd, c->in + c->in_len, room);
		if (r > 0) {
			c->in_len += (size_t)r;
			c->last_ms = now;
			got = 1;
			continue;
		}
		if (r == 0) {
			c->eof = true;
			return 1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		return -1;
	}
	return got;
}

/* Sends what it can. Returns 1 when bytes went, 0 when none could, -1 on a socket error. */
static int client_write(struct client *c, int64_t now)
{
	int sent = 0;
	while (sl_outbuf_len(&c->out) > 0) {
		ssize_t w = send(c->fd, sl_outbuf_data(&c->out), sl_outbuf_len(&c->out),
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			sl_outbuf_consume(&c->out, (size_t)w);
			c->last_ms = now;
			sent = 1;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return -1;
	}
	return sent;
}

/*
 * Runs the complete lines in the input buffer (a bounded number, and none while too much output
 * is unsent). Returns 0, or -1 when the client must be dropped at once (output over its cap).
 */
static int client_run(struct sl_stats_sock *s, struct client *c)
{
	size_t off = 0;
	int lines = 0;
	while (!c->closing && lines < SOCK_LINES_PER_CALL &&
	       sl_outbuf_len(&c->out) < SOCK_HIGH_WATER) {
		char *start = c->in + off;
		size_t avail = c->in_len - off;
		/* Only the bytes that came since the last scan can hold the end of the line. */
		size_t skip = off == 0 ? c->in_scanned : 0;
		char *nl = memchr(start + skip, '\n', avail - skip);
		if (nl == NULL) {
			c->in_scanned = avail;
			if (avail >= SL_PROTO_LINE_MAX) {
				/* A whole buffer without a newline: refuse and close. */
				sl_outbuf_puts(&c->out, SL_PROTO_MSG_TOO_LONG);
				c->closing = true;
				off = c->in_len;
				c->in_scanned = 0;
			}
			break;
		}
		*nl = '\0';
		off += (size_t)(nl - start) + 1;
		c->in_scanned = 0;
		bool quit = false;
		int rc = sl_cli_exec(s->cmds, s->arg, s->level, start, &c->out, &c->prompt, &quit);
		lines++;
		if (rc == -ENOSPC || c->out.truncated)
			return -1;
		if (rc == -E2BIG || quit)
			c->closing = true;
		/* Non-interactive: HAProxy closes once no more input is buffered. */
		if (!c->prompt && off == c->in_len)
			c->closing = true;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	/* The client is gone and no complete line is left: what remains is dropped, as HAProxy. */
	if (c->eof && !client_has_line(c))
		c->closing = true;
	return 0;
}

static void accept_clients(struct sl_stats_sock *s, int64_t now, int *served)
{
	for (int i = 0; i < SOCK_ACCEPTS_PER_CALL; i++) {
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of descriptors: try again at the next call */
		}
		(*served)++;
		if (set_nonblock_cloexec(fd) < 0) {
			close(fd);
			continue;
		}
		if (s->nclients >= s->max_clients || s->nclients >= s->cl_room) {
			/* Best effort: the socket buffer of a fresh connection has room for this.
			 */
			ssize_t w = send(fd, SL_PROTO_MSG_TOO_MANY_CLIENTS,
					 strlen(SL_PROTO_MSG_TOO_MANY_CLIENTS),
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)w;
			close(fd);
			continue;
		}
		struct client *c = calloc(1, sizeof(*c));
		char *in = malloc(SL_PROTO_LINE_MAX);
		if (c == NULL || in == NULL) {
			free(c);
			free(in);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->in = in;
		c->last_ms = now;
		sl_outbuf_init(&c->out, s->out_cap);
		s->cl[s->nclients++] = c;
	}
}

int sl_stats_sock_pollfds(const struct sl_stats_sock *s, struct pollfd *fds, int max,
			  int *timeout_ms)
{
	int n = 0;
	int64_t now = now_ms();
	int wait = -1;
	if (n < max)
		fds[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (int i = 0; i < s->nclients; i++) {
		const struct client *c = s->cl[i];
		if (n < max)
			fds[n++] = (struct pollfd){.fd = c->fd, .events = client_events(c)};
		int64_t left = c->last_ms + s->timeout_ms - now;
		if (client_runnable(c) || (c->closing && sl_outbuf_len(&c->out) == 0))
			left = 0;
		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = (int)left;
	}
	if (timeout_ms != NULL)
		*timeout_ms = wait;
	return n;
}

int sl_stats_sock_poll(struct sl_stats_sock *s, int timeout_ms)
{
	int limit;
	int n = sl_stats_sock_pollfds(s, s->pfds, s->nclients + 1, &limit);
	int nclients = s->nclients; /* the clients that have a pollfd entry */
	int wait = timeout_ms;
	if (limit >= 0 && (wait < 0 || limit < wait))
		wait = limit;

	int rc = poll(s->pfds, (nfds_t)n, wait);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;

	int64_t now = now_ms();
	int served = 0;
	/* Highest index first: dropping client i moves the last one, already handled, into i. */
	for (int i = nclients - 1; i >= 0; i--) {
		struct client *c = s->cl[i];
		short re = s->pfds[i + 1].revents;
		bool io = false, bad = false;
		if (re & POLLNVAL) {
			client_drop(s, i);
			continue;
		}
		if ((re & (POLLIN | POLLHUP | POLLERR)) && !c->closing && !c->eof) {
			int r = client_read(c, now);
			bad |= r < 0;
			io |= r > 0;
		}
		if (!bad && client_run(s, c) < 0)
			bad = true;
		if (!bad && sl_outbuf_len(&c->out) > 0) {
			int w = client_write(c, now);
			bad |= w < 0;
			io |= w > 0;
		}
		if (io)
			served++;
		if (bad || (c->closing && sl_outbuf_len(&c->out) == 0) ||
		    now - c->last_ms >= s->timeout_ms)
			client_drop(s, i);
	}
	if (s->pfds[0].revents & POLLIN)
		accept_clients(s, now, &served);
	return served;
}

void sl_stats_sock_close(struct sl_stats_sock *s)
{
	if (s == NULL)
		return;
	while (s->nclients > 0)
		client_drop(s, s->nclients - 1);
	if (s->lfd >= 0)
		close(s->lfd);
	struct stat st;
	if (s->path != NULL && stat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlink(s->path);
	free(s->path);
	free(s->cl);
	free(s->pfds);
	free(s);
}
