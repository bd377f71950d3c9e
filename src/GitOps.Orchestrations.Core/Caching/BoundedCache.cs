using System.Collections.Concurrent;

namespace GitOps.Orchestrations.Core.Caching;

/// <summary>
/// A process-wide memo with a hard size bound. Its keys come from workflow files, which anyone with
/// write access to a repository controls, so an unbounded dictionary would be a memory leak on
/// demand. When full it starts over: the values are cheap to recompute and always the same.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    readonly ConcurrentDictionary<TKey, TValue> entries = new(comparer);

    public int Count => entries.Count;

    public void Remove(TKey key) => entries.TryRemove(key, out _);

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        if (entries.TryGetValue(key, out TValue? found))
        {
            return found;
        }

        TValue value = create(key);
        if (entries.Count >= capacity)
        {
            entries.Clear();
        }

        entries.TryAdd(key, value);
        return value;
    }
}
