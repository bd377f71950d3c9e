using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Engine;

/// <summary>
/// What the engine's orchestrators need from their host. Durable Task builds orchestrators without
/// dependency injection, so the host hands this over when it registers them: the task types
/// workflows may use, and the key that proves a decision came through a host.
/// </summary>
public sealed record OrchestrationServices(TaskTypeRegistry TaskTypes, ApprovalAuthority Approvals)
{
    /// <summary>How often a busy lock first checks for holders that ended without letting go (<see cref="Locks.RunLocks.DefaultCheck"/>).</summary>
    public TimeSpan LockCheck { get; init; } = Locks.RunLocks.DefaultCheck;

    /// <summary>
    /// Where large runs keep their checkpoints' node states, shared by every worker of the task hub
    /// (<see cref="Runs.ProgressCheckpoint"/>); null carries every node in the checkpoint itself.
    /// </summary>
    public Payloads.StoredPayloads? Payloads { get; init; }
}
