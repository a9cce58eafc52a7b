/* free.c - hk_spec_free(): releases everything hk_spec_parse() allocated,
 * including a partially filled spec left by a failed parse. */
#include <stdlib.h>

#include "spec/parse_internal.h"
#include "util/cleanup.h"

void hk_kv_free(hk_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void hk_process_free(hk_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	hk_strv_free(p->args);
	hk_strv_free(p->env);
	free(p->cwd);
	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
}

void hk_resources_free(hk_resources *r)
{
	for (size_t i = 0; r->devices && i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_device);
	free(r->block_io.throttle_read_bps);
	free(r->block_io.throttle_write_bps);
	free(r->block_io.throttle_read_iops);
	free(r->block_io.throttle_write_iops);
	for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	hk_kv_free(r->network.priorities, r->network.n_priorities);
	for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	hk_kv_free(r->unified, r->n_unified);
}

static void seccomp_free(hk_seccomp *s)
{
	if (!s)
		return;
	free(s->default_action);
	hk_strv_free(s->architectures);
	hk_strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
		hk_seccomp_syscall *sc = &s->syscalls[i];
		hk_strv_free(sc->names);
		free(sc->action);
		for (size_t j = 0; sc->args && j < sc->n_args; j++)
			free(sc->args[j].op);
		free(sc->args);
	}
	free(s->syscalls);
	free(s);
}

static void linux_free(hk_linux *l)
{
	for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	hk_resources_free(&l->resources);
	hk_kv_free(l->sysctl, l->n_sysctl);
	seccomp_free(l->seccomp);
	free(l->rootfs_propagation);
	hk_strv_free(l->masked_paths);
	hk_strv_free(l->readonly_paths);
	free(l->mount_label);
	free(l->personality_domain);
}

void hk_spec_free(hk_spec *spec)
{
	if (!spec)
		return;
	free(spec->oci_version);
	free(spec->root_path);
	for (size_t i = 0; spec->mounts && i < spec->n_mounts; i++) {
		hk_mount *m = &spec->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		hk_strv_free(m->options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(spec->mounts);
	hk_process_free(&spec->process);
	free(spec->hostname);
	free(spec->domainname);
	for (int k = 0; k < HK_HOOK_KIND_COUNT; k++) {
		for (size_t i = 0; spec->hooks.list[k] && i < spec->hooks.n[k]; i++) {
			hk_hook *h = &spec->hooks.list[k][i];
			free(h->path);
			hk_strv_free(h->args);
			hk_strv_free(h->env);
		}
		free(spec->hooks.list[k]);
	}
	hk_kv_free(spec->annotations, spec->n_annotations);
	linux_free(&spec->lnx);
	free(spec);
}
