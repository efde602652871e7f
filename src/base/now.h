/*
 * now.h - the one place the kernel reads the time, and Beijing dates.
 *
 * now_ms() is the current instant in milliseconds since the Unix epoch (UTC).
 * Tests may move it (serve --test-clock): now_set() fixes an offset from the
 * real clock, so time keeps flowing from the instant set; now_reset() returns
 * to real time.  Every time rule in the kernel reads now_ms(), never time().
 *
 * Times are stored in UTC and shown in Asia/Shanghai, which is UTC+8 all
 * year (no daylight saving since 1991).
 */
#ifndef SHUNIU_NOW_H
#define SHUNIU_NOW_H

#include <stdint.h>

#define NOW_BEIJING_OFFSET_MS (8LL * 3600 * 1000)
#define NOW_DAY_MS (86400LL * 1000)

int64_t now_ms(void);
/* Moves the clock so that now_ms() returns ms at this instant. */
void now_set(int64_t ms);
/* Back to the real clock. */
void now_reset(void);
/* True while the clock is moved. */
int now_is_moved(void);

/* A Beijing civil date. */
struct ymd {
    int y, m, d;
};

/* Days since 1970-01-01 for a civil date (proleptic Gregorian). */
int64_t ymd_to_days(struct ymd d);
struct ymd days_to_ymd(int64_t days);
/* 0 Monday .. 6 Sunday. */
int ymd_weekday(struct ymd d);
/* 1 when y-m-d is a real date. */
int ymd_valid(struct ymd d);

/* The Beijing date of an instant. */
struct ymd ms_to_beijing(int64_t ms);
/* The instant of Beijing midnight starting that date. */
int64_t beijing_midnight_ms(struct ymd d);

/* "2026-11-26" (11 bytes with NUL). */
void ymd_fmt(struct ymd d, char out[11]);
/* "2026年11月26日". out must hold 32 bytes. */
void ymd_fmt_cn(struct ymd d, char out[32]);
/* "2026-11-26 09:05" in Beijing time (17 bytes with NUL). */
void ms_fmt_minute(int64_t ms, char out[17]);
/* "2026-11-26T09:05:03+08:00" (26 bytes with NUL). */
void ms_fmt_iso(int64_t ms, char out[26]);

/* Parses "YYYY-MM-DD"; 0 on success, -1 on anything else. */
int ymd_parse(const char *s, struct ymd *out);
/* Parses an ISO 8601 instant: "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z",
 * "+08:00" or nothing (then Beijing time); or a bare date (Beijing
 * midnight).  0 on success, -1 otherwise. */
int iso_parse_ms(const char *s, int64_t *out);

#endif
