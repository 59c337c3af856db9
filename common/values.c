#include "config.h"

#include "common/values.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Quoted input longer than this is cut, so that an error message stays one short line. */
#define VALUE_TEXT_MAX 64

#define NSEC_PER_CPU  UINT64_C(1000000000)
#define CPUS_FRAC_MAX 9

/* Local to keep the parsers independent of the locale (isdigit() is not). */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A decimal number as written: "12", "12.5", ".5", "12." (the last two as strtod and Go's
 * ParseFloat, which docker uses, accept them). No sign, no exponent. */
struct decimal {
	const char *integer;
	size_t integer_len;
	const char *fraction;
	size_t fraction_len;
};

/* Returns the end of the number at p, or NULL when p does not start with one. */
static const char *decimal_scan(const char *p, struct decimal *d)
{
	d->integer = p;
	d->integer_len = 0;
	while (is_digit(p[d->integer_len]))
		d->integer_len++;
	p += d->integer_len;
	d->fraction = p;
	d->fraction_len = 0;
	if (*p == '.') {
		d->fraction = ++p;
		while (is_digit(p[d->fraction_len]))
			d->fraction_len++;
		p += d->fraction_len;
	}
	if (d->integer_len == 0 && d->fraction_len == 0)
		return NULL;
	return p;
}

/* Decimal digits -> integer. Returns -ERANGE on overflow (after reading every digit). */
static int digits_to_u64(const char *digits, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(digits[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

/* integer * unit + fraction * unit, the fraction's share truncated, in integers so that "1.5g"
 * or "0.1s" are exact where a double would round. unit must be at most UINT64_MAX / 10 so that
 * the fraction step below cannot overflow. */
static int decimal_scale(const struct decimal *d, uint64_t unit, uint64_t *ret)
{
	uint64_t integer, part = 0;
	int r;

	r = digits_to_u64(d->integer, d->integer_len, &integer);
	if (r < 0)
		return r;
	if (unit > 0 && integer > UINT64_MAX / unit)
		return -ERANGE;
	integer *= unit;

	/* floor(0.d1d2...dk * unit) by Horner's rule from the last digit: part_i =
	 * floor((d_i * unit + part_i+1) / 10) is exact since floor((n + x) / 10) ==
	 * floor((n + floor(x)) / 10) for integer n. part stays below unit, so d * unit + part
	 * < 10 * unit fits. */
	for (size_t i = d->fraction_len; i > 0; i--)
		part = ((uint64_t)(d->fraction[i - 1] - '0') * unit + part) / 10;

	if (part > UINT64_MAX - integer)
		return -ERANGE;
	*ret = integer + part;
	return 0;
}

/* Parsers take a leading '-' only to tell "negative" (-EDOM) from junk (-EINVAL): "-1" is
 * -EDOM, "-x" and "--1" stay -EINVAL. */
static int negative_result(int r)
{
	return r == -EINVAL ? -EINVAL : -EDOM;
}

static int size_parse_unsigned(const char *text, uint64_t *ret)
{
	static const char units[] = "kmgtpe";
	struct decimal d;
	const char *p, *unit;
	unsigned shift = 0;

	p = decimal_scan(text, &d);
	if (!p)
		return -EINVAL;
	/* docker's RAMInBytes takes one space before the unit ("2 M"). */
	if (*p == ' ') {
		p++;
		if (*p == '\0')
			return -EINVAL;
	}
	unit = *p ? strchr(units, ascii_lower(*p)) : NULL;
	if (unit) {
		shift = 10 * (unsigned)(unit - units + 1);
		p++;
		if (ascii_lower(*p) == 'i')
			p++;
	}
	if (ascii_lower(*p) == 'b')
		p++;
	if (*p != '\0')
		return -EINVAL;
	return decimal_scale(&d, UINT64_C(1) << shift, ret);
}

int value_parse_size(const char *text, uint64_t *ret)
{
	uint64_t v;
	int r;

	if (!text)
		return -EINVAL;
	if (text[0] == '-')
		return negative_result(size_parse_unsigned(text + 1, &v));
	if (strcmp(text, "infinity") == 0) {
		*ret = VALUE_INFINITY;
		return 0;
	}
	r = size_parse_unsigned(text, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

static int cpus_parse_unsigned(const char *text, uint64_t *ret)
{
	struct decimal d;
	const char *p;

	p = decimal_scan(text, &d);
	if (!p || *p != '\0' || d.fraction_len > CPUS_FRAC_MAX)
		return -EINVAL;
	return decimal_scale(&d, NSEC_PER_CPU, ret);
}

int value_parse_cpus(const char *text, uint64_t *ret_nanocpus)
{
	uint64_t v;
	int r;

	if (!text)
		return -EINVAL;
	if (text[0] == '-')
		return negative_result(cpus_parse_unsigned(text + 1, &v));
	r = cpus_parse_unsigned(text, &v);
	if (r < 0)
		return r;
	*ret_nanocpus = v;
	return 0;
}

struct time_unit {
	const char *name;
	uint64_t usec;
};

/* systemd's table (parse_time()); case matters, as "M" is a month and "m" a minute. A month and
 * a year are systemd's averages: 30.44 and 365.25 days. */
static const struct time_unit time_units[] = {
	{ "us", 1 },
	{ "usec", 1 },
	{ "\xc2\xb5s", 1 }, /* MICRO SIGN */
	{ "\xce\xbcs", 1 }, /* GREEK SMALL LETTER MU */
	{ "ms", USEC_PER_MSEC },
	{ "msec", USEC_PER_MSEC },
	{ "s", USEC_PER_SEC },
	{ "sec", USEC_PER_SEC },
	{ "second", USEC_PER_SEC },
	{ "seconds", USEC_PER_SEC },
	{ "m", 60 * USEC_PER_SEC },
	{ "min", 60 * USEC_PER_SEC },
	{ "minute", 60 * USEC_PER_SEC },
	{ "minutes", 60 * USEC_PER_SEC },
	{ "h", 3600 * USEC_PER_SEC },
	{ "hr", 3600 * USEC_PER_SEC },
	{ "hour", 3600 * USEC_PER_SEC },
	{ "hours", 3600 * USEC_PER_SEC },
	{ "d", 86400 * USEC_PER_SEC },
	{ "day", 86400 * USEC_PER_SEC },
	{ "days", 86400 * USEC_PER_SEC },
	{ "w", 604800 * USEC_PER_SEC },
	{ "week", 604800 * USEC_PER_SEC },
	{ "weeks", 604800 * USEC_PER_SEC },
	{ "M", 2629800 * USEC_PER_SEC },
	{ "month", 2629800 * USEC_PER_SEC },
	{ "months", 2629800 * USEC_PER_SEC },
	{ "y", 31557600 * USEC_PER_SEC },
	{ "year", 31557600 * USEC_PER_SEC },
	{ "years", 31557600 * USEC_PER_SEC },
};

/* A unit is the whole run of letters after a number, so "5sx" is junk rather than "5s" + "x".
 * Bytes >= 0x80 count as letters for "µs". */
static size_t time_unit_len(const char *p)
{
	size_t n = 0;

	while (is_ascii_letter(p[n]) || (unsigned char)p[n] >= 0x80)
		n++;
	return n;
}

static const struct time_unit *time_unit_find(const char *p, size_t len)
{
	for (size_t i = 0; i < ELEMENTSOF(time_units); i++)
		if (strlen(time_units[i].name) == len && memcmp(time_units[i].name, p, len) == 0)
			return &time_units[i];
	return NULL;
}

int value_parse_duration(const char *text, uint64_t *ret_usec)
{
	const char *p = text;
	uint64_t sum = 0;
	bool negative = false, overflow = false;

	if (!text)
		return -EINVAL;
	if (strcmp(text, "infinity") == 0) {
		*ret_usec = VALUE_INFINITY;
		return 0;
	}
	/* Junk anywhere wins over a sign or an overflow, so the whole text is read first. */
	do {
		const struct time_unit *unit = NULL;
		struct decimal d;
		size_t len, blank;
		uint64_t v;

		if (*p == '-') {
			negative = true;
			p++;
		}
		p = decimal_scan(p, &d);
		if (!p)
			return -EINVAL;
		blank = strspn(p, " \t");
		p += blank;
		len = time_unit_len(p);
		if (len > 0) {
			unit = time_unit_find(p, len);
			if (!unit)
				return -EINVAL;
			p += len;
			blank = strspn(p, " \t");
			p += blank;
		} else if (blank == 0 && *p != '\0') {
			/* A bare number runs up to a blank or the end: "1..5s" and "1.2.3"
			 * are typos, not "1." + ".5s". */
			return -EINVAL;
		}
		if (blank > 0 && *p == '\0')
			return -EINVAL;

		if (!overflow) {
			/* A bare number is seconds, as in systemd. */
			int r = decimal_scale(&d, unit ? unit->usec : USEC_PER_SEC, &v);

			/* UINT64_MAX is reserved for "infinity". */
			if (r < 0 || v >= UINT64_MAX - sum)
				overflow = true;
			else
				sum += v;
		}
	} while (*p != '\0');

	if (negative)
		return -EDOM;
	if (overflow)
		return -ERANGE;
	*ret_usec = sum;
	return 0;
}

struct signal_name {
	const char *name;
	int number;
};

/* Canonical names first: value_signal_name() takes the first match, aliases come last. */
static const struct signal_name signal_names[] = {
	{ "HUP", SIGHUP },	 { "INT", SIGINT },   { "QUIT", SIGQUIT },
	{ "ILL", SIGILL },	 { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS },	 { "FPE", SIGFPE },   { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 },	 { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },	 { "ALRM", SIGALRM }, { "TERM", SIGTERM },
#ifdef SIGSTKFLT
	{ "STKFLT", SIGSTKFLT },
#endif
	{ "CHLD", SIGCHLD },	 { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },	 { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG },	 { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO },
#ifdef SIGPWR
	{ "PWR", SIGPWR },
#endif
	{ "SYS", SIGSYS },	 { "IOT", SIGABRT },  { "CLD", SIGCHLD },
	{ "POLL", SIGIO },
};

/* "+n" after RTMIN or "-n" after RTMAX: an offset inside the real-time range. */
static int signal_parse_offset(const char *text, uint64_t *ret)
{
	int r = value_parse_uint(text, 0, (uint64_t)(SIGRTMAX - SIGRTMIN), ret);

	/* "RTMIN+-1" is junk, not a negative number. */
	return r == -EDOM ? -EINVAL : r;
}

int value_parse_signal(const char *text, int *ret)
{
	const char *name = text;
	uint64_t n;
	int r;

	if (!text)
		return -EINVAL;
	if (is_digit(text[0]) || text[0] == '-') {
		r = value_parse_uint(text, 1, _NSIG - 1, &n);
		if (r < 0)
			return r;
		*ret = (int)n;
		return 0;
	}

	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*ret = signal_names[i].number;
			return 0;
		}

	/* SIGRTMIN is a function call: glibc keeps 32 and 33 for itself, musl 32 to 34. */
	if (strncasecmp(name, "RTMIN", 5) == 0) {
		n = 0;
		if (name[5] != '\0') {
			if (name[5] != '+')
				return -EINVAL;
			r = signal_parse_offset(name + 6, &n);
			if (r < 0)
				return r;
		}
		*ret = SIGRTMIN + (int)n;
		return 0;
	}
	if (strncasecmp(name, "RTMAX", 5) == 0) {
		n = 0;
		if (name[5] != '\0') {
			if (name[5] != '-')
				return -EINVAL;
			r = signal_parse_offset(name + 6, &n);
			if (r < 0)
				return r;
		}
		*ret = SIGRTMAX - (int)n;
		return 0;
	}
	return -EINVAL;
}

const char *value_signal_name(int sig, char *buf, size_t size)
{
	for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
		if (signal_names[i].number == sig) {
			snprintf(buf, size, "%s", signal_names[i].name);
			return buf;
		}
	if (sig == SIGRTMIN)
		snprintf(buf, size, "RTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, size, "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, size, "%d", sig);
	return buf;
}

int value_parse_bool(const char *text, bool *ret)
{
	static const struct {
		const char *name;
		bool value;
	} words[] = {
		{ "yes", true }, { "no", false },  { "true", true }, { "false", false },
		{ "on", true },	 { "off", false }, { "1", true },    { "0", false },
	};

	if (!text)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(words); i++)
		if (strcasecmp(text, words[i].name) == 0) {
			*ret = words[i].value;
			return 0;
		}
	return -EINVAL;
}

int value_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *ret)
{
	const char *p = text;
	bool negative = false;
	size_t len;
	uint64_t v;
	int r;

	if (!text)
		return -EINVAL;
	if (*p == '-') {
		negative = true;
		p++;
	}
	len = strspn(p, "0123456789");
	if (len == 0 || p[len] != '\0')
		return -EINVAL;
	if (negative)
		return -EDOM;
	r = digits_to_u64(p, len, &v);
	if (r < 0)
		return r;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static const char *const value_nouns[] = {
	[VALUE_SIZE] = "a size",
	[VALUE_CPUS] = "a CPU count",
	[VALUE_DURATION] = "a duration",
	[VALUE_SIGNAL] = "a signal",
	[VALUE_BOOL] = "a boolean",
	[VALUE_INTEGER] = "an integer",
	[VALUE_EXIT_CODE] = "an exit code",
};

/* Quotes text for a one-line message: control characters, quotes, backslashes and non-ASCII
 * bytes are escaped (a value could hold a terminal escape sequence), long text is cut. */
void value_quote(char *out, size_t size, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; text[i] != '\0' && i < VALUE_TEXT_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		if (o + 5 > size)
			break;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else {
			out[o++] = (char)c;
		}
	}
	if (text[i] != '\0' && o + 4 <= size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

const char *value_format_error(char *buf, size_t size, const char *what, const char *text,
			       enum value_kind kind, int r)
{
	char quoted[VALUE_TEXT_MAX * 4 + sizeof("...")];
	const char *noun = "a value";
	const char *sep = ": ";

	if (size == 0)
		return buf;
	if ((size_t)kind < ELEMENTSOF(value_nouns) && value_nouns[kind])
		noun = value_nouns[kind];
	if (!what || what[0] == '\0') {
		what = "";
		sep = "";
	}
	value_quote(quoted, sizeof(quoted), text ? text : "");

	if (r == -ERANGE)
		snprintf(buf, size, "%s%s\"%s\" is out of range for %s%s", what, sep, quoted, noun,
			 kind == VALUE_EXIT_CODE ? " (0-255)" : "");
	else if (r == -EDOM)
		snprintf(buf, size, "%s%s\"%s\" must not be negative", what, sep, quoted);
	else
		snprintf(buf, size, "%s%s\"%s\" is not %s", what, sep, quoted, noun);
	return buf;
}
