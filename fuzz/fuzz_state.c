/* fuzz_state.c - ROOT/ID/state.json as every verb after create reads it
 * (hk_state_parse(), what hk_state_load() does with the file's text), then
 * the JSON husk makes of a loaded state: `husk state`'s, a hook's stdin, a
 * seccomp agent's. */
#include <json-c/json.h>

#include "fuzz.h"
#include "runtime/state.h"

/* the id of the seeds in fuzz/corpus/state/ */
#define ID "c1"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	hk_err err = {0};
	hk_state *st = NULL;
	int r = hk_state_parse(text, ID, &st, &err);
	fuzz_check_err(r, &err);
	free(text);
	if (r < 0) {
		FUZZ_ASSERT(!st);
		return 0;
	}
	FUZZ_ASSERT(st->pid > 0 && strcmp(st->id, ID) == 0);
	for (int s = HK_STATUS_CREATING; s <= HK_STATUS_PAUSED; s++) {
		char *a = hk_state_json(st, (enum hk_status)s);
		char *b = hk_state_hook_json(st, (enum hk_status)s);
		char *c = hk_state_process_json(st, (enum hk_status)s, st->pid, "meta");
		FUZZ_ASSERT(a && b && c);
		/* what `husk state` prints, a hook and an agent read is JSON */
		for (const char *const *j = (const char *const[]){a, b, c, NULL}; *j; j++) {
			json_object *o = json_tokener_parse(*j);
			FUZZ_ASSERT(o && json_object_is_type(o, json_type_object));
			json_object_put(o);
		}
		free(a);
		free(b);
		free(c);
	}
	hk_state_free(st);
	return 0;
}
