using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;

namespace GitOps.Orchestrations.Kubernetes.LiveObjects;

/// <summary>
/// LIST then WATCH of one resource type in one namespace, keeping the objects by name. Watches ask
/// for bookmarks and end after a minute, then resume from the last resourceVersion seen; an error
/// event or a failed watch lists the scope again. Objects are handed out shared and never changed in
/// place: a new version replaces the old one.
/// </summary>
internal sealed class ScopeWatch : IAsyncDisposable
{
    const int WatchSeconds = 60;

    readonly ClusterClient client;
    readonly ResourceType type;
    readonly string? ns;
    readonly CancellationTokenSource stop = new();
    readonly Lock gate = new();
    readonly Dictionary<string, JsonObject> objects = new(StringComparer.Ordinal);
    readonly Task loop;
    TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long lastUsed = Environment.TickCount64;
    int lists;

    public ScopeWatch(ClusterClient client, ResourceType type, string? ns)
    {
        this.client = client;
        this.type = type;
        this.ns = ns;
        loop = Task.Run(RunAsync);
    }

    public int Lists => Volatile.Read(ref lists);

    public TimeSpan IdleFor => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref lastUsed));

    public async Task<IReadOnlyCollection<JsonObject>?> SnapshotAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref lastUsed, Environment.TickCount64);
        Task ready;
        lock (gate)
        {
            ready = synced.Task;
        }

        if (!ready.IsCompleted)
        {
            // Listing: the first time, wait for it (its failure is the caller's); after that, not for long.
            bool first = Lists == 0;
            try
            {
                await (first ? ready.WaitAsync(cancellationToken) : ready.WaitAsync(wait, cancellationToken));
            }
            catch (TimeoutException)
            {
                return null;
            }
        }

        lock (gate)
        {
            return [.. objects.Values];
        }
    }

    public void Put(JsonObject stored)
    {
        if (Prepared(stored) is not { } name)
        {
            return;
        }

        lock (gate)
        {
            if (!objects.TryGetValue(name, out JsonObject? held) || !Older(stored, held))
            {
                objects[name] = stored;
            }
        }
    }

    public void Remove(string name)
    {
        lock (gate)
        {
            objects.Remove(name);
        }
    }

    async Task RunAsync()
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(200);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                string version = await ListAsync();
                backoff = TimeSpan.FromMilliseconds(200);
                while (!stop.IsCancellationRequested && version is not null)
                {
                    version = await WatchAsync(version);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong, the loop lives on and lists again: a watch that died quietly
                // would leave its first caller waiting for ever and every later one with old objects.
                lock (gate)
                {
                    if (synced.Task.IsCompleted)
                    {
                        synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                    else if (Lists == 0)
                    {
                        // The first LIST failed: whoever asked sees why, and the scope is dropped.
                        synced.TrySetException(e as KubernetesApiException ?? new KubernetesApiException(503, $"list {type.Plural}: {e.Message}", e));
                        return;
                    }
                }

                try
                {
                    await Task.Delay(backoff, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    async Task<string> ListAsync()
    {
        object list = await ApiCalls.CallAsync(client.Host, $"list {type.Plural}", () => ns is not null
            ? client.CustomObjects.ListNamespacedCustomObjectAsync(type.Group, type.Version, ns, type.Plural, cancellationToken: stop.Token)
            : client.CustomObjects.ListClusterCustomObjectAsync(type.Group, type.Version, type.Plural, cancellationToken: stop.Token));
        JsonNode? body = Json.ToNode(list);
        var fresh = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (JsonObject item in (body?["items"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var copy = (JsonObject)item.DeepClone();
            if (Prepared(copy) is { } name)
            {
                fresh[name] = copy;
            }
        }

        lock (gate)
        {
            objects.Clear();
            foreach (var (name, item) in fresh)
            {
                objects[name] = item;
            }

            Interlocked.Increment(ref lists);
            synced.TrySetResult();
        }

        return (string?)body?["metadata"]?["resourceVersion"] ?? string.Empty;
    }

    /// <summary>One watch from <paramref name="version"/>; returns the version to resume from.</summary>
    async Task<string> WatchAsync(string version)
    {
        IAsyncEnumerable<(WatchEventType, object)> events = ns is not null
            ? client.CustomObjects.WatchListNamespacedCustomObjectAsync(type.Group, type.Version, ns, type.Plural, allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchSeconds, cancellationToken: stop.Token)
            : client.CustomObjects.WatchListClusterCustomObjectAsync(type.Group, type.Version, type.Plural, allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: WatchSeconds, cancellationToken: stop.Token);
        await foreach (var (kind, item) in events)
        {
            if (kind == WatchEventType.Error)
            {
                // Usually 410 Gone: the version is too old to resume from. List again.
                throw new KubernetesApiException(410, $"watch {type.Plural}: {Json.ToNode(item)?.ToJsonString()}");
            }

            if (Json.ToNode(item) is not JsonObject node)
            {
                continue;
            }

            version = (string?)node["metadata"]?["resourceVersion"] ?? version;
            if (kind is WatchEventType.Added or WatchEventType.Modified)
            {
                Put((JsonObject)node.DeepClone());
            }
            else if (kind == WatchEventType.Deleted && (string?)node["metadata"]?["name"] is string name)
            {
                lock (gate)
                {
                    if (objects.TryGetValue(name, out JsonObject? held) && !Older(node, held))
                    {
                        objects.Remove(name);
                    }
                }
            }
        }

        return version;
    }

    /// <summary>Readies an object for the cache (its type stamped, every node built); its name, if it has one.</summary>
    string? Prepared(JsonObject item)
    {
        item["apiVersion"] = type.ApiVersion;
        item["kind"] = type.Kind;
        Materialize(item);
        return (string?)item["metadata"]?["name"];
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> is an older version than <paramref name="held"/>, so a
    /// watch event that arrives after the engine's own write does not undo it. resourceVersions are
    /// opaque, but every API server numbers them in increasing order; one that is not a number is
    /// never taken for older.
    /// </summary>
    static bool Older(JsonObject candidate, JsonObject held) =>
        long.TryParse((string?)candidate["metadata"]?["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out long a)
        && long.TryParse((string?)held["metadata"]?["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out long b)
        && a < b;

    /// <summary>Builds every node now, so the object is only ever read afterwards and readers on several threads are safe.</summary>
    static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (_, value) in map)
                {
                    Materialize(value);
                }

                break;
            case JsonArray list:
                foreach (JsonNode? item in list)
                {
                    Materialize(item);
                }

                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped while listing or watching: the point of stopping.
        }

        stop.Dispose();
    }
}
