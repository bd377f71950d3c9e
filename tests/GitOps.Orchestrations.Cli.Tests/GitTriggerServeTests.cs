using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// The Git trigger in a real <c>gitops serve</c>, beside the schedule and pipeline triggers: each of
/// the server's trigger loops must run, not only the first one registered.
/// </summary>
public sealed class GitTriggerServeTests : IDisposable
{
    readonly GitRepository repo = new();

    public void Dispose() => repo.Dispose();

    [Fact]
    public async Task A_commit_under_a_watched_path_starts_a_run_in_the_server()
    {
        repo.Commit("app", ("workflows/deploy-web.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: deploy-web}
            spec:
              triggers:
                - git: {paths: ["apps/web/**"]}
              tasks:
                - {name: deploy, uses: log, with: {message: "{{workflow.revision}}"}}
            """), ("apps/web/values.yaml", "replicas: 1\n"));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path, new Dictionary<string, string> { ["GitOps__GitPollIntervalSeconds"] = "0.5" });
        using HttpClient victor = server.ClientFor("victor");

        // The server's first look only records the head, and when it has looked is not visible from
        // here: a change committed before it looks is taken for the head. So change a watched file,
        // and change it again (every few polls) until a run at one of the changes appears.
        var changes = new List<string>();
        DateTime lastChange = DateTime.MinValue;
        await Eventually.True(async () =>
        {
            JsonElement page = await victor.GetFromJsonAsync<JsonElement>("/api/runs?workflow=deploy-web");
            if (page.GetProperty("runs").EnumerateArray().Any(r => changes.Contains(r.GetProperty("revision").GetString()!)))
            {
                return true;
            }

            if (DateTime.UtcNow - lastChange > TimeSpan.FromSeconds(3))
            {
                changes.Add(repo.Commit($"scale web {changes.Count}", ("apps/web/values.yaml", $"replicas: {changes.Count + 2}\n")));
                lastChange = DateTime.UtcNow;
            }

            return false;
        }, "a run of deploy-web at a new commit", TimeSpan.FromSeconds(60));
    }
}
