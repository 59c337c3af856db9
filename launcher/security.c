/* Capabilities (libcap), no_new_privs and the default seccomp filter (libseccomp) of the
 * container's process, as docker run sets them up. */
#include "config.h"

#include "launcher/security.h"
#include "common/spec.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define CAP_LAST_CAP_PATH "/proc/sys/kernel/cap_last_cap"
#define CAP_BIT(c)	  (UINT64_C(1) << (c))
#define CAP_NEVER	  UINT64_C(0)
/* Bump when the cached filter's layout or meaning changes without a version change. */
#define SECURITY_FILTER_FORMAT 3

/* moby oci/caps/defaults.go DefaultCapabilities() (docker 28), also listed in docker's
 * docs/security "Linux kernel capabilities" and run reference "Runtime privilege". */
static const int default_capabilities[] = {
	CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,	     CAP_FOWNER,
	CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,	     CAP_SETUID,
	CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	CAP_KILL,    CAP_AUDIT_WRITE,
};

/* Docker's default seccomp profile (moby profiles/seccomp/default.json) is an allow list; this
 * is its complement for the syscalls that matter, as a deny list: each fails with EPERM
 * unless the container's capability set meets allowed_by (as the profile's "includes":
 * {"caps": [...]} groups grant them back). CAP_NEVER: denied whatever the capabilities. */
struct security_denied_syscall {
	const char *name;
	uint64_t allowed_by;
};

#define SYS_ADMIN  CAP_BIT(CAP_SYS_ADMIN)
#define SYS_PTRACE CAP_BIT(CAP_SYS_PTRACE)
#define SYS_TIME   CAP_BIT(CAP_SYS_TIME)
#define SYS_MODULE CAP_BIT(CAP_SYS_MODULE)
#define SYS_NICE   CAP_BIT(CAP_SYS_NICE)
#define SYS_RAWIO  CAP_BIT(CAP_SYS_RAWIO)

static const struct security_denied_syscall denied_syscalls[] = {
	{ "acct", CAP_BIT(CAP_SYS_PACCT) },
	{ "add_key", CAP_NEVER },
	{ "bpf", SYS_ADMIN | CAP_BIT(CAP_BPF) },
	{ "chroot", CAP_BIT(CAP_SYS_CHROOT) },
	{ "clock_adjtime", SYS_TIME },
	{ "clock_settime", SYS_TIME },
	{ "create_module", CAP_NEVER },
	{ "delete_module", SYS_MODULE },
	{ "fanotify_init", SYS_ADMIN },
	{ "finit_module", SYS_MODULE },
	{ "fsconfig", SYS_ADMIN },
	{ "fsmount", SYS_ADMIN },
	{ "fsopen", SYS_ADMIN },
	{ "fspick", SYS_ADMIN },
	{ "get_kernel_syms", CAP_NEVER },
	{ "get_mempolicy", SYS_NICE },
	{ "init_module", SYS_MODULE },
	/* docker 25 took io_uring out of the default profile */
	{ "io_uring_enter", CAP_NEVER },
	{ "io_uring_register", CAP_NEVER },
	{ "io_uring_setup", CAP_NEVER },
	{ "ioperm", SYS_RAWIO },
	{ "iopl", SYS_RAWIO },
	{ "kcmp", SYS_PTRACE },
	{ "kexec_file_load", CAP_NEVER },
	{ "kexec_load", CAP_NEVER },
	{ "keyctl", CAP_NEVER },
	{ "lookup_dcookie", SYS_ADMIN },
	{ "mbind", SYS_NICE },
	{ "mount", SYS_ADMIN },
	{ "mount_setattr", SYS_ADMIN },
	{ "move_mount", SYS_ADMIN },
	{ "move_pages", CAP_NEVER },
	{ "name_to_handle_at", SYS_ADMIN },
	{ "nfsservctl", CAP_NEVER },
	{ "open_by_handle_at", CAP_BIT(CAP_DAC_READ_SEARCH) },
	{ "open_tree", SYS_ADMIN },
	{ "perf_event_open", SYS_ADMIN | CAP_BIT(CAP_PERFMON) },
	{ "pidfd_getfd", SYS_PTRACE },
	{ "pivot_root", SYS_ADMIN },
	{ "process_madvise", SYS_PTRACE },
	/* docker >= 19.03 allows these three on kernels >= 4.8; kept behind CAP_SYS_PTRACE here */
	{ "process_vm_readv", SYS_PTRACE },
	{ "process_vm_writev", SYS_PTRACE },
	{ "ptrace", SYS_PTRACE },
	{ "query_module", CAP_NEVER },
	{ "quotactl", SYS_ADMIN },
	{ "quotactl_fd", SYS_ADMIN },
	{ "reboot", CAP_BIT(CAP_SYS_BOOT) },
	{ "request_key", CAP_NEVER },
	{ "set_mempolicy", SYS_NICE },
	{ "setdomainname", SYS_ADMIN },
	{ "sethostname", SYS_ADMIN },
	{ "setns", SYS_ADMIN },
	{ "settimeofday", SYS_TIME },
	{ "stime", SYS_TIME },
	{ "swapoff", CAP_NEVER },
	{ "swapon", CAP_NEVER },
	{ "syslog", SYS_ADMIN | CAP_BIT(CAP_SYSLOG) },
	{ "sysfs", CAP_NEVER },
	{ "_sysctl", CAP_NEVER },
	{ "umount", SYS_ADMIN },
	{ "umount2", SYS_ADMIN },
	{ "unshare", SYS_ADMIN },
	{ "uselib", CAP_NEVER },
	{ "userfaultfd", CAP_NEVER },
	{ "ustat", CAP_NEVER },
	{ "vhangup", CAP_BIT(CAP_SYS_TTY_CONFIG) },
	{ "vm86", CAP_NEVER },
	{ "vm86old", CAP_NEVER },
};

/* The namespace flags docker's profile refuses in clone() without CAP_SYS_ADMIN (its mask
 * 2114060288). clone3() passes them inside a struct seccomp cannot read, so it gets ENOSYS,
 * as in docker, and libc falls back to clone(). */
static const uint64_t clone_namespace_flags[] = {
	CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID,	CLONE_NEWNET,
};

static unsigned capability_count(void)
{
	unsigned n = 0;

	while (spec_capability_name(n))
		n++;
	return n;
}

/* "ALL" as podman takes it: every capability claunch knows that the launcher itself may still
 * grant (its bounding set, which also leaves out those the kernel lacks). Docker takes every one
 * the kernel knows, which fails to apply when claunch runs with a reduced bounding set. */
static uint64_t capability_all(void)
{
	unsigned n = capability_count();
	uint64_t set = 0;

	for (unsigned c = 0; c < n && c < 64; c++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 1)
			set |= CAP_BIT(c);
	return set;
}

/* "CAP_SYS_ADMIN" or "SYS_ADMIN", any case -> CAP_SYS_ADMIN; -1 for "ALL"; -EINVAL. */
static int capability_parse(const char *name)
{
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;

	if (strcasecmp(name, "ALL") == 0)
		return -1;
	for (unsigned i = 0; spec_capability_name(i); i++)
		if (strcasecmp(bare, spec_capability_name(i)) == 0)
			return (int)i;
	return -EINVAL;
}

/* The capabilities named in list into *ret, *ret_all when "ALL" is among them. */
static int capability_list(const char *flag, char *const *list, size_t n, uint64_t *ret,
			   bool *ret_all, char *err, size_t err_size)
{
	*ret = 0;
	*ret_all = false;
	for (size_t i = 0; i < n; i++) {
		int cap = capability_parse(list[i]);

		if (cap == -EINVAL) {
			snprintf(err, err_size, "%s: \"%s\" is not a capability", flag, list[i]);
			return -EINVAL;
		}
		if (cap < 0)
			*ret_all = true;
		else
			*ret |= CAP_BIT(cap);
	}
	return 0;
}

/* As moby oci/caps/utils.go TweakCapabilities(): --privileged is everything; --cap-add ALL
 * is everything but the --cap-drop list; --cap-drop ALL is only the --cap-add list;
 * otherwise the defaults less --cap-drop, plus --cap-add (so an add beats a drop). */
int security_caps_compute(const struct claunch_options *o, uint64_t *ret_set, char *err,
			  size_t err_size)
{
	uint64_t add, drop, set = 0;
	bool add_all, drop_all;
	int r;

	if (o->privileged) {
		*ret_set = capability_all();
		return 0;
	}
	r = capability_list("--cap-add", o->cap_add, o->n_cap_add, &add, &add_all, err, err_size);
	if (r < 0)
		return r;
	r = capability_list("--cap-drop", o->cap_drop, o->n_cap_drop, &drop, &drop_all, err,
			    err_size);
	if (r < 0)
		return r;

	if (add_all) {
		set = capability_all() & ~drop;
	} else if (drop_all) {
		set = add;
	} else {
		for (size_t i = 0; i < ELEMENTSOF(default_capabilities); i++)
			set |= CAP_BIT(default_capabilities[i]);
		set = (set & ~drop) | add;
	}
	*ret_set = set;
	return 0;
}

/* The running kernel's last capability: cap_last_cap, or probed when /proc is not there. */
static int capability_last(void)
{
	_cleanup_fclose_ FILE *f = fopen(CAP_LAST_CAP_PATH, "re");
	int last;

	if (f && fscanf(f, "%d", &last) == 1 && last >= 0 && last < 64)
		return last;
	for (last = 0; last < 63; last++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)last + 1, 0, 0, 0) < 0)
			break;
	return last;
}

int security_caps_bound(uint64_t set)
{
	int last = capability_last();

	for (int c = 0; c <= last; c++) {
		if (set & CAP_BIT(c))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	}
	return 0;
}

int security_caps_apply(uint64_t set)
{
	int last = capability_last();
	int r;

	r = security_caps_bound(set);
	if (r < 0)
		return r;
	return security_caps_set(set, last);
}

int security_caps_set(uint64_t set, int last)
{
	cap_value_t values[64];
	int n_values = 0;
	cap_t caps;
	int r = 0;

	if (last < 0)
		last = capability_last();
	for (int c = 0; c <= last; c++)
		if (set & CAP_BIT(c))
			values[n_values++] = c;

	caps = cap_init();
	if (!caps)
		return -errno;
	if (n_values > 0 && (cap_set_flag(caps, CAP_PERMITTED, n_values, values, CAP_SET) < 0 ||
			     cap_set_flag(caps, CAP_EFFECTIVE, n_values, values, CAP_SET) < 0))
		r = -errno;
	else if (cap_set_proc(caps) < 0)
		r = -errno;
	(void)cap_free(caps);
	if (r < 0)
		return r;

	/* EINVAL: a kernel before 4.3, which has no ambient set to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

int security_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Docker's profile also covers the compat ABIs of the architecture, so 32-bit binaries in
 * the container run under the same rules instead of being killed as a foreign arch. */
static int seccomp_add_compat_arches(scmp_filter_ctx ctx)
{
	static const uint32_t x86_64_compat[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
	static const uint32_t aarch64_compat[] = { SCMP_ARCH_ARM };
	const uint32_t *arches = NULL;
	size_t n = 0;

	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		arches = x86_64_compat;
		n = ELEMENTSOF(x86_64_compat);
	} else if (seccomp_arch_native() == SCMP_ARCH_AARCH64) {
		arches = aarch64_compat;
		n = ELEMENTSOF(aarch64_compat);
	}
	for (size_t i = 0; i < n; i++) {
		int r = seccomp_arch_add(ctx, arches[i]);

		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

static int seccomp_add_default_rules(scmp_filter_ctx ctx, uint64_t caps, char *err, size_t err_size)
{
	int nr, r;

	for (size_t i = 0; i < ELEMENTSOF(denied_syscalls); i++) {
		const struct security_denied_syscall *d = &denied_syscalls[i];

		if (d->allowed_by & caps)
			continue;
		nr = seccomp_syscall_resolve_name(d->name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown to this arch and libseccomp */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0) {
			snprintf(err, err_size, "seccomp: denying %s: %s", d->name, strerror(-r));
			return r;
		}
	}
	if (caps & CAP_BIT(CAP_SYS_ADMIN))
		return 0;

	/* Several rules on one syscall are OR-ed: any namespace flag set denies the clone. On
	 * s390 the flags are clone's second argument; libseccomp does not hide that. */
	for (size_t i = 0; i < ELEMENTSOF(clone_namespace_flags); i++) {
		uint64_t flag = clone_namespace_flags[i];
		unsigned arg = seccomp_arch_native() == SCMP_ARCH_S390X ? 1 : 0;

		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				     SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, flag, flag));
		if (r < 0) {
			snprintf(err, err_size, "seccomp: filtering clone flags: %s", strerror(-r));
			return r;
		}
	}
	nr = seccomp_syscall_resolve_name("clone3");
	if (nr != __NR_SCMP_ERROR) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0) {
			snprintf(err, err_size, "seccomp: denying clone3: %s", strerror(-r));
			return r;
		}
	}
	return 0;
}

/* The filter in BPF, built by libseccomp and exported through a memfd. */
static int seccomp_compile(uint64_t caps, struct security_filter *ret, char *err, size_t err_size)
{
	_cleanup_close_ int fd = -1;
	scmp_filter_ctx ctx;
	struct stat st;
	int r;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		snprintf(err, err_size, "seccomp: cannot create the filter");
		return -ENOMEM;
	}
	/* no_new_privs stays --security-opt no-new-privileges's business, as in docker */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0) {
		snprintf(err, err_size, "seccomp: %s", strerror(-r));
		goto finish;
	}
	/* a binary tree of syscall numbers instead of a chain: each syscall of the container
	 * runs a few comparisons, and so does the kernel when it precomputes the filter's
	 * per-syscall cache at load time, for every number of every arch */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	r = seccomp_add_compat_arches(ctx);
	if (r < 0) {
		snprintf(err, err_size, "seccomp: adding compat architectures: %s", strerror(-r));
		goto finish;
	}
	r = seccomp_add_default_rules(ctx, caps, err, err_size);
	if (r < 0)
		goto finish;

	fd = memfd_create("claunch-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, err_size, "seccomp: memfd: %s", strerror(errno));
		goto finish;
	}
	r = seccomp_export_bpf(ctx, fd);
	if (r >= 0 && fstat(fd, &st) < 0)
		r = -errno;
	if (r >= 0 && (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
		       st.st_size > SECURITY_FILTER_MAX * (off_t)sizeof(struct sock_filter)))
		r = -E2BIG;
	if (r >= 0) {
		ret->insns = malloc((size_t)st.st_size);
		if (!ret->insns)
			r = -ENOMEM;
		else if (pread(fd, ret->insns, (size_t)st.st_size, 0) != st.st_size)
			r = -EIO;
	}
	if (r < 0) {
		free(ret->insns);
		ret->insns = NULL;
		snprintf(err, err_size, "seccomp: exporting the filter: %s", strerror(-r));
		goto finish;
	}
	ret->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
finish:
	seccomp_release(ctx);
	return r;
}

#define FNV_OFFSET UINT64_C(1469598103934665603)
#define FNV_PRIME  UINT64_C(1099511628211)

static uint64_t fnv_bytes(uint64_t h, const void *data, size_t size)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

/* FNV-1a over everything the filter depends on but the capabilities (the bits of those that
 * matter go to *ret_mask): the tables and actions here, libseccomp's version, the
 * architecture, and when this file was compiled (a rebuild with other rules under the same
 * version). A new claunch or libseccomp gets a new key, never an old filter. */
static uint64_t seccomp_build_key(uint64_t *ret_mask)
{
	static const char build[] = PACKAGE_VERSION " " __DATE__ " " __TIME__;
	static const int actions[] = { EPERM, ENOSYS, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_ARM };
	const struct scmp_version *v = seccomp_version();
	uint64_t mask = SYS_ADMIN, h = FNV_OFFSET;
	uint64_t words[5];

	for (size_t i = 0; i < ELEMENTSOF(denied_syscalls); i++) {
		mask |= denied_syscalls[i].allowed_by;
		for (const char *c = denied_syscalls[i].name; *c; c++)
			h = (h ^ (uint8_t)*c) * FNV_PRIME;
		h = (h ^ denied_syscalls[i].allowed_by) * FNV_PRIME;
	}
	for (size_t i = 0; i < ELEMENTSOF(clone_namespace_flags); i++)
		h = (h ^ clone_namespace_flags[i]) * FNV_PRIME;
	*ret_mask = mask;
	words[0] = v ? v->major : 0;
	words[1] = v ? v->minor : 0;
	words[2] = v ? v->micro : 0;
	words[3] = seccomp_arch_native();
	words[4] = SECURITY_FILTER_FORMAT;
	for (size_t i = 0; i < ELEMENTSOF(words); i++)
		h = (h ^ words[i]) * FNV_PRIME;
	h = fnv_bytes(h, actions, sizeof(actions));
	return fnv_bytes(h, build, sizeof(build));
}

/* The cache file: this header, then len instructions. */
#define SECCOMP_CACHE_MAGIC  "claunchF"
#define SECCOMP_CACHE_PREFIX "seccomp-"
struct seccomp_cache_header {
	char magic[8];
	uint64_t key;
	uint32_t len;
	uint32_t reserved;
	uint64_t checksum; /* FNV-1a of the instructions */
};

/* Only a directory and a file that root alone can write are trusted. */
static bool root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & 0022);
}

/* A cached filter is used only if root alone could have written it and it is whole: the
 * header names this key and the checksum matches. */
static int seccomp_cache_read(const char *dir, const char *path, uint64_t key,
			      struct security_filter *ret)
{
	_cleanup_close_ int fd = -1;
	struct seccomp_cache_header h;
	struct stat st;
	size_t size;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || !root_only(&st))
		return -EPERM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !root_only(&st) || st.st_nlink != 1)
		return -EPERM;
	if (util_read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, SECCOMP_CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key != key ||
	    h.len == 0 || h.len > SECURITY_FILTER_MAX)
		return -EINVAL;
	size = h.len * sizeof(struct sock_filter);
	if (st.st_size != (off_t)(sizeof(h) + size))
		return -EINVAL;
	ret->insns = malloc(size);
	if (!ret->insns)
		return -ENOMEM;
	if (util_read(fd, ret->insns, size) != (ssize_t)size ||
	    fnv_bytes(FNV_OFFSET, ret->insns, size) != h.checksum) {
		free(ret->insns);
		ret->insns = NULL;
		return -EINVAL;
	}
	ret->len = (unsigned short)h.len;
	return 0;
}

/* Removes the filters of other builds, so that rebuilds do not pile them up. */
static void seccomp_cache_prune(const char *dir, uint64_t build)
{
	char own[64];
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	snprintf(own, sizeof(own), SECCOMP_CACHE_PREFIX "%016" PRIx64 "-", build);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, SECCOMP_CACHE_PREFIX, strlen(SECCOMP_CACHE_PREFIX)) == 0 &&
		    strncmp(de->d_name, own, strlen(own)) != 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* Best effort: a failure only means the next run compiles again. */
static void seccomp_cache_write(const char *dir, const char *path, uint64_t key,
				const struct security_filter *f)
{
	size_t size = f->len * sizeof(struct sock_filter);
	struct seccomp_cache_header h = {
		.key = key,
		.len = f->len,
		.checksum = fnv_bytes(FNV_OFFSET, f->insns, size),
	};
	char tmp[PATH_MAX];
	int fd;

	memcpy(h.magic, SECCOMP_CACHE_MAGIC, sizeof(h.magic));
	if (snprintf(tmp, sizeof(tmp), "%s/.seccomp.%ld", dir, (long)getpid()) >= (int)sizeof(tmp))
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (util_write_all(fd, &h, sizeof(h)) < 0 || util_write_all(fd, f->insns, size) < 0 ||
	    close(fd) < 0 || rename(tmp, path) < 0)
		(void)unlink(tmp);
}

int security_seccomp_prepare(const struct claunch_options *o, const char *cache_dir,
			     struct security_filter *ret, char *err, size_t err_size)
{
	char path[PATH_MAX] = "";
	uint64_t caps, key, build, mask;
	int r;

	ret->insns = NULL;
	ret->len = 0;
	/* docker: a privileged container has no seccomp filter */
	if (o->privileged)
		return 0;
	switch (o->seccomp) {
	case CLAUNCH_SECCOMP_UNCONFINED:
		return 0;
	case CLAUNCH_SECCOMP_FILE:
		/* docker's JSON profiles need a JSON parser and its whole rule language
		 * (arches, includes/excludes by caps and kernel, argument matches) */
		snprintf(err, err_size,
			 "--security-opt seccomp=%s: custom profiles are not supported yet",
			 o->seccomp_file ? o->seccomp_file : "FILE");
		return -EOPNOTSUPP;
	case CLAUNCH_SECCOMP_DEFAULT:
		break;
	}

	r = security_caps_compute(o, &caps, err, err_size);
	if (r < 0)
		return r;
	/* one file per build and set of relevant capabilities */
	build = seccomp_build_key(&mask);
	key = fnv_bytes(build, &(uint64_t){ caps & mask }, sizeof(uint64_t));
	if (cache_dir) {
		snprintf(path, sizeof(path),
			 "%s/" SECCOMP_CACHE_PREFIX "%016" PRIx64 "-%016" PRIx64 ".bpf", cache_dir,
			 build, caps & mask);
		if (seccomp_cache_read(cache_dir, path, key, ret) == 0)
			return 0;
	}
	r = seccomp_compile(caps, ret, err, err_size);
	if (r >= 0 && cache_dir) {
		seccomp_cache_prune(cache_dir, build);
		seccomp_cache_write(cache_dir, path, key, ret);
	}
	return r;
}

int security_seccomp_load(const struct security_filter *f, char *err, size_t err_size)
{
	struct sock_fprog prog = { .len = f->len, .filter = f->insns };

	if (f->len == 0)
		return 0;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (errno == EACCES)
		snprintf(err, err_size,
			 "seccomp: loading the filter needs no_new_privs or CAP_SYS_ADMIN");
	else
		snprintf(err, err_size, "seccomp: loading the filter: %s", strerror(errno));
	return -errno;
}

void security_filter_free(struct security_filter *f)
{
	free(f->insns);
	f->insns = NULL;
	f->len = 0;
}

int security_seccomp_apply(const struct claunch_options *o, char *err, size_t err_size)
{
	struct security_filter f;
	int r = security_seccomp_prepare(o, NULL, &f, err, err_size);

	if (r >= 0)
		r = security_seccomp_load(&f, err, err_size);
	security_filter_free(&f);
	return r;
}
