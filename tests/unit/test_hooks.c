/* test_hooks.c - running OCI hooks (runtime/hooks.c): the state on stdin,
 * exactly the hook's args and env, order, failures named with the hook's
 * output, timeouts killing the hook, warnings for poststart/poststop. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/hooks.h"
#include "testutil.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char dir[] = "/tmp/hk-hooks-XXXXXX";

/* A hook running "sh -c SCRIPT"; ENV may be NULL. */
static hk_hook sh_hook(const char *script, char **env, int timeout)
{
	static char *args[16][4];
	static int next;
	char **a = args[next++ % 16];
	a[0] = "sh";
	a[1] = "-c";
	a[2] = (char *)script;
	a[3] = NULL;
	hk_hook h = {.path = "/bin/sh", .args = a, .n_args = 3, .env = env};
	if (env)
		for (char **e = env; *e; e++)
			h.n_env++;
	if (timeout > 0) {
		h.has_timeout = true;
		h.timeout = timeout;
	}
	return h;
}

static char *slurp(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *data = NULL;
	size_t len;
	hk_err err;
	if (hk_read_file(path, &data, &len, &err) < 0)
		return NULL;
	return data;
}

TEST(test_state_on_stdin_args_env_order)
{
	char script1[512], script2[512];
	snprintf(script1, sizeof(script1),
	         "cat > %s/stdin; echo \"$0 $FOO ${HOME-unset}\" > %s/env; echo one >> %s/order",
	         dir, dir, dir);
	snprintf(script2, sizeof(script2), "echo two >> %s/order", dir);
	char *env[] = {"FOO=bar", NULL};
	hk_hook list[2] = {sh_hook(script1, env, 0), sh_hook(script2, NULL, 0)};
	hk_hooks hooks = {0};
	hooks.list[HK_HOOK_PRESTART] = list;
	hooks.n[HK_HOOK_PRESTART] = 2;
	hk_err err = {0};
	CHECK(hk_hooks_any(&hooks, HK_HOOK_PRESTART));
	CHECK(!hk_hooks_any(&hooks, HK_HOOK_POSTSTOP));
	CHECK(hk_hooks_run(&hooks, HK_HOOK_PRESTART, "{\"id\":\"x\"}", &err) == 0);
	_cleanup_free_ char *in = slurp("stdin"), *envs = slurp("env"), *order = slurp("order");
	CHECK_STREQ(in, "{\"id\":\"x\"}");
	/* argv[0] is args[0]; only the hook's env: no HOME inherited */
	CHECK_STREQ(envs, "sh bar unset\n");
	CHECK_STREQ(order, "one\ntwo\n");
}

TEST(test_failure_named_with_output)
{
	hk_hook h[2] = {sh_hook("echo something broke >&2; exit 3", NULL, 0),
	                sh_hook("touch /tmp/should-not-run-hk", NULL, 0)};
	hk_hooks hooks = {0};
	hooks.list[HK_HOOK_CREATE_RUNTIME] = h;
	hooks.n[HK_HOOK_CREATE_RUNTIME] = 2;
	hk_err err = {0};
	CHECK(hk_hooks_run(&hooks, HK_HOOK_CREATE_RUNTIME, "{}", &err) < 0);
	CHECK_STREQ(err.msg,
	            "hooks.createRuntime[0] (/bin/sh): exited with status 3: something broke");
	CHECK(access("/tmp/should-not-run-hk", F_OK) < 0); /* the next one did not run */
}

TEST(test_missing_program)
{
	hk_hook h = {.path = "/no/such/hook"};
	hk_hooks hooks = {0};
	hooks.list[HK_HOOK_PRESTART] = &h;
	hooks.n[HK_HOOK_PRESTART] = 1;
	hk_err err = {0};
	CHECK(hk_hooks_run(&hooks, HK_HOOK_PRESTART, "{}", &err) < 0);
	CHECK_STREQ(err.msg, "hooks.prestart[0] (/no/such/hook): exec: no such file or directory");
}

TEST(test_timeout_kills)
{
	hk_hook h = sh_hook("echo waiting; exec sleep 30", NULL, 1);
	hk_hooks hooks = {0};
	hooks.list[HK_HOOK_START_CONTAINER] = &h;
	hooks.n[HK_HOOK_START_CONTAINER] = 1;
	hk_err err = {0};
	time_t t0 = time(NULL);
	CHECK(hk_hooks_run(&hooks, HK_HOOK_START_CONTAINER, "{}", &err) < 0);
	CHECK(time(NULL) - t0 < 10);
	CHECK_STREQ(err.msg,
	            "hooks.startContainer[0] (/bin/sh): timed out after 1 s, killed: waiting");
}

TEST(test_poststop_warns_and_goes_on)
{
	char script[256];
	snprintf(script, sizeof(script), "echo ran >> %s/post", dir);
	hk_hook h[2] = {sh_hook("exit 1", NULL, 0), sh_hook(script, NULL, 0)};
	hk_hooks hooks = {0};
	hooks.list[HK_HOOK_POSTSTOP] = h;
	hooks.n[HK_HOOK_POSTSTOP] = 2;
	hk_err err = {0};
	CHECK(hk_hooks_run(&hooks, HK_HOOK_POSTSTOP, "{}", &err) == 0);
	_cleanup_free_ char *post = slurp("post");
	CHECK_STREQ(post, "ran\n");
}

TEST(test_hook_ignoring_stdin)
{
	/* a big state and a hook that never reads it: no SIGPIPE, no hang */
	size_t n = 256 * 1024;
	char *big = malloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	hk_hook h = sh_hook("exit 0", NULL, 5);
	hk_hooks hooks = {0};
	hooks.list[HK_HOOK_POSTSTART] = &h;
	hooks.n[HK_HOOK_POSTSTART] = 1;
	hk_err err = {0};
	CHECK(hk_hooks_run(&hooks, HK_HOOK_POSTSTART, big, &err) == 0);
	free(big);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(test_state_on_stdin_args_env_order);
	RUN(test_failure_named_with_output);
	RUN(test_missing_program);
	RUN(test_timeout_kills);
	RUN(test_poststop_warns_and_goes_on);
	RUN(test_hook_ignoring_stdin);
	if (tu_remove_tree(dir) < 0)
		return 1;
	return check_summary();
}
