using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>The delivery scenarios against a real API server; <see cref="FixtureClusterTests"/> runs the same ones against the fixture.</summary>
public sealed class RealClusterTests
{
    static async Task<ClusterScenarios> ClusterAsync() => new(await RealCluster.KubeconfigAsync());

    [RealClusterFact]
    public async Task First_sync_creates_every_object_namespace_first() => await (await ClusterAsync()).First_sync_creates_every_object_namespace_first();

    [RealClusterFact]
    public async Task An_unchanged_resync_writes_nothing() => await (await ClusterAsync()).An_unchanged_resync_writes_nothing();

    [RealClusterFact]
    public async Task One_changed_object_writes_only_that_object() => await (await ClusterAsync()).One_changed_object_writes_only_that_object();

    [RealClusterFact]
    public async Task Prune_deletes_only_what_the_render_dropped() => await (await ClusterAsync()).Prune_deletes_only_what_the_render_dropped();

    [RealClusterFact]
    public async Task Health_waits_until_the_deployment_is_available() => await (await ClusterAsync()).Health_waits_until_the_deployment_is_available();

    [RealClusterFact]
    public async Task Drift_is_reported_by_field_and_a_reapply_heals_it() => await (await ClusterAsync()).Drift_is_reported_by_field_and_a_reapply_heals_it();

    [RealClusterFact]
    public async Task What_the_server_rewrites_is_neither_a_change_nor_drift() => await (await ClusterAsync()).What_the_server_rewrites_is_neither_a_change_nor_drift();

    [RealClusterFact]
    public async Task A_field_another_manager_took_over_is_drift_only_when_the_apply_forces() => await (await ClusterAsync()).A_field_another_manager_took_over_is_drift_only_when_the_apply_forces();
}
