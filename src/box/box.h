/* box.h - `husk box`: a command in a root filesystem, isolated, with no
 * config file to write.
 *
 * The options become an OCI config (box/spec.c) that goes through the same
 * creation path as `husk run` (runtime/run.h); box.c adds what a bundle
 * does not have: the root filesystem's source (image.h), a copy-on-write
 * layer over it, and the rootless id maps. */
#ifndef HUSK_BOX_BOX_H
#define HUSK_BOX_BOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux/userns.h"
#include "util/error.h"

typedef struct hk_box_mount {
	char *source; /* -v: host path (absolute); --tmpfs: NULL */
	char *dest;   /* absolute path in the container */
	char *opts;   /* --tmpfs: tmpfs options ("size=64m"), -v: NULL */
	bool readonly;
} hk_box_mount;

typedef struct hk_box_opts {
	const char *source; /* rootfs: directory or tarball; NULL: built-in */
	char **argv;        /* NULL: /bin/sh */
	int argc;
	const char *name;     /* NULL: generated "box-XXXXXXXX" */
	const char *hostname; /* NULL: the name */
	bool rm;              /* discard the writable layer at exit (default) */
	bool readonly;
	bool tty;            /* a pty for the container */
	bool net_none;       /* --net none: a new, empty network namespace */
	bool print_spec;     /* print the config.json and exit */
	const char *remove;  /* --remove NAME (the cli calls hk_box_remove) */
	int64_t memory;      /* bytes; -1 unset */
	int64_t memory_swap; /* bytes (memory + swap), -1 unlimited; -2 unset */
	int64_t pids_limit;  /* -1 unset */
	double cpus;         /* 0 unset */
	bool has_user;
	uint32_t uid, gid;   /* -u */
	const char *user;    /* -u as given (names are looked up in the rootfs) */
	const char *workdir; /* -w */
	char **env;          /* -e K=V (K alone: the host's value), NULL-terminated */
	size_t n_env;
	hk_box_mount *mounts; /* -v and --tmpfs, in the order given */
	size_t n_mounts;
} hk_box_opts;

/* The context the spec is built for (box.c fills it). */
typedef struct hk_box_ctx {
	const char *rootfs;    /* absolute path of the root filesystem (lower layer) */
	const char *name;      /* the box's name (= container id) */
	const hk_idmaps *maps; /* NULL as root */
	bool cgroup_v2;        /* pure v2 host */
	const char *cgroups_path;
} hk_box_ctx;

/* The OCI config.json text for O in CTX (malloc'd, pretty-printed, ends
 * in a newline).  Errors name the option ("-u: no user \"bob\" in
 * ROOTFS/etc/passwd"). */
int hk_box_spec_json(const hk_box_opts *o, const hk_box_ctx *ctx, char **out, hk_err *err);

/* Run the box in the foreground; *EXIT_CODE as hk_run_foreground (the
 * command's status, 128+N for signal N, -1 when it never ran).  With
 * O->print_spec, print the config and return without running. */
int hk_box_run(const hk_box_opts *o, int *exit_code, hk_err *err);

/* Remove the layer a box NAME kept (--rm=false); refused while it runs. */
int hk_box_remove(const char *name, hk_err *err);

#endif
