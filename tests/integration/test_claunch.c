/* claunch as users see it: the limits in the cgroup files, what the command sees inside
 * (PID 1, hostname, network, mounts, capabilities, environment), exit codes, error text, and
 * that nothing is left behind. Each test runs the real binary with its own --name and its
 * own --cgroup-parent /claunch-test-PID, removed in teardown. */
#include "config.h"

#include "tests/integration/harness.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_SHORT	     5000
#define T_RUN	     10000
#define CGROUP_ROOT  "/sys/fs/cgroup"
#define RUN_DIR	     "/run/claunch"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_CAPS "00000000a80425fb" /* docker's default set */

static const char *const controllers[] = {
	"memory", "cpu", "cpuacct", "pids", "cpuset", "freezer"
};

/* The test's own names: one parent cgroup per test process, one container name per test. */
static struct {
	char parent[64]; /* "/claunch-test-PID" */
	char name[96];	 /* "claunch-t-TAG-PID" */
	char payload[PATH_MAX];
	char dir[64]; /* a temp dir, or "" */
} t;

/* What one claunch run showed. */
struct run {
	int code;
	char out[65536]; /* stdout, "\r" removed */
	char err[16384];
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers */

static void begin(const char *tag)
{
	if (geteuid() != 0)
		cr_skip_test("claunch needs root (namespaces, the cgroup tree): run the suite as "
			     "root");
	snprintf(t.parent, sizeof(t.parent), "/claunch-test-%d", (int)getpid());
	snprintf(t.name, sizeof(t.name), "claunch-t-%s-%d", tag, (int)getpid());
	cr_assert_not_null(realpath(harness_payload(), t.payload), "%s: %s", harness_payload(),
			   strerror(errno));
}

static void make_temp_dir(void)
{
	snprintf(t.dir, sizeof(t.dir), "/tmp/claunch-test-XXXXXX");
	cr_assert_not_null(mkdtemp(t.dir));
}

/* The same suite runs on this host's v1 hierarchies and, in the VM harness, on cgroup v2:
 * CGROUP_ROOT/cgroup.controllers lists the controllers only on a v2 root. */
static bool cgroup_v2(void)
{
	static int v2 = -1;
	char line[512];
	FILE *f;

	if (v2 >= 0)
		return v2;
	f = fopen(CGROUP_ROOT "/cgroup.controllers", "re");
	v2 = f && fgets(line, sizeof(line), f) && strstr(line, "memory");
	if (f)
		fclose(f);
	return v2;
}

static bool controller_exists(const char *controller)
{
	char path[128];
	struct stat st;

	if (cgroup_v2())
		return strcmp(controller, controllers[0]) == 0; /* one hierarchy, checked once */
	snprintf(path, sizeof(path), CGROUP_ROOT "/%s", controller);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* v1: CGROUP_ROOT/CONTROLLER/PARENT[/NAME][/FILE]; v2: CGROUP_ROOT/PARENT[/NAME][/FILE] */
static const char *cg_path(const char *controller, const char *name, const char *file)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), CGROUP_ROOT "%s%s%s%s%s%s%s", cgroup_v2() ? "" : "/",
		 cgroup_v2() ? "" : controller, t.parent, name ? "/" : "", name ? name : "",
		 file ? "/" : "", file ? file : "");
	return path;
}

static bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* First line of a file without its newline (static storage), or NULL. */
static const char *read_first_line(const char *path)
{
	static char line[4096];
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return NULL;
	ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	if (!ok)
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* The pids in a cgroup.procs file; returns the count (up to max). */
static int read_pids(const char *path, pid_t *pids, int max)
{
	FILE *f = fopen(path, "re");
	int n = 0, v;

	if (!f)
		return 0;
	while (n < max && fscanf(f, "%d", &v) == 1)
		pids[n++] = v;
	fclose(f);
	return n;
}

/* Waits until the container's memory cgroup has at least n processes; returns the count. */
static int wait_procs(const char *name, int n, pid_t *pids, int max, int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	int count;

	while ((count = read_pids(cg_path("memory", name, "cgroup.procs"), pids, max)) < n &&
	       harness_now_ms() < deadline)
		usleep(5000);
	return count;
}

/* Asserts that claunch left nothing of container `name`: no cgroup directory in any
 * hierarchy, no runtime directory, no process (the test process is a subreaper: a leftover
 * would be its child). */
static void assert_no_leftovers_of(const char *name)
{
	char run_dir[256];
	pid_t kids[16];
	int n;

	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		if (!controller_exists(controllers[i]))
			continue;
		cr_expect_not(path_exists(cg_path(controllers[i], name, NULL)),
			      "claunch left the cgroup %s", cg_path(controllers[i], name, NULL));
	}
	snprintf(run_dir, sizeof(run_dir), RUN_DIR "/%s", name);
	cr_expect_not(path_exists(run_dir), "claunch left %s", run_dir);
	snprintf(run_dir, sizeof(run_dir), RUN_DIR "/%s.notify", name);
	cr_expect_not(path_exists(run_dir), "claunch left %s", run_dir);
	n = harness_children(getpid(), kids, 16);
	cr_expect_eq(n, 0, "%d processes left behind (first: %d)", n, n ? (int)kids[0] : 0);
}

static void assert_no_leftovers(void)
{
	assert_no_leftovers_of(t.name);
}

static void kill_procs_in(const char *procs_file)
{
	pid_t pids[256];
	int n = read_pids(procs_file, pids, 256);

	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Whatever a failed test left: the containers' cgroups (killed first), the parents, the temp
 * dir. */
static void teardown(void)
{
	if (t.parent[0]) {
		for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
			const char *parent = cg_path(controllers[i], NULL, NULL);

			if (!controller_exists(controllers[i]))
				continue;
			char dir[PATH_MAX];
			DIR *d = opendir(parent);
			struct dirent *de;

			if (!d)
				continue;
			snprintf(dir, sizeof(dir), "%s", parent);
			while ((de = readdir(d))) {
				char sub[PATH_MAX + 300];

				if (de->d_type != DT_DIR || de->d_name[0] == '.')
					continue;
				snprintf(sub, sizeof(sub), "%s/%s/cgroup.procs", dir, de->d_name);
				kill_procs_in(sub);
				snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
				for (int tries = 0; tries < 200 && rmdir(sub) < 0 && errno == EBUSY;
				     tries++)
					usleep(5000);
			}
			closedir(d);
			rmdir(dir);
		}
	}
	if (t.name[0]) {
		char run_dir[256];
		snprintf(run_dir, sizeof(run_dir), RUN_DIR "/%s", t.name);
		nftw(run_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	if (t.dir[0])
		nftw(t.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* argv = claunch --name NAME --cgroup-parent PARENT --cgroup-driver cgroupfs ARGS... ; argv holds
 * max entries. */
static const char **claunch_argv(const char **argv, size_t max, const char *name,
				 const char *const *args)
{
	size_t n = 0;

	argv[n++] = harness_claunch();
	argv[n++] = "--name";
	argv[n++] = name;
	argv[n++] = "--cgroup-parent";
	argv[n++] = t.parent;
	/* this suite is the cgroupfs driver's, also under systemd (the VM's v1 mode) */
	argv[n++] = "--cgroup-driver";
	argv[n++] = "cgroupfs";
	for (size_t i = 0; args[i]; i++) {
		cr_assert_lt(n, max - 1);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return argv;
}

static void spawn_claunch(struct proc *p, const struct spawn_options *o, const char *name,
			  const char *const *args)
{
	const char *argv[64];

	harness_spawn(p, o, claunch_argv(argv, 64, name, args));
}

/* Reads stdout and stderr to EOF, then the exit code. */
static void finish(struct proc *p, struct run *r)
{
	const char *line;
	size_t len = 0;
	long long deadline = harness_now_ms() + T_RUN;

	r->out[0] = '\0';
	while ((line = harness_read_line(p, (int)(deadline - harness_now_ms())))) {
		int n = snprintf(r->out + len, sizeof(r->out) - len, "%.*s\n",
				 (int)strcspn(line, "\r"), line);
		if (n < 0 || (size_t)n >= sizeof(r->out) - len)
			break;
		len += (size_t)n;
	}
	snprintf(r->err, sizeof(r->err), "%s", harness_read_stderr(p, T_RUN));
	r->code = harness_exit_code(p, T_RUN);
}

static void run_as(struct run *r, const struct spawn_options *o, const char *name,
		   const char *const *args)
{
	struct proc p;

	spawn_claunch(&p, o, name, args);
	finish(&p, r);
}

static void run(struct run *r, const char *const *args)
{
	run_as(r, NULL, t.name, args);
}

/* Whether text has this exact line. */
static bool has_line(const char *text, const char *line)
{
	size_t l = strlen(line);

	for (const char *s = text; (s = strstr(s, line)); s += l)
		if ((s == text || s[-1] == '\n') && (s[l] == '\n' || s[l] == '\0'))
			return true;
	return false;
}

static int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* claunch's error: exactly one line, "claunch: ...". */
static bool one_claunch_line(const char *err)
{
	size_t len = strlen(err);

	return strncmp(err, "claunch: ", 9) == 0 && len > 0 && err[len - 1] == '\n' &&
	       strchr(err, '\n') == err + len - 1;
}

/* The names of the interfaces in /proc/net/dev, one per line: "lo\neth0\n". */
static const char *host_interfaces(void)
{
	static char names[4096];
	FILE *f = fopen("/proc/net/dev", "re");
	char line[512];
	size_t len = 0;

	cr_assert_not_null(f);
	names[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		int n;

		if (!colon || strchr(line, '|'))
			continue;
		*colon = '\0';
		name += strspn(name, " ");
		n = snprintf(names + len, sizeof(names) - len, "%s\n", name);
		if (n < 0 || (size_t)n >= sizeof(names) - len)
			break;
		len += (size_t)n;
	}
	fclose(f);
	return names;
}

static const char *own_status(const char *field)
{
	static char line[256];
	size_t len = strlen(field);
	FILE *f = fopen("/proc/self/status", "re");

	cr_assert_not_null(f);
	line[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			break;
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* ---------------------------------------------------------------------------------------- */
/* Limits */

static void expect_file(const char *controller, const char *file, const char *want)
{
	const char *path = cg_path(controller, t.name, file);
	const char *got = read_first_line(path);

	cr_expect(got && strcmp(got, want) == 0, "%s: want \"%s\", got \"%s\"", path, want,
		  got ? got : "(missing)");
}

/* docker's --cpu-shares: itself in v1's cpu.shares, crun's conversion in v2's cpu.weight */
Test(claunch, cpu_shares_as_docker_gives_them, .fini = teardown, .timeout = 20)
{
	pid_t pids[8];
	struct proc p;

	begin("shares");
	const char *args[] = { "--cpu-shares", "512", "--", t.payload, "sleep", "5", NULL };
	spawn_claunch(&p, NULL, t.name, args);
	cr_assert_geq(wait_procs(t.name, 2, pids, 8, T_SHORT), 2, "not 2 processes in %s",
		      cg_path("memory", t.name, "cgroup.procs"));
	if (cgroup_v2())
		expect_file("cpu", "cpu.weight", "20"); /* 1 + (512 - 2) * 9999 / 262142 */
	else
		expect_file("cpu", "cpu.shares", "512");
	kill(p.pid, SIGTERM);
	harness_exit_code(&p, T_RUN);
	assert_no_leftovers();
}

Test(claunch, limits_land_in_the_cgroup_files, .fini = teardown, .timeout = 20)
{
	/* cgfs_v1's mapping of --cpu-weight 1-10000 onto cpu.shares 2-262144 */
	char shares[32];
	pid_t pids[8];
	struct proc p;
	struct run r;

	begin("limits");
	snprintf(shares, sizeof(shares), "%d", 2 + (200 - 1) * 262142 / 9999);
	const char *args[] = { "--memory",
			       "256m",
			       "--memory-swap",
			       "512m",
			       "--cpus",
			       "0.5",
			       "--cpu-weight",
			       "200",
			       "--cpuset-cpus",
			       "0",
			       "--pids-limit",
			       "100",
			       "--",
			       t.payload,
			       "sleep",
			       "5",
			       NULL };
	spawn_claunch(&p, NULL, t.name, args);
	/* cinit and the payload: cinit handles signals by the time it starts the command */
	cr_assert_geq(wait_procs(t.name, 2, pids, 8, T_SHORT), 2, "not 2 processes in %s",
		      cg_path("memory", t.name, "cgroup.procs"));

	if (cgroup_v2()) {
		expect_file("memory", "memory.max", "268435456");
		/* docker's --memory-swap counts memory in; v2's swap limit does not */
		if (path_exists(cg_path("memory", t.name, "memory.swap.max")))
			expect_file("memory", "memory.swap.max", "268435456");
		expect_file("cpu", "cpu.max", "50000 100000");
		expect_file("cpu", "cpu.weight", "200");
		expect_file("cpuset", "cpuset.cpus", "0");
		expect_file("pids", "pids.max", "100");
	} else {
		expect_file("memory", "memory.limit_in_bytes", "268435456");
		if (path_exists(cg_path("memory", t.name, "memory.memsw.limit_in_bytes")))
			expect_file("memory", "memory.memsw.limit_in_bytes", "536870912");
		expect_file("cpu", "cpu.cfs_quota_us", "50000");
		expect_file("cpu", "cpu.cfs_period_us", "100000");
		expect_file("cpu", "cpu.shares", shares);
		expect_file("cpuset", "cpuset.cpus", "0");
		expect_file("pids", "pids.max", "100");
	}
	/* the container is in every hierarchy's cgroup, not only memory's */
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++)
		if (controller_exists(controllers[i]))
			cr_expect_geq(
				read_pids(cg_path(controllers[i], t.name, "cgroup.procs"), pids, 8),
				1, "no process in the %s cgroup", controllers[i]);

	/* TERM goes to the command (through cinit), which dies of it */
	kill(p.pid, SIGTERM);
	finish(&p, &r);
	cr_expect_eq(r.code, 143, "exit %d, stderr: %s", r.code, r.err);
	assert_no_leftovers();
}

Test(claunch, oom_kill_is_reported, .fini = teardown, .timeout = 20)
{
	char want[256];
	struct run r;

	begin("oom");
	run(&r, (const char *const[]){ "--memory", "64m", "--", t.payload, "alloc", "200", NULL });
	snprintf(want, sizeof(want),
		 "claunch: container %s was killed: out of memory (limit 64 MiB)", t.name);
	cr_expect_eq(r.code, 137, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, want) != NULL, "want \"%s\" on stderr, got: %s", want, r.err);
	cr_expect_not(has_line(r.out, "allocated 200"), "the allocation went through: %s", r.out);
	assert_no_leftovers();
}

Test(claunch, cpus_limit_the_cpu_time, .fini = teardown, .timeout = 20)
{
	struct run r;
	double ratio = -1;

	begin("cpu");
	/* The quota is a ceiling: on a loaded machine (make check runs suites side by side) the
	 * loop would get less than it for want of CPU, and the floor of the check would fail for
	 * that. So the test's parent cgroup, made here first, outweighs everything else. */
	cr_assert(mkdir(cg_path("cpu", NULL, NULL), 0755) == 0 || errno == EEXIST, "%s: %s",
		  cg_path("cpu", NULL, NULL), strerror(errno));
	if (cgroup_v2())
		write_text(cg_path("cpu", NULL, "cpu.weight"), "10000");
	else
		write_text(cg_path("cpu", NULL, "cpu.shares"), "262144");
	run(&r, (const char *const[]){ "--cpus", "0.5", "--", t.payload, "spin", "3", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_assert_eq(sscanf(r.out, "cpu %lf", &ratio), 1, "no \"cpu R\" line: %s", r.out);
	cr_expect(ratio >= 0.40 && ratio <= 0.60, "--cpus 0.5 gave %.2f of a CPU", ratio);
	assert_no_leftovers();
}

Test(claunch, pids_limit_stops_a_fork_bomb, .fini = teardown, .timeout = 20)
{
	pid_t seen[64], child;
	struct proc p;
	struct run r;
	const char *line;
	long forked = -1;
	char reason[128] = "";
	int n_seen = 0, status;

	begin("pids");
	spawn_claunch(
		&p, NULL, t.name,
		(const char *const[]){ "--pids-limit", "50", "--", t.payload, "forkbomb", NULL });
	line = harness_read_line(&p, T_RUN);
	cr_assert_not_null(line, "no output from the fork bomb");
	/* the bomb's processes, while they still exist: checked for being gone below */
	n_seen = read_pids(cg_path("pids", t.name, "cgroup.procs"), seen, 64);
	cr_expect_eq(sscanf(line, "forked %ld: %127[^\n]", &forked, reason), 2, "got: %s", line);
	cr_expect(forked > 0 && forked < 50, "forked %ld with --pids-limit 50", forked);
	cr_expect_str_eq(reason, "Resource temporarily unavailable");
	finish(&p, &r);
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);

	/* the host is not affected: we can still fork */
	child = fork();
	cr_assert_geq(child, 0, "fork after the bomb: %s", strerror(errno));
	if (child == 0)
		_exit(0);
	cr_expect_eq(waitpid(child, &status, 0), child);
	for (int i = 0; i < n_seen; i++) {
		char s = harness_state(seen[i]);
		cr_expect(s == 0 || s == 'Z', "process %d of the bomb is still there (%c)",
			  (int)seen[i], s);
	}
	assert_no_leftovers();
}

/* ---------------------------------------------------------------------------------------- */
/* Inside the container */

Test(claunch, pid1_is_cinit_and_reaps_zombies, .fini = teardown, .timeout = 20)
{
	char script[PATH_MAX + 512];
	struct run r;

	begin("reap");
	/* the orphans' grandchildren are reparented to PID 1: none may stay a zombie */
	snprintf(script, sizeof(script),
		 "read c < /proc/1/comm; echo \"$c\"; "
		 "%s orphans 50 > /dev/null & sleep 1; "
		 "z=0; for s in /proc/[0-9]*/stat; do "
		 "  read l < $s 2>/dev/null || continue; "
		 "  case \"${l##*) }\" in Z*) z=$((z + 1));; esac; "
		 "done; echo \"zombies $z\"; kill $!; wait",
		 t.payload);
	run(&r, (const char *const[]){ "--", "sh", "-c", script, NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(has_line(r.out, "cinit"), "PID 1 is not cinit: %s", r.out);
	cr_expect(has_line(r.out, "zombies 0"), "%s", r.out);
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--no-init", "--", "sh", "-c",
				       "read c < /proc/1/comm; echo \"$c\"", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "sh\n");
	assert_no_leftovers();
}

Test(claunch, hostname, .fini = teardown, .timeout = 20)
{
	char want[128];
	struct run r;

	begin("host");
	run(&r, (const char *const[]){ "--hostname", "box", "--", "hostname", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "box\n");
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--", "hostname", NULL });
	snprintf(want, sizeof(want), "%s\n", t.name);
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, want, "the default hostname is the --name");
	assert_no_leftovers();
}

Test(claunch, network, .fini = teardown, .timeout = 20)
{
	static const char list[] = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '";
	struct run r;

	begin("net");
	run(&r, (const char *const[]){ "--net", "none", "--", "sh", "-c", list, NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "lo\n", "--net none: only lo");
	assert_no_leftovers();

	if (path_exists("/usr/sbin/ip") || path_exists("/sbin/ip") || path_exists("/bin/ip")) {
		run(&r, (const char *const[]){ "--", "ip", "-o", "link", NULL });
		cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
		cr_expect_eq(count_lines(r.out), 1, "%s", r.out);
		cr_expect(strstr(r.out, ": lo: <") && strstr(r.out, ",UP"), "lo is not up: %s",
			  r.out);
		assert_no_leftovers();
	}

	run(&r, (const char *const[]){ "--net", "host", "--", "sh", "-c", list, NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, host_interfaces(), "--net host: the host's interfaces");
	assert_no_leftovers();
}

Test(claunch, bind_mounts, .fini = teardown, .timeout = 20)
{
	char src[128], dst[128], ro[300], rw[300], script[300], file[160];
	struct run r;
	const char *content;

	begin("bind");
	make_temp_dir();
	snprintf(src, sizeof(src), "%s/src", t.dir);
	snprintf(dst, sizeof(dst), "%s/dst", t.dir);
	cr_assert_eq(mkdir(src, 0755), 0);
	cr_assert_eq(mkdir(dst, 0755), 0);
	snprintf(ro, sizeof(ro), "%s:%s:ro", src, dst);
	snprintf(rw, sizeof(rw), "%s:%s", src, dst);
	snprintf(script, sizeof(script), "echo hello > %s/f", dst);

	run(&r, (const char *const[]){ "--bind", ro, "--", "sh", "-c", script, NULL });
	cr_expect_neq(r.code, 0, "wrote to a read-only bind; stderr: %s", r.err);
	cr_expect(strstr(r.err, "Read-only file system") != NULL, "%s", r.err);
	snprintf(file, sizeof(file), "%s/f", src);
	cr_expect_not(path_exists(file));
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--bind", rw, "--", "sh", "-c", script, NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	content = read_first_line(file);
	cr_expect(content && strcmp(content, "hello") == 0, "%s: %s", file,
		  content ? content : "(missing)");
	snprintf(file, sizeof(file), "%s/f", dst);
	cr_expect_not(path_exists(file), "the bind mount is visible on the host");
	assert_no_leftovers();
}

static void expect_capeff(const char *const *args, const char *want, const char *what)
{
	char line[64];
	struct run r;

	run(&r, args);
	snprintf(line, sizeof(line), "CapEff:\t%s\n", want);
	cr_expect_eq(r.code, 0, "%s: exit %d, stderr: %s", what, r.code, r.err);
	cr_expect_str_eq(r.out, line, "%s", what);
	assert_no_leftovers();
}

Test(claunch, capabilities, .fini = teardown, .timeout = 30)
{
	char full[256];

	begin("caps");
	expect_capeff((const char *const[]){ "--", t.payload, "status", "CapEff", NULL },
		      DEFAULT_CAPS, "default");
	expect_capeff((const char *const[]){ "--cap-drop", "ALL", "--", t.payload, "status",
					     "CapEff", NULL },
		      "0000000000000000", "--cap-drop ALL");
	/* bit 21 */
	expect_capeff((const char *const[]){ "--cap-add", "SYS_ADMIN", "--", t.payload, "status",
					     "CapEff", NULL },
		      "00000000a82425fb", "--cap-add SYS_ADMIN");
	expect_capeff((const char *const[]){ "--user", "1000", "--", t.payload, "status", "CapEff",
					     NULL },
		      "0000000000000000", "--user 1000");
	snprintf(full, sizeof(full), "%s", own_status("CapEff") + strlen("CapEff:\t"));
	expect_capeff(
		(const char *const[]){ "--privileged", "--", t.payload, "status", "CapEff", NULL },
		full, "--privileged");
}

static int count_tmp_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int n = 0;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		char mount_point[512];
		if (sscanf(line, "%*s %*s %*s %*s %511s", mount_point) == 1 &&
		    strcmp(mount_point, "/tmp") == 0)
			n++;
	}
	fclose(f);
	return n;
}

Test(claunch, seccomp_denies_syscalls, .fini = teardown, .timeout = 30)
{
	static const char *const denied[] = { "keyctl", "userns", "mount" };
	int tmp_mounts;
	struct run r;

	begin("seccomp");
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		char want[64];

		run(&r, (const char *const[]){ "--", t.payload, "syscall", denied[i], NULL });
		snprintf(want, sizeof(want), "%s: EPERM\n", denied[i]);
		cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
		cr_expect_str_eq(r.out, want);
		assert_no_leftovers();
	}

	tmp_mounts = count_tmp_mounts();
	run(&r, (const char *const[]){ "--security-opt", "seccomp=unconfined", "--cap-add",
				       "SYS_ADMIN", "--", t.payload, "syscall", "mount", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "mount: ok\n");
	cr_expect_eq(count_tmp_mounts(), tmp_mounts, "the container's mount reached the host");
	assert_no_leftovers();
}

/* ---------------------------------------------------------------------------------------- */
/* Environment, user, working directory */

/* The names of NAME=VALUE lines, sorted, space-separated. */
static const char *env_names(const char *out)
{
	static char names[4096];
	char copy[sizeof(((struct run *)0)->out)], *save = NULL;
	const char *list[128];
	size_t n = 0, len = 0;

	snprintf(copy, sizeof(copy), "%s", out);
	for (char *l = strtok_r(copy, "\n", &save); l && n < 128; l = strtok_r(NULL, "\n", &save))
		list[n++] = strndup(l, strcspn(l, "="));
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(list[j - 1], list[j]) > 0; j--) {
			const char *x = list[j];
			list[j] = list[j - 1];
			list[j - 1] = x;
		}
	names[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? " " : "",
					list[i]);
		free((char *)list[i]);
		if (len >= sizeof(names))
			break;
	}
	return names;
}

Test(claunch, environment, .fini = teardown, .timeout = 30)
{
	static const char *const with_b[] = { "B=from-claunch", "FOO_HOST=leak", NULL };
	static const char *const without_b[] = { "FOO_HOST=leak", NULL };
	char env_file[128], want[160];
	struct spawn_options o = { .env = with_b };
	struct run r;

	begin("env");
	make_temp_dir();
	snprintf(env_file, sizeof(env_file), "%s/vars.env", t.dir);
	write_text(env_file, "# c\n\nC=3\nD=x=y\n");
	const char *args[] = { "-e", "A=1", "-e", "B", "--env-file", env_file, "--", "env", NULL };

	run_as(&r, &o, t.name, args);
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(has_line(r.out, "A=1"), "%s", r.out);
	cr_expect(has_line(r.out, "B=from-claunch"), "-e B takes claunch's B: %s", r.out);
	cr_expect(has_line(r.out, "C=3"), "%s", r.out);
	cr_expect(has_line(r.out, "D=x=y"), "%s", r.out);
	cr_expect(has_line(r.out, "PATH=" DEFAULT_PATH), "%s", r.out);
	snprintf(want, sizeof(want), "HOSTNAME=%s", t.name);
	cr_expect(has_line(r.out, want), "%s", r.out);
	cr_expect(has_line(r.out, "HOME=/root"), "%s", r.out);
	/* nothing of the host's environment (FOO_HOST, the test's own) */
	cr_expect_str_eq(env_names(r.out), "A B C D HOME HOSTNAME PATH", "%s", r.out);
	assert_no_leftovers();

	o.env = without_b;
	run_as(&r, &o, t.name, args);
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(env_names(r.out), "A C D HOME HOSTNAME PATH",
			 "-e B without B in claunch's environment: %s", r.out);
	assert_no_leftovers();

	run(&r, (const char *const[]){ "-w", "/tmp", "--", "pwd", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "/tmp\n");
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--user", "65534", "-w", "/", "--", "sh", "-c",
				       "id -u; echo \"$HOME\"", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "65534\n/nonexistent\n", "HOME of nobody from /etc/passwd");
	assert_no_leftovers();
}

/* ---------------------------------------------------------------------------------------- */
/* Exit codes and signals */

Test(claunch, exit_codes, .fini = teardown, .timeout = 40)
{
	static const struct {
		const char *args[3];
		int code;
	} cases[] = {
		{ { "exit", "0" }, 0 },	     { { "exit", "3" }, 3 },
		{ { "exit", "255" }, 255 },  { { "kill", "TERM" }, 143 },
		{ { "kill", "KILL" }, 137 },
	};
	struct run r;

	begin("exit");
	for (int no_init = 0; no_init <= 1; no_init++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			/* PID 1 of a namespace cannot die of its own signal: the kernel drops it */
			if (no_init && cases[i].code > 128)
				continue;
			const char *with[] = { "--", t.payload, cases[i].args[0], cases[i].args[1],
					       NULL };
			const char *without[] = { "--no-init",	    "--",
						  t.payload,	    cases[i].args[0],
						  cases[i].args[1], NULL };

			run(&r, no_init ? without : with);
			cr_expect_eq(r.code, cases[i].code, "%spayload %s %s: exit %d, stderr: %s",
				     no_init ? "--no-init " : "", cases[i].args[0],
				     cases[i].args[1], r.code, r.err);
			assert_no_leftovers();
		}
}

static void check_signals(bool no_init)
{
	static const struct {
		int sig;
		const char *line;
	} sent[] = { { SIGUSR1, "main USR1" }, { SIGHUP, "main HUP" }, { SIGTERM, "main TERM" } };
	const char *with[] = { "--", t.payload, "signals", NULL };
	const char *without[] = { "--no-init", "--", t.payload, "signals", NULL };
	struct proc p;
	struct run r;

	spawn_claunch(&p, NULL, t.name, no_init ? without : with);
	cr_assert(harness_expect_line(&p, "ready", T_SHORT), "no \"ready\"");
	for (size_t i = 0; i < sizeof(sent) / sizeof(sent[0]); i++) {
		kill(p.pid, sent[i].sig);
		cr_expect(harness_expect_line(&p, sent[i].line, T_SHORT), "%s%s not seen: %s",
			  no_init ? "--no-init: " : "", sent[i].line, p.transcript);
	}
	finish(&p, &r);
	cr_expect_eq(r.code, 0, "the command exits 0 after TERM; got %d, stderr: %s", r.code,
		     r.err);
	assert_no_leftovers();
}

Test(claunch, signals_reach_the_command, .fini = teardown, .timeout = 30)
{
	begin("sig");
	check_signals(false);
	check_signals(true);
}

/* A TERM sent to claunch as soon as the container's cgroup has a process (what a supervisor
 * stopping a just-started container does) must still stop the command. */
Test(claunch, sigterm_right_after_start_is_not_lost, .fini = teardown, .timeout = 30)
{
	const char *args[] = { "--", t.payload, "sleep", "3", NULL };

	begin("early");
	for (int i = 0; i < 20; i++) {
		long long deadline = harness_now_ms() + T_SHORT;
		pid_t pids[4];
		struct proc p;
		int code;

		spawn_claunch(&p, NULL, t.name, args);
		/* no sleep between looks: the window is a millisecond or two */
		while (read_pids(cg_path("memory", t.name, "cgroup.procs"), pids, 4) == 0 &&
		       harness_now_ms() < deadline)
			;
		cr_assert_lt(harness_now_ms(), deadline, "no process in %s",
			     cg_path("memory", t.name, "cgroup.procs"));
		kill(p.pid, SIGTERM);
		code = harness_exit_code(&p, 2000);
		cr_assert_eq(code, 143, "attempt %d: SIGTERM right after start: %s", i + 1,
			     code < 0 ? "lost, the command ran on (claunch killed after 2 s)"
				      : "wrong exit code");
		assert_no_leftovers();
	}
}

/* claunch's own parent, /claunch, goes with its last container; one still in use stays. */
Test(claunch, the_default_parent_goes_with_its_last_container, .fini = teardown, .timeout = 30)
{
	char path[PATH_MAX];
	const char *err = NULL;
	int code;

	begin("parent");
	snprintf(path, sizeof(path), CGROUP_ROOT "%s/claunch", cgroup_v2() ? "" : "/memory");
	if (path_exists(path))
		cr_skip_test("%s is in use by other containers", path);
	code = harness_run((const char *const[]){ harness_claunch(), "--name", t.name, "--memory",
						  "64m", "--", "true", NULL },
			   &err);
	cr_expect_eq(code, 0, "%s", err);
	cr_expect_not(path_exists(path), "claunch left its parent %s", path);
}

/* A process that joined the container's cgroup from outside its pid namespace (as an exec
 * or nsenter would) does not die with the namespace: claunch kills it at exit (v2
 * cgroup.kill, v1 the freezer) before it removes the cgroup. */
Test(claunch, a_process_moved_into_the_cgroup_is_killed_at_exit, .fini = teardown, .timeout = 30)
{
	char pid_text[32];
	pid_t pids[8], intruder;
	struct proc p;
	struct run r;
	int status;

	begin("intruder");
	spawn_claunch(
		&p, NULL, t.name,
		(const char *const[]){ "--memory", "64m", "--", t.payload, "sleep", "1", NULL });
	cr_assert_geq(wait_procs(t.name, 2, pids, 8, T_SHORT), 2);

	intruder = fork();
	cr_assert_geq(intruder, 0);
	if (intruder == 0) {
		execl(t.payload, t.payload, "sleep", "100", (char *)NULL);
		_exit(99);
	}
	snprintf(pid_text, sizeof(pid_text), "%d", (int)intruder);
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++)
		if (controller_exists(controllers[i]))
			write_text(cg_path(controllers[i], t.name, "cgroup.procs"), pid_text);

	finish(&p, &r);
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	/* it sleeps for 100 s: gone (or a zombie the harness may already have reaped) means
	 * killed */
	{
		char state = harness_state(intruder);

		cr_expect(state == 0 || state == 'Z',
			  "the process moved into the cgroup survived claunch (state %c)", state);
	}
	(void)waitpid(intruder, &status, WNOHANG);
	assert_no_leftovers();
}

Test(claunch, sigkill_of_claunch_leaves_nothing_running, .fini = teardown, .timeout = 30)
{
	char second[128];
	pid_t pids[16];
	struct proc p;
	struct run r;
	int n, status;

	begin("kill9");
	spawn_claunch(
		&p, NULL, t.name,
		(const char *const[]){ "--memory", "64m", "--", t.payload, "sleep", "100", NULL });
	/* cinit and the payload */
	n = wait_procs(t.name, 2, pids, 16, T_SHORT);
	cr_assert_geq(n, 2, "%d processes in the container", n);

	kill(p.pid, SIGKILL);
	cr_assert_eq(waitpid(p.pid, &status, 0), p.pid);
	{
		long long deadline = harness_now_ms() + 2000;
		int alive;

		do {
			alive = 0;
			for (int i = 0; i < n; i++) {
				char s = harness_state(pids[i]);
				alive += s != 0 && s != 'Z';
			}
		} while (alive && harness_now_ms() < deadline && usleep(10000) == 0);
		for (int i = 0; i < n; i++) {
			char s = harness_state(pids[i]);
			cr_expect(s == 0 || s == 'Z', "process %d of the container survived (%c)",
				  (int)pids[i], s);
		}
	}
	close(p.out_fd);
	close(p.err_fd);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		; /* the reparented PID 1: we are its subreaper */

	/* the stale cgroup goes with the next claunch under the same parent */
	cr_expect(path_exists(cg_path("memory", t.name, NULL)), "no stale cgroup to remove");
	snprintf(second, sizeof(second), "%s-2", t.name);
	run_as(&r, NULL, second, (const char *const[]){ "--", "true", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	assert_no_leftovers_of(t.name);
	assert_no_leftovers_of(second);
}

/* What claunch's caller has (open fds, groups, umask, ignored signals) does not reach the
 * container, and root in it has no inheritable capabilities (CVE-2022-24769). */
Test(claunch, nothing_of_the_caller_leaks_in, .fini = teardown, .timeout = 20)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_hup;
	gid_t groups[] = { 0, 4242 };
	struct run r;
	mode_t old_umask;
	int fd;

	begin("leaks");
	fd = open("/tmp", O_RDONLY | O_DIRECTORY); /* not CLOEXEC, on purpose */
	cr_assert_geq(fd, 0);
	cr_assert_eq(setgroups(2, groups), 0, "setgroups: %s", strerror(errno));
	old_umask = umask(077);
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGHUP, &ignore, &old_hup);
	run(&r, (const char *const[]){ "--", "sh", "-c",
				       "ls /proc/self/fd | tr '\\n' ' '; echo; id -G; umask; "
				       "grep -e SigIgn -e CapInh /proc/self/status",
				       NULL });
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	umask(old_umask);
	(void)setgroups(0, NULL);
	close(fd);

	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	/* ls's own directory fd is 3 */
	cr_expect(has_line(r.out, "0 1 2 3 "), "fds in the container: %s", r.out);
	cr_expect(has_line(r.out, "0"), "groups in the container: %s", r.out);
	cr_expect(has_line(r.out, "0022"), "umask in the container: %s", r.out);
	cr_expect(has_line(r.out, "SigIgn:\t0000000000000000"), "%s", r.out);
	cr_expect(has_line(r.out, "CapInh:\t0000000000000000"), "%s", r.out);
	assert_no_leftovers();
}

/* Under a service manager ($NOTIFY_SOCKET): a plain command is ready once it runs; with
 * --no-init the command's own READY=1 and STATUS= are relayed, as from claunch (its MAINPID),
 * never with the container's own MAINPID. */
static int notify_listen(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 2 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	cr_assert_lt(strlen(path), sizeof(addr.sun_path));
	memcpy(addr.sun_path, path, strlen(path) + 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "%s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static const char *notify_next(int fd)
{
	static char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

Test(claunch, readiness_is_relayed_to_notify_socket, .fini = teardown, .timeout = 30)
{
	char path[128], env[160], mainpid[64];
	struct spawn_options o = { 0 };
	const char *envs[2] = { env, NULL };
	const char *msg;
	struct proc p;
	struct run r;
	int fd;

	begin("notify");
	make_temp_dir();
	snprintf(path, sizeof(path), "%s/notify", t.dir);
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", path);
	o.env = envs;
	fd = notify_listen(path);

	run_as(&r, &o, t.name, (const char *const[]){ "--", "true", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	msg = notify_next(fd);
	cr_expect_str_eq(msg, "READY=1", "a plain command under cinit");

	spawn_claunch(&p, &o, t.name,
		      (const char *const[]){ "--no-init", "--", t.payload, "notify",
					     "READY=1\\nSTATUS=serving\\nMAINPID=1", "0.2", NULL });
	snprintf(mainpid, sizeof(mainpid), "MAINPID=%d", (int)p.pid);
	finish(&p, &r);
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	msg = notify_next(fd);
	cr_expect(has_line(msg, "READY=1") && has_line(msg, "STATUS=serving"), "relayed: %s", msg);
	cr_expect(!strstr(msg, "MAINPID=1\n") && !has_line(msg, "MAINPID=1"),
		  "the container's own MAINPID went out: %s", msg);
	msg = notify_next(fd);
	cr_expect_str_eq(msg, mainpid, "claunch's MAINPID after READY=1");

	/* systemd splits on "\r" too: a key hidden behind one must not get through */
	run_as(&r, &o, t.name,
	       (const char *const[]){ "--no-init", "--", t.payload, "notify",
				      "STATUS=x\rMAINPID=1\rFDSTORE=1", "0.2", NULL });
	msg = notify_next(fd);
	cr_expect_str_eq(msg, "STATUS=x\n", "\\r-separated keys: %s", msg);
	close(fd);
	assert_no_leftovers();
}

/* Socket activation: the listening socket a service manager gives claunch reaches the
 * container's command (through cinit, or as PID 1 with --no-init), with LISTEN_PID its own. */
#define SOCKET_ACTIVATE "/usr/bin/systemd-socket-activate"

static void check_socket_activation(bool no_init, const char *units, const char *want)
{
	char sock[128], line[256] = "";
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *argv[24];
	size_t n = 0;
	struct proc p;
	ssize_t got = 0;
	int fd;

	snprintf(sock, sizeof(sock), "%s/activate-%d%s", t.dir, no_init, units ? "-units" : "");
	argv[n++] = SOCKET_ACTIVATE;
	argv[n++] = "-l";
	argv[n++] = sock;
	argv[n++] = "--fdname=web";
	argv[n++] = harness_claunch();
	argv[n++] = "--name";
	argv[n++] = t.name;
	argv[n++] = "--cgroup-parent";
	argv[n++] = t.parent;
	argv[n++] = "--cgroup-driver";
	argv[n++] = "cgroupfs";
	if (no_init)
		argv[n++] = "--no-init";
	if (units) {
		argv[n++] = "--units";
		argv[n++] = units;
	}
	argv[n++] = "--";
	argv[n++] = t.payload;
	/* with a service that takes the socket, the main command only waits */
	argv[n++] = units ? "sleep" : "listen-fd";
	if (units)
		argv[n++] = "2";
	argv[n] = NULL;
	harness_spawn(&p, NULL, argv);
	for (long long deadline = harness_now_ms() + T_SHORT;
	     !path_exists(sock) && harness_now_ms() < deadline;)
		usleep(10000);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	memcpy(addr.sun_path, sock, strlen(sock) + 1);
	/* the client connects before the container exists: the connection waits in the queue
	 * (systemd-socket-activate binds before it listens: refused for a moment) */
	for (long long deadline = harness_now_ms() + T_SHORT;;) {
		int r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));

		if (r == 0 || errno != ECONNREFUSED || harness_now_ms() >= deadline) {
			cr_assert_eq(r, 0, "%s: %s", sock, strerror(errno));
			break;
		}
		usleep(10000);
	}
	for (long long deadline = harness_now_ms() + T_RUN;
	     !strchr(line, '\n') && harness_now_ms() < deadline;) {
		ssize_t k = read(fd, line + got, sizeof(line) - 1 - (size_t)got);
		if (k <= 0)
			break;
		got += k;
		line[got] = '\0';
	}
	close(fd);
	line[strcspn(line, "\n")] = '\0';
	cr_expect_str_eq(line, want, "%s", harness_read_stderr(&p, T_SHORT));
	cr_expect_eq(harness_exit_code(&p, T_RUN), 0);
	assert_no_leftovers();
}

Test(claunch, socket_activation, .fini = teardown, .timeout = 40)
{
	begin("activate");
	if (!path_exists(SOCKET_ACTIVATE))
		cr_skip_test("needs %s (systemd)", SOCKET_ACTIVATE);
	make_temp_dir();
	/* cinit is PID 1, its main command 2 */
	check_socket_activation(false, NULL, "served by 2, 1 fds, names web");
	check_socket_activation(true, NULL, "served by 1, 1 fds, names web");
}

/* A --units service takes the socket its Sockets= names (the main command, pid 2, does not):
 * it is pid 3, and gets the fd as 3 with its own LISTEN_PID. */
Test(claunch, socket_activation_to_a_service, .fini = teardown, .timeout = 40)
{
	char units[PATH_MAX], unit[PATH_MAX + 32], text[PATH_MAX + 128];

	begin("actsvc");
	if (!path_exists(SOCKET_ACTIVATE))
		cr_skip_test("needs %s (systemd)", SOCKET_ACTIVATE);
	make_temp_dir();
	snprintf(units, sizeof(units), "%s/units", t.dir);
	cr_assert_eq(mkdir(units, 0755), 0);
	snprintf(unit, sizeof(unit), "%s/api.service", units);
	snprintf(text, sizeof(text), "[Service]\nSockets=web.socket\nExecStart=%s listen-fd\n",
		 t.payload);
	write_text(unit, text);
	check_socket_activation(false, units, "served by 3, 1 fds, names web");
}

/* Services on the host's filesystem: cinit's sockets are in /run/claunch/NAME, reachable
 * with `cinit ctl` from the host, and gone with the container. */
Test(claunch, units_on_the_host_fs, .fini = teardown, .timeout = 30)
{
	char unit[PATH_MAX], text[PATH_MAX + 128], runtime[PATH_MAX], socket_path[PATH_MAX + 16],
		env[PATH_MAX + 32];
	const char *err = NULL;
	struct proc p;
	struct run r;
	int code = -1;

	begin("units");
	make_temp_dir();
	snprintf(unit, sizeof(unit), "%s/web.service", t.dir);
	snprintf(text, sizeof(text),
		 "[Service]\nExecStart=%s sleep 100\nExecStopPost=/bin/echo web stopped\n",
		 t.payload);
	write_text(unit, text);
	snprintf(runtime, sizeof(runtime), "%s/%s", RUN_DIR, t.name);
	snprintf(socket_path, sizeof(socket_path), "%s/control", runtime);

	spawn_claunch(
		&p, NULL, t.name,
		(const char *const[]){ "--units", t.dir, "--", t.payload, "sleep", "100", NULL });
	for (long long deadline = harness_now_ms() + T_SHORT;
	     !path_exists(socket_path) && harness_now_ms() < deadline;)
		usleep(10000);
	cr_expect(path_exists(socket_path), "no control socket at %s", socket_path);
	snprintf(env, sizeof(env), "CINIT_RUNTIME_DIR=%s", runtime);
	for (long long deadline = harness_now_ms() + T_SHORT; harness_now_ms() < deadline;) {
		code = harness_run((const char *const[]){ "/usr/bin/env", env, harness_cinit(),
							  "ctl", "status", "web", NULL },
				   &err);
		if (code == 0)
			break;
		usleep(20000);
	}
	cr_expect_eq(code, 0, "cinit ctl status web from the host: %d: %s", code, err);

	kill(p.pid, SIGTERM);
	finish(&p, &r);
	cr_expect_eq(r.code, 143, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(strstr(r.out, "web stopped") != NULL, "the service was not stopped: %s %s", r.out,
		  r.err);
	assert_no_leftovers();
}

/* ---------------------------------------------------------------------------------------- */
/* Errors */

static void expect_refused(const char *const *args, const char *needle)
{
	struct run r;

	run(&r, args);
	cr_expect_eq(r.code, 125, "%s: exit %d, stderr: %s", needle, r.code, r.err);
	cr_expect(one_claunch_line(r.err), "%s: not one \"claunch: \" line: %s", needle, r.err);
	cr_expect(strstr(r.err, needle) != NULL, "%s not named in: %s", needle, r.err);
	for (size_t i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++)
		cr_expect(!controller_exists(controllers[i]) ||
				  !path_exists(cg_path(controllers[i], NULL, NULL)),
			  "%s: %s was created", needle, cg_path(controllers[i], NULL, NULL));
	assert_no_leftovers();
}

Test(claunch, bad_input_is_refused_before_anything_exists, .fini = teardown, .timeout = 40)
{
	char syntax_cfg[128], bad_value_cfg[128], where[160];

	begin("bad");
	make_temp_dir();
	snprintf(syntax_cfg, sizeof(syntax_cfg), "%s/syntax.container", t.dir);
	write_text(syntax_cfg, "[Container]\nMemory\nExec=true\n");
	snprintf(bad_value_cfg, sizeof(bad_value_cfg), "%s/value.container", t.dir);
	write_text(bad_value_cfg, "[Container]\n\nMemory=1q\nExec=true\n");

	expect_refused((const char *const[]){ "--memory", "256q", "--", "true", NULL }, "--memory");
	expect_refused((const char *const[]){ "--cpus", "-1", "--", "true", NULL }, "--cpus");
	expect_refused((const char *const[]){ "--cpus", "1000", "--", "true", NULL }, "--cpus");
	expect_refused((const char *const[]){ "--bind", "/nonexistent:/x", "--", "true", NULL },
		       "--bind");
	expect_refused((const char *const[]){ "--cap-add", "CAP_FOO", "--", "true", NULL },
		       "--cap-add");
	expect_refused((const char *const[]){ "--config", "/nonexistent", "--", "true", NULL },
		       "--config");
	snprintf(where, sizeof(where), "%s:2:", syntax_cfg);
	expect_refused((const char *const[]){ "--config", syntax_cfg, NULL }, where);
	snprintf(where, sizeof(where), "%s:3: Memory", bad_value_cfg);
	expect_refused((const char *const[]){ "--config", bad_value_cfg, NULL }, where);
	expect_refused((const char *const[]){ "-w", "/nonexistent-dir", "--", "true", NULL },
		       "-w /nonexistent-dir");
	expect_refused((const char *const[]){ "--tmpfs", "/etc/passwd", "--", "true", NULL },
		       "--tmpfs");
	expect_refused(
		(const char *const[]){ "--bind", "/tmp:/nonexistent-dst", "--", "true", NULL },
		"--bind");
	expect_refused((const char *const[]){ NULL }, "no command");
	expect_refused((const char *const[]){ "--", NULL }, "no command");
	/* the systemd driver: a slice, not a path; a bus that answers; a driver built in */
	expect_refused((const char *const[]){ "--cgroup-driver", "systemd", "--cgroup-parent", "/x",
					      "--", "true", NULL },
		       "--cgroup-parent /x: the systemd cgroup driver takes a slice name");
#ifdef HAVE_SYSTEMD
	if (access("/run/systemd/system", F_OK) < 0)
		expect_refused((const char *const[]){ "--cgroup-driver", "systemd",
						      "--cgroup-parent", "claunch.slice", "--",
						      "true", NULL },
			       "--cgroup-driver systemd: cannot reach systemd at "
			       "/run/systemd/private");
#else
	expect_refused((const char *const[]){ "--cgroup-driver", "systemd", "--cgroup-parent",
					      "claunch.slice", "--", "true", NULL },
		       "the systemd driver is not built in");
#endif
}

Test(claunch, config_unknown_key_is_refused, .fini = teardown, .timeout = 20)
{
	char cfg[128], want[256];
	struct run r;

	begin("cfgkey");
	make_temp_dir();
	snprintf(cfg, sizeof(cfg), "%s/app.container", t.dir);
	write_text(cfg, "[Container]\nFoo=1\nHostname=fromcfg\nExec=hostname\n");
	run(&r, (const char *const[]){ "--config", cfg, NULL });
	snprintf(want, sizeof(want), "claunch: %s:2: unknown key \"Foo\" in [Container]\n", cfg);
	cr_expect_eq(r.code, 125, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.err, want);
	cr_expect_str_eq(r.out, "");
	cr_expect_not(path_exists(cg_path(controllers[0], NULL, NULL)), "a cgroup was made");
	assert_no_leftovers();
}

Test(claunch, exec_failures, .fini = teardown, .timeout = 30)
{
	char script[128];
	struct run r;
	int fd;

	begin("exec");
	make_temp_dir();
	snprintf(script, sizeof(script), "%s/not-executable", t.dir);
	fd = open(script, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	close(fd);

	run(&r, (const char *const[]){ "--", "/nonexistent", NULL });
	cr_expect_eq(r.code, 127, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "/nonexistent") != NULL, "%s", r.err);
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--no-init", "--", "/nonexistent", NULL });
	cr_expect_eq(r.code, 127, "--no-init: exit %d, stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "/nonexistent") != NULL, "%s", r.err);
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--", script, NULL });
	cr_expect_eq(r.code, 126, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "Permission denied") != NULL, "%s", r.err);
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--no-init", "--", script, NULL });
	cr_expect_eq(r.code, 126, "--no-init: exit %d, stderr: %s", r.code, r.err);
	cr_expect(strstr(r.err, "Permission denied") != NULL, "%s", r.err);
	assert_no_leftovers();
}

/* ---------------------------------------------------------------------------------------- */
/* --rootfs */

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	cr_assert_geq(in, 0, "%s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(out, 0, "%s: %s", to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* ROOT/payload, ROOT/bin/busybox and its applets: nothing else. */
static const char *make_rootfs(void)
{
	static const char *const applets[] = { "sh", "ls", "cat", "touch", "sleep", "grep", "wc" };
	static char root[128];
	char path[256];

	make_temp_dir();
	snprintf(root, sizeof(root), "%s/root", t.dir);
	cr_assert_eq(mkdir(root, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin", root);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin/busybox", root);
	copy_file("/bin/busybox", path, 0755);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		snprintf(path, sizeof(path), "%s/bin/%s", root, applets[i]);
		cr_assert_eq(symlink("busybox", path), 0);
	}
	snprintf(path, sizeof(path), "%s/payload", root);
	copy_file(t.payload, path, 0755);
	return root;
}

Test(claunch, rootfs, .fini = teardown, .timeout = 40)
{
	static const char *const allowed[] = {
		"bin", "payload", "dev", "proc", "sys", "run", "tmp"
	};
	const char *root;
	char units[160], unit[200], path[200];
	struct run r;
	int pids = -1;

	begin("rootfs");
	if (!path_exists("/bin/busybox"))
		cr_skip_test("no /bin/busybox to build a rootfs with");
	root = make_rootfs();

	run(&r, (const char *const[]){ "--rootfs", root, "--", "/bin/ls", "-1", "/", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(has_line(r.out, "bin") && has_line(r.out, "payload"), "%s", r.out);
	{
		char copy[sizeof(r.out)], *save = NULL;

		snprintf(copy, sizeof(copy), "%s", r.out);
		for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			bool ok = false;
			for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
				ok = ok || strcmp(l, allowed[i]) == 0;
			cr_expect(ok, "\"%s\" in the container's / is not the rootfs's", l);
		}
	}
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--rootfs", root, "--", "sh", "-c",
				       "echo x > /dev/null && cat /dev/null && echo null-ok; "
				       "read c < /proc/1/comm; echo \"pid1 $c\"; "
				       "ls -1 /proc | grep -c '^[0-9]'",
				       NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(has_line(r.out, "null-ok"), "/dev/null: %s", r.out);
	cr_expect(has_line(r.out, "pid1 cinit"), "PID 1 is cinit though not in the rootfs: %s",
		  r.out);
	{
		/* the count is the last line */
		const char *nl = r.out + strlen(r.out);

		if (nl > r.out)
			nl--;
		while (nl > r.out && nl[-1] != '\n')
			nl--;
		pids = atoi(nl);
	}
	cr_expect(pids >= 2 && pids <= 6, "%d pids in the container's /proc: %s", pids, r.out);
	assert_no_leftovers();

	/* the container reads its own limits where docker puts them, and cannot change them */
	if (controller_exists("memory")) {
		const char *limit = cgroup_v2() ? "/sys/fs/cgroup/memory.max"
						: "/sys/fs/cgroup/memory/memory.limit_in_bytes";
		char script[256];

		snprintf(script, sizeof(script), "cat %s; echo 1 > %s || echo refused", limit,
			 limit);
		run(&r, (const char *const[]){ "--rootfs", root, "--memory", "100m", "--", "sh",
					       "-c", script, NULL });
		cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
		cr_expect(has_line(r.out, "104857600"), "/sys/fs/cgroup/memory: %s %s", r.out,
			  r.err);
		cr_expect(has_line(r.out, "refused"), "the limit was writable: %s", r.out);
		assert_no_leftovers();
	}

	run(&r, (const char *const[]){ "--rootfs", root, "--read-only", "--", "sh", "-c",
				       "touch /run/y && echo run-ok; touch /x", NULL });
	cr_expect_neq(r.code, 0, "--read-only: touch /x worked");
	cr_expect(has_line(r.out, "run-ok"), "/run is not writable: %s %s", r.out, r.err);
	cr_expect(strstr(r.err, "Read-only file system") != NULL, "%s", r.err);
	snprintf(path, sizeof(path), "%s/x", root);
	cr_expect_not(path_exists(path));
	assert_no_leftovers();

	run(&r, (const char *const[]){ "--rootfs", root, "--tmpfs", "/tmp", "--", "sh", "-c",
				       "touch /tmp/a && ls /tmp", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "a\n");
	snprintf(path, sizeof(path), "%s/tmp/a", root);
	cr_expect_not(path_exists(path), "the tmpfs is the rootfs's directory");
	assert_no_leftovers();

	snprintf(units, sizeof(units), "%s/units", t.dir);
	cr_assert_eq(mkdir(units, 0755), 0);
	snprintf(unit, sizeof(unit), "%s/started.service", units);
	write_text(unit, "[Service]\n"
			 "ExecStartPre=/bin/busybox touch /run/started\n"
			 "ExecStart=/payload sleep 100\n");
	run(&r, (const char *const[]){ "--rootfs", root, "--units", units, "--", "sh", "-c",
				       "sleep 0.5; ls /run/started", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect_str_eq(r.out, "/run/started\n", "the service did not start: %s", r.err);
	assert_no_leftovers();
}

/* ---------------------------------------------------------------------------------------- */
/* -t */

Test(claunch, tty, .fini = teardown, .timeout = 20)
{
	struct spawn_options o = { .on_pty = true };
	struct run r;

	begin("tty");
	run_as(&r, &o, t.name, (const char *const[]){ "-t", "--", "sh", "-c", "tty", NULL });
	cr_expect_eq(r.code, 0, "exit %d, stderr: %s", r.code, r.err);
	cr_expect(strncmp(r.out, "/dev/pts/", 9) == 0, "tty: %s", r.out);
	assert_no_leftovers();

	run_as(&r, &o, t.name, (const char *const[]){ "--", "sh", "-c", "tty", NULL });
	cr_expect_str_eq(r.out, "not a tty\n", "without -t the container's stdin is /dev/null");
	assert_no_leftovers();
}
