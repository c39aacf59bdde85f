/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator channel's wire format, shared by sluiced (controlplane/stats/stats_sock.c, cmdlang.c) and
 * tools/sluicectl.c. It is HAProxy 2.6's "stats socket" protocol:
 *
 *  - the client connects to the unix stream socket and sends one line: commands separated by ';'
 *    (a "\;" is a literal ';'), words separated by spaces or tabs ('\' escapes the next byte);
 *  - the server runs the commands in order; each command's output is followed by an empty line
 *    ("\n"), then the server closes the connection;
 *  - after the command "prompt" the session is interactive: each output is followed by "\n> "
 *    and the connection stays open until "quit", the client closing, or the idle timeout;
 *  - a line longer than SL_PROTO_LINE_MAX gets SL_PROTO_MSG_TOO_LONG and the connection closes.
 *
 * Header only, no code: constants every side must agree on.
 */
#ifndef SL_STATS_PROTO_H
#define SL_STATS_PROTO_H

/* Where sluicectl looks when -s is not given (stats socket in the global section). */
#define SL_PROTO_DEFAULT_SOCKET "/run/sluice/admin.sock"

/* Every sluiced also listens, admin level, mode 0600, on /run/sluice/sluiced-PID.sock: what
 * `systemctl reload` reaches (ExecReload runs sluicectl on it with systemd's $MAINPID). */
#define SL_PROTO_OWN_SOCKET_FMT "/run/sluice/sluiced-%d.sock"

/* A line of a `reload` or `reload certs` answer that begins so means nothing was applied:
 * sluicectl then exits with status 1, so that `systemctl reload` fails too. */
#define SL_PROTO_RELOAD_REFUSED "reload refused"

/* Longest request line, its final '\n' included (64 KiB). */
#define SL_PROTO_LINE_MAX 65536

/* Most words in one command (HAProxy's MAX_CLI_ARGS). */
#define SL_PROTO_MAX_WORDS 64

/* Separator between commands of one line, and the escape byte. */
#define SL_PROTO_CMD_SEP ';'
#define SL_PROTO_ESCAPE	 '\\'

/* What ends every command's output: an empty line, then the prompt in interactive mode. */
#define SL_PROTO_END_OF_OUTPUT "\n"
#define SL_PROTO_PROMPT	       "> "

/* Idle timeout of a client (HAProxy's "stats timeout" default), and sluicectl's wait. */
#define SL_PROTO_IDLE_TIMEOUT_MS   10000
#define SL_PROTO_CLIENT_TIMEOUT_MS 5000

/* Command names sluicectl knows about (the daemon's table may have more). */
#define SL_PROTO_CMD_HELP      "help"
#define SL_PROTO_CMD_PROMPT    "prompt"
#define SL_PROTO_CMD_QUIT      "quit"
#define SL_PROTO_CMD_SHOW_STAT "show stat"
#define SL_PROTO_CMD_SHOW_INFO "show info"
/* Options of "show stat" / "show info" (the last format word wins, as in HAProxy). */
#define SL_PROTO_OPT_TYPED    "typed"
#define SL_PROTO_OPT_JSON     "json"
#define SL_PROTO_OPT_UP	      "up"
#define SL_PROTO_OPT_NO_MAINT "no-maint"

/* Messages (the first four are HAProxy's own words). */
#define SL_PROTO_MSG_UNKNOWN "Unknown command"
#define SL_PROTO_MSG_UNKNOWN_ALL \
	"Unknown command. Please enter one of the following commands only:\n"
#define SL_PROTO_MSG_UNKNOWN_MAYBE \
	"Unknown command, but maybe one of the following ones is a better match:\n"
#define SL_PROTO_MSG_HELP	      "The following commands are valid at this level:\n"
#define SL_PROTO_MSG_PERMISSION	      "Permission denied\n"
#define SL_PROTO_MSG_TOO_LONG	      "Command line too long (limit 65536 bytes), closing.\n"
#define SL_PROTO_MSG_TOO_MANY_WORDS   "Too many words in one command (limit 64).\n"
#define SL_PROTO_MSG_TOO_MANY_CLIENTS "Too many connections to the stats socket, try again later.\n"
#define SL_PROTO_MSG_NO_SUCH_PROXY    "No such proxy.\n"

/*
 * The "show stat" CSV header of HAProxy 2.6, byte for byte: the 103 standard columns, then "-",
 * then the 24 columns of the ssl, h2 and h1 statistics modules; every name is followed by ','.
 */
#define SL_PROTO_CSV_HEADER                                                                \
	"# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,"     \
	"eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,"       \
	"qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,"           \
	"check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,"      \
	"hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,"    \
	"comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime," \
	"ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,"   \
	"check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,"     \
	"algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,"  \
	"cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,"        \
	"ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,"  \
	"agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,"           \
	"ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,"               \
	"h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,"                              \
	"h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,"               \
	"h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,"   \
	"h2_total_connections,h2_backend_total_streams,h1_open_connections,"               \
	"h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,"  \
	"h1_spliced_bytes_in,h1_spliced_bytes_out,\n"

#endif
