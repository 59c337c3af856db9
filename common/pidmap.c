#include "config.h"

#include "common/pidmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct pidmap_slot {
	pid_t pid; /* 0: empty, -1: deleted */
	void *value;
};

struct pidmap {
	struct pidmap_slot *slots;
	size_t capacity; /* power of two */
	size_t used;	 /* live entries */
	size_t filled;	 /* live + deleted */
};

#define PIDMAP_DELETED ((pid_t)-1)

static size_t pidmap_hash(pid_t pid, size_t capacity)
{
	return ((uint32_t)pid * UINT32_C(2654435761)) & (capacity - 1);
}

struct pidmap *pidmap_new(void)
{
	return calloc(1, sizeof(struct pidmap));
}

void pidmap_free_with(struct pidmap *map, void (*free_value)(void *value))
{
	size_t i;

	if (!map)
		return;
	for (i = 0; free_value && i < map->capacity; i++)
		if (map->slots[i].pid > 0)
			free_value(map->slots[i].value);
	pidmap_free(map);
}

void pidmap_free(struct pidmap *map)
{
	if (!map)
		return;
	free(map->slots);
	free(map);
}

static struct pidmap_slot *pidmap_find(const struct pidmap *map, pid_t pid)
{
	size_t i;

	if (map->capacity == 0 || pid <= 0)
		return NULL;
	for (i = pidmap_hash(pid, map->capacity);; i = (i + 1) & (map->capacity - 1)) {
		struct pidmap_slot *s = &map->slots[i];
		if (s->pid == pid)
			return s;
		if (s->pid == 0)
			return NULL;
	}
}

static int pidmap_grow(struct pidmap *map)
{
	size_t capacity = map->capacity ? map->capacity * 2 : 64;
	struct pidmap_slot *old = map->slots, *slots;
	size_t i, old_capacity = map->capacity;

	/* Only deleted slots clog the table: rehash at the same size. */
	if (map->used * 4 < map->capacity)
		capacity = map->capacity;
	slots = calloc(capacity, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	map->slots = slots;
	map->capacity = capacity;
	map->filled = map->used;
	for (i = 0; i < old_capacity; i++) {
		if (old[i].pid > 0) {
			size_t j = pidmap_hash(old[i].pid, capacity);
			while (slots[j].pid != 0)
				j = (j + 1) & (capacity - 1);
			slots[j] = old[i];
		}
	}
	free(old);
	return 0;
}

int pidmap_put(struct pidmap *map, pid_t pid, void *value)
{
	struct pidmap_slot *s;
	size_t i;

	if (pid <= 0 || !value)
		return -EINVAL;
	s = pidmap_find(map, pid);
	if (s) {
		s->value = value;
		return 0;
	}
	if ((map->filled + 1) * 4 > map->capacity * 3) {
		int r = pidmap_grow(map);
		if (r < 0)
			return r;
	}
	for (i = pidmap_hash(pid, map->capacity);; i = (i + 1) & (map->capacity - 1)) {
		s = &map->slots[i];
		if (s->pid == 0 || s->pid == PIDMAP_DELETED)
			break;
	}
	if (s->pid == 0)
		map->filled++;
	s->pid = pid;
	s->value = value;
	map->used++;
	return 0;
}

void *pidmap_get(const struct pidmap *map, pid_t pid)
{
	struct pidmap_slot *s = pidmap_find(map, pid);

	return s ? s->value : NULL;
}

void *pidmap_remove(struct pidmap *map, pid_t pid)
{
	struct pidmap_slot *s = pidmap_find(map, pid);
	void *value;

	if (!s)
		return NULL;
	value = s->value;
	s->pid = PIDMAP_DELETED;
	s->value = NULL;
	map->used--;
	return value;
}

size_t pidmap_size(const struct pidmap *map)
{
	return map->used;
}
