using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Rendering;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities;

/// <summary>
/// Compares live objects with the render the application was last applied from, as its inventory
/// records it, and with self-heal applies that render again.
/// </summary>
public sealed class DetectDriftActivity(ClusterRegistry clusters, RenderService renderer, ILogger<DetectDriftActivity> logger) : TaskActivity<DriftRequest, DriftResult>
{
    public override Task<DriftResult> RunAsync(TaskActivityContext context, DriftRequest input) =>
        DeliveryErrors.RunAsync(logger, "drift", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            var applier = new KubernetesApplier(client);
            var options = new ApplyOptions { Application = input.Application, Namespace = input.Target.Namespace, Ignore = input.IgnoreDifferences };
            Inventory inventory = await applier.ReadInventoryAsync(options);
            if (inventory.Source is not AppliedSource applied)
            {
                return new DriftResult { Error = $"application {input.Application} has no recorded render in namespace {input.Target.Namespace}: sync it first" };
            }

            ManifestSet set = await renderer.RenderAsync(applied.Source, applied.Revision, applied.Render);
            IReadOnlyList<DriftedObject> drifted = await applier.DetectDriftAsync(set, options);
            bool healed = false;
            if (drifted.Count > 0 && input.SelfHeal)
            {
                await applier.ApplyAsync(set, options with { Source = applied, Prune = applied.Prune, ForceConflicts = true, FreshRead = true });
                healed = true;
            }

            logger.DriftFound(input.Application, drifted.Count, healed);
            return new DriftResult { Revision = applied.Revision, Drifted = drifted.Select(d => new DriftedObjectView(d.Object, d.Fields)).ToList(), Healed = healed };
        });
}
