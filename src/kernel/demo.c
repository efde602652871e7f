/*
 * demo.c - the demo office (see demo.h): 某市人民政府, its general office with
 * the sections of DOMAIN.md §1, 24 departments, 5 counties with their
 * offices, and 60-odd people covering every role, including the three
 * separated administrators.
 */
#include "kernel/demo.h"

#include <string.h>

#include "kernel/actor.h"
#include "kernel/auth.h"
#include "kernel/case.h"
#include "kernel/org.h"

/* A demo step is never later than this before the real now, so that what
 * the demo shows has happened whenever the pages are opened. */
#define DEMO_STEP_MARGIN_MS (3600LL * 1000)
/* The least gap between two steps of one case, so they stay in order. */
#define DEMO_STEP_GAP_MS (60LL * 1000)
#define DEMO_MINUTE_MS (60LL * 1000)

struct demo_unit {
    const char *code, *name, *short_name, *kind, *parent;
};

static const struct demo_unit demo_units[] = {
    {"gov", "市人民政府", "市政府", "government", NULL},
    {"office", "市人民政府办公室", "市政府办", "office", "gov"},
    {"msk", "秘书科", "秘书科", "section", "office"},
    {"xxk", "综合信息科", "信息科", "section", "office"},
    {"dck", "督查科", "督查科", "section", "office"},
    {"jytak", "建议提案科", "建议提案科", "section", "office"},
    {"zbs", "值班室", "值班室", "section", "office"},
    {"zwfw", "政务服务管理办公室", "政务服务办", "section", "office"},
    {"fgw", "市发展和改革委员会", "市发改委", "department", "gov"},
    {"jyj", "市教育局", "市教育局", "department", "gov"},
    {"kjj", "市科学技术局", "市科技局", "department", "gov"},
    {"gxj", "市工业和信息化局", "市工信局", "department", "gov"},
    {"gaj", "市公安局", "市公安局", "department", "gov"},
    {"mzj", "市民政局", "市民政局", "department", "gov"},
    {"sfj", "市司法局", "市司法局", "department", "gov"},
    {"czj", "市财政局", "市财政局", "department", "gov"},
    {"rsj", "市人力资源和社会保障局", "市人社局", "department", "gov"},
    {"zrj", "市自然资源和规划局", "市自然资源局", "department", "gov"},
    {"sthj", "市生态环境局", "市生态环境局", "department", "gov"},
    {"zjj", "市住房和城乡建设局", "市住建局", "department", "gov"},
    {"jtj", "市交通运输局", "市交通局", "department", "gov"},
    {"slj", "市水利局", "市水利局", "department", "gov"},
    {"nyj", "市农业农村局", "市农业农村局", "department", "gov"},
    {"swj", "市商务局", "市商务局", "department", "gov"},
    {"wlj", "市文化广电和旅游局", "市文旅局", "department", "gov"},
    {"wjw", "市卫生健康委员会", "市卫健委", "department", "gov"},
    {"yjj", "市应急管理局", "市应急局", "department", "gov"},
    {"shj", "市审计局", "市审计局", "department", "gov"},
    {"scj", "市市场监督管理局", "市市场监管局", "department", "gov"},
    {"tjj", "市统计局", "市统计局", "department", "gov"},
    {"ybj", "市医疗保障局", "市医保局", "department", "gov"},
    {"xfj", "市信访局", "市信访局", "department", "gov"},
    {"qsq", "青山区人民政府", "青山区", "county", "gov"},
    {"qsqb", "青山区人民政府办公室", "青山区政府办", "office", "qsq"},
    {"ljq", "临江区人民政府", "临江区", "county", "gov"},
    {"ljqb", "临江区人民政府办公室", "临江区政府办", "office", "ljq"},
    {"apx", "安平县人民政府", "安平县", "county", "gov"},
    {"apxb", "安平县人民政府办公室", "安平县政府办", "office", "apx"},
    {"nyx", "宁远县人民政府", "宁远县", "county", "gov"},
    {"nyxb", "宁远县人民政府办公室", "宁远县政府办", "office", "nyx"},
    {"npx", "南屏县人民政府", "南屏县", "county", "gov"},
    {"npxb", "南屏县人民政府办公室", "南屏县政府办", "office", "npx"},
    {0},
};

struct demo_person {
    const char *login, *name, *unit, *roles;
    int clearance;
    const char *backup;
};

static const struct demo_person demo_people[] = {
    /* the three separated administrators */
    {"admin", "系统管理员", "office", "sysadmin", 0, NULL},
    {"secadmin", "保密管理员", "office", "secadmin", 0, NULL},
    {"auditor", "安全审计员", "office", "auditor", 0, NULL},
    /* the government's leaders */
    {"shizhang", "王建国", "gov", "leader", 3, NULL},
    {"changwu", "李明华", "gov", "leader", 3, NULL},
    {"fushizhang1", "张志强", "gov", "leader", 2, NULL},
    {"fushizhang2", "刘秀英", "gov", "leader", 2, NULL},
    {"fushizhang3", "陈国栋", "gov", "leader", 2, NULL},
    /* the general office */
    {"mishuzhang", "杨文博", "office", "leader", 3, NULL},
    {"bgszr", "赵海燕", "office", "leader", 2, NULL},
    {"bgsfzr", "黄立新", "office", "leader,clerk", 2, NULL},
    {"msk1", "周晓梅", "msk", "clerk", 2, "msk2"},
    {"msk2", "吴俊杰", "msk", "clerk", 2, "msk1"},
    {"mskz", "徐丽娟", "msk", "leader,clerk", 2, NULL},
    {"xxk1", "孙亚楠", "xxk", "clerk", 1, "xxk2"},
    {"xxk2", "马超", "xxk", "clerk", 1, "xxk1"},
    {"xxkz", "朱红梅", "xxk", "leader,clerk", 1, NULL},
    {"dck1", "胡志刚", "dck", "clerk", 1, "dck2"},
    {"dck2", "郭静", "dck", "clerk", 1, "dck1"},
    {"dckz", "何建军", "dck", "leader,clerk", 2, NULL},
    {"jyta1", "高雪", "jytak", "clerk", 0, "jytaz"},
    {"jytaz", "林涛", "jytak", "leader,clerk", 1, NULL},
    {"zbs1", "罗斌", "zbs", "clerk", 1, "zbs2"},
    {"zbs2", "梁晨", "zbs", "clerk", 1, "zbs1"},
    {"zwfw1", "宋佳", "zwfw", "clerk", 0, "zwfw2"},
    {"zwfw2", "郑凯", "zwfw", "staff", 0, "zwfw1"},
    {"zwfwz", "谢丹", "zwfw", "leader,clerk", 0, NULL},
    /* departments: a head and a handler (承办人/联络员) each */
    {"fgw_ld", "韩振华", "fgw", "leader", 2, NULL},
    {"fgw_cb", "唐敏", "fgw", "staff", 1, NULL},
    {"jyj_ld", "冯志远", "jyj", "leader", 1, NULL},
    {"jyj_cb", "于洋", "jyj", "staff", 0, NULL},
    {"gaj_ld", "董卫东", "gaj", "leader", 3, NULL},
    {"gaj_cb", "萧磊", "gaj", "staff", 2, NULL},
    {"mzj_ld", "程芳", "mzj", "leader", 1, NULL},
    {"mzj_cb", "曹宇", "mzj", "staff", 0, NULL},
    {"czj_ld", "袁国强", "czj", "leader", 2, NULL},
    {"czj_cb", "邓琳", "czj", "staff", 1, NULL},
    {"rsj_ld", "许文杰", "rsj", "leader", 1, NULL},
    {"rsj_cb", "傅晓燕", "rsj", "staff", 0, NULL},
    {"zrj_ld", "沈立平", "zrj", "leader", 1, NULL},
    {"zrj_cb", "曾浩", "zrj", "staff", 0, NULL},
    {"zjj_ld", "彭建华", "zjj", "leader", 1, NULL},
    {"zjj_cb", "吕婷", "zjj", "staff", 0, NULL},
    {"jtj_ld", "苏永刚", "jtj", "leader", 1, "jtj_fld"},
    {"jtj_fld", "卢海波", "jtj", "leader", 1, "jtj_ld"},
    {"jtj_cb", "蒋丽", "jtj", "staff", 0, "jtj_cb2"},
    {"jtj_cb2", "蔡明", "jtj", "staff", 0, "jtj_cb"},
    {"wjw_ld", "贾春梅", "wjw", "leader", 1, NULL},
    {"wjw_cb", "丁伟", "wjw", "staff", 0, NULL},
    {"yjj_ld", "魏国庆", "yjj", "leader", 2, NULL},
    {"yjj_cb", "薛峰", "yjj", "staff", 1, NULL},
    {"scj_ld", "叶红", "scj", "leader", 1, NULL},
    {"scj_cb", "阎鹏", "scj", "staff", 0, NULL},
    {"xfj_ld", "余洪涛", "xfj", "leader", 1, NULL},
    {"xfj_cb", "潘雨", "xfj", "staff", 0, NULL},
    {"sthj_cb", "杜鹃", "sthj", "staff", 0, NULL},
    {"swj_cb", "戴军", "swj", "staff", 0, NULL},
    /* counties and districts: the office head and a clerk each */
    {"qsq_ld", "夏志明", "qsqb", "leader", 1, NULL},
    {"qsq_cb", "钟玲", "qsqb", "clerk", 0, NULL},
    {"ljq_ld", "汪建平", "ljqb", "leader", 1, NULL},
    {"ljq_cb", "田甜", "ljqb", "clerk", 0, NULL},
    {"apx_ld", "任德胜", "apxb", "leader", 1, NULL},
    {"apx_cb", "姜莉", "apxb", "clerk", 0, NULL},
    {"nyx_ld", "范长青", "nyxb", "leader", 1, NULL},
    {"nyx_cb", "方圆", "nyxb", "clerk", 0, NULL},
    {"npx_ld", "石磊", "npxb", "leader", 1, NULL},
    {"npx_cb", "姚静", "npxb", "clerk", 0, NULL},
    {0},
};

/* The printed list: a selection that shows every role. */
const struct demo_login demo_logins[] = {
    {"admin", "系统管理员", "市人民政府办公室", "sysadmin"},
    {"secadmin", "保密管理员", "市人民政府办公室", "secadmin"},
    {"auditor", "安全审计员", "市人民政府办公室", "auditor"},
    {"shizhang", "王建国", "市人民政府", "leader"},
    {"mishuzhang", "杨文博", "市人民政府办公室", "leader"},
    {"bgsfzr", "黄立新", "市人民政府办公室", "leader,clerk"},
    {"msk1", "周晓梅", "秘书科", "clerk"},
    {"dck1", "胡志刚", "督查科", "clerk"},
    {"jtj_ld", "苏永刚", "市交通运输局", "leader"},
    {"jtj_cb", "蒋丽", "市交通运输局", "staff"},
    {"qsq_cb", "钟玲", "青山区人民政府办公室", "clerk"},
    {0},
};

static int demo_exists(struct store *db)
{
    int64_t n = 0;
    static const char SQL[] = "SELECT COUNT(*) FROM units WHERE code = $1";
    return store_query_int(db, SQL, &n, "t", "gov") == STORE_ROW && n > 0;
}

int demo_build(struct store *db, struct arena *a, int *built, struct err *e)
{
    struct actor who;
    char hash[128];
    actor_cli(&who);
    *built = 0;
    if (demo_exists(db))
        return 0;
    for (const struct demo_unit *d = demo_units; d->code; d++) {
        struct unit u = {0};
        u.code = d->code;
        u.name = d->name;
        u.short_name = d->short_name;
        u.kind = d->kind;
        u.parent_code = d->parent;
        u.active = 1;
        if (org_unit_create(db, &who, &u, e))
            return -1;
    }
    /* One argon2id hash for everyone: the demo has one password. */
    if (auth_password_hash(DEMO_PASSWORD, hash))
        return err_set(e, 500, "internal", "密码散列失败");
    for (const struct demo_person *p = demo_people; p->login; p++) {
        struct user u = {0};
        u.login = p->login;
        u.name = p->name;
        u.unit_code = p->unit;
        u.clearance = p->clearance;
        u.active = 1;
        char *roles = arena_strdup(a, p->roles), *save = NULL;
        for (char *r = strtok_r(roles, ",", &save); r;
             r = strtok_r(NULL, ",", &save))
            u.roles[u.nroles++] = r;
        if (org_user_create_hashed(db, &who, &u, hash, e))
            return -1;
    }
    for (const struct demo_person *p = demo_people; p->login; p++) {
        if (p->backup == NULL)
            continue;
        struct user u;
        if (org_user_get(db, a, p->login, &u, e))
            return -1;
        u.backup_login = p->backup;
        if (org_user_update(db, &who, p->login, &u, e))
            return -1;
    }
    *built = 1;
    return 0;
}

/* ---- for the modules' demo cases ---- */

int demo_actor(struct store *db, struct arena *a, const char *login,
               struct actor *who, struct err *e)
{
    struct user u;
    if (org_user_get(db, a, login, &u, e))
        return -1;
    if (auth_actor_load(db, a, u.id, who))
        return err_set(e, 500, "internal", "演示人员读取失败");
    who->ip = "cli";
    return 0;
}

int demo_module_built(struct store *db, struct arena *a, const char *module,
                      const char *unit)
{
    struct actor sys;
    struct case_filter f = {0};
    struct case_page pg;
    struct err e;
    actor_system(&sys);
    err_clear(&e);
    f.module = module;
    f.unit = unit;
    f.per_page = 1;
    return case_list(db, a, &sys, &f, &pg, &e) == 0 && pg.total > 0;
}

void demo_clock_start(struct demo_clock *c)
{
    c->real_now = now_ms();
    c->today = ms_to_beijing(c->real_now);
    c->last = 0;
}

void demo_clock_at(struct demo_clock *c, int days, int minute_of_day)
{
    int64_t at =
        beijing_midnight_ms(days_to_ymd(ymd_to_days(c->today) + days)) +
        minute_of_day * DEMO_MINUTE_MS;
    if (at > c->real_now - DEMO_STEP_MARGIN_MS)
        at = c->real_now - DEMO_STEP_MARGIN_MS;
    if (at <= c->last)
        at = c->last + DEMO_STEP_GAP_MS;
    c->last = at;
    now_set(at);
}

const char *demo_date(const struct demo_clock *c, struct arena *a, int days)
{
    char s[11];
    ymd_fmt(days_to_ymd(ymd_to_days(c->today) + days), s);
    return arena_strdup(a, s);
}
