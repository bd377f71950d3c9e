using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Testing.Kubernetes;

public sealed partial class KubeApiServer
{
    readonly Dictionary<string, Stored> objects = new(StringComparer.Ordinal);
    long resourceVersion = 1000;

    /// <summary>One object and who manages which of its fields (by field key, see <see cref="FieldKeys"/>).</summary>
    sealed class Stored(KubeResourceType type, JsonObject body)
    {
        public KubeResourceType Type { get; } = type;

        public JsonObject Body { get; set; } = body;

        public Dictionary<string, (string Operation, HashSet<string> Fields)> Managers { get; set; } = new(StringComparer.Ordinal);

        /// <summary>This version as a list item, serialized once: a stored version never changes, and lists are read far more than written.</summary>
        public string? ListItem { get; set; }
    }

    /// <summary>A copy of a stored object as a client would read it, or null.</summary>
    public JsonObject? Get(string apiVersion, string kind, string? @namespace, string name)
    {
        lock (gate)
        {
            KubeResourceType? type = types.FirstOrDefault(t => t.GroupVersion == apiVersion && t.Kind == kind);
            return type is not null && objects.TryGetValue(Key(type, type.Namespaced ? @namespace : null, name), out Stored? stored) ? Render(stored) : null;
        }
    }

    /// <summary>How many objects of a kind the fixture holds.</summary>
    public int Count(string kind)
    {
        lock (gate)
        {
            return objects.Values.Count(o => o.Type.Kind == kind);
        }
    }

    static string Key(KubeResourceType type, string? ns, string name) => $"{type.QualifiedName}/{ns}/{name}";

    void Seed(JsonObject body)
    {
        lock (gate)
        {
            KubeResourceType type = types.First(t => t.GroupVersion == (string?)body["apiVersion"] && t.Kind == (string?)body["kind"]);
            Stamp(body, null);
            objects[Key(type, (string?)body["metadata"]?["namespace"], (string)body["metadata"]!["name"]!)] = new Stored(type, body);
        }
    }

    Stored? Find(Target target) => objects.GetValueOrDefault(Key(target.Type, target.Namespace, target.Name!));

    string List(Target target, string? labelSelector)
    {
        var items = new List<string>();
        foreach (Stored stored in objects.Values
                     .Where(o => o.Type == target.Type && (target.Namespace is null || (string?)o.Body["metadata"]?["namespace"] == target.Namespace))
                     .Where(o => MatchesSelector(o.Body, labelSelector))
                     .OrderBy(o => Key(o.Type, (string?)o.Body["metadata"]?["namespace"], (string)o.Body["metadata"]!["name"]!), StringComparer.Ordinal))
        {
            if (stored.ListItem is null)
            {
                JsonObject item = Render(stored);
                if (IsBuiltIn(target.Type))
                {
                    // Built-in list items carry no apiVersion or kind; the list's own fields say them.
                    item.Remove("apiVersion");
                    item.Remove("kind");
                }

                stored.ListItem = item.ToJsonString(Relaxed);
            }

            items.Add(stored.ListItem);
        }

        var list = new JsonObject
        {
            ["apiVersion"] = target.Type.GroupVersion,
            ["kind"] = target.Type.Kind + "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray(),
        }.ToJsonString(Relaxed);
        return string.Concat(list.AsSpan(0, list.Length - 3), "[", string.Join(',', items), "]}");
    }

    static bool IsBuiltIn(KubeResourceType type) => KubeResourceTypes.BuiltIn().Contains(type);

    static bool MatchesSelector(JsonObject body, string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        JsonNode? labels = body["metadata"]?["labels"];
        foreach (string requirement in selector.Split(','))
        {
            string[] parts = requirement.Split('=', 2);
            string? value = (string?)labels?[parts[0].Trim()];
            if (parts.Length == 1 ? value is null : value != parts[1].Trim())
            {
                return false;
            }
        }

        return true;
    }

    JsonObject Create(Target target, JsonObject body, string manager, bool dryRun, HttpRequest request)
    {
        Validate(target, body, requireName: true);
        string name = (string)body["metadata"]!["name"]!;
        var key = target with { Name = name };
        if (Find(key) is not null)
        {
            throw new ApiError(409, "AlreadyExists", $"{target.Type.QualifiedName} \"{name}\" already exists");
        }

        RequireNamespace(target);
        if (target.Type.HasStatus)
        {
            body.Remove("status");
        }

        KubeDefaults.Canonicalize(target.Type, body);
        var stored = new Stored(target.Type, body);
        stored.Managers[manager] = ("Update", FieldKeys(body, target.Type));
        return Commit(key, null, stored, dryRun, request);
    }

    JsonObject Replace(Target target, JsonObject body, string manager, bool status, bool dryRun, HttpRequest request)
    {
        Validate(target, body, requireName: false);
        Stored existing = Find(target) ?? throw NotFound(target);
        CheckResourceVersion(target, existing, body);
        KubeDefaults.Canonicalize(target.Type, body);
        JsonObject next = status ? WithStatusFrom(existing.Body, body) : WithoutStatusChange(existing, body);
        return Update(target, existing, next, manager, dryRun, request);
    }

    JsonObject MergePatch(Target target, JsonObject patch, string manager, bool status, bool dryRun, HttpRequest request)
    {
        Stored existing = Find(target) ?? throw NotFound(target);
        CheckResourceVersion(target, existing, patch);
        var merged = (JsonObject)MergeJson(existing.Body.DeepClone(), patch)!;
        KubeDefaults.Canonicalize(target.Type, merged);
        JsonObject next = status ? WithStatusFrom(existing.Body, merged) : WithoutStatusChange(existing, merged);
        return Update(target, existing, next, manager, dryRun, request);
    }

    /// <summary>A non-apply write: whoever changes a field takes it over from its other managers, without conflict.</summary>
    JsonObject Update(Target target, Stored existing, JsonObject next, string manager, bool dryRun, HttpRequest request)
    {
        var managers = CopyManagers(existing);
        HashSet<string> changed = FieldKeys(next, target.Type).Union(FieldKeys(existing.Body, target.Type))
            .Where(k => !JsonNode.DeepEquals(GetField(existing.Body, k), GetField(next, k))).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in managers.Values)
        {
            entry.Fields.ExceptWith(changed);
        }

        if (changed.Count > 0)
        {
            (string _, HashSet<string> fields) = managers.GetValueOrDefault(manager, ("Update", new HashSet<string>(StringComparer.Ordinal)));
            fields.UnionWith(changed.Where(k => GetField(next, k) is not null));
            managers[manager] = ("Update", fields);
        }

        var stored = new Stored(target.Type, next) { Managers = Prune(managers) };
        return Commit(target, existing, stored, dryRun, request);
    }

    /// <summary>
    /// Server-side apply: the manager's applied configuration becomes the set of fields it owns.
    /// A field another manager owns with a different value is a conflict unless forced; a field the
    /// manager owned before and no longer applies is removed, unless someone else still owns it.
    /// </summary>
    (int, JsonNode) Apply(Target target, JsonObject applied, string manager, bool force, bool status, bool dryRun, HttpRequest request)
    {
        Validate(target, applied, requireName: true);
        if ((string?)applied["metadata"]?["name"] != target.Name)
        {
            throw new ApiError(400, "BadRequest", $"the name of the object ({applied["metadata"]?["name"]}) does not match the name on the URL ({target.Name})");
        }

        Stored? existing = Find(target);
        KubeDefaults.Canonicalize(target.Type, applied);
        HashSet<string> keys = FieldKeys(applied, target.Type);
        if (existing is null)
        {
            RequireNamespace(target);
            JsonObject fresh = (JsonObject)applied.DeepClone();
            if (target.Type.HasStatus && !status)
            {
                fresh.Remove("status");
            }

            var created = new Stored(target.Type, fresh);
            created.Managers[manager] = ("Apply", keys);
            return (201, Commit(target, null, created, dryRun, request));
        }

        CheckResourceVersion(target, existing, applied);
        var managers = CopyManagers(existing);
        var conflicts = new List<string>();
        foreach (string key in keys)
        {
            foreach (var (other, entry) in managers.Where(m => m.Key != manager && m.Value.Fields.Contains(key)))
            {
                if (!JsonNode.DeepEquals(GetField(existing.Body, key), GetField(applied, key)))
                {
                    conflicts.Add($"conflict with \"{other}\"{(entry.Operation == "Update" ? " using " + target.Type.GroupVersion : string.Empty)}: {KubeFields.Describe(key)}");
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            throw new ApiError(409, "Conflict", $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? string.Empty : "s")}: {string.Join("; ", conflicts)}");
        }

        var next = (JsonObject)existing.Body.DeepClone();
        HashSet<string> before = managers.TryGetValue(manager, out var mine) ? mine.Fields : [];
        foreach (string dropped in before.Except(keys))
        {
            if (!managers.Any(m => m.Key != manager && m.Value.Fields.Contains(dropped)))
            {
                RemoveField(next, dropped);
            }
        }

        foreach (string key in keys)
        {
            SetField(next, key, GetField(applied, key)?.DeepClone());
            foreach (var entry in managers.Where(m => m.Key != manager).Select(m => m.Value))
            {
                if (!JsonNode.DeepEquals(GetField(existing.Body, key), GetField(applied, key)))
                {
                    entry.Fields.Remove(key);
                }
            }
        }

        managers[manager] = ("Apply", keys);
        next = status ? WithStatusFrom(existing.Body, next) : WithoutStatusChange(existing, next);
        return (200, Commit(target, existing, new Stored(target.Type, next) { Managers = Prune(managers) }, dryRun, request));
    }

    JsonObject Delete(Target target, bool dryRun, HttpRequest request, string propagation = "Background")
    {
        Stored existing = Find(target) ?? throw NotFound(target);
        JsonObject rendered = Render(existing);
        if (dryRun)
        {
            return rendered;
        }

        // Foreground removes dependents before their owner, Background after it; both end with both
        // gone, which is the state a client can observe here. Orphan keeps them without the reference.
        bool orphan = propagation == "Orphan" || (propagation == "Default" && target.Type.Kind == "Job");
        CollectDependents((string)existing.Body["metadata"]!["uid"]!, orphan, depth: 0);
        objects.Remove(Key(target.Type, target.Namespace, target.Name!));
        podLogs.Remove($"{target.Namespace}/{target.Name}");
        Publish("DELETED", existing);
        if (target.Type.Kind == "Namespace")
        {
            // Namespace deletion takes everything in it along.
            foreach (var (key, stored) in objects.Where(o => (string?)o.Value.Body["metadata"]?["namespace"] == target.Name).ToList())
            {
                objects.Remove(key);
                Publish("DELETED", stored);
            }
        }

        WriteLog.Enqueue($"{request.Method} {request.Path}");
        return rendered;
    }

    readonly Dictionary<string, string> podLogs = new(StringComparer.Ordinal);

    /// <summary>What a pod's container has written, as the kubelet would serve it through the log subresource.</summary>
    public void SetPodLog(string @namespace, string pod, string log)
    {
        lock (gate)
        {
            podLogs[$"{@namespace}/{pod}"] = log;
        }
    }

    /// <summary>
    /// <c>GET pods/NAME/log</c>: the named container's log, its last <c>tailLines</c> lines, cut to
    /// <c>limitBytes</c>. A container that has not started has none: 400, as the API answers.
    /// </summary>
    string ReadLog(Target target, IQueryCollection query)
    {
        lock (gate)
        {
            Stored pod = Find(target) ?? throw NotFound(target);
            string container = query["container"].FirstOrDefault() ?? (string)pod.Body["spec"]!["containers"]![0]!["name"]!;
            JsonObject? status = (pod.Body["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == container);
            if ((pod.Body["spec"]!["containers"] as JsonArray)!.All(c => (string?)c?["name"] != container))
            {
                throw new ApiError(400, "BadRequest", $"container {container} is not valid for pod {target.Name}");
            }

            if (status?["state"]?["waiting"] is JsonNode waiting || status is null)
            {
                string reason = (string?)status?["state"]?["waiting"]?["reason"] ?? "ContainerCreating";
                throw new ApiError(400, "BadRequest", $"container \"{container}\" in pod \"{target.Name}\" is waiting to start: {reason}");
            }

            string log = podLogs.GetValueOrDefault($"{target.Namespace}/{target.Name}") ?? string.Empty;
            if (int.TryParse(query["tailLines"], CultureInfo.InvariantCulture, out int tailLines) && tailLines >= 0)
            {
                string[] lines = log.EndsWith('\n') ? log[..^1].Split('\n') : log.Split('\n');
                log = lines.Length <= tailLines ? log : string.Join('\n', lines[^tailLines..]) + (log.EndsWith('\n') ? "\n" : string.Empty);
            }

            if (int.TryParse(query["limitBytes"], CultureInfo.InvariantCulture, out int limitBytes) && limitBytes > 0)
            {
                byte[] bytes = System.Text.Encoding.UTF8.GetBytes(log);
                log = bytes.Length <= limitBytes ? log : System.Text.Encoding.UTF8.GetString(bytes, 0, limitBytes);
            }

            return log;
        }
    }

    /// <summary>The garbage collector's part of a delete: everything that names the deleted object as an owner.</summary>
    void CollectDependents(string ownerUid, bool orphan, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        foreach (var (key, dependent) in objects.Where(o => (o.Value.Body["metadata"]?["ownerReferences"] as JsonArray)?.Any(r => (string?)r?["uid"] == ownerUid) == true).ToList())
        {
            if (orphan)
            {
                var references = (JsonArray)dependent.Body["metadata"]!["ownerReferences"]!;
                foreach (JsonNode? reference in references.Where(r => (string?)r?["uid"] == ownerUid).ToList())
                {
                    references.Remove(reference);
                }

                Stamp(dependent.Body, dependent.Body);
                dependent.ListItem = null;
                Publish("MODIFIED", dependent);
                continue;
            }

            CollectDependents((string)dependent.Body["metadata"]!["uid"]!, orphan: false, depth + 1);
            objects.Remove(key);
            podLogs.Remove($"{dependent.Body["metadata"]?["namespace"]}/{dependent.Body["metadata"]?["name"]}");
            Publish("DELETED", dependent);
        }
    }

    /// <summary>Stores a new version: bumps resourceVersion, and generation when anything but metadata and status changed. An unchanged object is not written at all.</summary>
    JsonObject Commit(Target target, Stored? existing, Stored next, bool dryRun, HttpRequest request)
    {
        KubeDefaults.Fill(target.Type, next.Body);
        if (existing is not null
            && JsonNode.DeepEquals(Strip(existing.Body), Strip(next.Body))
            && SameManagers(existing.Managers, next.Managers))
        {
            return Render(existing);
        }

        Stamp(next.Body, existing?.Body);
        if (target.Type.Namespaced)
        {
            next.Body["metadata"]!["namespace"] = target.Namespace;
        }

        if (dryRun)
        {
            return Render(next);
        }

        objects[Key(target.Type, target.Namespace, (string)next.Body["metadata"]!["name"]!)] = next;
        if (target.Type.Kind == "CustomResourceDefinition")
        {
            types.RemoveAll(t => t.Kind == (string?)next.Body["spec"]?["names"]?["kind"] && t.Group == (string?)next.Body["spec"]?["group"]);
            types.AddRange(KubeResourceTypes.FromDefinition(next.Body));
        }

        WriteLog.Enqueue($"{request.Method} {request.Path}");
        Publish(existing is null ? "ADDED" : "MODIFIED", next);
        return Render(next);
    }

    void Stamp(JsonObject body, JsonObject? previous)
    {
        var metadata = (JsonObject)(body["metadata"] ??= new JsonObject());
        metadata["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
        metadata["uid"] = (string?)previous?["metadata"]?["uid"] ?? Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = (string?)previous?["metadata"]?["creationTimestamp"] ?? DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        long generation = (long?)previous?["metadata"]?["generation"] ?? 0;
        bool specChanged = previous is null || !JsonNode.DeepEquals(Spec(previous), Spec(body));
        metadata["generation"] = specChanged ? generation + 1 : generation;
    }

    /// <summary>Everything but metadata and status: what a generation counts changes of.</summary>
    static JsonObject Spec(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    static JsonObject Strip(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (string field in new[] { "resourceVersion", "generation", "uid", "creationTimestamp", "managedFields" })
            {
                metadata.Remove(field);
            }
        }

        return copy;
    }

    static JsonObject Render(Stored stored)
    {
        var body = (JsonObject)stored.Body.DeepClone();
        body["apiVersion"] = stored.Type.GroupVersion;
        body["kind"] = stored.Type.Kind;
        var managed = new JsonArray();
        foreach (var (manager, (operation, fields)) in stored.Managers.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            managed.Add(new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = operation,
                ["apiVersion"] = stored.Type.GroupVersion,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldsV1(fields),
            });
        }

        ((JsonObject)body["metadata"]!)["managedFields"] = managed;
        return body;
    }

    static JsonObject FieldsV1(IEnumerable<string> keys) => KubeFields.FieldsV1(keys);

    static void Validate(Target target, JsonObject body, bool requireName)
    {
        string? apiVersion = (string?)body["apiVersion"];
        string? kind = (string?)body["kind"];
        if (apiVersion is not null && apiVersion != target.Type.GroupVersion || kind is not null && kind != target.Type.Kind)
        {
            throw new ApiError(400, "BadRequest", $"the API version in the data ({apiVersion}) and kind ({kind}) do not match the resource {target.Type.QualifiedName} {target.Type.Version}");
        }

        string? name = (string?)body["metadata"]?["name"];
        if (requireName && string.IsNullOrEmpty(name))
        {
            throw new ApiError(422, "Invalid", $"{target.Type.Kind} \"\" is invalid: metadata.name: Required value: name or generateName is required");
        }

        if (name is not null && !System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") || name?.Length > 253)
        {
            throw new ApiError(422, "Invalid", $"{target.Type.Kind} \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }

        string? ns = (string?)body["metadata"]?["namespace"];
        if (target.Type.Namespaced && ns is not null && ns != target.Namespace)
        {
            throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    void RequireNamespace(Target target)
    {
        if (target.Type.Namespaced && !objects.ContainsKey($"namespaces//{target.Namespace}"))
        {
            throw new ApiError(404, "NotFound", $"namespaces \"{target.Namespace}\" not found");
        }
    }

    static void CheckResourceVersion(Target target, Stored existing, JsonObject body)
    {
        string? wanted = (string?)body["metadata"]?["resourceVersion"];
        if (wanted is not null && wanted != (string?)existing.Body["metadata"]?["resourceVersion"])
        {
            throw new ApiError(409, "Conflict", $"Operation cannot be fulfilled on {target.Type.QualifiedName} \"{target.Name}\": the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    /// <summary>Writes to the main resource leave status alone when a status subresource exists, as the API server does.</summary>
    static JsonObject WithoutStatusChange(Stored existing, JsonObject next)
    {
        if (!existing.Type.HasStatus)
        {
            return next;
        }

        next = (JsonObject)next.DeepClone();
        next.Remove("status");
        if (existing.Body["status"] is JsonNode status)
        {
            next["status"] = status.DeepClone();
        }

        return next;
    }

    /// <summary>Writes to <c>/status</c> change only status.</summary>
    static JsonObject WithStatusFrom(JsonObject existing, JsonObject next)
    {
        var result = (JsonObject)existing.DeepClone();
        result.Remove("status");
        if (next["status"] is JsonNode status)
        {
            result["status"] = status.DeepClone();
        }

        return result;
    }

    static HashSet<string> FieldKeys(JsonObject body, KubeResourceType type) => KubeFields.Keys(body, type);

    static JsonNode? GetField(JsonObject body, string key) => KubeFields.Get(body, key);

    static void SetField(JsonObject body, string key, JsonNode? value) => KubeFields.Set(body, key, value);

    static void RemoveField(JsonObject body, string key) => KubeFields.Remove(body, key);

    /// <summary>RFC 7386 JSON merge patch: null deletes, objects merge, anything else replaces.</summary>
    static JsonNode? MergeJson(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                JsonNode? merged = MergeJson(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    static Dictionary<string, (string Operation, HashSet<string> Fields)> CopyManagers(Stored stored) =>
        stored.Managers.ToDictionary(m => m.Key, m => (m.Value.Operation, new HashSet<string>(m.Value.Fields, StringComparer.Ordinal)), StringComparer.Ordinal);

    static Dictionary<string, (string, HashSet<string>)> Prune(Dictionary<string, (string Operation, HashSet<string> Fields)> managers) =>
        managers.Where(m => m.Value.Fields.Count > 0).ToDictionary(m => m.Key, m => (m.Value.Operation, m.Value.Fields), StringComparer.Ordinal);

    static bool SameManagers(Dictionary<string, (string Operation, HashSet<string> Fields)> a, Dictionary<string, (string Operation, HashSet<string> Fields)> b) =>
        a.Count == b.Count && a.All(m => b.TryGetValue(m.Key, out var other) && other.Operation == m.Value.Operation && other.Fields.SetEquals(m.Value.Fields));
}
