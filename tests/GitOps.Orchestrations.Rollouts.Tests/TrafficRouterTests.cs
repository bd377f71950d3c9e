using System.Text.Json.Nodes;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Traffic;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>Each router against the API fixture, through KubernetesClient: the weight written, read back, and refused when it cannot be set.</summary>
public sealed class TrafficRouterTests(RolloutEnvironment env) : IClassFixture<RolloutEnvironment>
{
    static TrafficSplit Split(string ns, int weight, string? resource = "api", IReadOnlyList<string>? routes = null) =>
        new()
        {
            Namespace = ns,
            Resource = resource,
            StableService = "api",
            CanaryService = "api-canary",
            StableDeployment = "api",
            CanaryDeployment = "api-canary",
            Weight = weight,
            TotalReplicas = 4,
            Routes = routes,
        };

    [Fact]
    public async Task Istio_weighs_the_named_routes_by_destination_host_and_leaves_the_others()
    {
        string ns = await env.NewAppAsync(extra: [Routes.VirtualServiceCrd]);
        await env.ApplyAsync(ns, Routes.VirtualService(ns));
        using ClusterClient client = env.Connect();
        Assert.Equal(30, await TrafficRouterFactory.Create("istio", client).SetWeightAsync(Split(ns, 30, routes: ["primary"]), CancellationToken.None));

        JsonArray http = (JsonArray)env.Cluster.Get("networking.istio.io/v1beta1", "VirtualService", ns, "api")!["spec"]!["http"]!;
        Assert.Equal([70L, 30L], http[0]!["route"]!.AsArray().Select(r => (long)r!["weight"]!));
        Assert.Equal([100L, 0L], http[1]!["route"]!.AsArray().Select(r => (long)r!["weight"]!));
    }

    [Fact]
    public async Task Smi_sets_the_backend_weights_adding_the_canary_backend_when_missing()
    {
        string ns = await env.NewAppAsync(extra: [Routes.TrafficSplitCrd]);
        await env.ApplyAsync(ns, Routes.TrafficSplit(ns));
        using ClusterClient client = env.Connect();
        Assert.Equal(40, await TrafficRouterFactory.Create("smi", client).SetWeightAsync(Split(ns, 40), CancellationToken.None));

        JsonArray backends = (JsonArray)env.Cluster.Get("split.smi-spec.io/v1alpha2", "TrafficSplit", ns, "api")!["spec"]!["backends"]!;
        Assert.Equal(["api=60", "api-canary=40"], backends.Select(b => $"{b!["service"]}={b["weight"]}"));
    }

    [Fact]
    public async Task The_replicas_router_splits_pods_and_reports_the_share_it_could_reach()
    {
        string ns = await env.NewAppAsync();
        await env.ApplyAsync(ns, Testing.Kubernetes.Apps.Deployment("api-canary", "registry.local/api:2.0", 0, ns));
        using ClusterClient client = env.Connect();

        // Four pods cannot carry 10%: one canary pod is 25%, and that is what the router reports.
        Assert.Equal(25, await TrafficRouterFactory.Create("replicas", client).SetWeightAsync(Split(ns, 10), CancellationToken.None));
        Assert.Equal(1L, (long?)env.Cluster.Get("apps/v1", "Deployment", ns, "api-canary")!["spec"]!["replicas"]);
        Assert.Equal(3L, (long?)env.Cluster.Get("apps/v1", "Deployment", ns, "api")!["spec"]!["replicas"]);
    }

    [Fact]
    public async Task A_kept_spec_that_would_send_traffic_to_the_canary_is_not_restored()
    {
        string ns = await env.NewAppAsync(extra: [Routes.HttpRouteCrd]);
        await env.ApplyAsync(ns, Routes.HttpRoute(ns).Replace("weight: 100}", "weight: 90}", StringComparison.Ordinal).Replace("weight: 0}", "weight: 10}", StringComparison.Ordinal));
        using ClusterClient client = env.Connect();
        ITrafficRouter router = TrafficRouterFactory.Create("gatewayAPI", client);
        await router.SetWeightAsync(Split(ns, 50), CancellationToken.None);

        // The canary is about to have no pods: the operator's 10% would go nowhere, so zero is written.
        Assert.Equal(0, await router.SetWeightAsync(Split(ns, 0), CancellationToken.None));

        JsonObject after = env.Cluster.Get("gateway.networking.k8s.io/v1", "HTTPRoute", ns, "api")!;
        Assert.Equal(["api=100", "api-canary=0"], after["spec"]!["rules"]![0]!["backendRefs"]!.AsArray().Select(b => $"{b!["name"]}={b["weight"]}"));
        Assert.Null(after["metadata"]!["annotations"]?[RolloutsAnnotation]);
    }

    const string RolloutsAnnotation = "rollouts.gitops.orchestrations/original-spec";

    [Fact]
    public async Task A_route_without_the_canary_backend_is_an_error_not_a_silent_success()
    {
        string ns = await env.NewAppAsync(extra: [Routes.HttpRouteCrd]);
        await env.ApplyAsync(ns, Routes.HttpRoute(ns).Replace("api-canary", "someone-else", StringComparison.Ordinal));
        using ClusterClient client = env.Connect();
        var error = await Assert.ThrowsAsync<TrafficRoutingException>(() => TrafficRouterFactory.Create("gatewayAPI", client).SetWeightAsync(Split(ns, 10), CancellationToken.None));
        Assert.Contains($"HTTPRoute {ns}/api has no route with both the stable and the canary backend", error.Message);
    }

    [Fact]
    public async Task A_missing_route_resource_and_an_unknown_provider_are_clear_errors()
    {
        string ns = await env.NewAppAsync(extra: [Routes.HttpRouteCrd]);
        using ClusterClient client = env.Connect();
        var missing = await Assert.ThrowsAsync<KubernetesApiException>(() => TrafficRouterFactory.Create("gatewayAPI", client).SetWeightAsync(Split(ns, 10, resource: "nope"), CancellationToken.None));
        Assert.Equal(404, missing.StatusCode);
        var unknown = Assert.Throws<ArgumentException>(() => TrafficRouterFactory.Create("linkerd", client));
        Assert.Contains("unknown traffic provider 'linkerd' (known: replicas, gatewayAPI, istio, smi)", unknown.Message);
    }
}
