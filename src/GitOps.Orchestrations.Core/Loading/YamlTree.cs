using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// A YAML node with the place it was written. Aliases point at the anchored node instead of
/// copying it, so an alias bomb costs nothing until something walks it, and every walk is budgeted.
/// </summary>
public abstract record YNode(SourcePosition Position);

public sealed record YScalar(SourcePosition Position, string Value, bool IsPlain) : YNode(Position)
{
    /// <summary>A plain <c>null</c>, <c>~</c> or empty scalar, as the YAML 1.2 core schema reads it.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

public sealed record YSequence(SourcePosition Position, IReadOnlyList<YNode> Items) : YNode(Position);

public sealed record YMapping(SourcePosition Position, IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries) : YNode(Position)
{
    public YNode? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;
}
