using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>One Kubernetes object as rendered: its body, and where it came from for error messages.</summary>
public sealed class Manifest(JsonObject body, string origin)
{
    /// <summary>Annotation holding the digest of what this engine last applied; a match means no write is needed.</summary>
    public const string DigestAnnotation = "gitops.orchestrations/digest";

    /// <summary>Set to <c>disabled</c> on an object to keep prune from ever deleting it.</summary>
    public const string PruneAnnotation = "gitops.orchestrations/prune";

    public const string SyncWaveAnnotation = "gitops.orchestrations/sync-wave";

    /// <summary>Argo CD's name for the same thing, honoured so that existing manifests keep their order.</summary>
    public const string ArgoSyncWaveAnnotation = "argocd.argoproj.io/sync-wave";

    public JsonObject Body { get; } = body;

    /// <summary><c>file:line:col</c> of the document, or the tool that produced it.</summary>
    public string Origin { get; } = origin;

    public string ApiVersion => Text(Body["apiVersion"]);

    public string Kind => Text(Body["kind"]);

    public string Name => Text(Metadata?["name"]);

    public string? Namespace => Metadata?["namespace"] is JsonNode ns ? Text(ns) : null;

    public JsonObject? Metadata => Body["metadata"] as JsonObject;

    public ObjectRef Ref => ObjectRef.Of(ApiVersion, Kind, Namespace, Name);

    public string? Annotation(string name) => (Metadata?["annotations"] as JsonObject)?[name] is JsonNode value ? Text(value) : null;

    public void SetAnnotation(string name, string value)
    {
        JsonObject metadata = Metadata ?? (JsonObject)(Body["metadata"] = new JsonObject());
        JsonObject annotations = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
        annotations[name] = value;
    }

    public void SetNamespace(string @namespace) => (Metadata ?? (JsonObject)(Body["metadata"] = new JsonObject()))["namespace"] = @namespace;

    /// <summary>
    /// SHA-256 of the object's canonical JSON without the digest annotation itself: the same desired
    /// state always gives the same digest, whatever order its fields were written in.
    /// </summary>
    public string Digest()
    {
        // Written without the digest annotation (and without an annotations map it alone would fill).
        JsonObject? annotations = Metadata?["annotations"] as JsonObject;
        bool onlyDigest = annotations is { Count: 1 } && annotations.ContainsKey(DigestAnnotation);
        string canonical = CanonicalJson.Write(Body, (parent, key) =>
            (ReferenceEquals(parent, annotations) && key == DigestAnnotation) || (onlyDigest && ReferenceEquals(parent, Metadata) && key == "annotations"));
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public Manifest Clone() => new((JsonObject)Body.DeepClone(), Origin);

    static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : node?.ToJsonString() ?? string.Empty;
}

/// <summary>JSON with object keys in ordinal order and no whitespace: one text per value, for digests.</summary>
public static class CanonicalJson
{
    /// <param name="skip">Properties to leave out, by their parent object and name.</param>
    public static string Write(JsonNode? node, Func<JsonObject, string, bool>? skip = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node, skip);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static void Write(Utf8JsonWriter writer, JsonNode? node, Func<JsonObject, string, bool>? skip)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (skip?.Invoke(obj, key) == true)
                    {
                        continue;
                    }

                    writer.WritePropertyName(key);
                    Write(writer, value, skip);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (JsonNode? item in array)
                {
                    Write(writer, item, skip);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
