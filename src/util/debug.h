/* debug.h - --debug notes from any layer.  The command line decides where
 * they go (cli/common.c sets the sink); without one they are dropped. */
#ifndef HUSK_UTIL_DEBUG_H
#define HUSK_UTIL_DEBUG_H

typedef void (*hk_debug_sink)(const char *msg);

/* Where hk_debug() notes go; NULL drops them. */
void hk_debug_set_sink(hk_debug_sink sink);
/* A one-line note (formatted as printf). */
void hk_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
