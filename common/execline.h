/* Command lines and word lists as systemd reads them in unit files: ExecStart= and friends,
 * Environment=, and any space-separated list with quotes. */
#pragma once

#include <stddef.h>

/* Prefixes of an Exec line, as systemd documents them. */
enum exec_flags {
	EXEC_IGNORE_FAILURE = 1 << 0, /* "-": a failing exit status is not a failure */
	EXEC_ARGV0 = 1 << 1,	      /* "@": the second word is argv[0] */
	EXEC_PRIVILEGED = 1 << 2,     /* "+": no User=, no sandboxing */
	EXEC_NO_SETUID = 1 << 3,      /* "!": credentials are not switched by cinit ("!!" too) */
	EXEC_NO_EXPAND = 1 << 4,      /* ":": no $VAR expansion */
};

struct exec_command {
	char *path;  /* program to run (first word, or the one after "@") */
	char **argv; /* NULL-terminated; argv[0] per "@" */
	unsigned flags;
};

/* Splits one Exec value into commands (several are separated by a lone ";" word, and "\;" is
 * a literal ";"). Quotes "..." and '...', C escapes (\n \t \\ \" \' \xNN \NNN \uNNNN), "$VAR"
 * as a whole word expanded into several words split at whitespace, "${VAR}" expanded in place
 * as part of one word, "$$" a literal "$"; unset variables expand to nothing. env is the
 * service environment ("K=V" strings, NULL-terminated; may be NULL). Returns the number of
 * commands (>= 1), or -EINVAL with a one-line reason in err (no file:line: the caller adds
 * it), e.g. `unbalanced quotes`, `"@" needs a program and an argv[0]`, `empty command`. */
int exec_line_parse(const char *value, char *const *env, struct exec_command **ret, char *err,
		    size_t err_size);
void exec_commands_free(struct exec_command *commands, size_t n);

/* Splits a value into words with the same quoting and escapes, without variables (used for
 * Environment="A=1" "B=2 3", After=, ...). Returns the number of words with *ret a
 * NULL-terminated array, or -EINVAL with a reason in err. */
int unit_words_split(const char *value, char ***ret, char *err, size_t err_size);
void unit_words_free(char **words);
