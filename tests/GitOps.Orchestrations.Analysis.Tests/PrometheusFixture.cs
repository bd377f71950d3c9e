using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Analysis.Tests;

/// <summary>One Prometheus for the test class, with the services the scenarios use already flowing.</summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await PrometheusServer.StartWithTrafficAsync(("healthy", 200, 0.0), ("broken", 200, 0.3), ("quiet", 2, 0.0));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
