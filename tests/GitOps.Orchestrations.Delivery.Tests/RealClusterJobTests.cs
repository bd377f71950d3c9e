using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// A job and a script step on a real cluster, which pulls a real image and runs it: what the
/// fixture's Job controller only plays. Skipped, visibly, where no cluster is available.
/// </summary>
public sealed class RealClusterJobTests
{
    [RealClusterFact]
    public async Task A_real_job_and_script_run_and_hand_their_result_on()
    {
        string work = Directory.CreateTempSubdirectory("gitops-realjobs-").FullName;
        var clusters = new ClusterRegistry(new Dictionary<string, ClusterSpec> { [ClusterRegistry.DefaultName] = new() { Kubeconfig = await RealCluster.KubeconfigAsync() } });
        await using EngineHost engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = clusters } });
        RunStatus status = await engine.Runs.RunToEndAsync("""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: real-jobs}
            spec:
              tasks:
                - name: build
                  uses: job
                  with:
                    image: busybox:1.36
                    command: [sh, -c, 'echo "{\"version\": \"9.9.9\"}"']
                    outputs: [version]
                    activeDeadlineSeconds: 300
                - name: check
                  uses: script
                  depends: build
                  with:
                    image: busybox:1.36
                    env: {VERSION: "{{tasks.build.outputs.version}}"}
                    source: |
                      echo "saw $VERSION as $(id -u)"
                    activeDeadlineSeconds: 300
            """);

        Assert.True(status.Phase == WorkflowPhase.Succeeded, string.Join("\n", status.Nodes.Select(n => $"{n.Name}: {n.Phase} {n.Message}")));
        Assert.Equal("saw 9.9.9 as 65532", status.Nodes.Single(n => n.Name == "check").Outputs["result"].GetString());
    }
}
