#include "config.h"

#include "launcher/cli.h"
#include "common/util.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB	 (UINT64_C(1024) * 1024)
#define GIB	 (MIB * 1024)
#define MAX_ARGS 12
#define TEST_DIR "/tmp/claunch-test-cli"

static void make_fixtures(void)
{
	FILE *f;

	(void)mkdir(TEST_DIR, 0755);
	(void)mkdir(TEST_DIR "/rootfs", 0755);
	(void)mkdir(TEST_DIR "/units", 0755);
	f = fopen(TEST_DIR "/env", "w");
	cr_assert(f);
	fputs("A=1\n", f);
	fclose(f);
	f = fopen(TEST_DIR "/seccomp.json", "w");
	cr_assert(f);
	fputs("{}\n", f);
	fclose(f);
}

static int argc_of(const char *const *args)
{
	int n = 1;

	while (n < MAX_ARGS && args[n - 1])
		n++;
	return n;
}

/* Parses "claunch ARGS..." */
static int parse(const char *const *args, struct claunch_options *o, char *err, size_t size)
{
	char *argv[MAX_ARGS + 2] = { (char *)"claunch" };
	int argc = argc_of(args);

	for (int i = 1; i < argc; i++)
		argv[i] = (char *)args[i - 1];
	argv[argc] = NULL;
	return claunch_parse(argc, argv, o, err, size);
}

/* ---- good flag sets ---- */

struct good_case {
	const char *args[MAX_ARGS];
	uint64_t memory, swap, quota, weight, pids;
	const char *cpuset;
};

#define NO_LIMITS CG_UNLIMITED, 0, CG_UNLIMITED, 0, CG_UNLIMITED, NULL

static const struct good_case good_cases[] = {
	{ { "true" }, NO_LIMITS },
	{ { "--memory", "256m", "true" }, 256 * MIB, 0, CG_UNLIMITED, 0, CG_UNLIMITED, NULL },
	{ { "-m", "1G", "true" }, GIB, 0, CG_UNLIMITED, 0, CG_UNLIMITED, NULL },
	{ { "--memory=0", "true" }, NO_LIMITS },
	{ { "--memory", "infinity", "true" }, NO_LIMITS },
	{ { "--memory", "256m", "--memory-swap", "512m", "true" },
	  256 * MIB,
	  512 * MIB,
	  CG_UNLIMITED,
	  0,
	  CG_UNLIMITED,
	  NULL },
	{ { "--memory", "256m", "--memory-swap", "-1", "true" },
	  256 * MIB,
	  CG_UNLIMITED,
	  CG_UNLIMITED,
	  0,
	  CG_UNLIMITED,
	  NULL },
	{ { "--cpus", "0.5", "true" }, CG_UNLIMITED, 0, 50000, 0, CG_UNLIMITED, NULL },
	{ { "--cpus", "0.01", "true" }, CG_UNLIMITED, 0, 1000, 0, CG_UNLIMITED, NULL },
	{ { "--cpus", "1", "true" }, CG_UNLIMITED, 0, 100000, 0, CG_UNLIMITED, NULL },
	{ { "--cpu-weight", "1", "true" }, CG_UNLIMITED, 0, CG_UNLIMITED, 1, CG_UNLIMITED, NULL },
	{ { "--cpu-weight", "10000", "true" },
	  CG_UNLIMITED,
	  0,
	  CG_UNLIMITED,
	  10000,
	  CG_UNLIMITED,
	  NULL },
	{ { "--cpuset-cpus", "0-3,5", "true" },
	  CG_UNLIMITED,
	  0,
	  CG_UNLIMITED,
	  0,
	  CG_UNLIMITED,
	  "0-3,5" },
	{ { "--cpuset-cpus", "0", "true" }, CG_UNLIMITED, 0, CG_UNLIMITED, 0, CG_UNLIMITED, "0" },
	{ { "--pids-limit", "100", "true" }, CG_UNLIMITED, 0, CG_UNLIMITED, 0, 100, NULL },
	{ { "--pids-limit", "-1", "true" }, NO_LIMITS },
	{ { "--pids-limit", "0", "true" }, NO_LIMITS },
	{ { "--memory", "64m", "--memory", "128m", "true" },
	  128 * MIB,
	  0,
	  CG_UNLIMITED,
	  0,
	  CG_UNLIMITED,
	  NULL },
};

Test(cli, good_limits)
{
	for (size_t i = 0; i < ELEMENTSOF(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		struct claunch_options o;
		char err[512] = "";
		int r = parse(c->args, &o, err, sizeof(err));

		cr_assert_eq(r, 0, "%s: %d %s", c->args[0], r, err);
		cr_expect_eq(o.limits.memory_max, c->memory, "%s %s", c->args[0], c->args[1]);
		cr_expect_eq(o.limits.memory_swap_max, c->swap, "%s %s", c->args[0], c->args[1]);
		cr_expect_eq(o.limits.cpu_quota_usec, c->quota, "%s %s", c->args[0], c->args[1]);
		cr_expect_eq(o.limits.cpu_weight, c->weight, "%s %s", c->args[0], c->args[1]);
		cr_expect_eq(o.limits.pids_max, c->pids, "%s %s", c->args[0], c->args[1]);
		if (c->cpuset)
			cr_expect_str_eq(o.limits.cpuset_cpus, c->cpuset);
		else
			cr_expect_null(o.limits.cpuset_cpus);
		cr_expect_eq(o.n_command, 1);
		cr_expect_str_eq(o.command[0], "true");
		claunch_options_free(&o);
	}
}

Test(cli, every_other_flag)
{
	struct claunch_options o;
	char err[512] = "";
	char *argv[] = { "claunch",
			 "--name",
			 "web.1",
			 "--rootfs",
			 TEST_DIR "/rootfs",
			 "--bind",
			 "/tmp:/data:ro",
			 "-v",
			 "/:/host",
			 "--tmpfs",
			 "/run",
			 "--tmpfs",
			 "/scratch:size=64m",
			 "--read-only",
			 "--hostname",
			 "box.example",
			 "--net",
			 "host",
			 "-e",
			 "A=1",
			 "-e",
			 "CLI_TEST_FROM_ENV",
			 "-e",
			 "CLI_TEST_UNSET",
			 "--env",
			 "A=2",
			 "--env-file",
			 TEST_DIR "/env",
			 "-w",
			 "/srv",
			 "--user",
			 "1000:100",
			 "--cap-add",
			 "sys_admin",
			 "--cap-add",
			 "CAP_net_RAW",
			 "--cap-drop",
			 "all",
			 "--security-opt",
			 "no-new-privileges",
			 "--security-opt",
			 "seccomp=" TEST_DIR "/seccomp.json",
			 "--cgroup-driver",
			 "cgroupfs",
			 "--cgroup-parent",
			 "/my/parent",
			 "--units",
			 TEST_DIR "/units",
			 "--no-init",
			 "-t",
			 "-i",
			 "--privileged",
			 "--",
			 "sh",
			 "-c",
			 "echo hi",
			 NULL };

	make_fixtures();
	setenv("CLI_TEST_FROM_ENV", "from env", 1);
	unsetenv("CLI_TEST_UNSET");
	cr_assert_eq(claunch_parse(ELEMENTSOF(argv) - 1, argv, &o, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(o.name, "web.1");
	cr_expect_str_eq(o.rootfs, TEST_DIR "/rootfs");
	cr_assert_eq(o.n_binds, 2);
	cr_expect_str_eq(o.binds[0].source, "/tmp");
	cr_expect_str_eq(o.binds[0].destination, "/data");
	cr_expect(o.binds[0].read_only);
	cr_expect_str_eq(o.binds[1].destination, "/host");
	cr_expect_not(o.binds[1].read_only);
	cr_assert_eq(o.n_tmpfs, 2);
	cr_expect_str_eq(o.tmpfs[0].destination, "/run");
	cr_expect_null(o.tmpfs[0].options);
	cr_expect_str_eq(o.tmpfs[1].options, "size=64m");
	cr_expect(o.read_only);
	cr_expect_str_eq(o.hostname, "box.example");
	cr_expect_eq(o.net, CLAUNCH_NET_HOST);
	cr_assert_eq(o.n_env, 2);
	cr_expect_str_eq(o.env[0], "A=2");
	cr_expect_str_eq(o.env[1], "CLI_TEST_FROM_ENV=from env");
	cr_expect_null(o.env[2]);
	cr_assert_eq(o.n_env_files, 1);
	cr_expect_str_eq(o.working_dir, "/srv");
	cr_expect_str_eq(o.user, "1000");
	cr_expect_str_eq(o.group, "100");
	cr_assert_eq(o.n_cap_add, 2);
	cr_expect_str_eq(o.cap_add[0], "CAP_SYS_ADMIN");
	cr_expect_str_eq(o.cap_add[1], "CAP_NET_RAW");
	cr_assert_eq(o.n_cap_drop, 1);
	cr_expect_str_eq(o.cap_drop[0], "ALL");
	cr_expect(o.no_new_privileges);
	cr_expect_eq(o.seccomp, CLAUNCH_SECCOMP_FILE);
	cr_expect_str_eq(o.seccomp_file, TEST_DIR "/seccomp.json");
	cr_expect_eq(o.cgroup_driver, CLAUNCH_CGROUP_CGROUPFS);
	cr_expect_str_eq(o.cgroup_parent, "/my/parent");
	cr_expect_str_eq(o.units, TEST_DIR "/units");
	cr_expect(o.no_init && o.tty && o.interactive && o.privileged);
	cr_assert_eq(o.n_command, 3);
	cr_expect_str_eq(o.command[2], "echo hi");
	cr_expect_null(o.command[3]);
	claunch_options_free(&o);
}

Test(cli, command_options_are_not_ours)
{
	const char *args[] = { "--memory", "64m", "ls", "-l", "--memory", "x", NULL };
	struct claunch_options o;
	char err[512] = "";

	cr_assert_eq(parse(args, &o, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(o.n_command, 4);
	cr_expect_str_eq(o.command[1], "-l");
	cr_expect_str_eq(o.command[3], "x");
	claunch_options_free(&o);
}

Test(cli, defaults)
{
	const char *args[] = { NULL };
	struct claunch_options o;
	char err[512] = "";

	cr_assert_eq(parse(args, &o, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(o.n_command, 0);
	cr_expect_null(o.command);
	cr_expect_eq(o.net, CLAUNCH_NET_NONE);
	cr_expect_eq(o.seccomp, CLAUNCH_SECCOMP_DEFAULT);
	cr_expect_eq(o.cgroup_driver, CLAUNCH_CGROUP_AUTO);
	cr_expect_not(o.no_new_privileges);
	cr_expect_null(o.cgroup_parent);
	claunch_options_free(&o);
}

Test(cli, generated_name)
{
	const char *args[] = { "true", NULL };
	struct claunch_options a, b;
	char err[512] = "";

	cr_assert_eq(parse(args, &a, err, sizeof(err)), 0);
	cr_assert_eq(parse(args, &b, err, sizeof(err)), 0);
	cr_assert_eq(strlen(a.name), strlen("claunch-") + 8, "%s", a.name);
	cr_expect_eq(strncmp(a.name, "claunch-", 8), 0);
	for (size_t i = 8; i < 16; i++)
		cr_expect(strchr("0123456789abcdef", a.name[i]), "%s", a.name);
	cr_expect_str_neq(a.name, b.name);
	claunch_options_free(&a);
	claunch_options_free(&b);
}

Test(cli, help_and_version)
{
	const char *help[] = { "--help", NULL },
		   *version[] = { "--memory", "1q", "--version", NULL };
	struct claunch_options o;
	char err[512] = "";

	cr_redirect_stdout();
	cr_expect_eq(parse(help, &o, err, sizeof(err)), 1);
	claunch_options_free(&o);
	/* --version wins over a bad value before it: values are applied after the scan. */
	cr_expect_eq(parse(version, &o, err, sizeof(err)), 1);
	claunch_options_free(&o);
}

/* ---- bad values: the exact one-line message ---- */

struct bad_case {
	const char *args[MAX_ARGS];
	const char *error;
};

static const struct bad_case bad_cases[] = {
	{ { "--memory", "256q" }, "--memory: \"256q\" is not a size" },
	{ { "-m", "-1" }, "-m: \"-1\" must not be negative" },
	{ { "--memory", "1m" }, "--memory: \"1m\" is below the minimum of 6MiB" },
	{ { "--memory", "" }, "--memory: \"\" is not a size" },
	{ { "--memory-swap", "x" }, "--memory-swap: \"x\" is not a size" },
	{ { "--memory-swap", "1g" }, "--memory-swap: needs --memory" },
	{ { "--memory", "512m", "--memory-swap", "256m" },
	  "--memory-swap: 268435456 bytes is less than --memory (536870912 bytes); it is memory "
	  "+ swap" },
	{ { "--cpus", "-1" }, "--cpus: \"-1\" must not be negative" },
	{ { "--cpus", "0" }, "--cpus: \"0\" must be more than 0" },
	{ { "--cpus", "0.001" }, "--cpus: \"0.001\" is less than the minimum of 0.01" },
	{ { "--cpus", "half" }, "--cpus: \"half\" is not a CPU count" },
	{ { "--cpu-weight", "0" }, "--cpu-weight: \"0\" is out of range (1-10000)" },
	{ { "--cpu-weight", "10001" }, "--cpu-weight: \"10001\" is out of range (1-10000)" },
	{ { "--cpu-weight", "x" }, "--cpu-weight: \"x\" is not an integer" },
	{ { "--cpu-shares", "1" }, "--cpu-shares: \"1\" is out of range (2-262144)" },
	{ { "-c", "262145" }, "-c: \"262145\" is out of range (2-262144)" },
	{ { "--cpu-shares", "512", "--cpu-weight", "5", "true" },
	  "--cpu-shares and --cpu-weight: give one (the same weight on two scales)" },
	{ { "--cpuset-cpus", "0-" }, "--cpuset-cpus: \"0-\" is not a CPU list (such as 0-3,5)" },
	{ { "--cpuset-cpus", "3-1" }, "--cpuset-cpus: \"3-1\" is not a CPU list (such as 0-3,5)" },
	{ { "--cpuset-cpus", "1,,2" },
	  "--cpuset-cpus: \"1,,2\" is not a CPU list (such as 0-3,5)" },
	{ { "--pids-limit", "-2" }, "--pids-limit: \"-2\" must not be negative" },
	{ { "--pids-limit", "ten" }, "--pids-limit: \"ten\" is not an integer" },
	{ { "--rootfs", "/nope" }, "--rootfs: \"/nope\": No such file or directory" },
	{ { "--rootfs", "/etc/passwd" }, "--rootfs: \"/etc/passwd\": Not a directory" },
	{ { "--bind", "/nope:/x" }, "--bind: \"/nope:/x\": /nope: No such file or directory" },
	{ { "--bind", "/tmp:x" }, "--bind: \"/tmp:x\": x is not an absolute path" },
	{ { "--bind", "/tmp" }, "--bind: \"/tmp\" is not SRC:DST[:ro|rw]" },
	{ { "-v", "/tmp:/x:rx" }, "-v: \"/tmp:/x:rx\": rx is not ro or rw" },
	{ { "--tmpfs", "run" }, "--tmpfs: \"run\" is not an absolute path" },
	{ { "--hostname", "a_b" }, "--hostname: \"a_b\" is not a valid hostname" },
	{ { "--hostname", "-a" }, "--hostname: \"-a\" is not a valid hostname" },
	{ { "--hostname", "a..b" }, "--hostname: \"a..b\" is not a valid hostname" },
	{ { "--net", "bridge" }, "--net: \"bridge\" is not none or host" },
	{ { "-e", "=x" }, "-e: \"=x\" is not K=V or K" },
	{ { "--env-file", "/nope" }, "--env-file: \"/nope\": No such file or directory" },
	{ { "-w", "srv" }, "-w: \"srv\" is not an absolute path" },
	{ { "--user", "1:2:3" }, "--user: \"1:2:3\" is not UID[:GID]" },
	{ { "--user", "" }, "--user: \"\" is not UID[:GID]" },
	{ { "--user", "Bad User" }, "--user: \"Bad User\" is not UID[:GID]" },
	{ { "--cap-add", "CAP_FOO" }, "--cap-add: \"CAP_FOO\" is not a capability" },
	{ { "--cap-drop", "everything" }, "--cap-drop: \"everything\" is not a capability" },
	{ { "--security-opt", "apparmor=x" },
	  "--security-opt: \"apparmor=x\" is not no-new-privileges or "
	  "seccomp=default|unconfined|FILE" },
	{ { "--security-opt", "seccomp=/nope.json" },
	  "--security-opt: \"seccomp=/nope.json\": /nope.json: No such file or directory" },
	{ { "--security-opt", "no-new-privileges=maybe" },
	  "--security-opt: \"no-new-privileges=maybe\" is not a boolean option" },
	{ { "--cgroup-driver", "cgmanager" },
	  "--cgroup-driver: \"cgmanager\" is not auto, cgroupfs or systemd" },
	{ { "--cgroup-parent", "claunch" },
	  "--cgroup-parent: \"claunch\" is neither an absolute cgroup path nor a slice name "
	  "(NAME.slice)" },
	{ { "--cgroup-parent", "/a/../b" },
	  "--cgroup-parent: \"/a/../b\" is neither an absolute cgroup path nor a slice name "
	  "(NAME.slice)" },
	{ { "--units", "/nope" }, "--units: \"/nope\": No such file or directory" },
	{ { "--name", "-x" },
	  "--name: \"-x\" is not a valid name (a letter or digit, then letters, digits, \"_\", "
	  "\".\" or \"-\"; at most 64)" },
	{ { "--config", "/nope.container" },
	  "--config: \"/nope.container\": No such file or directory" },
	{ { "--config", "/tmp" }, "--config: \"/tmp\": Is a directory" },
	{ { "--bogus" }, "unknown flag \"--bogus\" (see --help)" },
	{ { "-Z" }, "unknown flag \"-Z\" (see --help)" },
	{ { "--memory" }, "--memory: needs a value" },
	{ { "-e" }, "-e: needs a value" },
};

Test(cli, bad_values)
{
	for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		struct claunch_options o;
		char err[512] = "";
		int r = parse(c->args, &o, err, sizeof(err));

		cr_expect_eq(r, -EINVAL, "%s %s: %d", c->args[0], c->args[1] ? c->args[1] : "", r);
		cr_expect_str_eq(err, c->error);
		cr_expect_null(strchr(err, '\n'));
		claunch_options_free(&o);
	}
}

Test(cli, cpus_beyond_the_machine)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char count[32], expected[128], err[512] = "";
	const char *args[] = { "--cpus", count, "true", NULL };
	struct claunch_options o;

	snprintf(count, sizeof(count), "%ld", n + 1);
	snprintf(expected, sizeof(expected), "--cpus: \"%ld\" is more than the %ld CPU%s available",
		 n + 1, n, n == 1 ? "" : "s");
	cr_expect_eq(parse(args, &o, err, sizeof(err)), -EINVAL);
	cr_expect_str_eq(err, expected);
	claunch_options_free(&o);

	snprintf(count, sizeof(count), "%ld", n);
	cr_expect_eq(parse(args, &o, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(o.limits.cpu_quota_usec, (uint64_t)n * CG_CPU_PERIOD_USEC);
	claunch_options_free(&o);
}

/* ---- config files ---- */

struct warnings {
	char text[2048];
	int count;
};

static void collect_warning(void *data, const char *message)
{
	struct warnings *w = data;

	w->count++;
	strncat(w->text, message, sizeof(w->text) - strlen(w->text) - 2);
	strcat(w->text, "\n");
}

static const char full_config[] = "# a web container\n"
				  "[Container]\n"
				  "Name=web\n"
				  "Exec=/bin/sh -c \"echo hello; sleep 1\"\n"
				  "Memory=256M\n"
				  "MemorySwap=1G\n"
				  "CPUs=0.5\n"
				  "CPUWeight=200\n"
				  "CPUSetCPUs=0\n"
				  "PidsLimit=100\n"
				  "BindPaths=/tmp:/data:ro /:/host\n"
				  "TemporaryFileSystem=/run\n"
				  "ReadOnly=yes\n"
				  "Hostname=web\n"
				  "Network=host\n"
				  "Environment=A=1 \"B=two words\"\n"
				  "EnvironmentFile=" TEST_DIR "/env\n"
				  "WorkingDirectory=/srv\n"
				  "User=nobody:nogroup\n"
				  "AddCapability=NET_ADMIN sys_time\n"
				  "DropCapability=ALL\n"
				  "SecurityOpt=no-new-privileges seccomp=unconfined\n"
				  "CgroupDriver=systemd\n"
				  "CgroupParent=/containers\n"
				  "Units=" TEST_DIR "/units\n"
				  "NoInit=no\n"
				  "TTY=yes\n"
				  "Interactive=true\n"
				  "Privileged=0\n";

Test(config, every_key)
{
	struct claunch_options o;
	struct warnings w = { "", 0 };
	struct unit_diag diag = { .warn = collect_warning, .data = &w };

	make_fixtures();
	claunch_options_init(&o);
	cr_assert_eq(claunch_config_parse_string("web.container", full_config, &o, &diag), 0, "%s",
		     diag.error);
	cr_expect_eq(w.count, 0, "%s", w.text);
	cr_expect_str_eq(o.name, "web");
	cr_assert_eq(o.n_command, 3);
	cr_expect_str_eq(o.command[2], "echo hello; sleep 1");
	cr_expect_eq(o.limits.memory_max, 256 * MIB);
	cr_expect_eq(o.limits.memory_swap_max, GIB);
	cr_expect_eq(o.limits.cpu_quota_usec, 50000);
	cr_expect_eq(o.limits.cpu_weight, 200);
	cr_expect_str_eq(o.limits.cpuset_cpus, "0");
	cr_expect_eq(o.limits.pids_max, 100);
	cr_expect_eq(o.n_binds, 2);
	cr_expect_eq(o.n_tmpfs, 1);
	cr_expect(o.read_only);
	cr_expect_eq(o.net, CLAUNCH_NET_HOST);
	cr_assert_eq(o.n_env, 2);
	cr_expect_str_eq(o.env[1], "B=two words");
	cr_expect_str_eq(o.user, "nobody");
	cr_expect_str_eq(o.group, "nogroup");
	cr_expect_str_eq(o.cap_add[1], "CAP_SYS_TIME");
	cr_expect(o.no_new_privileges);
	cr_expect_eq(o.seccomp, CLAUNCH_SECCOMP_UNCONFINED);
	cr_expect_eq(o.cgroup_driver, CLAUNCH_CGROUP_SYSTEMD);
	cr_expect(o.tty && o.interactive && !o.privileged && !o.no_init);
	claunch_options_free(&o);
}

struct config_case {
	const char *text;
	const char *error; /* NULL: parses */
};

static const struct config_case config_errors[] = {
	{ "[Container]\nMemory=256q\n", "c.container:2: Memory: \"256q\" is not a size" },
	{ "[Container]\nName=x\n\nCPUs=-1\n", "c.container:4: CPUs: \"-1\" must not be negative" },
	{ "[Container]\nBindPaths=/tmp:/a /nope:/b\n",
	  "c.container:2: BindPaths: \"/nope:/b\": /nope: No such file or directory" },
	{ "[Container]\nEnvironment=FOO\n", "c.container:2: Environment: \"FOO\" is not K=V" },
	{ "[Container]\nExec=/bin/sh \"unbalanced\n", NULL /* reason from the word splitter */ },
	{ "[Container]\nTTY=perhaps\n", "c.container:2: TTY: \"perhaps\" is not a boolean" },
	{ "[Container]\nNetwork=bridge\n",
	  "c.container:2: Network: \"bridge\" is not none or host" },
	{ "[Container]\nAddCapability=CAP_CHOWN NOPE\n",
	  "c.container:2: AddCapability: \"NOPE\" is not a capability" },
};

Test(config, errors)
{
	for (size_t i = 0; i < ELEMENTSOF(config_errors); i++) {
		const struct config_case *c = &config_errors[i];

		struct claunch_options o;
		struct unit_diag diag = { .warn = NULL };

		claunch_options_init(&o);
		cr_expect_eq(claunch_config_parse_string("c.container", c->text, &o, &diag),
			     -EINVAL);
		if (c->error)
			cr_expect_str_eq(diag.error, c->error);
		else
			cr_expect_eq(strncmp(diag.error, "c.container:2: Exec: ", 21), 0, "%s",
				     diag.error);
		cr_expect_null(strchr(diag.error, '\n'));
		claunch_options_free(&o);
	}
}

Test(config, syntax_error_has_file_and_line)
{
	struct claunch_options o;
	struct unit_diag diag = { .warn = NULL };

	claunch_options_init(&o);
	cr_expect_lt(claunch_config_parse_string("c.container", "[Container]\nMemory=1G\n[Broken\n",
						 &o, &diag),
		     0);
	cr_expect_eq(strncmp(diag.error, "c.container:3: ", 15), 0, "%s", diag.error);
	claunch_options_free(&o);
}

Test(config, unknown_sections_warn_unknown_keys_are_errors)
{
	struct claunch_options o;
	struct warnings w = { "", 0 };
	struct unit_diag diag = { .warn = collect_warning, .data = &w };

	claunch_options_init(&o);
	cr_assert_eq(claunch_config_parse_string("c.container",
						 "[Unit]\nDescription=x\nAfter=y\n"
						 "[Container]\nMemory=64m\n",
						 &o, &diag),
		     0, "%s", diag.error);
	cr_expect_str_eq(w.text, "c.container:2: unknown section [Unit], ignoring\n");
	cr_expect_eq(o.limits.memory_max, 64 * MIB);
	claunch_options_free(&o);

	claunch_options_init(&o);
	cr_expect_eq(claunch_config_parse_string("c.container",
						 "[Container]\nMemory=64m\nMemroy=1\n", &o, &diag),
		     -EINVAL);
	cr_expect_str_eq(diag.error, "c.container:3: unknown key \"Memroy\" in [Container]");
	claunch_options_free(&o);
}

Test(config, empty_assignment_resets_a_list)
{
	struct claunch_options o;
	struct unit_diag diag = { .warn = NULL };

	claunch_options_init(&o);
	cr_assert_eq(claunch_config_parse_string("c.container",
						 "[Container]\nEnvironment=A=1\nEnvironment=\n"
						 "Environment=B=2\nAddCapability=CHOWN\n"
						 "AddCapability=KILL\n",
						 &o, &diag),
		     0, "%s", diag.error);
	cr_assert_eq(o.n_env, 1);
	cr_expect_str_eq(o.env[0], "B=2");
	cr_expect_eq(o.n_cap_add, 2);
	claunch_options_free(&o);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

Test(config, flags_override_the_file)
{
	char *argv[] = {
		"claunch", "--memory",	"1g",	      "--config", TEST_DIR "/web.container",
		"-e",	   "C=3",	"--cap-add",  "KILL",	  "--net",
		"none",	   "/bin/echo", "from flags", NULL
	};
	struct claunch_options o;
	char err[512] = "";

	make_fixtures();
	write_file(TEST_DIR "/web.container", full_config);
	cr_assert_eq(claunch_parse(ELEMENTSOF(argv) - 1, argv, &o, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(o.config, TEST_DIR "/web.container");
	cr_expect_eq(o.limits.memory_max, GIB);	      /* flag, given before --config */
	cr_expect_eq(o.limits.cpu_quota_usec, 50000); /* file */
	cr_expect_eq(o.net, CLAUNCH_NET_NONE);	      /* flag */
	cr_assert_eq(o.n_env, 3);		      /* appended */
	cr_expect_str_eq(o.env[2], "C=3");
	cr_assert_eq(o.n_cap_add, 3);
	cr_expect_str_eq(o.cap_add[2], "CAP_KILL");
	cr_assert_eq(o.n_command, 2); /* the command replaces Exec= */
	cr_expect_str_eq(o.command[1], "from flags");
	cr_expect_str_eq(o.name, "web");
	claunch_options_free(&o);
}

Test(config, file_errors_name_file_and_line)
{
	char *argv[] = { "claunch", "--config", TEST_DIR "/bad.container", "true", NULL };
	struct claunch_options o;
	struct warnings w = { "", 0 };
	char err[512] = "";

	make_fixtures();
	write_file(TEST_DIR "/bad.container", "[Container]\nFoo=1\nPidsLimit=lots\n");
	cr_expect_eq(claunch_parse_full(ELEMENTSOF(argv) - 1, argv, &o, err, sizeof(err),
					collect_warning, &w),
		     -EINVAL);
	/* the first error: the unknown key */
	cr_expect_str_eq(err, TEST_DIR "/bad.container:2: unknown key \"Foo\" in [Container]");
	claunch_options_free(&o);
}

/* ---- --print-config ---- */

static char *print_config(const struct claunch_options *o)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	cr_assert(f);
	cr_assert_eq(claunch_print_config(o, f), 0);
	fclose(f);
	return text;
}

static void assert_round_trip(const struct claunch_options *o)
{
	_cleanup_free_ char *first = print_config(o);
	_cleanup_free_ char *second = NULL;
	struct claunch_options again;
	struct unit_diag diag = { .warn = NULL };

	claunch_options_init(&again);
	cr_assert_eq(claunch_config_parse_string("printed.container", first, &again, &diag), 0,
		     "%s\n%s", diag.error, first);
	second = print_config(&again);
	cr_expect_str_eq(second, first);
	cr_expect_eq(memcmp(&again.limits, &o->limits, offsetof(struct cg_limits, cpuset_cpus)), 0);
	cr_expect_eq(again.nanocpus, o->nanocpus);
	cr_expect_eq(again.n_command, o->n_command);
	for (size_t i = 0; i < o->n_command; i++)
		cr_expect_str_eq(again.command[i], o->command[i]);
	cr_expect_eq(again.n_env, o->n_env);
	for (size_t i = 0; i < o->n_env; i++)
		cr_expect_str_eq(again.env[i], o->env[i]);
	cr_expect_eq(again.n_binds, o->n_binds);
	cr_expect_eq(again.no_new_privileges, o->no_new_privileges);
	cr_expect_eq(again.seccomp, o->seccomp);
	claunch_options_free(&again);
}

Test(print_config, round_trip_of_flags)
{
	char *argv[] = { "claunch",
			 "--memory",
			 "300000001",
			 "--memory-swap",
			 "-1",
			 "--cpus",
			 "0.123456789",
			 "--pids-limit",
			 "7",
			 "--bind",
			 "/tmp:/d:ro",
			 "--tmpfs",
			 "/run:size=1m,mode=0755",
			 "-e",
			 "Q=\"quoted\" \\ 100% $HOME\ttab",
			 "--security-opt",
			 "no-new-privileges:true",
			 "--cap-drop",
			 "net_raw",
			 "-w",
			 "/a%b",
			 "--",
			 "printf",
			 "%s\\n",
			 "two words",
			 "",
			 NULL };
	struct claunch_options o;
	char err[512] = "";

	cr_assert_eq(claunch_parse(ELEMENTSOF(argv) - 1, argv, &o, err, sizeof(err)), 0, "%s", err);
	assert_round_trip(&o);
	claunch_options_free(&o);
}

Test(print_config, round_trip_of_a_file)
{
	struct claunch_options o;
	struct unit_diag diag = { .warn = NULL };
	_cleanup_free_ char *text = NULL;

	make_fixtures();
	claunch_options_init(&o);
	cr_assert_eq(claunch_config_parse_string("web.container", full_config, &o, &diag), 0, "%s",
		     diag.error);
	text = print_config(&o);
	cr_expect_not_null(strstr(text, "Memory=256M\n"), "%s", text);
	cr_expect_not_null(strstr(text, "CPUs=0.5\n"), "%s", text);
	cr_expect_not_null(strstr(text, "Exec=/bin/sh -c \"echo hello; sleep 1\"\n"), "%s", text);
	assert_round_trip(&o);
	claunch_options_free(&o);
}
