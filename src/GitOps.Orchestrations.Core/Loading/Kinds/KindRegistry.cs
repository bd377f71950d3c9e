using System.Diagnostics.CodeAnalysis;

namespace GitOps.Orchestrations.Core.Loading.Kinds;

/// <summary>
/// The kinds this version reads. The loader, the catalog, validation and the published JSON
/// schemas all read this one list, so a kind is known everywhere or nowhere. An unknown kind is
/// reported with the known ones, never skipped.
/// </summary>
public sealed class KindRegistry
{
    readonly Dictionary<string, IDocumentKind> kinds = new(StringComparer.Ordinal);

    public KindRegistry(IEnumerable<IDocumentKind> kinds)
    {
        foreach (IDocumentKind kind in kinds)
        {
            if (!this.kinds.TryAdd(kind.Kind, kind))
            {
                throw new InvalidOperationException($"kind '{kind.Kind}' is registered twice");
            }
        }
    }

    public static KindRegistry Default { get; } = new(
    [
        new WorkflowKind(),
        new WorkflowTemplateKind(),
        new Analysis.AnalysisTemplateKind(),
        new Rollouts.RolloutKind(),
        new Promotion.PipelineKind(),
        new Policies.ClusterPolicyKind(),
        new Policies.PolicyKind(),
    ]);

    public IEnumerable<string> Names => kinds.Keys;

    public IEnumerable<IDocumentKind> All => kinds.Values;

    public bool TryGet(string kind, [MaybeNullWhen(false)] out IDocumentKind found) => kinds.TryGetValue(kind, out found);
}
