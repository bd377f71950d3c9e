using System.Text.Json;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Activities;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Sdk;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Custom;

/// <summary>
/// A task type written with the SDK, as the orchestrator runs it: each call is one
/// <see cref="CustomTaskActivity"/>, and a <see cref="TaskStatus.Pending"/> outcome waits on a
/// durable timer before the next call, so a step that waits for days holds no thread.
/// </summary>
public sealed class CustomTaskType(TaskTypeDefinition definition) : ITaskType
{
    /// <summary>Bounds how often one attempt may check: a step that waits longer should check less often.</summary>
    public const int MaxChecks = 2000;

    public static readonly TimeSpan MinCheckInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxCheckInterval = TimeSpan.FromHours(1);

    public TaskTypeDefinition Definition { get; } = definition;

    public TaskTypeSchema Schema { get; } = new(definition.Name, definition.With.ToDictionary(f => f.Key, f => ToFieldSpec(f.Value), StringComparer.Ordinal));

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        JsonElement? state = null;
        for (int check = 0; ; check++)
        {
            var request = new CustomTaskRequest(Definition.Name, step.With, step.IdempotencyKey, step.RunId, step.Node, step.Item, step.Attempt, check, state);
            CustomTaskResult result = await context.CallActivityAsync<CustomTaskResult>(nameof(CustomTaskActivity), request);
            switch (result.Status)
            {
                case Sdk.TaskStatus.Succeeded:
                    return StepResult.Succeeded(result.Outputs) with { Message = result.Message };
                case Sdk.TaskStatus.Failed:
                    return StepResult.Failed(result.Message ?? "failed") with { Outputs = result.Outputs, Retryable = result.Retryable };
                case Sdk.TaskStatus.Errored:
                    return StepResult.Errored(result.Message ?? "errored") with { Outputs = result.Outputs, Retryable = result.Retryable };
            }

            if (check + 1 >= MaxChecks)
            {
                return StepResult.Errored($"still pending after {MaxChecks} checks: {result.Message}");
            }

            state = result.State;
            step.Report(new StepProgress(result.Message ?? "pending"));
            TimeSpan wait = result.CheckAgainAfter < MinCheckInterval ? MinCheckInterval : result.CheckAgainAfter > MaxCheckInterval ? MaxCheckInterval : result.CheckAgainAfter;
            using TimerScope timer = context.StartTimer(wait, step.Cancellation);
            try
            {
                await timer.Fired;
            }
            catch (TaskCanceledException)
            {
                return StepResult.Failed($"cancelled while pending: {result.Message}");
            }
        }
    }

    static FieldSpec ToFieldSpec(TaskField field) => new(
        field.Kind switch
        {
            TaskFieldKind.String => FieldKind.String,
            TaskFieldKind.Number => FieldKind.Number,
            TaskFieldKind.Boolean => FieldKind.Boolean,
            TaskFieldKind.Duration => FieldKind.Duration,
            TaskFieldKind.StringMap => FieldKind.StringMap,
            TaskFieldKind.StringList => FieldKind.StringList,
            TaskFieldKind.Object => FieldKind.Object,
            _ => FieldKind.Any,
        },
        field.Required,
        field.AllowedValues);
}
