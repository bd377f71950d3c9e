using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// <c>/readyz</c> answers 200 only while the store answers and the workflow catalog is loaded;
/// <c>/healthz</c> says only that the process is alive, so a probe never restarts a server for a
/// store that is away.
/// </summary>
public sealed class ReadinessTests : IDisposable
{
    const string Workflow = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: one}\nspec:\n  tasks:\n    - {name: hello, uses: log, with: {message: hi}}\n";

    readonly GitRepository repo = new();

    public void Dispose() => repo.Dispose();

    [Fact]
    public async Task A_server_whose_store_goes_away_stops_being_ready_but_stays_alive()
    {
        string head = repo.Commit("one", ("workflows/one.yaml", Workflow));
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        bool azuriteStopped = false;
        try
        {
            await using ServerProcess server = await ServerProcess.StartAsync(azurite.ConnectionString, repo.Path);
            using HttpClient anyone = server.ClientFor(null);

            HttpResponseMessage ready = await anyone.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            JsonElement checks = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
            Assert.Equal("ok", checks.GetProperty("store").GetString());
            Assert.Equal($"{head[..12]} (1 workflow(s))", checks.GetProperty("catalog").GetString());

            await azurite.DisposeAsync();
            azuriteStopped = true;
            HttpResponseMessage? notReady = null;
            await Eventually.True(async () => (notReady = await anyone.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "/readyz saying 503 once the store is gone", TimeSpan.FromMinutes(1));
            Assert.Equal("application/problem+json", notReady!.Content.Headers.ContentType?.MediaType);
            string body = await notReady.Content.ReadAsStringAsync();
            JsonElement problem = JsonDocument.Parse(body).RootElement;
            Assert.StartsWith("store: not ready", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal($"{head[..12]} (1 workflow(s))", problem.GetProperty("checks").GetProperty("catalog").GetString());
            Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
            Assert.DoesNotContain("AccountKey", body, StringComparison.Ordinal);

            // Alive all the while: a liveness probe must not restart a server for its store's sake.
            Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            if (!azuriteStopped)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_server_that_cannot_read_its_workflows_is_not_ready()
    {
        repo.Commit("one", ("workflows/one.yaml", Workflow));
        string missing = Path.Combine(Directory.CreateTempSubdirectory("gitops-readyz").FullName, "workflows-repo");
        await using ServerProcess server = await ServerProcess.StartAsync("memory", missing);
        using HttpClient anyone = server.ClientFor(null);

        HttpResponseMessage response = await anyone.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        JsonElement checks = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("store").GetString());
        Assert.StartsWith("not ready: the workflows could not be read", checks.GetProperty("catalog").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/healthz")).StatusCode);

        // The repository appears (a volume mounted late, a clone finished): ready without a restart.
        LibGit2Sharp.Repository.Clone(repo.Path, missing);
        await Eventually.True(async () => (await anyone.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz once the repository is there");
    }
}
