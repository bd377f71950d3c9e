using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitOps.Orchestrations.Sdk;

public static class TaskTypeServiceCollectionExtensions
{
    /// <summary>
    /// Adds a custom task type to a host, as a Durable Functions app adds an activity: call it
    /// before <c>AddGitOpsOrchestrations</c>. Each call of the task type gets a new instance from
    /// the host's services.
    /// </summary>
    public static IServiceCollection AddGitOpsTaskType<T>(this IServiceCollection services)
        where T : class, ICustomTaskType
    {
        services.AddSingleton(TaskTypeDefinition.Of<T>());
        services.TryAddTransient<T>();
        return services;
    }

    /// <summary>The custom task types added to these services so far.</summary>
    public static IEnumerable<TaskTypeDefinition> GitOpsTaskTypes(this IServiceCollection services) =>
        services.Where(d => d.ServiceType == typeof(TaskTypeDefinition) && d.ImplementationInstance is TaskTypeDefinition).Select(d => (TaskTypeDefinition)d.ImplementationInstance!);
}
