using GitOps.Orchestrations.Charts;
using GitOps.Orchestrations.Engine.Promotion;
using GitOps.Orchestrations.Git;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Promotion;

/// <summary>Publishes one chart version into the next repository; safe to repeat, since the same bytes already there are a no-op.</summary>
public sealed class HelmPublishActivity(IHttpClientFactory clients, GitCheckout checkout, ILogger<HelmPublishActivity> logger) : TaskActivity<HelmPublishRequest, HelmPublishResult>
{
    public const string ClientName = "charts";

    public override Task<HelmPublishResult> RunAsync(TaskActivityContext context, HelmPublishRequest input) =>
        DeliveryErrors.RunAsync(logger, "helm-publish", async () =>
        {
            HttpClient http = clients.CreateClient(ClientName);
            var publisher = new ChartPublisher(ChartRepositoryFactory.Create(input.From, http, checkout), ChartRepositoryFactory.Create(input.To, http, checkout));
            ChartPublication done = await publisher.PublishAsync(input.Chart, input.Version);
            logger.ChartPublished(done.Chart, done.Version, done.To, done.AlreadyThere);
            return new HelmPublishResult { Digest = done.Digest, AlreadyThere = done.AlreadyThere };
        });
}
