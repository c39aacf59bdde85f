/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the PROXY protocol parser (proto/proxy_proto.c), what an `accept-proxy`
 * bind reads first from any client. Properties: no crash, no read outside the input (ASan);
 * a header parsed whole is also parsed the same with any bytes after it, and every strict
 * prefix of it is "need more"; a header built from the facts parsed parses back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proxy_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_pp_hdr h, g;
	int r = sl_pp_parse(data, size, 4096, &h);
	if (r != SL_PP_OK)
		return 0;
	if (h.len > size)
		abort();
	if (sl_pp_parse(data, h.len, 4096, &g) != SL_PP_OK || g.len != h.len)
		abort();
	for (size_t n = 0; n < h.len; n++)
		if (sl_pp_parse(data, n, 4096, &g) != SL_PP_MORE)
			abort();
	if (h.fam == SL_PP_TCP4) {
		uint32_t s, d;
		memcpy(&s, h.src, 4);
		memcpy(&d, h.dst, 4);
		uint8_t out[512];
		size_t n = sl_pp_build_v2(out, sizeof(out), false, s, h.sport, d, h.dport, 0xff, NULL);
		if (n == 0 || sl_pp_parse(out, n, sizeof(out), &g) != SL_PP_OK || g.sport != h.sport)
			abort();
	}
	return 0;
}
