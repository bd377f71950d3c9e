using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Payloads;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// Decides what a checkpoint carries. While every node fits in
/// <see cref="PayloadDefaults.ProgressInlineBytes"/>, all of them, as always. Past that, a base
/// stored by content and the nodes changed since it, so each checkpoint of a 5,000-node run carries
/// what changed rather than all 5,000; once the changes no longer fit, a new base. A host without a
/// payload store carries every node, as before.
/// </summary>
public sealed class ProgressCheckpoint(StoredPayloads? payloads, string? restoredBase, int inlineBytes = PayloadDefaults.ProgressInlineBytes)
{
    /// <summary>The progress to continue with, <paramref name="nodes"/> being every node now.</summary>
    public RunProgress Next(IReadOnlyList<NodeStatus> nodes, DateTime? deadline, int generation)
    {
        List<string> json = [.. nodes.Select(Json)];
        if (payloads is null || json.Sum(j => j.Length) <= inlineBytes)
        {
            return new RunProgress(nodes, deadline, generation);
        }

        if (restoredBase is not null)
        {
            // Against the base as stored, not as restored: a node changed since it is carried again
            // at every checkpoint until the next base.
            List<string> stored = [.. Load(payloads, restoredBase).Select(Json)];
            var places = new List<int>();
            int size = 0;
            for (int i = 0; i < nodes.Count && size <= inlineBytes; i++)
            {
                if (i >= stored.Count || json[i] != stored[i])
                {
                    places.Add(i);
                    size += json[i].Length;
                }
            }

            if (size <= inlineBytes)
            {
                return new RunProgress([.. places.Select(i => nodes[i])], deadline, generation) { Base = restoredBase, Places = places };
            }
        }

        // The list's JSON from its nodes' JSON, already made above, rather than serializing all of them again.
        string key = payloads.Put(System.Text.Encoding.UTF8.GetBytes($"[{string.Join(',', json)}]"), kept: nodes.Select(node => node.Copy()).ToArray());
        return new RunProgress([], deadline, generation) { Base = key, Places = [] };
    }

    /// <summary>
    /// The nodes stored under <paramref name="key"/>, as objects of the caller's own: a run changes them.
    /// Parsed once per process and copied for each caller, since every replayed episode of a large
    /// run restores its base and parsing thousands of nodes each time showed in benchmarks.
    /// </summary>
    public static List<NodeStatus> Load(StoredPayloads payloads, string key)
    {
        NodeStatus[] Parse(byte[] content) => JsonSerializer.Deserialize<NodeStatus[]>(content) ?? throw new InvalidDataException($"payload {key} holds no nodes");
        object kept = payloads.Get(key, Parse);
        return [.. (kept as NodeStatus[] ?? Parse((byte[])kept)).Select(node => node.Copy())];
    }

    static string Json(NodeStatus node) => JsonSerializer.Serialize(node);
}
