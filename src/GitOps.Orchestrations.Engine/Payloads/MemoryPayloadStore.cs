using System.Collections.Concurrent;

namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// The embedded backend's payload store: as long-lived as its runs, which live in the process, and
/// swept by retention as they are, so a server that runs for months does not keep every snapshot.
/// </summary>
public sealed class MemoryPayloadStore(TimeProvider? clock = null) : IPayloadStore, IPayloadSweep
{
    readonly ConcurrentDictionary<string, Entry> stored = new(StringComparer.Ordinal);
    readonly TimeProvider clock = clock ?? TimeProvider.System;

    public int Count => stored.Count;

    /// <summary>Stores new content; content already here is touched, as a blob store's is.</summary>
    public void Put(string key, ReadOnlyMemory<byte> content) =>
        stored.AddOrUpdate(key, _ => new Entry(content.ToArray(), clock.GetUtcNow()), (_, old) => old with { Touched = clock.GetUtcNow() });

    public byte[] Get(string key) => stored.TryGetValue(key, out Entry? entry) ? entry.Content : throw new PayloadMissingException(key);

    public Task<int> SweepAsync(DateTimeOffset cutoff, IReadOnlySet<string> keep, CancellationToken cancellationToken = default)
    {
        int removed = 0;
        foreach (KeyValuePair<string, Entry> pair in stored)
        {
            // Removed only as it was seen: an entry touched since is a different value and stays.
            if (pair.Value.Touched < cutoff && !keep.Contains(pair.Key) && stored.TryRemove(pair))
            {
                removed++;
            }
        }

        return Task.FromResult(removed);
    }

    sealed record Entry(byte[] Content, DateTimeOffset Touched);
}
