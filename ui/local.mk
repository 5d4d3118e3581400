# ui/: the ncurses front end and the mldeck binary.  Only this folder
# includes ncurses.  Everything but main.c goes into ui/libmd-ui.a so unit
# tests can link the pure parts (key table, filter language, OSC 52).
noinst_LIBRARIES += ui/libmd-ui.a
ui_libmd_ui_a_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
ui_libmd_ui_a_SOURCES = \
	ui/clip.c ui/clip.h \
	ui/filter.c ui/filter.h \
	ui/keymap.c ui/keymap.h \
	ui/tui_pending.c ui/tui.h
# Lands with src/sync and the demo provider:
EXTRA_DIST += \
	ui/app.h ui/backend.c ui/backend.h ui/commands.c ui/dialog.c ui/help.c \
	ui/prompt.c ui/screen.c ui/term.c ui/term.h ui/tui.c ui/view_describe.c \
	ui/view_table.c

bin_PROGRAMS += mldeck
mldeck_SOURCES = ui/main.c
mldeck_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
mldeck_LDADD = ui/libmd-ui.a $(MLDECK_LIB) $(NCURSES_LIBS) $(MD_DEP_LIBS)
mldeck_DEPENDENCIES = ui/libmd-ui.a $(MLDECK_LIB)

check_PROGRAMS += tests/unit/test_ui
TESTS += tests/unit/test_ui
tests_unit_test_ui_SOURCES = tests/unit/test_ui.c tests/tap.h
tests_unit_test_ui_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_ui_LDADD = ui/libmd-ui.a src/util/libmd-util.a $(NCURSES_LIBS) $(MD_DEP_LIBS)
