#include "config.h"

#include "common/values.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Left in the output on failure: a parser must not write its result unless it succeeds. */
#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)
#define PIB (TIB * 1024)
#define EIB (PIB * 1024)

#define SEC   UINT64_C(1000000)
#define MIN   (60 * SEC)
#define HOUR  (60 * MIN)
#define DAY   (24 * HOUR)
#define WEEK  (7 * DAY)
#define MONTH (2629800 * SEC)
#define YEAR  (31557600 * SEC)

#define NANOCPUS UINT64_C(1000000000)

struct u64_case {
	const char *text;
	int r;
	uint64_t value;
};

static const char *errno_name(int r)
{
	switch (r) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -ERANGE:
		return "-ERANGE";
	case -EDOM:
		return "-EDOM";
	default:
		return "other";
	}
}

static void check_u64_cases(const char *parser, int (*parse)(const char *, uint64_t *),
			    const struct u64_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct u64_case *c = &cases[i];
		uint64_t v = SENTINEL;
		int r = parse(c->text, &v);

		cr_expect_eq(r, c->r, "%s(\"%s\") returned %d (%s), expected %d (%s)", parser,
			     c->text, r, errno_name(r), c->r, errno_name(c->r));
		if (c->r == 0)
			cr_expect_eq(v, c->value, "%s(\"%s\") = %" PRIu64 ", expected %" PRIu64,
				     parser, c->text, v, c->value);
		else
			cr_expect_eq(v, SENTINEL, "%s(\"%s\") failed but wrote %" PRIu64, parser,
				     c->text, v);
	}
}

static const struct u64_case size_cases[] = {
	{ "0", 0, 0 },
	{ "512", 0, 512 },
	{ "512b", 0, 512 },
	{ "512B", 0, 512 },
	{ "007", 0, 7 },
	{ "64K", 0, 64 * KIB },
	{ "64k", 0, 64 * KIB },
	{ "64kb", 0, 64 * KIB },
	{ "64KB", 0, 64 * KIB },
	{ "64KiB", 0, 64 * KIB },
	{ "64kib", 0, 64 * KIB },
	{ "64ki", 0, 64 * KIB },
	{ "256m", 0, 256 * MIB },
	{ "2MiB", 0, 2 * MIB },
	{ "2MB", 0, 2 * MIB },
	/* One space before the unit, as docker's RAMInBytes. */
	{ "2 M", 0, 2 * MIB },
	{ "2 MiB", 0, 2 * MIB },
	{ "2 b", 0, 2 },
	{ "1G", 0, GIB },
	{ "1g", 0, GIB },
	{ "1.5g", 0, GIB + GIB / 2 },
	{ "1T", 0, TIB },
	{ "1P", 0, PIB },
	{ "1E", 0, EIB },
	{ "1e", 0, EIB },
	/* Fractions are exact and truncated to whole bytes. */
	{ "0.5k", 0, 512 },
	{ ".5k", 0, 512 },
	{ "1.", 0, 1 },
	{ "1.5", 0, 1 },
	{ "0.1k", 0, 102 },
	{ "0.3m", 0, 314572 },
	{ "1.0000000000000000000001k", 0, 1024 },
	{ "1.5E", 0, EIB + EIB / 2 },
	{ "15.9999E", 0, UINT64_C(18446628781559090931) },
	{ "15.99999999999999999999E", 0, UINT64_MAX },
	{ "15E", 0, 15 * EIB },
	{ "16383P", 0, 16383 * PIB },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "000000000000000000000000018446744073709551615", 0, UINT64_MAX },
	{ "infinity", 0, VALUE_INFINITY },
	{ "16E", -ERANGE, 0 },
	{ "17E", -ERANGE, 0 },
	{ "16384P", -ERANGE, 0 },
	{ "16.0E", -ERANGE, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "18446744073709551615.5k", -ERANGE, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
	/* Any leading '-' on a number is "negative", even "-0"; on junk it stays junk. */
	{ "-1", -EDOM, 0 },
	{ "-1k", -EDOM, 0 },
	{ "-0", -EDOM, 0 },
	{ "-99999999999999999999", -EDOM, 0 },
	{ "-x", -EINVAL, 0 },
	{ "--1", -EINVAL, 0 },
	{ "-infinity", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "256q", -EINVAL, 0 },
	{ "m", -EINVAL, 0 },
	{ "k1", -EINVAL, 0 },
	{ ".", -EINVAL, 0 },
	{ ".k", -EINVAL, 0 },
	{ "1.2.3", -EINVAL, 0 },
	{ "1..2", -EINVAL, 0 },
	{ "1e3", -EINVAL, 0 },
	{ "5mx", -EINVAL, 0 },
	{ "1kk", -EINVAL, 0 },
	{ "1ii", -EINVAL, 0 },
	{ "1ib", -EINVAL, 0 },
	{ "1bb", -EINVAL, 0 },
	{ "1kbb", -EINVAL, 0 },
	{ " 5m", -EINVAL, 0 },
	{ "5m ", -EINVAL, 0 },
	{ "5 ", -EINVAL, 0 },
	{ "2  M", -EINVAL, 0 },
	{ "2\tM", -EINVAL, 0 },
	{ "5m\n", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "1,5g", -EINVAL, 0 },
	{ "1_000", -EINVAL, 0 },
	{ "Infinity", -EINVAL, 0 },
	{ "inf", -EINVAL, 0 },
	{ "infinity ", -EINVAL, 0 },
	{ "99999999999999999999x", -EINVAL, 0 },
};

Test(values, parse_size)
{
	check_u64_cases("value_parse_size", value_parse_size, size_cases, ELEMENTSOF(size_cases));
}

static const struct u64_case cpus_cases[] = {
	{ "0", 0, 0 },
	{ "0.0", 0, 0 },
	{ "0.5", 0, NANOCPUS / 2 },
	{ "2", 0, 2 * NANOCPUS },
	{ "1.25", 0, NANOCPUS + NANOCPUS / 4 },
	{ ".5", 0, NANOCPUS / 2 },
	{ "5.", 0, 5 * NANOCPUS },
	{ "0.000000001", 0, 1 },
	{ "1.123456789", 0, 1123456789 },
	{ "64", 0, 64 * NANOCPUS },
	{ "18446744073", 0, UINT64_C(18446744073) * NANOCPUS },
	{ "18446744073.709551615", 0, UINT64_MAX },
	{ "18446744073.709551616", -ERANGE, 0 },
	{ "18446744074", -ERANGE, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
	{ "0.0000000001", -EINVAL, 0 },
	{ "1.1234567890", -EINVAL, 0 },
	{ "-0.5", -EDOM, 0 },
	{ "-1", -EDOM, 0 },
	{ "-x", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ ".", -EINVAL, 0 },
	{ "1e3", -EINVAL, 0 },
	{ "inf", -EINVAL, 0 },
	{ "infinity", -EINVAL, 0 },
	{ "nan", -EINVAL, 0 },
	{ "NaN", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1.2.3", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ "1,5", -EINVAL, 0 },
	{ "0x1", -EINVAL, 0 },
	{ "2cpus", -EINVAL, 0 },
};

Test(values, parse_cpus)
{
	check_u64_cases("value_parse_cpus", value_parse_cpus, cpus_cases, ELEMENTSOF(cpus_cases));
}

static const struct u64_case duration_cases[] = {
	{ "0", 0, 0 },
	{ "0s", 0, 0 },
	/* A bare number is seconds, also as a later component ("1h30" as in systemd). */
	{ "90", 0, 90 * SEC },
	{ "1h30", 0, HOUR + 30 * SEC },
	{ "1 2", 0, 3 * SEC },
	{ "1us", 0, 1 },
	{ "1usec", 0, 1 },
	{ "1\xc2\xb5s", 0, 1 },
	{ "1\xce\xbcs", 0, 1 },
	{ "1ms", 0, 1000 },
	{ "1msec", 0, 1000 },
	{ "1s", 0, SEC },
	{ "1sec", 0, SEC },
	{ "1second", 0, SEC },
	{ "2seconds", 0, 2 * SEC },
	{ "1m", 0, MIN },
	{ "1min", 0, MIN },
	{ "1minute", 0, MIN },
	{ "2minutes", 0, 2 * MIN },
	{ "1h", 0, HOUR },
	{ "1hr", 0, HOUR },
	{ "1hour", 0, HOUR },
	{ "2hours", 0, 2 * HOUR },
	{ "1d", 0, DAY },
	{ "1day", 0, DAY },
	{ "2days", 0, 2 * DAY },
	{ "1w", 0, WEEK },
	{ "1week", 0, WEEK },
	{ "2weeks", 0, 2 * WEEK },
	{ "1M", 0, MONTH },
	{ "1month", 0, MONTH },
	{ "2months", 0, 2 * MONTH },
	{ "1y", 0, YEAR },
	{ "1year", 0, YEAR },
	{ "2years", 0, 2 * YEAR },
	{ "1min 30s", 0, 90 * SEC },
	{ "1min30s", 0, 90 * SEC },
	{ "1h30m", 0, 90 * MIN },
	{ "2h 5min 10s 500ms", 0, 2 * HOUR + 5 * MIN + 10 * SEC + 500000 },
	{ "1h\t30m", 0, 90 * MIN },
	{ "1h  30m", 0, 90 * MIN },
	{ "5 s", 0, 5 * SEC },
	{ "1y 1M 1w 1d 1h 1m 1s 1ms 1us", 0, YEAR + MONTH + WEEK + DAY + HOUR + MIN + SEC + 1001 },
	{ "1.5s", 0, 1500000 },
	{ "0.5ms", 0, 500 },
	{ ".5s", 0, 500000 },
	{ "1h.5m", 0, HOUR + 30 * SEC },
	{ "0.1s", 0, 100000 },
	{ "1.5h", 0, 90 * MIN },
	{ "1.5us", 0, 1 },
	{ "0.0000001s", 0, 0 },
	{ "1.5", 0, 1500000 },
	{ "infinity", 0, VALUE_INFINITY },
	/* UINT64_MAX is "infinity", so the largest finite span is one below. */
	{ "18446744073709551614us", 0, UINT64_MAX - 1 },
	{ "584542y", 0, UINT64_C(584542) * YEAR },
	{ "18446744073709551615us", -ERANGE, 0 },
	{ "18446744073709551614us 1us", -ERANGE, 0 },
	{ "584543y", -ERANGE, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999us", -ERANGE, 0 },
	{ "-1s", -EDOM, 0 },
	{ "-1", -EDOM, 0 },
	{ "1s -1s", -EDOM, 0 },
	{ "-99999999999999999999y", -EDOM, 0 },
	{ "", -EINVAL, 0 },
	{ "5x", -EINVAL, 0 },
	{ "s", -EINVAL, 0 },
	{ "1s s", -EINVAL, 0 },
	{ "1..5s", -EINVAL, 0 },
	{ "1.2.3", -EINVAL, 0 },
	{ "1.5.5s", -EINVAL, 0 },
	{ ".", -EINVAL, 0 },
	{ ".s", -EINVAL, 0 },
	/* Units are case-sensitive, as in systemd. */
	{ "1S", -EINVAL, 0 },
	{ "1H", -EINVAL, 0 },
	{ "1Min", -EINVAL, 0 },
	{ "1mins", -EINVAL, 0 },
	{ "5sx", -EINVAL, 0 },
	{ "1e3s", -EINVAL, 0 },
	{ " 1s", -EINVAL, 0 },
	{ "1s ", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1s\n", -EINVAL, 0 },
	{ "1-1s", -EINVAL, 0 },
	{ "1s-", -EINVAL, 0 },
	{ "- 1s", -EINVAL, 0 },
	{ "--1s", -EINVAL, 0 },
	{ "+1s", -EINVAL, 0 },
	{ "1,5s", -EINVAL, 0 },
	{ "-infinity", -EINVAL, 0 },
	{ "infinity ", -EINVAL, 0 },
	{ "Infinity", -EINVAL, 0 },
	{ "1s infinity", -EINVAL, 0 },
	{ "99999999999999999999x", -EINVAL, 0 },
	{ "1\xc2s", -EINVAL, 0 },
};

Test(values, parse_duration)
{
	check_u64_cases("value_parse_duration", value_parse_duration, duration_cases,
			ELEMENTSOF(duration_cases));
}

struct uint_case {
	const char *text;
	uint64_t min;
	uint64_t max;
	int r;
	uint64_t value;
};

static const struct uint_case uint_cases[] = {
	{ "0", 0, 10, 0, 0 },
	{ "10", 0, 10, 0, 10 },
	{ "007", 0, 10, 0, 7 },
	{ "5", 5, 5, 0, 5 },
	{ "11", 0, 10, -ERANGE, 0 },
	{ "4", 5, 10, -ERANGE, 0 },
	{ "0", 1, 64, -ERANGE, 0 },
	{ "255", 0, 255, 0, 255 },
	{ "256", 0, 255, -ERANGE, 0 },
	{ "18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX },
	{ "18446744073709551616", 0, UINT64_MAX, -ERANGE, 0 },
	{ "99999999999999999999999", 0, UINT64_MAX, -ERANGE, 0 },
	/* A sign on digits is "negative", even "-0". */
	{ "-3", 0, 10, -EDOM, 0 },
	{ "-0", 0, 10, -EDOM, 0 },
	{ "-", 0, 10, -EINVAL, 0 },
	{ "--3", 0, 10, -EINVAL, 0 },
	{ "-3x", 0, 10, -EINVAL, 0 },
	{ "+3", 0, 10, -EINVAL, 0 },
	{ "", 0, 10, -EINVAL, 0 },
	{ " 3", 0, 10, -EINVAL, 0 },
	{ "3 ", 0, 10, -EINVAL, 0 },
	{ "3\n", 0, 10, -EINVAL, 0 },
	{ "3a", 0, 10, -EINVAL, 0 },
	{ "0x1", 0, 10, -EINVAL, 0 },
	{ "1.0", 0, 10, -EINVAL, 0 },
	{ "1e1", 0, 100, -EINVAL, 0 },
	{ "99999999999999999999999x", 0, UINT64_MAX, -EINVAL, 0 },
};

Test(values, parse_uint)
{
	for (size_t i = 0; i < ELEMENTSOF(uint_cases); i++) {
		const struct uint_case *c = &uint_cases[i];
		uint64_t v = SENTINEL;
		int r = value_parse_uint(c->text, c->min, c->max, &v);

		cr_expect_eq(r, c->r,
			     "value_parse_uint(\"%s\", %" PRIu64 ", %" PRIu64
			     ") returned %d (%s), expected %d (%s)",
			     c->text, c->min, c->max, r, errno_name(r), c->r, errno_name(c->r));
		if (c->r == 0)
			cr_expect_eq(v, c->value,
				     "value_parse_uint(\"%s\") = %" PRIu64 ", expected %" PRIu64,
				     c->text, v, c->value);
		else
			cr_expect_eq(v, SENTINEL,
				     "value_parse_uint(\"%s\") failed but wrote %" PRIu64, c->text,
				     v);
	}
}

struct bool_case {
	const char *text;
	int r;
	bool value;
};

static const struct bool_case bool_cases[] = {
	{ "yes", 0, true },	    { "YES", 0, true },
	{ "Yes", 0, true },	    { "no", 0, false },
	{ "NO", 0, false },	    { "true", 0, true },
	{ "TRUE", 0, true },	    { "false", 0, false },
	{ "False", 0, false },	    { "on", 0, true },
	{ "ON", 0, true },	    { "off", 0, false },
	{ "Off", 0, false },	    { "1", 0, true },
	{ "0", 0, false },	    { "", -EINVAL, false },
	{ "y", -EINVAL, false },    { "n", -EINVAL, false },
	{ "t", -EINVAL, false },    { "2", -EINVAL, false },
	{ "01", -EINVAL, false },   { "-1", -EINVAL, false },
	{ "yes ", -EINVAL, false }, { " no", -EINVAL, false },
	{ "yess", -EINVAL, false }, { "enable", -EINVAL, false },
};

Test(values, parse_bool)
{
	for (size_t i = 0; i < ELEMENTSOF(bool_cases); i++) {
		const struct bool_case *c = &bool_cases[i];
		bool v = !c->value;
		int r = value_parse_bool(c->text, &v);

		cr_expect_eq(r, c->r, "value_parse_bool(\"%s\") returned %d (%s), expected %d (%s)",
			     c->text, r, errno_name(r), c->r, errno_name(c->r));
		if (c->r == 0)
			cr_expect_eq(v, c->value, "value_parse_bool(\"%s\") = %d, expected %d",
				     c->text, v, c->value);
		else
			cr_expect_eq(v, !c->value, "value_parse_bool(\"%s\") failed but wrote",
				     c->text);
	}
}

struct signal_case {
	const char *text;
	int r;
	int value;
};

static void check_signal_cases(const struct signal_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct signal_case *c = &cases[i];
		int v = -12345;
		int r = value_parse_signal(c->text, &v);

		cr_expect_eq(r, c->r,
			     "value_parse_signal(\"%s\") returned %d (%s), expected %d (%s)",
			     c->text, r, errno_name(r), c->r, errno_name(c->r));
		if (c->r == 0)
			cr_expect_eq(v, c->value, "value_parse_signal(\"%s\") = %d, expected %d",
				     c->text, v, c->value);
		else
			cr_expect_eq(v, -12345, "value_parse_signal(\"%s\") failed but wrote %d",
				     c->text, v);
	}
}

Test(values, parse_signal_names)
{
	static const struct signal_case cases[] = {
		{ "HUP", 0, SIGHUP },
		{ "INT", 0, SIGINT },
		{ "QUIT", 0, SIGQUIT },
		{ "ILL", 0, SIGILL },
		{ "TRAP", 0, SIGTRAP },
		{ "ABRT", 0, SIGABRT },
		{ "IOT", 0, SIGABRT },
		{ "BUS", 0, SIGBUS },
		{ "FPE", 0, SIGFPE },
		{ "KILL", 0, SIGKILL },
		{ "USR1", 0, SIGUSR1 },
		{ "SEGV", 0, SIGSEGV },
		{ "USR2", 0, SIGUSR2 },
		{ "PIPE", 0, SIGPIPE },
		{ "ALRM", 0, SIGALRM },
		{ "TERM", 0, SIGTERM },
		{ "STKFLT", 0, SIGSTKFLT },
		{ "CHLD", 0, SIGCHLD },
		{ "CLD", 0, SIGCHLD },
		{ "CONT", 0, SIGCONT },
		{ "STOP", 0, SIGSTOP },
		{ "TSTP", 0, SIGTSTP },
		{ "TTIN", 0, SIGTTIN },
		{ "TTOU", 0, SIGTTOU },
		{ "URG", 0, SIGURG },
		{ "XCPU", 0, SIGXCPU },
		{ "XFSZ", 0, SIGXFSZ },
		{ "VTALRM", 0, SIGVTALRM },
		{ "PROF", 0, SIGPROF },
		{ "WINCH", 0, SIGWINCH },
		{ "IO", 0, SIGIO },
		{ "POLL", 0, SIGIO },
		{ "PWR", 0, SIGPWR },
		{ "SYS", 0, SIGSYS },
		{ "SIGTERM", 0, SIGTERM },
		{ "term", 0, SIGTERM },
		{ "sigterm", 0, SIGTERM },
		{ "SigTerm", 0, SIGTERM },
		{ "sigkill", 0, SIGKILL },
		{ "SIGCLD", 0, SIGCHLD },
		{ "SIGWINCH", 0, SIGWINCH },
		{ "15", 0, SIGTERM },
		{ "9", 0, SIGKILL },
		{ "1", 0, 1 },
		{ "01", 0, 1 },
		{ "64", 0, 64 },
		{ "0", -ERANGE, 0 },
		{ "65", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		/* "-1" reads as a negative number, like the other parsers' "-1". */
		{ "-1", -EDOM, 0 },
		{ "-TERM", -EINVAL, 0 },
		{ "+15", -EINVAL, 0 },
		{ "SIGFOO", -EINVAL, 0 },
		{ "SIG", -EINVAL, 0 },
		{ "SIG15", -EINVAL, 0 },
		{ "SIGSIGTERM", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ " 15", -EINVAL, 0 },
		{ "15 ", -EINVAL, 0 },
		{ "TERM ", -EINVAL, 0 },
		{ " TERM", -EINVAL, 0 },
		{ "SIG TERM", -EINVAL, 0 },
		{ "15x", -EINVAL, 0 },
		{ "0x0f", -EINVAL, 0 },
		{ "TER", -EINVAL, 0 },
		{ "TERMS", -EINVAL, 0 },
		{ "UNUSED", -EINVAL, 0 },
	};

	check_signal_cases(cases, ELEMENTSOF(cases));
}

Test(values, parse_signal_realtime)
{
	/* SIGRTMIN is read at run time (34 with glibc, 35 with musl), so this table is not
	 * static. */
	const struct signal_case cases[] = {
		{ "RTMIN", 0, SIGRTMIN },
		{ "SIGRTMIN", 0, SIGRTMIN },
		{ "rtmin", 0, SIGRTMIN },
		{ "RTMIN+0", 0, SIGRTMIN },
		{ "RTMIN+3", 0, SIGRTMIN + 3 },
		{ "SIGRTMIN+3", 0, SIGRTMIN + 3 },
		{ "sigrtmin+3", 0, SIGRTMIN + 3 },
		{ "RTMIN+03", 0, SIGRTMIN + 3 },
		{ "RTMAX", 0, SIGRTMAX },
		{ "SIGRTMAX", 0, SIGRTMAX },
		{ "RTMAX-0", 0, SIGRTMAX },
		{ "RTMAX-1", 0, SIGRTMAX - 1 },
		{ "SIGRTMAX-1", 0, SIGRTMAX - 1 },
		{ "RTMIN+99", -ERANGE, 0 },
		{ "RTMAX-99", -ERANGE, 0 },
		{ "RTMIN+99999999999999999999", -ERANGE, 0 },
		{ "RTMIN-1", -EINVAL, 0 },
		{ "RTMAX+1", -EINVAL, 0 },
		{ "RTMIN+", -EINVAL, 0 },
		{ "RTMAX-", -EINVAL, 0 },
		{ "RTMIN+-1", -EINVAL, 0 },
		{ "RTMAX--1", -EINVAL, 0 },
		{ "RTMIN++1", -EINVAL, 0 },
		{ "RTMIN+1x", -EINVAL, 0 },
		{ "RTMIN 1", -EINVAL, 0 },
		{ "RTMINX", -EINVAL, 0 },
		{ "RT", -EINVAL, 0 },
	};

	check_signal_cases(cases, ELEMENTSOF(cases));
}

Test(values, parse_signal_realtime_bounds)
{
	int span = SIGRTMAX - SIGRTMIN;
	char text[32];
	int sig = 0;

	snprintf(text, sizeof(text), "RTMIN+%d", span);
	cr_expect_eq(value_parse_signal(text, &sig), 0, "value_parse_signal(\"%s\") failed", text);
	cr_expect_eq(sig, SIGRTMAX, "value_parse_signal(\"%s\") = %d, expected %d", text, sig,
		     SIGRTMAX);
	snprintf(text, sizeof(text), "RTMIN+%d", span + 1);
	cr_expect_eq(value_parse_signal(text, &sig), -ERANGE, "value_parse_signal(\"%s\")", text);
	snprintf(text, sizeof(text), "RTMAX-%d", span);
	cr_expect_eq(value_parse_signal(text, &sig), 0, "value_parse_signal(\"%s\") failed", text);
	cr_expect_eq(sig, SIGRTMIN, "value_parse_signal(\"%s\") = %d, expected %d", text, sig,
		     SIGRTMIN);
	snprintf(text, sizeof(text), "RTMAX-%d", span + 1);
	cr_expect_eq(value_parse_signal(text, &sig), -ERANGE, "value_parse_signal(\"%s\")", text);
	snprintf(text, sizeof(text), "%d", _NSIG - 1);
	cr_expect_eq(value_parse_signal(text, &sig), 0, "value_parse_signal(\"%s\") failed", text);
	snprintf(text, sizeof(text), "%d", _NSIG);
	cr_expect_eq(value_parse_signal(text, &sig), -ERANGE, "value_parse_signal(\"%s\")", text);
}

struct signal_name_case {
	int sig;
	const char *name;
};

Test(values, signal_name)
{
	char rtmax[16];
	const struct signal_name_case cases[] = {
		{ SIGTERM, "TERM" },
		{ SIGHUP, "HUP" },
		{ SIGKILL, "KILL" },
		{ SIGABRT, "ABRT" },
		{ SIGCHLD, "CHLD" },
		{ SIGIO, "IO" },
		{ SIGSYS, "SYS" },
		{ SIGWINCH, "WINCH" },
		{ SIGSTKFLT, "STKFLT" },
		{ SIGPWR, "PWR" },
		{ SIGRTMIN, "RTMIN" },
		{ SIGRTMIN + 3, "RTMIN+3" },
		{ SIGRTMAX, rtmax },
		{ 0, "0" },
		{ -1, "-1" },
		{ _NSIG, "65" },
		{ 1000, "1000" },
	};

	snprintf(rtmax, sizeof(rtmax), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char buf[16];
		const char *name = value_signal_name(cases[i].sig, buf, sizeof(buf));

		cr_expect_eq(name, buf, "value_signal_name(%d) did not return buf", cases[i].sig);
		cr_expect_str_eq(buf, cases[i].name,
				 "value_signal_name(%d) = \"%s\", expected \"%s\"", cases[i].sig,
				 buf, cases[i].name);
	}
}

Test(values, signal_name_unknown_below_rtmin)
{
	char buf[16];

	/* glibc keeps 32 and 33 for its threads; they have no name. */
	cr_assert_gt(SIGRTMIN, 32);
	cr_expect_str_eq(value_signal_name(32, buf, sizeof(buf)), "32");
}

Test(values, signal_name_truncates)
{
	char buf[3] = "xx";

	cr_expect_str_eq(value_signal_name(SIGTERM, buf, sizeof(buf)), "TE");
	cr_expect_eq(value_signal_name(SIGTERM, buf, 0), buf);
	cr_expect_str_eq(buf, "TE", "value_signal_name with size 0 wrote into buf");
}

/* Every signal's name reads back as that signal. */
Test(values, signal_name_round_trip)
{
	for (int sig = 1; sig < _NSIG; sig++) {
		char buf[16];
		int back = 0;
		int r;

		value_signal_name(sig, buf, sizeof(buf));
		r = value_parse_signal(buf, &back);
		cr_expect_eq(r, 0, "value_parse_signal(\"%s\") for %d returned %d", buf, sig, r);
		cr_expect_eq(back, sig, "value_parse_signal(\"%s\") = %d, expected %d", buf, back,
			     sig);
	}
}

struct format_case {
	const char *what;
	const char *text;
	enum value_kind kind;
	int r;
	const char *expected;
};

static const struct format_case format_cases[] = {
	{ "--memory", "256q", VALUE_SIZE, -EINVAL, "--memory: \"256q\" is not a size" },
	{ "--cpus", "x", VALUE_CPUS, -EINVAL, "--cpus: \"x\" is not a CPU count" },
	{ "--grace", "5x", VALUE_DURATION, -EINVAL, "--grace: \"5x\" is not a duration" },
	{ "--signal", "SIGFOO", VALUE_SIGNAL, -EINVAL, "--signal: \"SIGFOO\" is not a signal" },
	{ "--verbose", "maybe", VALUE_BOOL, -EINVAL, "--verbose: \"maybe\" is not a boolean" },
	{ "--count", "3a", VALUE_INTEGER, -EINVAL, "--count: \"3a\" is not an integer" },
	{ "-e", "x", VALUE_EXIT_CODE, -EINVAL, "-e: \"x\" is not an exit code" },
	{ "--memory", "17E", VALUE_SIZE, -ERANGE, "--memory: \"17E\" is out of range for a size" },
	{ "--cpus", "1e30", VALUE_CPUS, -ERANGE,
	  "--cpus: \"1e30\" is out of range for a CPU count" },
	{ "--grace", "999999y", VALUE_DURATION, -ERANGE,
	  "--grace: \"999999y\" is out of range for a duration" },
	{ "--signal", "65", VALUE_SIGNAL, -ERANGE,
	  "--signal: \"65\" is out of range for a signal" },
	{ "--verbose", "2", VALUE_BOOL, -ERANGE, "--verbose: \"2\" is out of range for a boolean" },
	{ "--count", "11", VALUE_INTEGER, -ERANGE,
	  "--count: \"11\" is out of range for an integer" },
	{ "-e", "256", VALUE_EXIT_CODE, -ERANGE,
	  "-e: \"256\" is out of range for an exit code (0-255)" },
	{ "--memory", "-1", VALUE_SIZE, -EDOM, "--memory: \"-1\" must not be negative" },
	{ "-e", "-1", VALUE_EXIT_CODE, -EDOM, "-e: \"-1\" must not be negative" },
	{ "unit.conf:12: MemoryMax", "lots", VALUE_SIZE, -EINVAL,
	  "unit.conf:12: MemoryMax: \"lots\" is not a size" },
	{ NULL, "5x", VALUE_DURATION, -EINVAL, "\"5x\" is not a duration" },
	{ "", "5x", VALUE_DURATION, -EINVAL, "\"5x\" is not a duration" },
	{ NULL, "-3", VALUE_INTEGER, -EDOM, "\"-3\" must not be negative" },
	{ "--memory", "", VALUE_SIZE, -EINVAL, "--memory: \"\" is not a size" },
	{ "--memory", NULL, VALUE_SIZE, -EINVAL, "--memory: \"\" is not a size" },
	/* Escaped so that the message is one line and cannot drive the terminal. */
	{ "--memory", "a\nb", VALUE_SIZE, -EINVAL, "--memory: \"a\\x0ab\" is not a size" },
	{ "--memory", "\x1b[31mred", VALUE_SIZE, -EINVAL,
	  "--memory: \"\\x1b[31mred\" is not a size" },
	{ "--memory", "a\tb\r\x7f", VALUE_SIZE, -EINVAL,
	  "--memory: \"a\\x09b\\x0d\\x7f\" is not a size" },
	{ "--memory", "a\"b", VALUE_SIZE, -EINVAL, "--memory: \"a\\\"b\" is not a size" },
	{ "--memory", "a\\b", VALUE_SIZE, -EINVAL, "--memory: \"a\\\\b\" is not a size" },
	{ "--grace", "1\xc2\xb5x", VALUE_DURATION, -EINVAL,
	  "--grace: \"1\\xc2\\xb5x\" is not a duration" },
	/* Text of exactly 64 bytes is kept whole, longer text is cut there. */
	{ "--memory", "0123456789012345678901234567890123456789012345678901234567890123",
	  VALUE_SIZE, -EINVAL,
	  "--memory: \"0123456789012345678901234567890123456789012345678901234567890123\" is not "
	  "a size" },
	{ "--memory", "0123456789012345678901234567890123456789012345678901234567890123456789",
	  VALUE_SIZE, -EINVAL,
	  "--memory: \"0123456789012345678901234567890123456789012345678901234567890123...\" is "
	  "not a size" },
	{ "--memory",
	  "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
	  "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n",
	  VALUE_SIZE, -EINVAL,
	  "--memory: \""
	  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a"
	  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a"
	  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a"
	  "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a"
	  "...\" is not a size" },
	/* An error the parsers do not return still gives a sentence. */
	{ "--memory", "x", VALUE_SIZE, -ENOMEM, "--memory: \"x\" is not a size" },
};

Test(values, format_error)
{
	for (size_t i = 0; i < ELEMENTSOF(format_cases); i++) {
		const struct format_case *c = &format_cases[i];
		char buf[512];
		const char *msg =
			value_format_error(buf, sizeof(buf), c->what, c->text, c->kind, c->r);

		cr_expect_eq(msg, buf, "value_format_error (case %zu) did not return buf", i);
		cr_expect_str_eq(
			buf, c->expected,
			"value_format_error (case %zu, what \"%s\"): got '%s', expected '%s'", i,
			c->what ? c->what : "(null)", buf, c->expected);
	}
}

Test(values, format_error_truncates)
{
	char buf[12];
	char empty[1] = "";

	cr_expect_eq(value_format_error(buf, sizeof(buf), "--memory", "256q", VALUE_SIZE, -EINVAL),
		     buf);
	cr_expect_str_eq(buf, "--memory: \"");
	cr_expect_eq(value_format_error(empty, 0, "--memory", "256q", VALUE_SIZE, -EINVAL), empty);
	cr_expect_eq(empty[0], '\0');
}

/* A parser's error and the message a caller builds from it, end to end. */
Test(values, parse_then_format)
{
	char buf[128];
	uint64_t v;
	int r;

	r = value_parse_size("-1", &v);
	cr_expect_str_eq(value_format_error(buf, sizeof(buf), "--memory", "-1", VALUE_SIZE, r),
			 "--memory: \"-1\" must not be negative");
	r = value_parse_uint("256", 0, 255, &v);
	cr_expect_str_eq(value_format_error(buf, sizeof(buf), "-e", "256", VALUE_EXIT_CODE, r),
			 "-e: \"256\" is out of range for an exit code (0-255)");
	r = value_parse_duration("5x", &v);
	cr_expect_str_eq(value_format_error(buf, sizeof(buf), "unit.conf:3: TimeoutStopSec", "5x",
					    VALUE_DURATION, r),
			 "unit.conf:3: TimeoutStopSec: \"5x\" is not a duration");
}
