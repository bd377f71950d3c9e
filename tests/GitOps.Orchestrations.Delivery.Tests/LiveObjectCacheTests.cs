using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.LiveObjects;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>The watch-fed cache of live objects: an unchanged sync reads nothing from the API, and what others change arrives by the watch.</summary>
public sealed class LiveObjectCacheTests : IAsyncLifetime
{
    readonly KubeApiServer server = new();
    ClusterSpec spec = null!;
    ClusterClient client = null!;
    LiveObjectCache cache = null!;
    KubernetesApplier applier = null!;

    static readonly ApplyOptions App = new() { Application = "shop", Namespace = "shop", Prune = true };

    static ManifestSet Shop(string value = "on", bool withCache = true) =>
        ApplierTests.Render([Apps.Namespace("shop"), Apps.Deployment("web", "shop:1.0"), Apps.Service("web"), .. withCache ? [Apps.ConfigMap("cache", value)] : Array.Empty<string>()]);

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        spec = new ClusterSpec { Kubeconfig = server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kube-{Guid.NewGuid():N}")) };
        client = ClusterClient.Connect(spec);
        cache = new LiveObjectCache(spec);
        applier = new KubernetesApplier(client, cache);
    }

    public async Task DisposeAsync()
    {
        await cache.DisposeAsync();
        client.Dispose();
        await server.DisposeAsync();
    }

    int Lists() => server.RequestLog.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal) && (r.Contains("/configmaps?", StringComparison.Ordinal) || r.EndsWith("/configmaps", StringComparison.Ordinal) || r.Contains("/deployments", StringComparison.Ordinal) || r.Contains("/services", StringComparison.Ordinal)) && !r.Contains("/configmaps/", StringComparison.Ordinal));

    [Fact]
    public async Task An_unchanged_resync_lists_nothing_and_writes_nothing()
    {
        await applier.ApplyAsync(Shop(), App);
        int lists = Lists();
        int writes = server.Writes;

        // Straight after the first apply: the cache already holds the engine's own writes.
        ApplyReport again = await applier.ApplyAsync(Shop(), App);

        Assert.Equal(0, again.Writes);
        Assert.Equal(writes, server.Writes);
        Assert.Equal(lists, Lists());
    }

    [Fact]
    public async Task A_change_someone_else_makes_arrives_by_the_watch_and_the_next_sync_writes_it_back()
    {
        await applier.ApplyAsync(Shop(), App);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"value":"off"}}""", V1Patch.PatchType.MergePatch), "cache", "shop", fieldManager: "kubectl-edit");

        await Eventually.True(async () => (await cache.ListAsync(new ResourceType(string.Empty, "v1", "configmaps", true, "ConfigMap"), "shop", CancellationToken.None))!
            .Any(c => (string?)c["metadata"]!["name"] == "cache" && (string?)c["data"]!["value"] == "off"), "the edit in the cache");
        ApplyReport healed = await applier.ApplyAsync(Shop(), App);

        Assert.Equal(["ConfigMap/shop/cache"], healed.Changes.Where(c => c.Action == "configured").Select(c => c.Object));
        Assert.Equal("on", (await client.CoreV1.ReadNamespacedConfigMapAsync("cache", "shop")).Data["value"]);
    }

    [Fact]
    public async Task Drift_reads_the_api_so_a_change_made_a_moment_ago_is_never_missed()
    {
        await applier.ApplyAsync(Shop(), App);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"value":"off"}}""", V1Patch.PatchType.MergePatch), "cache", "shop", fieldManager: "kubectl-edit");

        Assert.Equal(["/data/value"], Assert.Single(await applier.DetectDriftAsync(Shop(), App)).Fields);
        Assert.Equal(1, (await applier.ApplyAsync(Shop(), App with { FreshRead = true })).Writes);
    }

    [Fact]
    public async Task Pruned_and_deleted_objects_leave_the_cache()
    {
        await applier.ApplyAsync(Shop(), App);
        await applier.ApplyAsync(Shop(withCache: false), App);
        var configMaps = new ResourceType(string.Empty, "v1", "configmaps", true, "ConfigMap");
        Assert.DoesNotContain((await cache.ListAsync(configMaps, "shop", CancellationToken.None))!, c => (string?)c["metadata"]!["name"] == "cache");

        await applier.ApplyAsync(Shop(), App);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("cache", "shop");
        await Eventually.True(async () => !(await cache.ListAsync(configMaps, "shop", CancellationToken.None))!.Any(c => (string?)c["metadata"]!["name"] == "cache"), "the deletion in the cache");

        ApplyReport recreated = await applier.ApplyAsync(Shop(), App);
        Assert.Contains(recreated.Changes, c => c.Object == "ConfigMap/shop/cache" && c.Action == "created");
    }

    [Fact]
    public async Task A_kind_the_server_does_not_serve_is_an_error_and_is_not_cached()
    {
        var missing = new ResourceType("example.com", "v1", "widgets", true, "Widget");

        await Assert.ThrowsAsync<KubernetesApiException>(() => cache.ListAsync(missing, "shop", CancellationToken.None));
        await Assert.ThrowsAsync<KubernetesApiException>(() => cache.ListAsync(missing, "shop", CancellationToken.None));
    }
}
