/* cli.h - the command line: global options and one function per verb. */
#ifndef HUSK_CLI_CLI_H
#define HUSK_CLI_CLI_H

#include <stdbool.h>

#include "util/error.h"

typedef struct hk_global {
	const char *root; /* --root: state directory */
	const char *log;  /* --log FILE */
	bool log_json;    /* --log-format json */
	bool debug;
	bool systemd_cgroup;
	const char *rootless; /* auto|true|false */
} hk_global;

/* Report ERR: "husk: MSG" on stderr and, with --log, to the log file
 * (one JSON object per line with --log-format json). */
void hk_cli_error(const hk_global *g, const hk_err *err);
/* A usage error: "husk VERB: MSG" + "usage: ..." on stderr; returns 2. */
int hk_cli_usage_error(const char *verb, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Container ids as runc accepts them: [A-Za-z0-9][A-Za-z0-9_+.-]*. */
int hk_cli_check_id(const char *id, hk_err *err);

/* The state root for container ID (checked as hk_cli_check_id does),
 * malloc'd; NULL with ERR set. */
char *hk_cli_container_root(const hk_global *g, const char *id, hk_err *err);

/* create ID from BUNDLE/config.json (create, and run -d). */
int hk_cli_create(const hk_global *g, const char *id, const char *bundle, const char *pid_file,
                  const char *console, hk_err *err);

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
