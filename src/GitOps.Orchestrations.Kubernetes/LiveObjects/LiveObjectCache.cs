using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Kubernetes.LiveObjects;

/// <summary>
/// The live objects of one cluster, kept in memory by one LIST and then a WATCH per resource type
/// and namespace, as Argo CD's cluster cache keeps them, so that an unchanged sync compares in
/// memory instead of listing every kind again. A scope is watched from its first use; it is listed
/// again after a watch error or an expired resourceVersion (410), and dropped after
/// <see cref="IdleAfter"/> without use. The engine's own writes go in as their responses arrive.
/// <para>
/// The cache is as fresh as the watch: a change someone made a moment ago may not be in it yet.
/// Syncs read from it; drift checks, and the apply that heals drift, read the API directly
/// (<see cref="ApplyOptions.FreshRead"/>), because they act on a change they have just seen.
/// </para>
/// </summary>
public sealed class LiveObjectCache(ClusterSpec cluster) : IAsyncDisposable
{
    public static readonly TimeSpan IdleAfter = TimeSpan.FromHours(1);

    /// <summary>How long a read waits for a scope to be listed again after a watch failure before it lists directly.</summary>
    static readonly TimeSpan ResyncWait = TimeSpan.FromSeconds(10);

    readonly Lazy<ClusterClient> client = new(() => ClusterClient.Connect(cluster));
    readonly ConcurrentDictionary<string, ScopeWatch> scopes = new(StringComparer.Ordinal);

    // Per object: the live resourceVersion and the comparison (desired digest and rules) last found equal.
    readonly ConcurrentDictionary<string, string> unchanged = new(StringComparer.Ordinal);

    /// <summary>How many times a scope has been listed (first use and every resync), for tests and the benchmark.</summary>
    public int Lists => scopes.Values.Sum(s => s.Lists);

    /// <summary>
    /// The objects of one type in one namespace (null: a cluster-scoped type), from the watch. The
    /// first call for a scope lists it and starts its watch; a failure of that first LIST is thrown,
    /// as a direct LIST's would be. Null when the scope is being listed again after a watch failure
    /// and is not back within a few seconds: the caller reads the API itself.
    /// </summary>
    public async Task<IReadOnlyCollection<JsonObject>?> ListAsync(ResourceType type, string? ns, CancellationToken cancellationToken)
    {
        Sweep();
        string key = $"{type.ApiVersion}/{type.Plural}/{ns}";
        ScopeWatch scope = scopes.GetOrAdd(key, _ => new ScopeWatch(client.Value, type, ns));
        try
        {
            return await scope.SnapshotAsync(ResyncWait, cancellationToken);
        }
        catch (KubernetesApiException)
        {
            // The first LIST failed (a kind not served yet, a namespace not there): forget the scope.
            if (scopes.TryRemove(new KeyValuePair<string, ScopeWatch>(key, scope)))
            {
                await scope.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// Whether this version of a live object was already compared with this desired state (<paramref
    /// name="comparison"/>: its digest and the rules of the comparison) and found equal. A
    /// resourceVersion changes with every write to the object, so an object nobody touched is not
    /// compared again field by field.
    /// </summary>
    public bool KnownUnchanged(string objectRef, string? resourceVersion, string comparison) =>
        resourceVersion is { Length: > 0 } && unchanged.TryGetValue(objectRef, out string? seen) && seen == $"{resourceVersion}|{comparison}";

    public void MarkUnchanged(string objectRef, string? resourceVersion, string comparison)
    {
        if (resourceVersion is { Length: > 0 })
        {
            unchanged[objectRef] = $"{resourceVersion}|{comparison}";
        }
    }

    /// <summary>The object as the API server returned it from a write by this engine.</summary>
    public void Written(ResourceType type, string? ns, JsonObject stored)
    {
        if (scopes.TryGetValue($"{type.ApiVersion}/{type.Plural}/{ns}", out ScopeWatch? scope))
        {
            scope.Put(stored);
        }
    }

    public void Deleted(ResourceType type, string? ns, string name)
    {
        unchanged.TryRemove(new Core.Manifests.ObjectRef(type.Group, type.Kind, ns, name).ToString(), out _);
        if (scopes.TryGetValue($"{type.ApiVersion}/{type.Plural}/{ns}", out ScopeWatch? scope))
        {
            scope.Remove(name);
        }
    }

    void Sweep()
    {
        foreach (var (key, scope) in scopes)
        {
            if (scope.IdleFor > IdleAfter && scopes.TryRemove(new KeyValuePair<string, ScopeWatch>(key, scope)))
            {
                _ = scope.DisposeAsync().AsTask();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ScopeWatch scope in scopes.Values)
        {
            await scope.DisposeAsync();
        }

        scopes.Clear();
        if (client.IsValueCreated)
        {
            client.Value.Dispose();
        }
    }
}

/// <summary>One live-object cache per configured cluster, created on first use and closed with the host.</summary>
public sealed class LiveObjectCaches(ClusterRegistry clusters) : IAsyncDisposable
{
    readonly ConcurrentDictionary<string, LiveObjectCache> caches = new(StringComparer.Ordinal);

    public LiveObjectCache For(string? cluster)
    {
        ClusterSpec spec = clusters.Resolve(cluster);
        return caches.GetOrAdd(cluster ?? ClusterRegistry.DefaultName, _ => new LiveObjectCache(spec));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (LiveObjectCache cache in caches.Values)
        {
            await cache.DisposeAsync();
        }

        caches.Clear();
    }
}
