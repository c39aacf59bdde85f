/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl: sends one command line to sluiced's stats socket and prints the answer.
 *
 *   sluicectl [-s SOCKET] [--json] [--csv] CMD...
 *   sluicectl [-s SOCKET] raw CMD...
 *   sluicectl [-s SOCKET] top [-i SECONDS] [--once | -n N]
 *
 * The words of CMD are joined by spaces (several commands may be separated by ';', quoted for the
 * shell) and sent as one line (controlplane/stats/stats_proto.h: HAProxy's stats socket protocol).
 * "show stat" is printed as an aligned table of the main columns; --csv (or "raw") prints the
 * CSV as sluiced sent it; --json asks for HAProxy's JSON form of "show stat" / "show info".
 * "top" is a refreshing view built from "show info", "show stat" and "show lcores" (rates are
 * the differences between two samples), in the manner of hatop.
 *
 * Exit status: 0 answered; 1 sluiced refused the command (unknown, permission denied, a
 * reload refused);
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

#include "controlplane/stats/stats_proto.h"

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
		"  -h, --help           this help\n"
		"  raw                  send CMD as is and print the answer byte for byte\n"
		"  top                  a live view of frontends, backends, servers and lcores\n"
		"                       (rates over the last interval); q or Ctrl-C quits\n"
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

/* True when a line of the answer says a reload was refused (nothing applied). */
static bool reload_refused(const char *ans)
{
	size_t n = strlen(SL_PROTO_RELOAD_REFUSED);
	for (const char *l = ans; l != NULL; l = strchr(l, '\n'), l = l != NULL ? l + 1 : NULL)
		if (strncmp(l, SL_PROTO_RELOAD_REFUSED, n) == 0)
			return true;
	return false;
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

/* ---------------------------------------------------------------- top */

/*
 * A refreshing view in the manner of hatop, made only of what the socket already answers: "show
 * info" (Uptime), "show stat" (HAProxy's CSV; its columns are found by name in the header, as
 * HAProxy adds columns between versions) and "show lcores". Each sample is one connection per
 * command, so that a server without "show lcores" (HAProxy itself) still gets the rest. Rates are
 * the differences between two consecutive samples over the time between them: the first frame
 * comes one interval after the start.
 */

#define TOP_CMD_SHOW_LCORES "show lcores"
#define TOP_IV_MIN_MS	    100
#define TOP_IV_MAX_MS	    (24 * 3600 * 1000)
#define TOP_MAX_FRAMES	    1000000
#define TOP_MAX_COLS	    10
#define TOP_CELL	    64

/* The counters of a "show stat" row that top shows or differentiates. */
enum { TOP_SCUR, TOP_STOT, TOP_BIN, TOP_BOUT, TOP_REQ_TOT, TOP_NCTR };
static const char *const top_ctr_cols[TOP_NCTR] = {"scur", "stot", "bin", "bout", "req_tot"};

/* The other columns, looked up by name too. */
enum { TOP_C_PX, TOP_C_SV, TOP_C_STATUS, TOP_C_WEIGHT, TOP_C_CHECK, TOP_C_TYPE, TOP_NC };
static const char *const top_named_cols[TOP_NC] = {"pxname", "svname",	     "status",
						   "weight", "check_status", "type"};

/* HAProxy's "type" column. */
enum { TOP_FE = 0, TOP_BE = 1, TOP_SRV = 2, TOP_LISTENER = 3 };

struct top_row {
	const char *px, *sv, *status, *weight, *check;
	int type;
	uint64_t c[TOP_NCTR];
	bool has[TOP_NCTR]; /* the cell had a value (req_tot is empty in mode tcp) */
};

/* The columns of "show lcores" that top uses (a space-separated table with a "# " header). */
enum {
	TOP_L_ID,
	TOP_L_ROLES,
	TOP_L_RX,
	TOP_L_TX,
	TOP_L_DROPS,
	TOP_L_BUSY_PCT,
	TOP_L_BUSY_MS,
	TOP_NL
};
static const char *const top_lcore_cols[TOP_NL] = {"lcore", "roles",	"rx_packets", "tx_packets",
						   "drops", "busy_pct", "busy_ms"};
#define TOP_LCORE_MAX_FIELDS 32

struct top_lcore {
	const char *f[TOP_NL]; /* "" where the column is missing */
};

/* One sample: the answers (split in place: the rows point into them) and when they were asked. */
struct top_sample {
	int64_t stat_ms, lcores_ms;
	struct buf info, stat, lcores;
	const char *uptime;
	struct top_row *rows;
	size_t nrows;
	struct top_lcore *lc;
	size_t nlc;
	const char *lcores_why; /* why there is no lcore table; NULL when there is one */
};

struct top_args {
	int64_t iv_ms;
	long count; /* frames to print, 0: until q or a signal */
};

typedef char top_cell[TOP_CELL];

struct top_table {
	size_t ncols;
	const char *const *hdr;
	const char *align; /* 'l' or 'r' per column */
	top_cell (*cells)[TOP_MAX_COLS];
	size_t nrows, room;
};

static volatile sig_atomic_t top_quit, top_winch, top_cont;
static struct termios top_tty_saved;
static bool top_tty_is_raw;

static void top_sample_free(struct top_sample *s)
{
	buf_free(&s->info);
	buf_free(&s->stat);
	buf_free(&s->lcores);
	free(s->rows);
	free(s->lc);
	*s = (struct top_sample){0};
}

static const char *cell_of(char **f, int nf, int i)
{
	return i >= 0 && i < nf ? f[i] : "";
}

static void col_index(char **hdr, int nh, const char *const *names, int n, int *idx)
{
	for (int c = 0; c < n; c++) {
		idx[c] = -1;
		for (int i = 0; i < nh && idx[c] < 0; i++)
			if (strcmp(hdr[i], names[c]) == 0)
				idx[c] = i;
	}
}

/* A counter cell: false when empty or not a number. */
static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return false;
	*v = x;
	return true;
}

static int top_parse_stat(const char *sock, struct top_sample *s)
{
	char *save = NULL;
	char *line = strtok_r(s->stat.p, "\n", &save);
	if (line == NULL || strncmp(line, "# ", 2) != 0) {
		fprintf(stderr, "sluicectl: %s: \"show stat\" did not answer HAProxy's CSV\n",
			sock);
		return EXIT_IO;
	}
	char *hdr[TABLE_MAX_FIELDS];
	int nh = csv_split(line + 2, hdr, TABLE_MAX_FIELDS);
	int idx[TOP_NC], cidx[TOP_NCTR];
	col_index(hdr, nh, top_named_cols, TOP_NC, idx);
	col_index(hdr, nh, top_ctr_cols, TOP_NCTR, cidx);
	if (idx[TOP_C_PX] < 0 || idx[TOP_C_SV] < 0) {
		fprintf(stderr, "sluicectl: %s: \"show stat\" has no pxname/svname columns\n",
			sock);
		return EXIT_IO;
	}
	size_t room = 0;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && s->nrows < TABLE_MAX_ROWS) {
		char *f[TABLE_MAX_FIELDS];
		int nf = csv_split(line, f, TABLE_MAX_FIELDS);
		if (s->nrows == room) {
			size_t n = room != 0 ? room * 2 : 64;
			void *p = realloc(s->rows, n * sizeof(*s->rows));
			if (p == NULL) {
				fprintf(stderr, "sluicectl: out of memory\n");
				return EXIT_IO;
			}
			s->rows = p;
			room = n;
		}
		struct top_row *r = &s->rows[s->nrows++];
		*r = (struct top_row){
			.px = cell_of(f, nf, idx[TOP_C_PX]),
			.sv = cell_of(f, nf, idx[TOP_C_SV]),
			.status = cell_of(f, nf, idx[TOP_C_STATUS]),
			.weight = cell_of(f, nf, idx[TOP_C_WEIGHT]),
			.check = cell_of(f, nf, idx[TOP_C_CHECK]),
		};
		/* "type" when the server has it; HAProxy's svname convention otherwise */
		const char *type = cell_of(f, nf, idx[TOP_C_TYPE]);
		if (*type >= '0' && *type <= '9')
			r->type = atoi(type);
		else if (strcmp(r->sv, "FRONTEND") == 0)
			r->type = TOP_FE;
		else if (strcmp(r->sv, "BACKEND") == 0)
			r->type = TOP_BE;
		else
			r->type = TOP_SRV;
		for (int k = 0; k < TOP_NCTR; k++)
			r->has[k] = parse_u64(cell_of(f, nf, cidx[k]), &r->c[k]);
	}
	return EXIT_OK;
}

static void top_parse_lcores(struct top_sample *s)
{
	char *save = NULL, *wsave = NULL;
	char *line = strtok_r(s->lcores.p, "\n", &save);
	if (line == NULL || strncmp(line, "# ", 2) != 0) {
		s->lcores_why = "\"show lcores\" answered no table";
		return;
	}
	char *hdr[TOP_LCORE_MAX_FIELDS];
	int nh = 0;
	for (char *w = strtok_r(line + 2, " \t", &wsave); w != NULL && nh < TOP_LCORE_MAX_FIELDS;
	     w = strtok_r(NULL, " \t", &wsave))
		hdr[nh++] = w;
	int idx[TOP_NL];
	col_index(hdr, nh, top_lcore_cols, TOP_NL, idx);
	if (idx[TOP_L_ID] < 0) {
		s->lcores_why = "\"show lcores\" has no lcore column";
		return;
	}
	size_t room = 0;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && s->nlc < TABLE_MAX_ROWS) {
		char *f[TOP_LCORE_MAX_FIELDS];
		int nf = 0;
		for (char *w = strtok_r(line, " \t", &wsave);
		     w != NULL && nf < TOP_LCORE_MAX_FIELDS; w = strtok_r(NULL, " \t", &wsave))
			f[nf++] = w;
		if (s->nlc == room) {
			size_t n = room != 0 ? room * 2 : 16;
			void *p = realloc(s->lc, n * sizeof(*s->lc));
			if (p == NULL)
				return; /* the lcores seen so far are shown */
			s->lc = p;
			room = n;
		}
		struct top_lcore *l = &s->lc[s->nlc++];
		for (int k = 0; k < TOP_NL; k++)
			l->f[k] = cell_of(f, nf, idx[k]);
	}
}

/* Takes one sample. Only "show stat" is required; the rest degrades to "?" or a note. */
static int top_sample(const char *sock, struct top_sample *s)
{
	s->uptime = "?";
	int rc = ask(sock, SL_PROTO_CMD_SHOW_INFO "\n", &s->info);
	if (rc != EXIT_OK)
		return rc;
	strip_end_marker(&s->info);
	char *save = NULL;
	for (char *l = strtok_r(s->info.p, "\n", &save); l != NULL && !refused(s->info.p);
	     l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "Uptime:", 7) == 0) {
			s->uptime = l + 7 + strspn(l + 7, " ");
			break;
		}

	s->stat_ms = mono_ms();
	rc = ask(sock, SL_PROTO_CMD_SHOW_STAT "\n", &s->stat);
	if (rc != EXIT_OK)
		return rc;
	strip_end_marker(&s->stat);
	if (refused(s->stat.p))
		return report_refusal(sock, s->stat.p);
	rc = top_parse_stat(sock, s);
	if (rc != EXIT_OK)
		return rc;

	s->lcores_ms = mono_ms();
	rc = ask(sock, TOP_CMD_SHOW_LCORES "\n", &s->lcores);
	if (rc != EXIT_OK)
		return rc;
	strip_end_marker(&s->lcores);
	if (refused(s->lcores.p))
		s->lcores_why = "not available (\"show lcores\" refused)";
	else
		top_parse_lcores(s);
	return EXIT_OK;
}

/* The same row in the earlier sample: at the same place while the configuration is the same. */
static bool top_same_row(const struct top_row *q, const struct top_row *r)
{
	return q->type == r->type && strcmp(q->sv, r->sv) == 0 && strcmp(q->px, r->px) == 0;
}

static const struct top_row *top_prev_row(const struct top_sample *p, const struct top_row *r,
					  size_t i)
{
	if (i < p->nrows && top_same_row(&p->rows[i], r))
		return &p->rows[i];
	for (size_t k = 0; k < p->nrows; k++)
		if (top_same_row(&p->rows[k], r))
			return &p->rows[k];
	return NULL;
}

static const struct top_lcore *top_prev_lcore(const struct top_sample *p, const char *id, size_t i)
{
	if (i < p->nlc && strcmp(p->lc[i].f[TOP_L_ID], id) == 0)
		return &p->lc[i];
	for (size_t k = 0; k < p->nlc; k++)
		if (strcmp(p->lc[k].f[TOP_L_ID], id) == 0)
			return &p->lc[k];
	return NULL;
}

/* Per second, from two readings @ms apart. False when it cannot be known: no earlier reading,
 * an empty cell, or a counter that went back ("clear counters", a reload, a restart). */
static bool top_rate(bool has, uint64_t cur, bool had, uint64_t prev, int64_t ms, double *out)
{
	if (!has || !had || ms <= 0 || cur < prev)
		return false;
	*out = (double)(cur - prev) * 1000.0 / (double)ms;
	return true;
}

static bool top_row_rate(const struct top_row *r, const struct top_row *p, int k, int64_t ms,
			 double *out)
{
	return p != NULL && top_rate(r->has[k], r->c[k], p->has[k], p->c[k], ms, out);
}

/* A rate cell: "-" when unknown; Mbit/s for bytes (@bits), else one decimal. */
static void top_fmt_rate(char *c, bool known, double v, bool bits)
{
	if (!known)
		snprintf(c, TOP_CELL, "-");
	else if (bits)
		snprintf(c, TOP_CELL, "%.3f", v * 8 / 1e6);
	else
		snprintf(c, TOP_CELL, "%.1f", v);
}

static void top_fmt_u64(char *c, const struct top_row *r, int k)
{
	if (r->has[k])
		snprintf(c, TOP_CELL, "%llu", (unsigned long long)r->c[k]);
	else
		snprintf(c, TOP_CELL, "-");
}

/* A new row of empty cells; NULL when memory runs out (the row is left out). */
static top_cell *top_tab_row(struct top_table *t)
{
	if (t->nrows == t->room) {
		size_t n = t->room != 0 ? t->room * 2 : 32;
		void *p = realloc(t->cells, n * sizeof(*t->cells));
		if (p == NULL)
			return NULL;
		t->cells = p;
		t->room = n;
	}
	memset(t->cells[t->nrows], 0, sizeof(t->cells[t->nrows]));
	return t->cells[t->nrows++];
}

/* Aligned columns, two spaces apart, no trailing blanks (a narrow terminal cuts the lines). */
static void top_tab_print(struct top_table *t, struct buf *out)
{
	size_t width[TOP_MAX_COLS];
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = strlen(t->hdr[c]);
		for (size_t r = 0; r < t->nrows; r++)
			if (strlen(t->cells[r][c]) > width[c])
				width[c] = strlen(t->cells[r][c]);
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *v = r == 0 ? t->hdr[c] : t->cells[r - 1][c];
			bool last = c + 1 == t->ncols;
			if (t->align[c] == 'l' && last)
				buf_printf(out, "%s", v);
			else
				buf_printf(out, t->align[c] == 'l' ? "%-*s" : "%*s", (int)width[c],
					   v);
			if (!last) {
				buf_add(out, "  ", 2);
				continue;
			}
			while (out->len > 0 && out->p[out->len - 1] == ' ')
				out->len--; /* an empty last cell */
			buf_add(out, "\n", 1);
		}
	}
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->room = 0;
}

/* scur, stot, sess/s, req/s, in Mb/s, out Mb/s from column @c on. */
static void top_fill_counters(top_cell *row, size_t c, const struct top_row *r,
			      const struct top_row *p, int64_t ms)
{
	static const struct {
		int k;
		bool bits;
	} rates[] = {{TOP_STOT, false}, {TOP_REQ_TOT, false}, {TOP_BIN, true}, {TOP_BOUT, true}};
	top_fmt_u64(row[c++], r, TOP_SCUR);
	top_fmt_u64(row[c++], r, TOP_STOT);
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		double v = 0;
		bool known = top_row_rate(r, p, rates[i].k, ms, &v);
		top_fmt_rate(row[c++], known, v, rates[i].bits);
	}
}

static void top_frontends(const struct top_sample *p, const struct top_sample *s, struct buf *out)
{
	static const char *const hdr[] = {"name",   "status", "scur",	 "stot",
					  "sess/s", "req/s",  "in Mb/s", "out Mb/s"};
	struct top_table t = {.ncols = 8, .hdr = hdr, .align = "llrrrrrr"};
	int64_t ms = s->stat_ms - p->stat_ms;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct top_row *r = &s->rows[i];
		top_cell *row;
		if (r->type != TOP_FE || (row = top_tab_row(&t)) == NULL)
			continue;
		snprintf(row[0], TOP_CELL, "%s", r->px);
		snprintf(row[1], TOP_CELL, "%s", r->status);
		top_fill_counters(row, 2, r, top_prev_row(p, r, i), ms);
	}
	buf_printf(out, "\nFRONTENDS\n");
	if (t.nrows == 0) {
		buf_printf(out, "(none)\n");
		free(t.cells);
		return;
	}
	top_tab_print(&t, out);
}

static void top_backend_row(struct top_table *t, const struct top_sample *p,
			    const struct top_sample *s, size_t i)
{
	const struct top_row *r = &s->rows[i];
	top_cell *row = top_tab_row(t);
	if (row == NULL)
		return;
	if (r->type == TOP_BE)
		snprintf(row[0], TOP_CELL, "%s", r->px);
	else
		snprintf(row[0], TOP_CELL, "  %s", r->sv);
	snprintf(row[1], TOP_CELL, "%s", r->status);
	snprintf(row[2], TOP_CELL, "%s", r->weight);
	top_fill_counters(row, 3, r, top_prev_row(p, r, i), s->stat_ms - p->stat_ms);
	snprintf(row[9], TOP_CELL, "%s", r->check);
}

/* Each backend, then its servers under it. HAProxy (and sluiced) list a proxy's rows together,
 * servers before the BACKEND row: the rows are taken a proxy at a time. */
static void top_backends(const struct top_sample *p, const struct top_sample *s, struct buf *out)
{
	static const char *const hdr[] = {"name",   "status", "weight",	 "scur",     "stot",
					  "sess/s", "req/s",  "in Mb/s", "out Mb/s", "check"};
	struct top_table t = {.ncols = 10, .hdr = hdr, .align = "llrrrrrrrl"};
	for (size_t b = 0, e; b < s->nrows; b = e) {
		for (e = b + 1; e < s->nrows && strcmp(s->rows[e].px, s->rows[b].px) == 0; e++)
			;
		for (size_t i = b; i < e; i++)
			if (s->rows[i].type == TOP_BE)
				top_backend_row(&t, p, s, i);
		for (size_t i = b; i < e; i++)
			if (s->rows[i].type == TOP_SRV)
				top_backend_row(&t, p, s, i);
	}
	buf_printf(out, "\nBACKENDS AND SERVERS\n");
	if (t.nrows == 0) {
		buf_printf(out, "(none)\n");
		free(t.cells);
		return;
	}
	top_tab_print(&t, out);
}

static void top_lcores(const struct top_sample *p, const struct top_sample *s, struct buf *out)
{
	static const char *const hdr[] = {"lcore",    "roles", "busy%",	 "rx pkt/s",
					  "tx pkt/s", "drops", "drops/s"};
	struct top_table t = {.ncols = 7, .hdr = hdr, .align = "rlrrrrr"};
	int64_t ms = s->lcores_ms - p->lcores_ms;
	buf_printf(out, "\nLCORES\n");
	if (s->lcores_why != NULL) {
		buf_printf(out, "%s\n", s->lcores_why);
		return;
	}
	for (size_t i = 0; i < s->nlc; i++) {
		const struct top_lcore *l = &s->lc[i];
		const struct top_lcore *q =
			p->lcores_why == NULL ? top_prev_lcore(p, l->f[TOP_L_ID], i) : NULL;
		top_cell *row = top_tab_row(&t);
		if (row == NULL)
			break;
		snprintf(row[0], TOP_CELL, "%s", l->f[TOP_L_ID]);
		snprintf(row[1], TOP_CELL, "%s", l->f[TOP_L_ROLES]);
		/* busy over the interval from busy_ms; busy_pct is the share since the start */
		uint64_t a = 0, b = 0;
		double v = 0;
		bool has_a = parse_u64(l->f[TOP_L_BUSY_MS], &a);
		bool has_b = q != NULL && parse_u64(q->f[TOP_L_BUSY_MS], &b);
		if (top_rate(has_a, a, has_b, b, ms, &v))
			snprintf(row[2], TOP_CELL, "%.1f", v / 10.0);
		else
			snprintf(row[2], TOP_CELL, "%s",
				 *l->f[TOP_L_BUSY_PCT] ? l->f[TOP_L_BUSY_PCT] : "-");
		static const int kinds[] = {TOP_L_RX, TOP_L_TX};
		for (size_t k = 0; k < 2; k++) {
			has_a = parse_u64(l->f[kinds[k]], &a);
			has_b = q != NULL && parse_u64(q->f[kinds[k]], &b);
			bool known = top_rate(has_a, a, has_b, b, ms, &v);
			top_fmt_rate(row[3 + k], known, v, false);
		}
		snprintf(row[5], TOP_CELL, "%s", *l->f[TOP_L_DROPS] ? l->f[TOP_L_DROPS] : "-");
		has_a = parse_u64(l->f[TOP_L_DROPS], &a);
		has_b = q != NULL && parse_u64(q->f[TOP_L_DROPS], &b);
		bool known = top_rate(has_a, a, has_b, b, ms, &v);
		top_fmt_rate(row[6], known, v, false);
	}
	if (t.nrows == 0) {
		buf_printf(out, "(none)\n");
		free(t.cells);
		return;
	}
	top_tab_print(&t, out);
}

static void top_frame(const struct top_args *a, const char *sock, bool keys,
		      const struct top_sample *p, const struct top_sample *s, struct buf *out)
{
	char when[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	out->len = 0;
	buf_printf(out, "sluice top  %s  socket %s  uptime %s  every %g s%s\n", when, sock,
		   s->uptime, (double)a->iv_ms / 1000.0, keys ? "  (q quits)" : "");
	top_frontends(p, s, out);
	top_backends(p, s, out);
	top_lcores(p, s, out);
}

/* Prints a frame. On a terminal: from the top left corner, each line cut to the width and
 * cleared to its end, then the rest of the screen cleared (redrawing over the last frame
 * rather than clearing first does not flicker); lines beyond the height are left out, as
 * scrolling would move the view. Elsewhere: the frame, then an empty line. */
static int top_emit(const struct buf *frame, bool ansi)
{
	if (!ansi) {
		fwrite(frame->p, 1, frame->len, stdout);
		fputc('\n', stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
	}
	size_t rows = SIZE_MAX, cols = SIZE_MAX, nlines = 0;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1 && ws.ws_col > 0) {
		rows = ws.ws_row - 1u; /* a newline on the last row would scroll */
		cols = ws.ws_col;
	}
	for (size_t i = 0; i < frame->len; i++)
		nlines += frame->p[i] == '\n';
	fputs("\033[H", stdout);
	const char *l = frame->p;
	for (size_t n = 0; n < nlines && n < rows; n++) {
		const char *nl = strchr(l, '\n');
		size_t len = (size_t)(nl - l);
		if (n + 1 == rows && nlines > rows) {
			char more[96];
			snprintf(more, sizeof(more),
				 "... %zu more lines (a taller terminal shows them)", nlines - n);
			l = more;
			len = strlen(more);
		}
		fwrite(l, 1, len < cols ? len : cols, stdout);
		fputs("\033[K\n", stdout);
		l = nl + 1;
	}
	fputs("\033[J", stdout);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}

static void top_on_signal(int sig)
{
	if (sig == SIGWINCH)
		top_winch = 1;
	else if (sig == SIGCONT)
		top_cont = 1;
	else
		top_quit = 1;
}

/* Keys without Enter and without echo; ISIG stays, so Ctrl-C is still SIGINT. */
static void top_tty_raw(void)
{
	struct termios t = top_tty_saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		top_tty_is_raw = true;
}

static void top_tty_restore(void)
{
	if (top_tty_is_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &top_tty_saved);
	top_tty_is_raw = false;
}

enum { TOP_EV_TIME, TOP_EV_QUIT, TOP_EV_REDRAW };

/* Waits until @deadline, a key or a signal. The signals are blocked everywhere else and let in
 * only here (ppoll), so none is lost between a look at the flags and the wait. */
static int top_wait(int64_t deadline, bool keys, const sigset_t *unblocked)
{
	for (;;) {
		if (top_quit)
			return TOP_EV_QUIT;
		if (top_cont) {
			/* back from Ctrl-Z: the shell may have reset the terminal meanwhile */
			top_cont = 0;
			if (keys)
				top_tty_raw();
			top_winch = 1;
		}
		if (top_winch) {
			top_winch = 0;
			return TOP_EV_REDRAW;
		}
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return TOP_EV_TIME;
		struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000};
		struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
		int r = ppoll(&pfd, keys ? 1 : 0, &ts, unblocked);
		if (r < 0 && errno != EINTR)
			return TOP_EV_QUIT;
		if (r <= 0)
			continue;
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			return TOP_EV_QUIT; /* the terminal is gone */
		char k[64];
		ssize_t n = read(STDIN_FILENO, k, sizeof(k));
		for (ssize_t i = 0; i < n; i++)
			if (k[i] == 'q' || k[i] == 'Q' || k[i] == 3 /* ^C without ISIG */)
				return TOP_EV_QUIT;
	}
}

static int top_parse_args(const struct opts *o, struct top_args *a)
{
	a->iv_ms = 1000;
	a->count = 0;
	if (o->json || o->csv) {
		fprintf(stderr, "sluicectl: top takes neither --json nor --csv\n");
		return -1;
	}
	for (int i = 1; i < o->nwords; i++) {
		const char *w = o->words[i], *v = NULL;
		char *end;
		if (strcmp(w, "--once") == 0) {
			a->count = 1;
			continue;
		}
		if (strncmp(w, "--interval=", 11) == 0) {
			v = w + 11;
		} else if (strcmp(w, "-i") == 0 || strcmp(w, "--interval") == 0 ||
			   strcmp(w, "-n") == 0) {
			if (i + 1 >= o->nwords) {
				fprintf(stderr, "sluicectl: top: %s needs a value\n", w);
				return -1;
			}
			v = o->words[++i];
		} else {
			fprintf(stderr,
				"sluicectl: top: unknown argument '%s' (-i SECONDS, --once, -n "
				"N)\n",
				w);
			return -1;
		}
		errno = 0;
		if (strcmp(w, "-n") == 0) {
			long n = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0' || errno != 0 || n < 1 ||
			    n > TOP_MAX_FRAMES) {
				fprintf(stderr,
					"sluicectl: top: -n wants a count from 1 to %d, not '%s'\n",
					TOP_MAX_FRAMES, v);
				return -1;
			}
			a->count = n;
		} else {
			double s = strtod(v, &end);
			if (*v == '\0' || *end != '\0' || errno != 0 ||
			    !(s * 1000 >= TOP_IV_MIN_MS) || s * 1000 > TOP_IV_MAX_MS) {
				fprintf(stderr,
					"sluicectl: top: the interval is in seconds, from %g to "
					"%d, not "
					"'%s'\n",
					TOP_IV_MIN_MS / 1000.0, TOP_IV_MAX_MS / 1000, v);
				return -1;
			}
			a->iv_ms = (int64_t)(s * 1000 + 0.5);
		}
	}
	return 0;
}

/*
 * sluicectl top. With -n/--once, or when stdout is no terminal: plain frames one after the other
 * (what scripts read). Otherwise the view redraws in place, and reads keys when stdin is a
 * terminal. q, Ctrl-C, SIGTERM and SIGHUP end it with status 0; a failed sample ends it with
 * that sample's status (the terminal restored first).
 */
static int cmd_top(const struct opts *o)
{
	struct top_args a;
	if (top_parse_args(o, &a) < 0)
		return EXIT_USAGE;

	/* the first sample before anything changes on the terminal: a missing socket is a plain
	 * error message */
	struct top_sample prev = {0}, cur = {0};
	int rc = top_sample(o->sock, &prev);
	if (rc != EXIT_OK) {
		top_sample_free(&prev);
		return rc;
	}

	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT};
	sigset_t block, unblocked;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = top_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);

	bool ansi = a.count == 0 && isatty(STDOUT_FILENO);
	/* a frame in one write rather than line by line (stdout on a terminal is line-buffered):
	 * the terminal never shows half of one frame over the other */
	if (ansi)
		setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
	bool keys = ansi && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &top_tty_saved) == 0;
	if (keys)
		top_tty_raw();
	struct buf frame = {0};
	if (ansi) {
		buf_printf(&frame, "sluice top  socket %s  the first frame in %g s%s\n", o->sock,
			   (double)a.iv_ms / 1000.0, keys ? "  (q quits)" : "");
		fputs("\033[H\033[2J", stdout);
		rc = top_emit(&frame, true);
	}

	int64_t next = prev.stat_ms + a.iv_ms;
	for (long shown = 0; rc == EXIT_OK && (a.count == 0 || shown < a.count);) {
		int ev = top_wait(next, keys, &unblocked);
		if (ev == TOP_EV_QUIT)
			break;
		if (ev == TOP_EV_REDRAW) {
			if (ansi)
				rc = top_emit(&frame, true);
			continue;
		}
		rc = top_sample(o->sock, &cur);
		if (rc != EXIT_OK)
			break;
		top_frame(&a, o->sock, keys, &prev, &cur, &frame);
		rc = top_emit(&frame, ansi);
		top_sample_free(&prev);
		prev = cur;
		cur = (struct top_sample){0};
		shown++;
		/* on the beat of the start; beats missed by a slow answer are skipped, not caught
		 * up */
		int64_t now = mono_ms();
		next += a.iv_ms;
		if (next <= now)
			next = now + a.iv_ms;
	}
	top_tty_restore();
	top_sample_free(&prev);
	top_sample_free(&cur);
	buf_free(&frame);
	return rc;
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
	if (fflush(stdout) != 0)
		return EXIT_IO;
	return reload_refused(ans.p) ? EXIT_REFUSED : EXIT_OK;
}
