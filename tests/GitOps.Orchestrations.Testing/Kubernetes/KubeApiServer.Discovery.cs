using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Testing.Kubernetes;

public sealed partial class KubeApiServer
{
    bool TryDiscovery(string[] segments, out JsonNode? document)
    {
        lock (gate)
        {
            document = segments switch
            {
                ["version"] => new JsonObject { ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.0-gitops-fixture" },
                ["api"] => new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") },
                ["apis"] => GroupList(),
                ["api", "v1"] => ResourceList(string.Empty, "v1"),
                ["apis", var group, var version] => types.Any(t => t.Group == group && t.Version == version) ? ResourceList(group, version) : null,
                _ => null,
            };
        }

        if (segments is ["apis", _, _] && document is null)
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }

        return document is not null;
    }

    JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(types.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).Select(g =>
        {
            var versions = new JsonArray(g.Select(t => t.Version).Distinct().Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{g.Key}/{v}", ["version"] = v }).ToArray());
            return (JsonNode)new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = versions,
                ["preferredVersion"] = versions[0]!.DeepClone(),
            };
        }).ToArray()),
    };

    JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (KubeResourceType type in types.Where(t => t.Group == group && t.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Kind.ToLowerInvariant(),
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
            });
            if (type.HasStatus)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = type.Plural + "/status",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
