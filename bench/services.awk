# bench/services.awk: the tables of bench/services, from services.tsv (NAME TAB ROUND TAB KEY
# TAB VALUE, one line per figure per round). Variables: sups ("name=path ..." in row order),
# n (services), rounds, idle (ms), poll (1 if "all running" was polled from /proc).
# Every figure is lower-is-better; cells are the median over the rounds, (min) for times.

BEGIN {
	FS = "\t"
	nsup = split(sups, row, " ")
	for (i = 1; i <= nsup; i++)
		sub(/=.*/, "", row[i])

	# key | header | decimals | show the minimum too
	ncol = split("start_ms|all " n " running, ms|0|1;" \
		(poll == 1 ? "start_fifo_ms|all exec'd (FIFO), ms|0|1;" : "") \
		"notify_ms|cinit READY=1, ms|0|1;" \
		"start_cpu_ms|CPU to start, ms|0|0;" \
		"stop_ms|all stopped, ms|0|1;" \
		"stop_cpu_ms|CPU to stop, ms|0|0;" \
		"pss_per_service_kib|PSS per service, KiB|2|0;" \
		"pss_kib|PSS total, KiB|0|0;" \
		"rss_kib|RSS total, KiB|0|0;" \
		"pte_kib|page tables, KiB|0|0;" \
		"supervisor_procs|supervisor processes|0|0;" \
		"idle_wakeups_per_s|idle wakeups / s|2|0", spec, ";")
	for (c = 1; c <= ncol; c++) {
		split(spec[c], f, "|")
		key[c] = f[1]; head[c] = f[2]; digits[c] = f[3]; showmin[c] = f[4]
	}
	# The ratios cinit / peer, and the goals, over these:
	nratio = split("start_ms start_cpu_ms stop_ms stop_cpu_ms pss_per_service_kib " \
		"idle_wakeups_per_s", ratio_key, " ")
}

{ k = $1 SUBSEP $3; cnt[k]++; v[k, cnt[k]] = $4 + 0; seen[$1] = 1 }

function sort_values(k, m,    i, j, t) {
	for (i = 1; i <= m; i++)
		s[i] = v[k, i]
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && s[j - 1] > s[j]; j--) {
			t = s[j]; s[j] = s[j - 1]; s[j - 1] = t
		}
}

function median(name, k,    m) {
	k = name SUBSEP k
	m = cnt[k]
	if (!m)
		return ""
	sort_values(k, m)
	return m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
}

function minimum(name, k,    m) {
	k = name SUBSEP k
	m = cnt[k]
	if (!m)
		return ""
	sort_values(k, m)
	return s[1]
}

function fmt(x, d) {
	return x == "" ? "—" : sprintf("%." d "f", x)
}

function label(name) {
	if (name == "s6")
		return "s6-svscan"
	return name
}

END {
	line = "| supervisor | rounds |"
	sep = "|---|---:|"
	for (c = 1; c <= ncol; c++) {
		line = line " " head[c] (showmin[c] ? " median (min)" : "") " |"
		sep = sep "---:|"
	}
	print line
	print sep
	for (r = 1; r <= nsup; r++) {
		name = row[r]
		if (!seen[name]) {
			printf "| %s | 0 |", label(name)
			for (c = 1; c <= ncol; c++)
				printf " — |"
			print ""
			continue
		}
		printf "| %s | %d |", label(name), cnt[name, "stop_ms"]
		for (c = 1; c <= ncol; c++) {
			med = median(name, key[c])
			cell = fmt(med, digits[c])
			if (showmin[c] && med != "")
				cell = cell " (" fmt(minimum(name, key[c]), digits[c]) ")"
			printf " %s |", cell
		}
		print ""
	}
	print ""
	print "- " n " services per supervisor, each `payload`: a static program that writes one byte " \
		"to a FIFO and then pause()s; the same binary for all three."
	print "- All running: from fork() of the supervisor until the " n "th payload has " \
		(poll == 1 ? "been seen in a 50 ms poll of /proc (the FIFO time is the column after)" \
		: "reported its exec on the FIFO") \
		"; checked against /proc: exactly " n " payload processes below the supervisor. " \
		"cinit's READY=1 (sent once every unit has started; Type=simple counts a fork) " \
		"is timed separately."
	print "- All stopped: from SIGTERM to the supervisor until it and every process of its " \
		"tree have exited (pidfds). CPU: on-CPU time of the whole tree, payloads included."
	print "- Memory: Pss/Rss (smaps_rollup) and VmPTE of the supervisor's own processes " \
		"(everything below it that is not a payload), taken after a " idle " ms idle window " \
		"over which the wakeups (context switches) are counted."
	print "- " rounds " rounds, each running every supervisor in turn; medians over the rounds."

	if (!seen["cinit"])
		exit 0
	print ""
	print "cinit ÷ peer (medians; below 1 = cinit better):"
	print ""
	line = "| peer |"
	sep = "|---|"
	for (j = 1; j <= nratio; j++)
		for (c = 1; c <= ncol; c++)
			if (key[c] == ratio_key[j]) {
				line = line " " head[c] " |"
				sep = sep "---:|"
			}
	print line
	print sep
	for (r = 1; r <= nsup; r++) {
		name = row[r]
		if (name == "cinit" || !seen[name])
			continue
		printf "| %s |", label(name)
		for (j = 1; j <= nratio; j++) {
			a = median("cinit", ratio_key[j])
			b = median(name, ratio_key[j])
			if (a == "" || b == "")
				printf " — |"
			else if (b == 0)
				printf " %s |", (a == 0 ? "= (both 0)" : "— (peer 0)")
			else
				printf " ×%.2f |", a / b
		}
		print ""
	}
	print ""
	print "cinit against the goals:"
	split("start_ms|start faster than both|ms;stop_ms|stop faster than both|ms;" \
		"pss_per_service_kib|less memory (PSS) per service than both|KiB", goal, ";")
	for (g = 1; g <= 3; g++) {
		split(goal[g], f, "|")
		unit = " " f[3]
		a = median("cinit", f[1])
		met = a != ""
		worst = ""
		for (r = 1; r <= nsup; r++) {
			name = row[r]
			if (name == "cinit" || !seen[name])
				continue
			b = median(name, f[1])
			if (a == "" || b == "" || a >= b)
				met = 0
			worst = worst (worst == "" ? "" : ", ") label(name) " " fmt(b, 1) unit
		}
		printf "- %s: cinit %s vs %s: %s\n", f[2], fmt(a, 1) (a == "" ? "" : unit), worst, \
			(met ? "met" : "**not met**")
	}
}
