/* fuzz_cli.c - values from the command line, through the functions the
 * verbs parse them with: sizes (--memory 512m), container ids, signals,
 * durations (events --interval), exec's --user UID[:GID], update's
 * resource options (and the LinuxResources object they make), and box's
 * whole option list.  The first byte picks the parser; the rest is the
 * value (for box: the arguments, separated by NUL bytes).
 *
 * The verbs' static parsers are compiled in here from their source (the
 * verb functions themselves renamed, so they do not clash with the ones
 * in the objects husk is linked from).  Nothing past option parsing runs:
 * no container is looked up, created or changed. */
#define hk_cmd_box    fuzz_unused_cmd_box
#define hk_cmd_events fuzz_unused_cmd_events
#define hk_cmd_exec   fuzz_unused_cmd_exec
#define hk_cmd_update fuzz_unused_cmd_update
/* NOLINTBEGIN(bugprone-suspicious-include): the static parsers, see above */
#include "cli/box.c"
#include "cli/events.c"
#include "cli/exec.c"
#include "cli/update.c"
/* NOLINTEND(bugprone-suspicious-include) */
#undef hk_cmd_box
#undef hk_cmd_events
#undef hk_cmd_exec
#undef hk_cmd_update

#include <signal.h>

#include "fuzz.h"
#include "runtime/lifecycle.h"
#include "spec/spec.h"

static hk_global global;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* usage errors and --help go nowhere (sanitizer reports and
	 * FUZZ_ASSERT write to fd 2 itself) */
	FILE *null = fopen("/dev/null", "w");
	FUZZ_ASSERT(null);
	stdout = null;
	stderr = null;
	return 0;
}

/* Forget what getopt kept of the last parse (where it was in a cluster
 * of short options, pointing into the freed arguments): optind = 0 makes
 * glibc start afresh. */
static void reset_getopt(void)
{
	char *none[] = {"x", NULL};
	optind = 0;
	(void)getopt(1, none, "");
}

static void size_value(const char *s)
{
	int64_t v = -7;
	int r = hk_parse_size(s, &v);
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	FUZZ_ASSERT(r == 0 ? v >= 0 : v == -7);
}

static void id_value(const char *s)
{
	hk_err err = {0};
	int r = hk_cli_check_id(s, &err);
	fuzz_check_err(r, &err);
	/* an id is a directory name under the state root */
	if (r == 0)
		FUZZ_ASSERT(*s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
	global.root = "/nonexistent-root";
	char *root = hk_cli_container_root(&global, s, &err);
	FUZZ_ASSERT(!root == (r < 0));
	free(root);
}

static void signal_value(const char *s)
{
	int sig = hk_signal_parse(s);
	FUZZ_ASSERT(sig == -EINVAL || (sig >= 1 && sig <= SIGRTMAX));
}

static void duration_value(const char *s)
{
	long long ms = -7;
	int r = parse_duration(s, &ms);
	FUZZ_ASSERT(r == 0 || r == -1);
}

static void user_value(const char *s)
{
	hk_exec_opts o = {0};
	int r = parse_user(s, &o);
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	FUZZ_ASSERT(r < 0 || (o.has_uid && o.uid != UINT32_MAX));
}

/* update OPTION VALUE: the JSON it makes is what hk_lc_update parses */
static void update_value(uint8_t which, const char *s)
{
	static const int options[] = {
	    OPT_MEMORY, OPT_MEMORY_RES, OPT_MEMORY_SWAP, OPT_PIDS, OPT_SHARES, OPT_PERIOD,
	    OPT_QUOTA,  OPT_RT_PERIOD,  OPT_RT_RUNTIME,  OPT_CPUS, OPT_MEMS,   OPT_BLKIO,
	    OPT_KMEM,   OPT_KMEM_TCP,   OPT_BURST,       OPT_IDLE};
	int c = options[which % HK_ARRAY_SIZE(options)];
	json_object *top = json_object_new_object();
	FUZZ_ASSERT(top);
	hk_err err = {0};
	int r = add_option(top, c, "option", s, &err);
	fuzz_check_err(r, &err);
	if (r == 0) {
		const char *t = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN);
		FUZZ_ASSERT(t);
		hk_resources res;
		r = hk_spec_parse_resources(t, strlen(t), &res, &err);
		fuzz_check_err(r, &err);
		hk_resources_free(&res);
	}
	json_object_put(top);
}

/* husk box ARGS... (split at NUL bytes) */
static void box_args(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	FUZZ_ASSERT(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *argv[34] = {"box"};
	int argc = 1;
	for (size_t i = 0; i <= size && argc < 33; argc++) {
		argv[argc] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	hk_box_opts o = {.rm = true, .memory = -1, .memory_swap = -2, .pids_limit = -1};
	bool tty_set = false;
	reset_getopt();
	hk_cli_init(&global, argc, argv);
	int r = parse_opts(&o, argc, argv, &tty_set);
	FUZZ_ASSERT(r <= HK_CLI_USAGE_STATUS || r == 2);
	if (r == 0) {
		FUZZ_ASSERT(o.argc >= 0 && o.argv);
		FUZZ_ASSERT(o.memory == -1 || o.memory >= 6 << 20);
		FUZZ_ASSERT(o.pids_limit == -1 || o.pids_limit > 0);
	}
	free_opts(&o);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	char *s = fuzz_str(data + 2, size - 2);
	switch (data[0] % 7) {
	case 0:
		size_value(s);
		break;
	case 1:
		id_value(s);
		break;
	case 2:
		signal_value(s);
		break;
	case 3:
		duration_value(s);
		break;
	case 4:
		user_value(s);
		break;
	case 5:
		update_value(data[1], s);
		break;
	case 6:
		box_args(data + 2, size - 2);
		break;
	}
	free(s);
	return 0;
}
