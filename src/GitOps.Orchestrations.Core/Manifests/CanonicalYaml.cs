using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// Normalized YAML: keys in ordinal order, block style, strings quoted only where YAML would read
/// them as something else, documents separated by <c>---</c>. The same objects always give the same bytes.
/// </summary>
public static class CanonicalYaml
{
    static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .WithIndentedSequences()
        .DisableAliases()
        .Build();

    public static string Write(JsonNode? node) => Serializer.Serialize(ToPlain(node)).Replace("\r\n", "\n", StringComparison.Ordinal);

    public static string WriteAll(IEnumerable<JsonNode> documents)
    {
        var text = new StringBuilder();
        foreach (JsonNode document in documents)
        {
            text.Append("---\n").Append(Write(document));
        }

        return text.ToString();
    }

    static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Aggregate(new SortedDictionary<string, object?>(StringComparer.Ordinal), (map, p) => { map[p.Key] = ToPlain(p.Value); return map; }),
        JsonArray array => array.Select(ToPlain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue(out long integer) ? integer
                : decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal number) ? number
                : value.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}
