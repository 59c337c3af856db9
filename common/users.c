#include "config.h"

#include "common/users.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#define USERS_PASSWD_FILE "/etc/passwd"
#define USERS_GROUP_FILE  "/etc/group"

/* (uid_t)-1 is "no id" to setresuid(2), setgroups(2) and chown(2), so it never names anyone. */
#define USERS_ID_MAX UINT32_C(4294967294)

_Static_assert(sizeof(uid_t) == sizeof(uint32_t), "uid_t is 32 bits on Linux");
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits on Linux");

/* passwd(5): name:password:uid:gid:gecos:home:shell */
enum { PW_NAME, PW_PASSWORD, PW_UID, PW_GID, PW_GECOS, PW_HOME, PW_SHELL, PW_FIELDS };
/* group(5): name:password:gid:member,member,... */
enum { GR_NAME, GR_PASSWORD, GR_GID, GR_MEMBERS, GR_FIELDS };

#define DB_FIELDS_MAX PW_FIELDS

/* Called with each line split into its fields: returns 0 to read on, 1 to stop, or -errno. */
typedef int (*db_entry_fn)(char **fields, void *userdata);

static bool is_digits(const char *text, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			return false;
	return true;
}

static int id_parse(const char *text, size_t len, uint32_t *ret)
{
	uint64_t v = 0;

	if (!is_digits(text, len))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (uint64_t)(text[i] - '0');
		if (v > USERS_ID_MAX)
			return -ERANGE;
	}
	*ret = (uint32_t)v;
	return 0;
}

int users_parse_id(const char *text, uint32_t *ret)
{
	if (!text)
		return -EINVAL;
	return id_parse(text, strlen(text), ret);
}

/* Anything that could be written in the files: no separator (':' between fields, ',' between
 * members), no blank or control byte, and no leading '+' or '-' (NIS "compat" entries, and a
 * "-1" is a negative number rather than a name). */
static bool name_valid(const char *name, size_t len)
{
	if (len == 0 || len >= USERS_NAME_MAX || name[0] == '-' || name[0] == '+')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c == 0x7f || c == ':' || c == ',')
			return false;
	}
	return true;
}

/* Returns 1 (id in *ret_id) or 0 (a name) or -EINVAL/-ERANGE. All digits is always an id, as in
 * runc, so a numeric spec never depends on what the files hold. */
static int spec_classify(const char *spec, size_t len, uint32_t *ret_id)
{
	int r;

	if (is_digits(spec, len)) {
		r = id_parse(spec, len, ret_id);
		return r < 0 ? r : 1;
	}
	return name_valid(spec, len) ? 0 : -EINVAL;
}

static bool name_equal(const char *field, const char *name, size_t len)
{
	return strlen(field) == len && memcmp(field, name, len) == 0;
}

/* Splits line in place into exactly n ':'-separated fields; false when the count differs. */
static bool line_split(char *line, char **fields, size_t n)
{
	size_t i = 0;
	char *p = line;

	fields[i++] = p;
	while ((p = strchr(p, ':'))) {
		if (i == n)
			return false;
		*p++ = '\0';
		fields[i++] = p;
	}
	return i == n;
}

static bool line_is_blank_or_comment(const char *line)
{
	line += strspn(line, " \t");
	return line[0] == '\0' || line[0] == '#';
}

/* Calls fn for every line of ROOT/FILE that has nfields fields. Returns fn's 1 when it stopped,
 * 0 at the end, -ENOENT when there is no such file, or -errno. */
static int db_foreach(const char *root, const char *file, size_t nfields, db_entry_fn fn,
		      void *userdata)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	char *fields[DB_FIELDS_MAX];
	size_t root_len, cap = 0;
	int n, r;

	if (nfields > DB_FIELDS_MAX)
		return -EINVAL;
	if (!root)
		root = "/";
	/* "/" and "/tmp/root/" must not give "//etc" or "/tmp/root//etc". */
	root_len = strlen(root);
	while (root_len > 0 && root[root_len - 1] == '/')
		root_len--;
	n = snprintf(path, sizeof(path), "%.*s%s", (int)root_len, root, file);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;

	/* O_NONBLOCK: an image whose /etc/passwd is a FIFO must not hang init; a FIFO then reads
	 * as empty (no writer) or fails with -EAGAIN. Regular files ignore the flag. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		return e == ENOENT || e == ENOTDIR ? -ENOENT : -e;
	}
	f = fdopen(fd, "r");
	if (!f)
		return -errno;
	(void)util_take_fd(&fd);

	for (;;) {
		ssize_t len = getline(&line, &cap, f);

		if (len < 0) {
			int e = errno;

			/* getline() may fail with ENOMEM without setting the error flag. */
			if (feof(f) && !ferror(f))
				return 0;
			return e > 0 ? -e : -EIO;
		}
		/* A NUL byte would silently cut the line short. */
		if ((size_t)len != strlen(line))
			continue;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		/* Files edited on Windows: a "\r" must not end up in the shell's path. */
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (line_is_blank_or_comment(line))
			continue;
		if (!line_split(line, fields, nfields))
			continue;
		r = fn(fields, userdata);
		if (r != 0)
			return r;
	}
}

/* Copies src into dst of size; false when it does not fit. */
static bool field_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

/* false for a line that cannot be a usable entry: it is skipped like any malformed line. */
static bool passwd_entry_parse(char **fields, struct user_record *ret)
{
	const char *home = fields[PW_HOME][0] != '\0' ? fields[PW_HOME] : "/";
	uint32_t uid, gid;

	if (!name_valid(fields[PW_NAME], strlen(fields[PW_NAME])))
		return false;
	if (users_parse_id(fields[PW_UID], &uid) < 0 || users_parse_id(fields[PW_GID], &gid) < 0)
		return false;
	if (!field_copy(ret->name, sizeof(ret->name), fields[PW_NAME]) ||
	    !field_copy(ret->home, sizeof(ret->home), home) ||
	    !field_copy(ret->shell, sizeof(ret->shell), fields[PW_SHELL]))
		return false;
	ret->uid = uid;
	ret->gid = gid;
	return true;
}

static bool group_entry_parse(char **fields, uint32_t *ret_gid)
{
	if (!name_valid(fields[GR_NAME], strlen(fields[GR_NAME])))
		return false;
	return users_parse_id(fields[GR_GID], ret_gid) == 0;
}

struct user_match {
	bool by_id;
	uint32_t id;
	const char *name;
	size_t name_len;
	struct user_record *record;
};

static int user_match_entry(char **fields, void *userdata)
{
	struct user_match *m = userdata;
	struct user_record entry;

	if (!passwd_entry_parse(fields, &entry))
		return 0;
	if (m->by_id ? entry.uid != m->id : !name_equal(entry.name, m->name, m->name_len))
		return 0;
	*m->record = entry;
	return 1;
}

static int user_lookup(const char *root, const char *spec, size_t len, struct user_record *ret)
{
	struct user_record record;
	struct user_match m = { .name = spec, .name_len = len, .record = &record };
	int r;

	r = spec_classify(spec, len, &m.id);
	if (r < 0)
		return r;
	m.by_id = r == 1;

	r = db_foreach(root, USERS_PASSWD_FILE, PW_FIELDS, user_match_entry, &m);
	if (r == -ENOENT)
		r = 0;
	if (r < 0)
		return r;
	if (r == 0) {
		if (!m.by_id)
			return -ESRCH;
		/* docker runs a uid without passwd entry as gid 0 with HOME=/. */
		record = (struct user_record){ .uid = m.id, .gid = 0, .home = "/" };
	}
	*ret = record;
	return 0;
}

int users_lookup_user(const char *root, const char *spec, struct user_record *ret)
{
	if (!spec || !ret)
		return -EINVAL;
	return user_lookup(root, spec, strlen(spec), ret);
}

struct group_match {
	const char *name;
	size_t name_len;
	uint32_t gid;
};

static int group_match_entry(char **fields, void *userdata)
{
	struct group_match *m = userdata;
	uint32_t gid;

	if (!group_entry_parse(fields, &gid) || !name_equal(fields[GR_NAME], m->name, m->name_len))
		return 0;
	m->gid = gid;
	return 1;
}

static int group_lookup(const char *root, const char *spec, size_t len, gid_t *ret)
{
	struct group_match m = { .name = spec, .name_len = len };
	uint32_t id;
	int r;

	r = spec_classify(spec, len, &id);
	if (r < 0)
		return r;
	if (r == 1) {
		*ret = id;
		return 0;
	}

	r = db_foreach(root, USERS_GROUP_FILE, GR_FIELDS, group_match_entry, &m);
	if (r == -ENOENT || r == 0)
		return -ESRCH;
	if (r < 0)
		return r;
	*ret = m.gid;
	return 0;
}

int users_lookup_group(const char *root, const char *spec, gid_t *ret)
{
	if (!spec || !ret)
		return -EINVAL;
	return group_lookup(root, spec, strlen(spec), ret);
}

struct group_list {
	const char *user;
	gid_t *groups;
	size_t max;
	size_t count;
};

static int group_list_add(struct group_list *l, gid_t gid)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->groups[i] == gid)
			return 0;
	if (l->count >= l->max)
		return -E2BIG;
	l->groups[l->count++] = gid;
	return 0;
}

static bool members_contain(const char *members, const char *user)
{
	size_t user_len = strlen(user);

	for (const char *p = members;;) {
		size_t len = strcspn(p, ",");

		if (len == user_len && memcmp(p, user, len) == 0)
			return true;
		if (p[len] == '\0')
			return false;
		p += len + 1;
	}
}

static int member_match_entry(char **fields, void *userdata)
{
	struct group_list *l = userdata;
	uint32_t gid;

	if (!group_entry_parse(fields, &gid) || !members_contain(fields[GR_MEMBERS], l->user))
		return 0;
	return group_list_add(l, gid);
}

int users_supplementary_groups(const char *root, const char *user_name, gid_t primary,
			       gid_t *groups, size_t max, size_t *ret_count)
{
	struct group_list l = { .user = user_name, .groups = groups, .max = max };
	int r;

	if ((!groups && max > 0) || !ret_count)
		return -EINVAL;
	r = group_list_add(&l, primary);
	if (r < 0)
		return r;
	if (user_name && user_name[0] != '\0') {
		r = db_foreach(root, USERS_GROUP_FILE, GR_FIELDS, member_match_entry, &l);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	*ret_count = l.count;
	return 0;
}

int users_resolve(const char *root, const char *spec, uid_t *ret_uid, gid_t *ret_gid, gid_t *groups,
		  size_t max, size_t *ret_ngroups)
{
	struct user_record user;
	const char *colon;
	gid_t gid;
	size_t count = 1;
	int r;

	if (!spec || !ret_uid || !ret_gid || (!groups && max > 0) || !ret_ngroups)
		return -EINVAL;
	colon = strchr(spec, ':');
	r = user_lookup(root, spec, colon ? (size_t)(colon - spec) : strlen(spec), &user);
	if (r < 0)
		return r;

	if (colon) {
		/* runc: an explicit group replaces the memberships, it does not add to them. */
		r = group_lookup(root, colon + 1, strlen(colon + 1), &gid);
		if (r < 0)
			return r;
		if (max < 1)
			return -E2BIG;
		groups[0] = gid;
	} else {
		gid = user.gid;
		r = users_supplementary_groups(root, user.name, gid, groups, max, &count);
		if (r < 0)
			return r;
	}
	*ret_uid = user.uid;
	*ret_gid = gid;
	*ret_ngroups = count;
	return 0;
}
