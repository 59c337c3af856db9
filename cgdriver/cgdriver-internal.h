/* What cgdriver.c shares with the backends (cgfs_v1.c, cgfs_v2.c, systemd.c). Not for
 * callers outside cgdriver/. cgdriver.c validates the arguments and forwards each public call to
 * driver->ops; a backend keeps its own state behind driver->backend. */
#pragma once

#include "cgdriver/cgdriver.h"

struct cg_driver;

/* One table per backend. Every function returns 0 (or a count) or -errno, as the public one it
 * implements (see cgdriver.h). cgdriver.c has already checked driver and pointer arguments. */
struct cg_driver_ops {
	/* Called by cg_driver_new() after the common fields are filled: allocate driver->backend.
	 * Must not touch the filesystem beyond reading (no mkdir). */
	int (*init)(struct cg_driver *driver);
	/* Frees driver->backend and any fd it owns (the oom fd); never touches the tree. May be
	 * called after a failed init (backend NULL). */
	void (*free)(struct cg_driver *driver);
	int (*create)(struct cg_driver *driver);
	/* Takes an existing PARENT/NAME made by someone else (systemd) as the cgroup, without
	 * creating anything: for the systemd backend's view of its scope. NULL: not possible. */
	int (*adopt)(struct cg_driver *driver);
	int (*set_limits)(struct cg_driver *driver, const struct cg_limits *limits);
	int (*attach)(struct cg_driver *driver, pid_t pid);
	int (*cgroup_fd)(struct cg_driver *driver);
	int (*stats)(struct cg_driver *driver, struct cg_stats *ret);
	int (*oom_fd)(struct cg_driver *driver);
	int (*kill_all)(struct cg_driver *driver, int sig);
	int (*populated)(struct cg_driver *driver);
	int (*destroy)(struct cg_driver *driver);
	int (*remove_stale)(struct cg_driver *driver, const char *prefix);
	int (*remove_parent)(struct cg_driver *driver);
};

struct cg_driver {
	enum cg_kind kind;
	const struct cg_driver_ops *ops;
	/* Copies of the config, owned by the driver and freed by cg_driver_free(). */
	char *root;   /* trailing '/' removed: "/sys/fs/cgroup" ("/" stays "/") */
	char *parent; /* absolute, no trailing '/': "/claunch"; "" when the parent is the root
			 cgroup itself, so "%s%s/%s" of root, parent, name is always the path */
	char *name;   /* one component: no '/', not "", "." or ".." */
	/* Set by a backend before it returns -EOPNOTSUPP from set_limits (a string literal);
	 * cg_driver_set_limits() clears it first. */
	const char *missing_controller;
	/* What went wrong, in words, for a failure an errno does not tell (systemd's answer);
	 * "" when nothing was said. */
	char detail[256];
	void *backend; /* the backend's own state */
};

/* rmdir of BASE/PARENT and then of each of PARENT's ancestors below BASE, deepest first,
 * until one still holds something (EBUSY, ENOTEMPTY: that ends it, and is no error). A missing
 * one is skipped. Returns 0 or -errno. */
int cg_remove_parent_in(const char *base, const char *parent);

/* ops->adopt of driver, -EOPNOTSUPP when it has none. */
int cg_driver_adopt(struct cg_driver *driver);

extern const struct cg_driver_ops cg_v1_ops;
extern const struct cg_driver_ops cg_v2_ops;
#ifdef HAVE_SYSTEMD
extern const struct cg_driver_ops cg_systemd_ops;
#endif
