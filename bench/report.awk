# bench/report.awk: the markdown table of bench/run, from its data.tsv (NAME TAB KEY TAB VALUE).
# Variables: inits ("name=path ..." in row order), zombies, idle, latn, hfruns, hfwarm, bruns.
# Every column is lower-is-better; a cell is the value and its ratio to the best peer.

BEGIN {
	FS = "\t"
	ninit = split(inits, row, " ")
	for (i = 1; i <= ninit; i++)
		sub(/=.*/, "", row[i])

	# key | header | decimals | ratio basis: "peer" (best peer), "static" (best static
	# peer: a dynamic binary's size leaves out its libc), "" (no ratio)
	ncol = split("link|linkage|0|;" \
		"size_kib|binary KiB|1|static;" \
		"ovh_med_ms|start overhead median ms|3|peer;" \
		"ovh_min_ms|start overhead min ms|3|peer;" \
		"ns_rss_kb|VmRSS kB (PID 1)|0|peer;" \
		"ns_hwm_kb|VmHWM kB (PID 1)|0|peer;" \
		"ns_anon_kb|RssAnon kB (PID 1)|0|peer;" \
		"rss_kb|VmRSS kB (not PID 1)|0|peer;" \
		"hwm_kb|VmHWM kB (not PID 1)|0|peer;" \
		"anon_kb|RssAnon kB (not PID 1)|0|peer;" \
		"drain_med_ms|backlog drain median ms|1|peer;" \
		"drain_min_ms|backlog drain min ms|1|peer;" \
		"cpu_med_ms|drain CPU median ms|1|peer;" \
		"syscalls|drain syscalls (strace)|0|peer;" \
		"reap_calls|of which wait*|0|;" \
		"lat_med_us|SIGTERM fwd median µs|1|peer;" \
		"lat_min_us|SIGTERM fwd min µs|1|peer;" \
		"lat_added_us|added over direct (median) µs|1|peer;" \
		"idle|idle wakeups / " idle " s|0|peer", spec, ";")
	for (c = 1; c <= ncol; c++) {
		split(spec[c], f, "|")
		key[c] = f[1]; head[c] = f[2]; digits[c] = f[3]; basis[c] = f[4]
		col[f[1]] = c
	}
}

{ val[$1, $2] = $3; have[$1, $2] = 1; if ($2 == "syscalls") strace = 1 }

function known(name, k) { return ((name, k) in have) && have[name, k] }

function is_peer(name) { return name != "cinit" }

# Best (lowest) value of column c among the peers, or "" if none.
function best(c,    i, name, b) {
	b = ""
	for (i = 1; i <= ninit; i++) {
		name = row[i]
		if (!is_peer(name) || !known(name, key[c]))
			continue
		if (basis[c] == "static" && val[name, "link"] != "static")
			continue
		if (b == "" || val[name, key[c]] + 0 < b + 0)
			b = val[name, key[c]]
	}
	return b
}

function cell(name, c,    v, b) {
	if (!known(name, key[c]))
		return "n/a"
	v = val[name, key[c]]
	if (digits[c] == "0" && key[c] == "link")
		return v
	v = sprintf("%." digits[c] "f", v)
	if (basis[c] == "")
		return v
	b = best(c)
	if (b == "" || b + 0 <= 0 || v + 0 < 0)
		return v " (×—)"
	return sprintf("%s (×%.2f)", v, v / b)
}

function verdict(ok) { return ok ? "met" : "**not met**" }

END {
	# Derived columns.
	for (i = 1; i <= ninit; i++) {
		name = row[i]
		if (known(name, "lat_med_us") && known("direct", "lat_med_us")) {
			val[name, "lat_added_us"] = val[name, "lat_med_us"] - val["direct", "lat_med_us"]
			have[name, "lat_added_us"] = 1
		}
		if (known(name, "idle_vol")) {
			val[name, "idle"] = val[name, "idle_vol"] + val[name, "idle_nonvol"]
			have[name, "idle"] = 1
		}
	}

	print "Goals for cinit: start overhead ≤ best peer, RSS ≤ catatonit, binary ≤ tini-static, " \
		"backlog drain ≤ best peer, forwarding latency ≤ best peer, 0 idle wakeups."
	print ""
	print "Cells are `value (×ratio)`, the ratio being value / best peer in that column " \
		"(lower is better everywhere; binary size against the best *static* peer)."
	print ""
	line = "| init |"; sep = "|---|"
	for (c = 1; c <= ncol; c++) {
		line = line " " head[c] " |"
		sep = sep (c == 1 ? "---|" : "---:|")
	}
	print line
	print sep
	for (i = 1; i <= ninit; i++) {
		line = "| " row[i] " |"
		for (c = 1; c <= ncol; c++)
			line = line " " cell(row[i], c) " |"
		print line
	}
	print ""

	# Baselines and method, so that the table can be read on its own.
	if (known("true", "true_med_ms"))
		printf "- Start overhead: hyperfine -N, %d runs after %d warm-ups, all in one invocation; " \
			"overhead = init - `/bin/true` (median %.3f ms, min %.3f ms).\n", hfruns, hfwarm,
			val["true", "true_med_ms"], val["true", "true_min_ms"]
	print "- Memory: /proc/PID/status of `X -- sleep 2` at 1 s, as PID 1 of a new PID " \
		"namespace and not."
	printf "- Backlog: %d orphaned zombies under the stopped init (PID 1 of a new PID " \
		"namespace), time from SIGCONT until only the generator is left, %d runs " \
		"round-robin across inits; CPU from /proc/PID/schedstat%s.\n", zombies, bruns,
		strace ? "; syscalls from one separate run under `strace -c -f`" : ""
	if (known("direct", "lat_med_us"))
		printf "- SIGTERM forwarding: %d signals to the init (PID 1 of a new PID namespace), " \
			"2 ms apart, in round-robin rounds across inits, until the child's handler " \
			"reads CLOCK_MONOTONIC; direct to the child: median %.1f µs, min %.1f µs.\n",
			latn, val["direct", "lat_med_us"], val["direct", "lat_min_us"]
	printf "- Idle: voluntary + nonvoluntary context switches of `X -- sleep` (PID 1 of a new " \
		"PID namespace) over %d s, all inits at once.\n", idle

	# The verdict for cinit.
	if (!known("cinit", "size_kib"))
		exit
	print ""
	print "cinit against the goals:"
	if (known("cinit", "ovh_med_ms") && (b = best(col["ovh_med_ms"])) != "")
		printf "- start overhead %.3f ms vs best peer %.3f ms: %s\n", val["cinit", "ovh_med_ms"], b,
			verdict(val["cinit", "ovh_med_ms"] <= b)
	if (known("cinit", "ns_rss_kb") && known("catatonit", "ns_rss_kb"))
		printf "- VmRSS as PID 1 %d kB vs catatonit %d kB: %s\n", val["cinit", "ns_rss_kb"],
			val["catatonit", "ns_rss_kb"],
			verdict(val["cinit", "ns_rss_kb"] <= val["catatonit", "ns_rss_kb"])
	if (known("tini-static", "size_kib"))
		printf "- binary %.1f KiB vs tini-static %.1f KiB: %s\n", val["cinit", "size_kib"],
			val["tini-static", "size_kib"],
			verdict(val["cinit", "size_kib"] <= val["tini-static", "size_kib"])
	if (known("cinit", "drain_med_ms") && (b = best(col["drain_med_ms"])) != "")
		printf "- backlog drain %.1f ms vs best peer %.1f ms: %s\n", val["cinit", "drain_med_ms"], b,
			verdict(val["cinit", "drain_med_ms"] <= b)
	if (known("cinit", "lat_med_us") && (b = best(col["lat_med_us"])) != "")
		printf "- SIGTERM forwarding %.1f µs vs best peer %.1f µs: %s\n", val["cinit", "lat_med_us"], b,
			verdict(val["cinit", "lat_med_us"] <= b)
	if (known("cinit", "idle"))
		printf "- idle wakeups %d in %d s: %s\n", val["cinit", "idle"], idle,
			verdict(val["cinit", "idle"] == 0)
}
