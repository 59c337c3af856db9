/* The container's mount namespace, set up as runc/crun do for docker run: everything private,
 * then either the host's tree with a fresh /proc (like systemd-run), or a rootfs with /proc,
 * /dev, /sys and /run made for it and pivot_root into it; user mounts; masked paths.
 *
 * Mounts go through "/proc/self/fd/N" of an O_PATH fd rather than a path string, as runc
 * does, so that the place checked and created is the place mounted on. An fd opened before a
 * mount still names what lies under it, so every step that needs the new mount reopens it. */
/* The build passes -D_GNU_SOURCE; O_PATH and ST_NODEV... need it even without. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "config.h"

#include "launcher/rootfs.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROC_FD_PATH_FORMAT "/proc/self/fd/%d"
#define PROC_FD_PATH_MAX    sizeof("/proc/self/fd/-2147483648")
#define PROC_KCORE	    "/proc/kcore"
#define DEV_NULL	    "/dev/null"
#define HOST_SYS	    "/sys"

#define UNITS_PATH  "/run/cinit-units"
#define NOTIFY_PATH "/run/notify" /* claunch's relay to the service manager's $NOTIFY_SOCKET */

/* runc's defaults (libcontainer/specconv Example() and rootfs_linux.go), which docker uses. */
#define DEV_TMPFS_OPTIONS   "mode=755,size=65536k"
#define DEV_PTS_OPTIONS	    "newinstance,ptmxmode=0666,mode=0620,gid=5"
#define DEV_SHM_OPTIONS	    "mode=1777,size=65536k"
#define RUN_TMPFS_OPTIONS   "mode=755"
#define DEV_NODE_MODE	    0666
#define CREATED_DIR_MODE    0755
#define CREATED_FILE_MODE   0644
#define DEFAULT_TMPFS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)
#define SPECIAL_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* docker's defaults (moby oci/defaults.go DefaultLinuxSpec): hidden from the container... */
static const char *const masked_paths[] = {
	"/proc/asound",
	"/proc/acpi",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
};

/* ...and visible but read-only. */
static const char *const read_only_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* The nodes runc creates in every container's /dev (its AllowedDevices with a path). */
static const struct rootfs_device {
	const char *name;
	unsigned int major;
	unsigned int minor;
} dev_nodes[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct rootfs_dev_symlink {
	const char *name;
	const char *target;
} dev_symlinks[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
	/* runc makes it only when the kernel has one (see rootfs_make_dev) */
	{ "core", PROC_KCORE },
};

/* --tmpfs options that are mount flags rather than tmpfs data, as docker's
 * mount.MergeTmpfsOptions sorts them; later ones override earlier ones. */
static const struct rootfs_mount_option {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_options[] = {
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },
	{ "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },
	{ "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },
	{ "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },
	{ "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },
	{ "noatime", false, MS_NOATIME },
	{ "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME },
	{ "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
};

/* Propagation options docker accepts in --tmpfs; every mount here is private anyway. */
static const char *const propagation_options[] = {
	"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
};

enum rootfs_create {
	ROOTFS_NO_CREATE,
	ROOTFS_CREATE_DIR,
	ROOTFS_CREATE_FILE, /* missing parents are directories, the last component a file */
};

struct rootfs_context {
	const struct rootfs_config *config;
	int root_fd; /* the container's "/": the rootfs bind mount, or the host's root */
	char *err;
	size_t err_size;
	char prefix[2 * PATH_MAX + 16]; /* "--bind SRC:DST" while a user mount is made */
};

static void rootfs_vformat(struct rootfs_context *x, int r, const char *format, va_list ap)
{
	char what[PATH_MAX + 64];

	if (!x->err || x->err_size == 0)
		return;
	vsnprintf(what, sizeof(what), format, ap);
	snprintf(x->err, x->err_size, "%s%s%s%s%s", x->prefix, x->prefix[0] ? ": " : "", what,
		 r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
}

/* Formats "[prefix: ]what: strerror(-r)" into err and returns r. */
__attribute__((format(printf, 3, 4))) static int rootfs_fail(struct rootfs_context *x, int r,
							     const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	rootfs_vformat(x, r, format, ap);
	va_end(ap);
	return r;
}

/* The same without the strerror part, for errors that are ours rather than the kernel's. */
__attribute__((format(printf, 3, 4))) static int rootfs_fail_message(struct rootfs_context *x,
								     int r, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	rootfs_vformat(x, 0, format, ap);
	va_end(ap);
	return r;
}

static void rootfs_proc_fd_path(char buf[static PROC_FD_PATH_MAX], int fd)
{
	snprintf(buf, PROC_FD_PATH_MAX, PROC_FD_PATH_FORMAT, fd);
}

/* Normalizes an absolute container path ("//a/./b/" -> "/a/b", "/" stays "/") into a new
 * string. ".." is refused rather than interpreted: it can only be a mistake or an attempt to
 * leave the rootfs. Returns 0, -EINVAL or -ENOMEM. */
static int rootfs_clean_path(const char *path, char **ret)
{
	const char *p = path;
	char *clean, *out;

	if (path[0] != '/')
		return -EINVAL;
	clean = malloc(strlen(path) + 2);
	if (!clean)
		return -ENOMEM;
	out = clean;
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(clean);
			return -EINVAL;
		}
		*out++ = '/';
		memcpy(out, p, n);
		out += n;
		p += n;
	}
	if (out == clean)
		*out++ = '/';
	*out = '\0';
	*ret = clean;
	return 0;
}

static unsigned int rootfs_path_depth(const char *clean_path)
{
	unsigned int depth = 0;

	for (const char *p = clean_path; *p; p++)
		if (*p == '/' && p[1])
			depth++;
	return depth;
}

/* Opens path (clean, absolute) as O_PATH, resolved as if root_fd were "/": symlinks and ".."
 * in the rootfs stay inside it. Returns the fd or -errno, with no message. */
static int rootfs_open_in_root(struct rootfs_context *x, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	fd = (int)syscall(SYS_openat2, x->root_fd, path, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	/* Without openat2 (Linux < 5.6) the host's tree can still be walked plainly: there is no
	 * rootfs to escape from. A rootfs is refused rather than walked unsafely. */
	if (errno == ENOSYS && !x->config->rootfs)
		fd = openat(x->root_fd, path[1] ? path + 1 : ".", O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Opens path (clean, absolute) in the container's root, creating what is missing when asked,
 * as docker creates missing mount points: every component is created inside its resolved
 * parent, so a symlink met on the way is followed within the rootfs. Returns an O_PATH fd, or
 * -errno with err set. */
static int rootfs_resolve(struct rootfs_context *x, const char *path, enum rootfs_create create)
{
	_cleanup_free_ char *prefix = NULL;
	char *end;
	int fd;

	fd = rootfs_open_in_root(x, path);
	if (fd >= 0)
		return fd;
	if (fd != -ENOENT || create == ROOTFS_NO_CREATE)
		return rootfs_fail(x, fd, "%s", path);

	prefix = strdup(path);
	if (!prefix)
		return rootfs_fail(x, -ENOMEM, "%s", path);
	end = prefix;
	for (;;) {
		_cleanup_close_ int parent_fd = -1;
		bool last;
		char *name, saved;
		int r;

		name = end + 1;
		end = name + strcspn(name, "/");
		last = *end == '\0';
		saved = *end;
		*end = '\0';

		fd = rootfs_open_in_root(x, prefix);
		if (fd == -ENOENT) {
			name[-1] = '\0';
			parent_fd = rootfs_open_in_root(x, prefix[0] ? prefix : "/");
			name[-1] = '/';
			if (parent_fd < 0)
				return rootfs_fail(x, parent_fd, "%s", prefix);
			if (last && create == ROOTFS_CREATE_FILE) {
				r = openat(parent_fd, name,
					   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					   CREATED_FILE_MODE);
				if (r >= 0)
					(void)close(r);
			} else {
				r = mkdirat(parent_fd, name, CREATED_DIR_MODE);
			}
			/* EEXIST: a dangling symlink; the open below reports it */
			if (r < 0 && errno != EEXIST)
				return rootfs_fail(x, -errno, "%s %s",
						   last && create == ROOTFS_CREATE_FILE ? "create"
											: "mkdir",
						   prefix);
			fd = rootfs_open_in_root(x, prefix);
		}
		if (fd < 0)
			return rootfs_fail(x, fd, "%s", prefix);
		if (last)
			return fd;
		(void)close(fd);
		*end = saved;
	}
}

/* mount(2) onto an fd from rootfs_resolve; name is the container path for messages. */
static int rootfs_mount_fd(struct rootfs_context *x, const char *source, int target_fd,
			   const char *name, const char *fstype, unsigned long flags,
			   const char *data)
{
	char target[PROC_FD_PATH_MAX];

	rootfs_proc_fd_path(target, target_fd);
	if (mount(source, target, fstype, flags, data) < 0)
		return rootfs_fail(x, -errno, "mount %s", name);
	return 0;
}

/* Mounts a new instance of a pseudo file system on path. */
static int rootfs_mount_new(struct rootfs_context *x, const char *path, enum rootfs_create create,
			    const char *fstype, unsigned long flags, const char *data)
{
	_cleanup_close_ int fd = -1;

	fd = rootfs_resolve(x, path, create);
	if (fd < 0)
		return fd;
	return rootfs_mount_fd(x, fstype, fd, path, fstype, flags, data);
}

static int rootfs_bind_fd(struct rootfs_context *x, int source_fd, int target_fd, const char *name,
			  unsigned long flags)
{
	char source[PROC_FD_PATH_MAX];

	rootfs_proc_fd_path(source, source_fd);
	return rootfs_mount_fd(x, source, target_fd, name, NULL, MS_BIND | flags, NULL);
}

/* Makes the mount fd is the root of read-only. A bind mount's flags can only change through a
 * second mount(MS_REMOUNT | MS_BIND), which also sets nosuid/nodev/noexec/atime to what it is
 * given: pass the current ones (statvfs, as runc does), or they are lost, or with locked
 * mounts the kernel refuses (EPERM). MS_BIND also keeps it to this mount: without it the
 * remount would apply to the file system, the host's included. */
static int rootfs_remount_read_only_fd(struct rootfs_context *x, int fd, const char *name)
{
	char target[PROC_FD_PATH_MAX];
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	struct statvfs st;

	if (fstatvfs(fd, &st) < 0)
		return rootfs_fail(x, -errno, "statvfs %s", name);
	if (st.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (st.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (st.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (st.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;

	rootfs_proc_fd_path(target, fd);
	if (mount(NULL, target, NULL, flags, NULL) < 0)
		return rootfs_fail(x, -errno, "remount %s read-only", name);
	return 0;
}

/* Reopens path, so that the fd is the mount just made there, and makes that read-only. */
static int rootfs_remount_read_only(struct rootfs_context *x, const char *path)
{
	_cleanup_close_ int fd = -1;

	fd = rootfs_resolve(x, path, ROOTFS_NO_CREATE);
	if (fd < 0)
		return fd;
	return rootfs_remount_read_only_fd(x, fd, path);
}

/* Binds host_source (a host path, followed as the host sees it) onto path in the container. */
static int rootfs_bind_host_path(struct rootfs_context *x, const char *host_source,
				 const char *path, enum rootfs_create create, unsigned long flags)
{
	_cleanup_close_ int source_fd = -1, target_fd = -1;

	source_fd = open(host_source, O_PATH | O_CLOEXEC);
	if (source_fd < 0)
		return rootfs_fail(x, -errno, "%s", host_source);
	target_fd = rootfs_resolve(x, path, create);
	if (target_fd < 0)
		return target_fd;
	return rootfs_bind_fd(x, source_fd, target_fd, path, flags);
}

/* Splits docker --tmpfs options into mount flags and tmpfs data, over docker's default flags. */
static int rootfs_tmpfs_options(const char *options, unsigned long *ret_flags, char **ret_data)
{
	_cleanup_free_ char *copy = NULL;
	unsigned long flags = DEFAULT_TMPFS_FLAGS;
	char *data, *out, *option, *save = NULL;

	copy = strdup(options ? options : "");
	data = calloc(1, strlen(copy) + 1);
	if (!copy || !data) {
		free(data);
		return -ENOMEM;
	}
	out = data;
	for (option = strtok_r(copy, ",", &save); option; option = strtok_r(NULL, ",", &save)) {
		bool known = false;

		for (size_t i = 0; i < ELEMENTSOF(mount_options); i++) {
			if (strcmp(option, mount_options[i].name) != 0)
				continue;
			if (mount_options[i].clear)
				flags &= ~mount_options[i].flag;
			else
				flags |= mount_options[i].flag;
			known = true;
		}
		for (size_t i = 0; i < ELEMENTSOF(propagation_options); i++)
			if (strcmp(option, propagation_options[i]) == 0)
				known = true;
		if (known)
			continue;
		if (out != data)
			*out++ = ',';
		out = stpcpy(out, option);
	}
	*ret_flags = flags;
	*ret_data = data;
	return 0;
}

static int rootfs_user_bind(struct rootfs_context *x, const struct claunch_bind *b)
{
	_cleanup_close_ int source_fd = -1, target_fd = -1;
	_cleanup_free_ char *destination = NULL;
	enum rootfs_create create = ROOTFS_NO_CREATE;
	struct stat st;
	int r;

	snprintf(x->prefix, sizeof(x->prefix), "--bind %s:%s", b->source, b->destination);
	r = rootfs_clean_path(b->destination, &destination);
	if (r == -ENOMEM)
		return rootfs_fail(x, r, "%s", b->destination);
	if (r < 0 || strcmp(destination, "/") == 0)
		return rootfs_fail_message(
			x, -EINVAL, "%s: must be an absolute path other than \"/\", without \"..\"",
			b->destination);

	source_fd = open(b->source, O_PATH | O_CLOEXEC);
	if (source_fd < 0 || fstat(source_fd, &st) < 0)
		return rootfs_fail(x, -errno, "%s", b->source);
	/* docker creates a missing destination of the source's kind; on the host, nothing */
	if (x->config->rootfs)
		create = S_ISDIR(st.st_mode) ? ROOTFS_CREATE_DIR : ROOTFS_CREATE_FILE;
	target_fd = rootfs_resolve(x, destination, create);
	if (target_fd < 0)
		return target_fd;
	r = rootfs_bind_fd(x, source_fd, target_fd, destination, MS_REC);
	if (r < 0)
		return r;
	if (b->read_only) {
		r = rootfs_remount_read_only(x, destination);
		if (r < 0)
			return r;
	}
	x->prefix[0] = '\0';
	return 0;
}

static int rootfs_user_tmpfs(struct rootfs_context *x, const struct claunch_tmpfs *t)
{
	_cleanup_free_ char *destination = NULL, *data = NULL;
	unsigned long flags;
	int r;

	snprintf(x->prefix, sizeof(x->prefix), "--tmpfs %s%s%s", t->destination,
		 t->options ? ":" : "", t->options ? t->options : "");
	r = rootfs_clean_path(t->destination, &destination);
	if (r == -ENOMEM)
		return rootfs_fail(x, r, "%s", t->destination);
	if (r < 0 || strcmp(destination, "/") == 0)
		return rootfs_fail_message(
			x, -EINVAL, "%s: must be an absolute path other than \"/\", without \"..\"",
			t->destination);
	r = rootfs_tmpfs_options(t->options, &flags, &data);
	if (r < 0)
		return rootfs_fail(x, r, "options");
	r = rootfs_mount_new(x, destination,
			     x->config->rootfs ? ROOTFS_CREATE_DIR : ROOTFS_NO_CREATE, "tmpfs",
			     flags, data);
	if (r < 0)
		return r;
	x->prefix[0] = '\0';
	return 0;
}

struct rootfs_user_mount {
	const struct claunch_bind *bind; /* one of bind and tmpfs */
	const struct claunch_tmpfs *tmpfs;
	unsigned int depth;
};

/* --bind and --tmpfs mounts, parents before children whatever the order given (docker sorts
 * them by the number of components of the destination), so that /a does not hide /a/b. */
static int rootfs_user_mounts(struct rootfs_context *x)
{
	const struct rootfs_config *c = x->config;
	size_t n = c->n_binds + c->n_tmpfs;
	_cleanup_free_ struct rootfs_user_mount *mounts = NULL;

	if (n == 0)
		return 0;
	mounts = calloc(n, sizeof(*mounts));
	if (!mounts)
		return rootfs_fail(x, -ENOMEM, "mounts");
	for (size_t i = 0; i < n; i++) {
		struct rootfs_user_mount m = { 0 };
		_cleanup_free_ char *clean = NULL;
		size_t j;

		if (i < c->n_binds)
			m.bind = &c->binds[i];
		else
			m.tmpfs = &c->tmpfs[i - c->n_binds];
		/* an invalid destination is reported when its turn comes */
		if (rootfs_clean_path(m.bind ? m.bind->destination : m.tmpfs->destination,
				      &clean) == 0)
			m.depth = rootfs_path_depth(clean);
		/* insertion sort: stable, and a handful of entries */
		for (j = i; j > 0 && mounts[j - 1].depth > m.depth; j--)
			mounts[j] = mounts[j - 1];
		mounts[j] = m;
	}
	for (size_t i = 0; i < n; i++) {
		int r = mounts[i].bind ? rootfs_user_bind(x, mounts[i].bind)
				       : rootfs_user_tmpfs(x, mounts[i].tmpfs);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --units DIR, read-only: at UNITS_PATH in a rootfs, over itself on the host. */
static int rootfs_units(struct rootfs_context *x)
{
	const char *units = x->config->units;
	_cleanup_close_ int source_fd = -1, target_fd = -1, mounted_fd = -1;
	int r;

	if (!units)
		return 0;
	source_fd = open(units, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (source_fd < 0)
		return rootfs_fail(x, -errno, "--units %s", units);
	snprintf(x->prefix, sizeof(x->prefix), "--units %s", units);
	if (x->config->rootfs) {
		target_fd = rootfs_resolve(x, UNITS_PATH, ROOTFS_CREATE_DIR);
		if (target_fd < 0)
			return target_fd;
		r = rootfs_bind_fd(x, source_fd, target_fd, UNITS_PATH, 0);
		if (r < 0)
			return r;
		r = rootfs_remount_read_only(x, UNITS_PATH);
	} else {
		r = rootfs_bind_fd(x, source_fd, source_fd, units, 0);
		if (r < 0)
			return r;
		/* the path may be relative to the cwd, which is why it is not resolved in root */
		mounted_fd = open(units, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (mounted_fd < 0)
			return rootfs_fail(x, -errno, "%s", units);
		r = rootfs_remount_read_only_fd(x, mounted_fd, units);
	}
	if (r < 0)
		return r;
	x->prefix[0] = '\0';
	return 0;
}

/* The pty slave given, bound onto /dev/console (created in a rootfs's /dev tmpfs). */
static int rootfs_console(struct rootfs_context *x)
{
	if (!x->config->console)
		return 0;
	return rootfs_bind_host_path(x, x->config->console, "/dev/console",
				     x->config->rootfs ? ROOTFS_CREATE_FILE : ROOTFS_NO_CREATE, 0);
}

static int rootfs_make_dev_node(struct rootfs_context *x, int dev_fd, const struct rootfs_device *d)
{
	char path[PATH_MAX], host_path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", d->name);
	if (mknodat(dev_fd, d->name, S_IFCHR | DEV_NODE_MODE, makedev(d->major, d->minor)) == 0) {
		/* mknod's mode went through the umask */
		if (fchmodat(dev_fd, d->name, DEV_NODE_MODE, 0) < 0)
			return rootfs_fail(x, -errno, "chmod %s", path);
		return 0;
	}
	if (errno != EPERM)
		return rootfs_fail(x, -errno, "mknod %s", path);

	/* Not allowed to make devices (a device cgroup, no CAP_MKNOD): bind the host's, as runc
	 * does in the same case. */
	fd = openat(dev_fd, d->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    DEV_NODE_MODE);
	if (fd < 0)
		return rootfs_fail(x, -errno, "create %s", path);
	(void)close(fd);
	snprintf(host_path, sizeof(host_path), "/dev/%s", d->name);
	return rootfs_bind_host_path(x, host_path, path, ROOTFS_NO_CREATE, 0);
}

/* A fresh /dev as runc makes it: a small tmpfs with the basic nodes, a private devpts, shm,
 * mqueue and the usual symlinks. */
static int rootfs_make_dev(struct rootfs_context *x)
{
	_cleanup_close_ int dev_fd = -1;
	int r;

	r = rootfs_mount_new(x, "/dev", ROOTFS_CREATE_DIR, "tmpfs", MS_NOSUID | MS_STRICTATIME,
			     DEV_TMPFS_OPTIONS);
	if (r < 0)
		return r;
	dev_fd = rootfs_resolve(x, "/dev", ROOTFS_NO_CREATE);
	if (dev_fd < 0)
		return dev_fd;

	for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
		r = rootfs_make_dev_node(x, dev_fd, &dev_nodes[i]);
		if (r < 0)
			return r;
	}

	r = rootfs_mount_new(x, "/dev/pts", ROOTFS_CREATE_DIR, "devpts", MS_NOSUID | MS_NOEXEC,
			     DEV_PTS_OPTIONS);
	if (r < 0)
		return r;
	r = rootfs_mount_new(x, "/dev/shm", ROOTFS_CREATE_DIR, "tmpfs", SPECIAL_MOUNT_FLAGS,
			     DEV_SHM_OPTIONS);
	if (r < 0)
		return r;
	{
		_cleanup_close_ int mqueue_fd = -1;
		char target[PROC_FD_PATH_MAX];

		mqueue_fd = rootfs_resolve(x, "/dev/mqueue", ROOTFS_CREATE_DIR);
		if (mqueue_fd < 0)
			return mqueue_fd;
		/* optional: the kernel may lack CONFIG_POSIX_MQUEUE, and little needs it */
		rootfs_proc_fd_path(target, mqueue_fd);
		(void)mount("mqueue", target, "mqueue", SPECIAL_MOUNT_FLAGS, NULL);
	}

	for (size_t i = 0; i < ELEMENTSOF(dev_symlinks); i++) {
		const struct rootfs_dev_symlink *l = &dev_symlinks[i];

		if (strcmp(l->target, PROC_KCORE) == 0 && access(PROC_KCORE, F_OK) < 0)
			continue;
		if (symlinkat(l->target, dev_fd, l->name) < 0)
			return rootfs_fail(x, -errno, "symlink /dev/%s", l->name);
	}
	return rootfs_console(x);
}

/* A fresh sysfs (the container's network namespace's view), read-only unless privileged. */
static int rootfs_make_sys(struct rootfs_context *x)
{
	_cleanup_close_ int fd = -1, host_fd = -1;
	unsigned long flags = SPECIAL_MOUNT_FLAGS | (x->config->privileged ? 0 : MS_RDONLY);
	char target[PROC_FD_PATH_MAX];
	int r;

	fd = rootfs_resolve(x, "/sys", ROOTFS_CREATE_DIR);
	if (fd < 0)
		return fd;
	rootfs_proc_fd_path(target, fd);
	if (mount("sysfs", target, "sysfs", flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return rootfs_fail(x, -errno, "mount /sys");

	/* Only the owner of the network namespace may mount sysfs; when it is not ours (shared
	 * network in a user namespace), bind the host's instead as runc and crun do. Its
	 * submounts (cgroups...) stay as they were. */
	host_fd = open(HOST_SYS, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host_fd < 0)
		return rootfs_fail(x, -errno, "%s", HOST_SYS);
	r = rootfs_bind_fd(x, host_fd, fd, "/sys", MS_REC);
	if (r < 0 || x->config->privileged)
		return r;
	return rootfs_remount_read_only(x, "/sys");
}

/* Everything of a rootfs before pivot_root: its own mount, /proc, /dev, /sys, /run. */
static int rootfs_prepare(struct rootfs_context *x)
{
	const char *rootfs = x->config->rootfs;
	_cleanup_close_ int fd = -1;
	int r;

	/* pivot_root needs the new root to be a mount point */
	fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rootfs_fail(x, -errno, "--rootfs %s", rootfs);
	snprintf(x->prefix, sizeof(x->prefix), "--rootfs %s", rootfs);
	r = rootfs_bind_fd(x, fd, fd, rootfs, MS_REC);
	if (r < 0)
		return r;
	/* reopened: fd is the directory under the new mount */
	x->root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (x->root_fd < 0)
		return rootfs_fail(x, -errno, "%s", rootfs);
	x->prefix[0] = '\0';

	r = rootfs_mount_new(x, "/proc", ROOTFS_CREATE_DIR, "proc", SPECIAL_MOUNT_FLAGS, NULL);
	if (r < 0)
		return r;
	r = rootfs_make_dev(x);
	if (r < 0)
		return r;
	r = rootfs_make_sys(x);
	if (r < 0)
		return r;
	/* a fresh /run as podman has, where cinit keeps its state */
	return rootfs_mount_new(x, "/run", ROOTFS_CREATE_DIR, "tmpfs", MS_NOSUID | MS_NODEV,
				RUN_TMPFS_OPTIONS);
}

/* Makes the rootfs the root, and the host's tree unreachable. pivot_root(".", ".") stacks the
 * old root over the new one at the cwd, where it can be detached without a directory for it
 * in the rootfs (runc's technique, which works with a read-only rootfs). */
static int rootfs_pivot(struct rootfs_context *x)
{
	const char *rootfs = x->config->rootfs;

	if (fchdir(x->root_fd) < 0)
		return rootfs_fail(x, -errno, "chdir %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return rootfs_fail(x, -errno, "pivot_root %s", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return rootfs_fail(x, -errno, "detach the old root");
	if (chdir("/") < 0)
		return rootfs_fail(x, -errno, "chdir /");
	return 0;
}

/* docker's masked and read-only paths, on the container's /proc and /sys; paths this kernel
 * lacks are skipped. */
static int rootfs_mask_paths(struct rootfs_context *x)
{
	int r;

	for (size_t i = 0; i < ELEMENTSOF(masked_paths); i++) {
		const char *path = masked_paths[i];
		_cleanup_close_ int fd = -1;
		struct stat st;

		fd = rootfs_open_in_root(x, path);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return rootfs_fail(x, fd, "%s", path);
		if (fstat(fd, &st) < 0)
			return rootfs_fail(x, -errno, "%s", path);
		if (S_ISDIR(st.st_mode))
			r = rootfs_mount_fd(x, "tmpfs", fd, path, "tmpfs", MS_RDONLY, NULL);
		else
			r = rootfs_bind_host_path(x, DEV_NULL, path, ROOTFS_NO_CREATE, 0);
		if (r < 0)
			return r;
	}

	for (size_t i = 0; i < ELEMENTSOF(read_only_paths); i++) {
		const char *path = read_only_paths[i];
		_cleanup_close_ int fd = -1;

		fd = rootfs_open_in_root(x, path);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return rootfs_fail(x, fd, "%s", path);
		r = rootfs_bind_fd(x, fd, fd, path, MS_REC);
		if (r < 0)
			return r;
		r = rootfs_remount_read_only(x, path);
		if (r < 0)
			return r;
	}
	return 0;
}

const char *rootfs_notify_path(const struct rootfs_config *c)
{
	if (!c->notify_socket)
		return NULL;
	return c->rootfs ? NOTIFY_PATH : c->notify_socket;
}

const char *rootfs_units_path(const struct rootfs_config *c)
{
	if (!c->units)
		return NULL;
	return c->rootfs ? UNITS_PATH : c->units;
}

int rootfs_setup(const struct rootfs_config *c, char *err, size_t err_size)
{
	struct rootfs_context x = {
		.config = c,
		.root_fd = -1,
		.err = err,
		.err_size = err_size,
	};
	int r;

	if (err && err_size > 0)
		err[0] = '\0';

	/* Our mounts are copies of the host's, shared ones included: make them all private
	 * first, or what follows would appear on the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return rootfs_fail(&x, -errno, "make / private");

	if (c->rootfs) {
		r = rootfs_prepare(&x);
		if (r < 0)
			goto out;
		r = rootfs_units(&x);
		if (r < 0)
			goto out;
		if (c->notify_socket) {
			r = rootfs_bind_host_path(&x, c->notify_socket, NOTIFY_PATH,
						  ROOTFS_CREATE_FILE, 0);
			if (r < 0)
				goto out;
		}
		r = rootfs_user_mounts(&x);
		if (r < 0)
			goto out;
		r = rootfs_pivot(&x);
		if (r < 0)
			goto out;
	} else {
		x.root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (x.root_fd < 0)
			return rootfs_fail(&x, -errno, "/");
		/* our pid namespace's view; the host's /proc stays under it, hidden */
		r = rootfs_mount_new(&x, "/proc", ROOTFS_NO_CREATE, "proc", SPECIAL_MOUNT_FLAGS,
				     NULL);
		if (r < 0)
			goto out;
		r = rootfs_console(&x);
		if (r < 0)
			goto out;
		r = rootfs_units(&x);
		if (r < 0)
			goto out;
		r = rootfs_user_mounts(&x);
		if (r < 0)
			goto out;
	}

	if (!c->privileged) {
		r = rootfs_mask_paths(&x);
		if (r < 0)
			goto out;
	}
	/* Only the root mount: /proc, /dev, /run... and without a rootfs every other mount of
	 * the host (/tmp, /home...) stay writable, as with docker's --read-only. */
	if (c->read_only)
		r = rootfs_remount_read_only(&x, "/");
out:
	util_closep(&x.root_fd);
	return r;
}

/* ---- /sys/fs/cgroup ---- */

#define CGROUP_DIR	 "/sys/fs/cgroup"
#define CGROUP_UNIFIED	 "unified"
#define SELF_CGROUP	 "/proc/self/cgroup"
#define CGROUP_MNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* One v1 hierarchy of /proc/self/cgroup ("cpu,cpuacct" or "name=systemd"), mounted at
 * CGROUP_DIR/NAME as docker does, with a link for each controller of a co-mounted pair. */
static int rootfs_cgroup_v1(const char *controllers, unsigned long flags, char *err,
			    size_t err_size)
{
	bool named = strncmp(controllers, "name=", 5) == 0;
	const char *dir = named ? controllers + 5 : controllers;
	char path[PATH_MAX], options[256];

	if (!*dir || strchr(dir, '/'))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", CGROUP_DIR, dir);
	snprintf(options, sizeof(options), "%s%s", named ? "none," : "", controllers);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		goto fail;
	if (mount("cgroup", path, "cgroup", flags, options) < 0)
		goto fail;
	if (!named && strchr(controllers, ',')) {
		char copy[256];

		snprintf(copy, sizeof(copy), "%s", controllers);
		for (char *save = NULL, *c = strtok_r(copy, ",", &save); c;
		     c = strtok_r(NULL, ",", &save)) {
			char link[PATH_MAX];

			snprintf(link, sizeof(link), "%s/%s", CGROUP_DIR, c);
			if (symlink(controllers, link) < 0 && errno != EEXIST)
				goto fail;
		}
	}
	return 0;
fail:
	snprintf(err, err_size, "mount %s: %s", path, strerror(errno));
	return -errno;
}

int rootfs_mount_cgroups(const struct rootfs_config *c, char *err, size_t err_size)
{
	unsigned long flags = CGROUP_MNT_FLAGS | (c->privileged ? 0 : MS_RDONLY);
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t size = 0;
	bool v1 = false;
	int r = 0;

	f = fopen(SELF_CGROUP, "re");
	if (!f) {
		snprintf(err, err_size, "%s: %s", SELF_CGROUP, strerror(errno));
		return -errno;
	}
	while (getline(&line, &size, f) > 0)
		if (strncmp(line, "0::", 3) != 0)
			v1 = true;
	/* On the host's filesystem (no --rootfs), the host's tree is there already but not the
	 * container's view of it: on v2 its own subtree is mounted over it, writable, so that
	 * cinit can give services their own cgroups in it (the subtree a systemd scope
	 * delegates). It hides the host's tree, which was as writable. v1 keeps the host's. */
	if (!c->rootfs && v1)
		return 0;
	if (!c->rootfs) {
		flags &= ~(unsigned long)MS_RDONLY;
		/* the same cgroup2 cannot be mounted on its own mount point: the host's goes
		 * first (from this mount namespace only) */
		if (umount2(CGROUP_DIR, MNT_DETACH) < 0 && errno != EINVAL) {
			snprintf(err, err_size, "umount %s: %s", CGROUP_DIR, strerror(errno));
			return -errno;
		}
	}
	if (!v1) {
		if (mount("cgroup2", CGROUP_DIR, "cgroup2", flags, NULL) == 0)
			return 0;
		snprintf(err, err_size, "mount %s: %s", CGROUP_DIR, strerror(errno));
		return -errno;
	}

	/* v1 or hybrid: a tmpfs holding one mount per hierarchy, made read-only at the end */
	if (mount("tmpfs", CGROUP_DIR, "tmpfs", CGROUP_MNT_FLAGS, "mode=755") < 0) {
		snprintf(err, err_size, "mount %s: %s", CGROUP_DIR, strerror(errno));
		return -errno;
	}
	rewind(f);
	while (r >= 0 && getline(&line, &size, f) > 0) {
		char *controllers = strchr(line, ':'), *end;

		if (!controllers)
			continue;
		controllers++;
		end = strchr(controllers, ':');
		if (!end)
			continue;
		*end = '\0';
		if (*controllers) {
			r = rootfs_cgroup_v1(controllers, flags, err, err_size);
			continue;
		}
		/* hybrid: the controller-less cgroup2 */
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", CGROUP_DIR, CGROUP_UNIFIED);
		if ((mkdir(path, 0755) < 0 && errno != EEXIST) ||
		    mount("cgroup2", path, "cgroup2", flags, NULL) < 0) {
			snprintf(err, err_size, "mount %s: %s", path, strerror(errno));
			r = -errno;
		}
	}
	if (r >= 0 && !c->privileged &&
	    mount(NULL, CGROUP_DIR, NULL, MS_REMOUNT | MS_RDONLY | CGROUP_MNT_FLAGS, "mode=755") <
		    0) {
		snprintf(err, err_size, "mount %s: %s", CGROUP_DIR, strerror(errno));
		r = -errno;
	}
	return r;
}
