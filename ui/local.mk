# ui/: the ncurses front end and the mldeck binary.  Only this folder
# includes ncurses.
bin_PROGRAMS += mldeck
mldeck_SOURCES = \
	ui/main.c \
	ui/tui.c ui/tui.h
mldeck_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
mldeck_LDADD = $(MLDECK_LIB) $(NCURSES_LIBS) $(MD_DEP_LIBS)
mldeck_DEPENDENCIES = $(MLDECK_LIB)
