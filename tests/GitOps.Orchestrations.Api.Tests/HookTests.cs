using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using GitOps.Orchestrations.Api.Hooks;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>
/// Webhooks through the self-hosted server over HTTP, with deliveries shaped and signed as GitHub,
/// GitLab and CloudEvents senders make them, against a real repository the pushes name commits of.
/// </summary>
public sealed class HookTests : IAsyncLifetime
{
    const string GitHubSecret = "gh-secret-for-tests", GitLabSecret = "gl-token-for-tests", HmacSecret = "hmac-secret-for-tests";
    readonly GitRepository repo = new();
    GitOpsServer server = null!;
    HttpClient http = null!;

    public async Task InitializeAsync()
    {
        repo.Commit("workflows", ("workflows/deploy-on-push.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: deploy-on-push}
            spec:
              params: [{name: commit}, {name: pusher, default: nobody}]
              triggers:
                - webhook:
                    hook: github
                    events: [push]
                    filter: body.ref == 'refs/heads/main'
                    revision: body.after
                    params: {commit: body.after, pusher: body.pusher.name}
                - webhook:
                    hook: gitlab
                    events: [Push Hook]
                    revision: body.checkout_sha
                    params: {commit: body.checkout_sha, pusher: body.user_username}
              tasks:
                - {name: deploy, uses: log, with: {message: "{{params.commit}} by {{params.pusher}}"}}
            """), ("workflows/release.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: release}
            spec:
              params: [{name: version}]
              triggers:
                - webhook: {hook: events, events: [com.example.release], params: {version: body.version}}
                - webhook: {hook: generic, filter: "body.kind == 'release'", params: {version: body.version}}
              tasks:
                - {name: announce, uses: log, with: {message: "{{params.version}}"}}
            """), ("workflows/preview.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: preview}
            spec:
              params: [{name: head}, {name: number}]
              triggers:
                - webhook: {hook: github, events: [pull_request], filter: "event.action == 'opened' || event.action == 'synchronize'", params: {head: event.commit, number: body.number}}
              tasks:
                - {name: deploy-preview, uses: log, with: {message: "pr {{params.number}} at {{params.head}}"}}
            """));
        server = await GitOpsServer.StartAsync(
            new ServerOptions
            {
                Urls = "http://127.0.0.1:0",
                Workflows = new WorkflowRepositoryOptions { Repository = repo.Path, HeadCacheDuration = TimeSpan.Zero },
                ApiKeys = [new() { User = "victor", Role = "viewer", Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("viewer-key"))) }],
                Api = new ApiOptions
                {
                    MaxHookBodyBytes = 64 * 1024,
                    Hooks = new Dictionary<string, HookSpec>
                    {
                        ["github"] = new() { Type = "github", Secret = GitHubSecret },
                        ["gitlab"] = new() { Type = "gitlab", Secret = GitLabSecret },
                        ["events"] = new() { Type = "cloudevents", Secret = HmacSecret },
                        ["generic"] = new() { Type = "hmac", Secret = HmacSecret },
                    },
                },
                GitPollInterval = TimeSpan.Zero,
            },
            NullLoggerFactory.Instance);
        http = new HttpClient { BaseAddress = new Uri(server.Addresses[0]) };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        repo.Dispose();
    }

    /// <summary>A push payload as GitHub sends it (trimmed of fields nothing reads, not reshaped).</summary>
    static string PushPayload(string gitRef, string before, string after, string pusher = "octocat") => JsonSerializer.Serialize(new
    {
        @ref = gitRef,
        before,
        after,
        created = false,
        deleted = false,
        forced = false,
        compare = $"https://github.com/acme/platform/compare/{before[..12]}...{after[..12]}",
        repository = new { id = 1296269, name = "platform", full_name = "acme/platform", @private = true, default_branch = "main", clone_url = "https://github.com/acme/platform.git" },
        pusher = new { name = pusher, email = $"{pusher}@example.com" },
        sender = new { login = pusher, id = 583231, type = "User" },
        head_commit = new { id = after, message = "scale web", timestamp = "2026-11-30T10:00:00Z", author = new { name = pusher, email = $"{pusher}@example.com" } },
        commits = new[] { new { id = after, message = "scale web", added = Array.Empty<string>(), removed = Array.Empty<string>(), modified = new[] { "apps/web/values.yaml" } } },
    });

    static HttpRequestMessage GitHub(string body, string delivery, string? signature = null, string type = "push")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", type);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256", signature ?? HmacSignature.Sign(Encoding.UTF8.GetBytes(body), GitHubSecret));
        request.Headers.UserAgent.ParseAdd("GitHub-Hookshot/044aadd");
        return request;
    }

    async Task<HookResponse> Accepted(HttpRequestMessage request)
    {
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<HookResponse>(GitOpsApi.Json))!;
    }

    async Task<RunStatus> Finished(string runId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await server.Runs.WatchAsync(runId, _ => Task.CompletedTask, cancellationToken: timeout.Token);
    }

    [Fact]
    public async Task A_signed_GitHub_push_starts_the_workflow_pinned_to_the_pushed_commit_once_however_often_it_is_delivered()
    {
        string before = repo.Head;
        string pushed = repo.Commit("scale web", ("apps/web/values.yaml", "replicas: 3\n"));
        repo.Commit("a later commit the run must not see", ("apps/web/values.yaml", "replicas: 5\n"));
        string body = PushPayload("refs/heads/main", before, pushed);
        string delivery = Guid.NewGuid().ToString();

        HookResponse first = await Accepted(GitHub(body, delivery));
        EventOutcomeView started = Assert.Single(first.Runs.Select(EventOutcomeView.Of));
        Assert.Equal(("deploy-on-push", "started"), (started.Workflow, started.Outcome));
        RunStatus run = await Finished(started.RunId);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(pushed, run.Revision);
        Assert.Equal("webhook", run.Trigger);
        Assert.Equal("webhook:github", run.StartedBy);
        Assert.Equal(new Dictionary<string, string> { ["commit"] = pushed, ["pusher"] = "octocat" }, run.Params);
        Assert.Equal(delivery, run.Event!.Id);
        Assert.Equal("push", run.Event.Type);

        // GitHub's "Redeliver" sends the same delivery id: nothing new starts, and the answer says so.
        HookResponse again = await Accepted(GitHub(body, delivery));
        Assert.Equal([(started.RunId, "duplicate")], again.Runs.Select(r => (r.RunId, r.Outcome)));
        RunPage page = await server.Runs.ListAsync(new RunQuery { InstanceIdPrefix = "deploy-on-push.", Top = 10 });
        Assert.Single(page.Runs);

        // A push to another branch does not pass the filter; a different event type is not listened to.
        Assert.Empty((await Accepted(GitHub(PushPayload("refs/heads/feature", before, pushed), Guid.NewGuid().ToString()))).Runs);
        Assert.Empty((await Accepted(GitHub("""{"action":"published","release":{"tag_name":"v1"}}""", Guid.NewGuid().ToString(), type: "release"))).Runs);
    }

    [Fact]
    public async Task An_unsigned_or_wrongly_signed_delivery_gets_401_starts_nothing_and_is_counted_and_audited()
    {
        string pushed = repo.Commit("scale web", ("apps/web/values.yaml", "replicas: 4\n"));
        string body = PushPayload("refs/heads/main", pushed, pushed);
        string forged = HmacSignature.Sign(Encoding.UTF8.GetBytes(body), "not-the-secret");
        foreach (string? signature in new[] { forged, "sha256=", "sha1=" + new string('0', 40), "sha256=" + new string('z', 64) })
        {
            using HttpResponseMessage response = await http.SendAsync(GitHub(body, Guid.NewGuid().ToString(), signature));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        // The body signed, then changed by one byte on the way: the signature no longer holds.
        using var tampered = GitHub(body.Replace("octocat", "octocad", StringComparison.Ordinal), Guid.NewGuid().ToString(), HmacSignature.Sign(Encoding.UTF8.GetBytes(body), GitHubSecret));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(tampered)).StatusCode);

        Assert.Empty((await server.Runs.ListAsync(new RunQuery { InstanceIdPrefix = "deploy-on-push.", Top = 10 })).Runs);
        IReadOnlyList<AuditEntry> audit = await server.Services.GetRequiredService<IAuditLog>().ReadAsync("hooks/github", 100);
        Assert.Equal(5, audit.Count(e => e is { Actor: "webhook:github", Action: "hook", Outcome: "refused" }));

        using var metrics = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        metrics.Headers.Add("X-Api-Key", "viewer-key");
        string text = await (await http.SendAsync(metrics)).Content.ReadAsStringAsync();
        Assert.Matches("gitops_orchestrations_events_received(_total)?\\{[^}]*outcome=\"unsigned\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task Unknown_hooks_malformed_payloads_and_oversized_bodies_are_refused_with_problems()
    {
        using (HttpResponseMessage unknown = await http.PostAsync("/api/hooks/nope", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // Signed, so it is the sender's own mistake: 400, and nothing runs.
        const string notJson = "ref=refs/heads/main";
        using (HttpResponseMessage malformed = await http.SendAsync(GitHub(notJson, Guid.NewGuid().ToString())))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Contains("not JSON", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var noDelivery = GitHub("{}", "x"))
        {
            noDelivery.Headers.Remove("X-GitHub-Delivery");
            Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(noDelivery)).StatusCode);
        }

        string huge = JsonSerializer.Serialize(new { pad = new string('x', 70 * 1024) });
        using (HttpResponseMessage tooLarge = await http.SendAsync(GitHub(huge, Guid.NewGuid().ToString())))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        }

        // A payload that is valid JSON but not what the filter expects makes the trigger not fire; it does not fail the request.
        HookResponse odd = await Accepted(GitHub("""{"ref": {"nested": true}, "after": 42}""", Guid.NewGuid().ToString()));
        Assert.Empty(odd.Runs);
        Assert.Empty((await server.Runs.ListAsync(new RunQuery { InstanceIdPrefix = "deploy-on-push.", Top = 10 })).Runs);
    }

    [Fact]
    public async Task A_push_naming_a_commit_the_repository_does_not_have_is_reported_not_started()
    {
        string body = PushPayload("refs/heads/main", repo.Head, new string('a', 40));
        HookResponse response = await Accepted(GitHub(body, Guid.NewGuid().ToString()));
        EventOutcome outcome = Assert.Single(response.Runs);
        Assert.Equal("failed", outcome.Outcome);
        Assert.False(await server.Runs.ExistsAsync(outcome.RunId));
    }

    [Fact]
    public async Task A_hostile_payload_is_data_to_the_filter_and_params_never_code()
    {
        string before = repo.Head;
        string pushed = repo.Commit("again", ("apps/web/values.yaml", "replicas: 6\n"));
        string body = PushPayload("refs/heads/main", before, pushed, pusher: "x' + (function(){while(true){}})() + '");
        HookResponse response = await Accepted(GitHub(body, Guid.NewGuid().ToString()));
        RunStatus run = await Finished(Assert.Single(response.Runs).RunId);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("x' + (function(){while(true){}})() + '", run.Params["pusher"]);
    }

    [Fact]
    public async Task A_GitLab_push_is_checked_by_its_token_and_deduplicated_by_its_event_uuid()
    {
        string pushed = repo.Commit("gitlab push", ("apps/web/values.yaml", "replicas: 7\n"));
        string body = JsonSerializer.Serialize(new
        {
            object_kind = "push",
            event_name = "push",
            before = new string('0', 40),
            after = pushed,
            @ref = "refs/heads/main",
            checkout_sha = pushed,
            user_username = "jsmith",
            project = new { id = 15, path_with_namespace = "acme/platform", default_branch = "main" },
            total_commits_count = 1,
        });
        HttpRequestMessage Delivery(string token, string uuid)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/gitlab") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Gitlab-Event", "Push Hook");
            request.Headers.Add("X-Gitlab-Token", token);
            request.Headers.Add("X-Gitlab-Event-UUID", uuid);
            return request;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Delivery("wrong", "u1"))).StatusCode);
        string uuid = Guid.NewGuid().ToString();
        EventOutcome started = Assert.Single((await Accepted(Delivery(GitLabSecret, uuid))).Runs);
        Assert.Equal("started", started.Outcome);
        Assert.Equal("duplicate", Assert.Single((await Accepted(Delivery(GitLabSecret, uuid))).Runs).Outcome);
        RunStatus run = await Finished(started.RunId);
        Assert.Equal((pushed, "jsmith"), (run.Revision, run.Params["pusher"]));
    }

    [Theory]
    [InlineData(ContentMode.Structured)]
    [InlineData(ContentMode.Binary)]
    public async Task A_signed_CloudEvent_in_either_HTTP_mode_starts_a_run_identified_by_its_source_and_id(ContentMode mode)
    {
        var cloudEvent = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri("urn:acme:release-service"),
            Type = "com.example.release",
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(new { version = $"1.{(int)mode}.0" }),
        };
        async Task<HttpRequestMessage> Request()
        {
            HttpContent content = cloudEvent.ToHttpContent(mode, new JsonEventFormatter());
            byte[] bytes = await content.ReadAsByteArrayAsync();
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/events") { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = content.Headers.ContentType;
            foreach (var header in content.Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase)))
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            request.Headers.Add(HmacSource.SignatureHeader, HmacSignature.Sign(bytes, HmacSecret));
            return request;
        }

        EventOutcome started = Assert.Single((await Accepted(await Request())).Runs);
        Assert.Equal("started", started.Outcome);
        Assert.Equal("duplicate", Assert.Single((await Accepted(await Request())).Runs).Outcome);
        RunStatus run = await Finished(started.RunId);
        Assert.Equal($"1.{(int)mode}.0", run.Params["version"]);
        Assert.Equal($"urn:acme:release-service#{cloudEvent.Id}", run.Event!.Id);

        // Signed but not a CloudEvent: 400.
        byte[] junk = Encoding.UTF8.GetBytes("""{"hello": "world"}""");
        using var notAnEvent = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/events") { Content = new ByteArrayContent(junk) };
        notAnEvent.Content.Headers.ContentType = new("application/cloudevents+json");
        notAnEvent.Headers.Add(HmacSource.SignatureHeader, HmacSignature.Sign(junk, HmacSecret));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(notAnEvent)).StatusCode);
    }

    [Fact]
    public async Task A_generic_HMAC_hook_fires_only_when_its_filter_holds()
    {
        async Task<HookResponse> Send(object payload, string delivery)
        {
            byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(payload);
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/generic") { Content = new ByteArrayContent(bytes) };
            request.Headers.Add(HmacSource.SignatureHeader, HmacSignature.Sign(bytes, HmacSecret));
            request.Headers.Add("X-Delivery-Id", delivery);
            return await Accepted(request);
        }

        Assert.Empty((await Send(new { kind = "build", version = "2.0.0" }, "d1")).Runs);
        EventOutcome started = Assert.Single((await Send(new { kind = "release", version = "2.0.0" }, "d2")).Runs);
        Assert.Equal("2.0.0", (await Finished(started.RunId)).Params["version"]);
    }

    [Fact]
    public async Task A_pull_request_event_fires_on_the_actions_its_filter_names_with_the_head_commit_as_event_commit()
    {
        string head = repo.Commit("feature", ("apps/web/values.yaml", "replicas: 8\n"));
        string Payload(string action) => JsonSerializer.Serialize(new
        {
            action,
            number = 42,
            pull_request = new { number = 42, state = "open", head = new { @ref = "feature/x", sha = head }, @base = new { @ref = "main" } },
            repository = new { full_name = "acme/platform" },
        });

        Assert.Empty((await Accepted(GitHub(Payload("closed"), Guid.NewGuid().ToString(), type: "pull_request"))).Runs);
        EventOutcome started = Assert.Single((await Accepted(GitHub(Payload("opened"), Guid.NewGuid().ToString(), type: "pull_request"))).Runs);
        RunStatus run = await Finished(started.RunId);
        Assert.Equal((head, "42"), (run.Params["head"], run.Params["number"]));
        Assert.Equal("feature/x", run.Event!.Subject);
    }

    sealed record EventOutcomeView(string Workflow, string RunId, string Outcome)
    {
        public static EventOutcomeView Of(Triggers.EventOutcome outcome) => new(outcome.Workflow, outcome.RunId, outcome.Outcome);
    }
}
