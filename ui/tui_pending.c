/* Stand-in for md_tui_run while the sync layer and the demo provider the
 * screen is built on have not landed; removed when they do. */
#include <stdio.h>

#include "ui/tui.h"

int md_tui_run(struct md_settings *settings)
{
    (void)settings;
    fprintf(stderr, "mldeck: the interactive screen is not built yet\n");
    return 1;
}
