using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>The remote commands against a real <c>gitops serve</c> on the embedded backend.</summary>
public sealed class RemoteCommandTests : IDisposable
{
    readonly GitRepository repo = new();

    public void Dispose() => repo.Dispose();

    [Fact]
    public async Task What_another_person_wrote_reaches_the_terminal_with_its_control_characters_escaped()
    {
        repo.Commit("gated", ("workflows/gated.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: gated}
            spec:
              tasks:
                - {name: gate, uses: approval, with: {approvers: [alice]}}
            """));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path);
        using HttpClient olga = server.ClientFor("olga");
        string id = (await (await olga.PostAsJsonAsync("/api/workflows/gated/runs", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await olga.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("waiting").GetArrayLength() == 1, "the gate to wait");

        // A reason that would retitle the reader's terminal, turn it red and forge a line of its own.
        const string Hostile = "done\u001b]0;pwned\u0007\u001b[31m\nSucceeded: all good";
        HttpResponseMessage stopped = await olga.PostAsJsonAsync($"/api/runs/{id}/terminate", new { reason = System.Text.RegularExpressions.Regex.Unescape(Hostile) });
        Assert.True(stopped.IsSuccessStatusCode, await stopped.Content.ReadAsStringAsync());
        await Eventually.True(async () => (await olga.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString() == "Terminated", "the run to end");

        CliResult status = await Gitops.RunAsync(["status", id, "--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf("victor")]);
        Assert.True(status.Stdout.Contains("Terminated", StringComparison.Ordinal), status.Stdout + status.Stderr);
        Assert.DoesNotContain('\u001b', status.Stdout);
        Assert.DoesNotContain('\u0007', status.Stdout);
        Assert.Contains("done\\u001b]0;pwned", status.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(status.Stdout.Split('\n'), line => line.StartsWith("Succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_function_key_from_the_environment_goes_beside_the_bearer_token_as_the_functions_app_needs()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string? Key, string? Authorization)>();
        (WebApplication app, string url) = await LoopbackApp.StartAsync(web => web.Run((RequestDelegate)(async http =>
        {
            seen.Enqueue((http.Request.Headers["x-functions-key"].FirstOrDefault(), http.Request.Headers.Authorization.FirstOrDefault()));
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("[]");
        })));
        await using (app)
        {
            CliResult listed = await Gitops.RunAsync(["list", "approvals", "--server", url, "--token", "a.b.c"], new Dictionary<string, string> { ["GITOPS_FUNCTION_KEY"] = "fn-key_01==" });
            Assert.True(listed.ExitCode == 0, listed.Stderr);
            Assert.Equal(("fn-key_01==", "Bearer a.b.c"), Assert.Single(seen));

            // A credential no header can carry is refused before anything is sent, and never echoed.
            CliResult refused = await Gitops.RunAsync(["list", "approvals", "--server", url, "--token", "a.b.c"], new Dictionary<string, string> { ["GITOPS_FUNCTION_KEY"] = "secret\nInjected: yes" });
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("cannot carry", refused.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", refused.Stderr, StringComparison.Ordinal);
            Assert.Single(seen);
        }
    }

    [Fact]
    public async Task Status_says_which_lock_a_run_waits_for_and_terminating_its_holder_lets_it_start()
    {
        repo.Commit("serial", ("workflows/serial.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: serial}
            spec:
              synchronization: {mutex: prod}
              tasks:
                - {name: gate, uses: approval, with: {approvers: [alice]}}
            """));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path);
        using HttpClient olga = server.ClientFor("olga");
        async Task<string> Start() => (await (await olga.PostAsJsonAsync("/api/workflows/serial/runs", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        async Task<JsonElement> Run(string id) => await olga.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        string holder = await Start();
        await Eventually.True(async () => (await Run(holder)).GetProperty("waiting").GetArrayLength() == 1, "the holder to reach its gate");
        string waiter = await Start();
        await Eventually.True(async () => (await Run(waiter)).TryGetProperty("waitingForLock", out JsonElement wait) && wait.TryGetProperty("position", out JsonElement at) && at.ValueKind == JsonValueKind.Number, "the waiter to queue");

        string[] As(string user) => ["--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf(user)];
        CliResult status = await Gitops.RunAsync(["status", waiter, .. As("victor")]);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains($": Pending", status.Stdout, StringComparison.Ordinal);
        Assert.Contains($"  ? waiting for mutex prod, held by {holder}; place in line: 1: it starts when the lock is free", status.Stdout, StringComparison.Ordinal);

        CliResult terminated = await Gitops.RunAsync(["terminate", holder, "--reason", "stuck", .. As("olga")]);
        Assert.Equal(0, terminated.ExitCode);
        await Eventually.True(async () => (await Run(waiter)).GetProperty("waiting").GetArrayLength() == 1, "the waiter to take the mutex and reach its gate");
        Assert.DoesNotContain("waiting for mutex", (await Gitops.RunAsync(["status", waiter, .. As("victor")])).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_approve_watch_and_refusals_go_through_the_api()
    {
        repo.Commit("gated", ("workflows/gated.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: gated}
            spec:
              tasks:
                - {name: gate, uses: approval, with: {approvers: [alice]}}
                - {name: after, uses: log, depends: gate, with: {message: done}}
            """));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path);
        using HttpClient olga = server.ClientFor("olga");
        string id = (await (await olga.PostAsJsonAsync("/api/workflows/gated/runs", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await olga.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("waiting").GetArrayLength() == 1, "the gate to wait");

        string[] As(string user) => ["--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf(user)];
        CliResult status = await Gitops.RunAsync(["status", id, "-o", "json", .. As("victor")]);
        Assert.Equal(0, status.ExitCode);
        Assert.Equal("gate", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("waiting")[0].GetString());

        CliResult refused = await Gitops.RunAsync(["approve", id, "gate", .. As("victor")]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("403", refused.Stderr, StringComparison.Ordinal);

        Task<CliResult> watch = Gitops.RunAsync(["watch", id, .. As("victor")]);
        CliResult approved = await Gitops.RunAsync(["approve", id, "gate", "-m", "fine", .. As("alice")]);
        Assert.Equal(0, approved.ExitCode);
        CliResult watched = await watch;
        Assert.Equal(0, watched.ExitCode);
        Assert.Contains("Succeeded", watched.Stdout, StringComparison.Ordinal);

        CliResult noServer = await Gitops.RunAsync(["status", id, "--server", "http://127.0.0.1:1", "--api-key", "x"]);
        Assert.Equal(1, noServer.ExitCode);
        Assert.Contains("cannot reach", noServer.Stderr, StringComparison.Ordinal);
    }
}
