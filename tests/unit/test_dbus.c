/* cgdriver/dbus.c against the reference implementation: a server made with libsystemd's sd-bus
 * (the library systemd itself speaks D-Bus with) plays systemd's Manager on a unix socket. It
 * parses what the client sent with sd-bus and writes every argument back as text, answers
 * with a job and JobRemoved signals (one before the reply, as systemd may send them), and
 * with systemd's errors. */
#include "config.h"
#include "cgdriver/dbus.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define JOB    "/org/freedesktop/systemd1/job/7"
#define OTHER  "/org/freedesktop/systemd1/job/6"
#define SCOPE  "claunch-t.scope"
#define LOGMAX 4096

static char sock_dir[64];
static char sock_path[96];
static pid_t server_pid = -1;
static int log_fd = -1; /* the server's account of what it received */

static void logf_(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(FILE *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fflush(out);
}

/* One variant value as "sig:text". */
static int log_variant(sd_bus_message *m, FILE *out)
{
	const char *contents;
	char type;
	int r = sd_bus_message_peek_type(m, &type, &contents);

	if (r < 0 || type != 'v')
		return -EPROTO;
	r = sd_bus_message_enter_container(m, 'v', contents);
	if (r < 0)
		return r;
	if (strcmp(contents, "s") == 0) {
		const char *s;
		r = sd_bus_message_read(m, "s", &s);
		logf_(out, "s:%s", s);
	} else if (strcmp(contents, "b") == 0) {
		int b;
		r = sd_bus_message_read(m, "b", &b);
		logf_(out, "b:%d", b);
	} else if (strcmp(contents, "t") == 0) {
		uint64_t t;
		r = sd_bus_message_read(m, "t", &t);
		logf_(out, "t:%llu", (unsigned long long)t);
	} else if (strcmp(contents, "au") == 0) {
		uint32_t u;
		r = sd_bus_message_enter_container(m, 'a', "u");
		logf_(out, "au:");
		while (r >= 0 && (r = sd_bus_message_read(m, "u", &u)) > 0)
			logf_(out, "%u,", u);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	} else if (strcmp(contents, "ay") == 0) {
		const void *p;
		size_t n;
		r = sd_bus_message_read_array(m, 'y', &p, &n);
		logf_(out, "ay:");
		for (size_t i = 0; r >= 0 && i < n; i++)
			logf_(out, "%02x", ((const uint8_t *)p)[i]);
	} else {
		logf_(out, "%s:?", contents);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r;
}

static int log_properties(sd_bus_message *m, FILE *out)
{
	int r = sd_bus_message_enter_container(m, 'a', "(sv)");

	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
		const char *name;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			break;
		logf_(out, " %s=", name);
		r = log_variant(m, out);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	return r;
}

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	FILE *out = userdata;
	sd_bus *bus = sd_bus_message_get_bus(m);
	const char *member = sd_bus_message_get_member(m);
	const char *a, *b;
	uint8_t type;
	int r;

	if (sd_bus_message_get_type(m, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL)
		return 0;
	logf_(out, "%s %s %s %s", member, sd_bus_message_get_path(m),
	      sd_bus_message_get_interface(m), sd_bus_message_get_destination(m));
	if (strcmp(member, "StartTransientUnit") == 0) {
		r = sd_bus_message_read(m, "ss", &a, &b);
		if (r >= 0) {
			logf_(out, " %s %s", a, b);
			r = log_properties(m, out);
		}
		if (r >= 0)
			r = sd_bus_message_enter_container(m, 'a', "(sa(sv))");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		logf_(out, " [%s]\n", r >= 0 ? "parsed" : strerror(-r));
		/* the job ends before its reply arrives, and another job ends too */
		sd_bus_emit_signal(bus, "/org/freedesktop/systemd1",
				   "org.freedesktop.systemd1.Manager", "JobRemoved", "uoss", 6,
				   OTHER, "other.service", "failed");
		sd_bus_emit_signal(bus, "/org/freedesktop/systemd1",
				   "org.freedesktop.systemd1.Manager", "JobRemoved", "uoss", 7, JOB,
				   SCOPE, "done");
		return sd_bus_reply_method_return(m, "o", JOB);
	}
	if (strcmp(member, "KillUnit") == 0) {
		int32_t sig;

		r = sd_bus_message_read(m, "ssi", &a, &b, &sig);
		logf_(out, " %s %s %d\n", a, b, sig);
		return sd_bus_reply_method_return(m, NULL);
	}
	if (strcmp(member, "StopUnit") == 0) {
		r = sd_bus_message_read(m, "ss", &a, &b);
		logf_(out, " %s %s\n", a, b);
		return sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.NoSuchUnit",
						  "Unit %s not loaded.", a);
	}
	if (strcmp(member, "Get") == 0) {
		r = sd_bus_message_read(m, "ss", &a, &b);
		logf_(out, " %s %s\n", a, b);
		return sd_bus_reply_method_return(m, "v", "s", "/claunch.slice/" SCOPE);
	}
	logf_(out, "\n");
	return sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.UnknownMethod", "no %s",
					  member);
}

/* The server: accepts one connection, authenticates it as systemd does, answers until the
 * client goes. */
static void serve(int listen_fd, int out_fd)
{
	FILE *out = fdopen(out_fd, "w");
	sd_id128_t id =
		SD_ID128_MAKE(aa, bb, cc, dd, ee, ff, 00, 11, 22, 33, 44, 55, 66, 77, 88, 99);
	sd_bus *bus = NULL;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	int r;

	if (fd < 0 || !out)
		_exit(2);
	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_fd(bus, fd, fd);
	if (r >= 0)
		r = sd_bus_set_server(bus, 1, id);
	if (r >= 0)
		r = sd_bus_add_filter(bus, NULL, on_call, out);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		logf_(out, "server: %s\n", strerror(-r));
		_exit(3);
	}
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			break; /* the client went */
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			break;
	}
	_exit(0);
}

static void setup(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fds[2], listen_fd;

	snprintf(sock_dir, sizeof(sock_dir), "/tmp/test_dbus.XXXXXX");
	cr_assert_not_null(mkdtemp(sock_dir));
	snprintf(sock_path, sizeof(sock_path), "%s/private", sock_dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(listen_fd, 0);
	cr_assert_eq(bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(listen(listen_fd, 1), 0);
	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	server_pid = fork();
	cr_assert_geq(server_pid, 0);
	if (server_pid == 0) {
		close(fds[0]);
		alarm(20);
		serve(listen_fd, fds[1]);
	}
	close(fds[1]);
	close(listen_fd);
	log_fd = fds[0];
}

static void teardown(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
	}
	if (log_fd >= 0)
		close(log_fd);
	unlink(sock_path);
	rmdir(sock_dir);
}

/* The server's account, once it ended (the client closed). */
static void server_log(char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size - 1 && (r = read(log_fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

Test(dbus, start_transient_unit_as_sd_bus_reads_it, .init = setup, .fini = teardown, .timeout = 40)
{
	struct dbus bus;
	struct dbus_writer w = { 0 };
	struct dbus_array props, aux;
	const uint32_t pid = 4242;
	const uint8_t cpus[] = { 0x05, 0x01 };
	char job[DBUS_PATH_MAX], result[32], log[LOGMAX], cgroup[256];
	int r;

	cr_assert_eq(dbus_connect(&bus, sock_path), 0);
	dbus_put_string(&w, SCOPE);
	dbus_put_string(&w, "fail");
	props = dbus_array_begin(&w, 8);
	dbus_put_property_string(&w, "Description", "claunch container t");
	dbus_put_property_bool(&w, "Delegate", true);
	dbus_put_property_u32_array(&w, "PIDs", &pid, 1);
	dbus_put_property_u64(&w, "MemoryMax", 67108864);
	dbus_put_property_bytes(&w, "AllowedCPUs", cpus, sizeof(cpus));
	dbus_put_property_u64(&w, "TasksMax", UINT64_MAX);
	dbus_array_end(&w, props);
	aux = dbus_array_begin(&w, 8);
	dbus_array_end(&w, aux);
	r = dbus_call_manager(&bus, "StartTransientUnit", "ssa(sv)a(sa(sv))", &w, job, sizeof(job));
	dbus_writer_free(&w);
	cr_assert_eq(r, 0, "%s: %s %s", strerror(-r), bus.error_name, bus.error_message);
	cr_expect_str_eq(job, JOB);
	/* the JobRemoved that came before the reply is not lost */
	cr_assert_eq(dbus_wait_job(&bus, JOB, 1000000, result, sizeof(result)), 0);
	cr_expect_str_eq(result, "done");
	cr_assert_eq(dbus_wait_job(&bus, OTHER, 1000000, result, sizeof(result)), 0);
	cr_expect_str_eq(result, "failed");

	/* a method with an int32 and an empty reply */
	dbus_put_string(&w, SCOPE);
	dbus_put_string(&w, "all");
	dbus_put_i32(&w, 9);
	cr_expect_eq(dbus_call_manager(&bus, "KillUnit", "ssi", &w, NULL, 0), 0);
	dbus_writer_free(&w);

	/* systemd's error, named, with its message */
	dbus_put_string(&w, SCOPE);
	dbus_put_string(&w, "fail");
	r = dbus_call_manager(&bus, "StopUnit", "ss", &w, job, sizeof(job));
	dbus_writer_free(&w);
	cr_expect_eq(r, -EREMOTEIO);
	cr_expect(dbus_error_is(&bus, "org.freedesktop.systemd1.NoSuchUnit"), "%s", bus.error_name);
	cr_expect_str_eq(bus.error_message, "Unit " SCOPE " not loaded.");

	/* a property, and the unit's object path as systemd escapes it */
	r = dbus_unit_path(SCOPE, job, sizeof(job));
	cr_assert_eq(r, 0);
	cr_expect_str_eq(job, "/org/freedesktop/systemd1/unit/claunch_2dt_2escope");
	r = dbus_get_string_property(&bus, job, "org.freedesktop.systemd1.Scope", "ControlGroup",
				     cgroup, sizeof(cgroup));
	cr_expect_eq(r, 0, "%s", strerror(-r));
	cr_expect_str_eq(cgroup, "/claunch.slice/" SCOPE);
	dbus_close(&bus);

	server_log(log, sizeof(log));
	cr_expect(strstr(log, "StartTransientUnit /org/freedesktop/systemd1 "
			      "org.freedesktop.systemd1.Manager org.freedesktop.systemd1 " SCOPE
			      " fail Description=s:claunch container t Delegate=b:1 PIDs=au:4242, "
			      "MemoryMax=t:67108864 AllowedCPUs=ay:0501 "
			      "TasksMax=t:18446744073709551615 [parsed]\n") != NULL,
		  "sd-bus read: %s", log);
	cr_expect(strstr(log, "KillUnit /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager "
			      "org.freedesktop.systemd1 " SCOPE " all 9\n") != NULL,
		  "%s", log);
	cr_expect(strstr(log, "Get /org/freedesktop/systemd1/unit/claunch_2dt_2escope "
			      "org.freedesktop.DBus.Properties org.freedesktop.systemd1 "
			      "org.freedesktop.systemd1.Scope ControlGroup\n") != NULL,
		  "%s", log);
}

Test(dbus, nothing_listening_is_the_connect_error)
{
	struct dbus bus;

	cr_expect_eq(dbus_connect(&bus, "/nonexistent/private"), -ENOENT);
	cr_expect_eq(bus.fd, -1);
}

/* A server that is not D-Bus: the handshake fails, it does not hang. */
Test(dbus, a_refused_handshake_is_eacces, .timeout = 10)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/test_dbus.XXXXXX", path[64];
	struct dbus bus;
	int listen_fd;
	pid_t pid;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(listen(listen_fd, 1), 0);
	pid = fork();
	if (pid == 0) {
		int fd = accept(listen_fd, NULL, NULL);
		char buf[256];

		(void)!read(fd, buf, sizeof(buf));
		(void)!write(fd, "REJECTED EXTERNAL\r\n", 19);
		sleep(5);
		_exit(0);
	}
	cr_expect_eq(dbus_connect(&bus, path), -EACCES);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(listen_fd);
	unlink(path);
	rmdir(dir);
}
