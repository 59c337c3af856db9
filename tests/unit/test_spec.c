#include "config.h"

#include "common/spec.h"
#include "common/util.h"
#include "common/values.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SEC	UINT64_C(1000000)
#define MSEC	UINT64_C(1000)
#define KIB	UINT64_C(1024)
#define MIB	(KIB * 1024)
#define GIB	(MIB * 1024)
#define INF	VALUE_INFINITY
#define CAP_ALL ((UINT64_C(1) << (CAP_LAST_CAP + 1)) - 1)
#define CAP(c)	(UINT64_C(1) << (c))

/* Most cases are a valid service plus the key under test, on line 3. */
#define SVC "[Service]\nExecStart=/bin/true\n"

struct warnings {
	char text[4096];
};

static void warnings_collect(void *data, const char *message)
{
	struct warnings *w = data;
	size_t len = strlen(w->text);

	snprintf(w->text + len, sizeof(w->text) - len, "%s%s", len ? "\n" : "", message);
}

/* Parses text as web.service and builds its spec; the unit is freed before the spec is looked
 * at, so every string the spec holds must be its own. */
static int load_as(const char *name, const char *text, struct service_spec **spec,
		   struct unit_diag *diag, struct warnings *w)
{
	struct unit_file *unit = NULL;
	int r;

	*diag = (struct unit_diag){ .warn = warnings_collect, .data = w };
	w->text[0] = '\0';
	r = unit_file_parse_string(name, name, text, &unit, diag);
	cr_assert_eq(r, 0, "unit_file_parse_string(%s) failed: %s", text, diag->error);
	*spec = NULL;
	r = service_spec_from_unit(unit, spec, diag);
	unit_file_free(unit);
	return r;
}

static int load(const char *text, struct service_spec **spec, struct unit_diag *diag,
		struct warnings *w)
{
	return load_as("web.service", text, spec, diag, w);
}

static struct service_spec *load_ok(const char *text, const char *warnings)
{
	struct service_spec *spec;
	struct unit_diag diag;
	struct warnings w;
	int r = load(text, &spec, &diag, &w);

	cr_assert_eq(r, 0, "load failed (%d) for:\n%s\nerror: %s", r, text, diag.error);
	cr_assert_not_null(spec);
	cr_expect_str_eq(w.text, warnings ? warnings : "", "warnings for:\n%s", text);
	return spec;
}

/* ---- scalar fields: bool, int, unsigned, enum, uint64 ---- */

struct field_case {
	const char *text;
	const char *field;
	size_t offset, size;
	uint64_t expected;
	const char *warnings;
};

#define FIELD(f) #f, offsetof(struct service_spec, f), sizeof(((struct service_spec *)0)->f)
#define F(text, f, value)                                                                          \
	{                                                                                          \
		text, FIELD(f), (uint64_t)(value), NULL                                            \
	}
#define FW(text, f, value, warning)                                                                \
	{                                                                                          \
		text, FIELD(f), (uint64_t)(value), warning                                         \
	}

static uint64_t field_read(const struct service_spec *spec, size_t offset, size_t size)
{
	const char *p = (const char *)spec + offset;
	bool b;
	int32_t i;
	uint64_t u;

	switch (size) {
	case sizeof(bool):
		memcpy(&b, p, sizeof(b));
		return b;
	case sizeof(int32_t):
		memcpy(&i, p, sizeof(i));
		return (uint64_t)(int64_t)i; /* SPEC_UNSET and negative nice levels */
	default:
		memcpy(&u, p, sizeof(u));
		return u;
	}
}

static const struct field_case field_cases[] = {
	/* Defaults, as systemd's but TimeoutStopSec (10 s for cinit). */
	F(SVC, type, SPEC_TYPE_SIMPLE),
	F(SVC, restart, SPEC_RESTART_NO),
	F(SVC, restart_usec, 100 * MSEC),
	F(SVC, restart_max_delay_usec, INF),
	F(SVC, restart_steps, 0),
	F(SVC, timeout_start_usec, 90 * SEC),
	F(SVC, timeout_stop_usec, 10 * SEC),
	F(SVC, watchdog_usec, 0),
	F(SVC, kill_signal, SIGTERM),
	F(SVC, final_kill_signal, SIGKILL),
	F(SVC, kill_mode, SPEC_KILL_CONTROL_GROUP),
	F(SVC, send_sigkill, true),
	F(SVC, remain_after_exit, false),
	F(SVC, start_limit_interval_usec, 10 * SEC),
	F(SVC, start_limit_burst, 5),
	F(SVC, failure_action, SPEC_ACTION_NONE),
	F(SVC, success_action, SPEC_ACTION_NONE),
	F(SVC, failure_action_exit_status, SPEC_UNSET),
	F(SVC, success_action_exit_status, SPEC_UNSET),
	F(SVC, memory_max, INF),
	F(SVC, cpu_quota_per_sec_usec, INF),
	F(SVC, tasks_max, INF),
	F(SVC, exec.umask, SPEC_UNSET),
	F(SVC, exec.nice, SPEC_UNSET),
	F(SVC, exec.no_new_privileges, false),
	F(SVC, exec.capability_bounding_set_set, false),
	F(SVC, exec.capability_bounding_set, CAP_ALL),
	F(SVC, exec.ambient_capabilities, 0),
	F(SVC, exec.standard_input, SPEC_INPUT_NULL),
	F(SVC, exec.standard_output, SPEC_OUTPUT_JOURNAL),
	F(SVC, exec.standard_error, SPEC_OUTPUT_JOURNAL),
	F(SVC, exec.working_directory_optional, false),

	/* [Unit] */
	F("[Unit]\nStartLimitIntervalSec=1min\n" SVC, start_limit_interval_usec, 60 * SEC),
	F("[Unit]\nStartLimitIntervalSec=0\n" SVC, start_limit_interval_usec, 0),
	F("[Unit]\nStartLimitIntervalSec=1min\nStartLimitIntervalSec=\n" SVC,
	  start_limit_interval_usec, 10 * SEC),
	F("[Unit]\nStartLimitInterval=20s\n" SVC, start_limit_interval_usec, 20 * SEC),
	F(SVC "StartLimitInterval=30s\n", start_limit_interval_usec, 30 * SEC),
	F("[Unit]\nStartLimitBurst=3\n" SVC, start_limit_burst, 3),
	F(SVC "StartLimitBurst=7\n", start_limit_burst, 7),
	F("[Unit]\nStartLimitBurst=3\nStartLimitBurst=\n" SVC, start_limit_burst, 5),
	F("[Unit]\nFailureAction=exit\n" SVC, failure_action, SPEC_ACTION_EXIT),
	F("[Unit]\nFailureAction=exit-force\n" SVC, failure_action, SPEC_ACTION_EXIT),
	F("[Unit]\nFailureAction=exit\nFailureAction=none\n" SVC, failure_action, SPEC_ACTION_NONE),
	F("[Unit]\nFailureAction=exit\nFailureAction=\n" SVC, failure_action, SPEC_ACTION_NONE),
	F(SVC "FailureAction=exit\n", failure_action, SPEC_ACTION_EXIT),
	F("[Unit]\nSuccessAction=exit\n" SVC, success_action, SPEC_ACTION_EXIT),
	FW("[Unit]\nFailureAction=poweroff\n" SVC, failure_action, SPEC_ACTION_EXIT,
	   "web.service:2: FailureAction: \"poweroff\" is treated as exit (it ends the "
	   "container)"),
	FW("[Unit]\nSuccessAction=halt-force\n" SVC, success_action, SPEC_ACTION_EXIT,
	   "web.service:2: SuccessAction: \"halt-force\" is treated as exit (it ends the "
	   "container)"),
	F("[Unit]\nFailureActionExitStatus=3\n" SVC, failure_action_exit_status, 3),
	F("[Unit]\nFailureActionExitStatus=255\n" SVC, failure_action_exit_status, 255),
	F("[Unit]\nFailureActionExitStatus=3\nFailureActionExitStatus=\n" SVC,
	  failure_action_exit_status, SPEC_UNSET),
	F("[Unit]\nSuccessActionExitStatus=0\n" SVC, success_action_exit_status, 0),

	/* Type, and systemd's implied oneshot without Type= and ExecStart=. */
	F(SVC "Type=simple\n", type, SPEC_TYPE_SIMPLE),
	F(SVC "Type=exec\n", type, SPEC_TYPE_EXEC),
	F(SVC "Type=forking\n", type, SPEC_TYPE_FORKING),
	F(SVC "Type=oneshot\n", type, SPEC_TYPE_ONESHOT),
	F(SVC "Type=notify\n", type, SPEC_TYPE_NOTIFY),
	F(SVC "Type=idle\n", type, SPEC_TYPE_SIMPLE),
	F(SVC "Type=notify\nType=\n", type, SPEC_TYPE_SIMPLE),
	F("[Service]\nExecStop=/bin/stop\nRemainAfterExit=yes\n", type, SPEC_TYPE_ONESHOT),
	F("[Unit]\nSuccessAction=exit\n", type, SPEC_TYPE_ONESHOT),
	F("[Service]\nType=oneshot\nExecStop=/bin/stop\nRemainAfterExit=yes\n", type,
	  SPEC_TYPE_ONESHOT),

	/* oneshot has no start timeout unless given, as in systemd. */
	F(SVC "Type=oneshot\n", timeout_start_usec, INF),
	F(SVC "Type=oneshot\nTimeoutStartSec=5\n", timeout_start_usec, 5 * SEC),
	F(SVC "Type=oneshot\nTimeoutSec=7\n", timeout_start_usec, 7 * SEC),
	F(SVC "Type=oneshot\nTimeoutStartSec=5\nTimeoutStartSec=\n", timeout_start_usec, INF),
	F(SVC "Type=oneshot\n", timeout_stop_usec, 10 * SEC),

	F(SVC "RemainAfterExit=yes\n", remain_after_exit, true),
	F(SVC "RemainAfterExit=yes\nRemainAfterExit=\n", remain_after_exit, false),

	F(SVC "Restart=no\n", restart, SPEC_RESTART_NO),
	F(SVC "Restart=always\n", restart, SPEC_RESTART_ALWAYS),
	F(SVC "Restart=on-success\n", restart, SPEC_RESTART_ON_SUCCESS),
	F(SVC "Restart=on-failure\n", restart, SPEC_RESTART_ON_FAILURE),
	F(SVC "Restart=on-abnormal\n", restart, SPEC_RESTART_ON_ABNORMAL),
	F(SVC "Restart=on-abort\n", restart, SPEC_RESTART_ON_ABORT),
	F(SVC "Restart=always\nRestart=\n", restart, SPEC_RESTART_NO),
	FW(SVC "Restart=on-watchdog\n", restart, SPEC_RESTART_ON_ABNORMAL,
	   "web.service:3: Restart: \"on-watchdog\" is treated as on-abnormal"),
	F(SVC "Type=oneshot\nRestart=on-failure\n", restart, SPEC_RESTART_ON_FAILURE),

	F(SVC "RestartSec=5\n", restart_usec, 5 * SEC),
	F(SVC "RestartSec=500ms\n", restart_usec, 500 * MSEC),
	F(SVC "RestartSec=1min 30s\n", restart_usec, 90 * SEC),
	F(SVC "RestartSec=5\nRestartSec=\n", restart_usec, 100 * MSEC),
	F(SVC "RestartSteps=5\nRestartMaxDelaySec=1min\n", restart_max_delay_usec, 60 * SEC),
	F(SVC "RestartSteps=5\nRestartMaxDelaySec=1min\n", restart_steps, 5),
	FW(SVC "RestartSteps=5\n", restart_steps, 0,
	   "web.service:3: RestartSteps= without RestartMaxDelaySec=, ignoring"),
	FW(SVC "RestartMaxDelaySec=1min\n", restart_max_delay_usec, INF,
	   "web.service:3: RestartMaxDelaySec= without RestartSteps=, ignoring"),
	FW(SVC "RestartSec=10s\nRestartMaxDelaySec=5s\nRestartSteps=3\n", restart_usec, 5 * SEC,
	   "web.service:4: RestartMaxDelaySec= is below RestartSec=, using it for both"),

	F(SVC "TimeoutStartSec=5min\n", timeout_start_usec, 300 * SEC),
	F(SVC "TimeoutStartSec=0\n", timeout_start_usec, INF),
	F(SVC "TimeoutStartSec=infinity\n", timeout_start_usec, INF),
	F(SVC "TimeoutStopSec=30\n", timeout_stop_usec, 30 * SEC),
	F(SVC "TimeoutStopSec=0\n", timeout_stop_usec, INF),
	F(SVC "TimeoutStopSec=5\nTimeoutStopSec=\n", timeout_stop_usec, 10 * SEC),
	F(SVC "TimeoutSec=20\n", timeout_start_usec, 20 * SEC),
	F(SVC "TimeoutSec=20\n", timeout_stop_usec, 20 * SEC),
	F(SVC "TimeoutSec=20\nTimeoutStopSec=5\n", timeout_stop_usec, 5 * SEC),
	F(SVC "TimeoutSec=20\nTimeoutStopSec=5\n", timeout_start_usec, 20 * SEC),
	F(SVC "TimeoutSec=20\nTimeoutSec=\n", timeout_stop_usec, 10 * SEC),
	F(SVC "WatchdogSec=30s\n", watchdog_usec, 30 * SEC),
	F(SVC "WatchdogSec=30s\nWatchdogSec=\n", watchdog_usec, 0),

	F(SVC "KillSignal=SIGINT\n", kill_signal, SIGINT),
	F(SVC "KillSignal=HUP\n", kill_signal, SIGHUP),
	F(SVC "KillSignal=9\n", kill_signal, SIGKILL),
	F(SVC "KillSignal=9\nKillSignal=\n", kill_signal, SIGTERM),
	F(SVC "FinalKillSignal=SIGQUIT\n", final_kill_signal, SIGQUIT),
	F(SVC "KillMode=mixed\n", kill_mode, SPEC_KILL_MIXED),
	F(SVC "KillMode=process\n", kill_mode, SPEC_KILL_PROCESS),
	F(SVC "KillMode=process\nKillMode=control-group\n", kill_mode, SPEC_KILL_CONTROL_GROUP),
	F(SVC "KillMode=process\nKillMode=\n", kill_mode, SPEC_KILL_CONTROL_GROUP),
	FW(SVC "KillMode=none\n", kill_mode, SPEC_KILL_PROCESS,
	   "web.service:3: KillMode: \"none\" is treated as process"),
	F(SVC "SendSIGKILL=no\n", send_sigkill, false),
	F(SVC "SendSIGKILL=no\nSendSIGKILL=\n", send_sigkill, true),

	F(SVC "MemoryMax=256M\n", memory_max, 256 * MIB),
	F(SVC "MemoryMax=1G\nMemoryMax=infinity\n", memory_max, INF),
	F(SVC "MemoryMax=1G\nMemoryMax=\n", memory_max, INF),
	/* Written as in real units: a trailing '%' is not a specifier. */
	F(SVC "CPUQuota=50%\n", cpu_quota_per_sec_usec, 500 * MSEC),
	F(SVC "CPUQuota=150%\n", cpu_quota_per_sec_usec, 1500 * MSEC),
	F(SVC "CPUQuota=12.5%\n", cpu_quota_per_sec_usec, 125 * MSEC),
	F(SVC "CPUQuota=0.5%\n", cpu_quota_per_sec_usec, 5 * MSEC),
	F(SVC "CPUQuota=50%\nCPUQuota=\n", cpu_quota_per_sec_usec, INF),
	F(SVC "TasksMax=100\n", tasks_max, 100),
	F(SVC "TasksMax=100\nTasksMax=infinity\n", tasks_max, INF),

	/* exec_spec */
	F(SVC "UMask=0027\n", exec.umask, 027),
	F(SVC "UMask=077\n", exec.umask, 077),
	F(SVC "UMask=0\n", exec.umask, 0),
	F(SVC "UMask=0777\n", exec.umask, 0777),
	F(SVC "UMask=0027\nUMask=\n", exec.umask, SPEC_UNSET),
	F(SVC "Nice=-20\n", exec.nice, -20),
	F(SVC "Nice=19\n", exec.nice, 19),
	F(SVC "Nice=+5\n", exec.nice, 5),
	F(SVC "Nice=0\n", exec.nice, 0),
	F(SVC "Nice=5\nNice=\n", exec.nice, SPEC_UNSET),
	F(SVC "NoNewPrivileges=yes\n", exec.no_new_privileges, true),
	F(SVC "NoNewPrivileges=true\nNoNewPrivileges=off\n", exec.no_new_privileges, false),
	F(SVC "WorkingDirectory=-/srv\n", exec.working_directory_optional, true),
	F(SVC "WorkingDirectory=-/srv\nWorkingDirectory=/srv\n", exec.working_directory_optional,
	  false),

	F(SVC "StandardInput=null\n", exec.standard_input, SPEC_INPUT_NULL),
	F(SVC "StandardInput=\n", exec.standard_input, SPEC_INPUT_NULL),
	F(SVC "StandardOutput=null\n", exec.standard_output, SPEC_OUTPUT_NULL),
	/* systemd: StandardError= follows StandardOutput= unless set. */
	F(SVC "StandardOutput=null\n", exec.standard_error, SPEC_OUTPUT_NULL),
	F(SVC "StandardOutput=null\nStandardError=inherit\n", exec.standard_error,
	  SPEC_OUTPUT_NULL),
	F(SVC "StandardOutput=null\nStandardError=journal\n", exec.standard_error,
	  SPEC_OUTPUT_JOURNAL),
	F(SVC "StandardOutput=null\nStandardError=journal\nStandardError=\n", exec.standard_error,
	  SPEC_OUTPUT_NULL),
	F(SVC "StandardOutput=inherit\n", exec.standard_output, SPEC_OUTPUT_INHERIT),
	F(SVC "StandardOutput=inherit\n", exec.standard_error, SPEC_OUTPUT_INHERIT),
	F(SVC "StandardOutput=journal+console\n", exec.standard_output, SPEC_OUTPUT_JOURNAL),
	F(SVC "StandardOutput=null\nStandardOutput=\n", exec.standard_output, SPEC_OUTPUT_JOURNAL),
	F(SVC "StandardOutput=file:/var/log/web.log\n", exec.standard_output, SPEC_OUTPUT_FILE),
	F(SVC "StandardOutput=append:/var/log/web.log\n", exec.standard_output, SPEC_OUTPUT_APPEND),
	F(SVC "StandardOutput=truncate:/var/log/web.log\n", exec.standard_output,
	  SPEC_OUTPUT_TRUNCATE),
	F(SVC "StandardError=append:/var/log/web.err\n", exec.standard_error, SPEC_OUTPUT_APPEND),
	F(SVC "StandardError=append:/var/log/web.err\n", exec.standard_output, SPEC_OUTPUT_JOURNAL),
	FW(SVC "StandardOutput=kmsg\n", exec.standard_output, SPEC_OUTPUT_JOURNAL,
	   "web.service:3: StandardOutput: \"kmsg\" is treated as journal (cinit's log)"),
	FW(SVC "StandardError=kmsg+console\n", exec.standard_error, SPEC_OUTPUT_JOURNAL,
	   "web.service:3: StandardError: \"kmsg+console\" is treated as journal (cinit's log)"),
};

Test(spec, fields)
{
	for (size_t i = 0; i < ELEMENTSOF(field_cases); i++) {
		const struct field_case *c = &field_cases[i];
		struct service_spec *spec = load_ok(c->text, c->warnings);
		uint64_t v = field_read(spec, c->offset, c->size);

		cr_expect_eq(v, c->expected,
			     "%s = %" PRIu64 " (%" PRId64 "), expected %" PRIu64 " (%" PRId64
			     ") for:\n%s",
			     c->field, v, (int64_t)v, c->expected, (int64_t)c->expected, c->text);
		service_spec_free(spec);
	}
}

/* ---- strings ---- */

struct string_case {
	const char *text;
	const char *field;
	size_t offset;
	const char *expected; /* NULL: unset */
};

#define S(text, f, value)                                                                          \
	{                                                                                          \
		text, #f, offsetof(struct service_spec, f), value                                  \
	}

static const struct string_case string_cases[] = {
	S(SVC, name, "web.service"),
	S(SVC, description, NULL),
	S(SVC, pid_file, NULL),
	S(SVC, exec.user, NULL),
	S(SVC, exec.group, NULL),
	S(SVC, exec.working_directory, NULL),
	S(SVC, exec.standard_output_path, NULL),
	S(SVC, exec.standard_error_path, NULL),
	S("[Unit]\nDescription=Web server\n" SVC, description, "Web server"),
	S("[Unit]\nDescription=Web server\nDescription=\n" SVC, description, NULL),
	S(SVC "Type=forking\nPIDFile=/run/web.pid\n", pid_file, "/run/web.pid"),
	S(SVC "Type=forking\nPIDFile=web/web.pid\n", pid_file, "/run/web/web.pid"),
	S(SVC "User=www-data\n", exec.user, "www-data"),
	S(SVC "User=1000\n", exec.user, "1000"),
	S(SVC "User=1000\nUser=\n", exec.user, NULL),
	S(SVC "Group=staff\n", exec.group, "staff"),
	S(SVC "Group=50\n", exec.group, "50"),
	S(SVC "WorkingDirectory=/srv\n", exec.working_directory, "/srv"),
	S(SVC "WorkingDirectory=~\n", exec.working_directory, "~"),
	S(SVC "WorkingDirectory=-/srv/www\n", exec.working_directory, "/srv/www"),
	S(SVC "WorkingDirectory=/srv\nWorkingDirectory=\n", exec.working_directory, NULL),
	S(SVC "StandardOutput=file:/var/log/web.log\n", exec.standard_output_path,
	  "/var/log/web.log"),
	S(SVC "StandardOutput=file:/var/log/web.log\n", exec.standard_error_path,
	  "/var/log/web.log"),
	S(SVC "StandardOutput=file:/var/log/web.log\nStandardOutput=null\n",
	  exec.standard_output_path, NULL),
	S(SVC "StandardOutput=truncate:/o\nStandardError=append:/e\n", exec.standard_error_path,
	  "/e"),
	S(SVC "StandardOutput=truncate:/o\nStandardError=append:/e\n", exec.standard_output_path,
	  "/o"),
};

Test(spec, strings)
{
	for (size_t i = 0; i < ELEMENTSOF(string_cases); i++) {
		const struct string_case *c = &string_cases[i];
		struct service_spec *spec = load_ok(c->text, NULL);
		const char *v;

		memcpy(&v, (const char *)spec + c->offset, sizeof(v));
		if (c->expected)
			cr_expect(v && strcmp(v, c->expected) == 0,
				  "%s = \"%s\", expected \"%s\" for:\n%s", c->field,
				  v ? v : "(null)", c->expected, c->text);
		else
			cr_expect_null(v, "%s = \"%s\", expected unset for:\n%s", c->field, v,
				       c->text);
		service_spec_free(spec);
	}
}

/* ---- lists of words ---- */

struct list_case {
	const char *text;
	const char *field;
	size_t offset;
	const char *expected; /* words joined by "|"; "" for an empty (NULL) list */
};

#define L(text, f, value)                                                                          \
	{                                                                                          \
		text, #f, offsetof(struct service_spec, f), value                                  \
	}

static const struct list_case list_cases[] = {
	L(SVC, after, ""),
	L(SVC, exec.environment, ""),
	L("[Unit]\nAfter=a.service b.target\n" SVC, after, "a.service|b.target"),
	L("[Unit]\nAfter=a.service\nAfter=b.service\n" SVC, after, "a.service|b.service"),
	L("[Unit]\nAfter=a.service\nAfter=\nAfter=c.service\n" SVC, after, "c.service"),
	L("[Unit]\nAfter=a.service\nAfter=\n" SVC, after, ""),
	L("[Unit]\nAfter=\"a.service\" 'b.service'\n" SVC, after, "a.service|b.service"),
	L("[Unit]\nBefore=z.service\n" SVC, before, "z.service"),
	L("[Unit]\nRequires=db.service\n" SVC, requires, "db.service"),
	L("[Unit]\nWants=worker@1.service worker@2.service\n" SVC, wants,
	  "worker@1.service|worker@2.service"),
	L("[Unit]\nBindsTo=db.service\n" SVC, binds_to, "db.service"),
	L("[Unit]\nConflicts=old.service\n" SVC, conflicts, "old.service"),

	L(SVC "Environment=\"A=1\" \"B=2 3\"\n", exec.environment, "A=1|B=2 3"),
	L(SVC "Environment=A=1\nEnvironment=A=2 B=3\n", exec.environment, "A=2|B=3"),
	L(SVC "Environment=A=1 B=2\nEnvironment=A=3\n", exec.environment, "A=3|B=2"),
	L(SVC "Environment=A=1\nEnvironment=\nEnvironment=C=3\n", exec.environment, "C=3"),
	L(SVC "Environment=A= my.var=x\n", exec.environment, "A=|my.var=x"),
	L(SVC "Environment=AB=1 A=2\n", exec.environment, "AB=1|A=2"),
	L(SVC "Environment=P=$HOME\n", exec.environment, "P=$HOME"),
	L(SVC "EnvironmentFile=/etc/default/web\nEnvironmentFile=-/etc/web.env\n",
	  exec.environment_files, "/etc/default/web|-/etc/web.env"),
	L(SVC "EnvironmentFile=/etc/a\nEnvironmentFile=\nEnvironmentFile=/etc/b\n",
	  exec.environment_files, "/etc/b"),
	L(SVC "PassEnvironment=HOME TERM\nPassEnvironment=LANG\n", exec.pass_environment,
	  "HOME|TERM|LANG"),
	L(SVC "PassEnvironment=HOME\nPassEnvironment=\n", exec.pass_environment, ""),
	L(SVC "UnsetEnvironment=FOO BAR=1\n", exec.unset_environment, "FOO|BAR=1"),
	L(SVC "SupplementaryGroups=wheel 100\nSupplementaryGroups=audio\n",
	  exec.supplementary_groups, "wheel|100|audio"),
	L(SVC "SupplementaryGroups=wheel\nSupplementaryGroups=\n", exec.supplementary_groups, ""),
};

static void join(char *buf, size_t size, char **list)
{
	size_t len = 0;

	buf[0] = '\0';
	for (char **w = list; w && *w; w++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", w == list ? "" : "|", *w);
}

Test(spec, lists)
{
	for (size_t i = 0; i < ELEMENTSOF(list_cases); i++) {
		const struct list_case *c = &list_cases[i];
		struct service_spec *spec = load_ok(c->text, NULL);
		char **v, buf[512];

		memcpy(&v, (const char *)spec + c->offset, sizeof(v));
		join(buf, sizeof(buf), v);
		cr_expect_str_eq(buf, c->expected, "%s = \"%s\", expected \"%s\" for:\n%s",
				 c->field, buf, c->expected, c->text);
		if (!c->expected[0])
			cr_expect_null(v, "%s: an empty list is NULL", c->field);
		service_spec_free(spec);
	}
}

/* ---- Exec lines ---- */

struct exec_case {
	const char *text;
	const char *field;
	size_t offset;
	const char *expected; /* "VALUE@FILE:LINE" joined by "|" */
};

#define X(text, f, value)                                                                          \
	{                                                                                          \
		text, #f, offsetof(struct service_spec, f), value                                  \
	}

static const struct exec_case exec_cases[] = {
	X(SVC, exec_start, "/bin/true@web.service:2"),
	X(SVC, exec_start_pre, ""),
	X(SVC "ExecStartPre=-/bin/mkdir -p /run/web\nExecStartPre=+/bin/chown web /run/web\n",
	  exec_start_pre,
	  "-/bin/mkdir -p /run/web@web.service:3|+/bin/chown web /run/web@web.service:4"),
	X("[Service]\nExecStart=/bin/echo ${HOME} \"a b\" $ARGS\n", exec_start,
	  "/bin/echo ${HOME} \"a b\" $ARGS@web.service:2"),
	X("[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\n", exec_start,
	  "/bin/b@web.service:4"),
	X("[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b ; /bin/c\n", exec_start,
	  "/bin/a@web.service:3|/bin/b ; /bin/c@web.service:4"),
	X(SVC "ExecStartPost=/bin/notify\n", exec_start_post, "/bin/notify@web.service:3"),
	X(SVC "ExecReload=/bin/kill -HUP $MAINPID\n", exec_reload,
	  "/bin/kill -HUP $MAINPID@web.service:3"),
	X(SVC "ExecStop=/bin/stop\nExecStop=/bin/stop2\n", exec_stop,
	  "/bin/stop@web.service:3|/bin/stop2@web.service:4"),
	X(SVC "ExecStop=/bin/stop\nExecStop=\n", exec_stop, ""),
	X(SVC "ExecStopPost=-/bin/rm /run/web.pid\n", exec_stop_post,
	  "-/bin/rm /run/web.pid@web.service:3"),
	X(SVC "ExecStopPost=@/bin/sleep sleeper 1\n", exec_stop_post,
	  "@/bin/sleep sleeper 1@web.service:3"),
	X("[Service]\nExecStart=true\n", exec_start, "true@web.service:2"),
};

static void join_exec(char *buf, size_t size, const struct spec_exec_list *list)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < list->count; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s@%s:%u", i ? "|" : "",
					list->lines[i].value, list->lines[i].file,
					list->lines[i].line);
}

Test(spec, exec_lines)
{
	for (size_t i = 0; i < ELEMENTSOF(exec_cases); i++) {
		const struct exec_case *c = &exec_cases[i];
		struct service_spec *spec = load_ok(c->text, NULL);
		const struct spec_exec_list *list = (const void *)((const char *)spec + c->offset);
		char buf[1024];

		join_exec(buf, sizeof(buf), list);
		cr_expect_str_eq(buf, c->expected, "%s = \"%s\", expected \"%s\" for:\n%s",
				 c->field, buf, c->expected, c->text);
		service_spec_free(spec);
	}
}

/* ---- resource limits ---- */

struct limit_case {
	const char *text;
	int resource;
	bool set;
	uint64_t soft, hard;
};

#define RLIM_INF ((uint64_t)RLIM_INFINITY)

static const struct limit_case limit_cases[] = {
	{ SVC, RLIMIT_NOFILE, false, 0, 0 },
	{ SVC "LimitNOFILE=1024\n", RLIMIT_NOFILE, true, 1024, 1024 },
	{ SVC "LimitNOFILE=1024:4096\n", RLIMIT_NOFILE, true, 1024, 4096 },
	{ SVC "LimitNOFILE=infinity\n", RLIMIT_NOFILE, true, RLIM_INF, RLIM_INF },
	{ SVC "LimitNOFILE=1024:infinity\n", RLIMIT_NOFILE, true, 1024, RLIM_INF },
	{ SVC "LimitNOFILE=10\nLimitNOFILE=\n", RLIMIT_NOFILE, false, 0, 0 },
	{ SVC "LimitNOFILE=10\nLimitNOFILE=20\n", RLIMIT_NOFILE, true, 20, 20 },
	{ SVC "LimitCORE=0\n", RLIMIT_CORE, true, 0, 0 },
	{ SVC "LimitCORE=infinity\n", RLIMIT_CORE, true, RLIM_INF, RLIM_INF },
	{ SVC "LimitFSIZE=1G\n", RLIMIT_FSIZE, true, GIB, GIB },
	{ SVC "LimitAS=512M:1G\n", RLIMIT_AS, true, 512 * MIB, GIB },
	{ SVC "LimitSTACK=8M\n", RLIMIT_STACK, true, 8 * MIB, 8 * MIB },
	{ SVC "LimitDATA=2G\n", RLIMIT_DATA, true, 2 * GIB, 2 * GIB },
	{ SVC "LimitRSS=100M\n", RLIMIT_RSS, true, 100 * MIB, 100 * MIB },
	{ SVC "LimitMEMLOCK=64K\n", RLIMIT_MEMLOCK, true, 64 * KIB, 64 * KIB },
	{ SVC "LimitMSGQUEUE=800K\n", RLIMIT_MSGQUEUE, true, 800 * KIB, 800 * KIB },
	{ SVC "LimitCPU=30\n", RLIMIT_CPU, true, 30, 30 },
	{ SVC "LimitCPU=1.5s\n", RLIMIT_CPU, true, 2, 2 },
	{ SVC "LimitCPU=1min:2min\n", RLIMIT_CPU, true, 60, 120 },
	{ SVC "LimitRTTIME=1000\n", RLIMIT_RTTIME, true, 1000, 1000 },
	{ SVC "LimitRTTIME=1s\n", RLIMIT_RTTIME, true, 1000000, 1000000 },
	{ SVC "LimitNICE=-5\n", RLIMIT_NICE, true, 25, 25 },
	{ SVC "LimitNICE=+10\n", RLIMIT_NICE, true, 10, 10 },
	{ SVC "LimitNICE=40\n", RLIMIT_NICE, true, 40, 40 },
	{ SVC "LimitNPROC=512\n", RLIMIT_NPROC, true, 512, 512 },
	{ SVC "LimitLOCKS=64\n", RLIMIT_LOCKS, true, 64, 64 },
	{ SVC "LimitSIGPENDING=100:200\n", RLIMIT_SIGPENDING, true, 100, 200 },
	{ SVC "LimitRTPRIO=99\n", RLIMIT_RTPRIO, true, 99, 99 },
};

Test(spec, limits)
{
	for (size_t i = 0; i < ELEMENTSOF(limit_cases); i++) {
		const struct limit_case *c = &limit_cases[i];
		struct service_spec *spec = load_ok(c->text, NULL);
		const struct spec_rlimit *l = &spec->exec.rlimits[c->resource];

		cr_expect_eq(l->set, c->set, "set = %d for:\n%s", l->set, c->text);
		if (c->set) {
			cr_expect_eq((uint64_t)l->soft, c->soft, "soft = %" PRIu64 " for:\n%s",
				     (uint64_t)l->soft, c->text);
			cr_expect_eq((uint64_t)l->hard, c->hard, "hard = %" PRIu64 " for:\n%s",
				     (uint64_t)l->hard, c->text);
		}
		for (int r = 0; r < RLIM_NLIMITS; r++)
			if (r != c->resource)
				cr_expect(!spec->exec.rlimits[r].set, "rlimit %d set by:\n%s", r,
					  c->text);
		service_spec_free(spec);
	}
}

/* ---- capabilities ---- */

struct capability_case {
	const char *text;
	bool bounding_set_set;
	uint64_t bounding, ambient;
};

static const struct capability_case capability_cases[] = {
	{ SVC "CapabilityBoundingSet=CAP_NET_ADMIN CAP_CHOWN\n", true,
	  CAP(CAP_NET_ADMIN) | CAP(CAP_CHOWN), 0 },
	{ SVC "CapabilityBoundingSet=CAP_CHOWN\nCapabilityBoundingSet=CAP_KILL\n", true,
	  CAP(CAP_CHOWN) | CAP(CAP_KILL), 0 },
	{ SVC "CapabilityBoundingSet=~CAP_SYS_ADMIN\n", true, CAP_ALL & ~CAP(CAP_SYS_ADMIN), 0 },
	{ SVC "CapabilityBoundingSet=~CAP_SYS_ADMIN\nCapabilityBoundingSet=~CAP_NET_RAW\n", true,
	  CAP_ALL & ~CAP(CAP_SYS_ADMIN) & ~CAP(CAP_NET_RAW), 0 },
	{ SVC "CapabilityBoundingSet=CAP_CHOWN CAP_KILL\nCapabilityBoundingSet=~CAP_KILL\n", true,
	  CAP(CAP_CHOWN), 0 },
	{ SVC "CapabilityBoundingSet=\n", true, 0, 0 },
	{ SVC "CapabilityBoundingSet=~\n", true, CAP_ALL, 0 },
	{ SVC "CapabilityBoundingSet=CAP_CHOWN\nCapabilityBoundingSet=\n"
	      "CapabilityBoundingSet=CAP_KILL\n",
	  true, CAP(CAP_KILL), 0 },
	{ SVC "CapabilityBoundingSet=cap_net_bind_service\n", true, CAP(CAP_NET_BIND_SERVICE), 0 },
	{ SVC "CapabilityBoundingSet=CAP_CHECKPOINT_RESTORE\n", true, CAP(CAP_CHECKPOINT_RESTORE),
	  0 },
	{ SVC "AmbientCapabilities=CAP_NET_BIND_SERVICE\n", false, CAP_ALL,
	  CAP(CAP_NET_BIND_SERVICE) },
	{ SVC "AmbientCapabilities=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_RAW\n", false,
	  CAP_ALL, CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_NET_RAW) },
	{ SVC "AmbientCapabilities=~CAP_CHOWN\n", false, CAP_ALL, CAP_ALL & ~CAP(CAP_CHOWN) },
	{ SVC "AmbientCapabilities=CAP_CHOWN\nAmbientCapabilities=\n", false, CAP_ALL, 0 },
};

Test(spec, capabilities)
{
	for (size_t i = 0; i < ELEMENTSOF(capability_cases); i++) {
		const struct capability_case *c = &capability_cases[i];
		struct service_spec *spec = load_ok(c->text, NULL);

		cr_expect_eq(spec->exec.capability_bounding_set_set, c->bounding_set_set,
			     "bounding set set for:\n%s", c->text);
		cr_expect_eq(spec->exec.capability_bounding_set, c->bounding,
			     "bounding = %#" PRIx64 ", expected %#" PRIx64 " for:\n%s",
			     spec->exec.capability_bounding_set, c->bounding, c->text);
		cr_expect_eq(spec->exec.ambient_capabilities, c->ambient,
			     "ambient = %#" PRIx64 ", expected %#" PRIx64 " for:\n%s",
			     spec->exec.ambient_capabilities, c->ambient, c->text);
		service_spec_free(spec);
	}
}

/* Every name, against the kernel header's numbers. */
#define C(name)                                                                                    \
	{                                                                                          \
#name, name                                                                        \
	}
static const struct {
	const char *name;
	int number;
} capability_numbers[] = {
	C(CAP_CHOWN),
	C(CAP_DAC_OVERRIDE),
	C(CAP_DAC_READ_SEARCH),
	C(CAP_FOWNER),
	C(CAP_FSETID),
	C(CAP_KILL),
	C(CAP_SETGID),
	C(CAP_SETUID),
	C(CAP_SETPCAP),
	C(CAP_LINUX_IMMUTABLE),
	C(CAP_NET_BIND_SERVICE),
	C(CAP_NET_BROADCAST),
	C(CAP_NET_ADMIN),
	C(CAP_NET_RAW),
	C(CAP_IPC_LOCK),
	C(CAP_IPC_OWNER),
	C(CAP_SYS_MODULE),
	C(CAP_SYS_RAWIO),
	C(CAP_SYS_CHROOT),
	C(CAP_SYS_PTRACE),
	C(CAP_SYS_PACCT),
	C(CAP_SYS_ADMIN),
	C(CAP_SYS_BOOT),
	C(CAP_SYS_NICE),
	C(CAP_SYS_RESOURCE),
	C(CAP_SYS_TIME),
	C(CAP_SYS_TTY_CONFIG),
	C(CAP_MKNOD),
	C(CAP_LEASE),
	C(CAP_AUDIT_WRITE),
	C(CAP_AUDIT_CONTROL),
	C(CAP_SETFCAP),
	C(CAP_MAC_OVERRIDE),
	C(CAP_MAC_ADMIN),
	C(CAP_SYSLOG),
	C(CAP_WAKE_ALARM),
	C(CAP_BLOCK_SUSPEND),
	C(CAP_AUDIT_READ),
	C(CAP_PERFMON),
	C(CAP_BPF),
	C(CAP_CHECKPOINT_RESTORE),
};

Test(spec, capability_names)
{
	cr_assert_eq(ELEMENTSOF(capability_numbers), CAP_LAST_CAP + 1);
	for (size_t i = 0; i < ELEMENTSOF(capability_numbers); i++) {
		char text[256];
		struct service_spec *spec;

		snprintf(text, sizeof(text), SVC "AmbientCapabilities=%s\n",
			 capability_numbers[i].name);
		spec = load_ok(text, NULL);
		cr_expect_eq(spec->exec.ambient_capabilities, CAP(capability_numbers[i].number),
			     "%s", capability_numbers[i].name);
		service_spec_free(spec);
	}
}

/* ---- SuccessExitStatus ---- */

struct success_case {
	const char *text;
	const char *expected; /* "statuses / signals", each ascending */
};

static const struct success_case success_cases[] = {
	{ SVC, "/" },
	{ SVC "SuccessExitStatus=1 2 SIGKILL\n", "1 2/9" },
	{ SVC "SuccessExitStatus=75\nSuccessExitStatus=TERM\n", "75/15" },
	{ SVC "SuccessExitStatus=75 SIGUSR1\nSuccessExitStatus=\nSuccessExitStatus=3\n", "3/" },
	{ SVC "SuccessExitStatus=0 255\n", "0 255/" },
};

Test(spec, success_exit_status)
{
	for (size_t i = 0; i < ELEMENTSOF(success_cases); i++) {
		const struct success_case *c = &success_cases[i];
		struct service_spec *spec = load_ok(c->text, NULL);
		char buf[256] = "";
		size_t len = 0;
		bool first = true;

		for (int s = 0; s < 256; s++)
			if (spec->success_exit_status[s]) {
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d",
							first ? "" : " ", s);
				first = false;
			}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "/");
		first = true;
		for (int s = 0; s < 65; s++)
			if (spec->success_signal[s]) {
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d",
							first ? "" : " ", s);
				first = false;
			}
		cr_expect_str_eq(buf, c->expected, "got \"%s\" for:\n%s", buf, c->text);
		service_spec_free(spec);
	}
}

/* ---- errors: the load fails with exactly this text ---- */

struct error_case {
	const char *text;
	const char *error;
};

static const struct error_case error_cases[] = {
	/* Durations */
	{ SVC "RestartSec=5x\n", "web.service:3: RestartSec: \"5x\" is not a duration" },
	{ SVC "RestartMaxDelaySec=soon\n",
	  "web.service:3: RestartMaxDelaySec: \"soon\" is not a duration" },
	{ SVC "TimeoutStartSec=abc\n",
	  "web.service:3: TimeoutStartSec: \"abc\" is not a duration" },
	{ SVC "TimeoutStopSec=-1\n", "web.service:3: TimeoutStopSec: \"-1\" must not be negative" },
	{ SVC "TimeoutSec=1x\n", "web.service:3: TimeoutSec: \"1x\" is not a duration" },
	{ SVC "WatchdogSec=x\n", "web.service:3: WatchdogSec: \"x\" is not a duration" },
	{ "[Unit]\nStartLimitIntervalSec=10q\n" SVC,
	  "web.service:2: StartLimitIntervalSec: \"10q\" is not a duration" },
	/* Integers */
	{ "[Unit]\nStartLimitBurst=many\n" SVC,
	  "web.service:2: StartLimitBurst: \"many\" is not an integer" },
	{ "[Unit]\nStartLimitBurst=-1\n" SVC,
	  "web.service:2: StartLimitBurst: \"-1\" must not be negative" },
	{ SVC "RestartSteps=99999999999\n",
	  "web.service:3: RestartSteps: \"99999999999\" is out of range for an integer" },
	{ "[Unit]\nFailureActionExitStatus=256\n" SVC,
	  "web.service:2: FailureActionExitStatus: \"256\" is out of range for an exit code "
	  "(0-255)" },
	{ "[Unit]\nSuccessActionExitStatus=ok\n" SVC,
	  "web.service:2: SuccessActionExitStatus: \"ok\" is not an exit code" },
	/* Actions */
	{ "[Unit]\nFailureAction=reboot\n" SVC,
	  "web.service:2: FailureAction: \"reboot\" is not supported in a container (none, "
	  "exit)" },
	{ "[Unit]\nSuccessAction=kexec\n" SVC,
	  "web.service:2: SuccessAction: \"kexec\" is not supported in a container (none, "
	  "exit)" },
	{ "[Unit]\nFailureAction=explode\n" SVC,
	  "web.service:2: FailureAction: \"explode\" is not an action (none, exit)" },
	/* Type, Restart, KillMode */
	{ SVC "Type=dbus\n",
	  "web.service:3: Type: \"dbus\" is not supported (simple, exec, forking, oneshot, "
	  "notify)" },
	{ SVC "Type=notify-reload\n",
	  "web.service:3: Type: \"notify-reload\" is not supported (simple, exec, forking, "
	  "oneshot, notify)" },
	{ SVC "Type=daemon\n",
	  "web.service:3: Type: \"daemon\" is not a service type (simple, exec, forking, oneshot, "
	  "notify)" },
	{ SVC "Restart=sometimes\n",
	  "web.service:3: Restart: \"sometimes\" is not a restart policy (no, always, on-success, "
	  "on-failure, on-abnormal, on-abort)" },
	{ SVC "KillMode=all\n",
	  "web.service:3: KillMode: \"all\" is not a kill mode (control-group, mixed, process)" },
	/* Signals, booleans */
	{ SVC "KillSignal=SIGFOO\n", "web.service:3: KillSignal: \"SIGFOO\" is not a signal" },
	{ SVC "FinalKillSignal=0\n",
	  "web.service:3: FinalKillSignal: \"0\" is out of range for a signal" },
	{ SVC "SendSIGKILL=maybe\n", "web.service:3: SendSIGKILL: \"maybe\" is not a boolean" },
	{ SVC "RemainAfterExit=2\n", "web.service:3: RemainAfterExit: \"2\" is not a boolean" },
	{ SVC "NoNewPrivileges=x\n", "web.service:3: NoNewPrivileges: \"x\" is not a boolean" },
	/* SuccessExitStatus */
	{ SVC "SuccessExitStatus=256\n",
	  "web.service:3: SuccessExitStatus: \"256\" is out of range for an exit code (0-255)" },
	{ SVC "SuccessExitStatus=1 FOO\n",
	  "web.service:3: SuccessExitStatus: \"FOO\" is neither an exit status nor a signal "
	  "name" },
	/* cgroup limits */
	{ SVC "MemoryMax=50%\n",
	  "web.service:3: MemoryMax: \"50%\" is not supported: percentages of the host's "
	  "resources are not, give an absolute value" },
	{ SVC "MemoryMax=12q\n", "web.service:3: MemoryMax: \"12q\" is not a size" },
	{ SVC "CPUQuota=50\n",
	  "web.service:3: CPUQuota: \"50\" is not a CPU quota (a percentage above 0, e.g. 50%)" },
	{ SVC "CPUQuota=0%\n",
	  "web.service:3: CPUQuota: \"0%\" is not a CPU quota (a percentage above 0, e.g. 50%)" },
	{ SVC "CPUQuota=x%\n",
	  "web.service:3: CPUQuota: \"x%\" is not a CPU quota (a percentage above 0, e.g. 50%)" },
	{ SVC "TasksMax=0\n", "web.service:3: TasksMax: \"0\" is out of range for an integer" },
	{ SVC "TasksMax=lots\n", "web.service:3: TasksMax: \"lots\" is not an integer" },
	/* UMask, Nice */
	{ SVC "UMask=0888\n", "web.service:3: UMask: \"0888\" is not a umask (octal, 0000-0777)" },
	{ SVC "UMask=01000\n",
	  "web.service:3: UMask: \"01000\" is not a umask (octal, 0000-0777)" },
	{ SVC "UMask=u=rwx\n",
	  "web.service:3: UMask: \"u=rwx\" is not a umask (octal, 0000-0777)" },
	{ SVC "Nice=20\n",
	  "web.service:3: Nice: \"20\" is out of range for a nice level (-20..19)" },
	{ SVC "Nice=-21\n",
	  "web.service:3: Nice: \"-21\" is out of range for a nice level (-20..19)" },
	{ SVC "Nice=low\n", "web.service:3: Nice: \"low\" is not an integer" },
	/* Paths */
	{ SVC "WorkingDirectory=srv\n",
	  "web.service:3: WorkingDirectory: \"srv\" is neither an absolute path nor \"~\"" },
	{ SVC "WorkingDirectory=-srv\n",
	  "web.service:3: WorkingDirectory: \"-srv\" is neither an absolute path nor \"~\"" },
	{ SVC "EnvironmentFile=web.env\n",
	  "web.service:3: EnvironmentFile: \"web.env\" is not an absolute path" },
	{ SVC "EnvironmentFile=-web.env\n",
	  "web.service:3: EnvironmentFile: \"-web.env\" is not an absolute path" },
	/* Environment */
	{ SVC "Environment=FOO\n",
	  "web.service:3: Environment: \"FOO\" is not a variable assignment (NAME=VALUE)" },
	{ SVC "Environment=A=1 =x\n",
	  "web.service:3: Environment: \"=x\" is not a variable assignment (NAME=VALUE)" },
	{ SVC "Environment=1A=x\n",
	  "web.service:3: Environment: \"1A=x\" is not a variable assignment (NAME=VALUE)" },
	{ SVC "Environment=\"A=1\n",
	  "web.service:3: Environment: \"\\\"A=1\" is not a valid word list: unbalanced quotes" },
	{ SVC "PassEnvironment=A=1\n",
	  "web.service:3: PassEnvironment: \"A=1\" is not a variable name" },
	{ SVC "UnsetEnvironment=1A\n",
	  "web.service:3: UnsetEnvironment: \"1A\" is neither a variable name nor an "
	  "assignment" },
	/* Users and groups */
	{ SVC "User=a b\n", "web.service:3: User: \"a b\" is not a user name or id" },
	{ SVC "User=-1\n", "web.service:3: User: \"-1\" is not a user name or id" },
	{ SVC "User=4294967295\n",
	  "web.service:3: User: \"4294967295\" is out of range for an id (0-4294967294)" },
	{ SVC "Group=a:b\n", "web.service:3: Group: \"a:b\" is not a group name or id" },
	{ SVC "SupplementaryGroups=ok bad:x\n",
	  "web.service:3: SupplementaryGroups: \"bad:x\" is not a group name or id" },
	/* Dependencies */
	{ "[Unit]\nAfter=foo\n" SVC, "web.service:2: After: \"foo\" is not a unit name" },
	{ "[Unit]\nWants=a.service b/c.service\n" SVC,
	  "web.service:2: Wants: \"b/c.service\" is not a unit name" },
	{ "[Unit]\nRequires='a.service\n" SVC,
	  "web.service:2: Requires: \"'a.service\" is not a valid word list: unbalanced quotes" },
	/* Capabilities */
	{ SVC "CapabilityBoundingSet=CAP_CHOWN CAP_FOO\n",
	  "web.service:3: CapabilityBoundingSet: \"CAP_FOO\" is not a capability" },
	{ SVC "AmbientCapabilities=NET_ADMIN\n",
	  "web.service:3: AmbientCapabilities: \"NET_ADMIN\" is not a capability" },
	{ SVC "AmbientCapabilities=~41\n",
	  "web.service:3: AmbientCapabilities: \"41\" is not a capability" },
	/* Standard streams */
	{ SVC "StandardInput=tty\n",
	  "web.service:3: StandardInput: \"tty\" is not supported (only null)" },
	{ SVC "StandardOutput=tty\n",
	  "web.service:3: StandardOutput: \"tty\" is not supported (inherit, null, journal, "
	  "file:PATH, append:PATH, truncate:PATH)" },
	{ SVC "StandardError=fd:log\n",
	  "web.service:3: StandardError: \"fd:log\" is not supported (inherit, null, journal, "
	  "file:PATH, append:PATH, truncate:PATH)" },
	{ SVC "StandardOutput=file:web.log\n",
	  "web.service:3: StandardOutput: \"file:web.log\" needs an absolute path" },
	{ SVC "StandardError=append:\n",
	  "web.service:3: StandardError: \"append:\" needs an absolute path" },
	/* Limits */
	{ SVC "LimitNOFILE=lots\n", "web.service:3: LimitNOFILE: \"lots\" is not an integer" },
	{ SVC "LimitNOFILE=10:5\n",
	  "web.service:3: LimitNOFILE: \"10:5\" has a soft limit above the hard limit" },
	{ SVC "LimitNOFILE=1:\n", "web.service:3: LimitNOFILE: \"1:\" is not an integer" },
	{ SVC "LimitNOFILE=1:2:3\n", "web.service:3: LimitNOFILE: \"1:2:3\" is not an integer" },
	{ SVC "LimitFSIZE=1x\n", "web.service:3: LimitFSIZE: \"1x\" is not a size" },
	{ SVC "LimitCPU=forever\n", "web.service:3: LimitCPU: \"forever\" is not a duration" },
	{ SVC "LimitRTTIME=1q\n", "web.service:3: LimitRTTIME: \"1q\" is not a duration" },
	{ SVC "LimitNICE=-21\n",
	  "web.service:3: LimitNICE: \"-21\" is out of range for an integer" },
	{ SVC "LimitNICE=41\n", "web.service:3: LimitNICE: \"41\" is out of range for an integer" },
	/* Exec lines */
	{ "[Service]\nExecStart=\"/bin/echo\n",
	  "web.service:2: ExecStart: \"\\\"/bin/echo\" is not a command line: unbalanced "
	  "quotes" },
	{ "[Service]\nExecStart=bin/echo hi\n",
	  "web.service:2: ExecStart: \"bin/echo hi\" is not a command line: \"bin/echo\" is "
	  "neither an absolute path nor a program name" },
	{ SVC "ExecStartPre=@/bin/x\n",
	  "web.service:3: ExecStartPre: \"@/bin/x\" is not a command line: \"@\" needs a "
	  "program and an argv[0]" },
	{ SVC "ExecStop=-\n",
	  "web.service:3: ExecStop: \"-\" is not a command line: empty command" },
	/* Whole-unit rules, as systemd's service_verify() */
	{ "[Service]\nType=simple\n", "web.service: no ExecStart= in [Service]" },
	{ "[Unit]\nDescription=nothing to run\n", "web.service: no ExecStart= in [Service]" },
	{ "[Service]\nType=notify\nExecStop=/bin/stop\nRemainAfterExit=yes\n",
	  "web.service: no ExecStart= in [Service]" },
	{ "[Service]\nExecStart=/bin/a\nExecStart=\n", "web.service: no ExecStart= in [Service]" },
	{ "[Service]\nType=oneshot\n", "web.service: no ExecStart= in [Service]" },
	{ "[Service]\nType=oneshot\nExecStop=/bin/stop\n",
	  "web.service: no ExecStart= in [Service] (without one, Type=oneshot needs "
	  "RemainAfterExit=yes or SuccessAction=)" },
	{ "[Service]\nExecStart=/bin/a\nExecStart=/bin/b\nExecStart=/bin/c\n",
	  "web.service:3: ExecStart: more than one command (only Type=oneshot may have several)" },
	{ "[Service]\nType=exec\nExecStart=/bin/a ; /bin/b\n",
	  "web.service:3: ExecStart: more than one command (only Type=oneshot may have several)" },
	{ SVC "Type=oneshot\nRestart=always\n",
	  "web.service:4: Restart: \"always\" is not allowed with Type=oneshot" },
	{ SVC "Restart=on-success\nType=oneshot\n",
	  "web.service:3: Restart: \"on-success\" is not allowed with Type=oneshot" },
	/* The first bad value fails, even when a later one is good. */
	{ SVC "RestartSec=5x\nRestartSec=5\nKillSignal=nope\n",
	  "web.service:3: RestartSec: \"5x\" is not a duration" },
	/* Control bytes are escaped; the message stays one line. */
	{ SVC "RestartSec=1\x1b[2J\n",
	  "web.service:3: RestartSec: \"1\\x1b[2J\" is not a duration" },
};

Test(spec, errors)
{
	for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		struct service_spec *spec;
		struct unit_diag diag;
		struct warnings w;
		int r = load(c->text, &spec, &diag, &w);

		cr_expect_eq(r, -EINVAL, "load returned %d for:\n%s", r, c->text);
		cr_expect_null(spec, "no spec on failure for:\n%s", c->text);
		cr_expect_str_eq(diag.error, c->error, "error for:\n%s", c->text);
		service_spec_free(spec);
	}
}

/* ---- warnings: the load succeeds, with exactly these warnings ---- */

static const struct error_case warning_cases[] = {
	{ SVC, "" },
	{ SVC "Foo=bar\n", "web.service:3: unknown key \"Foo\" in [Service], ignoring" },
	{ SVC "Foo=1\nFoo=2\n", "web.service:3: unknown key \"Foo\" in [Service], ignoring\n"
				"web.service:4: unknown key \"Foo\" in [Service], ignoring" },
	{ "[Unit]\nFoo=1\n" SVC, "web.service:2: unknown key \"Foo\" in [Unit], ignoring" },
	/* Keys are per section. */
	{ "[Unit]\nExecStart=/bin/x\n" SVC,
	  "web.service:2: unknown key \"ExecStart\" in [Unit], ignoring" },
	{ SVC "Description=x\n",
	  "web.service:3: unknown key \"Description\" in [Service], ignoring" },
	{ SVC "restart=always\n", "web.service:3: unknown key \"restart\" in [Service], ignoring" },
	{ SVC "ConditionPathExists=/x\n",
	  "web.service:3: unknown key \"ConditionPathExists\" in [Service], ignoring" },
	/* Once per section per file. */
	{ SVC "[Timer]\nOnCalendar=daily\nPersistent=true\n[Timer]\nUnit=x\n[Socket]\nListen=1\n",
	  "web.service:4: unknown section [Timer], ignoring\n"
	  "web.service:9: unknown section [Socket], ignoring" },
	/* [Install] is for systemctl enable; Documentation= is for people. */
	{ "[Unit]\nDocumentation=man:web(8)\nDefaultDependencies=no\n" SVC
	  "[Install]\nWantedBy=multi-user.target\nAlias=www.service\n",
	  "" },
	{ SVC "PrivateTmp=yes\n",
	  "web.service:3: PrivateTmp= is not supported (the container is the sandbox: set it up "
	  "with the container runtime), ignoring" },
	{ SVC "Slice=web.slice\n",
	  "web.service:3: Slice= is not supported (cinit gives each service its own cgroup where "
	  "it has one), ignoring" },
	{ SVC "Restart=on-watchdog\nKillMode=none\n",
	  "web.service:3: Restart: \"on-watchdog\" is treated as on-abnormal\n"
	  "web.service:4: KillMode: \"none\" is treated as process" },
};

Test(spec, warnings)
{
	for (size_t i = 0; i < ELEMENTSOF(warning_cases); i++) {
		const struct error_case *c = &warning_cases[i];

		service_spec_free(load_ok(c->text, c->error));
	}
}

/* ---- the rest ---- */

Test(spec, instance_name)
{
	struct service_spec *spec;
	struct unit_diag diag;
	struct warnings w;

	cr_assert_eq(load_as("worker@3.service", "[Service]\nExecStart=/bin/work %i\n", &spec,
			     &diag, &w),
		     0, "%s", diag.error);
	cr_expect_str_eq(spec->name, "worker@3.service");
	cr_expect_str_eq(spec->exec_start.lines[0].value, "/bin/work 3");
	service_spec_free(spec);
}

/* Without a diag, warnings and the error go to the log, and the result is the same. */
Test(spec, no_diag)
{
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;
	struct service_spec *spec = NULL;

	cr_assert_eq(
		unit_file_parse_string("web.service", "web.service", SVC "Foo=1\n", &unit, &diag),
		0);
	cr_expect_eq(service_spec_from_unit(unit, &spec, NULL), 0);
	cr_expect_not_null(spec);
	service_spec_free(spec);
	unit_file_free(unit);

	cr_assert_eq(
		unit_file_parse_string("web.service", "web.service", SVC "Nice=99\n", &unit, &diag),
		0);
	spec = NULL;
	cr_expect_eq(service_spec_from_unit(unit, &spec, NULL), -EINVAL);
	cr_expect_null(spec);
	unit_file_free(unit);
}

Test(spec, free_null_and_clear)
{
	struct exec_spec exec;

	service_spec_free(NULL);
	exec_spec_init(&exec);
	exec.user = strdup("web");
	exec_spec_clear(&exec);
	cr_expect_null(exec.user);
	cr_expect_eq(exec.umask, SPEC_UNSET);
	cr_expect_eq(exec.standard_output, SPEC_OUTPUT_JOURNAL);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* Drop-ins: an Exec line keeps its own file and line, and a bad value names the drop-in. */
Test(spec, drop_ins)
{
	char dir[] = "/tmp/test_spec.XXXXXX", path[64], dropins[64], conf[128], expected[256];
	struct unit_diag diag = { .warn = NULL };
	struct unit_file *unit;
	struct service_spec *spec = NULL;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/web.service", dir);
	snprintf(dropins, sizeof(dropins), "%s/web.service.d", dir);
	snprintf(conf, sizeof(conf), "%s/10-override.conf", dropins);
	write_file(path, "[Service]\nExecStart=/bin/old\nRestartSec=1\n");
	cr_assert_eq(mkdir(dropins, 0755), 0);
	write_file(conf, "[Service]\nExecStart=\nExecStart=/bin/new\n");

	cr_assert_eq(unit_file_load(dir, "web.service", &unit, &diag), 0, "%s", diag.error);
	cr_assert_eq(service_spec_from_unit(unit, &spec, &diag), 0, "%s", diag.error);
	unit_file_free(unit);
	cr_assert_eq(spec->exec_start.count, 1);
	cr_expect_str_eq(spec->exec_start.lines[0].value, "/bin/new");
	cr_expect_str_eq(spec->exec_start.lines[0].file, conf);
	cr_expect_eq(spec->exec_start.lines[0].line, 3);
	cr_expect_eq(spec->restart_usec, 1 * SEC);
	service_spec_free(spec);

	write_file(conf, "[Service]\nRestartSec=soon\n");
	cr_assert_eq(unit_file_load(dir, "web.service", &unit, &diag), 0, "%s", diag.error);
	spec = NULL;
	cr_expect_eq(service_spec_from_unit(unit, &spec, &diag), -EINVAL);
	unit_file_free(unit);
	snprintf(expected, sizeof(expected), "%s:2: RestartSec: \"soon\" is not a duration", conf);
	cr_expect_str_eq(diag.error, expected);

	unlink(conf);
	rmdir(dropins);
	unlink(path);
	rmdir(dir);
}
