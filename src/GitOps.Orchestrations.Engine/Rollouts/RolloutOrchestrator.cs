using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Rollouts;

/// <summary>
/// A Rollout as a durable orchestration: canary steps or a blue-green switch, with durable timers
/// for pauses, the progress deadline and scale-down delays, analyses as sub-orchestrations, and
/// people's commands as external events. Its custom status is the <see cref="Core.Rollouts.RolloutStatus"/>.
/// </summary>
public sealed class RolloutOrchestrator(Approvals.ApprovalAuthority approvals) : TaskOrchestrator<RolloutRequest, RolloutOutcome>
{
    public override async Task<RolloutOutcome> RunAsync(TaskOrchestrationContext context, RolloutRequest input)
    {
        using var run = new RolloutRun(context, input, approvals);
        return await run.RunAsync();
    }
}
