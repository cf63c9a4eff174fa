//! Publication dates as news feeds write them, turned into one comparable instant, for
//! `--representative earliest`.
//!
//! Feeds disagree on the format: SaudiNewsNet writes `2015-08-03 20:54:51`, RSS-fed
//! corpora such as ANT write `Sun, 01 Apr 2018 02:56:52 +0400`, APIs write Unix seconds.
//! Each of these is read as seconds since 1970 in UTC; a time without a zone is taken as
//! UTC, a date without a time as its midnight. A run of digits is Unix seconds, or
//! milliseconds when it has 12 digits or more, or `YYYYMMDD` when it has exactly 8.
//! Years run 1 to 9999. Anything else is `None`: an article without a readable date
//! never stands for a cluster that has a dated member.

/// Seconds since 1970-01-01T00:00:00Z of `text`, when it is a date in a known format.
pub fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    // Every format is ASCII: the byte offsets below are then character boundaries.
    if t.is_empty() || !t.is_ascii() {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return match t.len() {
            8 => days_from_civil(number(&t[..4])?, number(&t[4..6])?, number(&t[6..])?)
                .map(|d| d * 86_400),
            12.. => t.parse::<i64>().ok().map(|ms| ms.div_euclid(1000)),
            _ => t.parse().ok(),
        };
    }
    iso_8601(t).or_else(|| rfc_2822(t))
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fff]]` and a zone
/// (`Z`, `±HH:MM`, `±HHMM`).
fn iso_8601(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (number(&t[0..4])?, number(&t[5..7])?, number(&t[8..10])?);
    let date = days_from_civil(year, month, day)? * 86_400;
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(date);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, zone) = split_zone(rest);
    Some(date + time_of_day(clock)? - zone_offset(zone)?)
}

/// `[Day, ]DD Mon YYYY HH:MM[:SS] zone`, the zone `±HHMM`, `GMT`, `UT` or `Z`.
fn rfc_2822(t: &str) -> Option<i64> {
    let t = t.split_once(',').map_or(t, |(_, rest)| rest);
    let mut parts = t.split_whitespace();
    let day = number(parts.next()?)?;
    let month = month_of(parts.next()?)?;
    let year = number(parts.next()?)?;
    let clock = parts.next().unwrap_or("00:00");
    let zone = parts.next().unwrap_or("Z");
    if parts.next().is_some() {
        return None;
    }
    let zone = match zone {
        "GMT" | "UT" | "UTC" | "Z" => "Z",
        z => z,
    };
    Some(days_from_civil(year, month, day)? * 86_400 + time_of_day(clock)? - zone_offset(zone)?)
}

/// The clock and the zone of `HH:MM:SS+04:00`.
fn split_zone(rest: &str) -> (&str, &str) {
    match rest.find(['Z', 'z', '+', '-']) {
        Some(k) => (&rest[..k], &rest[k..]),
        None => (rest, ""),
    }
}

/// Seconds into the day of `HH:MM[:SS[.fff]]`.
fn time_of_day(clock: &str) -> Option<i64> {
    let clock = clock.split_once('.').map_or(clock, |(whole, _)| whole);
    let mut fields = clock.split(':');
    let h = number(fields.next()?)?;
    let m = number(fields.next()?)?;
    let s = fields.next().map_or(Some(0), number)?;
    if fields.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(h * 3600 + m * 60 + s)
}

/// Seconds east of UTC of a zone: empty or `Z` is UTC.
fn zone_offset(zone: &str) -> Option<i64> {
    let (sign, digits) = match zone.as_bytes().first() {
        None | Some(b'Z' | b'z') if zone.len() <= 1 => return Some(0),
        Some(b'+') => (1, &zone[1..]),
        Some(b'-') => (-1, &zone[1..]),
        _ => return None,
    };
    let digits = digits.replace(':', "");
    if digits.len() != 4 {
        return None;
    }
    let (h, m) = (number(&digits[..2])?, number(&digits[2..])?);
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

fn month_of(name: &str) -> Option<i64> {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let lower = name.get(..3)?.to_ascii_lowercase();
    (1..).zip(MONTHS).find(|&(_, m)| m == lower).map(|(k, _)| k)
}

/// A run of ASCII digits.
fn number(digits: &str) -> Option<i64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm),
/// `None` for a day the month does not have.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=9999).contains(&year) {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The proleptic Gregorian (year, month, day) of days since 1970-01-01: the inverse
/// of `days_from_civil` (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Makes the earliest-dated member each cluster's representative (`dates` by
/// article; undated members last, ties the first): `--representative earliest`.
pub fn choose_earliest(clusters: &mut nuskha::Clusters, dates: &[Option<i64>]) {
    clusters.choose_representatives(|id| match dates[id.index()] {
        Some(t) => (false, t),
        None => (true, 0),
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_from_days_inverts_days_from_civil() {
        for days in (-719_162..2_932_896).step_by(997).chain([-1, 0, 1, 59, 60, 11_016]) {
            let (y, m, d) = super::civil_from_days(days);
            assert_eq!(super::days_from_civil(y, m, d), Some(days), "{days}: {y}-{m}-{d}");
        }
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
    }

    use super::parse_date;

    #[test]
    fn formats_of_real_feeds() {
        // SaudiNewsNet, ANT, Unix seconds, ISO with zones: values from `date -u -d … +%s`.
        assert_eq!(parse_date("2015-08-03 20:54:51"), Some(1_438_635_291));
        assert_eq!(parse_date("Sun, 01 Apr 2018 02:56:52 +0400"), Some(1_522_537_012));
        assert_eq!(parse_date("1438635291"), Some(1_438_635_291));
        assert_eq!(parse_date("2015-08-03T20:54:51Z"), Some(1_438_635_291));
        assert_eq!(parse_date("2015-08-03T23:54:51+03:00"), Some(1_438_635_291));
        assert_eq!(parse_date("2015-08-03T17:54:51.250-0300"), Some(1_438_635_291));
        assert_eq!(parse_date("2015-08-03"), Some(1_438_560_000));
        assert_eq!(parse_date("1 Apr 2018 00:00 GMT"), Some(1_522_540_800));
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-02-29"), Some(951_782_400));
        assert_eq!(parse_date("1969-12-31 23:59:59"), Some(-1));
        assert_eq!(parse_date("20150803"), Some(1_438_560_000));
        assert_eq!(parse_date("1438635291000"), Some(1_438_635_291));
    }

    #[test]
    fn anything_else_is_no_date() {
        for bad in [
            "",
            "yesterday",
            "2015-02-29",
            "2015-13-01",
            "2015-08-03 25:00",
            "2015-08-03x12:00",
            "Sun, 01 Foo 2018 02:56:52 +0400",
            "01 Apr 2018 02:56:52 +04",
            "٢٠١٥-٠٨-٠٣",
            "2015-08-0٣",
            "2015-08-03T10:00+a٠b",
            "01 Apr 999999999999999 00:00 GMT",
            "99999999-01-01",
            "20151301",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
