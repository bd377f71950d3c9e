using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Reads the fields of one YAML mapping, records a positioned diagnostic for each problem, and at
/// the end reports every field nobody asked for, so a typo is never silently ignored.
/// </summary>
internal sealed class MappingReader
{
    readonly string file;
    readonly List<Diagnostic> diagnostics;
    readonly HashSet<string> taken = new(StringComparer.Ordinal);

    public MappingReader(string file, YMapping mapping, string what, List<Diagnostic> diagnostics)
    {
        this.file = file;
        Mapping = mapping;
        What = what;
        this.diagnostics = diagnostics;
    }

    public YMapping Mapping { get; }

    public string What { get; }

    public static MappingReader? For(string file, YNode? node, string what, List<Diagnostic> diagnostics)
    {
        if (node is YMapping mapping)
        {
            return new MappingReader(file, mapping, what, diagnostics);
        }

        if (node is not null)
        {
            diagnostics.Add(new(file, node.Position, $"{what} must be a mapping"));
        }

        return null;
    }

    public YNode? Node(string key, bool required = false)
    {
        taken.Add(key);
        YNode? node = Mapping[key];
        if (node is YScalar { IsNull: true })
        {
            node = null;
        }

        if (node is null && required)
        {
            Error(Mapping.Position, $"{What} is missing required field '{key}'");
        }

        return node;
    }

    public SourcePosition? PositionOf(string key) => Mapping[key]?.Position;

    public string? String(string key, bool required = false)
    {
        YNode? node = Node(key, required);
        switch (node)
        {
            case null:
                return null;
            case YScalar scalar:
                return scalar.Value;
            default:
                Error(node.Position, $"'{key}' must be a string");
                return null;
        }
    }

    public bool? Boolean(string key)
    {
        YNode? node = Node(key);
        switch (node)
        {
            case null:
                return null;
            case YScalar { Value: "true" or "True" or "TRUE" }:
                return true;
            case YScalar { Value: "false" or "False" or "FALSE" }:
                return false;
            default:
                Error(node.Position, $"'{key}' must be true or false");
                return null;
        }
    }

    public int? Integer(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        YNode? node = Node(key);
        if (node is null)
        {
            return null;
        }

        if (node is YScalar scalar && int.TryParse(scalar.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value))
        {
            if (value < min || value > max)
            {
                Error(node.Position, $"'{key}' must be between {min} and {max}");
                return null;
            }

            return value;
        }

        Error(node.Position, $"'{key}' must be a whole number");
        return null;
    }

    public TimeSpan? Duration(string key)
    {
        YNode? node = Node(key);
        switch (node)
        {
            case null:
                return null;
            case YScalar scalar when Durations.TryParse(scalar.Value, out TimeSpan value, out string? error):
                return value;
            case YScalar scalar:
                _ = Durations.TryParse(scalar.Value, out _, out string? message);
                Error(node.Position, $"'{key}': {message}");
                return null;
            default:
                Error(node.Position, $"'{key}' must be a duration such as 30s, 5m or 1h");
                return null;
        }
    }

    /// <summary>Call last: every key not read is an error, with the field names that are allowed.</summary>
    public void RejectUnknown()
    {
        foreach (var (key, _) in Mapping.Entries)
        {
            if (!taken.Contains(key.Value))
            {
                Error(key.Position, $"unknown field '{key.Value}' in {What} (allowed: {string.Join(", ", taken.Order(StringComparer.Ordinal))})");
            }
        }
    }

    public void Error(SourcePosition position, string message) => diagnostics.Add(new(file, position, message));
}
