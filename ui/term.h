/* The terminal: curses set-up and restore (on quit, on Ctrl-C and on crash
 * signals), the signal self-pipe the event loop polls, colour roles for 256
 * colours / 8 colours / monochrome, UTF-8 or ASCII glyphs, and clipped,
 * sanitised text output (server data never reaches the terminal raw). */
#ifndef MD_UI_TERM_H
#define MD_UI_TERM_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "kind/kind.h"

enum md_role {
    MD_ROLE_NORMAL, MD_ROLE_HEADER, MD_ROLE_HEADER_KEY, MD_ROLE_CRUMB, MD_ROLE_TITLE,
    MD_ROLE_SELECTED, MD_ROLE_OK, MD_ROLE_RUNNING, MD_ROLE_WARN, MD_ROLE_FAIL, MD_ROLE_MUTED,
    MD_ROLE_ERROR, MD_ROLE_INFO, MD_ROLE_DIALOG, MD_ROLE_BUTTON, MD_ROLE_ALERT, MD_ROLE_MATCH,
    MD_ROLE_COUNT
};

enum md_colour_mode { MD_COLOUR_NONE, MD_COLOUR_8, MD_COLOUR_256 };

struct md_glyphs {
    const char *sep;       /* breadcrumb separator */
    const char *up, *down; /* sort direction */
    const char *hline, *vline, *tl, *tr, *bl, *br;
    const char *ellipsis;
};

struct md_term {
    bool utf8;
    enum md_colour_mode colour;
    struct md_glyphs g;
    int sig_fd;            /* read end of the signal self-pipe */
};

/* Puts the terminal in curses mode.  no_color/ascii force the fallbacks.
 * Installs SIGWINCH/SIGINT/SIGTERM/SIGHUP (-> self-pipe) and crash handlers
 * (endwin, then re-raise).  Returns false when the terminal cannot be used
 * (message in why). */
bool md_term_init(struct md_term *t, bool no_color, bool ascii, char *why, size_t n);
void md_term_end(struct md_term *t);

/* Drains the self-pipe: sets *resized / *quit for the signals seen. */
void md_term_signals(struct md_term *t, bool *resized, bool *quit);
/* Re-reads the window size after SIGWINCH and tells curses. */
void md_term_resize(void);

attr_t md_attr(enum md_role r);
enum md_role md_tone_role(enum md_tone tone);

/* Display width of a UTF-8 string (non-printables count as 1: shown as '?'). */
int md_text_width(const char *s);
/* Bytes of s that fit in w cells (at least one character when s is not
 * empty, so wrapping always makes progress). */
size_t md_text_fit(const char *s, int w);
/* Draws s at (y, x) into at most w cells with attr; pads with spaces to w
 * when pad.  Control bytes are shown as '?', invalid UTF-8 as '?', wide
 * characters that would cross the edge are dropped, and when the text does
 * not fit the last cell shows the ellipsis.  Returns the cells written. */
int md_put(int y, int x, int w, const char *s, attr_t attr, bool pad);
/* Fills w cells at (y, x) with spaces in attr. */
void md_fill(int y, int x, int w, attr_t attr);
/* Draws a box (for dialogs and overlays) with the current glyphs. */
void md_box(const struct md_term *t, int y, int x, int h, int w, attr_t attr);

#endif
