/* The D-Bus wire protocol, as much of it as the systemd driver needs (see dbus.h). */
#include "config.h"

#include "cgdriver/dbus.h"
#include "common/util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "cgdriver/dbus.c writes and reads little-endian D-Bus messages only (configure --without-systemd)"
#endif

#define DBUS_DESTINATION  "org.freedesktop.systemd1"
#define DBUS_MANAGER_PATH "/org/freedesktop/systemd1"
#define DBUS_MANAGER	  "org.freedesktop.systemd1.Manager"
#define DBUS_PROPERTIES	  "org.freedesktop.DBus.Properties"
#define DBUS_UNIT_PATH	  "/org/freedesktop/systemd1/unit/"

#define CALL_TIMEOUT_USEC (UINT64_C(25) * 1000000) /* sd-bus's default */
#define MESSAGE_MAX	  (UINT32_C(1) << 27)	   /* the spec's limit: 128 MiB */
#define READ_CHUNK	  65536

enum {
	MSG_METHOD_CALL = 1,
	MSG_METHOD_RETURN = 2,
	MSG_ERROR = 3,
	MSG_SIGNAL = 4,
};

enum {
	FIELD_PATH = 1,
	FIELD_INTERFACE = 2,
	FIELD_MEMBER = 3,
	FIELD_ERROR_NAME = 4,
	FIELD_REPLY_SERIAL = 5,
	FIELD_DESTINATION = 6,
	FIELD_SIGNATURE = 8,
};

/* ---- writing ---- */

static void w_reserve(struct dbus_writer *w, size_t n)
{
	size_t size;
	uint8_t *p;

	if (w->error || w->len + n <= w->size)
		return;
	size = w->size ? w->size : 256;
	while (size < w->len + n)
		size *= 2;
	p = realloc(w->data, size);
	if (!p) {
		w->error = -ENOMEM;
		return;
	}
	w->data = p;
	w->size = size;
}

static void w_bytes(struct dbus_writer *w, const void *p, size_t n)
{
	w_reserve(w, n);
	if (w->error)
		return;
	memcpy(w->data + w->len, p, n);
	w->len += n;
}

/* Alignment is relative to the start of the buffer: bodies and headers start 8-aligned. */
static void w_align(struct dbus_writer *w, size_t a)
{
	static const uint8_t zeros[8];

	if (w->len % a)
		w_bytes(w, zeros, a - w->len % a);
}

static void w_byte(struct dbus_writer *w, uint8_t b)
{
	w_bytes(w, &b, 1);
}

void dbus_put_u32(struct dbus_writer *w, uint32_t v)
{
	w_align(w, 4);
	w_bytes(w, &v, 4); /* little-endian host: see dbus.h */
}

void dbus_put_i32(struct dbus_writer *w, int32_t v)
{
	dbus_put_u32(w, (uint32_t)v);
}

static void w_u64(struct dbus_writer *w, uint64_t v)
{
	w_align(w, 8);
	w_bytes(w, &v, 8);
}

void dbus_put_bool(struct dbus_writer *w, bool b)
{
	dbus_put_u32(w, b ? 1 : 0);
}

void dbus_put_string(struct dbus_writer *w, const char *s)
{
	size_t n = strlen(s);

	dbus_put_u32(w, (uint32_t)n);
	w_bytes(w, s, n + 1);
}

static void w_signature(struct dbus_writer *w, const char *s)
{
	size_t n = strlen(s);

	w_byte(w, (uint8_t)n);
	w_bytes(w, s, n + 1);
}

struct dbus_array dbus_array_begin(struct dbus_writer *w, size_t element_align)
{
	struct dbus_array a;

	dbus_put_u32(w, 0); /* the length, filled in by dbus_array_end() */
	a.length_at = w->len - 4;
	/* the padding to the first element is not part of the length, even when empty */
	w_align(w, element_align);
	a.first = w->len;
	return a;
}

void dbus_array_end(struct dbus_writer *w, struct dbus_array a)
{
	uint32_t n = (uint32_t)(w->len - a.first);

	if (!w->error)
		memcpy(w->data + a.length_at, &n, 4);
}

static void property_begin(struct dbus_writer *w, const char *name, const char *signature)
{
	w_align(w, 8); /* a struct */
	dbus_put_string(w, name);
	w_signature(w, signature);
}

void dbus_put_property_string(struct dbus_writer *w, const char *name, const char *value)
{
	property_begin(w, name, "s");
	dbus_put_string(w, value);
}

void dbus_put_property_bool(struct dbus_writer *w, const char *name, bool value)
{
	property_begin(w, name, "b");
	dbus_put_bool(w, value);
}

void dbus_put_property_u64(struct dbus_writer *w, const char *name, uint64_t value)
{
	property_begin(w, name, "t");
	w_u64(w, value);
}

void dbus_put_property_u32_array(struct dbus_writer *w, const char *name, const uint32_t *v,
				 size_t n)
{
	struct dbus_array mark;

	property_begin(w, name, "au");
	mark = dbus_array_begin(w, 4);
	for (size_t i = 0; i < n; i++)
		dbus_put_u32(w, v[i]);
	dbus_array_end(w, mark);
}

void dbus_put_property_bytes(struct dbus_writer *w, const char *name, const uint8_t *v, size_t n)
{
	struct dbus_array mark;

	property_begin(w, name, "ay");
	mark = dbus_array_begin(w, 1);
	w_bytes(w, v, n);
	dbus_array_end(w, mark);
}

void dbus_writer_free(struct dbus_writer *w)
{
	free(w->data);
	*w = (struct dbus_writer){ 0 };
}

/* ---- the connection ---- */

/* Reads what is there into bus->in, waiting until deadline; 0, -ETIMEDOUT, -ECONNRESET. */
static int fill(struct dbus *bus, uint64_t deadline)
{
	/* what was parsed goes, once per read rather than once per message */
	if (bus->pos > 0) {
		memmove(bus->in, bus->in + bus->pos, bus->len - bus->pos);
		bus->len -= bus->pos;
		bus->pos = 0;
	}
	for (;;) {
		struct pollfd p = { .fd = bus->fd, .events = POLLIN };
		uint64_t now = util_now_usec(CLOCK_MONOTONIC);
		ssize_t n;
		int r;

		if (bus->size - bus->len < READ_CHUNK) {
			size_t size = bus->size ? bus->size * 2 : READ_CHUNK * 2;
			uint8_t *in = realloc(bus->in, size);

			if (!in)
				return -ENOMEM;
			bus->in = in;
			bus->size = size;
		}
		n = recv(bus->fd, bus->in + bus->len, bus->size - bus->len, MSG_DONTWAIT);
		if (n > 0) {
			bus->len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static void consume(struct dbus *bus, size_t n)
{
	bus->pos += n;
}

/* connect() without blocking: a systemd that does not accept (its backlog full, or hung) is a
 * timeout, not a hang. */
static int connect_within(int fd, const struct sockaddr_un *addr, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		uint64_t now = util_now_usec(CLOCK_MONOTONIC);

		if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 ||
		    errno == EISCONN)
			return 0;
		if (errno != EAGAIN && errno != EINPROGRESS && errno != EALREADY && errno != EINTR)
			return -errno;
		if (now >= deadline)
			return -ETIMEDOUT;
		/* a unix socket's full backlog wakes no poll: try again in a while */
		(void)poll(&p, 1, 10);
	}
}

int dbus_connect(struct dbus *bus, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval send_timeout = { .tv_sec = CALL_TIMEOUT_USEC / 1000000 };
	char auth[64], uid[16];
	uint64_t deadline;
	int n, r;

	*bus = (struct dbus){ .fd = -1 };
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	bus->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (bus->fd < 0)
		return -errno;
	deadline = util_now_usec(CLOCK_MONOTONIC) + CALL_TIMEOUT_USEC;
	r = connect_within(bus->fd, &addr, deadline);
	/* blocking again for writes, which give up after the call timeout */
	if (r >= 0)
		r = util_fd_set_nonblock(bus->fd, false);
	if (r >= 0 &&
	    setsockopt(bus->fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout)) < 0)
		r = -errno;
	if (r < 0) {
		dbus_close(bus);
		return r;
	}
	/* EXTERNAL: the server checks our uid (SO_PEERCRED) against the one we name, in hex
	 * of its decimal digits; BEGIN goes along, the server takes it after its OK */
	snprintf(uid, sizeof(uid), "%u", (unsigned)geteuid());
	n = snprintf(auth, sizeof(auth), "%cAUTH EXTERNAL ", '\0');
	for (const char *p = uid; *p; p++)
		n += snprintf(auth + n, sizeof(auth) - (size_t)n, "%02x", (unsigned char)*p);
	n += snprintf(auth + n, sizeof(auth) - (size_t)n, "\r\nBEGIN\r\n");
	r = util_write_all(bus->fd, auth, (size_t)n);
	if (r < 0) {
		dbus_close(bus);
		return r;
	}
	for (;;) {
		uint8_t *start = bus->in + bus->pos;
		uint8_t *eol =
			bus->len > bus->pos ? memchr(start, '\n', bus->len - bus->pos) : NULL;

		if (eol) {
			bool ok = eol - start >= 3 && memcmp(start, "OK ", 3) == 0;

			consume(bus, (size_t)(eol - start) + 1);
			if (ok)
				return 0;
			dbus_close(bus);
			return -EACCES;
		}
		r = fill(bus, deadline);
		if (r < 0) {
			dbus_close(bus);
			return r;
		}
	}
}

void dbus_close(struct dbus *bus)
{
	if (bus->fd >= 0)
		(void)close(bus->fd);
	bus->fd = -1;
	free(bus->in);
	bus->in = NULL;
	bus->pos = bus->len = bus->size = 0;
}

static void header_field_string(struct dbus_writer *h, uint8_t code, const char *signature,
				const char *value)
{
	w_align(h, 8);
	w_byte(h, code);
	w_signature(h, signature);
	if (strcmp(signature, "g") == 0)
		w_signature(h, value);
	else
		dbus_put_string(h, value);
}

static int send_call(struct dbus *bus, const char *path, const char *interface, const char *member,
		     const char *signature, const struct dbus_writer *body, uint32_t *serial)
{
	struct dbus_writer h = { 0 };
	struct dbus_array mark;
	uint32_t body_len = body ? (uint32_t)body->len : 0;
	int r;

	if (body && body->error)
		return body->error;
	*serial = ++bus->serial;
	w_byte(&h, 'l');
	w_byte(&h, MSG_METHOD_CALL);
	w_byte(&h, 0);
	w_byte(&h, 1);
	dbus_put_u32(&h, body_len);
	dbus_put_u32(&h, *serial);
	mark = dbus_array_begin(&h, 8);
	header_field_string(&h, FIELD_PATH, "o", path);
	header_field_string(&h, FIELD_INTERFACE, "s", interface);
	header_field_string(&h, FIELD_MEMBER, "s", member);
	header_field_string(&h, FIELD_DESTINATION, "s", DBUS_DESTINATION);
	if (signature && *signature)
		header_field_string(&h, FIELD_SIGNATURE, "g", signature);
	dbus_array_end(&h, mark);
	w_align(&h, 8);
	if (body_len)
		w_bytes(&h, body->data, body_len);
	r = h.error ? h.error : util_write_all(bus->fd, h.data, h.len);
	dbus_writer_free(&h);
	return r < 0 ? r : 0;
}

/* ---- reading ---- */

struct reader {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static void r_align(struct reader *r, size_t a)
{
	size_t pos = (r->pos + a - 1) / a * a;

	if (pos > r->len)
		r->bad = true;
	else
		r->pos = pos;
}

static uint8_t r_byte(struct reader *r)
{
	if (r->pos + 1 > r->len) {
		r->bad = true;
		return 0;
	}
	return r->p[r->pos++];
}

static uint32_t r_u32(struct reader *r)
{
	uint32_t v = 0;

	r_align(r, 4);
	if (r->bad || r->pos + 4 > r->len) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p + r->pos, 4);
	r->pos += 4;
	return v;
}

/* A string, object path (u32 length) or signature (byte length): points into the message. */
static const char *r_string(struct reader *r, bool signature)
{
	uint32_t n = signature ? r_byte(r) : r_u32(r);
	const char *s;

	if (r->bad || n > r->len || r->pos + n + 1 > r->len || r->p[r->pos + n] != '\0') {
		r->bad = true;
		return "";
	}
	s = (const char *)r->p + r->pos;
	r->pos += n + 1;
	return s;
}

struct message {
	uint8_t type;
	uint32_t reply_serial;
	const char *interface, *member, *error_name, *signature;
	struct reader body;
};

/* Parses the header of the complete message at the start of bus->in; returns its total size,
 * 0 when more bytes are needed, -EPROTO when it is not a message we can read. */
static ssize_t parse_message(struct dbus *bus, struct message *m)
{
	const uint8_t *in = bus->in + bus->pos;
	size_t avail = bus->len - bus->pos;
	struct reader h = { .p = in, .len = avail };
	uint32_t body_len, fields_len;
	size_t header_end, total;

	if (avail < 16)
		return 0;
	if (in[0] != 'l' || in[3] != 1)
		return -EPROTO;
	memcpy(&body_len, in + 4, 4);
	memcpy(&fields_len, in + 12, 4);
	if (body_len > MESSAGE_MAX || fields_len > MESSAGE_MAX)
		return -EPROTO;
	header_end = (16 + (size_t)fields_len + 7) / 8 * 8;
	total = header_end + body_len;
	if (avail < total)
		return 0;

	*m = (struct message){ .type = in[1], .signature = "" };
	h.pos = 16;
	h.len = 16 + fields_len;
	while (!h.bad && h.pos < h.len) {
		uint8_t code;
		const char *sig;

		r_align(&h, 8);
		if (h.pos >= h.len)
			break;
		code = r_byte(&h);
		sig = r_string(&h, true);
		if (strcmp(sig, "u") == 0) {
			uint32_t v = r_u32(&h);

			if (code == FIELD_REPLY_SERIAL)
				m->reply_serial = v;
		} else if (strcmp(sig, "s") == 0 || strcmp(sig, "o") == 0 ||
			   strcmp(sig, "g") == 0) {
			const char *v = r_string(&h, sig[0] == 'g');

			if (code == FIELD_INTERFACE)
				m->interface = v;
			else if (code == FIELD_MEMBER)
				m->member = v;
			else if (code == FIELD_ERROR_NAME)
				m->error_name = v;
			else if (code == FIELD_SIGNATURE)
				m->signature = v;
		} else {
			return -EPROTO; /* no other field type is defined */
		}
	}
	if (h.bad)
		return -EPROTO;
	m->body = (struct reader){ .p = in + header_end, .len = body_len };
	return (ssize_t)total;
}

/* Keeps JobRemoved (uoss: id, job, unit, result) and UnitRemoved (so: unit, path). */
static void note_signal(struct dbus *bus, struct message *m)
{
	struct dbus_event *ev;
	const char *key, *result = "";

	if (!m->member || !m->interface || strcmp(m->interface, DBUS_MANAGER) != 0)
		return;
	if (strcmp(m->member, "JobRemoved") == 0 && strcmp(m->signature, "uoss") == 0) {
		(void)r_u32(&m->body);
		key = r_string(&m->body, false);
		(void)r_string(&m->body, false);
		result = r_string(&m->body, false);
	} else if (strcmp(m->member, "UnitRemoved") == 0 && strcmp(m->signature, "so") == 0) {
		key = r_string(&m->body, false);
	} else {
		return;
	}
	if (m->body.bad)
		return;
	if (bus->n_events == DBUS_EVENTS_SEEN) {
		memmove(bus->events, bus->events + 1,
			sizeof(bus->events[0]) * (DBUS_EVENTS_SEEN - 1));
		bus->n_events--;
	}
	ev = &bus->events[bus->n_events++];
	snprintf(ev->member, sizeof(ev->member), "%s", m->member);
	snprintf(ev->key, sizeof(ev->key), "%s", key);
	snprintf(ev->result, sizeof(ev->result), "%s", result);
}

static const struct dbus_event *event_find(const struct dbus *bus, const char *member,
					   const char *key)
{
	for (size_t i = bus->n_events; i-- > 0;)
		if (strcmp(bus->events[i].member, member) == 0 &&
		    strcmp(bus->events[i].key, key) == 0)
			return &bus->events[i];
	return NULL;
}

/* Reads messages until the reply to serial (then *reply is it, and the caller consumes
 * reply_size bytes), or, when serial is 0, until the signal MEMBER of KEY was seen. A timeout
 * or a broken connection closes it. */
static int read_until(struct dbus *bus, uint32_t serial, const char *member, const char *key,
		      uint64_t deadline, struct message *reply, size_t *reply_size)
{
	int r = 0;

	while (r >= 0) {
		struct message m;
		ssize_t n;

		/* signals alone can keep coming: the deadline holds anyway */
		if (util_now_usec(CLOCK_MONOTONIC) >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		n = parse_message(bus, &m);
		if (n < 0) {
			r = (int)n;
			break;
		}
		if (n == 0) {
			r = fill(bus, deadline);
			continue;
		}
		if (m.type == MSG_SIGNAL)
			note_signal(bus, &m);
		if (serial && (m.type == MSG_METHOD_RETURN || m.type == MSG_ERROR) &&
		    m.reply_serial == serial) {
			*reply = m;
			*reply_size = (size_t)n;
			return 0;
		}
		consume(bus, (size_t)n);
		if (!serial && event_find(bus, member, key))
			return 0;
	}
	/* a late reply would be taken for the next call's: a call's connection ends here; a
	 * wait that timed out can go on */
	if (serial || r != -ETIMEDOUT)
		dbus_close(bus);
	return r;
}

static int call(struct dbus *bus, const char *path, const char *interface, const char *member,
		const char *signature, const struct dbus_writer *body, char *out, size_t out_size,
		bool variant)
{
	struct message m;
	size_t size = 0;
	uint32_t serial = 0;
	int r;

	bus->error_name[0] = bus->error_message[0] = '\0';
	if (bus->fd < 0)
		return -ENOTCONN;
	r = send_call(bus, path, interface, member, signature, body, &serial);
	if (r < 0) {
		dbus_close(bus);
		return r;
	}
	r = read_until(bus, serial, NULL, NULL, util_now_usec(CLOCK_MONOTONIC) + CALL_TIMEOUT_USEC,
		       &m, &size);
	if (r < 0)
		return r;
	if (m.type == MSG_ERROR) {
		snprintf(bus->error_name, sizeof(bus->error_name), "%s",
			 m.error_name ? m.error_name : "(unnamed)");
		if (m.signature[0] == 's')
			snprintf(bus->error_message, sizeof(bus->error_message), "%s",
				 r_string(&m.body, false));
		r = -EREMOTEIO;
	} else if (out && variant && strcmp(m.signature, "v") == 0) {
		const char *sig = r_string(&m.body, true);
		const char *value = strcmp(sig, "s") == 0 || strcmp(sig, "o") == 0
					    ? r_string(&m.body, false)
					    : NULL;

		r = value && !m.body.bad ? 0 : -EPROTO;
		if (r == 0)
			snprintf(out, out_size, "%s", value);
	} else if (out && !variant && m.signature[0] == 'o') {
		const char *value = r_string(&m.body, false);

		r = m.body.bad ? -EPROTO : 0;
		if (r == 0)
			snprintf(out, out_size, "%s", value);
	}
	consume(bus, size);
	return r;
}

int dbus_call_manager(struct dbus *bus, const char *member, const char *signature,
		      const struct dbus_writer *w, char *job, size_t job_size)
{
	if (job && job_size)
		job[0] = '\0';
	return call(bus, DBUS_MANAGER_PATH, DBUS_MANAGER, member, signature, w, job, job_size,
		    false);
}

int dbus_get_string_property(struct dbus *bus, const char *path, const char *interface,
			     const char *name, char *value, size_t size)
{
	struct dbus_writer w = { 0 };
	int r;

	dbus_put_string(&w, interface);
	dbus_put_string(&w, name);
	r = call(bus, path, DBUS_PROPERTIES, "Get", "ss", &w, value, size, true);
	dbus_writer_free(&w);
	return r;
}

static int wait_event(struct dbus *bus, const char *member, const char *key, uint64_t timeout_usec,
		      const struct dbus_event **ret)
{
	int r = 0;

	*ret = event_find(bus, member, key);
	if (!*ret && bus->fd < 0)
		return -ENOTCONN;
	if (!*ret)
		r = read_until(bus, 0, member, key, util_now_usec(CLOCK_MONOTONIC) + timeout_usec,
			       NULL, NULL);
	if (r >= 0)
		*ret = event_find(bus, member, key);
	return r;
}

int dbus_wait_job(struct dbus *bus, const char *job, uint64_t timeout_usec, char *result,
		  size_t result_size)
{
	const struct dbus_event *ev;
	int r = wait_event(bus, "JobRemoved", job, timeout_usec, &ev);

	if (r >= 0)
		snprintf(result, result_size, "%s", ev->result);
	return r;
}

int dbus_wait_unit_removed(struct dbus *bus, const char *unit, uint64_t timeout_usec)
{
	const struct dbus_event *ev;

	return wait_event(bus, "UnitRemoved", unit, timeout_usec, &ev);
}

int dbus_unit_path(const char *unit, char *buf, size_t size)
{
	size_t n = strlen(DBUS_UNIT_PATH);

	if (n + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, DBUS_UNIT_PATH, n);
	for (const char *p = unit; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9' && p != unit);

		if (n + (plain ? 1 : 3) + 1 > size)
			return -ENAMETOOLONG;
		if (plain)
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, size - n, "_%02x", c);
	}
	buf[n] = '\0';
	return 0;
}

bool dbus_error_is(const struct dbus *bus, const char *name)
{
	return strcmp(bus->error_name, name) == 0;
}
