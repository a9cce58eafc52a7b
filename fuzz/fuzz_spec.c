/* fuzz_spec.c - config.json: hk_spec_parse() (what create, run and exec
 * read), then the checks create makes before it touches the system (the
 * LSM labels, sysctl namespaces, mount options, idmapped mounts, the
 * seccomp filter's compile, the resources against each cgroup layout),
 * then hk_spec_free(). */
#include "fuzz.h"
#include "linux/cgroup.h"
#include "linux/cgroup_internal.h"
#include "linux/idmap_mount.h"
#include "linux/lsm.h"
#include "linux/mountopts.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "linux/seccomp_internal.h"
#include "spec/spec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* compile every time: no cache files written (or read) */
	hk_seccomp_cache_dir(NULL);
	return 0;
}

static void check(int r, hk_err *err)
{
	fuzz_check_err(r, err);
}

static void validate(const hk_spec *s)
{
	hk_err err = {0};
	check(hk_lsm_check_spec(s, 0, &err), &err);
	check(hk_lsm_check_spec(s, HK_LSM_APPARMOR | HK_LSM_SELINUX, &err), &err);
	const hk_namespace *ipc = hk_spec_namespace(s, HK_NS_IPC);
	const hk_namespace *net = hk_spec_namespace(s, HK_NS_NETWORK);
	const hk_namespace *uts = hk_spec_namespace(s, HK_NS_UTS);
	check(hk_sysctl_check(s->lnx.sysctl, s->lnx.n_sysctl, ipc && !ipc->path, net && !net->path,
	                      uts && !uts->path, &err),
	      &err);
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct hk_mopts o = {0};
		check(hk_mopts_parse(&s->mounts[i], &o, &err), &err);
		hk_mopts_free(&o);
	}
	check(hk_idmap_mounts_check(s, &err), &err);
	if (s->lnx.has_resources) {
		check(hk_cg_validate(&s->lnx.resources, HK_CGROUP_V1, &err), &err);
		check(hk_cg_validate(&s->lnx.resources, HK_CGROUP_HYBRID, &err), &err);
		check(hk_cg_validate(&s->lnx.resources, HK_CGROUP_V2, &err), &err);
	}
	if (s->lnx.seccomp) {
		hk_seccomp_prog *p = NULL;
		int r = hk_seccomp_build(s->lnx.seccomp, &p, &err);
		check(r, &err);
		FUZZ_ASSERT(r < 0 || (p && p->len > 0));
		hk_seccomp_prog_free(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hk_err err = {0};
	hk_spec *spec = NULL;
	int r = hk_spec_parse((const char *)data, size, &spec, &err);
	fuzz_check_err(r, &err);
	if (r < 0) {
		FUZZ_ASSERT(!spec);
		return 0;
	}
	validate(spec);
	hk_spec_free(spec);
	return 0;
}
