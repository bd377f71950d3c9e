using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>A validated workflow, immutable, and small enough to snapshot into an orchestration input.</summary>
public sealed record WorkflowDefinition
{
    public required string Name { get; init; }
    public IReadOnlyList<ParamSpec> Params { get; init; } = [];
    public TimeSpan? Timeout { get; init; }
    public bool FailFast { get; init; } = true;
    public TaskSpec? OnExit { get; init; }
    public required IReadOnlyList<TaskSpec> Tasks { get; init; }

    /// <summary>Cron schedules that start this workflow, as Argo's CronWorkflow does.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<ScheduleSpec> Schedules { get; init; } = [];

    /// <summary>Paths whose change on the watched branch starts this workflow.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<GitTriggerSpec> Triggers { get; init; } = [];

    /// <summary>Webhooks, queue messages and blob uploads that start this workflow (docs/events.md).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<Events.EventTriggerSpec> EventTriggers { get; init; } = [];

    /// <summary>Who hears of this workflow's runs, their gates and the rollouts they run (docs/events.md).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<Notifications.SubscriptionSpec> Notifications { get; init; } = [];
}

/// <summary>What to do when a slot comes while an earlier scheduled run is still going: Argo's CronWorkflow policies.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConcurrencyPolicy>))]
public enum ConcurrencyPolicy
{
    Allow,
    Forbid,
    Replace,
}

/// <param name="Cron">A five-field cron expression, or a macro such as <c>@hourly</c>.</param>
/// <param name="Timezone">An IANA time zone; slots follow its wall clock, daylight saving included.</param>
/// <param name="StartingDeadline">How late a slot may still start, after downtime; null means the default grace.</param>
public sealed record ScheduleSpec(string Cron, string Timezone = "UTC", ConcurrencyPolicy ConcurrencyPolicy = ConcurrencyPolicy.Allow, TimeSpan? StartingDeadline = null);

/// <param name="Paths">Glob patterns relative to the repository root (<c>*</c> within a segment, <c>**</c> across).</param>
public sealed record GitTriggerSpec(IReadOnlyList<string> Paths);

public sealed record ParamSpec(string Name, string? Default, string? Description = null, IReadOnlyList<string>? Enum = null);

public sealed record TaskSpec
{
    public required string Name { get; init; }
    public required string Uses { get; init; }

    /// <summary>The task type's own settings, as a JSON object; string values may hold templates.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? With { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Depends { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? When { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? WithItems { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WithParam { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SequenceSpec? WithSequence { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RetrySpec? Retry { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TimeSpan? Timeout { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ContinueOnSpec? ContinueOn { get; init; }

    [JsonIgnore]
    public bool IsFanOut => WithItems is not null || WithParam is not null || WithSequence is not null;
}

/// <summary>Argo's <c>withSequence</c>: either <c>count</c> (0..count-1) or an inclusive <c>start</c>..<c>end</c>.</summary>
public sealed record SequenceSpec(int? Count, int? Start, int? End)
{
    public IEnumerable<int> Values()
    {
        if (Count is int count)
        {
            return Enumerable.Range(0, count);
        }

        int start = Start ?? 0, end = End ?? start;
        return start <= end
            ? Enumerable.Range(start, end - start + 1)
            : Enumerable.Range(end, start - end + 1).Reverse();
    }
}

/// <summary>Argo's <c>continueOn</c>: a failure or error of this task does not fail the workflow.</summary>
public sealed record ContinueOnSpec(bool Failed, bool Error);
