/* list.c - `husk list [-f table|json] [-q]`: the containers in the state
 * root, as runc lists them (a tab-aligned table, or a JSON array). */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "linux/userns.h"
#include "runtime/state.h"
#include "spec/spec.h"
#include "util/cleanup.h"

static const char list_usage[] = "[-f|--format table|json] [-q|--quiet]";

enum { COL_ID, COL_PID, COL_STATUS, COL_BUNDLE, COL_CREATED, COL_OWNER, NCOLS };

struct row {
	hk_state *st;
	enum hk_status status;
	char pid[16];
	char owner[64];
};

/* runc's owner column: the user name, "#UID" when it has none.  Each
 * lookup reads /etc/passwd; containers mostly share an owner, so the last
 * answer is kept (not when /etc/passwd could not be read: the next row
 * asks again). */
static void owner_name(uid_t uid, char *buf, size_t len)
{
	static bool known;
	static uid_t last_uid;
	static char last[64];
	if (!known || uid != last_uid) {
		_cleanup_free_ char *name = NULL;
		int r = hk_passwd_lookup(uid, &name, NULL);
		if (r == 0 && name)
			snprintf(last, sizeof(last), "%s", name);
		else
			snprintf(last, sizeof(last), "#%u", (unsigned)uid);
		known = r == 0 || r == -ENOENT;
		last_uid = uid;
	}
	snprintf(buf, len, "%s", last);
}

static const char *cell(const struct row *r, int col)
{
	switch (col) {
	case COL_ID:
		return r->st->id;
	case COL_PID:
		return r->pid;
	case COL_STATUS:
		return hk_status_name(r->status);
	case COL_BUNDLE:
		return r->st->bundle;
	case COL_CREATED:
		return r->st->created;
	default:
		return r->owner;
	}
}

/* As runc's tabwriter (min width 12, padding 3, spaces); the last column
 * is not padded. */
static void print_table(const struct row *rows, size_t n)
{
	static const char *const head[NCOLS] = {"ID",     "PID",     "STATUS",
	                                        "BUNDLE", "CREATED", "OWNER"};
	size_t width[NCOLS];
	for (int c = 0; c < NCOLS; c++) {
		width[c] = strlen(head[c]);
		for (size_t i = 0; i < n; i++)
			if (strlen(cell(&rows[i], c)) > width[c])
				width[c] = strlen(cell(&rows[i], c));
		width[c] = width[c] + 3 < 12 ? 12 : width[c] + 3;
	}
	for (size_t i = 0; i <= n; i++)
		for (int c = 0; c < NCOLS; c++) {
			const char *s = i == 0 ? head[c] : cell(&rows[i - 1], c);
			if (c == NCOLS - 1)
				printf("%s\n", s);
			else
				printf("%-*s", (int)width[c], s);
		}
}

/* As runc's `list --format json`: one line, "null" when there is none. */
static int print_json(const struct row *rows, size_t n)
{
	if (n == 0) {
		puts("null");
		return 0;
	}
	json_object *a = json_object_new_array();
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const hk_state *st = rows[i].st;
		json_object *o = json_object_new_object();
		if (!o) {
			json_object_put(a);
			return -ENOMEM;
		}
		json_object_object_add(o, "ociVersion", json_object_new_string(HK_OCI_VERSION));
		json_object_object_add(o, "id", json_object_new_string(st->id));
		json_object_object_add(
		    o, "pid",
		    json_object_new_int(rows[i].status == HK_STATUS_STOPPED ? 0 : st->pid));
		json_object_object_add(o, "status",
		                       json_object_new_string(hk_status_name(rows[i].status)));
		json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
		json_object_object_add(o, "rootfs", json_object_new_string(st->rootfs));
		json_object_object_add(o, "created", json_object_new_string(st->created));
		if (st->n_annotations) {
			json_object *ann = json_object_new_object();
			for (size_t k = 0; ann && k < st->n_annotations; k++)
				json_object_object_add(
				    ann, st->annotations[k].key,
				    json_object_new_string(st->annotations[k].value));
			json_object_object_add(o, "annotations", ann);
		}
		json_object_object_add(o, "owner", json_object_new_string(rows[i].owner));
		json_object_array_add(a, o);
	}
	puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
	                                           JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
	return 0;
}

static void rows_free(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hk_state_free(rows[i].st);
	free(rows);
}

int hk_cmd_list(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_err err = {0};
	bool json = false, quiet = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
				return hk_cli_usage_error("list", list_usage,
				                          "invalid format \"%s\": expected table "
				                          "or json",
				                          optarg);
			json = strcmp(optarg, "json") == 0;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("usage: husk list %s\n\nList the containers (--quiet: only their "
			       "ids).\n",
			       list_usage);
			return 0;
		default:
			return hk_cli_usage_error("list", list_usage, "unknown option");
		}
	}
	if (optind != argc)
		return hk_cli_usage_error("list", list_usage, "unexpected argument \"%s\"",
		                          argv[optind]);
	_cleanup_free_ char *root = hk_state_root(g->root);
	if (!root) {
		hk_err_set(&err, ENOMEM, "state root");
		hk_cli_error(g, &err);
		return 1;
	}
	_cleanup_strv_ char **ids = NULL;
	size_t n = 0, nrows = 0;
	if (hk_state_list(root, &ids, &n, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		hk_err_set(&err, ENOMEM, "list");
		hk_cli_error(g, &err);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		hk_state *st = NULL;
		hk_err lerr = {0};
		/* one being created or deleted (no record): not listed; a
		 * damaged one neither, but said (as runc) */
		int lr = hk_state_load(root, ids[i], &st, &lerr);
		if (lr < 0 && lr != -ENOENT)
			hk_err_warn(&lerr);
		if (lr < 0)
			continue;
		struct row *r = &rows[nrows++];
		r->st = st;
		r->status = hk_state_status(root, st);
		snprintf(r->pid, sizeof(r->pid), "%d",
		         r->status == HK_STATUS_STOPPED ? 0 : (int)st->pid);
		owner_name(st->owner, r->owner, sizeof(r->owner));
	}
	int ret = 0;
	if (quiet) {
		for (size_t i = 0; i < nrows; i++)
			puts(rows[i].st->id);
	} else if (json) {
		if (print_json(rows, nrows) < 0) {
			hk_err_set(&err, ENOMEM, "list");
			hk_cli_error(g, &err);
			ret = 1;
		}
	} else {
		print_table(rows, nrows);
	}
	rows_free(rows, nrows);
	return ret;
}
