using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>What a render applies on top of the tool's output.</summary>
public sealed record ManifestOverrides
{
    public static readonly ManifestOverrides None = new();

    public IReadOnlyList<ImageOverride> Images { get; init; } = [];

    /// <summary>Set on every namespaced object, replacing what the source says, like kustomize's <c>namespace:</c>.</summary>
    public string? Namespace { get; init; }
}

/// <summary>A render's result: objects in apply order, their normalized YAML, and its digest.</summary>
public sealed record ManifestSet(IReadOnlyList<Manifest> Objects, string Yaml, string Digest)
{
    /// <summary>
    /// Validates, overrides and normalizes what a renderer produced. Every object is checked before
    /// anything is returned, so a bad render is refused whole and nothing of it is ever applied.
    /// </summary>
    public static ManifestSet Build(IEnumerable<Manifest> rendered, ManifestOverrides overrides)
    {
        var errors = new List<string>();
        var objects = new List<Manifest>();
        var clusterScopedCustomKinds = new HashSet<string>(StringComparer.Ordinal);
        List<Manifest> all = rendered.Select(m => m.Clone()).ToList();
        foreach (Manifest crd in all.Where(m => m.Kind == "CustomResourceDefinition"))
        {
            if ((string?)crd.Body["spec"]?["scope"] == "Cluster" && crd.Body["spec"]?["names"]?["kind"] is JsonNode kind)
            {
                clusterScopedCustomKinds.Add($"{crd.Body["spec"]?["group"]}/{kind}");
            }
        }

        foreach (Manifest manifest in all)
        {
            List<string> problems = Problems(manifest);
            if (problems.Count > 0)
            {
                errors.Add($"{manifest.Origin}: {string.Join("; ", problems)}");
                continue;
            }

            bool clusterScoped = ApplyOrder.ClusterScopedKinds.Contains(manifest.Kind)
                || clusterScopedCustomKinds.Contains($"{ObjectRef.GroupOf(manifest.ApiVersion)}/{manifest.Kind}");
            if (clusterScoped)
            {
                manifest.Metadata!.Remove("namespace");
            }
            else if (overrides.Namespace is string ns)
            {
                manifest.SetNamespace(ns);
            }

            ImageOverride.Apply(manifest, overrides.Images);
            objects.Add(manifest);
        }

        foreach (var duplicate in objects.GroupBy(m => m.Ref).Where(g => g.Count() > 1))
        {
            errors.Add($"{duplicate.Key} is defined {duplicate.Count()} times: {string.Join(", ", duplicate.Select(m => m.Origin))}");
        }

        if (errors.Count > 0)
        {
            throw new ManifestException(errors);
        }

        IReadOnlyList<Manifest> ordered = ApplyOrder.Sort(objects, m =>
            ApplyOrder.ClusterScopedKinds.Contains(m.Kind) || clusterScopedCustomKinds.Contains($"{ObjectRef.GroupOf(m.ApiVersion)}/{m.Kind}"));
        string yaml = CanonicalYaml.WriteAll(ordered.Select(m => m.Body));
        return new ManifestSet(ordered, yaml, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml))));
    }

    static List<string> Problems(Manifest manifest)
    {
        var problems = new List<string>();
        if (!IsText(manifest.Body["apiVersion"]))
        {
            problems.Add("apiVersion is missing");
        }

        if (!IsText(manifest.Body["kind"]))
        {
            problems.Add("kind is missing");
        }

        if (manifest.Body["metadata"] is not JsonObject metadata)
        {
            problems.Add("metadata is missing");
            return problems;
        }

        if (!IsText(metadata["name"]))
        {
            problems.Add(metadata["generateName"] is not null
                ? "metadata.generateName is not supported: a GitOps object needs a fixed name to be tracked"
                : "metadata.name is missing");
        }

        if (metadata["namespace"] is JsonNode ns && !IsText(ns))
        {
            problems.Add("metadata.namespace must be a string");
        }

        if ((manifest.Annotation(Manifest.SyncWaveAnnotation) ?? manifest.Annotation(Manifest.ArgoSyncWaveAnnotation)) is string wave
            && !int.TryParse(wave, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            problems.Add($"sync-wave '{wave}' is not an integer");
        }

        return problems;
    }

    static bool IsText(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String && ((string?)node)!.Length > 0;
}

/// <summary>A render that cannot be applied; the messages name each object by <c>file:line:col</c>.</summary>
public sealed class ManifestException(IReadOnlyList<string> errors)
    : Exception(errors.Count == 1 ? errors[0] : $"{errors.Count} problems in the rendered manifests:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
