using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>The delivery scenarios against the API fixture and its Deployment controller; <see cref="RealClusterTests"/> runs the same ones against a real cluster.</summary>
public sealed class FixtureClusterTests : IAsyncLifetime
{
    readonly KubeApiServer server = new();
    DeploymentController controller = null!;
    ClusterScenarios cluster = null!;

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        controller = new DeploymentController(server, TimeSpan.FromMilliseconds(100));
        cluster = new ClusterScenarios(server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kube-{Guid.NewGuid():N}")));
    }

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public Task First_sync_creates_every_object_namespace_first() => cluster.First_sync_creates_every_object_namespace_first();

    [Fact]
    public Task An_unchanged_resync_writes_nothing() => cluster.An_unchanged_resync_writes_nothing();

    [Fact]
    public Task One_changed_object_writes_only_that_object() => cluster.One_changed_object_writes_only_that_object();

    [Fact]
    public Task Prune_deletes_only_what_the_render_dropped() => cluster.Prune_deletes_only_what_the_render_dropped();

    [Fact]
    public Task Health_waits_until_the_deployment_is_available() => cluster.Health_waits_until_the_deployment_is_available();

    [Fact]
    public Task Drift_is_reported_by_field_and_a_reapply_heals_it() => cluster.Drift_is_reported_by_field_and_a_reapply_heals_it();

    [Fact]
    public Task What_the_server_rewrites_is_neither_a_change_nor_drift() => cluster.What_the_server_rewrites_is_neither_a_change_nor_drift();

    [Fact]
    public Task A_field_another_manager_took_over_is_drift_only_when_the_apply_forces() => cluster.A_field_another_manager_took_over_is_drift_only_when_the_apply_forces();
}
