/* File-system helpers of the inference pane (no curses, unit-tested):
 * file-name completion for the model/image prompts, and the images of a
 * folder in name order for n/p. */
#ifndef MD_UI_INFER_FILES_H
#define MD_UI_INFER_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* Completes a path prefix ("~/" expands to $HOME): a unique match is
 * completed (directories get a '/'), otherwise the longest common prefix;
 * the candidates' names go into hint, two spaces apart.  Hidden entries are
 * listed only when the typed name starts with '.'.  Returns the number of
 * candidates (out = prefix when 0). */
int md_path_complete(const char *prefix, char *out, size_t n, char *hint, size_t hn);

/* True for .png .jpg .jpeg (any case). */
bool md_is_image_name(const char *name);

/* The images in the folder of path, sorted by name (strcmp): *list is a
 * malloc'd array of malloc'd full paths (free with md_free_list), *idx the
 * position of path in it (-1 when path itself is not listed).  Returns the
 * count, or -1 when the folder cannot be read. */
int md_image_siblings(const char *path, char ***list, int *idx);
void md_free_list(char **list, int n);

#endif
