/* pidmap: the reaper's pid -> owner table must survive growth, deletion churn and reuse. */
#include "config.h"

#include "common/pidmap.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

static void *value_for(pid_t pid)
{
	return (void *)(uintptr_t)(pid * 2 + 1);
}

Test(pidmap, put_get_remove)
{
	struct pidmap *m = pidmap_new();

	cr_assert_not_null(m);
	cr_expect_null(pidmap_get(m, 1));
	cr_expect_eq(pidmap_put(m, 1, value_for(1)), 0);
	cr_expect_eq(pidmap_get(m, 1), value_for(1));
	cr_expect_eq(pidmap_put(m, 1, value_for(2)), 0, "replace");
	cr_expect_eq(pidmap_get(m, 1), value_for(2));
	cr_expect_eq(pidmap_size(m), 1);
	cr_expect_eq(pidmap_remove(m, 1), value_for(2));
	cr_expect_null(pidmap_remove(m, 1));
	cr_expect_eq(pidmap_size(m), 0);
	cr_expect_eq(pidmap_put(m, 0, value_for(0)), -EINVAL);
	cr_expect_eq(pidmap_put(m, -1, value_for(0)), -EINVAL);
	cr_expect_eq(pidmap_put(m, 5, NULL), -EINVAL);
	cr_expect_null(pidmap_get(m, -1), "the deleted-slot marker is not a key");
	pidmap_free(m);
}

Test(pidmap, many_with_churn)
{
	struct pidmap *m = pidmap_new();
	pid_t pid;

	/* 100k inserts and deletes in waves, as pids of a busy container come and go. */
	for (int round = 0; round < 10; round++) {
		for (pid = 1 + round * 5000; pid <= 10000 + round * 5000; pid++)
			cr_assert_eq(pidmap_put(m, pid, value_for(pid)), 0);
		for (pid = 1 + round * 5000; pid <= 10000 + round * 5000; pid += 2)
			cr_assert_eq(pidmap_remove(m, pid), value_for(pid));
		for (pid = 2 + round * 5000; pid <= 10000 + round * 5000; pid += 2)
			cr_assert_eq(pidmap_get(m, pid), value_for(pid), "pid %d", pid);
		for (pid = 2 + round * 5000; pid <= 10000 + round * 5000; pid += 2)
			cr_assert_eq(pidmap_remove(m, pid), value_for(pid));
		cr_assert_eq(pidmap_size(m), 0);
	}
	pidmap_free(m);
}

static int freed;
static void count_free(void *value)
{
	(void)value;
	freed++;
}

Test(pidmap, free_with_releases_values)
{
	struct pidmap *m = pidmap_new();

	for (pid_t pid = 100; pid < 200; pid++)
		pidmap_put(m, pid, value_for(pid));
	for (pid_t pid = 100; pid < 150; pid++)
		pidmap_remove(m, pid);
	pidmap_free_with(m, count_free);
	cr_expect_eq(freed, 50);
}
