using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Delivery;

namespace GitOps.Orchestrations.Engine.Promotion;

/// <summary>The activities promotions call; they live in the Delivery library with the chart repositories.</summary>
public static class PromotionActivities
{
    public const string HelmPublish = "HelmPublishActivity";
    public const string DiscoverFreight = "DiscoverFreightActivity";
}

public sealed record HelmPublishRequest(ChartRepositorySpec From, ChartRepositorySpec To, string Chart, string Version);

public sealed record HelmPublishResult : DeliveryOutcome
{
    public string Digest { get; init; } = string.Empty;

    /// <summary>The target already had these very bytes; nothing was written.</summary>
    public bool AlreadyThere { get; init; }
}
