using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>The two kinds of named lock a run can hold; each kind has its own names.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LockKind>))]
public enum LockKind
{
    Mutex,
    Semaphore,
}

/// <summary>
/// Argo's workflow-level <c>synchronization</c>: a named lock a run holds from before its first
/// task until after its exit handler, across runs, workflows and hosts sharing a store. A mutex
/// has one holder; a semaphore <see cref="Limit"/>. Runs that wait for it are queued in the order
/// they asked.
/// </summary>
public sealed record SynchronizationSpec(LockKind Kind, string Name, int Limit)
{
    /// <summary>The largest semaphore.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>How a person reads it: "mutex deploy-prod", "semaphore builds (3)".</summary>
    public override string ToString() => Kind == LockKind.Mutex ? $"mutex {Name}" : $"semaphore {Name} ({Limit})";
}
