/* A form of text fields with a button at the end, and the confirmation
 * screen that shows the exact request before it is sent: the widgets of
 * the pipeline launch form (view_launch.c) and the training job form
 * (view_train.c).  The owner keeps the fields, checks values after each
 * edit (md_form_key says when) and decides what the button does. */
#ifndef MD_UI_FORM_H
#define MD_UI_FORM_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "ui/app.h"

#define MD_FORM_VALUE_MAX 2600

struct md_form_field {
    char label[64];
    char type[24];              /* short type hint: "Integer", "S3 URI" */
    char value[MD_FORM_VALUE_MAX];
    char error[600];            /* "" when the value is fine; shown beside and at the bottom */
    char note[200];             /* beside the value when there is no error ("default 100") */
    char hint[600];             /* at the bottom when the field is current and fine */
    const char *const *choices; /* what Left/Right cycle through, or NULL */
    size_t nchoices;
};

struct md_form {
    struct md_form_field *f;    /* owned by the caller */
    int n;
    int cur;                    /* 0..n-1 a field, n the button */
    int scroll;
    const char *button;         /* "Review the request" */
    int name_w, type_w, value_max;   /* column widths (0: 22, 8, 34) */
};

enum md_form_ev {
    MD_FORM_IGNORED,            /* not a form key */
    MD_FORM_MOVED,              /* the focus moved */
    MD_FORM_EDITED,             /* the current field's value changed: check it */
    MD_FORM_SUBMIT,             /* Enter on the button */
};

/* Tab/Down next (wraps), BTab/Up previous, Enter next field (the button:
 * submit), Left/Right cycle the field's choices, Backspace, C-u clears,
 * printable characters type.  Esc is the caller's. */
enum md_form_ev md_form_key(struct md_form *fm, int key);
/* The fields (and the button) from row r.y on, scrolled to keep the
 * current one visible; the last row of r holds the current field's error
 * or hint. */
void md_form_draw(struct md_app *app, struct md_form *fm, struct md_rect r);
/* The first field with an error, -1 when none. */
int md_form_first_error(const struct md_form *fm);

/* The confirmation screen: title, intro, the request as indented JSON
 * (scrolled by *scroll when it does not fit), the footer, then
 * [ Cancel ] [ ok_label ] with the focus on ok when ok_focused. */
struct md_form_confirm {
    const char *title, *intro, *footer, *ok_label;
    const cJSON *request;
    bool ok_focused;
    int scroll;
};
void md_form_confirm_draw(struct md_app *app, struct md_form_confirm *c, struct md_rect r);
/* Tab/BTab/Left/Right/h/l move the focus, j/k/Down/Up/PgDn/PgUp/Space
 * scroll the request; Enter chooses (true), q or n choose Cancel (true,
 * with ok_focused cleared).  False: keep showing it. */
bool md_form_confirm_key(struct md_form_confirm *c, int key);

#endif
