using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary><c>gitops serve</c> is one host: the engine's worker, the API and the triggers share one container, which owns the backend.</summary>
public sealed class ServerCompositionTests
{
    [Fact]
    public async Task The_worker_and_the_api_share_one_container_that_closes_the_sidecar_when_it_stops()
    {
        using var repo = new GitRepository();
        repo.Commit("workflow", ("workflows/hello.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: hello}\nspec:\n  tasks:\n    - {name: a, uses: log, with: {message: hi}}\n"));
        GitOpsServer server = await GitOpsServer.StartAsync(
            new ServerOptions { Urls = "http://127.0.0.1:0", Workflows = new WorkflowRepositoryOptions { Repository = repo.Path }, GitPollInterval = TimeSpan.Zero },
            NullLoggerFactory.Instance);
        string socket;
        try
        {
            IServiceProvider services = server.Services;
            Assert.Single(services.GetServices<IHostedService>().OfType<DurableTaskWorker>());
            Assert.Single(services.GetServices<IAuditLog>());
            Assert.Single(services.GetServices<IEffectJournal>());
            Assert.Same(server.Runs, services.GetRequiredService<WorkflowRunClient>());
            socket = services.GetRequiredService<EngineBackend>().SidecarSocket;

            // Retention sweeps the payload store the engine writes to, not one of its own.
            Assert.Same(services.GetRequiredService<EngineBackend>().Payloads.Store, services.GetRequiredService<Engine.Payloads.IPayloadSweep>());
            Assert.NotNull(services.GetRequiredService<Api.Triggers.RetentionSweeper>());
            Assert.True(File.Exists(socket), "the sidecar listens while the server runs");
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.False(File.Exists(socket), "disposing the server disposes the backend it owns");
    }
}
