using GitOps.Orchestrations.Engine.Jobs;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Jobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities.Jobs;

/// <summary>Deletes a stopped or timed-out step's Job with foreground propagation, so its pods go too.</summary>
public sealed class DeleteJobActivity(ClusterRegistry clusters, ILogger<DeleteJobActivity> logger) : TaskActivity<DeleteJobRequest, DeleteJobResult>
{
    public override Task<DeleteJobResult> RunAsync(TaskActivityContext context, DeleteJobRequest input) =>
        DeliveryErrors.RunAsync(logger, "job", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Cluster);
            bool deleted = await new ClusterJobs(client).DeleteAsync(input.Namespace, input.Name, CancellationToken.None);
            if (deleted)
            {
                logger.JobDeleted(input.Namespace, input.Name);
            }

            return new DeleteJobResult { Deleted = deleted };
        });
}
