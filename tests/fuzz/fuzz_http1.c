/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for what the HTTP proxy does with bytes from the network: the HTTP/1 head
 * parsers, the streaming chunked decoder (fed in splits chosen by the input), the persistence
 * cookie codec on every Cookie / Set-Cookie line, and the heads the engine builds
 * (dataplane/rules/http_rules.c) from a parsed request or response, under a fixed configuration with
 * cookie prefix, forwardfor and header rules. Properties: no crash, no read or write outside the
 * buffers (ASan), and every head the engine builds parses back (a proxy must never forward a
 * message it would itself refuse).
 *
 * The first byte picks the case: 'R' a response, anything else a request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/rules/acl_eval.h"
#include "controlplane/cfg/cfg.h"
#include "dataplane/rules/http_rules.h"
#include "dataplane/rules/cookie.h"
#include "proto/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct sl_cfg *cfg;
static const struct sl_proxy *fe, *be;
static struct sl_acl_scratch *scratch;

static const char cfg_text[] = "defaults\n    mode http\n    option forwardfor\n"
			       "    option http-server-close\n    timeout connect 1s\n"
			       "    timeout client 1s\n    timeout server 1s\n"
			       "frontend f\n    bind :80\n"
			       "    acl hls path_reg -i ^.*\\.(m3u8|ts)$\n"
			       "    http-request set-header X-Test yes\n"
			       "    http-request del-header X-Remove\n"
			       "    redirect scheme https if { path_beg /secure }\n"
			       "    use_backend b if hls\n    default_backend b\n"
			       "backend b\n    cookie JSESSIONID prefix nocache\n"
			       "    http-response add-header X-Via sluice\n"
			       "    server ams1 10.0.0.1:80 cookie ams1\n";

static void no_diag(void *arg, enum sl_cfg_diag_level level, const char *file, int line,
		    const char *msg)
{
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sl_cfg_text t = {"fuzz.cfg", cfg_text, sizeof(cfg_text) - 1};
	struct sl_cfg_opts o = {.diag_fn = no_diag, .no_dataplane_ok = true};
	if (sl_cfg_parse(&t, 1, &o, &cfg) != 0)
		abort();
	fe = sl_cfg_find_proxy(cfg, "f", SL_CAP_FE);
	be = sl_cfg_find_proxy(cfg, "b", SL_CAP_BE);
	scratch = sl_acl_scratch_new();
	if (fe == NULL || be == NULL || scratch == NULL)
		abort();
	return 0;
}

/* The chunked decoder over @p, in splits taken from @p's own bytes. */
static void chunks(const char *p, size_t len)
{
	struct sl_http1_chunk ck;
	sl_http1_chunk_init(&ck);
	size_t off = 0, k = 0;
	while (off < len && !sl_http1_chunk_done(&ck)) {
		size_t step = 1 + (uint8_t)p[k++ % len] % 17;
		if (step > len - off)
			step = len - off;
		char *piece = malloc(step); /* exact size: ASan sees any over-read */
		memcpy(piece, p + off, step);
		size_t used = 0;
		while (used < step) {
			size_t doff, dlen;
			int r = sl_http1_chunk_step(&ck, piece + used, step - used, &doff, &dlen);
			if (r < 0 || (r == 0 && dlen == 0))
				break;
			used += (size_t)r;
		}
		free(piece);
		if (ck.err != SL_HTTP1_OK || used < step)
			break;
		off += step;
	}
}

static void cookies(const struct sl_http1_hdr *h, size_t n, bool rsp)
{
	static const enum sl_ck_mode modes[] = {SL_CK_PASSIVE, SL_CK_INSERT, SL_CK_PREFIX,
						SL_CK_REWRITE};
	for (size_t i = 0; i < n; i++) {
		if (!sl_http1_ieq(h[i].name, h[i].name_len, rsp ? "set-cookie" : "cookie"))
			continue;
		for (int m = 0; m < 4; m++) {
			size_t cap = h[i].value_len + 8;
			char *buf = malloc(cap);
			if (rsp) {
				size_t ol;
				sl_cookie_rsp_rewrite(h[i].value, h[i].value_len, "JSESSIONID", modes[m],
						      "ams1", 4, buf, cap, &ol);
			} else {
				struct sl_cookie_req_out r;
				sl_cookie_req_rewrite(h[i].value, h[i].value_len, "JSESSIONID", modes[m],
						      m & 1, false, buf, cap, &r);
				size_t pos = 0;
				struct sl_cookie_id id;
				while (sl_cookie_next_id(h[i].value, h[i].value_len, "JSESSIONID",
							 modes[m], &pos, &id))
					;
			}
			free(buf);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool is_rsp = data[0] == 'R';
	size_t len = size - 1;
	char *p = malloc(len ? len : 1);
	memcpy(p, data + 1, len);
	struct sl_http1_hdr h[SL_HTTP1_MAX_HDRS_DEFAULT];
	size_t n = SL_HTTP1_MAX_HDRS_DEFAULT;
	static char out[65536];
	if (!is_rsp) {
		struct sl_http1_req req;
		int hl = sl_http1_parse_request(p, len, 16384, &req, h, &n);
		if (hl > 0) {
			cookies(h, n, false);
			uint64_t blen;
			if (sl_http1_body_info(&req, NULL, &blen) == SL_HTTP1_BODY_CHUNKED)
				chunks(p + hl, len - (size_t)hl);
			struct sl_acl_ctx ctx = {.req = &req, .hdrs = h, .nhdrs = n, .src = 0x0a000001u,
						 .scratch = scratch};
			struct sl_hx_out o = {out, sizeof(out), 0, false};
			struct sl_hx_decision d;
			sl_hx_decide(cfg, fe, &req, h, n, &ctx, false, 1700000000u, &o, &d);
			if (d.verdict == SL_HX_FORWARD) {
				struct sl_hx_req_edit e = {.fe = fe, .be = d.be, .ctx = &ctx,
							   .client_ip = 0x0a000001u, .server_close = true};
				o = (struct sl_hx_out){out, sizeof(out), 0, false};
				if (sl_hx_build_request(&o, &req, h, n, &e)) {
					/* what we forward must be a request we would accept */
					struct sl_http1_req r2;
					struct sl_http1_hdr h2[SL_HTTP1_MAX_HDRS_DEFAULT + 8];
					size_t n2 = SL_HTTP1_MAX_HDRS_DEFAULT + 8;
					if (sl_http1_parse_request(out, o.len, sizeof(out), &r2, h2, &n2) !=
					    (int)o.len)
						abort();
				}
			}
		}
	} else {
		struct sl_http1_resp rsp;
		int hl = sl_http1_parse_response(p, len, 16384, &rsp, h, &n);
		if (hl > 0) {
			cookies(h, n, true);
			uint64_t blen;
			if (sl_http1_body_info(NULL, &rsp, &blen) == SL_HTTP1_BODY_CHUNKED)
				chunks(p + hl, len - (size_t)hl);
			struct sl_acl_ctx ctx = {.src = 1, .scratch = scratch};
			struct sl_hx_rsp_edit e = {.fe = fe, .be = be, .ctx = &ctx, .srv_cookie = "ams1",
						   .meth = SL_HTTP1_M_GET, .now_s = 1700000000u};
			struct sl_hx_out o = {out, sizeof(out), 0, false};
			if (sl_hx_build_response(&o, &rsp, h, n, &e)) {
				struct sl_http1_resp r2;
				struct sl_http1_hdr h2[SL_HTTP1_MAX_HDRS_DEFAULT + 8];
				size_t n2 = SL_HTTP1_MAX_HDRS_DEFAULT + 8;
				if (sl_http1_parse_response(out, o.len, sizeof(out), &r2, h2, &n2) !=
				    (int)o.len)
					abort();
			}
		}
	}
	free(p);
	return 0;
}
