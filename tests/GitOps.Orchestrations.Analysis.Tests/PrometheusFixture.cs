using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Analysis.Tests;

/// <summary>One Prometheus for the test class, with the services the scenarios use already flowing.</summary>
public sealed class PrometheusFixture : IAsyncLifetime
{
    public PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PrometheusServer.StartAsync();
        Server.SetTraffic("healthy", perSecond: 200, errorRatio: 0.0);
        Server.SetTraffic("broken", perSecond: 200, errorRatio: 0.3);
        Server.SetTraffic("quiet", perSecond: 2, errorRatio: 0.0);
        await Server.WaitForSamplesAsync("healthy");
        await Server.WaitForSamplesAsync("broken");
        await Server.WaitForSamplesAsync("quiet");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
