/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl: sends one command line to sluiced's stats socket and prints the answer.
 *
 *   sluicectl [-s SOCKET] [--json] [--csv] CMD...
 *   sluicectl [-s SOCKET] raw CMD...
 *   sluicectl [-s SOCKET] top [-i SECONDS] [--once | -n N]
 *
 * The words of CMD are joined by spaces (several commands may be separated by ';', quoted for the
 * shell) and sent as one line (controlplane/stats_proto.h: HAProxy's stats socket protocol).
 * "show stat" is printed as an aligned table of the main columns; --csv (or "raw") prints the
 * CSV as sluiced sent it; --json asks for HAProxy's JSON form of "show stat" / "show info".
 * "top" is a refreshing view built from "show info", "show stat" and "show lcores" (rates are
 * the differences between two samples), in the manner of hatop.
 *
 * Exit status: 0 answered; 1 sluiced refused the command (unknown, permission denied);
 * 2 cannot connect to the socket; 3 timeout or I/O error; 64 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "controlplane/stats_proto.h"

enum {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,
	EXIT_CONNECT = 2,
	EXIT_IO = 3,
	EXIT_USAGE = 64,
};

struct opts {
	const char *sock;
	bool json, csv, raw;
	int nwords;
	char **words;
};

struct buf {
	char *p;
	size_t len, size;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sluicectl [-s SOCKET] [--json] [--csv] CMD...\n"
		"       sluicectl [-s SOCKET] raw CMD...\n"
		"       sluicectl [-s SOCKET] top [-i SECONDS] [--once | -n N]\n"
		"Sends CMD to sluiced's stats socket (default %s) and prints the answer.\n"
		"  -s, --socket SOCKET  the stats socket (\"stats socket\" in the global section)\n"
		"  --csv                print \"show stat\" as CSV instead of a table\n"
		"  --json               ask for JSON (show stat, show info)\n"
		"  raw                  send CMD as is and print the answer byte for byte\n"
		"  top                  a live view of frontends, backends, servers and lcores (rates\n"
		"                       over the last interval); q or Ctrl-C quits\n"
		"    -i, --interval SECONDS  time between two frames (default 1, at least 0.1)\n"
		"    -n N                    print N frames and exit (no terminal needed)\n"
		"    --once                  the same as -n 1\n"
		"Examples: sluicectl show stat; sluicectl show info; sluicectl help;\n"
		"          sluicectl 'show stat; show info'; sluicectl top -i 2\n"
		"Exit status: 0 ok, 1 command refused by sluiced, 2 cannot connect, 3 timeout or "
		"I/O "
		"error, 64 usage.\n",
		SL_PROTO_DEFAULT_SOCKET);
}

/* Options are recognized anywhere (after the command too: "show stat --csv"); any other word,
 * even one starting with '-' ("show stat -1 4 -1"), is part of the command. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	o->sock = SL_PROTO_DEFAULT_SOCKET;
	o->words = calloc((size_t)argc + 1, sizeof(char *));
	if (o->words == NULL)
		return -1;
	bool opts_done = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = true;
		} else if (!opts_done && (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0)) {
			if (i + 1 >= argc) {
				fprintf(stderr, "sluicectl: %s needs a socket path\n", a);
				return -1;
			}
			o->sock = argv[++i];
		} else if (!opts_done && strncmp(a, "--socket=", 9) == 0) {
			o->sock = a + 9;
		} else if (!opts_done && strcmp(a, "--json") == 0) {
			o->json = true;
		} else if (!opts_done && strcmp(a, "--csv") == 0) {
			o->csv = true;
		} else if (!opts_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			usage(stdout);
			exit(EXIT_OK);
		} else if (o->nwords == 0 && strcmp(a, "raw") == 0 && !o->raw) {
			o->raw = true;
		} else {
			o->words[o->nwords++] = argv[i];
		}
	}
	if (o->nwords == 0) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Room for @n more bytes and a final '\0'. */
static int buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->size) {
		size_t size = b->size != 0 ? b->size : 4096;
		while (size < b->len + n + 1)
			size *= 2;
		char *p = realloc(b->p, size);
		if (p == NULL)
			return -1;
		b->p = p;
		b->size = size;
	}
	return 0;
}

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

__attribute__((format(printf, 2, 3))) static int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){0};
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for @events on @fd until @deadline. Returns 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int connect_error(const char *sock, int err)
{
	switch (err) {
	case ENOENT:
		fprintf(stderr,
			"cannot connect to %s: %s; is sluiced running? (stats socket in the global "
			"section)\n",
			sock, strerror(err));
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"cannot connect to %s: %s; run as root or as a user the socket's mode "
			"allows "
			"(stats socket ... mode)\n",
			sock, strerror(err));
		break;
	case ECONNREFUSED:
		fprintf(stderr,
			"cannot connect to %s: %s; nothing listens there (sluiced stopped? stale "
			"socket "
			"file)\n",
			sock, strerror(err));
		break;
	case ETIMEDOUT:
		fprintf(stderr, "cannot connect to %s: sluiced did not accept within %d s\n", sock,
			SL_PROTO_CLIENT_TIMEOUT_MS / 1000);
		break;
	default:
		fprintf(stderr, "cannot connect to %s: %s\n", sock, strerror(err));
		break;
	}
	return EXIT_CONNECT;
}

/* Connects (non-blocking; a full backlog is retried until the timeout). Returns the descriptor,
 * or -errno. */
static int sock_connect(const char *path)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	int64_t deadline = mono_ms() + SL_PROTO_CLIENT_TIMEOUT_MS;
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0)
			return -errno;
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		int e = errno;
		close(fd);
		if (e != EAGAIN && e != EINTR)
			return -e;
		if (mono_ms() >= deadline)
			return -ETIMEDOUT;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* Sends the line and reads the answer until the server closes. Returns an exit status. */
static int exchange(const char *sock, int fd, const char *line, struct buf *ans)
{
	size_t len = strlen(line), off = 0;
	int64_t deadline = mono_ms() + SL_PROTO_CLIENT_TIMEOUT_MS;
	while (off < len) {
		ssize_t w = send(fd, line + off, len - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = wait_fd(fd, POLLOUT, deadline);
			if (r == 0) {
				fprintf(stderr,
					"sluicectl: %s: timeout sending the command (%d s)\n", sock,
					SL_PROTO_CLIENT_TIMEOUT_MS / 1000);
				return EXIT_IO;
			}
			if (r > 0)
				continue;
		}
		fprintf(stderr, "sluicectl: %s: cannot send the command: %s\n", sock,
			strerror(errno));
		return EXIT_IO;
	}
	/* The deadline restarts with every chunk received: a long answer is fine, silence is not.
	 */
	deadline = mono_ms() + SL_PROTO_CLIENT_TIMEOUT_MS;
	for (;;) {
		char chunk[65536];
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r > 0) {
			if (buf_add(ans, chunk, (size_t)r) < 0) {
				fprintf(stderr, "sluicectl: out of memory\n");
				return EXIT_IO;
			}
			deadline = mono_ms() + SL_PROTO_CLIENT_TIMEOUT_MS;
			continue;
		}
		if (r == 0)
			return EXIT_OK;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			int w = wait_fd(fd, POLLIN, deadline);
			if (w == 0) {
				fprintf(stderr, "sluicectl: %s: no answer within %d s\n", sock,
					SL_PROTO_CLIENT_TIMEOUT_MS / 1000);
				return EXIT_IO;
			}
			if (w > 0)
				continue;
		}
		/* A reset after the answer (the server closed with our input unread) is an end. */
		if (errno == ECONNRESET && ans->len > 0)
			return EXIT_OK;
		fprintf(stderr, "sluicectl: %s: cannot read the answer: %s\n", sock,
			strerror(errno));
		return EXIT_IO;
	}
}

/* One command line over a connection of its own: connects, sends it, reads the whole answer.
 * Returns an exit status, the reason already printed. */
static int ask(const char *sock, const char *line, struct buf *ans)
{
	int fd = sock_connect(sock);
	if (fd < 0)
		return connect_error(sock, -fd);
	int rc = exchange(sock, fd, line, ans);
	close(fd);
	if (rc == EXIT_OK && ans->len == 0) {
		fprintf(stderr, "sluicectl: %s: the connection closed without an answer\n", sock);
		return EXIT_IO;
	}
	return rc;
}

/* Every output ends with an empty line (the protocol's end marker): not for humans. */
static void strip_end_marker(struct buf *ans)
{
	if (ans->len >= 2 && ans->p[ans->len - 1] == '\n' && ans->p[ans->len - 2] == '\n')
		ans->p[--ans->len] = '\0';
}

/* True when the answer (end marker stripped) is sluiced refusing the command. */
static bool refused(const char *ans)
{
	return strncmp(ans, SL_PROTO_MSG_UNKNOWN, strlen(SL_PROTO_MSG_UNKNOWN)) == 0 ||
	       strcmp(ans, SL_PROTO_MSG_PERMISSION) == 0;
}

/* Prints why the command was refused. Returns EXIT_REFUSED. */
static int report_refusal(const char *sock, const char *ans)
{
	if (strcmp(ans, SL_PROTO_MSG_PERMISSION) == 0)
		fprintf(stderr,
			"sluicectl: %s: permission denied: the socket's level is too low for "
			"this command (stats socket ... level)\n",
			sock);
	else
		fputs(ans, stderr);
	return EXIT_REFUSED;
}

/* ---------------------------------------------------------------- show stat as a table */

/* Splits one CSV line in place (quoted fields with "" for a quote). Returns the field count. */
static int csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *r = line;
	while (n < max) {
		char *w = r;
		f[n++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					break;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			while (*r != '\0' && *r != ',')
				r++;
		} else {
			while (*r != '\0' && *r != ',')
				*w++ = *r++;
		}
		bool more = *r == ',';
		if (more)
			r++;
		*w = '\0';
		if (!more)
			break;
	}
	return n;
}

/* lastchg in seconds as "3d04h", "2h05m", "4m07s", "12s". */
static void human_secs(const char *s, char *out, size_t size)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0') {
		snprintf(out, size, "%s", s);
		return;
	}
	if (v >= 86400)
		snprintf(out, size, "%llud%02lluh", v / 86400, v / 3600 % 24);
	else if (v >= 3600)
		snprintf(out, size, "%lluh%02llum", v / 3600, v / 60 % 60);
	else if (v >= 60)
		snprintf(out, size, "%llum%02llus", v / 60, v % 60);
	else
		snprintf(out, size, "%llus", v);
}

#define TABLE_MAX_FIELDS 256
#define TABLE_MAX_ROWS	 100000

/* The columns of the table, in order; "lastchg" is shown as a duration. */
static const char *const table_cols[] = {
	"pxname", "svname", "status", "weight", "act",	"bck",	 "scur",	 "smax",    "slim",
	"stot",	  "bin",    "bout",   "ereq",	"econ", "eresp", "check_status", "lastchg",
};
#define NCOLS (sizeof(table_cols) / sizeof(table_cols[0]))

static bool col_left_aligned(size_t c)
{
	return c <= 2 || c == NCOLS - 2;
}

/* Prints a "show stat" CSV answer as an aligned table. Returns 0, or -1 when the answer is not
 * the expected CSV (the caller then prints it as is). */
static int print_table(char *csv, FILE *f)
{
	char *save = NULL;
	char *line = strtok_r(csv, "\n", &save);
	if (line == NULL || strncmp(line, "# ", 2) != 0)
		return -1;
	char *hdr[TABLE_MAX_FIELDS];
	int nh = csv_split(line + 2, hdr, TABLE_MAX_FIELDS);
	int idx[NCOLS];
	for (size_t c = 0; c < NCOLS; c++) {
		idx[c] = -1;
		for (int i = 0; i < nh; i++)
			if (strcmp(hdr[i], table_cols[c]) == 0)
				idx[c] = i;
	}
	if (idx[0] < 0 || idx[1] < 0)
		return -1;

	/* Two passes over the rows: widths, then printing. Keep the cells. */
	size_t nrows = 0, room = 64;
	char(*cells)[NCOLS][64] = malloc(room * sizeof(*cells));
	if (cells == NULL)
		return -1;
	size_t width[NCOLS];
	for (size_t c = 0; c < NCOLS; c++)
		width[c] = strlen(table_cols[c]);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && nrows < TABLE_MAX_ROWS) {
		char *fv[TABLE_MAX_FIELDS];
		int nf = csv_split(line, fv, TABLE_MAX_FIELDS);
		if (nrows == room) {
			void *p = realloc(cells, room * 2 * sizeof(*cells));
			if (p == NULL)
				break;
			cells = p;
			room *= 2;
		}
		for (size_t c = 0; c < NCOLS; c++) {
			const char *v = idx[c] >= 0 && idx[c] < nf ? fv[idx[c]] : "";
			if (strcmp(table_cols[c], "lastchg") == 0)
				human_secs(v, cells[nrows][c], sizeof(cells[nrows][c]));
			else
				snprintf(cells[nrows][c], sizeof(cells[nrows][c]), "%s", v);
			size_t l = strlen(cells[nrows][c]);
			if (l > width[c])
				width[c] = l;
		}
		nrows++;
	}
	for (size_t c = 0; c < NCOLS; c++)
		fprintf(f, col_left_aligned(c) ? "%-*s%s" : "%*s%s", (int)width[c], table_cols[c],
			c + 1 < NCOLS ? "  " : "\n");
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < NCOLS; c++)
			fprintf(f, col_left_aligned(c) ? "%-*s%s" : "%*s%s", (int)width[c],
				cells[r][c], c + 1 < NCOLS ? "  " : "\n");
	free(cells);
	return 0;
}

/* ---------------------------------------------------------------- main */

static bool word_is(const struct opts *o, int i, const char *w)
{
	return i < o->nwords && strcmp(o->words[i], w) == 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	if (parse_args(argc, argv, &o) < 0)
		return EXIT_USAGE;
	/* "raw top" still sends the word to sluiced as it is */
	if (!o.raw && word_is(&o, 0, "top"))
		return cmd_top(&o);

	/* The command line: the words joined by spaces, plus "json" when asked for. */
	bool show_stat = word_is(&o, 0, "show") && word_is(&o, 1, "stat");
	bool show_info = word_is(&o, 0, "show") && word_is(&o, 1, "info");
	bool has_fmt = false, multi = false;
	struct buf line = {0}, ans = {0};
	for (int i = 0; i < o.nwords; i++) {
		if (strcmp(o.words[i], SL_PROTO_OPT_JSON) == 0 ||
		    strcmp(o.words[i], SL_PROTO_OPT_TYPED) == 0)
			has_fmt = true;
		if (strchr(o.words[i], SL_PROTO_CMD_SEP) != NULL)
			multi = true;
		if ((i > 0 && buf_add(&line, " ", 1) < 0) ||
		    buf_add(&line, o.words[i], strlen(o.words[i])) < 0)
			return EXIT_IO;
	}
	if (o.json && (show_stat || show_info) && !has_fmt && !multi) {
		if (buf_add(&line, " " SL_PROTO_OPT_JSON, strlen(SL_PROTO_OPT_JSON) + 1) < 0)
			return EXIT_IO;
		has_fmt = true;
	}
	if (line.len + 1 > SL_PROTO_LINE_MAX) {
		fprintf(stderr, "sluicectl: the command is longer than %d bytes\n",
			SL_PROTO_LINE_MAX - 1);
		return EXIT_USAGE;
	}
	if (buf_add(&line, "\n", 1) < 0)
		return EXIT_IO;

	int rc = ask(o.sock, line.p, &ans);
	if (rc != EXIT_OK)
		return rc;

	if (o.raw) {
		fwrite(ans.p, 1, ans.len, stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
	}
	strip_end_marker(&ans);
	if (refused(ans.p))
		return report_refusal(o.sock, ans.p);
	if (show_stat && !o.csv && !has_fmt && !multi) {
		char *copy = strdup(ans.p);
		if (copy != NULL && print_table(copy, stdout) == 0) {
			free(copy);
			return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
		}
		free(copy);
	}
	fwrite(ans.p, 1, ans.len, stdout);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}
