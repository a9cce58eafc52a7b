#!/bin/bash
# fuzz.sh [SECONDS] - the libFuzzer harnesses of fuzz/ (built by `make
# fuzz` into $FUZZ_BUILD, default ../build-fuzz): for each, every input of
# fuzz/corpus/NAME/ once (seeds and regression inputs), then SECONDS
# (default 10) of fuzzing from them, one process, ASan + UBSan + leak
# checks.  New inputs go to $FUZZ_BUILD/corpus/NAME/ (not the committed
# corpus), a crashing input to $FUZZ_BUILD/crashes/.  Prints one line per
# harness and "fuzz: N passed, N failed" (two checks per harness).
cd "$(dirname "$0")/.." || exit 1
secs=${1:-10}
fb=${FUZZ_BUILD:-build-fuzz}
pass=0 fail=0
names=$(for f in fuzz/fuzz_*.c; do f=${f#fuzz/fuzz_}; echo "${f%.c}"; done)
mkdir -p "$fb/crashes"
log=$(mktemp)
# the harnesses' temporary files (fuzz_unpack's trees), gone even after a
# crash (chmod: an unpacked directory may have no permissions)
export TMPDIR
TMPDIR=$(mktemp -d)
trap 'chmod -R u+rwx "$TMPDIR" 2>/dev/null; rm -rf "$TMPDIR" "$log"' EXIT
# -rss_limit_mb: well below the machine; -timeout: an input taking 10 s
# is a hang; -max_len: the largest seed (a 10 KiB tarball) and some room
opts=(-rss_limit_mb=2048 -timeout=10 -max_len=16384 -print_final_stats=1)
for n in $names; do
	bin=$fb/fuzz_$n
	seeds=fuzz/corpus/$n
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz $n: $bin missing (make fuzz; needs clang)"
		fail=$((fail + 2))
		continue
	fi
	mkdir -p "$fb/corpus/$n"
	# the committed inputs, once each
	if "$bin" "${opts[@]}" -runs=0 -artifact_prefix="$fb/crashes/$n-" "$seeds" >"$log" 2>&1; then
		pass=$((pass + 1))
	else
		echo "FAIL fuzz $n: an input of $seeds fails:"
		grep -E 'ERROR|SUMMARY|assertion|Test unit written|^[a-z]+_[a-z]+: ' "$log" | head -20
		fail=$((fail + 1))
	fi
	# then fuzzing, for $secs seconds
	if "$bin" "${opts[@]}" -max_total_time="$secs" -artifact_prefix="$fb/crashes/$n-" \
		"$fb/corpus/$n" "$seeds" >"$log" 2>&1; then
		pass=$((pass + 1))
		stats=$(grep -E '^#[0-9]+.*DONE' "$log" | tail -1 | sed -E 's/^#([0-9]+).*cov: ([0-9]+).*corp: ([0-9]+).*/\1 runs, cov \2, corpus \3/')
		echo "ok   fuzz $n: ${secs}s, $stats"
	else
		echo "FAIL fuzz $n: fuzzing found a failure:"
		grep -E 'ERROR|SUMMARY|assertion|Test unit written|recorded config' "$log" | head -20
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
