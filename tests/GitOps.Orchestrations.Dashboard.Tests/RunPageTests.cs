using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>Starting, watching and approving a run in the browser, as the people who do it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RunPageTests(Chromium chromium) : IAsyncLifetime
{
    const string Gated = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
          params:
            - {name: version, default: "1.0.0"}
            - {name: targets, default: '["eu","us","ap"]'}
          tasks:
            - {name: build, uses: log, with: {message: "build {{params.version}}"}}
            - {name: test, uses: log, depends: build, withParam: "{{params.targets}}", with: {message: "test {{item}}"}}
            - {name: gate, uses: approval, depends: test, with: {approvers: [alice, "group:release"], message: "ship {{params.version}}?"}}
            - {name: ship, uses: log, depends: gate, with: {message: "shipped by {{tasks.gate.outputs.decidedBy}}"}}
        """;

    DashboardServer server = null!;

    public async Task InitializeAsync() => server = await DashboardServer.StartAsync(files: ("workflows/release.yaml", Gated));

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_run_started_from_the_form_goes_live_to_its_gate_and_finishes_when_a_listed_approver_approves()
    {
        await using DashboardPage olga = await chromium.OpenAsync(server.Url, DashboardServer.Key("olga"));
        IPage page = olga.Page;
        await page.GotoAsync("/ui/#/workflows/release");
        await page.GetByLabel("version").FillAsync("2.4.0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();

        // The run page: the DAG drawn from depends, the gate reached live.
        await page.WaitForURLAsync("**/#/runs/*");
        string runId = Uri.UnescapeDataString(page.Url.Split("#/runs/")[1]);
        ILocator gate = page.Locator("#dag [data-node='gate']");
        await Assertions.Expect(gate).ToHaveAttributeAsync("aria-label", "gate: waiting for approval", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#dag [data-node='test']")).ToHaveAttributeAsync("data-phase", "Succeeded");
        await Assertions.Expect(page.Locator("#dag [data-node='test'] text.sub")).ToContainTextAsync("3/3 ok");
        Assert.Equal(3, await page.Locator("#dag .edge").CountAsync());

        // Olga started it and is an operator: no approve button for her, and she is told why.
        await Assertions.Expect(page.Locator("#gates [data-gate='gate']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#gates button.approve")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#gates .cannot-decide")).ToContainTextAsync("approver role");

        // Alice is a listed approver: she approves from the run page, with a comment.
        await using DashboardPage alice = await chromium.OpenAsync(server.Url, DashboardServer.Key("alice"));
        await alice.Page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
        await alice.Page.GetByLabel("Comment (kept in the audit log)").FillAsync("<b>looks good</b>");
        await alice.Page.Locator("#gates button.approve").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#gates .notice")).ToContainTextAsync("approval of gate was recorded");

        // Both pages see the run finish, live.
        foreach (IPage watcher in new[] { page, alice.Page })
        {
            await Assertions.Expect(watcher.Locator("#run-phase")).ToContainTextAsync("Succeeded", new() { Timeout = 30_000 });
            await Assertions.Expect(watcher.Locator("#dag [data-node='ship']")).ToHaveAttributeAsync("data-phase", "Succeeded");
        }

        // The node's details: outputs and the approval record, the comment as text, never markup.
        await page.Locator("#dag [data-node='gate']").ClickAsync();
        await Assertions.Expect(page.Locator("#node-detail")).ToContainTextAsync("approve by alice");
        await Assertions.Expect(page.Locator("#node-detail")).ToContainTextAsync("<b>looks good</b>");
        Assert.Equal(0, await page.Locator("#node-detail b").CountAsync());
        JsonElement run = await server.RunAsync(runId);
        Assert.Equal("2.4.0", run.GetProperty("params").GetProperty("version").GetString());
    }
}
