/* A small D-Bus client for the systemd driver: one connection to systemd's private socket
 * (/run/systemd/private: peer to peer, no bus daemon, no Hello), method calls with the few
 * argument types the systemd Manager API needs, and the JobRemoved signals systemd sends to
 * every private connection. Little-endian messages only (systemd on x86 and most hosts
 * sends those; a big-endian one is a protocol error). Not for callers outside cgdriver/.
 *
 * It replaces libsystemd's sd-bus so that claunch stays one static binary: loading
 * libsystemd.so.0 and its six libraries cost more than the whole rest of a container start
 * (bench/README.md, "systemd driver"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DBUS_ERROR_NAME_MAX    128
#define DBUS_ERROR_MESSAGE_MAX 256
#define DBUS_PATH_MAX	       256
#define DBUS_EVENTS_SEEN       32

/* A signal of systemd's Manager seen on the connection: JobRemoved (key: the job's path,
 * result: its result) or UnitRemoved (key: the unit's name). */
struct dbus_event {
	char member[16];
	char key[DBUS_PATH_MAX];
	char result[32];
};

struct dbus {
	int fd; /* -1 when closed, or after a timeout or a broken connection */
	uint32_t serial;
	uint8_t *in; /* received: in[pos, len) is not parsed yet */
	size_t pos, len, size;
	/* the last signals, newest last */
	struct dbus_event events[DBUS_EVENTS_SEEN];
	size_t n_events;
	/* the error of the last failed call */
	char error_name[DBUS_ERROR_NAME_MAX];
	char error_message[DBUS_ERROR_MESSAGE_MAX];
};

/* A message body being written: a growing buffer; the first failure sticks (ENOMEM). */
struct dbus_writer {
	uint8_t *data;
	size_t len, size;
	int error;
};

/* Connects to the unix socket PATH and authenticates (EXTERNAL, as our uid), within 25 s.
 * 0 or -errno (-ETIMEDOUT when systemd does not accept or answer). */
int dbus_connect(struct dbus *bus, const char *path);
void dbus_close(struct dbus *bus);

/* Body writers. Arrays: dbus_array_begin() returns what dbus_array_end() needs. */
void dbus_put_string(struct dbus_writer *w, const char *s);
void dbus_put_bool(struct dbus_writer *w, bool b);
void dbus_put_u32(struct dbus_writer *w, uint32_t v);
void dbus_put_i32(struct dbus_writer *w, int32_t v);
struct dbus_array {
	size_t length_at, first;
};
struct dbus_array dbus_array_begin(struct dbus_writer *w, size_t element_align);
void dbus_array_end(struct dbus_writer *w, struct dbus_array a);
/* One (sv) entry of an a(sv) property array, with a value of the given kind. */
void dbus_put_property_string(struct dbus_writer *w, const char *name, const char *value);
void dbus_put_property_bool(struct dbus_writer *w, const char *name, bool value);
void dbus_put_property_u64(struct dbus_writer *w, const char *name, uint64_t value);
void dbus_put_property_u32_array(struct dbus_writer *w, const char *name, const uint32_t *v,
				 size_t n);
void dbus_put_property_bytes(struct dbus_writer *w, const char *name, const uint8_t *v, size_t n);
void dbus_writer_free(struct dbus_writer *w);

/* Calls systemd's Manager method MEMBER with the body in w (SIGNATURE, NULL when empty) and
 * waits for the answer (25 s; after a timeout or a broken connection the connection is closed,
 * and later calls fail at once with -ENOTCONN). A reply whose body starts with an object path (a
 * job) has it in job, when job is given. Returns 0, or -errno: -EREMOTEIO when systemd answered
 * with an error (bus->error_name and error_message say which), -ETIMEDOUT, or the socket's error.
 */
int dbus_call_manager(struct dbus *bus, const char *member, const char *signature,
		      const struct dbus_writer *w, char *job, size_t job_size);

/* Reads a string property of the object PATH (org.freedesktop.DBus.Properties.Get). */
int dbus_get_string_property(struct dbus *bus, const char *path, const char *interface,
			     const char *name, char *value, size_t size);

/* Waits until JobRemoved of JOB was seen (it may have been already) or timeout_usec passed;
 * the job's result ("done", "failed", ...) into result. 0, -ETIMEDOUT or -errno. */
int dbus_wait_job(struct dbus *bus, const char *job, uint64_t timeout_usec, char *result,
		  size_t result_size);
/* Waits until UnitRemoved of UNIT was seen (systemd collected it), as dbus_wait_job. */
int dbus_wait_unit_removed(struct dbus *bus, const char *unit, uint64_t timeout_usec);

/* systemd's object path for a unit: /org/freedesktop/systemd1/unit/ and the name with every
 * byte that is not [A-Za-z0-9] as _XX (hex). */
int dbus_unit_path(const char *unit, char *buf, size_t size);

bool dbus_error_is(const struct dbus *bus, const char *name);
