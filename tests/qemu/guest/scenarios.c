/* scenarios.c: the test Guest's extra commands (see guest/commands.c). */
#include "guest.h"
#include "virtio_spec.h"
#include "fpu_marker.h"

/* An address no page table of the Guest maps. */
#define UNMAPPED_ADDR	0x0000100000000000ULL
#define HOST_ADDR	0xffffffff81000000ULL	/* Host kernel text */
#define HUGE_2M		(2UL << 20)
#define PTE_P_RW_U_PS	0x87ULL	/* present, writable, user, 2M page */
#define GS_TEST_VALUE	0x00007e57c0ffee00ULL

/* unmapped: read an address the Guest's page tables do not map. */
static int
do_unmapped(int argc, char **argv)
{
	gprintf("touching %p\n", (void *)UNMAPPED_ADDR);
	return (int)*(volatile uint64_t *)UNMAPPED_ADDR;
}

/* host-half: read an address in the Host's upper half. */
static int
do_host_half(int argc, char **argv)
{
	return (int)*(volatile uint64_t *)HOST_ADDR;
}

/* bad-phys: map a 2M page beyond RAM just after RAM, then touch it. */
static int
do_bad_phys(int argc, char **argv)
{
	uint64_t va = LGUEST_PAGE_OFFSET + guest_boot->ram_size;
	uint64_t pa = guest_boot->ram_size + HUGE_2M;

	/* The entry maps device window 0 today: present, so announced. */
	guest_set_entry(guest_pt_entry(guest_root, va, 2),
			pa | PTE_P_RW_U_PS, va, 2);
	gprintf("mapped %p to phys %lx\n", (void *)va, pa);
	return (int)*(volatile uint64_t *)va;
}

/* hlt: a privileged instruction in ring 3 (#GP). */
static int
do_hlt(int argc, char **argv)
{
	asm volatile("hlt");
	return 1;
}

/* syscall: must be #UD (EFER.SCE is off while a Guest runs). */
static int
do_syscall(int argc, char **argv)
{
	asm volatile("syscall" : : : "rcx", "r11", "memory");
	return 1;
}

/* sysenter: must fault (SYSENTER_CS is 0 while a Guest runs). */
static int
do_sysenter(int argc, char **argv)
{
	asm volatile("sysenter" : : : "memory");
	return 1;
}

/* Does the CPU have RDGSBASE and friends (CPUID 7.0:EBX bit 0)? */
static int
have_fsgsbase(void)
{
	uint32_t a = 7, b, c = 0, d;

	asm volatile("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
	return b & 1;
}

/* wrgsbase: move GS base, check it survives an exit, then fault. */
static int
do_wrgsbase(int argc, char **argv)
{
	uint64_t gs;

	if (!have_fsgsbase()) {
		gprintf("GS base: no FSGSBASE on this CPU\n");
		asm volatile("ud2");
	}
	asm volatile("wrgsbase %0" : : "r" (GS_TEST_VALUE));
	asm volatile("wrfsbase %0" : : "r" (GS_TEST_VALUE + 0x1000));
	hcall(LHCALL_NOP, 0, 0, 0);
	asm volatile("rdgsbase %0" : "=r" (gs));
	gprintf("GS base after a hypercall: %lx (%s)\n", gs,
		gs == GS_TEST_VALUE ? "kept" : "LOST");
	asm volatile("ud2");
	return 1;
}

/* int3: a breakpoint trap. */
static int
do_int3(int argc, char **argv)
{
	asm volatile("int3");
	return 1;
}

/* Does the saved FPU state @st hold the host process's marker? */
static int
fpu_has_marker(const uint64_t *st)
{
	int i;

	for (i = 0; i < 32; i++)
		if (st[i] == FPU_MARKER)
			return 1;
	return (st[32] & 0xffffffff) == FPU_MARKER_MXCSR;
}

/* fpu N: N times, read the SSE registers; the marker must never show. */
static int
do_fpu(int argc, char **argv)
{
	uint64_t n = argc > 1 ? gstrtoull(argv[1]) : 1000000, i, seen = 0;
	uint64_t st[33], mine[2] = { FPU_GUEST_PATTERN, FPU_GUEST_PATTERN };

	for (i = 0; i < n; i++) {
		guest_fpu_read(st);
		seen += fpu_has_marker(st);
		guest_fpu_fill(mine);
	}
	gprintf("fpu: %lu reads, marker seen %lu times\n", n, seen);
	return seen ? 1 : 0;
}

/* unknown-hcall: an unknown hypercall number must return -ENOSYS. */
static int
do_unknown_hcall(int argc, char **argv)
{
	int64_t r = hcall(LHCALL_NR + 100, 0, 0, 0);

	gprintf("unknown hypercall returned %ld\n", r);
	return r == LGUEST_ENOSYS ? 0 : 1;
}

/* What the trap hook saw; where the trapping instruction and the next are. */
static struct guest_regs trap_seen;
static uint64_t trap_cr2, trap_at, trap_resume;

/* The tests' exception hook: record, then step over the instruction. */
static int
trap_record(struct guest_regs *regs)
{
	trap_seen = *regs;
	trap_cr2 = guest_fault_address();
	regs->rip = trap_resume;
	regs->rflags &= ~0x100ULL;	/* TF: stop single-stepping */
	return 1;
}

/* Run @pre, then @insn at trap_at; trap_resume is the next instruction. */
#define TRAP_RUN(pre, insn)						\
	asm volatile("leaq 1f(%%rip), %%rax\n\t"			\
		     "movq %%rax, %[resume]\n\t"			\
		     "leaq 2f(%%rip), %%rax\n\t"			\
		     "movq %%rax, %[at]\n\t"				\
		     pre "\n"						\
		     "2:\t" insn "\n"					\
		     "1:"						\
		     : [resume] "=m" (trap_resume), [at] "=m" (trap_at)	\
		     : : "rax", "rcx", "rdx", "memory", "cc")

static void trap_de(void) { TRAP_RUN("xorl %%ecx, %%ecx; xorl %%edx, %%edx", "divl %%ecx"); }
static void trap_db(void) { TRAP_RUN("pushfq; orq $0x100, (%%rsp); popfq", "nop"); }
static void trap_bp(void) { TRAP_RUN("", "int3"); }
static void trap_ud(void) { TRAP_RUN("", "ud2"); }
static void trap_gp(void) { TRAP_RUN("", "cli"); }
/* In ring 0 cli is allowed: natively #GP comes from a non-canonical read. */
static void trap_gp_native(void)
{
	TRAP_RUN("movabsq $0x8000000000000000, %%rcx", "movq (%%rcx), %%rdx");
}
static void trap_gp_int(void) { TRAP_RUN("", "int $0x40"); }
static void trap_pf(void)
{
	TRAP_RUN("movabsq $0x100000000000, %%rcx", "movq (%%rcx), %%rdx");
}

/* One reflected exception and what the Guest's handler must see. */
struct trap_case {
	const char *name;
	void (*run)(void);
	uint64_t vector, error_code, error_mask;
	int after;		/* RIP is past the instruction (a trap) */
};

static const struct trap_case trap_cases[] = {
	{ "de", trap_de, 0, 0, ~0ULL, 0 },
	{ "db", trap_db, 1, 0, ~0ULL, 1 },
	{ "bp", trap_bp, 3, 0, ~0ULL, 1 },
	{ "ud", trap_ud, 6, 0, ~0ULL, 0 },
	{ "gp", trap_gp, 13, 0, ~0ULL, 0 },
	/* "IDT, not external": the index is 0x40 (QEMU TCG scales it by 16) */
	{ "gp-int", trap_gp_int, 13, 2, 3, 0 },
	{ "pf", trap_pf, 14, 4, ~0ULL, 0 },	/* user-mode read, not present */
};

/* Is the interrupt flag on, virtual or real? */
static int
irqs_on(void)
{
	uint64_t rflags;

	if (guest_pv == &guest_pv_lguest)
		return !!guest_data.irq_enabled;
	asm volatile("pushfq; popq %0" : "=r" (rflags));
	return !!(rflags & GUEST_EFLAGS_IF);
}

/* Run one case; 0 if the handler saw exactly what it should. */
static int
trap_check(const struct trap_case *c)
{
	uint64_t rip;
	int ok;

	struct trap_case native = *c;

	if (guest_pv != &guest_pv_lguest) {	/* ring 0: #GP and #PF differ */
		if (c->run == trap_gp)
			native.run = trap_gp_native;
		if (c->vector == 14)
			native.error_code = guest_pv->kernel_pf;
		c = &native;
	}
	trap_seen.vector = ~0ULL;
	c->run();
	rip = c->after ? trap_resume : trap_at;
	ok = trap_seen.vector == c->vector &&
	     (trap_seen.error_code & c->error_mask) == c->error_code &&
	     trap_seen.rip == rip &&
	     (c->vector != 14 || trap_cr2 == UNMAPPED_ADDR);
	gprintf("trap %s: vector %lu error 0x%lx %s the instruction%s: %s\n",
		c->name, trap_seen.vector, trap_seen.error_code,
		trap_seen.rip == trap_at ? "at" :
		trap_seen.rip == trap_resume ? "after" : "NOT at",
		c->vector == 14 ? (trap_cr2 == UNMAPPED_ADDR ? ", cr2 right" :
				   ", cr2 WRONG") : "", ok ? "ok" : "WRONG");
	return !ok;
}

/* traps: raise each exception; the Guest's handler must see it, and recover. */
static int
do_traps(int argc, char **argv)
{
	unsigned int i;
	int bad = 0;

	guest_trap_hook = trap_record;
	for (i = 0; i < sizeof(trap_cases) / sizeof(trap_cases[0]); i++)
		bad += trap_check(&trap_cases[i]);
	guest_trap_hook = NULL;
	gprintf("traps: %d wrong, interrupts %s, all recovered\n", bad,
		irqs_on() ? "on" : "OFF");
	return bad || !irqs_on();
}

/* claim V [HANDLER]: ask for vector V; the Host must refuse some. */
static int
do_claim(int argc, char **argv)
{
	uint64_t v = argc > 1 ? gstrtoull(argv[1]) : 2;
	uint64_t handler = argc > 2 ? gstrtoull(argv[2]) :
			   (uint64_t)guest_trap_stubs;

	gprintf("claiming vector %lu for %lx\n", v, handler);
	hcall(LHCALL_LOAD_IDT_ENTRY, v, handler, 0);
	gprintf("the claim was accepted\n");
	return 1;
}

/* badstack: an exception with the stack pointer on an unmapped page. */
static int
do_badstack(int argc, char **argv)
{
	asm volatile("movabsq $0x100000000000, %%rsp; ud2" : : : "memory");
	return 1;
}

/* nohandler: a timer interrupt for a vector the Guest left empty. */
static int
do_nohandler(int argc, char **argv)
{
	hcall(LHCALL_LOAD_IDT_ENTRY, LGUEST_TIMER_IRQ, 0, 0);
	hcall(LHCALL_SET_CLOCKEVENT, 1000, 0, 0);
	for (;;)
		guest_halt();
	return 1;
}

/* The storm's state: interrupts still to raise, and interrupts taken. */
static volatile uint64_t storm_left, storm_taken;

uint64_t regs_hold(volatile uint64_t *counter, uint64_t target);

/*
 * The storm's timer handler: ask for the next interrupt at once, and wait
 * until the Host shows it pending, so that the return path finds it in
 * the no-interrupt window every time.
 */
static void
storm_irq(void)
{
	volatile uint64_t *p = guest_data.irq_pending;

	storm_taken++;
	if (!storm_left)
		return;
	storm_left--;
	guest_clock_at(0);
	while (!p[0])
		;
}

/* storm N: N+1 interrupts back to back; every register must survive. */
static int
do_storm(int argc, char **argv)
{
	uint64_t n = argc > 1 ? gstrtoull(argv[1]) : 1000, changed;

	storm_left = n;
	storm_taken = 0;
	guest_set_irq_handler(LGUEST_TIMER_IRQ, storm_irq);
	/* 1 ms: the first interrupt must find regs_hold() in its loop */
	guest_clock_at(rdtsc() + guest_ns_to_tsc(1000000));
	changed = regs_hold(&storm_taken, n + 1);
	gprintf("storm: %lu interrupts, %lu registers changed\n",
		(uint64_t)storm_taken, changed);
	return changed || storm_taken != n + 1;
}

/* halt-forever: halt with no clock armed; only a signal ends it. */
static int
do_halt_forever(int argc, char **argv)
{
	for (;;)
		guest_halt();
	return 1;
}

/* The first device window, where "virt" (0x74726976) reads back. */
static volatile uint32_t *
first_window(void)
{
	return (volatile uint32_t *)(LGUEST_PAGE_OFFSET + guest_boot->mmio_base);
}

#define MXCSR_RESET	0x1f80U	/* all exceptions masked, round to nearest */
#define MXCSR_MINE	0x7f80U	/* the same, rounding toward zero */
#define X87_CW_RESET	0x037fU
#define X87_CW_MINE	0x0f7fU	/* rounding toward zero */

/* fpu-own: the Guest starts from the reset state and keeps its own. */
static int
do_fpu_own(int argc, char **argv)
{
	uint8_t st[260], mine[16];
	uint16_t cw;
	uint32_t mxcsr = MXCSR_MINE;
	int i, bad = 0;

	guest_fpu_read(st);
	asm volatile("fnstcw %0" : "=m"(cw));
	for (i = 0; i < 256; i++)
		bad += st[i] != 0;
	gprintf("fpu-own: first look: %d nonzero bytes, mxcsr %x, x87 cw %x\n",
		bad, *(uint32_t *)&st[256], cw);
	if (bad || *(uint32_t *)&st[256] != MXCSR_RESET || cw != X87_CW_RESET)
		return 1;
	for (i = 0; i < 16; i++)
		mine[i] = 0xa0 + i;
	guest_fpu_fill(mine);
	cw = X87_CW_MINE;
	asm volatile("ldmxcsr %0; fldcw %1" : : "m"(mxcsr), "m"(cw));
	for (i = 0; i < 100; i++)	/* 100 exits to the Launcher */
		bad += first_window()[0] != VIRTIO_MMIO_MAGIC_VIRT;
	guest_fpu_read(st);
	asm volatile("fnstcw %0" : "=m"(cw));
	for (i = 0; i < 256; i++)
		bad += st[i] != mine[i % 16];
	gprintf("fpu-own: after 100 exits: %d bad, mxcsr %x, x87 cw %x\n",
		bad, *(uint32_t *)&st[256], cw);
	return bad || *(uint32_t *)&st[256] != MXCSR_MINE || cw != X87_CW_MINE;
}

/* pkru-deny: deny key 0, make the Launcher serve a device read, allow. */
static int
do_pkru_deny(int argc, char **argv)
{
	volatile uint32_t *reg = first_window();
	uint32_t a, b, c, d, value, pkru = 3;	/* key 0: no access */

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
	if (!(c & (1U << 4))) {		/* OSPKE: the Host enabled keys */
		gprintf("pkru-deny: no protection keys on this CPU\n");
		return 2;
	}
	/* No memory access between the two wrpkru but the device read. */
	asm volatile("wrpkru\n\t"
		     "movl (%[reg]), %[value]\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "wrpkru"
		     : [value] "=&r"(value), "+a"(pkru)
		     : "c"(0), "d"(0), [reg] "r"(reg)
		     : "memory");
	gprintf("pkru-deny: key 0 denied, the device read %x\n", value);
	return value != VIRTIO_MMIO_MAGIC_VIRT;
}

/* halt-off: halt with interrupts off and no clock: nothing could wake it. */
static int
do_halt_off(int argc, char **argv)
{
	hcall(LHCALL_SET_CLOCKEVENT, 0, 0, 0);
	guest_irq_disable();
	hcall(LHCALL_HALT, 0, 0, 0);
	guest_irq_enable();
	gprintf("halt-off: woke up\n");
	return 1;
}

/* bad-rip: an int $0x1f in the last two bytes of the lower half. */
static int
do_bad_rip(int argc, char **argv)
{
	uint64_t end = 1ULL << (12 + 9 * guest_levels - 1);
	uint64_t pa = guest_page_alloc();
	uint8_t *code = guest_va(pa);

	code[4094] = 0xcd;		/* int $0x1f, the hypercall gate */
	code[4095] = LGUEST_TRAP_ENTRY;
	if (guest_map(guest_root, end - 4096, pa, 0))
		return 2;
	gprintf("bad-rip: jumping to %lx\n", end - 2);
	asm volatile("jmp *%0" : : "r"(end - 2), "a"(LHCALL_NOP));
	return 1;
}

/* lretq: a far return in ring 3 (TCG reads its stack as supervisor). */
static int
do_lretq(int argc, char **argv)
{
	asm volatile("pushq $0x33\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:" : : : "rax", "memory");
	gprintf("lretq: returned\n");
	return 0;
}

/* ram: print the RAM the Launcher gave us, in MiB. */
static int
do_ram(int argc, char **argv)
{
	gprintf("ram: %lu MiB\n", guest_boot->ram_size >> 20);
	return 0;
}

/* leak N: keep N pages, so that the shell's free-page check must say so. */
static int
do_leak(int argc, char **argv)
{
	uint64_t n = argc > 1 ? gstrtoull(argv[1]) : 1;

	while (n-- && guest_page_alloc())
		;
	gprintf("leak: done\n");
	return 0;
}

/* shadow.c: the shadow paging's commands. */
int do_pt_host_half(int argc, char **argv);
int do_pt_beyond_ram(int argc, char **argv);
int do_pt_loop(int argc, char **argv);
int do_pt_rsvd(int argc, char **argv);
int do_pt_bad_ring(int argc, char **argv);
int do_pt_bad_level(int argc, char **argv);
int do_pt_raw(int argc, char **argv);
int do_pt_bad_run(int argc, char **argv);
int do_pt_alias(int argc, char **argv);

/* The test Guest's commands, looked up after the book's guest_commands[]. */
const struct guest_command guest_test_commands[] = {
	{ "unmapped", do_unmapped, "unmapped: read an unmapped address" },
	{ "host-half", do_host_half, "host-half: read the Host's upper half" },
	{ "bad-phys", do_bad_phys, "bad-phys: map and touch a page beyond RAM" },
	{ "hlt", do_hlt, "hlt: a privileged instruction (#GP)" },
	{ "syscall", do_syscall, "syscall: must be #UD" },
	{ "sysenter", do_sysenter, "sysenter: must fault" },
	{ "wrgsbase", do_wrgsbase, "wrgsbase: GS base survives an exit" },
	{ "int3", do_int3, "int3: a breakpoint trap" },
	{ "fpu", do_fpu, "fpu N: read the SSE registers N times" },
	{ "unknown-hcall", do_unknown_hcall, "unknown-hcall: expect -ENOSYS" },
	{ "traps", do_traps, "traps: each exception reaches the Guest's handler" },
	{ "claim", do_claim, "claim V [HANDLER]: ask for vector V" },
	{ "badstack", do_badstack, "badstack: an exception with no stack" },
	{ "nohandler", do_nohandler, "nohandler: an interrupt with no handler" },
	{ "storm", do_storm, "storm N: back-to-back interrupts keep registers" },
	{ "halt-forever", do_halt_forever, "halt-forever: halt with no clock" },
	{ "ram", do_ram, "ram: the RAM the Launcher gave, in MiB" },
	{ "halt-off", do_halt_off, "halt-off: halt with interrupts off, no clock" },
	{ "bad-rip", do_bad_rip, "bad-rip: a hypercall at the end of the lower half" },
	{ "lretq", do_lretq, "lretq: a far return in ring 3" },
	{ "fpu-own", do_fpu_own, "fpu-own: reset FPU state, kept across exits" },
	{ "pkru-deny", do_pkru_deny, "pkru-deny: deny key 0 over a device read" },
	{ "pt-host-half", do_pt_host_half, "pt-host-half: a root mapping the Host's half" },
	{ "pt-beyond-ram", do_pt_beyond_ram, "pt-beyond-ram: a leaf past RAM" },
	{ "pt-loop", do_pt_loop, "pt-loop [up]: a table that leads to itself" },
	{ "pt-rsvd", do_pt_rsvd, "pt-rsvd [ps|huge]: a reserved bit set" },
	{ "pt-bad-ring", do_pt_bad_ring, "pt-bad-ring: LHCALL_SHUTDOWN in the ring" },
	{ "pt-bad-level", do_pt_bad_level, "pt-bad-level: SET_PTE for level 9" },
	{ "pt-bad-run", do_pt_bad_run, "pt-bad-run 0|513|half: a bad SET_PTE count" },
	{ "pt-raw", do_pt_raw, "pt-raw: A/D bits, SET_PTE, FLUSH_TLB, the cache" },
	{ "pt-alias", do_pt_alias, "pt-alias N SECS: one page at N addresses" },
	{ "leak", do_leak, "leak N: keep N pages (the shell must notice)" },
	{ NULL, NULL, NULL }
};
