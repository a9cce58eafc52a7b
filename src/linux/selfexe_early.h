/* selfexe_early.h - what selfexe_early.c, run before main(), leaves for
 * selfexe.c.  Kept apart from selfexe.h, which brings in the C library's
 * headers and husk's error type: the early code is built freestanding,
 * and this header includes nothing. */
#ifndef HUSK_LINUX_SELFEXE_EARLY_H
#define HUSK_LINUX_SELFEXE_EARLY_H

/* Set by hk_early() when the binary it runs from is on a read-only mount
 * (the re-executed image, or an installation on one): main() need not
 * ask again.  Zero in builds that do not start there. */
extern int hk_early_exe_readonly;

#endif
