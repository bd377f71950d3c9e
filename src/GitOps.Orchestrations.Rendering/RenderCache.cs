using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Rendering;

/// <summary>
/// Normalized renders on disk, keyed by everything that decides them: repository, source SHA, path,
/// render settings and tool version. A commit never changes, so an entry never goes stale.
/// </summary>
public sealed class RenderCache(string folder)
{
    public static string Key(string repo, string sha, string path, RenderSpec spec, string toolVersion)
    {
        string identity = JsonSerializer.Serialize(new { repo, sha, path, spec, toolVersion });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];
    }

    public ManifestSet? TryLoad(string key)
    {
        string file = Path.Combine(folder, key + ".yaml");
        if (!File.Exists(file))
        {
            return null;
        }

        string yaml = File.ReadAllText(file);
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<Manifest> objects = ManifestReader.Read($"render-cache/{key}", yaml, diagnostics);
        return diagnostics.Count == 0
            ? new ManifestSet(objects, yaml, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml))))
            : null;
    }

    public void Store(string key, ManifestSet manifests)
    {
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, key + ".yaml");
        string staging = $"{file}.{Guid.NewGuid():N}";
        File.WriteAllText(staging, manifests.Yaml);
        File.Move(staging, file, overwrite: true);
    }
}
