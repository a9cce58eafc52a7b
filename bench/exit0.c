/* exit0.c - a container process that is next to nothing: one page of code
 * that calls exit_group(0), no C library.  `make bench` runs it to measure
 * what the runtime's own processes cost (their page faults, their peak
 * RSS), without the 1.3 MiB a static busybox maps for /bin/true.  Built
 * with -static -nostdlib. */
#if defined(__x86_64__)
void _start(void)
{
	__asm__ volatile("mov $231, %eax\n\txor %edi, %edi\n\tsyscall");
}
#elif defined(__aarch64__)
void _start(void)
{
	__asm__ volatile("mov x0, #0\n\tmov x8, #94\n\tsvc #0");
}
#else
#error "exit0.c: x86-64 or arm64 only"
#endif
