#include "ui/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- fields -------------------------------------------------------------- */

static void cycle(struct md_form_field *f, int dir)
{
    size_t n = f->nchoices;
    if (!f->choices || !n)
        return;
    size_t at = dir > 0 ? 0 : n - 1;   /* a value not in the list starts at an end */
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(f->choices[i], f->value))
            at = (i + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
    snprintf(f->value, sizeof f->value, "%s", f->choices[at]);
}

enum md_form_ev md_form_key(struct md_form *fm, int key)
{
    int last = fm->n;   /* the button */
    struct md_form_field *f = fm->cur < fm->n ? &fm->f[fm->cur] : NULL;
    switch (key) {
    case '\t': case KEY_DOWN:
        fm->cur = fm->cur < last ? fm->cur + 1 : 0;
        return MD_FORM_MOVED;
    case KEY_BTAB: case KEY_UP:
        fm->cur = fm->cur > 0 ? fm->cur - 1 : last;
        return MD_FORM_MOVED;
    case KEY_LEFT: case KEY_RIGHT:
        if (!f || !f->choices)
            return MD_FORM_IGNORED;
        cycle(f, key == KEY_RIGHT ? 1 : -1);
        return MD_FORM_EDITED;
    case '\n':
        if (fm->cur < last) {
            fm->cur++;
            return MD_FORM_MOVED;
        }
        return MD_FORM_SUBMIT;
    case KEY_BACKSPACE:
        if (f && f->value[0]) {
            size_t len = strlen(f->value);
            do
                len--;
            while (len > 0 && ((unsigned char)f->value[len] & 0xC0) == 0x80);
            f->value[len] = '\0';
            return MD_FORM_EDITED;
        }
        return MD_FORM_IGNORED;
    case 21: /* C-u */
        if (!f)
            return MD_FORM_IGNORED;
        f->value[0] = '\0';
        return MD_FORM_EDITED;
    default:
        if (f && key >= 32 && key < 256 && key != 127) {
            size_t len = strlen(f->value);
            if (len + 1 < sizeof f->value) {
                f->value[len] = (char)key;
                f->value[len + 1] = '\0';
            }
            return MD_FORM_EDITED;
        }
        return MD_FORM_IGNORED;
    }
}

int md_form_first_error(const struct md_form *fm)
{
    for (int i = 0; i < fm->n; i++)
        if (fm->f[i].error[0])
            return i;
    return -1;
}

void md_form_draw(struct md_app *app, struct md_form *fm, struct md_rect r)
{
    char buf[1200];
    int name_w = fm->name_w ? fm->name_w : 22, type_w = fm->type_w ? fm->type_w : 8;
    int val_x = r.x + 2 + name_w + 1 + type_w + 1;
    int val_w = r.w - (val_x - r.x) - 1;
    int vmax = fm->value_max ? fm->value_max : 34;
    if (val_w > vmax)
        val_w = vmax;
    int err_x = val_x + val_w + 1;
    /* Too narrow for a message beside the value: the bottom line has it. */
    bool beside = r.x + r.w - err_x >= 20;
    int rows = r.h - 2;   /* a blank line, then the current field's message */
    if (rows < 1 || val_w < 4)
        return;
    int total = fm->n + 1;
    if (fm->cur < fm->scroll)
        fm->scroll = fm->cur;
    if (fm->cur >= fm->scroll + rows)
        fm->scroll = fm->cur - rows + 1;
    int y = r.y;
    for (int i = fm->scroll; i < total && y < r.y + rows; i++, y++) {
        bool cur = i == fm->cur;
        attr_t a = md_attr(MD_ROLE_NORMAL);
        if (i == fm->n) {
            snprintf(buf, sizeof buf, cur ? "> %s <" : "[ %s ]", fm->button ? fm->button : "OK");
            md_put(y, r.x + 2, r.w - 2, buf, cur ? md_attr(MD_ROLE_BUTTON) : a, false);
            continue;
        }
        struct md_form_field *f = &fm->f[i];
        md_put(y, r.x, 2, cur ? ">" : " ", md_attr(MD_ROLE_TITLE), false);
        if (f->type[0]) {
            md_put(y, r.x + 2, name_w, f->label, cur ? a | A_BOLD : a, true);
            md_put(y, r.x + 3 + name_w, type_w, f->type, md_attr(MD_ROLE_MUTED), true);
        } else {
            md_put(y, r.x + 2, name_w + 1 + type_w, f->label, cur ? a | A_BOLD : a, true);
        }
        /* The value, its end visible while typing. */
        const char *text = f->value;
        while (cur && md_text_width(text) > val_w - 1 && *text)
            text++;
        attr_t va = cur ? md_attr(MD_ROLE_SELECTED) : md_attr(MD_ROLE_NORMAL) | A_UNDERLINE;
        md_put(y, val_x, val_w, text, va, true);
        if (cur) {
            int cx = val_x + md_text_width(text);
            if (cx < val_x + val_w)
                md_put(y, cx, 1, " ", A_REVERSE, false);
        }
        if (!beside)
            continue;
        if (f->error[0]) {
            snprintf(buf, sizeof buf, "%s %s", app->term.utf8 ? "✗" : "x", f->error);
            md_put(y, err_x, r.x + r.w - err_x, buf, md_attr(MD_ROLE_FAIL), false);
        } else if (f->note[0]) {
            md_put(y, err_x, r.x + r.w - err_x, f->note, md_attr(MD_ROLE_MUTED), false);
        }
    }
    /* The current field's full error (long messages say what is allowed). */
    int by = r.y + r.h - 1;
    if (fm->cur < fm->n && fm->f[fm->cur].error[0]) {
        snprintf(buf, sizeof buf, "%s %s", app->term.utf8 ? "✗" : "x", fm->f[fm->cur].error);
        md_put(by, r.x, r.w, beside ? fm->f[fm->cur].error : buf,
               md_attr(MD_ROLE_FAIL), false);
    } else if (fm->cur < fm->n && fm->f[fm->cur].hint[0]) {
        md_put(by, r.x, r.w, fm->f[fm->cur].hint, md_attr(MD_ROLE_MUTED), false);
    }
}

/* ---- the confirmation screen ---------------------------------------------- */

/* cJSON's layout (tabs) as spaces: two per level, one after "key":. */
static void untab(const char *p, size_t len, char *line, size_t n)
{
    size_t o = 0;
    for (size_t k = 0; k < len && o + 2 < n; k++) {
        if (p[k] == '\t' && k > 0 && p[k - 1] == ':') {
            line[o++] = ' ';
        } else if (p[k] == '\t') {
            line[o++] = ' ';
            line[o++] = ' ';
        } else {
            line[o++] = p[k];
        }
    }
    line[o] = '\0';
}

void md_form_confirm_draw(struct md_app *app, struct md_form_confirm *c, struct md_rect r)
{
    int y = r.y;
    md_put(y++, r.x, r.w, c->title, md_attr(MD_ROLE_TITLE), false);
    md_put(y++, r.x, r.w, c->intro, md_attr(MD_ROLE_NORMAL), false);
    char *text = c->request ? cJSON_Print(c->request) : NULL;
    int room = r.h - 6, nl = 1;
    for (const char *q = text; q && *q; q++)
        nl += *q == '\n';
    if (room < 3)
        room = 3;
    /* Scrolled: one line says what is above, one what is below. */
    int max_scroll = nl <= room ? 0 : nl - (room - 1);
    if (c->scroll > max_scroll)
        c->scroll = max_scroll;
    if (c->scroll < 0)
        c->scroll = 0;
    int avail = room;
    if (c->scroll > 0) {
        char m[80];
        snprintf(m, sizeof m, "... %d lines above (k/Up scroll)", c->scroll);
        md_put(y++, r.x + 2, r.w - 2, m, md_attr(MD_ROLE_MUTED), false);
        avail--;
    }
    int rem = nl - c->scroll, show = rem <= avail ? rem : avail - 1;
    const char *p = text ? text : "";
    for (int line_no = 0; *p && line_no < c->scroll + show; line_no++) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (line_no >= c->scroll) {
            char line[1200];
            untab(p, len, line, sizeof line);
            md_put(y++, r.x + 2, r.w - 2, line, md_attr(MD_ROLE_INFO), false);
        }
        p += len;
        if (*p)
            p++;
    }
    if (show < rem)
        md_put(y++, r.x + 2, r.w - 2, "... more below (j/Down scroll; the terminal is too small "
                                      "to show it all)", md_attr(MD_ROLE_MUTED), false);
    cJSON_free(text);
    md_put(y++, r.x, r.w, c->footer ? c->footer : "", md_attr(MD_ROLE_MUTED), false);
    y++;
    char ok[64], cancel[16];
    snprintf(cancel, sizeof cancel, c->ok_focused ? "[ Cancel ]" : "> Cancel <");
    snprintf(ok, sizeof ok, c->ok_focused ? "> %s <" : "[ %s ]", c->ok_label ? c->ok_label : "OK");
    int bx = r.x + 2, okw = (int)strlen(ok) + 1;
    if (okw < 12)
        okw = 12;
    md_put(y, bx, 12, cancel, c->ok_focused ? md_attr(MD_ROLE_NORMAL) : md_attr(MD_ROLE_BUTTON),
           false);
    md_put(y, bx + 13, okw, ok, c->ok_focused ? md_attr(MD_ROLE_BUTTON) : md_attr(MD_ROLE_NORMAL),
           false);
    md_put(y, bx + 13 + okw + 1, r.w - (15 + okw + 1), "Tab/arrows move, Enter chooses, Esc back to the form",
           md_attr(MD_ROLE_MUTED), false);
}

bool md_form_confirm_key(struct md_form_confirm *c, int key)
{
    switch (key) {
    case '\t': case KEY_BTAB: case KEY_LEFT: case KEY_RIGHT: case 'h': case 'l':
        c->ok_focused = !c->ok_focused;
        return false;
    case 'j': case KEY_DOWN: c->scroll++; return false;
    case 'k': case KEY_UP: c->scroll--; return false;
    case ' ': case KEY_NPAGE: c->scroll += 10; return false;
    case KEY_PPAGE: c->scroll -= 10; return false;
    case '\n':
        return true;
    case 'q': case 'n':
        c->ok_focused = false;
        return true;
    default:
        return false;
    }
}
