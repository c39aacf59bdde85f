/* SPDX-License-Identifier: BSD-3-Clause */
/* Access logs on main: see alog_drain.h. */
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

#include <rte_ring.h>

#include "controlplane/alog_drain.h"
#include "controlplane/cfg/cfg.h"
#include "controlplane/log/alog_fmt.h"
#include "controlplane/log/logger.h"
#include "dataplane/core/dp.h"
#include "dataplane/core/lcore.h"

static const struct sl_proxy *frontend_of(const struct sl_cfg *cfg, unsigned slot)
{
	for (const struct sl_proxy *px = cfg->proxies; px != NULL; px = px->next)
		if ((px->cap & SL_CAP_FE) && px->slot == (int)slot)
			return px;
	return NULL;
}

unsigned sl_alog_drain(struct sl_dp *dp, const struct sl_cfg *cfg, struct sl_logger *lg,
		       unsigned max)
{
	static struct sl_alog_rec r; /* main only */
	static char line[8192];
	static char host[256];
	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	unsigned done = 0;
	struct sl_lcore *main = dp->lcores[dp->main_lcore];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	int64_t wall_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	int64_t now_ms = (int64_t)sl_dp_now_ms(dp);
	for (unsigned p = 0; p < dp->nproxies && done < max; p++) {
		struct sl_lcore *lc = dp->lcores[dp->proxy_ids[p]];
		if (lc == NULL || lc->alog == NULL)
			continue;
		while (done < max && rte_ring_sc_dequeue_elem(lc->alog, &r, sizeof(r)) == 0) {
			done++;
			const struct sl_proxy *fe = frontend_of(cfg, r.slot);
			if (fe == NULL || fe->alog == NULL)
				continue;
			r.date_ms = wall_ms - (now_ms - r.date_ms); /* the lcore clock's ms to a date */
			sl_alog_format(line, sizeof(line), fe->alog, &r, host, (int)getpid());
			uint64_t before = sl_logger_dropped(lg);
			sl_log(lg, fe, SL_LOG_INFO, "%s", line);
			/* a target that did not take it: counted on main's block too (show drops) */
			main->ctr->c[SL_CTR_DROP_ALOG_UNSENT] += sl_logger_dropped(lg) - before;
		}
	}
	return done;
}

uint64_t sl_alog_ring_dropped(const struct sl_dp *dp)
{
	uint64_t n = 0;
	for (unsigned id = 0; id < RTE_MAX_LCORE; id++)
		if (dp->lcores[id] != NULL)
			n += dp->lcores[id]->ctr->c[SL_CTR_DROP_ALOG_FULL];
	return n;
}
