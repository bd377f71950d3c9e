using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Analysis.Tests;

/// <summary><c>uses: analysis</c> in a workflow: a durable analysis against a real Prometheus gates what depends on it.</summary>
public sealed class AnalysisGateTests(PrometheusFixture prometheus) : IClassFixture<PrometheusFixture>, IAsyncLifetime
{
    EngineHost engine = null!;

    public async Task InitializeAsync() => engine = await EngineHost.StartAsync(new EngineHostOptions());

    public async Task DisposeAsync() => await engine.DisposeAsync();

    string Release(string service, string template = "success-rate") => AnalysisRunTests.Template(prometheus.Server.Url, count: 3, interval: "500ms") + $$$"""

        ---
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
          params: [{name: service, default: {{{service}}}}]
          tasks:
            - name: gate
              uses: analysis
              with:
                templates: [{name: {{{template}}}}]
                args: [{name: service, value: "{{params.service}}"}]
            - name: ship
              uses: log
              depends: gate
              with: {message: shipped}
        """;

    [Fact]
    public async Task A_passing_analysis_lets_the_release_through_with_every_measurement_recorded()
    {
        RunStatus status = await engine.Runs.RunToEndAsync(Release("healthy"));
        Assert.Equal(WorkflowPhase.Succeeded, status.Phase);
        NodeStatus gate = status.Nodes.Single(n => n.Name == "gate");
        Assert.StartsWith("Successful: success-rate Successful (3 measurements)", gate.Message);
        Assert.Equal(3, gate.Outputs["measurements"].GetArrayLength());
        Assert.All(gate.Outputs["measurements"].EnumerateArray(), m => Assert.Contains("healthy", Uri.UnescapeDataString(m.GetProperty("query").GetString()!)));
        Assert.Equal(NodePhase.Succeeded, status.Nodes.Single(n => n.Name == "ship").Phase);
    }

    [Fact]
    public async Task A_failing_analysis_fails_the_gate_and_stops_the_release()
    {
        RunStatus status = await engine.Runs.RunToEndAsync(Release("broken"));
        Assert.Equal(WorkflowPhase.Failed, status.Phase);
        NodeStatus gate = status.Nodes.Single(n => n.Name == "gate");
        Assert.Equal(NodePhase.Failed, gate.Phase);
        Assert.Equal("Failed", gate.Outputs["phase"].GetString());
        Assert.NotEqual(NodePhase.Succeeded, status.Nodes.Single(n => n.Name == "ship").Phase);
    }

    [Fact]
    public async Task No_traffic_is_inconclusive_and_does_not_pass()
    {
        RunStatus status = await engine.Runs.RunToEndAsync(Release("nobody"));
        NodeStatus gate = status.Nodes.Single(n => n.Name == "gate");
        Assert.Equal(NodePhase.Failed, gate.Phase);
        Assert.Equal("Inconclusive", gate.Outputs["phase"].GetString());
        Assert.Contains("last: minimum-sample guard: 0 < 10", gate.Message);
    }

    [Fact]
    public void A_template_the_folder_does_not_define_is_a_validation_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => WorkflowSnapshots.Load(Release("healthy", template: "latency")));
        Assert.Contains("AnalysisTemplate 'latency' is not defined in this repository folder", error.Message);
    }
}
