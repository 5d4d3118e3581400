/* The job queue: private copies of submitted jobs in FIFO order.  Every
 * function here runs with the sync mutex held. */
#include <stdlib.h>
#include <string.h>

#include "sync/sync_internal.h"

static bool dup_opt(char **out, const char *s)
{
    *out = NULL;
    if (!s)
        return true;
    *out = strdup(s);
    return *out != NULL;
}

struct md_job_item *md_job_item_new(const struct md_job *job)
{
    struct md_job_item *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->type = job->type;
    it->fn = job->fn;
    it->arg = job->arg;
    it->arg_free = job->arg_free;
    it->group = job->group;
    atomic_init(&it->cancelled, false);
    bool ok = dup_opt(&it->kind, job->kind) && dup_opt(&it->action, job->action) &&
              dup_opt(&it->target, job->id);
    /* A refresh of a top-level kind may say NULL or "": one spelling. */
    if (ok && job->type == MD_JOB_REFRESH)
        ok = dup_opt(&it->parent, job->parent ? job->parent : "");
    if (ok && job->params) {
        it->params = cJSON_Duplicate(job->params, true);
        ok = it->params != NULL;
    }
    if (!ok) {
        it->arg_free = NULL;   /* the caller keeps its arg when submit fails */
        md_job_item_free(it);
        return NULL;
    }
    return it;
}

void md_job_item_free(struct md_job_item *it)
{
    if (!it)
        return;
    free(it->kind);
    free(it->parent);
    free(it->target);
    free(it->action);
    cJSON_Delete(it->params);
    free(it);
}

void md_queue_push(struct md_sync *s, struct md_job_item *it)
{
    it->next = NULL;
    if (s->tail)
        s->tail->next = it;
    else
        s->head = it;
    s->tail = it;
    s->queued++;
}

struct md_job_item *md_queue_pop(struct md_sync *s)
{
    struct md_job_item *it = s->head;
    if (!it)
        return NULL;
    s->head = it->next;
    if (!s->head)
        s->tail = NULL;
    it->next = NULL;
    s->queued--;
    return it;
}

struct md_job_item *md_queue_find_refresh(struct md_sync *s, const char *kind, const char *parent)
{
    const char *p = parent ? parent : "";
    for (struct md_job_item *it = s->head; it; it = it->next)
        if (it->type == MD_JOB_REFRESH && strcmp(it->kind, kind) == 0 && strcmp(it->parent, p) == 0)
            return it;
    return NULL;
}

/* Unlinks the items for which take(it) is true, keeping the others' order. */
static struct md_job_item *take_if(struct md_sync *s, bool all, unsigned group)
{
    struct md_job_item *out = NULL, **out_tail = &out;
    struct md_job_item **pp = &s->head;
    s->tail = NULL;
    while (*pp) {
        struct md_job_item *it = *pp;
        if (all || it->group == group) {
            *pp = it->next;
            it->next = NULL;
            *out_tail = it;
            out_tail = &it->next;
            s->queued--;
        } else {
            s->tail = it;
            pp = &it->next;
        }
    }
    return out;
}

struct md_job_item *md_queue_take_group(struct md_sync *s, unsigned group)
{
    return take_if(s, false, group);
}

struct md_job_item *md_queue_take_all(struct md_sync *s)
{
    return take_if(s, true, 0);
}
