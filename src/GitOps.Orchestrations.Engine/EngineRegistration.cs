using GitOps.Orchestrations.Engine.Activities;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitOps.Orchestrations.Engine;

/// <summary>The two halves every host wires up: the engine's services, and its orchestrators and activities.</summary>
public static class EngineRegistration
{
    public static IServiceCollection AddGitOpsEngine(this IServiceCollection services)
    {
        services.TryAddSingleton<IEffectJournal, InMemoryEffectJournal>();
        services.TryAddSingleton(EgressPolicy.Default);
        services.AddHttpClient(HttpRequestActivity.ClientName, client => client.Timeout = TimeSpan.FromMinutes(5)).UseEgressPolicy();
        services.AddHttpClient(Sdk.TaskHttp.ClientName, client => client.Timeout = TimeSpan.FromMinutes(2)).UseEgressPolicy();
        services.TryAddSingleton(new Notifications.NotificationOptions());
        Notifications.NotificationChannels.Register(services);
        return services;
    }

    /// <summary>Every outbound client of the engine goes through the server's egress policy: names checked, addresses checked at connect, no automatic redirects.</summary>
    public static IHttpClientBuilder UseEgressPolicy(this IHttpClientBuilder builder) =>
        builder.ConfigurePrimaryHttpMessageHandler(provider => EgressHandler.Create(provider.GetRequiredService<EgressPolicy>()));

    /// <summary>
    /// Registers the engine's orchestrators and activities with a Durable Task worker (self-hosted or
    /// Azure Functions). Orchestrators are built without DI, by design of Durable Task, so what they
    /// need (the task types they interpret, the approval key) is handed over here.
    /// </summary>
    public static DurableTaskRegistry AddGitOpsEngineTasks(this DurableTaskRegistry registry, OrchestrationServices services)
    {
        // Each orchestrator under every version still runnable: one class per orchestrator, which
        // branches on its instance's version where behaviour changed (OrchestrationVersions).
        foreach (string version in OrchestrationVersions.Runnable)
        {
            registry
                .AddOrchestrator(nameof(WorkflowOrchestrator), version, () => new WorkflowOrchestrator(services))
                .AddOrchestrator(nameof(FanOutChunkOrchestrator), version, () => new FanOutChunkOrchestrator(services))
                .AddOrchestrator(nameof(AnalysisOrchestrator), version, () => new AnalysisOrchestrator())
                .AddOrchestrator(nameof(Rollouts.RolloutOrchestrator), version, () => new Rollouts.RolloutOrchestrator(services.Approvals))
                .AddOrchestrator(nameof(Promotion.PipelineOrchestrator), version, () => new Promotion.PipelineOrchestrator(services.Approvals))
                .AddOrchestrator(nameof(Locks.LockOrchestrator), version, () => new Locks.LockOrchestrator(services));
        }

        return registry
            .AddActivity<LogActivity>()
            .AddActivity<CustomTaskActivity>()
            .AddActivity<HttpRequestActivity>()
            .AddActivity<Locks.SignalLockActivity>()
            .AddActivity<Locks.FindEndedRunsActivity>()
            .AddActivity<Notifications.SendNotificationActivity>();
    }

    /// <summary>
    /// A worker runs its own version and older ones, and leaves an instance of a newer version
    /// untouched (Reject), for a newer worker on the same task hub: a rolling upgrade loses nothing.
    /// </summary>
    public static DurableTaskWorkerOptions.VersioningOptions Versioning => new()
    {
        Version = OrchestrationVersions.Current,
        DefaultVersion = OrchestrationVersions.Current,
        MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
        FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Reject,
    };
}
