using GitOps.Orchestrations.Analysis;
using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Sdk;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitOps.Orchestrations.Composition;

/// <summary>
/// The composition root of every host: <see cref="AddGitOpsOrchestrations"/> for services and
/// <see cref="AddGitOpsOrchestrationTasks"/> for the orchestrators and activities a worker runs.
/// The self-hosted engine registers the tasks with its Durable Task worker; the Functions app has
/// one function per task, which a test compares with this registry.
/// </summary>
public static class OrchestrationsRegistration
{
    public static IServiceCollection AddGitOpsOrchestrations(this IServiceCollection services, OrchestrationsOptions options)
    {
        // The host's egress policy first: the engine only adds the default when none is there.
        services.AddSingleton(options.Egress.Validated());
        services.AddSingleton(options.Notifications);
        TaskTypeRegistry taskTypes = ComposeTaskTypes(options.TaskTypes, services);
        services.AddSingleton(taskTypes);
        services.AddSingleton(options.Approvals);
        services.AddSingleton(new OrchestrationServices(taskTypes, options.Approvals));
        services.TryAddSingleton(TimeProvider.System);
        services.AddGitOpsEngine();
        services.AddGitOpsDelivery(options.Delivery);
        services.AddGitOpsAnalysis();
        services.AddHttpClient(MeasureActivity.ClientName).UseEgressPolicy();
        return services;
    }

    /// <summary>
    /// The task types of <paramref name="registry"/> and the custom ones added to
    /// <paramref name="services"/> with <c>AddGitOpsTaskType</c>, as the Functions app adds them.
    /// </summary>
    public static TaskTypeRegistry ComposeTaskTypes(TaskTypeRegistry registry, IServiceCollection services) =>
        registry.With(services.GitOpsTaskTypes().Where(custom => !registry.TryGet(custom.Name, out _)));

    public static DurableTaskRegistry AddGitOpsOrchestrationTasks(this DurableTaskRegistry registry, OrchestrationServices services) => registry
        .AddGitOpsEngineTasks(services)
        .AddGitOpsDeliveryTasks()
        .AddGitOpsAnalysisTasks();
}
