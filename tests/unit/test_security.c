#include "config.h"

#include "launcher/security.h"
#include "launcher/cli.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/keyctl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIT(c) (UINT64_C(1) << (c))
#define DEFAULT_CAPS                                                                               \
	(BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) |              \
	 BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |                   \
	 BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_CHROOT) |   \
	 BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE))
#define MAX_CAPS 4

/* In a forked child: 0 when every check held, else the line of the first that did not. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return __LINE__;                                                           \
	} while (0)

struct caps_case {
	const char *name;
	bool privileged;
	const char *add[MAX_CAPS];
	const char *drop[MAX_CAPS];
	uint64_t expected;
	bool of_all;	   /* expected is a mask over all_caps() */
	const char *error; /* expected error text, or NULL */
};

/* What "ALL" means here: every known capability left in this process's bounding set. */
static uint64_t all_caps(void)
{
	uint64_t set = 0;

	for (int c = 0; c <= CAP_CHECKPOINT_RESTORE; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			set |= BIT(c);
	return set;
}

static size_t count(const char *const *list)
{
	size_t n = 0;

	while (n < MAX_CAPS && list[n])
		n++;
	return n;
}

static void options_for(struct claunch_options *o, const struct caps_case *c)
{
	claunch_options_init(o);
	o->privileged = c->privileged;
	o->cap_add = (char **)c->add;
	o->n_cap_add = count(c->add);
	o->cap_drop = (char **)c->drop;
	o->n_cap_drop = count(c->drop);
}

static const struct caps_case caps_cases[] = {
	{ .name = "default", .expected = DEFAULT_CAPS },
	{ .name = "--cap-add SYS_ADMIN",
	  .add = { "CAP_SYS_ADMIN" },
	  .expected = DEFAULT_CAPS | BIT(CAP_SYS_ADMIN) },
	{ .name = "--cap-drop ALL --cap-add NET_BIND_SERVICE",
	  .add = { "CAP_NET_BIND_SERVICE" },
	  .drop = { "ALL" },
	  .expected = BIT(CAP_NET_BIND_SERVICE) },
	{ .name = "--cap-drop ALL", .drop = { "ALL" }, .expected = 0 },
	{ .name = "--cap-drop CHOWN",
	  .drop = { "CAP_CHOWN" },
	  .expected = DEFAULT_CAPS & ~BIT(CAP_CHOWN) },
	{ .name = "--cap-drop CHOWN --cap-add CHOWN: the add wins",
	  .add = { "CAP_CHOWN" },
	  .drop = { "CAP_CHOWN" },
	  .expected = DEFAULT_CAPS },
	{ .name = "--privileged",
	  .privileged = true,
	  .drop = { "ALL" },
	  .expected = UINT64_MAX,
	  .of_all = true },
	{ .name = "--cap-add ALL", .add = { "ALL" }, .expected = UINT64_MAX, .of_all = true },
	{ .name = "--cap-add ALL --cap-drop MKNOD",
	  .add = { "ALL" },
	  .drop = { "CAP_MKNOD" },
	  .expected = ~BIT(CAP_MKNOD),
	  .of_all = true },
	{ .name = "bare and lower-case names",
	  .add = { "sys_ptrace" },
	  .drop = { "cap_kill" },
	  .expected = (DEFAULT_CAPS & ~BIT(CAP_KILL)) | BIT(CAP_SYS_PTRACE) },
	{ .name = "unknown --cap-add",
	  .add = { "CAP_FOO" },
	  .error = "--cap-add: \"CAP_FOO\" is not a capability" },
	{ .name = "unknown --cap-drop",
	  .drop = { "BAR" },
	  .error = "--cap-drop: \"BAR\" is not a capability" },
};

Test(security, caps_compute_table)
{
	for (size_t i = 0; i < ELEMENTSOF(caps_cases); i++) {
		const struct caps_case *c = &caps_cases[i];
		struct claunch_options o;
		uint64_t set = UINT64_C(0xdead);
		char err[256] = "";
		int r;

		options_for(&o, c);
		r = security_caps_compute(&o, &set, err, sizeof(err));
		if (c->error) {
			cr_expect_eq(r, -EINVAL, "%s: r=%d", c->name, r);
			cr_expect_str_eq(err, c->error, "%s", c->name);
		} else {
			uint64_t expected = c->of_all ? all_caps() & c->expected : c->expected;

			cr_expect_eq(r, 0, "%s: r=%d %s", c->name, r, err);
			cr_expect_eq(set, expected, "%s: %#" PRIx64 " != %#" PRIx64, c->name, set,
				     expected);
		}
	}
}

static int run_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "child died of signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

#define EXPECT_CHILD_OK(fn, arg)                                                                   \
	do {                                                                                       \
		int line_ = run_in_child(fn, arg);                                                 \
		cr_expect_eq(line_, 0, "check at line %d failed in the child", line_);             \
	} while (0)

static void require_root(void)
{
	if (geteuid() != 0 || prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 1)
		cr_skip_test("needs root with CAP_SYS_ADMIN");
}

/* The hex value of "KEY:\t..." in /proc/self/status, or UINT64_MAX. */
static uint64_t status_field(const char *key)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t len = strlen(key);

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, len) == 0 && line[len] == ':')
			return strtoull(line + len + 1, NULL, 16);
	return UINT64_MAX;
}

static uint64_t kernel_caps(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = -1;

	if (!f || fscanf(f, "%d", &last) != 1)
		return 0;
	return BIT(last + 1) - 1;
}

static int apply_and_read_status(void *arg)
{
	uint64_t set = *(uint64_t *)arg, expected = set & kernel_caps();

	CHECK(security_caps_apply(set) == 0);
	CHECK(status_field("CapEff") == expected);
	CHECK(status_field("CapPrm") == expected);
	/* an empty inheritable set, as docker and runc since CVE-2022-24769 */
	CHECK(status_field("CapInh") == 0);
	CHECK(status_field("CapBnd") == expected);
	CHECK(status_field("CapAmb") == 0);
	return 0;
}

Test(security, caps_apply_sets_proc_status)
{
	uint64_t sets[] = { DEFAULT_CAPS, BIT(CAP_NET_BIND_SERVICE), 0, 0,
			    DEFAULT_CAPS | BIT(CAP_SYS_ADMIN) };

	require_root();
	sets[3] = all_caps();
	for (size_t i = 0; i < ELEMENTSOF(sets); i++)
		EXPECT_CHILD_OK(apply_and_read_status, &sets[i]);
}

static int no_new_privs(void *arg)
{
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	CHECK(security_no_new_privs() == 0);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	return 0;
}

Test(security, no_new_privs)
{
	EXPECT_CHILD_OK(no_new_privs, NULL);
}

static int fails_with(long r, int err)
{
	return r == -1 && errno == err;
}

static void *thread_main(void *arg)
{
	return arg;
}

/* Everything an ordinary process does, under the default filter. */
static int ordinary_syscalls_work(void)
{
	int fds[2], status;
	char c = 0;
	pthread_t thread;
	void *ret = NULL;
	pid_t pid;

	CHECK(getpid() > 0);
	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], "x", 1) == 1);
	CHECK(read(fds[0], &c, 1) == 1 && c == 'x');
	pid = fork(); /* clone() without namespace flags */
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(7);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7);
	/* glibc tries clone3 first and falls back to clone on ENOSYS */
	CHECK(pthread_create(&thread, NULL, thread_main, &c) == 0);
	CHECK(pthread_join(thread, &ret) == 0 && ret == &c);
	CHECK(personality(0xffffffff) >= 0);
	return 0;
}

/* Root keeps CAP_SYS_ADMIN here, so every EPERM below is the filter's. */
static int default_filter_denies(void *arg)
{
	struct claunch_options o;
	char err[256] = "", dir[] = "/tmp/claunch-test-security-XXXXXX";

	claunch_options_init(&o);
	CHECK(mkdtemp(dir));
	CHECK(security_seccomp_apply(&o, err, sizeof(err)) == 0);
	CHECK(status_field("Seccomp") == 2);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);

	CHECK(fails_with(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
			 EPERM));
	CHECK(fails_with(syscall(SYS_unshare, CLONE_NEWUSER), EPERM));
	CHECK(fails_with(unshare(CLONE_NEWNS), EPERM));
	CHECK(fails_with(mount("none", dir, "tmpfs", 0, NULL), EPERM));
	CHECK(fails_with(umount2(dir, 0), EPERM));
	CHECK(fails_with(syscall(SYS_setns, -1, 0), EPERM));
	CHECK(fails_with(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM));
	CHECK(fails_with(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0), EPERM));
	CHECK(fails_with(syscall(SYS_clone3, NULL, 0), ENOSYS));
	CHECK(fails_with(syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0), EPERM));
	CHECK(fails_with(syscall(SYS_bpf, 0, NULL, 0), EPERM));
	CHECK(fails_with(syscall(SYS_reboot, 0, 0, 0, NULL), EPERM));
	CHECK(fails_with(syscall(SYS_io_uring_setup, 1, NULL), EPERM));
	(void)rmdir(dir); /* rmdir is allowed */

	return ordinary_syscalls_work();
}

Test(security, seccomp_default_denies)
{
	require_root();
	EXPECT_CHILD_OK(default_filter_denies, NULL);
}

/* The caller's order: capabilities, no_new_privs, seccomp. */
static int caller_order(void *arg)
{
	struct claunch_options o;
	uint64_t set;
	char err[256] = "";

	claunch_options_init(&o);
	CHECK(security_caps_compute(&o, &set, err, sizeof(err)) == 0);
	CHECK(security_caps_apply(set) == 0);
	CHECK(security_no_new_privs() == 0);
	CHECK(security_seccomp_apply(&o, err, sizeof(err)) == 0);
	CHECK(status_field("Seccomp") == 2);
	CHECK(status_field("CapEff") == (set & kernel_caps()));
	CHECK(fails_with(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
			 EPERM));
	CHECK(fails_with(syscall(SYS_unshare, CLONE_NEWUSER), EPERM));
	return ordinary_syscalls_work();
}

Test(security, seccomp_after_caps_and_no_new_privs)
{
	require_root();
	EXPECT_CHILD_OK(caller_order, NULL);
}

/* Without no_new_privs and without CAP_SYS_ADMIN the kernel refuses any filter. */
static int without_no_new_privs(void *arg)
{
	struct claunch_options o;
	uint64_t set;
	char err[256] = "";

	claunch_options_init(&o);
	CHECK(security_caps_compute(&o, &set, err, sizeof(err)) == 0);
	CHECK(security_caps_apply(set) == 0);
	CHECK(security_seccomp_apply(&o, err, sizeof(err)) == -EACCES);
	CHECK(strcmp(err, "seccomp: loading the filter needs no_new_privs or CAP_SYS_ADMIN") == 0);
	CHECK(status_field("Seccomp") == 0);
	return 0;
}

Test(security, seccomp_without_no_new_privs_needs_sys_admin)
{
	require_root();
	EXPECT_CHILD_OK(without_no_new_privs, NULL);
}

static int sys_admin_allows_mount(void *arg)
{
	char *add[] = { "CAP_SYS_ADMIN", NULL };
	char err[256] = "", dir[] = "/tmp/claunch-test-security-XXXXXX";
	struct claunch_options o;

	claunch_options_init(&o);
	o.cap_add = add;
	o.n_cap_add = 1;
	/* a private mount namespace, so nothing leaks to the host if a check fails */
	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mkdtemp(dir));
	CHECK(security_seccomp_apply(&o, err, sizeof(err)) == 0);
	CHECK(status_field("Seccomp") == 2);
	CHECK(mount("none", dir, "tmpfs", 0, "size=1m") == 0);
	CHECK(umount2(dir, 0) == 0);
	CHECK(rmdir(dir) == 0);
	CHECK(unshare(CLONE_NEWUTS) == 0);
	/* still denied: not granted back by any capability */
	CHECK(fails_with(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
			 EPERM));
	return ordinary_syscalls_work();
}

Test(security, seccomp_sys_admin_allows_mount)
{
	require_root();
	EXPECT_CHILD_OK(sys_admin_allows_mount, NULL);
}

static int sys_ptrace_allows_process_vm(void *arg)
{
	char *add[] = { "CAP_SYS_PTRACE", NULL };
	char err[256] = "";
	struct claunch_options o;

	claunch_options_init(&o);
	o.cap_add = add;
	o.n_cap_add = 1;
	CHECK(security_seccomp_apply(&o, err, sizeof(err)) == 0);
	CHECK(syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0) == 0);
	CHECK(fails_with(mount("none", "/nonexistent", "tmpfs", 0, NULL), EPERM));
	return 0;
}

Test(security, seccomp_sys_ptrace_allows_process_vm)
{
	require_root();
	EXPECT_CHILD_OK(sys_ptrace_allows_process_vm, NULL);
}

static int unconfined(void *arg)
{
	struct claunch_options o;
	char err[256] = "";

	claunch_options_init(&o);
	o.seccomp = CLAUNCH_SECCOMP_UNCONFINED;
	CHECK(security_seccomp_apply(&o, err, sizeof(err)) == 0);
	CHECK(status_field("Seccomp") == 0);
	CHECK(err[0] == '\0');
	return 0;
}

Test(security, seccomp_unconfined_installs_nothing)
{
	EXPECT_CHILD_OK(unconfined, NULL);
}

Test(security, seccomp_file_not_supported)
{
	struct claunch_options o;
	char err[256] = "";

	claunch_options_init(&o);
	o.seccomp = CLAUNCH_SECCOMP_FILE;
	o.seccomp_file = "profile.json";
	cr_expect_eq(security_seccomp_apply(&o, err, sizeof(err)), -EOPNOTSUPP);
	cr_expect_str_eq(
		err, "--security-opt seccomp=profile.json: custom profiles are not supported yet");
	cr_expect_eq(status_field("Seccomp"), 0);
}
