/* lgfuzz.c: run chapter 7's hostile Guest many times and sort the endings. */
/*
 * Usage: lgfuzz [-t MS] [-j JOBS] FAMILY|all FIRST-SEED COUNT
 * Runs COUNT Launchers, seeds FIRST-SEED on, JOBS at a time (1; more
 * puts Guests on several CPUs at once); with "all", run with seed s
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
#define ERRFILE		"/tmp/lgfuzz.err.%d"	/* one per job slot */
#define MAX_JOBS	8
#define FAULTS		"/sys/kernel/debug/lguest/shadow_faults"
#define LOOP_RATE	5000	/* shadow faults per second: the Host spins, */
#define LOOP_GRACE	30000	/* unless the run ends within this many ms */

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

/* Start one Launcher on FAMILY and SEED in job slot @slot; its pid. */
static pid_t
start(const char *fam, unsigned long seed, int slot)
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
		char path[64];
		int err;

		snprintf(path, sizeof(path), ERRFILE, slot);
		err = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(out, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(LAUNCHER, (char **)argv);
		_exit(127);
	}
	return pid;
}

/* The last line of slot @slot's stderr, without its newline. */
static void
last_error(int slot, char *buf, size_t size)
{
	char line[512], path[64];
	FILE *f;

	snprintf(path, sizeof(path), ERRFILE, slot);
	f = fopen(path, "r");

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
classify(int slot, int status, char *why, size_t size)
{
	char err[512], *p;
	int code;

	last_error(slot, err, sizeof(err));
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
	return O_EXIT;		/* any of 0-255: LHCALL_SHUTDOWN's low byte */
}

/* A running Launcher: which attack, and since when. */
struct job {
	pid_t pid;			/* 0: the slot is free */
	int family;
	unsigned long seed, started;
};

/*
 * @j's Launcher ran past its timeout.  A Guest that spins on its own
 * makes no shadow faults: kill it, an expected timeout.  A Host that
 * handles the same fault again and again makes thousands a second, but
 * so does a Guest switching among thousands of roots: that one ends,
 * so it gets LOOP_GRACE ms to end before it counts as a fault loop.
 */
static enum outcome
time_out(struct job *j, int slot, char *why, size_t size)
{
	unsigned long f0 = shadow_faults(), f1;
	int status;

	for (;;) {
		usleep(200000);
		f1 = shadow_faults();
		if (waitpid(j->pid, &status, WNOHANG) == j->pid)
			return classify(slot, status, why, size);
		if ((f1 - f0) * 5 <= LOOP_RATE ||
		    now_ms() - j->started > LOOP_GRACE)
			break;
		f0 = f1;
	}
	kill(j->pid, SIGKILL);
	waitpid(j->pid, &status, 0);
	if (WIFEXITED(status))		/* it ended just now */
		return classify(slot, status, why, size);
	if ((f1 - f0) * 5 > LOOP_RATE) {
		snprintf(why, size, "the Host still in a fault loop after %d s: "
			 "%lu shadow faults in 200 ms", LOOP_GRACE / 1000, f1 - f0);
		return O_LOOP;
	}
	return O_TIMEOUT;
}

/* Has @j ended (or timed out)?  Then its outcome; else -1. */
static int
poll_job(struct job *j, int slot, unsigned long timeout_ms, char *why,
	 size_t size)
{
	int status;
	pid_t r = waitpid(j->pid, &status, WNOHANG);

	if (r == j->pid)
		return classify(slot, status, why, size);
	if (r < 0 && errno != EINTR) {
		snprintf(why, size, "waitpid: %s", strerror(errno));
		return O_CRASH;
	}
	/* pt's roots round does real work for seconds: it gets 4 times. */
	if (now_ms() - j->started > timeout_ms *
	    (strcmp(families[j->family], "pt") ? 1 : 4))
		return time_out(j, slot, why, size);
	return -1;
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

/* Count @j's outcome @o; print a failure with its replay command. */
static unsigned long
record(const struct job *j, int o, const char *why, int jobs,
       unsigned long first, unsigned long n)
{
	const char *fam = families[j->family];

	counts[j->family][o]++;
	if (o != O_CRASH && o != O_LOOP)
		return 0;
	printf("LGFUZZ-FAIL %s %lu: %s (replay: make fuzz FUZZ_FAMILY=%s "
	       "FUZZ_SEED=%lu FUZZ_RUNS=1; in the Host: lgfuzz %s %lu 1",
	       fam, j->seed, why, fam, j->seed, fam, j->seed);
	if (jobs > 1)
		printf("; its batch: lgfuzz -j %d all %lu %lu", jobs, first, n);
	printf(")\n");
	fflush(stdout);
	return 1;
}

int
main(int argc, char **argv)
{
	unsigned long timeout_ms = 2000, first, n, next = 0, done = 0;
	unsigned long failures = 0;
	struct job jobs[MAX_JOBS] = { { 0 } };
	int opt, fixed = -1, njobs = 1, slot, o;
	char why[640];

	while ((opt = getopt(argc, argv, "t:j:")) != -1) {
		if (opt == 't')
			timeout_ms = strtoul(optarg, NULL, 0);
		else if (opt == 'j')
			njobs = atoi(optarg);
	}
	if (argc - optind != 3 || njobs < 1 || njobs > MAX_JOBS ||
	    (strcmp(argv[optind], "all") &&
	     (fixed = family_index(argv[optind])) < 0)) {
		fprintf(stderr, "usage: lgfuzz [-t MS] [-j JOBS] FAMILY|all "
			"FIRST-SEED COUNT\n");
		return 64;
	}
	first = strtoul(argv[optind + 1], NULL, 0);
	n = strtoul(argv[optind + 2], NULL, 0);
	if (truncate(DISK, 1 << 20) && close(open(DISK, O_CREAT | O_WRONLY, 0644)) == 0)
		(void)!truncate(DISK, 1 << 20);
	while (done < n) {
		for (slot = 0; slot < njobs; slot++) {
			struct job *j = &jobs[slot];

			if (!j->pid && next < n) {
				j->seed = first + next++;
				j->family = fixed >= 0 ? fixed : (int)(j->seed % NFAM);
				j->started = now_ms();
				j->pid = start(families[j->family], j->seed, slot);
			}
			if (!j->pid)
				continue;
			why[0] = '\0';
			o = poll_job(j, slot, timeout_ms, why, sizeof(why));
			if (o < 0)
				continue;
			failures += record(j, o, why, njobs, first, n);
			j->pid = 0;
			done++;
		}
		usleep(1000);
	}
	print_tables();
	return failures ? 1 : 0;
}
