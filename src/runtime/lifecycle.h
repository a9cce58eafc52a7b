/* lifecycle.h - the OCI lifecycle over the state store (state.h):
 * create -> created -> start -> running -> (exit) stopped -> delete.
 *
 * create.c: hk_lc_create, hk_lc_start.  lifecycle.c: the rest.  Pause,
 * resume, update and events: control.h. */
#ifndef HUSK_RUNTIME_LIFECYCLE_H
#define HUSK_RUNTIME_LIFECYCLE_H

#include <stdbool.h>

#include "runtime/state.h"
#include "spec/spec.h"
#include "util/error.h"

typedef struct hk_create_opts {
	const char *root; /* state root (hk_state_root()) */
	const char *id;
	const char *bundle; /* absolute */
	const hk_spec *spec;
	const char *config_json; /* the text SPEC was parsed from, kept in ROOT/ID */
	size_t config_len;
	const char *pid_file;       /* may be NULL */
	const char *console_socket; /* may be NULL: process.terminal needs it */
	unsigned preserve_fds;      /* --preserve-fds: fds 3..3+N-1 passed on */
} hk_create_opts;

/* Create the container: everything but running its process, which waits
 * (exec fifo) for hk_lc_start.  On failure nothing is left (no state
 * directory, cgroup or process). */
int hk_lc_create(const hk_create_opts *o, hk_err *err);

/* Write ROOT/ID/config.json (when O has the text) and state.json for the
 * container C just made (create, and `run` in the foreground). */
struct hk_container;
int hk_lc_record(const hk_create_opts *o, const struct hk_container *c, hk_err *err);
/* An hk_cgroup_note_fn for hk_container_opts.note_cgroup, ARG the
 * hk_create_opts: ROOT/ID/cgroup.plan (state.h). */
int hk_lc_note_cgroup(const char *path, void *arg, hk_err *err);

/* Let a created container's process exec.  Errors: not created
 * ("container \"ID\" is not created: running"), gone. */
int hk_lc_start(const char *root, const char *id, hk_err *err);

/* Send SIG to the container's process (ALL: to every process in its
 * cgroup).  A stopped container: "container \"ID\" is not running".  The
 * pid is signalled only while it is still the recorded process.  SIGKILL
 * to a paused container thaws it afterwards (on v1 the kill lands only
 * then), as runc does. */
int hk_lc_kill(const char *root, const char *id, int sig, bool all, hk_err *err);

/* Remove a stopped (or created) container: its cgroup and its state.
 * Running or paused: an error unless FORCE, which kills it (SIGKILL,
 * thawing a paused one, waiting for it to go) first.  A missing container
 * with FORCE is not an error. */
int hk_lc_delete(const char *root, const char *id, bool force, hk_err *err);

/* Signal names ("TERM", "SIGTERM", "15", "term") to numbers; -EINVAL. */
int hk_signal_parse(const char *s);

#endif
