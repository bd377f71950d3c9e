using Cronos;
using GitOps.Orchestrations.Core.Triggers;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>
/// A time when a stage takes no promotion: it opens at each occurrence of <see cref="Cron"/> in
/// <see cref="Timezone"/> and stays open for <see cref="Duration"/>, such as a weekend freeze opening
/// Friday at midnight for 72 hours. Pure: the caller passes "now".
/// </summary>
public sealed record FreezeWindow(string Cron, TimeSpan Duration, string Timezone = "UTC")
{
    /// <summary>The window open at <paramref name="now"/>, as (opened, closes); null when none is.</summary>
    public (DateTimeOffset Opened, DateTimeOffset Closes)? OpenAt(DateTimeOffset now)
    {
        CronExpression cron = CronExpression.Parse(Cron, CronFormat.Standard);
        TimeZoneInfo zone = ScheduleCalendar.TryFindTimeZone(Timezone, out TimeZoneInfo? found) ? found : TimeZoneInfo.Utc;
        DateTime? latest = null;
        foreach (DateTime occurrence in cron.GetOccurrences(now.UtcDateTime - Duration, now.UtcDateTime, zone, fromInclusive: false, toInclusive: true))
        {
            latest = occurrence;
        }

        return latest is DateTime opened ? (new DateTimeOffset(opened, TimeSpan.Zero), new DateTimeOffset(opened + Duration, TimeSpan.Zero)) : null;
    }

    /// <summary>When this window next opens after <paramref name="now"/>, looking at most <paramref name="horizon"/> ahead; null when it does not.</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset now, TimeSpan horizon)
    {
        CronExpression cron = CronExpression.Parse(Cron, CronFormat.Standard);
        TimeZoneInfo zone = ScheduleCalendar.TryFindTimeZone(Timezone, out TimeZoneInfo? found) ? found : TimeZoneInfo.Utc;
        DateTime? next = cron.GetNextOccurrence(now.UtcDateTime, zone, inclusive: false);
        return next is DateTime at && at - now.UtcDateTime <= horizon ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    /// <summary>When every window open at <paramref name="now"/> has closed; null when none is open. Overlapping windows chain.</summary>
    public static DateTimeOffset? ClosedAfter(IEnumerable<FreezeWindow> windows, DateTimeOffset now)
    {
        List<FreezeWindow> all = windows.ToList();
        DateTimeOffset? until = null;
        DateTimeOffset at = now;

        // A window that opens while another is open extends the freeze; a handful of hops is plenty.
        for (int hop = 0; hop < 16; hop++)
        {
            DateTimeOffset? closes = all.Select(w => w.OpenAt(at)?.Closes).Where(c => c is not null).Max();
            if (closes is null || closes <= at)
            {
                break;
            }

            until = closes;
            at = closes.Value;
        }

        return until;
    }
}
