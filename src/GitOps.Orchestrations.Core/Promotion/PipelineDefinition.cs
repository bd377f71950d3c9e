using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>
/// <c>kind: Pipeline</c>, in Kargo's vocabulary: sources that discover freight (chart versions, Git
/// tags), and stages that freight moves through, each promoting it, verifying it, and guarding the
/// next stage with soak time, approvals and freeze windows.
/// </summary>
public sealed record PipelineDefinition
{
    public required string Name { get; init; }

    [JsonIgnore]
    public SourcePosition At { get; init; } = SourcePosition.Start;

    public required IReadOnlyList<FreightSource> Sources { get; init; }

    public required IReadOnlyList<StageDefinition> Stages { get; init; }

    /// <summary>Who hears of freight promoted, verified or failed, and of freezes holding it (docs/events.md).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyList<Notifications.SubscriptionSpec> Notifications { get; init; } = [];

    [JsonIgnore]
    public IEnumerable<AnalysisReference> Analyses => Stages.Select(s => s.Verification?.Analysis).OfType<AnalysisReference>();
}

/// <summary>One artifact a freight carries. Exactly one of the two kinds is set.</summary>
public sealed record FreightSource
{
    public required string Name { get; init; }

    public HelmRepositorySource? HelmRepository { get; init; }

    public GitTagsSource? GitTags { get; init; }
}

/// <param name="Version">The versions this channel takes, such as 1.2.x, ^1.2 or &gt;=1.2 &lt;2.</param>
public sealed record HelmRepositorySource(string Url, string Chart, string Version);

/// <param name="Pattern">A glob over tag names, such as v*.</param>
/// <param name="Semver">Optionally, the versions accepted among the matching tags.</param>
public sealed record GitTagsSource(string Repo, string Pattern, string? Semver);

public sealed record StageDefinition
{
    public required string Name { get; init; }

    /// <summary>True when the stage takes new freight straight from the sources.</summary>
    public bool FromSources { get; init; }

    /// <summary>The stages whose verified freight this one takes.</summary>
    public IReadOnlyList<string> From { get; init; } = [];

    /// <summary>What promoting does: steps that are task types (sync, git-commit, helm-publish, http, ...).</summary>
    public IReadOnlyList<PromotionStep> Promotion { get; init; } = [];

    public StageVerification? Verification { get; init; }

    public StageRules Rules { get; init; } = new();
}

public sealed record PromotionStep(string Uses, JsonElement? With);

/// <param name="Health">Wait for the promoted objects to be healthy before analysis.</param>
public sealed record StageVerification(AnalysisReference? Analysis, bool Health);
