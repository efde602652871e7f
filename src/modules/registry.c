/*
 * registry.c - the one file that names every module compiled in, in
 * navigation order (module.h).  A new module is one line here and one file
 * beside this one; nothing else in the kernel or the faces changes.
 */
#include "kernel/module.h"
#include "modules/doc_in.h"
#include "modules/doc_out.h"
#include "modules/supervision.h"

const struct module_def *const module_registry[] = {
    &supervision_module,
    &doc_out_module,
    &doc_in_module,
    NULL,
};
