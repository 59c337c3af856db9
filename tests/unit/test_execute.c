/* Starting a service's process: the environment and credentials resolved in cinit, and what the
 * child really runs with (checked from inside it: id, umask, ulimit, /proc/self/status). Runs as
 * root; every test works in its own temporary directory. */
#include "config.h"

#include "init/execute.h"
#include "common/log.h"
#include "common/spec.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PATH	 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define CAP_NET_BIND_BIT (UINT64_C(1) << 10)
#define CAP_CHOWN_BIT	 (UINT64_C(1) << 0)
#define LIST_MAX	 12
#define OUTPUT_MAX	 8192

static char tmp_dir[PATH_MAX];

static void setup(void)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/cinit-test-execute-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_dir));
	/* The dropped "export A=1" lines are warned about; the tests check what is dropped. */
	log_set_level(LOG_LEVEL_ERROR);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(execute, .init = setup, .fini = teardown, .timeout = 30);

/* ------------------------------------------------------------------------------------------ */
/* Helpers */

static char *tmp_path(const char *name)
{
	char *path;

	cr_assert_gt(asprintf(&path, "%s/%s", tmp_dir, name), 0);
	return path;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(write_all(fd, text, strlen(text)), 0);
	close(fd);
}

static void read_file(const char *path, char *buf, size_t size)
{
	ssize_t n = util_read_file(path, buf, size);

	cr_assert_geq(n, 0, "read %s: %s", path, strerror((int)-n));
}

/* A NULL-terminated copy of a table's list (NULL when empty), as struct exec_spec owns them. */
static char **strv_copy(const char *const *items)
{
	size_t n = 0;
	char **copy;

	while (n < LIST_MAX && items[n])
		n++;
	if (n == 0)
		return NULL;
	copy = calloc(n + 1, sizeof(*copy));
	cr_assert_not_null(copy);
	for (size_t i = 0; i < n; i++)
		copy[i] = strdup(items[i]);
	return copy;
}

static void assert_env(char *const *env, const char *const *expected, const char *what)
{
	size_t i = 0;

	for (; expected[i]; i++) {
		cr_assert_not_null(env[i], "%s: entry %zu missing, expected \"%s\"", what, i,
				   expected[i]);
		cr_assert_str_eq(env[i], expected[i], "%s: entry %zu", what, i);
	}
	cr_assert_null(env[i], "%s: unexpected entry \"%s\"", what, env[i]);
}

struct outcome {
	int status;		     /* exec_read_status() once the child is gone */
	struct exec_failure failure; /* when status is 1 */
	int exit_code;		     /* 128 + signal when killed */
	char out[OUTPUT_MAX];	     /* stdout, unless the test sent it elsewhere */
};

struct run_options {
	unsigned flags;
	const sigset_t *mask;
	int cgroup_fd;
	int stdout_fd, stderr_fd;
};

/* Starts argv under spec, waits for it and collects how it went. Output the test did not
 * direct goes to a file (stdout) and cinit's stderr. */
static void run_with(struct exec_spec *spec, const struct run_options *opt, const char *const *argv,
		     struct outcome *o)
{
	struct exec_command command = { .path = (char *)argv[0],
					.argv = (char **)argv,
					.flags = opt->flags };
	struct exec_context *ctx = NULL;
	struct exec_request request;
	char err[256];
	int status_fd, ws, r;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	if (spec->standard_output == SPEC_OUTPUT_JOURNAL && opt->stdout_fd < 0) {
		spec->standard_output = SPEC_OUTPUT_TRUNCATE;
		spec->standard_output_path = tmp_path("stdout");
	}
	if (spec->standard_error == SPEC_OUTPUT_JOURNAL && opt->stderr_fd < 0)
		spec->standard_error = SPEC_OUTPUT_INHERIT;
	r = exec_context_new(spec, NULL, &ctx, err, sizeof(err));
	cr_assert_eq(r, 0, "exec_context_new: %s", err);

	request = (struct exec_request){ .spec = spec,
					 .context = ctx,
					 .command = &command,
					 .stdout_fd = opt->stdout_fd,
					 .stderr_fd = opt->stderr_fd,
					 .mask = opt->mask,
					 .cgroup_procs_fd = opt->cgroup_fd };
	cr_assert_eq(exec_spawn(&request, &pid, &status_fd), 0);
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	o->exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	o->status = exec_read_status(status_fd, &o->failure);
	if (o->status == 1)
		cr_assert_eq(exec_read_status(status_fd, NULL), 0, "EOF follows the failure");
	close(status_fd);
	if (spec->standard_output == SPEC_OUTPUT_TRUNCATE && spec->standard_output_path &&
	    access(spec->standard_output_path, F_OK) == 0)
		read_file(spec->standard_output_path, o->out, sizeof(o->out));
	exec_context_free(ctx);
}

static void run(struct exec_spec *spec, unsigned flags, const char *const *argv, struct outcome *o)
{
	struct run_options opt = {
		.flags = flags, .cgroup_fd = -1, .stdout_fd = -1, .stderr_fd = -1
	};

	run_with(spec, &opt, argv, o);
}

static void assert_ran(const struct outcome *o, const char *expected_out, const char *what)
{
	cr_assert_eq(o->status, 0, "%s: status %d (step %d, %s)", what, o->status, o->failure.step,
		     strerror(o->failure.error));
	cr_assert_eq(o->exit_code, 0, "%s: exit %d", what, o->exit_code);
	if (expected_out)
		cr_assert_str_eq(o->out, expected_out, "%s", what);
}

static void assert_failed(const struct outcome *o, int step, int error, const char *what)
{
	cr_assert_eq(o->status, 1, "%s: status %d", what, o->status);
	cr_assert_eq(o->failure.step, step, "%s: step %d", what, o->failure.step);
	cr_assert_eq(o->failure.error, error, "%s: error %s", what, strerror(o->failure.error));
	cr_assert_eq(o->exit_code, step, "%s: exit status %d", what, o->exit_code);
}

/* One line of our own /proc/self/status, e.g. "CapBnd:\t000001ffffffffff\n". */
static void own_status_line(const char *key, char *buf, size_t size)
{
	char status[8192];
	const char *line;
	size_t len;

	read_file("/proc/self/status", status, sizeof(status));
	line = strstr(status, key);
	cr_assert_not_null(line);
	len = strcspn(line, "\n") + 1;
	cr_assert_lt(len, size);
	memcpy(buf, line, len);
	buf[len] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Exit statuses and the status pipe */

Test(execute, step_names_are_systemds)
{
	static const struct {
		int step;
		const char *name;
	} cases[] = {
		{ EXEC_STEP_CHDIR, "CHDIR" },
		{ EXEC_STEP_NICE, "NICE" },
		{ EXEC_STEP_FDS, "FDS" },
		{ EXEC_STEP_EXEC, "EXEC" },
		{ EXEC_STEP_MEMORY, "MEMORY" },
		{ EXEC_STEP_LIMITS, "LIMITS" },
		{ EXEC_STEP_SIGNAL_MASK, "SIGNAL_MASK" },
		{ EXEC_STEP_STDIN, "STDIN" },
		{ EXEC_STEP_STDOUT, "STDOUT" },
		{ EXEC_STEP_GROUP, "GROUP" },
		{ EXEC_STEP_USER, "USER" },
		{ EXEC_STEP_CAPABILITIES, "CAPABILITIES" },
		{ EXEC_STEP_CGROUP, "CGROUP" },
		{ EXEC_STEP_SETSID, "SETSID" },
		{ EXEC_STEP_STDERR, "STDERR" },
		{ EXEC_STEP_NO_NEW_PRIVILEGES, "NO_NEW_PRIVILEGES" },
		{ 226, "NAMESPACE" },
		{ 231, "APPARMOR" },
		{ 245, "BPF" },
		{ 0, NULL },
		{ 1, NULL },
		{ 199, NULL },
		{ 223, NULL }, /* reserved by systemd */
		{ 234, NULL },
		{ 244, NULL },
		{ 246, NULL },
		{ 255, NULL },
		{ -1, NULL },
	};

	cr_assert_eq(EXEC_STEP_CHDIR, 200);
	cr_assert_eq(EXEC_STEP_EXEC, 203);
	cr_assert_eq(EXEC_STEP_SIGNAL_MASK, 207);
	cr_assert_eq(EXEC_STEP_GROUP, 216);
	cr_assert_eq(EXEC_STEP_SETSID, 220);
	cr_assert_eq(EXEC_STEP_STDERR, 222);
	cr_assert_eq(EXEC_STEP_NO_NEW_PRIVILEGES, 227);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const char *name = exec_step_name(cases[i].step);

		if (cases[i].name)
			cr_assert_str_eq(name, cases[i].name, "step %d", cases[i].step);
		else
			cr_assert_null(name, "step %d", cases[i].step);
	}
}

Test(execute, read_status_nothing_failure_eof_and_short)
{
	struct exec_failure sent = { EXEC_STEP_USER, EPERM }, got = { 0, 0 };
	int fds[2];

	cr_assert_eq(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
	cr_assert_eq(exec_read_status(fds[0], &got), -EAGAIN);
	cr_assert_eq(write(fds[1], &sent, sizeof(sent)), (ssize_t)sizeof(sent));
	cr_assert_eq(exec_read_status(fds[0], &got), 1);
	cr_assert_eq(got.step, EXEC_STEP_USER);
	cr_assert_eq(got.error, EPERM);
	close(fds[1]);
	cr_assert_eq(exec_read_status(fds[0], &got), 0);
	close(fds[0]);

	cr_assert_eq(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
	cr_assert_eq(write(fds[1], "abc", 3), 3);
	close(fds[1]);
	cr_assert_eq(exec_read_status(fds[0], &got), -EIO);
	close(fds[0]);
}

/* ------------------------------------------------------------------------------------------ */
/* The environment */

struct env_case {
	const char *what;
	const char *environment[LIST_MAX];
	const char *pass[LIST_MAX];
	const char *file; /* contents of one EnvironmentFile=, after Environment= */
	const char *unset[LIST_MAX];
	const char *user;
	const char *extra[LIST_MAX];
	const char *expected[LIST_MAX];
};

Test(execute, environment_order_overrides_and_unset)
{
	static const struct env_case cases[] = {
		{ .what = "defaults", .expected = { DEFAULT_PATH } },
		{ .what = "Environment= replaces PATH in place, later wins",
		  .environment = { "A=1", "PATH=/x", "A=2" },
		  .expected = { "PATH=/x", "A=2" } },
		{ .what = "extra_env, later duplicate wins",
		  .extra = { "NOTIFY_SOCKET=/run/cinit/notify", "MAINPID=1", "MAINPID=2" },
		  .expected = { DEFAULT_PATH, "NOTIFY_SOCKET=/run/cinit/notify", "MAINPID=2" } },
		{ .what = "Environment= overrides extra_env, as systemd's does its own",
		  .extra = { "MAINPID=1" },
		  .environment = { "MAINPID=9", "B=2" },
		  .expected = { DEFAULT_PATH, "MAINPID=9", "B=2" } },
		{ .what = "PassEnvironment= takes what is set",
		  .pass = { "CINIT_TEST_PASSED", "CINIT_TEST_NEVER_SET" },
		  .expected = { DEFAULT_PATH, "CINIT_TEST_PASSED=from cinit" } },
		{ .what = "Environment= overrides PassEnvironment=",
		  .pass = { "CINIT_TEST_PASSED" },
		  .environment = { "CINIT_TEST_PASSED=from unit" },
		  .expected = { DEFAULT_PATH, "CINIT_TEST_PASSED=from unit" } },
		{ .what = "EnvironmentFile= overrides Environment=",
		  .environment = { "A=env", "B=env" },
		  .file = "A=file\nC=file\n",
		  .expected = { DEFAULT_PATH, "A=file", "B=env", "C=file" } },
		{ .what = "UnsetEnvironment= names and exact assignments",
		  .environment = { "A=1", "B=2", "C=3" },
		  .unset = { "A", "B=2", "C=4", "PATH", "NOT_THERE" },
		  .expected = { "C=3" } },
		{ .what = "UnsetEnvironment= sees EnvironmentFile=",
		  .file = "D=1\nE=2\n",
		  .unset = { "D" },
		  .expected = { DEFAULT_PATH, "E=2" } },
		{ .what = "User=nobody: no SHELL for nologin",
		  .user = "nobody",
		  .expected = { DEFAULT_PATH, "USER=nobody", "LOGNAME=nobody",
				"HOME=/nonexistent" } },
		{ .what = "User=65534 is named from passwd",
		  .user = "65534",
		  .expected = { DEFAULT_PATH, "USER=nobody", "LOGNAME=nobody",
				"HOME=/nonexistent" } },
		{ .what = "a uid without passwd entry: named as written, no HOME",
		  .user = "4000000",
		  .expected = { DEFAULT_PATH, "USER=4000000", "LOGNAME=4000000" } },
		{ .what = "Environment= overrides the user's HOME",
		  .user = "nobody",
		  .environment = { "HOME=/srv" },
		  .expected = { DEFAULT_PATH, "USER=nobody", "LOGNAME=nobody", "HOME=/srv" } },
	};

	cr_assert_eq(setenv("CINIT_TEST_PASSED", "from cinit", 1), 0);
	unsetenv("CINIT_TEST_NEVER_SET");
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct env_case *c = &cases[i];
		struct exec_context *ctx = NULL;
		struct exec_spec spec;
		char **extra = strv_copy(c->extra);
		char err[256] = "";
		int r;

		exec_spec_init(&spec);
		spec.environment = strv_copy(c->environment);
		spec.pass_environment = strv_copy(c->pass);
		spec.unset_environment = strv_copy(c->unset);
		spec.user = c->user ? strdup(c->user) : NULL;
		if (c->file) {
			const char *files[LIST_MAX] = { tmp_path("env") };

			write_file(files[0], c->file, 0644);
			spec.environment_files = strv_copy(files);
			free((char *)files[0]);
		}
		r = exec_context_new(&spec, extra, &ctx, err, sizeof(err));
		cr_assert_eq(r, 0, "%s: %s", c->what, err);
		assert_env(exec_context_env(ctx), c->expected, c->what);
		exec_context_free(ctx);
		exec_spec_clear(&spec);
		for (char **e = extra; e && *e; e++)
			free(*e);
		free(extra);
	}
	unsetenv("CINIT_TEST_PASSED");
}

Test(execute, environment_of_root_user)
{
	struct passwd *pw = getpwuid(0);
	struct exec_context *ctx = NULL;
	struct exec_spec spec;
	char home[600], shell[300], err[256];
	const char *expected[] = { DEFAULT_PATH, "USER=root", "LOGNAME=root", home, shell, NULL };

	cr_assert_not_null(pw);
	snprintf(home, sizeof(home), "HOME=%s", pw->pw_dir);
	snprintf(shell, sizeof(shell), "SHELL=%s", pw->pw_shell);
	exec_spec_init(&spec);
	spec.user = strdup("root");
	cr_assert_eq(exec_context_new(&spec, NULL, &ctx, err, sizeof(err)), 0, "%s", err);
	assert_env(exec_context_env(ctx), expected, "User=root");
	exec_context_free(ctx);
	exec_spec_clear(&spec);
	exec_context_free(NULL);
}

struct env_file_case {
	const char *text;
	const char *expected[LIST_MAX]; /* after PATH= */
};

Test(execute, environment_file_syntax)
{
	static const struct env_file_case cases[] = {
		{ "A=1\n", { "A=1" } },
		{ "A=1", { "A=1" } },
		{ "# comment\n; other comment\n\n   \n\tA=1\n", { "A=1" } },
		{ "  A = spaced value  \n", { "A=spaced value" } },
		{ "A=\"a b\"\nB='c d'\n", { "A=a b", "B=c d" } },
		{ "A=\"  kept  \"\n", { "A=  kept  " } },
		{ "A=\"q\\\"q \\\\ \\$x \\`y\\` \\n\"\n", { "A=q\"q \\ $x `y` \\n" } },
		{ "A='no \\escape \"here\"'\n", { "A=no \\escape \"here\"" } },
		{ "A=one\\\ntwo\n", { "A=onetwo" } },
		{ "A=\"multi\nline\"\nB=2\n", { "A=multi\nline", "B=2" } },
		{ "A='multi\nline'\n", { "A=multi\nline" } },
		{ "A=\"x\\\ny\"\n", { "A=xy" } },
		{ "A=a\\ b\\\\c\\#d\n", { "A=a b\\c#d" } },
		{ "A=trailing\\ \n", { "A=trailing " } },
		{ "export B=1\nC=2\n", { "C=2" } },
		{ "JUNK\nD=4\nJUNK2", { "D=4" } },
		{ "E=\nF=  \n", { "E=", "F=" } },
		{ "F=1\r\nG=2\r\n", { "F=1", "G=2" } },
		{ "# comment ending in a backslash \\\nH=1\n", { "H=1" } },
		{ "I=\"unterminated", { "I=unterminated" } },
		{ "I='unterminated\n", { "I=unterminated\n" } },
		{ "J=\"a\"'b'c\n", { "J=abc" } },
		{ "J=\"a\" \"b\"\n", { "J=ab" } },
		{ "K=a\"b\" 'c'\n", { "K=a\"b\" 'c'" } },
		{ "L=1\nM=x\nL=2\n", { "L=2", "M=x" } },
		{ "1X=1\nY-Z=2\n=3\n_ok9=4\n", { "_ok9=4" } },
		{ "N=a=b\n", { "N=a=b" } },
		{ "O=#not a comment ;either\n", { "O=#not a comment ;either" } },
		{ "P=caf\xc3\xa9\n", { "P=caf\xc3\xa9" } },
		{ "", { NULL } },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const char *files[LIST_MAX] = { tmp_path("env") };
		const char *expected[LIST_MAX + 1] = { DEFAULT_PATH };
		struct exec_context *ctx = NULL;
		struct exec_spec spec;
		char err[256] = "";
		int r;

		for (size_t j = 0; j < LIST_MAX && cases[i].expected[j]; j++)
			expected[j + 1] = cases[i].expected[j];
		write_file(files[0], cases[i].text, 0644);
		exec_spec_init(&spec);
		spec.environment_files = strv_copy(files);
		r = exec_context_new(&spec, NULL, &ctx, err, sizeof(err));
		cr_assert_eq(r, 0, "case %zu: %s", i, err);
		assert_env(exec_context_env(ctx), expected, cases[i].text);
		exec_context_free(ctx);
		exec_spec_clear(&spec);
		free((char *)files[0]);
	}
}

Test(execute, environment_file_nul_ends_it)
{
	static const char text[] = "A=1\nB=2\0C=3\n";
	const char *files[LIST_MAX] = { tmp_path("env") };
	const char *expected[] = { DEFAULT_PATH, "A=1", "B=2", NULL };
	struct exec_context *ctx = NULL;
	struct exec_spec spec;
	char err[256];
	int fd = open(files[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert_eq(write_all(fd, text, sizeof(text) - 1), 0);
	close(fd);
	exec_spec_init(&spec);
	spec.environment_files = strv_copy(files);
	cr_assert_eq(exec_context_new(&spec, NULL, &ctx, err, sizeof(err)), 0, "%s", err);
	assert_env(exec_context_env(ctx), expected, "NUL");
	exec_context_free(ctx);
	exec_spec_clear(&spec);
	free((char *)files[0]);
}

struct env_error_case {
	const char *what;
	const char *file;	/* as written in the unit, "@" stands for the temp dir */
	int expected;		/* 0 or -errno */
	const char *message;	/* "@" stands for the temp dir */
	const char *value_of_a; /* expected A=..., NULL: no A */
};

static char *expand_tmp(const char *text)
{
	const char *at = strchr(text, '@');
	char *out;

	if (!at)
		return strdup(text);
	cr_assert_gt(asprintf(&out, "%.*s%s%s", (int)(at - text), text, tmp_dir, at + 1), 0);
	return out;
}

Test(execute, environment_file_errors_and_globs)
{
	static const struct env_error_case cases[] = {
		{ "required missing", "@/missing", -ENOENT,
		  "EnvironmentFile=@/missing: No such file or directory", NULL },
		{ "optional missing", "-@/missing", 0, "", NULL },
		{ "a directory", "@/dir", -EISDIR, "EnvironmentFile=@/dir: Is a directory", NULL },
		{ "optional directory", "-@/dir", 0, "", NULL },
		{ "invalid UTF-8", "@/bad", -EINVAL, "EnvironmentFile=@/bad: line 2: invalid UTF-8",
		  NULL },
		{ "optional invalid UTF-8", "-@/bad", 0, "", NULL },
		{ "glob, sorted", "@/glob/*.env", 0, "", "2" },
		{ "glob without match", "@/glob/*.none", -ENOENT,
		  "EnvironmentFile=@/glob/*.none: No such file or directory", NULL },
		{ "optional glob without match", "-@/glob/*.none", 0, "", NULL },
		{ "readable", "@/good", 0, "", "good" },
	};
	char *path;

	path = tmp_path("dir");
	cr_assert_eq(mkdir(path, 0755), 0);
	free(path);
	path = tmp_path("bad");
	write_file(path, "OK=1\nA=\xff\xfe\n", 0644);
	free(path);
	path = tmp_path("good");
	write_file(path, "A=good\n", 0644);
	free(path);
	path = tmp_path("glob");
	cr_assert_eq(mkdir(path, 0755), 0);
	free(path);
	path = tmp_path("glob/2.env");
	write_file(path, "A=2\n", 0644);
	free(path);
	path = tmp_path("glob/1.env");
	write_file(path, "A=1\nB=1\n", 0644);
	free(path);

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct env_error_case *c = &cases[i];
		char *file = expand_tmp(c->file), *message = expand_tmp(c->message);
		const char *files[LIST_MAX] = { file };
		struct exec_context *ctx = NULL;
		struct exec_spec spec;
		char err[512] = "unchanged";
		int r;

		exec_spec_init(&spec);
		spec.environment_files = strv_copy(files);
		r = exec_context_new(&spec, NULL, &ctx, err, sizeof(err));
		cr_assert_eq(r, c->expected, "%s: %d (%s)", c->what, r, err);
		cr_assert_str_eq(err, message, "%s", c->what);
		if (r == 0) {
			char *const *env = exec_context_env(ctx);
			const char *a = NULL;

			for (; *env; env++)
				if (strncmp(*env, "A=", 2) == 0)
					a = *env + 2;
			if (c->value_of_a)
				cr_assert_str_eq(a, c->value_of_a, "%s", c->what);
			else
				cr_assert_null(a, "%s: A=%s", c->what, a);
		} else {
			cr_assert_null(ctx);
		}
		exec_context_free(ctx);
		exec_spec_clear(&spec);
		free(file);
		free(message);
	}
}

struct credential_error_case {
	const char *user, *group, *supplementary;
	int expected;
	const char *message;
};

Test(execute, credential_errors)
{
	static const struct credential_error_case cases[] = {
		{ "cinit-no-such-user", NULL, NULL, -ESRCH,
		  "User=cinit-no-such-user: no such user" },
		{ "bad name", NULL, NULL, -EINVAL, "User=bad name: not a valid name or id" },
		{ "4294967295", NULL, NULL, -ERANGE, "User=4294967295: id out of range" },
		{ NULL, "cinit-no-such-group", NULL, -ESRCH,
		  "Group=cinit-no-such-group: no such group" },
		{ "nobody", "cinit-no-such-group", NULL, -ESRCH,
		  "Group=cinit-no-such-group: no such group" },
		{ NULL, NULL, "cinit-no-such-group", -ESRCH,
		  "SupplementaryGroups=cinit-no-such-group: no such group" },
		{ "nobody", "nogroup", "root", 0, "" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct credential_error_case *c = &cases[i];
		const char *supplementary[LIST_MAX] = { c->supplementary };
		struct exec_context *ctx = NULL;
		struct exec_spec spec;
		char err[256] = "";
		int r;

		exec_spec_init(&spec);
		spec.user = c->user ? strdup(c->user) : NULL;
		spec.group = c->group ? strdup(c->group) : NULL;
		spec.supplementary_groups = strv_copy(supplementary);
		r = exec_context_new(&spec, NULL, &ctx, err, sizeof(err));
		cr_assert_eq(r, c->expected, "case %zu: %d", i, r);
		cr_assert_str_eq(err, c->message, "case %zu", i);
		exec_context_free(ctx);
		exec_spec_clear(&spec);
	}
}

Test(execute, extra_env_must_be_assignments)
{
	char *extra[] = { "MAINPID", NULL };
	struct exec_context *ctx = NULL;
	struct exec_spec spec;
	char err[256];

	exec_spec_init(&spec);
	cr_assert_eq(exec_context_new(&spec, extra, &ctx, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "\"MAINPID\" is not an assignment");
	cr_assert_null(ctx);
	exec_spec_clear(&spec);
}

/* ------------------------------------------------------------------------------------------ */
/* The child */

Test(execute, runs_as_user_with_umask_limits_and_nice)
{
	static const char *const argv[] = {
		"/bin/sh", "-c",
		"id -u; id -g; id -G; echo \"$HOME\"; echo \"$USER\"; umask; ulimit -n; "
		"ulimit -Hn; nice; pwd",
		NULL
	};
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	spec.user = strdup("nobody");
	spec.umask = 0027;
	spec.nice = 7;
	spec.rlimits[RLIMIT_NOFILE] = (struct spec_rlimit){ .set = true, .soft = 100, .hard = 200 };
	run(&spec, 0, argv, &o);
	assert_ran(&o, "65534\n65534\n65534\n/nonexistent\nnobody\n0027\n100\n200\n7\n/\n",
		   "User=nobody");
	exec_spec_clear(&spec);
}

Test(execute, group_and_supplementary_groups)
{
	static const char *const argv[] = { "/bin/sh", "-c", "id -u; id -g; id -G", NULL };
	const char *supplementary[LIST_MAX] = { "root", "4242" };
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	spec.user = strdup("nobody");
	spec.group = strdup("daemon");
	spec.supplementary_groups = strv_copy(supplementary);
	run(&spec, 0, argv, &o);
	assert_ran(&o, "65534\n1\n1 0 4242\n", "Group=daemon SupplementaryGroups=root 4242");
	exec_spec_clear(&spec);
}

Test(execute, default_umask_is_0022)
{
	static const char *const argv[] = { "/bin/sh", "-c", "umask", NULL };
	struct exec_spec spec;
	struct outcome o;
	mode_t saved = umask(0077);

	exec_spec_init(&spec);
	run(&spec, 0, argv, &o);
	umask(saved);
	assert_ran(&o, "0022\n", "UMask unset");
	exec_spec_clear(&spec);
}

/* systemd's setrlimit_closest(): RLIMIT_NOFILE can never be infinite (fs.nr_open), so even root
 * gets EPERM, and the hard limit stays where it is instead of failing the start. */
Test(execute, limit_above_what_the_kernel_allows_is_clamped)
{
	static const char *const argv[] = { "/bin/sh", "-c", "ulimit -n; ulimit -Hn", NULL };
	struct exec_spec spec;
	struct outcome o;
	struct rlimit rl;
	char expected[64];

	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	cr_assert_neq(rl.rlim_max, RLIM_INFINITY);
	exec_spec_init(&spec);
	spec.rlimits[RLIMIT_NOFILE] =
		(struct spec_rlimit){ .set = true, .soft = 64, .hard = RLIM_INFINITY };
	run(&spec, 0, argv, &o);
	snprintf(expected, sizeof(expected), "64\n%llu\n", (unsigned long long)rl.rlim_max);
	assert_ran(&o, expected, "LimitNOFILE=64:infinity");
	exec_spec_clear(&spec);
}

struct cwd_case {
	const char *what;
	const char *dir;
	bool optional;
	const char *user;
	const char *expected; /* pwd; "@cwd" = ours; NULL: fails with ENOENT at CHDIR */
};

Test(execute, working_directory)
{
	struct passwd *pw = getpwuid(0);
	char root_home[PATH_MAX + 1], cwd[PATH_MAX + 1];
	const struct cwd_case cases[] = {
		{ "unset is /", NULL, false, NULL, "/\n" },
		{ "unset is / with User=", NULL, false, "nobody", "/\n" },
		{ "absolute", "/tmp", false, NULL, "/tmp\n" },
		{ "~ is root's home without User=", "~", false, NULL, root_home },
		{ "~ is the user's home", "~", false, "root", root_home },
		{ "optional missing", "/cinit-no-such-dir", true, NULL, cwd },
		{ "required missing", "/cinit-no-such-dir", false, NULL, NULL },
		{ "~ of nobody is /nonexistent", "~", false, "nobody", NULL },
	};

	cr_assert_not_null(pw);
	snprintf(root_home, sizeof(root_home), "%s\n", pw->pw_dir);
	cr_assert_not_null(getcwd(cwd, sizeof(cwd) - 1));
	strcat(cwd, "\n");
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		static const char *const argv[] = { "/bin/sh", "-c", "pwd", NULL };
		const struct cwd_case *c = &cases[i];
		struct exec_spec spec;
		struct outcome o;

		exec_spec_init(&spec);
		spec.working_directory = c->dir ? strdup(c->dir) : NULL;
		spec.working_directory_optional = c->optional;
		spec.user = c->user ? strdup(c->user) : NULL;
		run(&spec, 0, argv, &o);
		if (c->expected)
			assert_ran(&o, c->expected, c->what);
		else
			assert_failed(&o, EXEC_STEP_CHDIR, ENOENT, c->what);
		exec_spec_clear(&spec);
	}
}

struct exec_case {
	const char *what;
	const char *path; /* "@" = the temp dir */
	const char *path_env;
	int error; /* 0: runs and exits 0 */
};

Test(execute, exec_failures_and_path_search)
{
	static const struct exec_case cases[] = {
		{ "missing absolute", "/cinit/no/such/program", NULL, ENOENT },
		{ "missing in PATH", "cinit-no-such-program", NULL, ENOENT },
		{ "not executable", "@/plain", NULL, EACCES },
		{ "a directory", "/tmp", NULL, EACCES },
		{ "not in the unit's PATH", "true", "PATH=/cinit-none:/also-none", ENOENT },
		{ "found in the default PATH", "true", NULL, 0 },
		{ "found in the unit's PATH", "true", "PATH=/cinit-none::/bin", 0 },
		{ "skips a non-executable match", "plain", "PATH=@:/bin", EACCES },
	};
	char *plain = tmp_path("plain");

	write_file(plain, "#!/bin/sh\n", 0644);
	free(plain);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct exec_case *c = &cases[i];
		char *path = expand_tmp(c->path);
		const char *argv[] = { path, NULL };
		const char *environment[LIST_MAX] = { NULL };
		struct exec_spec spec;
		struct outcome o;

		if (c->path_env)
			environment[0] = expand_tmp(c->path_env);
		exec_spec_init(&spec);
		spec.environment = strv_copy(environment);
		run(&spec, 0, argv, &o);
		if (c->error)
			assert_failed(&o, EXEC_STEP_EXEC, c->error, c->what);
		else
			assert_ran(&o, NULL, c->what);
		exec_spec_clear(&spec);
		free((char *)environment[0]);
		free(path);
	}
}

/* EOF on the status pipe comes with execve(), long before the program exits. */
Test(execute, successful_exec_closes_status_pipe)
{
	static const char *const argv[] = { "/bin/sleep", "30", NULL };
	struct exec_command command = { .path = (char *)argv[0], .argv = (char **)argv };
	struct exec_context *ctx = NULL;
	struct exec_request request;
	struct exec_spec spec;
	struct pollfd pfd;
	char err[256];
	int status_fd, ws;
	pid_t pid;

	exec_spec_init(&spec);
	spec.standard_output = spec.standard_error = SPEC_OUTPUT_NULL;
	cr_assert_eq(exec_context_new(&spec, NULL, &ctx, err, sizeof(err)), 0);
	request = (struct exec_request){ .spec = &spec,
					 .context = ctx,
					 .command = &command,
					 .stdout_fd = -1,
					 .stderr_fd = -1,
					 .cgroup_procs_fd = -1 };
	cr_assert_eq(exec_spawn(&request, &pid, &status_fd), 0);
	cr_assert_neq(fcntl(status_fd, F_GETFL) & O_NONBLOCK, 0);
	cr_assert_neq(fcntl(status_fd, F_GETFD) & FD_CLOEXEC, 0);
	pfd = (struct pollfd){ .fd = status_fd, .events = POLLIN };
	cr_assert_eq(poll(&pfd, 1, 10000), 1);
	cr_assert_eq(exec_read_status(status_fd, NULL), 0);
	cr_assert_eq(waitpid(pid, &ws, WNOHANG), 0, "still running");
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	close(status_fd);
	exec_context_free(ctx);
	exec_spec_clear(&spec);
}

Test(execute, invalid_requests)
{
	static const char *const argv[] = { "/bin/true", NULL };
	struct exec_command command = { .path = (char *)argv[0], .argv = (char **)argv };
	struct exec_context *ctx = NULL;
	struct exec_request request;
	struct exec_spec spec;
	char err[256];
	int status_fd = -1;
	pid_t pid = 0;

	exec_spec_init(&spec); /* journal output, but no fds given */
	cr_assert_eq(exec_context_new(&spec, NULL, &ctx, err, sizeof(err)), 0);
	request = (struct exec_request){ .spec = &spec,
					 .context = ctx,
					 .command = &command,
					 .stdout_fd = -1,
					 .stderr_fd = -1,
					 .cgroup_procs_fd = -1 };
	cr_assert_eq(exec_spawn(&request, &pid, &status_fd), -EINVAL);
	spec.standard_output = spec.standard_error = SPEC_OUTPUT_FILE; /* without a path */
	cr_assert_eq(exec_spawn(&request, &pid, &status_fd), -EINVAL);
	cr_assert_eq(exec_spawn(NULL, &pid, &status_fd), -EINVAL);
	cr_assert_eq(pid, 0);
	cr_assert_eq(status_fd, -1);
	exec_context_free(ctx);
	spec.standard_output = spec.standard_error = SPEC_OUTPUT_JOURNAL;
	exec_spec_clear(&spec);
}

struct stdio_case {
	const char *what;
	enum spec_output out, err;
	bool same_file;	      /* stderr names stdout's file */
	const char *existing; /* file contents before, NULL: no file */
	const char *script;
	const char *expected; /* file contents after */
};

Test(execute, output_files)
{
	static const struct stdio_case cases[] = {
		{ "file: writes from the start, keeps the rest", SPEC_OUTPUT_FILE,
		  SPEC_OUTPUT_INHERIT, false, "XXXXXXXXXX", "printf ab", "abXXXXXXXX" },
		{ "append:", SPEC_OUTPUT_APPEND, SPEC_OUTPUT_INHERIT, false, "XXXX", "printf ab",
		  "XXXXab" },
		{ "truncate:", SPEC_OUTPUT_TRUNCATE, SPEC_OUTPUT_INHERIT, false, "XXXXXXXXXX",
		  "printf ab", "ab" },
		{ "file: created", SPEC_OUTPUT_FILE, SPEC_OUTPUT_INHERIT, false, NULL, "printf ab",
		  "ab" },
		{ "stderr file:", SPEC_OUTPUT_NULL, SPEC_OUTPUT_FILE, false, "XXXXXXXXXX",
		  "printf ab >&2", "abXXXXXXXX" },
		{ "stderr append:", SPEC_OUTPUT_NULL, SPEC_OUTPUT_APPEND, false, "XXXX",
		  "printf ab >&2", "XXXXab" },
		{ "stderr truncate:", SPEC_OUTPUT_NULL, SPEC_OUTPUT_TRUNCATE, false, "XXXXXXXXXX",
		  "printf ab >&2", "ab" },
		{ "one file for both shares the offset", SPEC_OUTPUT_FILE, SPEC_OUTPUT_FILE, true,
		  "XXXXXXXXXX", "printf a; printf b >&2; printf c", "abcXXXXXXX" },
		{ "truncate: for both truncates once", SPEC_OUTPUT_TRUNCATE, SPEC_OUTPUT_TRUNCATE,
		  true, "XXXXXXXXXX", "printf a; printf b >&2; printf c", "abc" },
		{ "stdout null, stdin null", SPEC_OUTPUT_NULL, SPEC_OUTPUT_FILE, false, NULL,
		  "printf lost; i=$(readlink /proc/$$/fd/0); o=$(readlink /proc/$$/fd/1); "
		  "echo \"$i\" >&2; echo \"$o\" >&2; cat; cat >&2",
		  "/dev/null\n/dev/null\n" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct stdio_case *c = &cases[i];
		const char *argv[] = { "/bin/sh", "-c", c->script, NULL };
		char *path = tmp_path("output"), *other = tmp_path("other");
		char text[256];
		struct exec_spec spec;
		struct outcome o;
		struct stat st;

		unlink(path);
		if (c->existing)
			write_file(path, c->existing, 0600);
		exec_spec_init(&spec);
		spec.standard_output = c->out;
		spec.standard_error = c->err;
		/* The stream not under test writes somewhere else. */
		spec.standard_output_path = strdup(c->out == SPEC_OUTPUT_NULL ? other : path);
		spec.standard_error_path =
			strdup(c->same_file || c->out == SPEC_OUTPUT_NULL ? path : other);
		run(&spec, 0, argv, &o);
		assert_ran(&o, NULL, c->what);
		read_file(path, text, sizeof(text));
		cr_assert_str_eq(text, c->expected, "%s: \"%s\"", c->what, text);
		cr_assert_eq(stat(path, &st), 0);
		cr_assert_eq(st.st_mode & 07777, c->existing ? 0600 : 0644, "%s: mode %o", c->what,
			     st.st_mode & 07777);
		exec_spec_clear(&spec);
		free(path);
		free(other);
	}
}

Test(execute, output_file_mode_follows_umask)
{
	static const char *const argv[] = { "/bin/sh", "-c", "printf x", NULL };
	struct exec_spec spec;
	struct outcome o;
	struct stat st;

	exec_spec_init(&spec);
	spec.umask = 0077;
	spec.standard_output = SPEC_OUTPUT_TRUNCATE;
	spec.standard_output_path = tmp_path("private");
	run(&spec, 0, argv, &o);
	assert_ran(&o, "x", "UMask=0077");
	cr_assert_eq(stat(spec.standard_output_path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	exec_spec_clear(&spec);
}

Test(execute, output_file_cannot_be_opened)
{
	static const char *const argv[] = { "/bin/true", NULL };
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	spec.standard_output = SPEC_OUTPUT_NULL;
	spec.standard_error = SPEC_OUTPUT_APPEND;
	spec.standard_error_path = strdup("/cinit-no-such-dir/log");
	run(&spec, 0, argv, &o);
	assert_failed(&o, EXEC_STEP_STDERR, ENOENT, "stderr");
	spec.standard_output = SPEC_OUTPUT_FILE;
	spec.standard_output_path = strdup("/cinit-no-such-dir/out");
	run(&spec, 0, argv, &o);
	assert_failed(&o, EXEC_STEP_STDOUT, ENOENT, "stdout");
	exec_spec_clear(&spec);
}

Test(execute, journal_fds_and_inherit)
{
	static const char *const argv[] = { "/bin/sh", "-c", "echo out; echo err >&2", NULL };
	struct run_options opt = { .cgroup_fd = -1 };
	char text[256], *path = tmp_path("inherited");
	struct exec_spec spec;
	struct outcome o;
	int fds[2], saved, fd;
	ssize_t n;

	/* Journal: the same pipe for both, as cinit's log pipe. */
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	opt.stdout_fd = opt.stderr_fd = fds[1];
	exec_spec_init(&spec);
	run_with(&spec, &opt, argv, &o);
	assert_ran(&o, NULL, "journal");
	close(fds[1]);
	n = read(fds[0], text, sizeof(text) - 1);
	cr_assert_gt(n, 0);
	text[n] = '\0';
	cr_assert_str_eq(text, "out\nerr\n");
	close(fds[0]);

	/* Inherit: whatever cinit's fd 1 and 2 are. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	cr_assert_geq(saved, 0);
	cr_assert_eq(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	spec.standard_output = SPEC_OUTPUT_INHERIT;
	spec.standard_error = SPEC_OUTPUT_NULL;
	opt.stdout_fd = opt.stderr_fd = -1;
	run_with(&spec, &opt, argv, &o);
	cr_assert_eq(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	close(fd);
	assert_ran(&o, NULL, "inherit");
	read_file(path, text, sizeof(text));
	cr_assert_str_eq(text, "out\n");
	exec_spec_clear(&spec);
	free(path);
}

Test(execute, other_fds_are_closed_and_session_is_new)
{
	static const char *const argv[] = { "/bin/sh", "-c",
					    "ls /proc/self/fd | tr '\\n' ' '; echo; echo $$; "
					    "cut -d' ' -f6 /proc/$$/stat",
					    NULL };
	struct exec_spec spec;
	struct outcome o;
	char pid[32], sid[32];
	int leaked = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */

	cr_assert_geq(leaked, 3);
	exec_spec_init(&spec);
	run(&spec, 0, argv, &o);
	close(leaked);
	cr_assert_eq(o.status, 0);
	/* ls's own directory fd is 3. */
	cr_assert_eq(strncmp(o.out, "0 1 2 3 \n", 9), 0, "fds: %s", o.out);
	cr_assert_eq(sscanf(o.out + 9, "%31s %31s", pid, sid), 2);
	cr_assert_str_eq(pid, sid, "the shell leads its own session");
	exec_spec_clear(&spec);
}

Test(execute, no_new_privileges)
{
	static const char *const argv[] = { "grep", "^NoNewPrivs", "/proc/self/status", NULL };
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	run(&spec, 0, argv, &o);
	assert_ran(&o, "NoNewPrivs:\t0\n", "default");
	spec.no_new_privileges = true;
	run(&spec, 0, argv, &o);
	assert_ran(&o, "NoNewPrivs:\t1\n", "NoNewPrivileges=yes");
	run(&spec, EXEC_NO_SETUID, argv, &o);
	assert_ran(&o, "NoNewPrivs:\t1\n", "'!' keeps it");
	run(&spec, EXEC_PRIVILEGED, argv, &o);
	assert_ran(&o, "NoNewPrivs:\t0\n", "'+' skips it");
	exec_spec_clear(&spec);
}

Test(execute, capability_bounding_set)
{
	static const char *const argv[] = { "grep", "^Cap\\(Eff\\|Bnd\\)", "/proc/self/status",
					    NULL };
	char own_bnd[64], expected[128];
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	spec.capability_bounding_set_set = true;
	spec.capability_bounding_set = CAP_NET_BIND_BIT;
	run(&spec, 0, argv, &o);
	assert_ran(&o, "CapEff:\t0000000000000400\nCapBnd:\t0000000000000400\n",
		   "CapabilityBoundingSet=CAP_NET_BIND_SERVICE");

	/* Capabilities the kernel does not have are ignored, not an error. */
	spec.capability_bounding_set = CAP_NET_BIND_BIT | (UINT64_C(1) << 63);
	run(&spec, 0, argv, &o);
	assert_ran(&o, "CapEff:\t0000000000000400\nCapBnd:\t0000000000000400\n", "bit 63");

	own_status_line("CapBnd:", own_bnd, sizeof(own_bnd));
	run(&spec, EXEC_PRIVILEGED, argv, &o);
	cr_assert_eq(o.status, 0);
	cr_assert_not_null(strstr(o.out, own_bnd), "'+' keeps the bounding set: %s", o.out);
	exec_spec_clear(&spec);

	exec_spec_init(&spec);
	run(&spec, 0, argv, &o);
	snprintf(expected, sizeof(expected), "%s", own_bnd);
	cr_assert_not_null(strstr(o.out, expected), "unset keeps it: %s", o.out);
	exec_spec_clear(&spec);
}

Test(execute, ambient_capabilities_survive_the_user_switch)
{
	static const char *const argv[] = { "grep",
					    "^\\(Uid\\|CapInh\\|CapPrm\\|CapEff\\|CapAmb\\)",
					    "/proc/self/status", NULL };
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	spec.user = strdup("nobody");
	spec.ambient_capabilities = CAP_NET_BIND_BIT;
	run(&spec, 0, argv, &o);
	assert_ran(&o,
		   "Uid:\t65534\t65534\t65534\t65534\n"
		   "CapInh:\t0000000000000400\n"
		   "CapPrm:\t0000000000000400\n"
		   "CapEff:\t0000000000000400\n"
		   "CapAmb:\t0000000000000400\n",
		   "User=nobody AmbientCapabilities=CAP_NET_BIND_SERVICE");

	/* Without them the user has nothing. */
	spec.ambient_capabilities = 0;
	run(&spec, 0, argv, &o);
	assert_ran(&o,
		   "Uid:\t65534\t65534\t65534\t65534\n"
		   "CapInh:\t0000000000000000\n"
		   "CapPrm:\t0000000000000000\n"
		   "CapEff:\t0000000000000000\n"
		   "CapAmb:\t0000000000000000\n",
		   "User=nobody");

	/* One outside the bounding set is dropped silently, as systemd does. */
	spec.ambient_capabilities = CAP_NET_BIND_BIT;
	spec.capability_bounding_set_set = true;
	spec.capability_bounding_set = CAP_CHOWN_BIT;
	run(&spec, 0, argv, &o);
	assert_ran(&o,
		   "Uid:\t65534\t65534\t65534\t65534\n"
		   "CapInh:\t0000000000000000\n"
		   "CapPrm:\t0000000000000000\n"
		   "CapEff:\t0000000000000000\n"
		   "CapAmb:\t0000000000000000\n",
		   "ambient outside the bounding set");
	exec_spec_clear(&spec);
}

Test(execute, privileged_prefixes_skip_the_user_switch)
{
	static const char *const argv[] = { "/bin/sh", "-c", "id -u; id -g; echo $USER", NULL };
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	spec.user = strdup("nobody");
	run(&spec, 0, argv, &o);
	assert_ran(&o, "65534\n65534\nnobody\n", "no prefix");
	run(&spec, EXEC_NO_SETUID, argv, &o);
	assert_ran(&o, "0\n0\nnobody\n", "'!'");
	run(&spec, EXEC_PRIVILEGED, argv, &o);
	assert_ran(&o, "0\n0\nnobody\n", "'+'");
	exec_spec_clear(&spec);
}

Test(execute, signal_mask_set_and_dispositions_reset)
{
	static const char *const argv[] = { "grep", "^Sig\\(Blk\\|Ign\\)", "/proc/self/status",
					    NULL };
	struct run_options opt = { .cgroup_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_usr1, old_pipe;
	sigset_t child_mask, blocked, old_mask;
	struct exec_spec spec;
	struct outcome o;

	/* Ours: SIGUSR1 and SIGPIPE ignored, SIGTERM blocked. */
	cr_assert_eq(sigaction(SIGUSR1, &ignore, &old_usr1), 0);
	cr_assert_eq(sigaction(SIGPIPE, &ignore, &old_pipe), 0);
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	cr_assert_eq(sigprocmask(SIG_BLOCK, &blocked, &old_mask), 0);

	exec_spec_init(&spec);
	sigemptyset(&child_mask);
	sigaddset(&child_mask, SIGUSR2);
	opt.mask = &child_mask;
	run_with(&spec, &opt, argv, &o);
	/* Only SIGPIPE stays ignored: systemd's IgnoreSIGPIPE=yes. */
	assert_ran(&o, "SigBlk:\t0000000000000800\nSigIgn:\t0000000000001000\n", "mask");
	opt.mask = NULL;
	run_with(&spec, &opt, argv, &o);
	assert_ran(&o, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000001000\n", "no mask");

	cr_assert_eq(sigprocmask(SIG_SETMASK, &old_mask, NULL), 0);
	cr_assert_eq(sigaction(SIGUSR1, &old_usr1, NULL), 0);
	cr_assert_eq(sigaction(SIGPIPE, &old_pipe, NULL), 0);
	exec_spec_clear(&spec);
}

Test(execute, cgroup_procs_fd_gets_the_child)
{
	static const char *const argv[] = { "/bin/true", NULL };
	struct run_options opt = { .stdout_fd = -1, .stderr_fd = -1 };
	char *path = tmp_path("cgroup.procs"), text[64];
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	opt.cgroup_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(opt.cgroup_fd, 0);
	run_with(&spec, &opt, argv, &o);
	close(opt.cgroup_fd);
	assert_ran(&o, NULL, "cgroup");
	read_file(path, text, sizeof(text));
	cr_assert_str_eq(text, "0\n");

	/* A cgroup the child cannot join fails the start before anything else. */
	opt.cgroup_fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(opt.cgroup_fd, 0);
	run_with(&spec, &opt, argv, &o);
	close(opt.cgroup_fd);
	assert_failed(&o, EXEC_STEP_CGROUP, EBADF, "read-only cgroup.procs");
	exec_spec_clear(&spec);
	free(path);
}

Test(execute, environment_reaches_the_program)
{
	static const char *const argv[] = { "/usr/bin/env", NULL };
	const char *environment[LIST_MAX] = { "GREETING=hello world" };
	struct exec_spec spec;
	struct outcome o;

	exec_spec_init(&spec);
	spec.environment = strv_copy(environment);
	run(&spec, 0, argv, &o);
	assert_ran(&o, DEFAULT_PATH "\nGREETING=hello world\n", "env");
	exec_spec_clear(&spec);
}
