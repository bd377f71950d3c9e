using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// One <c>uses:</c> value. It runs inside the orchestrator, so it must be deterministic: side effects
/// go through activities, timers and events through <see cref="TaskOrchestrationContext"/>.
/// </summary>
public interface ITaskType
{
    TaskTypeSchema Schema { get; }

    Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step);
}

/// <summary>
/// A task type whose step, once cancelled, still has to undo what it started, such as deleting its
/// Job. When such a step times out, its node waits for it to return (at most
/// <see cref="Runs.RunStop.Grace"/>) instead of leaving it behind.
/// </summary>
public interface ICleansUpWhenCancelled;

/// <summary>One attempt of one node (or one fan-out item), with its settings already templated.</summary>
public sealed record StepInvocation
{
    public required string RunId { get; init; }

    public required string Node { get; init; }

    public int? Item { get; init; }

    public required int Attempt { get; init; }

    /// <summary>The rendered <c>with</c> block, an empty object when the task has none. Expression fields are left as written.</summary>
    public required JsonElement With { get; init; }

    /// <summary>What the step's expressions can read (params, upstream outputs, the item, the workflow).</summary>
    public ITemplateScope? Scope { get; init; }

    /// <summary>The run this step belongs to: its snapshot, params, who started it, how it checkpoints.</summary>
    public required WorkflowRunInput Run { get; init; }

    public WorkflowSnapshot Snapshot => Run.Snapshot;

    public string StartedBy => Run.StartedBy;

    /// <summary>Everyone who started a run of this run's retry chain: none of them may approve its gates unless a gate allows self-approval.</summary>
    public IReadOnlyList<string> Starters => Run.AllStarters;

    /// <summary>Checks that a person's decision came through a host; gates refuse the ones that did not.</summary>
    public required Approvals.ApprovalAuthority Approvals { get; init; }

    /// <summary>
    /// Cancelled when the attempt times out or the workflow ends without it; timers and event waits
    /// must observe it, so that no durable timer outlives the step that created it.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Tells watchers what the step is doing now, such as waiting at a gate; published in the run's status.</summary>
    public Action<StepProgress> Report { get; init; } = static _ => { };

    /// <summary>Stable across replays and crashes, different for each attempt: what an activity uses to make its effect happen once.</summary>
    public string IdempotencyKey => Item is int item ? $"{RunId}/{Node}/{item}/{Attempt}" : $"{RunId}/{Node}/{Attempt}";

    /// <summary>A name unique within the run, for child instance ids and event names.</summary>
    public string Path => Item is int item ? $"{Node}.{item}" : Node;

    public string? GetString(string field) =>
        With.ValueKind == JsonValueKind.Object && With.TryGetProperty(field, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? Core.Templating.Template.AsText(value)
            : null;

    public TimeSpan? GetDuration(string field) => GetString(field) is string text ? Durations.Parse(text) : null;

    /// <summary>A <c>with</c> field that maps names to values, such as params or headers, every value as text; null when absent.</summary>
    public Dictionary<string, string>? GetStringMap(string field, IEqualityComparer<string>? comparer = null)
    {
        if (With.ValueKind != JsonValueKind.Object || !With.TryGetProperty(field, out JsonElement map) || map.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // Names equal under the comparer (two spellings of one header) keep the last value, as a later line overrides an earlier one.
        var values = new Dictionary<string, string>(comparer ?? StringComparer.Ordinal);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            values[entry.Name] = Core.Templating.Template.AsText(entry.Value);
        }

        return values;
    }
}

/// <param name="Gate">Set while the step waits for people to decide.</param>
public sealed record StepProgress(string Message, PendingGate? Gate = null)
{
    /// <summary>Something subscribers may want to hear of (a rollout paused or aborted), for the run to notify.</summary>
    public StepNotice? Notice { get; init; }
}

/// <summary>A step's notification: its trigger, a key unique within the step, and what to say.</summary>
public sealed record StepNotice(string Trigger, string Key, string Message, string? Phase = null);

public sealed record StepResult(NodePhase Phase, string? Message = null)
{
    public Dictionary<string, JsonElement> Outputs { get; init; } = new(StringComparer.Ordinal);

    public List<ApprovalRecord>? Approvals { get; init; }

    /// <summary>False for outcomes a retry cannot change, such as a person rejecting an approval.</summary>
    public bool Retryable { get; init; } = true;

    public static StepResult Succeeded(Dictionary<string, JsonElement>? outputs = null) =>
        new(NodePhase.Succeeded) { Outputs = outputs ?? new(StringComparer.Ordinal) };

    public static StepResult Failed(string message) => new(NodePhase.Failed, message);

    public static StepResult Errored(string message) => new(NodePhase.Errored, message);
}
