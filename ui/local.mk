# ui/: the ncurses front end and the mldeck binary.  Only this folder
# includes ncurses.  Everything but main.c goes into ui/libmd-ui.a so unit
# tests can link the pure parts (key table, filter language, OSC 52).
noinst_LIBRARIES += ui/libmd-ui.a
ui_libmd_ui_a_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
ui_libmd_ui_a_SOURCES = \
	ui/app.h \
	ui/clip.c ui/clip.h \
	ui/commands.c \
	ui/dialog.c \
	ui/filter.c ui/filter.h \
	ui/help.c \
	ui/keymap.c ui/keymap.h \
	ui/prompt.c \
	ui/screen.c \
	ui/term.c ui/term.h \
	ui/tui.c ui/tui.h \
	ui/view_describe.c \
	ui/view_table.c \
	ui/dag.c ui/dag.h \
	ui/detail.c \
	ui/pipelines.h \
	ui/view_dag.c \
	ui/view_launch.c \
	ui/view_logs.c \
	ui/view_jobchart.c

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

# The keys-file/filter fuzz target's seed corpus, replayed (TAP).
check_PROGRAMS += tests/fuzz/replay_ui_keys
TESTS += tests/fuzz/replay_ui_keys
tests_fuzz_replay_ui_keys_SOURCES = tests/fuzz/fuzz_ui_keys.c
tests_fuzz_replay_ui_keys_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_ui_keys_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_fuzz_replay_ui_keys_LDADD = ui/libmd-ui.a src/util/libmd-util.a $(NCURSES_LIBS) $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/ui_keys/good tests/fuzz/corpus/ui_keys/bad-lines \
	tests/fuzz/corpus/ui_keys/filter-column tests/fuzz/corpus/ui_keys/filter-escapes \
	tests/fuzz/corpus/ui_keys/long-line tests/fuzz/corpus/ui_keys/non-ascii

# Terminal tests: the real binary on the demo workspace inside a private
# tmux server (skipped when tmux is missing).
MD_TUI_TESTS = \
	tests/tui/navigation.sh \
	tests/tui/filter_sort.sh \
	tests/tui/actions.sh \
	tests/tui/terminal.sh \
	tests/tui/cache.sh
TESTS += $(MD_TUI_TESTS)
dist_check_SCRIPTS += $(MD_TUI_TESTS)
EXTRA_DIST += tests/tui/lib.sh
# The MFA code dialog (lead): a worker's question answered on the screen.
MD_TUI_TESTS += tests/tui/mfa.sh

# Benchmark (not part of make check): tests/bench/tui/run.sh BUILDDIR
noinst_PROGRAMS += tests/bench/tui/fill
tests_bench_tui_fill_SOURCES = tests/bench/tui/fill.c
tests_bench_tui_fill_LDADD = src/kind/libmd-kind.a src/cache/libmd-cache.a src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/bench/tui/run.sh

# Experiments pane (helper experiments-ui): runs tables with chosen
# columns, marks, MLflow search and paging; the metric chart (braille
# widget ui/chart.c, reusable) and the run comparison.
ui_libmd_ui_a_SOURCES += ui/chart.c ui/chart.h ui/experiments.h \
	ui/view_runs.c ui/view_chart.c ui/view_compare.c

# Experiments pane terminal tests (demo workspace; the MLflow test server).
MD_TUI_TESTS += tests/tui/experiments_demo.sh tests/tui/experiments_server.sh \
	tests/tui/experiments_live.sh

# Inference pane (helper infer-ui): view, image drawing, labels/matching,
# S3 fetch.  The pure parts are compiled into their tests directly, so a
# half-written ui file elsewhere cannot break them.
ui_libmd_ui_a_SOURCES += ui/view_infer.c \
	ui/infer_fetch.h \
	ui/infer_files.c ui/infer_files.h \
	ui/infer_match.c ui/infer_match.h \
	ui/infer_pixels.c ui/infer_pixels.h
check_PROGRAMS += tests/unit/test_infer_view tests/unit/test_infer_view_match \
	tests/fuzz/replay_yolo_labels
TESTS += tests/unit/test_infer_view tests/unit/test_infer_view_match \
	tests/fuzz/replay_yolo_labels
tests_unit_test_infer_view_SOURCES = tests/unit/test_infer_view.c tests/tap.h \
	ui/infer_pixels.c ui/infer_pixels.h ui/infer_files.c ui/infer_files.h
tests_unit_test_infer_view_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
tests_unit_test_infer_view_match_SOURCES = tests/unit/test_infer_view_match.c tests/tap.h \
	ui/infer_match.c ui/infer_match.h
tests_unit_test_infer_view_match_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
tests_fuzz_replay_yolo_labels_SOURCES = tests/fuzz/fuzz_yolo_labels.c ui/infer_match.c
tests_fuzz_replay_yolo_labels_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_yolo_labels_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/yolo_labels/good tests/fuzz/corpus/yolo_labels/short \
	tests/fuzz/corpus/yolo_labels/overflow tests/fuzz/corpus/yolo_labels/nul \
	tests/fuzz/corpus/yolo_labels/polygon
MD_INFER_TUI_TESTS = tests/tui/infer_pane.sh tests/tui/infer_errors.sh \
	tests/tui/infer_s3.py
TESTS += $(MD_INFER_TUI_TESTS)
dist_check_SCRIPTS += $(MD_INFER_TUI_TESTS)

# Pipelines pane detail views (helper pipelines-ui): DAG, launch form, log
# tail, job metrics, on the demo and against tests/servers/aws_server.py.
MD_PIPELINES_TUI_TESTS = tests/tui/pipelines_demo.sh tests/tui/pipelines_aws.sh
TESTS += $(MD_PIPELINES_TUI_TESTS)
dist_check_SCRIPTS += $(MD_PIPELINES_TUI_TESTS)
# The DAG's definition parser and layout (no curses): unit test and the
# fuzz target's seed corpus, replayed.
check_PROGRAMS += tests/unit/test_dag tests/fuzz/replay_dag
TESTS += tests/unit/test_dag tests/fuzz/replay_dag
tests_unit_test_dag_SOURCES = tests/unit/test_dag.c tests/tap.h ui/dag.c ui/dag.h
tests_unit_test_dag_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
tests_fuzz_replay_dag_SOURCES = tests/fuzz/fuzz_dag.c ui/dag.c ui/dag.h
tests_fuzz_replay_dag_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_dag_LDADD = src/util/libmd-util.a $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/dag/yolo11-template tests/fuzz/corpus/dag/cycle \
	tests/fuzz/corpus/dag/long-edges tests/fuzz/corpus/dag/nested-branches \
	tests/fuzz/corpus/dag/bad-name tests/fuzz/corpus/dag/odd-refs
# Benchmark (not in make check): tests/bench/logs/run.sh BUILDDIR [LINES]
EXTRA_DIST += tests/bench/logs/run.sh tests/bench/logs/heavy_logs_server.py
check_PROGRAMS += tests/unit/test_infer_fetch
TESTS += tests/unit/test_infer_fetch
tests_unit_test_infer_fetch_SOURCES = tests/unit/test_infer_fetch.c tests/tap.h \
	ui/infer_fetch.h src/app/model_fetch.c src/app/model_fetch.h
tests_unit_test_infer_fetch_LDADD = src/yolo/libmd-yolo.a src/data/libmd-data.a \
	$(MD_MLFLOW_LIBS) src/aws/libmd-awsprov.a src/aws/libmd-aws.a src/net/libmd-net.a \
	src/util/libmd-util.a $(MD_DEP_LIBS)

# Training-job form and job describe (helper train-form): the shared form
# widget (also the launch form's), the `n`/`:train` form, and the rendered
# head of a training/processing job's describe (timeline, metrics).
ui_libmd_ui_a_SOURCES += ui/form.c ui/form.h ui/view_train.c \
	ui/describe_job.c ui/describe_job.h ui/job_fetch.c
# The describe summary is pure (no curses calls): its test and the fuzz
# target's seed corpus link only kind + util.
check_PROGRAMS += tests/unit/test_describe_job tests/fuzz/replay_describe_job
TESTS += tests/unit/test_describe_job tests/fuzz/replay_describe_job
tests_unit_test_describe_job_SOURCES = tests/unit/test_describe_job.c tests/tap.h \
	ui/describe_job.c ui/describe_job.h
tests_unit_test_describe_job_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_describe_job_LDADD = src/kind/libmd-kind.a src/util/libmd-util.a $(MD_DEP_LIBS)
tests_fuzz_replay_describe_job_SOURCES = tests/fuzz/fuzz_describe_job.c ui/describe_job.c
tests_fuzz_replay_describe_job_CPPFLAGS = $(AM_CPPFLAGS) -DMD_FUZZ_MAIN
tests_fuzz_replay_describe_job_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_fuzz_replay_describe_job_LDADD = src/kind/libmd-kind.a src/util/libmd-util.a $(MD_DEP_LIBS)
check_PROGRAMS += tests/unit/test_form
TESTS += tests/unit/test_form
tests_unit_test_form_SOURCES = tests/unit/test_form.c tests/tap.h
tests_unit_test_form_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_form_LDADD = ui/libmd-ui.a src/kind/libmd-kind.a src/util/libmd-util.a \
	$(NCURSES_LIBS) $(MD_DEP_LIBS)
EXTRA_DIST += tests/fuzz/corpus/describe_job/training-completed \
	tests/fuzz/corpus/describe_job/training-odd tests/fuzz/corpus/describe_job/processing
MD_TRAIN_TUI_TESTS = tests/tui/train_form.sh tests/tui/train_form_demo.sh
TESTS += $(MD_TRAIN_TUI_TESTS)
dist_check_SCRIPTS += $(MD_TRAIN_TUI_TESTS)

# Inference pane models from the MLflow registry (helper model-sources):
# M -> registered model -> version with an mlflow-artifacts:/ source,
# models:/ and runs:/ from the o prompt, the cache, clear errors.
TESTS += tests/tui/model_sources.sh
dist_check_SCRIPTS += tests/tui/model_sources.sh
