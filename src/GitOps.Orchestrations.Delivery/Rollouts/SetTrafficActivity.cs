using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Traffic;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>
/// Sets the canary's weight through the rollout's router and returns the weight read back. With a
/// mesh the canary is scaled up before it takes traffic and down only after it has lost it.
/// </summary>
public sealed class SetTrafficActivity(ClusterRegistry clusters, ILogger<SetTrafficActivity> logger) : TaskActivity<SetTrafficRequest, SetTrafficResult>
{
    public override Task<SetTrafficResult> RunAsync(TaskActivityContext context, SetTrafficRequest input) =>
        DeliveryErrors.RunAsync(logger, "set traffic", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            ITrafficRouter router = TrafficRouterFactory.Create(input.Routing.Provider, client);
            var split = new TrafficSplit
            {
                Namespace = input.Target.Namespace,
                Resource = input.Routing.Resource,
                StableService = input.StableService,
                CanaryService = input.CanaryService,
                StableDeployment = input.StableDeployment,
                CanaryDeployment = input.CanaryDeployment,
                Weight = input.Weight,
                TotalReplicas = input.TotalReplicas,
                Routes = input.Routing.Routes,
            };
            bool mesh = input.Routing.Provider != TrafficRouting.Replicas;
            var scaler = new DeploymentScaler(client, input.Target.Namespace);
            int before = mesh ? await scaler.ReplicasAsync(input.CanaryDeployment, CancellationToken.None) : 0;
            if (mesh && input.CanaryReplicas > before)
            {
                await scaler.ScaleAsync(input.CanaryDeployment, input.CanaryReplicas, CancellationToken.None);
            }

            int held = await router.SetWeightAsync(split, CancellationToken.None);
            if (mesh && input.CanaryReplicas < before)
            {
                await scaler.ScaleAsync(input.CanaryDeployment, input.CanaryReplicas, CancellationToken.None);
            }

            logger.TrafficSet(input.Target.Namespace, input.Target.Name, held, router.Provider);
            return new SetTrafficResult { Weight = held };
        });
}
