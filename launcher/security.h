/* What the container's process may do: its capability sets, no_new_privs and the seccomp
 * filter, applied in the child just before it execs cinit, in the order caps, no_new_privs,
 * seccomp. The sets and the filter follow docker run's defaults and flags. */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "launcher/cli.h"

/* The capability set (bit per CAP_*) of o: docker's defaults, tweaked by --cap-drop and
 * --cap-add as docker does (see security.c), or everything with --privileged. "Everything"
 * (--privileged, --cap-add ALL) is every capability the calling process's bounding set still
 * holds, so call this in the launcher before any capability is dropped.
 * Returns 0 or -EINVAL with `--cap-add: "CAP_FOO" is not a capability` in err. */
int security_caps_compute(const struct claunch_options *o, uint64_t *ret_set, char *err,
			  size_t err_size);

/* Drops every capability not in set from the bounding set (up to
 * /proc/sys/kernel/cap_last_cap) and nothing else. Needs CAP_SETPCAP. Returns 0 or -errno. */
int security_caps_bound(uint64_t set);

/* Drops every capability not in set from the bounding set (up to
 * /proc/sys/kernel/cap_last_cap), sets permitted and effective to set (inheritable empty), clears
 * the ambient set. Bits past the running kernel's last capability are ignored. Needs
 * CAP_SETPCAP. Returns 0 or -errno. */
int security_caps_apply(uint64_t set);

/* Sets permitted and effective to set (bits up to last, the kernel's last capability, or -1
 * to look it up), inheritable to nothing (as docker since CVE-2022-24769: file-inheritable
 * capabilities must not come back after a user switch) and clears the ambient set; the
 * bounding set is left alone. Returns 0 or -errno. */
int security_caps_set(uint64_t set, int last);

/* prctl(PR_SET_NO_NEW_PRIVS). Returns 0 or -errno. */
int security_no_new_privs(void);

/* Loads the seccomp filter o asks for. DEFAULT: everything is allowed except the syscalls
 * docker's default profile denies, which fail with EPERM (clone3 with ENOSYS, so that libc
 * falls back to clone, whose flags can be checked); those docker grants back with a
 * capability are allowed when o's capability set (security_caps_compute) has it.
 * UNCONFINED, or --privileged (as docker): nothing is loaded. FILE: -EOPNOTSUPP, custom profiles
 * are not supported yet. The filter does not set no_new_privs itself (docker keeps it a separate
 * option), so without it the caller must still have CAP_SYS_ADMIN, or the kernel refuses the filter
 * (-EACCES). Returns 0 or -errno with one line in err. */
int security_seccomp_apply(const struct claunch_options *o, char *err, size_t err_size);

/* A seccomp filter as BPF, built in the launcher and loaded in the container's process. */
#define SECURITY_FILTER_MAX 4096 /* BPF_MAXINSNS */
struct security_filter {
	struct sock_filter *insns;
	unsigned short len; /* 0: no filter */
};

/* Builds the filter security_seccomp_apply() would load, without loading it. Compiling it with
 * libseccomp takes over a millisecond, so with cache_dir (root's, e.g. /run/claunch) the BPF
 * is kept there under a key of everything it depends on and read back next time. */
int security_seccomp_prepare(const struct claunch_options *o, const char *cache_dir,
			     struct security_filter *ret, char *err, size_t err_size);
/* seccomp(SECCOMP_SET_MODE_FILTER) of f; nothing when f->len is 0. Returns 0 or -errno. */
int security_seccomp_load(const struct security_filter *f, char *err, size_t err_size);
void security_filter_free(struct security_filter *f);
