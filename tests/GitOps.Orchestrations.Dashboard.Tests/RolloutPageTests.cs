using System.Net.Http.Json;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>
/// A canary on the run page: the Deployments on the Kubernetes API fixture, the analysis against a
/// real Prometheus, the server on Azure Storage (Azurite), and the page in Chromium.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RolloutPageTests(Chromium chromium) : IAsyncLifetime
{
    const string Namespace = "shop";
    readonly string work = Directory.CreateTempSubdirectory("gitops-dashboard-").FullName;
    readonly KubeApiServer cluster = new();
    readonly AzuriteFixture azurite = new();
    DeploymentController controller = null!;
    PrometheusServer prometheus = null!;
    DashboardServer server = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(cluster.InitializeAsync(), azurite.InitializeAsync());
        controller = new DeploymentController(cluster, TimeSpan.FromMilliseconds(100));
        prometheus = await PrometheusServer.StartWithTrafficAsync(("healthy", 200, 0.0));
        string kubeconfig = cluster.WriteKubeconfig(work);
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<Manifest> app = ManifestReader.Read("app.yaml", string.Join("\n---\n", Apps.Namespace(Namespace), Apps.Deployment("api", "registry.local/api:1.0", 4, Namespace), Apps.Service("api", Namespace)), diagnostics);
        Assert.Empty(diagnostics);
        using (ClusterClient client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = kubeconfig }))
        {
            await new KubernetesApplier(client).ApplyAsync(ManifestSet.Build(app, ManifestOverrides.None), new ApplyOptions { Application = "setup", Namespace = Namespace });
        }

        await Eventually.True(() => cluster.Get("apps/v1", "Deployment", Namespace, "api")?["status"]?["readyReplicas"] is not null, "api ready");
        await prometheus.WaitForSamplesAsync("healthy");
        server = await DashboardServer.StartAsync(
            new EngineHostOptions
            {
                Store = new Hosting.Backends.AzureStorageStore(azurite.ConnectionString),
                TaskHub = "dashboard",
                Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) },
            },
            ("workflows/release.yaml", $$$"""
                apiVersion: gitops.orchestrations/v1
                kind: Workflow
                metadata: {name: release}
                spec:
                  params: [{name: image, default: "registry.local/api:2.0"}]
                  tasks:
                    - {name: canary, uses: rollout, with: {rollout: api}}
                ---
                apiVersion: gitops.orchestrations/v1
                kind: Rollout
                metadata: {name: api}
                spec:
                  target: {kind: Deployment, name: api, namespace: {{{Namespace}}}}
                  image: "{{params.image}}"
                  progressDeadline: 1m
                  strategy:
                    canary:
                      abortScaleDownDelay: 1s
                      steps:
                        - setWeight: 25
                        - analysis: {templates: [{name: success-rate}], args: [{name: service, value: healthy}]}
                        - setWeight: 50
                        - pause: {}
                ---
                {{{SuccessRateTemplate.Yaml(prometheus.Url, count: 3)}}}
                """));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await prometheus.DisposeAsync();
        await controller.DisposeAsync();
        await cluster.DisposeAsync();
        await azurite.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task A_canary_shows_its_steps_weights_and_plotted_measurements_and_is_promoted_from_the_page()
    {
        string runId = await server.StartRunAsync("release", "olga");
        await using DashboardPage olga = await chromium.OpenAsync(server.Url, DashboardServer.Key("olga"));
        IPage page = olga.Page;
        await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");

        // Paused at its last step: the weight asked for and the weight the cluster reports, both 50.
        ILocator rollout = page.Locator("#rollouts [data-rollout='canary']");
        await Assertions.Expect(rollout.Locator(".steps li[aria-current='step']")).ToHaveTextAsync("pause until promoted", new() { Timeout = 60_000 });
        await Assertions.Expect(rollout.Locator(".desired-weight")).ToHaveTextAsync("50%");
        await Assertions.Expect(rollout.Locator(".read-weight")).ToHaveTextAsync("50%");
        await Assertions.Expect(rollout.Locator(".steps li.done")).ToHaveCountAsync(3);

        // The analysis's three measurements, plotted against the success condition's threshold.
        ILocator chart = rollout.Locator(".chart[data-metric='success-rate']");
        await Assertions.Expect(chart).ToHaveAttributeAsync("aria-label", "success-rate: 3 measurements");
        await Assertions.Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
        await Assertions.Expect(chart.Locator(".u-legend")).ToContainTextAsync("success threshold");
        await Assertions.Expect(chart.Locator("ol.measurements li")).ToHaveCountAsync(3);
        await Assertions.Expect(chart.Locator("ol.measurements li").First).ToContainTextAsync("healthy");

        // Hovering a point tells its value, phase and the query as sent.
        ILocator over = chart.Locator(".u-over");
        var box = (await over.BoundingBoxAsync())!;
        await over.HoverAsync(new() { Position = new() { X = box.Width - 2, Y = box.Height / 2 } });
        await Assertions.Expect(chart.Locator(".tip")).ToBeVisibleAsync();
        await Assertions.Expect(chart.Locator(".tip")).ToContainTextAsync("Successful");
        await Assertions.Expect(chart.Locator(".tip")).ToContainTextAsync("healthy");
        await Screenshots.TakeAsync(page, "rollout", fullPage: true);

        // Promote full: the canary goes to 100 and the run ends.
        await rollout.GetByRole(AriaRole.Button, new() { Name = "Promote full" }).ClickAsync();
        await Assertions.Expect(page.Locator("#run-phase")).ToContainTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#rollouts [data-rollout='canary'] .read-weight")).ToHaveTextAsync("100%");
        Assert.Equal("registry.local/api:2.0", (string?)cluster.Get("apps/v1", "Deployment", Namespace, "api")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]);
    }
}
