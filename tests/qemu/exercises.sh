# exercises.sh: make check-exercises inside the Host, sourced by /init.
# Each /ex/NN-NAME holds one answer key's programs (those its patch
# changed; the others are linked from /lg), the scenarios to run (file
# "only", as for make scenarios ONLY=), or Host commands to run instead
# (file "run").  Each variant loads its own lg.ko and unloads it.
lg_run_exercises()
{
	for d in /ex/*; do
		[ -d "$d" ] || continue
		for f in /lg/*; do [ -e "$d/${f##*/}" ] || ln -s "$f" "$d/"; done
		rmmod lg 2>/dev/null
		dmesg -c > /dev/null	# each variant's dmesg check is its own
		echo "LGEX begin ${d#/ex/[0-9][0-9]-}"
		(
			LG_DIR=$d PATH=/bin:$d LG_TIMEOUT=60
			LG_ONLY=$(cat "$d/only" 2>/dev/null)
			. "$d/scenarios.sh"
			if [ -e "$d/run" ]; then
				lg_load; . "$d/run"; lg_check_dmesg; lg_unload
			else
				lg_run_tests
			fi
		)
		echo "LGEX end ${d#/ex/[0-9][0-9]-}"
	done
}
