# scenarios.sh: the test scenarios, sourced by /init; each prints "LGTEST <name> PASS|FAIL <why>".
LG_DIR=${LG_DIR:-/lg}	# our programs (make check-exercises: a variant's)
G=$LG_DIR/test-guest.elf	# the Guest with the tests' extra commands
OUT=/tmp/out

# lg_wanted NAME...: true if one of the scenarios NAME should run.  All do,
# unless LG_ONLY (lgonly=a,b,c on the kernel command line: make scenarios
# ONLY="a b c") lists shell patterns; a pattern may also name the group a
# scenario belongs to (irq, devices, memory, shadow, images, terminal).
lg_wanted()
{
	[ -z "$LG_ONLY" ] && return 0
	set -f	# the patterns are not file names
	for p in $LG_ONLY; do
		for n in "$@" $lg_group; do
			case $n in $p) set +f; return 0 ;; esac
		done
	done
	set +f
	return 1
}

lg_result()
{
	echo "LGTEST $1 $2 $3"
}

# lg_case NAME RC PATTERN... -- COMMAND...: run COMMAND; pass if it exits
# with RC and its output matches every PATTERN (grep -E).
lg_case()
{
	name=$1 want=$2
	lg_wanted "$name" || return 0
	shift 2
	pats=
	while [ "$1" != "--" ]; do pats="$pats
$1"; shift; done
	shift
	timeout -s KILL "${LG_TIMEOUT:-120}" "$@" > $OUT 2>&1
	rc=$?
	sed 's/^/    | /' $OUT
	[ -n "$(tail -c 1 $OUT)" ] && echo	# LGTEST must start a line
	why=
	[ "$rc" = "$want" ] || why="exit code $rc, wanted $want"
	echo "$pats" | while read -r p; do
		[ -z "$p" ] || grep -qE "$p" $OUT || echo "missing: $p"
	done > /tmp/why
	[ -s /tmp/why ] && why="$why $(cat /tmp/why | tr '\n' ' ')"
	if [ -z "$why" ]; then lg_result "$name" PASS "rc=$rc"; else
		lg_result "$name" FAIL "$why"; fi
}

# lg_fault NAME PATTERN GUEST-ARGS...: a Guest booted without its own trap
# handlers ("notraps") must be killed with a report matching PATTERN, and a
# fresh Guest must run fine right after.
lg_fault()
{
	name=$1 pat=$2
	shift 2
	lg_case "$name" 70 "Guest killed: .*$pat" -- lguest $G notraps "$@"
	lg_case "$name-then-hello" 0 "Hello from the Guest" -- lguest $G hello
}

lg_load()
{
	if insmod $LG_DIR/lg.ko; then lg_result insmod PASS ""; else
		lg_result insmod FAIL ""; fi
}

lg_unload()
{
	if rmmod lg; then lg_result rmmod PASS ""; else lg_result rmmod FAIL ""; fi
}

lg_check_dmesg()
{
	bad=$(dmesg | grep -E 'BUG|WARNING|Oops|general protection' | head -n 3)
	if [ -z "$bad" ]; then lg_result dmesg PASS ""; else
		lg_result dmesg FAIL "$bad"; dmesg | tail -n 80; fi
}

# Bad images: missing, truncated, wrong architecture.
lg_bad_images()
{
	lg_group=images
	head -c 100 $G > /tmp/truncated.elf
	cp $G /tmp/arm.elf
	printf '\050\000' | dd of=/tmp/arm.elf bs=1 seek=18 conv=notrunc 2>/dev/null
	lg_case image-missing 66 "No such file" -- lguest /tmp/nonexistent.elf
	lg_case image-truncated 65 "truncated" -- lguest /tmp/truncated.elf
	lg_case image-wrong-arch 65 "not an x86-64" -- lguest /tmp/arm.elf
	lg_case usage 64 "usage" -- lguest
	lg_group=
}

# FPU isolation: a host process and a Guest share CPU 0 and must never see
# each other's SSE registers.
lg_fpu()
{
	lg_wanted fpu-guest fpu-host || return 0
	taskset -c 0 fpu_hog 20000000 > /tmp/hog 2>&1 &
	hog=$!
	lg_case fpu-guest 0 "marker seen 0 times" -- taskset -c 0 lguest $G fpu 4000000
	wait $hog
	rc=$?
	cat /tmp/hog
	if [ $rc = 0 ] && grep -q "0 lost the marker" /tmp/hog &&
	   ! grep -q " 0 preemptions" /tmp/hog; then
		lg_result fpu-host PASS "$(cat /tmp/hog)"
	else
		lg_result fpu-host FAIL "rc=$rc $(cat /tmp/hog)"
	fi
}

# The Guest's own FPU state and protection keys: it starts from the reset
# state, keeps its own across exits, and cannot lock its Launcher out.
lg_fpu_own()
{
	lg_case fpu-own 0 "first look: 0 nonzero bytes, mxcsr 1f80, x87 cw 37f" \
		"after 100 exits: 0 bad, mxcsr 7f80, x87 cw f7f" -- lguest $G fpu-own
	lg_case pkru-deny 0 "key 0 denied, the device read 74726976" -- \
		lguest $G pkru-deny
}

# Several Guests at once on both CPUs.
lg_parallel()
{
	lg_wanted parallel || return 0
	for i in 1 2 3 4; do lguest $G bench 20000 > /tmp/par$i 2>&1 & done
	fails=0
	for job in $(jobs -p); do wait $job || fails=$((fails + 1)); done
	if [ $fails = 0 ]; then lg_result parallel PASS ""; else
		lg_result parallel FAIL "$fails Guests failed"; fi
}

# NMIs sent (sysrq-l backtrace IPIs) while a Guest spins on CPU 1: each one
# must reach the Host's NMI handler exactly once.
# lg_nmi NAME COUNT GUEST-ARGS...: NMIs sent (sysrq-l backtrace IPIs) while
# a Guest runs on CPU 1: each one must reach the Host's NMI handler once.
lg_nmi()
{
	name=$1 count=$2
	lg_wanted "$name" || return 0
	shift 2
	taskset -c 1 lguest $G "$@" > /tmp/nmi.out 2>&1 &
	pid=$!
	sleep 2
	before=$(dmesg | grep -c "NMI backtrace for cpu 1")
	in_lg0=$(dmesg | grep -c "RIP: 0010:lg_")
	nmis0=$(awk '/^ *NMI:/ { print $3 }' /proc/interrupts)
	for i in $(seq $count); do
		taskset -c 0 sh -c 'echo l > /proc/sysrq-trigger'
		sleep 0.3
	done
	sleep 1
	n=$(($(dmesg | grep -c "NMI backtrace for cpu 1") - before))
	nmis=$(($(awk '/^ *NMI:/ { print $3 }' /proc/interrupts) - nmis0))
	in_lg=$(($(dmesg | grep -c "RIP: 0010:lg_") - in_lg0))
	kill -TERM $pid	# background jobs of a script ignore SIGINT
	wait $pid
	why="$count sent, $nmis NMIs on CPU 1, $n backtraces, $in_lg from lg"
	if [ "$n" = "$count" ] && [ "$nmis" = "$count" ] && [ "$in_lg" -ge 1 ]; then
		lg_result "$name" PASS "$why"
	else
		lg_result "$name" FAIL "$why"
		dmesg | tail -n 60
	fi
}

# Every page pinned for a shadow PTE was unpinned again.
lg_check_pins()
{
	lg_wanted pins || return 0
	echo 1 > /proc/sys/vm/stat_refresh	# fold the per-CPU counters
	acq=$(awk '/^nr_foll_pin_acquired/ { print $2 }' /proc/vmstat)
	rel=$(awk '/^nr_foll_pin_released/ { print $2 }' /proc/vmstat)
	if [ -n "$acq" ] && [ "$acq" = "$rel" ] && [ "$acq" -gt 0 ]; then
		lg_result pins PASS "acquired=$acq released=$rel"
	else
		lg_result pins FAIL "acquired=$acq released=$rel"
	fi
}

# lg_ticks NAME N HZ: N timer interrupts at HZ must take N/HZ seconds by
# the Guest's TSC, within 10%.
lg_ticks()
{
	name=$1
	lg_wanted "$name" "$name-rate" || return 0
	lg_case "$name" 0 "^ticks: $2 at $3 Hz in [0-9]+ us" -- lguest $G ticks $2 $3
	set -- $(sed -n 's/^ticks: .* in \([0-9]*\) us, expected \([0-9]*\) us/\1 \2/p' $OUT)
	if [ -n "$2" ] && [ $(($1 * 10)) -ge $(($2 * 9)) ] &&
	   [ $(($1 * 10)) -le $(($2 * 11)) ]; then
		lg_result "$name-rate" PASS "$1 us for $2 us"
	else
		lg_result "$name-rate" FAIL "took ${1:-?} us, expected ${2:-?} us"
	fi
}

# An idle Guest must cost the Launcher under 2% of a CPU: its user and
# system time, as its parent sees them, against 5 s of halting.
lg_idle()
{
	lg_wanted idle-cpu || return 0
	sh -c "lguest $G idle 5 > $OUT 2>&1; echo rc=\$? >> $OUT; cat /proc/\$\$/stat >> $OUT"
	sed 's/^/    | /' $OUT
	ticks=$(awk '/^[0-9]+ \(/ { print $16 + $17 }' $OUT)	# cutime + cstime
	ms=$(sed -n 's/^idle: 10[0-9] ticks in \([0-9]*\) ms/\1/p' $OUT)
	hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	cpu_ms=$((${ticks:-9999} * 1000 / hz))
	why="Launcher CPU ${cpu_ms} ms over ${ms:-?} ms idle"
	if grep -q rc=0 $OUT && [ -n "$ms" ] && [ "$ms" -ge 4900 ] &&
	   [ $((cpu_ms * 50)) -lt "$ms" ]; then
		lg_result idle-cpu PASS "$why"
	else
		lg_result idle-cpu FAIL "$why"
	fi
}

# CPU 1's interrupt count for /proc/interrupts row $1 ("LOC:", "RES:"...).
lg_irq_count()
{
	awk -v row="$1" '$1 == row { print $3 }' /proc/interrupts
}

# While a Guest computes on CPU 1, the Host's timer interrupts and IPIs
# there must keep being counted: none is swallowed by the Guest.
lg_host_irqs()
{
	lg_wanted host-irqs || return 0
	taskset -c 1 lguest $G spin 4 > /tmp/spin.out 2>&1 &
	pid=$!
	sleep 1
	loc0=$(lg_irq_count LOC:) ipi0=$(($(lg_irq_count RES:) + $(lg_irq_count CAL:)))
	# A reader on CPU 1 woken from CPU 0: each wake-up is an IPI to CPU 1.
	rm -f /tmp/fifo && mkfifo /tmp/fifo
	taskset -c 1 cat /tmp/fifo > /dev/null &
	for i in $(seq 20); do echo x; sleep 0.02; done > /tmp/fifo
	sleep 0.5
	loc=$(($(lg_irq_count LOC:) - loc0))
	ipi=$(($(lg_irq_count RES:) + $(lg_irq_count CAL:) - ipi0))
	wait $pid
	rc=$?
	cat /tmp/spin.out
	why="rc=$rc; on CPU 1 in about 1 s: $loc timer interrupts, $ipi IPIs"
	if [ $rc = 0 ] && [ "$loc" -ge 50 ] && [ "$ipi" -ge 10 ]; then
		lg_result host-irqs PASS "$why"
	else
		lg_result host-irqs FAIL "$why"
	fi
}

# Issue 5: traps reflected to the Guest, refused vectors, time and idle.
lg_interrupts()
{
	lg_group=irq
	lg_case traps 0 "trap de: vector 0 error 0x0 at the instruction: ok" \
		"trap db: vector 1 error 0x0 after the instruction: ok" \
		"trap bp: vector 3 error 0x0 after the instruction: ok" \
		"trap ud: vector 6 error 0x0 at the instruction: ok" \
		"trap gp: vector 13 error 0x0 at the instruction: ok" \
		"trap gp-int: vector 13 error 0x[24]02 at the instruction: ok" \
		"trap pf: vector 14 error 0x4 at the instruction, cr2 right: ok" \
		"traps: 0 wrong, interrupts on, all recovered" -- lguest $G traps
	lg_case panic 98 "Guest panic: trap 13, error 0x0, RIP 0x4000001" \
		-- lguest $G hlt
	lg_case panic-pf 98 "Guest panic: trap 14, error 0x4, .*CR2 0x100000000000" \
		-- lguest $G unmapped
	lg_case claim-nmi 70 "vector 2,.*claimed a vector the Host keeps" \
		-- lguest $G claim 2
	lg_case claim-mc 70 "vector 18,.*claimed a vector the Host keeps" \
		-- lguest $G claim 18
	lg_case claim-hypercall 70 "vector 31,.*claimed a vector the Host keeps" \
		-- lguest $G claim 31
	lg_case claim-256 70 "vector 31,.*claimed a vector the Host keeps or that does not exist" \
		-- lguest $G claim 256
	lg_case claim-2-32 70 "vector 31,.*claimed a vector the Host keeps or that does not exist" \
		-- lguest $G claim 4294967296
	lg_case claim-host-handler 70 "vector 6,.*an IDT handler outside the Guest's half" \
		-- lguest $G claim 6 18446744071578845184
	lg_case bad-stack 70 "invalid opcode.*no room on the Guest's stack" \
		-- lguest $G badstack
	lg_case no-handler 70 "vector 32,.*an interrupt for a vector with no handler" \
		-- lguest $G nohandler
	lg_ticks ticks-500hz 1000 500
	lg_ticks ticks-1000hz 1000 1000
	lg_idle
	lg_case signal-halt 130 "" -- timeout -s INT 2 lguest $G halt-forever
	lg_case halt-off 70 "halted with interrupts off and no clock armed" \
		-- timeout -s INT 10 lguest $G halt-off
	lg_case bad-rip 70 "vector 31,.*RIP 0x(800000000000|100000000000000),.*RIP is outside the Guest's half" \
		-- lguest $G bad-rip
	lg_case lretq 70 "a fault that would repeat forever" \
		-- timeout -s INT 20 lguest $G lretq
	lg_case storm 0 "storm: 2001 interrupts, 0 registers changed" \
		-- lguest $G storm 2000
	lg_host_irqs
	lg_case after-interrupts 0 "Hello from the Guest" -- lguest $G hello
	lg_group=
}

# lg_same NAME A B: pass if A and B are the same non-empty string.
lg_same()
{
	lg_wanted "$1" || return 0
	if [ -n "$2" ] && [ "$2" = "$3" ]; then lg_result "$1" PASS "$2"; else
		lg_result "$1" FAIL "'$2' vs '$3'"; fi
}

# Issue 6: virtio console, block and entropy over virtio-mmio.
lg_devices()
{
	lg_group=devices
	D=/tmp/disk.img
	rm -f $D && dd if=/dev/zero of=$D bs=1M count=16 2>/dev/null
	lg_case devices 0 "virtio0: device 3 \(console\)" \
		"virtio1: device 4 \(entropy\)" "virtio2: device 2 \(block\)" \
		-- lguest --block $D $G devices
	lg_case rng 0 "rng: 64 bytes, not all equal" -- lguest $G rng 64
	# 1 MiB through the virtio console, then the Guest's own cksum of it.
	lg_case console-1mib 0 "^cout: 1048576 bytes, cksum [0-9]+" \
		-- lguest $G cout 1048576
	want=$(sed -n 's/^cout: 1048576 bytes, cksum \([0-9]*\),.*/\1 1048576/p' $OUT)
	lg_same console-1mib-cksum "$want" "$(head -c 1048576 $OUT | lgcksum)"
	lg_case console-input 0 "^echo: hello guest$" "^echo: second line$" \
		"cin: 2 lines echoed" -- sh -c \
		"printf 'hello guest\nsecond line\nquit\n' | lguest $G cin"
	lg_case blk-id 0 "blk-id: disk.img \(32768 sectors\)" \
		-- lguest --block $D $G blk-id
	lg_case blk-write 0 "blk-write: 32768 sectors, cksum [0-9]+" \
		-- lguest --block $D $G blk-write 7
	sum=$(sed -n 's/^blk-write: 32768 sectors, cksum \([0-9]*\)/\1/p' $OUT)
	lg_same blk-host-cksum "$sum 16777216" "$(lgcksum < $D)"
	lg_case blk-verify 0 "blk-verify: 32768 sectors, cksum $sum, 0 bad" \
		-- lguest --block $D $G blk-verify 7
	lg_case blk-verify-other-seed 1 "blk-verify: 32768 sectors, .* [1-9][0-9]* bad" \
		-- lguest --block $D $G blk-verify 8
	lg_case blk-ro 0 "blk-ro: write status 1" -- lguest --block $D,ro $G blk-ro
	lg_same blk-ro-unchanged "$sum 16777216" "$(lgcksum < $D)"
	lg_case bad-disk 66 "/tmp/no-such-disk.img" \
		-- lguest --block /tmp/no-such-disk.img $G hello
	lg_case bad-desc-range 76 "Guest broke device 1 \(buffer outside Guest RAM\)" \
		-- lguest $G bad-desc range
	lg_case bad-desc-loop 76 "Guest broke device 1 \(descriptor loop\)" \
		-- lguest $G bad-desc loop
	lg_case bad-desc-long 76 "Guest broke device 1 \(descriptor loop\)" \
		-- lguest $G bad-desc long
	lg_case after-devices 0 "Hello from the Guest" -- lguest $G hello
	rm -f $D
	lg_group=
}

# lg_pt_stat NAME: a shadow-paging counter in debugfs (empty if none).
lg_pt_stat()
{
	cat /sys/kernel/debug/lguest/$1 2>/dev/null
}

# pt-alias: one page at 3000 addresses in a 16 MiB Guest, whose shadows
# may have 4 * (4 * 8 + 64) = 384 table pages: while it runs, the counts
# stay within that bound, and the Guest lives.
lg_pt_alias()
{
	lg_wanted pt-alias || return 0
	faults0=$(lg_pt_stat shadow_faults)
	lguest --memory 16 $G pt-alias 3000 4 > /tmp/alias.out 2>&1 &
	pid=$!
	for i in $(seq 100); do
		grep -q "pt-alias: 3000 aliases read" /tmp/alias.out && break
		sleep 0.2
	done
	tables=$(lg_pt_stat shadow_tables) pins=$(lg_pt_stat pinned_pages)
	wait $pid
	rc=$?
	sed 's/^/    | /' /tmp/alias.out
	faults=$(($(lg_pt_stat shadow_faults) - faults0))
	why="rc=$rc; $tables shadow tables, $pins pins, $faults faults"
	if [ $rc = 0 ] && grep -q "3000 aliases read, 0 wrong" /tmp/alias.out &&
	   [ "$tables" -gt 0 ] && [ "$tables" -le 384 ] &&
	   [ "$pins" -gt 0 ] && [ "$faults" -ge 3000 ]; then
		lg_result pt-alias PASS "$why"
	else
		lg_result pt-alias FAIL "$why"
	fi
}

# pt-pins: every 4 KiB of 200 aliases of 2 MiB, 102400 leaves: the Guest's
# share of pins (65536) makes the Host forget its shadows and start again.
lg_pt_pins()
{
	lg_wanted pt-pins || return 0
	lguest --memory 16 $G pt-alias 200 4 dense > /tmp/alias.out 2>&1 &
	pid=$!
	for i in $(seq 300); do
		grep -q "pt-alias: 200 aliases read" /tmp/alias.out && break
		sleep 0.2
	done
	pins=$(lg_pt_stat pinned_pages)
	wait $pid
	rc=$?
	sed 's/^/    | /' /tmp/alias.out
	if [ $rc = 0 ] && grep -q "200 aliases read, 0 wrong" /tmp/alias.out &&
	   [ "$pins" -gt 0 ] && [ "$pins" -le 65536 ]; then
		lg_result pt-pins PASS "$pins pins"
	else
		lg_result pt-pins FAIL "rc=$rc; $pins pins"
	fi
}

# Issue 4, the Host's side: shadow page tables, their hypercalls, the ring.
# Fault reasons 11-13 are matched by the names the Launcher gives them.
lg_shadow()
{
	lg_group=shadow
	K="Guest killed:"
	lg_case pt-host-half 70 "$K .*vector 31,.*: the address belongs to the Host" \
		-- lguest $G pt-host-half
	lg_case pt-beyond-ram 70 "$K page fault .*: the Guest maps memory outside its RAM" \
		-- lguest $G pt-beyond-ram
	lg_case pt-loop 70 "$K page fault .*: (the Guest's page tables loop back on themselves)" \
		-- lguest $G pt-loop
	lg_case pt-loop-up 70 "$K page fault .*: (the Guest's page tables loop back on themselves)" \
		-- lguest $G pt-loop up
	lg_case pt-rsvd 70 "$K page fault .*: (a page-table entry has reserved bits set)" \
		-- lguest $G pt-rsvd ps
	lg_case pt-rsvd-huge 70 "$K page fault .*: (a page-table entry has reserved bits set)" \
		-- lguest $G pt-rsvd huge
	lg_case pt-bad-ring 70 "LHCALL_SHUTDOWN in the ring" \
		"$K .*vector 31,.*: (a bad page-table hypercall or ring entry)" \
		-- lguest $G pt-bad-ring
	lg_case pt-ring-before-init 1 "pt-bad-ring: the Guest runs on" \
		-- lguest $G notraps pt-bad-ring
	lg_case pt-bad-level 70 "$K .*vector 31,.*: (a bad page-table hypercall or ring entry)" \
		-- lguest $G pt-bad-level
	for n in 0 513; do
		lg_case pt-bad-run-$n 70 "pt-bad-run: $n" \
			"$K .*vector 31,.*: (a bad page-table hypercall or ring entry)" \
			-- lguest $G pt-bad-run $n
	done
	lg_case pt-bad-run-half 70 "$K .*vector 31,.*: the address belongs to the Host" \
		-- lguest $G pt-bad-run half
	lg_case pt-raw 0 "pt-raw: write: leaf D=1: ok" \
		"pt-raw: read-only, first a write: #PF with P=1 W=1: ok" \
		"pt-raw: five roots in turn, three rounds: ok" \
		"pt-raw: the run moved, one SET_PTE: all 4 fresh: ok" \
		"pt-raw: the run moved, through the ring: all 4 fresh: ok" \
		"pt-raw: 0 wrong" -- lguest $G pt-raw
	lg_case pt-raw-16m 0 "pt-raw: 0 wrong" -- lguest --memory 16 $G pt-raw
	lg_pt_alias
	lg_pt_pins
	lg_case after-shadow 0 "Hello from the Guest" -- lguest $G hello
	lg_wanted shadow-counts || { lg_group=; return 0; }
	tables=$(lg_pt_stat shadow_tables) pins=$(lg_pt_stat pinned_pages)
	if [ "$tables" = 0 ] && [ "$pins" = 0 ]; then
		lg_result shadow-counts PASS "0 tables, 0 pins"
	else
		lg_result shadow-counts FAIL "'$tables' tables, '$pins' pins with no Guest"
	fi
	lg_group=
}

# Unload and reload the module five times, each right after Guests on
# both CPUs, one of them killed in the middle of its run: the unloading
# must return, and every CPU must then run user space's system calls
# (a CPU left with the Guest's EFER.SCE would turn them into #UD).
lg_reload()
{
	lg_wanted reload || return 0
	i=0 bad=
	while [ $i -lt 5 ]; do
		for c in 0 1; do
			taskset -c $c lguest $G hello > $OUT 2>&1 || bad="$bad hello-$c"
			timeout -s KILL 1 taskset -c $c lguest $G spin 5 > $OUT 2>&1
			[ $? = 137 ] || bad="$bad kill-$c"
		done
		rmmod lg || bad="$bad rmmod-$i"
		for c in 0 1; do taskset -c $c true || bad="$bad syscall-$c"; done
		insmod /lg/lg.ko || bad="$bad insmod-$i"
		i=$((i + 1))
	done
	if [ -z "$bad" ]; then lg_result reload PASS "5 cycles"; else
		lg_result reload FAIL "$bad"; fi
}

# Chapter 6's measuring files, as make bench reads them: with trip_phases
# on, a loop of 1,000 NOP hypercalls adds at least 1,000 trips and some
# cycles to every phase; cr3_write prints a positive number of cycles and
# page_refill a number (0 is allowed: on hardware it may well be).
lg_bench_files()
{
	lg_wanted bench-files || return 0
	D=/sys/kernel/debug/lguest bad=
	echo 1 >/sys/module/lg/parameters/trip_phases
	cat $D/trip_phases >/tmp/phases.0
	lguest $G bench 1000 >$OUT 2>&1 || bad="bench exit $?"
	cat $D/trip_phases >/tmp/phases.1
	echo 0 >/sys/module/lg/parameters/trip_phases
	bad="$bad$(paste /tmp/phases.0 /tmp/phases.1 | awk '
		$1 == "trips" && $4 - $2 < 1000 { printf " %d trips", $4 - $2 }
		$1 != "trips" && $4 - $2 <= 0 { printf " %s: nothing", $1 }
		END { if (NR != 9) printf " %d lines", NR }')"
	v=$(cat $D/cr3_write)
	case $v in ''|*[!0-9]*|0) bad="$bad cr3_write='$v'" ;; esac
	v=$(cat $D/page_refill)
	case $v in ''|*[!0-9]*) bad="$bad page_refill='$v'" ;; esac
	if [ -z "$bad" ]; then
		lg_result bench-files PASS "$(tail -1 /tmp/phases.1), page_refill $v"
	else
		lg_result bench-files FAIL "$bad"
	fi
}

lg_run_tests()
{
	lg_load
	lg_case hello 0 "^Hello from the Guest$" -- lguest $G hello
	lg_case exit-7 7 "code 7" -- lguest $G exit 7
	lg_case memory-16 0 "Hello" -- lguest --memory 16 $G hello
	lg_case memory-010 0 "ram: 10 MiB" -- lguest --memory 010 $G ram
	lg_case memory-odd 64 "an even number of MiB" -- lguest --memory 9 $G ram
	lg_case memory-mmap 71 "cannot map 64 MiB" -- \
		sh -c "ulimit -v 30000; exec lguest --memory 64 $G hello"
	lg_case unknown-hcall 0 "returned -38" -- lguest $G unknown-hcall
	lg_fault unmapped "page fault \(#PF\).*CR2 0x100000000000: not mapped" unmapped
	lg_fault hlt "general protection \(#GP\), vector 13" hlt
	lg_fault syscall "invalid opcode \(#UD\)" syscall
	lg_fault sysenter "(invalid opcode|general protection)" sysenter
	lg_case wrgsbase 70 "7e57c0ffee00 \(kept\)|no FSGSBASE" "Guest killed: invalid opcode" \
		-- lguest $G notraps wrgsbase
	lg_case wrgsbase-then-hello 0 "Hello from the Guest" -- lguest $G hello
	lg_fault int3 "breakpoint \(#BP\)" int3
	lg_fault host-half "page fault \(#PF\).*CR2 0xffffffff81000000: the address belongs to the Host" host-half
	lg_fault bad-phys "page fault \(#PF\).*outside its RAM" bad-phys
	lg_case signal 130 "" -- timeout -s INT 2 lguest $G fpu 1000000000000
	lg_interrupts
	lg_devices
	lg_memory
	lg_shadow
	lg_bad_images
	lg_terminal
	lg_shell_checks
	lg_fpu
	lg_fpu_own
	lg_parallel
	lg_nmi nmi-spin 5 fpu 1000000000000
	lg_nmi nmi-hypercalls 20 bench 1000000000
	lg_attacks
	lg_bench_files
	lg_reload
	lg_check_pins
	lg_check_dmesg
	lg_unload
}

# NMI stress: many rounds of NMIs at a Guest doing hypercalls.
lg_run_nmi_stress()
{
	lg_load
	for r in 1 2 3 4 5 6; do
		date +%s
		lg_nmi nmi-stress-$r 20 bench 1000000000
	done
	date +%s
	lg_check_dmesg
	lg_unload
}

lg_run_bench()
{
	lg_load
	bench.sh 3	# chapter 7: three passes of every benchmark, then medians
	lg_check_dmesg
	lg_unload
}

# lg_terminal: the Launcher on a real terminal, a pseudo-terminal that
# ptyrun makes: raw (no ICANON, ECHO, ISIG) while the Guest runs, Ctrl-C a
# byte for the Guest's shell, three in a row SIGINT, and the terminal
# restored on exit, on SIGINT, on SIGTERM and when the Host kills the Guest.
lg_terminal()
{
	lg_group=terminal
	lg_case tty-exit 0 "guest> exit 5" -- ptyrun 'expect=guest> ' \
		raw 'send=exit 5\r' exit=5 cooked -- lguest $G shell
	lg_case tty-ctrl-c 0 "guest> xyz\^C" "Hello from the Guest" -- ptyrun \
		'expect=guest> ' 'send=xyz\x03' 'expect=^C' raw 'send=hello\r' \
		'expect=Hello from the Guest' 'send=\x03\x03\x03' signal=INT \
		cooked -- lguest $G shell
	lg_case tty-sigint 0 "" -- ptyrun 'expect=guest> ' raw kill=INT \
		signal=INT cooked -- lguest $G shell
	lg_case tty-sigterm 0 "" -- ptyrun 'expect=guest> ' raw kill=TERM \
		signal=TERM cooked -- lguest $G shell
	lg_case tty-guest-killed 0 "Guest killed" -- ptyrun 'expect=guest> ' \
		raw 'send=claim 2\r' exit=70 cooked -- lguest $G shell
	lg_group=
}

# lg_shell_checks: the shell's free-page check names a command that kept
# pages (and only that one); help lists the tests' commands too.
lg_shell_checks()
{
	lg_case shell-page-check 0 "^mm: ok" "^leak: done" \
		"^shell: leak: [0-9]+ free pages before, [0-9]+ after" \
		"^  leak N: keep N pages" -- sh -c \
		"printf 'mm\nleak 2\nmm\nhelp\n' | lguest $G shell"
	lg_wanted shell-page-check || return 0
	n=$(grep -c 'free pages before' $OUT)
	if [ "$n" = 1 ]; then lg_result shell-page-check-once PASS ""; else
		lg_result shell-page-check-once FAIL "$n reports"; fi
}

# lg_memory: the Guest's heap, and its own page tables (chapter 2) on the
# Host's shadow paging (chapter 5): map/unmap/remap, demand paging, two
# address spaces, accessed and dirty bits.  Needs debugfs for the Host's counters.
lg_memory()
{
	lg_group=memory
	lg_case heap 0 "^heap: 7 sizes, 64 chunks each, 36 pages held, ok$" \
		-- lguest $G heap
	lg_case mm 0 "^mm: ok" -- lguest $G mm
	lg_case demand-48 0 "^demand: 48 MiB, 12288 faults, ok" \
		-- lguest --memory 64 $G demand 48
	f0=$(cat /sys/kernel/debug/lguest/shadow_faults)
	lg_case aspace-10000 0 "^aspace: 10000 switches, ok" -- lguest $G aspace 10000
	f1=$(cat /sys/kernel/debug/lguest/shadow_faults)
	# Without the cache of shadow roots every switch would refault the
	# code, stack and data pages: tens of thousands of faults.
	if ! lg_wanted aspace-cached; then :
	elif [ $((f1 - f0)) -lt 2000 ]; then
		lg_result aspace-cached PASS "$((f1 - f0)) shadow faults"
	else
		lg_result aspace-cached FAIL "$((f1 - f0)) shadow faults"
	fi
	lg_case dirty 0 "^dirty: ok" -- lguest $G dirty
	lg_group=
}

# ---- Chapter 7's attacks: the hostile Guest and the /dev/lguest misuser --

# lg_fuzz_oracle WHAT: after a batch of runs, with no Guest running: a
# clean kernel log since the batch began, no shadow tables or pins left,
# pins acquired = released, and lg.ko unloads and loads again.
lg_fuzz_oracle()
{
	ok=0
	bad=$(dmesg | tail -n +$((fuzz_mark + 1)) |
		grep -E 'BUG|WARNING|Oops|general protection|rcu.*stall|soft lockup' | head -n 3)
	[ -z "$bad" ] || { echo "LGFUZZ-HOST fault $1: $bad"; ok=1; }
	dmesg | tail -n +$((fuzz_mark + 1)) | grep -E 'segfault' | head -n 3 |
		sed "s/^/LGFUZZ-NOTE $1: /"
	tables=$(lg_pt_stat shadow_tables) pins=$(lg_pt_stat pinned_pages)
	echo 1 > /proc/sys/vm/stat_refresh
	acq=$(awk '/^nr_foll_pin_acquired/ { print $2 }' /proc/vmstat)
	rel=$(awk '/^nr_foll_pin_released/ { print $2 }' /proc/vmstat)
	if [ "$tables" != 0 ] || [ "$pins" != 0 ] || [ "$acq" != "$rel" ]; then
		echo "LGFUZZ-HOST leak $(( ${pins:-1} + ${acq:-0} - ${rel:-0} )) $1: tables=$tables pins=$pins acquired=$acq released=$rel"
		ok=1
	fi
	echo "LGFUZZ-PINS $acq $rel"
	if ! rmmod lg || ! insmod $LG_DIR/lg.ko; then
		echo "LGFUZZ-HOST fault $1: rmmod/insmod of lg.ko failed"
		ok=1
	fi
	fuzz_mark=$(dmesg | wc -l)
	return $ok
}

# lg_fuzz RUNS FAMILY FIRST-SEED: RUNS attacks in batches of
# LG_FUZZ_BATCH, the oracle after each; lg.ko must be loaded.  Returns 1
# if a run or an oracle failed.
lg_fuzz()
{
	runs=$1 fam=$2 seed=$3 batch=${LG_FUZZ_BATCH:-500}
	fuzz_done=0 fuzz_bad=0 fuzz_mark=$(dmesg | wc -l)
	while [ $fuzz_done -lt "$runs" ]; do
		n=$((runs - fuzz_done))
		[ $n -gt "$batch" ] && n=$batch
		lgfuzz -j "${LG_FUZZ_JOBS:-1}" "$fam" $((seed + fuzz_done)) $n ||
			fuzz_bad=1
		lg_fuzz_oracle "batch $fam $((seed + fuzz_done)) $n" || fuzz_bad=1
		fuzz_done=$((fuzz_done + n))
	done
	return $fuzz_bad
}

# make fuzz: lgfuzz=RUNS,FAMILY,SEED,JOBS on the kernel command line.
lg_run_fuzz()
{
	set -- $(sed -n 's/.*lgfuzz=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
	LG_FUZZ_JOBS=${4:-1}
	lg_load
	t0=$(cut -d. -f1 /proc/uptime)
	lg_fuzz "${1:-10000}" "${2:-all}" "${3:-1}"
	echo "LGFUZZ-TIME $(($(cut -d. -f1 /proc/uptime) - t0))"
	lg_check_dmesg
	lg_unload
}

# The CI subset of make test: LG_FUZZ_CI runs, and the misuse suite.
lg_attacks()
{
	lg_wanted fuzz || { lg_misuse; return; }
	t0=$(cut -d. -f1 /proc/uptime)
	if lg_fuzz "${LG_FUZZ_CI:-1100}" all 1 > /tmp/fuzz.out 2>&1; then
		lg_result fuzz PASS "${LG_FUZZ_CI:-1100} runs in $(($(cut -d. -f1 /proc/uptime) - t0)) s, $(grep LGFUZZ-PINS /tmp/fuzz.out | tail -n 1)"
	else
		grep -E 'LGFUZZ-(FAIL|HOST)' /tmp/fuzz.out | head -n 5
		lg_result fuzz FAIL "$(grep -E 'LGFUZZ-(FAIL|HOST)' /tmp/fuzz.out | head -n 3 | tr '\n' ' ')"
	fi
	cat /tmp/fuzz.out
	lg_misuse
}

# The /dev/lguest misuse suite (tests/qemu/host/lgmisuse.c), then the
# oracle: the Host must be clean after it.
lg_misuse()
{
	lg_wanted misuse-host-clean || return 0
	fuzz_mark=$(dmesg | wc -l)
	lgmisuse
	if lg_fuzz_oracle misuse > /tmp/misuse.out 2>&1; then
		lg_result misuse-host-clean PASS "$(grep LGFUZZ-PINS /tmp/misuse.out)"
	else
		lg_result misuse-host-clean FAIL "$(grep LGFUZZ-HOST /tmp/misuse.out | tr '\n' ' ')"
	fi
}
