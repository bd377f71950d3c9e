using k8s;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;

namespace GitOps.Orchestrations.Kubernetes;

public sealed partial class KubernetesApplier
{
    /// <summary>
    /// Compares live objects with a render, field by field, within what the render sets and minus the
    /// ignore rules. Reads only: healing is an apply of the same render.
    /// </summary>
    public async Task<IReadOnlyList<DriftedObject>> DetectDriftAsync(ManifestSet render, ApplyOptions options, CancellationToken cancellationToken = default)
    {
        var mapper = new ResourceMapper(client);
        List<Desired> desired = await PrepareAsync(render, options, mapper, cancellationToken);
        Dictionary<ObjectRef, JsonObject> live = await ReadLiveAsync(desired.Select(d => (d.Type, d.Manifest.Namespace)), fresh: true, cancellationToken);
        var drifted = new List<DriftedObject>();
        foreach (Desired item in desired)
        {
            if (!live.TryGetValue(item.Manifest.Ref, out JsonObject? current))
            {
                drifted.Add(new DriftedObject(item.Manifest.Ref.ToString(), ["/"]));
                continue;
            }

            IReadOnlyList<string> fields = Differences(item.Manifest, current, options);
            if (fields.Count > 0)
            {
                drifted.Add(new DriftedObject(item.Manifest.Ref.ToString(), fields));
            }
        }

        return drifted;
    }
}
