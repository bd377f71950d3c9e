using GitOps.Orchestrations.Core.Triggers;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Reads a cron and its time zone wherever a kind declares one (a workflow's schedules, a stage's
/// freeze windows), with one set of rules and messages.
/// </summary>
internal static class CalendarReader
{
    /// <summary>
    /// The cron (null when it is missing or invalid) and the IANA time zone (UTC when not given; null
    /// when unknown); each problem is a diagnostic at its field.
    /// </summary>
    public static (string? Cron, string? Timezone) Read(MappingReader reader)
    {
        string? cron = reader.String("cron", required: true);
        if (cron is not null && !ScheduleCalendar.TryParseCron(cron, out string? error))
        {
            reader.Error(reader.PositionOf("cron")!.Value, $"cron '{cron}': {error}");
            cron = null;
        }

        string? timezone = reader.String("timezone") ?? "UTC";
        if (!ScheduleCalendar.TryFindTimeZone(timezone, out _))
        {
            reader.Error(reader.PositionOf("timezone")!.Value, $"unknown timezone '{timezone}' (use an IANA name such as Europe/Berlin)");
            timezone = null;
        }

        return (cron, timezone);
    }
}
