#!/bin/sh
# init.sh: /init of the test initramfs: loads lg.ko, runs the scenarios named on the kernel command line.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs none /sys/kernel/debug
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts	# for ptyrun and the Host shell
export PATH=/bin:/lg
mode=$(sed -n 's/.*lgmode=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "LGBOOT mode=${mode:-none} cpus=$(nproc) la57=$(grep -c la57 /proc/cpuinfo)"
echo "LGBOOT $(grep -m1 vendor_id /proc/cpuinfo | tr -d '\t'); $(grep -m1 ^bugs /proc/cpuinfo | tr -d '\t')"
echo "LGBOOT $(dmesg | grep -o 'page tables isolation: .*' || echo 'PTI off')"
# lgonly=a,b,c: run only these scenarios (make scenarios ONLY="a b c")
LG_ONLY=$(sed -n 's/.*lgonly=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
. /lg/scenarios.sh
. /lg/play.sh
case "$mode" in
run)	lg_play_run; lg_play_exit $? ;;
shell)	lg_play_shell; lg_play_exit $? ;;
bench)	lg_run_bench ;;
nmi)	lg_run_nmi_stress ;;
irq)	lg_load; lg_interrupts; lg_check_dmesg; lg_unload ;;
devices) lg_load; lg_devices; lg_check_dmesg; lg_unload ;;
memory)	lg_load; lg_memory; lg_check_dmesg; lg_unload ;;
shadow)	lg_load; lg_shadow; lg_check_dmesg; lg_unload ;;
fuzz)	lg_run_fuzz ;;
misuse)	lg_load; lg_misuse; lg_check_dmesg; lg_unload ;;
exercises) . /lg/exercises.sh; lg_run_exercises ;;	# make check-exercises
dev)	lg_load; . /lg/dev.sh; lg_check_dmesg; lg_unload ;;	# your own dev.sh
*)	lg_run_tests ;;
esac
echo "LGDONE"
poweroff -f
