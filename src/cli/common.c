/* common.c - error reporting, usage errors and id checks for every verb. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/state.h"
#include "util/cleanup.h"

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
}

void hk_cli_error(const hk_global *g, const hk_err *err)
{
	hk_err_print(err);
	if (!g || !g->log)
		return;
	_cleanup_file_ FILE *f = fopen(g->log, "ae");
	if (!f)
		return;
	struct timespec ts;
	struct tm tm;
	char when[64], zone[8];
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm); /* +0100 -> +01:00 for RFC 3339 */
	if (g->log_json) {
		fprintf(f, "{\"level\":\"error\",\"time\":\"%s.%09ld%.3s:%s\",\"msg\":\"", when,
		        ts.tv_nsec, zone, zone + 3);
		json_escape(f, err->msg);
		fputs("\"}\n", f);
	} else {
		fprintf(f, "%s.%09ld%.3s:%s error: %s\n", when, ts.tv_nsec, zone, zone + 3,
		        err->msg);
	}
}

int hk_cli_usage_error(const char *verb, const char *usage, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "husk %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: husk %s %s\n", verb, usage);
	return 2;
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
