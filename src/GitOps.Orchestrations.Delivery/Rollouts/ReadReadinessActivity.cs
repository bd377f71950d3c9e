using System.Diagnostics;
using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Rollouts;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>
/// Whether the named Deployments run every replica of their latest generation; read-only. It looks
/// again every 25 ms for up to <see cref="ReadinessRequest.WaitUpTo"/>, so pods ready in a moment
/// cost a moment rather than a durable timer's round trip.
/// </summary>
public sealed class ReadReadinessActivity(ClusterRegistry clusters, ILogger<ReadReadinessActivity> logger) : TaskActivity<ReadinessRequest, ReadinessResult>
{
    static readonly TimeSpan LookAgain = TimeSpan.FromMilliseconds(25);

    public override Task<ReadinessResult> RunAsync(TaskActivityContext context, ReadinessRequest input) =>
        DeliveryErrors.RunAsync(logger, "read readiness", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            RolloutCluster cluster = RolloutTargets.Cluster(client, input.Target);
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var pending = new List<string>();
                foreach (string name in input.Deployments)
                {
                    DeploymentReadiness readiness = await cluster.ReadinessAsync(name, CancellationToken.None);
                    if (!readiness.Available)
                    {
                        pending.Add(readiness.ToString());
                    }
                }

                if (pending.Count == 0 || deadline.Elapsed >= input.WaitUpTo)
                {
                    return new ReadinessResult { Available = pending.Count == 0, Pending = pending };
                }

                await Task.Delay(LookAgain);
            }
        });
}
