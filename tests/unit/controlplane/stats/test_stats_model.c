/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the statistics model (controlplane/stats/stats_model.c): the "show stat" columns and
 * CSV header of HAProxy 2.6, the rows of a configuration compared with what HAProxy 2.6.12 printed
 * for the same configuration, the typed / JSON renderers, the "show stat" filters and "show info".
 *
 * Every expected string below was captured from haproxy 2.6.12 (Debian 12) running
 * haproxy_cfg on loopback, through its stats socket, right after startup.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controlplane/cfg/cfg.h"
#include "proto/outbuf.h"
#include "controlplane/stats/stats_model.h"
#include "controlplane/stats/stats_proto.h"
#include "tests/unit/sl_test.h"

/* ---------------------------------------------------------------- what HAProxy 2.6 printed */

/* "show stat", first line. */
static const char haproxy_csv_header[] =
	"# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,"
	"wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,"
	"sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,"
	"check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,"
	"req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,"
	"lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,"
	"agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,"
	"agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,"
	"intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,"
	"qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,"
	"used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,"
	"agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,"
	"h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,"
	"h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,"
	"h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,"
	"h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,"
	"h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,"
	"h1_spliced_bytes_out,\n";

/* The configuration (aa_dummy exists only so that HAProxy's first health check hits it, not
 * be_web: HAProxy checks the first server at once, the others spread over "inter"). */
static const char haproxy_cfg[] = "global\n"
				  "    maxconn 2000\n"
				  "    stats socket /tmp/hxt/admin.sock mode 600 level admin\n"
				  "defaults\n"
				  "    mode http\n"
				  "    timeout connect 5s\n"
				  "    timeout client 5s\n"
				  "    timeout server 5s\n"
				  "frontend fe_http\n"
				  "    bind 127.0.0.1:48080\n"
				  "    default_backend be_web\n"
				  "frontend rtmp_lb\n"
				  "    bind 127.0.0.1:41935\n"
				  "    mode tcp\n"
				  "    maxconn 500\n"
				  "    default_backend backend_rtmp\n"
				  "    use_backend be_bck if { dst_port 41936 }\n"
				  "    use_backend be_bck if { dst_port 41937 }\n"
				  "backend aa_dummy\n"
				  "    server z1 127.0.0.1:48099 check inter 1h\n"
				  "backend be_web\n"
				  "    balance roundrobin\n"
				  "    cookie SRV insert indirect nocache\n"
				  "    server web1 127.0.0.1:48081 check inter 1h cookie w1 weight "
				  "10 maxconn 100 maxqueue 20\n"
				  "    server web2 127.0.0.1:48082 cookie w2\n"
				  "    server web3 127.0.0.1:48083 check inter 1h backup\n"
				  "    server web4 127.0.0.1:48084 disabled\n"
				  "    server web5 127.0.0.1:48085 check inter 1h disabled\n"
				  "    server web6 ::1:48086 check inter 1h fall 1 rise 3\n"
				  "backend backend_rtmp\n"
				  "    mode tcp\n"
				  "    balance leastconn\n"
				  "    fullconn 300\n"
				  "    server ams1 127.0.0.1:41936 check rise 3 fall 2 inter 1h\n"
				  "    server ams2 127.0.0.1:41937 check inter 1h backup weight 5\n"
				  "    server ams3 127.0.0.1:41938 backup weight 9\n"
				  "listen stats\n"
				  "    bind 127.0.0.1:46080\n"
				  "    stats enable\n"
				  "    stats uri /st\n"
				  "backend be_down\n"
				  "    balance source\n"
				  "    server d1 127.0.0.1:48090 disabled\n"
				  "backend be_bck\n"
				  "    mode tcp\n"
				  "    server b1 127.0.0.1:48091 disabled\n"
				  "    server b2 127.0.0.1:48092 backup weight 3\n"
				  "    server b3 127.0.0.1:48093 backup weight 4\n"
				  "backend be_empty\n"
				  "    mode tcp\n";

/* "show stat": every row, in order (NULL: a row whose state changed before the capture). */
static const char *const haproxy_rows[] = {
	"fe_http,FRONTEND,,,0,0,2000,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,,,,0,0,0,"
	"0,0,0,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,0,0,0,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,"
	",-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	"rtmp_lb,FRONTEND,,,0,0,500,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,3,0,,,,0,0,0,0,,,,,,,,,,,"
	"0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,tcp,,0,0,0,,0,0,0,,,,,,,,,,,0,,,,,,,,,-,0,0,0,0,"
	"0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	NULL, /* z1: checked before the capture */
	NULL, /* BACKEND: checked before the capture */
	"be_web,web1,0,0,0,0,100,0,0,0,,0,,0,0,0,0,UP 1/3,10,1,0,0,0,0,0,20,1,5,1,,0,,2,0,,0,"
	"INI,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Initializing,,2,3,2,,,,"
	"127.0.0.1:48081,w1,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,10,,,,-,0,0,0,,,,,,,,,,,"
	",,,,,,,,,,,",
	"be_web,web2,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,1,0,,,0,,,1,5,2,,0,,2,0,,0,,,,0,0,"
	"0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:48082,w2,http,,,,,,,,0,0,0,,,"
	"0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_web,web3,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/3,1,0,1,0,0,0,0,,1,5,3,,0,,2,0,,0,INI,,,"
	"0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Initializing,,2,3,2,,,,127.0.0.1:48083,,"
	"http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_web,web4,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,,,0,,,1,5,4,,0,,2,0,,0,,,,0,0,0,"
	"0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:48084,,http,,,,,,,,0,0,0,,,0,,"
	"0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_web,web5,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,0,0,0,0,,1,5,5,,0,,2,0,,0,,,,0,0,"
	"0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:48085,,http,,,,,,,,0,0,0,,,0,"
	",0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_web,web6,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,0,0,,1,5,6,,0,,2,0,,0,INI,,,0,0,"
	"0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,Initializing,,3,1,3,,,,[::1]:48086,,http,,,,,,,"
	",0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_web,BACKEND,0,0,0,0,200,0,0,0,0,0,,0,0,0,0,UP,12,3,1,,0,0,0,,1,5,0,,0,,1,0,,0,,,,"
	"0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,SRV,http,roundrobin,,,,,,,0,0,"
	"0,0,0,,,0,0,0,0,0,,,,,12,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	"backend_rtmp,ams1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/2,1,1,0,0,0,0,0,,1,6,1,,0,,2,0,,0,"
	"INI,,,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,Initializing,,3,2,3,,,,127.0.0.1:41936,,tcp,"
	",,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"backend_rtmp,ams2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP 1/3,5,0,1,0,0,0,0,,1,6,2,,0,,2,0,,0,"
	"INI,,,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,Initializing,,2,3,2,,,,127.0.0.1:41937,,tcp,"
	",,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,5,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"backend_rtmp,ams3,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,9,0,1,,,0,,,1,6,3,,0,,2,0,,0,,"
	",,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:41938,,tcp,,,,,,,,0,0,0,,,0,,"
	"0,0,0,0,0,0,0,0,0,9,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"backend_rtmp,BACKEND,0,0,0,0,300,0,0,0,0,0,,0,0,0,0,UP,1,1,2,,0,0,0,,1,6,0,,0,,1,0,,"
	"0,,,,,,,,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,leastconn,,,,,,,0,0,0,,,,,"
	"0,0,0,0,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	"stats,FRONTEND,,,0,0,2000,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,7,0,,,,0,0,0,0,,,,0,0,0,0,"
	"0,0,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,0,0,0,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,"
	"-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	"stats,BACKEND,0,0,0,0,200,0,0,0,0,0,,0,0,0,0,UP,0,0,0,,0,0,,,1,7,0,,0,,1,0,,0,,,,0,"
	"0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,0,0,0,"
	"0,,,0,0,0,0,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	"be_down,d1,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,,,0,,,1,8,1,,0,,2,0,,0,,,,0,0,0,0,"
	"0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:48090,,http,,,,,,,,0,0,0,,,0,,0,"
	"0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_down,BACKEND,0,0,0,0,1,0,0,0,0,0,,0,0,0,0,DOWN,0,0,0,,0,0,0,,1,8,0,,0,,1,0,,0,,,,"
	"0,0,0,0,0,0,,,,0,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,http,source,,,,,,,0,0,0,0,0,,"
	",0,0,0,0,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	"be_bck,b1,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,,,0,,,1,9,1,,0,,2,0,,0,,,,,,,,,,,,,"
	",0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:48091,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,"
	"0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_bck,b2,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,3,0,1,,,0,,,1,9,2,,0,,2,0,,0,,,,,,,,,,"
	",,,,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:48092,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,"
	"0,0,0,0,0,3,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_bck,b3,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,4,0,1,,,0,,,1,9,3,,0,,2,0,,0,,,,,,,,,,"
	",,,,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:48093,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,"
	"0,0,0,0,0,4,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
	"be_bck,BACKEND,0,0,0,0,50,0,0,0,0,0,,0,0,0,0,UP,3,0,2,,0,0,0,,1,9,0,,0,,1,0,,0,,,,,,"
	",,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,roundrobin,,,,,,,0,0,0,,,,,0,0,0,"
	"0,0,,,,,3,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
	"be_empty,BACKEND,0,0,0,0,1,0,0,0,0,0,,0,0,0,0,UP,0,0,0,,0,0,,,1,10,0,,0,,1,0,,0,,,,,"
	",,,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,roundrobin,,,,,,,0,0,0,,,,,0,0,0,"
	"0,0,,,,,0,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
};

/* "show stat typed": the lines of server be_web/web2. */
static const char haproxy_typed_web2[] = "S.5.2.0.pxname.1:KNS:str:be_web\n"
					 "S.5.2.1.svname.1:KNS:str:web2\n"
					 "S.5.2.2.qcur.1:MGP:u32:0\n"
					 "S.5.2.3.qmax.1:MMP:u32:0\n"
					 "S.5.2.4.scur.1:MGP:u32:0\n"
					 "S.5.2.5.smax.1:MMP:u32:0\n"
					 "S.5.2.7.stot.1:MCP:u64:0\n"
					 "S.5.2.8.bin.1:MCP:u64:0\n"
					 "S.5.2.9.bout.1:MCP:u64:0\n"
					 "S.5.2.11.dresp.1:MCP:u64:0\n"
					 "S.5.2.13.econ.1:MCP:u64:0\n"
					 "S.5.2.14.eresp.1:MCP:u64:0\n"
					 "S.5.2.15.wretr.1:MCP:u64:0\n"
					 "S.5.2.16.wredis.1:MCP:u64:0\n"
					 "S.5.2.17.status.1:SGP:str:no check\n"
					 "S.5.2.18.weight.1:MaP:u32:1\n"
					 "S.5.2.19.act.1:SGP:u32:1\n"
					 "S.5.2.20.bck.1:SGP:u32:0\n"
					 "S.5.2.23.lastchg.1:MAP:u32:0\n"
					 "S.5.2.26.pid.1:KGP:u32:1\n"
					 "S.5.2.27.iid.1:KGS:u32:5\n"
					 "S.5.2.28.sid.1:KGS:u32:2\n"
					 "S.5.2.30.lbtot.1:MCP:u64:0\n"
					 "S.5.2.32.type.1:CGS:u32:2\n"
					 "S.5.2.33.rate.1:MRP:u32:0\n"
					 "S.5.2.35.rate_max.1:MMP:u32:0\n"
					 "S.5.2.39.hrsp_1xx.1:MCP:u64:0\n"
					 "S.5.2.40.hrsp_2xx.1:MCP:u64:0\n"
					 "S.5.2.41.hrsp_3xx.1:MCP:u64:0\n"
					 "S.5.2.42.hrsp_4xx.1:MCP:u64:0\n"
					 "S.5.2.43.hrsp_5xx.1:MCP:u64:0\n"
					 "S.5.2.44.hrsp_other.1:MCP:u64:0\n"
					 "S.5.2.48.req_tot.1:MCP:u64:0\n"
					 "S.5.2.49.cli_abrt.1:MCP:u64:0\n"
					 "S.5.2.50.srv_abrt.1:MCP:u64:0\n"
					 "S.5.2.55.lastsess.1:MAP:s32:-1\n"
					 "S.5.2.58.qtime.1:MaP:u32:0\n"
					 "S.5.2.59.ctime.1:MaP:u32:0\n"
					 "S.5.2.60.rtime.1:MaP:u32:0\n"
					 "S.5.2.61.ttime.1:MaP:u32:0\n"
					 "S.5.2.73.addr.1:CGS:str:127.0.0.1:48082\n"
					 "S.5.2.74.cookie.1:CNS:str:w2\n"
					 "S.5.2.75.mode.1:CGS:str:http\n"
					 "S.5.2.83.wrew.1:MCP:u64:0\n"
					 "S.5.2.84.connect.1:MCP:u64:0\n"
					 "S.5.2.85.reuse.1:MCP:u64:0\n"
					 "S.5.2.88.srv_icur.1:MGP:u32:0\n"
					 "S.5.2.90.qtime_max.1:MMP:u32:0\n"
					 "S.5.2.91.ctime_max.1:MMP:u32:0\n"
					 "S.5.2.92.rtime_max.1:MMP:u32:0\n"
					 "S.5.2.93.ttime_max.1:MMP:u32:0\n"
					 "S.5.2.94.eint.1:MCP:u64:0\n"
					 "S.5.2.95.idle_conn_cur.1:MGP:u32:0\n"
					 "S.5.2.96.safe_conn_cur.1:MGP:u32:0\n"
					 "S.5.2.97.used_conn_cur.1:MGP:u32:0\n"
					 "S.5.2.98.need_conn_est.1:MGP:u32:0\n"
					 "S.5.2.99.uweight.1:MaP:u32:1\n"
					 "S.5.2.103.ssl_sess.1:MCP:u64:0\n"
					 "S.5.2.104.ssl_reused_sess.1:MCP:u64:0\n"
					 "S.5.2.105.ssl_failed_handshake.1:MCP:u64:0\n";

/* "show stat up" and "show stat no-maint": pxname,svname,status of each row (aa_dummy left out). */
static const char haproxy_up[] = "fe_http,FRONTEND,OPEN\n"
				 "rtmp_lb,FRONTEND,OPEN\n"
				 "be_web,web1,UP 1/3\n"
				 "be_web,web2,no check\n"
				 "be_web,web3,UP 1/3\n"
				 "be_web,web6,UP\n"
				 "be_web,BACKEND,UP (4/6)\n"
				 "backend_rtmp,ams1,UP 1/2\n"
				 "backend_rtmp,ams2,UP 1/3\n"
				 "backend_rtmp,ams3,no check\n"
				 "backend_rtmp,BACKEND,UP (3/3)\n"
				 "stats,FRONTEND,OPEN\n"
				 "stats,BACKEND,UP (0/0)\n"
				 "be_down,BACKEND,DOWN (0/1)\n"
				 "be_bck,b2,no check\n"
				 "be_bck,b3,no check\n"
				 "be_bck,BACKEND,UP (2/3)\n"
				 "be_empty,BACKEND,UP (0/0)\n";
static const char haproxy_no_maint[] = "fe_http,FRONTEND,OPEN\n"
				       "rtmp_lb,FRONTEND,OPEN\n"
				       "be_web,web1,UP 1/3\n"
				       "be_web,web2,no check\n"
				       "be_web,web3,UP 1/3\n"
				       "be_web,web6,UP\n"
				       "be_web,BACKEND,UP (4/6)\n"
				       "backend_rtmp,ams1,UP 1/2\n"
				       "backend_rtmp,ams2,UP 1/3\n"
				       "backend_rtmp,ams3,no check\n"
				       "backend_rtmp,BACKEND,UP (3/3)\n"
				       "stats,FRONTEND,OPEN\n"
				       "stats,BACKEND,UP (0/0)\n"
				       "be_down,BACKEND,DOWN (0/1)\n"
				       "be_bck,b2,no check\n"
				       "be_bck,b3,no check\n"
				       "be_bck,BACKEND,UP (2/3)\n"
				       "be_empty,BACKEND,UP (0/0)\n";

/* ---------------------------------------------------------------- helpers */

static void quiet_diag(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
		       const char *msg)
{
	int *nerr = arg;
	if (level == SL_DIAG_ERROR) {
		(*nerr)++;
		fprintf(stderr, "\n  %s:%d: %s\n", file != NULL ? file : "-", line, msg);
	}
}

static struct sl_cfg *parse(const char *text)
{
	int nerr = 0;
	struct sl_cfg_opts opts = {0};
	opts.no_dataplane_ok = true;
	opts.diag_fn = quiet_diag;
	opts.diag_arg = &nerr;
	struct sl_cfg_text t = {"t.cfg", text, strlen(text)};
	struct sl_cfg *cfg = NULL;
	int rc = sl_cfg_parse(&t, 1, &opts, &cfg);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(nerr, 0);
	return cfg;
}

static bool streq_show(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0)
		return true;
	size_t i = 0;
	while (got[i] != '\0' && got[i] == want[i])
		i++;
	fprintf(stderr, "\n  %s differs at byte %zu:\n  got:  %.*s\n  want: %.*s\n", what, i, 200,
		got + (i > 40 ? i - 40 : 0), 200, want + (i > 40 ? i - 40 : 0));
	return false;
}

/* Whether @s starts with @prefix. */
static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Runs "show stat ARGS..." on @rows (words split on spaces) into a fresh buffer. */
static void show_stat(const struct sl_stats_row *rows, size_t n, const char *args,
		      struct sl_outbuf *out)
{
	char line[256];
	char *argv[16];
	int argc = 0;
	snprintf(line, sizeof(line), "show stat %s", args);
	for (char *save = NULL, *w = strtok_r(line, " ", &save); w != NULL && argc < 15;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	sl_outbuf_init(out, 0);
	CU_ASSERT_EQUAL(sl_stats_cmd_show_stat(rows, n, argc, argv, out), 0);
}

/* Reduces a CSV dump to "pxname,svname,status\n" lines, leaving out the proxy @skip. */
static char *csv_triples(const char *csv, const char *skip)
{
	char *res = calloc(1, strlen(csv) + 1);
	char *copy = strdup(csv);
	char *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '#' ||
		    (skip != NULL && strncmp(l, skip, strlen(skip)) == 0 && l[strlen(skip)] == ','))
			continue;
		char *f[20];
		int n = 0;
		for (char *p = l; n < 20; n++) {
			f[n] = p;
			p = strchr(p, ',');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (n >= 17) {
			strcat(res, f[0]);
			strcat(res, ",");
			strcat(res, f[1]);
			strcat(res, ",");
			strcat(res, f[17]);
			strcat(res, "\n");
		}
	}
	free(copy);
	return res;
}

/* ---------------------------------------------------------------- columns */

static void test_csv_header(void)
{
	CU_ASSERT(streq_show(SL_PROTO_CSV_HEADER, haproxy_csv_header, "SL_PROTO_CSV_HEADER"));

	/* The header is also exactly the column table: names in order, "-" after the standard
	 * ones. */
	char built[4096] = "# ";
	for (int c = 0; c < SL_ST_NFIELDS; c++) {
		if (c == SL_ST_NSTD)
			strcat(built, "-,");
		strcat(built, sl_stats_col_name(c));
		strcat(built, ",");
	}
	strcat(built, "\n");
	CU_ASSERT(streq_show(built, haproxy_csv_header, "header from the column table"));

	/* And the renderer prints it, even without rows. */
	struct sl_outbuf out;
	sl_outbuf_init(&out, 0);
	CU_ASSERT_EQUAL(sl_stats_render_csv(NULL, 0, &out), 0);
	CU_ASSERT(streq_show(sl_outbuf_data(&out), haproxy_csv_header, "empty CSV"));
	sl_outbuf_free(&out);
}

static void test_columns(void)
{
	CU_ASSERT_EQUAL(SL_ST_NFIELDS, 127);
	CU_ASSERT_EQUAL(SL_ST_NSTD, 103);
	CU_ASSERT_EQUAL(SL_ST_STATUS, 17);
	CU_ASSERT_EQUAL(SL_ST_CHECK_STATUS, 36);
	CU_ASSERT_EQUAL(SL_ST_ADDR, 73);
	CU_ASSERT_EQUAL(SL_ST_SSL_SESS, 103);
	CU_ASSERT_EQUAL(sl_stats_col_by_name("scur"), SL_ST_SCUR);
	CU_ASSERT_EQUAL(sl_stats_col_by_name("h1_spliced_bytes_out"), SL_ST_NFIELDS - 1);
	CU_ASSERT_EQUAL(sl_stats_col_by_name("-"), -1);
	CU_ASSERT_PTR_NULL(sl_stats_col_name(SL_ST_NFIELDS));
	CU_ASSERT_EQUAL(sl_stats_col_type(SL_ST_STOT), SL_FT_U64);
	CU_ASSERT_EQUAL(sl_stats_col_type(SL_ST_SCUR), SL_FT_U32);
	CU_ASSERT_EQUAL(sl_stats_col_type(SL_ST_LASTSESS), SL_FT_S32);
	CU_ASSERT_STRING_EQUAL(sl_stats_col_tags(SL_ST_ACT, SL_STATS_SRV), "SGP");
	CU_ASSERT_STRING_EQUAL(sl_stats_col_tags(SL_ST_ACT, SL_STATS_BE), "MGP");
	CU_ASSERT_STRING_EQUAL(sl_stats_col_tags(SL_ST_RATE, SL_STATS_FE), "MRP");
	CU_ASSERT_STRING_EQUAL(sl_stats_col_tags(SL_ST_RATE, SL_STATS_BE), "MGP");
	CU_ASSERT_STRING_EQUAL(sl_stats_col_tags(-1, SL_STATS_BE), "???");
}

/* ---------------------------------------------------------------- rows of a configuration */

static void test_rows_from_cfg_match_haproxy(void)
{
	struct sl_cfg *cfg = parse(haproxy_cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_stats_row *rows = NULL;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(sl_stats_rows_from_cfg(cfg, &rows, &n), 0);
	size_t want_n = sizeof(haproxy_rows) / sizeof(haproxy_rows[0]);
	CU_ASSERT_EQUAL(n, want_n);

	struct sl_outbuf out;
	sl_outbuf_init(&out, 0);
	CU_ASSERT_EQUAL(sl_stats_render_csv(rows, n, &out), (int)n);
	char *csv = strdup(sl_outbuf_data(&out));
	char *save = NULL;
	char *line = strtok_r(csv, "\n", &save);
	CU_ASSERT(line != NULL && strncmp(line, "# pxname,", 9) == 0);
	for (size_t i = 0; i < want_n; i++) {
		line = strtok_r(NULL, "\n", &save);
		CU_ASSERT_PTR_NOT_NULL_FATAL(line);
		if (haproxy_rows[i] == NULL)
			continue;
		char what[64];
		snprintf(what, sizeof(what), "row %zu", i);
		CU_ASSERT(streq_show(line, haproxy_rows[i], what));
	}
	CU_ASSERT_PTR_NULL(strtok_r(NULL, "\n", &save));
	free(csv);

	/* The same rows through the "show stat" command of a configuration. */
	sl_outbuf_reset(&out);
	char *argv[] = {"show", "stat", NULL};
	CU_ASSERT_EQUAL(sl_stats_show_stat(cfg, 2, argv, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_outbuf_data(&out), haproxy_rows[5]));

	sl_outbuf_free(&out);
	sl_stats_rows_free(rows, n);
	sl_cfg_free(cfg);
}

static void test_rows_iid_without_socket(void)
{
	/* Without a stats socket HAProxy has no CLI proxy: ids start at 1. */
	struct sl_cfg *cfg = parse("defaults\n  mode tcp\n  timeout connect 1s\n"
				   "  timeout client 1s\n  timeout server 1s\n"
				   "listen l\n  bind :80\n  server s 10.0.0.1:80 weight 0\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_stats_row *rows = NULL;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(sl_stats_rows_from_cfg(cfg, &rows, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(rows[0].obj, SL_STATS_FE);
	CU_ASSERT_EQUAL(rows[1].obj, SL_STATS_SRV);
	CU_ASSERT_EQUAL(rows[2].obj, SL_STATS_BE);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(sl_stats_get_u(&rows[i], SL_ST_IID), 1);
	/* A listen counts its own maxconn for fullconn: (2000 + 9) / 10. */
	CU_ASSERT_EQUAL(sl_stats_get_u(&rows[2], SL_ST_SLIM), 200);
	/* A weight-0 server takes no traffic: the backend is DOWN. */
	CU_ASSERT_STRING_EQUAL(sl_stats_get_str(&rows[2], SL_ST_STATUS), "DOWN");
	CU_ASSERT_EQUAL(sl_stats_get_u(&rows[2], SL_ST_ACT), 0);
	CU_ASSERT_STRING_EQUAL(sl_stats_get_str(&rows[1], SL_ST_ADDR), "10.0.0.1:80");
	CU_ASSERT_STRING_EQUAL(sl_stats_get_str(&rows[1], SL_ST_MODE), "tcp");
	sl_stats_rows_free(rows, n);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- updating and rendering */

static void test_set_fields(void)
{
	struct sl_stats_row r;
	sl_stats_row_init(&r, SL_STATS_SRV);
	CU_ASSERT_EQUAL(r.f[SL_ST_TYPE].type, SL_FT_U32);
	CU_ASSERT_EQUAL(sl_stats_get_u(&r, SL_ST_TYPE), 2);
	CU_ASSERT_EQUAL(r.f[SL_ST_SCUR].type, SL_FT_EMPTY);

	CU_ASSERT_EQUAL(sl_stats_set_u(&r, SL_ST_SCUR, 42), 0);
	CU_ASSERT_EQUAL(r.f[SL_ST_SCUR].type, SL_FT_U32);
	CU_ASSERT_EQUAL(sl_stats_set_u(&r, SL_ST_SCUR, UINT64_MAX), 0); /* saturates */
	CU_ASSERT_EQUAL(sl_stats_get_u(&r, SL_ST_SCUR), UINT32_MAX);
	CU_ASSERT_EQUAL(sl_stats_set_u(&r, SL_ST_BIN, UINT64_MAX), 0);
	CU_ASSERT_EQUAL(sl_stats_get_u(&r, SL_ST_BIN), UINT64_MAX);
	CU_ASSERT_EQUAL(sl_stats_set_s(&r, SL_ST_LASTSESS, -1), 0);
	CU_ASSERT_EQUAL(r.f[SL_ST_LASTSESS].type, SL_FT_S32);
	CU_ASSERT_EQUAL(sl_stats_set_s(&r, SL_ST_SCUR, -1), -EINVAL);
	CU_ASSERT_EQUAL(sl_stats_set_u(&r, SL_ST_STATUS, 1), -EINVAL);
	CU_ASSERT_EQUAL(sl_stats_set_str(&r, SL_ST_SCUR, "x"), -EINVAL);
	CU_ASSERT_EQUAL(sl_stats_set_u(&r, SL_ST_NFIELDS, 1), -EINVAL);
	CU_ASSERT_EQUAL(sl_stats_set_u(&r, -1, 1), -EINVAL);

	CU_ASSERT_EQUAL(sl_stats_set_str(&r, SL_ST_STATUS, "UP"), 0);
	/* Setting a string to itself is safe. */
	CU_ASSERT_EQUAL(sl_stats_set_str(&r, SL_ST_STATUS, sl_stats_get_str(&r, SL_ST_STATUS)), 0);
	CU_ASSERT_STRING_EQUAL(sl_stats_get_str(&r, SL_ST_STATUS), "UP");
	CU_ASSERT_PTR_NULL(sl_stats_get_str(&r, SL_ST_SCUR));
	sl_stats_set_empty(&r, SL_ST_STATUS);
	CU_ASSERT_PTR_NULL(sl_stats_get_str(&r, SL_ST_STATUS));
	CU_ASSERT_EQUAL(sl_stats_set_str(&r, SL_ST_CHECK_DESC, "Layer7 \"wrong\", status\nx"), 0);
	CU_ASSERT_EQUAL(sl_stats_set_str(&r, SL_ST_PXNAME, "be"), 0);

	struct sl_outbuf out;
	sl_outbuf_init(&out, 0);
	CU_ASSERT_EQUAL(sl_stats_render_csv(&r, 1, &out), 1);
	/* CSV: quoted, "" for a quote, no line break inside a row. */
	CU_ASSERT_PTR_NOT_NULL(
		strstr(sl_outbuf_data(&out), ",\"Layer7 \"\"wrong\"\", status x\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_outbuf_data(&out), "\nbe,,,,4294967295,"));
	sl_outbuf_reset(&out);
	CU_ASSERT_EQUAL(sl_stats_render(&r, 1, SL_STATS_FMT_JSON, NULL, &out), 1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(sl_outbuf_data(&out),
		       "\"value\":{\"type\":\"str\",\"value\":\"Layer7 \\\"wrong\\\", "
		       "status\\u000ax\"}}"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(sl_outbuf_data(&out),
		       "\"value\":{\"type\":\"u64\",\"value\":18446744073709551615}"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(sl_outbuf_data(&out), "\"value\":{\"type\":\"s32\",\"value\":-1}"));
	sl_outbuf_reset(&out);
	CU_ASSERT_EQUAL(sl_stats_render(&r, 1, SL_STATS_FMT_TYPED, NULL, &out), 1);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(sl_outbuf_data(&out),
		       "S.0.0.65.check_desc.1:MOP:str:Layer7 \"wrong\", status x\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_outbuf_data(&out), "S.0.0.55.lastsess.1:MAP:s32:-1\n"));
	sl_outbuf_free(&out);
	sl_stats_row_clear(&r);
	CU_ASSERT_EQUAL(r.f[SL_ST_PXNAME].type, SL_FT_EMPTY);
	CU_ASSERT_EQUAL(sl_stats_get_u(&r, SL_ST_TYPE), 2);
}

static void test_counters_after_build(void)
{
	struct sl_cfg *cfg = parse(haproxy_cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_stats_row *rows = NULL;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(sl_stats_rows_from_cfg(cfg, &rows, &n), 0);

	/* The dataplane fills counters of any row after the build. */
	struct sl_stats_row *r = sl_stats_find(rows, n, "be_web", "web2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NULL(sl_stats_find(rows, n, "be_web", "nope"));
	CU_ASSERT_EQUAL(sl_stats_set_u(r, SL_ST_SCUR, 7), 0);
	CU_ASSERT_EQUAL(sl_stats_set_u(r, SL_ST_STOT, 123456789012ull), 0);
	CU_ASSERT_EQUAL(sl_stats_set_str(r, SL_ST_STATUS, "DOWN"), 0);
	CU_ASSERT_EQUAL(sl_stats_set_str(r, SL_ST_LAST_CHK, "Connection refused"), 0);
	struct sl_outbuf out;
	show_stat(rows, n, "be_web 4 2", &out);
	CU_ASSERT(streq_show(
		sl_outbuf_data(&out),
		SL_PROTO_CSV_HEADER
		"be_web,web2,0,0,7,0,,123456789012,0,0,,0,,0,0,0,0,DOWN,1,1,0,,,0,,,1,5,2,,0,,"
		"2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,,,,,,,,,"
		"127.0.0.1:48082,w2,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,"
		",,,,,,,,,,,,,,,,\n",
		"filtered CSV"));
	sl_outbuf_free(&out);
	sl_stats_rows_free(rows, n);
	sl_cfg_free(cfg);
}

static void test_typed_and_json(void)
{
	struct sl_cfg *cfg = parse(haproxy_cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_stats_row *rows = NULL;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(sl_stats_rows_from_cfg(cfg, &rows, &n), 0);
	struct sl_outbuf out;

	/* typed: byte for byte what HAProxy printed for web2 (iid 5, sid 2). */
	show_stat(rows, n, "5 4 2 typed", &out);
	CU_ASSERT(streq_show(sl_outbuf_data(&out), haproxy_typed_web2, "typed web2"));
	sl_outbuf_free(&out);

	/* The whole typed dump: every line well formed, the FRONTEND first. */
	show_stat(rows, n, "typed", &out);
	CU_ASSERT(strncmp(sl_outbuf_data(&out),
			  "F.2.0.0.pxname.1:KNS:str:fe_http\n"
			  "F.2.0.1.svname.1:KNS:str:FRONTEND\n"
			  "F.2.0.4.scur.1:MGP:u32:0\n",
			  strlen("F.2.0.0.pxname.1:KNS:str:fe_http\n"
				 "F.2.0.1.svname.1:KNS:str:FRONTEND\n"
				 "F.2.0.4.scur.1:MGP:u32:0\n")) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_outbuf_data(&out), "B.5.0.19.act.1:MGP:u32:3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_outbuf_data(&out), "B.5.0.18.weight.1:MaP:u32:12\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_outbuf_data(&out), "F.2.0.103.ssl_sess.1:MCP:u64:0\n"));
	sl_outbuf_free(&out);

	/* JSON: HAProxy's layout ("[[{...},...],[...]]\n"), objects as HAProxy 2.6 prints them. */
	show_stat(rows, n, "json", &out);
	const char *j = sl_outbuf_data(&out);
	CU_ASSERT(has_prefix(
		j, "[[{\"objType\":\"Frontend\",\"proxyId\":2,\"id\":0,\"field\":{\"pos\":0,"
		   "\"name\":\"pxname\"},\"processNum\":1,\"tags\":{\"origin\":\"Key\","
		   "\"nature\":\"Name\",\"scope\":\"Service\"},\"value\":{\"type\":\"str\","
		   "\"value\":\"fe_http\"}},"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		j,
		"{\"objType\":\"Server\",\"proxyId\":5,\"id\":2,\"field\":{\"pos\":17,\"name\":"
		"\"status\"},\"processNum\":1,\"tags\":{\"origin\":\"Status\",\"nature\":\"Gauge\","
		"\"scope\":\"Process\"},\"value\":{\"type\":\"str\",\"value\":\"no check\"}}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		j,
		"},{\"objType\":\"Server\",\"proxyId\":5,\"id\":2,\"field\":{\"pos\":105,\"name\":"
		"\"ssl_failed_handshake\"},\"processNum\":1,\"tags\":{\"origin\":\"Metric\","
		"\"nature\":\"Counter\",\"scope\":\"Process\"},\"value\":{\"type\":\"u64\","
		"\"value\":0}}],[{\"objType\":\"Server\",\"proxyId\":5,\"id\":3,"));
	size_t len = strlen(j);
	CU_ASSERT(len > 4 && strcmp(j + len - 4, "}}]]") != 0 &&
		  strcmp(j + len - 5, "}}]]\n") == 0);
	/* One array per row. */
	int arrays = 0;
	for (const char *p = j; (p = strstr(p, "[{\"objType\"")) != NULL; p++)
		arrays++;
	CU_ASSERT_EQUAL(arrays, (int)n);
	sl_outbuf_free(&out);

	/* No rows: an empty array. */
	sl_outbuf_init(&out, 0);
	CU_ASSERT_EQUAL(sl_stats_render(rows, 0, SL_STATS_FMT_JSON, NULL, &out), 0);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&out), "[]\n");
	sl_outbuf_free(&out);

	sl_stats_rows_free(rows, n);
	sl_cfg_free(cfg);
}

static void test_show_stat_filters(void)
{
	struct sl_cfg *cfg = parse(haproxy_cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_stats_row *rows = NULL;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(sl_stats_rows_from_cfg(cfg, &rows, &n), 0);
	struct sl_outbuf out;
	char *t;

	show_stat(rows, n, "up", &out);
	t = csv_triples(sl_outbuf_data(&out), "aa_dummy");
	CU_ASSERT(streq_show(t, haproxy_up, "show stat up"));
	free(t);
	sl_outbuf_free(&out);

	show_stat(rows, n, "no-maint", &out);
	t = csv_triples(sl_outbuf_data(&out), "aa_dummy");
	CU_ASSERT(streq_show(t, haproxy_no_maint, "show stat no-maint"));
	free(t);
	sl_outbuf_free(&out);

	/* <iid> <type> <sid>: by number or by name; the sid only filters servers. */
	show_stat(rows, n, "-1 4 2", &out);
	t = csv_triples(sl_outbuf_data(&out), NULL);
	CU_ASSERT(streq_show(t,
			     "be_web,web2,no check\nbackend_rtmp,ams2,UP 1/3\nbe_bck,b2,no check\n",
			     "-1 4 2"));
	free(t);
	sl_outbuf_free(&out);

	show_stat(rows, n, "backend_rtmp 2 -1", &out);
	t = csv_triples(sl_outbuf_data(&out), NULL);
	CU_ASSERT(streq_show(t, "backend_rtmp,BACKEND,UP\n", "backend_rtmp 2 -1"));
	free(t);
	sl_outbuf_free(&out);

	show_stat(rows, n, "7 -1 1", &out);
	t = csv_triples(sl_outbuf_data(&out), NULL);
	CU_ASSERT(streq_show(t, "stats,FRONTEND,OPEN\nstats,BACKEND,UP\n", "7 -1 1"));
	free(t);
	sl_outbuf_free(&out);

	/* Fewer than three words: no filter (HAProxy ignores them). */
	show_stat(rows, n, "5", &out);
	t = csv_triples(sl_outbuf_data(&out), NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "fe_http,FRONTEND"));
	free(t);
	sl_outbuf_free(&out);

	/* An unknown proxy. */
	show_stat(rows, n, "nosuch -1 -1", &out);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&out), "No such proxy.\n");
	sl_outbuf_free(&out);

	/* A proxy id that does not exist: just the header. */
	show_stat(rows, n, "99 -1 -1", &out);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&out), SL_PROTO_CSV_HEADER);
	sl_outbuf_free(&out);

	/* The last format word wins. */
	show_stat(rows, n, "json typed", &out);
	CU_ASSERT(strncmp(sl_outbuf_data(&out), "F.2.0.0.pxname", 14) == 0);
	sl_outbuf_free(&out);

	sl_stats_rows_free(rows, n);
	sl_cfg_free(cfg);
}

static void test_render_cap(void)
{
	struct sl_cfg *cfg = parse(haproxy_cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	struct sl_stats_row *rows = NULL;
	size_t n = 0;
	CU_ASSERT_EQUAL_FATAL(sl_stats_rows_from_cfg(cfg, &rows, &n), 0);
	struct sl_outbuf out;
	sl_outbuf_init(&out, 2000);
	CU_ASSERT_EQUAL(sl_stats_render(rows, n, SL_STATS_FMT_JSON, NULL, &out), -ENOSPC);
	CU_ASSERT_EQUAL(sl_outbuf_len(&out), 2000);
	sl_outbuf_free(&out);
	sl_stats_rows_free(rows, n);
	sl_cfg_free(cfg);
}

/* ---------------------------------------------------------------- show info */

static void test_show_info(void)
{
	struct sl_stats_info inf;
	sl_stats_info_init(&inf);
	CU_ASSERT_STRING_EQUAL(sl_stats_info_name(SL_INF_CURR_CONNS), "CurrConns");
	CU_ASSERT_STRING_EQUAL(sl_stats_info_name(SL_INF_UNSTOPPABLE_JOBS), "Unstoppable Jobs");
	CU_ASSERT_EQUAL(SL_INF_TAINTED, 71);
	CU_ASSERT_EQUAL(sl_stats_info_set_str(&inf, SL_INF_NAME, "HAProxy"), 0);
	CU_ASSERT_EQUAL(sl_stats_info_set_str(&inf, SL_INF_VERSION, "2.6.12-1+deb12u4"), 0);
	CU_ASSERT_EQUAL(sl_stats_info_set_u(&inf, SL_INF_UPTIME_SEC, 40), 0);
	CU_ASSERT_EQUAL(sl_stats_info_set_u(&inf, SL_INF_POOL_ALLOC_BYTES, 107712), 0);
	CU_ASSERT_EQUAL(sl_stats_info_set_str(&inf, SL_INF_TAINTED, "0"), 0);
	CU_ASSERT_EQUAL(sl_stats_info_set_u(&inf, SL_INF_NAME, 1), -EINVAL);
	CU_ASSERT_EQUAL(sl_stats_info_set_u(&inf, SL_INF_NFIELDS, 1), -EINVAL);

	struct sl_outbuf out;
	char *argv[] = {"show", "info", "typed", NULL};
	sl_outbuf_init(&out, 0);
	CU_ASSERT_EQUAL(sl_stats_cmd_show_info(&inf, 2, argv, &out), 0);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&out), "Name: HAProxy\n"
						     "Version: 2.6.12-1+deb12u4\n"
						     "Uptime_sec: 40\n"
						     "PoolAlloc_bytes: 107712\n"
						     "Tainted: 0\n");
	sl_outbuf_reset(&out);
	CU_ASSERT_EQUAL(sl_stats_cmd_show_info(&inf, 3, argv, &out), 0);
	CU_ASSERT_STRING_EQUAL(sl_outbuf_data(&out), "0.Name.1:POS:str:HAProxy\n"
						     "1.Version.1:POS:str:2.6.12-1+deb12u4\n"
						     "8.Uptime_sec.1:MDP:u32:40\n"
						     "68.PoolAlloc_bytes.1:MGP:u64:107712\n"
						     "71.Tainted.1:SGP:str:0\n");
	sl_outbuf_reset(&out);
	argv[2] = "json";
	CU_ASSERT_EQUAL(sl_stats_cmd_show_info(&inf, 3, argv, &out), 0);
	const char *j = sl_outbuf_data(&out);
	CU_ASSERT(has_prefix(j,
			     "[{\"field\":{\"pos\":0,\"name\":\"Name\"},\"processNum\":1,\"tags\":"
			     "{\"origin\":\"Product\",\"nature\":\"Output\",\"scope\":\"Service\"},"
			     "\"value\":{\"type\":\"str\",\"value\":\"HAProxy\"}},"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j,
				      ",{\"field\":{\"pos\":71,\"name\":\"Tainted\"},\"processNum\""
				      ":1,\"tags\":{\"origin\":\"Status\",\"nature\":\"Gauge\","
				      "\"scope\":\"Process\"},\"value\":{\"type\":\"str\","
				      "\"value\":\"0\"}}]\n"));
	sl_outbuf_free(&out);
	sl_stats_info_free(&inf);
	CU_ASSERT_EQUAL(inf.f[SL_INF_NAME].type, SL_FT_EMPTY);
}

static const struct sl_test_case column_cases[] = {
	{"csv_header_is_haproxy_2_6", test_csv_header},
	{"columns", test_columns},
	{NULL, NULL},
};

static const struct sl_test_case row_cases[] = {
	{"from_cfg_match_haproxy", test_rows_from_cfg_match_haproxy},
	{"iid_without_socket", test_rows_iid_without_socket},
	{"set_fields", test_set_fields},
	{"counters_after_build", test_counters_after_build},
	{NULL, NULL},
};

static const struct sl_test_case render_cases[] = {
	{"typed_and_json", test_typed_and_json},
	{"show_stat_filters", test_show_stat_filters},
	{"cap", test_render_cap},
	{"show_info", test_show_info},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {
		{"stats_columns", column_cases},
		{"stats_rows", row_cases},
		{"stats_render", render_cases},
		{NULL, NULL},
	};
	return sl_test_run(suites);
}
