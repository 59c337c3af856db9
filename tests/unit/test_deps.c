/* The dependency graph: each case is a graph written as lines "a After b" (or a bare unit name,
 * to fix insertion order), and what the supervisor must get from it — start order with levels,
 * the cycle text, the units stopped with a unit, the direct edges of one kind. Lists of units
 * are compared as space-separated names. */
#include "config.h"

#include "init/deps.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EDGES   16
#define RENDER_SIZE 1024
#define NAME_SIZE   64
#define BIG	    2000

struct order_case {
	const char *edges[MAX_EDGES];
	const char *order;  /* NULL: -ELOOP expected */
	const char *levels; /* "name:level", in start order */
};

struct cycle_case {
	const char *edges[MAX_EDGES];
	const char *cycle; /* NULL: no cycle */
};

struct affected_case {
	const char *edges[MAX_EDGES];
	const char *unit;
	bool explicit_stop;
	const char *affected;
};

struct foreach_case {
	const char *edges[MAX_EDGES];
	const char *unit;
	enum deps_kind kind;
	const char *targets;
};

#define EDGES(...)                                                                                 \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

static const struct order_case order_cases[] = {
	{ EDGES(NULL), "", "" },
	{ EDGES("a"), "a", "a:0" },
	{ EDGES("x", "y", "z"), "x y z", "x:0 y:0 z:0" },
	/* Chain given top down: dependencies still come first. */
	{ EDGES("c After b", "b After a"), "a b c", "a:0 b:1 c:2" },
	/* Before= is the reverse After=. */
	{ EDGES("a Before b", "b Before c"), "a b c", "a:0 b:1 c:2" },
	{ EDGES("b After a", "c Before b"), "a c b", "a:0 c:0 b:1" },
	/* Requirements alone do not order, as in systemd. */
	{ EDGES("a Requires b", "b Wants c", "c BindsTo a", "a Conflicts d"), "a b c d",
	  "a:0 b:0 c:0 d:0" },
	{ EDGES("d After b", "d After c", "b After a", "c After a"), "a b c d", "a:0 b:1 c:1 d:2" },
	/* The level is the longest chain, not the shortest. */
	{ EDGES("e After a", "e After d", "d After c", "c After b", "b After a"), "a b c d e",
	  "a:0 b:1 c:2 d:3 e:4" },
	/* A unit starts as soon as it may: b right after a, before the unrelated c. */
	{ EDGES("b After a", "c"), "a b c", "a:0 b:1 c:0" },
	{ EDGES("a", "b After a", "c", "d After c"), "a b c d", "a:0 b:1 c:0 d:1" },
	{ EDGES("b After a", "b After a", "a Before b"), "a b", "a:0 b:1" },
	{ EDGES("x", "a After b", "b After a"), NULL, NULL },
	{ EDGES("a After a"), NULL, NULL },
};

static const struct cycle_case cycle_cases[] = {
	{ EDGES(NULL), NULL },
	{ EDGES("b After a", "c After b", "c After a"), NULL },
	{ EDGES("a After a"), "a -> a" },
	{ EDGES("a Before a"), "a -> a" },
	{ EDGES("a After b", "b After a"), "a -> b -> a" },
	{ EDGES("a Before b", "b Before a"), "a -> b -> a" },
	{ EDGES("a After b", "b Before a"), NULL },
	/* The cycle alone, not the path that led into it. */
	{ EDGES("x After a", "a After b", "b After c", "c After a"), "a -> b -> c -> a" },
	/* The first found from units in insertion order. */
	{ EDGES("p After q", "q After p", "a After b", "b After a"), "p -> q -> p" },
	{ EDGES("a", "b After c", "c After b"), "b -> c -> b" },
	{ EDGES("a After b", "a After c", "c After d", "d After c"), "c -> d -> c" },
	{ EDGES("a After b", "c Before b", "c After a"), "a -> b -> c -> a" },
	/* Requirement loops are legal: only ordering can deadlock. */
	{ EDGES("a Requires b", "b Requires a", "a BindsTo b", "b Wants a", "a Conflicts b"),
	  NULL },
	{ EDGES("a.service After b.service", "b.service After c.service",
		"c.service After a.service"),
	  "a.service -> b.service -> c.service -> a.service" },
};

static const struct affected_case affected_cases[] = {
	{ EDGES("b Requires a", "c Requires b"), "a", true, "b c" },
	/* a exiting on its own does not stop what merely Requires= it. */
	{ EDGES("b Requires a", "c Requires b"), "a", false, "" },
	/* BindsTo= does, and from there on the stop is explicit. */
	{ EDGES("b BindsTo a", "c Requires b"), "a", false, "b c" },
	{ EDGES("b Requires a", "c BindsTo a", "d Requires c"), "a", false, "c d" },
	{ EDGES("b Requires a", "c BindsTo a", "d Requires c"), "a", true, "b c d" },
	{ EDGES("b Wants a"), "a", true, "" },
	{ EDGES("b After a", "b Conflicts a", "a Before b"), "a", true, "" },
	/* Only dependents stop, not dependencies. */
	{ EDGES("a Requires b", "a BindsTo c"), "a", true, "" },
	{ EDGES("b Requires a", "c Requires a", "d Requires b", "d BindsTo c"), "a", true,
	  "b c d" },
	{ EDGES("a Requires b", "b Requires a"), "a", true, "b" },
	{ EDGES("a Requires a", "a BindsTo a"), "a", true, "" },
	/* Breadth first: all of the first hop before the second. */
	{ EDGES("b Requires a", "c Requires b", "d Requires a"), "a", true, "b d c" },
	/* Across kinds, in the order the edges were added. */
	{ EDGES("c BindsTo a", "b Requires a"), "a", true, "c b" },
	{ EDGES("b Requires a", "b Requires a", "b BindsTo a"), "a", true, "b" },
	{ EDGES("b Requires a", "b Requires a", "b BindsTo a"), "a", false, "b" },
	{ EDGES("b Requires a", "c BindsTo b"), "b", false, "c" },
	{ EDGES("a"), "a", true, "" },
};

static const struct foreach_case foreach_cases[] = {
	{ EDGES("a After b", "c Before a"), "a", DEPS_AFTER, "b c" },
	{ EDGES("a After b", "c Before a"), "b", DEPS_BEFORE, "a" },
	{ EDGES("a After b", "c Before a"), "c", DEPS_BEFORE, "a" },
	{ EDGES("a After b", "c Before a"), "c", DEPS_AFTER, "" },
	{ EDGES("a After b", "a After b", "b Before a"), "a", DEPS_AFTER, "b" },
	{ EDGES("a Requires b", "c Requires a"), "a", DEPS_REQUIRES, "b" },
	{ EDGES("a Requires b"), "a", DEPS_AFTER, "" },
	{ EDGES("a Requires b"), "b", DEPS_REQUIRES, "" },
	{ EDGES("a Wants b", "a Wants c", "a Wants b"), "a", DEPS_WANTS, "b c" },
	{ EDGES("a BindsTo b", "a Requires c"), "a", DEPS_BINDS_TO, "b" },
	/* A conflict holds from both sides. */
	{ EDGES("a Conflicts b", "c Conflicts a", "b Conflicts a"), "a", DEPS_CONFLICTS, "b c" },
	{ EDGES("a Conflicts b", "c Conflicts a"), "b", DEPS_CONFLICTS, "a" },
};

static const struct {
	const char *word;
	enum deps_kind kind;
} kind_words[] = {
	{ "After", DEPS_AFTER }, { "Before", DEPS_BEFORE },    { "Requires", DEPS_REQUIRES },
	{ "Wants", DEPS_WANTS }, { "BindsTo", DEPS_BINDS_TO }, { "Conflicts", DEPS_CONFLICTS },
};

static enum deps_kind kind_of(const char *word)
{
	for (size_t i = 0; i < sizeof(kind_words) / sizeof(kind_words[0]); i++)
		if (strcmp(kind_words[i].word, word) == 0)
			return kind_words[i].kind;
	cr_assert_fail("unknown kind \"%s\"", word);
	return DEPS_AFTER;
}

static struct deps *build(const char *const *edges)
{
	struct deps *deps;

	cr_assert_eq(deps_new(&deps), 0);
	for (size_t i = 0; i < MAX_EDGES && edges[i]; i++) {
		char from[NAME_SIZE], word[NAME_SIZE], to[NAME_SIZE];
		int n = sscanf(edges[i], "%63s %63s %63s", from, word, to);

		if (n == 1) {
			cr_assert_geq(deps_add_unit(deps, from), 0, "%s", edges[i]);
			continue;
		}
		cr_assert_eq(n, 3, "bad test edge \"%s\"", edges[i]);
		cr_assert_eq(deps_add(deps, from, kind_of(word), to), 0, "%s", edges[i]);
	}
	return deps;
}

static void append(char *buf, const char *text)
{
	if (*buf)
		strcat(buf, " ");
	strcat(buf, text);
}

struct collect {
	const struct deps *deps;
	char text[RENDER_SIZE];
	size_t calls;
};

static int collect_name(size_t other, void *data)
{
	struct collect *c = data;

	append(c->text, deps_name(c->deps, other));
	c->calls++;
	return 0;
}

static int count_call(size_t other, void *data)
{
	(void)other;
	++*(size_t *)data;
	return 0;
}

static int fail_call(size_t other, void *data)
{
	(void)other;
	++*(size_t *)data;
	return -EIO;
}

static const char *joined(const char *const *edges, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < MAX_EDGES && edges[i]; i++) {
		if (strlen(buf) + strlen(edges[i]) + 3 >= size)
			break;
		if (i)
			strcat(buf, ", ");
		strcat(buf, edges[i]);
	}
	return buf;
}

Test(deps, start_order_cases)
{
	for (size_t i = 0; i < sizeof(order_cases) / sizeof(order_cases[0]); i++) {
		const struct order_case *c = &order_cases[i];
		struct deps *deps = build(c->edges);
		size_t n = deps_count(deps), order[MAX_EDGES * 2];
		unsigned level[MAX_EDGES * 2];
		char got_order[RENDER_SIZE] = "", got_levels[RENDER_SIZE] = "", name[RENDER_SIZE];
		char what[RENDER_SIZE];
		int r = deps_start_order(deps, order, level);

		joined(c->edges, what, sizeof(what));
		if (!c->order) {
			cr_expect_eq(r, -ELOOP, "[%s]: got %d, want -ELOOP", what, r);
			deps_free(deps);
			continue;
		}
		cr_expect_eq(r, 0, "[%s]: got %d", what, r);
		for (size_t k = 0; r == 0 && k < n; k++) {
			append(got_order, deps_name(deps, order[k]));
			snprintf(name, sizeof(name), "%s:%u", deps_name(deps, order[k]),
				 level[order[k]]);
			append(got_levels, name);
		}
		cr_expect_str_eq(got_order, c->order, "[%s]: order \"%s\", want \"%s\"", what,
				 got_order, c->order);
		cr_expect_str_eq(got_levels, c->levels, "[%s]: levels \"%s\", want \"%s\"", what,
				 got_levels, c->levels);
		deps_free(deps);
	}
}

Test(deps, cycle_cases)
{
	for (size_t i = 0; i < sizeof(cycle_cases) / sizeof(cycle_cases[0]); i++) {
		const struct cycle_case *c = &cycle_cases[i];
		struct deps *deps = build(c->edges);
		char buf[RENDER_SIZE], what[RENDER_SIZE];
		int r;

		memset(buf, 'x', sizeof(buf));
		r = deps_check_cycles(deps, buf, sizeof(buf));
		joined(c->edges, what, sizeof(what));
		cr_expect_eq(r, c->cycle ? -ELOOP : 0, "[%s]: got %d", what, r);
		cr_expect_str_eq(buf, c->cycle ? c->cycle : "", "[%s]: got \"%s\", want \"%s\"",
				 what, buf, c->cycle ? c->cycle : "");
		/* Both views of the graph agree on whether it can be started. */
		if (deps_count(deps) > 0) {
			size_t order[MAX_EDGES * 2];
			unsigned level[MAX_EDGES * 2];

			cr_expect_eq(deps_start_order(deps, order, level), r, "[%s]", what);
		}
		deps_free(deps);
	}
}

Test(deps, affected_cases)
{
	for (size_t i = 0; i < sizeof(affected_cases) / sizeof(affected_cases[0]); i++) {
		const struct affected_case *c = &affected_cases[i];
		struct deps *deps = build(c->edges);
		struct collect got = { .deps = deps };
		char what[RENDER_SIZE];
		int index = deps_find(deps, c->unit), r;

		joined(c->edges, what, sizeof(what));
		cr_assert_geq(index, 0, "[%s]: no unit %s", what, c->unit);
		r = deps_foreach_affected(deps, (size_t)index, c->explicit_stop, collect_name,
					  &got);
		cr_expect_eq(r, 0, "[%s]: got %d", what, r);
		cr_expect_str_eq(
			got.text, c->affected, "[%s] %s stop of %s: got \"%s\", want \"%s\"", what,
			c->explicit_stop ? "explicit" : "implicit", c->unit, got.text, c->affected);
		deps_free(deps);
	}
}

Test(deps, foreach_cases)
{
	for (size_t i = 0; i < sizeof(foreach_cases) / sizeof(foreach_cases[0]); i++) {
		const struct foreach_case *c = &foreach_cases[i];
		struct deps *deps = build(c->edges);
		struct collect got = { .deps = deps };
		char what[RENDER_SIZE];
		int index = deps_find(deps, c->unit), r;

		joined(c->edges, what, sizeof(what));
		cr_assert_geq(index, 0, "[%s]: no unit %s", what, c->unit);
		r = deps_foreach(deps, (size_t)index, c->kind, collect_name, &got);
		cr_expect_eq(r, 0, "[%s]: got %d", what, r);
		cr_expect_str_eq(got.text, c->targets, "[%s] %s kind %d: got \"%s\", want \"%s\"",
				 what, c->unit, (int)c->kind, got.text, c->targets);
		deps_free(deps);
	}
}

Test(deps, names_and_lookup)
{
	struct deps *deps;
	char name[NAME_SIZE] = "web.service";

	cr_assert_eq(deps_new(&deps), 0);
	cr_expect_eq(deps_count(deps), 0);
	cr_expect_eq(deps_find(deps, "web.service"), -ENOENT, "empty graph");
	cr_expect_eq(deps_add_unit(deps, name), 0);
	/* The graph keeps its own copy. */
	strcpy(name, "db.service");
	cr_expect_str_eq(deps_name(deps, 0), "web.service");
	cr_expect_eq(deps_add_unit(deps, "web.service"), 0, "idempotent");
	cr_expect_eq(deps_add(deps, "web.service", DEPS_REQUIRES, "db.service"), 0);
	cr_expect_eq(deps_count(deps), 2);
	cr_expect_eq(deps_find(deps, "db.service"), 1);
	cr_expect_eq(deps_find(deps, "web.service"), 0);
	cr_expect_eq(deps_find(deps, "web"), -ENOENT, "no prefix match");
	cr_expect_eq(deps_find(deps, "web.service2"), -ENOENT);
	cr_expect_eq(deps_find(deps, ""), -ENOENT);
	cr_expect_null(deps_name(deps, 2));
	cr_expect_eq(deps_add_unit(deps, ""), -EINVAL);
	cr_expect_eq(deps_add(deps, "a", (enum deps_kind)42, "b"), -EINVAL);
	cr_expect_eq(deps_add(deps, "", DEPS_AFTER, "b"), -EINVAL);
	cr_expect_eq(deps_count(deps), 2, "failed adds add no unit");
	deps_free(deps);
	deps_free(NULL);
}

Test(deps, bad_arguments_and_callback_errors)
{
	const char *const edges[MAX_EDGES] = { "b Requires a", "c Requires a", "b After a",
					       "c After a" };
	struct deps *deps = build(edges);
	size_t calls = 0;

	cr_expect_eq(deps_foreach(deps, 3, DEPS_AFTER, count_call, &calls), -EINVAL);
	cr_expect_eq(deps_foreach(deps, 0, (enum deps_kind)6, count_call, &calls), -EINVAL);
	cr_expect_eq(deps_foreach_affected(deps, 3, true, count_call, &calls), -EINVAL);
	cr_expect_eq(calls, 0);
	/* A failing callback stops the walk and its error comes back. */
	cr_expect_eq(deps_foreach(deps, 1, DEPS_BEFORE, fail_call, &calls), -EIO);
	cr_expect_eq(calls, 1);
	calls = 0;
	cr_expect_eq(deps_foreach_affected(deps, 1, true, fail_call, &calls), -EIO);
	cr_expect_eq(calls, 1);
	deps_free(deps);
}

Test(deps, cycle_text_truncated)
{
	const char *const edges[MAX_EDGES] = { "a.service After b.service",
					       "b.service After a.service" };
	struct deps *deps = build(edges);
	char small[8];

	cr_expect_eq(deps_check_cycles(deps, small, sizeof(small)), -ELOOP);
	cr_expect_str_eq(small, "a.servi");
	cr_expect_eq(deps_check_cycles(deps, NULL, 0), -ELOOP);
	deps_free(deps);
}

static void unit_name(char *buf, size_t i)
{
	snprintf(buf, NAME_SIZE, "unit-%zu.service", i);
}

/* Added last unit first, so that insertion order never helps the sort. */
Test(deps, long_chain, .timeout = 10)
{
	struct deps *deps;
	size_t *order = calloc(BIG, sizeof(*order)), calls = 0;
	unsigned *level = calloc(BIG, sizeof(*level));
	char a[NAME_SIZE], b[NAME_SIZE], *cycle = calloc(BIG, NAME_SIZE);

	cr_assert(order && level && cycle);
	cr_assert_eq(deps_new(&deps), 0);
	for (size_t i = BIG - 1; i > 0; i--) {
		unit_name(a, i);
		unit_name(b, i - 1);
		cr_assert_eq(deps_add(deps, a, DEPS_AFTER, b), 0);
		cr_assert_eq(deps_add(deps, a, DEPS_REQUIRES, b), 0);
	}
	cr_assert_eq(deps_count(deps), BIG);
	cr_expect_eq(deps_check_cycles(deps, cycle, BIG * NAME_SIZE), 0);
	cr_assert_eq(deps_start_order(deps, order, level), 0);
	for (size_t k = 0; k < BIG; k++) {
		unit_name(a, k);
		cr_assert_str_eq(deps_name(deps, order[k]), a);
		cr_assert_eq(level[order[k]], k);
	}
	unit_name(a, 0);
	cr_expect_eq(
		deps_foreach_affected(deps, (size_t)deps_find(deps, a), true, count_call, &calls),
		0);
	cr_expect_eq(calls, BIG - 1, "the whole chain stops");
	calls = 0;
	cr_expect_eq(
		deps_foreach_affected(deps, (size_t)deps_find(deps, a), false, count_call, &calls),
		0);
	cr_expect_eq(calls, 0);

	/* Closing the chain: the cycle names every unit once, and the first one twice. */
	unit_name(b, BIG - 1);
	cr_assert_eq(deps_add(deps, a, DEPS_AFTER, b), 0);
	cr_expect_eq(deps_check_cycles(deps, cycle, BIG * NAME_SIZE), -ELOOP);
	size_t arrows = 0;
	for (const char *p = cycle; (p = strstr(p, " -> ")); p++)
		arrows++;
	cr_expect_eq(arrows, BIG);
	cr_expect_eq(deps_start_order(deps, order, level), -ELOOP);
	deps_free(deps);
	free(order);
	free(level);
	free(cycle);
}

Test(deps, wide_fan, .timeout = 10)
{
	struct deps *deps;
	size_t *order = calloc(BIG + 2, sizeof(*order)), calls = 0;
	unsigned *level = calloc(BIG + 2, sizeof(*level));
	char leaf[NAME_SIZE];

	cr_assert(order && level);
	cr_assert_eq(deps_new(&deps), 0);
	cr_assert_eq(deps_add_unit(deps, "hub"), 0);
	for (size_t i = 0; i < BIG; i++) {
		unit_name(leaf, i);
		cr_assert_eq(deps_add(deps, leaf, DEPS_AFTER, "hub"), 0);
		cr_assert_eq(deps_add(deps, "hub", DEPS_BEFORE, leaf), 0, "duplicate via Before");
		cr_assert_eq(deps_add(deps, leaf, DEPS_BINDS_TO, "hub"), 0);
		cr_assert_eq(deps_add(deps, leaf, DEPS_REQUIRES, "hub"), 0);
	}
	for (size_t i = 0; i < BIG; i++) {
		unit_name(leaf, i);
		cr_assert_eq(deps_add(deps, "sink", DEPS_AFTER, leaf), 0);
	}
	cr_assert_eq(deps_count(deps), BIG + 2);
	cr_expect_eq(deps_foreach(deps, 0, DEPS_BEFORE, count_call, &calls), 0);
	cr_expect_eq(calls, BIG, "duplicated edges stored once");
	cr_assert_eq(deps_start_order(deps, order, level), 0);
	cr_expect_str_eq(deps_name(deps, order[0]), "hub");
	cr_expect_eq(level[order[0]], 0);
	for (size_t k = 1; k <= BIG; k++) {
		cr_assert_eq(order[k], k, "leaves keep insertion order");
		cr_assert_eq(level[k], 1);
	}
	cr_expect_str_eq(deps_name(deps, order[BIG + 1]), "sink");
	cr_expect_eq(level[order[BIG + 1]], 2);
	calls = 0;
	cr_expect_eq(deps_foreach_affected(deps, 0, false, count_call, &calls), 0);
	cr_expect_eq(calls, BIG, "every leaf once, never the hub");
	deps_free(deps);
	free(order);
	free(level);
}

/* 1,000 units, 10,000 random edges forward in index order (so no cycle): the order must respect
 * every edge and each level must be one more than the highest level below it. */
Test(deps, random_dag, .timeout = 10)
{
	enum { UNITS = 1000, EDGE_COUNT = 10000 };
	struct deps *deps;
	size_t *order = calloc(UNITS, sizeof(*order)), *position = calloc(UNITS, sizeof(*position));
	unsigned *level = calloc(UNITS, sizeof(*level)), *expect = calloc(UNITS, sizeof(*expect));
	size_t(*edges)[2] = calloc(EDGE_COUNT, sizeof(*edges));
	unsigned long long seed = 42;
	char a[NAME_SIZE], b[NAME_SIZE];

	cr_assert(order && position && level && expect && edges);
	cr_assert_eq(deps_new(&deps), 0);
	for (size_t i = 0; i < UNITS; i++) {
		unit_name(a, i);
		cr_assert_eq(deps_add_unit(deps, a), (int)i);
	}
	for (size_t e = 0; e < EDGE_COUNT; e++) {
		size_t x, y;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		x = (seed >> 33) % UNITS;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		y = (seed >> 33) % UNITS;
		if (x == y)
			y = (y + 1) % UNITS;
		/* Later units are ordered after earlier ones; half of them said with Before=. */
		edges[e][0] = x > y ? x : y;
		edges[e][1] = x > y ? y : x;
		unit_name(a, edges[e][0]);
		unit_name(b, edges[e][1]);
		if (e % 2)
			cr_assert_eq(deps_add(deps, a, DEPS_AFTER, b), 0);
		else
			cr_assert_eq(deps_add(deps, b, DEPS_BEFORE, a), 0);
	}
	cr_expect_eq(deps_check_cycles(deps, NULL, 0), 0);
	cr_assert_eq(deps_start_order(deps, order, level), 0);
	for (size_t k = 0; k < UNITS; k++)
		position[order[k]] = k;
	for (size_t e = 0; e < EDGE_COUNT; e++)
		cr_assert_lt(position[edges[e][1]], position[edges[e][0]]);
	/* Index order is a topological order here: levels by plain relaxation. */
	for (size_t i = 0; i < UNITS; i++)
		for (size_t e = 0; e < EDGE_COUNT; e++)
			if (edges[e][0] == i && expect[i] < expect[edges[e][1]] + 1)
				expect[i] = expect[edges[e][1]] + 1;
	for (size_t i = 0; i < UNITS; i++)
		cr_assert_eq(level[i], expect[i], "unit %zu", i);
	deps_free(deps);
	free(order);
	free(position);
	free(level);
	free(expect);
	free(edges);
}
