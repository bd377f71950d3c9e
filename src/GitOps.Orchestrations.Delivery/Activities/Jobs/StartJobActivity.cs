using System.Text.Json.Nodes;
using GitOps.Orchestrations.Engine.Jobs;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Jobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities.Jobs;

/// <summary>Creates a step attempt's Job, or adopts the one an earlier worker created for the same attempt.</summary>
public sealed class StartJobActivity(ClusterRegistry clusters, ILogger<StartJobActivity> logger) : TaskActivity<StartJobRequest, StartJobResult>
{
    public override Task<StartJobResult> RunAsync(TaskActivityContext context, StartJobRequest input) =>
        DeliveryErrors.RunAsync(logger, "job", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Cluster);
            var job = (JsonObject)JsonNode.Parse(input.Job)!;
            JsonObject? source = input.Source is null ? null : (JsonObject)JsonNode.Parse(input.Source)!;
            bool adopted = await new ClusterJobs(client).CreateAsync(job, source, input.StepKey, CancellationToken.None);
            string name = (string)job["metadata"]!["name"]!;
            if (adopted)
            {
                logger.JobAdopted(input.Namespace, name);
            }

            return new StartJobResult { Name = name, Adopted = adopted };
        });
}
