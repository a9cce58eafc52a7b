/* common.c - what every verb shares: error reporting (stderr and the
 * --log file, in runc's text or JSON format), --debug lines, usage errors
 * and container id checks. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/clock.h"
#include "util/debug.h"

/* Set by hk_cli_init(): the global options and the verb's own argv (for
 * naming a bad option after getopt_long() failed). */
static const hk_global *cli_g;
static int cli_argc;
static char **cli_argv;

static void log_to_file(const hk_global *g, const char *level, const char *msg);
static void log_record(int fd, bool json, const char *level, const char *msg);

/* With --debug: a level "debug" record in the log file (on stderr when
 * there is no --log), as runc.  Every layer notes through util/debug.h. */
static void debug_note(const char *msg)
{
	if (!cli_g || !cli_g->debug)
		return;
	if (cli_g->log)
		log_to_file(cli_g, "debug", msg);
	else
		log_record(STDERR_FILENO, cli_g->log_json, "debug", msg);
}

void hk_cli_init(const hk_global *g, int argc, char **argv)
{
	cli_g = g;
	/* the layers below note through util/debug.h */
	hk_debug_set_sink(debug_note);
	cli_argc = argc;
	cli_argv = argv;
	/* the verbs say what is wrong themselves (hk_cli_usage_error) */
	opterr = 0;
}

/* As Go's %q (logrus quotes msg so): \" \\ \n \t, other controls \xNN. */
static void quote(FILE *f, const char *s, bool json)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, json ? "\\u%04x" : "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

/* One log record, written with one write() so that records of husk
 * processes sharing a log file never interleave.  JSON: one object per
 * line, {"level","msg","time"} as runc's logrus writes it; text:
 * time="..." level=LEVEL msg="...".  The time is RFC 3339, UTC. */
static void log_record(int fd, bool json, const char *level, const char *msg)
{
	struct timespec ts;
	char when[HK_UTC_LEN];
	clock_gettime(CLOCK_REALTIME, &ts);
	hk_utc_format(ts.tv_sec, when);

	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	if (json)
		fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
	else
		fprintf(f, "time=\"%s.%06ldZ\" level=%s msg=\"", when, ts.tv_nsec / 1000, level);
	quote(f, msg, json);
	if (json)
		fprintf(f, "\",\"time\":\"%s.%06ldZ\"}\n", when, ts.tv_nsec / 1000);
	else
		fputs("\"\n", f);
	if (fclose(f) != 0)
		return;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static int open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
}

int hk_cli_open_log(const hk_global *g, hk_err *err)
{
	if (!g->log)
		return 0;
	int fd = open_log(g->log);
	if (fd < 0)
		return hk_err_set(err, errno, "failed to open log file %s", g->log);
	close(fd);
	return 0;
}

/* To the --log file when there is one. */
static void log_to_file(const hk_global *g, const char *level, const char *msg)
{
	if (!g || !g->log)
		return;
	_cleanup_close_ int fd = open_log(g->log);
	if (fd >= 0)
		log_record(fd, g->log_json, level, msg);
}

void hk_cli_error(const hk_global *g, const hk_err *err)
{
	hk_err_print(err);
	log_to_file(g ? g : cli_g, "error", err->msg);
}

/* After getopt_long() returned '?' on the verb's argv: which option, and
 * what was wrong with it (glibc leaves that in optind and optopt). */
static bool describe_bad_option(char *buf, size_t len)
{
	if (!cli_argv || optind < 1 || optind > cli_argc)
		return false;
	const char *prev = cli_argv[optind - 1];
	const char *next = optind < cli_argc ? cli_argv[optind] : NULL;
	bool short_opt = optopt > 0 && optopt < 128 && isgraph(optopt);
	/* an unknown letter inside a cluster (-xa): optind still on it */
	if (short_opt && next && next[0] == '-' && next[1] != '-' && strchr(next + 1, optopt) &&
	    strchr(next + 1, optopt)[1] != '\0') {
		snprintf(buf, len, "unknown option -%c", optopt);
		return true;
	}
	if (optind - 1 >= 1 && prev[0] == '-' && prev[1] == '-' && prev[2]) {
		int n = (int)strcspn(prev, "=");
		if (optopt == 0)
			snprintf(buf, len, "unknown option %.*s", n, prev);
		else if (prev[n] == '=')
			snprintf(buf, len, "option %.*s takes no value", n, prev);
		else
			snprintf(buf, len, "option %s needs a value", prev);
		return true;
	}
	if (!short_opt)
		return false;
	/* the last letter of its word: unknown, or one that takes a value
	 * with nothing after it (glibc says the same '?' for both) */
	if (optind == cli_argc)
		snprintf(buf, len, "unknown option -%c, or -%c without its value", optopt, optopt);
	else
		snprintf(buf, len, "unknown option -%c", optopt);
	return true;
}

int hk_cli_usage_error(const char *verb, const char *usage, const char *fmt, ...)
{
	char reason[512];
	if (strcmp(fmt, "unknown option") != 0 || !describe_bad_option(reason, sizeof(reason))) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
	}
	char line[4 * sizeof(reason)];
	fprintf(stderr, "husk %s: %s\nusage: husk %s%s%s\n", verb,
	        hk_one_line(reason, line, sizeof(line)), verb, *usage ? " " : "", usage);
	if (cli_g && cli_g->log) {
		char msg[sizeof(reason) + 64];
		snprintf(msg, sizeof(msg), "%s: %s", verb, reason);
		log_to_file(cli_g, "error", msg);
	}
	return HK_CLI_USAGE_STATUS;
}

int hk_cli_check_id(const char *id, hk_err *err)
{
	size_t len = strlen(id);
	if (len == 0 || len > 1024)
		return hk_err_plain(err, EINVAL, "invalid container id \"%s\"", id);
	for (size_t i = 0; i < len; i++) {
		char ch = id[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		             (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || !strchr("_+.-", ch)))
			return hk_err_plain(err, EINVAL,
			                    "invalid container id \"%s\": must match "
			                    "[A-Za-z0-9][A-Za-z0-9_+.-]*",
			                    id);
	}
	return 0;
}

char *hk_cli_container_root(const hk_global *g, const char *id, hk_err *err)
{
	if (hk_cli_check_id(id, err) < 0)
		return NULL;
	char *root = hk_state_root(g->root);
	if (!root)
		hk_err_set(err, ENOMEM, "state root");
	return root;
}

char *hk_cli_id_arg(const hk_global *g, int argc, char **argv, const char *verb, const char *help,
                    const char **id, int *status)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
	int c;
	*id = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: husk %s ID\n\n%s\n", verb, help);
			*status = 0;
		} else {
			*status = hk_cli_usage_error(verb, "ID", "unknown option");
		}
		return NULL;
	}
	if (optind != argc - 1) {
		*status = hk_cli_usage_error(verb, "ID", "expected exactly one container id");
		return NULL;
	}
	hk_err err = {0};
	char *root = hk_cli_container_root(g, argv[optind], &err);
	if (!root) {
		hk_cli_error(g, &err);
		*status = 1;
		return NULL;
	}
	*id = argv[optind];
	return root;
}
