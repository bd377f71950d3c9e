using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>Large runs and long lists stay usable: a 1,000-task run page, and runs paged over continuation tokens.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LargeRunTests(Chromium chromium) : IAsyncLifetime
{
    DashboardServer server = null!;

    public async Task InitializeAsync() => server = await DashboardServer.StartAsync(files:
    [
        ("workflows/wide.yaml", WideWorkflows.Layered("wide", layers: 10, width: 100, gate: true)),
        ("workflows/tiny.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: tiny}\nspec:\n  tasks:\n    - {name: a, uses: log, with: {message: hi}}\n"),
    ]);

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_thousand_task_run_is_drawn_whole_takes_clicks_and_keys_and_recolours_live()
    {
        string runId = await server.StartRunAsync("wide", "olga");
        await using DashboardPage alice = await chromium.OpenAsync(server.Url, DashboardServer.Key("alice"));
        IPage page = alice.Page;
        await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
        await Assertions.Expect(page.Locator("#dag .node")).ToHaveCountAsync(1001, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#dag [data-node='gate']")).ToHaveAttributeAsync("aria-label", "gate: waiting for approval", new() { Timeout = 60_000 });

        // Drawn in columns at once, then laid out by dagre in a worker while the page stays live.
        await Assertions.Expect(page.Locator("#dag")).ToHaveAttributeAsync("data-layout", "dagre", new() { Timeout = 60_000 });

        // A node deep in the picture: selected by click, then another by keyboard.
        await page.Locator("#dag [data-node='t9-99']").ClickAsync();
        await Assertions.Expect(page.Locator("#node-title")).ToHaveTextAsync("t9-99");
        await page.Locator("#dag [data-node='gate']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#node-title")).ToHaveTextAsync("gate");
        await Assertions.Expect(page.Locator("#node-detail")).ToContainTextAsync("Running");
        await Screenshots.TakeAsync(page, "run-1000-tasks");

        // Approved, the rest of the run happens live on the page.
        await page.Locator("#gates button.approve").ClickAsync();
        await Assertions.Expect(page.Locator("#run-phase")).ToContainTextAsync("Succeeded", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#dag .node[data-phase='Succeeded']")).ToHaveCountAsync(1001);
    }

    [Fact]
    public async Task Runs_are_listed_a_page_at_a_time_over_continuation_tokens_and_filtered_by_who_started_them()
    {
        for (int i = 0; i < 60; i++)
        {
            await server.StartRunAsync("tiny", i % 3 == 0 ? "rita" : "olga");
        }

        await using DashboardPage victor = await chromium.OpenAsync(server.Url, DashboardServer.Key("victor"));
        IPage page = victor.Page;
        await page.GotoAsync("/ui/#/runs");
        await Assertions.Expect(page.Locator("#runs-body tr[data-run]")).ToHaveCountAsync(50);
        await Screenshots.TakeAsync(page, "runs");
        HashSet<string> first = [.. await page.Locator("#runs-body tr[data-run]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)")];
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(page.Locator("#runs-page")).ToHaveTextAsync("Page 2");
        await Assertions.Expect(page.Locator("#runs-body tr[data-run]")).ToHaveCountAsync(10);
        string[] second = await page.Locator("#runs-body tr[data-run]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)");
        Assert.Empty(first.Intersect(second));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next page" })).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Previous page" }).ClickAsync();
        await Assertions.Expect(page.Locator("#runs-page")).ToHaveTextAsync("Page 1");

        await page.GetByLabel("Started by").FillAsync("rita");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page.Locator("#runs-body tr[data-run]")).ToHaveCountAsync(20);
        Assert.All(await page.Locator("#runs-body td.optional:nth-child(4)").AllTextContentsAsync(), who => Assert.Equal("rita", who));
    }
}
