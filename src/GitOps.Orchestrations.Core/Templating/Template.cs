using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Templating;

/// <summary>A reference written as <c>{{params.greeting}}</c>, with its 1-based column in the string.</summary>
public sealed record TemplateReference(string Path, int Column)
{
    public string[] Parts => Path.Split('.');
}

/// <summary>
/// Argo-style <c>{{...}}</c> substitution. References are plain paths, never code, so rendering
/// cannot run anything: <c>params.N</c>, <c>tasks.X.outputs.Y</c>, <c>item</c>, <c>item.field</c>
/// and <c>workflow.FIELD</c>. The one exception, <c>{{= expr }}</c>, is an expression of the sandboxed
/// language, which reads those values as variables.
/// </summary>
public static partial class Template
{
    public static IEnumerable<TemplateReference> References(string text)
    {
        foreach (Match match in ReferencePattern().Matches(text))
        {
            yield return new TemplateReference(match.Groups[1].Value, match.Index + 1);
        }
    }

    /// <summary>All references in every string of a JSON value (a task's <c>with</c> block).</summary>
    public static IEnumerable<TemplateReference> References(JsonElement value) => Strings(value).SelectMany(References);

    public static bool IsValidPath(string path) => PathPattern().IsMatch(path);

    /// <summary>The expression of an expression template (<c>{{= params.n * 2 }}</c>), or null for a plain reference.</summary>
    public static string? ExpressionSource(string path) => path.StartsWith('=') ? path[1..].Trim() : null;

    public static bool HasReferences(string text) => text.Contains("{{", StringComparison.Ordinal);

    public static string Render(string text, ITemplateScope scope)
    {
        if (!HasReferences(text))
        {
            return text;
        }

        return ReferencePattern().Replace(text, match =>
        {
            string path = match.Groups[1].Value;
            if (ExpressionSource(path) is string expression)
            {
                // Argo's {{= expr }}: evaluated in the sandbox, with values passed as variables, never spliced into code.
                return AsText(Expressions.ExpressionLanguage.Compile(expression).Evaluate(scope));
            }

            return scope.TryResolve(path, out JsonElement value)
                ? AsText(value)
                : throw new TemplateException($"'{{{{{path}}}}}' cannot be resolved here");
        });
    }

    /// <summary>
    /// Renders every string inside a JSON value, leaving its shape alone. Top-level fields that
    /// <paramref name="keepAsWritten"/> names are left as written: expressions, which get their
    /// values as variables when they are evaluated rather than as text spliced into their source.
    /// </summary>
    public static JsonElement Render(JsonElement value, ITemplateScope scope, Func<string, bool>? keepAsWritten = null)
    {
        if (!Strings(value).Any(HasReferences))
        {
            return value;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (keepAsWritten is not null && value.ValueKind == JsonValueKind.Object)
            {
                writer.WriteStartObject();
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (keepAsWritten(property.Name))
                    {
                        property.Value.WriteTo(writer);
                    }
                    else
                    {
                        Write(writer, property.Value, scope);
                    }
                }

                writer.WriteEndObject();
            }
            else
            {
                Write(writer, value, scope);
            }
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>How a value reads inside a string: strings as they are, anything else as compact JSON.</summary>
    public static string AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        _ => value.GetRawText(),
    };

    static void Write(Utf8JsonWriter writer, JsonElement value, ITemplateScope scope)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                writer.WriteStringValue(Render(value.GetString()!, scope));
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in value.EnumerateArray())
                {
                    Write(writer, item, scope);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, scope);
                }

                writer.WriteEndObject();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    static IEnumerable<string> Strings(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                yield return value.GetString()!;
                break;
            case JsonValueKind.Array:
                foreach (string s in value.EnumerateArray().SelectMany(Strings))
                {
                    yield return s;
                }

                break;
            case JsonValueKind.Object:
                foreach (string s in value.EnumerateObject().SelectMany(p => Strings(p.Value)))
                {
                    yield return s;
                }

                break;
        }
    }

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*\z")]
    private static partial Regex PathPattern();
}

public sealed class TemplateException(string message) : Exception(message);
