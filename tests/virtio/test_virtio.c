/* test_virtio.c: drive the virtio device model as a Guest's drivers would. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "iov.h"
#include "lguest_abi.h"
#include "virtio_devices.h"

#define RAM_SIZE	(8ULL << 20)	/* the fake Guest's RAM */
#define DISK_SIZE	(16ULL << 20)	/* the block tests' backing file */
#define DISK_SECTORS	(DISK_SIZE / 512)
#define WAIT_MS		5000		/* for the console's input thread */

/*
 * What a driver knows from the spec comes from include/virtio_spec.h, as
 * the Guest's drivers have it; these are numbers our devices never offer.
 */
#define BLK_T_DISCARD	11
#define F_INDIRECT_DESC	(1ULL << 28)
#define F_EVENT_IDX	(1ULL << 29)

/* ---- Test bookkeeping ---- */

static int checks_failed;

/* Record a failed check, with where it is. */
static bool
check(bool ok, const char *what, int line)
{
	if (!ok) {
		printf("    line %d: CHECK(%s) failed\n", line, what);
		checks_failed++;
	}
	return ok;
}

/* Record a failed equality, with both values. */
static bool
check_eq(uint64_t a, uint64_t b, const char *sa, const char *sb, int line)
{
	if (a != b) {
		printf("    line %d: %s == %#llx, expected %s == %#llx\n", line,
		       sa, (unsigned long long)a, sb, (unsigned long long)b);
		checks_failed++;
	}
	return a == b;
}

#define CHECK(c)	check((c), #c, __LINE__)
#define CHECK_EQ(a, b)	check_eq((uint64_t)(a), (uint64_t)(b), #a, #b, __LINE__)

/* ---- The Launcher's side: fake RAM and the host callbacks ---- */

static struct guest_ram ram;
static uint64_t ram_top;		/* bump allocator for rings, buffers */
static int irqs;			/* interrupts raised (atomic) */
static int faults;			/* fault callbacks (atomic) */
static int last_fault;			/* their last reason (atomic) */
static int fsync_calls;
static int fsync_last_fd = -1;

/* Count the interrupt, as /dev/lguest would deliver it. */
static void
host_interrupt(struct vdev *dev, void *opaque)
{
	(void)dev;
	(void)opaque;
	__atomic_add_fetch(&irqs, 1, __ATOMIC_SEQ_CST);
}

/* Remember the fault: the Launcher would exit with a code made from why. */
static void
host_fault(struct vdev *dev, enum vio_fault why, const char *msg, void *opaque)
{
	(void)dev;
	(void)msg;
	(void)opaque;
	__atomic_store_n(&last_fault, why, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&faults, 1, __ATOMIC_SEQ_CST);
}

/* Messages are expected here (we misbehave on purpose): VERBOSE shows them. */
static void
host_log(struct vdev *dev, const char *msg, void *opaque)
{
	(void)opaque;
	if (getenv("VERBOSE"))
		printf("    [virtio-%s] %s\n", dev->ops->name, msg);
}

static const struct vdev_host host = {
	.interrupt = host_interrupt,
	.fault = host_fault,
	.log = host_log,
};

/* Count fsync() calls the block device makes, then do the real thing. */
int
fsync(int fd)
{
	fsync_calls++;
	fsync_last_fd = fd;
	return (int)syscall(SYS_fsync, fd);
}

/* A clean slate for each test: zeroed RAM, counters at zero. */
static void
fresh(void)
{
	memset(ram.base, 0, RAM_SIZE);
	ram_top = 0x10000;
	irqs = 0;
	faults = 0;
	last_fault = VIO_FAULT_NONE;
}

/* Carve size bytes, aligned, out of the fake RAM; a guest-physical address. */
static uint64_t
ram_alloc(uint64_t size, uint64_t align)
{
	uint64_t pa = (ram_top + align - 1) & ~(align - 1);

	ram_top = pa + size;
	if (ram_top > RAM_SIZE)
		abort();
	return pa;
}

/* The test's pointer to guest-physical pa. */
static void *
gpa(uint64_t pa)
{
	return ram.base + pa;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- The Guest's side: a minimal driver ---- */

/* A 32-bit register load and store, as the Guest's accessors make them. */
static uint32_t
rd(struct vdev *d, uint32_t off)
{
	return mmio_read(d, off, 4);
}

static void
wr(struct vdev *d, uint32_t off, uint32_t v)
{
	mmio_write(d, off, 4, v);
}

/* Add status bits the way Linux does: read, or in, write back. */
static void
status_add(struct vdev *d, uint32_t bits)
{
	wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | bits);
}

/* All 64 feature bits the device offers. */
static uint64_t
device_features(struct vdev *d)
{
	uint64_t lo, hi;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	return hi << 32 | lo;
}

/* Reset, ACKNOWLEDGE, DRIVER, accept features, FEATURES_OK: did it stick? */
static bool
drv_negotiate(struct vdev *d, uint64_t accept)
{
	wr(d, VIRTIO_MMIO_STATUS, 0);
	if (rd(d, VIRTIO_MMIO_STATUS) != 0)
		return false;
	status_add(d, VIRTIO_STATUS_ACKNOWLEDGE);
	status_add(d, VIRTIO_STATUS_DRIVER);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)accept);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, accept >> 32);
	status_add(d, VIRTIO_STATUS_FEATURES_OK);
	return rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK;
}

/* Probe the device and accept everything it offers. */
static bool
drv_begin(struct vdev *d, uint32_t device_id)
{
	return rd(d, VIRTIO_MMIO_MAGIC_VALUE) == VIRTIO_MMIO_MAGIC_VIRT &&
	       rd(d, VIRTIO_MMIO_VERSION) == 2 &&
	       rd(d, VIRTIO_MMIO_DEVICE_ID) == device_id &&
	       drv_negotiate(d, device_features(d));
}

/* The driver's view of one queue. */
struct tq {
	struct vdev *dev;
	unsigned int index;
	uint32_t num;
	uint64_t desc, avail, used;	/* guest-physical */
	uint16_t avail_idx;		/* next index we publish */
	uint16_t used_seen;		/* used entries we have taken */
	uint16_t next_desc;		/* next descriptor we fill */
};

/* One buffer of a chain we build. */
struct tbuf {
	uint64_t pa;
	uint32_t len;
	bool writable;
};

/* Program queue index with the given size and ring addresses; ready? */
static bool
drv_queue_at(struct tq *q, struct vdev *d, unsigned int index, uint32_t num,
	     uint64_t desc, uint64_t avail, uint64_t used)
{
	memset(q, 0, sizeof(*q));
	q->dev = d;
	q->index = index;
	q->num = num;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	wr(d, VIRTIO_MMIO_QUEUE_SEL, index);
	wr(d, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, avail >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, used >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return rd(d, VIRTIO_MMIO_QUEUE_READY) == 1;
}

/* Allocate zeroed rings for a queue of num and program it; ready? */
static bool
drv_queue(struct tq *q, struct vdev *d, unsigned int index, uint32_t num)
{
	uint64_t desc = ram_alloc(16 * num, 16);
	uint64_t avail = ram_alloc(6 + 2 * num, 2);
	uint64_t used = ram_alloc(6 + 8 * num, 4);

	wr(d, VIRTIO_MMIO_QUEUE_SEL, index);
	if (rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < num)
		return false;
	return drv_queue_at(q, d, index, num, desc, avail, used);
}

/* The parts of a queue, in the fake RAM of its device. */
static struct virtq_desc *
tq_desc(struct tq *q, unsigned int i)
{
	return (struct virtq_desc *)(q->dev->ram.base + q->desc) + i;
}

static struct virtq_avail *
tq_avail(struct tq *q)
{
	return (struct virtq_avail *)(q->dev->ram.base + q->avail);
}

static struct virtq_used *
tq_used(struct tq *q)
{
	return (struct virtq_used *)(q->dev->ram.base + q->used);
}

/* Offer head in the available ring: the entry, then idx with release. */
static void
tq_publish(struct tq *q, uint16_t head)
{
	tq_avail(q)->ring[q->avail_idx % q->num] = head;
	q->avail_idx++;
	__atomic_store_n(&tq_avail(q)->idx, q->avail_idx, __ATOMIC_RELEASE);
}

/* Set descriptor i by hand. */
static void
tq_set_desc(struct tq *q, unsigned int i, uint64_t addr, uint32_t len,
	    uint16_t flags, uint16_t next)
{
	struct virtq_desc *d = tq_desc(q, i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Chain n buffers through the next free descriptors and publish; head. */
static uint16_t
tq_add(struct tq *q, const struct tbuf *b, unsigned int n)
{
	uint16_t head = q->next_desc;
	unsigned int k, i;

	for (k = 0; k < n; k++) {
		i = (head + k) % q->num;
		tq_set_desc(q, i, b[k].pa, b[k].len,
			    (b[k].writable ? VIRTQ_DESC_F_WRITE : 0) |
			    (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0),
			    (i + 1) % q->num);
	}
	q->next_desc = (head + n) % q->num;
	tq_publish(q, head);
	return head;
}

static void
tq_kick(struct tq *q)
{
	wr(q->dev, VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

/* Take the next used element if there is one. */
static bool
tq_take_used(struct tq *q, uint32_t *id, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&tq_used(q)->idx, __ATOMIC_ACQUIRE);
	struct virtq_used_elem *e;

	if (idx == q->used_seen)
		return false;
	e = &tq_used(q)->ring[q->used_seen % q->num];
	*id = e->id;
	*len = e->len;
	q->used_seen++;
	return true;
}

/* Wait up to WAIT_MS for a used element (for the console's thread). */
static bool
tq_wait_used(struct tq *q, uint32_t *id, uint32_t *len)
{
	int t;

	for (t = 0; t < WAIT_MS; t++) {
		if (tq_take_used(q, id, len))
			return true;
		sleep_ms(1);
	}
	return false;
}

/* Add a chain, kick, take its used element; true if it came back. */
static bool
tq_run(struct tq *q, const struct tbuf *b, unsigned int n, uint32_t *len)
{
	uint16_t head = tq_add(q, b, n);
	uint32_t id;

	tq_kick(q);
	return tq_take_used(q, &id, len) && id == head;
}

/* Has nothing been returned on q since we last looked? */
static bool
tq_idle(struct tq *q)
{
	return __atomic_load_n(&tq_used(q)->idx, __ATOMIC_ACQUIRE) ==
	       q->used_seen;
}

/* Negotiate, set up each queue with num entries, and set DRIVER_OK. */
static bool
drv_start(struct vdev *d, uint32_t id, struct tq *q, unsigned int nq,
	  uint32_t num)
{
	unsigned int i;

	if (!drv_begin(d, id))
		return false;
	for (i = 0; i < nq; i++)
		if (!drv_queue(&q[i], d, i, num))
			return false;
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	return rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK;
}

/* ---- Block helpers ---- */

struct disk {
	char path[64];
	int fd;
};

/* A zeroed temporary file of size bytes. */
static bool
disk_make(struct disk *k, uint64_t size)
{
	snprintf(k->path, sizeof(k->path), "/tmp/lg-vblk-XXXXXX");
	k->fd = mkstemp(k->path);
	return k->fd >= 0 && ftruncate(k->fd, size) == 0;
}

static void
disk_drop(struct disk *k)
{
	close(k->fd);
	unlink(k->path);
}

static uint64_t blk_hdr_pa, blk_status_pa;	/* per test, from ram_alloc */

/* Start a block device on k with one queue of 16. */
static struct vdev *
start_blk(struct disk *k, bool readonly, struct tq *q)
{
	struct vdev *d = blk_create(&ram, &host, k->path, readonly);

	if (!CHECK(d != NULL))
		return NULL;
	CHECK(drv_start(d, VIRTIO_ID_BLOCK, q, 1, 16));
	blk_hdr_pa = ram_alloc(16, 16);
	blk_status_pa = ram_alloc(1, 1);
	return d;
}

/*
 * One request the way Linux builds it: header, data (in two descriptors
 * when it is big enough), status byte.  Returns the status byte, or -1 if
 * the request did not come back; *used is the used length.
 */
static int
blk_req(struct tq *q, uint32_t type, uint64_t sector, uint64_t data,
	uint32_t len, bool data_writable, uint32_t *used)
{
	uint32_t half = len >= 1024 ? len / 2 : len;
	struct tbuf b[4] = { { blk_hdr_pa, 16, false } };
	unsigned int n = 1;

	memcpy(gpa(blk_hdr_pa), &type, 4);
	memset(gpa(blk_hdr_pa) + 4, 0, 4);
	memcpy(gpa(blk_hdr_pa) + 8, &sector, 8);
	if (len)
		b[n++] = (struct tbuf){ data, half, data_writable };
	if (len > half)
		b[n++] = (struct tbuf){ data + half, len - half,
					data_writable };
	b[n++] = (struct tbuf){ blk_status_pa, 1, true };
	*(uint8_t *)gpa(blk_status_pa) = 0xee;
	if (!tq_run(q, b, n, used))
		return -1;
	return *(uint8_t *)gpa(blk_status_pa);
}

/* The byte at offset off of a test pattern. */
static uint8_t
pattern(uint64_t off, uint8_t seed)
{
	return (uint8_t)(off * 7 + (off >> 9) * 13 + (off >> 17) + seed);
}

/* ---- Tests: helpers and registers ---- */

static void
test_iov_helpers(void)
{
	uint8_t a[5], b[3], c[4], out[16];
	struct iovec v[3] = { { a, 5 }, { b, 3 }, { c, 4 } }, s[3];

	memcpy(a, "abcde", 5);
	memcpy(b, "fgh", 3);
	memcpy(c, "ijkl", 4);
	CHECK_EQ(iov_read(v, 3, 4, out, 6), 6);
	CHECK(memcmp(out, "efghij", 6) == 0);
	CHECK_EQ(iov_read(v, 3, 10, out, 6), 2);
	CHECK(memcmp(out, "kl", 2) == 0);
	CHECK_EQ(iov_read(v, 3, 12, out, 6), 0);
	CHECK_EQ(iov_slice(v, 3, 4, 5, s), 3);
	CHECK(s[0].iov_base == a + 4 && s[0].iov_len == 1);
	CHECK(s[1].iov_base == b && s[1].iov_len == 3);
	CHECK(s[2].iov_base == c && s[2].iov_len == 1);
	CHECK_EQ(iov_write(v, 3, 7, "XYZ", 3), 3);
	CHECK(memcmp(b, "fgX", 3) == 0 && memcmp(c, "YZkl", 4) == 0);
}

static void
test_identity_registers(void)
{
	struct vdev *con = console_create(&ram, &host, -1, -1);
	struct vdev *rng = rng_create(&ram, &host);

	CHECK_EQ(rd(con, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(con, VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(rd(con, VIRTIO_MMIO_DEVICE_ID), 3);
	CHECK_EQ(rd(rng, VIRTIO_MMIO_DEVICE_ID), 4);
	CHECK_EQ(rd(con, VIRTIO_MMIO_VENDOR_ID), MMIO_VENDOR_LGUEST);
	CHECK_EQ(device_features(con), VIRTIO_F_VERSION_1);
	CHECK_EQ(rd(con, VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(con, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	wr(con, VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(rd(con, VIRTIO_MMIO_QUEUE_NUM_MAX), VQ_SIZE_MAX);
	wr(con, VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK_EQ(rd(con, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);	/* no such queue */
	wr(rng, VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(rd(rng, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	CHECK_EQ(con->warnings + rng->warnings, 0);
	vdev_destroy(con);
	vdev_destroy(rng);
}

static void
test_bad_accesses_ignored(void)
{
	struct vdev *d = rng_create(&ram, &host);
	unsigned long w = 0;

	CHECK(drv_begin(d, VIRTIO_ID_ENTROPY));
#define BAD(expr) do { expr; CHECK_EQ(d->warnings, ++w); } while (0)
	BAD(CHECK_EQ(mmio_read(d, 0x002, 4), 0));		/* unaligned */
	BAD(CHECK_EQ(mmio_read(d, VIRTIO_MMIO_STATUS, 2), 0));	/* narrow */
	BAD(CHECK_EQ(mmio_read(d, VIRTIO_MMIO_STATUS, 8), 0));	/* wide */
	BAD(CHECK_EQ(mmio_read(d, 0x028, 4), 0));		/* unknown */
	BAD(CHECK_EQ(mmio_read(d, 0x0c0, 4), 0));		/* QueueReset */
	BAD(CHECK_EQ(mmio_read(d, VIRTIO_MMIO_QUEUE_SEL, 4), 0));	/* write-only */
	BAD(mmio_write(d, VIRTIO_MMIO_MAGIC_VALUE, 4, 0));		/* read-only */
	BAD(mmio_write(d, VIRTIO_MMIO_STATUS + 1, 1, 0));		/* unaligned */
	BAD(mmio_write(d, VIRTIO_MMIO_STATUS, 2, 0));			/* narrow */
	BAD(mmio_write(d, 0x0fc, 4, 1));			/* generation */
	BAD(mmio_write(d, VIRTIO_MMIO_CONFIG, 4, 1));			/* config */
	BAD(CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG, 4), 0));	/* none */
	BAD(CHECK_EQ(mmio_read(d, 0x1fc, 4), 0));		/* window end */
	BAD(CHECK_EQ(mmio_read(d, 0xfffffffc, 4), 0));		/* far away */
	BAD(mmio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 5));		/* no queue 5 */
	BAD(mmio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0xffffffff));
	BAD(mmio_write(d, VIRTIO_MMIO_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE));
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 9);
	BAD(wr(d, VIRTIO_MMIO_QUEUE_READY, 1));
	BAD(wr(d, VIRTIO_MMIO_QUEUE_NUM, 4));
	CHECK_EQ(rd(d, VIRTIO_MMIO_QUEUE_READY), 0);
	BAD(wr(d, VIRTIO_MMIO_DRIVER_FEATURES, 0));	/* after FEATURES_OK */
#undef BAD
	CHECK_EQ(rd(d, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC_VIRT);
	CHECK_EQ(rd(d, VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE |
		 VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	CHECK(!(d->status & VIRTIO_STATUS_NEEDS_RESET));
	vdev_destroy(d);
}

static void
test_feature_negotiation(void)
{
	struct vdev *d = rng_create(&ram, &host);

	CHECK(!drv_negotiate(d, 0));			/* legacy driver */
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	CHECK(!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK));
	CHECK(!drv_negotiate(d, VIRTIO_F_VERSION_1 | F_EVENT_IDX));
	CHECK(!drv_negotiate(d, VIRTIO_F_VERSION_1 | F_INDIRECT_DESC));
	CHECK(drv_negotiate(d, VIRTIO_F_VERSION_1));
	CHECK_EQ(d->driver_features, VIRTIO_F_VERSION_1);
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	CHECK(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK);
	/* The driver cannot claim NEEDS_RESET for itself. */
	status_add(d, VIRTIO_STATUS_NEEDS_RESET);
	CHECK(!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET));
	vdev_destroy(d);
}

static void
test_reset_clears_everything(void)
{
	struct vdev *d = rng_create(&ram, &host);
	uint64_t buf = ram_alloc(8, 8);
	struct tq q;
	uint32_t len;

	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, &q, 1, 8));
	CHECK(tq_run(&q, &(struct tbuf){ buf, 8, true }, 1, &len));
	CHECK_EQ(rd(d, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(d, VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(rd(d, VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(rd(d, VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK_EQ(d->driver_features, 0);
	/* And it comes back up, with new rings starting at index 0. */
	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, &q, 1, 8));
	CHECK(tq_run(&q, &(struct tbuf){ buf, 8, true }, 1, &len));
	CHECK_EQ(len, 8);
	vdev_destroy(d);
}

static void
test_no_work_before_driver_ok(void)
{
	struct vdev *d = rng_create(&ram, &host);
	uint64_t buf = ram_alloc(16, 16);
	struct tq q;
	uint32_t id, len;

	CHECK(drv_begin(d, VIRTIO_ID_ENTROPY));
	CHECK(drv_queue(&q, d, 0, 8));
	tq_add(&q, &(struct tbuf){ buf, 16, true }, 1);
	tq_kick(&q);
	CHECK(tq_idle(&q));
	CHECK_EQ(irqs, 0);
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	tq_kick(&q);
	CHECK(tq_take_used(&q, &id, &len) && id == 0 && len == 16);
	vdev_destroy(d);
}

static void
test_queue_registers_locked_while_ready(void)
{
	struct vdev *d = rng_create(&ram, &host);
	uint64_t buf = ram_alloc(4, 4);
	struct tq q;
	unsigned long w;
	uint32_t len;

	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, &q, 1, 8));
	w = d->warnings;
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(d, VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x40);
	CHECK_EQ(d->warnings, w + 2);
	CHECK_EQ(d->vq[0].num, 8);
	CHECK_EQ(d->vq[0].desc_pa, q.desc);
	/* One request, so the device's indices move on from 0. */
	CHECK(tq_run(&q, &(struct tbuf){ buf, 4, true }, 1, &len));
	/* Stopping the queue (QueueReady 0) unlocks them again... */
	wr(d, VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK_EQ(rd(d, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(d, VIRTIO_MMIO_QUEUE_NUM, 4);
	CHECK_EQ(d->vq[0].num, 4);
	CHECK_EQ(d->warnings, w + 2);
	/* ...and new rings start again at index 0. */
	CHECK(drv_queue(&q, d, 0, 4));
	CHECK(tq_run(&q, &(struct tbuf){ buf, 4, true }, 1, &len));
	CHECK_EQ(len, 4);
	CHECK_EQ(d->warnings, w + 2);
	vdev_destroy(d);
}

/* ---- Tests: console ---- */

/* A temporary file for console output; its fd. */
static int
temp_fd(void)
{
	char path[] = "/tmp/lg-vcon-XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

/* Queue 16 chains of 3 buffers (up to 4999 bytes) from data; chains sent. */
static unsigned int
console_send_batch(struct tq *q, uint64_t data, uint64_t *pos,
		   uint64_t total)
{
	struct tbuf b[3];
	uint32_t want;
	unsigned int i, k;

	for (i = 0; i < 16 && *pos < total; i++) {
		for (k = 0; k < 3; k++) {
			want = k == 0 ? 1 + *pos % 97 : k == 1 ? 1999 : 2999;
			if (want > total - *pos)
				want = total - *pos;
			b[k] = (struct tbuf){ data + *pos, want, false };
			*pos += want;
		}
		tq_add(q, b, 3);
	}
	tq_kick(q);
	return i;
}

static void
test_console_output_1mib(void)
{
	const uint64_t total = 1 << 20;
	int out = temp_fd();
	struct vdev *d = console_create(&ram, &host, -1, out);
	uint64_t data = ram_alloc(total, 4096), pos = 0, i;
	uint8_t *got = malloc(total + 1);
	unsigned int sent = 0, returned = 0;
	uint32_t id, len;
	struct tq q[2];

	for (i = 0; i < total; i++)
		((uint8_t *)gpa(data))[i] = pattern(i, 3);
	CHECK(drv_start(d, VIRTIO_ID_CONSOLE, q, 2, 64));
	while (pos < total) {
		sent += console_send_batch(&q[1], data, &pos, total);
		while (tq_take_used(&q[1], &id, &len)) {
			returned++;
			CHECK_EQ(len, 0);
		}
	}
	CHECK_EQ(returned, sent);
	CHECK(sent > 200);
	CHECK(irqs > 0);
	CHECK_EQ(pread(out, got, total + 1, 0), total);
	for (i = 0; i < total && got[i] == pattern(i, 3); i++)
		;
	CHECK_EQ(i, total);
	CHECK_EQ(d->warnings, 0);
	vdev_destroy(d);
	close(out);
	free(got);
}

/* Post n receive buffers of size bytes each on q; their first address. */
static uint64_t
console_post_rx(struct tq *q, unsigned int n, uint32_t size)
{
	uint64_t buf = ram_alloc((uint64_t)n * size, 16);
	unsigned int i;

	for (i = 0; i < n; i++)
		tq_add(q, &(struct tbuf){ buf + i * size, size, true }, 1);
	tq_kick(q);
	return buf;
}

/* Collect total bytes of console input from the used ring into out. */
static uint64_t
console_collect(struct tq *q, uint64_t buf, uint32_t size, char *out,
		uint64_t total)
{
	uint64_t got = 0;
	uint32_t id, len;

	while (got < total && tq_wait_used(q, &id, &len)) {
		memcpy(out + got, gpa(buf + (uint64_t)id * size), len);
		got += len;
	}
	return got;
}

static void
test_console_input(void)
{
	const char msg[] = "hello, Guest: 26 bytes in!";
	char got[64] = "";
	int p[2], before;
	struct vdev *d;
	struct tq q[2];
	uint64_t buf;

	CHECK(pipe(p) == 0);
	d = console_create(&ram, &host, p[0], -1);
	CHECK(drv_start(d, VIRTIO_ID_CONSOLE, q, 2, 8));
	buf = console_post_rx(&q[0], 4, 10);	/* 40 bytes of room */
	before = __atomic_load_n(&irqs, __ATOMIC_SEQ_CST);
	CHECK_EQ(write(p[1], msg, strlen(msg)), strlen(msg));
	CHECK_EQ(console_collect(&q[0], buf, 10, got, strlen(msg)),
		 strlen(msg));
	CHECK(strcmp(got, msg) == 0);
	CHECK(__atomic_load_n(&irqs, __ATOMIC_SEQ_CST) > before);
	CHECK(rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING);
	vdev_destroy(d);
	close(p[0]);
	close(p[1]);
}

static void
test_console_input_waits_for_buffer(void)
{
	char got[16] = "";
	int p[2];
	struct vdev *d;
	struct tq q[2];
	uint64_t buf;

	CHECK(pipe(p) == 0);
	d = console_create(&ram, &host, p[0], -1);
	CHECK_EQ(write(p[1], "early", 5), 5);	/* before any driver */
	sleep_ms(20);
	CHECK(drv_start(d, VIRTIO_ID_CONSOLE, q, 2, 8));
	sleep_ms(50);
	CHECK(tq_idle(&q[0]));			/* nowhere to put it yet */
	buf = console_post_rx(&q[0], 1, 16);
	CHECK_EQ(console_collect(&q[0], buf, 16, got, 5), 5);
	CHECK(strcmp(got, "early") == 0);
	/* Teardown while the thread waits for a buffer it will never get. */
	CHECK_EQ(write(p[1], "late", 4), 4);
	sleep_ms(20);
	vdev_destroy(d);
	close(p[0]);
	close(p[1]);
}

static void
test_console_input_eof(void)
{
	char got[8] = "";
	int p[2];
	struct vdev *d;
	struct tq q[2];
	uint64_t buf;

	CHECK(pipe(p) == 0);
	d = console_create(&ram, &host, p[0], -1);
	CHECK(drv_start(d, VIRTIO_ID_CONSOLE, q, 2, 8));
	buf = console_post_rx(&q[0], 2, 16);
	CHECK_EQ(write(p[1], "ls\n", 3), 3);
	close(p[1]);	/* then one Ctrl-D, and the thread ends by itself */
	CHECK_EQ(console_collect(&q[0], buf, 16, got, 4), 4);
	CHECK(memcmp(got, "ls\n\x04", 4) == 0);
	sleep_ms(20);
	vdev_destroy(d);
	close(p[0]);
}

/* ---- Tests: block ---- */

static void
test_blk_config_and_features(void)
{
	struct disk k;
	struct vdev *d;

	CHECK(disk_make(&k, DISK_SIZE + 100));	/* a partial last sector */
	d = blk_create(&ram, &host, k.path, false);
	CHECK_EQ(rd(d, VIRTIO_MMIO_DEVICE_ID), 2);
	CHECK_EQ(device_features(d), VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG, 4), DISK_SECTORS);
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG + 4, 4), 0);
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG, 8), DISK_SECTORS);
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG + 1, 1), DISK_SECTORS >> 8);
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG + 2, 2), DISK_SECTORS >> 16);
	CHECK_EQ(d->warnings, 0);
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG + 8, 4), 0);	/* past the end */
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG + 2, 4), 0);	/* misaligned */
	CHECK_EQ(mmio_read(d, VIRTIO_MMIO_CONFIG, 3), 0);	/* odd size */
	CHECK_EQ(d->warnings, 3);
	vdev_destroy(d);
	disk_drop(&k);
	CHECK(blk_create(&ram, &host, "/nonexistent/disk", false) == NULL);
}

static void
test_blk_write_then_read(void)
{
	const uint32_t chunk = 64 * 1024;
	uint8_t *file = malloc(DISK_SIZE);
	uint64_t data, off, i, bad = 0;
	struct disk k;
	struct tq q;
	struct vdev *d;
	uint32_t used;

	CHECK(disk_make(&k, DISK_SIZE));
	d = start_blk(&k, false, &q);
	data = ram_alloc(chunk, 4096);
	for (off = 0; off < DISK_SIZE; off += chunk) {
		for (i = 0; i < chunk; i++)
			((uint8_t *)gpa(data))[i] = pattern(off + i, 5);
		if (blk_req(&q, VIRTIO_BLK_T_OUT, off / 512, data, chunk, false,
			    &used) != VIRTIO_BLK_S_OK || used != 1)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(pread(k.fd, file, DISK_SIZE, 0), DISK_SIZE);
	for (i = 0; i < DISK_SIZE && file[i] == pattern(i, 5); i++)
		;
	CHECK_EQ(i, DISK_SIZE);
	for (off = 0; off < DISK_SIZE; off += chunk) {
		memset(gpa(data), 0, chunk);
		if (blk_req(&q, VIRTIO_BLK_T_IN, off / 512, data, chunk, true,
			    &used) != VIRTIO_BLK_S_OK || used != chunk + 1)
			bad++;
		for (i = 0; i < chunk; i++)
			bad += ((uint8_t *)gpa(data))[i] != pattern(off + i, 5);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(d->warnings, 0);
	vdev_destroy(d);
	disk_drop(&k);
	free(file);
}

static void
test_blk_status_shares_descriptor(void)
{
	/* Framing is free (§2.6.4): data and status in one descriptor. */
	uint64_t hdr, buf, sector = 7;
	uint32_t type = VIRTIO_BLK_T_IN, used;
	struct disk k;
	struct tq q;
	struct vdev *d;
	uint8_t sec[512];

	CHECK(disk_make(&k, DISK_SIZE));
	memset(sec, 0x5a, sizeof(sec));
	CHECK_EQ(pwrite(k.fd, sec, 512, 7 * 512), 512);
	d = start_blk(&k, false, &q);
	hdr = ram_alloc(16, 16);
	buf = ram_alloc(513, 16);
	memcpy(gpa(hdr), &type, 4);
	memcpy(gpa(hdr) + 8, &sector, 8);
	CHECK(tq_run(&q, (struct tbuf[]){ { hdr, 16, false },
					  { buf, 513, true } }, 2, &used));
	CHECK_EQ(used, 513);
	CHECK(memcmp(gpa(buf), sec, 512) == 0);
	CHECK_EQ(*(uint8_t *)gpa(buf + 512), VIRTIO_BLK_S_OK);
	vdev_destroy(d);
	disk_drop(&k);
}

static void
test_blk_flush_calls_fsync(void)
{
	struct disk k;
	struct tq q;
	struct vdev *d;
	struct stat a, b;
	uint32_t used;
	int before;

	CHECK(disk_make(&k, DISK_SIZE));
	d = start_blk(&k, false, &q);
	before = fsync_calls;
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 1);
	CHECK_EQ(fsync_calls, before + 1);
	CHECK(fstat(fsync_last_fd, &a) == 0 && fstat(k.fd, &b) == 0);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	vdev_destroy(d);
	disk_drop(&k);
}

static void
test_blk_readonly(void)
{
	struct disk k;
	struct tq q;
	struct vdev *d;
	uint64_t data;
	uint8_t sec[512];
	uint32_t used;

	CHECK(disk_make(&k, DISK_SIZE));
	d = start_blk(&k, true, &q);
	CHECK_EQ(device_features(d) & VIRTIO_BLK_F_RO, VIRTIO_BLK_F_RO);
	data = ram_alloc(1024, 512);
	memset(gpa(data), 0x77, 1024);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_OUT, 2, data, 1024, false, &used),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(pread(k.fd, sec, 512, 2 * 512), 512);
	CHECK(sec[0] == 0 && sec[511] == 0);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_IN, 2, data, 1024, true, &used), VIRTIO_BLK_S_OK);
	CHECK(((uint8_t *)gpa(data))[0] == 0);
	CHECK(!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET));
	vdev_destroy(d);
	disk_drop(&k);
}

static void
test_blk_out_of_range(void)
{
	struct disk k;
	struct tq q;
	struct vdev *d;
	uint64_t data;
	uint32_t used;

	CHECK(disk_make(&k, DISK_SIZE));
	d = start_blk(&k, false, &q);
	data = ram_alloc(1024, 512);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_IN, DISK_SECTORS - 2, data, 1024, true,
			 &used), VIRTIO_BLK_S_OK);		/* the last two: fine */
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, data, 1024, true,
			 &used), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_OUT, DISK_SECTORS, data, 512, false,
			 &used), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_OUT, DISK_SECTORS + 10, data, 512, false,
			 &used), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_OUT, ~0ULL >> 9, data, 512, false,
			 &used), VIRTIO_BLK_S_IOERR);		/* sector * 512 wraps */
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_IN, ~0ULL, data, 512, true, &used),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_IN, 0, data, 100, true, &used),
		 VIRTIO_BLK_S_IOERR);				/* not whole sectors */
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_IN, 0, data, 0, true, &used), VIRTIO_BLK_S_OK);
	CHECK(!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET));
	CHECK_EQ(lseek(k.fd, 0, SEEK_END), DISK_SIZE);	/* it did not grow */
	vdev_destroy(d);
	disk_drop(&k);
}

static void
test_blk_get_id_and_unsupported(void)
{
	char want[20] = "";
	const char *name;
	struct disk k;
	struct tq q;
	struct vdev *d;
	uint64_t data;
	uint32_t used;

	CHECK(disk_make(&k, DISK_SIZE));
	d = start_blk(&k, false, &q);
	data = ram_alloc(20, 4);
	memset(gpa(data), 0xff, 20);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_GET_ID, 0, data, 20, true, &used),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 21);
	name = strrchr(k.path, '/') + 1;
	memcpy(want, name, strlen(name));
	CHECK(memcmp(gpa(data), want, 20) == 0);
	CHECK_EQ(blk_req(&q, VIRTIO_BLK_T_GET_ID, 0, data, 10, true, &used),
		 VIRTIO_BLK_S_IOERR);				/* too small */
	CHECK_EQ(blk_req(&q, BLK_T_DISCARD, 0, data, 16, false, &used),
		 VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(blk_req(&q, 0x12345, 0, 0, 0, false, &used), VIRTIO_BLK_S_UNSUPP);
	vdev_destroy(d);
	disk_drop(&k);
}

/* ---- Tests: entropy, interrupts, index wrap-around ---- */

static void
test_entropy(void)
{
	struct vdev *d = rng_create(&ram, &host);
	uint64_t buf = ram_alloc(256, 16);
	uint8_t *p = gpa(buf);
	struct tq q;
	uint32_t len, i, same = 0;

	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, &q, 1, 8));
	CHECK(tq_run(&q, (struct tbuf[]){ { buf, 100, true },
					  { buf + 100, 156, true } }, 2, &len));
	CHECK_EQ(len, 256);
	for (i = 1; i < 256; i++)
		same += p[i] == p[0];
	CHECK(same < 255);
	CHECK(irqs == 1);
	vdev_destroy(d);
}

static void
test_no_interrupt_flag(void)
{
	struct vdev *d = rng_create(&ram, &host);
	uint64_t buf = ram_alloc(16, 16);
	struct tq q;
	uint32_t len;

	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, &q, 1, 8));
	tq_avail(&q)->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	CHECK(tq_run(&q, &(struct tbuf){ buf, 16, true }, 1, &len));
	CHECK_EQ(irqs, 0);
	CHECK_EQ(rd(d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	tq_avail(&q)->flags = 0;
	CHECK(tq_run(&q, &(struct tbuf){ buf, 16, true }, 1, &len));
	CHECK_EQ(irqs, 1);
	CHECK_EQ(rd(d, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(rd(d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	vdev_destroy(d);
}

static void
test_indices_wrap(void)
{
	struct vdev *d = rng_create(&ram, &host);
	uint64_t buf = ram_alloc(4, 4);
	struct tq q;
	uint32_t len, i, bad = 0;

	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, &q, 1, 4));
	for (i = 0; i < 70000; i++)
		if (!tq_run(&q, &(struct tbuf){ buf, 4, true }, 1, &len) ||
		    len != 4)
			bad++;
	CHECK_EQ(bad, 0);
	CHECK_EQ(tq_used(&q)->idx, (uint16_t)70000);
	CHECK(!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET));
	vdev_destroy(d);
}

/* ---- Tests: a hostile Guest ---- */

/*
 * The device must have given up with reason why, told the Launcher once,
 * raised a config interrupt (if the driver was running) and stopped.
 */
static void
expect_fault(struct vdev *d, enum vio_fault why, bool running)
{
	CHECK(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(__atomic_load_n(&faults, __ATOMIC_SEQ_CST), 1);
	CHECK_EQ(__atomic_load_n(&last_fault, __ATOMIC_SEQ_CST), why);
	CHECK_EQ(d->fault, why);
	if (running)
		CHECK(rd(d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
}

/* An entropy device with a queue of num, running; for chain tests. */
static struct vdev *
hostile_rng(struct tq *q, uint32_t num)
{
	struct vdev *d = rng_create(&ram, &host);

	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, q, 1, num));
	return d;
}

/* Publish one hand-made descriptor (as head 0) and notify. */
static void
kick_one_desc(struct tq *q, uint64_t addr, uint32_t len, uint16_t flags)
{
	tq_set_desc(q, 0, addr, len, flags, 0);
	tq_publish(q, 0);
	tq_kick(q);
}

/* A chain whose one descriptor is this buffer must fault with why. */
static void
hostile_buffer(uint64_t addr, uint32_t len, uint16_t flags,
	       enum vio_fault why)
{
	struct tq q;
	struct vdev *d = hostile_rng(&q, 8);

	kick_one_desc(&q, addr, len, flags);
	expect_fault(d, why, true);
	CHECK(tq_idle(&q));
	vdev_destroy(d);
}

static void
test_hostile_desc_outside_ram(void)
{
	hostile_buffer(RAM_SIZE + 0x1000, 64, VIRTQ_DESC_F_WRITE,
		       VIO_E_DESC_RANGE);
	fresh();
	hostile_buffer(RAM_SIZE, 1, VIRTQ_DESC_F_WRITE, VIO_E_DESC_RANGE);
}

static void
test_hostile_desc_length_overflow(void)
{
	hostile_buffer(RAM_SIZE - 16, 64, VIRTQ_DESC_F_WRITE,
		       VIO_E_DESC_RANGE);		/* runs off the end */
	fresh();
	hostile_buffer(~0ULL - 15, 64, VIRTQ_DESC_F_WRITE,
		       VIO_E_DESC_RANGE);		/* addr + len wraps */
	fresh();
	hostile_buffer(0x1000, 0xffffffff, VIRTQ_DESC_F_WRITE,
		       VIO_E_DESC_RANGE);		/* 4 GiB in 8 MiB */
}

static void
test_hostile_indirect(void)
{
	hostile_buffer(0x1000, 16, VIRTQ_DESC_F_INDIRECT, VIO_E_DESC_INDIRECT);
}

static void
test_hostile_next_loop(void)
{
	struct tq q;
	struct vdev *d = hostile_rng(&q, 8);
	uint64_t buf = ram_alloc(64, 16);
	uint16_t f = VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT;

	tq_set_desc(&q, 0, buf, 32, f, 1);
	tq_set_desc(&q, 1, buf + 32, 32, f, 0);		/* back to 0 */
	tq_publish(&q, 0);
	tq_kick(&q);
	expect_fault(d, VIO_E_CHAIN_LOOP, true);
	vdev_destroy(d);
}

static void
test_hostile_chain_longer_than_queue(void)
{
	/* 0 -> 1 -> 2 -> 3 -> 1: the fifth descriptor is one too many. */
	struct tq q;
	struct vdev *d = hostile_rng(&q, 4);
	uint64_t buf = ram_alloc(64, 16);
	unsigned int i;

	for (i = 0; i < 4; i++)
		tq_set_desc(&q, i, buf + 16 * i, 16,
			    VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
			    i == 3 ? 1 : i + 1);
	tq_publish(&q, 0);
	tq_kick(&q);
	expect_fault(d, VIO_E_CHAIN_LOOP, true);
	vdev_destroy(d);
}

static void
test_hostile_next_out_of_range(void)
{
	/*
	 * The table sits at the very end of RAM, so reading descriptor 4 of a
	 * queue of 4 would be an access outside RAM (ASan would catch it).
	 */
	uint64_t desc = RAM_SIZE - 4 * 16, buf = ram_alloc(64, 16);
	struct vdev *d = rng_create(&ram, &host);
	struct tq q;
	unsigned int i;

	CHECK(drv_begin(d, VIRTIO_ID_ENTROPY));
	CHECK(drv_queue_at(&q, d, 0, 4, desc, ram_alloc(14, 2),
			   ram_alloc(38, 4)));
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	for (i = 0; i < 3; i++)		/* 0 -> 1 -> 2 -> 4 */
		tq_set_desc(&q, i, buf + 16 * i, 16,
			    VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
			    i == 2 ? 4 : i + 1);
	tq_publish(&q, 0);
	tq_kick(&q);
	expect_fault(d, VIO_E_DESC_INDEX, true);
	vdev_destroy(d);
}

static void
test_hostile_head_out_of_range(void)
{
	struct tq q;
	struct vdev *d = hostile_rng(&q, 8);

	tq_publish(&q, 8);
	tq_kick(&q);
	expect_fault(d, VIO_E_DESC_INDEX, true);
	vdev_destroy(d);
}

static void
test_hostile_avail_idx_jump(void)
{
	struct tq q;
	struct vdev *d = hostile_rng(&q, 8);

	tq_avail(&q)->idx = 9;		/* 9 chains in a ring of 8? */
	tq_kick(&q);
	expect_fault(d, VIO_E_AVAIL_IDX, true);
	vdev_destroy(d);
}

static void
test_hostile_readable_after_writable(void)
{
	struct tq q;
	struct vdev *d = hostile_rng(&q, 8);
	uint64_t buf = ram_alloc(64, 16);

	tq_add(&q, (struct tbuf[]){ { buf, 32, true },
				    { buf + 32, 32, false } }, 2);
	tq_kick(&q);
	expect_fault(d, VIO_E_DESC_ORDER, true);
	vdev_destroy(d);
}

static void
test_hostile_chain_over_4gib(void)
{
	/* Two 2 GiB + 1 buffers need RAM over 2 GiB: reserve, never touch. */
	const uint64_t size = (4ULL << 30) + (1 << 20);
	struct guest_ram big = { NULL, size };
	struct vdev *d;
	struct tq q;
	uint64_t rings = size - (1 << 20);

	big.base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!CHECK(big.base != MAP_FAILED))
		return;
	d = rng_create(&big, &host);
	CHECK(drv_begin(d, VIRTIO_ID_ENTROPY));
	CHECK(drv_queue_at(&q, d, 0, 8, rings, rings + 4096, rings + 8192));
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	tq_add(&q, (struct tbuf[]){ { 0, 0x80000001, true },
				    { 0, 0x80000001, true } }, 2);
	tq_kick(&q);
	expect_fault(d, VIO_E_CHAIN_BYTES, true);
	vdev_destroy(d);
	munmap(big.base, size);
}

/* Program queue 0 of a fresh entropy device with these rings: a fault. */
static void
hostile_rings(uint32_t num, uint64_t desc, uint64_t avail, uint64_t used,
	      enum vio_fault why)
{
	struct vdev *d = rng_create(&ram, &host);
	struct tq q;

	faults = 0;
	CHECK(drv_begin(d, VIRTIO_ID_ENTROPY));
	CHECK(!drv_queue_at(&q, d, 0, num, desc, avail, used));
	expect_fault(d, why, false);
	/* Nothing more happens until a reset; the first fault is kept. */
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(faults, 1);
	CHECK_EQ(d->fault, why);
	wr(d, VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(rd(d, VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(d->fault, VIO_FAULT_NONE);
	vdev_destroy(d);
}

static void
test_hostile_ring_outside_ram(void)
{
	hostile_rings(8, RAM_SIZE, 0x1000, 0x2000, VIO_E_RING_RANGE);
	hostile_rings(8, 0x1000, RAM_SIZE - 16, 0x2000, VIO_E_RING_RANGE);
	hostile_rings(8, 0x1000, 0x2000, RAM_SIZE - 68, VIO_E_RING_RANGE);
	hostile_rings(8, ~0ULL & ~15ULL, 0x1000, 0x2000, VIO_E_RING_RANGE);
	hostile_rings(256, RAM_SIZE - 4080, 0x1000, 0x2000,
		      VIO_E_RING_RANGE);	/* 4096 bytes, 4080 left */
}

static void
test_hostile_misaligned_ring(void)
{
	hostile_rings(8, 0x1008, 0x2000, 0x3000, VIO_E_RING_ALIGN);
	hostile_rings(8, 0x1000, 0x2001, 0x3000, VIO_E_RING_ALIGN);
	hostile_rings(8, 0x1000, 0x2000, 0x3002, VIO_E_RING_ALIGN);
}

static void
test_hostile_queue_size(void)
{
	hostile_rings(3, 0x1000, 0x2000, 0x3000, VIO_E_QUEUE_SIZE);
	hostile_rings(0, 0x1000, 0x2000, 0x3000, VIO_E_QUEUE_SIZE);
	hostile_rings(512, 0x1000, 0x2000, 0x3000, VIO_E_QUEUE_SIZE);
	hostile_rings(0x10004, 0x1000, 0x2000, 0x3000, VIO_E_QUEUE_SIZE);
}

static void
test_hostile_writable_where_device_reads(void)
{
	struct vdev *d = console_create(&ram, &host, -1, -1);
	uint64_t buf = ram_alloc(64, 16);
	struct tq q[2];

	CHECK(drv_start(d, VIRTIO_ID_CONSOLE, q, 2, 8));
	tq_add(&q[1], (struct tbuf[]){ { buf, 32, false },
				       { buf + 32, 32, true } }, 2);
	tq_kick(&q[1]);
	expect_fault(d, VIO_E_LAYOUT, true);
	CHECK(tq_idle(&q[1]));
	vdev_destroy(d);
}

static void
test_hostile_readable_where_device_writes(void)
{
	hostile_buffer(0x1000, 16, 0, VIO_E_LAYOUT);	/* entropy */
}

static void
test_hostile_console_rx_readable(void)
{
	int p[2], t;
	struct vdev *d;
	struct tq q[2];
	uint64_t buf = ram_alloc(16, 16);

	CHECK(pipe(p) == 0);
	d = console_create(&ram, &host, p[0], -1);
	CHECK(drv_start(d, VIRTIO_ID_CONSOLE, q, 2, 8));
	tq_add(&q[0], &(struct tbuf){ buf, 16, false }, 1);
	tq_kick(&q[0]);
	CHECK_EQ(write(p[1], "x", 1), 1);
	for (t = 0; t < WAIT_MS && !__atomic_load_n(&faults, __ATOMIC_SEQ_CST);
	     t++)
		sleep_ms(1);
	expect_fault(d, VIO_E_LAYOUT, true);
	vdev_destroy(d);
	close(p[0]);
	close(p[1]);
}

/* A block request built from bufs must fault with VIO_E_LAYOUT. */
static void
hostile_blk(const struct tbuf *bufs, unsigned int n, uint32_t type)
{
	struct disk k;
	struct tq q;
	struct vdev *d;

	faults = 0;
	CHECK(disk_make(&k, DISK_SIZE));
	d = start_blk(&k, false, &q);
	memset(gpa(bufs[0].pa), 0, 16);
	memcpy(gpa(bufs[0].pa), &type, 4);
	tq_add(&q, bufs, n);
	tq_kick(&q);
	expect_fault(d, VIO_E_LAYOUT, true);
	CHECK_EQ(lseek(k.fd, 0, SEEK_END), DISK_SIZE);
	vdev_destroy(d);
	disk_drop(&k);
}

static void
test_hostile_blk_layouts(void)
{
	uint64_t b = ram_alloc(4096, 512);

	/* T_OUT whose data is writable: the device must read it. */
	hostile_blk((struct tbuf[]){ { b, 16, false }, { b + 512, 512, true },
				     { b + 2048, 1, true } }, 3, VIRTIO_BLK_T_OUT);
	/* T_IN whose data is read-only: the device must write it. */
	hostile_blk((struct tbuf[]){ { b, 16, false },
				     { b + 512, 512, false },
				     { b + 2048, 1, true } }, 3, VIRTIO_BLK_T_IN);
	/* The header in a writable buffer. */
	hostile_blk((struct tbuf[]){ { b, 16, true }, { b + 2048, 1, true } },
		    2, VIRTIO_BLK_T_FLUSH);
	/* No status byte. */
	hostile_blk((struct tbuf[]){ { b, 16, false } }, 1, VIRTIO_BLK_T_FLUSH);
	/* A header cut short. */
	hostile_blk((struct tbuf[]){ { b, 8, false }, { b + 2048, 1, true } },
		    2, VIRTIO_BLK_T_IN);
	/* Even a type we do not know needs a header and a status byte. */
	hostile_blk((struct tbuf[]){ { b, 16, false } }, 1, 0x99);
	hostile_blk((struct tbuf[]){ { b, 8, false }, { b + 2048, 1, true } },
		    2, 0x99);
}

static void
test_recovers_after_reset(void)
{
	struct tq q;
	struct vdev *d = hostile_rng(&q, 8);
	uint64_t buf = ram_alloc(16, 16);
	uint32_t len;

	kick_one_desc(&q, RAM_SIZE, 16, VIRTQ_DESC_F_WRITE);
	expect_fault(d, VIO_E_DESC_RANGE, true);
	kick_one_desc(&q, buf, 16, VIRTQ_DESC_F_WRITE);
	CHECK(tq_idle(&q));			/* ignored: needs reset */
	CHECK(drv_start(d, VIRTIO_ID_ENTROPY, &q, 1, 8));
	CHECK(!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET));
	CHECK(tq_run(&q, &(struct tbuf){ buf, 16, true }, 1, &len));
	CHECK_EQ(len, 16);
	vdev_destroy(d);
}

/* ---- A random Guest ---- */

static uint64_t fuzz_state = 0x2545f4914f6cdd1dULL;

/* xorshift64*: reproducible, good enough to shake a device. */
static uint64_t
rnd(void)
{
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return fuzz_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t
rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* Usually a plausible guest-physical address, sometimes anything. */
static uint64_t
rnd_pa(uint64_t align)
{
	if (rnd_below(16) == 0)
		return rnd();
	return rnd_below(RAM_SIZE) & ~(rnd_below(8) ? align - 1 : 0);
}

/* Fill [pa, pa + len) with random bytes, where it is inside RAM. */
static void
rnd_fill(uint64_t pa, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len && pa + i < RAM_SIZE; i++)
		ram.base[pa + i] = rnd();
}

/* Random descriptors, mostly sane, for queue q of num entries. */
static void
rnd_descs(uint64_t desc, uint32_t num)
{
	struct virtq_desc *d;
	uint32_t i;

	if (desc > RAM_SIZE || desc % 16)
		return;		/* the device will refuse this table */
	for (i = 0; i < num && 16 * (i + 1) <= RAM_SIZE - desc; i++) {
		d = (struct virtq_desc *)(ram.base + desc) + i;
		d->addr = rnd_below(4) ? rnd_below(RAM_SIZE - 8192) : rnd();
		d->len = rnd_below(8) ? rnd_below(4096) : rnd();
		d->flags = rnd() & (rnd_below(16) ? 3 : 7);
		d->next = rnd_below(8) ? rnd_below(num) : rnd();
	}
}

/* Set queue sel up with random (often valid) rings and contents. */
static void
fuzz_queue(struct vdev *d, unsigned int sel)
{
	uint32_t num = rnd_below(8) ? 1u << rnd_below(9) : rnd();
	uint64_t desc = rnd_pa(16), avail = rnd_pa(2), used = rnd_pa(4);

	wr(d, VIRTIO_MMIO_QUEUE_SEL, sel);
	wr(d, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail);
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, avail >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, used);
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, used >> 32);
	num = num > 256 ? 256 : num;
	rnd_descs(desc, num);
	rnd_fill(avail, 6 + 2 * num);
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Random register accesses of any size, anywhere in the window. */
static void
fuzz_raw(struct vdev *d)
{
	static const unsigned int sizes[] = { 1, 2, 3, 4, 4, 4, 8 };
	uint32_t off;
	unsigned int size;
	int i;

	for (i = 0; i < 16; i++) {
		off = rnd_below(8) ? rnd_below(LGUEST_MMIO_SIZE) : rnd();
		size = sizes[rnd_below(7)];
		if (rnd_below(2))
			mmio_read(d, off, size);
		else
			mmio_write(d, off, size, rnd_below(4) ? rnd_below(4) :
				   rnd());
	}
}

/* One round: a plausible start-up with random rings, then kicks. */
static void
fuzz_round(struct vdev *d, unsigned int nq)
{
	unsigned int q, i;

	drv_negotiate(d, device_features(d) & rnd());
	for (q = 0; q < nq; q++)
		fuzz_queue(d, q);
	status_add(d, VIRTIO_STATUS_DRIVER_OK);
	for (i = 0; i < 4; i++)
		wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, rnd_below(nq + 1));
	if (rnd_below(4) == 0)
		fuzz_raw(d);
}

static void
test_random_guest(void)
{
	int p[2], null = open("/dev/null", O_WRONLY);
	struct vdev *dev[3];
	struct disk k;
	unsigned int i, n;
	char junk[64];

	memset(junk, 'j', sizeof(junk));
	CHECK(pipe2(p, O_NONBLOCK) == 0);
	CHECK(disk_make(&k, 1 << 20));
	dev[0] = console_create(&ram, &host, p[0], null);
	dev[1] = blk_create(&ram, &host, k.path, false);
	dev[2] = rng_create(&ram, &host);
	for (i = 0; i < 6000; i++) {
		n = i % 3;
		if (n == 0 && rnd_below(2))
			CHECK(write(p[1], junk, 1 + rnd_below(64)) != 0);
		fuzz_round(dev[n], n == 0 ? 2 : 1);
	}
	CHECK(faults > 100);	/* the random Guest broke the rules often */
	for (i = 0; i < 3; i++)
		vdev_destroy(dev[i]);
	disk_drop(&k);
	close(p[0]);
	close(p[1]);
	close(null);
}

/* ---- Runner ---- */

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define T(name) { #name, test_##name }
	T(iov_helpers),
	T(identity_registers),
	T(bad_accesses_ignored),
	T(feature_negotiation),
	T(reset_clears_everything),
	T(no_work_before_driver_ok),
	T(queue_registers_locked_while_ready),
	T(console_output_1mib),
	T(console_input),
	T(console_input_waits_for_buffer),
	T(console_input_eof),
	T(blk_config_and_features),
	T(blk_write_then_read),
	T(blk_status_shares_descriptor),
	T(blk_flush_calls_fsync),
	T(blk_readonly),
	T(blk_out_of_range),
	T(blk_get_id_and_unsupported),
	T(entropy),
	T(no_interrupt_flag),
	T(indices_wrap),
	T(hostile_desc_outside_ram),
	T(hostile_desc_length_overflow),
	T(hostile_indirect),
	T(hostile_next_loop),
	T(hostile_chain_longer_than_queue),
	T(hostile_next_out_of_range),
	T(hostile_head_out_of_range),
	T(hostile_avail_idx_jump),
	T(hostile_readable_after_writable),
	T(hostile_chain_over_4gib),
	T(hostile_ring_outside_ram),
	T(hostile_misaligned_ring),
	T(hostile_queue_size),
	T(hostile_writable_where_device_reads),
	T(hostile_readable_where_device_writes),
	T(hostile_console_rx_readable),
	T(hostile_blk_layouts),
	T(recovers_after_reset),
	T(random_guest),
#undef T
};

int
main(void)
{
	unsigned int i, passed = 0, failed = 0;

	ram.size = RAM_SIZE;
	ram.base = aligned_alloc(4096, RAM_SIZE);
	if (!ram.base)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		fresh();
		checks_failed = 0;
		tests[i].fn();
		printf("%s %s\n", checks_failed ? "FAIL" : "pass",
		       tests[i].name);
		if (checks_failed)
			failed++;
		else
			passed++;
	}
	free(ram.base);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
