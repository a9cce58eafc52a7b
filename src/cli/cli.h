/* cli.h - the command line: global options and one function per verb. */
#ifndef HUSK_CLI_CLI_H
#define HUSK_CLI_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec/spec.h"
#include "util/error.h"

typedef struct hk_global {
	const char *root;     /* --root: state directory */
	const char *log;      /* --log FILE */
	bool log_json;        /* --log-format json */
	bool debug;           /* --debug: hk_cli_debug() lines */
	bool systemd_cgroup;  /* --systemd-cgroup: create and run refuse it */
	const char *rootless; /* --rootless auto|true|false (checked; husk
	                       * decides from its euid, as auto) */
} hk_global;

/* The exit status of a usage error: runc's (urfave/cli's) 1. */
#define HK_CLI_USAGE_STATUS 1

/* Called by main before the verb runs: G for --debug notes (util/debug.h) and for
 * logging usage errors, the verb's ARGC/ARGV (argv[0] the verb) to name
 * a bad option; also turns getopt's own messages off. */
void hk_cli_init(const hk_global *g, int argc, char **argv);
/* Check that the --log file can be opened for appending (creating it, as
 * runc does). */
int hk_cli_open_log(const hk_global *g, hk_err *err);
/* Report ERR: "husk: MSG" on stderr and, with --log, one record in the
 * log file: time="RFC 3339" level=error msg="MSG", or with --log-format
 * json one line {"level":"error","msg":"MSG","time":"RFC 3339"} (what
 * podman and containerd read).  G may be NULL: the one of hk_cli_init().
 * Call it once per failed command: podman parses the log as one object. */
void hk_cli_error(const hk_global *g, const hk_err *err);
/* A usage error: "husk VERB: MSG" + "usage: husk VERB USAGE" on stderr,
 * "VERB: MSG" in the log; returns HK_CLI_USAGE_STATUS.  MSG "unknown
 * option" right after getopt_long() returned '?' is replaced by what was
 * wrong ("unknown option --foo", "option --format needs a value"). */
int hk_cli_usage_error(const char *verb, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The arguments of a verb that takes only --help and one container ID:
 * returns the container's state root (malloc'd) and sets *ID; otherwise
 * NULL with *STATUS the exit status (0 after --help, which prints
 * "usage: husk VERB ID" and HELP; a usage error or a bad id, reported). */
char *hk_cli_id_arg(const hk_global *g, int argc, char **argv, const char *verb, const char *help,
                    const char **id, int *status);

/* Container ids as runc accepts them: [A-Za-z0-9][A-Za-z0-9_+.-]*. */
int hk_cli_check_id(const char *id, hk_err *err);

/* The state root for container ID (checked as hk_cli_check_id does),
 * malloc'd; NULL with ERR set. */
char *hk_cli_container_root(const hk_global *g, const char *id, hk_err *err);

/* A bundle as create and run read it: --preserve-fds checked (before
 * husk opens anything), ID checked, PATH absolute, the state root,
 * config.json's text and its parse.  Free with hk_cli_bundle_free(). */
typedef struct hk_bundle {
	char path[PATH_MAX];
	char *root;
	char *json;
	size_t len;
	hk_spec *spec;
} hk_bundle;
int hk_cli_bundle_load(const hk_global *g, const char *id, const char *bundle,
                       unsigned preserve_fds, hk_bundle *out, hk_err *err);
void hk_cli_bundle_free(hk_bundle *b);
#define _cleanup_bundle_ __attribute__((cleanup(hk_cli_bundle_free)))

/* create ID from BUNDLE/config.json (create, and run -d). */
int hk_cli_create(const hk_global *g, const char *id, const char *bundle, const char *pid_file,
                  const char *console, unsigned preserve_fds, hk_err *err);

int hk_cmd_box(const hk_global *g, int argc, char **argv);
int hk_cmd_create(const hk_global *g, int argc, char **argv);
int hk_cmd_start(const hk_global *g, int argc, char **argv);
int hk_cmd_state(const hk_global *g, int argc, char **argv);
int hk_cmd_kill(const hk_global *g, int argc, char **argv);
int hk_cmd_delete(const hk_global *g, int argc, char **argv);
int hk_cmd_list(const hk_global *g, int argc, char **argv);
int hk_cmd_ps(const hk_global *g, int argc, char **argv);
int hk_cmd_features(const hk_global *g, int argc, char **argv);
int hk_cmd_run(const hk_global *g, int argc, char **argv);
int hk_cmd_spec(const hk_global *g, int argc, char **argv);
int hk_cmd_exec(const hk_global *g, int argc, char **argv);
int hk_cmd_pause(const hk_global *g, int argc, char **argv);
int hk_cmd_resume(const hk_global *g, int argc, char **argv);
int hk_cmd_update(const hk_global *g, int argc, char **argv);
int hk_cmd_events(const hk_global *g, int argc, char **argv);

#endif
