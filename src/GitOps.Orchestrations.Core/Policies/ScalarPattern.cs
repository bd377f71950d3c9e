using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>
/// A pattern's leaf against an object's value. Strings carry Kyverno's small language: <c>|</c> (or),
/// <c>&amp;</c> (and), <c>!</c> (not), <c>&gt;</c> <c>&lt;</c> <c>&gt;=</c> <c>&lt;=</c> on numbers,
/// quantities and durations, ranges <c>a-b</c> and <c>a!-b</c>, and the wildcards <c>*</c> and <c>?</c>.
/// </summary>
public static class ScalarPattern
{
    /// <summary>Whether <paramref name="value"/> (null when the field is absent or null) satisfies <paramref name="pattern"/>.</summary>
    public static bool Matches(JsonNode? value, JsonElement pattern) => pattern.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => value is null,
        JsonValueKind.True or JsonValueKind.False => value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False && v.GetValue<bool>() == pattern.GetBoolean(),
        JsonValueKind.Number => Text(value) is string text && PolicyNumbers.TryParsePair(text, pattern.GetRawText(), out decimal found, out decimal wanted) && found == wanted,
        JsonValueKind.String => Text(value) is string text && Matches(text, pattern.GetString()!),
        _ => false,
    };

    /// <summary>The text of a scalar, as a pattern string compares it; null for an absent value, a map or a list.</summary>
    public static string? Text(JsonNode? value) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True => "true",
        JsonValue v when v.GetValueKind() is JsonValueKind.False => "false",
        JsonValue v when v.GetValueKind() is JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    public static bool Matches(string value, string pattern) =>
        pattern.Split('|').Any(alternative => alternative.Split('&').All(term => Term(value, term.Trim())));

    static bool Term(string value, string term)
    {
        foreach ((string op, Func<decimal, decimal, bool> compare) in Comparisons)
        {
            if (term.StartsWith(op, StringComparison.Ordinal))
            {
                string operand = term[op.Length..].Trim();
                return PolicyNumbers.TryParsePair(value, operand, out decimal found, out decimal bound) && compare(found, bound);
            }
        }

        if (term.StartsWith('!'))
        {
            return !Term(value, term[1..]);
        }

        if (Range(term) is (string low, string high, bool inside)
            && PolicyNumbers.TryParsePair(value, low, out decimal number, out decimal from) && PolicyNumbers.TryParsePair(value, high, out _, out decimal to))
        {
            return (number >= from && number <= to) == inside;
        }

        // 1 and 1.0, or 1Gi and 1024Mi, are the same quantity however written.
        if (!Wildcard.HasWildcard(term) && PolicyNumbers.TryParsePair(term, value, out decimal a, out decimal b))
        {
            return a == b;
        }

        return Wildcard.Matches(term, value);
    }

    static readonly (string Op, Func<decimal, decimal, bool> Compare)[] Comparisons =
    [
        (">=", (a, b) => a >= b), ("<=", (a, b) => a <= b), (">", (a, b) => a > b), ("<", (a, b) => a < b),
    ];

    /// <summary><c>1-10</c> (inside) or <c>1!-10</c> (outside), where both ends are numbers or quantities.</summary>
    static (string Low, string High, bool Inside)? Range(string term)
    {
        int outside = term.IndexOf("!-", 1, StringComparison.Ordinal);
        int dash = outside > 0 ? outside : term.IndexOf('-', 1);
        if (dash <= 0)
        {
            return null;
        }

        string low = term[..dash], high = term[(dash + (outside > 0 ? 2 : 1))..];
        return PolicyNumbers.TryParse(low, out _) && PolicyNumbers.TryParse(high, out _) ? (low, high, outside <= 0) : null;
    }

    /// <summary>How a pattern's leaf reads in a message: never the object's value, which may be a secret.</summary>
    public static string Describe(JsonElement pattern) => pattern.ValueKind switch
    {
        JsonValueKind.String => $"'{pattern.GetString()}'",
        JsonValueKind.Null => "absent",
        _ => pattern.GetRawText().ToString(CultureInfo.InvariantCulture),
    };
}
