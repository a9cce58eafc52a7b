/* exec_process.c - the process `husk exec` runs: -p FILE, or the
 * container's own (from the config it was created from) with the
 * options' changes (--env, --cwd, -u, -g, --cap, -t, --no-new-privs);
 * its AppArmor profile and SELinux label; runc's terminal checks. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linux/caps.h"
#include "linux/lsm.h"
#include "runtime/exec.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int env_set(hk_process *p, const char *kv, hk_err *err)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return hk_err_plain(err, EINVAL, "--env \"%s\": expected KEY=VALUE", kv);
	size_t klen = (size_t)(eq - kv) + 1;
	char *dup = strdup(kv);
	if (!dup)
		return hk_err_set(err, ENOMEM, "--env");
	for (size_t i = 0; i < p->n_env; i++) {
		if (strncmp(p->env[i], kv, klen) == 0) {
			free(p->env[i]);
			p->env[i] = dup;
			return 0;
		}
	}
	char **env = realloc(p->env, (p->n_env + 2) * sizeof(char *));
	if (!env) {
		free(dup);
		return hk_err_set(err, ENOMEM, "--env");
	}
	env[p->n_env++] = dup;
	env[p->n_env] = NULL;
	p->env = env;
	return 0;
}

static int add_caps(hk_process *p, char **names, size_t n, hk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int cap = hk_cap_from_name(names[i]);
		if (cap < 0 || cap >= 64)
			return hk_err_plain(err, EINVAL, "--cap: unknown capability \"%s\"",
			                    names[i]);
		/* without a capabilities object: from none */
		p->has_capabilities = true;
		uint64_t bit = UINT64_C(1) << cap;
		p->caps.bounding |= bit;
		p->caps.effective |= bit;
		p->caps.permitted |= bit;
		/* ambient needs inheritable, which --cap does not add (runc) */
		if (p->caps.inheritable)
			p->caps.ambient |= bit;
	}
	return 0;
}

/* The container's own process (taken from SPEC) with O's changes. */
static int process_from_config(const hk_exec_opts *o, hk_spec *spec, hk_process *p, hk_err *err)
{
	*p = spec->process;
	memset(&spec->process, 0, sizeof(spec->process));
	hk_strv_free(p->args);
	p->n_args = 0;
	if (!(p->args = calloc(o->n_args + 1, sizeof(char *))))
		return hk_err_set(err, ENOMEM, "exec");
	for (size_t i = 0; i < o->n_args; i++) {
		if (!(p->args[i] = strdup(o->args[i])))
			return hk_err_set(err, ENOMEM, "exec");
		p->n_args++;
	}
	if (p->n_args == 0)
		return hk_err_plain(err, EINVAL, "process args cannot be empty");
	for (size_t i = 0; i < o->n_env; i++)
		if (env_set(p, o->env[i], err) < 0)
			return -err->code;
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return hk_err_plain(err, EINVAL, "--cwd %s: must be an absolute path",
			                    o->cwd);
		free(p->cwd);
		if (!(p->cwd = strdup(o->cwd)))
			return hk_err_set(err, ENOMEM, "exec");
	}
	if (o->has_uid)
		p->user.uid = o->uid;
	if (o->has_gid)
		p->user.gid = o->gid;
	if (o->n_gids) {
		size_t n = p->user.n_additional_gids + o->n_gids;
		uint32_t *g = realloc(p->user.additional_gids, n * sizeof(uint32_t));
		if (!g)
			return hk_err_set(err, ENOMEM, "exec");
		memcpy(g + p->user.n_additional_gids, o->gids, o->n_gids * sizeof(uint32_t));
		p->user.additional_gids = g;
		p->user.n_additional_gids = n;
	}
	if (add_caps(p, o->caps, o->n_caps, err) < 0)
		return -err->code;
	p->terminal = o->tty;
	if (o->no_new_privs)
		p->no_new_privileges = true;
	return 0;
}

/* -p FILE, or the process of SPEC (the container's config) changed by
 * the options. */
static int load_process(const hk_exec_opts *o, hk_spec *spec, hk_process *p, hk_err *err)
{
	if (o->process_file) {
		_cleanup_free_ char *json = NULL;
		size_t len = 0;
		int r = hk_read_file(o->process_file, &json, &len, err);
		if (r == 0 && (r = hk_spec_parse_process(json, len, p, err)) < 0)
			hk_err_wrap(err, "%s", o->process_file);
		/* without its own capabilities, the container's (as runc) */
		if (r == 0 && !p->has_capabilities && spec->process.has_capabilities) {
			p->caps = spec->process.caps;
			p->has_capabilities = true;
		}
		return r;
	}
	return process_from_config(o, spec, p, err);
}

/* *DST = SRC (a copy) when SRC is set (not NULL or ""). */
static int set_label(char **dst, const char *src, hk_err *err)
{
	if (!hk_lsm_label(src))
		return 0;
	char *dup = strdup(src);
	if (!dup)
		return hk_err_set(err, ENOMEM, "exec");
	free(*dst);
	*dst = dup;
	return 0;
}

/* The process's AppArmor profile and SELinux label: the options', else
 * its own, else the container's (SPEC's, still there with -p), as runc;
 * then whether this host can apply them, before anything is started. */
static int process_labels(const hk_exec_opts *o, const hk_spec *spec, hk_process *p, hk_err *err)
{
	int r;
	if ((r = set_label(&p->apparmor_profile, o->apparmor, err)) < 0 ||
	    (r = set_label(&p->selinux_label, o->process_label, err)) < 0)
		return r;
	if (!hk_lsm_label(p->apparmor_profile) &&
	    (r = set_label(&p->apparmor_profile, spec->process.apparmor_profile, err)) < 0)
		return r;
	if (!hk_lsm_label(p->selinux_label) &&
	    (r = set_label(&p->selinux_label, spec->process.selinux_label, err)) < 0)
		return r;
	return hk_lsm_check_process(p, hk_lsm_enabled_for(p->apparmor_profile, p->selinux_label),
	                            err);
}

/* runc's checks of a terminal against detach and --console-socket. */
static int check_terminal(const hk_exec_opts *o, const hk_process *p, hk_err *err)
{
	if (o->detach && p->terminal && !o->console_socket)
		return hk_err_plain(err, EINVAL,
		                    "cannot allocate tty if husk will detach without setting "
		                    "console socket");
	if ((!o->detach || !p->terminal) && o->console_socket)
		return hk_err_plain(err, EINVAL,
		                    "cannot use console socket if husk will not detach or "
		                    "allocate tty");
	return 0;
}

int hk_exec_process(const hk_exec_opts *o, hk_spec *spec, hk_process *p, hk_err *err)
{
	int r;
	if ((r = load_process(o, spec, p, err)) < 0 || (r = process_labels(o, spec, p, err)) < 0)
		return r;
	return check_terminal(o, p, err);
}
