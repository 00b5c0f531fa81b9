/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UTC seconds to and from the RTC class's struct rtc_time (include/uapi/linux/rtc.h), for the
 * guest programs that drive /dev/rtcN. Header-only.
 */
#ifndef RPI_RTC_TIME_H
#define RPI_RTC_TIME_H

#include <string.h>
#include <time.h>
#include <linux/rtc.h>

static void rtc_time_from_seconds(long long seconds, struct rtc_time *tm)
{
	time_t s = (time_t)seconds;
	struct tm t;

	gmtime_r(&s, &t);
	memset(tm, 0, sizeof(*tm));
	tm->tm_sec = t.tm_sec;
	tm->tm_min = t.tm_min;
	tm->tm_hour = t.tm_hour;
	tm->tm_mday = t.tm_mday;
	tm->tm_mon = t.tm_mon;
	tm->tm_year = t.tm_year;
	tm->tm_wday = t.tm_wday;
}

static long long rtc_time_to_seconds(const struct rtc_time *tm)
{
	struct tm t;

	memset(&t, 0, sizeof(t));
	t.tm_sec = tm->tm_sec;
	t.tm_min = tm->tm_min;
	t.tm_hour = tm->tm_hour;
	t.tm_mday = tm->tm_mday;
	t.tm_mon = tm->tm_mon;
	t.tm_year = tm->tm_year;
	return (long long)timegm(&t);
}

#endif
