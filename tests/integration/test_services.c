/* cinit --units as users see it: what services print (and where), the environment and
 * credentials they run with, `cinit ctl`, reloading the unit directory, bad unit files. Each
 * test writes its units to its own temporary directory, starts the real cinit on it with its
 * own runtime directory, and removes everything in teardown. */
#include "config.h"

#include "tests/integration/harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_SHORT 5000
#define T_LONG	30000

extern char **environ;

/* ---------------------------------------------------------------------------------------- */
/* One test's world: its directory, units, runtime directory, and the cinit running on them. */

static struct {
	char dir[64];		/* the test's temporary directory */
	char units[128];	/* dir/units: the unit directory */
	char rt[128];		/* dir/rt: the runtime directory (control socket) */
	char rt_env[160];	/* CINIT_RUNTIME_DIR=rt */
	char payload[PATH_MAX]; /* absolute: unit files need absolute programs */
	struct proc cinit;
	bool running;
	char err[65536]; /* cinit's stderr so far */
	size_t err_len;
} t;

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	snprintf(t.dir, sizeof(t.dir), "/tmp/cinit-svc-XXXXXX");
	cr_assert_not_null(mkdtemp(t.dir), "mkdtemp: %s", strerror(errno));
	snprintf(t.units, sizeof(t.units), "%s/units", t.dir);
	snprintf(t.rt, sizeof(t.rt), "%s/rt", t.dir);
	snprintf(t.rt_env, sizeof(t.rt_env), "CINIT_RUNTIME_DIR=%s", t.rt);
	cr_assert_eq(mkdir(t.units, 0755), 0);
	cr_assert_not_null(realpath(harness_payload(), t.payload), "%s: %s", harness_payload(),
			   strerror(errno));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void teardown(void)
{
	if (t.running) {
		kill(t.cinit.pid, SIGTERM);
		harness_wait(&t.cinit, T_LONG); /* kills it, and what it left, after the deadline */
		t.running = false;
	}
	if (t.dir[0])
		nftw(t.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#define TEST(suite, name, secs) Test(suite, name, .init = setup, .fini = teardown, .timeout = secs)

static void write_file(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void write_file(const char *path, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int n, fd;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, (size_t)n), n);
	close(fd);
	free(text);
}

/* Writes units/NAME.service. */
static void unit(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unit(const char *name, const char *fmt, ...)
{
	char path[256], *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	snprintf(path, sizeof(path), "%s/%s.service", t.units, name);
	write_file(path, "%s", text);
	free(text);
}

static char *read_file(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* cinit --units DIR --runtime-dir RT [-- main...], with env added to its environment. */
static void start_cinit_with(const char *const *env, const char *const *main_command)
{
	struct spawn_options o = { .env = env };
	const char *argv[32];
	size_t n = 0;

	argv[n++] = harness_cinit();
	argv[n++] = "--units";
	argv[n++] = t.units;
	argv[n++] = "--runtime-dir";
	argv[n++] = t.rt;
	if (main_command) {
		argv[n++] = "--";
		for (size_t i = 0; main_command[i]; i++)
			argv[n++] = main_command[i];
	}
	argv[n] = NULL;
	cr_assert_lt(n, 32);
	harness_spawn(&t.cinit, &o, argv);
	t.running = true;
}

static void start_cinit(void)
{
	start_cinit_with(NULL, NULL);
}

/* Appends what cinit wrote to stderr within timeout_ms (until EOF, or until needle shows up). */
static bool err_read(const char *needle, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	while (!(needle && strstr(t.err, needle)) && t.cinit.err_fd >= 0 &&
	       t.err_len < sizeof(t.err) - 1) {
		struct pollfd pfd = { .fd = t.cinit.err_fd, .events = POLLIN };
		long long left = deadline - harness_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		n = read(t.cinit.err_fd, t.err + t.err_len, sizeof(t.err) - 1 - t.err_len);
		if (n <= 0)
			break;
		t.err_len += (size_t)n;
		t.err[t.err_len] = '\0';
	}
	return needle && strstr(t.err, needle);
}

static bool expect_err(const char *needle, int timeout_ms)
{
	return err_read(needle, timeout_ms);
}

/* Asks cinit to stop (SIGTERM), reads its stdout and stderr to the end; returns its exit code
 * (-1 when it did not end in time). Everything it printed is then in the transcript and t.err.
 */
static int stop_cinit(void)
{
	long long deadline = harness_now_ms() + T_LONG;

	cr_assert(t.running);
	kill(t.cinit.pid, SIGTERM);
	while (harness_read_line(&t.cinit, (int)(deadline - harness_now_ms())))
		;
	err_read(NULL, (int)(deadline - harness_now_ms()));
	t.running = false;
	return harness_exit_code(&t.cinit, T_LONG);
}

/* ---------------------------------------------------------------------------------------- */
/* Service lines: "NAME[PID]: TEXT". */

/* TEXT of line if it is a line of service name, with its PID; NULL otherwise. */
static const char *svc_text(const char *line, size_t len, const char *name, pid_t *pid)
{
	size_t n = strlen(name);
	const char *p;
	long v = 0;

	if (len <= n + 4 || strncmp(line, name, n) != 0 || line[n] != '[')
		return NULL;
	for (p = line + n + 1; p < line + len && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (p == line + n + 1 || v <= 0 || p + 3 > line + len || strncmp(p, "]: ", 3) != 0)
		return NULL;
	if (pid)
		*pid = (pid_t)v;
	return p + 3;
}

/* Calls fn for every line of text ("\n"-separated) of service name whose text is want (NULL:
 * any); returns the number of such lines. first_pid gets the PID of the first. */
static int svc_lines(const char *text, const char *name, const char *want, pid_t want_pid,
		     pid_t *first_pid)
{
	int count = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		pid_t pid;
		const char *s = svc_text(line, len, name, &pid);

		if (s &&
		    (!want || (strlen(want) == len - (size_t)(s - line) &&
			       strncmp(s, want, strlen(want)) == 0)) &&
		    (!want_pid || pid == want_pid)) {
			if (count++ == 0 && first_pid)
				*first_pid = pid;
		}
		line = nl ? nl + 1 : NULL;
	}
	return count;
}

/* Waits until cinit printed "NAME[PID]: TEXT" on stdout (want_pid 0: any PID); returns PID, or
 * 0 after timeout_ms. */
static pid_t expect_out(const char *name, const char *text, pid_t want_pid, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	const char *line;
	pid_t pid = 0;

	if (svc_lines(t.cinit.transcript, name, text, want_pid, &pid))
		return pid;
	while ((line = harness_read_line(&t.cinit, (int)(deadline - harness_now_ms())))) {
		if (svc_lines(line, name, text, want_pid, &pid))
			return pid;
	}
	return 0;
}

static int count_out(const char *name, const char *text)
{
	return svc_lines(t.cinit.transcript, name, text, 0, NULL);
}

/* Lines of text (stderr) that end with suffix. */
static int count_lines_ending(const char *text, const char *suffix)
{
	size_t sl = strlen(suffix);
	int count = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len >= sl && strncmp(line + len - sl, suffix, sl) == 0)
			count++;
		line = nl ? nl + 1 : NULL;
	}
	return count;
}

/* Lines of text that contain needle. */
static int count_lines_with(const char *text, const char *needle)
{
	int count = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *hit = strstr(line, needle);

		if (hit && hit + strlen(needle) <= line + len)
			count++;
		line = nl ? nl + 1 : NULL;
	}
	return count;
}

/* ---------------------------------------------------------------------------------------- */
/* Running commands: cinit ctl, setpriv. */

static struct {
	char out[65536];
	char err[16384];
} run_result;

/* Runs argv with env added; its stdout and stderr end up in run_result. Returns the exit code
 * (-1 after the deadline). */
static int run(const char *const *argv, const char *const *env)
{
	struct spawn_options o = { .env = env };
	long long deadline = harness_now_ms() + T_LONG;
	struct proc p;
	size_t len = 0;

	harness_spawn(&p, &o, argv);
	run_result.out[0] = '\0';
	for (;;) {
		struct pollfd pfd = { .fd = p.out_fd, .events = POLLIN };
		long long left = deadline - harness_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0 || len >= sizeof(run_result.out) - 1)
			break;
		n = read(p.out_fd, run_result.out + len, sizeof(run_result.out) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		run_result.out[len] = '\0';
	}
	snprintf(run_result.err, sizeof(run_result.err), "%s",
		 harness_read_stderr(&p, (int)(deadline - harness_now_ms())));
	return harness_exit_code(&p, T_SHORT);
}

/* cinit ctl ARGS... with CINIT_RUNTIME_DIR of this test. */
static int ctl_argv(const char *const *args)
{
	const char *argv[16];
	const char *env[] = { t.rt_env, NULL };
	size_t n = 0;

	argv[n++] = harness_cinit();
	argv[n++] = "ctl";
	for (size_t i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cr_assert_lt(n, 16);
	return run(argv, env);
}

#define ctl(...) ctl_argv((const char *const[]){ __VA_ARGS__, NULL })

/* Waits until `ctl status NAME` exits with code (polling, up to timeout_ms). */
static bool wait_status(const char *name, int code, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;

	for (;;) {
		if (ctl("status", name) == code)
			return true;
		if (harness_now_ms() > deadline)
			return false;
		usleep(20000);
	}
}

/* The control socket answers (it is created before the services start). */
static void wait_ctl_ready(void)
{
	long long deadline = harness_now_ms() + T_LONG;

	while (ctl("list-units") != 0) {
		cr_assert_lt(harness_now_ms(), deadline, "cinit ctl never answered: %s%s",
			     run_result.out, run_result.err);
		usleep(20000);
	}
}

/* "Main PID: N" of `ctl status NAME`, 0 when there is none. */
static pid_t main_pid(const char *name)
{
	const char *s;

	ctl("status", name);
	s = strstr(run_result.out, "Main PID: ");
	return s ? (pid_t)atoi(s + strlen("Main PID: ")) : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* A small JSON validator: enough to tell that `ctl status --json` is one well-formed value. */

static const char *json_value(const char *s, int depth);

static const char *json_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static const char *json_string(const char *s)
{
	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		if (!*s || (unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
						return NULL;
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		s++;
	}
	return s + 1;
}

static const char *json_number(const char *s)
{
	const char *start;

	if (*s == '-')
		s++;
	start = s;
	while (*s >= '0' && *s <= '9')
		s++;
	if (s == start || (*start == '0' && s - start > 1))
		return NULL;
	if (*s == '.') {
		start = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == start)
			return NULL;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		start = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == start)
			return NULL;
	}
	return s;
}

static const char *json_container(const char *s, char close, int depth)
{
	s = json_ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (close == '}') {
			s = json_string(json_ws(s));
			if (!s)
				return NULL;
			s = json_ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = json_value(s, depth + 1);
		if (!s)
			return NULL;
		s = json_ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *s, int depth)
{
	if (depth > 32)
		return NULL;
	s = json_ws(s);
	switch (*s) {
	case '{':
		return json_container(s, '}', depth);
	case '[':
		return json_container(s, ']', depth);
	case '"':
		return json_string(s);
	case 't':
		return strncmp(s, "true", 4) == 0 ? s + 4 : NULL;
	case 'f':
		return strncmp(s, "false", 5) == 0 ? s + 5 : NULL;
	case 'n':
		return strncmp(s, "null", 4) == 0 ? s + 4 : NULL;
	default:
		return json_number(s);
	}
}

static bool json_valid(const char *text)
{
	const char *end = json_value(text, 0);

	return end && *json_ws(end) == '\0';
}

/* ---------------------------------------------------------------------------------------- */
/* 1. Environment */

/* Whether the lines of service name (NAME=VALUE from env) include exactly entry. */
static bool env_has(const char *entry)
{
	return count_out("env", entry) > 0;
}

/* Whether any line of service name starts with "NAME=". */
static bool env_has_name(const char *name)
{
	char prefix[256];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "%s=", name);

	for (const char *line = t.cinit.transcript; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *s = svc_text(line, len, "env", NULL);

		if (s && strncmp(s, prefix, n) == 0)
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

TEST(environment, clean_and_assigned, 60)
{
	static const char *const set_by_unit[] = {
		"PATH",	 "USER",   "LOGNAME",  "SHELL",	    "QUOTED",	  "PLAIN",
		"OVER",	 "SPACED", "FROMFILE", "PASSOVER",  "KEEP",	  "PASSED",
		"FILEQ", "FILESQ", "DROP",     "DROPEXACT", "NOTINCINIT",
	};
	const char *env[] = { "PASSED=from-cinit", "PASSOVER=from-cinit", "SECRET=cinit-only",
			      NULL };
	char envfile[128];

	snprintf(envfile, sizeof(envfile), "%s/vars.env", t.dir);
	write_file(envfile, "# a comment\n"
			    "; another comment\n"
			    "FROMFILE=file\n"
			    "FILEQ=\"quoted value\"\n"
			    "FILESQ='single quoted'\n");
	unit("env",
	     "[Service]\n"
	     "Environment=\"QUOTED=a b  c\" PLAIN=p\n"
	     "Environment=OVER=first\n"
	     "Environment=OVER=second \"SPACED=x y\"\n"
	     "Environment=FROMFILE=unit PASSOVER=unit\n"
	     "Environment=DROP=1 KEEP=1 DROPEXACT=v\n"
	     "PassEnvironment=PASSED PASSOVER NOTINCINIT\n"
	     "EnvironmentFile=%s\n"
	     "EnvironmentFile=-%s/missing.env\n"
	     "UnsetEnvironment=DROP KEEP=other DROPEXACT=v\n"
	     "ExecStart=/usr/bin/env\n",
	     envfile, t.dir);
	start_cinit_with(env, NULL);
	cr_assert(expect_out("env", "PLAIN=p", 0, T_LONG), "no output from env: %s",
		  t.cinit.transcript);
	cr_assert(wait_status("env", 3, T_LONG), "env.service never ended: %s", run_result.out);
	cr_expect_neq(stop_cinit(), -1, "cinit did not stop");

	cr_expect(env_has("QUOTED=a b  c"), "%s", t.cinit.transcript);
	cr_expect(env_has("PLAIN=p"));
	cr_expect(env_has("OVER=second"), "a later Environment= replaces: %s", t.cinit.transcript);
	cr_expect(env_has("SPACED=x y"));
	cr_expect(env_has("FROMFILE=file"), "EnvironmentFile= overrides Environment=: %s",
		  t.cinit.transcript);
	cr_expect(env_has("FILEQ=quoted value"), "%s", t.cinit.transcript);
	cr_expect(env_has("FILESQ=single quoted"), "%s", t.cinit.transcript);
	cr_expect(env_has("PASSED=from-cinit"), "PassEnvironment=: %s", t.cinit.transcript);
	cr_expect(env_has("PASSOVER=unit"), "Environment= overrides PassEnvironment=: %s",
		  t.cinit.transcript);
	cr_expect(env_has("KEEP=1"), "UnsetEnvironment=KEEP=other must keep KEEP=1: %s",
		  t.cinit.transcript);
	cr_expect_not(env_has_name("DROP"), "UnsetEnvironment=DROP: %s", t.cinit.transcript);
	cr_expect_not(env_has_name("DROPEXACT"), "%s", t.cinit.transcript);
	cr_expect_not(env_has_name("NOTINCINIT"), "%s", t.cinit.transcript);
	cr_expect_eq(count_out("env", "OVER=first"), 0);
	cr_expect_eq(count_out("env", "FROMFILE=unit"), 0);

	/* Clean: nothing of cinit's own environment but the passed names. */
	cr_expect_not(env_has_name("SECRET"), "%s", t.cinit.transcript);
	cr_expect_not(env_has_name("HOME"), "no HOME without User=: %s", t.cinit.transcript);
	for (char **e = environ; *e; e++) {
		char name[256];
		size_t n = strcspn(*e, "=");
		bool allowed = false;

		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, *e, n);
		name[n] = '\0';
		for (size_t i = 0; i < sizeof(set_by_unit) / sizeof(set_by_unit[0]); i++)
			allowed = allowed || strcmp(name, set_by_unit[i]) == 0;
		if (!allowed)
			cr_expect_not(count_out("env", *e), "%s leaked from cinit's environment",
				      *e);
	}
	/* PATH is systemd's default, not cinit's. */
	cr_expect(strstr(t.cinit.transcript,
			 "]: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin") != NULL,
		  "%s", t.cinit.transcript);
}

TEST(environment, variables_in_exec_start, 60)
{
	const char *env[] = { "PASSED=p1", NULL };
	char envfile[128];

	snprintf(envfile, sizeof(envfile), "%s/vars.env", t.dir);
	write_file(envfile, "FV=from-file\n");
	/* In the script (one word) "$#", "$@" and "$a" are not variables of cinit's: literal. */
	unit("args",
	     "[Service]\n"
	     "Environment=\"ARGS=one two\" ONE=1 EMPTY=\n"
	     "PassEnvironment=PASSED\n"
	     "EnvironmentFile=%s\n"
	     "ExecStart=/bin/sh -c 'echo \"argc=$#\"; for a in \"$@\"; do echo \"arg=[$a]\"; "
	     "done' argv0 $ARGS ${ARGS} pre${ONE}post $UNSET ${UNSET} $$ONE $EMPTY "
	     "${PASSED} $FV\n",
	     envfile);
	start_cinit_with(env, NULL);
	cr_assert(expect_out("args", "argc=8", 0, T_LONG), "%s", t.cinit.transcript);
	cr_assert(wait_status("args", 3, T_LONG));
	stop_cinit();
	static const char *const want[] = { "arg=[one]",      "arg=[two]",	"arg=[one two]",
					    "arg=[pre1post]", "arg=[]",		"arg=[$ONE]",
					    "arg=[p1]",	      "arg=[from-file]" };
	const char *all = t.cinit.transcript, *at = all;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char needle[64];
		const char *hit;

		snprintf(needle, sizeof(needle), "]: %s\n", want[i]);
		hit = strstr(at, needle);
		cr_expect_not_null(hit, "argument %zu: want %s in order: %s", i, want[i], all);
		if (hit)
			at = hit + strlen(needle);
	}
}

TEST(environment, missing_environment_file, 60)
{
	char missing[128];

	snprintf(missing, sizeof(missing), "%s/nope.env", t.dir);
	unit("req", "[Service]\nEnvironmentFile=%s\nExecStart=/bin/echo req-ran\n", missing);
	unit("opt", "[Service]\nEnvironmentFile=-%s\nExecStart=/bin/echo opt-ran\n", missing);
	start_cinit();
	cr_assert(expect_out("opt", "opt-ran", 0, T_LONG), "an optional missing file is fine: %s",
		  t.cinit.transcript);
	cr_expect(expect_err(missing, T_LONG), "no error naming %s: %s", missing, t.err);
	cr_expect(count_lines_with(t.err, "req.service") > 0, "error without the unit: %s", t.err);
	cr_expect(wait_status("req", 3, T_LONG));
	cr_expect(strstr(run_result.out, "failed") != NULL, "status: %s", run_result.out);
	stop_cinit();
	cr_expect_eq(count_out("req", "req-ran"), 0, "it ran anyway: %s", t.cinit.transcript);
}

/* ---------------------------------------------------------------------------------------- */
/* 2. Credentials and process settings */

TEST(exec, user_and_groups, 60)
{
	struct passwd *nobody = getpwnam("nobody");
	struct group *daemon_group = getgrnam("daemon");
	struct group *nogroup = getgrgid(65534);
	char want[256];

	cr_assert_not_null(nobody);
	cr_assert_not_null(daemon_group);
	cr_assert_not_null(nogroup);
	unit("user", "[Service]\n"
		     "User=nobody\n"
		     "ExecStart=/bin/sh -c 'echo \"ids $(id -u) $(id -g) $(id -G)\"; "
		     "echo \"home=$HOME user=$USER logname=$LOGNAME\"'\n");
	unit("group",
	     "[Service]\n"
	     "Group=%s\n"
	     "ExecStart=/bin/sh -c 'echo \"ids $(id -u) $(id -g)\"'\n",
	     nogroup->gr_name);
	unit("supp", "[Service]\n"
		     "User=nobody\n"
		     "SupplementaryGroups=daemon\n"
		     "ExecStart=/bin/sh -c 'echo \"groups $(id -G)\"'\n");
	unit("nouser", "[Service]\nUser=no-such-user-here\nExecStart=/bin/echo nouser-ran\n");
	start_cinit();

	snprintf(want, sizeof(want), "ids %u %u %u", (unsigned)nobody->pw_uid,
		 (unsigned)nobody->pw_gid, (unsigned)nobody->pw_gid);
	cr_expect(expect_out("user", want, 0, T_LONG), "want %s: %s", want, t.cinit.transcript);
	snprintf(want, sizeof(want), "home=%s user=nobody logname=nobody", nobody->pw_dir);
	cr_expect(expect_out("user", want, 0, T_LONG), "want %s: %s", want, t.cinit.transcript);
	snprintf(want, sizeof(want), "ids 0 %u", (unsigned)nogroup->gr_gid);
	cr_expect(expect_out("group", want, 0, T_LONG), "want %s: %s", want, t.cinit.transcript);
	snprintf(want, sizeof(want), "groups %u %u", (unsigned)nobody->pw_gid,
		 (unsigned)daemon_group->gr_gid);
	cr_expect(expect_out("supp", want, 0, T_LONG), "want %s: %s", want, t.cinit.transcript);

	cr_expect(expect_err("no-such-user-here", T_LONG), "no error naming the user: %s", t.err);
	cr_expect(wait_status("nouser", 3, T_LONG));
	cr_expect(strstr(run_result.out, "failed") != NULL, "status: %s", run_result.out);
	stop_cinit();
	cr_expect_eq(count_out("nouser", "nouser-ran"), 0);
}

TEST(exec, working_directory, 60)
{
	struct passwd *root = getpwuid(0);
	char work[128], missing[128];

	cr_assert_not_null(root);
	snprintf(work, sizeof(work), "%s/work", t.dir);
	snprintf(missing, sizeof(missing), "%s/missing", t.dir);
	cr_assert_eq(mkdir(work, 0755), 0);
	unit("wd", "[Service]\nWorkingDirectory=%s\nExecStart=/bin/pwd\n", work);
	unit("home", "[Service]\nWorkingDirectory=~\nExecStart=/bin/pwd\n");
	unit("opt", "[Service]\nWorkingDirectory=-%s\nExecStart=/bin/echo opt-ran\n", missing);
	unit("bad", "[Service]\nWorkingDirectory=%s\nExecStart=/bin/echo bad-ran\n", missing);
	start_cinit();
	cr_expect(expect_out("wd", work, 0, T_LONG), "want %s: %s", work, t.cinit.transcript);
	cr_expect(expect_out("home", root->pw_dir, 0, T_LONG), "want %s: %s", root->pw_dir,
		  t.cinit.transcript);
	cr_expect(expect_out("opt", "opt-ran", 0, T_LONG), "-missing is not an error: %s",
		  t.cinit.transcript);
	cr_expect(wait_status("bad", 3, T_LONG));
	cr_expect(strstr(run_result.out, "failed") != NULL, "status: %s", run_result.out);
	stop_cinit();
	cr_expect_eq(count_out("bad", "bad-ran"), 0);
	/* A clear error: the unit, and what could not be done (the directory or the program). */
	cr_expect(count_lines_with(t.err, "bad.service") > 0, "%s", t.err);
	cr_expect(strstr(t.err, missing) ||
			  strstr(t.err, "bad.service: failed at step CHDIR spawning /bin/echo"),
		  "the error names neither %s nor /bin/echo: %s", missing, t.err);
}

TEST(exec, umask_nice_limits, 60)
{
	unit("proc", "[Service]\n"
		     "UMask=0077\n"
		     "Nice=5\n"
		     "LimitNOFILE=123\n"
		     "ExecStart=/bin/sh -c 'echo \"umask $(umask)\"; echo \"nice $(nice)\"; "
		     "echo \"nofile $(ulimit -Sn) $(ulimit -Hn)\"'\n");
	unit("split", "[Service]\n"
		      "LimitNOFILE=100:200\n"
		      "ExecStart=/bin/sh -c 'echo \"nofile $(ulimit -Sn) $(ulimit -Hn)\"'\n");
	start_cinit();
	cr_expect(expect_out("proc", "umask 0077", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect(expect_out("proc", "nice 5", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect(expect_out("proc", "nofile 123 123", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect(expect_out("split", "nofile 100 200", 0, T_LONG), "%s", t.cinit.transcript);
	stop_cinit();
}

#define STATUS_GREP                                                                                \
	"ExecStart=/bin/grep -E \"^(CapBnd|CapAmb|CapEff|NoNewPrivs):\" /proc/self/status\n"

TEST(exec, privileges, 60)
{
	unit("plain", "[Service]\n" STATUS_GREP);
	unit("nnp", "[Service]\nNoNewPrivileges=yes\n" STATUS_GREP);
	unit("bnd", "[Service]\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n" STATUS_GREP);
	unit("amb",
	     "[Service]\nUser=nobody\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n" STATUS_GREP);
	start_cinit();
	cr_expect(expect_out("plain", "NoNewPrivs:\t0", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect(expect_out("nnp", "NoNewPrivs:\t1", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect(expect_out("bnd", "CapBnd:\t0000000000000400", 0, T_LONG), "%s",
		  t.cinit.transcript);
	cr_expect(expect_out("amb", "CapAmb:\t0000000000000400", 0, T_LONG), "%s",
		  t.cinit.transcript);
	cr_expect(expect_out("amb", "CapEff:\t0000000000000400", 0, T_LONG), "%s",
		  t.cinit.transcript);
	stop_cinit();
	cr_expect_eq(count_out("plain", "CapBnd:\t0000000000000400"), 0);
	cr_expect_eq(count_out("plain", "NoNewPrivs:\t1"), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* 3. Output */

TEST(output, destinations, 60)
{
	char file[128], app[128], trunc[128];
	const char *text;

	snprintf(file, sizeof(file), "%s/file.log", t.dir);
	snprintf(app, sizeof(app), "%s/append.log", t.dir);
	snprintf(trunc, sizeof(trunc), "%s/truncate.log", t.dir);
	write_file(file, "0123456789abcdefghij\n");
	write_file(app, "old\n");
	write_file(trunc, "long old content that must vanish\n");
#define OUT_ERR(x) "ExecStart=/bin/sh -c 'echo " x "-out; echo " x "-err >&2'\n"
	unit("file", "[Service]\nStandardOutput=file:%s\n" OUT_ERR("F"), file);
	unit("app", "[Service]\nStandardOutput=append:%s\nStandardError=null\n" OUT_ERR("A"), app);
	unit("trunc", "[Service]\nStandardOutput=truncate:%s\nStandardError=inherit\n" OUT_ERR("T"),
	     trunc);
	unit("null", "[Service]\nStandardOutput=null\nStandardError=journal\n" OUT_ERR("N"));
	unit("nullerr", "[Service]\nStandardError=null\n" OUT_ERR("E"));
	unit("inh", "[Service]\nStandardOutput=inherit\nStandardError=null\n" OUT_ERR("I"));
	unit("journal", "[Service]\n"
			"ExecStart=/bin/sh -c 'echo J-out; echo J-err >&2; printf J-partial'\n");
#undef OUT_ERR
	start_cinit();
	cr_assert(expect_out("journal", "J-out", 0, T_LONG), "%s", t.cinit.transcript);
	static const char *const names[] = { "file",	"app", "trunc",	 "null",
					     "nullerr", "inh", "journal" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_expect(wait_status(names[i], 3, T_LONG), "%s never ended", names[i]);
	cr_expect_neq(stop_cinit(), -1, "cinit did not stop");

	/* file: written from the start, not truncated; stderr follows stdout. */
	text = read_file(file);
	cr_expect_str_eq(text ? text : "(none)", "F-out\nF-err\ncdefghij\n");
	text = read_file(app);
	cr_expect_str_eq(text ? text : "(none)", "old\nA-out\n");
	text = read_file(trunc);
	cr_expect_str_eq(text ? text : "(none)", "T-out\nT-err\n");

	const char *out = t.cinit.transcript;
	pid_t out_pid = 0, err_pid = 0;
	cr_expect_eq(count_out("null", NULL), 0, "StandardOutput=null: %s", out);
	cr_expect_eq(svc_lines(t.err, "null", "N-err", 0, NULL), 1, "stderr: %s", t.err);
	cr_expect_eq(count_out("nullerr", "E-out"), 1, "%s", out);
	cr_expect_not(strstr(out, "E-err") || strstr(t.err, "E-err"), "StandardError=null");
	cr_expect(harness_printed(&t.cinit, "I-out"), "inherit: no prefix: %s", out);
	cr_expect_eq(count_out("inh", NULL), 0, "%s", out);
	cr_expect_eq(svc_lines(out, "journal", "J-out", 0, &out_pid), 1, "%s", out);
	cr_expect_eq(svc_lines(t.err, "journal", "J-err", 0, &err_pid), 1, "stderr: %s", t.err);
	cr_expect_eq(out_pid, err_pid, "both streams carry the service's pid");
	cr_expect_eq(count_out("journal", "J-partial"), 1, "a partial last line: %s", out);
	/* Nothing reached a stream it was not meant for. */
	static const char *const strays[] = { "F-out", "F-err", "A-out", "A-err",
					      "T-out", "T-err", "N-out", "J-err" };
	for (size_t i = 0; i < sizeof(strays) / sizeof(strays[0]); i++)
		cr_expect_null(strstr(out, strays[i]), "%s on stdout: %s", strays[i], out);
	cr_expect_null(strstr(t.err, "J-out"), "%s", t.err);
}

TEST(output, long_line_split, 60)
{
	char expected[10000], joined[10000 + 1];
	size_t joined_len = 0;
	int parts = 0;
	pid_t pid = 0;

	unit("long", "[Service]\nExecStart=%s flood 1 10000\n", t.payload);
	start_cinit();
	cr_assert(expect_out("long", NULL, 0, T_LONG), "%s", t.cinit.transcript);
	cr_assert(wait_status("long", 3, T_LONG));
	stop_cinit();
	memset(expected, 'x', sizeof(expected));
	memcpy(expected, "LINE-000000 ", 12);
	for (const char *line = t.cinit.transcript; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		pid_t p;
		const char *s = svc_text(line, len, "long", &p);

		if (s) {
			size_t l = len - (size_t)(s - line);
			cr_expect_leq(l, 4096, "part %d is %zu bytes", parts, l);
			cr_assert_leq(joined_len + l, sizeof(joined) - 1);
			memcpy(joined + joined_len, s, l);
			joined_len += l;
			cr_expect(pid == 0 || pid == p);
			pid = p;
			parts++;
		}
		line = nl ? nl + 1 : NULL;
	}
	cr_expect_eq(parts, 3, "9999 bytes in parts of at most 4096: %d parts", parts);
	cr_expect_eq(joined_len, 9999);
	cr_expect(joined_len == 9999 && memcmp(joined, expected, 9999) == 0,
		  "the parts do not make the line");
}

TEST(output, flood_keeps_lines_whole_and_others_running, 180)
{
	enum { LINES = 20000, BYTES = 200, OTHER = 500 };
	char expected[BYTES];
	int next_flood = 0, next_other = 0, bad = 0;
	bool other_ready = false;
	long long deadline;
	const char *line;

	unit("flood", "[Service]\nExecStart=%s flood %d %d\n", t.payload, LINES, BYTES);
	unit("other",
	     "[Service]\n"
	     "ExecStart=/bin/sh -c 'i=0; while [ $i -lt %d ]; do echo other-$i; "
	     "i=$((i+1)); done; exec %s signals'\n",
	     OTHER, t.payload);
	start_cinit();
	/* Not reading cinit's output yet: the flood fills every pipe. cinit still answers. */
	wait_ctl_ready();
	cr_expect_eq(ctl("status", "other"), 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "active (running)") != NULL, "%s", run_result.out);

	memset(expected, 'x', sizeof(expected));
	deadline = harness_now_ms() + 120000;
	while ((next_flood < LINES || !other_ready) &&
	       (line = harness_read_line(&t.cinit, (int)(deadline - harness_now_ms())))) {
		size_t len = strlen(line);
		const char *s;

		if ((s = svc_text(line, len, "flood", NULL))) {
			char head[24];
			snprintf(head, sizeof(head), "LINE-%06d ", next_flood);
			memcpy(expected, head, 12);
			if (strlen(s) != BYTES - 1 || memcmp(s, expected, BYTES - 1) != 0) {
				if (bad++ < 3)
					cr_expect_fail(
						"flood line %d: got \"%.40s...\" (%zu bytes)",
						next_flood, s, strlen(s));
			}
			next_flood++;
		} else if ((s = svc_text(line, len, "other", NULL))) {
			char want[32];
			if (strcmp(s, "ready") == 0) {
				cr_expect_eq(next_other, OTHER, "ready before all other lines");
				other_ready = true;
				continue;
			}
			snprintf(want, sizeof(want), "other-%d", next_other);
			cr_expect_str_eq(s, want, "other's lines out of order or cut");
			next_other++;
		} else if (bad++ < 3) {
			cr_expect_fail("unexpected line \"%.60s\"", line);
		}
	}
	cr_expect_eq(next_flood, LINES, "flood lines: %d of %d", next_flood, LINES);
	cr_expect_eq(next_other, OTHER, "other lines: %d of %d", next_other, OTHER);
	cr_expect(other_ready);
	cr_expect_eq(bad, 0, "%d bad lines", bad);
	/* Exactly once: nothing more of the flood follows. */
	kill(t.cinit.pid, SIGTERM);
	deadline = harness_now_ms() + T_LONG;
	while ((line = harness_read_line(&t.cinit, (int)(deadline - harness_now_ms()))))
		cr_expect_null(svc_text(line, strlen(line), "flood", NULL), "extra line %.40s",
			       line);
	t.running = false;
	cr_expect_neq(harness_exit_code(&t.cinit, T_LONG), -1);
}

/* ---------------------------------------------------------------------------------------- */
/* 4. cinit ctl */

TEST(ctl, status_json_and_list, 60)
{
	char want[64];
	pid_t a, b;

	unit("a", "[Unit]\nDescription=Service A\n[Service]\nExecStart=%s signals\n", t.payload);
	unit("b", "[Service]\nExecStart=%s signals\n", t.payload);
	start_cinit();
	a = expect_out("a", "ready", 0, T_LONG);
	b = expect_out("b", "ready", 0, T_LONG);
	cr_assert(a && b, "%s", t.cinit.transcript);

	cr_expect_eq(ctl("status", "a"), 0, "%s%s", run_result.out, run_result.err);
	cr_expect(strstr(run_result.out, "a.service") != NULL, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "Service A") != NULL, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "active (running)") != NULL, "%s", run_result.out);
	snprintf(want, sizeof(want), "Main PID: %d\n", (int)a);
	cr_expect(strstr(run_result.out, want) != NULL, "want %s: %s", want, run_result.out);
	cr_expect_null(strstr(run_result.out, "b.service"), "%s", run_result.out);

	cr_expect_eq(ctl("status"), 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "a.service") && strstr(run_result.out, "b.service"), "%s",
		  run_result.out);

	cr_expect_eq(ctl("status", "a", "--json"), 0, "%s", run_result.out);
	cr_expect(json_valid(run_result.out), "not JSON: %s", run_result.out);
	cr_expect_eq(*json_ws(run_result.out), '[', "not an array: %s", run_result.out);
	cr_expect(strstr(run_result.out, "\"name\":\"a.service\"") != NULL, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "\"active\":\"active\"") != NULL, "%s", run_result.out);
	snprintf(want, sizeof(want), "\"main_pid\":%d", (int)a);
	cr_expect(strstr(run_result.out, want) != NULL, "%s", run_result.out);

	cr_expect_eq(ctl("status", "--json"), 0, "%s", run_result.out);
	cr_expect(json_valid(run_result.out), "not JSON: %s", run_result.out);
	cr_expect(strstr(run_result.out, "\"name\":\"b.service\"") != NULL, "%s", run_result.out);

	cr_expect_eq(ctl("list-units"), 0, "%s", run_result.out);
	cr_expect_eq(count_lines_with(run_result.out, "a.service"), 1, "%s", run_result.out);
	cr_expect_eq(count_lines_with(run_result.out, "b.service"), 1, "%s", run_result.out);
	for (const char *s = strstr(run_result.out, "a.service"); s; s = NULL) {
		const char *nl = strchr(s, '\n');
		char row[256];
		snprintf(row, sizeof(row), "%.*s", nl ? (int)(nl - s) : (int)strlen(s), s);
		cr_expect(strstr(row, "loaded") && strstr(row, "active") &&
				  strstr(row, "running") && strstr(row, "Service A"),
			  "row: %s", row);
	}
	cr_expect(strstr(run_result.out, "2 units listed") != NULL, "%s", run_result.out);
	stop_cinit();
}

TEST(ctl, stop_start_restart, 90)
{
	pid_t first, second, third;

	unit("a", "[Service]\nExecStart=%s signals\nExecStopPost=/bin/echo a-stopped\n", t.payload);
	start_cinit();
	first = expect_out("a", "ready", 0, T_LONG);
	cr_assert(first, "%s", t.cinit.transcript);
	cr_expect_eq(main_pid("a"), first, "%s", run_result.out);

	cr_expect_eq(ctl("stop", "a"), 0, "%s%s", run_result.out, run_result.err);
	/* The reply comes when the job is done. */
	cr_expect_eq(ctl("status", "a"), 3, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "inactive") != NULL, "%s", run_result.out);
	cr_expect(expect_out("a", "main TERM", first, T_LONG), "%s", t.cinit.transcript);
	cr_expect(expect_out("a", "a-stopped", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect_eq(ctl("stop", "a"), 0, "stopping a stopped unit: %s", run_result.out);

	cr_expect_eq(ctl("start", "a"), 0, "%s%s", run_result.out, run_result.err);
	cr_expect_eq(ctl("status", "a"), 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "active (running)") != NULL, "%s", run_result.out);
	second = main_pid("a");
	cr_expect(second > 0 && second != first, "Main PID %d after start", (int)second);
	cr_expect(expect_out("a", "ready", second, T_LONG), "%s", t.cinit.transcript);

	cr_expect_eq(ctl("restart", "a"), 0, "%s%s", run_result.out, run_result.err);
	cr_expect_eq(ctl("status", "a"), 0, "%s", run_result.out);
	third = main_pid("a");
	cr_expect(third > 0 && third != second, "Main PID %d after restart (was %d)", (int)third,
		  (int)second);
	cr_expect(expect_out("a", "main TERM", second, T_LONG), "%s", t.cinit.transcript);
	cr_expect(expect_out("a", "ready", third, T_LONG), "%s", t.cinit.transcript);
	cr_expect_neq(stop_cinit(), -1, "cinit did not stop");
	cr_expect_eq(count_out("a", "a-stopped"), 3, "ExecStopPost= once per stop: %s",
		     t.cinit.transcript);
}

TEST(ctl, kill_and_reload, 60)
{
	pid_t pid;

	unit("s", "[Service]\nExecStart=%s signals\nExecReload=/bin/kill -HUP $MAINPID\n",
	     t.payload);
	unit("f", "[Service]\nExecStart=%s signals\nExecReload=/bin/false\n", t.payload);
	start_cinit();
	pid = expect_out("s", "ready", 0, T_LONG);
	cr_assert(pid, "%s", t.cinit.transcript);
	cr_assert(expect_out("f", "ready", 0, T_LONG), "%s", t.cinit.transcript);

	cr_expect_eq(ctl("kill", "-s", "USR1", "s"), 0, "%s%s", run_result.out, run_result.err);
	cr_expect(strstr(run_result.out, "signalled 1 ") != NULL, "one process, signalled once: %s",
		  run_result.out);
	cr_expect(expect_out("s", "main USR1", pid, T_LONG), "%s", t.cinit.transcript);

	cr_expect_eq(ctl("reload", "s"), 0, "%s%s", run_result.out, run_result.err);
	cr_expect(expect_out("s", "main HUP", pid, T_LONG), "ExecReload= with $MAINPID: %s",
		  t.cinit.transcript);
	cr_expect_eq(ctl("status", "s"), 0, "still running after reload: %s", run_result.out);
	cr_expect_eq(main_pid("s"), pid);
	/* A failing ExecReload= is a failed reload, as `systemctl reload` reports it. */
	cr_expect_eq(ctl("reload", "f"), 1, "ExecReload=/bin/false: %s", run_result.out);
	cr_expect_eq(ctl("status", "f"), 0, "a failed reload does not stop it: %s", run_result.out);

	cr_expect_neq(stop_cinit(), -1, "cinit did not stop");
	cr_expect_eq(count_out("s", "main USR1"), 1, "USR1 delivered %d times: %s",
		     count_out("s", "main USR1"), t.cinit.transcript);
	cr_expect_eq(count_out("s", "main HUP"), 1, "%s", t.cinit.transcript);
	cr_expect_eq(svc_lines(t.err, "s", NULL, 0, NULL), 0,
		     "ExecReload= complained (was $MAINPID empty?): %s", t.err);
}

TEST(ctl, errors, 60)
{
	static const char *const verbs[] = { "status", "start", "stop", "restart", "reload" };
	char bad_rt[160];

	unit("a", "[Service]\nExecStart=%s signals\n", t.payload);
	start_cinit();
	cr_assert(expect_out("a", "ready", 0, T_LONG), "%s", t.cinit.transcript);

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		cr_expect_eq(ctl(verbs[i], "nosuch"), 4, "%s nosuch: %s%s", verbs[i],
			     run_result.out, run_result.err);
		cr_expect(strstr(run_result.out, "nosuch") || strstr(run_result.err, "nosuch"),
			  "%s nosuch: no message: %s%s", verbs[i], run_result.out, run_result.err);
	}
	cr_expect_eq(ctl("kill", "-s", "USR1", "nosuch"), 4, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "nosuch") || strstr(run_result.err, "nosuch"));

	cr_expect_neq(ctl("frobnicate"), 0);
	cr_expect(strstr(run_result.out, "frobnicate") || strstr(run_result.err, "frobnicate"),
		  "%s%s", run_result.out, run_result.err);
	cr_expect(strstr(run_result.out, "status") || strstr(run_result.err, "status"),
		  "no usage: %s%s", run_result.out, run_result.err);

	const char *bare[] = { harness_cinit(), "ctl", NULL };
	cr_expect_neq(run(bare, (const char *const[]){ t.rt_env, NULL }), 0);
	cr_expect(strstr(run_result.out, "usage") || strstr(run_result.err, "usage"),
		  "no usage: %s%s", run_result.out, run_result.err);

	/* No cinit behind this runtime directory. */
	snprintf(bad_rt, sizeof(bad_rt), "CINIT_RUNTIME_DIR=%s/nothing-here", t.dir);
	const char *status[] = { harness_cinit(), "ctl", "status", NULL };
	cr_expect_neq(run(status, (const char *const[]){ bad_rt, NULL }), 0);
	cr_expect(strstr(run_result.err, "nothing-here/control") != NULL,
		  "the error does not name the socket: %s", run_result.err);
	cr_expect_eq(count_lines_with(run_result.err, "nothing-here"), 1, "%s", run_result.err);
	cr_expect_str_eq(run_result.out, "");

	/* A unit that is not running. */
	cr_expect_eq(ctl("stop", "a"), 0);
	cr_expect_eq(ctl("status", "a"), 3, "%s", run_result.out);
	cr_expect_neq(ctl("reload", "a"), 0, "reload of an inactive unit: %s", run_result.out);
	cr_expect_neq(ctl("kill", "-s", "NOSUCHSIG", "a"), 0);
	stop_cinit();
}

TEST(ctl, other_users_refused, 60)
{
	char socket[160];
	const char *argv[] = { "/usr/bin/setpriv", "--reuid=65534",
			       "--regid=65534",	   "--clear-groups",
			       harness_cinit(),	   "ctl",
			       "status",	   NULL };
	int code;

	unit("a", "[Service]\nExecStart=%s signals\n", t.payload);
	start_cinit();
	cr_assert(expect_out("a", "ready", 0, T_LONG), "%s", t.cinit.transcript);
	/* The file permissions let anyone connect: what is left is cinit's credential check. */
	snprintf(socket, sizeof(socket), "%s/control", t.rt);
	cr_assert_eq(chmod(t.dir, 0755), 0);
	cr_assert_eq(chmod(t.rt, 0777), 0);
	cr_assert_eq(chmod(socket, 0666), 0);
	code = run(argv, (const char *const[]){ t.rt_env, NULL });
	cr_expect_neq(code, 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "denied") || strstr(run_result.err, "denied"),
		  "no refusal: [%s] [%s]", run_result.out, run_result.err);
	cr_expect_null(strstr(run_result.out, "a.service"), "refused but answered: %s",
		       run_result.out);
	/* Not a connection failure: the refusal came from cinit. */
	cr_expect_null(strstr(run_result.err, "cannot connect"), "%s", run_result.err);
	cr_expect_eq(ctl("status", "a"), 0, "root still may: %s", run_result.out);
	stop_cinit();
}

/* ---------------------------------------------------------------------------------------- */
/* 5. Reloading the unit directory */

TEST(reload, sighup_adds_removes_changes, 90)
{
	char path[256];
	pid_t keep, chg1, chg2;

	unit("keep", "[Service]\nExecStart=%s signals\n", t.payload);
	unit("gone", "[Service]\nExecStart=%s signals\nExecStopPost=/bin/echo gone-stopped\n",
	     t.payload);
	unit("chg", "[Service]\nExecStart=/bin/sh -c 'echo chg-v1; exec %s signals'\n", t.payload);
	start_cinit();
	keep = expect_out("keep", "ready", 0, T_LONG);
	cr_assert(keep, "%s", t.cinit.transcript);
	cr_assert(expect_out("gone", "ready", 0, T_LONG), "%s", t.cinit.transcript);
	chg1 = expect_out("chg", "chg-v1", 0, T_LONG);
	cr_assert(chg1, "%s", t.cinit.transcript);
	cr_assert(expect_out("chg", "ready", chg1, T_LONG), "%s", t.cinit.transcript);

	/* Added */
	unit("new", "[Service]\nExecStart=/bin/echo new-started\n");
	kill(t.cinit.pid, SIGHUP);
	cr_expect(expect_out("new", "new-started", 0, T_LONG), "added unit did not start: %s",
		  t.cinit.transcript);

	/* Removed */
	snprintf(path, sizeof(path), "%s/gone.service", t.units);
	cr_assert_eq(unlink(path), 0);
	kill(t.cinit.pid, SIGHUP);
	cr_expect(expect_out("gone", "main TERM", 0, T_LONG), "removed unit not stopped: %s",
		  t.cinit.transcript);
	cr_expect(expect_out("gone", "gone-stopped", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect(wait_status("gone", 4, T_LONG), "a removed unit stays listed: %s",
		  run_result.out);

	/* Changed */
	unit("chg", "[Service]\nExecStart=/bin/sh -c 'echo chg-v2; exec %s signals'\n", t.payload);
	kill(t.cinit.pid, SIGHUP);
	cr_expect(expect_out("chg", "main TERM", chg1, T_LONG), "changed unit not stopped: %s",
		  t.cinit.transcript);
	chg2 = expect_out("chg", "chg-v2", 0, T_LONG);
	cr_expect(chg2 && chg2 != chg1, "changed unit not restarted: %s", t.cinit.transcript);
	cr_expect(expect_out("chg", "ready", chg2, T_LONG), "%s", t.cinit.transcript);
	cr_expect(wait_status("chg", 0, T_LONG));
	cr_expect_eq(main_pid("chg"), chg2, "%s", run_result.out);

	/* Unchanged: left alone through all three reloads. */
	cr_expect_eq(main_pid("keep"), keep, "%s", run_result.out);
	cr_expect_eq(count_out("keep", "main TERM"), 0, "%s", t.cinit.transcript);
	cr_expect_eq(count_out("keep", "ready"), 1, "%s", t.cinit.transcript);
	cr_expect_neq(stop_cinit(), -1, "cinit did not stop");
	cr_expect_eq(count_out("chg", "chg-v1"), 1, "%s", t.cinit.transcript);
	cr_expect_eq(count_out("new", "new-started"), 1, "%s", t.cinit.transcript);
}

TEST(reload, ctl_reload_units_counts, 90)
{
	char path[256];

	unit("a", "[Service]\nExecStart=%s signals\n", t.payload);
	start_cinit();
	cr_assert(expect_out("a", "ready", 0, T_LONG), "%s", t.cinit.transcript);

	cr_expect_eq(ctl("reload-units"), 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "0 added, 0 removed, 0 changed") != NULL, "%s",
		  run_result.out);

	unit("b", "[Service]\nExecStart=/bin/sh -c 'echo b-started; exec %s signals'\n", t.payload);
	cr_expect_eq(ctl("reload-units"), 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "1 added, 0 removed, 0 changed") != NULL, "%s",
		  run_result.out);
	cr_expect(expect_out("b", "b-started", 0, T_LONG), "%s", t.cinit.transcript);

	snprintf(path, sizeof(path), "%s/b.service", t.units);
	cr_assert_eq(unlink(path), 0);
	unit("a", "[Unit]\nDescription=changed\n[Service]\nExecStart=%s signals\n", t.payload);
	cr_expect_eq(ctl("reload-units"), 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "0 added, 1 removed, 1 changed") != NULL, "%s",
		  run_result.out);
	cr_expect(expect_out("b", "main TERM", 0, T_LONG), "%s", t.cinit.transcript);
	cr_expect(wait_status("b", 4, T_LONG), "%s", run_result.out);
	cr_expect(wait_status("a", 0, T_LONG), "%s", run_result.out);
	cr_expect(strstr(run_result.out, "changed") != NULL, "new description: %s", run_result.out);
	stop_cinit();
}

/* A reload that finds a running unit broken keeps it running on what it had and reports the
 * error; putting the file back clears the error, without a restart. */
TEST(reload, broken_then_reverted_unit, 90)
{
	unit("a", "[Service]\nExecStart=%s signals\n", t.payload);
	start_cinit();
	cr_assert(expect_out("a", "ready", 0, T_LONG), "%s", t.cinit.transcript);

	unit("a", "[Service]\nExecStart=%s signals\nRestartSec=5x\n", t.payload);
	cr_expect_eq(ctl("reload-units"), 0, "%s", run_result.out);
	cr_expect_eq(ctl("status", "a"), 0, "still running: %s", run_result.out);
	cr_expect(strstr(run_result.out, "RestartSec: \"5x\" is not a duration") != NULL, "%s",
		  run_result.out);

	unit("a", "[Service]\nExecStart=%s signals\n", t.payload);
	cr_expect_eq(ctl("reload-units"), 0, "%s", run_result.out);
	cr_expect_eq(ctl("status", "a"), 0, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "Error:") == NULL, "the error stayed: %s", run_result.out);
	cr_expect_eq(expect_out("a", "main TERM", 0, 500), 0, "it was restarted: %s",
		     t.cinit.transcript);
	stop_cinit();
}

/* ---------------------------------------------------------------------------------------- */
/* 6. Bad input */

TEST(units, value_error, 60)
{
	char message[256];

	unit("bad", "[Service]\nExecStart=/bin/echo bad-ran\nRestartSec=5x\n");
	unit("good", "[Service]\nExecStart=/bin/echo good-ran\n");
	start_cinit();
	cr_expect(expect_out("good", "good-ran", 0, T_LONG), "%s", t.cinit.transcript);
	snprintf(message, sizeof(message), "%s/bad.service:3: RestartSec: \"5x\" is not a duration",
		 t.units);
	cr_expect(expect_err(message, T_LONG), "want %s: %s", message, t.err);

	cr_expect_eq(ctl("status", "bad"), 3, "%s", run_result.out);
	cr_expect(strstr(run_result.out, "RestartSec: \"5x\" is not a duration") != NULL,
		  "status does not say why: %s", run_result.out);
	cr_expect_eq(ctl("start", "bad"), 1, "starting a unit that failed to load: %s",
		     run_result.out);
	cr_expect_neq(stop_cinit(), -1, "cinit did not stop");
	cr_expect_eq(count_lines_ending(t.err, message), 1, "one line: %s", t.err);
	cr_expect_eq(count_out("bad", NULL), 0, "%s", t.cinit.transcript);
}

TEST(units, unknown_key_warns, 60)
{
	char message[256];

	unit("warn", "[Service]\nExecStart=/bin/echo warn-ran\nFoo=bar\n");
	start_cinit();
	cr_expect(expect_out("warn", "warn-ran", 0, T_LONG), "the unit runs anyway: %s",
		  t.cinit.transcript);
	snprintf(message, sizeof(message), "%s/warn.service:3: unknown key \"Foo\"", t.units);
	cr_expect_neq(stop_cinit(), -1, "cinit did not stop");
	cr_expect_eq(count_lines_with(t.err, message), 1, "want one %s: %s", message, t.err);
}

TEST(units, missing_directory, 30)
{
	char missing[128];

	snprintf(missing, sizeof(missing), "%s/no-such-dir", t.dir);
	snprintf(t.units, sizeof(t.units), "%s", missing);
	start_cinit_with(NULL, (const char *const[]){ "/bin/echo", "main-ran", NULL });
	/* Both streams to their end, then the status. */
	while (harness_read_line(&t.cinit, T_LONG))
		;
	err_read(NULL, T_LONG);
	t.running = false;
	cr_expect_eq(harness_exit_code(&t.cinit, T_LONG), 2);
	cr_expect(strstr(t.err, missing) != NULL, "the error does not name %s: %s", missing, t.err);
	cr_expect_eq(t.cinit.transcript_len, 0, "something ran: %s", t.cinit.transcript);
}

/* A unit file that cannot be read at all (a dangling link, a directory) makes the directory
 * unusable at start-up, as a missing one does: exit 2, nothing started. */
static void expect_unusable(const char *path)
{
	start_cinit_with(NULL, (const char *const[]){ "/bin/echo", "main-ran", NULL });
	while (harness_read_line(&t.cinit, T_LONG))
		;
	err_read(NULL, T_LONG);
	t.running = false;
	cr_expect_eq(harness_exit_code(&t.cinit, T_LONG), 2, "%s", t.err);
	cr_expect(strstr(t.err, path) != NULL, "the error does not name %s: %s", path, t.err);
	cr_expect_eq(t.cinit.transcript_len, 0, "something ran: %s", t.cinit.transcript);
}

TEST(units, unreadable_unit_files, 60)
{
	char path[256], target[256];

	unit("good", "[Service]\nExecStart=%s signals\n", t.payload);
	snprintf(path, sizeof(path), "%s/dangling.service", t.units);
	snprintf(target, sizeof(target), "%s/nowhere.service", t.dir);
	cr_assert_eq(symlink(target, path), 0);
	expect_unusable(path);
	cr_assert_eq(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/dir.service", t.units);
	cr_assert_eq(mkdir(path, 0755), 0);
	expect_unusable(path);
	cr_assert_eq(rmdir(path), 0);

	/* Once running, a reload that meets one logs it and carries on. */
	start_cinit();
	cr_expect(expect_out("good", "ready", 0, T_LONG), "%s", t.cinit.transcript);
	snprintf(path, sizeof(path), "%s/dangling.service", t.units);
	cr_assert_eq(symlink(target, path), 0);
	cr_expect_eq(ctl("reload-units"), 0, "%s", run_result.out);
	cr_expect_eq(ctl("status", "good"), 0, "%s", run_result.out);
	stop_cinit();
}

/* ---------------------------------------------------------------------------------------- */
/* 7. With a main command */

TEST(main_command, exit_status_and_services_stopped, 60)
{
	char marker[128];
	const char *text;

	snprintf(marker, sizeof(marker), "%s/stopped", t.dir);
	unit("svc", "[Service]\nExecStart=%s signals\nExecStopPost=/bin/sh -c 'echo done > %s'\n",
	     t.payload, marker);
	start_cinit_with(NULL, (const char *const[]){ t.payload, "exit", "3", NULL });
	while (harness_read_line(&t.cinit, T_LONG))
		;
	t.running = false;
	cr_expect_eq(harness_exit_code(&t.cinit, T_LONG), 3);
	text = read_file(marker);
	cr_expect(text && strcmp(text, "done\n") == 0,
		  "ExecStopPost= had not run when cinit exited: %s", text ? text : "(no file)");
	cr_expect_eq(harness_children(getpid(), NULL, 0), 0, "processes left behind");
}

TEST(main_command, services_run_while_main_does, 60)
{
	char started[128], script[512];
	pid_t pid;

	snprintf(started, sizeof(started), "%s/started", t.dir);
	/* the TERM handler is in place before the main command is told the service runs (an
	 * exec of the payload after the touch raced the stop: CI saw the TERM land first) */
	unit("svc",
	     "[Service]\n"
	     "ExecStart=/bin/sh -c 'trap \"echo main TERM; exit 0\" TERM; echo svc-ran; touch %s; "
	     "while :; do sleep 0.05; done'\n"
	     "ExecStopPost=/bin/echo svc-stopped\n",
	     started);
	/* The main command ends once the service runs (or after its own deadline). */
	snprintf(script, sizeof(script),
		 "i=0; while [ ! -e %s ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done; "
		 "echo main-done; exit 3",
		 started);
	start_cinit_with(NULL, (const char *const[]){ "/bin/sh", "-c", script, NULL });
	while (harness_read_line(&t.cinit, T_LONG))
		;
	t.running = false;
	cr_expect_eq(harness_exit_code(&t.cinit, T_LONG), 3);
	pid = svc_lines(t.cinit.transcript, "svc", "svc-ran", 0, &pid) ? pid : 0;
	cr_expect(pid > 0, "%s", t.cinit.transcript);
	cr_expect(harness_printed(&t.cinit, "main-done"), "%s", t.cinit.transcript);
	cr_expect_eq(svc_lines(t.cinit.transcript, "svc", "main TERM", pid, NULL), 1,
		     "the service was not stopped: %s", t.cinit.transcript);
	cr_expect_eq(count_out("svc", "svc-stopped"), 1, "%s", t.cinit.transcript);
	cr_expect_eq(harness_children(getpid(), NULL, 0), 0, "processes left behind");
}
