/* The one confirmation dialog every kind action goes through.  Focus starts
 * on Cancel, so Enter pressed by reflex does nothing; Esc always cancels. */
#include <stdio.h>
#include <string.h>

#include "ui/app.h"

void md_confirm_draw(struct md_app *app)
{
    const struct md_action *a = app->confirm_action;
    if (!a)
        return;
    int w = app->cols - 4 < 64 ? app->cols - 4 : 64;
    int h = 8;
    int y0 = (app->rows - h) / 2, x0 = (app->cols - w) / 2;
    attr_t d = md_attr(MD_ROLE_DIALOG);
    md_box(&app->term, y0, x0, h, w, d);
    char title[128];
    snprintf(title, sizeof title, " Confirm: %s ", a->label);
    md_put(y0, x0 + 2, w - 4, title, d | A_BOLD, false);
    char line[400];
    snprintf(line, sizeof line, "%s on %s \"%s\"?", a->label, app->confirm_kind->title, app->confirm_label);
    md_put(y0 + 2, x0 + 2, w - 4, line, d, false);
    md_put(y0 + 3, x0 + 2, w - 4,
           a->mutating ? "This changes the account and is written to the audit log." : "", d, false);
    /* The focus is visible without colour too: > Cancel < vs [ OK ]. */
    const char *cancel = app->confirm_ok_focused ? "[ Cancel ]" : "> Cancel <";
    const char *ok = app->confirm_ok_focused ? "> OK <" : "[ OK ]";
    int bw = md_text_width(cancel) + 2 + md_text_width(ok);
    int bx = x0 + (w - bw) / 2;
    attr_t on = md_attr(MD_ROLE_BUTTON), off = d;
    md_put(y0 + 5, bx, md_text_width(cancel), cancel, app->confirm_ok_focused ? off : on, false);
    md_put(y0 + 5, bx + md_text_width(cancel) + 2, md_text_width(ok), ok, app->confirm_ok_focused ? on : off,
           false);
    md_put(y0 + 6, x0 + 2, w - 4, "Tab/arrows move, Enter chooses, Esc cancels", d | A_DIM, false);
}

static void close_dialog(struct md_app *app)
{
    app->overlay = MD_OV_NONE;
    app->confirm_action = NULL;
}

void md_confirm_key(struct md_app *app, int key)
{
    switch (key) {
    case '\t':
    case KEY_BTAB:
    case KEY_LEFT:
    case KEY_RIGHT:
    case 'h':
    case 'l':
        app->confirm_ok_focused = !app->confirm_ok_focused;
        break;
    case '\n':
        if (app->confirm_ok_focused) {
            md_app_run_action(app);
        } else {
            md_app_msg(app, MD_MSG_INFO, "%s cancelled", app->confirm_action->label);
        }
        close_dialog(app);
        break;
    case 27:
    case 'q':
    case 'n':
        md_app_msg(app, MD_MSG_INFO, "%s cancelled", app->confirm_action->label);
        close_dialog(app);
        break;
    default:
        break;
    }
}
