/* The one-line prompt on the status row: `/` filter, `:` command (with Tab
 * completion from the command table) and `/` search in describe. */
#include <stdio.h>
#include <string.h>

#include "ui/app.h"
#include "ui/experiments.h"

static const char *prompt_char(enum md_prompt_kind k)
{
    return k == MD_PROMPT_COMMAND ? ":" : k == MD_PROMPT_MLFLOW ? "F " : k == MD_PROMPT_MFA ? "MFA code: " : "/";
}

void md_prompt_open(struct md_app *app, enum md_prompt_kind kind, const char *initial)
{
    app->overlay = MD_OV_PROMPT;
    app->prompt_kind = kind;
    snprintf(app->prompt, sizeof app->prompt, "%s", initial ? initial : "");
    app->prompt_len = strlen(app->prompt);
    snprintf(app->prompt_saved, sizeof app->prompt_saved, "%s", app->prompt);
    app->prompt_hint[0] = '\0';
    app->msg[0] = '\0';
}

void md_prompt_draw(struct md_app *app)
{
    int y = app->rows - 1;
    if (app->prompt_hint[0]) {
        md_fill(y - 1, 0, app->cols, md_attr(MD_ROLE_DIALOG));
        md_put(y - 1, 1, app->cols - 1, app->prompt_hint, md_attr(MD_ROLE_DIALOG), false);
    }
    md_fill(y, 0, app->cols, md_attr(MD_ROLE_NORMAL));
    /* Show the end of a long line so the cursor stays visible. */
    const char *text = app->prompt;
    char masked[sizeof app->prompt];
    if (app->prompt_kind == MD_PROMPT_MFA) {
        memset(masked, '*', app->prompt_len);
        masked[app->prompt_len] = '\0';
        text = masked;
    }
    int room = app->cols - 3;
    while (md_text_width(text) > room && *text)
        text++;
    const char *pc = prompt_char(app->prompt_kind);
    int x = md_put(y, 0, md_text_width(pc), pc, md_attr(MD_ROLE_CRUMB), false);
    x += md_put(y, x, app->cols - x - 1, text, md_attr(MD_ROLE_NORMAL), false);
    md_put(y, x, 1, " ", A_REVERSE, false);
}

static void finish(struct md_app *app, bool accept)
{
    app->overlay = MD_OV_NONE;
    app->prompt_hint[0] = '\0';
    struct md_view *v = md_app_top(app);
    char line[256];
    snprintf(line, sizeof line, "%s", app->prompt);
    switch (app->prompt_kind) {
    case MD_PROMPT_FILTER:
        if (accept && v && v->kind)
            md_table_set_filter(app, v, line);
        break;
    case MD_PROMPT_SEARCH:
        if (accept && v) {
            v->match_line = -1;
            md_describe_search(app, v, line, true);
        }
        break;
    case MD_PROMPT_COMMAND:
        if (accept)
            md_command_run(app, line);
        break;
    case MD_PROMPT_MLFLOW:
        if (accept)
            md_runs_search_command(app, line);
        break;
    case MD_PROMPT_MFA:
        md_app_mfa_answer(app, accept ? line : NULL);
        break;
    }
    memset(line, 0, sizeof line);
}

static void complete(struct md_app *app)
{
    char out[256];
    int n = md_command_complete(app, app->prompt, out, sizeof out, app->prompt_hint,
                                sizeof app->prompt_hint);
    if (n == 0) {
        snprintf(app->prompt_hint, sizeof app->prompt_hint, "no command starts with \"%s\"", app->prompt);
        return;
    }
    snprintf(app->prompt, sizeof app->prompt, "%s", out);
    app->prompt_len = strlen(app->prompt);
    if (n == 1)
        app->prompt_hint[0] = '\0';
}

void md_prompt_key(struct md_app *app, int key)
{
    switch (key) {
    case 27:
        finish(app, false);
        return;
    case '\n':
        finish(app, true);
        return;
    case '\t':
        if (app->prompt_kind == MD_PROMPT_COMMAND)
            complete(app);
        return;
    case KEY_BACKSPACE:
        if (app->prompt_len == 0) {
            finish(app, false);
            return;
        }
        /* Drop one UTF-8 character. */
        do
            app->prompt_len--;
        while (app->prompt_len > 0 && ((unsigned char)app->prompt[app->prompt_len] & 0xC0) == 0x80);
        app->prompt[app->prompt_len] = '\0';
        break;
    case 21: /* C-u */
        app->prompt_len = 0;
        app->prompt[0] = '\0';
        break;
    case 23: /* C-w */
        while (app->prompt_len > 0 && app->prompt[app->prompt_len - 1] == ' ')
            app->prompt_len--;
        while (app->prompt_len > 0 && app->prompt[app->prompt_len - 1] != ' ')
            app->prompt_len--;
        app->prompt[app->prompt_len] = '\0';
        break;
    default:
        if (key >= 32 && key < 256 && key != 127 && app->prompt_len + 1 < sizeof app->prompt) {
            app->prompt[app->prompt_len++] = (char)key;
            app->prompt[app->prompt_len] = '\0';
        }
        break;
    }
    if (app->prompt_kind == MD_PROMPT_COMMAND && app->prompt_hint[0]) {
        /* Keep the candidate list in step with what is typed. */
        char out[256];
        if (md_command_complete(app, app->prompt, out, sizeof out, app->prompt_hint,
                                sizeof app->prompt_hint) == 0)
            app->prompt_hint[0] = '\0';
    }
}
