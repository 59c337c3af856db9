/* A map from pid to pointer (open addressing, grows by doubling). Used by the reaper to find who
 * owns an exited pid in O(1) with thousands of processes. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct pidmap;

struct pidmap *pidmap_new(void);
void pidmap_free(struct pidmap *map);
/* Frees the map and passes every remaining value to free_value. */
void pidmap_free_with(struct pidmap *map, void (*free_value)(void *value));
/* Returns 0, or -ENOMEM. Replaces an existing entry. value must not be NULL. */
int pidmap_put(struct pidmap *map, pid_t pid, void *value);
void *pidmap_get(const struct pidmap *map, pid_t pid);
/* Removes and returns the value, or NULL. */
void *pidmap_remove(struct pidmap *map, pid_t pid);
size_t pidmap_size(const struct pidmap *map);
