using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Cronos;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Triggers;

/// <summary>
/// When a schedule is due, with no clock and no I/O: the caller passes "now". A slot is one cron
/// occurrence, an instant in UTC, so a wall-clock time that daylight saving repeats is still one
/// slot and one that it skips moves to the next valid instant (Cronos's rules, which match cron's).
/// </summary>
public static class ScheduleCalendar
{
    /// <summary>
    /// How late a slot may start when the schedule sets no <c>startingDeadline</c>. Argo and
    /// Kubernetes start nothing late without one, but hosts look at schedules every few seconds
    /// (a minute on Azure Functions), so a slot must survive at least one look.
    /// </summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(2);

    public static bool TryParseCron(string cron, [NotNullWhen(false)] out string? error)
    {
        try
        {
            _ = CronExpression.Parse(cron, CronFormat.Standard);
            error = null;
            return true;
        }
        catch (CronFormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    public static bool TryFindTimeZone(string id, [NotNullWhen(true)] out TimeZoneInfo? zone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone);

    /// <summary>
    /// The slot to start now: the latest occurrence in (now - deadline, now]. Earlier missed slots
    /// in that window are not started, as with Kubernetes CronJobs: after downtime, one catch-up run.
    /// </summary>
    public static DateTimeOffset? DueSlot(ScheduleSpec schedule, DateTimeOffset now)
    {
        CronExpression cron = CronExpression.Parse(schedule.Cron, CronFormat.Standard);
        TimeZoneInfo zone = TryFindTimeZone(schedule.Timezone, out TimeZoneInfo? found) ? found : TimeZoneInfo.Utc;
        DateTime to = now.UtcDateTime;
        DateTime from = to - (schedule.StartingDeadline ?? DefaultGrace);
        DateTime? latest = null;
        foreach (DateTime occurrence in cron.GetOccurrences(from, to, zone, fromInclusive: false, toInclusive: true))
        {
            latest = occurrence;
        }

        return latest is DateTime slot ? new DateTimeOffset(slot, TimeSpan.Zero) : null;
    }

    /// <summary>The next slot after <paramref name="after"/>, for status pages and lag metrics.</summary>
    public static DateTimeOffset? NextSlot(ScheduleSpec schedule, DateTimeOffset after)
    {
        CronExpression cron = CronExpression.Parse(schedule.Cron, CronFormat.Standard);
        TimeZoneInfo zone = TryFindTimeZone(schedule.Timezone, out TimeZoneInfo? found) ? found : TimeZoneInfo.Utc;
        return cron.GetNextOccurrence(after.UtcDateTime, zone) is DateTime next ? new DateTimeOffset(next, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// The run id of one slot of one schedule. Every host derives the same id, so a second host
    /// starting the same slot finds the run already there. '.' cannot occur in a workflow name,
    /// which keeps <see cref="RunIdPrefix"/> from matching another workflow's runs.
    /// </summary>
    public static string RunId(string workflow, int scheduleIndex, DateTimeOffset slot) =>
        RunIdPrefix(workflow, scheduleIndex) + slot.UtcDateTime.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture);

    public static string RunIdPrefix(string workflow, int scheduleIndex) => $"{workflow}.cron-{scheduleIndex}.";
}
