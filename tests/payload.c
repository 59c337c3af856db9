/* The one test payload every suite runs (static, so it also works in a bare rootfs or a VM).
 * Each subcommand does one thing a test needs to observe:
 *
 *   exit N                  exit with status N
 *   kill SIG                die of signal SIG (a number or a name from the table below)
 *   sleep SECONDS           sleep, then exit 0
 *   signals [--ignore-term] [--child] [--no-exit]
 *                           print "ready", then "main NAME" for each signal received; exit 0
 *                           after TERM unless --ignore-term or --no-exit. --child forks a child
 *                           in the same process group that prints "child NAME" likewise.
 *   ids [signals ...]       print "pid=.. pgid=.. sid=.. ppid=.. tpgid=..", then optionally
 *                           continue as "signals ..."
 *   orphans N               make N orphaned zombies (fork a middle child that forks a
 *                           grandchild which exits at once; the middle exits and is waited
 *                           for), print "done N", then wait for signals until TERM
 *   adopt                   fork a grandchild whose parent exits; the grandchild prints
 *                           "adopted-by PPID" once it has a new parent; then as "signals"
 *   leave-behind MODE SECS  fork a child (MODE term: default SIGTERM action; ignore-term:
 *                           ignores SIGTERM; stopped: default action, but stopped by SIGSTOP
 *                           before main exits) that prints "left PID" and sleeps SECS; exit 0
 *   notify MESSAGE [SECS]   send MESSAGE ("\n" escapes allowed) to $NOTIFY_SOCKET, print
 *                           "notified", then sleep SECS (default: until killed)
 *   daemon PIDFILE [SECS]   fork; the child starts a new session, writes its pid to PIDFILE
 *                           and sleeps SECS (default: until killed); the parent exits 0 once
 *                           the file is written (the classic Type=forking daemon)
 *   flood LINES BYTES       write LINES lines of BYTES bytes ("LINE-NNNNNN xxx...") to stdout
 *   alloc MIB               allocate and touch MIB MiB, printing "allocated N" every 16 MiB
 *                           and at the end; exit 0
 *   forkbomb                fork children that sleep until killed, as fast as possible,
 *                           until fork fails; print "forked N: REASON"; exit 0
 *   spin SECONDS            busy-loop for SECONDS of wall time; print "cpu R", R = CPU time
 *                           used / wall time (0.50 = half a CPU)
 *   syscall NAME            try one privileged operation (keyctl, userns, mount, ptrace,
 *                           sethostname, chroot) and print "NAME: ok" or "NAME: ERRNO-NAME"
 *   status FIELD            print the line of /proc/self/status that starts with "FIELD:"
 *   listen-fd               socket activation: accept one connection on fd 3 (when
 *                           LISTEN_PID is this process), answer "served by PID, N fds, names
 *                           NAMES" and exit 0; exit 90 when the fds are not for it
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct {
	int sig;
	const char *name;
} signal_names[] = {
	{ SIGHUP, "HUP" },     { SIGINT, "INT" },   { SIGQUIT, "QUIT" }, { SIGUSR1, "USR1" },
	{ SIGUSR2, "USR2" },   { SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGCONT, "CONT" },   { SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },
	{ SIGWINCH, "WINCH" }, { SIGKILL, "KILL" }, { SIGSTOP, "STOP" }, { SIGURG, "URG" },
	{ SIGABRT, "ABRT" },   { SIGSEGV, "SEGV" },
};

static const char *sig_name(int sig)
{
	static char buf[16];
	size_t i;

	for (i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	snprintf(buf, sizeof(buf), "%d", sig);
	return buf;
}

static int sig_parse(const char *s)
{
	size_t i;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (strcmp(signal_names[i].name, s) == 0)
			return signal_names[i].sig;
	return atoi(s);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write per line: lines from several processes on one pipe never interleave. */
	if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
		_exit(100);
}

static void sleep_seconds(double seconds)
{
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const int watched_signals[] = { SIGHUP,	SIGINT,	 SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
				       SIGTERM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH,
				       SIGPIPE, SIGURG,	 SIGABRT, SIGSEGV };

static int signal_loop(const char *who, int ignore_term, int no_exit)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(watched_signals) / sizeof(watched_signals[0]); i++)
		if (!(ignore_term && watched_signals[i] == SIGTERM))
			sigaddset(&set, watched_signals[i]);
	if (ignore_term)
		signal(SIGTERM, SIG_IGN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return 101;
		}
		say("%s %s", who, sig_name(sig));
		if (sig == SIGTERM && !no_exit)
			return 0;
	}
}

static int cmd_signals(int argc, char **argv)
{
	int ignore_term = 0, child = 0, no_exit = 0, i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--ignore-term") == 0)
			ignore_term = 1;
		else if (strcmp(argv[i], "--child") == 0)
			child = 1;
		else if (strcmp(argv[i], "--no-exit") == 0)
			no_exit = 1;
	}
	if (child) {
		/* Block first so no signal sent after "ready" can be lost in the fork window. */
		sigset_t all;
		pid_t pid;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		pid = fork();
		if (pid < 0)
			return 102;
		if (pid == 0) {
			say("child-ready");
			_exit(signal_loop("child", ignore_term, no_exit));
		}
	}
	{
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
	}
	say("ready");
	return signal_loop("main", ignore_term, no_exit);
}

/* Before announcing readiness: a signal sent right after the line must not hit a default
 * action before signal_loop() takes it. */
static void block_all(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

static int cmd_adopt(void)
{
	pid_t middle = fork();

	if (middle < 0)
		return 106;
	if (middle == 0) {
		pid_t parent =
			getpid(); /* not getppid() in the grandchild: it may be adopted already */
		pid_t grandchild = fork();
		if (grandchild == 0) {
			int i;
			for (i = 0; i < 5000 && getppid() == parent; i++)
				sleep_seconds(0.001);
			say("adopted-by %d", (int)getppid());
			_exit(0);
		}
		_exit(grandchild < 0 ? 1 : 0);
	}
	while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
		;
	block_all();
	say("ready");
	return signal_loop("main", 0, 0);
}

static int cmd_orphans(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		pid_t middle = fork();
		if (middle < 0)
			return 103;
		if (middle == 0) {
			pid_t grandchild = fork();
			if (grandchild == 0)
				_exit(0); /* a zombie of middle's until middle exits */
			_exit(grandchild < 0 ? 1 : 0);
		}
		while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
			;
	}
	block_all();
	say("done %ld", n);
	return signal_loop("main", 0, 0);
}

static int cmd_leave_behind(const char *mode, double seconds)
{
	int sync[2];
	char c;
	pid_t pid;

	if (pipe(sync) < 0)
		return 104;
	pid = fork();
	if (pid < 0)
		return 104;
	if (pid == 0) {
		if (strcmp(mode, "ignore-term") == 0)
			signal(SIGTERM, SIG_IGN);
		else
			signal(SIGTERM, SIG_DFL);
		say("left %d", (int)getpid());
		close(sync[1]); /* the signal disposition is in place: main may exit */
		close(sync[0]);
		if (strcmp(mode, "stopped") == 0)
			raise(SIGSTOP);
		sleep_seconds(seconds);
		_exit(0);
	}
	close(sync[1]);
	while (read(sync[0], &c, 1) < 0 && errno == EINTR)
		;
	if (strcmp(mode, "stopped") == 0) {
		int status;
		while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR)
			;
	}
	return 0;
}

static int cmd_ids(int argc, char **argv)
{
	say("pid=%d pgid=%d sid=%d ppid=%d tpgid=%d", (int)getpid(), (int)getpgrp(), (int)getsid(0),
	    (int)getppid(), (int)tcgetpgrp(STDIN_FILENO));
	if (argc > 0 && strcmp(argv[0], "signals") == 0)
		return cmd_signals(argc - 1, argv + 1);
	return 0;
}

static int cmd_notify(const char *message, double seconds)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char text[4096];
	size_t n = 0;
	socklen_t len;
	int fd;

	if (!path || !path[0] || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "payload: NOTIFY_SOCKET is not set\n");
		return 98;
	}
	for (const char *p = message; *p && n < sizeof(text) - 1; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			text[n++] = '\n';
			p++;
		} else {
			text[n++] = *p;
		}
	}
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) +
			  (path[0] == '@' ? 0 : 1));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, text, n, 0, (struct sockaddr *)&sa, len) < 0) {
		perror("payload: notify");
		return 97;
	}
	close(fd);
	printf("notified\n");
	fflush(stdout);
	if (seconds < 0)
		for (;;)
			pause();
	sleep_seconds(seconds);
	return 0;
}

static int cmd_daemon(const char *pid_file, double seconds)
{
	int ready[2];
	char c;
	pid_t pid;

	if (pipe(ready) < 0)
		return 96;
	pid = fork();
	if (pid < 0)
		return 96;
	if (pid == 0) {
		FILE *f;
		close(ready[0]);
		setsid();
		f = fopen(pid_file, "w");
		if (!f)
			_exit(95);
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
		close(ready[1]);
		if (seconds < 0)
			for (;;)
				pause();
		sleep_seconds(seconds);
		_exit(0);
	}
	close(ready[1]);
	/* EOF once the child wrote the file (or died). */
	while (read(ready[0], &c, 1) > 0)
		;
	return 0;
}

static int cmd_flood(long lines, long bytes)
{
	char *line = malloc((size_t)bytes + 1);

	if (!line || bytes < 13)
		return 94;
	memset(line, 'x', (size_t)bytes);
	line[bytes - 1] = '\n';
	for (long i = 0; i < lines; i++) {
		char head[16];
		snprintf(head, sizeof(head), "LINE-%06ld ", i % 1000000);
		memcpy(line, head, 12);
		if (fwrite(line, 1, (size_t)bytes, stdout) != (size_t)bytes)
			return 93;
	}
	fflush(stdout);
	free(line);
	return 0;
}

static int cmd_alloc(long mib)
{
	const size_t chunk = 1 << 20;

	for (long i = 1; i <= mib; i++) {
		char *p = malloc(chunk);
		if (!p) {
			say("malloc failed after %ld MiB", i - 1);
			return 1;
		}
		memset(p, (int)i, chunk);
		if (i % 16 == 0 || i == mib)
			say("allocated %ld", i);
	}
	return 0;
}

static int cmd_forkbomb(void)
{
	long n = 0;

	for (;;) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid < 0)
			break;
		n++;
	}
	say("forked %ld: %s", n, strerror(errno));
	return 0;
}

static double seconds_of(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_spin(double seconds)
{
	double start = seconds_of(CLOCK_MONOTONIC), cpu0 = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
	double now;
	volatile unsigned long x = 0;

	do {
		for (int i = 0; i < 100000; i++)
			x++;
		now = seconds_of(CLOCK_MONOTONIC);
	} while (now - start < seconds);
	say("cpu %.2f", (seconds_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / (now - start));
	return 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EROFS:
		return "EROFS";
	default:
		return strerror(e);
	}
}

static int cmd_syscall(const char *name)
{
	long r;

	errno = 0;
	if (strcmp(name, "keyctl") == 0)
		r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
	else if (strcmp(name, "userns") == 0)
		r = unshare(CLONE_NEWUSER);
	else if (strcmp(name, "mount") == 0)
		r = mount("none", "/tmp", "tmpfs", 0, NULL);
	else if (strcmp(name, "ptrace") == 0)
		r = ptrace(PTRACE_ATTACH, 1, NULL, NULL);
	else if (strcmp(name, "sethostname") == 0)
		r = sethostname("x", 1);
	else if (strcmp(name, "chroot") == 0)
		r = chroot("/");
	else {
		say("unknown syscall %s", name);
		return 99;
	}
	if (r < 0)
		say("%s: %s", name, errno_name(errno));
	else
		say("%s: ok", name);
	return 0;
}

static int cmd_status(const char *field)
{
	char line[512];
	size_t len = strlen(field);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 98;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			fputs(line, stdout);
			fflush(stdout);
			fclose(f);
			return 0;
		}
	fclose(f);
	return 97;
}

static int cmd_listen_fd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	char line[256];
	int c;

	if (!pid || !fds || atol(pid) != (long)getpid() || atoi(fds) < 1) {
		say("not for me: LISTEN_PID=%s LISTEN_FDS=%s, my pid %d", pid ? pid : "-",
		    fds ? fds : "-", (int)getpid());
		return 90;
	}
	c = accept(3, NULL, NULL);
	if (c < 0) {
		say("accept on fd 3: %s", strerror(errno));
		return 91;
	}
	snprintf(line, sizeof(line), "served by %d, %s fds, names %s\n", (int)getpid(), fds,
		 names ? names : "-");
	if (write(c, line, strlen(line)) < 0)
		return 92;
	close(c);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(cmd, "kill") == 0 && argc > 2) {
		int sig = sig_parse(argv[2]);
		sigset_t set;
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		return 105;
	}
	if (strcmp(cmd, "sleep") == 0 && argc > 2) {
		sleep_seconds(atof(argv[2]));
		return 0;
	}
	if (strcmp(cmd, "signals") == 0)
		return cmd_signals(argc - 2, argv + 2);
	if (strcmp(cmd, "ids") == 0)
		return cmd_ids(argc - 2, argv + 2);
	if (strcmp(cmd, "adopt") == 0)
		return cmd_adopt();
	if (strcmp(cmd, "orphans") == 0 && argc > 2)
		return cmd_orphans(atol(argv[2]));
	if (strcmp(cmd, "leave-behind") == 0 && argc > 3)
		return cmd_leave_behind(argv[2], atof(argv[3]));
	if (strcmp(cmd, "notify") == 0 && argc > 2)
		return cmd_notify(argv[2], argc > 3 ? atof(argv[3]) : -1);
	if (strcmp(cmd, "daemon") == 0 && argc > 2)
		return cmd_daemon(argv[2], argc > 3 ? atof(argv[3]) : -1);
	if (strcmp(cmd, "flood") == 0 && argc > 3)
		return cmd_flood(atol(argv[2]), atol(argv[3]));
	if (strcmp(cmd, "alloc") == 0 && argc > 2)
		return cmd_alloc(atol(argv[2]));
	if (strcmp(cmd, "forkbomb") == 0)
		return cmd_forkbomb();
	if (strcmp(cmd, "spin") == 0 && argc > 2)
		return cmd_spin(atof(argv[2]));
	if (strcmp(cmd, "syscall") == 0 && argc > 2)
		return cmd_syscall(argv[2]);
	if (strcmp(cmd, "listen-fd") == 0)
		return cmd_listen_fd();
	if (strcmp(cmd, "status") == 0 && argc > 2)
		return cmd_status(argv[2]);
	fprintf(stderr, "payload: unknown command \"%s\"\n", cmd);
	return 99;
}
