/* debug.c - see debug.h */
#include "util/debug.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/error.h"

static hk_debug_sink debug_sink;

void hk_debug_set_sink(hk_debug_sink sink)
{
	debug_sink = sink;
}

void hk_debug(const char *fmt, ...)
{
	if (!debug_sink)
		return;
	char msg[HK_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	debug_sink(msg);
}
