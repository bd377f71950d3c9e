using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// Kustomize's <c>images:</c> transformer: containers whose image is <see cref="Name"/> get a new name,
/// tag or digest. Written once here so every renderer (plain, kustomize, helm) applies it the same way.
/// </summary>
public sealed record ImageOverride(string Name, string? NewName = null, string? NewTag = null, string? Digest = null)
{
    /// <summary>
    /// Parses the command-line form: <c>name=newName:tag</c>, <c>name=newName@sha256:...</c>,
    /// <c>name:tag</c> or <c>name@sha256:...</c>.
    /// </summary>
    public static ImageOverride Parse(string text)
    {
        string name = text;
        string reference = text;
        int equals = text.IndexOf('=');
        if (equals >= 0)
        {
            name = text[..equals];
            reference = text[(equals + 1)..];
        }

        (string refName, string? tag, string? digest) = Split(reference);
        if (equals < 0)
        {
            name = refName;
        }

        if (name.Length == 0 || refName.Length == 0 || (equals < 0 && tag is null && digest is null))
        {
            throw new FormatException($"image override '{text}' must look like name=newName:tag, name=newName@sha256:..., or name:tag");
        }

        return new ImageOverride(name, refName == name ? null : refName, tag, digest);
    }

    /// <summary>Applies the overrides to every container and init container of every pod template in the object.</summary>
    public static int Apply(Manifest manifest, IReadOnlyList<ImageOverride> overrides)
    {
        if (overrides.Count == 0)
        {
            return 0;
        }

        int changed = 0;
        foreach (JsonObject podSpec in PodSpecs(manifest.Body))
        {
            foreach (string list in new[] { "initContainers", "containers", "ephemeralContainers" })
            {
                if (podSpec[list] is not JsonArray containers)
                {
                    continue;
                }

                foreach (JsonObject container in containers.OfType<JsonObject>())
                {
                    if (container["image"] is JsonValue value && value.TryGetValue(out string? image))
                    {
                        (string imageName, string? tag, string? digest) = Split(image);
                        if (overrides.LastOrDefault(o => o.Name == imageName) is { } found)
                        {
                            string rewritten = (found.NewName ?? imageName)
                                + (found.Digest is not null ? "@" + found.Digest : (found.NewTag ?? tag) is string t ? ":" + t : string.Empty);
                            if (found.Digest is null && found.NewTag is null && digest is not null)
                            {
                                rewritten = (found.NewName ?? imageName) + "@" + digest;
                            }

                            if (rewritten != image)
                            {
                                container["image"] = rewritten;
                                changed++;
                            }
                        }
                    }
                }
            }
        }

        return changed;
    }

    static IEnumerable<JsonObject> PodSpecs(JsonObject body)
    {
        // Pod; Deployment, StatefulSet, DaemonSet, ReplicaSet, Job; CronJob.
        if (body["kind"]?.ToString() == "Pod" && body["spec"] is JsonObject podSpec)
        {
            yield return podSpec;
        }

        if (body["spec"]?["template"]?["spec"] is JsonObject templateSpec)
        {
            yield return templateSpec;
        }

        if (body["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"] is JsonObject cronSpec)
        {
            yield return cronSpec;
        }
    }

    /// <summary>Splits <c>registry:5000/app:1.2@sha256:..</c> into name, tag and digest; a port is not a tag.</summary>
    static (string Name, string? Tag, string? Digest) Split(string image)
    {
        string? digest = null;
        int at = image.IndexOf('@');
        if (at >= 0)
        {
            digest = image[(at + 1)..];
            image = image[..at];
        }

        int colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..], digest) : (image, null, digest);
    }
}
