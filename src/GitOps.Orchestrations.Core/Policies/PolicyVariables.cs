using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>
/// The part of Kyverno's <c>{{ … }}</c> variables a sync can answer: paths into the object being
/// checked, <c>request.object.a.b</c>, with <c>[n]</c> for an element, <c>[]</c> for every
/// element, and <c>"…"</c> for a field with dots (a label key). Admission details (the user, the
/// operation, the old object) do not exist before an apply, and other JMESPath is not evaluated:
/// both are refused when the policy is read, never guessed at.
/// </summary>
public static partial class PolicyVariables
{
    const string Root = "request.object";
    const int MaxSegments = 32;

    /// <summary>Why <paramref name="text"/> holds a variable this engine cannot evaluate, or null.</summary>
    public static string? Problem(string text)
    {
        foreach (Match variable in Variable().Matches(text))
        {
            if (Parse(variable.Groups[1].Value, out string? problem) is null)
            {
                return problem;
            }
        }

        return text.Contains("{{", StringComparison.Ordinal) && !Variable().IsMatch(text) ? $"'{text}' opens a variable '{{{{' it does not close" : null;
    }

    /// <summary>The value a key stands for: a lone variable is its value (a list for <c>[]</c>), text with variables is text.</summary>
    public static JsonNode? Resolve(string text, JsonObject obj)
    {
        Match whole = Variable().Match(text);
        if (whole.Success && whole.Index == 0 && whole.Length == text.Length)
        {
            return Evaluate(Parse(whole.Groups[1].Value, out _) ?? [], obj)?.DeepClone();
        }

        return JsonValue.Create(Substitute(text, obj, _ => true));
    }

    /// <summary>
    /// A message with its variables filled in. Values of a Secret's <c>data</c> and <c>stringData</c>
    /// are never written into a message, whatever the policy asks: messages reach run status.
    /// </summary>
    public static string Message(string text, JsonObject obj)
    {
        bool secret = (string?)obj["kind"] == "Secret";
        return Substitute(text, obj, segments => !secret || segments.Count == 0 || segments[0] is not ("data" or "stringData"));
    }

    static string Substitute(string text, JsonObject obj, Func<List<string>, bool> allowed) =>
        Variable().Replace(text, m =>
        {
            List<string>? segments = Parse(m.Groups[1].Value, out _);
            if (segments is null || !allowed(segments))
            {
                return m.Value;
            }

            return Evaluate(segments, obj) switch
            {
                null => "null",
                JsonValue value when ScalarPattern.Text(value) is string scalar => scalar,
                JsonNode node => node.ToJsonString(),
            };
        });

    /// <summary>The path after <c>request.object</c> as segments: field names, <c>[]</c> and <c>[n]</c>.</summary>
    static List<string>? Parse(string expression, out string? problem)
    {
        problem = null;
        string text = expression.Trim();
        if (!text.StartsWith(Root, StringComparison.Ordinal))
        {
            problem = $"variable '{{{{{expression}}}}}' is not supported: a sync can answer paths into the object being checked (request.object…) only";
            return null;
        }

        var segments = new List<string>();
        int i = Root.Length;
        while (i < text.Length)
        {
            if (segments.Count >= MaxSegments)
            {
                problem = $"variable '{{{{{expression}}}}}' is deeper than {MaxSegments} fields";
                return null;
            }

            if (text[i] == '.' && i + 1 < text.Length && text[i + 1] == '"')
            {
                int close = text.IndexOf('"', i + 2);
                if (close < 0)
                {
                    break;
                }

                segments.Add(text[(i + 2)..close]);
                i = close + 1;
            }
            else if (text[i] == '.')
            {
                int start = ++i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-'))
                {
                    i++;
                }

                if (i == start)
                {
                    break;
                }

                segments.Add(text[start..i]);
            }
            else if (text[i] == '[')
            {
                int close = text.IndexOf(']', i);
                if (close < 0 || (close > i + 1 && !int.TryParse(text.AsSpan(i + 1, close - i - 1), out _)))
                {
                    break;
                }

                segments.Add(text[i..(close + 1)]);
                i = close + 1;
            }
            else
            {
                break;
            }
        }

        if (i < text.Length)
        {
            problem = $"variable '{{{{{expression}}}}}' is not supported: only a path such as request.object.spec.containers[].image is evaluated (no JMESPath functions, filters or operators)";
            return null;
        }

        return segments;
    }

    /// <summary>JMESPath's projection: after <c>[]</c>, the rest of the path applies to each element and missing results drop out.</summary>
    static JsonNode? Evaluate(List<string> segments, JsonNode? node, int from = 0)
    {
        for (int i = from; i < segments.Count; i++)
        {
            string segment = segments[i];
            if (segment == "[]")
            {
                if (node is not JsonArray list)
                {
                    return null;
                }

                var projected = new JsonArray();
                foreach (JsonNode? element in list)
                {
                    if (Evaluate(segments, element, i + 1) is JsonNode result)
                    {
                        if (result is JsonArray nested && segments.Skip(i + 1).Contains("[]"))
                        {
                            foreach (JsonNode? inner in nested)
                            {
                                projected.Add(inner?.DeepClone());
                            }
                        }
                        else
                        {
                            projected.Add(result.DeepClone());
                        }
                    }
                }

                return projected;
            }

            node = segment.StartsWith('[')
                ? node is JsonArray array && int.Parse(segment[1..^1], System.Globalization.CultureInfo.InvariantCulture) is int index && index >= 0 && index < array.Count ? array[index] : null
                : node is JsonObject map ? map[segment] : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    [GeneratedRegex(@"\{\{([^{}]*)\}\}")]
    private static partial Regex Variable();
}
