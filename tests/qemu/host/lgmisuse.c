/* lgmisuse.c: a hostile user of /dev/lguest; every misuse must get an errno. */
/*
 * Run as root inside the QEMU Host with lg.ko loaded.  Prints one line
 * "LGTEST misuse-NAME PASS|FAIL why" per check; the caller then checks
 * that the Host is clean (log, pins, shadow tables, rmmod).  The Guests
 * here are a few bytes in a page mapped by tables this program builds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lguest_abi.h"

#define MEM_SIZE	(4UL << 20)
#define CODE_PA		0x100000UL
#define PAGE		4096UL

static unsigned int levels = 4;
static void *volatile bad_pointer = (void *)16;	/* never mapped */
static int failures;

static void
result(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;
	char why[256];

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("LGTEST misuse-%s %s %s\n", name, ok ? "PASS" : "FAIL", why);
	fflush(stdout);
	failures += !ok;
}

/*
 * Guest code: announce a shared page at DATA_PA with interrupts enabled,
 * then HALT for ever (a read() sleeps); or spin (a read() runs).
 */
#define DATA_PA		0x8000UL
static const uint8_t code_halt[] = { 0xb8, LHCALL_LGUEST_INIT, 0, 0, 0,
	0xbf, DATA_PA & 0xff, DATA_PA >> 8, 0, 0, 0xcd, LGUEST_TRAP_ENTRY,
	0xb8, LHCALL_HALT, 0, 0, 0, 0xcd, LGUEST_TRAP_ENTRY, 0xeb, 0xf7 };
static const uint8_t code_spin[] = { 0xeb, 0xfe };

/* Guest RAM: tables at 0x2000 map 2 MiB at LGUEST_PAGE_OFFSET, code at 1 MiB. */
static uint8_t *
guest_ram(const uint8_t *code, size_t len)
{
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t va = LGUEST_PAGE_OFFSET, pa = LGUEST_PGTABLE_ADDR, *t;
	unsigned int l, i;

	if (mem == MAP_FAILED)
		return NULL;
	for (l = levels; l >= 2; l--, pa += PAGE) {
		t = (uint64_t *)(mem + pa);
		t[(va >> (12 + 9 * (l - 1))) & 511] = (pa + PAGE) | 7;
	}
	t = (uint64_t *)(mem + pa);
	for (i = 0; i < 512; i++)
		t[i] = i * PAGE | 7;
	memcpy(mem + CODE_PA, code, len);
	*(uint64_t *)(mem + LGUEST_BOOT_INFO_ADDR) = LGUEST_BOOT_MAGIC;
	((struct lguest_data *)(mem + DATA_PA))->irq_enabled = 0x200;
	return mem;
}

static struct lguest_init
init_for(uint8_t *mem)
{
	struct lguest_init in = {
		.request = LHREQ_INITIALIZE,
		.mem_base = (uint64_t)mem,
		.mem_size = MEM_SIZE,
		.entry = LGUEST_PAGE_OFFSET + CODE_PA,
		.pgtable_root = LGUEST_PGTABLE_ADDR,
		.boot_info = LGUEST_PAGE_OFFSET + LGUEST_BOOT_INFO_ADDR,
		.paging_levels = levels,
		.mmio_size = 0,
	};
	return in;
}

/* Open /dev/lguest and initialize a Guest on @mem: the fd, or -errno. */
static int
guest_open(uint8_t *mem)
{
	struct lguest_init in = init_for(mem);
	int fd = open("/dev/lguest", O_RDWR);

	if (fd < 0)
		return -errno;
	if (write(fd, &in, sizeof(in)) != sizeof(in)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* write() @len bytes of @buf; returns 0 or errno. */
static int
werr(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) < 0 ? errno : 0;
}

/* Before LHREQ_INITIALIZE: read, IRQ, MMIO result, short and odd writes. */
static void
check_before_init(void)
{
	int fd = open("/dev/lguest", O_RDWR), e;
	struct lguest_exit ex;
	struct lguest_irq irq = { LHREQ_IRQ, 40 };
	struct lguest_mmio_result mr = { LHREQ_MMIO_RESULT, 0 };
	uint64_t garbage[8] = { 99, 1, 2, 3 };

	e = read(fd, &ex, sizeof(ex)) < 0 ? errno : 0;
	result("read-before-init", e == EINVAL, "errno %d", e);
	e = werr(fd, &irq, sizeof(irq));
	result("irq-before-init", e == EINVAL, "errno %d", e);
	e = werr(fd, &mr, sizeof(mr));
	result("mmio-result-before-init", e == EINVAL, "errno %d", e);
	e = werr(fd, garbage, 4);
	result("write-4-bytes", e == EINVAL, "errno %d", e);
	e = werr(fd, garbage, 0);
	result("write-0-bytes", e == 0 || e == EINVAL, "errno %d", e);
	e = werr(fd, garbage, sizeof(garbage));
	result("garbage-request", e == EINVAL, "errno %d", e);
	garbage[0] = ~0ULL;
	e = werr(fd, garbage, sizeof(garbage));
	result("request-all-ones", e == EINVAL, "errno %d", e);
	e = werr(fd, bad_pointer, 64);
	result("write-bad-pointer", e == EFAULT, "errno %d", e);
	close(fd);
}

static int read_for(int fd, unsigned long ms, struct lguest_exit *ex);

/*
 * A request the Host may accept (it is well-formed, only absurd): then
 * the Guest must still come to a proper end, an exit or an errno.
 */
static void
accepted_run(const char *name, int fd)
{
	struct lguest_exit ex;
	int e = read_for(fd, 1000, &ex);

	result(name, e != EINTR, "accepted; then %s %u",
	       e ? "errno" : "exit reason", e ? (unsigned int)e : ex.reason);
}

/* One bad field in LHREQ_INITIALIZE: refused with an errno (or, if
 * @accepted, allowed to run to an end). */
static void
bad_init(const char *name, uint8_t *mem, void (*spoil)(struct lguest_init *),
	 size_t len, int accepted)
{
	struct lguest_init in = init_for(mem);
	int fd = open("/dev/lguest", O_RDWR), e;

	if (spoil)
		spoil(&in);
	e = werr(fd, &in, len);
	if (e || !accepted)
		result(name, e != 0, "errno %d", e);
	else
		accepted_run(name, fd);
	close(fd);
}

static void zero_size(struct lguest_init *in) { in->mem_size = 0; }
static void odd_size(struct lguest_init *in) { in->mem_size = MEM_SIZE - 100; }
static void odd_base(struct lguest_init *in) { in->mem_base += 8; }
static void upper_base(struct lguest_init *in) { in->mem_base = 0xffff888000000000ULL; }
static void wrap(struct lguest_init *in) { in->mem_base = ~0ULL - PAGE + 1; }
static void huge(struct lguest_init *in) { in->mem_size = 1ULL << 50; }
static void root_out(struct lguest_init *in) { in->pgtable_root = MEM_SIZE; }
static void root_odd(struct lguest_init *in) { in->pgtable_root += 8; }
static void entry_up(struct lguest_init *in) { in->entry = 0xffffffff81000000ULL; }
static void entry_nc(struct lguest_init *in) { in->entry = 1ULL << (levels == 5 ? 56 : 47); }
static void levels3(struct lguest_init *in) { in->paging_levels = 3; }
static void levels_other(struct lguest_init *in) { in->paging_levels = 9 - in->paging_levels; }
static void mmio_odd(struct lguest_init *in) { in->mmio_size = 100; }
static void mmio_big(struct lguest_init *in) { in->mmio_size = 1U << 31; }
static void boot_up(struct lguest_init *in) { in->boot_info = ~0ULL; }

static void
check_bad_inits(uint8_t *mem)
{
	bad_init("init-short", mem, NULL, sizeof(struct lguest_init) - 8, 0);
	bad_init("init-zero-size", mem, zero_size, sizeof(struct lguest_init), 0);
	bad_init("init-odd-size", mem, odd_size, sizeof(struct lguest_init), 0);
	bad_init("init-odd-base", mem, odd_base, sizeof(struct lguest_init), 0);
	bad_init("init-upper-base", mem, upper_base, sizeof(struct lguest_init), 0);
	bad_init("init-wrapping", mem, wrap, sizeof(struct lguest_init), 0);
	bad_init("init-2^50-bytes", mem, huge, sizeof(struct lguest_init), 1);
	bad_init("init-root-outside", mem, root_out, sizeof(struct lguest_init), 0);
	bad_init("init-root-unaligned", mem, root_odd, sizeof(struct lguest_init), 0);
	bad_init("init-entry-upper", mem, entry_up, sizeof(struct lguest_init), 0);
	bad_init("init-entry-noncanonical", mem, entry_nc, sizeof(struct lguest_init), 0);
	bad_init("init-3-levels", mem, levels3, sizeof(struct lguest_init), 0);
	bad_init("init-other-levels", mem, levels_other, sizeof(struct lguest_init), 0);
	bad_init("init-mmio-odd", mem, mmio_odd, sizeof(struct lguest_init), 0);
	bad_init("init-mmio-2g", mem, mmio_big, sizeof(struct lguest_init), 0);
	bad_init("init-boot-info-upper", mem, boot_up, sizeof(struct lguest_init), 1);
}

/* Initialize twice; IRQs with every vector; MMIO result with no read. */
static void
check_after_init(uint8_t *mem)
{
	struct lguest_init in = init_for(mem);
	struct lguest_mmio_result mr = { LHREQ_MMIO_RESULT, 0 };
	struct lguest_exit ex;
	int fd = guest_open(mem), e, v, wrong = 0;
	char small[8];

	if (fd < 0) {
		result("init", 0, "errno %d", -fd);
		return;
	}
	e = werr(fd, &in, sizeof(in));
	result("init-twice", e == EBUSY, "errno %d", e);
	for (v = -1; v <= 300; v++) {
		struct lguest_irq irq = { LHREQ_IRQ, (uint64_t)v };

		e = werr(fd, &irq, sizeof(irq));
		if (v >= LGUEST_FIRST_IRQ && v <= 255 ? e != 0 : e != EINVAL)
			wrong++;
	}
	result("irq-every-vector", !wrong, "%d vectors answered wrongly", wrong);
	e = werr(fd, &mr, sizeof(mr));
	result("mmio-result-unasked", e == EINVAL, "errno %d", e);
	e = read(fd, small, sizeof(small)) < 0 ? errno : 0;
	result("read-short-buffer", e == EINVAL, "errno %d", e);
	e = read(fd, bad_pointer, sizeof(ex)) < 0 ? errno : 0;
	result("read-bad-pointer", e != 0, "errno %d", e);
	e = lseek(fd, 100, SEEK_SET) < 0 ? errno : 0;
	result("lseek", 1, "errno %d", e);
	e = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? errno : 0;
	result("mmap-dev", e != 0, "errno %d", e);
	close(fd);
}

/* Exit 7 at once; or touch memory after a full flush, for ever. */
static const uint8_t code_exit[] = { 0xb8, LHCALL_SHUTDOWN, 0, 0, 0,
	0xbf, 7, 0, 0, 0, 0xcd, LGUEST_TRAP_ENTRY, 0xeb, 0xfe };
static const uint8_t code_flush[] = { 0xb8, LHCALL_FLUSH_TLB, 0, 0, 0,
	0xcd, LGUEST_TRAP_ENTRY, 0x48, 0x8b, 0x07, 0xeb, 0xf4 };

static unsigned long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000UL + ts.tv_nsec / 1000000;
}

static volatile unsigned long signals_taken;
static void
on_signal(int sig)
{
	signals_taken++;
}

/* A thread that sends SIGUSR1 to @target every 20 ms until told to stop. */
struct poker {
	pthread_t target;
	volatile int stop;
};
static void *
poke(void *arg)
{
	struct poker *p = arg;

	while (!p->stop) {
		usleep(20000);
		pthread_kill(p->target, SIGUSR1);
	}
	return NULL;
}

/* read() for about @ms: 0 with @ex filled, or the errno (EINTR: running). */
static int
read_for(int fd, unsigned long ms, struct lguest_exit *ex)
{
	struct poker p = { pthread_self(), 0 };
	unsigned long end = now_ms() + ms;
	pthread_t t;
	int e;

	pthread_create(&t, NULL, poke, &p);
	do
		e = read(fd, ex, sizeof(*ex)) == sizeof(*ex) ? 0 : errno;
	while (e == EINTR && now_ms() < end);
	p.stop = 1;
	pthread_join(t, NULL);
	return e;
}

/* Signals during read(): each must end it with EINTR, and the Guest runs on. */
static void
check_signals(const char *name, const uint8_t *code, size_t len)
{
	uint8_t *mem = guest_ram(code, len);
	struct lguest_exit ex;
	unsigned long before = signals_taken;
	int fd = guest_open(mem), e, rounds = 0;

	do	/* ten signals, however slowly a loaded machine sends them */
		e = read_for(fd, 600, &ex);
	while (e == EINTR && signals_taken - before < 10 && ++rounds < 50);
	result(name, e == EINTR && signals_taken - before >= 10,
	       "errno %d after %lu signals", e, signals_taken - before);
	close(fd);
	munmap(mem, MEM_SIZE);
}

/* A read() that already returned an exit is not an error of ours. */
static const char *
ending(int e, const struct lguest_exit *ex, char *buf, size_t size)
{
	if (e)
		snprintf(buf, size, "errno %d (%s)", e, strerror(e));
	else
		snprintf(buf, size, "exit reason %u, fault %u", ex->reason,
			 ex->fault_reason);
	return buf;
}

/* Guest RAM taken away from another thread while the Guest runs. */
struct taker {
	uint8_t *mem;
	int how;			/* 0 munmap, 1 PROT_NONE, 2 PROT_READ */
};
static void *
take(void *arg)
{
	struct taker *t = arg;

	usleep(100000);
	if (t->how == 0)
		munmap(t->mem, MEM_SIZE);
	else
		mprotect(t->mem, MEM_SIZE, t->how == 1 ? PROT_NONE : PROT_READ);
	return NULL;
}

static void
check_take_ram(const char *name, int how)
{
	struct taker t = { guest_ram(code_flush, sizeof(code_flush)), how };
	struct lguest_exit ex;
	char buf[96];
	pthread_t th;
	int fd = guest_open(t.mem), e;

	pthread_create(&th, NULL, take, &t);
	e = read_for(fd, 1000, &ex);
	pthread_join(th, NULL);
	/* Either ending is allowed: the kill, or running on for 1 s. */
	result(name, e == EINTR || (!e && ex.reason == LGUEST_EXIT_FAULT) ||
	       (e && e != EINTR), "%s", ending(e, &ex, buf, sizeof(buf)));
	close(fd);
	if (how)
		munmap(t.mem, MEM_SIZE);
}

/* fork() after initialize: the child may not run the Guest; the parent may. */
static void
check_fork(void)
{
	uint8_t *mem = guest_ram(code_exit, sizeof(code_exit));
	struct lguest_exit ex;
	int fd = guest_open(mem), e, status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct lguest_irq irq = { LHREQ_IRQ, 40 };

		e = read(fd, &ex, sizeof(ex)) < 0 ? errno : 0;
		werr(fd, &irq, sizeof(irq));
		close(fd);
		_exit(e == EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	result("fork-child-read", WIFEXITED(status) && !WEXITSTATUS(status),
	       "child status %#x", status);
	e = read_for(fd, 1000, &ex);
	result("fork-parent-runs", !e && ex.reason == LGUEST_EXIT_SHUTDOWN &&
	       ex.arg0 == 7, "errno %d reason %u code %llu", e, ex.reason,
	       (unsigned long long)ex.arg0);
	close(fd);
	munmap(mem, MEM_SIZE);
}

/* close() in one thread while another sleeps in read(). */
struct reader {
	uint8_t *mem;
	volatile int opened;
	int fd, first, second;
};
static void *
read_twice(void *arg)
{
	struct reader *r = arg;
	struct lguest_exit ex;

	r->fd = guest_open(r->mem);	/* only this thread may run it */
	r->opened = 1;
	r->first = read(r->fd, &ex, sizeof(ex)) < 0 ? errno : 0;
	r->second = read(r->fd, &ex, sizeof(ex)) < 0 ? errno : 0;
	return NULL;
}

static void
check_close_in_read(void)
{
	uint8_t *mem = guest_ram(code_halt, sizeof(code_halt));
	struct reader r = { mem, 0, -1, -1, -1 };
	pthread_t th;
	struct timespec until;

	pthread_create(&th, NULL, read_twice, &r);
	while (!r.opened)
		usleep(1000);
	usleep(200000);
	close(r.fd);
	usleep(100000);
	pthread_kill(th, SIGUSR1);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	if (pthread_timedjoin_np(th, NULL, &until)) {
		result("close-during-read", 0, "the reader is still in read()");
		pthread_kill(th, SIGUSR1);
		pthread_join(th, NULL);
	} else {
		result("close-during-read", r.first == EINTR && r.second == EBADF,
		       "first read errno %d, second %d", r.first, r.second);
	}
	munmap(mem, MEM_SIZE);
}

/* Two Guests on the same RAM, running at once on two threads. */
static void *
run_shared(void *arg)
{
	struct lguest_exit ex;
	int fd = guest_open(arg), e;

	if (fd < 0)
		return (void *)(long)-fd;
	e = read_for(fd, 800, &ex);
	close(fd);
	return (void *)(long)e;
}

static void
check_overlap(void)
{
	uint8_t *mem = guest_ram(code_flush, sizeof(code_flush));
	pthread_t ta, tb;
	void *ea, *eb;

	pthread_create(&ta, NULL, run_shared, mem);
	pthread_create(&tb, NULL, run_shared, mem);
	pthread_join(ta, &ea);
	pthread_join(tb, &eb);
	result("overlap-run", (long)ea == EINTR && (long)eb == EINTR,
	       "errno %ld and %ld (EINTR: both ran to the end)", (long)ea,
	       (long)eb);
	munmap(mem, MEM_SIZE);
}

#define MANY_GUESTS	20000	/* bounded by the VM's 512 MiB, not the Host */

/* Open and initialize Guests until the Host (or the fd limit) says no. */
static void
check_many(void)
{
	struct rlimit rl = { MANY_GUESTS + 64, MANY_GUESTS + 64 };
	uint8_t *mem = guest_ram(code_exit, sizeof(code_exit));
	static int fds[MANY_GUESTS];
	int n, fd = 0;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (n = 0; n < MANY_GUESTS && (fd = guest_open(mem)) >= 0; n++)
		fds[n] = fd;
	result("many-guests", 1, "%d Guests, then %s", n,
	       n == MANY_GUESTS ? "our own bound" : strerror(-fd));
	while (n--)
		close(fds[n]);
	munmap(mem, MEM_SIZE);
}

#define MANY_PROCESSES	300	/* enough to pass a Host-wide bound of 1024 */

/*
 * Guests in many processes: each child opens Guests until refused, says
 * how many and why through a pipe, and waits to be killed (its Guests
 * are then closed by the kernel, not by us).
 */
static void
check_many_processes(void)
{
	uint8_t *mem = guest_ram(code_exit, sizeof(code_exit));
	int p[2], i, total = 0, last = 0, msg[2];
	pid_t pids[MANY_PROCESSES];

	if (pipe(p))
		return;
	for (i = 0; i < MANY_PROCESSES && last != ENOSPC; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int n = 0, fd;

			while (n < MANY_GUESTS && (fd = guest_open(mem)) >= 0)
				n++;
			msg[0] = n, msg[1] = -fd;
			(void)!write(p[1], msg, sizeof(msg));
			pause();
			_exit(0);
		}
		if (read(p[0], msg, sizeof(msg)) != sizeof(msg))
			break;
		total += msg[0], last = msg[1];
	}
	result("many-guests-host", last != 0, "%d Guests in %d processes, "
	       "then %s", total, i, strerror(last));
	while (i--) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	close(p[0]);
	close(p[1]);
	munmap(mem, MEM_SIZE);
}

int
main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	FILE *f = fopen("/sys/module/lg/parameters/paging_levels", "r");
	uint8_t *mem;

	if (!f || fscanf(f, "%u", &levels) != 1) {
		printf("LGTEST misuse FAIL is lg.ko loaded?\n");
		return 1;
	}
	fclose(f);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: read() sees EINTR */
	check_before_init();
	mem = guest_ram(code_exit, sizeof(code_exit));
	check_bad_inits(mem);
	check_after_init(mem);
	munmap(mem, MEM_SIZE);
	check_signals("signals-in-halt", code_halt, sizeof(code_halt));
	check_signals("signals-while-running", code_spin, sizeof(code_spin));
	check_take_ram("munmap-while-running", 0);
	check_take_ram("prot-none-while-running", 1);
	check_take_ram("read-only-while-running", 2);
	check_fork();
	check_close_in_read();
	check_overlap();
	check_many();
	check_many_processes();
	return failures ? 1 : 0;
}
