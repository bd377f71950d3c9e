using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitOps.Orchestrations.Testing.Processes;

/// <summary>A <c>gitops serve</c> process, with API keys for a few people, and an HTTP client per person.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public static readonly (string User, string Role, string[] Groups)[] People =
    [
        ("sam", "approver", []),
        ("alice", "approver", ["release"]),
        ("olga", "operator", []),
        ("victor", "viewer", []),
    ];

    readonly Process process;
    readonly StringBuilder output = new();

    ServerProcess(Process process) => this.process = process;

    /// <summary>Where the server listens, as it says once it has bound (it is started on port 0).</summary>
    public string BaseUrl { get; private set; } = "";

    public int ProcessId => process.Id;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static string KeyOf(string user) => $"{user}-secret-key";

    public HttpClient ClientFor(string? user)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(3) };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", KeyOf(user));
        }

        return client;
    }

    /// <param name="clusters">Cluster names and their kubeconfig files, as an operator configures them.</param>
    public static async Task<ServerProcess> StartAsync(string store, string repository, IDictionary<string, string>? environment = null, Dictionary<string, string>? clusters = null, string taskHub = "gitops")
    {
        string config = Path.Combine(Directory.CreateTempSubdirectory("gitops-serve").FullName, "serve.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            GitOps = new
            {
                ApiKeys = People.Select(p => new { p.User, p.Role, p.Groups, Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(KeyOf(p.User)))) }),
                GitPollIntervalSeconds = 0,
                Clusters = (clusters ?? []).ToDictionary(c => c.Key, c => new { Kubeconfig = c.Value }),
            },
        }));
        // Port 0, and the address read from the server's own line: a port picked free beforehand can
        // be taken by another test's listener before the server binds it.
        Process process = Gitops.Start(["serve", "--urls", "http://127.0.0.1:0", "--store", store, "--task-hub", taskHub, "--repo", repository, "--config", config], environment);
        var server = new ServerProcess(process);
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) => server.Append(e.Data, ready);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data, null);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await ready.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gitops serve did not start: {server.Output}");
        }

        return server;
    }

    void Append(string? line, TaskCompletionSource? ready)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (ready is not null && line.Contains("listening on", StringComparison.Ordinal)
            && System.Text.RegularExpressions.Regex.Match(line, @"http://127\.0\.0\.1:\d+") is { Success: true } address)
        {
            BaseUrl = address.Value;
            ready.TrySetResult();
        }
    }

    /// <summary>SIGKILL: no shutdown, no flushing, as when a machine dies.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public static async Task<JsonElement> ReadJson(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
