using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>The unit of work both sides call: an activity that does nothing.</summary>
public sealed class NoOpActivity : TaskActivity<int, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input);
}

/// <summary><c>uses: noop</c>: one call of <see cref="NoOpActivity"/>, so the engine does exactly the baseline's work.</summary>
public sealed class NoOpTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("noop", new Dictionary<string, FieldSpec>());

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        await context.CallActivityAsync<int>(nameof(NoOpActivity), step.Item ?? 0);
        return StepResult.Succeeded();
    }
}

/// <summary>The hand-written baseline for a chain: N activity calls, one after another.</summary>
public sealed class RawChainOrchestrator : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int count)
    {
        int sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += await context.CallActivityAsync<int>(nameof(NoOpActivity), i);
        }

        return sum;
    }
}

/// <summary>The hand-written baseline for a fan-out: N activity calls at once.</summary>
public sealed class RawFanOutOrchestrator : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int count)
    {
        int[] results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => context.CallActivityAsync<int>(nameof(NoOpActivity), i)));
        return results.Sum();
    }
}
