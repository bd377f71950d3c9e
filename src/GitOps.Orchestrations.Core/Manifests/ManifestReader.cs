using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// Reads multi-document Kubernetes YAML into objects. Empty documents are skipped and a <c>kind: List</c>
/// is flattened, as kubectl does; anything else that is not a mapping is an error at its <c>file:line:col</c>.
/// </summary>
public static class ManifestReader
{
    /// <summary>Rendered output is machine-made and can be large; the bounds still stop alias bombs.</summary>
    public static readonly LoadLimits Limits = new() { MaxFileBytes = 64 * 1024 * 1024, MaxExpandedNodes = 10_000_000, MaxDepth = 128 };

    public static IReadOnlyList<Manifest> Read(string file, string text, List<Diagnostic> diagnostics)
    {
        var manifests = new List<Manifest>();
        foreach (YNode document in YamlTreeReader.Read(file, text, Limits, diagnostics))
        {
            string origin = $"{file}:{document.Position.Line}:{document.Position.Column}";
            if (document is YScalar { IsNull: true })
            {
                continue;
            }

            if (document is not YMapping)
            {
                diagnostics.Add(new(file, document.Position, "a manifest must be a mapping with apiVersion, kind and metadata"));
                continue;
            }

            int budget = Limits.MaxExpandedNodes;
            JsonElement json;
            try
            {
                json = YamlJson.ToJson(document, ref budget);
            }
            catch (YamlBudgetExceededException e)
            {
                diagnostics.Add(new(file, document.Position, e.Message));
                continue;
            }

            var body = (JsonObject)JsonNode.Parse(json.GetRawText())!;
            if (body["kind"]?.GetValueKind() == JsonValueKind.String && (string?)body["kind"] == "List" && body["items"] is JsonArray items)
            {
                foreach (JsonNode? item in items)
                {
                    if (item is JsonObject obj)
                    {
                        manifests.Add(new Manifest((JsonObject)obj.DeepClone(), origin));
                    }
                }

                continue;
            }

            manifests.Add(new Manifest(body, origin));
        }

        return manifests;
    }
}
