using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Delivery;

namespace GitOps.Orchestrations.Engine.Promotion;

/// <summary>What a pipeline orchestration runs, and everything it remembers across <c>ContinueAsNew</c>.</summary>
public sealed record PipelineInput
{
    public required PipelineDefinition Pipeline { get; init; }

    public IReadOnlyDictionary<string, AnalysisTemplate> Templates { get; init; } = new Dictionary<string, AnalysisTemplate>();

    public required string Revision { get; init; }

    public required string Source { get; init; }

    public string StartedBy { get; init; } = "pipeline";

    /// <summary>How often sources are looked at for new freight.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    public PipelineState State { get; init; } = new();

    public static string InstanceId(string pipeline) => $"pipeline-{pipeline}";

    public const string CommandEvent = "pipeline-command";
}

public sealed record PipelineState
{
    /// <summary>Freight discovered so far, oldest first; the newest few are kept.</summary>
    public List<Freight> Freight { get; init; } = [];

    public Dictionary<string, StageState> Stages { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Promotions people asked for, as "stage/freight".</summary>
    public HashSet<string> Requested { get; init; } = new(StringComparer.Ordinal);
}

public sealed record StageState
{
    /// <summary>The freight the stage runs now.</summary>
    public string? Current { get; set; }

    /// <summary>When each freight was verified in this stage; what downstream stages take.</summary>
    public Dictionary<string, DateTimeOffset> Verified { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Freight whose promotion or verification failed here: never retried automatically.</summary>
    public HashSet<string> Failed { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Approval decisions per freight.</summary>
    public Dictionary<string, List<ApprovalRecord>> Approvals { get; init; } = new(StringComparer.Ordinal);

    public List<StageHistoryEntry> History { get; init; } = [];

    /// <summary>What the stage waits for now, for status pages.</summary>
    public string? Waiting { get; set; }
}

/// <param name="Outcome">verified, or failed with the reason.</param>
public sealed record StageHistoryEntry(string Freight, DateTimeOffset At, string Outcome, string? Run);

/// <summary>A person's action on a pipeline: approve or reject a freight for a stage, or ask for its promotion.</summary>
public sealed record PipelineCommand(string Kind, string Stage, string Freight, string By, IReadOnlyList<string>? Groups = null, string? Comment = null)
{
    /// <summary>The host's signature (<see cref="Approvals.ApprovalAuthority"/>); a command without it is refused and recorded.</summary>
    public string? Proof { get; init; }
}

public sealed record DiscoverFreightResult : DeliveryOutcome
{
    public Freight? Freight { get; init; }

    public string? Missing { get; init; }
}
