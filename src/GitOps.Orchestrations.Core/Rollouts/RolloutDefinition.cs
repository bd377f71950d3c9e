using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>
/// <c>kind: Rollout</c>, in Argo Rollouts' vocabulary: a new image brought to a Deployment by a canary
/// (step weights, pauses, analyses, approvals) or by a blue-green switch of Services. The image,
/// the target and analysis argument values may hold <c>{{params.NAME}}</c>; a run fills them in.
/// </summary>
public sealed record RolloutDefinition
{
    public required string Name { get; init; }

    [JsonIgnore]
    public Model.SourcePosition At { get; init; } = Model.SourcePosition.Start;

    public required RolloutTarget Target { get; init; }

    public required string Image { get; init; }

    /// <summary>The container whose image changes; the Deployment's first container when absent.</summary>
    public string? Container { get; init; }

    /// <summary>The longest a step may go without progress (pods not ready, a weight not taking); waits for people do not count.</summary>
    public TimeSpan ProgressDeadline { get; init; } = TimeSpan.FromMinutes(10);

    public CanaryStrategy? Canary { get; init; }

    public BlueGreenStrategy? BlueGreen { get; init; }

    /// <summary>Every AnalysisTemplate the rollout names, for checking them against its folder.</summary>
    [JsonIgnore]
    public IEnumerable<AnalysisReference> Analyses =>
        (Canary?.Steps.OfType<AnalysisStep>().Select(s => s.Analysis) ?? []).Append(Canary?.Analysis)
            .Append(BlueGreen?.PrePromotionAnalysis).Append(BlueGreen?.PostPromotionAnalysis)
            .OfType<AnalysisReference>();
}

/// <summary>The Deployment a rollout changes, and the cluster it is in, named as the server's configuration names it (<c>default</c> when absent).</summary>
public sealed record RolloutTarget
{
    public string Kind { get; init; } = "Deployment";

    public required string Name { get; init; }

    public string Namespace { get; init; } = "default";

    public string? Cluster { get; init; }
}

public sealed record CanaryStrategy
{
    public required TrafficRouting TrafficRouting { get; init; }

    public required IReadOnlyList<RolloutStep> Steps { get; init; }

    /// <summary>Background analysis: runs beside the steps from <see cref="AnalysisReference.StartingStep"/> on.</summary>
    public AnalysisReference? Analysis { get; init; }

    public TimeSpan AbortScaleDownDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The Service in front of the stable pods, for mesh routers; the target's name when absent.</summary>
    public string? StableService { get; init; }

    /// <summary>The Service in front of the canary pods, for mesh routers; the canary Deployment's name when absent.</summary>
    public string? CanaryService { get; init; }
}

/// <summary>How traffic is split: one provider, and the resource it edits.</summary>
/// <param name="Provider">replicas, gatewayAPI, istio or smi.</param>
/// <param name="Resource">The HTTPRoute, VirtualService or TrafficSplit; none for replicas.</param>
/// <param name="Routes">Istio: the named HTTP routes to weigh; all when empty.</param>
public sealed record TrafficRouting(string Provider, string? Resource = null, IReadOnlyList<string>? Routes = null)
{
    public const string Replicas = "replicas";
    public const string GatewayApi = "gatewayAPI";
    public const string Istio = "istio";
    public const string Smi = "smi";

    public static readonly IReadOnlyList<string> Providers = [Replicas, GatewayApi, Istio, Smi];
}

/// <param name="StartingStep">Background analysis only: the step index (from 0) at which it starts.</param>
public sealed record AnalysisReference(IReadOnlyList<string> Templates, IReadOnlyList<AnalysisArgValue> Args, int StartingStep = 0)
{
    /// <summary>Where the templates are named, for reporting one the folder lacks.</summary>
    [JsonIgnore]
    public Model.SourcePosition At { get; init; } = Model.SourcePosition.Start;
}

public sealed record AnalysisArgValue(string Name, string Value);

/// <summary>An approval gate inside a rollout, with the same rules as <c>uses: approval</c>.</summary>
public sealed record RolloutApproval(IReadOnlyList<string> Approvers, int Quorum, TimeSpan Timeout, string OnTimeout, bool AllowSelfApproval, string? Message);

/// <summary>setCanaryScale: canary replicas by share of the total, by count, or following the traffic weight again.</summary>
public sealed record CanaryScale(int? Weight, int? Replicas, bool MatchTrafficWeight);

public sealed record BlueGreenStrategy
{
    public required string ActiveService { get; init; }

    public string? PreviewService { get; init; }

    /// <summary>False waits for a person to promote after pre-promotion analysis.</summary>
    public bool AutoPromotionEnabled { get; init; } = true;

    /// <summary>Promote automatically this long after the preview is ready; at once when absent.</summary>
    public TimeSpan? AutoPromotionSeconds { get; init; }

    public AnalysisReference? PrePromotionAnalysis { get; init; }

    public AnalysisReference? PostPromotionAnalysis { get; init; }

    /// <summary>How long the old pods keep running after the switch, so a quick rollback is only a selector change.</summary>
    public TimeSpan ScaleDownDelay { get; init; } = TimeSpan.FromSeconds(30);
}
