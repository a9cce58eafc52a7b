#!/bin/sh
# check-layers.sh - nothing includes upwards.  Layers, top to bottom:
#   main.c, cli/  ->  box/  ->  runtime/, spec/  ->  linux/  ->  oci/, util/
# Prints "layers: N passed, N failed" (one check per source file).
cd "$(dirname "$0")/../src" || exit 1
rank() {
	case $1 in
	main.c | cli/*) echo 5 ;;
	box/*) echo 4 ;;
	runtime/* | spec/*) echo 3 ;;
	linux/*) echo 2 ;;
	oci/* | util/*) echo 1 ;;
	*) echo 0 ;;
	esac
}
pass=0 fail=0
for f in $(find . -name '*.[ch]' | sed 's|^\./||' | sort); do
	me=$(rank "$f")
	bad=""
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		[ -e "$inc" ] || continue
		[ "$(rank "$inc")" -gt "$me" ] && bad="$bad $inc"
	done
	if [ -n "$bad" ]; then
		echo "FAIL layers: $f includes upwards:$bad"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
