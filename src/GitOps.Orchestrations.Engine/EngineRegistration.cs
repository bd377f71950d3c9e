using GitOps.Orchestrations.Engine.Activities;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Orchestrators;
using Microsoft.DurableTask;
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
        return registry
            .AddOrchestrator(nameof(WorkflowOrchestrator), () => new WorkflowOrchestrator(services))
            .AddOrchestrator(nameof(FanOutChunkOrchestrator), () => new FanOutChunkOrchestrator(services))
            .AddOrchestrator<AnalysisOrchestrator>()
            .AddOrchestrator(nameof(Rollouts.RolloutOrchestrator), () => new Rollouts.RolloutOrchestrator(services.Approvals))
            .AddOrchestrator(nameof(Promotion.PipelineOrchestrator), () => new Promotion.PipelineOrchestrator(services.Approvals))
            .AddActivity<LogActivity>()
            .AddActivity<HttpRequestActivity>();
    }
}
