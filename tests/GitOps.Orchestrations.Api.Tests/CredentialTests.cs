using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Server.Authentication;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>
/// A server whose workflows come from a private repository, named by a URL with a token in it:
/// the token authenticates, and appears nowhere a viewer, a log reader or another local user can look.
/// </summary>
public sealed class CredentialTests : IAsyncLifetime
{
    readonly GitRepository repo = new();
    readonly string cache = Directory.CreateTempSubdirectory("gitops-cred-cache-").FullName;
    readonly CapturingLogs logs = new();
    GitServers servers = null!;
    GitOpsServer server = null!;

    public async Task InitializeAsync()
    {
        repo.Commit("workflows", ("workflows/hello.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: hello}\nspec:\n  tasks:\n    - {name: a, uses: log, with: {message: hi}}\n"));
        servers = await GitServers.StartAsync();
        servers.Publish("workflows.git", repo);
        string url = servers.HttpUrl.Replace("http://", $"http://git:{GitServers.Token}@", StringComparison.Ordinal) + "/workflows.git";
        server = await GitOpsServer.StartAsync(
            new ServerOptions
            {
                Urls = "http://127.0.0.1:0",
                Workflows = new WorkflowRepositoryOptions { Repository = url, Branch = "main", CacheDirectory = Path.Combine(cache, "repos") },
                ApiKeys = [new ApiKeyEntry { User = "vic", Role = "operator", Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("vic-key"))) }],
                GitPollInterval = TimeSpan.Zero,
            },
            LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await servers.DisposeAsync();
        repo.Dispose();
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task A_token_in_the_repository_url_reaches_no_response_run_input_log_or_clone_config()
    {
        using var client = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };
        client.DefaultRequestHeaders.Add("X-Api-Key", "vic-key");

        string workflows = await client.GetStringAsync("/api/workflows");
        Assert.Contains("hello", workflows, StringComparison.Ordinal);
        HttpResponseMessage missing = await client.GetAsync("/api/workflows/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        HttpResponseMessage started = await client.PostAsJsonAsync("/api/workflows/hello/runs", new { });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        string id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString() == "Succeeded", "the run to succeed");
        string run = await client.GetStringAsync($"/api/runs/{id}");
        OrchestrationMetadata instance = (await server.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!;

        string[] seen = [workflows, await missing.Content.ReadAsStringAsync(), run, instance.SerializedInput!, string.Join('\n', logs.Lines)];
        Assert.All(seen, text => Assert.DoesNotContain(GitServers.Token, text, StringComparison.Ordinal));
        Assert.Contains("***@", workflows, StringComparison.Ordinal);

        string[] configs = Directory.GetFiles(cache, "config", SearchOption.AllDirectories);
        Assert.NotEmpty(configs);
        Assert.All(configs, file => Assert.DoesNotContain(GitServers.Token, File.ReadAllText(file), StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(cache, "repos")));
        }
    }
}
