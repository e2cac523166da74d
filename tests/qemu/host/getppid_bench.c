/* getppid_bench.c: cycles per getppid() round trip, for comparison. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Read the time-stamp counter. */
static uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	return (uint64_t)hi << 32 | lo;
}

/* getppid_bench N: time N getppid() system calls. */
int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000, i;
	uint64_t t0, t1;

	t0 = rdtsc();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = rdtsc();
	printf("host: %lu getppid, %lu cycles per round trip\n", n,
	       (unsigned long)((t1 - t0) / n));
	return 0;
}
