/* error.c - see error.h */
#define HK_ERROR_IMPL /* the functions themselves, not error.h's wrappers for the analyzer */
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *hk_strerror(int errnum, char *buf, int len)
{
	snprintf(buf, len, "%s", strerror(errnum));
	if (buf[0] && isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static int err_vset(hk_err *err, int errnum, int with_strerror, const char *fmt, va_list ap)
{
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if (with_strerror && errnum != 0 && (size_t)n < sizeof(err->msg)) {
		char buf[128];
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
		         hk_strerror(errnum, buf, sizeof(buf)));
	}
	err->code = errnum > 0 ? errnum : EINVAL;
	return -err->code;
}

int hk_err_set(hk_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = err_vset(err, errnum, 1, fmt, ap);
	va_end(ap);
	return r;
}

int hk_err_plain(hk_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = err_vset(err, errnum, 0, fmt, ap);
	va_end(ap);
	return r;
}

int hk_err_wrap(hk_err *err, const char *fmt, ...)
{
	char prefix[HK_ERR_MSG_MAX];
	char old[HK_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	size_t n = strnlen(prefix, sizeof(err->msg) - 3);
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	size_t rest = sizeof(err->msg) - 1 - n;
	size_t olen = strnlen(old, rest);
	memcpy(err->msg + n, old, olen);
	err->msg[n + olen] = '\0';
	if (err->code <= 0)
		err->code = EINVAL;
	return -err->code;
}

const char *hk_one_line(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	for (; *s && o + 5 < len; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '\n' || ch == '\t') {
			buf[o++] = '\\';
			buf[o++] = ch == '\n' ? 'n' : 't';
		} else if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
		} else {
			buf[o++] = (char)ch;
		}
	}
	if (len)
		buf[o < len ? o : len - 1] = '\0';
	return buf;
}

void hk_err_print(const hk_err *err)
{
	char line[HK_ERR_LINE_MAX];
	fprintf(stderr, "husk: %s\n", hk_one_line(err->msg, line, sizeof(line)));
}

void hk_err_warn(const hk_err *err)
{
	char line[HK_ERR_LINE_MAX];
	fprintf(stderr, "husk: warning: %s\n", hk_one_line(err->msg, line, sizeof(line)));
}
