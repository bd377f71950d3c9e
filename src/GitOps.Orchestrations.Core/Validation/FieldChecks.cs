using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Validation;

/// <summary>Checks one value of a task's <c>with</c> block against its <see cref="FieldSpec"/>.</summary>
public static class FieldChecks
{
    public static string? Check(FieldSpec field, JsonElement value)
    {
        bool templated = value.ValueKind == JsonValueKind.String && Template.HasReferences(value.GetString()!);
        if (field.Literal && Template.References(value).Any())
        {
            return "must be written out here, not templated with {{...}}: what a run is given must not decide its policy or become its code";
        }

        switch (field.Kind)
        {
            case FieldKind.Any:
                return null;
            case FieldKind.String when value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                return field.AllowedValues is { } allowed && !templated && !allowed.Contains(text)
                    ? $"'{text}' is not one of {string.Join(", ", allowed)}"
                    : null;
            case FieldKind.Number when value.ValueKind == JsonValueKind.Number || templated:
            case FieldKind.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False || templated:
                return null;
            case FieldKind.Duration when value.ValueKind is JsonValueKind.String or JsonValueKind.Number:
                return templated || Durations.TryParse(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(), out _, out string? error) ? null : error;
            case FieldKind.Expression when value.ValueKind == JsonValueKind.String:
                return CheckExpression(value.GetString()!, out _, field.Variables);
            case FieldKind.StringMap when value.ValueKind == JsonValueKind.Object:
                return value.EnumerateObject().All(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                    ? null
                    : "must map names to plain values";
            case FieldKind.Object when value.ValueKind == JsonValueKind.Object:
                return null;
            case FieldKind.StringList when value.ValueKind == JsonValueKind.Array:
                return value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) ? null : "must be a list of strings";
            default:
                return $"must be {Describe(field.Kind)}";
        }
    }

    /// <summary>
    /// Checks a run-time expression, which may hold <c>{{...}}</c> references (passed to it as values)
    /// and read params, tasks, item and workflow, plus the <paramref name="variables"/> its field adds.
    /// </summary>
    public static string? CheckExpression(string expression, out SourcePosition position, IEnumerable<string>? variables = null) =>
        ExpressionLanguage.Check(expression, out position, new HashSet<string>(CompiledExpression.ScopeVariables.Concat(variables ?? []), StringComparer.Ordinal));

    static string Describe(FieldKind kind) => kind switch
    {
        FieldKind.String => "a string",
        FieldKind.Number => "a number",
        FieldKind.Boolean => "true or false",
        FieldKind.Duration => "a duration such as 30s, 5m or 1h",
        FieldKind.Expression => "an expression string",
        FieldKind.StringMap => "a mapping of names to values",
        FieldKind.Object => "a mapping",
        FieldKind.StringList => "a list of strings",
        _ => "a value",
    };
}
