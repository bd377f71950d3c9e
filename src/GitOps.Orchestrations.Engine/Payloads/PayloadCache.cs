namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// What this process has lately written to or read from the payload store, newest kept: a run's
/// snapshot is fetched once per process rather than once per replay, and content it holds is known
/// to be stored. Bounded by entries and by bytes, so a flood of large runs evicts rather than grows.
/// </summary>
public sealed class PayloadCache(int maxEntries = PayloadDefaults.CacheEntries, long maxBytes = PayloadDefaults.CacheBytes)
{
    readonly Dictionary<string, LinkedListNode<Entry>> entries = new(StringComparer.Ordinal);
    readonly LinkedList<Entry> order = new();
    readonly Lock gate = new();
    long bytes;

    /// <summary>The value kept for <paramref name="key"/>: the deserialized object when instances are shared, else the bytes.</summary>
    public bool TryGet(string key, out object? value)
    {
        lock (gate)
        {
            if (entries.TryGetValue(key, out LinkedListNode<Entry>? node))
            {
                order.Remove(node);
                order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public void Remember(string key, object value, int size)
    {
        lock (gate)
        {
            if (entries.TryGetValue(key, out LinkedListNode<Entry>? old))
            {
                order.Remove(old);
                bytes -= old.Value.Size;
            }

            entries[key] = order.AddFirst(new Entry(key, value, size));
            bytes += size;
            while (order.Count > 1 && (order.Count > maxEntries || bytes > maxBytes))
            {
                Entry last = order.Last!.Value;
                order.RemoveLast();
                entries.Remove(last.Key);
                bytes -= last.Size;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return order.Count;
            }
        }
    }

    sealed record Entry(string Key, object Value, int Size);
}
