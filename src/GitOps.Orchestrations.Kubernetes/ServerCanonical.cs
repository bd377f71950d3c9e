using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>
/// A manifest as the API server will store it, for comparing with what it returns: the server
/// rewrites some values a manifest commonly writes another way, and a diff that did not do the same
/// would see every sync as a change and every object as drifted.
/// <list type="bullet">
/// <item>Resource quantities take their canonical form (<c>cpu: 1</c> reads back <c>"1"</c>,
/// <c>1024Mi</c> <c>"1Gi"</c>, <c>0.5</c> <c>"500m"</c>), wherever the built-in kinds hold them:
/// container and pod resources, claims' storage, <c>emptyDir.sizeLimit</c>, quotas, limit ranges,
/// volume capacity and runtime overhead.</item>
/// <item>A Secret's <c>stringData</c> is write-only: the server merges it into <c>data</c>, base64-encoded.</item>
/// </list>
/// </summary>
public static class ServerCanonical
{
    /// <summary>Maps whose values are all quantities, by the name of the field holding them.</summary>
    static readonly HashSet<string> QuantityMaps = new(StringComparer.Ordinal) { "limits", "requests", "capacity", "hard", "overhead", "allocatable", "max", "min", "default", "defaultRequest", "maxLimitRequestRatio" };

    const int MaxDepth = 100;

    /// <summary>The manifest itself when the server would store it as written, else a rewritten copy.</summary>
    public static JsonObject Normalize(JsonObject manifest)
    {
        bool secret = (string?)manifest["kind"] == "Secret" && manifest["stringData"] is JsonObject;
        if (!secret && (manifest["spec"] is not JsonObject written || !HasQuantities(written, null, null, 0)))
        {
            return manifest;
        }

        var copy = (JsonObject)manifest.DeepClone();
        if ((string?)copy["kind"] == "Secret" && (string?)copy["apiVersion"] == "v1" && copy["stringData"] is JsonObject stringData)
        {
            var data = copy["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)value! : value?.ToJsonString() ?? string.Empty));
            }

            copy.Remove("stringData");
            copy["data"] = data;
        }

        if (copy["spec"] is JsonObject spec)
        {
            Quantities(spec, null, null, 0);
        }

        return copy;
    }

    static void Quantities(JsonNode node, string? name, string? parent, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        switch (node)
        {
            case JsonObject map when name is not null && IsQuantityMap(name, parent):
                foreach (string key in map.Select(p => p.Key).ToList())
                {
                    map[key] = Canonical(map[key]);
                }

                break;
            case JsonObject map:
                foreach (var (key, value) in map.ToList())
                {
                    if (key == "sizeLimit" && name == "emptyDir" || key == "storage" && name is "requests" or "limits")
                    {
                        map[key] = Canonical(value);
                    }
                    else if (value is not null)
                    {
                        Quantities(value, key, name, depth + 1);
                    }
                }

                break;
            case JsonArray list:
                foreach (JsonNode? item in list)
                {
                    if (item is not null)
                    {
                        Quantities(item, name, parent, depth + 1);
                    }
                }

                break;
        }
    }

    static bool HasQuantities(JsonNode node, string? name, string? parent, int depth) => depth <= MaxDepth && node switch
    {
        JsonObject when name is not null && IsQuantityMap(name, parent) => true,
        JsonObject map => map.Any(p => p.Key == "sizeLimit" && name == "emptyDir" || p.Value is not null && HasQuantities(p.Value, p.Key, name, depth + 1)),
        JsonArray list => list.Any(item => item is not null && HasQuantities(item, name, parent, depth + 1)),
        _ => false,
    };

    // limits and requests hold quantities under resources (containers, pods, claims); hard under a
    // quota's spec; max, min and the defaults inside a LimitRange's limits; capacity and overhead
    // under a volume's or runtime class's spec.
    static bool IsQuantityMap(string name, string? parent) => name switch
    {
        "limits" or "requests" => parent == "resources",
        "max" or "min" or "default" or "defaultRequest" or "maxLimitRequestRatio" => parent == "limits",
        _ => QuantityMaps.Contains(name),
    };

    /// <summary>The canonical form of one quantity; a value that is not one is left for the server to refuse.</summary>
    public static JsonNode? Canonical(JsonNode? value)
    {
        string? text = value?.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => (string?)value,
            System.Text.Json.JsonValueKind.Number => value!.ToJsonString(),
            _ => null,
        };

        if (text is null or { Length: 0 or > 64 } || text[0] == '-')
        {
            return value?.DeepClone();
        }

        try
        {
            return JsonValue.Create(new ResourceQuantity(text).CanonicalizeString());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return value?.DeepClone();
        }
    }
}
