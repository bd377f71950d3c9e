using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Triggers;

namespace GitOps.Orchestrations.Core.Tests;

public sealed class TriggerTests
{
    static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    static List<DateTimeOffset> SlotsOfDay(ScheduleSpec schedule, int month, int day)
    {
        // What hosts ticking every 30 seconds through one UTC day would start.
        var slots = new HashSet<DateTimeOffset>();
        for (DateTimeOffset at = Utc(month, day, 0, 0).AddHours(-2); at < Utc(month, day, 0, 0).AddHours(26); at = at.AddSeconds(30))
        {
            if (ScheduleCalendar.DueSlot(schedule, at) is DateTimeOffset slot)
            {
                slots.Add(slot);
            }
        }

        return slots.Where(s => s.Day == day).Order().ToList();
    }

    [Fact]
    public void A_wall_clock_schedule_follows_daylight_saving_in_its_time_zone()
    {
        var nightly = new ScheduleSpec("0 3 * * *", "Europe/Berlin");
        Assert.Equal([Utc(3, 28, 2, 0)], SlotsOfDay(nightly, 3, 28)); // CET, UTC+1
        Assert.Equal([Utc(3, 30, 1, 0)], SlotsOfDay(nightly, 3, 30)); // CEST, UTC+2
    }

    [Fact]
    public void A_slot_in_the_skipped_hour_runs_once_and_a_slot_in_the_repeated_hour_runs_once()
    {
        var inGap = new ScheduleSpec("30 2 * * *", "Europe/Berlin");
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist; it runs at 03:00 CEST instead.
        Assert.Equal([Utc(3, 29, 1, 0)], SlotsOfDay(inGap, 3, 29));
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice; it runs once.
        Assert.Single(SlotsOfDay(inGap, 10, 25));
    }

    [Fact]
    public void After_downtime_only_the_latest_slot_within_the_deadline_starts()
    {
        var hourly = new ScheduleSpec("0 * * * *", StartingDeadline: TimeSpan.FromMinutes(90));
        Assert.Equal(Utc(11, 26, 10, 0), ScheduleCalendar.DueSlot(hourly, Utc(11, 26, 10, 40)));
        Assert.Null(ScheduleCalendar.DueSlot(new ScheduleSpec("0 * * * *", StartingDeadline: TimeSpan.FromMinutes(30)), Utc(11, 26, 10, 40)));
        Assert.Null(ScheduleCalendar.DueSlot(new ScheduleSpec("0 * * * *"), Utc(11, 26, 10, 3)));
        Assert.Equal(Utc(11, 26, 10, 0), ScheduleCalendar.DueSlot(new ScheduleSpec("0 * * * *"), Utc(11, 26, 10, 1)));
    }

    [Fact]
    public void Run_ids_are_the_workflow_and_the_slot_and_cannot_collide_across_workflows()
    {
        Assert.Equal("deploy.cron-0.20261126T1000Z", ScheduleCalendar.RunId("deploy", 0, Utc(11, 26, 10, 0)));
        Assert.False(ScheduleCalendar.RunId("deploy-s", 0, Utc(11, 26, 10, 0)).StartsWith(ScheduleCalendar.RunIdPrefix("deploy", 0), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("apps/**", "apps/web/values.yaml", true)]
    [InlineData("apps/", "apps/web/values.yaml", true)]
    [InlineData("apps/*", "apps/web/values.yaml", false)]
    [InlineData("apps/*/values.yaml", "apps/web/values.yaml", true)]
    [InlineData("**/values.yaml", "values.yaml", true)]
    [InlineData("apps/**/values.yaml", "apps/values.yaml", true)]
    [InlineData("charts/*.tgz", "charts/a.tgz", true)]
    [InlineData("charts/*.tgz", "charts/sub/a.tgz", false)]
    [InlineData("/workflows/release.yaml", "workflows/release.yaml", true)]
    public void Trigger_paths_are_globs(string pattern, string path, bool matches) =>
        Assert.Equal(matches, PathGlob.Matches(pattern, path));

    [Fact]
    public void Schedules_and_triggers_load_and_bad_ones_are_reported_where_they_are()
    {
        const string Head = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: s}\nspec:\n";
        string yaml = Head + """
              schedules:
                - {cron: "0 3 * * *", timezone: Europe/Berlin, concurrencyPolicy: Forbid, startingDeadline: 5m}
              triggers:
                - git: {paths: ["apps/**"]}
              tasks:
                - {name: a, uses: log, with: {message: x}}
            """;
        Loading.LoadResult loaded = Load.Text(yaml);
        Assert.Empty(loaded.Diagnostics);
        WorkflowDefinition workflow = loaded.Workflows[0].Definition;
        ScheduleSpec schedule = Assert.Single(workflow.Schedules);
        Assert.Equal(new ScheduleSpec("0 3 * * *", "Europe/Berlin", ConcurrencyPolicy.Forbid, TimeSpan.FromMinutes(5)), schedule);
        Assert.Equal(["apps/**"], Assert.Single(workflow.Triggers).Paths);

        string bad = Head + """
              schedules:
                - {cron: "61 * * * *", timezone: Mars/Olympus, concurrencyPolicy: Sometimes}
              triggers:
                - git: {paths: []}
              tasks:
                - {name: a, uses: log, with: {message: x}}
            """;
        List<string> errors = Load.Errors(bad).ToList();
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:6:14: error: cron '61 * * * *'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown timezone 'Mars/Olympus'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("concurrencyPolicy must be Allow, Forbid or Replace", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:20: error: paths must be a non-empty list", StringComparison.Ordinal));
    }
}
