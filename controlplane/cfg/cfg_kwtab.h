/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration parser's keyword tables, read only: what each section and keyword family
 * accepts (in effect, warned about, or refused with a reason: the handlers decide). For the
 * keyword audit test (tests/unit/controlplane/cfg/test_cfg_audit.c), which fails on a keyword it
 * has no decision for. A word missing from these tables is refused as unknown by the parser.
 */
#ifndef SL_CFG_KWTAB_H
#define SL_CFG_KWTAB_H

#include <stddef.h>

enum sl_cfg_kw_family {
	SL_KWF_GLOBAL,  /* keywords of the global section */
	SL_KWF_PROXY,   /* keywords of defaults, frontend, backend, listen */
	SL_KWF_OPTION,  /* option NAME */
	SL_KWF_TIMEOUT, /* timeout NAME */
	SL_KWF_SERVER,  /* parameters of server and default-server */
	SL_KWF_BIND,    /* parameters of bind */
	SL_KWF_STATS,   /* stats WORD in a proxy */
};
#define SL_KWF_COUNT 7

/* The @i-th name of family @f's table, or NULL past its end. */
const char *sl_cfg_kw_name(enum sl_cfg_kw_family f, size_t i);

#endif
