using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>A validated workflow, immutable, and small enough to snapshot into an orchestration input.</summary>
public sealed record WorkflowDefinition
{
    public required string Name { get; init; }

    /// <summary><c>metadata.labels</c>, which runs read as <c>workflow.labels.NAME</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<ParamSpec> Params { get; init; } = [];
    public TimeSpan? Timeout { get; init; }
    public bool FailFast { get; init; } = true;

    /// <summary>Argo's <c>parallelism</c>: at most this many tasks run at once, and each fan-out at most this many items.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Parallelism { get; init; }

    /// <summary>A mutex or semaphore the run holds while it runs (<see cref="SynchronizationSpec"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SynchronizationSpec? Synchronization { get; init; }
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

    /// <summary>
    /// Declared outputs of the whole run (a WorkflowTemplate's, for the task that calls it): each an
    /// expression over <c>tasks.X.outputs</c>, evaluated when the DAG has finished.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Outputs { get; init; }

    /// <summary>Steps that run when the run starts (<c>running</c>) and when its DAG has ended (<c>succeeded</c>, <c>failed</c>), before <c>onExit</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LifecycleHooks? Hooks { get; init; }

    /// <summary>Every step of the workflow, as its nodes are named: its tasks, their hooks, its own hooks and onExit.</summary>
    public IEnumerable<TaskSpec> AllSteps() =>
        Tasks.SelectMany(task => Hooked(task.Hooks).Prepend(task)).Concat(Hooked(Hooks)).Append(OnExit).OfType<TaskSpec>();

    static IEnumerable<TaskSpec?> Hooked(LifecycleHooks? hooks) => hooks is null ? [] : [hooks.Running, hooks.Succeeded, hooks.Failed, hooks.Exit];

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

    /// <summary>
    /// Declared outputs: each name's expression reads the step's <c>result</c> and <c>outputs</c>
    /// (besides params, tasks, item and workflow) and is evaluated when an attempt succeeds.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Outputs { get; init; }

    /// <summary>Steps that run when this task starts (<c>running</c>) and after it ends (<c>succeeded</c>, <c>failed</c>, <c>exit</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LifecycleHooks? Hooks { get; init; }

    /// <summary>For a fan-out: at most this many items run at once (Argo's template-level <c>parallelism</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Parallelism { get; init; }

    /// <summary>The WorkflowTemplate this task runs (<c>templateRef.name</c>), with <c>with</c> as its arguments.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TemplateRef { get; init; }

    /// <summary>For a template of another repository: where it is; <see cref="TemplateRef"/> is then its <see cref="RemoteTemplateRef.Key"/>.</summary>
    [JsonIgnore]
    public RemoteTemplateRef? TemplateSource { get; init; }

    [JsonIgnore]
    public bool IsFanOut => WithItems is not null || WithParam is not null || WithSequence is not null;
}

/// <summary>
/// Argo's <c>withSequence</c>: <c>count</c> numbers from <c>start</c> (0 by default), or an inclusive
/// <c>start</c>..<c>end</c>, counting down when end is below start. Bounds may be templates
/// (<c>"{{params.n}}"</c>), resolved when the node starts; <c>format</c> makes each item a string,
/// printf-style as in Argo (<c>"host-%02d"</c>).
/// </summary>
public sealed record SequenceSpec
{
    /// <summary>The most items a sequence may hold, as written or once its bounds are resolved.</summary>
    public const int MaxItems = 100_000;

    [JsonConverter(typeof(NumberOrTextConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Count { get; init; }

    [JsonConverter(typeof(NumberOrTextConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Start { get; init; }

    [JsonConverter(typeof(NumberOrTextConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? End { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Format { get; init; }

    /// <summary>The items, with bounds resolved by <paramref name="render"/>; a bound that is not an integer is a <see cref="FormatException"/>.</summary>
    public IReadOnlyList<JsonElement> Items(Func<string, string> render)
    {
        int? count = Bound(Count, "count", render), start = Bound(Start, "start", render), end = Bound(End, "end", render);
        IEnumerable<long> values;
        long from = start ?? 0;
        if (count is int n)
        {
            if (n < 0)
            {
                throw new FormatException($"withSequence count must not be negative, but it is {n}");
            }

            values = Range(from, n, 1);
        }
        else
        {
            long to = end ?? from;
            values = from <= to ? Range(from, to - from + 1, 1) : Range(from, from - to + 1, -1);
        }

        var items = new List<JsonElement>();
        foreach (long value in values)
        {
            if (items.Count == MaxItems)
            {
                throw new FormatException($"withSequence may not hold more than {MaxItems} items");
            }

            items.Add(Format is null ? JsonSerializer.SerializeToElement(value) : JsonSerializer.SerializeToElement(SequenceFormat.Apply(Format, value)));
        }

        return items;
    }

    static IEnumerable<long> Range(long from, long count, int step)
    {
        for (long i = 0; i < count; i++)
        {
            yield return from + (i * step);
        }
    }

    static int? Bound(string? text, string field, Func<string, string> render)
    {
        if (text is null)
        {
            return null;
        }

        string value = render(text).Trim();
        return int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int number)
            ? number
            : throw new FormatException($"withSequence {field} must be an integer, but it is '{(value.Length > 40 ? value[..40] + "..." : value)}'");
    }
}

/// <summary>Reads a number or a string as text, so a field may hold 5 or "{{params.n}}".</summary>
public sealed class NumberOrTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected a number or a string, not {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>
/// Argo's lifecycle hooks, by event: each a step (a task without depends) whose node is named
/// <c>OWNER-hook-EVENT</c>. <c>Exit</c> runs after its task whatever the outcome, as a task's
/// <c>onExit</c> does in Argo.
/// </summary>
public sealed record LifecycleHooks
{
    public static readonly IReadOnlyList<string> Events = ["running", "succeeded", "failed", "exit"];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskSpec? Running { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskSpec? Succeeded { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskSpec? Failed { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TaskSpec? Exit { get; init; }

    [JsonIgnore]
    public IEnumerable<TaskSpec> All => new[] { Running, Succeeded, Failed, Exit }.OfType<TaskSpec>();

    /// <summary>
    /// The hooks to run once their owner ended: <c>succeeded</c> after success, <c>failed</c> after
    /// a failure or error, neither after a skip or omission; then <c>exit</c> whatever the outcome.
    /// </summary>
    public IEnumerable<TaskSpec> AfterEnd(NodePhase outcome) =>
        new[] { outcome == NodePhase.Succeeded ? Succeeded : outcome.IsFailure() ? Failed : null, Exit }.OfType<TaskSpec>();

    /// <summary>The node name of a hook: <c>build-hook-failed</c>, or <c>hook-failed</c> for the workflow's own.</summary>
    public static string NodeName(string? owner, string @event) => owner is null ? $"hook-{@event}" : $"{owner}-hook-{@event}";
}

/// <summary>Argo's <c>continueOn</c>: a failure or error of this task does not fail the workflow.</summary>
public sealed record ContinueOnSpec(bool Failed, bool Error);
