using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// Which fields of a live object differ from what was applied. Only the fields the desired object
/// sets are compared, because the server adds defaults and other managers add fields of their own;
/// <c>status</c> and server-owned metadata are never compared. Paths are JSON pointers.
/// <para>
/// Given the engine's field manager, the live object's <c>managedFields</c> refine it, so the answer
/// is what the engine's next apply would change, as <c>kubectl diff --server-side</c> answers it:
/// lists the server keeps as maps (containers by name, ports by number) are matched item by item by
/// their keys, so an item another manager added (an injected sidecar) is not drift; and when the
/// apply does not force conflicts, a field another manager took over (an autoscaler's replicas, a
/// person's <c>kubectl edit</c>) is theirs and is not drift either, because that apply would leave
/// it to them. A forcing apply takes such a field back, so for it the field is drift.
/// </para>
/// </summary>
public static class ObjectDiff
{
    static readonly HashSet<string> ComparedMetadata = new(StringComparer.Ordinal) { "labels", "annotations" };

    /// <summary>Objects nest a few dozen levels at most; a deeper one is compared as a whole below this.</summary>
    const int MaxDepth = 100;

    /// <param name="manager">The engine's field manager; null compares every field the desired object sets.</param>
    /// <param name="leaveOthersFields">The apply does not force conflicts: fields other managers own are theirs.</param>
    public static IReadOnlyList<string> Differences(JsonObject desired, JsonObject? live, IReadOnlyCollection<string>? ignore = null, string? manager = null, bool leaveOthersFields = false)
    {
        if (live is null)
        {
            return ["/"];
        }

        // Owners matter for lists kept as maps, and for fields others took over when the apply leaves
        // those alone; an object with neither is compared without reading its managedFields.
        FieldOwnership? ownership = manager is null || (!leaveOthersFields && !HasList(desired, 0)) ? null : FieldOwnership.Read(live);
        var walk = new Walk(ignore, ownership is not null && ownership.Managers.ContainsKey(manager!) ? manager : null, leaveOthersFields);
        FieldOwnership? metadataOwnership = walk.Manager is null ? null : ownership?.Field("metadata");
        foreach (var (key, value) in desired)
        {
            if (key is "status" or "apiVersion" or "kind")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (field, fieldValue) in metadata.Where(p => ComparedMetadata.Contains(p.Key)))
                {
                    walk.Field(fieldValue, live["metadata"]?[field], $"/metadata/{Escape(field)}", metadataOwnership?.Field(field), 1);
                }

                continue;
            }

            walk.Field(value, live[key], "/" + Escape(key), walk.Manager is null ? null : ownership!.Field(key), 0);
        }

        return walk.Differences;
    }

    sealed class Walk(IReadOnlyCollection<string>? ignore, string? manager, bool leaveOthersFields)
    {
        public List<string> Differences { get; } = [];

        public string? Manager => manager;

        /// <summary>One desired field against the live one; <paramref name="owned"/> is its node in the ownership trie, when known.</summary>
        public void Field(JsonNode? desired, JsonNode? live, string path, FieldOwnership? owned, int depth)
        {
            if (ignore is not null && ignore.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal)))
            {
                return;
            }

            if (live is null)
            {
                // Absent live: drift, unless what is wanted is nothing (the server drops empty maps and lists).
                if (!ManifestValues.IsEmpty(desired))
                {
                    Differences.Add(path);
                }

                return;
            }

            if (leaveOthersFields && manager is not null && owned is not null && !owned.Owners.Contains(manager))
            {
                // Another manager owns this field now, and an apply that does not force leaves it to them.
                return;
            }

            switch (desired)
            {
                case JsonObject obj when live is JsonObject liveObject && depth < MaxDepth:
                    foreach (var (key, value) in obj)
                    {
                        Field(value, liveObject[key], $"{path}/{Escape(key)}", owned?.Field(key), depth + 1);
                    }

                    break;
                case JsonArray array when live is JsonArray liveArray && depth < MaxDepth:
                    List(array, liveArray, path, owned, depth);
                    break;
                case JsonObject or JsonArray:
                    if (!JsonNode.DeepEquals(desired, live))
                    {
                        Differences.Add(path);
                    }

                    break;
                default:
                    if (!ManifestValues.Equal(desired, live))
                    {
                        Differences.Add(path);
                    }

                    break;
            }
        }

        void List(JsonArray desired, JsonArray live, string path, FieldOwnership? owned, int depth)
        {
            // A list the server keeps as a map: match items by their keys, so order and others' items do not matter.
            if (owned?.ItemKeys() is { Count: > 0 } keys && desired.All(d => d is JsonObject))
            {
                for (int i = 0; i < desired.Count; i++)
                {
                    var item = (JsonObject)desired[i]!;
                    JsonObject? match = live.OfType<JsonObject>().FirstOrDefault(l => keys.All(k => item[k] is null || ManifestValues.Equal(item[k], l[k])));
                    Field(item, match, $"{path}/{i}", match is null ? null : owned.Item(match), depth + 1);
                }

                return;
            }

            if (desired.Count != live.Count)
            {
                Differences.Add(path);
                return;
            }

            for (int i = 0; i < desired.Count; i++)
            {
                // Items of an atomic list belong to whoever owns the list.
                Field(desired[i], live[i], $"{path}/{i}", null, depth + 1);
            }
        }
    }

    static bool HasList(JsonNode? node, int depth) => depth < MaxDepth && node switch
    {
        JsonArray => true,
        JsonObject map => map.Any(p => HasList(p.Value, depth + 1)),
        _ => false,
    };

    /// <summary>RFC 6901: <c>~</c> becomes <c>~0</c> and <c>/</c> becomes <c>~1</c>.</summary>
    public static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
