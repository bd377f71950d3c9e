using System.Text;
using GitOps.Orchestrations.Core.Import;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>An Argo workflow that needs no containers, imported and then run by real orchestrations.</summary>
public sealed class ArgoImportRunTests(MemoryBackend backend) : IClassFixture<MemoryBackend>
{
    [Fact]
    public async Task An_imported_argo_workflow_of_steps_http_suspend_conditions_retries_templates_and_an_exit_handler_of_steps_runs_here()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "samples", "argo", "http-suspend.yaml"))
            .Replace("http://127.0.0.1:1", backend.Http.BaseUrl, StringComparison.Ordinal);
        ImportResult imported = ArgoImport.Run([new SourceFile("http-suspend.yaml", Encoding.UTF8.GetBytes(source))]);
        Assert.All(imported.Notes, n => Assert.Equal(ImportFate.Changed, n.Fate));

        RunStatus run = await backend.RunAsync(Assert.Single(imported.Files).Text);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        NodeStatus Node(string name) => run.Nodes.Single(n => n.Name == name);
        Assert.All(new[] { "probe", "settle", "fan", "verdict" }, name => Assert.Equal(NodePhase.Succeeded, Node(name).Phase));
        Assert.Equal(NodePhase.Skipped, Node("never").Phase);
        Assert.Contains("\"echo\":\"shop\"", Node("probe").Outputs["result"].GetString(), StringComparison.Ordinal);
        Assert.Contains("judged", Node("verdict").Outputs["code"].GetString(), StringComparison.Ordinal);
        // The exit handler is a steps template, run as a template of its own: the status reaches it as an input.
        Assert.Equal(NodePhase.Succeeded, Node("onExit").Phase);
        Assert.True(backend.Http.Applied.ContainsKey("exit-Succeeded"));
        Assert.False(backend.Http.Applied.ContainsKey("mourn"));
        Assert.True(Node("settle").FinishedAt - Node("settle").StartedAt >= TimeSpan.FromSeconds(1));
    }
}
