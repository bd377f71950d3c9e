using k8s;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>One object an application owns; the apiVersion is kept so the object can be found again after its kind's preferred version changes.</summary>
public sealed record InventoryEntry(string ApiVersion, ObjectRef Ref);

/// <summary>What an application owns and what it was last applied from.</summary>
public sealed record Inventory(IReadOnlyList<InventoryEntry> Entries, string? SourceJson)
{
    public static readonly Inventory Empty = new([], null);

    public AppliedSource? Source => SourceJson is null ? null : JsonSerializer.Deserialize<AppliedSource>(SourceJson, KubernetesApplier.InventoryJson);
}

public sealed partial class KubernetesApplier
{
    public const string InventoryPrefix = "gitops-inventory-";

    internal static readonly JsonSerializerOptions InventoryJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The inventory is a ConfigMap in the target namespace, one per application, like Flux's
    /// inventory and kpt's ResourceGroup. It lives in the cluster, so any worker sees the same one.
    /// </summary>
    public static string InventoryName(string application) => InventoryPrefix + application;

    public async Task<Inventory> ReadInventoryAsync(ApplyOptions options, CancellationToken cancellationToken = default)
    {
        object found;
        try
        {
            found = await CallAsync("read inventory", () => client.CustomObjects.GetNamespacedCustomObjectAsync(string.Empty, "v1", options.Namespace, "configmaps", InventoryName(options.Application), cancellationToken));
        }
        catch (KubernetesApiException e) when (e.StatusCode == 404)
        {
            return Inventory.Empty;
        }

        JsonNode? data = Json.ToNode(found)?["data"];
        var entries = new List<InventoryEntry>();
        foreach (string line in ((string?)data?["objects"] ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ');
            if (parts.Length == 4)
            {
                entries.Add(new InventoryEntry(parts[0], ObjectRef.Of(parts[0], parts[1], parts[2] == "-" ? null : parts[2], parts[3])));
            }
        }

        return new Inventory(entries, (string?)data?["source"]);
    }

    /// <summary>Writes the inventory when it changed; returns whether it wrote.</summary>
    async Task<bool> WriteInventoryAsync(Inventory previous, Inventory next, ApplyOptions options, CancellationToken cancellationToken)
    {
        string Lines(Inventory inventory) => string.Join('\n', inventory.Entries
            .Select(e => $"{e.ApiVersion} {e.Ref.Kind} {e.Ref.Namespace ?? "-"} {e.Ref.Name}")
            .Order(StringComparer.Ordinal));
        // A new commit that renders the same manifests (a README change) needs no new record:
        // drift would compare against the very same objects.
        bool sameRender = previous.SourceJson == next.SourceJson || (previous.Source?.Digest is string digest && digest == next.Source?.Digest);
        if (Lines(previous) == Lines(next) && sameRender && previous.Entries.Count > 0)
        {
            return false;
        }

        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = InventoryName(options.Application),
                ["namespace"] = options.Namespace,
                ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "gitops-orchestrations" },
            },
            ["data"] = new JsonObject { ["objects"] = Lines(next), ["source"] = next.SourceJson ?? string.Empty },
        };
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        await CallAsync("write inventory", () => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            patch, string.Empty, "v1", options.Namespace, "configmaps", InventoryName(options.Application), fieldManager: options.FieldManager, force: true, cancellationToken: cancellationToken));
        return true;
    }
}
