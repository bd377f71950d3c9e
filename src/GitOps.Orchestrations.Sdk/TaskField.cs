namespace GitOps.Orchestrations.Sdk;

public enum TaskFieldKind
{
    /// <summary>Any YAML value.</summary>
    Any,
    String,
    Number,
    Boolean,

    /// <summary>A duration such as 30s, 5m or 1h.</summary>
    Duration,

    /// <summary>A mapping of names to plain values.</summary>
    StringMap,
    StringList,

    /// <summary>A mapping.</summary>
    Object,
}

/// <summary>One field of a task type's <c>with:</c> block.</summary>
/// <param name="AllowedValues">For a string: the only values it may take (unless templated).</param>
public sealed record TaskField(TaskFieldKind Kind, bool Required = false, IReadOnlyList<string>? AllowedValues = null, string? Description = null);
