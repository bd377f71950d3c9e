using System.Diagnostics;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// The worker process is killed with SIGKILL in the middle of a run on Azurite (persisting to disk)
/// and started again with the same run id. The run must finish, and every side effect must have
/// happened exactly once, as the receiving server counts them.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly TestHttpServer http = new();

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        await http.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await http.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task A_killed_worker_resumes_the_run_and_every_effect_happens_once()
    {
        string dir = Directory.CreateTempSubdirectory("gitops-crash").FullName;
        string file = Path.Combine(dir, "effects.yaml");
        File.WriteAllText(file, $$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: effects}
            spec:
              tasks:
                - {name: e1, uses: http, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/e1"}}
                - {name: w1, uses: wait, depends: e1, with: {duration: 3s}}
                - {name: e2, uses: http, depends: w1, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/e2"}}
                - name: e3
                  uses: http
                  depends: e2
                  withItems: [a, b, c]
                  with: {method: POST, url: "{{{http.BaseUrl}}}/effects/e3-{{item}}"}
            """);
        string runId = $"crash-{Guid.NewGuid():N}";
        string[] args = ["run", file, "--store", azurite.ConnectionString, "--task-hub", "crashtest", "--run-id", runId, "-o", "json"];
        var environment = new Dictionary<string, string>
        {
            ["GITOPS_AZURE_STORAGE_LEASE_SECONDS"] = "6",
            ["GITOPS_AZURE_STORAGE_VISIBILITY_SECONDS"] = "8",
        };

        using (Process first = Gitops.Start(args, environment))
        {
            first.StandardInput.Close();
            var deadline = Stopwatch.StartNew();
            while (!http.Applied.ContainsKey("e1"))
            {
                if (first.HasExited)
                {
                    Assert.Fail($"the first worker ended early: {await first.StandardError.ReadToEndAsync()}");
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(1), "e1 never happened");
                await Task.Delay(50);
            }

            // Mid-run: e1 has happened, the durable timer w1 is pending. SIGKILL gives the worker no chance to clean up.
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        DateTime killedAt = DateTime.UtcNow;
        Assert.False(http.Applied.ContainsKey("e2"), $"killed at {killedAt:HH:mm:ss.fff}; effects: {string.Join(", ", http.EffectLog.Select(e => $"{e.Effect}@{e.At:HH:mm:ss.fff}"))}");
        CliResult second = await Gitops.RunAsync(args, environment, timeout: TimeSpan.FromMinutes(3));
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);

        using JsonDocument json = JsonDocument.Parse(second.Stdout);
        Assert.Equal(runId, json.RootElement.GetProperty("id").GetString());
        Assert.Equal("Succeeded", json.RootElement.GetProperty("phase").GetString());
        Assert.All(json.RootElement.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("Succeeded", n.GetProperty("phase").GetString()));
        foreach (string effect in new[] { "e1", "e2", "e3-a", "e3-b", "e3-c" })
        {
            Assert.Equal(1, http.Applied.GetValueOrDefault(effect));
        }

        Assert.Equal(5, http.Applied.Count);
        Assert.Equal(5, http.Deliveries.Count);
    }
}
