/* Copy to the operator's own clipboard through the terminal: OSC 52, which
 * works over ssh and, wrapped in a DCS passthrough, inside tmux.  Pure: the
 * caller writes the bytes to the terminal. */
#ifndef MD_UI_CLIP_H
#define MD_UI_CLIP_H

#include <stdbool.h>
#include <stddef.h>

/* Standard base64 (RFC 4648, with padding) of len bytes; malloc'd, caller frees. */
char *md_base64(const void *data, size_t len);

/* The escape sequence that puts text on the clipboard; in_tmux wraps it as
 * ESC P tmux; ... ESC \ with the inner ESCs doubled.  malloc'd, caller frees. */
char *md_osc52(const char *text, bool in_tmux);

#endif
