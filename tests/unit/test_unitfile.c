/* The unit-file parser: every syntax rule and every error message as a table of (unit name,
 * text, expected entries or expected error), then loading from a directory with templates,
 * instances and drop-ins. */
#include "config.h"

#include "common/unitfile.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define FILENAME "test.service"

/* Warnings collected one per line, so a case can expect them exactly. */
struct warnings {
	char text[2048];
};

static void collect_warning(void *data, const char *message)
{
	struct warnings *w = data;
	size_t len = strlen(w->text);

	snprintf(w->text + len, sizeof(w->text) - len, "%s\n", message);
}

struct parse_case {
	const char *name; /* unit name; NULL means "web.service" */
	const char *text;
	const char *entries[8]; /* "section|key|value|line", in order */
	const char *error;	/* the exact diag.error of a failing parse */
	const char *warnings;	/* every warning, each ending in "\n" */
};

/* clang-format off */
#define PARSE_OK(name, text, ...)	      { name, text, { __VA_ARGS__ }, NULL, NULL }
#define PARSE_WARN(name, text, warnings, ...) { name, text, { __VA_ARGS__ }, NULL, warnings }
#define PARSE_ERROR(name, text, error)	      { name, text, { NULL }, error, NULL }
/* clang-format on */

static const struct parse_case parse_cases[] = {
	/* Sections and assignments. */
	PARSE_OK(NULL, "", NULL),
	PARSE_OK(NULL, "[Unit]\n", NULL),
	PARSE_OK(NULL, "[Unit]\nDescription=Web server\n[Service]\nExecStart=/bin/web\n",
		 "Unit|Description|Web server|2", "Service|ExecStart|/bin/web|4"),
	PARSE_OK(NULL, "[Service]\nA=1", "Service|A|1|2"),
	PARSE_OK(NULL, "  [Unit]  \n\t Description =  spaced  value \t\n",
		 "Unit|Description|spaced  value|2"),
	PARSE_OK(NULL, "[S]\nA=\n", "S|A||2"),
	PARSE_OK(NULL, "[S]\nA=   \n", "S|A||2"),
	PARSE_OK(NULL, "[S]\nA=b=c\n", "S|A|b=c|2"),
	PARSE_OK(NULL, "[S]\nA-b_C9=1\n", "S|A-b_C9|1|2"),
	PARSE_OK(NULL, "[X-Vendor Extras]\nA=1\n", "X-Vendor Extras|A|1|2"),
	/* Repeated sections merge; nothing is said about them. */
	PARSE_OK(NULL, "[A]\nx=1\n[B]\ny=2\n[A]\nx=3\n", "A|x|1|2", "B|y|2|4", "A|x|3|6"),
	/* Comments and empty lines. */
	PARSE_OK(NULL,
		 "# comment\n; comment\n\n   # indented comment\n\t\n[Unit]\nA=1 # not a "
		 "comment\nB=;x\n",
		 "Unit|A|1 # not a comment|7", "Unit|B|;x|8"),
	PARSE_OK(NULL, "[S]\n# A=1 \\\nB=2\n", "S|B|2|3"),
	/* CRLF line ends and a byte-order mark. */
	PARSE_OK(NULL, "[S]\r\nA=1\r\nB=a\\\r\nb\r\n", "S|A|1|2", "S|B|a b|3"),
	PARSE_OK(NULL, "\xef\xbb\xbf[S]\nA=1\n", "S|A|1|2"),
	/* Continuation: the backslash and the line break become one space; the next line is kept
	 * as written; the entry has the line of the key. */
	PARSE_OK(NULL, "[S]\nA=a\\\nb\nC=c\n", "S|A|a b|2", "S|C|c|4"),
	PARSE_OK(NULL, "[S]\nExecStart=/bin/echo \\\n  one \\\n  two\nNext=1\n",
		 "S|ExecStart|/bin/echo    one    two|2", "S|Next|1|5"),
	PARSE_OK(NULL, "[S]\nA=a \\\n# comment\n  ; comment\nb\n", "S|A|a  b|2"),
	PARSE_OK(NULL, "[S]\nA=a\\", "S|A|a|2"),
	PARSE_OK(NULL, "[S]\nA=a\\\n", "S|A|a|2"),
	PARSE_OK(NULL, "[S]\nA=a\\\n\nB=b\n", "S|A|a|2", "S|B|b|4"),
	PARSE_OK(NULL, "[S]\nA=a\\\n   \nB=b\n", "S|A|a|2", "S|B|b|4"),
	PARSE_OK(NULL, "[S]\nA=a\\\\\nB=b\n", "S|A|a\\\\|2", "S|B|b|3"),
	PARSE_OK(NULL, "[S]\nA=a\\\\\\\nb\n", "S|A|a\\\\ b|2"),
	PARSE_OK(NULL, "[S]\nA\\\n=1\n", "S|A|1|2"),
	PARSE_OK(NULL, "[S\\\n]\nA=1\n", "S |A|1|3"),
	/* A backslash followed by blanks does not continue, as in systemd: say so. */
	PARSE_WARN(NULL, "[S]\nA=a\\ \nB=b\n",
		   FILENAME ":2: whitespace after '\\' at the end of the line: not a line "
			    "continuation\n",
		   "S|A|a\\|2", "S|B|b|3"),
	PARSE_OK(NULL, "[S]\nA=a\\\\ \n", "S|A|a\\\\|2"),
	/* Specifiers. */
	PARSE_OK("worker@a-b\\x2dc.service", "[S]\nn=%n\nN=%N\np=%p\ni=%i\nI=%I\npct=100%%\n",
		 "S|n|worker@a-b\\x2dc.service|2", "S|N|worker@a-b\\x2dc|3", "S|p|worker|4",
		 "S|i|a-b\\x2dc|5", "S|I|a/b-c|6", "S|pct|100%|7"),
	PARSE_OK("web.service", "[S]\nA=%n %N %p [%i] [%I]\n", "S|A|web.service web web [] []|2"),
	PARSE_OK("tmpl@.service", "[S]\nA=%n %N %p [%i]\n", "S|A|tmpl@.service tmpl@ tmpl []|2"),
	PARSE_OK("a.b.service", "[S]\nA=%N %p\n", "S|A|a.b a.b|2"),
	PARSE_OK("sock@x.y.socket", "[S]\nA=/run/%p/%i.sock %%i\n", "S|A|/run/sock/x.y.sock %i|2"),
	PARSE_OK("w@a\\b.service", "[S]\nA=%i\n", "S|A|a\\b|2"),
	PARSE_OK(NULL, "[S]\nA=%%%%\n", "S|A|%%|2"),
	PARSE_ERROR(NULL, "[S]\n%n=1\n", FILENAME ":2: invalid key name \"%n\""),
	PARSE_OK(NULL, "[%n]\nA=1\n", "%n|A|1|2"),

	/* Errors: section headers. */
	PARSE_ERROR(NULL, "[Unit\n", FILENAME ":1: malformed section header"),
	PARSE_ERROR(NULL, "[Unit] x\n", FILENAME ":1: malformed section header"),
	PARSE_ERROR(NULL, "[Unit]]\n", FILENAME ":1: malformed section header"),
	PARSE_ERROR(NULL, "[Un[it]\n", FILENAME ":1: malformed section header"),
	PARSE_ERROR(NULL, "[]\n", FILENAME ":1: malformed section header"),
	PARSE_ERROR(NULL, "[\n", FILENAME ":1: malformed section header"),
	PARSE_ERROR(NULL, "[A\tB]\n", FILENAME ":1: malformed section header"),
	PARSE_ERROR(NULL, "[A]\nx=1\n\n[B] # c\n", FILENAME ":4: malformed section header"),
	/* Assignments. */
	PARSE_ERROR(NULL, "A=1\n", FILENAME ":1: A: assignment before any [Section] header"),
	PARSE_ERROR(NULL, "# c\n\nA=1\n[S]\n",
		    FILENAME ":3: A: assignment before any [Section] header"),
	PARSE_ERROR(NULL, "[S]\nfoo bar\n", FILENAME ":2: missing '=' in \"foo bar\""),
	PARSE_ERROR(NULL, "foo\n", FILENAME ":1: missing '=' in \"foo\""),
	PARSE_ERROR(NULL, "[S]\nthis line is much longer than the forty bytes that are quoted\n",
		    FILENAME ":2: missing '=' in \"this line is much longer than the forty ...\""),
	/* Truncation does not split a UTF-8 character (each "é" is two bytes). */
	PARSE_ERROR(NULL, "[S]\n0123456789012345678901234567890123456789\n",
		    FILENAME ":2: missing '=' in \"0123456789012345678901234567890123456789\""),
	PARSE_ERROR(NULL, "[S]\n012345678901234567890123456789012345678\xc3\xa9z\n",
		    FILENAME ":2: missing '=' in \"012345678901234567890123456789012345678...\""),
	PARSE_ERROR(NULL, "[S]\nfoo\x01\n", FILENAME ":2: missing '=' in \"foo?\""),
	PARSE_ERROR(NULL, "[S]\nfoo \\\nbar\n", FILENAME ":2: missing '=' in \"foo  bar\""),
	PARSE_ERROR(NULL, "[S]\n=x\n", FILENAME ":2: missing key name before '=' in \"=x\""),
	PARSE_ERROR(NULL, "[S]\n  = x\n", FILENAME ":2: missing key name before '=' in \"= x\""),
	PARSE_ERROR(NULL, "[S]\nExec Start=x\n", FILENAME ":2: invalid key name \"Exec Start\""),
	PARSE_ERROR(NULL, "[S]\nKey.x=1\n", FILENAME ":2: invalid key name \"Key.x\""),
	PARSE_ERROR(NULL, "[S]\nK\xc3\xa9y=1\n", FILENAME ":2: invalid key name \"K\xc3\xa9y\""),
	PARSE_ERROR(NULL, "[S]\nA:=1\n", FILENAME ":2: invalid key name \"A:\""),
	/* Specifiers. */
	PARSE_ERROR(NULL, "[S]\nA=%x\n", FILENAME ":2: A: unknown specifier %x"),
	PARSE_ERROR(NULL, "[S]\nA=ok\nB=a %u b\n", FILENAME ":3: B: unknown specifier %u"),
	PARSE_ERROR(NULL, "[S]\nA=%\tb\n", FILENAME ":2: A: unknown specifier %\\x09"),
	PARSE_ERROR(NULL, "[S]\nA=%\xc3\xa9\n", FILENAME ":2: A: unknown specifier %\xc3\xa9"),
	/* A trailing '%' is literal (CPUQuota=50%, which systemd does not expand). */
	PARSE_OK(NULL, "[S]\nA=100%\n", "S|A|100%|2"),
	PARSE_OK(NULL, "[S]\nA=%%%\n", "S|A|%%|2"),
	PARSE_ERROR(NULL, "[S]\nA=x \\\n%z\n", FILENAME ":2: A: unknown specifier %z"),
	PARSE_ERROR("w@a\\b.service", "[S]\nA=%I\n",
		    FILENAME ":2: A: %I: instance \"a\\b\" is not validly escaped"),
	PARSE_ERROR("w@a\\x4.service", "[S]\nA=%I\n",
		    FILENAME ":2: A: %I: instance \"a\\x4\" is not validly escaped"),
	PARSE_ERROR("w@a\\x00.service", "[S]\nA=%I\n",
		    FILENAME ":2: A: %I: instance \"a\\x00\" is not validly escaped"),
	/* The unit name. */
	PARSE_ERROR("web", "[S]\nA=1\n", FILENAME ": invalid unit name \"web\""),
	PARSE_ERROR("", "", FILENAME ": invalid unit name \"\""),
};

static const char *unit_or_default(const char *name)
{
	return name ? name : "web.service";
}

Test(parse, table)
{
	for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct warnings warnings = { .text = "" };
		struct unit_diag diag = { .warn = collect_warning, .data = &warnings };
		struct unit_file *unit = (struct unit_file *)&diag; /* must be reset */
		const struct unit_entry *entries;
		size_t n, expected = 0;
		int r;

		r = unit_file_parse_string(unit_or_default(c->name), FILENAME, c->text, &unit,
					   &diag);
		cr_expect_str_eq(warnings.text, c->warnings ? c->warnings : "",
				 "case %zu (%s): warnings", i, c->text);
		if (c->error) {
			cr_expect_eq(r, -EINVAL, "case %zu (%s): returned %d", i, c->text, r);
			cr_expect_null(unit, "case %zu: no unit on failure", i);
			cr_expect_str_eq(diag.error, c->error, "case %zu (%s)", i, c->text);
			continue;
		}
		cr_assert_eq(r, 0, "case %zu (%s): %s", i, c->text, diag.error);
		cr_expect_str_eq(diag.error, "", "case %zu", i);
		n = unit_file_entries(unit, &entries);
		while (expected < ELEMENTSOF(c->entries) && c->entries[expected])
			expected++;
		cr_expect_eq(n, expected, "case %zu (%s): %zu entries, expected %zu", i, c->text, n,
			     expected);
		for (size_t j = 0; j < n && j < expected; j++) {
			char got[512];

			snprintf(got, sizeof(got), "%s|%s|%s|%u", entries[j].section,
				 entries[j].key, entries[j].value, entries[j].line);
			cr_expect_str_eq(got, c->entries[j], "case %zu (%s), entry %zu", i, c->text,
					 j);
			cr_expect_str_eq(entries[j].file, FILENAME);
		}
		cr_expect_str_eq(unit_file_name(unit), unit_or_default(c->name));
		unit_file_free(unit);
	}
}

struct name_case {
	const char *name;
	bool ok;
	const char *prefix, *instance, *suffix;
};

static const struct name_case name_cases[] = {
	{ "web.service", true, "web", "", "service" },
	{ "worker@3.service", true, "worker", "3", "service" },
	{ "tmpl@.service", true, "tmpl", "", "service" },
	{ "a.b.service", true, "a.b", "", "service" },
	{ "x@a.b.service", true, "x", "a.b", "service" },
	{ "getty@tty1.container", true, "getty", "tty1", "container" },
	{ "sys-dev\\x2dx:y_z@i-j\\x2f.mount", true, "sys-dev\\x2dx:y_z", "i-j\\x2f", "mount" },
	{ "", false, NULL, NULL, NULL },
	{ "web", false, NULL, NULL, NULL },
	{ ".service", false, NULL, NULL, NULL },
	{ "web.", false, NULL, NULL, NULL },
	{ "@x.service", false, NULL, NULL, NULL },
	{ "@.service", false, NULL, NULL, NULL },
	{ "a@b@c.service", false, NULL, NULL, NULL },
	{ "a@@.service", false, NULL, NULL, NULL },
	{ "a.b@c", false, NULL, NULL, NULL },
	{ "we b.service", false, NULL, NULL, NULL },
	{ "web/x.service", false, NULL, NULL, NULL },
	{ "../x.service", false, NULL, NULL, NULL },
	{ "w\xc3\xa9.service", false, NULL, NULL, NULL },
	{ "web.serv%ice", false, NULL, NULL, NULL },
};

Test(unit_name, split_table)
{
	for (size_t i = 0; i < ELEMENTSOF(name_cases); i++) {
		const struct name_case *c = &name_cases[i];
		char prefix[256] = "-", instance[256] = "-", suffix[256] = "-";
		bool ok = unit_name_split(c->name, prefix, instance, suffix);

		cr_expect_eq(ok, c->ok, "\"%s\": %d", c->name, ok);
		if (!ok || !c->ok)
			continue;
		cr_expect_str_eq(prefix, c->prefix, "\"%s\"", c->name);
		cr_expect_str_eq(instance, c->instance, "\"%s\"", c->name);
		cr_expect_str_eq(suffix, c->suffix, "\"%s\"", c->name);
	}
}

Test(unit_name, length_limit)
{
	char name[300], prefix[256], instance[256], suffix[256];

	memset(name, 'a', sizeof(name));
	strcpy(name + 255 - strlen(".service"), ".service");
	cr_expect_eq(strlen(name), 255);
	cr_expect(unit_name_split(name, prefix, instance, suffix), "255 bytes are allowed");
	cr_expect_eq(strlen(prefix), 255 - strlen(".service"));

	memset(name, 'a', sizeof(name));
	strcpy(name + 256 - strlen(".service"), ".service");
	cr_expect_not(unit_name_split(name, prefix, instance, suffix), "256 bytes are not");
	cr_expect_not(unit_name_split(NULL, prefix, instance, suffix));
	cr_expect(unit_name_split("a@b.service", NULL, NULL, NULL), "outputs are optional");
}

static const char lookup_text[] = "[Service]\n"
				  "ExecStart=a\n"
				  "ExecStart=b\n"
				  "execstart=z\n"
				  "ExecStart=\n"
				  "ExecStart=c\n"
				  "ExecStart=d\n"
				  "Reset=x\n"
				  "Reset=\n"
				  "[Other]\n"
				  "ExecStart=e\n"
				  "[Service]\n"
				  "Environment=A=1\n";

struct collected {
	char values[64];
	int calls;
	int stop_after;
};

static int collect(const struct unit_entry *entry, void *data)
{
	struct collected *c = data;

	strcat(c->values, entry->value);
	c->calls++;
	return c->calls == c->stop_after ? -ECANCELED : 0;
}

Test(lookup, get_and_foreach)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;
	const struct unit_entry *e;
	struct collected c = { .values = "" };

	cr_assert_eq(unit_file_parse_string("web.service", FILENAME, lookup_text, &unit, &diag), 0);

	e = unit_file_get(unit, "Service", "ExecStart");
	cr_assert_not_null(e);
	cr_expect_str_eq(e->value, "d");
	cr_expect_eq(e->line, 7);
	e = unit_file_get(unit, "Service", "execstart");
	cr_assert_not_null(e, "keys are case-sensitive");
	cr_expect_str_eq(e->value, "z");
	cr_expect_null(unit_file_get(unit, "service", "ExecStart"), "sections are case-sensitive");
	cr_expect_null(unit_file_get(unit, "Service", "Missing"));
	cr_expect_null(unit_file_get(unit, "Missing", "ExecStart"));
	e = unit_file_get(unit, "Service", "Environment");
	cr_assert_not_null(e, "a repeated section adds to the first");
	cr_expect_str_eq(e->value, "A=1");
	e = unit_file_get(unit, "Service", "Reset");
	cr_assert_not_null(e);
	cr_expect_str_eq(e->value, "");

	cr_expect_eq(unit_file_foreach(unit, "Service", "ExecStart", collect, &c), 0);
	cr_expect_str_eq(c.values, "cd", "only the entries after the last empty assignment");
	c = (struct collected){ .values = "" };
	cr_expect_eq(unit_file_foreach(unit, "Other", "ExecStart", collect, &c), 0);
	cr_expect_str_eq(c.values, "e");
	c = (struct collected){ .values = "" };
	cr_expect_eq(unit_file_foreach(unit, "Service", "Reset", collect, &c), 0);
	cr_expect_eq(c.calls, 0, "reset by the last assignment");
	c = (struct collected){ .values = "" };
	cr_expect_eq(unit_file_foreach(unit, "Service", "Missing", collect, &c), 0);
	cr_expect_eq(c.calls, 0);
	c = (struct collected){ .values = "", .stop_after = 1 };
	cr_expect_eq(unit_file_foreach(unit, "Service", "ExecStart", collect, &c), -ECANCELED);
	cr_expect_str_eq(c.values, "c", "stops at the first negative return");
	unit_file_free(unit);
	unit_file_free(NULL);
}

Test(parse, without_diag_and_without_warn_callback)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;

	/* Messages go to the log instead; results are the same. */
	cr_expect_eq(unit_file_parse_string("web.service", FILENAME, "[S]\nA=1\\ \n", &unit, &diag),
		     0);
	unit_file_free(unit);
	cr_expect_eq(unit_file_parse_string("web.service", FILENAME, "A=1\n", &unit, NULL),
		     -EINVAL);
	cr_expect_null(unit);
}

/* ------------------------------------------------------------------------------------------ */
/* Loading from a directory. */

static char root[64];

static void make_root(void)
{
	strcpy(root, "/tmp/test_unitfile.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_root(void)
{
	if (root[0])
		(void)nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *in_root(char *buf, size_t size, const char *relative)
{
	snprintf(buf, size, "%s/%s", root, relative);
	return buf;
}

/* Creates root/RELATIVE (and its directory) holding len bytes of text. */
static void write_file_len(const char *relative, const char *text, size_t len)
{
	char path[512];
	char *slash;
	_cleanup_close_ int fd = -1;

	in_root(path, sizeof(path), relative);
	slash = strrchr(path, '/');
	*slash = '\0';
	if (strcmp(path, root) != 0)
		cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
	*slash = '/';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "open %s", path);
	cr_assert_eq(util_write_all(fd, text, len), 0);
}

static void write_file(const char *relative, const char *text)
{
	write_file_len(relative, text, strlen(text));
}

static void make_dir(const char *relative)
{
	char path[512];

	cr_assert_eq(mkdir(in_root(path, sizeof(path), relative), 0755), 0);
}

static void make_symlink(const char *target, const char *relative)
{
	char path[512];

	cr_assert_eq(symlink(target, in_root(path, sizeof(path), relative)), 0);
}

/* Each expected entry is "FILE:LINE [Section] Key=Value", FILE relative to the root. */
static void expect_entries(const struct unit_file *unit, const char *const *expected)
{
	const struct unit_entry *entries;
	size_t n = unit_file_entries(unit, &entries), count = 0;

	while (expected[count])
		count++;
	cr_expect_eq(n, count, "%s: %zu entries, expected %zu", unit_file_name(unit), n, count);
	for (size_t i = 0; i < n && i < count; i++) {
		size_t root_len = strlen(root);
		const char *file = entries[i].file;
		char got[512];

		cr_expect(strncmp(file, root, root_len) == 0 && file[root_len] == '/', "%s", file);
		snprintf(got, sizeof(got), "%s:%u [%s] %s=%s", file + root_len + 1, entries[i].line,
			 entries[i].section, entries[i].key, entries[i].value);
		cr_expect_str_eq(got, expected[i], "%s: entry %zu", unit_file_name(unit), i);
	}
}

static int load(const char *name, struct unit_file **unit, struct unit_diag *diag)
{
	return unit_file_load(root, name, unit, diag);
}

static void expect_load_error(const char *name, int error, const char *message_in_root)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit = (struct unit_file *)&diag;
	char expected[1024];

	snprintf(expected, sizeof(expected), "%s/%s", root, message_in_root);
	cr_expect_eq(load(name, &unit, &diag), error, "%s: %s", name, diag.error);
	cr_expect_null(unit);
	cr_expect_str_eq(diag.error, expected);
}

TestSuite(load, .init = make_root, .fini = remove_root);

Test(load, dropins_sorted_by_file_name)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;

	write_file("web.service", "[Service]\nExecStart=/bin/web\n");
	write_file("web.service.d/b.conf", "[Service]\nRestart=always\n");
	write_file("web.service.d/a.conf",
		   "# reset\n[Service]\nExecStart=\nExecStart=/bin/web2 %n\n");
	write_file("web.service.d/notes.txt", "not a drop-in\n");
	write_file("web.service.d/.hidden.conf", "not a drop-in\n");
	make_dir("web.service.d/sub.conf");
	make_symlink("b.conf", "web.service.d/c.conf");
	make_symlink("missing", "web.service.d/dangling.conf");

	cr_assert_eq(load("web.service", &unit, &diag), 0, "%s", diag.error);
	cr_expect_str_eq(diag.error, "");
	expect_entries(unit,
		       (const char *const[]){
			       "web.service:2 [Service] ExecStart=/bin/web",
			       "web.service.d/a.conf:3 [Service] ExecStart=",
			       "web.service.d/a.conf:4 [Service] ExecStart=/bin/web2 web.service",
			       "web.service.d/b.conf:2 [Service] Restart=always",
			       "web.service.d/c.conf:2 [Service] Restart=always",
			       NULL,
		       });
	cr_expect_str_eq(unit_file_get(unit, "Service", "ExecStart")->value,
			 "/bin/web2 web.service");
	unit_file_free(unit);
}

Test(load, plain_unit_without_dropins_and_trailing_slash)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;
	char dir[128];

	write_file("web.service", "[Service]\nExecStart=/bin/web\n");
	snprintf(dir, sizeof(dir), "%s/", root);
	cr_assert_eq(unit_file_load(dir, "web.service", &unit, &diag), 0, "%s", diag.error);
	expect_entries(unit,
		       (const char *const[]){ "web.service:2 [Service] ExecStart=/bin/web", NULL });
	unit_file_free(unit);
}

static void write_template(void)
{
	write_file("worker@.service", "[Service]\nExecStart=/bin/worker [%i]\n");
	write_file("worker@.service.d/10-a.conf", "[Service]\nA=template\n");
	write_file("worker@.service.d/20-b.conf", "[Service]\nB=template\n");
	write_file("worker@3.service.d/20-b.conf", "[Service]\nB=instance %I\n");
	write_file("worker@3.service.d/15-c.conf", "[Service]\nC=instance\n");
}

Test(load, instance_from_template_with_both_dropin_dirs)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;

	write_template();
	cr_assert_eq(load("worker@3.service", &unit, &diag), 0, "%s", diag.error);
	cr_expect_str_eq(unit_file_name(unit), "worker@3.service");
	expect_entries(unit, (const char *const[]){
				     "worker@.service:2 [Service] ExecStart=/bin/worker [3]",
				     "worker@.service.d/10-a.conf:2 [Service] A=template",
				     "worker@3.service.d/15-c.conf:2 [Service] C=instance",
				     "worker@3.service.d/20-b.conf:2 [Service] B=instance 3",
				     NULL,
			     });
	unit_file_free(unit);

	/* Another instance has only the template's drop-ins. */
	cr_assert_eq(load("worker@4.service", &unit, &diag), 0, "%s", diag.error);
	expect_entries(unit, (const char *const[]){
				     "worker@.service:2 [Service] ExecStart=/bin/worker [4]",
				     "worker@.service.d/10-a.conf:2 [Service] A=template",
				     "worker@.service.d/20-b.conf:2 [Service] B=template",
				     NULL,
			     });
	unit_file_free(unit);
}

Test(load, instance_with_its_own_file_keeps_template_dropins)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;

	write_template();
	write_file("worker@own.service", "[Service]\nExecStart=/bin/own %p\n");
	cr_assert_eq(load("worker@own.service", &unit, &diag), 0, "%s", diag.error);
	expect_entries(unit, (const char *const[]){
				     "worker@own.service:2 [Service] ExecStart=/bin/own worker",
				     "worker@.service.d/10-a.conf:2 [Service] A=template",
				     "worker@.service.d/20-b.conf:2 [Service] B=template",
				     NULL,
			     });
	unit_file_free(unit);
}

Test(load, template_itself)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;

	write_template();
	cr_assert_eq(load("worker@.service", &unit, &diag), 0, "%s", diag.error);
	expect_entries(unit, (const char *const[]){
				     "worker@.service:2 [Service] ExecStart=/bin/worker []",
				     "worker@.service.d/10-a.conf:2 [Service] A=template",
				     "worker@.service.d/20-b.conf:2 [Service] B=template",
				     NULL,
			     });
	unit_file_free(unit);
}

Test(load, missing_unit)
{
	expect_load_error("nope.service", -ENOENT, "nope.service: no such unit");
	expect_load_error("ghost@1.service", -ENOENT, "ghost@1.service: no such unit");
	/* Drop-ins alone do not make a unit. */
	write_file("only.service.d/a.conf", "[Service]\nA=1\n");
	expect_load_error("only.service", -ENOENT, "only.service: no such unit");
}

Test(load, unreadable_files)
{
	make_dir("dir.service");
	expect_load_error("dir.service", -EISDIR, "dir.service: Is a directory");

	cr_assert_eq(mkfifo(in_root((char[512]){ 0 }, 512, "fifo.service"), 0644), 0);
	expect_load_error("fifo.service", -EINVAL, "fifo.service: not a regular file");

	/* A drop-in that is there but cannot be read fails the whole unit. */
	write_file("web.service", "[Service]\nA=1\n");
	make_dir("web.service.d");
	make_dir("web.service.d/real-dir");
	make_symlink("real-dir", "web.service.d/link.conf");
	expect_load_error("web.service", -EISDIR, "web.service.d/link.conf: Is a directory");

	write_file("file.service", "[Service]\nA=1\n");
	write_file("file.service.d", "not a directory\n");
	expect_load_error("file.service", -ENOTDIR, "file.service.d: Not a directory");
}

Test(load, syntax_errors_name_the_file)
{
	write_file("web.service", "[Service]\nA=1\n");
	write_file("web.service.d/bad.conf", "\n[Service]\noops\n");
	expect_load_error("web.service", -EINVAL,
			  "web.service.d/bad.conf:3: missing '=' in \"oops\"");

	write_file_len("nul.service", "[Service]\nA=1\0\n", 15);
	expect_load_error("nul.service", -EINVAL, "nul.service:2: NUL byte in file");

	expect_load_error("../x", -EINVAL, "../x: invalid unit name");
	expect_load_error("web", -EINVAL, "web: invalid unit name");
}

Test(load, size_limit)
{
	const size_t limit = 1024 * 1024;
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;
	char *text = malloc(limit + 1);

	cr_assert_not_null(text);
	/* Exactly 1 MiB: comment lines, then one assignment at the very end. */
	memset(text, '#', limit);
	for (size_t i = 63; i < limit; i += 64)
		text[i] = '\n';
	memcpy(text + limit - 12, "\n[S]\nA=1234\n", 12);
	write_file_len("big.service", text, limit);
	cr_assert_eq(load("big.service", &unit, &diag), 0, "%s", diag.error);
	cr_expect_str_eq(unit_file_get(unit, "S", "A")->value, "1234");
	unit_file_free(unit);

	text[limit] = '\n';
	write_file_len("huge.service", text, limit + 1);
	expect_load_error("huge.service", -EFBIG, "huge.service: larger than 1 MiB");
	free(text);
}

Test(load, without_diag)
{
	struct unit_file *unit;

	cr_expect_eq(unit_file_load(root, "nope.service", &unit, NULL), -ENOENT);
	cr_expect_null(unit);
}
