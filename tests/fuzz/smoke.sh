#!/bin/sh
# Short fuzzing run of every target (a smoke test, TAP for automake): each target runs for
# FUZZ_SECONDS (default 15) from its seed corpus in tests/fuzz/corpus/NAME, copied to a
# temporary directory so the source tree is never written. A crash, leak or sanitizer report
# fails the test and leaves the reproducer in tests/fuzz/crashes/.
#
# Longer runs: tests/fuzz/fuzz_unitfile -max_total_time=3600 DIR tests/fuzz/corpus/unitfile
set -u
srcdir=${srcdir:-.}
builddir=${CINIT_BUILDDIR:-.}
seconds=${FUZZ_SECONDS:-15}
targets="unitfile execline values"

set -- $targets
echo "1..$#"
i=0
status=0
for name in $targets; do
	i=$((i + 1))
	bin="$builddir/tests/fuzz/fuzz_$name"
	work=$(mktemp -d)
	cp "$srcdir/tests/fuzz/corpus/$name/"* "$work/" 2>/dev/null
	mkdir -p "$builddir/tests/fuzz/crashes"
	if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$builddir/tests/fuzz/crashes/$name-" "$work" >"$work.log" 2>&1; then
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work.log")
		echo "ok $i - fuzz_$name: ${runs:-?} inputs in ${seconds}s, no crash, leak or UB"
	else
		echo "not ok $i - fuzz_$name: see below"
		sed 's/^/# /' "$work.log" | tail -n 40
		status=1
	fi
	rm -rf "$work" "$work.log"
done
exit $status
