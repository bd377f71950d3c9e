using GitOps.Orchestrations.Delivery.Activities;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.LiveObjects;
using GitOps.Orchestrations.Rendering;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitOps.Orchestrations.Delivery;

public sealed record DeliveryOptions
{
    /// <summary>Clone cache, per-commit exports and rendered manifests; safe to delete at any time.</summary>
    public string CacheDirectory { get; init; } = GitCheckout.DefaultCacheDirectory;

    /// <summary>How long kustomize or helm may run for one render.</summary>
    public TimeSpan ToolTimeout { get; init; } = RenderService.DefaultToolTimeout;

    /// <summary>The clusters workflows may name; none unless the host configures some.</summary>
    public ClusterRegistry Clusters { get; init; } = ClusterRegistry.Empty;

    /// <summary>The operator's policies, checked before every sync writes, whatever its workflow names (docs/policy.md).</summary>
    public IReadOnlyList<Core.Policies.PolicyDefinition> Policies { get; init; } = [];

    /// <summary>Private keys that unseal SealedSecrets for clusters that run no Sealed Secrets controller (docs/secrets.md).</summary>
    public Secrets.SealingKeyRing SealingKeys { get; init; } = Secrets.SealingKeyRing.Empty;

    /// <summary>
    /// These options with the operator's policies and sealing keys read from where a host's settings
    /// name them (either may be absent). One that does not load throws, so a host never starts with
    /// syncs unguarded or SealedSecrets it cannot open by mistake.
    /// </summary>
    public DeliveryOptions WithGuardsFrom(string? policies, string? sealingKeys) => this with
    {
        Policies = policies is { Length: > 0 } ? GitOps.Orchestrations.Delivery.Policies.PolicyFolder.Load(policies) : [],
        SealingKeys = sealingKeys is { Length: > 0 } ? Secrets.SealingKeyRing.Load(sealingKeys) : Secrets.SealingKeyRing.Empty,
    };
}

/// <summary>The two halves a host wires up for delivery: services, and activities.</summary>
public static class DeliveryRegistration
{
    public static IServiceCollection AddGitOpsDelivery(this IServiceCollection services, DeliveryOptions? options = null)
    {
        DeliveryOptions settings = options ?? new DeliveryOptions();
        services.TryAddSingleton(settings);
        services.TryAddSingleton(provider => provider.GetRequiredService<DeliveryOptions>().Clusters);
        // A factory, so the container closes every watch when the host stops.
        services.TryAddSingleton(provider => new LiveObjectCaches(provider.GetRequiredService<ClusterRegistry>()));
        services.AddHttpClient(Promotion.HelmPublishActivity.ClientName).UseEgressPolicy();
        services.TryAddSingleton(provider => new GitCheckout(provider.GetRequiredService<DeliveryOptions>().CacheDirectory));
        services.TryAddSingleton<IGitSources>(provider => provider.GetRequiredService<GitCheckout>());
        services.TryAddSingleton(provider => new Policies.PolicyGate(provider.GetRequiredService<DeliveryOptions>().Policies));
        services.TryAddSingleton(provider => new Secrets.SealedSecrets(provider.GetRequiredService<DeliveryOptions>().SealingKeys));
        services.TryAddSingleton(provider => new RenderService(provider.GetRequiredService<IGitSources>(), provider.GetRequiredService<DeliveryOptions>().ToolTimeout));
        return services;
    }

    public static DurableTaskRegistry AddGitOpsDeliveryTasks(this DurableTaskRegistry registry) => registry
        .AddActivity<ResolveSourceActivity>()
        .AddActivity<RenderActivity>()
        .AddActivity<ApplyActivity>()
        .AddActivity<CheckHealthActivity>()
        .AddActivity<WriteRenderedActivity>()
        .AddActivity<GitCommitActivity>()
        .AddActivity<DetectDriftActivity>()
        .AddActivity<Activities.Jobs.StartJobActivity>()
        .AddActivity<Activities.Jobs.ObserveJobActivity>()
        .AddActivity<Activities.Jobs.DeleteJobActivity>()
        .AddActivity<Rollouts.PrepareRolloutActivity>()
        .AddActivity<Rollouts.SetTrafficActivity>()
        .AddActivity<Rollouts.ReadReadinessActivity>()
        .AddActivity<Rollouts.PromoteStableActivity>()
        .AddActivity<Rollouts.ScaleDeploymentActivity>()
        .AddActivity<Rollouts.SwitchServiceActivity>()
        .AddActivity<Promotion.HelmPublishActivity>()
        .AddActivity<Promotion.DiscoverFreightActivity>();
}
