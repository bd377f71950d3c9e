using Microsoft.Extensions.Hosting;

namespace GitOps.Orchestrations.Hosting;

/// <summary>
/// The engine's worker host and its sidecar are started and stopped by whoever owns it (a CLI command, the server,
/// a test), never by the process's signals. The default console lifetime would take SIGTERM and
/// Ctrl+C for itself: it stopped the worker under <c>gitops run</c>, whose own handler then never
/// heard the signal, and the command watched a stopped engine forever.
/// </summary>
internal sealed class OwnedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
