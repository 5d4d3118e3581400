/* mldeck describe KIND ID: the object as the API returns it, indented.
 * SageMaker kinds are read fresh (and cached); --cached prints the cached
 * copy without any call. */
#include <stdio.h>
#include <string.h>

#include "aws/sagemaker.h"
#include "cli/cli.h"
#include "cli/ls.h"
#include "kind/kind.h"

int md_cmd_describe(struct md_cli *cli, int argc, char **argv)
{
    const char *kind = NULL, *id = NULL;
    bool cached = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cached"))
            cached = true;
        else if (!strcmp(argv[i], "--json"))
            ; /* the output is always the API's JSON */
        else if (argv[i][0] == '-' && argv[i][1])
            return fprintf(cli->err, "mldeck describe: unknown option '%s'\n", argv[i]),
                   MD_EXIT_USAGE;
        else if (!kind)
            kind = argv[i];
        else if (!id)
            id = argv[i];
        else
            return fprintf(cli->err, "usage: mldeck describe KIND ID [--cached]\n"), MD_EXIT_USAGE;
    }
    if (!kind || !id) {
        fprintf(cli->err, "usage: mldeck describe KIND ID [--cached]\n");
        return MD_EXIT_USAGE;
    }
    const struct md_kind *k = md_kind_find(kind);
    if (!k) {
        fprintf(cli->err, "mldeck describe: unknown kind '%s'\n", kind);
        return MD_EXIT_USAGE;
    }
    if (md_sm_handles(k->name))
        return md_cli_describe_sagemaker(cli, k, id, cached);
    fprintf(cli->err, "mldeck describe: %s cannot be described from the command line yet\n",
            k->name);
    return MD_EXIT_USAGE;
}
