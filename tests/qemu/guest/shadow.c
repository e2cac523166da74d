/* shadow.c: test Guest commands for the Host's shadow page tables. */
#include "guest.h"

/*
 * These commands build raw page tables by hand in static pages of the
 * kernel image (guest-physical through guest_pa()), never through the
 * Guest's own page-table code, so they test the Host alone.
 */
#define PT_P		0x001ULL	/* present */
#define PT_RW		0x002ULL	/* writable */
#define PT_U		0x004ULL	/* user */
#define PT_A		0x020ULL	/* accessed */
#define PT_D		0x040ULL	/* dirty */
#define PT_PS		0x080ULL	/* a huge page, in levels 2 and 3 */
#define PT_TABLE	(PT_P | PT_RW | PT_U)
#define PT_ADDR		0x000ffffffffff000ULL
#define PF_P		0x1ULL		/* #PF error code: protection fault */
#define PF_W		0x2ULL		/* a write */
#define PF_U		0x4ULL		/* from ring 3 */
#define POOL_PAGES	48
#define DATA_PAGES	6
#define MARK		0x5ade5ade00000000ULL
#define HUGE_2M		(2ULL << 20)

static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned int pool_used;
static volatile uint64_t data[DATA_PAGES][512] __attribute__((aligned(4096)));

/* A zeroed page-table page from the pool. */
static uint64_t *
pt_new(void)
{
	uint64_t *t;
	int i;

	if (pool_used == POOL_PAGES) {
		gprintf("shadow: out of table pages\n");
		guest_shutdown(1);
	}
	t = pool[pool_used++];
	for (i = 0; i < 512; i++)
		t[i] = 0;
	return t;
}

/* The Guest-virtual address of guest-physical table @pa. */
static uint64_t *
pt_va(uint64_t pa)
{
	return (uint64_t *)(LGUEST_PAGE_OFFSET + (pa & PT_ADDR));
}

static unsigned int
pt_index(uint64_t va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/* A new top-level table: a copy of the Launcher's, so the kernel stays. */
static uint64_t *
pt_new_root(void)
{
	uint64_t *root = pt_new(), *boot = pt_va(guest_boot->pgtable_root);
	int i;

	for (i = 0; i < 512; i++)
		root[i] = boot[i];
	return root;
}

/* The entry for @va at @level below @root, making the tables above it. */
static uint64_t *
pt_entry(uint64_t *root, uint64_t va, unsigned int level)
{
	uint64_t *t = root;
	unsigned int l;

	for (l = guest_boot->paging_levels; l > level; l--) {
		uint64_t *e = &t[pt_index(va, l)];

		if (!(*e & PT_P))
			*e = guest_pa(pt_new()) | PT_TABLE;
		t = pt_va(*e);
	}
	return &t[pt_index(va, level)];
}

/* An address whose top-level slot the Launcher's tables leave empty. */
static uint64_t
test_va(void)
{
	return guest_boot->paging_levels == 5 ? 1ULL << 52 : 1ULL << 45;
}

/* Switch to @root; the Host must accept it. */
static void
pt_switch(uint64_t *root)
{
	int64_t r = hcall(LHCALL_NEW_PGTABLE, guest_pa(root), 0, 0);

	if (r)
		gprintf("shadow: LHCALL_NEW_PGTABLE returned %ld\n", r);
}

/* pt-host-half: a top-level table with slot 511 present. */
int
do_pt_host_half(int argc, char **argv)
{
	uint64_t *root = pt_new_root();

	root[511] = guest_pa(pt_new()) | PT_TABLE;
	gprintf("pt-host-half: a root with slot 511 present\n");
	hcall(LHCALL_NEW_PGTABLE, guest_pa(root), 0, 0);
	gprintf("pt-host-half: the Host took it\n");
	return 1;
}

/* Switch to @root and read @va: the Host must kill the Guest. */
static int
pt_touch(const char *name, uint64_t *root, uint64_t va)
{
	pt_switch(root);
	gprintf("%s: touching %lx\n", name, va);
	gprintf("%s: read %lx\n", name, *(volatile uint64_t *)va);
	return 1;
}

/* pt-beyond-ram: a leaf for a page 16 MiB past RAM (and its windows). */
int
do_pt_beyond_ram(int argc, char **argv)
{
	uint64_t *root = pt_new_root(), va = test_va();

	*pt_entry(root, va, 1) = (guest_boot->ram_size + (16ULL << 20)) |
				 PT_TABLE;
	return pt_touch("pt-beyond-ram", root, va);
}

/*
 * pt-loop [up]: a top-level entry that names the top-level table itself,
 * or (up) a level-2 entry that names the level-3 table above it.
 */
int
do_pt_loop(int argc, char **argv)
{
	uint64_t *root = pt_new_root(), va = test_va(), l3;

	if (argc > 1 && !gstrcmp(argv[1], "up")) {
		l3 = guest_pa(pt_entry(root, va, 3)) & PT_ADDR;
		*pt_entry(root, va, 2) = l3 | PT_TABLE;
	} else {
		root[pt_index(va, guest_boot->paging_levels)] =
			guest_pa(root) | PT_TABLE;
	}
	return pt_touch("pt-loop", root, va);
}

/*
 * pt-rsvd [ps|huge]: a reserved bit: PS in a top-level entry, or the low
 * address bit 13 in a 2 MiB leaf.
 */
int
do_pt_rsvd(int argc, char **argv)
{
	uint64_t *root = pt_new_root(), va = test_va();

	if (argc > 1 && !gstrcmp(argv[1], "huge"))
		*pt_entry(root, va, 2) = (1ULL << 13) | PT_TABLE | PT_PS;
	else
		root[pt_index(va, guest_boot->paging_levels)] =
			guest_pa(pt_new()) | PT_TABLE | PT_PS;
	return pt_touch("pt-rsvd", root, va);
}

/* Fill every slot of the ring with one call; the next hypercall runs them. */
static void
ring_fill(uint64_t nr, uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
	int i;

	for (i = 0; i < LGUEST_RING_SIZE; i++) {
		guest_data.ring[i].nr = nr;
		guest_data.ring[i].arg0 = arg0;
		guest_data.ring[i].arg1 = arg1;
		guest_data.ring[i].arg2 = arg2;
	}
	for (i = 0; i < LGUEST_RING_SIZE; i++)
		guest_data.ring_status[i] = LGUEST_RING_READY;
}

/*
 * pt-bad-ring: a call that cannot be batched, in the ring.  Without a
 * shared page ("notraps"), the Host has no ring to serve: the Guest runs on.
 */
int
do_pt_bad_ring(int argc, char **argv)
{
	gprintf("pt-bad-ring: LHCALL_SHUTDOWN in the ring\n");
	ring_fill(LHCALL_SHUTDOWN, 0, 0, 0);	/* gprintf() makes hypercalls */
	hcall(LHCALL_NOP, 0, 0, 0);
	gprintf("pt-bad-ring: the Guest runs on\n");	/* no shared page? */
	return 1;
}

/* pt-bad-level: LHCALL_SET_PTE for level 9. */
int
do_pt_bad_level(int argc, char **argv)
{
	gprintf("pt-bad-level: SET_PTE level 9\n");
	hcall(LHCALL_SET_PTE, LGUEST_PAGE_OFFSET, 9, 1);
	gprintf("pt-bad-level: the Host took it\n");
	return 1;
}

/* The last page fault reflected to the Guest, and where to resume. */
static volatile uint64_t pf_count, pf_error, pf_cr2;
static uint64_t pf_resume;

/* The tests' #PF hook: record, then skip the access. */
static int
pf_record(struct guest_regs *regs)
{
	if (regs->vector != 14)
		return 0;
	pf_count++;
	pf_error = regs->error_code;
	pf_cr2 = guest_data.cr2;
	regs->rip = pf_resume;
	return 1;
}

/* Read (@write 0) or write *@val at @va; 0, or -1 after a page fault. */
static int
pt_access(uint64_t va, int write, uint64_t *val)
{
	uint64_t before = pf_count;

	asm volatile("leaq 1f(%%rip), %%rax\n\t"
		     "movq %%rax, %[resume]\n\t"
		     "testl %[w], %[w]\n\t"
		     "jnz 2f\n\t"
		     "movq (%[va]), %[v]\n\t"
		     "jmp 1f\n"
		     "2:\tmovq %[v], (%[va])\n"
		     "1:"
		     : [resume] "=m" (pf_resume), [v] "+r" (*val)
		     : [va] "r" (va), [w] "r" (write)
		     : "rax", "memory", "cc");
	return pf_count == before ? 0 : -1;
}

static int raw_wrong;

/* One check of pt-raw: print it, count it if wrong. */
static void
check(int ok, const char *what)
{
	gprintf("pt-raw: %s: %s\n", what, ok ? "ok" : "WRONG");
	raw_wrong += !ok;
}

/* A root mapping test_va() to data page @i with @flags; its leaf. */
static uint64_t *
raw_root(unsigned int i, uint64_t flags, uint64_t **leaf)
{
	uint64_t *root = pt_new_root();

	*leaf = pt_entry(root, test_va(), 1);
	**leaf = guest_pa((void *)data[i]) | flags;
	data[i][0] = MARK + i;
	return root;
}

/* pt-raw, part 1: accessed and dirty bits set by the Host. */
static void
raw_accessed_dirty(uint64_t *root, uint64_t *leaf, uint64_t va)
{
	uint64_t v = 0;
	unsigned int top = guest_boot->paging_levels;

	check(!pt_access(va, 0, &v) && v == MARK, "read through a new root");
	check((*leaf & (PT_A | PT_D)) == PT_A, "read: leaf A=1 D=0");
	check(root[pt_index(va, top)] & PT_A, "read: top-level entry A=1");
	v = MARK + 100;
	check(!pt_access(va, 1, &v) && data[0][0] == MARK + 100,
	      "write reaches the page");
	check((*leaf & (PT_A | PT_D)) == (PT_A | PT_D), "write: leaf D=1");
}

/* pt-raw, part 2: SET_PTE (through the ring) and the error codes. */
static void
raw_faults(uint64_t *leaf, uint64_t va)
{
	uint64_t v = 0;

	*leaf = 0;
	ring_fill(LHCALL_SET_PTE, va, 1, 1);	/* each slot the same call */
	hcall(LHCALL_NOP, 0, 0, 0);
	check(guest_data.ring_status[0] == LGUEST_RING_EMPTY,
	      "the ring was served");
	check(pt_access(va, 0, &v) && pf_error == PF_U && pf_cr2 == va,
	      "unmapped: #PF with P=0, cr2 right");
	/* Not in the shadow, read-only in the Guest's tables: P must be 1. */
	*leaf = guest_pa((void *)data[0]) | PT_P | PT_U;	/* was absent */
	check(pt_access(va, 1, &v) && pf_error == (PF_P | PF_W | PF_U),
	      "read-only, first a write: #PF with P=1 W=1");
	check(!pt_access(va, 0, &v) && v == MARK + 100, "read-only: read");
	check(pt_access(va, 1, &v) && pf_error == (PF_P | PF_W | PF_U),
	      "read-only, then a write: #PF with P=1 W=1");
}

/* pt-raw, part 3: FLUSH_TLB forgets; the Launcher's root is cached. */
static void
raw_flush(uint64_t *root, uint64_t *leaf, uint64_t va)
{
	uint64_t v = 0;

	*leaf = guest_pa((void *)data[0]) | PT_TABLE;	/* A and D clear */
	hcall(LHCALL_FLUSH_TLB, 0, 0, 0);
	check(!pt_access(va, 0, &v) && (*leaf & (PT_A | PT_D)) == PT_A,
	      "after FLUSH_TLB: read sets A again");
	hcall(LHCALL_NEW_PGTABLE, guest_boot->pgtable_root, 0, 0);
	check(pt_access(va, 0, &v) && !(pf_error & PF_P),
	      "back on the Launcher's root: not mapped");
	pt_switch(root);
	check(!pt_access(va, 0, &v) && v == MARK + 100,
	      "back on the new root: mapped");
}

/* pt-raw, part 4: five roots, more than the Host caches, in turn. */
static void
raw_evict(uint64_t va)
{
	uint64_t *roots[DATA_PAGES], *leaf, v;
	unsigned int i, round, bad = 0;

	for (i = 1; i < DATA_PAGES; i++)
		roots[i] = raw_root(i, PT_TABLE, &leaf);
	for (round = 0; round < 3; round++)
		for (i = 1; i < DATA_PAGES; i++) {
			pt_switch(roots[i]);
			v = 0;
			bad += pt_access(va, 0, &v) || v != MARK + i;
		}
	hcall(LHCALL_NEW_PGTABLE, guest_boot->pgtable_root, 0, 0);
	check(!bad, "five roots in turn, three rounds");
}

/* Point the @n leaves from @va on at data pages @first, @first + 1, ... */
static void
run_point(uint64_t *root, uint64_t va, int n, int first)
{
	int i;

	for (i = 0; i < n; i++)
		*pt_entry(root, va + i * 4096, 1) =
			guest_pa((void *)data[(first + i) % n]) | PT_TABLE;
}

/* Do the @n pages from @va on read data pages @first, @first + 1, ...? */
static int
run_fresh(uint64_t va, int n, int first)
{
	uint64_t v;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		v = 0;
		bad += pt_access(va + i * 4096 + 8, 0, &v) ||
		       v != MARK + 10 + (first + i) % n;
	}
	return bad;
}

/* pt-raw, part 5: one SET_PTE for a run of leaves across two tables. */
static void
raw_run(uint64_t *root)
{
	uint64_t va = test_va() + 2 * HUGE_2M - 2 * 4096;	/* 510, 511, 0, 1 */
	int i;

	for (i = 0; i < 4; i++)
		data[i][1] = MARK + 10 + i;
	run_point(root, va, 4, 0);
	check(!run_fresh(va, 4, 0), "a run of 4 leaves over two tables: read");
	run_point(root, va, 4, 1);
	hcall(LHCALL_SET_PTE, va, 1, 4);
	check(!run_fresh(va, 4, 1), "the run moved, one SET_PTE: all 4 fresh");
	run_point(root, va, 4, 2);
	ring_fill(LHCALL_SET_PTE, va, 1, 4);
	hcall(LHCALL_NOP, 0, 0, 0);
	check(!run_fresh(va, 4, 2), "the run moved, through the ring: all 4 fresh");
}

/*
 * pt-bad-run 0|513|half: LHCALL_SET_PTE for no entry, for more than a
 * table's worth, or for a run that ends in the Host's half.
 */
int
do_pt_bad_run(int argc, char **argv)
{
	uint64_t half = 1ULL << (12 + 9 * guest_boot->paging_levels - 1);
	const char *what = argc > 1 ? argv[1] : "0";

	gprintf("pt-bad-run: %s\n", what);
	if (!gstrcmp(what, "half"))
		hcall(LHCALL_SET_PTE, half - 4096, 1, 2);
	else
		hcall(LHCALL_SET_PTE, LGUEST_PAGE_OFFSET, 1, gstrtoull(what));
	gprintf("pt-bad-run: the Host took it\n");
	return 1;
}

/* pt-raw: the Host's mechanics, seen from the Guest's own entries. */
int
do_pt_raw(int argc, char **argv)
{
	uint64_t *leaf, va = test_va();
	uint64_t *root = raw_root(0, PT_TABLE, &leaf);

	guest_trap_hook = pf_record;
	pt_switch(root);
	raw_accessed_dirty(root, leaf, va);
	raw_faults(leaf, va);
	raw_flush(root, leaf, va);
	raw_evict(va);
	pt_switch(root);
	raw_run(root);
	hcall(LHCALL_NEW_PGTABLE, guest_boot->pgtable_root, 0, 0);
	guest_trap_hook = NULL;
	gprintf("pt-raw: %d wrong\n", raw_wrong);
	return raw_wrong != 0;
}

/*
 * pt-alias N SECONDS: map one 2 MiB page at N virtual addresses, 2 MiB
 * apart, read through each, then spin so that the Host's counters can be
 * read.  One level-2 table repeats the page; one level-3 table repeats
 * that table.
 */
int
do_pt_alias(int argc, char **argv)
{
	uint64_t n = argc > 1 ? gstrtoull(argv[1]) : 1000, i, bad = 0;
	uint64_t secs = argc > 2 ? gstrtoull(argv[2]) : 0, end;
	/* "dense": read every 4 KiB page of each alias, one pin each */
	uint64_t step = argc > 3 && !gstrcmp(argv[3], "dense") ? 4096 : HUGE_2M;
	uint64_t *root = pt_new_root(), *l2 = pt_new(), *l3 = pt_new();
	uint64_t va = test_va();

	for (i = 0; i < 512; i++) {
		l2[i] = 0 | PT_P | PT_U | PT_PS;	/* guest-phys 0, read-only */
		l3[i] = guest_pa(l2) | PT_TABLE;
	}
	*pt_entry(root, va, 4) = guest_pa(l3) | PT_TABLE;
	pt_switch(root);
	for (i = 0; i < n * (HUGE_2M / step); i++)
		bad += *(volatile uint64_t *)(va + i * step) !=
		       *(volatile uint64_t *)(LGUEST_PAGE_OFFSET + i * step % HUGE_2M);
	gprintf("pt-alias: %lu aliases read, %lu wrong\n", n, bad);
	end = rdtsc() + secs * guest_data.tsc_khz * 1000;
	while (rdtsc() < end)
		;
	hcall(LHCALL_NEW_PGTABLE, guest_boot->pgtable_root, 0, 0);
	return bad != 0;
}
