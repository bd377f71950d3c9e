using GitOps.Orchestrations.Charts;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Promotion;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Promotion;

/// <summary>Looks at a pipeline's sources for the freight they offer now; read-only.</summary>
public sealed class DiscoverFreightActivity(IHttpClientFactory clients, ILogger<DiscoverFreightActivity> logger) : TaskActivity<IReadOnlyList<FreightSource>, DiscoverFreightResult>
{
    public override Task<DiscoverFreightResult> RunAsync(TaskActivityContext context, IReadOnlyList<FreightSource> input) =>
        DeliveryErrors.RunAsync(logger, "discover freight", async () =>
        {
            (Freight? freight, string? missing) = await new FreightDiscovery(clients.CreateClient(HelmPublishActivity.ClientName)).DiscoverAsync(input);
            return new DiscoverFreightResult { Freight = freight, Missing = missing };
        });
}
