/* spectest.h - what the spec parser's unit tests share: '-quoted JSON,
 * parsing that must succeed, and the message of one that must fail.
 *
 *   #include "spectest.h"   (after testutil.h and spec/spec.h)
 */
#ifndef HUSK_TESTS_SPECTEST_H
#define HUSK_TESTS_SPECTEST_H

#include <stdio.h>
#include <string.h>

#include "spec/spec.h"

/* JSON with ' for " so the tests stay readable; returns a static buffer. */
static __attribute__((unused)) const char *q(const char *s)
{
	static char buf[16384];
	size_t n = strnlen(s, sizeof(buf) - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (char *p = buf; (p = strchr(p, '\'')); p++)
		*p = '"';
	return buf;
}

static __attribute__((unused)) hk_spec *parse_ok(const char *json)
{
	hk_spec *spec = NULL;
	hk_err err = {0};
	int r = hk_spec_parse(json, strlen(json), &spec, &err);
	if (r < 0)
		fprintf(stderr, "  unexpected error: %s\n", err.msg);
	return spec;
}

/* Parse BODY (the members after ociVersion and root, '-quoted) and return
 * the error message, or "(ok)". */
static __attribute__((unused)) const char *err_of(const char *body)
{
	static hk_err err;
	char doc[16384 + 64];
	hk_spec *spec = NULL;
	if (body[0] == '{' || body[0] == '[')
		snprintf(doc, sizeof(doc), "%s", q(body));
	else
		snprintf(doc, sizeof(doc),
		         "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}%s%s}",
		         *body ? "," : "", q(body));
	memset(&err, 0, sizeof(err));
	int r = hk_spec_parse(doc, strlen(doc), &spec, &err);
	if (r == 0) {
		hk_spec_free(spec);
		return "(ok)";
	}
	if (r != -err.code || err.code <= 0 || spec != NULL)
		return "(bad return code)";
	return err.msg;
}

#define PROC(x) "'process':{'args':['sh'],'cwd':'/'," x "}"

#endif
