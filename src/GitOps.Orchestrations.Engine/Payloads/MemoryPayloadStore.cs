using System.Collections.Concurrent;

namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>The embedded backend's payload store: as long-lived as its runs, which live in the process.</summary>
public sealed class MemoryPayloadStore : IPayloadStore
{
    readonly ConcurrentDictionary<string, byte[]> stored = new(StringComparer.Ordinal);

    public int Count => stored.Count;

    public void Put(string key, ReadOnlyMemory<byte> content) => stored.TryAdd(key, content.ToArray());

    public byte[] Get(string key) => stored.TryGetValue(key, out byte[]? value) ? value : throw new PayloadMissingException(key);
}
