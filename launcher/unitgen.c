/* The systemd service --generate-unit prints. */
#include "config.h"

#include "launcher/unitgen.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNITGEN_STOP_TIMEOUT "30s"

static bool has_control(const char *word)
{
	for (const unsigned char *c = (const unsigned char *)word; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return true;
	return false;
}

static int quote(const char *word, char *buf, size_t size, bool variables)
{
	bool quote = !*word || strpbrk(word, " \"'\\") != NULL || has_control(word);
	size_t n = 0;

#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (n + 1 >= size)                                                                 \
			return -ENAMETOOLONG;                                                      \
		buf[n++] = (c);                                                                    \
	} while (0)

	/* a word ";" separates commands in ExecStart= */
	if (strcmp(word, ";") == 0) {
		PUT('\\');
		PUT(';');
		buf[n] = '\0';
		return 0;
	}
	if (quote)
		PUT('"');
	for (const char *c = word; *c; c++) {
		unsigned char u = (unsigned char)*c;

		/* specifiers, and variables where they are expanded: doubled is literal */
		if (*c == '%' || (variables && *c == '$'))
			PUT(*c);
		else if (quote && (*c == '"' || *c == '\\'))
			PUT('\\');
		/* a raw CR or LF would end the line: C escapes, which the quotes decode */
		if (u < 0x20 || u == 0x7f) {
			char esc[5];

			snprintf(esc, sizeof(esc), "\\x%02x", u);
			for (const char *e = esc; *e; e++)
				PUT(*e);
			continue;
		}
		PUT(*c);
	}
	if (quote)
		PUT('"');
	buf[n] = '\0';
	return 0;
#undef PUT
}

int unitgen_quote(const char *word, char *buf, size_t size)
{
	return quote(word, buf, size, true);
}

/* "--generate-unit" or an abbreviation getopt took for it ("--generate", "--gen"). */
static bool is_generate_unit(const char *arg)
{
	static const char flag[] = "--generate-unit";
	size_t len = strlen(arg);

	return len > 3 && len <= strlen(flag) && strncmp(flag, arg, len) == 0;
}

/* Whether claunch's own options (argv[1..end)) name the container. */
static bool argv_has_name(char **argv, int end)
{
	for (int i = 1; i < end; i++)
		if (strcmp(argv[i], "--name") == 0 || strncmp(argv[i], "--name=", 7) == 0)
			return true;
	return false;
}

static int put_word(FILE *out, const char *word, char *err, size_t err_size)
{
	char buf[8192];
	int r = unitgen_quote(word, buf, sizeof(buf));

	if (r < 0) {
		snprintf(err, err_size, "--generate-unit: an argument is too long for ExecStart=");
		return r;
	}
	fprintf(out, " %s", buf);
	return 0;
}

int unitgen_write(FILE *out, const struct claunch_options *o, int argc, char **argv, char *err,
		  size_t err_size)
{
	char self[PATH_MAX], cwd[PATH_MAX], buf[PATH_MAX * 2 + 8];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *restart = "no";
	int end = o->command_index > 0 && o->command_index <= argc ? o->command_index : argc;
	size_t cwd_len;
	int r;

	if (len <= 0 || !getcwd(cwd, sizeof(cwd))) {
		r = -errno;
		snprintf(err, err_size, "--generate-unit: %s", strerror(-r));
		return r;
	}
	self[len] = '\0';
	cwd_len = strlen(cwd);
	/* WorkingDirectory= takes the path as it is: no quotes, nothing that ends the line */
	if (has_control(cwd) || cwd[0] == ' ' || cwd[cwd_len - 1] == ' ') {
		snprintf(
			err, err_size,
			"--generate-unit: the working directory \"%s\" cannot be written in a unit",
			cwd);
		return -EINVAL;
	}
	if (o->restart)
		restart = strcmp(o->restart, "unless-stopped") == 0 ? "always" : o->restart;

	fprintf(out, "# claunch --generate-unit: container %s\n", o->name);
	fprintf(out, "[Unit]\nDescription=claunch container %s\n", o->name);
	if (o->net == CLAUNCH_NET_HOST)
		fprintf(out, "Wants=network-online.target\nAfter=network-online.target\n");
	fprintf(out, "\n[Service]\n"
		     "# claunch relays READY=1 from cinit (or the command with --no-init)\n"
		     "Type=notify\nNotifyAccess=all\n");
	fprintf(out, "ExecStart=");
	/* the executable's path gets no variable expansion */
	r = quote(self, buf, sizeof(buf), false);
	if (r >= 0) {
		fputs(buf, out);
		if (!argv_has_name(argv, end)) {
			r = put_word(out, "--name", err, err_size);
			if (r >= 0)
				r = put_word(out, o->name, err, err_size);
		}
	}
	for (int i = 1; r >= 0 && i < end; i++)
		if (!is_generate_unit(argv[i]) && strcmp(argv[i], "--") != 0)
			r = put_word(out, argv[i], err, err_size);
	/* the command after an explicit "--", so that none of its words is taken for a flag */
	if (r >= 0 && end < argc)
		r = put_word(out, "--", err, err_size);
	for (int i = end; r >= 0 && i < argc; i++)
		r = put_word(out, argv[i], err, err_size);
	if (r < 0) {
		snprintf(err, err_size, "--generate-unit: an argument is too long for ExecStart=");
		return r;
	}
	/* the flags' relative paths mean what they meant where this was printed */
	fputs("\nWorkingDirectory=", out);
	for (const char *c = cwd; *c; c++) {
		if (*c == '%')
			fputc('%', out);
		fputc(*c, out);
	}
	fputc('\n', out);
	fprintf(out,
		"# SIGTERM to claunch alone, which stops the container through cinit\n"
		"KillMode=mixed\nTimeoutStopSec=%s\n"
		"# for the systemd cgroup driver; the cgroupfs one makes its cgroup outside the "
		"unit's\n"
		"Delegate=yes\nRestart=%s\n",
		UNITGEN_STOP_TIMEOUT, restart);
	fprintf(out, "\n[Install]\nWantedBy=multi-user.target\n");
	return ferror(out) ? -EIO : 0;
}
