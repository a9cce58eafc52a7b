/* check.h - a tiny unit test harness.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_STREQ(a, "b"); }
 *   int main(void) { RUN(name); return check_summary(); }
 */
#ifndef HUSK_TESTS_CHECK_H
#define HUSK_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_cur_failed;

#define TEST(name) static void name(void)
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_cur_failed = 1;                                                      \
		}                                                                                  \
	} while (0)
#define CHECK_STREQ(a, b)                                                                          \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                           \
			fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,         \
				_a ? _a : "(null)", _b ? _b : "(null)");                           \
			check_cur_failed = 1;                                                      \
		}                                                                                  \
	} while (0)
#define RUN(name)                                                                                  \
	do {                                                                                       \
		check_cur_failed = 0;                                                              \
		name();                                                                            \
		if (check_cur_failed) {                                                            \
			check_failed++;                                                            \
			printf("FAIL %s\n", #name);                                                \
		} else {                                                                           \
			check_passed++;                                                            \
			printf("ok   %s\n", #name);                                                \
		}                                                                                  \
	} while (0)

static inline int check_summary(void)
{
	printf("unit: %d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
