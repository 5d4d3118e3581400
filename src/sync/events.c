/* Finished jobs on their way to the UI: a mutex-protected queue of events
 * and a non-blocking pipe that carries one byte per event, so the UI loop
 * can poll() it together with stdin. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync/sync_internal.h"

void md_event_from_job(struct md_sync_event *ev, const struct md_job_item *it, md_status st,
                       const struct md_err *err, cJSON *result)
{
    memset(ev, 0, sizeof *ev);
    ev->job_id = it->id;
    ev->type = it->type;
    snprintf(ev->kind, sizeof ev->kind, "%s", it->kind ? it->kind : "");
    snprintf(ev->id, sizeof ev->id, "%s", it->target ? it->target : "");
    snprintf(ev->action, sizeof ev->action, "%s", it->action ? it->action : "");
    snprintf(ev->parent, sizeof ev->parent, "%s", it->parent ? it->parent : "");
    ev->group = it->group;
    ev->status = st;
    if (err)
        ev->err = *err;
    ev->err.code = st;
    ev->result = result;
    ev->arg = it->arg_internal ? NULL : it->arg;
}

void md_event_post(struct md_sync *s, const struct md_sync_event *ev, void (*arg_free)(void *))
{
    struct md_event_node *n = malloc(sizeof *n);
    if (!n) {
        /* Nowhere to put it: free what it owns rather than leak. */
        cJSON_Delete(ev->result);
        if (arg_free && ev->arg)
            arg_free(ev->arg);
        return;
    }
    n->ev = *ev;
    n->arg_free = arg_free;
    n->next = NULL;
    if (s->ev_tail)
        s->ev_tail->next = n;
    else
        s->ev_head = n;
    s->ev_tail = n;
    /* A full pipe (65,536 unread events) only drops the byte: the UI
     * reads events until md_sync_next_event says none, whatever the bytes. */
    char b = 'j';
    ssize_t w;
    do
        w = write(s->pipe_w, &b, 1);
    while (w < 0 && errno == EINTR);
}

static void drain_pipe(struct md_sync *s, bool all)
{
    char buf[256];
    ssize_t r;
    do {
        r = read(s->pipe_r, buf, all ? sizeof buf : 1);
    } while ((r > 0 && all) || (r < 0 && errno == EINTR));
}

bool md_sync_next_event(struct md_sync *s, struct md_sync_event *ev)
{
    pthread_mutex_lock(&s->mu);
    struct md_event_node *n = s->ev_head;
    if (n) {
        s->ev_head = n->next;
        if (!s->ev_head)
            s->ev_tail = NULL;
    }
    /* Bytes are written under the same lock as events are queued, so with
     * the queue empty every byte in the pipe is stale. */
    drain_pipe(s, s->ev_head == NULL);
    pthread_mutex_unlock(&s->mu);
    if (!n) {
        memset(ev, 0, sizeof *ev);
        return false;
    }
    *ev = n->ev;
    free(n);
    return true;
}

void md_sync_event_free(struct md_sync_event *ev)
{
    if (!ev)
        return;
    cJSON_Delete(ev->result);
    ev->result = NULL;
}

void md_event_free_all(struct md_sync *s)
{
    struct md_event_node *n = s->ev_head;
    while (n) {
        struct md_event_node *next = n->next;
        cJSON_Delete(n->ev.result);
        if (n->arg_free && n->ev.arg)
            n->arg_free(n->ev.arg);
        free(n);
        n = next;
    }
    s->ev_head = s->ev_tail = NULL;
}

int md_sync_fd(const struct md_sync *s)
{
    return s ? s->pipe_r : -1;
}
