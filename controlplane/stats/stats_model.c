/* SPDX-License-Identifier: BSD-3-Clause */
#include "controlplane/stats/stats_model.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "controlplane/cfg/cfg.h"
#include "controlplane/stats/stats_proto.h"

/* ---------------------------------------------------------------- column tables */

/*
 * Name, value type and tags of every column, as HAProxy 2.6 prints them in "show stat typed"
 * (captured from haproxy 2.6.12: frontends, backends, servers with and without checks, agents,
 * tracking, listeners). The tags are the same for every kind of row, except for a few backend
 * columns (be_tags). "throttle" never showed up in the captures; its tags follow HAProxy's source
 * (an average).
 */
struct col_meta {
	const char *name;
	enum sl_stats_ftype type;
	char tags[4];
	char be_tags[4];
};

static const struct col_meta stat_cols[SL_ST_NFIELDS] = {
	[SL_ST_PXNAME] = {"pxname", SL_FT_STR, "KNS", "KNS"},
	[SL_ST_SVNAME] = {"svname", SL_FT_STR, "KNS", "KNS"},
	[SL_ST_QCUR] = {"qcur", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_QMAX] = {"qmax", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_SCUR] = {"scur", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_SMAX] = {"smax", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_SLIM] = {"slim", SL_FT_U32, "CLP", "CLP"},
	[SL_ST_STOT] = {"stot", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_BIN] = {"bin", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_BOUT] = {"bout", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_DREQ] = {"dreq", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_DRESP] = {"dresp", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_EREQ] = {"ereq", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_ECON] = {"econ", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_ERESP] = {"eresp", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_WRETR] = {"wretr", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_WREDIS] = {"wredis", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_STATUS] = {"status", SL_FT_STR, "SGP", "SGP"},
	[SL_ST_WEIGHT] = {"weight", SL_FT_U32, "MaP", "MaP"},
	[SL_ST_ACT] = {"act", SL_FT_U32, "SGP", "MGP"},
	[SL_ST_BCK] = {"bck", SL_FT_U32, "SGP", "MGP"},
	[SL_ST_CHKFAIL] = {"chkfail", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_CHKDOWN] = {"chkdown", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_LASTCHG] = {"lastchg", SL_FT_U32, "MAP", "MAP"},
	[SL_ST_DOWNTIME] = {"downtime", SL_FT_U32, "MCP", "MCP"},
	[SL_ST_QLIMIT] = {"qlimit", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_PID] = {"pid", SL_FT_U32, "KGP", "KGP"},
	[SL_ST_IID] = {"iid", SL_FT_U32, "KGS", "KGS"},
	[SL_ST_SID] = {"sid", SL_FT_U32, "KGS", "KGS"},
	[SL_ST_THROTTLE] = {"throttle", SL_FT_U32, "MaP", "MaP"},
	[SL_ST_LBTOT] = {"lbtot", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_TRACKED] = {"tracked", SL_FT_STR, "CNS", "CNS"},
	[SL_ST_TYPE] = {"type", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_RATE] = {"rate", SL_FT_U32, "MRP", "MGP"},
	[SL_ST_RATE_LIM] = {"rate_lim", SL_FT_U32, "CLP", "CLP"},
	[SL_ST_RATE_MAX] = {"rate_max", SL_FT_U32, "MMP", "MGP"},
	[SL_ST_CHECK_STATUS] = {"check_status", SL_FT_STR, "MOP", "MOP"},
	[SL_ST_CHECK_CODE] = {"check_code", SL_FT_U32, "MOP", "MOP"},
	[SL_ST_CHECK_DURATION] = {"check_duration", SL_FT_U64, "MDP", "MDP"},
	[SL_ST_HRSP_1XX] = {"hrsp_1xx", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_HRSP_2XX] = {"hrsp_2xx", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_HRSP_3XX] = {"hrsp_3xx", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_HRSP_4XX] = {"hrsp_4xx", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_HRSP_5XX] = {"hrsp_5xx", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_HRSP_OTHER] = {"hrsp_other", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_HANAFAIL] = {"hanafail", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_REQ_RATE] = {"req_rate", SL_FT_U32, "MRP", "MRP"},
	[SL_ST_REQ_RATE_MAX] = {"req_rate_max", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_REQ_TOT] = {"req_tot", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_CLI_ABRT] = {"cli_abrt", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_SRV_ABRT] = {"srv_abrt", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_COMP_IN] = {"comp_in", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_COMP_OUT] = {"comp_out", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_COMP_BYP] = {"comp_byp", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_COMP_RSP] = {"comp_rsp", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_LASTSESS] = {"lastsess", SL_FT_S32, "MAP", "MAP"},
	[SL_ST_LAST_CHK] = {"last_chk", SL_FT_STR, "MOP", "MOP"},
	[SL_ST_LAST_AGT] = {"last_agt", SL_FT_STR, "MOP", "MOP"},
	[SL_ST_QTIME] = {"qtime", SL_FT_U32, "MaP", "MaP"},
	[SL_ST_CTIME] = {"ctime", SL_FT_U32, "MaP", "MaP"},
	[SL_ST_RTIME] = {"rtime", SL_FT_U32, "MaP", "MaP"},
	[SL_ST_TTIME] = {"ttime", SL_FT_U32, "MaP", "MaP"},
	[SL_ST_AGENT_STATUS] = {"agent_status", SL_FT_STR, "MOP", "MOP"},
	[SL_ST_AGENT_CODE] = {"agent_code", SL_FT_U32, "MOP", "MOP"},
	[SL_ST_AGENT_DURATION] = {"agent_duration", SL_FT_U64, "MDP", "MDP"},
	[SL_ST_CHECK_DESC] = {"check_desc", SL_FT_STR, "MOP", "MOP"},
	[SL_ST_AGENT_DESC] = {"agent_desc", SL_FT_STR, "MOP", "MOP"},
	[SL_ST_CHECK_RISE] = {"check_rise", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_CHECK_FALL] = {"check_fall", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_CHECK_HEALTH] = {"check_health", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_AGENT_RISE] = {"agent_rise", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_AGENT_FALL] = {"agent_fall", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_AGENT_HEALTH] = {"agent_health", SL_FT_U32, "CGS", "CGS"},
	[SL_ST_ADDR] = {"addr", SL_FT_STR, "CGS", "CGS"},
	[SL_ST_COOKIE] = {"cookie", SL_FT_STR, "CNS", "CNS"},
	[SL_ST_MODE] = {"mode", SL_FT_STR, "CGS", "CGS"},
	[SL_ST_ALGO] = {"algo", SL_FT_STR, "CGS", "CGS"},
	[SL_ST_CONN_RATE] = {"conn_rate", SL_FT_U32, "MRP", "MRP"},
	[SL_ST_CONN_RATE_MAX] = {"conn_rate_max", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_CONN_TOT] = {"conn_tot", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_INTERCEPTED] = {"intercepted", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_DCON] = {"dcon", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_DSES] = {"dses", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_WREW] = {"wrew", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_CONNECT] = {"connect", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_REUSE] = {"reuse", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_CACHE_LOOKUPS] = {"cache_lookups", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_CACHE_HITS] = {"cache_hits", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_SRV_ICUR] = {"srv_icur", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_SRC_ILIM] = {"src_ilim", SL_FT_U32, "CLP", "CLP"},
	[SL_ST_QTIME_MAX] = {"qtime_max", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_CTIME_MAX] = {"ctime_max", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_RTIME_MAX] = {"rtime_max", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_TTIME_MAX] = {"ttime_max", SL_FT_U32, "MMP", "MMP"},
	[SL_ST_EINT] = {"eint", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_IDLE_CONN_CUR] = {"idle_conn_cur", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_SAFE_CONN_CUR] = {"safe_conn_cur", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_USED_CONN_CUR] = {"used_conn_cur", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_NEED_CONN_EST] = {"need_conn_est", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_UWEIGHT] = {"uweight", SL_FT_U32, "MaP", "MaP"},
	[SL_ST_AGG_SERVER_STATUS] = {"agg_server_status", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_AGG_SERVER_CHECK_STATUS] = {"agg_server_check_status", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_AGG_CHECK_STATUS] = {"agg_check_status", SL_FT_U32, "MGP", "MGP"},
	[SL_ST_SSL_SESS] = {"ssl_sess", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_SSL_REUSED_SESS] = {"ssl_reused_sess", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_SSL_FAILED_HANDSHAKE] = {"ssl_failed_handshake", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_HEADERS_RCVD] = {"h2_headers_rcvd", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_DATA_RCVD] = {"h2_data_rcvd", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_SETTINGS_RCVD] = {"h2_settings_rcvd", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_RST_STREAM_RCVD] = {"h2_rst_stream_rcvd", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_GOAWAY_RCVD] = {"h2_goaway_rcvd", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_DETECTED_CONN_PROTOCOL_ERRORS] = {"h2_detected_conn_protocol_errors", SL_FT_U64,
						    "MCP", "MCP"},
	[SL_ST_H2_DETECTED_STRM_PROTOCOL_ERRORS] = {"h2_detected_strm_protocol_errors", SL_FT_U64,
						    "MCP", "MCP"},
	[SL_ST_H2_RST_STREAM_RESP] = {"h2_rst_stream_resp", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_GOAWAY_RESP] = {"h2_goaway_resp", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_OPEN_CONNECTIONS] = {"h2_open_connections", SL_FT_U64, "MGP", "MGP"},
	[SL_ST_H2_BACKEND_OPEN_STREAMS] = {"h2_backend_open_streams", SL_FT_U64, "MGP", "MGP"},
	[SL_ST_H2_TOTAL_CONNECTIONS] = {"h2_total_connections", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H2_BACKEND_TOTAL_STREAMS] = {"h2_backend_total_streams", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H1_OPEN_CONNECTIONS] = {"h1_open_connections", SL_FT_U64, "MGP", "MGP"},
	[SL_ST_H1_OPEN_STREAMS] = {"h1_open_streams", SL_FT_U64, "MGP", "MGP"},
	[SL_ST_H1_TOTAL_CONNECTIONS] = {"h1_total_connections", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H1_TOTAL_STREAMS] = {"h1_total_streams", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H1_BYTES_IN] = {"h1_bytes_in", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H1_BYTES_OUT] = {"h1_bytes_out", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H1_SPLICED_BYTES_IN] = {"h1_spliced_bytes_in", SL_FT_U64, "MCP", "MCP"},
	[SL_ST_H1_SPLICED_BYTES_OUT] = {"h1_spliced_bytes_out", SL_FT_U64, "MCP", "MCP"},
};

/* The same for "show info typed". ZlibMemUsage, MaxZlibMemUsage and description were empty in the
 * captures; their tags follow HAProxy's source. */
struct info_meta {
	const char *name;
	enum sl_stats_ftype type;
	char tags[4];
};

static const struct info_meta info_cols[SL_INF_NFIELDS] = {
	[SL_INF_NAME] = {"Name", SL_FT_STR, "POS"},
	[SL_INF_VERSION] = {"Version", SL_FT_STR, "POS"},
	[SL_INF_RELEASE_DATE] = {"Release_date", SL_FT_STR, "POS"},
	[SL_INF_NBTHREAD] = {"Nbthread", SL_FT_U32, "CGS"},
	[SL_INF_NBPROC] = {"Nbproc", SL_FT_U32, "CGS"},
	[SL_INF_PROCESS_NUM] = {"Process_num", SL_FT_U32, "KGP"},
	[SL_INF_PID] = {"Pid", SL_FT_U32, "SGP"},
	[SL_INF_UPTIME] = {"Uptime", SL_FT_STR, "MDP"},
	[SL_INF_UPTIME_SEC] = {"Uptime_sec", SL_FT_U32, "MDP"},
	[SL_INF_MEMMAX_MB] = {"Memmax_MB", SL_FT_U32, "CLP"},
	[SL_INF_POOL_ALLOC_MB] = {"PoolAlloc_MB", SL_FT_U32, "MGP"},
	[SL_INF_POOL_USED_MB] = {"PoolUsed_MB", SL_FT_U32, "MGP"},
	[SL_INF_POOL_FAILED] = {"PoolFailed", SL_FT_U32, "MCP"},
	[SL_INF_ULIMIT_N] = {"Ulimit-n", SL_FT_U32, "CLP"},
	[SL_INF_MAXSOCK] = {"Maxsock", SL_FT_U32, "CLP"},
	[SL_INF_MAXCONN] = {"Maxconn", SL_FT_U32, "CLP"},
	[SL_INF_HARD_MAXCONN] = {"Hard_maxconn", SL_FT_U32, "CLP"},
	[SL_INF_CURR_CONNS] = {"CurrConns", SL_FT_U32, "MGP"},
	[SL_INF_CUM_CONNS] = {"CumConns", SL_FT_U32, "MCP"},
	[SL_INF_CUM_REQ] = {"CumReq", SL_FT_U32, "MCP"},
	[SL_INF_MAX_SSL_CONNS] = {"MaxSslConns", SL_FT_U32, "MMP"},
	[SL_INF_CURR_SSL_CONNS] = {"CurrSslConns", SL_FT_U32, "MGP"},
	[SL_INF_CUM_SSL_CONNS] = {"CumSslConns", SL_FT_U32, "MCP"},
	[SL_INF_MAXPIPES] = {"Maxpipes", SL_FT_U32, "CLP"},
	[SL_INF_PIPES_USED] = {"PipesUsed", SL_FT_U32, "MGP"},
	[SL_INF_PIPES_FREE] = {"PipesFree", SL_FT_U32, "MGP"},
	[SL_INF_CONN_RATE] = {"ConnRate", SL_FT_U32, "MRP"},
	[SL_INF_CONN_RATE_LIMIT] = {"ConnRateLimit", SL_FT_U32, "CLP"},
	[SL_INF_MAX_CONN_RATE] = {"MaxConnRate", SL_FT_U32, "MMP"},
	[SL_INF_SESS_RATE] = {"SessRate", SL_FT_U32, "MRP"},
	[SL_INF_SESS_RATE_LIMIT] = {"SessRateLimit", SL_FT_U32, "CLP"},
	[SL_INF_MAX_SESS_RATE] = {"MaxSessRate", SL_FT_U32, "MRP"},
	[SL_INF_SSL_RATE] = {"SslRate", SL_FT_U32, "MRP"},
	[SL_INF_SSL_RATE_LIMIT] = {"SslRateLimit", SL_FT_U32, "CLP"},
	[SL_INF_MAX_SSL_RATE] = {"MaxSslRate", SL_FT_U32, "MMP"},
	[SL_INF_SSL_FRONTEND_KEY_RATE] = {"SslFrontendKeyRate", SL_FT_U32, "MGP"},
	[SL_INF_SSL_FRONTEND_MAX_KEY_RATE] = {"SslFrontendMaxKeyRate", SL_FT_U32, "MMP"},
	[SL_INF_SSL_FRONTEND_SESSION_REUSE_PCT] = {"SslFrontendSessionReuse_pct", SL_FT_U32, "MGP"},
	[SL_INF_SSL_BACKEND_KEY_RATE] = {"SslBackendKeyRate", SL_FT_U32, "MRP"},
	[SL_INF_SSL_BACKEND_MAX_KEY_RATE] = {"SslBackendMaxKeyRate", SL_FT_U32, "MMP"},
	[SL_INF_SSL_CACHE_LOOKUPS] = {"SslCacheLookups", SL_FT_U32, "MCP"},
	[SL_INF_SSL_CACHE_MISSES] = {"SslCacheMisses", SL_FT_U32, "MCP"},
	[SL_INF_COMPRESS_BPS_IN] = {"CompressBpsIn", SL_FT_U32, "MRP"},
	[SL_INF_COMPRESS_BPS_OUT] = {"CompressBpsOut", SL_FT_U32, "MRP"},
	[SL_INF_COMPRESS_BPS_RATE_LIM] = {"CompressBpsRateLim", SL_FT_U32, "CLP"},
	[SL_INF_ZLIB_MEM_USAGE] = {"ZlibMemUsage", SL_FT_U32, "MGP"},
	[SL_INF_MAX_ZLIB_MEM_USAGE] = {"MaxZlibMemUsage", SL_FT_U32, "CLP"},
	[SL_INF_TASKS] = {"Tasks", SL_FT_U32, "MGP"},
	[SL_INF_RUN_QUEUE] = {"Run_queue", SL_FT_U32, "MGP"},
	[SL_INF_IDLE_PCT] = {"Idle_pct", SL_FT_U32, "MaP"},
	[SL_INF_NODE] = {"node", SL_FT_STR, "COS"},
	[SL_INF_DESCRIPTION] = {"description", SL_FT_STR, "COS"},
	[SL_INF_STOPPING] = {"Stopping", SL_FT_U32, "MGP"},
	[SL_INF_JOBS] = {"Jobs", SL_FT_U32, "MGP"},
	[SL_INF_UNSTOPPABLE_JOBS] = {"Unstoppable Jobs", SL_FT_U32, "MGP"},
	[SL_INF_LISTENERS] = {"Listeners", SL_FT_U32, "MGP"},
	[SL_INF_ACTIVE_PEERS] = {"ActivePeers", SL_FT_U32, "MGP"},
	[SL_INF_CONNECTED_PEERS] = {"ConnectedPeers", SL_FT_U32, "MGP"},
	[SL_INF_DROPPED_LOGS] = {"DroppedLogs", SL_FT_U32, "MGP"},
	[SL_INF_BUSY_POLLING] = {"BusyPolling", SL_FT_U32, "MGP"},
	[SL_INF_FAILED_RESOLUTIONS] = {"FailedResolutions", SL_FT_U32, "MGP"},
	[SL_INF_TOTAL_BYTES_OUT] = {"TotalBytesOut", SL_FT_U64, "MGP"},
	[SL_INF_TOTAL_SPLICDED_BYTES_OUT] = {"TotalSplicdedBytesOut", SL_FT_U64, "MGP"},
	[SL_INF_BYTES_OUT_RATE] = {"BytesOutRate", SL_FT_U64, "MRP"},
	[SL_INF_DEBUG_COMMANDS_ISSUED] = {"DebugCommandsIssued", SL_FT_U32, "MGP"},
	[SL_INF_CUM_RECV_LOGS] = {"CumRecvLogs", SL_FT_U32, "MCP"},
	[SL_INF_BUILD_INFO] = {"Build info", SL_FT_STR, "POS"},
	[SL_INF_MEMMAX_BYTES] = {"Memmax_bytes", SL_FT_U32, "CLP"},
	[SL_INF_POOL_ALLOC_BYTES] = {"PoolAlloc_bytes", SL_FT_U64, "MGP"},
	[SL_INF_POOL_USED_BYTES] = {"PoolUsed_bytes", SL_FT_U64, "MGP"},
	[SL_INF_START_TIME_SEC] = {"Start_time_sec", SL_FT_U32, "MDP"},
	[SL_INF_TAINTED] = {"Tainted", SL_FT_STR, "SGP"},
};

const char *sl_stats_col_name(int col)
{
	return col >= 0 && col < SL_ST_NFIELDS ? stat_cols[col].name : NULL;
}

int sl_stats_col_by_name(const char *name)
{
	for (int i = 0; i < SL_ST_NFIELDS; i++)
		if (strcmp(stat_cols[i].name, name) == 0)
			return i;
	return -1;
}

enum sl_stats_ftype sl_stats_col_type(int col)
{
	return col >= 0 && col < SL_ST_NFIELDS ? stat_cols[col].type : SL_FT_EMPTY;
}

const char *sl_stats_col_tags(int col, enum sl_stats_obj obj)
{
	if (col < 0 || col >= SL_ST_NFIELDS)
		return "???";
	return obj == SL_STATS_BE ? stat_cols[col].be_tags : stat_cols[col].tags;
}

const char *sl_stats_info_name(int field)
{
	return field >= 0 && field < SL_INF_NFIELDS ? info_cols[field].name : NULL;
}

/* ---------------------------------------------------------------- fields */

static void field_clear(struct sl_stats_field *f)
{
	if (f->type == SL_FT_STR)
		free(f->v.str);
	f->type = SL_FT_EMPTY;
	f->v.u = 0;
}

static int field_set_u(struct sl_stats_field *f, enum sl_stats_ftype t, uint64_t v)
{
	switch (t) {
	case SL_FT_U32:
		if (v > UINT32_MAX)
			v = UINT32_MAX;
		/* fall through */
	case SL_FT_U64:
		field_clear(f);
		f->type = t;
		f->v.u = v;
		return 0;
	case SL_FT_S32:
		if (v > INT32_MAX)
			v = INT32_MAX;
		/* fall through */
	case SL_FT_S64:
		if (v > INT64_MAX)
			v = INT64_MAX;
		field_clear(f);
		f->type = t;
		f->v.s = (int64_t)v;
		return 0;
	case SL_FT_EMPTY:
	case SL_FT_STR:
		break;
	}
	return -EINVAL;
}

static int field_set_s(struct sl_stats_field *f, enum sl_stats_ftype t, int64_t v)
{
	switch (t) {
	case SL_FT_U32:
	case SL_FT_U64:
		if (v < 0)
			return -EINVAL;
		return field_set_u(f, t, (uint64_t)v);
	case SL_FT_S32:
		if (v > INT32_MAX)
			v = INT32_MAX;
		if (v < INT32_MIN)
			v = INT32_MIN;
		/* fall through */
	case SL_FT_S64:
		field_clear(f);
		f->type = t;
		f->v.s = v;
		return 0;
	case SL_FT_EMPTY:
	case SL_FT_STR:
		break;
	}
	return -EINVAL;
}

static int field_set_str(struct sl_stats_field *f, enum sl_stats_ftype t, const char *s)
{
	if (t != SL_FT_STR)
		return -EINVAL;
	if (s == NULL) {
		field_clear(f);
		return 0;
	}
	char *dup = strdup(s); /* before clearing: @s may be the field's own string */
	field_clear(f);
	if (dup == NULL)
		return -ENOMEM;
	f->type = SL_FT_STR;
	f->v.str = dup;
	return 0;
}

static uint64_t field_get_u(const struct sl_stats_field *f)
{
	switch (f->type) {
	case SL_FT_U32:
	case SL_FT_U64:
		return f->v.u;
	case SL_FT_S32:
	case SL_FT_S64:
		return f->v.s > 0 ? (uint64_t)f->v.s : 0;
	case SL_FT_EMPTY:
	case SL_FT_STR:
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- rows */

void sl_stats_row_init(struct sl_stats_row *r, enum sl_stats_obj obj)
{
	memset(r, 0, sizeof(*r));
	r->obj = obj;
	field_set_u(&r->f[SL_ST_TYPE], stat_cols[SL_ST_TYPE].type, (uint64_t)obj);
}

void sl_stats_row_clear(struct sl_stats_row *r)
{
	for (int i = 0; i < SL_ST_NFIELDS; i++)
		if (i != SL_ST_TYPE)
			field_clear(&r->f[i]);
}

int sl_stats_set_u(struct sl_stats_row *r, int col, uint64_t v)
{
	if (col < 0 || col >= SL_ST_NFIELDS)
		return -EINVAL;
	return field_set_u(&r->f[col], stat_cols[col].type, v);
}

int sl_stats_set_s(struct sl_stats_row *r, int col, int64_t v)
{
	if (col < 0 || col >= SL_ST_NFIELDS)
		return -EINVAL;
	return field_set_s(&r->f[col], stat_cols[col].type, v);
}

int sl_stats_set_str(struct sl_stats_row *r, int col, const char *s)
{
	if (col < 0 || col >= SL_ST_NFIELDS)
		return -EINVAL;
	return field_set_str(&r->f[col], stat_cols[col].type, s);
}

void sl_stats_set_empty(struct sl_stats_row *r, int col)
{
	if (col >= 0 && col < SL_ST_NFIELDS)
		field_clear(&r->f[col]);
}

uint64_t sl_stats_get_u(const struct sl_stats_row *r, int col)
{
	if (col < 0 || col >= SL_ST_NFIELDS)
		return 0;
	return field_get_u(&r->f[col]);
}

const char *sl_stats_get_str(const struct sl_stats_row *r, int col)
{
	if (col < 0 || col >= SL_ST_NFIELDS || r->f[col].type != SL_FT_STR)
		return NULL;
	return r->f[col].v.str;
}

struct sl_stats_row *sl_stats_find(struct sl_stats_row *rows, size_t n, const char *px,
				   const char *sv)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = sl_stats_get_str(&rows[i], SL_ST_PXNAME);
		const char *s = sl_stats_get_str(&rows[i], SL_ST_SVNAME);
		if (p != NULL && s != NULL && strcmp(p, px) == 0 && strcmp(s, sv) == 0)
			return &rows[i];
	}
	return NULL;
}

void sl_stats_rows_free(struct sl_stats_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		sl_stats_row_clear(&rows[i]);
	free(rows);
}

/* ---------------------------------------------------------------- rows of a configuration */

/* Counters a fresh row of each kind shows as 0 (the other columns are empty unless set below);
 * the _HTTP lists only in mode http. Taken from HAProxy 2.6's output right after startup. */
static const unsigned char fe_zero[] = {
	SL_ST_SCUR,	SL_ST_SMAX,	SL_ST_STOT,	    SL_ST_BIN,	     SL_ST_BOUT,
	SL_ST_DREQ,	SL_ST_DRESP,	SL_ST_EREQ,	    SL_ST_RATE,	     SL_ST_RATE_LIM,
	SL_ST_RATE_MAX, SL_ST_REQ_RATE, SL_ST_REQ_RATE_MAX, SL_ST_REQ_TOT,   SL_ST_COMP_IN,
	SL_ST_COMP_OUT, SL_ST_COMP_BYP, SL_ST_COMP_RSP,	    SL_ST_CONN_RATE, SL_ST_CONN_RATE_MAX,
	SL_ST_CONN_TOT, SL_ST_DCON,	SL_ST_DSES,	    SL_ST_WREW,	     SL_ST_EINT,
};
static const unsigned char fe_zero_http[] = {
	SL_ST_HRSP_1XX,	  SL_ST_HRSP_2XX,    SL_ST_HRSP_3XX,	  SL_ST_HRSP_4XX,   SL_ST_HRSP_5XX,
	SL_ST_HRSP_OTHER, SL_ST_INTERCEPTED, SL_ST_CACHE_LOOKUPS, SL_ST_CACHE_HITS,
};
static const unsigned char be_zero[] = {
	SL_ST_QCUR,
	SL_ST_QMAX,
	SL_ST_SCUR,
	SL_ST_SMAX,
	SL_ST_STOT,
	SL_ST_BIN,
	SL_ST_BOUT,
	SL_ST_DREQ,
	SL_ST_DRESP,
	SL_ST_ECON,
	SL_ST_ERESP,
	SL_ST_WRETR,
	SL_ST_WREDIS,
	SL_ST_CHKDOWN,
	SL_ST_LASTCHG,
	SL_ST_LBTOT,
	SL_ST_RATE,
	SL_ST_RATE_MAX,
	SL_ST_CLI_ABRT,
	SL_ST_SRV_ABRT,
	SL_ST_COMP_IN,
	SL_ST_COMP_OUT,
	SL_ST_COMP_BYP,
	SL_ST_COMP_RSP,
	SL_ST_QTIME,
	SL_ST_CTIME,
	SL_ST_RTIME,
	SL_ST_TTIME,
	SL_ST_WREW,
	SL_ST_CONNECT,
	SL_ST_REUSE,
	SL_ST_QTIME_MAX,
	SL_ST_CTIME_MAX,
	SL_ST_RTIME_MAX,
	SL_ST_TTIME_MAX,
	SL_ST_EINT,
	SL_ST_AGG_SERVER_STATUS,
	SL_ST_AGG_SERVER_CHECK_STATUS,
	SL_ST_AGG_CHECK_STATUS,
};
static const unsigned char be_zero_http[] = {
	SL_ST_HRSP_1XX,	  SL_ST_HRSP_2XX, SL_ST_HRSP_3XX,      SL_ST_HRSP_4XX,	 SL_ST_HRSP_5XX,
	SL_ST_HRSP_OTHER, SL_ST_REQ_TOT,  SL_ST_CACHE_LOOKUPS, SL_ST_CACHE_HITS,
};
static const unsigned char srv_zero[] = {
	SL_ST_QCUR,
	SL_ST_QMAX,
	SL_ST_SCUR,
	SL_ST_SMAX,
	SL_ST_STOT,
	SL_ST_BIN,
	SL_ST_BOUT,
	SL_ST_DRESP,
	SL_ST_ECON,
	SL_ST_ERESP,
	SL_ST_WRETR,
	SL_ST_WREDIS,
	SL_ST_LASTCHG,
	SL_ST_LBTOT,
	SL_ST_RATE,
	SL_ST_RATE_MAX,
	SL_ST_CLI_ABRT,
	SL_ST_SRV_ABRT,
	SL_ST_QTIME,
	SL_ST_CTIME,
	SL_ST_RTIME,
	SL_ST_TTIME,
	SL_ST_WREW,
	SL_ST_CONNECT,
	SL_ST_REUSE,
	SL_ST_SRV_ICUR,
	SL_ST_QTIME_MAX,
	SL_ST_CTIME_MAX,
	SL_ST_RTIME_MAX,
	SL_ST_TTIME_MAX,
	SL_ST_EINT,
	SL_ST_IDLE_CONN_CUR,
	SL_ST_SAFE_CONN_CUR,
	SL_ST_USED_CONN_CUR,
	SL_ST_NEED_CONN_EST,
	SL_ST_SSL_SESS,
	SL_ST_SSL_REUSED_SESS,
	SL_ST_SSL_FAILED_HANDSHAKE,
};
static const unsigned char srv_zero_http[] = {
	SL_ST_HRSP_1XX, SL_ST_HRSP_2XX,	  SL_ST_HRSP_3XX, SL_ST_HRSP_4XX,
	SL_ST_HRSP_5XX, SL_ST_HRSP_OTHER, SL_ST_REQ_TOT,
};

static void set_zero(struct sl_stats_row *r, const unsigned char *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sl_stats_set_u(r, cols[i], 0);
}

/* The columns of the ssl, h2 and h1 modules, which frontends and backends show. */
static void set_zero_modules(struct sl_stats_row *r)
{
	for (int c = SL_ST_NSTD; c < SL_ST_NFIELDS; c++)
		sl_stats_set_u(r, c, 0);
}

static const char *mode_name(enum sl_mode m)
{
	return m == SL_MODE_HTTP ? "http" : "tcp";
}

/* HAProxy's backend_lb_algo_str() names. */
static const char *algo_name(enum sl_balance b)
{
	switch (b) {
	case SL_BAL_ROUNDROBIN:
		return "roundrobin";
	case SL_BAL_STATIC_RR:
		return "static-rr";
	case SL_BAL_LEASTCONN:
		return "leastconn";
	case SL_BAL_FIRST:
		return "first";
	case SL_BAL_SOURCE:
		return "source";
	case SL_BAL_URI:
		return "uri";
	case SL_BAL_RANDOM:
		return "random";
	case SL_BAL_HDR:
		return "hdr";
	}
	return "unknown";
}

/* "a.b.c.d:port" or "[v6]:port", as HAProxy's addr column. */
static void format_addr(const struct sl_server *s, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "";
	if (s->addr.family == AF_INET6) {
		inet_ntop(AF_INET6, s->addr.v6, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, (unsigned)s->port);
	} else {
		struct in_addr a = {.s_addr = htonl(s->addr.v4)};
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, (unsigned)s->port);
	}
}

/* Whether a server takes traffic right after startup (HAProxy's srv_willbe_usable()). */
static bool srv_usable(const struct sl_server *s)
{
	return !sl_cfg_srv_maint(s) && s->p.weight > 0;
}

static int fill_frontend(struct sl_stats_row *r, const struct sl_cfg *cfg,
			 const struct sl_proxy *px, uint64_t iid)
{
	int rc = 0;
	sl_stats_row_init(r, SL_STATS_FE);
	rc |= sl_stats_set_str(r, SL_ST_PXNAME, px->name);
	rc |= sl_stats_set_str(r, SL_ST_SVNAME, "FRONTEND");
	set_zero(r, fe_zero, sizeof(fe_zero));
	if (px->mode == SL_MODE_HTTP)
		set_zero(r, fe_zero_http, sizeof(fe_zero_http));
	set_zero_modules(r);
	sl_stats_set_u(r, SL_ST_SLIM,
		       (uint64_t)(px->maxconn > 0 ? px->maxconn : cfg->global.maxconn));
	rc |= sl_stats_set_str(r, SL_ST_STATUS, "OPEN");
	sl_stats_set_u(r, SL_ST_PID, 1);
	sl_stats_set_u(r, SL_ST_IID, iid);
	sl_stats_set_u(r, SL_ST_SID, 0);
	rc |= sl_stats_set_str(r, SL_ST_MODE, mode_name(px->mode));
	return rc != 0 ? -ENOMEM : 0;
}

static int fill_server(struct sl_stats_row *r, const struct sl_proxy *be, const struct sl_server *s,
		       uint64_t iid)
{
	int rc = 0;
	char buf[128];
	sl_stats_row_init(r, SL_STATS_SRV);
	rc |= sl_stats_set_str(r, SL_ST_PXNAME, be->name);
	rc |= sl_stats_set_str(r, SL_ST_SVNAME, s->name);
	set_zero(r, srv_zero, sizeof(srv_zero));
	if (be->mode == SL_MODE_HTTP)
		set_zero(r, srv_zero_http, sizeof(srv_zero_http));
	if (s->p.maxconn > 0)
		sl_stats_set_u(r, SL_ST_SLIM, (uint64_t)s->p.maxconn);
	if (s->p.maxqueue > 0)
		sl_stats_set_u(r, SL_ST_QLIMIT, (uint64_t)s->p.maxqueue);

	/* A checked server starts UP with health = rise, which HAProxy shows as "going down"
	 * ("UP 1/fall") until the first check succeeds, unless fall is 1. */
	if (sl_cfg_srv_maint(s)) /* disabled, or no address (init-addr none) */
		snprintf(buf, sizeof(buf), "MAINT");
	else if (!s->p.check)
		snprintf(buf, sizeof(buf), "no check");
	else if (s->p.fall > 1)
		snprintf(buf, sizeof(buf), "UP 1/%d", s->p.fall);
	else
		snprintf(buf, sizeof(buf), "UP");
	rc |= sl_stats_set_str(r, SL_ST_STATUS, buf);
	sl_stats_set_u(r, SL_ST_WEIGHT, (uint64_t)s->p.weight);
	sl_stats_set_u(r, SL_ST_UWEIGHT, (uint64_t)s->p.weight);
	sl_stats_set_u(r, SL_ST_ACT, s->p.backup ? 0 : 1);
	sl_stats_set_u(r, SL_ST_BCK, s->p.backup ? 1 : 0);
	if (s->p.check) {
		sl_stats_set_u(r, SL_ST_CHKFAIL, 0);
		sl_stats_set_u(r, SL_ST_CHKDOWN, 0);
		sl_stats_set_u(r, SL_ST_DOWNTIME, 0);
		if (!sl_cfg_srv_maint(s)) { /* checks do not run in maintenance */
			rc |= sl_stats_set_str(r, SL_ST_CHECK_STATUS, "INI");
			rc |= sl_stats_set_str(r, SL_ST_CHECK_DESC, "Initializing");
			sl_stats_set_u(r, SL_ST_CHECK_RISE, (uint64_t)s->p.rise);
			sl_stats_set_u(r, SL_ST_CHECK_FALL, (uint64_t)s->p.fall);
			sl_stats_set_u(r, SL_ST_CHECK_HEALTH, (uint64_t)s->p.rise);
		}
	}
	sl_stats_set_u(r, SL_ST_PID, 1);
	sl_stats_set_u(r, SL_ST_IID, iid);
	sl_stats_set_u(r, SL_ST_SID, (uint64_t)s->id);
	sl_stats_set_s(r, SL_ST_LASTSESS, -1);
	format_addr(s, buf, sizeof(buf));
	rc |= sl_stats_set_str(r, SL_ST_ADDR, buf);
	if (s->cookie != NULL)
		rc |= sl_stats_set_str(r, SL_ST_COOKIE, s->cookie);
	rc |= sl_stats_set_str(r, SL_ST_MODE, mode_name(be->mode));
	return rc != 0 ? -ENOMEM : 0;
}

static int fill_backend(struct sl_stats_row *r, const struct sl_proxy *be, uint64_t iid,
			uint64_t fullconn)
{
	int rc = 0;
	unsigned act = 0, bck = 0;
	uint64_t wact = 0, wbck_first = 0;
	for (const struct sl_server *s = be->servers; s != NULL; s = s->next) {
		if (!srv_usable(s))
			continue;
		if (s->p.backup) {
			if (bck++ == 0)
				wbck_first = (uint64_t)s->p.weight;
		} else {
			act++;
			wact += (uint64_t)s->p.weight;
		}
	}
	/* Without "option allbackups" only the first usable backup takes traffic. */
	uint64_t weight = act > 0 ? wact : wbck_first;

	sl_stats_row_init(r, SL_STATS_BE);
	rc |= sl_stats_set_str(r, SL_ST_PXNAME, be->name);
	rc |= sl_stats_set_str(r, SL_ST_SVNAME, "BACKEND");
	set_zero(r, be_zero, sizeof(be_zero));
	if (be->mode == SL_MODE_HTTP)
		set_zero(r, be_zero_http, sizeof(be_zero_http));
	set_zero_modules(r);
	sl_stats_set_u(r, SL_ST_SLIM, fullconn);
	rc |= sl_stats_set_str(r, SL_ST_STATUS, weight > 0 || be->servers == NULL ? "UP" : "DOWN");
	sl_stats_set_u(r, SL_ST_WEIGHT, weight);
	sl_stats_set_u(r, SL_ST_UWEIGHT, weight);
	sl_stats_set_u(r, SL_ST_ACT, act);
	sl_stats_set_u(r, SL_ST_BCK, bck);
	if (be->servers != NULL)
		sl_stats_set_u(r, SL_ST_DOWNTIME, 0);
	sl_stats_set_u(r, SL_ST_PID, 1);
	sl_stats_set_u(r, SL_ST_IID, iid);
	sl_stats_set_u(r, SL_ST_SID, 0);
	sl_stats_set_s(r, SL_ST_LASTSESS, -1);
	if (be->cookie.name != NULL)
		rc |= sl_stats_set_str(r, SL_ST_COOKIE, be->cookie.name);
	rc |= sl_stats_set_str(r, SL_ST_MODE, mode_name(be->mode));
	rc |= sl_stats_set_str(r, SL_ST_ALGO, algo_name(be->balance));
	return rc != 0 ? -ENOMEM : 0;
}

/* Index of a proxy in the per-proxy arrays (ids are 1-based, in file order). */
static int px_index(const struct sl_cfg *cfg, const struct sl_proxy *px)
{
	return px != NULL && px->id >= 1 && px->id <= cfg->nproxies ? px->id - 1 : -1;
}

/*
 * HAProxy's proxy_adjust_all_maxconn(): each frontend adds its maxconn to the backends it may
 * use (its default backend, or itself for a listen without one, and each distinct use_backend
 * target other than the default), and a backend without fullconn gets 10% of its sum (at least 1).
 */
static void compute_fullconn(const struct sl_cfg *cfg, uint64_t *tot)
{
	for (const struct sl_proxy *fe = cfg->proxies; fe != NULL; fe = fe->next) {
		if (!(fe->cap & SL_CAP_FE))
			continue;
		uint64_t maxconn = (uint64_t)(fe->maxconn > 0 ? fe->maxconn : cfg->global.maxconn);
		const struct sl_proxy *defbe = NULL;
		if (fe->default_backend != NULL)
			defbe = sl_cfg_find_proxy(cfg, fe->default_backend, SL_CAP_BE);
		int i = px_index(cfg, defbe);
		if (i >= 0)
			tot[i] += maxconn;
		else if ((fe->cap & SL_CAP_BE) && (i = px_index(cfg, fe)) >= 0)
			tot[i] += maxconn;
		for (const struct sl_switch *sw = fe->switches; sw != NULL; sw = sw->next) {
			const struct sl_proxy *be = sl_cfg_find_proxy(cfg, sw->backend, SL_CAP_BE);
			if (be == NULL || be == defbe)
				continue;
			bool seen = false;
			for (const struct sl_switch *o = fe->switches; o != sw; o = o->next)
				if (sl_cfg_find_proxy(cfg, o->backend, SL_CAP_BE) == be)
					seen = true;
			if (!seen && (i = px_index(cfg, be)) >= 0)
				tot[i] += maxconn;
		}
	}
}

int sl_stats_rows_from_cfg(const struct sl_cfg *cfg, struct sl_stats_row **rowsp, size_t *np)
{
	size_t n = 0;
	*rowsp = NULL;
	*np = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next) {
		if (px->cap & SL_CAP_FE)
			n++;
		if (px->cap & SL_CAP_BE)
			n += (size_t)px->nservers + 1;
	}
	uint64_t *tot = calloc((size_t)cfg->nproxies + 1, sizeof(*tot));
	struct sl_stats_row *rows = calloc(n + 1, sizeof(*rows));
	if (tot == NULL || rows == NULL) {
		free(tot);
		free(rows);
		return -ENOMEM;
	}
	compute_fullconn(cfg, tot);

	uint64_t iid_base = cfg->global.sockets != NULL ? 1 : 0;
	size_t k = 0;
	int rc = 0;
	for (const struct sl_proxy *px = cfg->proxies; px != NULL && rc == 0; px = px->next) {
		uint64_t iid = (uint64_t)px->id + iid_base;
		if (px->cap & SL_CAP_FE)
			rc = fill_frontend(&rows[k++], cfg, px, iid);
		if (!(px->cap & SL_CAP_BE))
			continue;
		for (const struct sl_server *s = px->servers; s != NULL && rc == 0 && k < n;
		     s = s->next)
			rc = fill_server(&rows[k++], px, s, iid);
		uint64_t fullconn = (uint64_t)px->fullconn;
		if (fullconn == 0) {
			int i = px_index(cfg, px);
			fullconn = ((i >= 0 ? tot[i] : 0) + 9) / 10;
			if (fullconn == 0)
				fullconn = 1;
		}
		if (rc == 0 && k < n)
			rc = fill_backend(&rows[k++], px, iid, fullconn);
	}
	free(tot);
	if (rc != 0) {
		sl_stats_rows_free(rows, k);
		return rc;
	}
	*rowsp = rows;
	*np = k;
	return 0;
}

/* ---------------------------------------------------------------- rendering */

void sl_stats_filter_init(struct sl_stats_filter *f)
{
	f->iid = -1;
	f->types = ~0u;
	f->sid = -1;
	f->hide_down = false;
	f->hide_maint = false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *row_status(const struct sl_stats_row *r)
{
	const char *s = sl_stats_get_str(r, SL_ST_STATUS);
	return s != NULL ? s : "";
}

/* Whether a server's status says it is down for good: "DOWN", "DOWN (agent)"... but not
 * "DOWN 1/2", a server whose checks are bringing it back (HAProxy keeps those with "up"). */
static bool status_down(const char *st)
{
	if (!starts_with(st, "DOWN"))
		return false;
	return st[4] == '\0' || (st[4] == ' ' && !isdigit((unsigned char)st[5]));
}

/* Whether a server counts as up in a backend's " (up/total)": running, even if going down. */
static bool status_running(const char *st)
{
	return !starts_with(st, "DOWN") && !starts_with(st, "MAINT");
}

static bool row_visible(const struct sl_stats_row *r, const struct sl_stats_filter *flt)
{
	if (!(flt->types & (1u << (unsigned)r->obj)))
		return false;
	if (flt->iid != -1 && (int64_t)sl_stats_get_u(r, SL_ST_IID) != flt->iid)
		return false;
	if (r->obj == SL_STATS_SRV || r->obj == SL_STATS_LI) {
		if (flt->sid != -1 && (int64_t)sl_stats_get_u(r, SL_ST_SID) != flt->sid)
			return false;
	}
	if (r->obj == SL_STATS_SRV) {
		const char *st = row_status(r);
		if ((flt->hide_down || flt->hide_maint) && starts_with(st, "MAINT"))
			return false;
		if (flt->hide_down && status_down(st))
			return false;
	}
	return true;
}

/* The BACKEND status with HAProxy's " (up/total)" suffix, counting the server rows of the same
 * proxy (contiguous with the BACKEND row, as every producer lays them out). */
static void backend_status(const struct sl_stats_row *rows, size_t n, size_t i, char *buf,
			   size_t size)
{
	uint64_t iid = sl_stats_get_u(&rows[i], SL_ST_IID);
	unsigned up = 0, total = 0;
	size_t lo = i, hi = i + 1;
	while (lo > 0 && sl_stats_get_u(&rows[lo - 1], SL_ST_IID) == iid)
		lo--;
	while (hi < n && sl_stats_get_u(&rows[hi], SL_ST_IID) == iid)
		hi++;
	for (size_t j = lo; j < hi; j++) {
		if (rows[j].obj != SL_STATS_SRV)
			continue;
		total++;
		if (status_running(row_status(&rows[j])))
			up++;
	}
	snprintf(buf, size, "%s (%u/%u)", row_status(&rows[i]), up, total);
}

/* CSV string encoding (HAProxy's csv_enc_append(): quotes only when needed, "" for a quote; line
 * breaks become spaces so that a row stays on one line). */
static void emit_csv_str(struct sl_outbuf *o, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sl_outbuf_puts(o, s);
		return;
	}
	sl_outbuf_append(o, "\"", 1);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			sl_outbuf_append(o, "\"\"", 2);
		else if (*p == '\r' || *p == '\n')
			sl_outbuf_append(o, " ", 1);
		else
			sl_outbuf_append(o, p, 1);
	}
	sl_outbuf_append(o, "\"", 1);
}

/* A string on one line (typed and plain formats): line breaks become spaces. */
static void emit_line_str(struct sl_outbuf *o, const char *s)
{
	size_t n;
	while ((n = strcspn(s, "\r\n")), s[n] != '\0') {
		sl_outbuf_append(o, s, n);
		sl_outbuf_append(o, " ", 1);
		s += n + 1;
	}
	sl_outbuf_append(o, s, n);
}

/* A JSON string body (without the quotes). */
static void emit_json_str(struct sl_outbuf *o, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			sl_outbuf_printf(o, "\\%c", *p);
		else if (*p < 0x20)
			sl_outbuf_printf(o, "\\u%04x", *p);
		else
			sl_outbuf_append(o, p, 1);
	}
}

static void emit_num(struct sl_outbuf *o, const struct sl_stats_field *f)
{
	if (f->type == SL_FT_U32 || f->type == SL_FT_U64)
		sl_outbuf_printf(o, "%" PRIu64, f->v.u);
	else
		sl_outbuf_printf(o, "%" PRId64, f->v.s);
}

static const char *type_name(enum sl_stats_ftype t)
{
	switch (t) {
	case SL_FT_U32:
		return "u32";
	case SL_FT_S32:
		return "s32";
	case SL_FT_U64:
		return "u64";
	case SL_FT_S64:
		return "s64";
	case SL_FT_STR:
		return "str";
	case SL_FT_EMPTY:
		break;
	}
	return "?";
}

static const char *origin_name(char c)
{
	switch (c) {
	case 'M':
		return "Metric";
	case 'S':
		return "Status";
	case 'K':
		return "Key";
	case 'C':
		return "Config";
	case 'P':
		return "Product";
	}
	return "Unknown";
}

static const char *nature_name(char c)
{
	switch (c) {
	case 'G':
		return "Gauge";
	case 'L':
		return "Limit";
	case 'm':
		return "Min";
	case 'M':
		return "Max";
	case 'R':
		return "Rate";
	case 'C':
		return "Counter";
	case 'D':
		return "Duration";
	case 'A':
		return "Age";
	case 'T':
		return "Time";
	case 'N':
		return "Name";
	case 'O':
		return "Output";
	case 'a':
		return "Avg";
	}
	return "Unknown";
}

static const char *scope_name(char c)
{
	switch (c) {
	case 'P':
		return "Process";
	case 'S':
		return "Service";
	case 's':
		return "System";
	case 'C':
		return "Cluster";
	}
	return "Unknown";
}

/* "type:value" of the typed formats. */
static void emit_typed_value(struct sl_outbuf *o, const struct sl_stats_field *f)
{
	sl_outbuf_printf(o, "%s:", type_name(f->type));
	if (f->type == SL_FT_STR)
		emit_line_str(o, f->v.str);
	else
		emit_num(o, f);
}

/* ,"tags":{...},"value":{...} of the JSON formats (after "processNum"). */
static void emit_json_tags_value(struct sl_outbuf *o, const char *tags,
				 const struct sl_stats_field *f)
{
	sl_outbuf_printf(o,
			 ",\"tags\":{\"origin\":\"%s\",\"nature\":\"%s\",\"scope\":\"%s\"},"
			 "\"value\":{\"type\":\"%s\",\"value\":",
			 origin_name(tags[0]), nature_name(tags[1]), scope_name(tags[2]),
			 type_name(f->type));
	if (f->type == SL_FT_STR) {
		sl_outbuf_append(o, "\"", 1);
		emit_json_str(o, f->v.str);
		sl_outbuf_append(o, "\"", 1);
	} else {
		emit_num(o, f);
	}
	sl_outbuf_puts(o, "}}");
}

static const char obj_letter[] = {'F', 'B', 'S', 'L'};
static const char *const obj_json[] = {"Frontend", "Backend", "Server", "Listener"};

static void render_row_csv(const struct sl_stats_row *r, const struct sl_stats_field *status,
			   struct sl_outbuf *o)
{
	for (int c = 0; c < SL_ST_NFIELDS; c++) {
		const struct sl_stats_field *f = c == SL_ST_STATUS ? status : &r->f[c];
		if (c == SL_ST_NSTD)
			sl_outbuf_append(o, "-,", 2);
		if (f->type == SL_FT_STR)
			emit_csv_str(o, f->v.str);
		else if (f->type != SL_FT_EMPTY)
			emit_num(o, f);
		sl_outbuf_append(o, ",", 1);
	}
	sl_outbuf_append(o, "\n", 1);
}

static void render_row_typed(const struct sl_stats_row *r, const struct sl_stats_field *status,
			     struct sl_outbuf *o)
{
	unsigned obj = (unsigned)r->obj < 4 ? (unsigned)r->obj : 0;
	uint64_t iid = sl_stats_get_u(r, SL_ST_IID), sid = sl_stats_get_u(r, SL_ST_SID);
	for (int c = 0; c < SL_ST_NFIELDS; c++) {
		const struct sl_stats_field *f = c == SL_ST_STATUS ? status : &r->f[c];
		if (f->type == SL_FT_EMPTY)
			continue;
		sl_outbuf_printf(o, "%c.%" PRIu64 ".%" PRIu64 ".%d.%s.1:%s:", obj_letter[obj], iid,
				 sid, c, stat_cols[c].name, sl_stats_col_tags(c, r->obj));
		emit_typed_value(o, f);
		sl_outbuf_append(o, "\n", 1);
	}
}

static void render_row_json(const struct sl_stats_row *r, const struct sl_stats_field *status,
			    struct sl_outbuf *o)
{
	unsigned obj = (unsigned)r->obj < 4 ? (unsigned)r->obj : 0;
	uint64_t iid = sl_stats_get_u(r, SL_ST_IID), sid = sl_stats_get_u(r, SL_ST_SID);
	bool first = true;
	sl_outbuf_append(o, "[", 1);
	for (int c = 0; c < SL_ST_NFIELDS; c++) {
		const struct sl_stats_field *f = c == SL_ST_STATUS ? status : &r->f[c];
		if (f->type == SL_FT_EMPTY)
			continue;
		sl_outbuf_printf(o,
				 "%s{\"objType\":\"%s\",\"proxyId\":%" PRIu64 ",\"id\":%" PRIu64
				 ",\"field\":{\"pos\":%d,\"name\":\"%s\"},\"processNum\":1",
				 first ? "" : ",", obj_json[obj], iid, sid, c, stat_cols[c].name);
		emit_json_tags_value(o, sl_stats_col_tags(c, r->obj), f);
		first = false;
	}
	sl_outbuf_append(o, "]", 1);
}

int sl_stats_render(const struct sl_stats_row *rows, size_t n, enum sl_stats_fmt fmt,
		    const struct sl_stats_filter *flt, struct sl_outbuf *out)
{
	struct sl_stats_filter all;
	if (flt == NULL) {
		sl_stats_filter_init(&all);
		flt = &all;
	}
	if (fmt == SL_STATS_FMT_CSV)
		sl_outbuf_puts(out, SL_PROTO_CSV_HEADER);
	else if (fmt == SL_STATS_FMT_JSON)
		sl_outbuf_append(out, "[", 1);

	int printed = 0;
	for (size_t i = 0; i < n && !out->truncated; i++) {
		const struct sl_stats_row *r = &rows[i];
		if (!row_visible(r, flt))
			continue;
		char stbuf[256];
		struct sl_stats_field status = r->f[SL_ST_STATUS];
		if (r->obj == SL_STATS_BE && (flt->hide_down || flt->hide_maint)) {
			backend_status(rows, n, i, stbuf, sizeof(stbuf));
			status.type = SL_FT_STR;
			status.v.str = stbuf;
		}
		switch (fmt) {
		case SL_STATS_FMT_CSV:
			render_row_csv(r, &status, out);
			break;
		case SL_STATS_FMT_TYPED:
			render_row_typed(r, &status, out);
			break;
		case SL_STATS_FMT_JSON:
			if (printed > 0)
				sl_outbuf_append(out, ",", 1);
			render_row_json(r, &status, out);
			break;
		}
		printed++;
	}
	if (fmt == SL_STATS_FMT_JSON)
		sl_outbuf_append(out, "]\n", 2);
	return out->truncated ? -ENOSPC : printed;
}

int sl_stats_render_csv(const struct sl_stats_row *rows, size_t n, struct sl_outbuf *out)
{
	return sl_stats_render(rows, n, SL_STATS_FMT_CSV, NULL, out);
}

/* ---------------------------------------------------------------- show stat */

int sl_stats_cmd_show_stat(const struct sl_stats_row *rows, size_t n, int argc, char **argv,
			   struct sl_outbuf *out)
{
	struct sl_stats_filter flt;
	enum sl_stats_fmt fmt = SL_STATS_FMT_CSV;
	int arg = 2;

	sl_stats_filter_init(&flt);
	if (argc >= 5) {
		/* "<iid|proxy> <type> <sid>": a proxy name first, else a number (HAProxy's atoi:
		 * anything else is 0, which no proxy has). */
		int64_t iid = 0;
		for (size_t i = 0; i < n; i++) {
			const char *px = sl_stats_get_str(&rows[i], SL_ST_PXNAME);
			if (px != NULL && strcmp(px, argv[2]) == 0) {
				iid = (int64_t)sl_stats_get_u(&rows[i], SL_ST_IID);
				break;
			}
		}
		if (iid == 0)
			iid = atoi(argv[2]);
		if (iid == 0) {
			sl_outbuf_puts(out, SL_PROTO_MSG_NO_SUCH_PROXY);
			return out->truncated ? -ENOSPC : 0;
		}
		flt.iid = iid;
		flt.types = (unsigned)atoi(argv[3]);
		flt.sid = atoi(argv[4]);
		arg = 5;
	}
	for (; arg < argc; arg++) {
		if (strcmp(argv[arg], SL_PROTO_OPT_TYPED) == 0)
			fmt = SL_STATS_FMT_TYPED;
		else if (strcmp(argv[arg], SL_PROTO_OPT_JSON) == 0)
			fmt = SL_STATS_FMT_JSON;
		else if (strcmp(argv[arg], SL_PROTO_OPT_UP) == 0)
			flt.hide_down = true;
		else if (strcmp(argv[arg], SL_PROTO_OPT_NO_MAINT) == 0)
			flt.hide_maint = true;
		/* "desc" and unknown words are ignored, as HAProxy ignores unknown words. */
	}
	int rc = sl_stats_render(rows, n, fmt, &flt, out);
	return rc < 0 ? rc : 0;
}

int sl_stats_show_stat(const struct sl_cfg *cfg, int argc, char **argv, struct sl_outbuf *out)
{
	struct sl_stats_row *rows;
	size_t n;
	int rc = sl_stats_rows_from_cfg(cfg, &rows, &n);
	if (rc < 0) {
		sl_outbuf_puts(out, "Out of memory.\n");
		return rc;
	}
	rc = sl_stats_cmd_show_stat(rows, n, argc, argv, out);
	sl_stats_rows_free(rows, n);
	return rc;
}

/* ---------------------------------------------------------------- show info */

void sl_stats_info_init(struct sl_stats_info *inf)
{
	memset(inf, 0, sizeof(*inf));
}

int sl_stats_info_set_u(struct sl_stats_info *inf, int field, uint64_t v)
{
	if (field < 0 || field >= SL_INF_NFIELDS)
		return -EINVAL;
	return field_set_u(&inf->f[field], info_cols[field].type, v);
}

int sl_stats_info_set_str(struct sl_stats_info *inf, int field, const char *s)
{
	if (field < 0 || field >= SL_INF_NFIELDS)
		return -EINVAL;
	return field_set_str(&inf->f[field], info_cols[field].type, s);
}

void sl_stats_info_free(struct sl_stats_info *inf)
{
	for (int i = 0; i < SL_INF_NFIELDS; i++)
		field_clear(&inf->f[i]);
}

int sl_stats_info_render(const struct sl_stats_info *inf, enum sl_stats_fmt fmt,
			 struct sl_outbuf *out)
{
	bool first = true;
	if (fmt == SL_STATS_FMT_JSON)
		sl_outbuf_append(out, "[", 1);
	for (int i = 0; i < SL_INF_NFIELDS; i++) {
		const struct sl_stats_field *f = &inf->f[i];
		if (f->type == SL_FT_EMPTY)
			continue;
		switch (fmt) {
		case SL_STATS_FMT_CSV:
			sl_outbuf_printf(out, "%s: ", info_cols[i].name);
			if (f->type == SL_FT_STR)
				emit_line_str(out, f->v.str);
			else
				emit_num(out, f);
			break;
		case SL_STATS_FMT_TYPED:
			sl_outbuf_printf(out, "%d.%s.1:%s:", i, info_cols[i].name,
					 info_cols[i].tags);
			emit_typed_value(out, f);
			break;
		case SL_STATS_FMT_JSON:
			sl_outbuf_printf(
				out, "%s{\"field\":{\"pos\":%d,\"name\":\"%s\"},\"processNum\":1",
				first ? "" : ",", i, info_cols[i].name);
			emit_json_tags_value(out, info_cols[i].tags, f);
			break;
		}
		if (fmt != SL_STATS_FMT_JSON)
			sl_outbuf_append(out, "\n", 1);
		first = false;
	}
	if (fmt == SL_STATS_FMT_JSON)
		sl_outbuf_append(out, "]\n", 2);
	return out->truncated ? -ENOSPC : 0;
}

int sl_stats_cmd_show_info(const struct sl_stats_info *inf, int argc, char **argv,
			   struct sl_outbuf *out)
{
	enum sl_stats_fmt fmt = SL_STATS_FMT_CSV;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], SL_PROTO_OPT_TYPED) == 0)
			fmt = SL_STATS_FMT_TYPED;
		else if (strcmp(argv[i], SL_PROTO_OPT_JSON) == 0)
			fmt = SL_STATS_FMT_JSON;
	}
	return sl_stats_info_render(inf, fmt, out);
}
