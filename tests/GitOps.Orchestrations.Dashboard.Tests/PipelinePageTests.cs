using GitOps.Orchestrations.Testing;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>The stages × freight matrix: what each stage runs, and what holds the rest (soak, quorum, a freeze).</summary>
[Collection(BrowserCollection.Name)]
public sealed class PipelinePageTests(Chromium chromium) : IAsyncLifetime
{
    readonly GitRepository app = new();
    DashboardServer server = null!;

    public async Task InitializeAsync()
    {
        app.Commit("first", ("app.txt", "1"));
        app.Tag("v1.0.0");
        server = await DashboardServer.StartAsync(files: ("workflows/api.yaml", $$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Pipeline
            metadata: {name: api}
            spec:
              sources:
                - {name: app, gitTags: {repo: "{{{app.Path}}}", pattern: "v*"}}
              stages:
                - name: dev
                  from: sources
                  autoPromote: true
                  promotion: {uses: log, with: {message: "dev gets {{params.app}}"}}
                - name: staging
                  from: [dev]
                  autoPromote: true
                  requiredSoakTime: 2h
                  promotion: {uses: log, with: {message: "staging gets {{params.app}}"}}
                - name: audit
                  from: [dev]
                  autoPromote: true
                  approval: {approvers: [alice, rita], quorum: 2}
                  promotion: {uses: log, with: {message: "audit gets {{params.app}}"}}
                - name: prod
                  from: [dev]
                  autoPromote: true
                  freezeWindows: [{cron: "* * * * *", duration: 1h}]
                  promotion: {uses: log, with: {message: "prod gets {{params.app}}"}}
            """));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        app.Dispose();
    }

    [Fact]
    public async Task The_matrix_shows_a_freeze_window_holding_a_stage_the_soak_left_and_the_quorum_and_takes_an_approval()
    {
        await using DashboardPage alice = await chromium.OpenAsync(server.Url, DashboardServer.Key("alice"));
        IPage page = alice.Page;
        await page.GotoAsync("/ui/#/pipelines");
        await page.GetByRole(AriaRole.Link, new() { Name = "api" }).ClickAsync();

        ILocator row = page.Locator("#pipeline-board tr[data-freight]").First;
        await Assertions.Expect(row.Locator("td[data-stage='dev']")).ToHaveAttributeAsync("data-state", "Current", new() { Timeout = 60_000 });
        await Assertions.Expect(row.Locator("th")).ToContainTextAsync("v1.0.0");

        // prod: every condition holds but the freeze window open now.
        await Assertions.Expect(row.Locator("td[data-stage='prod']")).ToHaveAttributeAsync("data-gate", "Frozen");
        await Assertions.Expect(row.Locator("td[data-stage='prod'] .cell-state")).ToHaveTextAsync("frozen");
        await Assertions.Expect(page.Locator("th[data-stage='prod'] .frozen")).ToContainTextAsync("Frozen until");

        // staging: soaking, with the time left; audit: 0 of 2 approvals.
        await Assertions.Expect(row.Locator("td[data-stage='staging']")).ToHaveAttributeAsync("data-gate", "Soaking");
        await Assertions.Expect(row.Locator("td[data-stage='staging'] .gate-reason")).ToContainTextAsync("left");
        await Assertions.Expect(row.Locator("td[data-stage='audit'] .quorum")).ToHaveTextAsync("0/2 approvals");
        await Screenshots.TakeAsync(page, "pipeline");

        // Alice approves from the matrix; the quorum moves to 1 of 2 and names her.
        await row.Locator("td[data-stage='audit']").GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.Locator("#pipeline-result .notice")).ToContainTextAsync("approve of");
        await Assertions.Expect(page.Locator("#pipeline-board tr[data-freight] td[data-stage='audit'] .quorum").First).ToHaveTextAsync("1/2 approvals: alice", new() { Timeout = 30_000 });
    }
}
