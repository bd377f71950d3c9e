using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// Who owns which field of a live object, read from its <c>metadata.managedFields</c> (the
/// <c>FieldsV1</c> trie server-side apply keeps per manager): <c>f:NAME</c> for a field,
/// <c>k:{...}</c> for a list item by its keys, <c>v:VALUE</c> for a set member, <c>.</c> for the
/// item itself. One node per path, with every manager whose trie reaches it.
/// </summary>
public sealed class FieldOwnership
{
    /// <summary>managedFields nests about as deep as the object; deeper is hostile or broken, and is not read.</summary>
    const int MaxDepth = 64;

    readonly Dictionary<string, FieldOwnership> children = new(StringComparer.Ordinal);
    readonly HashSet<string> owners = new(StringComparer.Ordinal);

    /// <summary>For a list item's node (<c>k:{...}</c>), its key fields, parsed once.</summary>
    JsonObject? itemKey;

    FieldOwnership()
    {
    }

    /// <summary>The managers whose fields are recorded, with the operation each last used.</summary>
    public IReadOnlyDictionary<string, string> Managers { get; private init; } = new Dictionary<string, string>();

    public IReadOnlyCollection<string> Owners => owners;

    /// <summary>The ownership of a live object, or null when it records none (created before managed fields, or by a server that keeps none).</summary>
    public static FieldOwnership? Read(JsonObject live)
    {
        if (live["metadata"]?["managedFields"] is not JsonArray entries || entries.Count == 0)
        {
            return null;
        }

        var managers = new Dictionary<string, string>(StringComparer.Ordinal);
        var root = new FieldOwnership { Managers = managers };
        foreach (JsonObject entry in entries.OfType<JsonObject>())
        {
            if ((string?)entry["manager"] is not { } manager || (string?)entry["fieldsType"] != "FieldsV1" || entry["fieldsV1"] is not JsonObject fields)
            {
                continue;
            }

            // A subresource's fields (status) are not the object's.
            if (entry["subresource"] is JsonValue { } sub && (string?)sub is { Length: > 0 })
            {
                continue;
            }

            managers[manager] = (string?)entry["operation"] ?? "Update";
            root.Add(manager, fields, 0);
        }

        return managers.Count == 0 ? null : root;
    }

    void Add(string manager, JsonObject fields, int depth)
    {
        owners.Add(manager);
        if (depth >= MaxDepth)
        {
            return;
        }

        foreach (var (key, value) in fields)
        {
            if (!children.TryGetValue(key, out FieldOwnership? child))
            {
                children[key] = child = new FieldOwnership { itemKey = key.StartsWith("k:", StringComparison.Ordinal) ? Parse(key) : null };
            }

            child.Add(manager, value as JsonObject ?? [], depth + 1);
        }
    }

    public FieldOwnership? Field(string name) => children.GetValueOrDefault("f:" + name);

    /// <summary>The names of the fields that key this list's items, when the trie records the list as a map (<c>k:</c> children).</summary>
    public IReadOnlyList<string>? ItemKeys()
    {
        foreach (FieldOwnership child in children.Values)
        {
            if (child.itemKey is JsonObject keys)
            {
                return keys.Select(k => k.Key).ToList();
            }
        }

        return null;
    }

    /// <summary>The node of the list item whose key fields equal <paramref name="item"/>'s, or null.</summary>
    public FieldOwnership? Item(JsonObject item)
    {
        foreach (FieldOwnership child in children.Values)
        {
            if (child.itemKey is JsonObject keys && keys.All(k => ManifestValues.Equal(k.Value, item[k.Key])))
            {
                return child;
            }
        }

        return null;
    }

    static JsonObject? Parse(string key)
    {
        try
        {
            return JsonNode.Parse(key.AsSpan(2).ToString(), documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
