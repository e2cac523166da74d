/* scenarios.c: the test Guest's extra commands (see guest/commands.c). */
#include "guest.h"
#include "fpu_marker.h"

/* An address no Guest page table maps (the Launcher maps only RAM). */
#define UNMAPPED_ADDR	0x0000100000000000ULL
#define HOST_ADDR	0xffffffff81000000ULL	/* Host kernel text */
#define HUGE_2M		(2UL << 20)
#define PTE_ADDR	0x000ffffffffff000ULL
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

/* Pointer to the entry for @va at @level of the Guest's own page tables. */
static uint64_t *
guest_pte(uint64_t va, unsigned int level)
{
	uint64_t table = guest_boot->pgtable_root;
	unsigned int l;

	for (l = guest_boot->paging_levels; l > level; l--)
		table = ((uint64_t *)(LGUEST_PAGE_OFFSET + table))
			[(va >> (12 + 9 * (l - 1))) & 511] & PTE_ADDR;
	return (uint64_t *)(LGUEST_PAGE_OFFSET + table) +
	       ((va >> (12 + 9 * (level - 1))) & 511);
}

/* bad-phys: map a 2M page beyond RAM just after RAM, then touch it. */
static int
do_bad_phys(int argc, char **argv)
{
	uint64_t va = LGUEST_PAGE_OFFSET + guest_boot->ram_size;

	*guest_pte(va, 2) = (guest_boot->ram_size + HUGE_2M) | PTE_P_RW_U_PS;
	gprintf("mapped %p to phys %lx\n", (void *)va,
		guest_boot->ram_size + HUGE_2M);
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

/* bench N: time N null hypercalls. */
static int
do_bench(int argc, char **argv)
{
	uint64_t n = argc > 1 ? gstrtoull(argv[1]) : 100000, i, t0, t1;

	t0 = rdtsc();
	for (i = 0; i < n; i++)
		hcall(LHCALL_NOP, 0, 0, 0);
	t1 = rdtsc();
	gprintf("guest: %lu hypercalls, %lu cycles per round trip\n", n,
		(t1 - t0) / n);
	return 0;
}

/* unknown-hcall: an unknown hypercall number must return -ENOSYS. */
static int
do_unknown_hcall(int argc, char **argv)
{
	int64_t r = hcall(LHCALL_NR + 100, 0, 0, 0);

	gprintf("unknown hypercall returned %ld\n", r);
	return r == LGUEST_ENOSYS ? 0 : 1;
}

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
	{ "bench", do_bench, "bench N: time N null hypercalls" },
	{ "unknown-hcall", do_unknown_hcall, "unknown-hcall: expect -ENOSYS" },
	{ NULL, NULL, NULL }
};
