using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// What a server keeps and what a watcher is told: <c>gitops serve</c> never loses state by
/// default, says so when asked to, and <c>gitops watch</c> sees every run end, with or without an
/// exit handler, on both stores; <c>gitops run</c> stops on SIGTERM.
/// </summary>
public sealed class ServerStateTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly GitRepository repo = new();

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        repo.Dispose();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task Serve_without_a_store_refuses_to_start_rather_than_lose_state()
    {
        CliResult result = await Gitops.RunAsync(["serve", "--repo", repo.Path, "--urls", "http://127.0.0.1:0"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("gitops serve needs a store that outlives it", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_on_memory_warns_and_says_it_is_not_durable()
    {
        repo.Commit("one", ("workflows/one.yaml", Hello("one", onExit: false)));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path);
        Assert.Contains("warning: --store memory", server.Output, StringComparison.Ordinal);
        using HttpClient victor = server.ClientFor("victor");
        JsonElement health = await victor.GetFromJsonAsync<JsonElement>("/healthz");
        Assert.False(health.GetProperty("durable").GetBoolean());
        JsonElement info = await victor.GetFromJsonAsync<JsonElement>("/api/server");
        Assert.False(info.GetProperty("durable").GetBoolean());
        Assert.StartsWith("memory", info.GetProperty("store").GetString(), StringComparison.Ordinal);
    }

    // The README's own sample has an onExit; watch once reported such a run Running and exited 1,
    // because the stream never sent the final run event.
    [Theory]
    [InlineData("memory", false)]
    [InlineData("memory", true)]
    [InlineData("azurite", false)]
    [InlineData("azurite", true)]
    public async Task Watch_sees_the_run_end_with_and_without_an_exit_handler(string store, bool onExit)
    {
        repo.Commit("gated", ("workflows/gated.yaml", Hello("gated", onExit)));
        await using ServerProcess server = await ServerProcess.StartAsync(store == "azurite" ? azurite.ConnectionString : store, repo.Path);
        using HttpClient olga = server.ClientFor("olga");
        string id = (await (await olga.PostAsJsonAsync("/api/workflows/gated/runs", new { })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Eventually.True(async () => (await olga.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("waiting").GetArrayLength() == 1, "the gate to wait");
        if (store == "azurite")
        {
            JsonElement info = await olga.GetFromJsonAsync<JsonElement>("/api/server");
            Assert.True(info.GetProperty("durable").GetBoolean());
        }

        string[] As(string user) => ["--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf(user)];
        Task<CliResult> watch = Gitops.RunAsync(["watch", id, .. As("victor")], timeout: TimeSpan.FromMinutes(3));
        Assert.Equal(0, (await Gitops.RunAsync(["approve", id, "gate", .. As("alice")])).ExitCode);
        CliResult watched = await watch;
        Assert.True(watched.ExitCode == 0, watched.Stdout + watched.Stderr);
        string last = watched.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Contains("Succeeded", last, StringComparison.Ordinal);
        if (onExit)
        {
            Assert.True(watched.Stdout.Contains("onExit", StringComparison.Ordinal), watched.Stdout);
        }
    }

    [Fact]
    public async Task Run_stops_on_sigterm_and_says_what_becomes_of_the_run()
    {
        string dir = Directory.CreateTempSubdirectory("gitops-sigterm").FullName;
        string file = Path.Combine(dir, "gated.yaml");
        File.WriteAllText(file, Hello("gated", onExit: false));
        using Process run = Gitops.Start(["run", file]);
        run.StandardInput.Close();
        var output = new System.Text.StringBuilder();
        var waiting = new TaskCompletionSource();
        run.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("this run lives in this process only", StringComparison.Ordinal) == true)
            {
                waiting.TrySetResult();
            }
        };
        Task<string> stderr = run.StandardError.ReadToEndAsync();
        run.BeginOutputReadLine();
        try
        {
            await waiting.Task.WaitAsync(TimeSpan.FromMinutes(2));
            using (Process kill = Process.Start("kill", ["-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            // Promptly: well before anything but the signal could end a run that waits for a person.
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(130, run.ExitCode);
        Assert.Contains("interrupted: run", await stderr, StringComparison.Ordinal);
        Assert.Contains("embedded store", await stderr, StringComparison.Ordinal);
    }

    static string Hello(string name, bool onExit) =>
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: " + name + "}\nspec:\n"
        + (onExit ? "  onExit: {uses: log, with: {message: \"cleanup after {{workflow.status}}\"}}\n" : "")
        + "  tasks:\n    - {name: gate, uses: approval, with: {approvers: [alice]}}\n    - {name: after, uses: log, depends: gate, with: {message: done}}\n";
}
