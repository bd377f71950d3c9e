namespace GitOps.Orchestrations.Core.Loading;

/// <summary>Bounds that keep hostile YAML from costing more than a legitimate workflow ever would.</summary>
public sealed record LoadLimits
{
    public static readonly LoadLimits Default = new();

    public int MaxFileBytes { get; init; } = 1024 * 1024;

    public int MaxDepth { get; init; } = 64;

    /// <summary>Nodes visited when expanding aliases into values; a billion-laughs file blows through it at once.</summary>
    public int MaxExpandedNodes { get; init; } = 100_000;
}
