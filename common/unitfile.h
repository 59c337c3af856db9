/* systemd unit-file syntax: sections of key=value with file:line, comments, continuation lines,
 * drop-in directories, templates and specifiers. Knows nothing about what keys mean (that is
 * common/spec and the programs); shared by cinit's *.service and claunch's *.container files. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* One assignment, in file order. value has continuations joined (each "\\\n" becomes one space),
 * surrounding whitespace trimmed and specifiers expanded; "" for an empty assignment, which
 * resets list-like keys. */
struct unit_entry {
	const char *section;
	const char *key;
	const char *value;
	const char *file; /* path of the file (main file or drop-in) it came from */
	unsigned line;	  /* line of the key (the first line of a continued value) */
};

struct unit_file;

/* Where messages go. error receives the one-line error of a failed load, "FILE:LINE: MESSAGE".
 * warn (optional; NULL logs with log_warning) receives "FILE:LINE: MESSAGE" warnings. */
struct unit_diag {
	char error[512];
	void (*warn)(void *data, const char *message);
	void *data;
};

/* A warning "FILE:LINE: MESSAGE" through diag->warn (log_warning without one). */
void unit_diag_warn(struct unit_diag *diag, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void unit_diag_warnv(struct unit_diag *diag, const char *file, unsigned line, const char *fmt,
		     va_list ap) __attribute__((format(printf, 4, 0)));

/* Loads unit NAME ("web.service", "worker@3.service") from directory DIR: DIR/NAME, or for an
 * instance without its own file the template DIR/PREFIX@.SUFFIX; then the drop-ins, the *.conf
 * files of DIR/NAME.d (and for instances of the template's DIR/PREFIX@.SUFFIX.d), all together
 * sorted by file name as systemd does, later ones overriding; of two with the same file name the
 * instance's one replaces the template's. Specifiers %n %N %p %i %I %% are expanded in
 * values (unknown specifier: error). Returns 0, -ENOENT if no file exists, -EINVAL with
 * diag->error set on a syntax error, or another -errno (with diag->error set). */
int unit_file_load(const char *dir, const char *name, struct unit_file **ret,
		   struct unit_diag *diag);

/* Parses text as file FILENAME of unit NAME (for tests and the fuzzer; no drop-ins). */
int unit_file_parse_string(const char *name, const char *filename, const char *text,
			   struct unit_file **ret, struct unit_diag *diag);

void unit_file_free(struct unit_file *unit);

const char *unit_file_name(const struct unit_file *unit);

/* All entries in order (main file, then drop-ins). */
size_t unit_file_entries(const struct unit_file *unit, const struct unit_entry **ret);

/* The last assignment of KEY in SECTION, or NULL. */
const struct unit_entry *unit_file_get(const struct unit_file *unit, const char *section,
				       const char *key);

/* Every assignment of a list-like KEY after its last empty assignment ("Key=" resets). fn is
 * called for each in order; stops at the first negative return, which is returned. */
int unit_file_foreach(const struct unit_file *unit, const char *section, const char *key,
		      int (*fn)(const struct unit_entry *entry, void *data), void *data);

/* Name parts: "web@a.service" -> prefix "web", instance "a", suffix "service". Returns false
 * for an invalid unit name. Buffers are at least 256 bytes. */
bool unit_name_split(const char *name, char *prefix, char *instance, char *suffix);
