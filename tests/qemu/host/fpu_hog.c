/* fpu_hog.c: keep a marker in the SSE registers; check nobody changes it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include "fpu_marker.h"

/* Load the marker into xmm0..xmm15 and MXCSR. */
static void
fill_marker(void)
{
	static const uint64_t m[2] = { FPU_MARKER, FPU_MARKER };
	uint32_t mxcsr = FPU_MARKER_MXCSR;

	asm volatile(".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "movdqu %0, %%xmm\\n\n\t"
		     ".endr\n\t"
		     "ldmxcsr %1"
		     : : "m" (m), "m" (mxcsr));
}

/* Count registers (of 16, plus MXCSR) that lost the marker. */
static int
count_lost(void)
{
	uint64_t st[32];
	uint32_t mxcsr;
	int i, lost = 0;

	asm volatile(".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
		     "movdqu %%xmm\\n, 16*\\n(%0)\n\t"
		     ".endr\n\t"
		     "stmxcsr %1"
		     : : "r" (st), "m" (mxcsr) : "memory");
	for (i = 0; i < 32; i++)
		lost += st[i] != FPU_MARKER;
	return lost + (mxcsr != FPU_MARKER_MXCSR);
}

/* fpu_hog N: check the registers N times; exit 1 if they ever changed. */
int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000000;
	unsigned long i, bad = 0;
	struct rusage ru;

	fill_marker();
	for (i = 0; i < n; i++)
		bad += count_lost() != 0;
	getrusage(RUSAGE_SELF, &ru);
	printf("fpu_hog: %lu checks, %lu lost the marker, %ld preemptions\n",
	       n, bad, ru.ru_nivcsw);
	return bad ? 1 : 0;
}
