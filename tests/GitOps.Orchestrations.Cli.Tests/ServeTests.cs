using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// <c>gitops serve</c> as a separate process on Azurite: a run triggered over HTTP, followed over
/// Server-Sent Events, and approved by the right person after the wrong ones are refused; then
/// two servers sharing one task hub, one of them killed mid-run.
/// </summary>
public sealed class ServeTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly TestHttpServer http = new();
    readonly GitRepository repo = new();

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        await http.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        repo.Dispose();
        await http.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task A_run_started_over_http_is_followed_by_sse_and_approved_by_a_listed_approver_only()
    {
        repo.Commit("gated release", ("workflows/release.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: release}
            spec:
              params: [{name: version, default: "1.0"}]
              tasks:
                - {name: build, uses: log, with: {message: "build {{params.version}}"}}
                - {name: gate, uses: approval, depends: build, with: {approvers: [alice, sam], message: "ship {{params.version}}?"}}
                - {name: ship, uses: log, depends: gate, with: {message: "shipped by {{tasks.gate.outputs.decidedBy}}"}}
            """));
        await using ServerProcess server = await ServerProcess.StartAsync(azurite.ConnectionString, repo.Path);
        using HttpClient sam = server.ClientFor("sam"), victor = server.ClientFor("victor"), alice = server.ClientFor("alice");

        HttpResponseMessage started = await sam.PostAsJsonAsync("/api/workflows/release/runs", new { @params = new { version = "2.1" } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JsonElement links = await ServerProcess.ReadJson(started);
        string id = links.GetProperty("id").GetString()!;
        Assert.Equal(links.GetProperty("statusQueryGetUri").GetString(), started.Headers.Location!.ToString());

        // Follow the run from the start; the stream must end by itself when the run does.
        var events = new List<(string Id, string Type, JsonElement Data)>();
        Task follow = Task.Run(async () =>
        {
            using var stream = new StreamReader(await victor.GetStreamAsync($"/api/runs/{id}/events"));
            string? eventId = null, type = null;
            while (await stream.ReadLineAsync() is string line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    eventId = line[4..];
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    lock (events)
                    {
                        events.Add((eventId!, type!, JsonDocument.Parse(line[6..]).RootElement.Clone()));
                    }
                }
            }
        });

        await Eventually.True(
            () =>
            {
                lock (events)
                {
                    return events.Any(e => e.Type == "node" && Node(e.Data) == ("gate", "Running"));
                }
            },
            "the gate to wait");
        HttpResponseMessage byStarter = await sam.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve" });
        HttpResponseMessage byViewer = await victor.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve" });
        Assert.Equal(HttpStatusCode.Forbidden, byStarter.StatusCode);
        Assert.Contains("started this run", (await ServerProcess.ReadJson(byStarter)).GetProperty("detail").GetString());
        Assert.Equal("application/problem+json", byViewer.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);

        HttpResponseMessage approved = await alice.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve", comment = "ship it" });
        Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        await follow.WaitAsync(TimeSpan.FromMinutes(2));

        (string Id, string Type, JsonElement Data) last = events[^1];
        Assert.Equal("run", last.Type);
        Assert.Equal("Succeeded", last.Data.GetProperty("phase").GetString());
        List<int> ids = events.Select(e => int.Parse(e.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order().Distinct(), ids);
        Assert.Contains(events, e => e.Type == "node" && Node(e.Data) == ("ship", "Succeeded"));

        JsonElement run = await victor.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.Equal("sam", run.GetProperty("startedBy").GetString());
        Assert.Equal("2.1", run.GetProperty("params").GetProperty("version").GetString());
        JsonElement gate = run.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "gate");
        JsonElement decision = Assert.Single(gate.GetProperty("approvals").EnumerateArray());
        Assert.Equal(("approve", "alice", "ship it"), (decision.GetProperty("decision").GetString(), decision.GetProperty("by").GetString(), decision.GetProperty("comment").GetString()));

        // Resuming the stream after its last event yields nothing more, and the stream still ends.
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{id}/events");
        resume.Headers.Add("Last-Event-ID", last.Id);
        string rest = await (await victor.SendAsync(resume)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("event:", rest, StringComparison.Ordinal);

        JsonElement audit = await victor.GetFromJsonAsync<JsonElement>($"/api/audit?run={id}");
        Assert.Equal(
            ["start/sam/accepted", "approve/sam/refused", "approve/victor/refused", "approve/alice/accepted"],
            audit.EnumerateArray().Select(e => $"{e.GetProperty("action").GetString()}/{e.GetProperty("actor").GetString()}/{e.GetProperty("outcome").GetString()}"));
    }

    [Fact]
    public async Task Two_servers_on_one_task_hub_share_the_work_and_killing_one_loses_no_run()
    {
        repo.Commit("fan-out of effects", ("workflows/spread.yaml", $$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: spread}
            spec:
              tasks:
                - {name: first, uses: http, withSequence: {count: 40}, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/first-{{item}}"}}
                - {name: pause, uses: wait, depends: first, with: {duration: 3s}}
                - {name: second, uses: http, depends: pause, withSequence: {count: 40}, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/second-{{item}}"}}
            """));

        // Short leases and visibility timeouts, so the survivor takes over within seconds.
        var fast = new Dictionary<string, string> { ["GITOPS_AZURE_STORAGE_LEASE_SECONDS"] = "6", ["GITOPS_AZURE_STORAGE_VISIBILITY_SECONDS"] = "8" };
        await using ServerProcess one = await ServerProcess.StartAsync(azurite.ConnectionString, repo.Path, fast);
        await using ServerProcess two = await ServerProcess.StartAsync(azurite.ConnectionString, repo.Path, fast);
        using HttpClient operatorOnOne = one.ClientFor("olga"), viewerOnTwo = two.ClientFor("victor");

        // Several runs, so that the partitions (and so the orchestrations) spread over both servers.
        var ids = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            HttpResponseMessage started = await operatorOnOne.PostAsJsonAsync("/api/workflows/spread/runs", new { });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            ids.Add((await ServerProcess.ReadJson(started)).GetProperty("id").GetString()!);
        }

        await Eventually.True(() => http.EffectLog.Count(e => e.Effect.StartsWith("first-", StringComparison.Ordinal)) >= 4 * 40, "the first fan-outs");
        Assert.True(http.Workers.Count >= 2, $"activities ran on {string.Join(", ", http.Workers.Keys)} only");
        one.Kill();

        foreach (string id in ids)
        {
            await Eventually.True(async () => (await viewerOnTwo.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString() is "Succeeded" or "Failed" or "Errored", $"run {id} to end", TimeSpan.FromMinutes(3));
            Assert.Equal("Succeeded", (await viewerOnTwo.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString());
        }

        // Every effect of every run was applied exactly once, whoever delivered it.
        Assert.Equal(4 * 80, http.EffectLog.Select(e => e.Key).Distinct().Count());
        Assert.All(http.Applied, applied => Assert.Equal(4, applied.Value));
    }

    static (string?, string?) Node(JsonElement data) =>
        (data.GetProperty("node").GetProperty("name").GetString(), data.GetProperty("node").GetProperty("phase").GetString());
}
