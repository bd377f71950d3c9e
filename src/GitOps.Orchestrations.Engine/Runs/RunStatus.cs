using GitOps.Orchestrations.Core.Model;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// A run as people and tools see it, whether it is still running (built from the custom status
/// summary) or finished (built from the full output). This is the shape of <c>--output json</c>.
/// </summary>
public sealed record RunStatus
{
    public required string Id { get; init; }

    public required string Workflow { get; init; }

    public required string Revision { get; init; }

    /// <summary>Where the definition was read from: repository, revision and folder, or a file.</summary>
    public string? Source { get; init; }

    public required WorkflowPhase Phase { get; init; }

    /// <summary>True while an operator has suspended the run; its phase stays Running.</summary>
    public bool Suspended { get; init; }

    public string? Message { get; init; }

    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    public string? StartedBy { get; init; }

    /// <summary>Everyone who started a run of this run's retry chain; none of them may approve its gates unless a gate allows self-approval.</summary>
    public IReadOnlyList<string> Starters { get; init; } = [];

    /// <summary>What started it: http, schedule, git, webhook, queue, blob, retry or cli.</summary>
    public string? Trigger { get; init; }

    /// <summary>Notifications about the run that could not be delivered, once it has ended.</summary>
    public IReadOnlyList<Notifications.NotificationFailure> NotificationFailures { get; init; } = [];

    /// <summary>The event that started it, for a run a webhook, queue message or blob started.</summary>
    public Core.Events.EventOrigin? Event { get; init; }

    /// <summary>The run this one retries.</summary>
    public string? RetryOf { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime LastUpdatedAt { get; init; }

    public required IReadOnlyList<NodeStatus> Nodes { get; init; }

    /// <summary>The waiting gates: who may decide, the quorum, and the decisions so far.</summary>
    public IReadOnlyList<PendingGate> Gates { get; init; } = [];

    /// <summary>The paths of the waiting gates.</summary>
    public IReadOnlyList<string> Waiting => Gates.Select(g => g.Node).ToList();

    /// <summary>The run's latest change number; the event stream's ids are these numbers.</summary>
    public int Seq { get; init; }

    /// <summary>False when a running run's published summary had to leave nodes or outputs out.</summary>
    public bool Complete { get; init; } = true;

    /// <summary>The lock a Pending run waits for before it starts, who holds it and where the run stands in its queue.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LockWaitView? WaitingForLock { get; init; }
}

/// <summary>The lock a run waits for (<see cref="WorkflowDefinition.Synchronization"/>), as its status shows it.</summary>
public sealed record LockWaitView(SynchronizationSpec Lock)
{
    /// <summary>The runs holding it now (the first <see cref="Locks.RunLocks.Shown"/>).</summary>
    public IReadOnlyList<string> HeldBy { get; init; } = [];

    /// <summary>1 when the run is next; null when the lock has not queued it yet, or it is beyond the part of the queue the lock shows.</summary>
    public int? Position { get; init; }
}

/// <summary>A run as listed: enough to pick one out, without its nodes.</summary>
public sealed record RunListItem
{
    public required string Id { get; init; }

    public required string Workflow { get; init; }

    public required string Revision { get; init; }

    public required WorkflowPhase Phase { get; init; }

    public bool Suspended { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime LastUpdatedAt { get; init; }

    public required IReadOnlyDictionary<NodePhase, int> Counts { get; init; }

    public IReadOnlyList<PendingGate> Gates { get; init; } = [];

    public IReadOnlyList<string> Waiting => Gates.Select(g => g.Node).ToList();

    /// <summary>Who started the run; null for runs whose status predates it.</summary>
    public string? StartedBy { get; init; }

    /// <summary>Everyone who started the run's retry chain (see <see cref="RunStatus.Starters"/>).</summary>
    public IReadOnlyList<string> Starters { get; init; } = [];

    /// <summary>The lock a Pending run waits for.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public SynchronizationSpec? WaitingForLock { get; init; }
}

public sealed record RunQuery
{
    public string? Workflow { get; init; }

    public WorkflowPhase? Phase { get; init; }

    public DateTimeOffset? CreatedFrom { get; init; }

    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Only runs this caller started (exact match).</summary>
    public string? StartedBy { get; init; }

    public int Top { get; init; } = 50;

    public string? ContinuationToken { get; init; }

    public string? InstanceIdPrefix { get; init; }

    public IEnumerable<OrchestrationRuntimeStatus>? RuntimeStatuses { get; init; }
}

public sealed record RunPage(IReadOnlyList<RunListItem> Runs, string? ContinuationToken);
