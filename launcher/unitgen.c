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

int unitgen_quote(const char *word, char *buf, size_t size)
{
	bool quote = !*word || strpbrk(word, " \t\n\"'\\") != NULL;
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
		if (*c == '%' || *c == '$') /* specifiers and variables: doubled is literal */
			PUT(*c);
		else if (quote && (*c == '"' || *c == '\\'))
			PUT('\\');
		if (quote && *c == '\n') {
			PUT('\\');
			PUT('n');
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

static bool argv_has_name(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
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
	int r;

	if (len <= 0 || !getcwd(cwd, sizeof(cwd))) {
		snprintf(err, err_size, "--generate-unit: %s", strerror(errno));
		return -errno;
	}
	self[len] = '\0';
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
	r = unitgen_quote(self, buf, sizeof(buf));
	if (r >= 0) {
		fputs(buf, out);
		if (!argv_has_name(argc, argv)) {
			r = put_word(out, "--name", err, err_size);
			if (r >= 0)
				r = put_word(out, o->name, err, err_size);
		}
	}
	for (int i = 1; r >= 0 && i < argc; i++)
		if (strcmp(argv[i], "--generate-unit") != 0)
			r = put_word(out, argv[i], err, err_size);
	if (r < 0)
		return r;
	r = unitgen_quote(cwd, buf, sizeof(buf));
	if (r < 0)
		return r;
	/* the flags' relative paths mean what they meant where this was printed */
	fprintf(out, "\nWorkingDirectory=%s\n", buf);
	fprintf(out,
		"# SIGTERM to claunch, which stops the container through cinit; then SIGKILL to "
		"all\n"
		"KillMode=mixed\nTimeoutStopSec=%s\nDelegate=yes\nRestart=%s\n",
		UNITGEN_STOP_TIMEOUT, restart);
	fprintf(out, "\n[Install]\nWantedBy=multi-user.target\n");
	return ferror(out) ? -EIO : 0;
}
