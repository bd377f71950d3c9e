using System.Text.Json.Serialization;
using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>Argo Rollouts' phases: moving, waiting for a person, done, or aborted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RolloutPhase>))]
public enum RolloutPhase
{
    Progressing,
    Paused,
    Healthy,
    Degraded,
}

/// <summary>
/// Where a rollout is, published as its orchestration's custom status while it runs and kept after:
/// the step, the weight the cluster holds, every analysis with its measurements, and every action a
/// person took, with who and when.
/// </summary>
public sealed record RolloutStatus
{
    public required string Rollout { get; init; }

    /// <summary>canary or blueGreen.</summary>
    public required string Strategy { get; init; }

    public RolloutPhase Phase { get; init; } = RolloutPhase.Progressing;

    public string Message { get; init; } = string.Empty;

    /// <summary>Canary: the index of the step running now (from 0); equal to <see cref="Steps"/> once every step is done.</summary>
    public int CurrentStep { get; init; }

    public int Steps { get; init; }

    public string? StepDescription { get; init; }

    /// <summary>The canary's share of traffic as read back from the cluster; 100 once promoted.</summary>
    public int Weight { get; init; }

    public string? StableImage { get; init; }

    public required string Image { get; init; }

    /// <summary>Why the rollout is paused, when it is: a pause step, an Inconclusive analysis, an approval.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PauseReason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PendingGate? Gate { get; init; }

    public DateTime StartedAt { get; init; }

    public DateTime UpdatedAt { get; init; }

    /// <summary>The latest events; <see cref="EventCount"/> says how many there were in all.</summary>
    public IReadOnlyList<RolloutEvent> Events { get; init; } = [];

    public int EventCount { get; init; }

    public IReadOnlyList<RolloutAnalysisRecord> Analyses { get; init; } = [];
}

/// <summary>One thing that happened: a weight set, a step begun, a person's action, an abort.</summary>
/// <param name="By">Who, for actions people take; the engine otherwise.</param>
public sealed record RolloutEvent(DateTime At, string What, string By = "engine");

/// <summary>One analysis a rollout ran: where (a step, background, pre- or post-promotion), its phase and every measurement.</summary>
public sealed record RolloutAnalysisRecord(string Name, AnalysisPhase Phase, IReadOnlyList<Measurement> Measurements);
