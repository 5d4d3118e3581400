# src/cli: subcommands (cmd_*.c) and their table.
noinst_LIBRARIES += src/cli/libmd-cli.a
MD_AREA_LIBS += src/cli/libmd-cli.a
src_cli_libmd_cli_a_SOURCES = \
	src/cli/cli.h src/cli/commands.c \
	src/cli/cmd_infer.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_awscurl.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_whoami.c src/cli/cmd_config.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_ls.c src/cli/ls.h src/cli/cmd_mlflow.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_sagemaker.c src/cli/cmd_describe.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_kinds.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_logs.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_train.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_jobmetrics.c
src_cli_libmd_cli_a_SOURCES += src/cli/cmd_chart.c
