#include "ui/term.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t curses_active;
static attr_t role_attr[MD_ROLE_COUNT];
static const char *ellipsis = "~";

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char c = (unsigned char)sig;
    if (sig_pipe[1] >= 0) {
        ssize_t r = write(sig_pipe[1], &c, 1);
        (void)r;
    }
    errno = saved;
}

/* A crash must not leave the operator's terminal in raw mode on the
 * alternate screen.  endwin() is not async-signal-safe, but the process is
 * dying anyway and this is what every curses program does; then the default
 * action runs (core dump, exit status) through the re-raise. */
static void on_crash(int sig)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    int crash[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
        sigaction(crash[i], &sa, NULL);
    /* A closed terminal must end the loop through read errors, not kill us. */
    signal(SIGPIPE, SIG_IGN);
}

static void restore_signals(void)
{
    int sigs[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
}

static void setup_colours(struct md_term *t)
{
    /* Monochrome: attributes carry the meaning. */
    role_attr[MD_ROLE_NORMAL] = A_NORMAL;
    role_attr[MD_ROLE_HEADER] = A_BOLD;
    role_attr[MD_ROLE_HEADER_KEY] = A_NORMAL;
    role_attr[MD_ROLE_CRUMB] = A_UNDERLINE;
    role_attr[MD_ROLE_TITLE] = A_BOLD | A_UNDERLINE;
    role_attr[MD_ROLE_SELECTED] = A_REVERSE;
    role_attr[MD_ROLE_OK] = A_NORMAL;
    role_attr[MD_ROLE_RUNNING] = A_BOLD;
    role_attr[MD_ROLE_WARN] = A_BOLD;
    role_attr[MD_ROLE_FAIL] = A_BOLD | A_UNDERLINE;
    role_attr[MD_ROLE_MUTED] = A_DIM;
    role_attr[MD_ROLE_ERROR] = A_BOLD;
    role_attr[MD_ROLE_INFO] = A_NORMAL;
    role_attr[MD_ROLE_DIALOG] = A_NORMAL;
    role_attr[MD_ROLE_BUTTON] = A_REVERSE;
    role_attr[MD_ROLE_ALERT] = A_BOLD | A_REVERSE;
    role_attr[MD_ROLE_MATCH] = A_REVERSE;
    if (t->colour == MD_COLOUR_NONE)
        return;
    start_color();
    use_default_colors();
    bool c256 = t->colour == MD_COLOUR_256;
    /* {role, fg, bg}; -1 is the terminal's default colour. */
    struct {
        enum md_role role;
        short fg, bg;
        attr_t extra;
    } map[] = {
        {MD_ROLE_HEADER, COLOR_WHITE, c256 ? 24 : COLOR_BLUE, A_BOLD},
        {MD_ROLE_HEADER_KEY, c256 ? 153 : COLOR_CYAN, c256 ? 24 : COLOR_BLUE, 0},
        {MD_ROLE_CRUMB, c256 ? 81 : COLOR_CYAN, -1, A_BOLD},
        {MD_ROLE_TITLE, c256 ? 250 : COLOR_WHITE, c256 ? 238 : -1, A_BOLD},
        {MD_ROLE_SELECTED, c256 ? 16 : COLOR_BLACK, c256 ? 117 : COLOR_CYAN, 0},
        {MD_ROLE_OK, COLOR_GREEN, -1, 0},
        {MD_ROLE_RUNNING, c256 ? 75 : COLOR_BLUE, -1, A_BOLD},
        {MD_ROLE_WARN, COLOR_YELLOW, -1, 0},
        {MD_ROLE_FAIL, COLOR_RED, -1, A_BOLD},
        {MD_ROLE_MUTED, c256 ? 244 : COLOR_WHITE, -1, c256 ? 0 : A_DIM},
        {MD_ROLE_ERROR, COLOR_WHITE, COLOR_RED, A_BOLD},
        {MD_ROLE_INFO, c256 ? 252 : COLOR_WHITE, -1, 0},
        {MD_ROLE_DIALOG, COLOR_WHITE, c256 ? 236 : COLOR_BLUE, 0},
        {MD_ROLE_BUTTON, COLOR_BLACK, COLOR_WHITE, A_BOLD},
        {MD_ROLE_ALERT, COLOR_WHITE, COLOR_RED, A_BOLD},
        {MD_ROLE_MATCH, COLOR_BLACK, COLOR_YELLOW, 0},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        short pair = (short)(i + 1);
        if (init_pair(pair, map[i].fg, map[i].bg) == ERR)
            continue;
        role_attr[map[i].role] = COLOR_PAIR(pair) | map[i].extra;
    }
    /* The selected row keeps reverse video where colours are poor. */
    if (!c256)
        role_attr[MD_ROLE_SELECTED] = A_REVERSE;
}

static const struct md_glyphs glyphs_utf8 = {
    " \xe2\x80\xba ", "\xe2\x86\x91", "\xe2\x86\x93", "\xe2\x94\x80", "\xe2\x94\x82",
    "\xe2\x94\x8c", "\xe2\x94\x90", "\xe2\x94\x94", "\xe2\x94\x98", "\xe2\x80\xa6",
};
static const struct md_glyphs glyphs_ascii = {
    " > ", "^", "v", "-", "|", "+", "+", "+", "+", "~",
};

bool md_term_init(struct md_term *t, bool no_color, bool ascii, char *why, size_t n)
{
    memset(t, 0, sizeof *t);
    t->sig_fd = -1;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(why, n, "the console needs a terminal (use a command such as `mldeck ls` in scripts)");
        return false;
    }
    const char *cs = nl_langinfo(CODESET);
    t->utf8 = !ascii && cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
    t->g = t->utf8 ? glyphs_utf8 : glyphs_ascii;
    ellipsis = t->g.ellipsis;

    if (pipe(sig_pipe) < 0) {
        snprintf(why, n, "pipe: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    t->sig_fd = sig_pipe[0];
    /* Installed before initscr so curses leaves SIGWINCH to us. */
    install_signals();

    set_escdelay(25);
    if (!newterm(NULL, stdout, stdin)) {
        restore_signals();
        snprintf(why, n, "cannot use terminal type '%s'", getenv("TERM") ? getenv("TERM") : "");
        return false;
    }
    curses_active = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    if (no_color || !has_colors())
        t->colour = MD_COLOUR_NONE;
    else if (start_color() == OK && COLORS >= 256)  /* COLORS is 0 until start_color() */
        t->colour = MD_COLOUR_256;
    else
        t->colour = MD_COLOUR_8;
    setup_colours(t);
    return true;
}

void md_term_end(struct md_term *t)
{
    if (curses_active) {
        curses_active = 0;
        endwin();
    }
    restore_signals();
    for (int i = 0; i < 2; i++)
        if (sig_pipe[i] >= 0) {
            close(sig_pipe[i]);
            sig_pipe[i] = -1;
        }
    t->sig_fd = -1;
}

void md_term_signals(struct md_term *t, bool *resized, bool *quit)
{
    unsigned char buf[64];
    ssize_t r;
    while ((r = read(t->sig_fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] == SIGWINCH)
                *resized = true;
            else
                *quit = true;
        }
}

void md_term_resize(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE);
}

attr_t md_attr(enum md_role r)
{
    return r < MD_ROLE_COUNT ? role_attr[r] : A_NORMAL;
}

enum md_role md_tone_role(enum md_tone tone)
{
    switch (tone) {
    case MD_TONE_OK: return MD_ROLE_OK;
    case MD_TONE_RUNNING: return MD_ROLE_RUNNING;
    case MD_TONE_WARN: return MD_ROLE_WARN;
    case MD_TONE_FAIL: return MD_ROLE_FAIL;
    case MD_TONE_MUTED: return MD_ROLE_MUTED;
    default: return MD_ROLE_NORMAL;
    }
}

/* Decodes one character at s: its byte length (>= 1) and display width;
 * *printable false means show '?' (1 cell). */
static size_t next_char(const char *s, int *width, bool *printable)
{
    unsigned char c = (unsigned char)*s;
    if (c < 0x80) {
        *printable = c >= 0x20 && c != 0x7f;
        *width = 1;
        return 1;
    }
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t len = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
        *printable = false;
        *width = 1;
        return 1;
    }
    int w = wcwidth(wc);
    if (w < 0) {
        *printable = false;
        *width = 1;
        return len;
    }
    *printable = true;
    *width = w;
    return len;
}

int md_text_width(const char *s)
{
    int total = 0;
    while (s && *s) {
        int w;
        bool ok;
        s += next_char(s, &w, &ok);
        total += w;
    }
    return total;
}

size_t md_text_fit(const char *s, int w)
{
    size_t bytes = 0;
    int used = 0;
    while (s[bytes]) {
        int cw;
        bool ok;
        size_t len = next_char(s + bytes, &cw, &ok);
        if (!ok)
            cw = 1;
        if (used + cw > w && bytes > 0)
            break;
        used += cw;
        bytes += len;
        if (used >= w)
            break;
    }
    return bytes;
}

int md_put(int y, int x, int w, const char *s, attr_t attr, bool pad)
{
    if (w <= 0)
        return 0;
    attr_t old_attr;
    short old_pair;
    attr_get(&old_attr, &old_pair, NULL);
    attrset(attr);
    move(y, x);
    int used = 0;
    int total = md_text_width(s);
    bool cut = total > w;
    int room = cut ? w - 1 : w;   /* keep one cell for the ellipsis */
    const char *p = s ? s : "";
    while (*p) {
        int cw;
        bool ok;
        size_t len = next_char(p, &cw, &ok);
        if (used + cw > room)
            break;
        if (ok && cw > 0)
            addnstr(p, (int)len);
        else if (!ok)
            addch('?');
        used += ok ? cw : 1;
        p += len;
    }
    if (cut && used < w) {
        addstr(ellipsis);
        used++;
    }
    if (pad)
        for (; used < w; used++)
            addch(' ');
    attr_set(old_attr, old_pair, NULL);
    return used;
}

void md_fill(int y, int x, int w, attr_t attr)
{
    if (w <= 0)
        return;
    attr_t old_attr;
    short old_pair;
    attr_get(&old_attr, &old_pair, NULL);
    attrset(attr);
    mvhline(y, x, ' ', w);
    attr_set(old_attr, old_pair, NULL);
}

void md_box(const struct md_term *t, int y, int x, int h, int w, attr_t attr)
{
    if (h < 2 || w < 2)
        return;
    attr_t old_attr;
    short old_pair;
    attr_get(&old_attr, &old_pair, NULL);
    attrset(attr);
    for (int r = 0; r < h; r++) {
        move(y + r, x);
        const char *l = r == 0 ? t->g.tl : r == h - 1 ? t->g.bl : t->g.vline;
        const char *rr = r == 0 ? t->g.tr : r == h - 1 ? t->g.br : t->g.vline;
        addstr(l);
        for (int c = 1; c < w - 1; c++)
            addstr(r == 0 || r == h - 1 ? t->g.hline : " ");
        addstr(rr);
    }
    attr_set(old_attr, old_pair, NULL);
}
