/* Users and groups from a container's own ROOT/etc/passwd and ROOT/etc/group. cinit is static
 * (musl), so there is no NSS: these files are the whole database, read the way docker and runc
 * read them. No global state, never prints. Functions return 0 or -errno:
 *   -EINVAL  a spec that is neither a decimal id nor a possible name ("", "-1", "+5", "a b", "a:b")
 *   -ERANGE  a decimal id above 4294967294 ((uid_t)-1 means "no id" to the kernel)
 *   -ESRCH   a name with no entry, including when the file does not exist
 *   other    an I/O error on an existing file (-EACCES, -EISDIR, ...)
 * Lines that are empty, comments ('#'), have the wrong number of fields, a bad id, a NUL byte or a
 * field too long for struct user_record are skipped; the first matching entry wins. Lines may be
 * of any length. ROOT/etc/... is opened like any path: symlinks in an untrusted root are followed,
 * so callers outside the container must enter it (chroot) first. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Buffer sizes, NUL included. */
#define USERS_NAME_MAX	64
#define USERS_HOME_MAX	512
#define USERS_SHELL_MAX 256

struct user_record {
	uid_t uid;
	gid_t gid;
	char name[USERS_NAME_MAX];   /* "" for a numeric uid with no passwd entry */
	char home[USERS_HOME_MAX];   /* "/" when the entry has none or there is no entry */
	char shell[USERS_SHELL_MAX]; /* as in the file; "" means /bin/sh (passwd(5)) */
};

/* Strict decimal id: digits only (no sign, space or junk, leading zeros allowed), at most
 * 4294967294. -EINVAL or -ERANGE otherwise. */
int users_parse_id(const char *text, uint32_t *ret);

/* root: directory the files are under ("/" in the container; NULL or "" mean "/").
 * spec: a user name, or a uid. All-digit specs are always uids, as in runc, even if a user is
 * named "1000". A uid with no passwd entry is valid, as docker allows: gid 0, name "", home "/". */
int users_lookup_user(const char *root, const char *spec, struct user_record *ret);

/* spec: a group name, or a gid (valid whether or not it has an entry; the file is not read). */
int users_lookup_group(const char *root, const char *spec, gid_t *ret);

/* Fills groups with primary first, then the gid of every group listing user_name as a member, in
 * file order, without duplicates. user_name NULL or "" gives just primary. A missing group file
 * is no error. -E2BIG when more than max would be needed (so max must be at least 1); groups
 * may be partly filled then. */
int users_supplementary_groups(const char *root, const char *user_name, gid_t primary,
			       gid_t *groups, size_t max, size_t *ret_count);

/* docker's --user / USER syntax: "USER" or "USER:GROUP", each a name or an id ("1000:1000",
 * "app", "app:staff", "app:50"), resolved as docker (runc's GetExecUser) does. Without GROUP:
 * gid is the user's passwd gid (0 for a uid with no entry) and groups is
 * users_supplementary_groups() of the user's name. With GROUP: gid is that group and groups is
 * just { gid }: runc only looks up memberships in the implicit form, so an explicit group drops
 * them. The gid is always groups[0] (docker since CVE-2022-36109). "", ":g", "u:" and "u:g:x" are
 * -EINVAL. uid, gid and ngroups are written only on success; groups may be clobbered on failure. */
int users_resolve(const char *root, const char *spec, uid_t *ret_uid, gid_t *ret_gid, gid_t *groups,
		  size_t max, size_t *ret_ngroups);
