using GitOps.Orchestrations.Core.Delivery;

namespace GitOps.Orchestrations.Kubernetes;

public sealed record ApplyOptions
{
    /// <summary>The application's name: it names the inventory, which records what this application owns.</summary>
    public required string Application { get; init; }

    /// <summary>Namespace for objects that name none, and where the inventory lives.</summary>
    public string Namespace { get; init; } = "default";

    public bool Prune { get; init; }

    /// <summary>Plan and diff only: the server validates every object (server-side dry-run) and nothing is written.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Take over fields another manager owns, as <c>kubectl apply --server-side --force-conflicts</c>
    /// and Argo CD's server-side sync do: Git is the source of truth. Off, a conflict fails the apply.
    /// </summary>
    public bool ForceConflicts { get; init; } = true;

    /// <summary>
    /// Read live objects from the API, not from the cluster's watch-fed cache: for the apply that
    /// heals drift, which must see the change it has just found.
    /// </summary>
    public bool FreshRead { get; init; }

    public const string DefaultFieldManager = "gitops-orchestrations";

    public string FieldManager { get; init; } = DefaultFieldManager;

    public IReadOnlyList<IgnoreDifference> Ignore { get; init; } = [];

    /// <summary>What was rendered, kept in the inventory so that drift checks compare against exactly it.</summary>
    public AppliedSource? Source { get; init; }
}

/// <summary>The render an inventory was last applied from.</summary>
public sealed record AppliedSource(SourceSpec Source, string Revision, RenderSpec Render, string Digest, bool Prune = false, bool ForceConflicts = true);

/// <param name="Action"><c>created</c>, <c>configured</c>, <c>unchanged</c>, <c>pruned</c> or <c>kept</c> (prune refused by annotation).</param>
public sealed record ObjectChange(string Object, string Action, IReadOnlyList<string>? Fields = null);

/// <param name="Writes">Objects written or deleted.</param>
public sealed record ApplyReport(IReadOnlyList<ObjectChange> Changes, int Writes, string Diff)
{
    /// <summary>
    /// Whether the inventory was written too: when the set of owned objects changed, or the render
    /// did (its record names the commit that drift checks compare against).
    /// </summary>
    public bool InventoryUpdated { get; init; }

    public int Count(string action) => Changes.Count(c => c.Action == action);

    public string Summary =>
        $"{Count("created")} created, {Count("configured")} configured, {Count("unchanged")} unchanged, {Count("pruned")} pruned" +
        (Count("kept") > 0 ? $", {Count("kept")} kept from prune" : string.Empty);
}

/// <summary>An object whose live state no longer matches what was applied; <c>/</c> means it is missing.</summary>
public sealed record DriftedObject(string Object, IReadOnlyList<string> Fields);
