using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Server.Authentication;
using GitOps.Orchestrations.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>The API through the self-hosted server in-process, on the embedded backend: who may do what, and what bad requests get.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    readonly GitRepository repo = new();
    GitOpsServer server = null!;

    static string Key(string user) => $"{user}-key";

    public async Task InitializeAsync()
    {
        repo.Commit("workflows", ("workflows/gated.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: gated}
            spec:
              params: [{name: size, enum: [small, large], default: small}]
              tasks:
                - {name: gate, uses: approval, with: {approvers: ["group:release"]}}
                - {name: done, uses: log, depends: gate, with: {message: "{{params.size}}"}}
            """), ("workflows/broken.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: broken}\nspec:\n  tasks:\n    - {name: a, uses: nope}\n"),
            ("workflows/deep.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: deep}\nspec:\n  tasks:\n    - {name: a, uses: log, with: {message: x}}\n    - {name: b, uses: log, with: {message: x}, depends: '" + new string('!', 120_000) + "a'}\n"),
            ("workflows/bomb.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Pipeline\nmetadata: {name: bomb}\nspec:\n  sources: [{name: image, gitTags: {repo: https://example.com/r.git}}]\n  stages:\n    - {name: dev, from: sources, promotion: {uses: log, with: {message: x, bomb: "
                + "[&a0 [lol, lol]" + string.Concat(Enumerable.Range(1, 10).Select(i => $", &a{i} [" + string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9)) + "]")) + "]}}}\n"));
        ApiKeyEntry Entry(string user, string role, params string[] groups) =>
            new() { User = user, Role = role, Groups = groups, Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Key(user)))) };
        server = await GitOpsServer.StartAsync(
            new ServerOptions
            {
                Urls = "http://127.0.0.1:0",
                Workflows = new WorkflowRepositoryOptions { Repository = repo.Path },
                ApiKeys = [Entry("olga", "operator"), Entry("victor", "viewer"), Entry("rita", "approver", "release"), Entry("amos", "approver")],
                Api = new ApiOptions { MaxBodyBytes = 4096, PublicUrl = "https://gitops.example.com/" },
                GitPollInterval = TimeSpan.Zero,
            },
            NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        repo.Dispose();
    }

    [Fact]
    public void The_server_serves_exactly_the_openapi_routes()
    {
        HashSet<string> served = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet();
        Assert.Equal(PublishedApiTests.OpenApiRoutes().Order(), served.Order());
    }

    HttpClient Client(string? user)
    {
        var client = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", Key(user));
        }

        return client;
    }

    async Task<string> StartGatedRun(string user = "olga")
    {
        using HttpClient client = Client(user);
        HttpResponseMessage response = await client.PostAsJsonAsync("/api/workflows/gated/runs", new { });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        string id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("waiting").GetArrayLength() == 1, "the gate to wait");
        return id;
    }

    [Fact]
    public async Task Every_mutating_route_needs_a_caller_and_the_right_role()
    {
        string id = await StartGatedRun();
        string[] routes =
        [
            "/api/workflows/gated/runs",
            $"/api/runs/{id}/approvals/gate",
            $"/api/runs/{id}/terminate",
            $"/api/runs/{id}/suspend",
            $"/api/runs/{id}/resume",
            $"/api/runs/{id}/retry",
        ];
        using HttpClient anonymous = Client(null), viewer = Client("victor"), wrongKey = new() { BaseAddress = new Uri(server.Addresses[0]) };
        wrongKey.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");
        foreach (string route in routes)
        {
            object body = route.Contains("approvals", StringComparison.Ordinal) ? new { decision = "approve" } : new { };
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(route, body)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.PostAsJsonAsync(route, body)).StatusCode);
            HttpResponseMessage forbidden = await viewer.PostAsJsonAsync(route, body);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType!.MediaType);
        }

        // An operator may steer runs but not decide gates.
        using HttpClient operatorClient = Client("olga");
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve" })).StatusCode);

        // Reads need a caller too, but any role will do.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/runs/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/runs/{id}")).StatusCode);

        // Nothing changed: the run still waits, and every refusal with a run is in the audit log.
        JsonElement run = await viewer.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.Equal("Running", run.GetProperty("phase").GetString());
        JsonElement audit = await viewer.GetFromJsonAsync<JsonElement>($"/api/audit?run={id}");
        Assert.Equal(6, audit.EnumerateArray().Count(e => e.GetProperty("outcome").GetString() == "refused"));
    }

    [Fact]
    public async Task Gates_take_listed_groups_only_and_list_while_pending()
    {
        string id = await StartGatedRun();
        using HttpClient viewer = Client("victor"), outsider = Client("amos"), member = Client("rita");
        JsonElement pending = await viewer.GetFromJsonAsync<JsonElement>("/api/approvals?pending=true");
        Assert.Contains(pending.EnumerateArray(), g => g.GetProperty("runId").GetString() == id && g.GetProperty("node").GetString() == "gate");

        HttpResponseMessage refused = await outsider.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("not among the gate's approvers", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await member.PostAsJsonAsync($"/api/runs/{id}/approvals/done", new { decision = "approve" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await member.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve" })).StatusCode);
        await Eventually.True(async () => (await viewer.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString() == "Succeeded", "the run to succeed");
        Assert.DoesNotContain((await viewer.GetFromJsonAsync<JsonElement>("/api/approvals")).EnumerateArray(), g => g.GetProperty("runId").GetString() == id);

        string metrics = await viewer.GetStringAsync("/metrics");
        Assert.Contains("gitops_approvals_pending", metrics, StringComparison.Ordinal);
        // Prometheus' conventions, as docs/api.md lists them: counters are counters named _total, with
        // their labels; nothing is exported as a gauge with the .NET type in its help.
        Assert.Contains("# TYPE gitops_orchestrations_runs_started_total counter", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE gitops_orchestrations_runs_finished_total counter", metrics, StringComparison.Ordinal);
        Assert.Matches(@"gitops_orchestrations_runs_started_total\{workflow=""gated"",trigger=""http""\} [1-9]", metrics);
        Assert.Matches(@"gitops_orchestrations_runs_finished_total\{workflow=""gated"",phase=""Succeeded""\} [1-9]", metrics);
        Assert.Contains("# TYPE gitops_orchestrations_node_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Contains("gitops_orchestrations_node_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("Counter`1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("# TYPE gitops_orchestrations_runs_started gauge", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_that_fail_to_load_cost_only_themselves()
    {
        // A depends of 120,000 '!' on the served branch once killed the server at every start, and
        // an alias bomb in a Pipeline made every workflow route answer 500.
        using HttpClient client = Client("victor");
        HttpResponseMessage response = await client.GetAsync("/api/workflows");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement list = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(list.GetProperty("workflows").EnumerateArray(), w => w.GetProperty("name").GetString() == "gated" && w.GetProperty("valid").GetBoolean());
        string[] fileErrors = list.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Contains(fileErrors, e => e.StartsWith("workflows/bomb.yaml:7:", StringComparison.Ordinal) && e.Contains("expands to too many nodes", StringComparison.Ordinal));
        Assert.Contains(fileErrors, e => e.StartsWith("workflows/deep.yaml:7:", StringComparison.Ordinal) && e.Contains("depends is 120001 characters long", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Accepted, (await Client("olga").PostAsJsonAsync("/api/workflows/gated/runs", new { })).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_problems_and_lose_nothing()
    {
        string id = await StartGatedRun();
        using HttpClient client = Client("olga");
        async Task<(HttpStatusCode Status, JsonElement Problem)> Post(string route, string body)
        {
            HttpResponseMessage response = await client.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Post("/api/workflows/gated/runs", "{\"params\": {")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("/api/workflows/gated/runs", "{\"parms\": {}}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Post("/api/workflows/nope/runs", "{}")).Status);
        var (status, problem) = await Post("/api/workflows/gated/runs", "{\"params\": {\"size\": \"huge\"}}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("huge", problem.GetProperty("detail").GetString());
        (status, problem) = await Post("/api/workflows/broken/runs", "{}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.StartsWith("workflows/broken.yaml:6:", problem.GetProperty("errors")[0].GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post("/api/workflows/gated/runs", "{\"params\": {\"size\": \"" + new string('x', 5000) + "\"}}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Post("/api/runs/no-such-run/terminate", "{}")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Post($"/api/runs/{id}/resume", "{}")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Post($"/api/runs/{id}/retry", "{}")).Status);
        using HttpClient viewer = Client("victor");
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/runs?phase=Sideways")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/runs?top=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/runs/no-such-run/events")).StatusCode);

        JsonElement run = await viewer.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.Equal("Running", run.GetProperty("phase").GetString());
        Assert.Equal(["gate"], run.GetProperty("waiting").EnumerateArray().Select(w => w.GetString()));
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_run_and_control_routes_steer_it()
    {
        using HttpClient client = Client("olga");
        async Task<string> Start(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/workflows/gated/runs") { Content = JsonContent.Create(new { @params = new { size = "large" } }) };
            request.Headers.Add("Idempotency-Key", key);
            HttpResponseMessage response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        string first = await Start("deploy-42");
        Assert.Equal(first, await Start("deploy-42"));
        Assert.NotEqual(first, await Start("deploy-43"));

        await Eventually.True(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/runs/{first}")).GetProperty("waiting").GetArrayLength() == 1, "the gate to wait");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync($"/api/runs/{first}/suspend", new { reason = "freeze" })).StatusCode);
        await Eventually.True(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/runs/{first}")).GetProperty("suspended").GetBoolean(), "the run to suspend");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync($"/api/runs/{first}/resume", new { })).StatusCode);
        await Eventually.True(async () => !(await client.GetFromJsonAsync<JsonElement>($"/api/runs/{first}")).GetProperty("suspended").GetBoolean(), "the run to resume");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync($"/api/runs/{first}/terminate", new { reason = "not today" })).StatusCode);
        await Eventually.True(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/runs/{first}")).GetProperty("phase").GetString() == "Terminated", "the run to terminate");

        HttpResponseMessage retried = await client.PostAsJsonAsync($"/api/runs/{first}/retry", new { });
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        string retryId = (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        JsonElement retry = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{retryId}");
        Assert.Equal(first, retry.GetProperty("retryOf").GetString());
        Assert.Equal("large", retry.GetProperty("params").GetProperty("size").GetString());

        JsonElement list = await client.GetFromJsonAsync<JsonElement>("/api/runs?workflow=gated&phase=Terminated");
        Assert.Equal([first], list.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Whoever_started_any_run_of_a_retry_chain_may_not_approve_it()
    {
        // rita starts and terminates her run; amos retries it; rita may still not approve the retry.
        string first = await StartGatedRun("rita");
        using HttpClient rita = Client("rita"), amos = Client("amos");
        Assert.Equal(HttpStatusCode.Accepted, (await rita.PostAsJsonAsync($"/api/runs/{first}/terminate", new { })).StatusCode);
        await Eventually.True(async () => (await rita.GetFromJsonAsync<JsonElement>($"/api/runs/{first}")).GetProperty("phase").GetString() == "Terminated", "the run to end");
        HttpResponseMessage retried = await amos.PostAsJsonAsync($"/api/runs/{first}/retry", new { });
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        string second = (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await rita.GetFromJsonAsync<JsonElement>($"/api/runs/{second}")).GetProperty("waiting").GetArrayLength() == 1, "the retried gate to wait");

        HttpResponseMessage refused = await rita.PostAsJsonAsync($"/api/runs/{second}/approvals/gate", new { decision = "approve" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("'rita' started this run (or a run it retries)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        JsonElement run = await rita.GetFromJsonAsync<JsonElement>($"/api/runs/{second}");
        Assert.Equal(["rita", "amos"], run.GetProperty("starters").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Callers_are_authorised_before_their_requests_are_examined()
    {
        using HttpClient viewer = Client("victor");

        // No pipeline, no stage, no freight: a viewer learns none of that, only that they may not.
        HttpResponseMessage pipeline = await viewer.PostAsJsonAsync("/api/pipelines/nope/approvals", new { stage = "x", freight = "y", decision = "approve" });
        Assert.Equal(HttpStatusCode.Forbidden, pipeline.StatusCode);
        HttpResponseMessage garbage = await viewer.PostAsync("/api/pipelines/nope/approvals", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, garbage.StatusCode);
        string id = await StartGatedRun();
        HttpResponseMessage decision = await viewer.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "maybe" });
        Assert.Equal(HttpStatusCode.Forbidden, decision.StatusCode);
    }

    [Fact]
    public async Task Hostile_query_values_bodies_and_headers_get_problems_not_500s()
    {
        string id = await StartGatedRun();
        using HttpClient viewer = Client("victor"), rita = Client("rita");
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/audit?top=abc")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/audit?top=0")).StatusCode);
        HttpResponseMessage token = await viewer.GetAsync("/api/runs?continuationToken=not-a-token");
        Assert.Equal(HttpStatusCode.BadRequest, token.StatusCode);
        Assert.Contains("continuationToken", await token.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/runs?continuationToken=eyJ4IjoxfQ.AAAA")).StatusCode);

        var notUtf8 = new ByteArrayContent([0x7b, 0x22, 0x64, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
        notUtf8.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        HttpResponseMessage binary = await rita.PostAsync($"/api/runs/{id}/approvals/gate", notUtf8);
        Assert.Equal(HttpStatusCode.BadRequest, binary.StatusCode);

        HttpResponseMessage essay = await rita.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve", comment = new string('x', 3000) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, essay.StatusCode);
        Assert.Contains("comment is 3000 characters long; the limit is 2000", await essay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Running", (await viewer.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString());

        // Links name the configured public URL, never a Host header the client chose.
        using HttpClient olga = Client("olga");
        using var start = new HttpRequestMessage(HttpMethod.Post, "/api/workflows/gated/runs") { Content = JsonContent.Create(new { }) };
        start.Headers.Host = "evil.example";
        HttpResponseMessage started = await olga.SendAsync(start);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.StartsWith("https://gitops.example.com/api/runs/", started.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", await started.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Continuation_tokens_the_server_handed_out_page_through_runs()
    {
        await StartGatedRun();
        await StartGatedRun();
        using HttpClient viewer = Client("victor");
        JsonElement page = await viewer.GetFromJsonAsync<JsonElement>("/api/runs?top=1");
        string? next = page.GetProperty("continuationToken").GetString();
        Assert.NotNull(next);
        HttpResponseMessage second = await viewer.GetAsync($"/api/runs?top=1&continuationToken={Uri.EscapeDataString(next)}");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task Me_says_who_the_caller_is_and_what_their_role_allows()
    {
        using HttpClient viewer = Client("victor"), approver = Client("rita"), anonymous = Client(null);
        JsonElement me = await viewer.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal("victor", me.GetProperty("user").GetString());
        Assert.Equal("Viewer", me.GetProperty("role").GetString());
        Assert.False(me.GetProperty("may").GetProperty("start").GetBoolean());
        Assert.False(me.GetProperty("may").GetProperty("decide").GetBoolean());
        JsonElement rita = await approver.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(["release"], rita.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.True(rita.GetProperty("may").GetProperty("decide").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task Pending_gates_say_for_each_caller_whether_the_api_would_take_their_decision_and_why_not()
    {
        string id = await StartGatedRun("rita");
        async Task<JsonElement> GateFor(string user)
        {
            using HttpClient client = Client(user);
            return (await client.GetFromJsonAsync<JsonElement>($"/api/approvals?run={id}")).EnumerateArray().Single();
        }

        // Rita is in group release but started the run; amos is an approver outside the group; victor views.
        JsonElement rita = await GateFor("rita"), amos = await GateFor("amos"), victor = await GateFor("victor");
        Assert.False(rita.GetProperty("mayDecide").GetBoolean());
        Assert.Contains("started this run", rita.GetProperty("refusal").GetString(), StringComparison.Ordinal);
        Assert.False(amos.GetProperty("mayDecide").GetBoolean());
        Assert.Contains("not among the gate's approvers", amos.GetProperty("refusal").GetString(), StringComparison.Ordinal);
        Assert.False(victor.GetProperty("mayDecide").GetBoolean());
        Assert.Contains("viewer", victor.GetProperty("refusal").GetString(), StringComparison.Ordinal);

        // What each is told matches what the API does with their decision.
        using HttpClient amosClient = Client("amos");
        Assert.Equal(HttpStatusCode.Forbidden, (await amosClient.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve" })).StatusCode);
        using HttpClient unknownRun = Client("victor");
        Assert.Equal(HttpStatusCode.NotFound, (await unknownRun.GetAsync("/api/approvals?run=no-such-run")).StatusCode);
    }

    [Fact]
    public async Task A_runs_graph_has_its_tasks_and_depends_edges_and_runs_filter_by_who_started_them()
    {
        string olgas = await StartGatedRun("olga");
        string ritas = await StartGatedRun("rita");
        using HttpClient viewer = Client("victor");
        JsonElement graph = await viewer.GetFromJsonAsync<JsonElement>($"/api/runs/{olgas}/graph");
        JsonElement[] nodes = [.. graph.GetProperty("nodes").EnumerateArray()];
        Assert.Equal(["gate", "done"], nodes.Select(n => n.GetProperty("name").GetString()));
        Assert.Equal(["gate"], nodes[1].GetProperty("depends").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("approval", nodes[0].GetProperty("uses").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/runs/no-such-run/graph")).StatusCode);

        JsonElement page = await viewer.GetFromJsonAsync<JsonElement>("/api/runs?startedBy=rita&top=100");
        JsonElement run = Assert.Single(page.GetProperty("runs").EnumerateArray());
        Assert.Equal(ritas, run.GetProperty("id").GetString());
        Assert.Equal("rita", run.GetProperty("startedBy").GetString());
        Assert.Empty((await viewer.GetFromJsonAsync<JsonElement>($"/api/runs?createdTo={Uri.EscapeDataString(DateTime.UtcNow.AddDays(-1).ToString("O"))}")).GetProperty("runs").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/runs?createdTo=yesterday")).StatusCode);
    }

    [Fact]
    public async Task A_workflow_comes_with_its_yaml_and_its_problems_at_their_lines()
    {
        using HttpClient viewer = Client("victor");
        // A file that failed to load has no workflow to ask for: it is read by its path.
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/workflows/broken")).StatusCode);
        JsonElement broken = await viewer.GetFromJsonAsync<JsonElement>("/api/files?path=workflows/broken.yaml");
        Assert.Contains("uses: nope", broken.GetProperty("yaml").GetString(), StringComparison.Ordinal);
        JsonElement problem = broken.GetProperty("problems").EnumerateArray().First();
        Assert.Equal(6, problem.GetProperty("line").GetInt32());
        Assert.Contains("nope", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(40, broken.GetProperty("revision").GetString()!.Length);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/files?path=../../etc/passwd")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/files")).StatusCode);

        JsonElement gated = await viewer.GetFromJsonAsync<JsonElement>("/api/workflows/gated");
        Assert.True(gated.GetProperty("valid").GetBoolean());
        Assert.StartsWith("apiVersion: gitops.orchestrations/v1", gated.GetProperty("yaml").GetString(), StringComparison.Ordinal);
        Assert.Empty(gated.GetProperty("problems").EnumerateArray());
    }
}
