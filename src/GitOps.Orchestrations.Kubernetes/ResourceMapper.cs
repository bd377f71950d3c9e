using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>How the API serves one kind: the URL pieces, and whether objects live in a namespace.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, bool Namespaced, string Kind, bool DefinedByRender = false)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>
/// kubectl's REST mapper in small: kind → resource from the discovery document of each group
/// version used, fetched once per apply. Kinds that a CustomResourceDefinition in the same render
/// introduces are mapped from that CRD, since discovery cannot know them before it is applied.
/// </summary>
public sealed class ResourceMapper(ClusterClient client)
{
    readonly Dictionary<string, JsonObject?> documents = new(StringComparer.Ordinal);
    readonly Dictionary<(string ApiVersion, string Kind), ResourceType> pending = [];

    /// <summary>Registers the kinds the render's CRDs define, for objects that come after them.</summary>
    public void AddDefinitions(IEnumerable<Manifest> manifests)
    {
        foreach (Manifest crd in manifests.Where(m => m.Kind == "CustomResourceDefinition"))
        {
            JsonNode? spec = crd.Body["spec"];
            string? group = (string?)spec?["group"];
            string? kind = (string?)spec?["names"]?["kind"];
            string? plural = (string?)spec?["names"]?["plural"];
            if (group is null || kind is null || plural is null || spec?["versions"] is not JsonArray versions)
            {
                continue;
            }

            foreach (string? version in versions.Select(v => (string?)v?["name"]))
            {
                if (version is not null)
                {
                    pending[($"{group}/{version}", kind)] = new ResourceType(group, version, plural, (string?)spec["scope"] != "Cluster", kind, DefinedByRender: true);
                }
            }
        }
    }

    public async Task<ResourceType> MapAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        if (!documents.TryGetValue(apiVersion, out JsonObject? document))
        {
            document = await client.GetDiscoveryAsync(apiVersion.Contains('/') ? $"/apis/{apiVersion}" : $"/api/{apiVersion}", cancellationToken);
            documents[apiVersion] = document;
        }

        if (document?["resources"] is JsonArray resources)
        {
            foreach (JsonNode? resource in resources)
            {
                string? name = (string?)resource?["name"];
                if ((string?)resource?["kind"] == kind && name is not null && !name.Contains('/'))
                {
                    string group = ObjectRef.GroupOf(apiVersion);
                    return new ResourceType(group, apiVersion[(apiVersion.IndexOf('/') + 1)..], name, (bool?)resource?["namespaced"] ?? false, kind);
                }
            }
        }

        return pending.TryGetValue((apiVersion, kind), out ResourceType? defined)
            ? defined
            : throw new KubernetesApiException(404, $"the server has no kind {kind} in {apiVersion}: is its CustomResourceDefinition installed?");
    }
}
