using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>The generated client returns custom-object bodies as <see cref="JsonElement"/>; this views one as a node without re-serializing it.</summary>
internal static class Json
{
    public static JsonNode? ToNode(object? body) => body switch
    {
        JsonElement { ValueKind: JsonValueKind.Object } element => JsonObject.Create(element),
        JsonElement { ValueKind: JsonValueKind.Array } element => JsonArray.Create(element),
        JsonNode node => node,
        null => null,
        _ => JsonSerializer.SerializeToNode(body),
    };
}
