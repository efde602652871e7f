/* err.c - see err.h. */
#include "err.h"

#include <string.h>

void err_clear(struct err *e)
{
    memset(e, 0, sizeof(*e));
}

int err_set(struct err *e, int status, const char *code, const char *message)
{
    e->status = status;
    e->code = code;
    e->message = message;
    return -1;
}

int err_field(struct err *e, const char *field, const char *message)
{
    if (e->status == 0) {
        e->status = 400;
        e->code = "invalid";
        e->message = "提交的内容有误，请按提示修改";
    }
    if (e->nfields < ERR_MAX_FIELDS) {
        e->fields[e->nfields].field = field;
        e->fields[e->nfields].message = message;
        e->nfields++;
    }
    return -1;
}

int err_isset(const struct err *e)
{
    return e->status != 0;
}
