using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>
/// A sync refused by an Enforce policy, on the run page in Chromium: the node fails, and its details
/// list each violation (object, policy, rule, action, field, message) as text.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PolicyViolationPageTests(Chromium chromium) : IAsyncLifetime
{
    readonly string work = Directory.CreateTempSubdirectory("gitops-dashboard-policy-").FullName;
    readonly KubeApiServer cluster = new();
    readonly GitRepository app = new();
    DashboardServer server = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        app.Commit("app", ("app/web.yaml", Apps.Deployment("web", "nginx:latest", ns: "shop")));
        server = await DashboardServer.StartAsync(
            new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) } },
            ("workflows/deploy.yaml", $$$"""
                apiVersion: gitops.orchestrations/v1
                kind: Workflow
                metadata: {name: deploy}
                spec:
                  tasks:
                    - name: sync
                      uses: sync
                      with:
                        source: {repo: "{{{app.Path}}}", path: app}
                        target: {kubernetes: {namespace: shop}}
                        policies: [no-latest]
                """),
            ("workflows/no-latest.yaml", """
                apiVersion: kyverno.io/v1
                kind: ClusterPolicy
                metadata: {name: no-latest}
                spec:
                  validationFailureAction: Enforce
                  rules:
                    - name: pinned-images
                      match: {any: [{resources: {kinds: [Pod]}}]}
                      validate:
                        message: "<i>{{ request.object.metadata.name }}</i> runs a moving tag"
                        pattern: {spec: {containers: [{image: "!*:latest"}]}}
                """));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await cluster.DisposeAsync();
        app.Dispose();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task A_refused_sync_lists_its_violations_in_the_nodes_details()
    {
        string runId = await server.StartRunAsync("deploy", "olga");
        await using DashboardPage olga = await chromium.OpenAsync(server.Url, DashboardServer.Key("olga"));
        IPage page = olga.Page;
        await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
        await Assertions.Expect(page.Locator("#run-phase")).ToContainTextAsync("Failed", new() { Timeout = 60_000 });

        await page.Locator("#dag [data-node='sync']").ClickAsync();
        ILocator row = page.Locator("#violations tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToHaveAttributeAsync("data-action", "Enforce");
        await Assertions.Expect(row.Locator("td")).ToHaveTextAsync(
        [
            "Deployment.apps/shop/web", "ClusterPolicy/no-latest", "pinned-images", "Enforce",
            "spec.template.spec.containers[0].image", "<i>web</i> runs a moving tag (spec.template.spec.containers[0].image must be '!*:latest')",
        ]);
        Assert.Equal(0, await page.Locator("#violations i").CountAsync());
        Assert.Equal(0, cluster.Writes);
        await Screenshots.TakeAsync(page, "policy-violations");
    }
}
