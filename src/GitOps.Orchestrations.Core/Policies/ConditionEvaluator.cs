using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>Kyverno's condition operators, over a key resolved against the object and a value from the policy.</summary>
public static class ConditionEvaluator
{
    public static readonly IReadOnlyList<string> Operators =
    [
        "Equals", "NotEquals", "In", "NotIn", "AnyIn", "AllIn", "AnyNotIn", "AllNotIn",
        "GreaterThan", "GreaterThanOrEquals", "LessThan", "LessThanOrEquals",
    ];

    /// <summary>Whether the deny conditions hold for <paramref name="obj"/>: every <c>all</c> and, when given, some <c>any</c>.</summary>
    public static bool Holds(DenyConditions conditions, JsonObject obj) =>
        conditions.All.All(c => Holds(c, obj)) && (conditions.Any.Count == 0 || conditions.Any.Any(c => Holds(c, obj)));

    public static bool Holds(PolicyCondition condition, JsonObject obj)
    {
        JsonNode? key = Resolve(condition.Key, obj);
        JsonNode? value = Resolve(condition.Value, obj);
        List<JsonNode?> keys = key is JsonArray many ? [.. many] : [key];
        List<JsonNode?> values = value is JsonArray list ? [.. list] : [value];
        return condition.Operator switch
        {
            "Equals" => Same(key, value),
            "NotEquals" => !Same(key, value),
            "In" or "AllIn" => keys.Count > 0 && keys.All(k => values.Any(v => Member(k, v))),
            "NotIn" or "AllNotIn" => keys.All(k => !values.Any(v => Member(k, v))),
            "AnyIn" => keys.Any(k => values.Any(v => Member(k, v))),
            "AnyNotIn" => keys.Any(k => !values.Any(v => Member(k, v))),
            "GreaterThan" => Compare(key, value) is > 0,
            "GreaterThanOrEquals" => Compare(key, value) is >= 0,
            "LessThan" => Compare(key, value) is < 0,
            "LessThanOrEquals" => Compare(key, value) is <= 0,
            _ => false,
        };
    }

    static JsonNode? Resolve(JsonElement element, JsonObject obj) => element.ValueKind switch
    {
        JsonValueKind.String => PolicyVariables.Resolve(element.GetString()!, obj),
        JsonValueKind.Array => new JsonArray([.. element.EnumerateArray().Select(e => Resolve(e, obj))]),
        _ => JsonNode.Parse(element.GetRawText()),
    };

    static bool Same(JsonNode? a, JsonNode? b) =>
        JsonNode.DeepEquals(a, b) || (ScalarPattern.Text(a) is string x && ScalarPattern.Text(b) is string y && (x == y || (Wildcard.HasWildcard(y) && Wildcard.Matches(y, x))));

    static bool Member(JsonNode? item, JsonNode? candidate) => Same(item, candidate);

    static int? Compare(JsonNode? a, JsonNode? b) =>
        ScalarPattern.Text(a) is string x && ScalarPattern.Text(b) is string y && PolicyNumbers.TryParsePair(x, y, out decimal m, out decimal n)
            ? m.CompareTo(n)
            : null;
}
