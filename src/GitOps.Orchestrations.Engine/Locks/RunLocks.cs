using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Locks;

/// <summary>What a run asks of a lock: to be queued for it, or to let it go.</summary>
public enum LockAction
{
    Ask,
    Release,
}

/// <summary>A run's message to a lock; a host signs it, and the lock ignores one that does not verify.</summary>
public sealed record LockMessage(string Run, LockAction Action, int Limit = 1)
{
    public string? Proof { get; init; }
}

/// <summary>The lock telling a run that it now holds it; signed by the lock, verified by the run.</summary>
public sealed record LockGrant(string Lock)
{
    public string? Proof { get; init; }
}

/// <summary>What a lock orchestration carries from one execution to the next.</summary>
public sealed record LockInput(SynchronizationSpec Lock, LockQueue Queue)
{
    /// <summary>How long until the next check for holders and waiters that ended without letting go; null is the default.</summary>
    public TimeSpan? CheckAfter { get; init; }
}

/// <summary>A lock as its orchestration publishes it: who holds it and who waits, each list cut at <see cref="RunLocks.Shown"/>.</summary>
public sealed record LockStatus(SynchronizationSpec Lock, IReadOnlyList<string> Holders, IReadOnlyList<string> Waiting, int HolderCount, int WaitingCount)
{
    public static LockStatus Of(SynchronizationSpec spec, LockQueue queue) =>
        new(spec with { Limit = queue.Limit }, [.. queue.Holders.Take(RunLocks.Shown)], [.. queue.Waiting.Take(RunLocks.Shown)], queue.Holders.Count, queue.Waiting.Count);
}

/// <summary>
/// A run's lock from the run's side: it asks through <see cref="RequestLockActivity"/>, waits for a
/// signed <see cref="LockGrant"/>, and lets go with a signed release when it ends. Each named lock
/// is one eternal <see cref="LockOrchestrator"/> in the same task hub as the runs, so the lock is
/// exactly as durable, and as shared between hosts, as the runs themselves.
/// </summary>
public static class RunLocks
{
    /// <summary>The event a lock orchestration listens on for <see cref="LockMessage"/>s.</summary>
    public const string Event = "gitops-lock";

    /// <summary>The event a run waits on for its <see cref="LockGrant"/>.</summary>
    public const string GrantedEvent = "gitops-lock-granted";

    /// <summary>How many holders and waiters a lock's published status lists (it is capped at 16 KB).</summary>
    public const int Shown = 100;

    /// <summary>How often a busy lock first checks for runs that ended without letting go (terminated, or failed in the engine).</summary>
    public static readonly TimeSpan DefaultCheck = TimeSpan.FromMinutes(1);

    /// <summary>The check's interval doubles while it finds nothing, up to this, so a long hold adds little history.</summary>
    public static readonly TimeSpan MaxCheck = TimeSpan.FromMinutes(15);

    /// <summary>The next interval of a backing-off check: twice the last, up to <see cref="MaxCheck"/> (or the first, if that is longer).</summary>
    public static TimeSpan Backoff(TimeSpan last, TimeSpan first) => TimeSpan.FromTicks(Math.Min(last.Ticks * 2, Math.Max(MaxCheck.Ticks, first.Ticks)));

    /// <summary>Whether an instance (a run or a lock) still runs: it can still ask, hold, wait or be told.</summary>
    public static bool IsLive(Microsoft.DurableTask.Client.OrchestrationMetadata? instance) =>
        instance is { RuntimeStatus: Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Running or Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Pending or Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Suspended };

    /// <summary>Run <paramref name="runId"/>'s signed release of <paramref name="spec"/> (it also means "stop waiting").</summary>
    public static LockMessage Release(Approvals.ApprovalAuthority approvals, SynchronizationSpec spec, string runId) =>
        approvals.Sign(InstanceId(spec), new LockMessage(runId, LockAction.Release, spec.Limit));

    /// <summary>
    /// Lock activities go to the store only; a failure is the store's hiccup, tried again rather
    /// than failing the run (or the lock) that called them.
    /// </summary>
    public static TaskOptions Retry { get; } = TaskOptions.FromRetryPolicy(new Microsoft.DurableTask.RetryPolicy(8, TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1)));

    /// <summary>
    /// The lock's orchestration. ':' cannot appear in a lock name, a workflow name or a run id, so no
    /// run can ever be mistaken for a lock, and a mutex and a semaphore of one name are two locks.
    /// </summary>
    public static string InstanceId(SynchronizationSpec spec) => $"gitops-lock:{spec.Kind.ToString().ToLowerInvariant()}:{spec.Name}";
}
