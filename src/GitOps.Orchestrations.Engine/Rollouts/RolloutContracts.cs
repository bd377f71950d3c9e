using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Delivery;

namespace GitOps.Orchestrations.Engine.Rollouts;

/// <summary>The activities a rollout calls; they live in the Delivery library beside the other cluster work.</summary>
public static class RolloutActivities
{
    public const string Prepare = "PrepareRolloutActivity";
    public const string SetTraffic = "SetTrafficActivity";
    public const string ReadReadiness = "ReadReadinessActivity";
    public const string PromoteStable = "PromoteStableActivity";
    public const string Scale = "ScaleDeploymentActivity";
    public const string SwitchService = "SwitchServiceActivity";
}

/// <summary>What the rollout orchestrator runs: the rollout with params filled in, the templates its analyses use, and how to reach its parent step.</summary>
public sealed record RolloutRequest
{
    public required RolloutDefinition Rollout { get; init; }

    public IReadOnlyDictionary<string, AnalysisTemplate> Templates { get; init; } = new Dictionary<string, AnalysisTemplate>();

    /// <summary>The instance running the <c>uses: rollout</c> step, told of progress and gates.</summary>
    public required string ParentInstance { get; init; }

    /// <summary>The step's path in its run: names the signal and approval events and the gate.</summary>
    public required string StepPath { get; init; }

    public required string StartedBy { get; init; }

    /// <summary>Everyone who started a run of the parent run's retry chain, for the approval step's separation of duties.</summary>
    public IReadOnlyList<string> Starters { get; init; } = [];

    /// <summary>People's commands, API to step (the step passes them on to the rollout). Every version listens here.</summary>
    public static string SignalEvent(string stepPath) => $"rollout:{stepPath}";

    /// <summary>
    /// Progress, rollout to step, from <see cref="Orchestrators.OrchestrationVersions.RolloutProgressEvent"/>
    /// on: each direction has its own event and its own type. Earlier instances send progress on
    /// <see cref="SignalEvent"/>.
    /// </summary>
    public static string ProgressEvent(string stepPath) => $"rollout-progress:{stepPath}";
}

/// <summary>What a rollout tells its step: a summary for the run's status, and its gate when one waits.</summary>
public sealed record RolloutProgress(string Summary, PendingGate? Gate)
{
    /// <summary>Where the rollout stands, for the run's notifications; absent in progress from older rollouts.</summary>
    public RolloutPhase? Phase { get; init; }

    /// <summary>Canary: the step running now, from 1.</summary>
    public int? Step { get; init; }

    public string? StepDescription { get; init; }

    public string? PauseReason { get; init; }

    /// <summary>The pause is for an analysis that could not decide.</summary>
    public bool Inconclusive { get; init; }
}

/// <summary>
/// What travels on a rollout step's signal event: a person's command (API to step to rollout); and,
/// for instances started before <see cref="Orchestrators.OrchestrationVersions.RolloutProgressEvent"/>,
/// progress (rollout to step) too.
/// </summary>
public sealed record RolloutSignal
{
    public RolloutCommand? Command { get; init; }

    public string? Progress { get; init; }

    public PendingGate? Gate { get; init; }
}

/// <summary>What a person may tell a running rollout to do.</summary>
[JsonConverter(typeof(RolloutActionJson))]
public enum RolloutAction
{
    /// <summary>
    /// Anything else a raw event may carry: read, so the rollout records and ignores it rather than
    /// fail to read its own inbox (the API only ever sends the three below).
    /// </summary>
    Unknown,

    /// <summary>Move past the current pause, approval or analysis.</summary>
    Promote,

    /// <summary>Skip every remaining step and make the canary stable.</summary>
    PromoteFull,

    /// <summary>Traffic back to stable, canary scaled down.</summary>
    Abort,
}

/// <summary>
/// The wire names ("promote", "promote-full", "abort"), the same strings runs already in flight
/// carry and sign. Any other value, string or not, reads as <see cref="RolloutAction.Unknown"/>:
/// an event raised past the API must not make the rollout's orchestration fail.
/// </summary>
public sealed class RolloutActionJson : JsonConverter<RolloutAction>
{
    public override RolloutAction Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            string? wire = reader.GetString();
            foreach (RolloutAction action in Enum.GetValues<RolloutAction>())
            {
                if (action != RolloutAction.Unknown && action.Wire() == wire)
                {
                    return action;
                }
            }
        }

        reader.Skip();
        return RolloutAction.Unknown;
    }

    public override void Write(Utf8JsonWriter writer, RolloutAction value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Wire());
}

public static class RolloutActions
{
    /// <summary>The action as it travels and is signed: "promote", "promote-full" or "abort".</summary>
    public static string Wire(this RolloutAction action) => JsonNamingPolicy.KebabCaseLower.ConvertName(action.ToString());
}

public sealed record RolloutCommand(RolloutAction Action, string By, string? Reason = null)
{
    /// <summary>The host's signature (<see cref="Approvals.ApprovalAuthority"/>); a command without it is refused.</summary>
    public string? Proof { get; init; }

    public const string Event = "rollout-command";
}

public sealed record RolloutOutcome(RolloutPhase Phase, string Message, RolloutStatus Status);

public sealed record PrepareRolloutRequest(RolloutTarget Target, string CopyName, string Role, string Image, string? Container, int? Replicas, bool MarkStablePods);

public sealed record PrepareRolloutResult : DeliveryOutcome
{
    public string StableImage { get; init; } = string.Empty;

    public int Replicas { get; init; }

    public string Container { get; init; } = string.Empty;
}

/// <summary>
/// One weight for the router. Named properties, not positions, so stable and canary cannot swap; the
/// JSON is the same as when they were positional, so activity messages in flight across an upgrade read.
/// </summary>
public sealed record SetTrafficRequest
{
    public required RolloutTarget Target { get; init; }

    public required TrafficRouting Routing { get; init; }

    public required string StableService { get; init; }

    public required string CanaryService { get; init; }

    public required string StableDeployment { get; init; }

    public required string CanaryDeployment { get; init; }

    public required int Weight { get; init; }

    public required int TotalReplicas { get; init; }

    /// <summary>Mesh routers: the canary's pods; the replicas router derives both sides from the weight.</summary>
    public required int CanaryReplicas { get; init; }
}

public sealed record SetTrafficResult : DeliveryOutcome
{
    /// <summary>The weight read back from the cluster.</summary>
    public int Weight { get; init; }
}

/// <param name="WaitUpTo">How long the activity itself may keep looking before it answers not ready; longer waits are durable timers.</param>
public sealed record ReadinessRequest(RolloutTarget Target, IReadOnlyList<string> Deployments, TimeSpan WaitUpTo = default);

public sealed record ReadinessResult : DeliveryOutcome
{
    public bool Available { get; init; }

    /// <summary>One line per Deployment not yet available, for the status and the abort message.</summary>
    public List<string> Pending { get; init; } = [];
}

public sealed record PromoteStableRequest(RolloutTarget Target, string Container, string Image, int Replicas);

public sealed record ScaleRequest(RolloutTarget Target, string Deployment, int Replicas);

public sealed record SwitchServiceRequest(RolloutTarget Target, string Service, string Role);

/// <summary>An activity's outcome when it has nothing to return but success or a failure.</summary>
public sealed record RolloutActionResult : DeliveryOutcome;
