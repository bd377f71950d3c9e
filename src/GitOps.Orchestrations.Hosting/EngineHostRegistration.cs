using GitOps.Orchestrations.Composition;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Orchestrations.Hosting;

/// <summary>The self-hosted engine in any host's container: the composition root, the backend's stores, the worker and the client.</summary>
public static class EngineHostRegistration
{
    /// <summary>
    /// Adds <see cref="OrchestrationsRegistration.AddGitOpsOrchestrations"/>, the backend's journal,
    /// audit log and signing key, a Durable Task worker (unless <see cref="EngineHostOptions.RunWorker"/>
    /// is false) and client over the backend's channel, and one <see cref="WorkflowRunClient"/>. The
    /// container owns <paramref name="backend"/>: it is disposed after the worker has stopped.
    /// </summary>
    public static IServiceCollection AddGitOpsEngineHost(this IServiceCollection services, EngineBackend backend, EngineHostOptions options)
    {
        // A factory, not an instance, so the container disposes it, after the hosted worker stops.
        services.AddSingleton(_ => backend);
        // The backend's stores first: the engine adds its in-memory journal only when none is there.
        services.AddSingleton(backend.Journal);
        services.AddSingleton(backend.Audit);
        // One registry for the API, the validator and the worker: the host's, and any custom task type added to the services.
        TaskTypeRegistry taskTypes = OrchestrationsRegistration.ComposeTaskTypes(options.TaskTypes, services);
        services.AddGitOpsOrchestrations(new OrchestrationsOptions { Approvals = backend.Approvals, TaskTypes = taskTypes, Egress = options.Egress, Delivery = options.Delivery, Notifications = options.Notifications });
        options.ConfigureServices?.Invoke(services);
        if (options.RunWorker)
        {
            services.AddDurableTaskWorker(builder =>
            {
                builder.UseGrpc(backend.Channel);
                builder.UseVersioning(options.Versioning ?? EngineRegistration.Versioning);
                builder.Configure(worker => worker.DataConverter = backend.DataConverter);
                builder.AddTasks(registry =>
                {
                    registry.AddGitOpsOrchestrationTasks(new OrchestrationServices(taskTypes, backend.Approvals) { LockCheck = options.LockCheck ?? Engine.Locks.RunLocks.DefaultCheck, Payloads = backend.Payloads });
                    options.ConfigureTasks?.Invoke(registry);
                });
            });
        }

        services.AddDurableTaskClient(builder => builder.UseGrpc(backend.Channel).Configure(client => client.DataConverter = backend.DataConverter));
        services.AddSingleton(sp => new WorkflowRunClient(sp.GetRequiredService<DurableTaskClient>(), backend.Approvals, backend.CheckpointEvery, backend.ChunksAtOnce) { NotificationDefaults = options.Notifications.Defaults });
        if (backend.Payloads.Store is Engine.Payloads.IPayloadSweep sweep)
        {
            // Retention sweeps the payload store as it purges runs.
            services.AddSingleton(sweep);
        }

        return services;
    }
}
