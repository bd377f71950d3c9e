using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Kubernetes;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities;

/// <summary>One look at the health of everything an application owns; the orchestrator repeats it on durable timers.</summary>
public sealed class CheckHealthActivity(ClusterRegistry clusters, ILogger<CheckHealthActivity> logger) : TaskActivity<HealthRequest, HealthResult>
{
    public override Task<HealthResult> RunAsync(TaskActivityContext context, HealthRequest input) =>
        DeliveryErrors.RunAsync(logger, "health", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            IReadOnlyList<ObjectHealth> health = await new KubernetesApplier(client).CheckHealthAsync(new ApplyOptions { Application = input.Application, Namespace = input.Target.Namespace });
            return new HealthResult
            {
                Healthy = health.All(h => h.Status == HealthStatus.Healthy),
                Degraded = health.Any(h => h.Status == HealthStatus.Degraded),
                Pending = health.Where(h => h.Status != HealthStatus.Healthy).Select(h => $"{h.Object}: {h.Message}").ToList(),
            };
        });
}
