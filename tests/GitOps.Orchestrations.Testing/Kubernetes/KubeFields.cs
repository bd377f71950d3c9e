using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// Field ownership at the granularity server-side apply keeps it: one key per leaf field, lists of
/// the built-in kinds that the API declares as maps (<c>x-kubernetes-list-type: map</c>: containers
/// and volumes by name, container ports by number and protocol, ...) keyed item by item, every
/// other list atomic, as a CRD's lists are unless its schema says otherwise. A key is its path of
/// FieldsV1 segments (<c>f:spec</c>, <c>k:{"name":"app"}</c>, <c>.</c> for an item itself), joined
/// by a separator no field name contains.
/// </summary>
internal static class KubeFields
{
    const char Separator = '\u001f';
    const string Item = ".";

    /// <summary>The key fields of the built-in list-maps, by field name.</summary>
    static readonly Dictionary<string, string[]> ListMaps = new(StringComparer.Ordinal)
    {
        ["containers"] = ["name"],
        ["initContainers"] = ["name"],
        ["ephemeralContainers"] = ["name"],
        ["env"] = ["name"],
        ["volumes"] = ["name"],
        ["volumeMounts"] = ["mountPath"],
        ["volumeDevices"] = ["devicePath"],
        ["imagePullSecrets"] = ["name"],
        ["hostAliases"] = ["ip"],
        ["resourceClaims"] = ["name"],
        ["topologySpreadConstraints"] = ["topologyKey", "whenUnsatisfiable"],
    };

    public static HashSet<string> Keys(JsonObject body, KubeResourceType type)
    {
        bool builtIn = KubeResourceTypes.BuiltIn().Contains(type);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in body)
        {
            if (key is "apiVersion" or "kind" or "metadata" || (key == "status" && type.HasStatus))
            {
                continue;
            }

            Walk(value, ["f:" + key], builtIn, keys);
        }

        if (body["metadata"] is JsonObject metadata)
        {
            foreach (string map in new[] { "labels", "annotations" })
            {
                foreach (var (key, _) in metadata[map] as JsonObject ?? [])
                {
                    keys.Add(Join(["f:metadata", "f:" + map, "f:" + key]));
                }
            }

            foreach (string field in new[] { "finalizers", "ownerReferences" })
            {
                if (metadata.ContainsKey(field))
                {
                    keys.Add(Join(["f:metadata", "f:" + field]));
                }
            }
        }

        return keys;
    }

    static void Walk(JsonNode? node, List<string> path, bool builtIn, HashSet<string> keys)
    {
        switch (node)
        {
            case JsonObject { Count: > 0 } map:
                foreach (var (key, value) in map)
                {
                    Walk(value, [.. path, "f:" + key], builtIn, keys);
                }

                break;
            case JsonArray list when builtIn && ItemKeys(path[^1], list) is { } itemKeys && list.All(i => i is JsonObject):
                foreach (JsonObject item in list.Cast<JsonObject>())
                {
                    string segment = "k:" + KeyOf(item, itemKeys).ToJsonString();
                    keys.Add(Join([.. path, segment, Item]));
                    Walk(item, [.. path, segment], builtIn, keys);
                }

                break;
            default:
                keys.Add(Join(path));
                break;
        }
    }

    /// <summary>Container ports are keyed by containerPort and protocol, a Service's by port and protocol.</summary>
    static string[]? ItemKeys(string segment, JsonArray list)
    {
        string field = segment[2..];
        return field != "ports" ? ListMaps.GetValueOrDefault(field)
            : list.All(i => i?["containerPort"] is not null) ? ["containerPort", "protocol"]
            : list.All(i => i?["port"] is not null) ? ["port", "protocol"]
            : null;
    }

    /// <summary>An item's key fields; a port's protocol defaults to TCP before the server keys it.</summary>
    static JsonObject KeyOf(JsonObject item, string[] itemKeys)
    {
        var key = new JsonObject();
        foreach (string field in itemKeys)
        {
            key[field] = item[field]?.DeepClone();
        }

        if (itemKeys.Contains("protocol") && key["protocol"] is null)
        {
            key["protocol"] = "TCP";
        }

        return key;
    }

    public static JsonNode? Get(JsonObject body, string key)
    {
        JsonNode? node = body;
        string[] segments = key.Split(Separator);
        for (int i = 0; i < segments.Length; i++)
        {
            string segment = segments[i];
            if (segment == Item)
            {
                return node is null ? null : JsonValue.Create(true);
            }

            node = segment.StartsWith("k:", StringComparison.Ordinal) ? Find(node as JsonArray, segment) : (node as JsonObject)?[segment[2..]];
        }

        return node;
    }

    public static void Set(JsonObject body, string key, JsonNode? value)
    {
        string[] segments = key.Split(Separator);
        JsonNode node = body;
        for (int i = 0; i < segments.Length - 1; i++)
        {
            string segment = segments[i];
            if (segment.StartsWith("k:", StringComparison.Ordinal))
            {
                var list = (JsonArray)node;
                JsonObject? item = Find(list, segment);
                if (item is null)
                {
                    item = (JsonObject)JsonNode.Parse(segment[2..])!;
                    list.Add(item);
                }

                node = item;
                continue;
            }

            var map = (JsonObject)node;
            bool listNext = segments[i + 1].StartsWith("k:", StringComparison.Ordinal);
            node = map[segment[2..]] ??= listNext ? new JsonArray() : new JsonObject();
        }

        string last = segments[^1];
        if (last != Item)
        {
            ((JsonObject)node)[last[2..]] = value?.DeepClone();
        }
    }

    public static void Remove(JsonObject body, string key)
    {
        string[] segments = key.Split(Separator);
        var trail = new List<JsonNode> { body };
        JsonNode? node = body;
        for (int i = 0; i < segments.Length - 1 && node is not null; i++)
        {
            node = segments[i].StartsWith("k:", StringComparison.Ordinal) ? Find(node as JsonArray, segments[i]) : (node as JsonObject)?[segments[i][2..]];
            if (node is not null)
            {
                trail.Add(node);
            }
        }

        if (node is null)
        {
            return;
        }

        string last = segments[^1];
        if (last == Item)
        {
            // The item itself: take it out of its list.
            if (trail.Count >= 2 && trail[^2] is JsonArray list)
            {
                list.Remove(node);
                trail.RemoveAt(trail.Count - 1);
            }
        }
        else
        {
            (node as JsonObject)?.Remove(last[2..]);
        }

        // Maps and lists left empty go too, as the server drops empty fields; the object itself stays.
        for (int i = trail.Count - 1; i >= 1; i--)
        {
            if (trail[i] is JsonObject { Count: 0 } or JsonArray { Count: 0 })
            {
                switch (trail[i - 1])
                {
                    case JsonObject parent:
                        parent.Remove(parent.First(p => ReferenceEquals(p.Value, trail[i])).Key);
                        break;
                    case JsonArray parent:
                        parent.Remove(trail[i]);
                        break;
                }
            }
        }
    }

    static JsonObject? Find(JsonArray? list, string segment)
    {
        if (list is null)
        {
            return null;
        }

        var key = (JsonObject)JsonNode.Parse(segment[2..])!;
        return list.OfType<JsonObject>().FirstOrDefault(item => key.All(k =>
            JsonNode.DeepEquals(k.Value, item[k.Key]) || (k.Key == "protocol" && item[k.Key] is null && (string?)k.Value == "TCP")));
    }

    /// <summary>The FieldsV1 trie of a set of keys, as <c>managedFields</c> shows it.</summary>
    public static JsonObject FieldsV1(IEnumerable<string> keys)
    {
        var root = new JsonObject();
        foreach (string key in keys.Order(StringComparer.Ordinal))
        {
            JsonObject node = root;
            foreach (string segment in key.Split(Separator))
            {
                node = (JsonObject)(node[segment] ??= new JsonObject());
            }
        }

        return root;
    }

    static string Join(IEnumerable<string> segments) => string.Join(Separator, segments);

    /// <summary>A key as the server's conflict messages name it: <c>.spec.template.spec.containers[name="app"].image</c>.</summary>
    public static string Describe(string key)
    {
        var text = new System.Text.StringBuilder();
        foreach (string segment in key.Split(Separator))
        {
            if (segment.StartsWith("k:", StringComparison.Ordinal))
            {
                var fields = (JsonObject)JsonNode.Parse(segment[2..])!;
                text.Append('[').AppendJoin(',', fields.Select(f => $"{f.Key}={f.Value?.ToJsonString()}")).Append(']');
            }
            else if (segment != Item)
            {
                text.Append('.').Append(segment[2..]);
            }
        }

        return text.ToString();
    }
}
