/* `mldeck chart RUN_ID... --metric KEY --png FILE`: the chart view's PNG
 * without the screen.  Each run's history comes from the cache (what the
 * console fetched, or the demo workspace under --demo), else from the
 * MLflow tracking server (metrics/get-history, every page). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/workspace.h"
#include "cli/cli.h"
#include "data/plot_png.h"
#include "mlflow/client.h"
#include "mlflow/series.h"
#include "util/json.h"

#define MAX_RUNS MD_CHART_MAX_SERIES

static const char help_chart[] =
    "usage: mldeck chart RUN_ID... --metric KEY --png FILE [--x step|wall|relative]\n"
    "                    [--smooth A] [--log] [--outliers] [--size WxH]\n"
    "Draws the history of one metric of up to 16 runs as a line chart (PNG), e.g.\n"
    "  mldeck chart 0d93fe22a2b5... 6ed3fa47... --metric metrics/mAP50-95B --png map.png\n"
    "  --x         x axis: step (default), wall (UTC time), relative (since each run's start)\n"
    "  --smooth A  EMA smoothing weight 0..0.99 (default 0)\n"
    "  --log       log scale y\n"
    "  --outliers  ignore outliers: y range p5..p95\n"
    "  --size WxH  image size (default 1000x520)\n"
    "NaN values are drawn as crosses along the top edge, missing steps as gaps.\n";

static int usage(struct md_cli *cli, const char *fmt, const char *arg)
    __attribute__((format(printf, 2, 0)));

static int usage(struct md_cli *cli, const char *fmt, const char *arg)
{
    fprintf(cli->err, "mldeck chart: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    fprintf(cli->err, fmt, arg);
#pragma GCC diagnostic pop
    fprintf(cli->err, "\n%s", help_chart);
    return MD_EXIT_USAGE;
}

struct run_hist {
    const char *id;
    char name[256];
    struct md_series s;
    double *x;
};

/* From the cache: the history row and the run's name. */
static bool from_cache(struct md_workspace *ws, struct run_hist *h, const char *key)
{
    char id[1024], *json = NULL;
    struct md_err err;
    snprintf(id, sizeof id, "%s/%s", h->id, key);
    bool ok = false;
    if (md_cache_get(ws->cache, &ws->scope, "metric-histories", id, &json, NULL, &err) == MD_OK) {
        cJSON *o = cJSON_Parse(json);
        ok = o && md_series_from_json(o, &h->s, &err) == MD_OK;
        cJSON_Delete(o);
    }
    free(json);
    json = NULL;
    if (md_cache_get(ws->cache, &ws->scope, "runs", h->id, &json, NULL, &err) == MD_OK) {
        cJSON *o = cJSON_Parse(json);
        const char *n = md_json_str(o, "$.info.run_name", NULL);
        if (n)
            snprintf(h->name, sizeof h->name, "%s", n);
        cJSON_Delete(o);
    }
    free(json);
    return ok;
}

static md_status from_server(struct md_mlflow *m, struct run_hist *h, const char *key,
                             struct md_err *err)
{
    cJSON *pts = NULL;
    md_status st = md_mlflow_metric_history(m, h->id, key, &pts, err);
    if (st != MD_OK)
        return st;
    st = md_series_from_json(pts, &h->s, err);
    cJSON_Delete(pts);
    if (st == MD_OK && !h->name[0]) {
        cJSON *run = NULL;
        struct md_err e2;
        if (md_mlflow_get_run(m, h->id, &run, &e2) == MD_OK) {
            const char *n = md_json_str(run, "$.info.run_name", NULL);
            if (!n)
                n = md_json_str(run, "$.run.info.run_name", NULL);
            if (n)
                snprintf(h->name, sizeof h->name, "%s", n);
        }
        cJSON_Delete(run);
    }
    return st;
}

int md_cmd_chart(struct md_cli *cli, int argc, char **argv)
{
    const char *ids[MAX_RUNS], *key = NULL, *png = NULL;
    size_t nids = 0;
    struct md_chart_opts o = {0};
    enum md_series_axis axis = MD_AXIS_STEP;
    int w = 0, h = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fprintf(cli->out, "%s", help_chart);
            return MD_EXIT_OK;
        } else if (!strcmp(a, "--metric") || !strcmp(a, "--png") || !strcmp(a, "--x") ||
                   !strcmp(a, "--smooth") || !strcmp(a, "--size")) {
            if (!val)
                return usage(cli, "%s needs a value", a);
            i++;
            if (!strcmp(a, "--metric")) {
                key = val;
            } else if (!strcmp(a, "--png")) {
                png = val;
            } else if (!strcmp(a, "--x")) {
                if (!strcmp(val, "step"))
                    axis = MD_AXIS_STEP;
                else if (!strcmp(val, "wall"))
                    axis = MD_AXIS_WALL;
                else if (!strcmp(val, "relative"))
                    axis = MD_AXIS_RELATIVE;
                else
                    return usage(cli, "--x takes step, wall or relative, not '%s'", val);
            } else if (!strcmp(a, "--smooth")) {
                char *end;
                errno = 0;
                double s = strtod(val, &end);
                if (errno || *end || end == val || !(s >= 0 && s <= 0.99))
                    return usage(cli, "--smooth takes a weight from 0 to 0.99, not '%s'", val);
                o.smooth = s;
            } else {
                if (sscanf(val, "%dx%d", &w, &h) != 2 || w < 200 || h < 120 || w > 8000 || h > 8000)
                    return usage(cli, "--size takes WxH from 200x120 to 8000x8000, not '%s'", val);
            }
        } else if (!strcmp(a, "--log")) {
            o.log_y = true;
        } else if (!strcmp(a, "--outliers")) {
            o.ignore_outliers = true;
        } else if (a[0] == '-') {
            return usage(cli, "unknown option '%s'", a);
        } else {
            if (nids == MAX_RUNS)
                return usage(cli, "at most 16 runs in one chart (%s is one too many)", a);
            ids[nids++] = a;
        }
    }
    if (!nids)
        return usage(cli, "%s", "give at least one RUN_ID");
    if (!key)
        return usage(cli, "%s", "--metric KEY is required");
    if (!png)
        return usage(cli, "%s", "--png FILE is required");
    o.xfmt = axis == MD_AXIS_WALL ? MD_CHART_X_TIME
             : axis == MD_AXIS_RELATIVE ? MD_CHART_X_DURATION : MD_CHART_X_NUMBER;

    struct md_workspace ws;
    struct md_err err;
    md_err_clear(&err);
    if (md_workspace_open(cli->settings, 0, &ws, &err) != MD_OK)
        return md_cli_fail(cli, &err);
    struct run_hist runs[MAX_RUNS];
    memset(runs, 0, sizeof runs);
    struct md_mlflow *m = NULL;
    int rc = MD_EXIT_OK;
    size_t points = 0;
    for (size_t i = 0; i < nids && rc == MD_EXIT_OK; i++) {
        struct run_hist *r = &runs[i];
        r->id = ids[i];
        if (from_cache(&ws, r, key))
            goto have;
        if (cli->settings->demo) {
            fprintf(cli->err, "mldeck: run %s has no cached history of '%s' in the demo workspace\n",
                    r->id, key);
            rc = MD_EXIT_NOTFOUND;
            break;
        }
        if (!m && md_mlflow_open_mfa(NULL, cli->settings, md_cli_mfa_prompt, NULL, &m, &err) !=
                      MD_OK) {
            rc = md_cli_fail(cli, &err);
            break;
        }
        if (from_server(m, r, key, &err) != MD_OK) {
            rc = md_cli_fail(cli, &err);
            break;
        }
    have:
        if (!r->s.n)
            fprintf(cli->err, "mldeck: run %s has no metric '%s' (drawn as an empty series)\n",
                    r->id, key);
        if (!r->name[0])
            snprintf(r->name, sizeof r->name, "%.12s", r->id);
        r->x = malloc((r->s.n ? r->s.n : 1) * sizeof *r->x);
        if (!r->x) {
            fprintf(cli->err, "mldeck: out of memory\n");
            rc = MD_EXIT_ERROR;
            break;
        }
        md_series_xs(&r->s, axis, r->x);
        points += r->s.n;
    }
    if (rc == MD_EXIT_OK) {
        struct md_chart_series s[MAX_RUNS];
        for (size_t i = 0; i < nids; i++)
            s[i] = (struct md_chart_series){runs[i].name, runs[i].x, runs[i].s.value, runs[i].s.n};
        if (md_plot_write_png(png, s, nids, &o, key, key, w, h, &err) != MD_OK)
            rc = md_cli_fail(cli, &err);
        else
            fprintf(cli->out, "%s: %zu run%s, %zu points\n", png, nids, nids == 1 ? "" : "s", points);
    }
    for (size_t i = 0; i < nids; i++) {
        md_series_free(&runs[i].s);
        free(runs[i].x);
    }
    if (m)
        md_mlflow_close(m);
    md_workspace_close(&ws);
    return rc;
}
