/* Placeholder until the screen lands: keeps the binary linkable. */
#include <stdio.h>

#include "ui/tui.h"

int md_tui_run(struct md_settings *settings)
{
    (void)settings;
    fprintf(stderr, "mldeck: the interactive screen is not built yet\n");
    return 1;
}
