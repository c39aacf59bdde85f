/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/core/counters.h"

static const char *const names[SL_CTR_MAX] = {
#define SL_CTR_NAME(n, s) [SL_CTR_##n] = s,
	SL_COUNTERS(SL_CTR_NAME)
#undef SL_CTR_NAME
};

const char *sl_ctr_name(enum sl_ctr c)
{
	return (unsigned)c < SL_CTR_MAX ? names[c] : "?";
}
