# man/: mldeck(1) and mldeck-config(5).
dist_man_MANS += man/mldeck.1 man/mldeck-config.5
