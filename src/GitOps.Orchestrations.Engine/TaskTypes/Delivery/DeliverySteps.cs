using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Delivery;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Delivery;

/// <summary>
/// What the sync, render, apply, diff and drift task types share: reading their <c>with</c> blocks,
/// pinning the source revision, and turning an activity's outcome into a step result. It runs in
/// the orchestrator, so it only calls activities and timers.
/// </summary>
internal static partial class DeliverySteps
{
    // Unknown fields are errors: a field the engine ignores (a kubeconfig path where a cluster name
    // belongs, say) would otherwise do something other than what its writer meant.
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    /// <summary>One field of <c>with</c> as a typed spec; a value of the wrong shape is a <see cref="FormatException"/> naming the field, which fails the node.</summary>
    public static T? Read<T>(StepInvocation step, string field)
    {
        if (step.With.ValueKind != JsonValueKind.Object || !step.With.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        try
        {
            return value.Deserialize<T>(Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"with.{field}{e.Path?.TrimStart('$')}: {e.Message.Split(" Path:")[0]}");
        }
    }

    public static bool Flag(StepInvocation step, string field, bool fallback = false) =>
        step.With.ValueKind == JsonValueKind.Object && step.With.TryGetProperty(field, out JsonElement value)
            ? value.ValueKind == JsonValueKind.True || (value.ValueKind == JsonValueKind.String && value.GetString() == "true")
            : fallback;

    /// <summary>
    /// The application name that keys the inventory: <c>name</c>, or the workflow and node names.
    /// It must be stable across runs, since it is how the next sync finds what this one owns.
    /// </summary>
    public static string Application(StepInvocation step)
    {
        string name = step.GetString("name") ?? $"{step.Snapshot.Workflow.Name}-{step.Node}";
        string safe = NotDns().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return safe.Length > 50 ? safe[..50].TrimEnd('-') : safe;
    }

    /// <summary>Resolves the source revision to a SHA once; the orchestration history keeps it, so a replay or retry uses the same commit.</summary>
    public static async Task<(string? Revision, StepResult? Failure)> PinAsync(TaskOrchestrationContext context, StepInvocation step, SourceSpec source)
    {
        step.Report(new StepProgress($"resolving {source.Repo}@{source.Revision ?? "HEAD"}"));
        ResolveSourceResult resolved = await context.CallActivityAsync<ResolveSourceResult>(DeliveryActivities.ResolveSource, source);
        return resolved.Error is null ? (resolved.Revision, null) : (null, Fail(resolved));
    }

    public static StepResult Fail(DeliveryOutcome outcome) =>
        StepResult.Failed(outcome.Error!) with { Retryable = outcome.Transient };

    public static Dictionary<string, JsonElement> Outputs(params (string Name, object? Value)[] values) =>
        values.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => JsonSerializer.SerializeToElement(v.Value, Json), StringComparer.Ordinal);

    /// <summary>Polls health on durable timers until every object is healthy, one is degraded, or the timeout passes.</summary>
    public static async Task<StepResult?> WaitHealthyAsync(TaskOrchestrationContext context, StepInvocation step, KubernetesTargetSpec target, string application, WaitSpec wait)
    {
        DateTime deadline = context.CurrentUtcDateTime + wait.TimeoutSpan;
        while (true)
        {
            HealthResult health = await context.CallActivityAsync<HealthResult>(DeliveryActivities.CheckHealth, new HealthRequest(target, application));
            if (health.Error is not null)
            {
                return Fail(health);
            }

            if (health.Healthy)
            {
                return null;
            }

            string pending = string.Join("; ", health.Pending.Take(3)) + (health.Pending.Count > 3 ? $"; and {health.Pending.Count - 3} more" : string.Empty);
            if (health.Degraded)
            {
                return StepResult.Failed($"degraded: {pending}") with { Retryable = false };
            }

            if (context.CurrentUtcDateTime >= deadline)
            {
                return StepResult.Failed($"not healthy after {Durations.Format(wait.TimeoutSpan)}: {pending}");
            }

            step.Report(new StepProgress($"waiting for health: {pending}"));
            await context.CreateTimer(wait.IntervalSpan, step.Cancellation);
        }
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotDns();
}

/// <summary><c>wait: {health: true, timeout: 5m, interval: 2s}</c>.</summary>
public sealed record WaitSpec
{
    public bool Health { get; init; }

    public string? Timeout { get; init; }

    public string? Interval { get; init; }

    public TimeSpan TimeoutSpan => Timeout is null ? TimeSpan.FromMinutes(5) : Durations.Parse(Timeout);

    public TimeSpan IntervalSpan => Interval is null ? TimeSpan.FromSeconds(2) : Durations.Parse(Interval);
}
