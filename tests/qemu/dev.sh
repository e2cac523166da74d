c() { awk -v row="$1" '$1 == row { print $3 }' /proc/interrupts; }
taskset -c 1 lguest $G spin 8 > /tmp/spin.out 2>&1 &
pid=$!
sleep 1
r0=$(c RES:) c0=$(c CAL:) l0=$(c LOC:)
for i in $(seq 20); do taskset -c 1 true; done
echo "taskset true: RES $(($(c RES:)-r0)) CAL $(($(c CAL:)-c0)) LOC $(($(c LOC:)-l0))"
r0=$(c RES:) c0=$(c CAL:)
for i in $(seq 5); do echo 3 > /proc/sys/vm/drop_caches; done
echo "drop_caches: RES $(($(c RES:)-r0)) CAL $(($(c CAL:)-c0))"
r0=$(c RES:) c0=$(c CAL:)
for i in $(seq 10); do taskset -p -c 0 $pid >/dev/null; taskset -p -c 1 $pid > /dev/null; done
echo "migrate: RES $(($(c RES:)-r0)) CAL $(($(c CAL:)-c0))"
r0=$(c RES:) c0=$(c CAL:)
mkfifo /tmp/f; (taskset -c 1 cat /tmp/f > /dev/null &) ; sleep 0.2; for i in $(seq 20); do echo x; sleep 0.01; done > /tmp/f
echo "fifo: RES $(($(c RES:)-r0)) CAL $(($(c CAL:)-c0))"
wait $pid; echo rc=$?; cat /tmp/spin.out
sh -c "lguest $G idle 5 > /tmp/o 2>&1; echo rc=\$? >> /tmp/o; cat /proc/\$\$/stat >> /tmp/o"; cat /tmp/o
