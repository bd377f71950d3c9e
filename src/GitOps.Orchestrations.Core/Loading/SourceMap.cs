using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>Where each part of a loaded workflow was written, so later checks can point at it.</summary>
public sealed class SourceMap(string file, SourcePosition document)
{
    readonly Dictionary<string, SourcePosition> positions = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public SourcePosition Document { get; } = document;

    /// <summary>The place of a task (<paramref name="field"/> null) or of one of its fields, falling back to the nearest known place.</summary>
    public SourcePosition Of(string task, string? field = null)
    {
        if (field is not null && positions.TryGetValue($"{task}/{field}", out SourcePosition position))
        {
            return position;
        }

        return positions.TryGetValue(task, out position) ? position : Document;
    }

    internal void Set(string task, string? field, SourcePosition position) =>
        positions[field is null ? task : $"{task}/{field}"] = position;
}

/// <summary>A workflow as loaded from one YAML document, with where it came from.</summary>
public sealed record WorkflowDocument(WorkflowDefinition Definition, SourceMap Map);
