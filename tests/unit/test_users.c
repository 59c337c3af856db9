#include "config.h"

#include "common/users.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Left in outputs on failure: a lookup must not write its result unless it succeeds. */
#define SENTINEL     UINT32_C(0x5a5a5a5a)
#define GROUPS_MAX   16
#define LONG_LINE    5000
#define ID_MAX_VALID UINT32_C(4294967294)

/* One temp dir per test, holding a root per situation. */
static char tmp_dir[] = "/tmp/cinit-test-users-XXXXXX";
static char root_full[PATH_MAX];     /* the fixtures below */
static char root_empty[PATH_MAX];    /* no etc/ at all */
static char root_etc_file[PATH_MAX]; /* etc is a regular file: ENOTDIR */
static char root_dirs[PATH_MAX];     /* etc/passwd and etc/group are directories */
static char root_fifo[PATH_MAX];     /* etc/passwd and etc/group are FIFOs without writer */

/* Every passwd quirk the parser must survive; the 5000-char lines are added at run time. */
static const char passwd_head[] = "# passwd fixture\n"
				  "root:x:0:0:root:/root:/bin/sh\n"
				  "\n"
				  "   \n"
				  "  # indented comment\n"
				  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				  "app:x:1000:1000:App User,,,:/home/app:/bin/bash\n"
				  "app:x:2000:2000:duplicate, first wins:/home/app2:/bin/sh\n"
				  "nohome:x:1001:1001:::/bin/sh\n"
				  "noshell:x:1002:1002::/home/noshell:\n"
				  "short:x:1003:1003:/home/short:/bin/sh\n"
				  "long:x:1004:1004::/home/long:/bin/sh:extra\n"
				  "junkuid:x:12ab:1000::/home/junk:/bin/sh\n"
				  "neguid:x:-5:1000::/home/neg:/bin/sh\n"
				  "maxuid:x:4294967295:1000::/home/max:/bin/sh\n"
				  "junkgid:x:1011:1x::/home/junkgid:/bin/sh\n"
				  "+nis::::::\n"
				  "-minus:x:1012:1012::/:/bin/sh\n"
				  "bad name:x:1013:1013::/:/bin/sh\n"
				  "dos:x:1007:1007::/home/dos:/bin/sh\r\n"
				  "1234:x:1008:1008::/home/numname:/bin/sh\n"
				  "1abc:x:1015:1015::/home/1abc:/bin/sh\n"
				  "nul:x:1010:1010::/home/nul\0:/bin/sh\n";
static const char passwd_tail[] = "after:x:1006:1006::/home/after:/bin/sh\n"
				  "zmax:x:4294967294:4294967294::/home/zmax:/bin/sh\n"
				  "last:x:1009:1009::/home/last:/bin/sh"; /* no final newline */

static const char group_head[] = "# group fixture\n"
				 "root:x:0:\n"
				 "daemon:x:1:\n"
				 "app:x:1000:\n"
				 "staff:x:50:app,other\n"
				 "users:x:100:other,app,app\n"
				 "\n"
				 "wheel:x:10:app\n"
				 "wheel:x:11:app\n"
				 "again:x:50:app\n"
				 "nomember:x:200:application,ap,other\n"
				 "spaces:x:201: app\n"
				 "badgid:x:abc:app\n"
				 "neggid:x:-3:app\n"
				 "short:x:60\n"
				 "toolong:x:61:app:extra\n"
				 "primary:x:1000:app\n";
static const char group_tail[] = "nulgroup:x:71:app\0\n"
				 "dosgroup:x:72:other,app\r\n"
				 "zmax:x:4294967294:\n"
				 "last:x:73:app"; /* no final newline */

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void make_dir(char *buf, const char *fmt, const char *a)
{
	snprintf(buf, PATH_MAX, fmt, tmp_dir, a);
	cr_assert_eq(mkdir(buf, 0755), 0, "mkdir %s: %s", buf, strerror(errno));
}

static void write_passwd(const char *etc)
{
	size_t size = sizeof(passwd_head) + sizeof(passwd_tail) + 4 * LONG_LINE;
	char *buf = malloc(size);
	size_t len = 0;

	cr_assert_not_null(buf);
	memcpy(buf, passwd_head, sizeof(passwd_head) - 1);
	len += sizeof(passwd_head) - 1;
	/* Home too long for struct user_record: skipped as malformed. */
	len += (size_t)snprintf(buf + len, size - len, "longhome:x:1005:1005::/%0*d:/bin/sh\n",
				LONG_LINE, 0);
	/* Long but usable: the GECOS field is not kept. */
	len += (size_t)snprintf(buf + len, size - len,
				"longgecos:x:1014:1014:%0*d:/home/longgecos:/bin/sh\n", LONG_LINE,
				0);
	memcpy(buf + len, passwd_tail, sizeof(passwd_tail) - 1);
	len += sizeof(passwd_tail) - 1;
	write_file(etc, "passwd", buf, len);
	free(buf);
}

static void write_group(const char *etc)
{
	size_t size = sizeof(group_head) + sizeof(group_tail) + 2 * LONG_LINE;
	char *buf = malloc(size);
	size_t len = 0;

	cr_assert_not_null(buf);
	memcpy(buf, group_head, sizeof(group_head) - 1);
	len += sizeof(group_head) - 1;
	/* A member list over 5000 chars, with the user at its very end. */
	len += (size_t)snprintf(buf + len, size - len, "big:x:70:");
	for (int i = 0; len < sizeof(group_head) + LONG_LINE; i++)
		len += (size_t)snprintf(buf + len, size - len, "m%04d,", i);
	len += (size_t)snprintf(buf + len, size - len, "app\n");
	memcpy(buf + len, group_tail, sizeof(group_tail) - 1);
	len += sizeof(group_tail) - 1;
	write_file(etc, "group", buf, len);
	free(buf);
}

static void setup(void)
{
	char etc[PATH_MAX];

	cr_assert_not_null(mkdtemp(tmp_dir), "mkdtemp: %s", strerror(errno));

	make_dir(root_full, "%s/%s", "full");
	make_dir(etc, "%s/%s", "full/etc");
	write_passwd(etc);
	write_group(etc);

	make_dir(root_empty, "%s/%s", "empty");

	make_dir(root_etc_file, "%s/%s", "etcfile");
	write_file(root_etc_file, "etc", "", 0);

	make_dir(root_dirs, "%s/%s", "dirs");
	make_dir(etc, "%s/%s", "dirs/etc");
	make_dir(etc, "%s/%s", "dirs/etc/passwd");
	make_dir(etc, "%s/%s", "dirs/etc/group");

	make_dir(root_fifo, "%s/%s", "fifo");
	make_dir(etc, "%s/%s", "fifo/etc");
	strcat(etc, "/passwd");
	cr_assert_eq(mkfifo(etc, 0644), 0, "mkfifo: %s", strerror(errno));
	snprintf(etc, sizeof(etc), "%s/fifo/etc/group", tmp_dir);
	cr_assert_eq(mkfifo(etc, 0644), 0, "mkfifo: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	cr_expect_eq(nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0, "cleanup %s: %s",
		     tmp_dir, strerror(errno));
}

TestSuite(users, .init = setup, .fini = teardown, .timeout = 10);

static const char *errno_name(int r)
{
	switch (r) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -ERANGE:
		return "-ERANGE";
	case -ESRCH:
		return "-ESRCH";
	case -E2BIG:
		return "-E2BIG";
	case -EISDIR:
		return "-EISDIR";
	case -ENOENT:
		return "-ENOENT";
	case -ENAMETOOLONG:
		return "-ENAMETOOLONG";
	default:
		return "other";
	}
}

#define expect_r(r, want, fmt, ...)                                                                \
	cr_expect_eq(r, want, fmt " returned %d (%s), expected %d (%s)", __VA_ARGS__, r,           \
		     errno_name(r), want, errno_name(want))

static void expect_groups(const char *what, const gid_t *got, size_t n, const gid_t *want,
			  size_t want_n)
{
	cr_expect_eq(n, want_n, "%s: %zu groups, expected %zu", what, n, want_n);
	for (size_t i = 0; i < n && i < want_n; i++)
		cr_expect_eq(got[i], want[i], "%s: groups[%zu] = %u, expected %u", what, i,
			     (unsigned)got[i], (unsigned)want[i]);
}

struct id_case {
	const char *text;
	int r;
	uint32_t value;
};

/* A row for a spec that must fail: no outputs to compare. */
#define FAIL(s, err)                                                                               \
	{                                                                                          \
		.spec = (s), .r = (err)                                                            \
	}

static const struct id_case id_cases[] = {
	{ "0", 0, 0 },
	{ "1000", 0, 1000 },
	{ "007", 0, 7 },
	{ "4294967294", 0, ID_MAX_VALID },
	{ "4294967295", -ERANGE, 0 }, /* (uid_t)-1 */
	{ "4294967296", -ERANGE, 0 },
	{ "18446744073709551617", -ERANGE, 0 },
	{ "99999999999999999999999999999999", -ERANGE, 0 },
	{ "", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "-0", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1\n", -EINVAL, 0 },
	{ "1x", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "1e3", -EINVAL, 0 },
	{ "1.0", -EINVAL, 0 },
	{ "\xd9\xa1", -EINVAL, 0 }, /* ARABIC-INDIC DIGIT ONE */
};

Test(users, parse_id)
{
	for (size_t i = 0; i < ELEMENTSOF(id_cases); i++) {
		const struct id_case *c = &id_cases[i];
		uint32_t v = SENTINEL;
		int r = users_parse_id(c->text, &v);

		expect_r(r, c->r, "users_parse_id(\"%s\")", c->text);
		cr_expect_eq(v, c->r == 0 ? c->value : SENTINEL, "users_parse_id(\"%s\") = %u",
			     c->text, v);
	}
	cr_expect_eq(users_parse_id(NULL, NULL), -EINVAL);
}

struct user_case {
	const char *spec;
	int r;
	uint32_t uid, gid;
	const char *name, *home, *shell;
};

#define UNKNOWN_UID(id)                                                                            \
	{                                                                                          \
#id, 0, id, 0, "", "/", ""                                                         \
	}

static const struct user_case user_cases[] = {
	{ "root", 0, 0, 0, "root", "/root", "/bin/sh" },
	{ "0", 0, 0, 0, "root", "/root", "/bin/sh" },
	{ "daemon", 0, 1, 1, "daemon", "/usr/sbin", "/usr/sbin/nologin" },
	{ "app", 0, 1000, 1000, "app", "/home/app", "/bin/bash" }, /* first of two "app" */
	{ "1000", 0, 1000, 1000, "app", "/home/app", "/bin/bash" },
	{ "01000", 0, 1000, 1000, "app", "/home/app", "/bin/bash" },
	{ "2000", 0, 2000, 2000, "app", "/home/app2", "/bin/sh" },
	{ "nohome", 0, 1001, 1001, "nohome", "/", "/bin/sh" },
	{ "noshell", 0, 1002, 1002, "noshell", "/home/noshell", "" },
	{ "dos", 0, 1007, 1007, "dos", "/home/dos", "/bin/sh" },
	{ "longgecos", 0, 1014, 1014, "longgecos", "/home/longgecos", "/bin/sh" },
	{ "after", 0, 1006, 1006, "after", "/home/after", "/bin/sh" },
	{ "last", 0, 1009, 1009, "last", "/home/last", "/bin/sh" },
	{ "zmax", 0, ID_MAX_VALID, ID_MAX_VALID, "zmax", "/home/zmax", "/bin/sh" },
	{ "4294967294", 0, ID_MAX_VALID, ID_MAX_VALID, "zmax", "/home/zmax", "/bin/sh" },
	/* All digits is a uid even when a user has that name, as in runc. */
	UNKNOWN_UID(1234),
	{ "1008", 0, 1008, 1008, "1234", "/home/numname", "/bin/sh" },
	/* Not all digits: a name, not a malformed number. */
	{ "1abc", 0, 1015, 1015, "1abc", "/home/1abc", "/bin/sh" },
	FAIL("12ab", -ESRCH),
	/* Numeric uids with no (valid) entry run as gid 0, as docker does. */
	UNKNOWN_UID(4242),
	UNKNOWN_UID(1003), /* 6 fields */
	UNKNOWN_UID(1004), /* 8 fields */
	UNKNOWN_UID(1005), /* home over 511 bytes */
	UNKNOWN_UID(1010), /* NUL byte */
	UNKNOWN_UID(1011), /* bad gid */
	/* Malformed entries are not there. */
	FAIL("short", -ESRCH),
	FAIL("long", -ESRCH),
	FAIL("junkuid", -ESRCH),
	FAIL("neguid", -ESRCH),
	FAIL("maxuid", -ESRCH),
	FAIL("junkgid", -ESRCH),
	FAIL("nul", -ESRCH),
	FAIL("longhome", -ESRCH),
	FAIL("nobody", -ESRCH),
	FAIL("Root", -ESRCH),
	FAIL("roo", -ESRCH),
	FAIL("123456789012345678901234567890123456789012345678901234567890abc", -ESRCH),   /* 63 */
	FAIL("123456789012345678901234567890123456789012345678901234567890abcd", -EINVAL), /* 64 */
	FAIL("4294967295", -ERANGE),
	FAIL("99999999999999999999999", -ERANGE),
	FAIL("", -EINVAL),
	FAIL("-1", -EINVAL),
	FAIL("+1000", -EINVAL),
	FAIL(" 1000", -EINVAL),
	FAIL("1000 ", -EINVAL),
	FAIL("app:staff", -EINVAL),
	FAIL("a,b", -EINVAL),
	FAIL("-minus", -EINVAL),
	FAIL("+nis", -EINVAL),
	FAIL("bad name", -EINVAL),
	FAIL("tab\tname", -EINVAL),
};

static void check_user(const char *root, const struct user_case *c)
{
	struct user_record u;
	int r;

	memset(&u, 0x5a, sizeof(u));
	r = users_lookup_user(root, c->spec, &u);
	expect_r(r, c->r, "users_lookup_user(\"%s\")", c->spec);
	if (r != 0 || c->r != 0) {
		cr_expect_eq(u.uid, SENTINEL, "users_lookup_user(\"%s\") failed but wrote",
			     c->spec);
		return;
	}
	cr_expect_eq(u.uid, c->uid, "\"%s\": uid %u, expected %u", c->spec, u.uid, c->uid);
	cr_expect_eq(u.gid, c->gid, "\"%s\": gid %u, expected %u", c->spec, u.gid, c->gid);
	cr_expect_str_eq(u.name, c->name, "\"%s\": name", c->spec);
	cr_expect_str_eq(u.home, c->home, "\"%s\": home", c->spec);
	cr_expect_str_eq(u.shell, c->shell, "\"%s\": shell", c->spec);
}

Test(users, lookup_user)
{
	char slash[PATH_MAX + 3];

	for (size_t i = 0; i < ELEMENTSOF(user_cases); i++)
		check_user(root_full, &user_cases[i]);

	/* Trailing slashes on root do not matter. */
	snprintf(slash, sizeof(slash), "%s//", root_full);
	check_user(slash, &user_cases[0]);
}

struct group_case {
	const char *spec;
	int r;
	uint32_t gid;
};

static const struct group_case group_cases[] = {
	{ "root", 0, 0 },
	{ "staff", 0, 50 },
	{ "50", 0, 50 },
	{ "wheel", 0, 10 }, /* first of two */
	{ "again", 0, 50 },
	{ "primary", 0, 1000 },
	{ "big", 0, 70 },
	{ "dosgroup", 0, 72 },
	{ "zmax", 0, ID_MAX_VALID },
	{ "last", 0, 73 },
	{ "12345", 0, 12345 }, /* no entry needed */
	{ "0", 0, 0 },
	{ "4294967294", 0, ID_MAX_VALID },
	FAIL("4294967295", -ERANGE),
	FAIL("badgid", -ESRCH),
	FAIL("neggid", -ESRCH),
	FAIL("short", -ESRCH),
	FAIL("toolong", -ESRCH),
	FAIL("nulgroup", -ESRCH),
	FAIL("nogroup", -ESRCH),
	FAIL("Staff", -ESRCH),
	FAIL("", -EINVAL),
	FAIL("-1", -EINVAL),
	FAIL("+50", -EINVAL),
	FAIL("a:b", -EINVAL),
	FAIL("a,b", -EINVAL),
};

Test(users, lookup_group)
{
	for (size_t i = 0; i < ELEMENTSOF(group_cases); i++) {
		const struct group_case *c = &group_cases[i];
		gid_t g = SENTINEL;
		int r = users_lookup_group(root_full, c->spec, &g);

		expect_r(r, c->r, "users_lookup_group(\"%s\")", c->spec);
		cr_expect_eq(g, c->r == 0 ? c->gid : SENTINEL, "users_lookup_group(\"%s\") = %u",
			     c->spec, (unsigned)g);
	}
}

struct supplementary_case {
	const char *user;
	gid_t primary;
	size_t max;
	int r;
	size_t n;
	gid_t groups[GROUPS_MAX];
};

static const struct supplementary_case supplementary_cases[] = {
	/* Primary first; duplicates (users, again, primary) dropped; file order; the long line and
	 * the lines with "\r\n" or no final newline count; " app" and "application" do not. */
	{ "app", 1000, GROUPS_MAX, 0, 8, { 1000, 50, 100, 10, 11, 70, 72, 73 } },
	{ "app", 1000, 8, 0, 8, { 1000, 50, 100, 10, 11, 70, 72, 73 } },
	{ .user = "app", .primary = 1000, .max = 7, .r = -E2BIG },
	{ .user = "app", .primary = 1000, .max = 0, .r = -E2BIG },
	{ "app", 50, GROUPS_MAX, 0, 8, { 50, 100, 10, 11, 1000, 70, 72, 73 } },
	{ "other", 5, GROUPS_MAX, 0, 5, { 5, 50, 100, 200, 72 } },
	{ "ap", 7, GROUPS_MAX, 0, 2, { 7, 200 } },
	{ "m0042", 3, GROUPS_MAX, 0, 2, { 3, 70 } },
	{ "nobody", 7, GROUPS_MAX, 0, 1, { 7 } },
	{ "nobody", 7, 1, 0, 1, { 7 } },
	{ "", 7, GROUPS_MAX, 0, 1, { 7 } },
	{ NULL, 7, GROUPS_MAX, 0, 1, { 7 } },
	{ .user = NULL, .primary = 7, .max = 0, .r = -E2BIG },
};

Test(users, supplementary_groups)
{
	for (size_t i = 0; i < ELEMENTSOF(supplementary_cases); i++) {
		const struct supplementary_case *c = &supplementary_cases[i];
		gid_t groups[GROUPS_MAX];
		size_t n = SENTINEL;
		char what[128];
		int r;

		snprintf(what, sizeof(what), "users_supplementary_groups(\"%s\", %u, max %zu)",
			 c->user ? c->user : "(null)", (unsigned)c->primary, c->max);
		r = users_supplementary_groups(root_full, c->user, c->primary, groups, c->max, &n);
		expect_r(r, c->r, "%s", what);
		if (c->r != 0) {
			cr_expect_eq(n, SENTINEL, "%s failed but wrote a count", what);
			continue;
		}
		expect_groups(what, groups, n, c->groups, c->n);
	}
}

struct resolve_case {
	const char *spec;
	int r;
	uint32_t uid, gid;
	size_t n;
	gid_t groups[GROUPS_MAX];
};

static const struct resolve_case resolve_cases[] = {
	{ "app", 0, 1000, 1000, 8, { 1000, 50, 100, 10, 11, 70, 72, 73 } },
	{ "1000", 0, 1000, 1000, 8, { 1000, 50, 100, 10, 11, 70, 72, 73 } },
	/* An explicit group replaces the memberships, as runc's GetExecUser does. */
	{ "app:staff", 0, 1000, 50, 1, { 50 } },
	{ "app:50", 0, 1000, 50, 1, { 50 } },
	{ "app:wheel", 0, 1000, 10, 1, { 10 } },
	{ "1000:1000", 0, 1000, 1000, 1, { 1000 } },
	{ "app:4242", 0, 1000, 4242, 1, { 4242 } },
	{ "4242", 0, 4242, 0, 1, { 0 } },
	{ "4242:4243", 0, 4242, 4243, 1, { 4243 } },
	{ "4242:staff", 0, 4242, 50, 1, { 50 } },
	{ "root", 0, 0, 0, 1, { 0 } },
	{ "0:0", 0, 0, 0, 1, { 0 } },
	{ "daemon:root", 0, 1, 0, 1, { 0 } },
	{ "zmax:zmax", 0, ID_MAX_VALID, ID_MAX_VALID, 1, { ID_MAX_VALID } },
	FAIL("other", -ESRCH), /* in group members only */
	FAIL("nobody", -ESRCH),
	FAIL("nobody:staff", -ESRCH),
	FAIL("app:nogroup", -ESRCH),
	FAIL("app:badgid", -ESRCH),
	FAIL("4294967295", -ERANGE),
	FAIL("app:4294967295", -ERANGE),
	FAIL("", -EINVAL),
	FAIL(":", -EINVAL),
	FAIL(":staff", -EINVAL),
	FAIL("app:", -EINVAL),
	FAIL("app:staff:x", -EINVAL),
	FAIL("app::staff", -EINVAL),
	FAIL("-1:staff", -EINVAL),
	FAIL("app:-1", -EINVAL),
	FAIL("1000:+5", -EINVAL),
	FAIL("app :staff", -EINVAL),
};

static void check_resolve(const char *root, const struct resolve_case *c, size_t max)
{
	gid_t groups[GROUPS_MAX];
	uid_t uid = SENTINEL;
	gid_t gid = SENTINEL;
	size_t n = SENTINEL;
	int r = users_resolve(root, c->spec, &uid, &gid, groups, max, &n);

	expect_r(r, c->r, "users_resolve(\"%s\", max %zu)", c->spec, max);
	if (c->r != 0) {
		cr_expect(uid == SENTINEL && gid == SENTINEL && n == SENTINEL,
			  "users_resolve(\"%s\") failed but wrote", c->spec);
		return;
	}
	cr_expect_eq(uid, c->uid, "\"%s\": uid %u, expected %u", c->spec, (unsigned)uid, c->uid);
	cr_expect_eq(gid, c->gid, "\"%s\": gid %u, expected %u", c->spec, (unsigned)gid, c->gid);
	expect_groups(c->spec, groups, n, c->groups, c->n);
}

Test(users, resolve)
{
	for (size_t i = 0; i < ELEMENTSOF(resolve_cases); i++)
		check_resolve(root_full, &resolve_cases[i], GROUPS_MAX);
}

Test(users, resolve_group_array_too_small)
{
	static const struct resolve_case fits_one = { "app:staff", 0, 1000, 50, 1, { 50 } };
	static const struct resolve_case exact = {
		"app", 0, 1000, 1000, 8, { 1000, 50, 100, 10, 11, 70, 72, 73 }
	};
	static const struct resolve_case too_many = FAIL("app", -E2BIG);
	static const struct resolve_case none = FAIL("app:staff", -E2BIG);

	check_resolve(root_full, &fits_one, 1);
	check_resolve(root_full, &exact, 8);
	check_resolve(root_full, &too_many, 7);
	check_resolve(root_full, &none, 0);
}

/* Lookups where the files are missing or unusable, by root. */
struct root_case {
	const char *spec;
	int user_r;  /* users_lookup_user */
	int group_r; /* users_lookup_group */
	int resolve_r;
	uint32_t uid, gid;
};

/* No passwd or group file: numbers still resolve, names are unknown. */
static const struct root_case missing_cases[] = {
	{ "0", 0, 0, 0, 0, 0 },
	{ "1000", 0, 0, 0, 1000, 0 },
	{ .spec = "root", .user_r = -ESRCH, .group_r = -ESRCH, .resolve_r = -ESRCH },
	{ .spec = "app", .user_r = -ESRCH, .group_r = -ESRCH, .resolve_r = -ESRCH },
	{ .spec = "-1", .user_r = -EINVAL, .group_r = -EINVAL, .resolve_r = -EINVAL },
	{ .spec = "4294967295", .user_r = -ERANGE, .group_r = -ERANGE, .resolve_r = -ERANGE },
};

/* passwd and group are directories: read errors surface, except for a gid, which needs no
 * file. */
static const struct root_case dir_cases[] = {
	{ .spec = "0", .user_r = -EISDIR, .group_r = 0, .resolve_r = -EISDIR },
	{ .spec = "root", .user_r = -EISDIR, .group_r = -EISDIR, .resolve_r = -EISDIR },
	{ .spec = "-1", .user_r = -EINVAL, .group_r = -EINVAL, .resolve_r = -EINVAL },
};

static void check_root(const char *root, const struct root_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct root_case *c = &cases[i];
		struct user_record u;
		gid_t groups[GROUPS_MAX], gid = SENTINEL;
		uid_t uid = SENTINEL;
		size_t ngroups;
		int r;

		r = users_lookup_user(root, c->spec, &u);
		expect_r(r, c->user_r, "%s: users_lookup_user(\"%s\")", root, c->spec);
		if (r == 0 && c->user_r == 0) {
			cr_expect_eq(u.uid, c->uid);
			cr_expect_eq(u.gid, c->gid);
			cr_expect_str_eq(u.name, "");
			cr_expect_str_eq(u.home, "/");
		}

		r = users_lookup_group(root, c->spec, &gid);
		expect_r(r, c->group_r, "%s: users_lookup_group(\"%s\")", root, c->spec);

		r = users_resolve(root, c->spec, &uid, &gid, groups, GROUPS_MAX, &ngroups);
		expect_r(r, c->resolve_r, "%s: users_resolve(\"%s\")", root, c->spec);
		if (r == 0 && c->resolve_r == 0) {
			cr_expect_eq(uid, c->uid);
			cr_expect_eq(gid, c->gid);
			expect_groups(c->spec, groups, ngroups, &c->gid, 1);
		}
	}
}

Test(users, missing_files)
{
	static const struct resolve_case numeric = { "1000:1000", 0, 1000, 1000, 1, { 1000 } };
	gid_t groups[GROUPS_MAX];
	size_t n;

	check_root(root_empty, missing_cases, ELEMENTSOF(missing_cases));
	check_root(root_etc_file, missing_cases, ELEMENTSOF(missing_cases));
	check_resolve(root_empty, &numeric, GROUPS_MAX);

	cr_expect_eq(users_supplementary_groups(root_empty, "app", 7, groups, GROUPS_MAX, &n), 0);
	expect_groups("missing group file", groups, n, (const gid_t[]){ 7 }, 1);
}

Test(users, unreadable_files)
{
	gid_t groups[GROUPS_MAX];
	size_t n;

	check_root(root_dirs, dir_cases, ELEMENTSOF(dir_cases));
	cr_expect_eq(users_supplementary_groups(root_dirs, "app", 7, groups, GROUPS_MAX, &n),
		     -EISDIR);
	/* No user name: the group file is not read. */
	cr_expect_eq(users_supplementary_groups(root_dirs, "", 7, groups, GROUPS_MAX, &n), 0);
}

/* A FIFO with no writer must read as empty rather than block (the suite's timeout catches a
 * hang). */
Test(users, fifo_does_not_block)
{
	static const struct root_case fifo_cases[] = {
		{ "0", 0, 0, 0, 0, 0 },
		{ .spec = "root", .user_r = -ESRCH, .group_r = -ESRCH, .resolve_r = -ESRCH },
	};

	check_root(root_fifo, fifo_cases, ELEMENTSOF(fifo_cases));
}

Test(users, root_path)
{
	struct user_record u;
	char *long_root = malloc(PATH_MAX + 2);

	/* NULL means "/": numeric lookups work whatever this system's /etc/passwd holds. */
	cr_expect_eq(users_lookup_user(NULL, "0", &u), 0);
	cr_expect_eq(u.uid, 0);

	cr_assert_not_null(long_root);
	memset(long_root, 'a', PATH_MAX + 1);
	long_root[0] = '/';
	long_root[PATH_MAX + 1] = '\0';
	cr_expect_eq(users_lookup_user(long_root, "root", &u), -ENAMETOOLONG);
	free(long_root);

	cr_expect_eq(users_lookup_user(root_full, NULL, &u), -EINVAL);
	cr_expect_eq(users_lookup_group(root_full, NULL, NULL), -EINVAL);
}
