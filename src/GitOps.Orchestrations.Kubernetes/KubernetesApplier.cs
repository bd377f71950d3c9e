using k8s;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>
/// Applies a render to a cluster with server-side apply, in apply order, writing only objects whose
/// desired state differs from the live one, then prunes what the previous apply owned and this one
/// lacks. Split by concern: discovery and reads here, writes in <c>.Writes</c>, the inventory in
/// <c>.Inventory</c>, health in <c>.Health</c>, drift in <c>.Drift</c>.
/// </summary>
/// <param name="liveObjects">The cluster's watch-fed cache, for syncs; without it every apply lists the live objects.</param>
public sealed partial class KubernetesApplier(ClusterClient client, LiveObjects.LiveObjectCache? liveObjects = null)
{
    public async Task<ApplyReport> ApplyAsync(ManifestSet render, ApplyOptions options, CancellationToken cancellationToken = default)
    {
        var mapper = new ResourceMapper(client);
        List<Desired> desired = await PrepareAsync(render, options, mapper, cancellationToken);
        Inventory previous = await ReadInventoryAsync(options, cancellationToken);
        var desiredRefs = desired.Select(d => d.Manifest.Ref).ToHashSet();
        var orphans = new List<InventoryEntry>();
        foreach (InventoryEntry entry in previous.Entries.Where(e => !desiredRefs.Contains(e.Ref)))
        {
            orphans.Add(entry);
        }

        Dictionary<ObjectRef, JsonObject> live = await ReadLiveAsync(
            desired.Select(d => (d.Type, d.Manifest.Namespace))
                .Concat(options.Prune ? await OrphanTypesAsync(orphans, mapper, cancellationToken) : []),
            options.FreshRead,
            cancellationToken);

        var changes = new List<ObjectChange>();
        var writes = new List<Desired>();
        var diff = new System.Text.StringBuilder();
        foreach (Desired item in desired)
        {
            live.TryGetValue(item.Manifest.Ref, out JsonObject? current);
            if (current is null)
            {
                changes.Add(new ObjectChange(item.Manifest.Ref.ToString(), "created"));
                writes.Add(item);
                diff.Append(TextDiff.Unified(string.Empty, Shown(item.Manifest.Body), "/dev/null", item.Manifest.Ref.ToString()));
                continue;
            }

            string objectRef = item.Manifest.Ref.ToString();
            string? liveVersion = (string?)current["metadata"]?["resourceVersion"];
            string comparison = liveObjects is null ? string.Empty : Comparison(item, options);
            if (liveObjects?.KnownUnchanged(objectRef, liveVersion, comparison) == true)
            {
                changes.Add(new ObjectChange(objectRef, "unchanged"));
                continue;
            }

            IReadOnlyList<string> fields = Differences(item.Manifest, current, options);
            string? appliedDigest = (string?)current["metadata"]?["annotations"]?[Manifest.DigestAnnotation];
            if (fields.Count == 0 && appliedDigest == item.Digest)
            {
                liveObjects?.MarkUnchanged(objectRef, liveVersion, comparison);
                changes.Add(new ObjectChange(objectRef, "unchanged"));
                continue;
            }

            changes.Add(new ObjectChange(item.Manifest.Ref.ToString(), "configured", fields));
            writes.Add(item);
            diff.Append(TextDiff.Unified(Shown(Project(current, item.Manifest.Body)), Shown(item.Manifest.Body), $"live {item.Manifest.Ref}", $"desired {item.Manifest.Ref}"));
        }

        var prunes = new List<(InventoryEntry Entry, JsonObject Live)>();
        if (options.Prune)
        {
            foreach (InventoryEntry orphan in orphans)
            {
                if (!live.TryGetValue(orphan.Ref, out JsonObject? current))
                {
                    continue;
                }

                // Only objects this engine applied are ever deleted, and never one that opted out.
                bool ours = current["metadata"]?["annotations"]?[Manifest.DigestAnnotation] is not null;
                bool protectedByAnnotation = (string?)current["metadata"]?["annotations"]?[Manifest.PruneAnnotation] == "disabled";
                if (!ours || protectedByAnnotation)
                {
                    changes.Add(new ObjectChange(orphan.Ref.ToString(), "kept"));
                    continue;
                }

                changes.Add(new ObjectChange(orphan.Ref.ToString(), "pruned"));
                prunes.Add((orphan, current));
                diff.Append(TextDiff.Unified(CanonicalYaml.Write(new JsonObject { ["apiVersion"] = orphan.ApiVersion, ["kind"] = orphan.Ref.Kind, ["metadata"] = new JsonObject { ["name"] = orphan.Ref.Name, ["namespace"] = orphan.Ref.Namespace } }), string.Empty, orphan.Ref.ToString(), "/dev/null"));
            }
        }

        // Validate first: the server checks every object that will be written before the first write,
        // so a render the server refuses applies nothing.
        var newNamespaces = changes.Where(c => c.Action == "created" && c.Object.StartsWith("Namespace/", StringComparison.Ordinal))
            .Select(c => c.Object["Namespace/".Length..]).ToHashSet(StringComparer.Ordinal);
        await DryRunAsync(writes, newNamespaces, options, cancellationToken);
        if (options.DryRun)
        {
            return new ApplyReport(changes, 0, diff.ToString());
        }

        int count = 0;
        foreach (Desired item in writes)
        {
            await PatchAsync(item, options, dryRun: false, cancellationToken);
            count++;
        }

        foreach ((InventoryEntry entry, _) in Enumerable.Reverse(prunes))
        {
            await DeleteAsync(entry, mapper, cancellationToken);
            count++;
        }

        var keptOrphans = options.Prune ? orphans.Where(o => !prunes.Any(p => p.Entry.Ref == o.Ref) && live.ContainsKey(o.Ref)) : orphans;
        var inventory = new Inventory(
            desired.Select(d => new InventoryEntry(d.Manifest.ApiVersion, d.Manifest.Ref)).Concat(keptOrphans).ToList(),
            options.Source is null ? previous.SourceJson : JsonSerializer.Serialize(options.Source, InventoryJson));
        bool recorded = await WriteInventoryAsync(previous, inventory, options, cancellationToken);
        return new ApplyReport(changes, count, diff.ToString()) { InventoryUpdated = recorded };
    }

    /// <summary>One object ready to apply: namespace settled, digest annotation set, its resource type known.</summary>
    sealed record Desired(Manifest Manifest, ResourceType Type, string Digest);

    static async Task<List<Desired>> PrepareAsync(ManifestSet render, ApplyOptions options, ResourceMapper mapper, CancellationToken cancellationToken)
    {
        mapper.AddDefinitions(render.Objects);
        var prepared = new List<Desired>();
        var errors = new List<string>();
        foreach (Manifest original in render.Objects)
        {
            Manifest manifest = original.Clone();
            ResourceType type;
            try
            {
                type = await mapper.MapAsync(manifest.ApiVersion, manifest.Kind, cancellationToken);
            }
            catch (KubernetesApiException e) when (e.StatusCode == 404)
            {
                errors.Add($"{manifest.Origin}: {manifest.Ref}: {e.Message}");
                continue;
            }

            if (type.Namespaced && manifest.Namespace is null)
            {
                manifest.SetNamespace(options.Namespace);
            }
            else if (!type.Namespaced)
            {
                manifest.Metadata?.Remove("namespace");
            }

            string digest = manifest.Digest();
            manifest.SetAnnotation(Manifest.DigestAnnotation, digest);
            prepared.Add(new Desired(manifest, type, digest));
        }

        foreach (var duplicate in prepared.GroupBy(d => d.Manifest.Ref).Where(g => g.Count() > 1))
        {
            errors.Add($"{duplicate.Key} is defined {duplicate.Count()} times once namespaces are defaulted");
        }

        return errors.Count == 0 ? prepared : throw new ManifestException(errors);
    }

    /// <summary>What a comparison's answer depends on besides the live version: the desired digest and the rules it was made under.</summary>
    static string Comparison(Desired item, ApplyOptions options) =>
        $"{item.Digest}|{options.FieldManager}|{options.ForceConflicts}|{string.Join(",", IgnoredPointers(item.Manifest.Ref, options))}";

    static IReadOnlyList<string> Differences(Manifest desired, JsonObject live, ApplyOptions options) =>
        ObjectDiff.Differences(ServerCanonical.Normalize(desired.Body), live, IgnoredPointers(desired.Ref, options), options.FieldManager, leaveOthersFields: !options.ForceConflicts);

    static IReadOnlyCollection<string> IgnoredPointers(ObjectRef target, ApplyOptions options) =>
        options.Ignore.Where(i => (i.Kind is null || i.Kind == target.Kind) && (i.Name is null || i.Name == target.Name))
            .SelectMany(i => i.JsonPointers).ToList();

    async Task<Dictionary<ObjectRef, JsonObject>> ReadLiveAsync(IEnumerable<(ResourceType Type, string? Namespace)> scopes, bool fresh, CancellationToken cancellationToken)
    {
        var live = new Dictionary<ObjectRef, JsonObject>();
        foreach ((ResourceType type, string? ns) in scopes.Distinct())
        {
            if (liveObjects is not null && !fresh)
            {
                IReadOnlyCollection<JsonObject>? cached;
                try
                {
                    cached = await liveObjects.ListAsync(type, type.Namespaced ? ns ?? "default" : null, cancellationToken);
                }
                catch (KubernetesApiException e) when (e.StatusCode == 404 && type.DefinedByRender)
                {
                    continue;
                }

                if (cached is not null)
                {
                    foreach (JsonObject item in cached)
                    {
                        live[new Manifest(item, "live").Ref] = item;
                    }

                    continue;
                }
            }

            object list;
            try
            {
                list = await CallAsync($"list {type.Plural}", () => type.Namespaced
                    ? client.CustomObjects.ListNamespacedCustomObjectAsync(type.Group, type.Version, ns ?? "default", type.Plural, cancellationToken: cancellationToken)
                    : client.CustomObjects.ListClusterCustomObjectAsync(type.Group, type.Version, type.Plural, cancellationToken: cancellationToken));
            }
            catch (KubernetesApiException e) when (e.StatusCode == 404 && type.DefinedByRender)
            {
                // The kind arrives with this render's CRD: none of its objects can exist yet.
                continue;
            }

            if (Json.ToNode(list)?["items"] is JsonArray items)
            {
                foreach (JsonObject item in items.OfType<JsonObject>())
                {
                    // List items carry no apiVersion/kind of their own; the list's type supplies them.
                    item["apiVersion"] = type.ApiVersion;
                    item["kind"] = type.Kind;
                    var manifest = new Manifest(item, "live");
                    live[manifest.Ref] = item;
                }
            }
        }

        return live;
    }

    static async Task<IEnumerable<(ResourceType, string?)>> OrphanTypesAsync(IEnumerable<InventoryEntry> orphans, ResourceMapper mapper, CancellationToken cancellationToken)
    {
        var scopes = new List<(ResourceType, string?)>();
        foreach (InventoryEntry orphan in orphans)
        {
            try
            {
                scopes.Add((await mapper.MapAsync(orphan.ApiVersion, orphan.Ref.Kind, cancellationToken), orphan.Ref.Namespace));
            }
            catch (KubernetesApiException e) when (e.StatusCode == 404)
            {
                // The kind itself is gone (its CRD was removed): nothing is left to prune.
            }
        }

        return scopes;
    }

    /// <summary>The live object cut down to the fields the desired one sets, so a diff shows only what the apply would change.</summary>
    static JsonObject Project(JsonObject live, JsonObject desired)
    {
        var projected = new JsonObject();
        foreach (var (key, value) in desired)
        {
            if (live[key] is JsonObject liveChild && value is JsonObject desiredChild)
            {
                projected[key] = Project(liveChild, desiredChild);
            }
            else if (live.ContainsKey(key))
            {
                projected[key] = live[key]?.DeepClone();
            }
        }

        return projected;
    }

    /// <summary>YAML for diffs, without the digest annotation, which changes whenever anything else does.</summary>
    static string Shown(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        // A diff reaches step outputs and the dashboard: a Secret's values never do, live or desired.
        if ((string?)copy["kind"] == "Secret" && (string?)copy["apiVersion"] == "v1")
        {
            foreach (string field in new[] { "data", "stringData" })
            {
                if (copy[field] is JsonObject values)
                {
                    foreach (string key in values.Select(v => v.Key).ToList())
                    {
                        values[key] = "(redacted)";
                    }
                }
            }
        }

        if (copy["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(Manifest.DigestAnnotation);
            if (annotations.Count == 0)
            {
                ((JsonObject)copy["metadata"]!).Remove("annotations");
            }
        }

        return CanonicalYaml.Write(copy);
    }
}
