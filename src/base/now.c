/* now.c - see now.h.  The offset is the only mutable global of this file;
 * it is read and written atomically so request threads may read it while a
 * test moves it. */
#include "now.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t now_offset;
static _Atomic int now_moved;

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_ms(void)
{
    return real_ms() + atomic_load(&now_offset);
}

void now_set(int64_t ms)
{
    atomic_store(&now_offset, ms - real_ms());
    atomic_store(&now_moved, 1);
}

void now_reset(void)
{
    atomic_store(&now_offset, 0);
    atomic_store(&now_moved, 0);
}

int now_is_moved(void)
{
    return atomic_load(&now_moved);
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t ymd_to_days(struct ymd d)
{
    int64_t y = d.y - (d.m <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct ymd days_to_ymd(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    struct ymd r = {(int)(y + (m <= 2)), (int)m, (int)d};
    return r;
}

int ymd_weekday(struct ymd d)
{
    int64_t days = ymd_to_days(d);
    /* 1970-01-01 was a Thursday (3 when Monday is 0) */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int ymd_valid(struct ymd d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d.y < 1900 || d.y > 9999 || d.m < 1 || d.m > 12 || d.d < 1)
        return 0;
    int leap = (d.y % 4 == 0 && d.y % 100 != 0) || d.y % 400 == 0;
    int max = mdays[d.m - 1] + (d.m == 2 && leap);
    return d.d <= max;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

struct ymd ms_to_beijing(int64_t ms)
{
    return days_to_ymd(floor_div(ms + NOW_BEIJING_OFFSET_MS, NOW_DAY_MS));
}

int64_t beijing_midnight_ms(struct ymd d)
{
    return ymd_to_days(d) * NOW_DAY_MS - NOW_BEIJING_OFFSET_MS;
}

/* Writes v as exactly n decimal digits (v is taken modulo 10^n). */
static char *put_digits(char *p, int v, int n)
{
    unsigned u = (unsigned)(v < 0 ? -v : v);
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + u % 10);
        u /= 10;
    }
    return p + n;
}

/* "YYYY-MM-DD" at p; returns the end. */
static char *put_ymd(char *p, struct ymd d)
{
    p = put_digits(p, d.y, 4);
    *p++ = '-';
    p = put_digits(p, d.m, 2);
    *p++ = '-';
    return put_digits(p, d.d, 2);
}

void ymd_fmt(struct ymd d, char out[11])
{
    *put_ymd(out, d) = '\0';
}

void ymd_fmt_cn(struct ymd d, char out[32])
{
    snprintf(out, 32, "%d年%d月%d日", d.y, d.m, d.d);
}

/* Beijing date and the milliseconds since its midnight. */
static struct ymd split_beijing(int64_t ms, int64_t *rest)
{
    int64_t local = ms + NOW_BEIJING_OFFSET_MS;
    int64_t day = floor_div(local, NOW_DAY_MS);
    *rest = local - day * NOW_DAY_MS;
    return days_to_ymd(day);
}

void ms_fmt_minute(int64_t ms, char out[17])
{
    int64_t rest;
    char *p = put_ymd(out, split_beijing(ms, &rest));
    *p++ = ' ';
    p = put_digits(p, (int)(rest / 3600000), 2);
    *p++ = ':';
    p = put_digits(p, (int)(rest / 60000 % 60), 2);
    *p = '\0';
}

void ms_fmt_iso(int64_t ms, char out[26])
{
    int64_t rest;
    char *p = put_ymd(out, split_beijing(ms, &rest));
    *p++ = 'T';
    p = put_digits(p, (int)(rest / 3600000), 2);
    *p++ = ':';
    p = put_digits(p, (int)(rest / 60000 % 60), 2);
    *p++ = ':';
    p = put_digits(p, (int)(rest / 1000 % 60), 2);
    memcpy(p, "+08:00", 7);
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_date_part(const char **p, struct ymd *d)
{
    if (digits(p, 4, &d->y) || **p != '-')
        return -1;
    (*p)++;
    if (digits(p, 2, &d->m) || **p != '-')
        return -1;
    (*p)++;
    if (digits(p, 2, &d->d))
        return -1;
    return ymd_valid(*d) ? 0 : -1;
}

int ymd_parse(const char *s, struct ymd *out)
{
    const char *p = s;
    struct ymd d;
    if (s == NULL || parse_date_part(&p, &d) || *p != '\0')
        return -1;
    *out = d;
    return 0;
}

int iso_parse_ms(const char *s, int64_t *out)
{
    const char *p = s;
    struct ymd d;
    int hh = 0, mi = 0, ss = 0, ms = 0;
    int64_t offset = NOW_BEIJING_OFFSET_MS;
    if (s == NULL || parse_date_part(&p, &d))
        return -1;
    if (*p == '\0') {
        *out = beijing_midnight_ms(d);
        return 0;
    }
    if (*p != 'T' && *p != ' ')
        return -1;
    p++;
    if (digits(&p, 2, &hh) || *p != ':')
        return -1;
    p++;
    if (digits(&p, 2, &mi))
        return -1;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &ss))
            return -1;
        if (*p == '.') {
            p++;
            int n = 0;
            while (*p >= '0' && *p <= '9') {
                if (n < 3)
                    ms = ms * 10 + (*p - '0');
                n++;
                p++;
            }
            if (n == 0)
                return -1;
            for (; n < 3; n++)
                ms *= 10;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return -1;
    if (*p == 'Z') {
        offset = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (digits(&p, 2, &om) || oh > 14 || om > 59)
            return -1;
        offset = sign * ((int64_t)oh * 3600000 + (int64_t)om * 60000);
    }
    if (*p != '\0')
        return -1;
    *out = ymd_to_days(d) * NOW_DAY_MS + (int64_t)hh * 3600000 +
           (int64_t)mi * 60000 + (int64_t)ss * 1000 + ms - offset;
    return 0;
}
