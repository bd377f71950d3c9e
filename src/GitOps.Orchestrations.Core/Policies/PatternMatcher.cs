using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>How a pattern met an object.</summary>
public enum PatternOutcome
{
    Pass,
    Fail,

    /// <summary>A conditional anchor did not hold: the map (or the list element) it guards is not checked.</summary>
    Skip,

    /// <summary>A global anchor did not hold: the whole rule does not apply to this object.</summary>
    SkipRule,
}

/// <summary>The outcome, and for a failure the field path and why, in words that never quote the object's value.</summary>
public readonly record struct PatternResult(PatternOutcome Outcome, string Path = "", string Reason = "")
{
    public static readonly PatternResult Pass = new(PatternOutcome.Pass);

    public static PatternResult Fail(string path, string reason) => new(PatternOutcome.Fail, path, reason);
}

/// <summary>
/// Kyverno's validate <c>pattern</c>, as its documentation describes it: every field the pattern
/// names must be present and match, fields it does not name are free, a one-element list pattern
/// applies to every element, and the anchors <c>()</c>, <c>=()</c>, <c>X()</c>, <c>^()</c> and
/// <c>&lt;()</c> relax or tighten that. Recursion follows the pattern, whose depth the loader bounds.
/// </summary>
public static class PatternMatcher
{
    public static PatternResult Match(JsonNode? value, JsonElement pattern, string path = "") => pattern.ValueKind switch
    {
        JsonValueKind.Object => MatchMap(value, pattern, path),
        JsonValueKind.Array => MatchList(value, pattern, path),
        _ => ScalarPattern.Matches(value, pattern) ? PatternResult.Pass : PatternResult.Fail(Display(path), $"must be {ScalarPattern.Describe(pattern)}"),
    };

    static PatternResult MatchMap(JsonNode? value, JsonElement pattern, string path)
    {
        if (value is not JsonObject map)
        {
            return PatternResult.Fail(Display(path), "must be a map");
        }

        // Conditions first: where one does not hold, nothing else of this map is checked.
        foreach (JsonProperty property in pattern.EnumerateObject())
        {
            PatternKey key = PatternKey.Parse(property.Name);
            if (key.Anchor is Anchor.Conditional or Anchor.Global)
            {
                string at = Join(path, key.Field);
                bool holds = map.TryGetPropertyValue(key.Field, out JsonNode? found)
                    && Match(found, property.Value, at).Outcome == PatternOutcome.Pass;
                if (!holds)
                {
                    return new(key.Anchor == Anchor.Global ? PatternOutcome.SkipRule : PatternOutcome.Skip);
                }
            }
        }

        PatternResult? failure = null;
        foreach (JsonProperty property in pattern.EnumerateObject())
        {
            PatternKey key = PatternKey.Parse(property.Name);
            string at = Join(path, key.Field);
            bool present = map.TryGetPropertyValue(key.Field, out JsonNode? found);
            PatternResult result;
            switch (key.Anchor)
            {
                case Anchor.Conditional or Anchor.Global:
                    continue;
                case Anchor.Negation:
                    result = present ? PatternResult.Fail(Display(at), "must not be set") : PatternResult.Pass;
                    break;
                case Anchor.Equality:
                    result = present ? Match(found, property.Value, at) : PatternResult.Pass;
                    break;
                case Anchor.Existence:
                    result = MatchSome(found, property.Value, at);
                    break;
                default:
                    result = !present && property.Value.ValueKind != JsonValueKind.Null
                        ? PatternResult.Fail(Display(at), "is required")
                        : Match(found, property.Value, at);
                    break;
            }

            // A failure still looks on: a global anchor further down may take the whole rule away.
            if (result.Outcome is PatternOutcome.SkipRule || (result.Outcome is PatternOutcome.Skip && failure is null))
            {
                return result;
            }

            failure ??= result.Outcome == PatternOutcome.Fail ? result : null;
        }

        return failure ?? PatternResult.Pass;
    }

    static PatternResult MatchList(JsonNode? value, JsonElement pattern, string path)
    {
        if (value is not JsonArray list)
        {
            return PatternResult.Fail(Display(path), "must be a list");
        }

        int patterns = pattern.GetArrayLength();
        if (patterns == 0)
        {
            return PatternResult.Pass;
        }

        for (int i = 0; i < list.Count; i++)
        {
            // One element patterns every element; several pattern the elements at their places.
            if (patterns > 1 && i >= patterns)
            {
                break;
            }

            PatternResult result = Match(list[i], pattern[patterns == 1 ? 0 : i], $"{path}[{i}]");
            switch (result.Outcome)
            {
                case PatternOutcome.Skip:
                    continue;
                case PatternOutcome.Fail or PatternOutcome.SkipRule:
                    return result;
            }
        }

        return patterns > 1 && list.Count < patterns ? PatternResult.Fail(Display(path), $"must have at least {patterns} elements") : PatternResult.Pass;
    }

    /// <summary><c>^(list)</c>: at least one element satisfies the pattern's element.</summary>
    static PatternResult MatchSome(JsonNode? value, JsonElement pattern, string path)
    {
        if (value is not JsonArray list || pattern.ValueKind != JsonValueKind.Array || pattern.GetArrayLength() != 1)
        {
            return PatternResult.Fail(Display(path), "must be a list with an element matching the pattern");
        }

        for (int i = 0; i < list.Count; i++)
        {
            if (Match(list[i], pattern[0], $"{path}[{i}]").Outcome == PatternOutcome.Pass)
            {
                return PatternResult.Pass;
            }
        }

        return PatternResult.Fail(Display(path), "has no element matching the pattern");
    }

    static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    static string Display(string path) => path;
}
