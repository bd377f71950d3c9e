using GitOps.Orchestrations.Core.Validation;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary><c>uses: wait</c>: a durable timer, which survives restarts and costs nothing while it waits.</summary>
public sealed class WaitTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("wait", new Dictionary<string, FieldSpec>
    {
        ["duration"] = new(FieldKind.Duration, Required: true),
    });

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        TimeSpan duration = step.GetDuration("duration") ?? TimeSpan.Zero;
        try
        {
            await context.CreateTimer(duration, step.Cancellation);
        }
        catch (TaskCanceledException)
        {
            return StepResult.Failed("cancelled");
        }

        return StepResult.Succeeded();
    }
}
