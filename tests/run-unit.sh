#!/bin/sh
# run-unit.sh BIN... - run unit test binaries; each prints "ok"/"FAIL" lines
# and a final "unit: N passed, N failed" line.  Totals across binaries.
pass=0 fail=0
for b in "$@"; do
	out=$("$b" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^unit:'
	p=$(printf '%s\n' "$out" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		echo "FAIL $b (exit $rc, no summary)"
		fail=$((fail + 1))
		continue
	fi
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
