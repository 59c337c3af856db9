/* cinit as users see it: exit codes, signals received, zombies left, error text. Each test
 * starts the real binary; where PID 1 behaviour matters, as PID 1 of a new PID namespace. */
#include "config.h"

#include "tests/integration/harness.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_SHORT 5000
#define T_LONG	30000

/* Collects every remaining stdout line (until EOF) into one "\n"-joined string. */
static const char *read_rest(struct proc *p, int timeout_ms)
{
	static char all[65536];
	const char *line;
	size_t len = 0;
	long long deadline = harness_now_ms() + timeout_ms;

	all[0] = '\0';
	while ((line = harness_read_line(p, (int)(deadline - harness_now_ms())))) {
		int n = snprintf(all + len, sizeof(all) - len, "%s\n", line);
		if (n < 0 || (size_t)n >= sizeof(all) - len)
			break;
		len += (size_t)n;
	}
	return all;
}

/* argv = cinit, then the options (NULL-terminated, may be NULL), then the payload and its
 * arguments (NULL-terminated). argv must hold 24 entries. */
static const char **cinit_argv(const char **argv, const char *const *options,
			       const char *const *payload_args)
{
	size_t n = 0;

	argv[n++] = harness_cinit();
	for (size_t i = 0; options && options[i]; i++)
		argv[n++] = options[i];
	argv[n++] = harness_payload();
	for (size_t i = 0; payload_args[i]; i++)
		argv[n++] = payload_args[i];
	argv[n] = NULL;
	cr_assert_lt(n, 24);
	return argv;
}

/* ---------------------------------------------------------------------------------------- */
/* Exit codes */

struct exit_case {
	const char *args[4];
	int code;
	const char *message; /* substring of stderr, or NULL */
};

static void check_exit_cases(bool pidns)
{
	static const struct exit_case cases[] = {
		{ { "exit", "0" }, 0, NULL },	   { { "exit", "7" }, 7, NULL },
		{ { "exit", "255" }, 255, NULL },  { { "kill", "TERM" }, 143, NULL },
		{ { "kill", "KILL" }, 137, NULL }, { { "kill", "INT" }, 130, NULL },
	};
	struct spawn_options o = { .new_pidns = pidns };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct exit_case *c = &cases[i];
		const char *argv[] = { harness_cinit(), "--",	    harness_payload(),
				       c->args[0],	c->args[1], NULL };
		struct proc p;

		harness_spawn(&p, &o, argv);
		cr_expect_eq(harness_exit_code(&p, T_SHORT), c->code, "payload %s %s: want %d",
			     c->args[0], c->args[1], c->code);
	}
}

Test(exit, codes_as_pid1, .timeout = 60)
{
	harness_require_pidns();
	check_exit_cases(true);
}

Test(exit, codes_as_subreaper, .timeout = 60)
{
	check_exit_cases(false);
}

Test(exit, exec_failures)
{
	char dir[] = "/tmp/cinit-test-XXXXXX", script[128];
	const char *err;
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/not-executable", dir);
	fd = open(script, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	close(fd);

	const char *missing[] = { harness_cinit(), "--", "/nonexistent/program", NULL };
	cr_expect_eq(harness_run(missing, &err), 127);
	cr_expect(strstr(err, "/nonexistent/program") && strstr(err, "No such file"), "%s", err);

	const char *not_in_path[] = { harness_cinit(), "no-such-command-here", NULL };
	cr_expect_eq(harness_run(not_in_path, &err), 127);
	cr_expect(strstr(err, "no-such-command-here") != NULL, "%s", err);

	const char *noexec[] = { harness_cinit(), "--", script, NULL };
	cr_expect_eq(harness_run(noexec, &err), 126);
	cr_expect(strstr(err, script) && strstr(err, "Permission denied"), "%s", err);

	const char *dir_exec[] = { harness_cinit(), "--", dir, NULL };
	cr_expect_eq(harness_run(dir_exec, &err), 126);

	unlink(script);
	rmdir(dir);
}

/* ---------------------------------------------------------------------------------------- */
/* Reaping */

static void zombie_storm(bool pidns, int orphans)
{
	struct spawn_options o = { .new_pidns = pidns };
	char count[16], done[32];
	pid_t kids[4];
	struct proc p;
	int n;

	snprintf(count, sizeof(count), "%d", orphans);
	snprintf(done, sizeof(done), "done %d", orphans);
	const char *argv[] = { harness_cinit(), "--", harness_payload(), "orphans", count, NULL };
	harness_spawn(&p, &o, argv);
	cr_assert(harness_expect_line(&p, done, T_LONG), "payload did not make its orphans");
	/* Every orphan came to cinit and was reaped: only the payload is left as its child. */
	n = harness_wait_children(p.pid, 1, T_LONG);
	cr_expect_eq(n, 1, "%d children of cinit left after %d orphans", n, orphans);
	cr_assert_eq(harness_children(p.pid, kids, 4), 1);
	cr_expect_neq(harness_state(kids[0]), 'Z');
	kill(p.pid, SIGTERM);
	cr_expect(harness_expect_line(&p, "main TERM", T_SHORT));
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}

Test(reap, zombie_storm_10000_as_pid1, .timeout = 120)
{
	harness_require_pidns();
	zombie_storm(true, 10000);
}

Test(reap, orphans_as_subreaper, .timeout = 120)
{
	zombie_storm(false, 2000);
}

static void check_adoption(bool pidns)
{
	/* The test process is no subreaper here: were cinit not one itself, the orphan would be
	 * adopted by the host's init instead of cinit. */
	struct spawn_options o = { .new_pidns = pidns, .no_subreaper = true };
	const char *argv[] = { harness_cinit(), "--", harness_payload(), "adopt", NULL };
	char want[32];
	struct proc p;

	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
	harness_spawn(&p, &o, argv);
	snprintf(want, sizeof(want), "adopted-by %d", pidns ? 1 : (int)p.pid);
	cr_expect(harness_expect_line(&p, want, T_SHORT), "want \"%s\", got: %s", want,
		  p.transcript);
	cr_expect(harness_expect_line(&p, "ready", T_SHORT));
	kill(p.pid, SIGTERM);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}

Test(reap, orphans_adopted_by_subreaper)
{
	check_adoption(false);
}

Test(reap, orphans_adopted_by_pid1)
{
	harness_require_pidns();
	check_adoption(true);
}

Test(reap, verbose_says_subreaper)
{
	const char *argv[] = { harness_cinit(), "-v", "--", harness_payload(), "exit", "0", NULL };
	const char *err;

	cr_expect_eq(harness_run(argv, &err), 0);
	cr_expect(strstr(err, "child subreaper") != NULL, "stderr: %s", err);
}

/* ---------------------------------------------------------------------------------------- */
/* Signal forwarding */

static const int forwarded[] = { SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGWINCH, SIGQUIT };
static const char *const forwarded_names[] = { "HUP", "INT", "USR1", "USR2", "WINCH", "QUIT" };

static void check_forwarding(bool pidns, const char *const *extra_args, bool child_gets_them,
			     const char *const *env)
{
	struct spawn_options o = { .new_pidns = pidns, .env = env };
	const char *argv[24];
	const char *all;
	char want[32];
	struct proc p;
	size_t i;

	harness_spawn(
		&p, &o,
		cinit_argv(argv, extra_args, (const char *const[]){ "signals", "--child", NULL }));
	cr_assert(harness_expect_line(&p, "ready", T_SHORT));
	cr_assert(harness_expect_line(&p, "child-ready", T_SHORT));
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		kill(p.pid, forwarded[i]);
		snprintf(want, sizeof(want), "main %s", forwarded_names[i]);
		cr_assert(harness_expect_line(&p, want, T_SHORT), "%s not forwarded", want);
		/* Standard signals pending together are taken lowest number first: wait for the
		 * child's line as well so a later TERM cannot overtake this one. */
		snprintf(want, sizeof(want), "child %s", forwarded_names[i]);
		if (child_gets_them)
			cr_expect(harness_expect_line(&p, want, T_SHORT), "%s not forwarded", want);
	}
	kill(p.pid, SIGTERM);
	read_rest(&p, T_SHORT);
	all = p.transcript;
	cr_expect_eq(harness_exit_code(&p, T_LONG), 0);
	for (i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		snprintf(want, sizeof(want), "child %s", forwarded_names[i]);
		cr_expect_eq(harness_printed(&p, want), child_gets_them, "%s: %s", want, all);
	}
	cr_expect(harness_printed(&p, "main TERM"), "%s", all);
	/* TERM reaches the child either forwarded to the group or as a leftover. */
	cr_expect(harness_printed(&p, "child TERM"), "%s", all);
}

Test(signals, forwarded_to_child_as_pid1, .timeout = 60)
{
	harness_require_pidns();
	check_forwarding(true, (const char *const[]){ "--", NULL }, false, NULL);
}

Test(signals, forwarded_to_child_as_subreaper, .timeout = 60)
{
	check_forwarding(false, (const char *const[]){ "--", NULL }, false, NULL);
}

Test(signals, forwarded_to_group_with_g, .timeout = 60)
{
	harness_require_pidns();
	check_forwarding(true, (const char *const[]){ "-g", "--", NULL }, true, NULL);
}

Test(signals, tini_g, .timeout = 60)
{
	check_forwarding(false, (const char *const[]){ "--tini", "-g", "--", NULL }, true, NULL);
}

Test(signals, tini_kill_process_group_env, .timeout = 60)
{
	check_forwarding(false, (const char *const[]){ "--tini", "--", NULL }, true,
			 (const char *const[]){ "TINI_KILL_PROCESS_GROUP=1", NULL });
}

Test(signals, dumb_init_setsid_forwards_to_group, .timeout = 60)
{
	check_forwarding(false, (const char *const[]){ "--dumb-init", NULL }, true, NULL);
}

Test(signals, dumb_init_single_child, .timeout = 60)
{
	check_forwarding(false, (const char *const[]){ "--dumb-init", "-c", NULL }, false, NULL);
}

/* A signal already pending when the init starts reaches the command even in the window before
 * the command has made its own session or group. */
static void check_pending_at_start(const char *const *args)
{
	struct spawn_options o = { .pending_signal = SIGUSR1 };
	const char *argv[24];
	struct proc p;

	harness_spawn(&p, &o, cinit_argv(argv, args, (const char *const[]){ "signals", NULL }));
	cr_expect(harness_expect_line(&p, "main USR1", T_SHORT), "lost: %s", p.transcript);
	kill(p.pid, SIGTERM);
	cr_expect(harness_expect_line(&p, "main TERM", T_SHORT));
	harness_wait(&p, T_SHORT);
}

Test(signals, pending_at_start_reaches_new_session, .timeout = 60)
{
	for (int i = 0; i < 10; i++)
		check_pending_at_start((const char *const[]){ "--dumb-init", NULL });
}

Test(signals, pending_at_start_reaches_new_group, .timeout = 60)
{
	for (int i = 0; i < 10; i++)
		check_pending_at_start((const char *const[]){ "-g", "--", NULL });
}

Test(signals, fault_signals_sent_by_kill_are_forwarded)
{
	/* kill -SEGV / -ABRT aimed at PID 1 must not kill it (and orphan the command). */
	const char *argv[24];
	struct proc p;

	harness_spawn(&p, NULL,
		      cinit_argv(argv, (const char *const[]){ "--", NULL },
				 (const char *const[]){ "signals", NULL }));
	cr_assert(harness_expect_line(&p, "ready", T_SHORT));
	kill(p.pid, SIGABRT);
	cr_expect(harness_expect_line(&p, "main ABRT", T_SHORT));
	kill(p.pid, SIGSEGV);
	cr_expect(harness_expect_line(&p, "main SEGV", T_SHORT));
	kill(p.pid, SIGTERM);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0, "cinit survived: %s", p.transcript);
}

static void parse_ids(const char *line, int *pid, int *pgid, int *sid, int *tpgid);

/* Waits until pid is in state 'T' (stopped) or, with want_stopped false, is not. */
static bool wait_stopped(pid_t pid, bool want_stopped)
{
	long long deadline = harness_now_ms() + T_SHORT;

	while (harness_now_ms() < deadline) {
		char state = harness_state(pid);
		if ((state == 'T') == want_stopped)
			return true;
		usleep(2000);
	}
	return false;
}

/* dumb-init's job control: SIGTSTP is forwarded (as SIGSTOP to a new session, which has no
 * terminal job control of its own), then the init stops itself; SIGCONT resumes both. */
static void check_tty_stop(const char *const *args, bool child_sees_tstp)
{
	const char *argv[24], *line;
	int pid, pgid, sid, tpgid;
	struct proc p;

	harness_spawn(&p, NULL,
		      cinit_argv(argv, args, (const char *const[]){ "ids", "signals", NULL }));
	parse_ids(harness_read_line(&p, T_SHORT), &pid, &pgid, &sid, &tpgid);
	cr_assert(harness_expect_line(&p, "ready", T_SHORT));
	kill(p.pid, SIGTSTP);
	cr_expect(wait_stopped(p.pid, true), "the init stopped itself");
	if (child_sees_tstp)
		cr_expect(harness_expect_line(&p, "main TSTP", T_SHORT));
	else
		cr_expect(wait_stopped(pid, true), "the command got SIGSTOP");
	kill(p.pid, SIGCONT);
	cr_expect(wait_stopped(p.pid, false), "SIGCONT resumed the init");
	cr_expect(wait_stopped(pid, false), "and the command");
	cr_expect(harness_expect_line(&p, "main CONT", T_SHORT), "%s", p.transcript);
	kill(p.pid, SIGTERM);
	line = harness_read_line(&p, T_SHORT);
	(void)line;
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}

Test(signals, dumb_init_tstp_stops_session_and_self)
{
	check_tty_stop((const char *const[]){ "--dumb-init", NULL }, false);
}

Test(signals, dumb_init_single_child_forwards_tstp_and_stops_self)
{
	check_tty_stop((const char *const[]){ "--dumb-init", "-c", NULL }, true);
}

static void check_rewrite(const char *const *args, int send, const char *want_line,
			  const char *unwanted_line)
{
	const char *argv[24], *all;
	struct proc p;

	harness_spawn(&p, NULL, cinit_argv(argv, args, (const char *const[]){ "signals", NULL }));
	cr_assert(harness_expect_line(&p, "ready", T_SHORT));
	kill(p.pid, send);
	if (want_line)
		cr_expect(harness_expect_line(&p, want_line, T_SHORT), "want %s", want_line);
	kill(p.pid, SIGTERM);
	read_rest(&p, T_SHORT);
	all = p.transcript;
	if (unwanted_line)
		cr_expect(!harness_printed(&p, unwanted_line), "%s should not arrive: %s",
			  unwanted_line, all);
	harness_wait(&p, T_SHORT);
}

Test(signals, rewrite_by_name)
{
	check_rewrite((const char *const[]){ "-r", "USR1:USR2", "--", NULL }, SIGUSR1, "main USR2",
		      "main USR1");
}

Test(signals, rewrite_to_zero_drops)
{
	check_rewrite((const char *const[]){ "--rewrite", "HUP:0", "--", NULL }, SIGHUP, NULL,
		      "main HUP");
}

Test(signals, dumb_init_rewrite_numbers)
{
	/* dumb-init's own example: 15:3 turns SIGTERM into SIGQUIT. */
	const char *argv[] = { harness_cinit(),	  "--dumb-init", "-r", "15:3",
			       harness_payload(), "signals",	 NULL };
	struct proc p;

	harness_spawn(&p, NULL, argv);
	cr_assert(harness_expect_line(&p, "ready", T_SHORT));
	kill(p.pid, SIGTERM);
	cr_expect(harness_expect_line(&p, "main QUIT", T_SHORT));
	kill(p.pid, SIGINT);
	cr_expect(harness_expect_line(&p, "main INT", T_SHORT));
	kill(p.pid, SIGKILL); /* dumb-init mode: the child is in cinit's session, not ours */
	harness_wait(&p, T_SHORT);
	/* The payload, orphaned to us (the test is a subreaper), still answers TERM. */
	pid_t kids[4];
	int n = harness_children(getpid(), kids, 4);
	for (int i = 0; i < n && i < 4; i++)
		kill(kids[i], SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
}

Test(signals, parent_death_signal)
{
	/* P starts cinit -p SIGTERM and dies; cinit gets SIGTERM and forwards it. */
	int out[2];
	char buf[256];
	pid_t parent;
	size_t len = 0;

	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	cr_assert_eq(pipe(out), 0);
	parent = fork();
	cr_assert_geq(parent, 0);
	if (parent == 0) {
		pid_t init = fork();
		if (init == 0) {
			dup2(out[1], STDOUT_FILENO);
			close(out[0]);
			execl(harness_cinit(), "cinit", "-p", "SIGTERM", "--", harness_payload(),
			      "signals", (char *)NULL);
			_exit(121);
		}
		pause();
		_exit(0);
	}
	close(out[1]);
	/* Wait for "ready" before killing P, then for the forwarded TERM. */
	while (len < sizeof(buf) - 1 && !strstr(buf, "ready\n")) {
		ssize_t n = read(out[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	cr_assert(strstr(buf, "ready\n"), "no ready: %s", buf);
	kill(parent, SIGKILL);
	waitpid(parent, NULL, 0);
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(out[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	cr_expect(strstr(buf, "main TERM\n") != NULL, "output: %s", buf);
	/* cinit, adopted by us, exits 0 with its command. */
	int status;
	pid_t reaped = waitpid(-1, &status, 0);
	cr_expect_gt(reaped, 0);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(out[0]);
}

/* ---------------------------------------------------------------------------------------- */
/* Personalities */

Test(tini, remap_exit_code)
{
	const char *zero[] = { harness_cinit(),	  "--tini", "-e", "7", "--",
			       harness_payload(), "exit",   "7",  NULL };
	const char *other[] = { harness_cinit(),   "--tini", "-e", "7", "-e", "9", "--",
				harness_payload(), "exit",   "8",  NULL };
	const char *sig[] = { harness_cinit(),	 "--tini", "-e",   "143", "--",
			      harness_payload(), "kill",   "TERM", NULL };

	cr_expect_eq(harness_run(zero, NULL), 0);
	cr_expect_eq(harness_run(other, NULL), 8);
	cr_expect_eq(harness_run(sig, NULL), 0);
}

static char link_dir[64];

static const char *personality_link(const char *name)
{
	static char path[128];

	if (!link_dir[0]) {
		strcpy(link_dir, "/tmp/cinit-links-XXXXXX");
		cr_assert_not_null(mkdtemp(link_dir));
	}
	snprintf(path, sizeof(path), "%s/%s", link_dir, name);
	unlink(path);
	cr_assert_eq(symlink(harness_cinit(), path), 0);
	return path;
}

static void remove_links(void)
{
	char path[128];

	if (!link_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/tini", link_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dumb-init", link_dir);
	unlink(path);
	rmdir(link_dir);
}

Test(tini, by_argv0_version_and_help, .fini = remove_links)
{
	const char *tini = personality_link("tini");
	const char *version[] = { tini, "--version", NULL };
	const char *help[] = { tini, "-h", NULL };
	struct proc p;

	harness_spawn(&p, NULL, version);
	cr_expect(strstr(read_rest(&p, T_SHORT), "tini version") != NULL);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
	harness_spawn(&p, NULL, help);
	cr_expect(strstr(read_rest(&p, T_SHORT), "TINI_SUBREAPER") != NULL);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}

Test(tini, verbosity_env)
{
	struct spawn_options o = { .env = (const char *const[]){ "TINI_VERBOSITY=3", NULL } };
	const char *argv[] = {
		harness_cinit(), "--tini", "--", harness_payload(), "exit", "3", NULL
	};
	struct proc p;

	harness_spawn(&p, &o, argv);
	cr_expect(strstr(harness_read_stderr(&p, T_SHORT), "exited with status 3") != NULL);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 3);
}

Test(tini, warn_on_reap)
{
	const char *argv[] = { harness_cinit(),
			       "--tini",
			       "-w",
			       "--",
			       "/bin/sh",
			       "-c",
			       "(sleep 0.1 &) ; sleep 0.3",
			       NULL };
	const char *err;

	cr_expect_eq(harness_run(argv, &err), 0);
	cr_expect(strstr(err, "reaped zombie process with pid=") != NULL, "stderr: %s", err);
}

static void parse_ids(const char *line, int *pid, int *pgid, int *sid, int *tpgid)
{
	int ppid;

	cr_assert_not_null(line);
	cr_assert_eq(sscanf(line, "pid=%d pgid=%d sid=%d ppid=%d tpgid=%d", pid, pgid, sid, &ppid,
			    tpgid),
		     5, "bad ids line: %s", line);
}

Test(dumb_init, setsid_by_default, .fini = remove_links)
{
	const char *argv[] = { personality_link("dumb-init"), harness_payload(), "ids", NULL };
	int pid, pgid, sid, tpgid;
	struct proc p;

	harness_spawn(&p, NULL, argv);
	parse_ids(harness_read_line(&p, T_SHORT), &pid, &pgid, &sid, &tpgid);
	cr_expect_eq(sid, pid, "the child leads its own session");
	cr_expect_eq(pgid, pid);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}

static void check_no_setsid(const char *const *args, const struct spawn_options *o)
{
	const char *argv[24];
	int pid, pgid, sid, tpgid;
	struct proc p;

	harness_spawn(&p, o, cinit_argv(argv, args, (const char *const[]){ "ids", NULL }));
	parse_ids(harness_read_line(&p, T_SHORT), &pid, &pgid, &sid, &tpgid);
	cr_expect_eq(pgid, getpgid(p.pid), "the child stays in dumb-init's process group");
	cr_expect_eq(sid, getsid(p.pid));
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}

Test(dumb_init, single_child_flag)
{
	check_no_setsid((const char *const[]){ "--dumb-init", "-c", NULL }, NULL);
}

Test(dumb_init, setsid_env_zero)
{
	struct spawn_options o = { .env = (const char *const[]){ "DUMB_INIT_SETSID=0", NULL } };
	check_no_setsid((const char *const[]){ "--dumb-init", NULL }, &o);
}

Test(dumb_init, exec_failure_and_version)
{
	const char *missing[] = { harness_cinit(), "--dumb-init", "/nonexistent/x", NULL };
	const char *version[] = { harness_cinit(), "--dumb-init", "--version", NULL };
	const char *err;

	cr_expect_eq(harness_run(missing, &err), 2, "dumb-init's status for a failed exec");
	cr_expect(strstr(err, "/nonexistent/x") != NULL);
	cr_expect_eq(harness_run(version, NULL), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Terminal */

static void check_terminal(const char *const *args, bool new_session)
{
	struct spawn_options o = { .on_pty = true };
	const char *argv[24];
	int pid, pgid, sid, tpgid;
	struct proc p;

	harness_spawn(&p, &o,
		      cinit_argv(argv, args, (const char *const[]){ "ids", "signals", NULL }));
	parse_ids(harness_read_line(&p, T_SHORT), &pid, &pgid, &sid, &tpgid);
	cr_expect_eq(pgid, pid, "the command has its own process group");
	cr_expect_eq(tpgid, pgid, "and it is the terminal's foreground group");
	if (new_session)
		cr_expect_eq(sid, pid, "leading its own session, which took the terminal");
	else
		cr_expect_eq(sid, p.pid, "in cinit's session");
	cr_assert(harness_expect_line(&p, "ready", T_SHORT));
	/* Ctrl-C on the terminal reaches the command through the line discipline. */
	cr_assert_eq(write(p.pty_fd, "\x03", 1), 1);
	cr_expect(harness_expect_line(&p, "main INT", T_SHORT));
	kill(p.pid, SIGTERM);
	cr_expect(harness_expect_line(&p, "main TERM", T_SHORT));
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}

Test(tty, foreground_group_and_ctrl_c)
{
	check_terminal((const char *const[]){ "--", NULL }, false);
}

Test(tty, dumb_init_session_takes_the_terminal)
{
	check_terminal((const char *const[]){ "--dumb-init", NULL }, true);
}

Test(tty, setsid_takes_the_terminal)
{
	check_terminal((const char *const[]){ "--setsid", "--", NULL }, true);
}

Test(tty, tini_foreground_group)
{
	check_terminal((const char *const[]){ "--tini", "--", NULL }, false);
}

/* ---------------------------------------------------------------------------------------- */
/* Leftovers when the main command exits */

static void check_leftover(bool pidns, const char *mode, const char *timeout, long min_ms,
			   long max_ms)
{
	struct spawn_options o = { .new_pidns = pidns };
	const char *argv[] = { harness_cinit(),
			       "--stop-timeout",
			       timeout,
			       "--",
			       harness_payload(),
			       "leave-behind",
			       mode,
			       "60",
			       NULL };
	long long start;
	int left = 0;
	struct proc p;
	const char *line;

	harness_spawn(&p, &o, argv);
	start = harness_now_ms();
	line = harness_read_line(&p, T_SHORT);
	cr_assert(line && sscanf(line, "left %d", &left) == 1, "line: %s", line ? line : "");
	cr_expect_eq(harness_exit_code(&p, T_LONG), 0, "the main command's status");
	long long elapsed = harness_now_ms() - start;
	cr_expect_geq(elapsed, min_ms, "exited after %lld ms, before the grace period", elapsed);
	cr_expect_leq(elapsed, max_ms, "exited after %lld ms", elapsed);
	if (!pidns) {
		/* Killed and reaped by cinit: not alive, not a zombie handed to us. */
		cr_expect_eq(harness_state(left), 0, "leftover %d still exists (state %c)", left,
			     harness_state(left));
	}
}

Test(stop, leftover_ignoring_term_is_killed_after_timeout, .timeout = 60)
{
	check_leftover(false, "ignore-term", "1s", 900, 8000);
}

Test(stop, leftover_ignoring_term_as_pid1, .timeout = 60)
{
	harness_require_pidns();
	check_leftover(true, "ignore-term", "1500ms", 1400, 8000);
}

Test(stop, leftover_taking_term_ends_at_once, .timeout = 60)
{
	/* With the default 10 s grace, a leftover that obeys SIGTERM does not make us wait. */
	check_leftover(false, "term", "10s", 0, 8000);
}

Test(stop, stopped_leftover_is_continued_to_see_sigterm, .timeout = 60)
{
	/* Without a SIGCONT after SIGTERM it would sit stopped for the whole 10 s grace. */
	check_leftover(false, "stopped", "10s", 0, 8000);
}

Test(stop, stopped_leftover_as_pid1, .timeout = 60)
{
	harness_require_pidns();
	check_leftover(true, "stopped", "10s", 0, 8000);
}

Test(stop, second_sigterm_kills_leftovers_now, .timeout = 60)
{
	const char *argv[] = { harness_cinit(), "-vv",	       "--", harness_payload(),
			       "leave-behind",	"ignore-term", "60", NULL };
	struct proc p;
	int left;
	const char *line;

	harness_spawn(&p, NULL, argv);
	line = harness_read_line(&p, T_SHORT);
	cr_assert(line && sscanf(line, "left %d", &left) == 1);
	cr_assert(harness_expect_stderr(&p, "stopping what is left", T_SHORT));
	kill(p.pid, SIGTERM);
	cr_expect_eq(harness_exit_code(&p, 5000), 0, "a second stop request ends the grace");
	cr_expect_eq(harness_state(left), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Bad input: one line naming the input, usage hint, documented status, nothing started. */

struct bad_case {
	const char *args[6];
	int code;
	const char *needle;
	bool no_command; /* the case is about the missing command */
};

Test(usage, bad_flags)
{
	static const struct bad_case cases[] = {
		{ { "--bogus", "--" }, 2, "\"--bogus\"", false },
		{ { "-x", "--" }, 2, "\"-x\"", false },
		{ { "-gx", "--" }, 2, "\"-x\"", false },
		{ { "-p" }, 2, "\"-p\" requires an argument", true },
		{ { "--rewrite" }, 2, "\"--rewrite\" requires an argument", true },
		{ { "--tini", "-p" }, 1, "\"-p\" requires an argument", true },
		{ { "--dumb-init", "-r" }, 1, "\"-r\" requires an argument", true },
		{ { "--" }, 2, "missing command", true },
		{ { "-v" }, 2, "missing command", true },
		{ { "-p", "SIGFOO", "--" }, 2, "\"SIGFOO\" is not a signal", false },
		{ { "-p", "99", "--" }, 2, "\"99\"", false },
		{ { "-e", "300", "--" }, 2, "\"300\" is out of range", false },
		{ { "-e", "x", "--" }, 2, "\"x\"", false },
		{ { "--stop-timeout", "5x", "--" }, 2, "\"5x\" is not a duration", false },
		{ { "-r", "TERM", "--" }, 2, "\"TERM\"", false },
		{ { "-r", "TERM:NOPE", "--" }, 2, "\"NOPE\"", false },
		{ { "--tini", "-p", "FOO", "--" }, 1, "\"FOO\"", false },
		{ { "--tini", "-e", "300", "--" }, 1, "\"300\"", false },
		{ { "--tini", "-z", "--" }, 1, "-z", false },
		{ { "--dumb-init", "--bogus" }, 1, "--bogus", false },
		{ { "--dumb-init", "-r", "99:1" }, 1, "99", false },
		{ { "--dumb-init" }, 1, "missing command", true },
		{ { "--tini", "--" }, 1, "missing command", true },
	};
	char marker[] = "/tmp/cinit-marker-XXXXXX";
	int fd = mkstemp(marker);

	cr_assert_geq(fd, 0);
	close(fd);
	unlink(marker);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		const char *argv[12], *err;
		size_t n = 0;

		argv[n++] = harness_cinit();
		for (size_t j = 0; j < 6 && c->args[j]; j++)
			argv[n++] = c->args[j];
		/* A command that would leave a trace if it were started. */
		if (!c->no_command) {
			argv[n++] = "/usr/bin/touch";
			argv[n++] = marker;
		}
		argv[n] = NULL;
		cr_expect_eq(harness_run(argv, &err), c->code, "case %zu (%s %s): status", i,
			     c->args[0], c->args[1] ? c->args[1] : "");
		cr_expect(strstr(err, c->needle) != NULL, "case %zu: \"%s\" not in: %s", i,
			  c->needle, err);
		const char *nl = strchr(err, '\n');
		cr_expect(nl && (!nl[1] || strstr(nl + 1, "--help") || strstr(nl + 1, "Usage")),
			  "case %zu: one error line, then a usage hint: %s", i, err);
		cr_expect_neq(access(marker, F_OK), 0, "case %zu started the command", i);
		unlink(marker);
	}
}

Test(usage, help_and_version)
{
	const char *help[] = { harness_cinit(), "--help", NULL };
	const char *version[] = { harness_cinit(), "--version", NULL };
	struct proc p;

	harness_spawn(&p, NULL, help);
	cr_expect(strstr(read_rest(&p, T_SHORT), "--stop-timeout") != NULL);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
	harness_spawn(&p, NULL, version);
	cr_expect(strstr(read_rest(&p, T_SHORT), "cinit ") != NULL);
	cr_expect_eq(harness_exit_code(&p, T_SHORT), 0);
}
