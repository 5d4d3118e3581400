/* The form widget's keys (ui/form.h): moving (wrapping) between fields and
 * the button, typing, Backspace over a UTF-8 character, C-u, Left/Right
 * through a field's choices, Enter to the next field and on the button;
 * the confirmation's focus, scroll and choice keys. */
#include <curses.h>
#include <string.h>

#include "../tap.h"
#include "ui/form.h"

int main(void)
{
    static struct md_form_field f[3];
    static const char *const yes_no[] = {"no", "yes"};
    snprintf(f[0].value, sizeof f[0].value, "ab");
    snprintf(f[1].value, sizeof f[1].value, "no");
    f[1].choices = yes_no;
    f[1].nchoices = 2;
    struct md_form fm = {.f = f, .n = 3, .button = "Review"};
    TAP_EQ_INT(md_form_key(&fm, 'c'), MD_FORM_EDITED, "a character edits");
    TAP_EQ_STR(f[0].value, "abc", "and is appended");
    TAP_EQ_INT(md_form_key(&fm, KEY_BACKSPACE), MD_FORM_EDITED, "Backspace edits");
    TAP_EQ_STR(f[0].value, "ab", "and removes the last character");
    snprintf(f[0].value, sizeof f[0].value, "x\xc3\xa9");   /* "xé" */
    md_form_key(&fm, KEY_BACKSPACE);
    TAP_EQ_STR(f[0].value, "x", "Backspace removes a whole UTF-8 character");
    TAP_EQ_INT(md_form_key(&fm, 21), MD_FORM_EDITED, "C-u edits");
    TAP_EQ_STR(f[0].value, "", "and clears");
    TAP_EQ_INT(md_form_key(&fm, KEY_BACKSPACE), MD_FORM_IGNORED, "Backspace on empty does nothing");
    TAP_EQ_INT(md_form_key(&fm, KEY_RIGHT), MD_FORM_IGNORED, "Right without choices is not a form key");
    TAP_EQ_INT(md_form_key(&fm, KEY_UP), MD_FORM_MOVED, "Up from the first field");
    TAP_EQ_INT(fm.cur, 3, "wraps to the button");
    TAP_EQ_INT(md_form_key(&fm, 'x'), MD_FORM_IGNORED, "typing on the button does nothing");
    TAP_EQ_INT(md_form_key(&fm, '\n'), MD_FORM_SUBMIT, "Enter on the button submits");
    md_form_key(&fm, '\t');
    TAP_EQ_INT(fm.cur, 0, "Tab from the button wraps to the first field");
    TAP_EQ_INT(md_form_key(&fm, '\n'), MD_FORM_MOVED, "Enter on a field moves on");
    TAP_EQ_INT(fm.cur, 1, "to the next one");
    TAP_EQ_INT(md_form_key(&fm, KEY_RIGHT), MD_FORM_EDITED, "Right cycles the choices");
    TAP_EQ_STR(f[1].value, "yes", "no -> yes");
    md_form_key(&fm, KEY_RIGHT);
    TAP_EQ_STR(f[1].value, "no", "yes -> no (wraps)");
    snprintf(f[1].value, sizeof f[1].value, "maybe");
    md_form_key(&fm, KEY_LEFT);
    TAP_EQ_STR(f[1].value, "yes", "a value not in the list: Left starts at the end");
    md_form_key(&fm, KEY_BTAB);
    TAP_EQ_INT(fm.cur, 0, "BTab goes back");
    f[2].error[0] = '\0';
    TAP_EQ_INT(md_form_first_error(&fm), -1, "no error");
    snprintf(f[2].error, sizeof f[2].error, "bad");
    TAP_EQ_INT(md_form_first_error(&fm), 2, "the first field with an error");
    for (size_t i = 0; i < sizeof f[0].value + 10; i++)
        md_form_key(&fm, 'z');
    TAP_EQ_INT((int)strlen(f[0].value), (int)sizeof f[0].value - 1, "a value never overflows");

    struct md_form_confirm c = {.ok_label = "Create"};
    TAP_OK(!md_form_confirm_key(&c, 'j') && c.scroll == 1, "j scrolls the request");
    TAP_OK(!md_form_confirm_key(&c, KEY_PPAGE) && c.scroll == -9, "PgUp scrolls back (clamped at draw)");
    TAP_OK(!md_form_confirm_key(&c, '\t') && c.ok_focused, "Tab moves the focus to OK");
    TAP_OK(md_form_confirm_key(&c, '\n') && c.ok_focused, "Enter chooses OK");
    TAP_OK(md_form_confirm_key(&c, 'q') && !c.ok_focused, "q chooses Cancel");
    TAP_OK(!md_form_confirm_key(&c, 'x'), "other keys keep the screen");
    return tap_done();
}
