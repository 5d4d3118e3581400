/* The interactive screen.  Owns the terminal from md_tui_run's start to its
 * return (and restores it on every exit path, signals included). */
#ifndef MD_TUI_H
#define MD_TUI_H

#include "util/settings.h"

/* Runs the event loop until the operator quits; returns an exit code. */
int md_tui_run(struct md_settings *settings);

#endif
