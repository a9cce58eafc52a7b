/* error.h - husk's one error convention.
 *
 * Every fallible function returns 0 on success or a negative errno-style
 * value, and fills an hk_err with a one-line message.  Callers add context
 * with hk_err_wrap(): "mount /proc: operation not permitted" becomes
 * "rootfs: mount /proc: operation not permitted".  The message buffer is
 * fixed-size so an error can be built in the container's child (no
 * allocation needed) and shipped to the parent over the sync socket as is.
 */
#ifndef HUSK_UTIL_ERROR_H
#define HUSK_UTIL_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define HK_ERR_MSG_MAX 1024

typedef struct hk_err {
	int code; /* positive errno value; EINVAL for pure validation errors */
	char msg[HK_ERR_MSG_MAX];
} hk_err;

/* Set the message from FMT; when ERRNUM != 0 append ": <strerror>" in
 * lowercase (the wording runc and the engines that parse it use).
 * Returns -ERRNUM, or -EINVAL when ERRNUM is 0. */
int hk_err_set(hk_err *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Same as hk_err_set() but never appends strerror; the code is ERRNUM
 * (EINVAL when 0).  For messages that must keep an exact wording. */
int hk_err_plain(hk_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with context: "CTX: old message".
 * Returns -err->code. */
int hk_err_wrap(hk_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* strerror(), lowercased ("no such file or directory"). */
const char *hk_strerror(int errnum, char *buf, int len);

/* S as one line of text, in BUF (LEN bytes; longer is cut): control
 * characters, which a message gets from the values it quotes (a newline
 * in a config string, an escape sequence in a tarball's entry name), are
 * written as \n, \t and \xNN.  Returns BUF. */
#define HK_ERR_LINE_MAX (4 * HK_ERR_MSG_MAX)
const char *hk_one_line(const char *s, char *buf, size_t len);

/* Print "husk: MSG" on stderr, as one line (hk_one_line()). */
void hk_err_print(const hk_err *err);
/* The same as "husk: warning: MSG". */
void hk_err_warn(const hk_err *err);

#if defined(__clang_analyzer__) && !defined(HK_ERROR_IMPL)
/* For clang's static analyzer only (make lint): it sees one file at a time,
 * so it does not know that these return a negative value and follows paths
 * on which an error "succeeds" (a NULL result used as if set).  Tell it. */
#include <errno.h>
static inline int hk_err_negative(int r)
{
	return r < 0 ? r : -EINVAL;
}
#define hk_err_set(...)   hk_err_negative(hk_err_set(__VA_ARGS__))
#define hk_err_plain(...) hk_err_negative(hk_err_plain(__VA_ARGS__))
#define hk_err_wrap(...)  hk_err_negative(hk_err_wrap(__VA_ARGS__))
#endif

#endif
