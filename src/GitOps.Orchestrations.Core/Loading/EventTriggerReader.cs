using GitOps.Orchestrations.Core.Events;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Reads one <c>webhook</c>, <c>queue</c> or <c>blob</c> trigger of a workflow. Expressions are
/// checked here, against the two names they may read (<c>event</c>, <c>body</c>), so a typo is a
/// positioned error at load, not a trigger that silently never fires.
/// </summary>
internal static class EventTriggerReader
{
    /// <summary>Names Azure Storage accepts for queues and containers (3-63 lowercase letters, digits and single dashes).</summary>
    static bool IsStorageName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("--", StringComparison.Ordinal);

    public static EventTriggerSpec? Read(MappingReader reader, EventSourceKind source, IReadOnlyList<ParamSpec> parameters)
    {
        string nameKey = source switch { EventSourceKind.Webhook => "hook", EventSourceKind.Queue => "queue", _ => "container" };
        string? name = reader.String(nameKey, required: true);
        string? prefix = source == EventSourceKind.Blob ? reader.String("prefix") : null;
        IReadOnlyList<string>? types = source == EventSourceKind.Webhook ? Strings(reader, "events") : null;
        string? filter = Expression(reader, "filter");
        string? revision = Expression(reader, "revision");
        Dictionary<string, string>? mapped = Params(reader, parameters);
        reader.RejectUnknown();
        if (name is null)
        {
            return null;
        }

        bool valid = source == EventSourceKind.Webhook
            ? DocumentNames.DnsLabel(name, "hook") is null
            : IsStorageName(name);
        if (!valid)
        {
            reader.Error(reader.PositionOf(nameKey)!.Value, source == EventSourceKind.Webhook
                ? $"hook '{name}' must be a DNS label (lowercase letters, digits and '-', at most 63)"
                : $"{nameKey} '{name}' is not an Azure Storage {nameKey} name (3-63 lowercase letters, digits and single '-')");
            return null;
        }

        return new EventTriggerSpec(source, name, prefix, types, filter, mapped, revision);
    }

    static string? Expression(MappingReader reader, string key)
    {
        string? text = reader.String(key);
        if (text is null)
        {
            return null;
        }

        if (ExpressionLanguage.Check(text, out SourcePosition position, EventTriggerSpec.Variables, allowTemplates: false) is string problem)
        {
            SourcePosition at = reader.PositionOf(key)!.Value;
            reader.Error(position.Line == 1 ? at with { Column = at.Column + position.Column - 1 } : at, $"{key}: {problem}");
            return null;
        }

        return text;
    }

    static List<string>? Strings(MappingReader reader, string key)
    {
        switch (reader.Node(key))
        {
            case null:
                return null;
            case YSequence { Items.Count: > 0 } list when list.Items.All(i => i is YScalar { Value.Length: > 0 }):
                return [.. list.Items.Cast<YScalar>().Select(i => i.Value)];
            case YNode other:
                reader.Error(other.Position, $"{key} must be a non-empty list of event types");
                return null;
        }
    }

    static Dictionary<string, string>? Params(MappingReader reader, IReadOnlyList<ParamSpec> parameters)
    {
        switch (reader.Node("params"))
        {
            case null:
                return null;
            case YMapping mapping:
                var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (key, value) in mapping.Entries)
                {
                    if (parameters.All(p => p.Name != key.Value))
                    {
                        reader.Error(key.Position, $"params: '{key.Value}' is not a param of this workflow (its params: {string.Join(", ", parameters.Select(p => p.Name))})");
                    }
                    else if (value is not YScalar { Value.Length: > 0 } scalar)
                    {
                        reader.Error(value.Position, $"params.{key.Value} must be an expression over event and body");
                    }
                    else if (ExpressionLanguage.Check(scalar.Value, out SourcePosition position, EventTriggerSpec.Variables, allowTemplates: false) is string problem)
                    {
                        reader.Error(position.Line == 1 ? scalar.Position with { Column = scalar.Position.Column + position.Column - 1 } : scalar.Position, $"params.{key.Value}: {problem}");
                    }
                    else
                    {
                        mapped[key.Value] = scalar.Value;
                    }
                }

                return mapped;
            case YNode other:
                reader.Error(other.Position, "params must map param names to expressions over event and body");
                return null;
        }
    }
}
