/* A merged (or one layer's) file list as a tree: what a tree view shows.
 *
 * Nodes are in display order: a directory, then its children, names
 * compared byte by byte a path component at a time (bl_filetree_path_cmp),
 * so "a/b" follows "a" before "a-c". Directories the list implies but does
 * not hold (a tar without an entry for a parent) are nodes without an entry.
 * Each node knows its parent, first child and next sibling, its depth, and
 * the bytes and entries of its whole subtree.
 */
#ifndef BL_FILETREE_H
#define BL_FILETREE_H

#include <stddef.h>
#include <stdint.h>

#include "bakelens/layerfiles.h"

#define BL_FILETREE_NONE ((size_t)-1)

struct bl_filetree_node {
	const char *path;                  /* borrowed from the list, or in the tree's arena */
	const char *name;                  /* the last component, inside `path` */
	const struct bl_file_entry *entry; /* borrowed from the list; NULL: an implied directory */
	size_t parent;                     /* BL_FILETREE_NONE at the top */
	size_t first_child, next_sibling;  /* BL_FILETREE_NONE when none */
	size_t nchildren;
	int depth;      /* 0 at the top */
	uint64_t bytes; /* sizes summed over the node and everything under it */
	size_t entries; /* the node and everything under it */
};

struct bl_filetree {
	struct bl_arena arena;
	struct bl_filetree_node *nodes; /* display order */
	size_t len;
	uint64_t bytes; /* everything */
};

/* Build the tree of `l` (sorted, as listed or merged) into `out`; `out`
 * borrows entries and paths from `l`, which must outlive it. */
void bl_filetree_build(const struct bl_file_list *l, struct bl_filetree *out);
void bl_filetree_fini(struct bl_filetree *t);
/* The node of `path` (binary search in display order), BL_FILETREE_NONE
 * when the tree has none. */
size_t bl_filetree_find(const struct bl_filetree *t, const char *path);
/* Tree order of two paths: <0, 0, >0. */
int bl_filetree_path_cmp(const char *a, const char *b);

#endif
