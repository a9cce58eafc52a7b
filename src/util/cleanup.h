/* cleanup.h - __attribute__((cleanup)) helpers: fds, memory, dirs, files.
 *
 *   _cleanup_close_ int fd = open(...);     closed when it goes out of scope
 *   _cleanup_free_ char *s = strdup(...);   freed likewise
 *   return hk_steal_fd(&fd);                hand ownership to the caller
 */
#ifndef HUSK_UTIL_CLEANUP_H
#define HUSK_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void hk_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void hk_freep(void *p)
{
	free(*(void **)p);
}
static inline void hk_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
static inline void hk_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
/* Free a NULL-terminated array of strings and the array itself. */
static inline void hk_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
static inline void hk_strv_freep(char ***v)
{
	hk_strv_free(*v);
}

/* cppcheck (make lint) does not know the attribute and would take every
 * early return for a leak; a static variable is one it does not follow. */
#ifndef __CPPCHECK__
#define _cleanup_close_ __attribute__((cleanup(hk_closep)))
#define _cleanup_free_  __attribute__((cleanup(hk_freep)))
#define _cleanup_dir_   __attribute__((cleanup(hk_closedirp)))
#define _cleanup_file_  __attribute__((cleanup(hk_fclosep)))
#define _cleanup_strv_  __attribute__((cleanup(hk_strv_freep)))
#else
#define _cleanup_close_ static
#define _cleanup_free_  static
#define _cleanup_dir_   static
#define _cleanup_file_  static
#define _cleanup_strv_  static
#endif

static inline int hk_steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}
#define hk_steal_ptr(pp)                                                                           \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})

#define HK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
