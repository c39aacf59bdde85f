/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration model: what sluiced understood of haproxy.cfg + its dataplane section.
 *
 * Built by sl_cfg_parse() (controlplane/cfg/cfg.h) inside one arena; immutable once published.
 * Lists keep the order of the file (singly linked, appended at the tail): rule order matters.
 * Times are in milliseconds; 0 means "not set" where the field says so.
 * Addresses and ports are kept in host byte order.
 */
#ifndef SL_CFG_T_H
#define SL_CFG_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_arena;

/* Where a model object came from, for messages at apply time. */
struct sl_cfg_loc {
	const char *file;
	int line;
};

/* An IPv4 or IPv6 address with a prefix length (32/128 for a host). */
struct sl_cfg_net {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t plen;
	uint32_t v4;    /* host order, valid when family == AF_INET */
	uint8_t v6[16]; /* network order, valid when family == AF_INET6 */
};

/* A list of strings (e.g. ACL patterns, stats auth users). */
struct sl_cfg_str {
	struct sl_cfg_str *next;
	const char *s;
};

/* ---------------------------------------------------------------- ACLs and conditions */

enum sl_acl_fetch {
	SL_FETCH_PATH,        /* path: exact match */
	SL_FETCH_PATH_BEG,    /* path_beg: prefix */
	SL_FETCH_PATH_END,    /* path_end: suffix */
	SL_FETCH_PATH_SUB,    /* path_sub: substring */
	SL_FETCH_PATH_REG,    /* path_reg: PCRE */
	SL_FETCH_PATH_DIR,    /* path_dir: a '/'-delimited component */
	SL_FETCH_URL_BEG,     /* url_beg: request-target prefix */
	SL_FETCH_URL_REG,     /* url_reg */
	SL_FETCH_HDR,         /* hdr(name): exact value */
	SL_FETCH_HDR_BEG,     /* hdr_beg(name) */
	SL_FETCH_HDR_END,     /* hdr_end(name) */
	SL_FETCH_HDR_SUB,     /* hdr_sub(name) */
	SL_FETCH_HDR_REG,     /* hdr_reg(name) */
	SL_FETCH_HDR_CNT,     /* hdr_cnt(name): integer comparison */
	SL_FETCH_METHOD,      /* method */
	SL_FETCH_SRC,         /* src: client address in a network */
	SL_FETCH_DST_PORT,    /* dst_port: integer */
	SL_FETCH_SSL_FC,      /* ssl_fc: boolean, TLS on the client side */
	SL_FETCH_SSL_FC_SNI,  /* ssl_fc_sni: exact SNI */
	SL_FETCH_ALWAYS_TRUE, /* always_true */
	SL_FETCH_ALWAYS_FALSE,/* always_false */
	SL_FETCH_HTTP_AUTH,   /* http_auth(userlist): the Authorization header names a user of it */
	SL_FETCH_HTTP_AUTH_GROUP, /* http_auth_group(userlist) GROUP...: and the user is in one */
	SL_FETCH_STK,         /* sc_*, scN_*, src_*: a stick counter's value (acl->stk) */
	SL_FETCH_DST,         /* dst: the address the client connected to, in a network */
	SL_FETCH_SRC_PORT,    /* src_port: integer */
	/* the client's first bytes (tcp-request content and use_backend of a mode tcp frontend;
	 * proto/tls_hello.h): */
	SL_FETCH_REQ_LEN,     /* req.len: bytes received so far */
	SL_FETCH_REQ_SSL_HELLO_TYPE, /* req.ssl_hello_type: the first record's handshake type */
	SL_FETCH_REQ_SSL_VER, /* req.ssl_ver: its record version, major << 16 | minor */
	SL_FETCH_REQ_SSL_SNI, /* req.ssl_sni: the ClientHello's server name */
	/* the client's TLS certificate (bind verify optional|required): */
	SL_FETCH_SSL_C_USED,  /* ssl_c_used: boolean */
	SL_FETCH_SSL_FC_HAS_CRT, /* ssl_fc_has_crt: boolean, sent in this handshake */
	SL_FETCH_SSL_C_VERIFY, /* ssl_c_verify: integer, OpenSSL's result (0: ok) */
	SL_FETCH_SSL_C_S_DN,  /* ssl_c_s_dn: subject "/C=../CN=.." */
	SL_FETCH_SSL_C_I_DN,  /* ssl_c_i_dn: issuer */
};

/* A stick-table counter fetch (controlplane/cfg/cfg_stick.c): sc_http_req_rate(0),
 * sc0_conn_cur, src_http_req_rate(TABLE), sc_inc_gpc0(0), ... */
struct sl_acl_stk {
	int sc;            /* 0..2: the tracked counter; -1: src_* (look the client's address up) */
	int data;          /* enum sl_cfg_stk_data */
	bool inc;          /* *_inc_gpc0: adds one first (a fetch with a side effect, as HAProxy) */
	const char *table; /* the table named in the arguments, or NULL (the tracked one / the
			    * proxy's own for src_*) */
};

enum sl_acl_int_op { SL_INT_EQ, SL_INT_GE, SL_INT_GT, SL_INT_LE, SL_INT_LT, SL_INT_RANGE };

/* One pattern of an ACL test. Which member is valid depends on the fetch. */
struct sl_acl_pat {
	struct sl_acl_pat *next;
	const char *str;   /* the pattern as written (every kind, used by dump) */
	void *re;          /* pcre2_code * for *_REG fetches, owned by the arena */
	struct sl_cfg_net net; /* SRC */
	enum sl_acl_int_op op; /* HDR_CNT, DST_PORT */
	int64_t num;
	int64_t num2; /* upper bound for SL_INT_RANGE ("a:b") */
};

/* "acl NAME FETCH [flags] PATTERN..." : one line. Lines with the same name are ORed. */
struct sl_acl {
	struct sl_acl *next;
	const char *name; /* NULL for an anonymous "{ ... }" ACL */
	enum sl_acl_fetch fetch;
	const char *hdr;  /* header name for hdr*() fetches */
	bool icase;       /* -i */
	struct sl_acl_pat *pats;
	int npats;
	struct sl_acl_stk stk; /* SL_FETCH_STK */
	const struct sl_userlist *ul; /* http_auth*(): the userlist named by hdr, set by cfg_check */
	struct sl_acl *next_auth;     /* the configuration's http_auth* ACLs (cfg_check resolves) */
	struct sl_cfg_loc loc;
};

/* ---------------------------------------------------------------- userlists */

/* `user NAME password HASH|insecure-password PASS [groups G1,G2]` */
struct sl_ul_user {
	struct sl_ul_user *next;
	const char *name;
	const char *pass;   /* a crypt(3) hash, or the password itself when insecure */
	bool insecure;
	const char *groups; /* "G1,G2" as written, or NULL */
};

/* `group NAME [users U1,U2]` */
struct sl_ul_group {
	struct sl_ul_group *next;
	const char *name;
	const char *users; /* "U1,U2" as written, or NULL */
};

struct sl_userlist {
	struct sl_userlist *next;
	const char *name;
	struct sl_ul_user *users;
	struct sl_ul_group *groups;
	struct sl_cfg_loc loc;
};

/* One term of a condition: an ACL name (every acl line of that name) or an anonymous ACL. */
struct sl_cond_term {
	struct sl_cond_term *next;
	bool neg;           /* "!" */
	const char *name;   /* NULL when anon != NULL */
	struct sl_acl *anon;
};

/* AND of terms; a condition is an OR of these. */
struct sl_cond_and {
	struct sl_cond_and *next;
	struct sl_cond_term *terms;
};

/* "if|unless COND" */
struct sl_cond {
	bool unless;
	struct sl_cond_and *ors;
};

/* ---------------------------------------------------------------- rules */

enum sl_redirect_kind { SL_REDIR_LOCATION, SL_REDIR_PREFIX, SL_REDIR_SCHEME };

struct sl_redirect {
	enum sl_redirect_kind kind;
	const char *target;
	int code; /* 301, 302 (default), 303, 307, 308 */
	bool drop_query;
	bool append_slash;
	bool ignore_empty; /* an empty target: the rule does not apply (HAProxy's ignore-empty) */
	const char *set_cookie;   /* "NAME[=VALUE]" or NULL */
	const char *clear_cookie; /* "NAME" or NULL */
};

/* ---------------------------------------------------------------- log-format expressions */

/*
 * A log-format string ("text %[FETCH,CONV...] more"), HAProxy's format of header values,
 * redirect targets, `http-request return` bodies and dynamic backend names, compiled at load by
 * cfg_lf() (controlplane/cfg/cfg_lf.c) into a list of nodes; evaluated per request by
 * sl_lf_eval() (dataplane/rules/lf_eval.h) without parsing nor allocating. Immutable.
 */
enum sl_lf_fetch {
	SL_LF_SRC,	  /* src, %ci: client address */
	SL_LF_SRC_PORT,	  /* src_port, %cp */
	SL_LF_DST,	  /* dst, %fi: the address the client connected to */
	SL_LF_DST_PORT,	  /* dst_port, %fp */
	SL_LF_PATH,	  /* path */
	SL_LF_QUERY,	  /* query */
	SL_LF_URL,	  /* url */
	SL_LF_BASE,	  /* base: Host then path */
	SL_LF_METHOD,	  /* method */
	SL_LF_HDR,	  /* req.hdr(NAME[,OCC]), hdr(NAME[,OCC]): last element by default */
	SL_LF_SSL_FC,	  /* ssl_fc: 0 or 1 */
	SL_LF_SSL_FC_SNI, /* ssl_fc_sni */
	SL_LF_BACKREF,	  /* \1..\9 of a replace-header / replace-path regex */
	SL_LF_SSL_C_USED, /* ssl_c_used, ssl_fc_has_crt: 0 or 1 */
	SL_LF_SSL_FC_HAS_CRT,
	SL_LF_SSL_C_VERIFY, /* decimal */
	SL_LF_SSL_C_S_DN,   /* subject, issuer: HAProxy's one-line form */
	SL_LF_SSL_C_I_DN,
	SL_LF_SSL_C_SERIAL, /* the serial's bytes (",hex" writes them in hex) */
};

enum sl_lf_conv_kind { SL_LF_LOWER, SL_LF_UPPER, SL_LF_MAP, SL_LF_REGSUB, SL_LF_HEX };

/* How a map matches its keys (HAProxy's map_str, map_beg, map_dom, map_end, map_sub). */
enum sl_map_match { SL_MAP_STR, SL_MAP_BEG, SL_MAP_DOM, SL_MAP_END, SL_MAP_SUB };

/* One "KEY VALUE" line of a map file, or one pattern of an ACL pattern file (val NULL). */
struct sl_map_ent {
	const char *key, *val;
	uint32_t klen, vlen;
};

/* A map file read at load (main lcore), its entries in file order. */
struct sl_map {
	struct sl_map *next; /* the configuration's maps, each file read once */
	const char *file;
	struct sl_map_ent *ents;
	size_t n;
	uint32_t *order; /* entry indexes sorted by key (then file order): map_str's lookup */
};

struct sl_lf_conv {
	enum sl_lf_conv_kind kind;
	enum sl_map_match match;
	const struct sl_map *map;
	const char *def; /* map(FILE,DEFAULT): the default, or NULL (no match: no sample) */
	void *re;	 /* regsub: pcre2_code *, owned by the arena */
	const char *subst; /* regsub: the replacement, in pcre2_substitute()'s syntax ($1) */
	bool global;	 /* regsub flag g */
};

#define SL_LF_MAX_CONV 4

struct sl_lf_node {
	bool lit; /* literal text, else a sample */
	const char *text;
	uint32_t len;	       /* literal: its bytes; HDR: the name's length */
	enum sl_lf_fetch fetch;
	int occ;	       /* HDR: occurrence (1 first, -1 last, as HAProxy's), BACKREF: group */
	uint8_t nconv;
	struct sl_lf_conv conv[SL_LF_MAX_CONV];
};

struct sl_lf {
	const char *src; /* as written (dump, messages) */
	struct sl_lf_node *nodes;
	unsigned n;
	bool dynamic; /* some node is a sample */
};

/* ---------------------------------------------------------------- http rules */

enum sl_hrule_action {
	SL_HR_SET_HEADER,
	SL_HR_ADD_HEADER,
	SL_HR_DEL_HEADER,
	SL_HR_REDIRECT,
	SL_HR_DENY,
	SL_HR_ALLOW,
	SL_HR_USE_SERVICE, /* only "prometheus-exporter" */
	SL_HR_RETURN,	   /* http-request return */
	SL_HR_REPLACE_HEADER, /* replace-header NAME REGEX FMT */
	SL_HR_REPLACE_VALUE,  /* replace-value NAME REGEX FMT: each comma-separated element */
	SL_HR_SET_PATH,
	SL_HR_SET_QUERY,
	SL_HR_SET_URI,
	SL_HR_SET_METHOD,
	SL_HR_REPLACE_PATH,   /* replace-path REGEX FMT */
	SL_HR_REPLACE_URI,    /* replace-uri REGEX FMT */
	SL_HR_SET_STATUS,     /* http-response set-status N [reason R] */
	SL_HR_AUTH,	      /* http-request auth [realm R]: 401 and a Basic challenge */
	SL_HR_TRACK_SC,    /* track-sc0|1|2 src [table NAME]: sc in status, table in name (NULL:
			    * the proxy's own) */
};

/* `hdr NAME VALUE` of an http-request return. */
struct sl_hrule_hdr {
	struct sl_hrule_hdr *next;
	const char *name;
	struct sl_lf *value;
};

/* http-request / http-response rule, or a legacy reqadd/rspadd translated to one. */
struct sl_hrule {
	struct sl_hrule *next;
	enum sl_hrule_action action;
	const char *name;  /* header name */
	const char *value; /* header value as written */
	struct sl_lf *lf;  /* value compiled (set/add/replace-*, set-path/query/uri/method), or NULL */
	void *re;	   /* replace-*: pcre2_code *, owned by the arena */
	const char *re_src; /* its pattern as written */
	int status;        /* deny_status (default 403), return status (200), set-status */
	const char *reason; /* set-status ... reason R, auth's realm (NULL: the proxy's name) */
	const char *px_name; /* the proxy the rule belongs to (auth's default realm) */
	struct sl_redirect redir;
	struct sl_lf *redir_lf; /* http-request redirect: the target compiled */
	/* return: content-type (NULL: none), body (literal, or lf-string), headers, or a whole
	 * response (errorfile FILE: re-emitted as an errorfile is) */
	const char *ctype;
	const char *body;
	size_t body_len;
	struct sl_lf *body_lf;
	struct sl_hrule_hdr *hdrs;
	bool raw_reply; /* body is a complete HTTP response (errorfile) */
	struct sl_cond *cond; /* NULL: always */
	struct sl_cfg_loc loc;
};

/* use_backend NAME [if|unless COND] */
struct sl_switch {
	struct sl_switch *next;
	const char *backend;
	struct sl_lf *lf; /* a dynamic name ("%[...]"), or NULL */
	struct sl_cond *cond;
	struct sl_cfg_loc loc;
};

/* tcp-request connection|content accept|reject [if|unless COND] */
enum sl_tcp_action { SL_TCPR_ACCEPT, SL_TCPR_REJECT };
struct sl_tcp_rule {
	struct sl_tcp_rule *next;
	enum sl_tcp_action action;
	struct sl_cond *cond; /* NULL: always */
	struct sl_cfg_loc loc;
};

/* redirect ... [if|unless COND] as a proxy-level rule. */
/* `monitor fail if|unless COND`: the monitor-uri answers 503 while COND holds. */
struct sl_monitor_fail {
	struct sl_monitor_fail *next;
	struct sl_cond *cond;
	struct sl_cfg_loc loc;
};

struct sl_redirect_rule {
	struct sl_redirect_rule *next;
	struct sl_redirect redir;
	struct sl_cond *cond;
	struct sl_cfg_loc loc;
};

/* ---------------------------------------------------------------- binds and servers */

struct sl_bind {
	struct sl_bind *next;
	struct sl_cfg_net addr; /* plen 0 and family AF_INET for '*' / ':port' */
	bool any;
	uint16_t port_lo, port_hi;
	bool ssl;
	struct sl_cfg_str *crts; /* "crt FILE|DIR", in order, crt-base applied */
	struct sl_cfg_str *crt_lists; /* "crt-list FILE", in order, after the crts; the file is
				       * read again at every load (reload certs) */
	int verify;              /* client certificates: -1 unset (none), 0 none, 1 optional,
				  * 2 required (tls.h SL_TLS_VERIFY_*) */
	const char *ca_file;     /* "ca-file", ca-base applied, or NULL */
	const char *crl_file;    /* "crl-file", ca-base applied, or NULL */
	const char *ca_verify_file; /* "ca-verify-file", ca-base applied, or NULL */
	struct sl_cfg_str *ssl_opts; /* no-sslv3, no-tlsv10, strict-sni, ... as written */
	const char *alpn;        /* what "alpn LIST" keeps (http/1.1, http/1.0), "" for none, or NULL */
	const char *ssl_min_ver; /* "ssl-min-ver", or NULL */
	const char *ssl_max_ver;
	const char *ciphers;
	const char *ciphersuites;
	const char *name;
	bool accept_proxy; /* `accept-proxy`: a PROXY protocol header first (dataplane/http/pproxy.c) */
	struct sl_cfg_loc loc;
};

enum sl_srv_admin { SL_SRV_ENABLED, SL_SRV_DISABLED };

/* "init-addr": how a server given by host name gets its address at start and at each reload
 * (controlplane/cfg/cfg_resolve.c), the methods tried in order, the first that works wins. */
enum sl_init_addr_method {
	SL_INIT_LAST = 1, /* the address the running configuration gave the same server and name */
	SL_INIT_LIBC,     /* getaddrinfo(), IPv4 */
	SL_INIT_NONE,     /* no address: the server starts in maintenance */
	SL_INIT_IP,       /* the IPv4 address written in the list */
	SL_INIT_DNS,      /* not a method: the run-time resolvers gave it (controlplane/resolvers.c) */
};

#define SL_INIT_ADDR_MAX 4

struct sl_init_addr {
	int n; /* 0: not set, HAProxy's default "last,libc" */
	struct {
		enum sl_init_addr_method m;
		uint32_t ip; /* SL_INIT_IP, host order */
	} m[SL_INIT_ADDR_MAX];
};

struct sl_tls_client_ctx;

/* TLS towards a server (`ssl` and its parameters, `mode http` backends). */
enum sl_srv_sni { SL_SNI_NONE, SL_SNI_STR, SL_SNI_HOST };
struct sl_srv_tls {
	bool ssl;	  /* `ssl`: the traffic (`no-ssl` clears it) */
	bool check_ssl;	  /* `check-ssl`: the health checks */
	int8_t verify;	  /* -1 not given (global ssl-server-verify), 0 none, 1 required */
	bool no_reuse;	  /* `no-ssl-reuse` */
	enum sl_srv_sni sni;
	const char *sni_str; /* SL_SNI_STR: the name */
	const char *check_sni; /* `check-sni NAME`: the health checks' SNI, or NULL */
	const char *ca_file; /* as written (ca-base applies to a relative one) */
	const char *ciphers, *ciphersuites, *min_ver, *max_ver, *alpn;
	struct sl_cfg_loc loc; /* the line that set `ssl` or `check-ssl` */
};

/* Server parameters that "default-server" may also set. */
struct sl_srv_params {
	bool check;
	int inter, fastinter, downinter; /* ms; fastinter/downinter 0 = same as inter */
	int rise, fall;
	int weight;     /* 0..256 */
	bool backup;
	bool disabled;
	int maxconn;    /* 0: unlimited */
	int maxqueue;   /* 0: unlimited */
	int check_port; /* "port N": 0 = the server's port */
	struct sl_cfg_net check_addr; /* "addr IP": family 0 = the server's address */
	bool shutdown_on_down;        /* on-marked-down shutdown-sessions */
	bool shutdown_backup_on_up;   /* on-marked-up shutdown-backup-sessions */
	int slowstart;  /* ms */
	/* the PROXY protocol towards the server (cfg_pproxy.c): `send-proxy` (SL_SEND_PROXY_V1),
	 * `send-proxy-v2` (SL_SEND_PROXY_V2; v2 wins when both are set, as HAProxy's), the TLVs of
	 * `proxy-v2-options` (SL_PP2O_* of proto/proxy_proto.h), `check-send-proxy` */
#define SL_SEND_PROXY_V1 1
#define SL_SEND_PROXY_V2 2
	uint8_t send_proxy;
	uint8_t pp_opts;
	bool check_send_proxy;
	/* "source ADDR": the only local address of the connections to the server (an owned
	 * address, checked by cfg_check); family 0: the backend's, else the route's pool */
	struct sl_cfg_net source;
	struct sl_cfg_loc source_loc;
	struct sl_init_addr init_addr;
	/* "resolvers NAME": run-time DNS for a server written with a host name (NULL: none) */
	const char *resolvers;
	struct sl_cfg_loc resolvers_loc;
	bool prevent_dup_ip;  /* resolve-opts prevent-dup-ip */
	int nresolve_net;     /* resolve-net: preferred networks, in order */
	struct sl_cfg_net resolve_net[4];
	struct sl_srv_tls tls;
};

struct sl_server {
	struct sl_server *next;
	const char *name;
	/* family 0 (no address): a host name that init-addr 'none' left unresolved (or one not yet
	 * resolved: sl_cfg_resolve() runs after the parse); the server is in maintenance */
	struct sl_cfg_net addr;
	const char *host; /* the host name as written, or NULL for an address */
	enum sl_init_addr_method addr_from; /* how sl_cfg_resolve() set addr (0: not a name) */
	uint16_t port;   /* 0: same as the client's destination port */
	const char *cookie; /* "cookie VALUE", or NULL */
	struct sl_srv_params p;
	int id;          /* 1-based position in the backend */
	int slot;        /* 1-based counter slot, stable across reloads (0: not assigned) */
	struct sl_cfg_loc loc;
	/* `ssl` or `check-ssl`: its TLS contexts, one per proxy lcore (by proxy_idx), built and freed by main
	 * (dataplane/http/srvtls.c) before the configuration is published and after it retired;
	 * read by the proxy lcores through the generation. NULL: plain TCP. */
	struct sl_tls_client_ctx **tls;
};

/* ---------------------------------------------------------------- proxies */

enum sl_mode { SL_MODE_TCP, SL_MODE_HTTP };

enum sl_balance {
	SL_BAL_ROUNDROBIN,
	SL_BAL_STATIC_RR,
	SL_BAL_LEASTCONN,
	SL_BAL_FIRST,
	SL_BAL_SOURCE,
	SL_BAL_URI,
	SL_BAL_RANDOM,
	SL_BAL_HDR, /* balance hdr(NAME) [use_domain_only] */
};

/* NONE with a name: no keyword given, the server's own cookie is matched (passive). */
enum sl_cookie_mode { SL_COOKIE_NONE, SL_COOKIE_INSERT, SL_COOKIE_PREFIX, SL_COOKIE_REWRITE };

struct sl_cookie {
	const char *name; /* NULL: no cookie persistence */
	enum sl_cookie_mode mode;
	bool indirect, nocache, postonly, preserve, httponly, secure, dynamic;
	struct sl_cfg_str *domains;
	const char *attrs; /* "attr" values joined with "; ", or NULL */
	int maxidle, maxlife; /* ms, 0 = unset */
};

struct sl_timeouts {
	int connect, client, server, tunnel, client_fin, server_fin;
	int http_request, http_keep_alive, queue, check;
};

/* HTTP connection handling chosen by option http-server-close / httpclose / http-keep-alive. */
enum sl_http_conn { SL_HTTP_KEEP_ALIVE, SL_HTTP_SERVER_CLOSE, SL_HTTP_CLOSE };

struct sl_forwardfor {
	bool on;
	const char *header; /* default "X-Forwarded-For" */
	struct sl_cfg_net except; /* family 0: none */
	bool if_none;
};

enum sl_check_expect_kind {
	SL_EXPECT_NONE,
	SL_EXPECT_STATUS,
	SL_EXPECT_RSTATUS,
	SL_EXPECT_STRING,
	SL_EXPECT_RSTRING,
};

struct sl_httpchk {
	bool on;
	const char *method;  /* default "OPTIONS" */
	const char *uri;     /* default "/" */
	const char *version; /* default "HTTP/1.0" */
	struct sl_cfg_str *headers; /* "Name: value" from the version word's tail or http-check send */
	enum sl_check_expect_kind expect;
	bool expect_neg;
	const char *expect_pat;
	void *expect_re; /* pcre2_code * for rstatus/rstring */
	bool disable_on_404;
	/* `http-check connect [default] [port N] [ssl] [sni NAME] [linger] [comment TEXT]`: ssl
	 * makes every checked server of the backend check over TLS as `check-ssl` does */
	bool connect_ssl;
	uint16_t connect_port;    /* 0: the server's check port */
	const char *connect_sni; /* the checks' SNI when the server has no check-sni, or NULL */
};

/* `tcp-check` rules (HAProxy's tcpcheck_rule), run in order over one TCP connection by a proxy
 * lcore (dataplane/tcphost/httpchk.c, judged by controlplane/check/check.c). A `tcp-check
 * comment` is folded into the next rule's comment. */
enum sl_tcpchk_op { SL_TCPCHK_CONNECT, SL_TCPCHK_SEND, SL_TCPCHK_EXPECT };
enum sl_tcpchk_match { SL_TCPCHK_STRING, SL_TCPCHK_RSTRING, SL_TCPCHK_BINARY };

struct sl_tcpchk_rule {
	enum sl_tcpchk_op op;
	uint16_t port;            /* connect: `port N`, 0 = the server's check port */
	enum sl_tcpchk_match match; /* expect */
	bool neg;                 /* expect: `!` */
	const uint8_t *data;      /* send: the bytes; expect: the pattern (string or binary) */
	size_t len;
	void *re;                 /* expect rstring: pcre2_code * */
	const char *comment;      /* `comment TEXT` or a preceding `tcp-check comment`, or NULL */
	struct sl_cfg_loc loc;
};

struct sl_tcpchk {
	bool on;                      /* `option tcp-check` */
	struct sl_tcpchk_rule *rules; /* in the arena; nrules of them */
	unsigned nrules;
	unsigned cap;
	bool inherited;               /* rules are the defaults section's (parsing) */
	const char *pending_comment;  /* a `tcp-check comment` waiting for its rule (parsing) */
	struct sl_cfg_loc loc;        /* the first rule (for the "rules ignored" warning) */
};

/* HTTP status codes that errorfile may replace, and the loaded file. */
struct sl_errorfile {
	struct sl_errorfile *next;
	int code;
	const char *path;
	const char *data; /* whole file content, in the arena */
	size_t len;
};

struct sl_stats {
	bool enabled;
	const char *uri;   /* default "/haproxy?stats" */
	const char *realm; /* NULL: no realm given */
	struct sl_cfg_str *auth; /* "user:password" entries */
	bool hide_version;
	int refresh;       /* ms, 0 = none */
	struct sl_cond *admin; /* "stats admin if COND", NULL = no admin */
	bool show_legends, show_node;
	const char *show_desc;
	const char *prometheus_uri;
};

enum sl_log_format { SL_LOG_NONE, SL_LOG_TCP, SL_LOG_HTTP, SL_LOG_HTTP_CLF, SL_LOG_HTTPS };

/* HAProxy's log-format variables sluice writes (controlplane/cfg/cfg_alog.c compiles a format,
 * controlplane/log/alog_fmt.c writes it from an access-log record, proto/alog.h). */
enum sl_alog_var {
	SL_AV_TEXT, SL_AV_SEP, SL_AV_SAMPLE,
	SL_AV_CI, SL_AV_CP, SL_AV_FI, SL_AV_FP, SL_AV_FT, SL_AV_F, SL_AV_B, SL_AV_S, SL_AV_SI,
	SL_AV_SP, SL_AV_T, SL_AV_TR_DATE, SL_AV_TRG, SL_AV_TRL, SL_AV_T_GMT, SL_AV_T_LOCAL,
	SL_AV_TS_EPOCH, SL_AV_MS, SL_AV_TH, SL_AV_TI, SL_AV_TQ_REQ, SL_AV_TW, SL_AV_TC,
	SL_AV_TR_RSP, SL_AV_TA, SL_AV_TT, SL_AV_TQ, SL_AV_ST, SL_AV_BYTES, SL_AV_UP, SL_AV_TS,
	SL_AV_TSC, SL_AV_AC, SL_AV_FC, SL_AV_BC, SL_AV_SC, SL_AV_RC, SL_AV_SQ, SL_AV_BQ, SL_AV_HR,
	SL_AV_HS, SL_AV_HRL, SL_AV_HSL, SL_AV_R, SL_AV_HM, SL_AV_HU, SL_AV_HV, SL_AV_HP, SL_AV_ID,
	SL_AV_SSLV, SL_AV_SSLC, SL_AV_CC, SL_AV_CS, SL_AV_PID, SL_AV_H, SL_AV_O,
	SL_AV_HTTPS_ERRS /* httpslog's %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/
			  * %[ssl_fc_is_resumed] (no such fetches in sluice: no error seen) */
};
enum { SL_AF_Q = 1, SL_AF_X = 2, SL_AF_E = 4 }; /* %{+Q}, %{+X}, %{+E} */
struct sl_alog_item {
	uint8_t var;   /* enum sl_alog_var */
	uint8_t flags; /* SL_AF_* */
	uint16_t len;  /* SL_AV_TEXT: its bytes at off */
	uint32_t off;  /* SL_AV_TEXT: offset in text; SL_AV_SAMPLE: index in smp */
};
/* A compiled log-format (`log-format`, or HAProxy's own strings for httplog, httpslog, clf and
 * tcplog). Its %[...] samples are evaluated on the proxy lcore when the request head is read
 * (their text goes in the record), everything else from the record on main. */
struct sl_alog_fmt {
	const char *src; /* as written */
	struct sl_alog_item *it;
	unsigned n;
	const char *text;     /* the literal bytes of the TEXT items */
	struct sl_lf **smp;   /* the %[...] expressions */
	unsigned nsmp;
};
/* `capture request|response header NAME len N` */
#define SL_CAPTURES 16
struct sl_capture {
	const char *name;
	int len;
};

enum sl_proxy_cap { SL_CAP_FE = 1, SL_CAP_BE = 2, SL_CAP_DEF = 4 };

struct sl_proxy {
	struct sl_proxy *next;
	const char *name;
	unsigned cap;       /* SL_CAP_FE and/or SL_CAP_BE; SL_CAP_DEF for a defaults section */
	enum sl_mode mode;
	int id;             /* 1-based, in file order */
	int slot;           /* 1-based counter slot, stable across reloads (0: not assigned) */
	int maxconn;        /* frontend: 0 = global default */
	int fullconn;
	int retries;        /* default 3 */
	/* load-server-state-from-file global|local (backend, defaults): a server's "last" init-addr
	 * method reads the running configuration, which plays HAProxy's state file's part at a
	 * reload; without it "last" finds nothing, as in HAProxy without a state file */
	bool load_server_state;
	bool redispatch;
	bool allbackups; /* every usable backup in rotation when no active server is */
	bool dontlognull, log_global, log_health_checks, abortonclose, tcpka;
	bool http_ignore_probes; /* option http-ignore-probes: a connection closed without a
				  * request gets no 408 and counts no error */
	struct sl_log_target *log_targets; /* its own `log` lines (besides `log global`) */
	struct sl_cfg_str *logs;           /* the same, as written (--dump) */
	enum sl_log_format log_format;
	const struct sl_alog_fmt *log_fmt;  /* `log-format` (frontend, defaults), or NULL */
	/* the frontend's access log as it is written (log_fmt, or option httplog/httpslog/clf/
	 * tcplog's), or NULL: none (set by cfg_check; also NULL without any `log` target) */
	const struct sl_alog_fmt *alog;
	struct sl_capture cap_req[SL_CAPTURES], cap_rsp[SL_CAPTURES];
	int ncap_req, ncap_rsp;
	enum sl_http_conn http_conn;
	struct sl_forwardfor fwdfor;
	struct sl_timeouts to;
	enum sl_balance balance;
	int uri_len, uri_depth; /* balance uri options */
	const char *bal_hdr;	/* balance hdr(NAME): NAME */
	bool bal_hdr_domain;	/* ... use_domain_only */
	bool uri_whole;
	int random_draws; /* balance random(N): N (2 for plain 'random', HAProxy's default) */
	struct sl_cookie cookie;
	struct sl_httpchk chk;
	struct sl_tcpchk tcpchk;
	struct sl_srv_params dflt_srv; /* default-server */
	/* "source ADDR" (defaults, backend, listen): the local address of the connections to its
	 * servers, for those without one of their own; family 0: not set */
	struct sl_cfg_net source;
	struct sl_cfg_loc source_loc;
	struct sl_errorfile *errorfiles;
	struct sl_stats stats;
	const char *default_backend;
	struct sl_cfg_loc default_backend_loc;
	struct sl_bind *binds;
	struct sl_acl *acls;
	struct sl_switch *switches;
	struct sl_redirect_rule *redirects;
	const char *monitor_uri;		/* `monitor-uri`: answered by the frontend, or NULL */
	struct sl_cfg_loc monitor_uri_loc;
	struct sl_monitor_fail *monitor_fails; /* `monitor fail` conditions, in order */
	struct sl_hrule *req_rules;
	struct sl_hrule *rsp_rules;
	struct sl_tcp_rule *tcp_conn_rules;    /* `tcp-request connection`, in order */
	struct sl_tcp_rule *tcp_content_rules; /* `tcp-request content`, in order */
	int inspect_delay;		       /* `tcp-request inspect-delay` (ms), 0: none */
	struct sl_cfg_loc inspect_delay_loc;
	/* a mode tcp frontend served by the proxy lcores' TCP proxy (dataplane/http/tcpproxy.c)
	 * rather than the workers' L4 path: it has tcp-request content rules or use_backend
	 * rules (set by cfg_check; sl_cfg_on_proxy_lcores() tells both kinds) */
	bool tcp_proxied;
	struct sl_server *servers;
	int nservers;
	struct sl_stktable *stktable;     /* `stick-table`, or NULL */
	struct sl_stick_rule *stick_rules; /* `stick ...`, in order */
	struct sl_cfg_loc loc;
};

/* `stick-table`: HAProxy's, type ip (controlplane/cfg/cfg_stick.c, dataplane/stick/stick.h). The
 * data types in the order of enum sl_stk_data (dataplane/stick/stick.h), one for one. */
enum sl_cfg_stk_data {
	SL_CFG_STK_SERVER_ID,
	SL_CFG_STK_CONN_CUR,
	SL_CFG_STK_CONN_CNT,
	SL_CFG_STK_CONN_RATE,
	SL_CFG_STK_HTTP_REQ_CNT,
	SL_CFG_STK_HTTP_REQ_RATE,
	SL_CFG_STK_GPC0,
	SL_CFG_STK_GPC0_RATE,
	SL_CFG_STK_NDATA
};

struct sl_stktable {
	int size;             /* entries */
	int expire;           /* ms, 0: none */
	unsigned store;       /* bit per enum sl_cfg_stk_data */
	int period[SL_CFG_STK_NDATA]; /* ms, for the rates */
	struct sl_cfg_loc loc;
};

/* `stick on|match|store-request src [table NAME]` */
enum sl_stick_kind { SL_STICK_ON, SL_STICK_MATCH, SL_STICK_STORE };

struct sl_stick_rule {
	struct sl_stick_rule *next;
	enum sl_stick_kind kind;
	const char *table; /* NULL: the backend's own */
	struct sl_cfg_loc loc;
};

/* ---------------------------------------------------------------- global and dataplane */

struct sl_stats_socket {
	struct sl_stats_socket *next;
	const char *path;
	int mode;  /* file mode, -1 when not given */
	enum { SL_LEVEL_USER, SL_LEVEL_OPERATOR, SL_LEVEL_ADMIN } level;
	struct sl_cfg_loc loc;
};

/* A `log` line's target (global or a proxy's), as HAProxy 2.6 reads it. */
enum sl_log_kind { SL_LOGT_UNIX, SL_LOGT_UDP, SL_LOGT_STDOUT, SL_LOGT_STDERR };
enum sl_log_fmt { SL_LOGF_RFC3164, SL_LOGF_RFC5424, SL_LOGF_SHORT, SL_LOGF_RAW,
		  SL_LOGF_LOCAL, SL_LOGF_PRIORITY, SL_LOGF_TIMED, SL_LOGF_ISO };
#define SL_LOG_SMP_MAX 16 /* ranges of a `log ... sample` */

struct sl_log_target {
	struct sl_log_target *next;
	enum sl_log_kind kind;
	const char *path; /* SL_LOGT_UNIX */
	uint32_t ip;      /* SL_LOGT_UDP, host order */
	uint16_t port;    /* SL_LOGT_UDP, default 514 */
	int len;          /* the longest line sent, default 1024 */
	enum sl_log_fmt format;
	int facility;     /* 0..23 */
	int level;        /* the least important level sent (0 emerg .. 7 debug), default 7 */
	int minlevel;     /* levels more important than this are sent as it, default 0 */
	/* `sample RANGES:SIZE`: of every SIZE lines offered, the ones whose position (1..SIZE) is
	 * in a range go (smp_size 0: every line); ranges sorted, not overlapping */
	unsigned smp_size, smp_n;
	struct {
		unsigned low, high;
	} smp[SL_LOG_SMP_MAX];
	struct sl_cfg_loc loc;
};

struct sl_global {
	int maxconn;      /* default 2000 when not set */
	int nbthread;     /* 0 = not set */
	bool daemon;
	const char *user, *group, *chroot, *pidfile;
	struct sl_cfg_str *logs; /* "log" lines as written */
	struct sl_log_target *log_targets; /* the same, read */
	const char *log_tag;   /* log-tag, default "sluiced" */
	bool log_send_hostname; /* log-send-hostname (the host name: gethostname() at start) */
	const char *log_hostname; /* log-send-hostname NAME */
	struct sl_stats_socket *sockets;
	int stats_timeout; /* ms, 0: not set (stats sockets close idle clients after 10s) */
	int stats_maxconn; /* clients per stats socket, 0: not set (64) */
	const char *ca_base, *crt_base;
	const char *ssl_bind_ciphers, *ssl_bind_ciphersuites;
	/* ssl-default-server-*, ssl-server-verify (false: required, HAProxy's default) */
	const char *ssl_srv_ciphers, *ssl_srv_ciphersuites;
	struct sl_cfg_str *ssl_srv_options;
	bool ssl_server_verify_none;
	struct sl_cfg_str *ssl_bind_options;
	int bufsize;      /* tune.bufsize, default 16384 */
	int maxrewrite;
	int dh_param;     /* tune.ssl.default-dh-param */
	int spread_checks;
	struct sl_cfg_loc zero_warning; /* `zero-warning`: its line (line 0: not given) */
};

enum sl_port_driver { SL_DRV_PCI, SL_DRV_AF_XDP, SL_DRV_AF_PACKET, SL_DRV_TAP };

struct sl_dp_port {
	struct sl_dp_port *next;
	const char *name;
	enum sl_port_driver driver;
	const char *iface; /* interface name for vdev drivers */
	const char *pci;   /* PCI address for SL_DRV_PCI */
	int queues;        /* 0: one per worker */
	int mtu;           /* 0: default 1500 */
	bool xdp_all;      /* af_xdp "xdp-steer off": the PMD's program, every frame to sluice */
	struct sl_cfg_loc loc;
};

struct sl_dp_addr {
	struct sl_dp_addr *next;
	struct sl_cfg_net net;
	const char *port;
	struct sl_cfg_loc loc;
};

struct sl_dp_route {
	struct sl_dp_route *next;
	struct sl_cfg_net dst; /* plen 0 for "default" */
	struct sl_cfg_net via;
	struct sl_cfg_loc loc;
};

enum sl_idle_policy { SL_IDLE_ADAPTIVE, SL_IDLE_POLL };

/* `control shared|own`: whether main's lcore shares the first core of `cores` with a worker
 * (docs/config.md); DEFAULT: shared with two cores, own with more. */
enum sl_control { SL_CONTROL_DEFAULT, SL_CONTROL_SHARED, SL_CONTROL_OWN };

/* A service built into the proxy lcores' TCP stack, on every owned address (tests, probes). */
enum sl_dp_service_kind { SL_SVC_ECHO, SL_SVC_HTTP_OK };

struct sl_dp_service {
	struct sl_dp_service *next;
	enum sl_dp_service_kind kind;
	uint16_t port;
	struct sl_cfg_loc loc;
};

/* A set of CPU (or lcore) numbers, as `cores` lists them. */
#define SL_MAX_CPUS 1024  /* CPU numbers an lcore can run on (glibc's CPU_SETSIZE) */
#define SL_MAX_LCORES 128 /* lcore ids: DPDK's RTE_MAX_LCORE in Debian 12's build (sluiced checks) */
struct sl_cpus {
	uint64_t w[SL_MAX_CPUS / 64];
};

static inline bool sl_cpus_has(const struct sl_cpus *s, unsigned i)
{
	return i < SL_MAX_CPUS && (s->w[i / 64] >> (i % 64) & 1);
}

static inline unsigned sl_cpus_count(const struct sl_cpus *s)
{
	unsigned n = 0;
	for (unsigned k = 0; k < SL_MAX_CPUS / 64; k++)
		n += (unsigned)__builtin_popcountll(s->w[k]);
	return n;
}

/* The highest number in @s, -1 when empty. */
static inline int sl_cpus_max(const struct sl_cpus *s)
{
	for (int k = SL_MAX_CPUS / 64 - 1; k >= 0; k--)
		if (s->w[k] != 0)
			return k * 64 + 63 - __builtin_clzll(s->w[k]);
	return -1;
}

/* The lowest number in @s, -1 when empty. */
static inline int sl_cpus_min(const struct sl_cpus *s)
{
	for (unsigned k = 0; k < SL_MAX_CPUS / 64; k++)
		if (s->w[k] != 0)
			return (int)(k * 64) + __builtin_ctzll(s->w[k]);
	return -1;
}

struct sl_dataplane {
	bool present;
	struct sl_dp_port *ports;
	struct sl_dp_addr *addrs;
	struct sl_dp_route *routes;
	struct sl_cpus cores;    /* `cores LIST`: the CPUs (lcore ids when below SL_MAX_LCORES);
				  * empty = not set */
	struct sl_cpus cores_on; /* `cores LIST on CPULIST`: LIST are lcore ids, CPULIST the CPUs they
				  * run on; empty = their own */
	int memory_mb;    /* 0 = default */
	int flows;        /* per-worker flow table entries; 0 = from maxconn */
	enum sl_idle_policy idle;
	enum sl_control control;
	struct sl_cfg_loc control_loc;
	struct sl_cfg_str *eal_args; /* "eal ARG..." extra EAL arguments */
	struct sl_dp_service *services; /* "service echo|http-ok PORT" */
	struct sl_cfg_loc loc;
};

/* The whole parsed configuration. Freed with sl_cfg_free(). */
/* A `resolvers` section: run-time DNS for the servers naming it, on the main lcore
 * (controlplane/resolvers.c). Times in ms. */
#define SL_RESOLVERS_NS_MAX 8
struct sl_resolvers {
	struct sl_resolvers *next;
	const char *name;
	struct sl_cfg_loc loc;
	int nns;
	struct {
		const char *id;
		uint32_t ip; /* host order */
		uint16_t port;
	} ns[SL_RESOLVERS_NS_MAX];
	int payload;     /* accepted_payload_size: 512 (default) .. 65535 */
	int retries;     /* resolve_retries: queries sent before a timeout status (default 3) */
	int t_resolve;   /* timeout resolve: between two resolutions' checks (default 1s) */
	int t_retry;     /* timeout retry: before a query without answer is sent again (1s) */
	int hold_valid, hold_nx, hold_other, hold_refused, hold_timeout, hold_obsolete;
};

struct sl_cfg {
	struct sl_arena *arena;
	/* the texts parsed, kept so that a run-time DNS change rebuilds the same configuration
	 * with new addresses (controlplane/reload.c) */
	struct sl_cfg_text *texts;
	int ntexts;
	struct sl_resolvers *resolvers;
	struct sl_global global;
	struct sl_dataplane dp;
	struct sl_proxy *proxies; /* frontends, backends and listens in file order */
	int nproxies;
	struct sl_map *maps; /* map files read by map() converters */
	struct sl_userlist *userlists;
	int nerrors, nwarnings;
	bool strict; /* parsed with sl_cfg_opts.strict: later warnings (sl_cfg_resolve) are errors */
};

#endif
