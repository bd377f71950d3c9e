using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitOps.Orchestrations.Delivery.Secrets;

/// <summary>
/// SealedSecrets to Secrets and back, in the Sealed Secrets controller's format. Unsealing happens
/// in memory, inside the apply activity, for a cluster that runs no controller; the Secret it makes
/// goes to the API server and nowhere else (docs/secrets.md). Every message names the object and
/// the key, never a value.
/// </summary>
public sealed class SealedSecrets(SealingKeyRing keys)
{
    /// <summary>A Secret holds at most 1 MiB; a sealed value larger than that plus its envelope is refused unread.</summary>
    public const int MaxSealedBytes = (1024 * 1024) + 4096;

    public SealingKeyRing Keys { get; } = keys;

    public static bool AnyIn(ManifestSet set) => set.Objects.Any(m => SealedSecretFormat.Is(m.Body));

    /// <summary>
    /// The set with every SealedSecret replaced by the Secret it seals. All or nothing: one that
    /// does not unseal refuses the set with every problem, so nothing of the sync is applied.
    /// </summary>
    public ManifestSet Unseal(ManifestSet set, string? defaultNamespace)
    {
        var errors = new List<string>();
        var objects = new List<Manifest>();
        foreach (Manifest manifest in set.Objects)
        {
            if (!SealedSecretFormat.Is(manifest.Body))
            {
                objects.Add(manifest);
                continue;
            }

            string ns = manifest.Namespace ?? defaultNamespace ?? "default";
            string where = $"SealedSecret/{ns}/{manifest.Name} ({manifest.Origin})";
            if (Keys.Keys.Count == 0)
            {
                errors.Add($"{where}: the cluster runs no Sealed Secrets controller, and this server has no sealing keys to unseal it with (SealingKeys, docs/secrets.md)");
                continue;
            }

            try
            {
                objects.Add(new Manifest(Unseal(manifest.Body, ns, manifest.Name), manifest.Origin));
            }
            catch (SealedSecretException e)
            {
                errors.Add($"{where}: {e.Message}");
            }
        }

        return errors.Count > 0 ? throw new ManifestException(errors) : ManifestSet.Build(objects, ManifestOverrides.None);
    }

    JsonObject Unseal(JsonObject sealedSecret, string ns, string name)
    {
        if (sealedSecret["spec"] is not JsonObject spec)
        {
            throw new SealedSecretException("spec is missing");
        }

        if (spec.ContainsKey("data"))
        {
            throw new SealedSecretException("spec.data is the older whole-Secret form, which is not supported; seal it again with kubeseal or gitops seal");
        }

        JsonObject? template = spec["template"] as JsonObject;
        if (template?["data"] is not null)
        {
            throw new SealedSecretException("spec.template.data (templated values) is not supported");
        }

        if (spec["encryptedData"] is not JsonObject encrypted || encrypted.Count == 0)
        {
            throw new SealedSecretException("spec.encryptedData holds no values");
        }

        SealingScope scope = SealedSecretFormat.ScopeOf(sealedSecret);
        byte[] label = SealedSecretFormat.Label(ns, name, scope);
        var data = new JsonObject();
        foreach (var (key, value) in encrypted)
        {
            if (value is not JsonValue text || !text.TryGetValue(out string? base64) || base64.Length > MaxSealedBytes * 4 / 3 + 4)
            {
                throw new SealedSecretException($"encryptedData key '{key}' is not a sealed value");
            }

            byte[] ciphertext;
            try
            {
                ciphertext = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new SealedSecretException($"encryptedData key '{key}' is not base64");
            }

            byte[] plaintext = Decrypt(ciphertext, label) ?? throw new SealedSecretException(
                $"no sealing key of this server unseals encryptedData key '{key}' under {Describe(scope)} scope as {Describe(scope, ns, name)}: it was sealed for another name or namespace, with another scope, or with a key this server does not hold");
            try
            {
                data[key] = Convert.ToBase64String(plaintext);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }

        JsonObject? templateMetadata = template?["metadata"] as JsonObject;
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = ns };
        foreach (string field in new[] { "labels", "annotations" })
        {
            if (templateMetadata?[field] is JsonObject map)
            {
                metadata[field] = map.DeepClone();
            }
        }

        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = metadata, ["type"] = (string?)template?["type"] ?? "Opaque", ["data"] = data };
        if (template?["immutable"] is JsonNode immutable)
        {
            secret["immutable"] = immutable.DeepClone();
        }

        return secret;
    }

    byte[]? Decrypt(byte[] ciphertext, byte[] label)
    {
        // Newest first: after a rotation, most values are sealed with it.
        for (int i = Keys.Keys.Count - 1; i >= 0; i--)
        {
            try
            {
                if (HybridCrypto.TryDecrypt(Keys.Keys[i].PrivateKey, ciphertext, label) is byte[] plaintext)
                {
                    return plaintext;
                }
            }
            catch (CryptographicException e)
            {
                throw new SealedSecretException($"a sealed value is corrupt: {e.Message}");
            }
        }

        return null;
    }

    static string Describe(SealingScope scope) => scope switch
    {
        SealingScope.Strict => "strict",
        SealingScope.NamespaceWide => "namespace-wide",
        _ => "cluster-wide",
    };

    static string Describe(SealingScope scope, string ns, string name) => scope switch
    {
        SealingScope.Strict => $"'{ns}/{name}'",
        SealingScope.NamespaceWide => $"namespace '{ns}'",
        _ => "any name",
    };

    /// <summary>
    /// A Secret sealed for <paramref name="publicKey"/>, as <c>kubeseal</c> writes it: every value of
    /// <c>data</c> and <c>stringData</c> sealed on its own, the Secret's labels, annotations and type kept in the template.
    /// </summary>
    public static JsonObject Seal(JsonObject secret, RsaKeyParameters publicKey, SealingScope scope, string? defaultNamespace)
    {
        if ((string?)secret["kind"] != "Secret" || (string?)secret["apiVersion"] != "v1")
        {
            throw new ArgumentException("only a v1 Secret can be sealed");
        }

        string name = (string?)secret["metadata"]?["name"] ?? throw new ArgumentException("the Secret has no metadata.name");
        string ns = (string?)secret["metadata"]?["namespace"] ?? defaultNamespace ?? (scope == SealingScope.ClusterWide ? string.Empty : throw new ArgumentException("the Secret names no namespace: give --namespace, or seal it cluster-wide"));
        byte[] label = SealedSecretFormat.Label(ns, name, scope);
        var encrypted = new JsonObject();
        foreach ((string key, byte[] value) in Values(secret).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            encrypted[key] = Convert.ToBase64String(HybridCrypto.Encrypt(publicKey, value, label));
            CryptographicOperations.ZeroMemory(value);
        }

        var metadata = new JsonObject { ["name"] = name };
        var templateMetadata = new JsonObject { ["name"] = name };
        if (ns.Length > 0)
        {
            metadata["namespace"] = ns;
            templateMetadata["namespace"] = ns;
        }

        string? annotation = scope switch
        {
            SealingScope.NamespaceWide => SealedSecretFormat.NamespaceWideAnnotation,
            SealingScope.ClusterWide => SealedSecretFormat.ClusterWideAnnotation,
            _ => null,
        };
        if (annotation is not null)
        {
            metadata["annotations"] = new JsonObject { [annotation] = "true" };
        }

        foreach (string field in new[] { "labels", "annotations" })
        {
            if (secret["metadata"]?[field] is JsonObject map)
            {
                templateMetadata[field] = map.DeepClone();
            }
        }

        var template = new JsonObject { ["metadata"] = templateMetadata, ["type"] = (string?)secret["type"] ?? "Opaque" };
        if (secret["immutable"] is JsonNode immutable)
        {
            template["immutable"] = immutable.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = SealedSecretFormat.ApiVersion,
            ["kind"] = SealedSecretFormat.Kind,
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["encryptedData"] = encrypted, ["template"] = template },
        };
    }

    static IEnumerable<(string Key, byte[] Value)> Values(JsonObject secret)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (secret["stringData"] is JsonObject stringData)
        {
            foreach (var (key, value) in stringData)
            {
                seen.Add(key);
                yield return (key, Encoding.UTF8.GetBytes((string?)value ?? string.Empty));
            }
        }

        if (secret["data"] is JsonObject data)
        {
            foreach (var (key, value) in data.Where(d => !seen.Contains(d.Key)))
            {
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String((string?)value ?? string.Empty);
                }
                catch (FormatException)
                {
                    throw new ArgumentException($"data key '{key}' is not base64");
                }

                yield return (key, bytes);
            }
        }
    }
}

/// <summary>A SealedSecret that cannot be unsealed; the message names the key and never a value.</summary>
public sealed class SealedSecretException(string message) : Exception(message);
