using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;

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

    /// <summary>
    /// The cached render, or null. Objects are kept as JSON beside the YAML because reading JSON back
    /// is several times cheaper than parsing YAML, and an unchanged re-sync is mostly this read.
    /// </summary>
    public ManifestSet? TryLoad(string key)
    {
        string yamlFile = Path.Combine(folder, key + ".yaml");
        string jsonFile = Path.Combine(folder, key + ".json");
        if (!File.Exists(yamlFile) || !File.Exists(jsonFile))
        {
            return null;
        }

        string yaml = File.ReadAllText(yamlFile);
        if (JsonNode.Parse(File.ReadAllBytes(jsonFile)) is not JsonArray array)
        {
            return null;
        }

        // Fresh from the file, so no copy is needed: whoever changes one (apply) clones it first.
        var objects = array.OfType<JsonObject>().Select((o, i) => new Manifest(o, $"render-cache/{key}#{i}")).ToList();
        return new ManifestSet(objects, yaml, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml))));
    }

    public void Store(string key, ManifestSet manifests)
    {
        Directory.CreateDirectory(folder);
        Write(Path.Combine(folder, key + ".json"), new JsonArray(manifests.Objects.Select(m => (JsonNode)m.Body.DeepClone()).ToArray()).ToJsonString());
        Write(Path.Combine(folder, key + ".yaml"), manifests.Yaml);
    }

    static void Write(string file, string content)
    {
        string staging = $"{file}.{Guid.NewGuid():N}";
        File.WriteAllText(staging, content);
        File.Move(staging, file, overwrite: true);
    }
}
