# play.sh: what make run and make shell do inside the Host, sourced by /init.
# make run: a Guest's shell (or the command CMD names) on the console;
# make shell: a root shell in the Host.  Input comes from the reader's
# terminal (lgtty=1 on the kernel command line), or from /lg/input, which
# tools/run-qemu packs into the initramfs when its own stdin is not one.

# The Guest's command: lgcmd="..." on the kernel command line, or shell.
lg_play_cmd()
{
	cmd=$(sed -n 's/.*lgcmd="\([^"]*\)".*/\1/p' /proc/cmdline)
	echo "${cmd:-shell}"
}

# Where the Guest's (or the Host shell's) input comes from.
lg_play_input()
{
	if [ -e /lg/input ]; then echo /lg/input
	elif grep -q 'lgtty=1' /proc/cmdline; then echo /dev/console
	else echo /dev/null; fi
}

# make run: one Guest, with a 4 MiB disk; its exit code is QEMU's.
lg_play_run()
{
	insmod /lg/lg.ko || return 69
	dd if=/dev/zero of=/lg/disk.img bs=1M count=4 2>/dev/null
	in=$(lg_play_input)
	[ "$in" = /dev/console ] && echo "The Guest's shell: type help.  exit N or Ctrl-D leaves; three Ctrl-C stop a busy Guest; Ctrl-A X quits QEMU."
	lguest --block /lg/disk.img /lg/guest.elf $(lg_play_cmd) < "$in"
}

# The banner of make shell: what to try.
lg_play_banner()
{
	cat <<'BANNER'
A root shell in the Host: Linux 6.1 with lg.ko loaded; everything is in /lg.
  lguest /lg/guest.elf shell                   a Guest's shell (help lists its commands)
  lguest --block /lg/disk.img /lg/guest.elf blk-id      a Guest with a disk
  lguest /lg/guest.elf ticks 500 100 & lguest /lg/guest.elf demand 8 & wait
                                               two Guests at once
  grep . /sys/kernel/debug/lguest/*            the Host's shadow-paging counters
  dmesg | tail                                 the Host's log
  poweroff                                     leave QEMU (Ctrl-A X works too)
BANNER
}

# make shell: a root shell in the Host, the module loaded, a sample disk.
lg_play_shell()
{
	insmod /lg/lg.ko || return 69
	dd if=/dev/zero of=/lg/disk.img bs=1M count=4 2>/dev/null
	echo 'poweroff() { exit "${1:-0}"; }' > /lg/profile
	lg_play_banner
	cd /lg || return 1
	in=$(lg_play_input)
	case $in in
	/dev/console) ENV=/lg/profile setsid cttyhack sh -i ;;
	/lg/input) ENV=/lg/profile sh -v /lg/input < /dev/null ;;
	*) true ;;
	esac
}

# Leave QEMU with status @1: 0 by powering off, others by isa-debug-exit,
# which makes QEMU exit with (value << 1) | 1 (tools/run-qemu undoes it).
lg_play_exit()
{
	echo "lguest exit code $1"
	[ "$1" = 0 ] || printf "$(printf '\\%03o' $(($1 & 127)))" |
		dd of=/dev/port bs=1 seek=244 2>/dev/null
	poweroff -f
}
