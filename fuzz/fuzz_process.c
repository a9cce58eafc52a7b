/* fuzz_process.c - `husk exec -p process.json`: hk_spec_parse_process(),
 * then the LSM check exec makes, then hk_process_free() (also after an
 * error, as exec does). */
#include "fuzz.h"
#include "linux/lsm.h"
#include "spec/spec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hk_err err = {0};
	hk_process p;
	int r = hk_spec_parse_process((const char *)data, size, &p, &err);
	fuzz_check_err(r, &err);
	if (r == 0) {
		FUZZ_ASSERT(p.args && p.n_args > 0);
		r = hk_lsm_check_process(&p, 0, &err);
		fuzz_check_err(r, &err);
	}
	hk_process_free(&p);
	return 0;
}
