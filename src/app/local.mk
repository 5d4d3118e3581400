# src/app: the workspace (cache + scope + providers + sync) one run opens.
noinst_LIBRARIES += src/app/libmd-app.a
MD_AREA_LIBS += src/app/libmd-app.a
src_app_libmd_app_a_SOURCES = src/app/workspace.c src/app/workspace.h \
	src/app/action_job.c src/app/action_job.h
