/* state.h - the state store: what `create` leaves for `start`, `state`,
 * `kill`, `delete`, `list` and `ps`.
 *
 * ROOT/ID/ (mode 0700) holds:
 *   state.json   the container's record, written atomically (temp file,
 *                rename; not fsynced: see state.c)
 *   state.json.bak  a copy of it: what `delete --force` goes by when
 *                state.json is damaged
 *   exec.fifo    while the container is created and not yet started: its
 *                init blocks opening it for writing; `start` opens it for
 *                reading
 *   lock         flock()ed by every operation on the container
 *   config.json  the config the container was created from: exec takes
 *                its process defaults from it, and a bundle edited after
 *                create changes nothing
 * ROOT is --root (default /run/husk; $XDG_RUNTIME_DIR/husk for a user).
 */
#ifndef HUSK_RUNTIME_STATE_H
#define HUSK_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/cgroup.h"
#include "oci/types.h"
#include "spec/spec.h"
#include "util/error.h"

enum hk_status {
	HK_STATUS_CREATING,
	HK_STATUS_CREATED,
	HK_STATUS_RUNNING,
	HK_STATUS_STOPPED,
	HK_STATUS_PAUSED,
};

typedef struct hk_state {
	char *id;
	pid_t pid;                /* the container's process (host pid namespace) */
	unsigned long long start; /* its start time (/proc/PID/stat field 22) */
	char *bundle;             /* absolute */
	char *rootfs;             /* absolute */
	char *created;            /* RFC 3339 time of creation */
	char *cgroup;             /* hk_cgroup_path(), "" for none */
	uid_t owner;              /* the uid that created it */
	hk_kv *annotations;       /* from config.json */
	size_t n_annotations;
	/* does config.json have hooks: 1, 0 (start and delete then need not
	 * read it), -1 when the record does not say */
	int hooks;
} hk_state;

/* The state directory: --root if given, else /run/husk for root and
 * $XDG_RUNTIME_DIR/husk (or /tmp/husk-UID) for a user (malloc'd). */
char *hk_state_root(const char *root_opt);

/* A container's directory in ROOT, locked (flock LOCK_EX) for the caller's
 * lifetime of *LOCK_FD.  The wait for the lock is bounded (30 s, or
 * HUSK_LOCK_TIMEOUT seconds): then "container \"ID\" is locked by another
 * process (pid N, COMM): gave up after 30 s", -EBUSY.  So no operation
 * holds it while waiting on the container's process for long (delete lets
 * go of it while the process dies; start, run and exec once it runs).
 *   hk_state_create: made now (mkdir: two creates of one ID, one wins; the
 *     other gets "container \"ID\" already exists", -EEXIST).
 *   hk_state_open: must exist ("container \"ID\" does not exist", -ENOENT). */
int hk_state_create(const char *root, const char *id, int *lock_fd, hk_err *err);
int hk_state_open(const char *root, const char *id, int *lock_fd, hk_err *err);

/* ROOT/ID/state.json (and its copy), written atomically / read back.  A
 * missing record: "container \"ID\" does not exist" (-ENOENT); a damaged
 * one: "container \"ID\": its state file PATH is damaged (WHY); ..."
 * (-EINVAL). */
int hk_state_save(const char *root, const hk_state *st, hk_err *err);
int hk_state_load(const char *root, const char *id, hk_state **out, hk_err *err);
/* The copy, ROOT/ID/state.json.bak, for when state.json cannot be read. */
int hk_state_load_copy(const char *root, const char *id, hk_state **out, hk_err *err);

/* The parse of state.json's TEXT (NUL-terminated) for container ID:
 * hk_state_load() without the file; the message says what is wrong, not
 * where. */
int hk_state_parse(const char *text, const char *id, hk_state **out, hk_err *err);
void hk_state_free(hk_state *st);
static inline void hk_state_freep(hk_state **st)
{
	hk_state_free(*st);
}
#define _cleanup_state_ __attribute__((cleanup(hk_state_freep)))

/* ROOT/ID/config.json: saved (atomically) at create, parsed back. */
int hk_state_save_config(const char *root, const char *id, const char *json, size_t len,
                         hk_err *err);
int hk_state_load_spec(const char *root, const char *id, hk_spec **out, hk_err *err);

/* Remove ROOT/ID entirely (state.json and its copy, exec.fifo, lock). */
int hk_state_remove(const char *root, const char *id, hk_err *err);
/* ROOT/ID/cgroup.plan: the cgroup a create is about to make
 * (hk_cgroup_create_noted's path), written before any directory of it, so
 * that delete --force finds it when husk was killed before state.json.
 * Load: *OUT malloc'd; -ENOENT when there is none. */
int hk_state_save_cgroup_plan(const char *root, const char *id, const char *path, hk_err *err);
int hk_state_load_cgroup_plan(const char *root, const char *id, char **out, hk_err *err);
/* ROOT/ID when empty: what a create killed between its mkdir and its lock
 * file left (delete --force).  0, or -errno of rmdir (-ENOTEMPTY: not
 * such a stub; -ENOENT: no directory). */
int hk_state_remove_stub(const char *root, const char *id);

/* The ids in ROOT, sorted (malloc'd, NULL-terminated). */
int hk_state_list(const char *root, char ***ids, size_t *n, hk_err *err);

/* The start time of PID (/proc/PID/stat field 22), 0 when it is gone. */
unsigned long long hk_proc_start_time(pid_t pid);

/* Is ST's process still the one that was recorded (same pid, same start
 * time, not a zombie)? */
bool hk_state_alive(const hk_state *st);

/* The status now: stopped when the process is gone (or another has its
 * pid), created while ROOT/ID/exec.fifo exists, paused when its cgroup is
 * frozen, else running. */
enum hk_status hk_state_status(const char *root, const hk_state *st);
/* The same; when it loaded the container's cgroup to tell paused from
 * running (a live, started container with a cgroup), that cgroup is
 * handed to *CG if *CG is NULL (the caller frees it): the caller need not
 * find it again. */
enum hk_status hk_state_status_cg(const char *root, const hk_state *st, hk_cgroup **cg);
const char *hk_status_name(enum hk_status s);

/* The OCI state JSON (`husk state`): ociVersion, id, status, pid (0 when
 * stopped), bundle, rootfs, created, owner, annotations (malloc'd,
 * pretty-printed, newline-terminated). */
char *hk_state_json(const hk_state *st, enum hk_status status);
/* What a hook gets on stdin: runtime-spec's State alone (ociVersion, id,
 * status, pid, bundle, annotations when any), as runc sends it: no pid
 * when STATUS is stopped (the process is gone); compact, malloc'd. */
char *hk_state_hook_json(const hk_state *st, enum hk_status status);
/* What a seccomp agent gets with the notify fd (runtime-spec's
 * containerProcessState): {ociVersion, fds: ["seccompFd"], pid (the
 * process's, PID), metadata (when set), state (as hk_state_json)};
 * compact, malloc'd. */
char *hk_state_process_json(const hk_state *st, enum hk_status status, pid_t pid,
                            const char *metadata);

#endif
