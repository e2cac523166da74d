/* lgfuzz.c: run chapter 7's hostile Guest many times and sort the endings. */
/*
 * Usage: lgfuzz [-t MS] FAMILY|all FIRST-SEED COUNT
 * Runs COUNT Launchers, seeds FIRST-SEED on; with "all", run with seed s
 * attacks with family s % (number of families).  Each run must end as a
 * Guest exit code, a named kill (exit 70), a Launcher error with its own
 * exit code, or a timeout during which the Host was not spinning on
 * shadow faults.  Prints "LGFUZZ ..." lines: one per failure (with the
 * command that replays it), then one per family and one per kill reason.
 * Exits 1 if any run failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAUNCHER	"/lg/lguest"
#define GUEST		"/lg/fuzz-guest.elf"
#define DISK		"/tmp/lgfuzz-disk.img"
#define ERRFILE		"/tmp/lgfuzz.err"
#define FAULTS		"/sys/kernel/debug/lguest/shadow_faults"
#define LOOP_RATE	5000	/* shadow faults per second: the Host spins */

static const char *const families[] = {
	"insn", "insn-bare", "hcall", "ring", "pt", "stack", "int",
	"int-bare", "priv", "priv-bare", "mmio",
};
#define NFAM	(sizeof(families) / sizeof(families[0]))

enum outcome { O_EXIT, O_PANIC, O_KILL, O_DEVICE, O_ERROR, O_TIMEOUT,
	       O_CRASH, O_LOOP, O_N };
static const char *const outcome_names[O_N] = {
	"exit", "panic", "kill", "device", "error", "timeout", "CRASH", "LOOP",
};
static unsigned long counts[NFAM][O_N];

#define MAX_REASONS	32
static struct { char text[96]; unsigned long n; } reasons[MAX_REASONS];

static void
count_reason(const char *text)
{
	int i;

	for (i = 0; i < MAX_REASONS && reasons[i].n; i++)
		if (!strcmp(reasons[i].text, text))
			break;
	if (i == MAX_REASONS)
		return;
	snprintf(reasons[i].text, sizeof(reasons[i].text), "%s", text);
	reasons[i].n++;
}

static unsigned long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000UL + ts.tv_nsec / 1000000;
}

static unsigned long
shadow_faults(void)
{
	unsigned long n = 0;
	FILE *f = fopen(FAULTS, "r");

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

/* Start one Launcher on FAMILY and SEED; returns its pid. */
static pid_t
start(const char *fam, unsigned long seed)
{
	char seedstr[32], name[32];
	const char *argv[12];
	int argc = 0, bare;
	pid_t pid;

	snprintf(seedstr, sizeof(seedstr), "%lu", seed);
	snprintf(name, sizeof(name), "%s", fam);
	bare = strstr(name, "-bare") != NULL;
	if (bare)
		*strstr(name, "-bare") = '\0';
	argv[argc++] = LAUNCHER;
	if (!strcmp(name, "mmio")) {
		argv[argc++] = "--block";
		argv[argc++] = DISK;
	}
	argv[argc++] = GUEST;
	if (bare)
		argv[argc++] = "notraps";
	argv[argc++] = "fuzz";
	argv[argc++] = name;
	argv[argc++] = seedstr;
	argv[argc] = NULL;
	pid = fork();
	if (pid == 0) {
		int out = open("/dev/null", O_RDWR);
		int err = open(ERRFILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(out, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(LAUNCHER, (char **)argv);
		_exit(127);
	}
	return pid;
}

/* The last line of the Launcher's stderr, without its newline. */
static void
last_error(char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen(ERRFILE, "r");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(buf, size, "%s", line);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Classify a Launcher that exited with @status. */
static enum outcome
classify(int status, char *why, size_t size)
{
	char err[512], *p;
	int code;

	last_error(err, sizeof(err));
	if (WIFSIGNALED(status)) {
		snprintf(why, size, "Launcher killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		return O_CRASH;
	}
	code = WEXITSTATUS(status);
	if (code == 70 && (p = strstr(err, "Guest killed:"))) {
		p = strrchr(p, ':');
		count_reason(p ? p + 2 : err);
		return O_KILL;
	}
	if (code == 76 && strstr(err, "Guest broke device"))
		return O_DEVICE;
	if (strncmp(err, "lguest:", 7) == 0 && code >= 64 && code <= 78) {
		snprintf(why, size, "exit %d: %s", code, err);
		count_reason(err);
		return O_ERROR;
	}
	if (code == 98)
		return O_PANIC;
	if (code == 127 || code >= 128) {
		snprintf(why, size, "exit %d: %s", code, err);
		return O_CRASH;
	}
	return O_EXIT;
}

/* Wait for @pid up to @timeout_ms; on timeout decide who was spinning. */
static enum outcome
finish(pid_t pid, unsigned long timeout_ms, char *why, size_t size)
{
	unsigned long t0 = now_ms(), f0, f1;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return classify(status, why, size);
		if (r < 0 && errno != EINTR) {
			snprintf(why, size, "waitpid: %s", strerror(errno));
			return O_CRASH;
		}
		if (now_ms() - t0 > timeout_ms)
			break;
		usleep(2000);
	}
	f0 = shadow_faults();
	usleep(200000);
	f1 = shadow_faults();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status))		/* it ended in the last 200 ms */
		return classify(status, why, size);
	if ((f1 - f0) * 5 > LOOP_RATE) {
		snprintf(why, size, "timeout with the Host in a fault loop: "
			 "%lu shadow faults in 200 ms", f1 - f0);
		return O_LOOP;
	}
	return O_TIMEOUT;
}

static void
print_tables(void)
{
	unsigned int f, o;

	printf("LGFUZZ family");
	for (o = 0; o < O_N; o++)
		printf(" %s", outcome_names[o]);
	printf("\n");
	for (f = 0; f < NFAM; f++) {
		printf("LGFUZZ %s", families[f]);
		for (o = 0; o < O_N; o++)
			printf(" %lu", counts[f][o]);
		printf("\n");
	}
	for (o = 0; o < MAX_REASONS && reasons[o].n; o++)
		printf("LGFUZZ-REASON %lu %s\n", reasons[o].n, reasons[o].text);
}

static int
family_index(const char *name)
{
	unsigned int f;

	for (f = 0; f < NFAM; f++)
		if (!strcmp(name, families[f]))
			return f;
	return -1;
}

int
main(int argc, char **argv)
{
	unsigned long timeout_ms = 2000, first, n, i, failures = 0;
	int opt, fixed = -1;
	char why[640];

	while ((opt = getopt(argc, argv, "t:")) != -1)
		if (opt == 't')
			timeout_ms = strtoul(optarg, NULL, 0);
	if (argc - optind != 3 ||
	    (strcmp(argv[optind], "all") &&
	     (fixed = family_index(argv[optind])) < 0)) {
		fprintf(stderr, "usage: lgfuzz [-t MS] FAMILY|all FIRST-SEED COUNT\n");
		return 64;
	}
	first = strtoul(argv[optind + 1], NULL, 0);
	n = strtoul(argv[optind + 2], NULL, 0);
	if (truncate(DISK, 1 << 20) && close(open(DISK, O_CREAT | O_WRONLY, 0644)) == 0)
		(void)!truncate(DISK, 1 << 20);
	for (i = 0; i < n; i++) {
		unsigned long seed = first + i;
		int f = fixed >= 0 ? fixed : (int)(seed % NFAM);
		enum outcome o;

		why[0] = '\0';
		o = finish(start(families[f], seed), timeout_ms, why, sizeof(why));
		counts[f][o]++;
		if (o == O_CRASH || o == O_LOOP) {
			failures++;
			printf("LGFUZZ-FAIL %s %lu: %s (replay: make fuzz "
			       "FUZZ_FAMILY=%s FUZZ_SEED=%lu FUZZ_RUNS=1; "
			       "in the Host: lgfuzz %s %lu 1)\n", families[f],
			       seed, why, families[f], seed, families[f], seed);
			fflush(stdout);
		}
	}
	print_tables();
	return failures ? 1 : 0;
}
