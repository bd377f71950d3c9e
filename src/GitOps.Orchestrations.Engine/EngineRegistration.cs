using GitOps.Orchestrations.Engine.Activities;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.TaskTypes;
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
        services.AddHttpClient(HttpRequestActivity.ClientName, client => client.Timeout = TimeSpan.FromMinutes(5));
        return services;
    }

    /// <summary>
    /// Registers the engine's orchestrators and activities with a Durable Task worker (self-hosted or
    /// Azure Functions). Orchestrators are built without DI, by design of Durable Task, so the task
    /// types they interpret are handed over here; by default the built-in ones.
    /// </summary>
    public static DurableTaskRegistry AddGitOpsEngineTasks(this DurableTaskRegistry registry, TaskTypeRegistry? taskTypes = null)
    {
        TaskTypeRegistry types = taskTypes ?? TaskTypeRegistry.BuiltIn();
        return registry
            .AddOrchestrator(nameof(WorkflowOrchestrator), () => new WorkflowOrchestrator(types))
            .AddOrchestrator(nameof(FanOutChunkOrchestrator), () => new FanOutChunkOrchestrator(types))
            .AddOrchestrator<AnalysisOrchestrator>()
            .AddOrchestrator<Rollouts.RolloutOrchestrator>()
            .AddOrchestrator<Promotion.PipelineOrchestrator>()
            .AddActivity<LogActivity>()
            .AddActivity<HttpRequestActivity>();
    }
}
