/* Parsers for the value syntax shared by flags and unit files. Each returns 0 on success,
 * -EINVAL when the text is not of the kind (empty, junk, trailing junk, bad unit), -ERANGE when it
 * overflows or is outside the allowed range, -EDOM when it is negative. They never print:
 * callers build the one user-facing message with value_format_error(), where the context (flag
 * name, file:line) is known. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VALUE_INFINITY UINT64_MAX

/* Bytes. "256m", "1G", "1.5g", "512", "64K", "2MiB", "2MB", "infinity". Suffixes are base 1024
 * and case-insensitive (K M G T P E, optional "i" and/or "B"), as docker and systemd read them. */
int value_parse_size(const char *text, uint64_t *ret);

/* CPU count as docker's --cpus: "0.5", "2", "1.25" -> nanocpus (1e9 per CPU). At most 9
 * fractional digits. 0 means "no limit", as in docker. */
int value_parse_cpus(const char *text, uint64_t *ret_nanocpus);

/* systemd time span -> microseconds. A bare number is seconds ("90"). Units: us usec,
 * ms msec, s sec second(s), m min minute(s), h hr hour(s), d day(s), w week(s), M month(s),
 * y year(s); several may be combined ("1min 30s", "1h30m"), each may be fractional ("1.5s").
 * "infinity" -> VALUE_INFINITY. */
int value_parse_duration(const char *text, uint64_t *ret_usec);

/* Signal by name or number: "SIGTERM", "TERM", "term", "15", "SIGRTMIN+3", "RTMAX-1".
 * Range 1.._NSIG-1; 0 is rejected (callers that give 0 a meaning check for it first). */
int value_parse_signal(const char *text, int *ret);

/* Name without "SIG" prefix ("TERM", "RTMIN+3"); writes into buf (at least 16 bytes). */
const char *value_signal_name(int sig, char *buf, size_t size);

/* yes/no, true/false, on/off, 1/0 (case-insensitive). */
int value_parse_bool(const char *text, bool *ret);

/* Unsigned decimal integer in [min, max]. */
int value_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *ret);

enum value_kind {
	VALUE_SIZE,
	VALUE_CPUS,
	VALUE_DURATION,
	VALUE_SIGNAL,
	VALUE_BOOL,
	VALUE_INTEGER,
	VALUE_EXIT_CODE,
};

/* Writes text as error messages quote it: '"' and '\\' escaped, control and non-ASCII bytes as
 * \xNN, cut after 64 bytes with "...". out should hold at least 4 * 64 + 4 bytes. */
void value_quote(char *out, size_t size, const char *text);

/* Formats the message for a parser's error r: `WHAT: "TEXT" is not a size`,
 * `WHAT: "TEXT" is out of range for a size`, `WHAT: "TEXT" must not be negative`.
 * what may be a flag ("--memory") or "file:line: Key". Returns buf. */
const char *value_format_error(char *buf, size_t size, const char *what, const char *text,
			       enum value_kind kind, int r);
