/*
 * doc_in.h - 收文办理 beyond its table: the numbering pattern and the
 * field codes other modules fill.
 *
 * Files:
 *     doc_in.c         the module table and its own rules
 *
 * Other modules never include this file: the exchange of doc_out creates
 * incoming documents through the kernel, case_create("doc_in", fields),
 * with these field codes (API form, case.h):
 *     title         标题 (required)
 *     issuer        来文机关, a name (required)
 *     doc_number    来文字号 (发文字号 of the sender)
 *     from_unit     来文单位 (unit code, when on the platform)
 *     recv_unit     收文单位 (unit code): the unit that signs for it and
 *                   owns it; not given: the creator's unit
 *     doc_type      文种 (its Chinese name: "通知")
 *     secrecy       密级 "0".."3"; secrecy_term 保密期限 ("20年")
 *     urgency       紧急程度 none / urgent (加急) / very_urgent (特急)
 *     copies        份数
 *     summary       内容摘要
 *     deadline      办理时限 (YYYY-MM-DD), chaser 催办人 (login)
 *     source_case   the doc_out case id
 * The new document waits for 签收 by the clerks or staff of recv_unit.
 */
#ifndef SHUNIU_MODULES_DOC_IN_H
#define SHUNIU_MODULES_DOC_IN_H

#include "base/arena.h"
#include "base/err.h"
#include "kernel/module.h"
#include "store/store.h"

/* 收文编号: gapless per year, taken at 登记. */
#define DOC_IN_NUMBER_PATTERN "收文〔{year}〕{n}号"

extern const struct module_def doc_in_module;

/* ---- demo (doc_in_demo.c) ---- */

/* Adds the demo office's incoming documents (from the province, the
 * departments and the counties, registered by 秘书科, in every step from
 * 待签收 to 归档) unless there are some registered by hand already, and
 * signs for most documents the exchange delivered (doc_out_demo runs
 * first).  Needs the demo office.  0 / -1 with e. */
int doc_in_demo(struct store *db, struct arena *a, struct err *e);

#endif
