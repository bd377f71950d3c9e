using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Server.Authentication;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>
/// A real <c>gitops serve</c> in-process over a Git repository of the given files, with one API key
/// per person: olga operates, victor views, alice and rita approve (rita in group release).
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    readonly GitRepository repo;

    DashboardServer(GitRepository repo, GitOpsServer server)
    {
        this.repo = repo;
        Server = server;
    }

    public GitOpsServer Server { get; }

    public string Url => Server.Addresses[0];

    public static string Key(string user) => $"{user}-key";

    public static Task<DashboardServer> StartAsync(EngineHostOptions? engine = null, params (string Path, string Text)[] files) =>
        StartAsync(engine, "http://127.0.0.1:0", files);

    /// <param name="urls">Where to listen: a fixed port when links to the server must be known before it starts.</param>
    public static async Task<DashboardServer> StartAsync(EngineHostOptions? engine, string urls, params (string Path, string Text)[] files)
    {
        var repo = new GitRepository();
        repo.Commit("workflows", files);
        static ApiKeyEntry Entry(string user, string role, params string[] groups) =>
            new() { User = user, Role = role, Groups = groups, Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Key(user)))) };
        GitOpsServer server = await GitOpsServer.StartAsync(
            new ServerOptions
            {
                Urls = urls,
                Engine = engine ?? new EngineHostOptions(),
                Workflows = new WorkflowRepositoryOptions { Repository = repo.Path },
                ApiKeys = [Entry("olga", "operator"), Entry("victor", "viewer"), Entry("alice", "approver"), Entry("rita", "approver", "release")],
                Api = new ApiOptions { PipelinePollInterval = TimeSpan.FromMilliseconds(500), EventPollInterval = TimeSpan.FromMilliseconds(100) },
                ScheduleInterval = TimeSpan.FromMilliseconds(500),
                GitPollInterval = TimeSpan.Zero,
            },
            NullLoggerFactory.Instance);
        return new DashboardServer(repo, server);
    }

    public HttpClient Client(string user)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key(user));
        return client;
    }

    public async Task<string> StartRunAsync(string workflow, string user, object? body = null)
    {
        using HttpClient client = Client(user);
        HttpResponseMessage response = await client.PostAsJsonAsync($"/api/workflows/{workflow}/runs", body ?? new { });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> RunAsync(string id)
    {
        using HttpClient client = Client("victor");
        return await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        repo.Dispose();
    }
}
