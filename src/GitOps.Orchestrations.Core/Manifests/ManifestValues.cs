using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>Scalar equality as the API server sees it: numbers by value, everything else by its JSON.</summary>
public static class ManifestValues
{
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        JsonValueKind kind = a.GetValueKind();
        if (kind == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number)
        {
            return a.GetValue<double>() == b.GetValue<double>();
        }

        return kind == b.GetValueKind() && JsonNode.DeepEquals(a, b);
    }

    /// <summary>An empty map or list: the API server drops both (<c>omitempty</c>), so neither differs from absent.</summary>
    public static bool IsEmpty(JsonNode? node) => node is null || node is JsonObject { Count: 0 } || node is JsonArray { Count: 0 };
}
