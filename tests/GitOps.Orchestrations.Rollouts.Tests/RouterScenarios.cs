using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Traffic;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;
using k8s.Autorest;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>
/// The traffic-router scenarios, written once and run against the API fixture
/// (<see cref="FixtureRouterTests"/>) and a real cluster (<see cref="RealClusterRouterTests"/>).
/// A mesh's CRD is installed only where the cluster lacks it, and never removed: on a cluster that
/// runs the mesh, the mesh's own CRD serves the route.
/// </summary>
public sealed class RouterScenarios(string kubeconfig)
{
    public static TheoryData<string, string, string, string> MeshRouters => new()
    {
        { "istio", "networking.istio.io/v1beta1", "VirtualService", "primary" },
        { "gatewayAPI", "gateway.networking.k8s.io/v1", "HTTPRoute", "" },
        { "smi", "split.smi-spec.io/v1alpha2", "TrafficSplit", "" },
    };

    static (string Crd, Func<string, string> Route) RouteOf(string kind) => kind switch
    {
        "VirtualService" => (Routes.VirtualServiceCrd, Routes.VirtualService),
        // Gateway API weights are proportional: 1 and 0 is all to stable, and not what zero weights write.
        "HTTPRoute" => (Routes.HttpRouteCrd, ns => Routes.HttpRoute(ns).Replace("weight: 100}", "weight: 1}", StringComparison.Ordinal)),
        _ => (Routes.TrafficSplitCrd, Routes.TrafficSplit),
    };

    const string OriginalSpec = "rollouts.gitops.orchestrations/original-spec";

    // As Flagger's finalizers do: the weight zero that ends a rollout leaves the route as the operator had it.
    public async Task Each_router_restores_the_route_as_the_operator_had_it_when_the_rollout_ends(string provider, string apiVersion, string kind, string route)
    {
        (string crd, Func<string, string> manifest) = RouteOf(kind);
        using ClusterClient client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = kubeconfig });
        await EnsureDefinitionAsync(client, crd, apiVersion.Split('/')[0]);
        string ns = $"routes-{Guid.NewGuid():N}"[..20];
        try
        {
            await ApplyAsync(client, ns, Apps.Namespace(ns), Apps.Service("api", ns), Routes.CanaryService(ns), manifest(ns));
            JsonNode before = (await ReadAsync(client, apiVersion, kind, ns))["spec"]!.DeepClone();
            ITrafficRouter router = TrafficRouterFactory.Create(provider, client);
            IReadOnlyList<string>? routes = route.Length == 0 ? null : [route];

            Assert.Equal(30, await router.SetWeightAsync(Split(ns, 30, routes), CancellationToken.None));
            Assert.Equal(60, await router.SetWeightAsync(Split(ns, 60, routes), CancellationToken.None));
            JsonObject during = await ReadAsync(client, apiVersion, kind, ns);
            Assert.False(JsonNode.DeepEquals(before, during["spec"]));
            Assert.True(JsonNode.DeepEquals(before, JsonNode.Parse((string)during["metadata"]!["annotations"]![OriginalSpec]!)), "the first weight keeps the operator's spec");

            Assert.Equal(0, await router.SetWeightAsync(Split(ns, 0, routes), CancellationToken.None));

            JsonObject after = await ReadAsync(client, apiVersion, kind, ns);
            Assert.True(JsonNode.DeepEquals(before, after["spec"]), $"{kind} spec restored: {after["spec"]}");
            Assert.Null(after["metadata"]!["annotations"]?[OriginalSpec]);
        }
        finally
        {
            try
            {
                await client.CoreV1.DeleteNamespaceAsync(ns);
            }
            catch (HttpOperationException)
            {
                // Never created: nothing to clean up.
            }
        }
    }

    static TrafficSplit Split(string ns, int weight, IReadOnlyList<string>? routes) => new()
    {
        Namespace = ns,
        Resource = "api",
        StableService = "api",
        CanaryService = "api-canary",
        StableDeployment = "api",
        CanaryDeployment = "api-canary",
        Weight = weight,
        Routes = routes,
    };

    static async Task EnsureDefinitionAsync(ClusterClient client, string crd, string group)
    {
        if (await client.PreferredVersionAsync(group, CancellationToken.None) is not null)
        {
            return;
        }

        await ApplyAsync(client, null, crd);
        await Eventually.True(async () => await client.PreferredVersionAsync(group, CancellationToken.None) is not null, $"the API server serving {group}", TimeSpan.FromMinutes(1));
    }

    static async Task ApplyAsync(ClusterClient client, string? ns, params string[] documents)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<Manifest> read = ManifestReader.Read("routes.yaml", string.Join("\n---\n", documents), diagnostics);
        Assert.Empty(diagnostics);
        await new KubernetesApplier(client).ApplyAsync(ManifestSet.Build(read, ManifestOverrides.None), new ApplyOptions { Application = $"routes-{ns ?? "crds"}", Namespace = ns ?? "default" });
    }

    static async Task<JsonObject> ReadAsync(ClusterClient client, string apiVersion, string kind, string ns)
    {
        (string group, string version) = (apiVersion.Split('/')[0], apiVersion.Split('/')[1]);
        string plural = kind.ToLowerInvariant() switch { "virtualservice" => "virtualservices", "httproute" => "httproutes", _ => "trafficsplits" };
        object found = await client.CustomObjects.GetNamespacedCustomObjectAsync(group, version, ns, plural, "api");
        return (JsonObject)JsonNode.Parse(k8s.KubernetesJson.Serialize(found))!;
    }
}

/// <summary>The router scenarios against the API fixture.</summary>
public sealed class FixtureRouterTests : IAsyncLifetime
{
    readonly KubeApiServer server = new();
    RouterScenarios routers = null!;

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        routers = new RouterScenarios(server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kube-{Guid.NewGuid():N}")));
    }

    public Task DisposeAsync() => server.DisposeAsync();

    [Theory]
    [MemberData(nameof(RouterScenarios.MeshRouters), MemberType = typeof(RouterScenarios))]
    public Task Each_router_restores_the_route_as_the_operator_had_it_when_the_rollout_ends(string provider, string apiVersion, string kind, string route) =>
        routers.Each_router_restores_the_route_as_the_operator_had_it_when_the_rollout_ends(provider, apiVersion, kind, route);
}

/// <summary>The router scenarios against a real cluster (<see cref="RealCluster"/>).</summary>
public sealed class RealClusterRouterTests
{
    [RealClusterTheory]
    [MemberData(nameof(RouterScenarios.MeshRouters), MemberType = typeof(RouterScenarios))]
    public async Task Each_router_restores_the_route_as_the_operator_had_it_when_the_rollout_ends(string provider, string apiVersion, string kind, string route) =>
        await new RouterScenarios(await RealCluster.KubeconfigAsync()).Each_router_restores_the_route_as_the_operator_had_it_when_the_rollout_ends(provider, apiVersion, kind, route);
}
