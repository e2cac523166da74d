/* readbench.c: read a file sequentially in 64 KiB pieces, as the Launcher
 * would serve it, and print the TSC cycles it took. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	return (uint64_t)hi << 32 | lo;
}

int
main(int argc, char **argv)
{
	static char buf[65536];
	uint64_t total = 0, t0;
	ssize_t n;
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;

	if (fd < 0) {
		perror("readbench");
		return 1;
	}
	t0 = rdtsc();
	while ((n = pread(fd, buf, sizeof(buf), total)) > 0)
		total += n;
	printf("host-read: %llu bytes in %llu cycles\n",
	       (unsigned long long)total, (unsigned long long)(rdtsc() - t0));
	return 0;
}
