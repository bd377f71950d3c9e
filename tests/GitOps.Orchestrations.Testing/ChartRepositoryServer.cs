using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Orchestrations.Testing;

/// <summary>
/// Helm chart repositories over HTTP for tests, one per first path segment (<c>/bronze</c>,
/// <c>/silver</c>, …): GET serves files with an ETag, PUT stores them honouring <c>If-Match</c> and
/// <c>If-None-Match: *</c> (412 otherwise), DELETE removes them. Tests can tamper with a stored file
/// or make the next index write lose a race.
/// </summary>
public sealed class ChartRepositoryServer : IAsyncDisposable
{
    readonly ConcurrentDictionary<string, byte[]> files = new(StringComparer.Ordinal);
    WebApplication app = null!;
    int racesToLose;

    public string Url { get; private set; } = string.Empty;

    public ConcurrentQueue<string> Writes { get; } = new();

    public static async Task<ChartRepositoryServer> StartAsync()
    {
        var server = new ChartRepositoryServer();
        (server.app, server.Url) = await LoopbackApp.StartAsync(app => app.Run(server.HandleAsync));
        return server;
    }

    public string Repository(string name) => $"{Url}/{name}";

    public byte[]? File(string path) => files.TryGetValue(path.TrimStart('/'), out byte[]? bytes) ? bytes : null;

    public string? Text(string path) => File(path) is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;

    public void Put(string path, byte[] bytes) => files[path.TrimStart('/')] = bytes;

    /// <summary>Stores <paramref name="archive"/> in <paramref name="repository"/> and lists it in its index, as <c>helm repo index</c> would.</summary>
    public void Publish(string repository, byte[] archive, string chart, string version, string? digest = null)
    {
        Put($"{repository}/{chart}-{version}.tgz", archive);
        string index = Text($"{repository}/index.yaml") ?? "apiVersion: v1\nentries:\n";
        string entry = $"  {chart}:\n  - {{name: {chart}, version: \"{version}\", digest: {digest ?? Convert.ToHexStringLower(SHA256.HashData(archive))}, urls: [{chart}-{version}.tgz], apiVersion: v2}}\n";
        Put($"{repository}/index.yaml", Encoding.UTF8.GetBytes(index.Contains($"  {chart}:\n", StringComparison.Ordinal)
            ? index.Replace($"  {chart}:\n", entry, StringComparison.Ordinal)
            : index + entry));
    }

    /// <summary>The next index.yaml write answers 412, as if another publish had just changed it.</summary>
    public void LoseNextIndexRace() => Interlocked.Increment(ref racesToLose);

    bool TakeLostRace()
    {
        int left;
        do
        {
            left = racesToLose;
            if (left == 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref racesToLose, left - 1, left) != left);
        return true;
    }

    async Task HandleAsync(HttpContext http)
    {
        string path = http.Request.Path.Value!.TrimStart('/');
        string tag = files.TryGetValue(path, out byte[]? current) ? $"\"{Convert.ToHexStringLower(SHA256.HashData(current))[..16]}\"" : string.Empty;
        switch (http.Request.Method)
        {
            case "GET" when current is not null:
                http.Response.Headers.ETag = tag;
                await http.Response.Body.WriteAsync(current);
                return;
            case "GET":
                http.Response.StatusCode = 404;
                return;
            case "PUT":
                string? ifMatch = http.Request.Headers.IfMatch.FirstOrDefault();
                string? ifNoneMatch = http.Request.Headers.IfNoneMatch.FirstOrDefault();
                bool lost = path.EndsWith("index.yaml", StringComparison.Ordinal) && TakeLostRace();

                if (lost || (ifMatch is not null && ifMatch != tag) || (ifNoneMatch == "*" && current is not null))
                {
                    http.Response.StatusCode = 412;
                    return;
                }

                using (var body = new MemoryStream())
                {
                    await http.Request.Body.CopyToAsync(body);
                    files[path] = body.ToArray();
                }

                Writes.Enqueue($"PUT {path}");
                http.Response.StatusCode = 201;
                return;
            case "DELETE":
                files.TryRemove(path, out _);
                Writes.Enqueue($"DELETE {path}");
                http.Response.StatusCode = 204;
                return;
            default:
                http.Response.StatusCode = 405;
                return;
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

/// <summary>Real chart archives: a gzipped tar holding <c>NAME/Chart.yaml</c>, values and a template, as <c>helm package</c> lays them out.</summary>
public static class ChartArchives
{
    public static byte[] Create(string name, string version, string appVersion = "1.0.0", string? chartName = null)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            void Add(string path, string content)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{name}/{path}")
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    ModificationTime = DateTimeOffset.UnixEpoch,
                };
                tar.WriteEntry(entry);
            }

            Add("Chart.yaml", $"apiVersion: v2\nname: {chartName ?? name}\nversion: {version}\nappVersion: \"{appVersion}\"\ndescription: The {name} service\n");
            Add("values.yaml", "replicas: 2\nimage: registry.local/api\n");
            Add("templates/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n");
        }

        return output.ToArray();
    }
}
