/* cgtest.h - what the cgroup unit tests share (they see the internals).
 *
 *   #include "cgtest.h"   (after linux/cgroup_internal.h)
 */
#ifndef HUSK_TESTS_CGTEST_H
#define HUSK_TESTS_CGTEST_H

#include <stdio.h>

#include "linux/cgroup_internal.h"

/* The leaf directory of CG in the hierarchy of CTRL (v2: the only one);
 * malloc'd, NULL when CG is not in that hierarchy. */
static inline char *cg_leaf(hk_cgroup *cg, const char *ctrl)
{
	struct hk_cg_hier *h = cg->layout == HK_CGROUP_V2 ? &cg->h[0] : hk_cg_find(cg, ctrl);
	char *s = NULL;
	if (!h || asprintf(&s, "%s%s", h->mount, h->path) < 0)
		return NULL;
	return s;
}

#endif
