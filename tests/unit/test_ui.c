/* The screen's pure parts: key names, the key table and its keys file,
 * the `/` filter language, and the OSC 52 clipboard sequence. */
#include <curses.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "ui/clip.h"
#include "ui/filter.h"
#include "ui/keymap.h"

static bool fake_kind_action(const char *name)
{
    return !strcmp(name, "stop-execution") || !strcmp(name, "retry-execution");
}

struct report {
    int lines[16];
    char msgs[16][256];
    int n;
};

static void collect(void *ctx, int line, const char *msg)
{
    struct report *r = ctx;
    if (r->n < 16) {
        r->lines[r->n] = line;
        snprintf(r->msgs[r->n], sizeof r->msgs[0], "%s", msg);
        r->n++;
    }
}

static void test_key_names(void)
{
    char buf[32];
    TAP_EQ_STR(md_key_name('j', buf, sizeof buf), "j", "key name j");
    TAP_EQ_STR(md_key_name('\n', buf, sizeof buf), "Enter", "key name Enter");
    TAP_EQ_STR(md_key_name(27, buf, sizeof buf), "Esc", "key name Esc");
    TAP_EQ_STR(md_key_name(1, buf, sizeof buf), "C-a", "key name C-a");
    TAP_EQ_STR(md_key_name(KEY_NPAGE, buf, sizeof buf), "PgDn", "key name PgDn");
    TAP_EQ_STR(md_key_name(KEY_F(5), buf, sizeof buf), "F5", "key name F5");
    TAP_EQ_INT(md_key_parse("C-a"), 1, "parse C-a");
    TAP_EQ_INT(md_key_parse("c-Z"), 26, "parse c-Z");
    TAP_EQ_INT(md_key_parse("PgUp"), KEY_PPAGE, "parse PgUp");
    TAP_EQ_INT(md_key_parse("pagedown"), KEY_NPAGE, "parse pagedown");
    TAP_EQ_INT(md_key_parse("F12"), KEY_F(12), "parse F12");
    TAP_EQ_INT(md_key_parse("F13"), -1, "F13 is not a key");
    TAP_EQ_INT(md_key_parse("Space"), ' ', "parse Space");
    TAP_EQ_INT(md_key_parse("<"), '<', "parse <");
    TAP_EQ_INT(md_key_parse("jj"), -1, "two letters is not a key");
    TAP_EQ_INT(md_key_parse(""), -1, "empty is not a key");
    TAP_EQ_INT(md_key_parse("C-1"), -1, "C-1 is not a key");
    for (int k = 1; k < 127; k++) {
        if (k == '\r' || k == 8 || (k >= 28 && k <= 31))
            continue;
        md_key_name(k, buf, sizeof buf);
        if (md_key_parse(buf) != k) {
            TAP_OK(0, "key %d round-trips through its name '%s'", k, buf);
            return;
        }
    }
    TAP_OK(1, "every ASCII key round-trips through its name");
}

static void test_defaults(void)
{
    struct md_keymap *km = md_keymap_new();
    TAP_OK(km != NULL, "default key map");
    const struct md_binding *b = md_keymap_lookup(km, MD_CTX_LIST, 'j');
    TAP_OK(b && b->act == MD_ACT_DOWN, "j moves down in lists");
    b = md_keymap_lookup(km, MD_CTX_LIST, 'q');
    TAP_OK(b && b->act == MD_ACT_QUIT, "q falls through to the global quit");
    b = md_keymap_lookup(km, MD_CTX_DESCRIBE, 'n');
    TAP_OK(b && b->act == MD_ACT_SEARCH_NEXT, "n is next match in describe");
    b = md_keymap_lookup(km, MD_CTX_LIST, 'n');
    TAP_OK(b == NULL, "n is unbound in lists");
    TAP_OK(!md_keymap_overrides(km, 'x'), "no user override by default");
    TAP_EQ_INT(md_act_by_name("page-down"), MD_ACT_PAGE_DOWN, "action by name");
    TAP_EQ_INT(md_act_by_name("nope"), MD_ACT_COUNT, "unknown action name");
    md_keymap_free(km);
}

static void test_keys_file(void)
{
    struct md_keymap *km = md_keymap_new();
    struct report r = {0};
    const char *text =
        "# move keys that clash with a tmux prefix\n"
        "bind J down\n"
        "unbind j\n"
        "\n"
        "bind C-s stop-execution\n"
        "bind Q quit global\n"
        "bind K frobnicate\n"
        "bind Ctrl-x down\n"
        "bind j up nowhere\n"
        "rebind x y\n"
        "bind\n"
        "unbind R list\r\n";
    int bad = md_keymap_load_text(km, text, fake_kind_action, collect, &r);
    TAP_EQ_INT(bad, 5, "five bad lines reported");
    TAP_EQ_INT(r.n, 5, "each bad line reported once");
    TAP_EQ_INT(r.lines[0], 7, "unknown action on line 7");
    TAP_OK(strstr(r.msgs[0], "frobnicate") != NULL, "message names the action: %s", r.msgs[0]);
    TAP_EQ_INT(r.lines[1], 8, "unknown key on line 8");
    TAP_EQ_INT(r.lines[2], 9, "unknown context on line 9");
    TAP_EQ_INT(r.lines[3], 10, "unknown directive on line 10");
    TAP_EQ_INT(r.lines[4], 11, "bare bind on line 11");

    const struct md_binding *b = md_keymap_lookup(km, MD_CTX_LIST, 'J');
    TAP_OK(b && b->act == MD_ACT_DOWN, "J now moves down in lists");
    b = md_keymap_lookup(km, MD_CTX_DESCRIBE, 'J');
    TAP_OK(b && b->act == MD_ACT_DOWN, "J now scrolls down in describe too");
    b = md_keymap_lookup(km, MD_CTX_LIST, 'j');
    TAP_OK(b && b->act == MD_ACT_NONE, "j is unbound");
    b = md_keymap_lookup(km, MD_CTX_LIST, 19);
    TAP_OK(b && b->act == MD_ACT_KIND && !strcmp(b->kind_action, "stop-execution"),
           "C-s runs the kind action stop-execution");
    TAP_EQ_INT(md_keymap_kind_key(km, "stop-execution"), 19, "kind action key lookup");
    b = md_keymap_lookup(km, MD_CTX_DESCRIBE, 'Q');
    TAP_OK(b && b->act == MD_ACT_QUIT, "Q quits everywhere (global)");
    b = md_keymap_lookup(km, MD_CTX_LIST, 'R');
    TAP_OK(b && b->act == MD_ACT_NONE, "R unbound in lists (CRLF line)");
    TAP_OK(md_keymap_overrides(km, 'R'), "R overridden, so a kind's own R stays quiet");
    md_keymap_free(km);
}

static void test_filter(void)
{
    const char *titles[] = {"Name", "Status", "Started", "Duration"};
    struct md_filter f;
    md_filter_parse("yolo", titles, 4, &f);
    TAP_OK(f.column == -1 && !strcmp(f.text, "yolo") && !f.error[0], "plain text filters all columns");
    md_filter_parse("status:Failed", titles, 4, &f);
    TAP_OK(f.column == 1 && !strcmp(f.text, "Failed"), "col:value picks the column");
    md_filter_parse("STATUS:fail", titles, 4, &f);
    TAP_OK(f.column == 1 && !strcmp(f.text, "fail"), "column title is case-insensitive");
    md_filter_parse("na:x", titles, 4, &f);
    TAP_OK(f.column == 0 && !strcmp(f.text, "x"), "unique prefix of a title");
    md_filter_parse("st:x", titles, 4, &f);
    TAP_OK(f.error[0] != '\0', "ambiguous prefix is an error: %s", f.error);
    md_filter_parse("arn:aws:sagemaker", titles, 4, &f);
    TAP_OK(f.column == -1 && !strcmp(f.text, "arn:aws:sagemaker"), "unknown column: the colon is text");
    md_filter_parse("name\\:x", titles, 4, &f);
    TAP_OK(f.column == -1 && !strcmp(f.text, "name:x"), "escaped colon is text");
    md_filter_parse(":x", titles, 4, &f);
    TAP_OK(f.column == -1 && !strcmp(f.text, ":x"), "leading colon is text");
    md_filter_parse("status:", titles, 4, &f);
    TAP_OK(f.column == 1 && f.text[0] == '\0', "empty value");
    md_filter_parse("", titles, 4, &f);
    TAP_OK(f.column == -1 && f.text[0] == '\0' && !f.error[0], "empty filter");
    md_filter_parse(NULL, titles, 4, &f);
    TAP_OK(f.column == -1 && f.text[0] == '\0', "NULL filter");
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    md_filter_parse(big, titles, 4, &f);
    TAP_EQ_INT(strlen(f.text), sizeof f.text - 1, "long filter is truncated, not overflowed");
}

static void test_clip(void)
{
    char *b;
    TAP_EQ_STR(b = md_base64("", 0), "", "base64 empty");
    free(b);
    TAP_EQ_STR(b = md_base64("f", 1), "Zg==", "base64 f");
    free(b);
    TAP_EQ_STR(b = md_base64("fo", 2), "Zm8=", "base64 fo");
    free(b);
    TAP_EQ_STR(b = md_base64("foobar", 6), "Zm9vYmFy", "base64 foobar");
    free(b);
    TAP_EQ_STR(b = md_base64("\xff\xfe\x00", 3), "//4A", "base64 binary");
    free(b);
    TAP_EQ_STR(b = md_osc52("arn:x", false), "\033]52;c;YXJuOng=\a", "OSC 52 plain");
    free(b);
    TAP_EQ_STR(b = md_osc52("arn:x", true), "\033Ptmux;\033\033]52;c;YXJuOng=\a\033\\",
               "OSC 52 wrapped for tmux");
    free(b);
}

int main(void)
{
    test_key_names();
    test_defaults();
    test_keys_file();
    test_filter();
    test_clip();
    return tap_done();
}
