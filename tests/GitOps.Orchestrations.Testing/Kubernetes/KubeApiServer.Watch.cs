using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Testing.Kubernetes;

public sealed partial class KubeApiServer
{
    readonly List<(long Version, string Type, KubeResourceType Resource, string? Namespace, JsonObject Object)> history = [];
    readonly List<Channel<long>> watchers = [];
    readonly CancellationTokenSource stopping = new();

    void Publish(string eventType, Stored stored)
    {
        JsonObject rendered = Render(stored);
        if (eventType == "DELETED")
        {
            // A delete is an event of its own, with a resourceVersion after the object's last one.
            rendered["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
        }

        long version = long.Parse((string)rendered["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);
        history.Add((version, eventType, stored.Type, (string?)stored.Body["metadata"]?["namespace"], rendered));
        foreach (Channel<long> watcher in watchers)
        {
            watcher.Writer.TryWrite(version);
        }
    }

    /// <summary>
    /// A watch: newline-delimited JSON events. Without a resourceVersion it starts with ADDED for every
    /// existing object, then streams changes; with one it streams every change after that version.
    /// </summary>
    async Task WatchAsync(HttpContext context, Target target)
    {
        var channel = Channel.CreateUnbounded<long>();
        long since;
        var initial = new List<(string Type, JsonObject Object)>();
        lock (gate)
        {
            watchers.Add(channel);
            if (long.TryParse(context.Request.Query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out long from) && from > 0)
            {
                since = from;
            }
            else
            {
                since = resourceVersion;
                foreach (Stored stored in objects.Values.Where(o => InScope(o.Type, (string?)o.Body["metadata"]?["namespace"], target)))
                {
                    initial.Add(("ADDED", Render(stored)));
                }
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        int seconds = int.TryParse(context.Request.Query["timeoutSeconds"], out int t) ? t : 300;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        try
        {
            // Headers go out at once, as the API server sends them, before any event exists.
            await context.Response.Body.FlushAsync(timeout.Token);
            foreach ((string type, JsonObject obj) in initial)
            {
                await WriteEventAsync(context, type, obj);
            }

            while (true)
            {
                List<(long Version, string Type, JsonObject Object)> pending;
                lock (gate)
                {
                    pending = history.Where(e => e.Version > since && InScope(e.Resource, e.Namespace, target))
                        .Select(e => (e.Version, e.Type, e.Object)).ToList();
                }

                foreach ((long version, string type, JsonObject obj) in pending)
                {
                    await WriteEventAsync(context, type, obj);
                    since = Math.Max(since, version);
                }

                await channel.Reader.ReadAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended: its timeout, or the client went away.
        }
        finally
        {
            lock (gate)
            {
                watchers.Remove(channel);
            }
        }
    }

    static bool InScope(KubeResourceType type, string? ns, Target target) =>
        type == target.Type && (target.Namespace is null || ns == target.Namespace);

    static async Task WriteEventAsync(HttpContext context, string type, JsonObject obj)
    {
        string line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString(Relaxed) + "\n";
        await context.Response.WriteAsync(line, Encoding.UTF8);
        await context.Response.Body.FlushAsync();
    }
}
