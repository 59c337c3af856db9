#include "config.h"

#include "init/deps.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Edges are kept normalised, per unit, in insertion order, one list per direction the supervisor
 * asks about. The first six lists line up with enum deps_kind so deps_foreach indexes them
 * directly:
 * - AFTER: units this one is ordered after (its After=, and Before= of others pointing here);
 * - BEFORE: units ordered after this one (the reverse of AFTER; what waits for it to start,
 *   what it waits for when stopping);
 * - REQUIRES, WANTS, BINDS_TO: as written;
 * - CONFLICTS: symmetric, since a conflict is honoured from either side;
 * - STOPPED_BY: units that Requires= or BindsTo= this one, as (unit << 1 | is_binds_to), so the
 *   two kinds stay in the order their edges were added. */
enum deps_list_id {
	DEPS_LIST_AFTER = DEPS_AFTER,
	DEPS_LIST_BEFORE = DEPS_BEFORE,
	DEPS_LIST_REQUIRES = DEPS_REQUIRES,
	DEPS_LIST_WANTS = DEPS_WANTS,
	DEPS_LIST_BINDS_TO = DEPS_BINDS_TO,
	DEPS_LIST_CONFLICTS = DEPS_CONFLICTS,
	DEPS_LIST_STOPPED_BY,
	DEPS_LIST_COUNT,
};

#define DEPS_STOPPED_BY_BINDS_TO 1u

/* Smallest tables, both powers of two so that probing can mask. */
#define DEPS_NAMES_MIN_CAPACITY 64
#define DEPS_EDGES_MIN_CAPACITY 256

struct deps_list {
	uint32_t *items;
	uint32_t count;
	uint32_t capacity;
};

struct deps_unit {
	char *name;
	uint64_t hash;
	struct deps_list lists[DEPS_LIST_COUNT];
};

/* One stored list entry, so that adding an edge twice is a hash lookup, not a list scan. */
struct deps_edge {
	uint32_t from;
	uint32_t to;
	uint8_t list;
	bool used;
};

struct deps {
	struct deps_unit *units;
	size_t count;
	size_t capacity;
	uint32_t *names; /* open addressing: unit index + 1, 0 = empty */
	size_t names_capacity;
	struct deps_edge *edges; /* open addressing */
	size_t edges_capacity;
	size_t edges_count;
};

static uint64_t deps_hash_name(const char *name)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static uint64_t deps_hash_edge(uint32_t from, uint8_t list, uint32_t to)
{
	uint64_t x = ((uint64_t)from << 32 | to) ^ ((uint64_t)list * UINT64_C(0x9e3779b97f4a7c15));

	/* splitmix64 finaliser: sequential indices must not cluster. */
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

int deps_new(struct deps **ret)
{
	struct deps *deps;

	if (!ret)
		return -EINVAL;
	deps = calloc(1, sizeof(*deps));
	if (!deps)
		return -ENOMEM;
	*ret = deps;
	return 0;
}

void deps_free(struct deps *deps)
{
	size_t i;
	int l;

	if (!deps)
		return;
	for (i = 0; i < deps->count; i++) {
		free(deps->units[i].name);
		for (l = 0; l < DEPS_LIST_COUNT; l++)
			free(deps->units[i].lists[l].items);
	}
	free(deps->units);
	free(deps->names);
	free(deps->edges);
	free(deps);
}

size_t deps_count(const struct deps *deps)
{
	return deps ? deps->count : 0;
}

const char *deps_name(const struct deps *deps, size_t index)
{
	if (!deps || index >= deps->count)
		return NULL;
	return deps->units[index].name;
}

static int deps_lookup(const struct deps *deps, const char *name, uint64_t hash)
{
	size_t mask = deps->names_capacity - 1, i;

	if (deps->names_capacity == 0)
		return -ENOENT;
	for (i = hash & mask;; i = (i + 1) & mask) {
		uint32_t slot = deps->names[i];
		const struct deps_unit *u;

		if (slot == 0)
			return -ENOENT;
		u = &deps->units[slot - 1];
		if (u->hash == hash && strcmp(u->name, name) == 0)
			return (int)(slot - 1);
	}
}

int deps_find(const struct deps *deps, const char *name)
{
	if (!deps || !name)
		return -EINVAL;
	return deps_lookup(deps, name, deps_hash_name(name));
}

static void deps_names_insert(uint32_t *names, size_t capacity, uint64_t hash, uint32_t index)
{
	size_t mask = capacity - 1, i;

	for (i = hash & mask; names[i] != 0; i = (i + 1) & mask)
		;
	names[i] = index + 1;
}

/* Keeps the name table at most half full for the next insertion. */
static int deps_names_reserve(struct deps *deps)
{
	size_t capacity, i;
	uint32_t *names;

	if ((deps->count + 1) * 2 <= deps->names_capacity)
		return 0;
	capacity = deps->names_capacity ? deps->names_capacity * 2 : DEPS_NAMES_MIN_CAPACITY;
	names = calloc(capacity, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (i = 0; i < deps->count; i++)
		deps_names_insert(names, capacity, deps->units[i].hash, (uint32_t)i);
	free(deps->names);
	deps->names = names;
	deps->names_capacity = capacity;
	return 0;
}

int deps_add_unit(struct deps *deps, const char *name)
{
	uint64_t hash;
	struct deps_unit *u;
	char *copy;
	int r;

	if (!deps || !name || !*name)
		return -EINVAL;
	hash = deps_hash_name(name);
	r = deps_lookup(deps, name, hash);
	if (r >= 0)
		return r;
	/* Indices are returned as int and STOPPED_BY shifts them left by one. */
	if (deps->count >= INT_MAX / 2)
		return -E2BIG;
	if (deps->count == deps->capacity) {
		size_t capacity = deps->capacity ? deps->capacity * 2 : 16;
		struct deps_unit *units = realloc(deps->units, capacity * sizeof(*units));

		if (!units)
			return -ENOMEM;
		deps->units = units;
		deps->capacity = capacity;
	}
	r = deps_names_reserve(deps);
	if (r < 0)
		return r;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	u = &deps->units[deps->count];
	*u = (struct deps_unit){ .name = copy, .hash = hash };
	deps_names_insert(deps->names, deps->names_capacity, hash, (uint32_t)deps->count);
	return (int)deps->count++;
}

static struct deps_edge *deps_edge_slot(struct deps_edge *edges, size_t capacity, uint32_t from,
					uint8_t list, uint32_t to)
{
	size_t mask = capacity - 1, i;

	for (i = deps_hash_edge(from, list, to) & mask;; i = (i + 1) & mask) {
		struct deps_edge *e = &edges[i];

		if (!e->used || (e->from == from && e->to == to && e->list == list))
			return e;
	}
}

/* Room for two more edges in the set, at most half full. */
static int deps_edges_reserve(struct deps *deps)
{
	struct deps_edge *edges;
	size_t capacity, i;

	if ((deps->edges_count + 2) * 2 <= deps->edges_capacity)
		return 0;
	capacity = deps->edges_capacity ? deps->edges_capacity * 2 : DEPS_EDGES_MIN_CAPACITY;
	edges = calloc(capacity, sizeof(*edges));
	if (!edges)
		return -ENOMEM;
	for (i = 0; i < deps->edges_capacity; i++) {
		const struct deps_edge *e = &deps->edges[i];

		if (e->used)
			*deps_edge_slot(edges, capacity, e->from, e->list, e->to) = *e;
	}
	free(deps->edges);
	deps->edges = edges;
	deps->edges_capacity = capacity;
	return 0;
}

/* Room for two more entries, in case both halves of an edge land in the same list. */
static int deps_list_reserve(struct deps_list *list)
{
	uint32_t capacity;
	uint32_t *items;

	if (list->count + 2 <= list->capacity)
		return 0;
	if (list->capacity > UINT32_MAX / 2)
		return -E2BIG;
	capacity = list->capacity ? list->capacity * 2 : 4;
	items = realloc(list->items, capacity * sizeof(*items));
	if (!items)
		return -ENOMEM;
	list->items = items;
	list->capacity = capacity;
	return 0;
}

/* Only after every reservation succeeded: an edge is stored with both halves or not at all. */
static void deps_link_one(struct deps *deps, uint32_t from, uint8_t list, uint32_t to)
{
	struct deps_edge *e = deps_edge_slot(deps->edges, deps->edges_capacity, from, list, to);
	struct deps_list *l = &deps->units[from].lists[list];

	if (e->used)
		return;
	*e = (struct deps_edge){ .from = from, .to = to, .list = list, .used = true };
	deps->edges_count++;
	l->items[l->count++] = to;
}

static int deps_link(struct deps *deps, uint32_t from, uint8_t list, uint32_t to,
		     uint32_t reverse_from, uint8_t reverse_list, uint32_t reverse_to)
{
	int r;

	r = deps_edges_reserve(deps);
	if (r < 0)
		return r;
	r = deps_list_reserve(&deps->units[from].lists[list]);
	if (r < 0)
		return r;
	r = deps_list_reserve(&deps->units[reverse_from].lists[reverse_list]);
	if (r < 0)
		return r;
	deps_link_one(deps, from, list, to);
	deps_link_one(deps, reverse_from, reverse_list, reverse_to);
	return 0;
}

int deps_add(struct deps *deps, const char *from, enum deps_kind kind, const char *to)
{
	uint32_t a, b;
	int r;

	if (!deps || !from || !to || (unsigned)kind > DEPS_CONFLICTS)
		return -EINVAL;
	r = deps_add_unit(deps, from);
	if (r < 0)
		return r;
	a = (uint32_t)r;
	r = deps_add_unit(deps, to);
	if (r < 0)
		return r;
	b = (uint32_t)r;

	/* Ordering comes only from After=/Before=: as in systemd, Requires= and friends without
	 * After= start both units at once. */
	switch (kind) {
	case DEPS_AFTER:
		return deps_link(deps, a, DEPS_LIST_AFTER, b, b, DEPS_LIST_BEFORE, a);
	case DEPS_BEFORE:
		return deps_link(deps, b, DEPS_LIST_AFTER, a, a, DEPS_LIST_BEFORE, b);
	case DEPS_REQUIRES:
		return deps_link(deps, a, DEPS_LIST_REQUIRES, b, b, DEPS_LIST_STOPPED_BY, a << 1);
	case DEPS_WANTS:
		/* No reverse half: the duplicate is a no-op. */
		return deps_link(deps, a, DEPS_LIST_WANTS, b, a, DEPS_LIST_WANTS, b);
	case DEPS_BINDS_TO:
		return deps_link(deps, a, DEPS_LIST_BINDS_TO, b, b, DEPS_LIST_STOPPED_BY,
				 a << 1 | DEPS_STOPPED_BY_BINDS_TO);
	case DEPS_CONFLICTS:
		return deps_link(deps, a, DEPS_LIST_CONFLICTS, b, b, DEPS_LIST_CONFLICTS, a);
	}
	return -EINVAL;
}

/* Appends to buf like a bounded strcat, always NUL-terminated, silently truncating. */
static void deps_append(char *buf, size_t size, size_t *used, const char *text)
{
	size_t n = strlen(text);

	if (!buf || size == 0 || *used >= size - 1)
		return;
	if (n > size - 1 - *used)
		n = size - 1 - *used;
	memcpy(buf + *used, text, n);
	*used += n;
	buf[*used] = '\0';
}

enum deps_color {
	DEPS_WHITE, /* not visited */
	DEPS_GREY,  /* on the DFS stack */
	DEPS_BLACK, /* done, no cycle through it */
};

struct deps_frame {
	uint32_t unit;
	uint32_t next; /* next AFTER edge to follow */
};

/* Iterative DFS over AFTER edges, roots and edges in insertion order, so the cycle reported is
 * always the same one. The text lists each unit followed by one it is ordered after, and ends
 * where it started. */
int deps_check_cycles(const struct deps *deps, char *buf, size_t size)
{
	_Static_assert(DEPS_WHITE == 0, "calloc() must leave units unvisited");
	struct deps_frame *stack = NULL;
	uint8_t *color = NULL;
	size_t root, depth, used = 0, k;
	int r = 0;

	if (buf && size > 0)
		buf[0] = '\0';
	if (!deps)
		return -EINVAL;
	if (deps->count == 0)
		return 0;
	color = calloc(deps->count, sizeof(*color));
	stack = malloc(deps->count * sizeof(*stack));
	if (!color || !stack) {
		r = -ENOMEM;
		goto out;
	}
	for (root = 0; root < deps->count; root++) {
		if (color[root] != DEPS_WHITE)
			continue;
		depth = 0;
		stack[depth++] = (struct deps_frame){ .unit = (uint32_t)root };
		color[root] = DEPS_GREY;
		while (depth > 0) {
			struct deps_frame *top = &stack[depth - 1];
			const struct deps_list *after =
				&deps->units[top->unit].lists[DEPS_LIST_AFTER];
			uint32_t next;

			if (top->next == after->count) {
				color[top->unit] = DEPS_BLACK;
				depth--;
				continue;
			}
			next = after->items[top->next++];
			if (color[next] == DEPS_WHITE) {
				color[next] = DEPS_GREY;
				stack[depth++] = (struct deps_frame){ .unit = next };
				continue;
			}
			if (color[next] == DEPS_BLACK)
				continue;
			/* A grey unit is on the stack: the cycle is the stack from it up. */
			for (k = 0; stack[k].unit != next; k++)
				;
			for (; k < depth; k++) {
				deps_append(buf, size, &used, deps->units[stack[k].unit].name);
				deps_append(buf, size, &used, " -> ");
			}
			deps_append(buf, size, &used, deps->units[next].name);
			r = -ELOOP;
			goto out;
		}
	}
out:
	free(color);
	free(stack);
	return r;
}

/* Binary min-heap of unit indices: the ready unit added first is taken first. */
static void deps_heap_push(uint32_t *heap, size_t *count, uint32_t unit)
{
	size_t i = (*count)++;

	while (i > 0 && heap[(i - 1) / 2] > unit) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = unit;
}

static uint32_t deps_heap_pop(uint32_t *heap, size_t *count)
{
	uint32_t top = heap[0], last = heap[--*count];
	size_t i = 0, child;

	while ((child = 2 * i + 1) < *count) {
		if (child + 1 < *count && heap[child + 1] < heap[child])
			child++;
		if (heap[child] >= last)
			break;
		heap[i] = heap[child];
		i = child;
	}
	if (*count > 0)
		heap[i] = last;
	return top;
}

/* Kahn's algorithm, always taking the lowest-index ready unit: the order is the topological
 * order closest to insertion order, and unrelated units never swap. level[] falls out of the
 * same pass, as each unit is released by the last of the units it is ordered after. order or
 * level may be NULL; on -ELOOP their contents are unspecified. */
int deps_start_order(const struct deps *deps, size_t *order, unsigned *level)
{
	uint32_t *waiting = NULL, *heap = NULL;
	unsigned *levels = NULL;
	size_t i, ready = 0, done = 0;
	int r = 0;

	if (!deps)
		return -EINVAL;
	if (deps->count == 0)
		return 0;
	waiting = malloc(deps->count * sizeof(*waiting));
	heap = malloc(deps->count * sizeof(*heap));
	levels = calloc(deps->count, sizeof(*levels));
	if (!waiting || !heap || !levels) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < deps->count; i++) {
		waiting[i] = deps->units[i].lists[DEPS_LIST_AFTER].count;
		if (waiting[i] == 0)
			deps_heap_push(heap, &ready, (uint32_t)i);
	}
	while (ready > 0) {
		uint32_t u = deps_heap_pop(heap, &ready);
		const struct deps_list *before = &deps->units[u].lists[DEPS_LIST_BEFORE];
		uint32_t j;

		if (order)
			order[done] = u;
		done++;
		for (j = 0; j < before->count; j++) {
			uint32_t v = before->items[j];

			if (levels[v] < levels[u] + 1)
				levels[v] = levels[u] + 1;
			if (--waiting[v] == 0)
				deps_heap_push(heap, &ready, v);
		}
	}
	if (done < deps->count) {
		r = -ELOOP;
		goto out;
	}
	if (level)
		memcpy(level, levels, deps->count * sizeof(*levels));
out:
	free(waiting);
	free(heap);
	free(levels);
	return r;
}

/* kind AFTER: the units index is ordered after (from its After= and from others' Before=);
 * BEFORE: the units ordered after index; REQUIRES, WANTS, BINDS_TO: its own targets; CONFLICTS:
 * both directions. Edges in the order they were added. A negative return of fn stops the walk
 * and is returned. */
int deps_foreach(const struct deps *deps, size_t index, enum deps_kind kind,
		 int (*fn)(size_t other, void *data), void *data)
{
	const struct deps_list *list;
	uint32_t j;
	int r;

	if (!deps || !fn || index >= deps->count || (unsigned)kind > DEPS_CONFLICTS)
		return -EINVAL;
	list = &deps->units[index].lists[kind];
	for (j = 0; j < list->count; j++) {
		r = fn(list->items[j], data);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Breadth first: a unit is reported when first reached, hop by hop, each unit's dependents in
 * the order their Requires=/BindsTo= edges were added. A negative return of fn stops the walk
 * and is returned. */
int deps_foreach_affected(const struct deps *deps, size_t index, bool explicit_stop,
			  int (*fn)(size_t other, void *data), void *data)
{
	uint32_t *queue = NULL;
	bool *seen = NULL;
	size_t head = 0, tail = 0;
	int r = 0;

	if (!deps || !fn || index >= deps->count)
		return -EINVAL;
	queue = malloc(deps->count * sizeof(*queue));
	seen = calloc(deps->count, sizeof(*seen));
	if (!queue || !seen) {
		r = -ENOMEM;
		goto out;
	}
	queue[tail++] = (uint32_t)index;
	seen[index] = true;
	while (head < tail) {
		uint32_t u = queue[head];
		const struct deps_list *by = &deps->units[u].lists[DEPS_LIST_STOPPED_BY];
		/* Everything past the first hop is being stopped by cinit, hence explicitly. */
		bool explicit = head > 0 || explicit_stop;
		uint32_t j;

		head++;
		for (j = 0; j < by->count; j++) {
			uint32_t v = by->items[j] >> 1;
			bool binds_to = by->items[j] & DEPS_STOPPED_BY_BINDS_TO;

			if (seen[v] || (!binds_to && !explicit))
				continue;
			seen[v] = true;
			queue[tail++] = v;
			r = fn(v, data);
			if (r < 0)
				goto out;
		}
	}
out:
	free(queue);
	free(seen);
	return r;
}
