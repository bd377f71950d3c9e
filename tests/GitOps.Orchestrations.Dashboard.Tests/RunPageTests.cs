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

    const string Quorum = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: quorum}
        spec:
          tasks:
            - {name: gate, uses: approval, with: {approvers: [alice, "group:release"], quorum: 2}}
            - {name: after, uses: log, depends: gate, with: {message: done}}
        """;

    const string Serial = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: serial}
        spec:
          synchronization: {mutex: serial-deploy}
          tasks:
            - {name: gate, uses: approval, with: {approvers: [alice]}}
        """;

    const string Broken = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: broken}\nspec:\n  tasks:\n    - {name: a, uses: nope}\n";

    DashboardServer server = null!;

    public async Task InitializeAsync() => server = await DashboardServer.StartAsync(files: [("workflows/release.yaml", Gated), ("workflows/quorum.yaml", Quorum), ("workflows/serial.yaml", Serial), ("workflows/broken.yaml", Broken)]);

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
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/runs/[^/]+$"));
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
        await Screenshots.TakeAsync(page, "run");

        // Alice is a listed approver: she approves from the run page, with a comment.
        await using DashboardPage alice = await chromium.OpenAsync(server.Url, DashboardServer.Key("alice"));
        await alice.Page.GotoAsync("/ui/#/approvals");
        await Assertions.Expect(alice.Page.Locator($"#approvals-list [data-run='{runId}'] button.approve")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(alice.Page, "gates");
        await alice.Page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
        await alice.Page.GetByLabel("Comment (kept in the audit log)").FillAsync("<b>looks good</b>");
        await alice.Page.Locator("#gates button.approve").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#decision-notice .notice")).ToContainTextAsync("approval of gate in");

        // Both pages see the run finish, live.
        foreach (IPage watcher in new[] { page, alice.Page })
        {
            await Assertions.Expect(watcher.Locator("#run-phase")).ToContainTextAsync("Succeeded", new() { Timeout = 30_000 });
            await Assertions.Expect(watcher.Locator("#dag [data-node='ship']")).ToHaveAttributeAsync("data-phase", "Succeeded");
        }

        // The gate's card is gone with the gate; Alice's confirmation outlives it.
        await Assertions.Expect(alice.Page.Locator("#gates [data-gate='gate']")).ToHaveCountAsync(0);
        await Assertions.Expect(alice.Page.Locator("#decision-notice .notice")).ToContainTextAsync($"approval of gate in {runId} was recorded");

        // The node's details: outputs and the approval record, the comment as text, never markup.
        await page.Locator("#dag [data-node='gate']").ClickAsync();
        await Assertions.Expect(page.Locator("#node-detail")).ToContainTextAsync("approve by alice");
        await Assertions.Expect(page.Locator("#node-detail")).ToContainTextAsync("<b>looks good</b>");
        Assert.Equal(0, await page.Locator("#node-detail b").CountAsync());
        await Screenshots.TakeAsync(page, "run-succeeded");
        await page.GotoAsync("/ui/#/audit");
        await Assertions.Expect(page.Locator("#audit-rows")).ToContainTextAsync("alice");
        await Screenshots.TakeAsync(page, "audit");
        await page.GotoAsync("/ui/#/workflows/release");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start run" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "workflow");
        JsonElement run = await server.RunAsync(runId);
        Assert.Equal("2.4.0", run.GetProperty("params").GetProperty("version").GetString());
    }

    [Fact]
    public async Task A_run_waiting_for_its_mutex_shows_the_lock_its_holder_and_its_place_then_goes_live_when_it_gets_it()
    {
        string holder = await server.StartRunAsync("serial", "rita");
        await Eventually.True(async () => (await server.RunAsync(holder)).GetProperty("waiting").GetArrayLength() == 1, "the holder to reach its gate");
        string waiter = await server.StartRunAsync("serial", "rita");
        await using DashboardPage olga = await chromium.OpenAsync(server.Url, DashboardServer.Key("olga"));
        IPage page = olga.Page;
        await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(waiter)}");
        ILocator wait = page.Locator("#lock-wait");
        await Assertions.Expect(wait).ToContainTextAsync($"mutex serial-deploy, held by {holder}; place in line: 1", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#run-phase")).ToContainTextAsync("Pending");
        await Assertions.Expect(wait.Locator("a")).ToHaveAttributeAsync("href", $"#/runs/{Uri.EscapeDataString(holder)}");

        // The holder is approved and ends: the waiter takes the mutex, live, and reaches its own gate.
        using HttpClient alice = server.Client("alice");
        (await alice.PostAsJsonAsync($"/api/runs/{holder}/approvals/gate", new { decision = "approve" })).EnsureSuccessStatusCode();
        await Assertions.Expect(page.Locator("#dag [data-node='gate']")).ToHaveAttributeAsync("aria-label", "gate: waiting for approval", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#run-phase")).ToContainTextAsync("Running");
        await Assertions.Expect(wait).ToHaveCountAsync(0);
        (await alice.PostAsJsonAsync($"/api/runs/{waiter}/approvals/gate", new { decision = "approve" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task The_starter_and_a_viewer_get_no_approve_button_and_a_forced_decision_is_refused_and_shown()
    {
        // Rita is an approver in group release, but she started the run, and the gate does not allow self-approval.
        string runId = await server.StartRunAsync("quorum", "rita");
        await using DashboardPage rita = await chromium.OpenAsync(server.Url, DashboardServer.Key("rita"));
        await using DashboardPage victor = await chromium.OpenAsync(server.Url, DashboardServer.Key("victor"));
        foreach ((DashboardPage who, string why) in new[] { (rita, "started this run"), (victor, "viewer") })
        {
            await who.Page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
            await Assertions.Expect(who.Page.Locator("#gates .cannot-decide")).ToContainTextAsync(why, new() { Timeout = 30_000 });
            await Assertions.Expect(who.Page.Locator("button.approve, button.reject")).ToHaveCountAsync(0);

            // The same request the button would send, forced from the page: the API refuses it.
            string answer = await who.Page.EvaluateAsync<string>($$"""
                async () => {
                  const api = await import('./js/api.js');
                  try { await api.post('/runs/{{runId}}/approvals/gate', { decision: 'approve' }); return 'accepted'; }
                  catch (e) { return `${e.status} ${e.detail}`; }
                }
                """);
            Assert.StartsWith("403 ", answer, StringComparison.Ordinal);
            Assert.Contains(why, answer, StringComparison.Ordinal);
        }

        // The refusals are in the audit log, and the dashboard shows them.
        await victor.Page.GotoAsync("/ui/#/audit");
        await victor.Page.GetByLabel("Outcome", new() { Exact = true }).SelectOptionAsync("refused");
        await victor.Page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(victor.Page.Locator("#audit-rows tr")).ToHaveCountAsync(2);
        await Assertions.Expect(victor.Page.Locator("#audit-rows")).ToContainTextAsync("rita");
        await Assertions.Expect(victor.Page.Locator("#audit-rows")).ToContainTextAsync("victor");

        // A refusal the page meets is shown as the problem says: alice approves in a page opened
        // before her approval went through another way, and the API's 409 is on screen.
        // Her page hears no live updates (its event stream cannot connect), so it still offers the button.
        await using DashboardPage alice = await chromium.OpenAsync(server.Url, DashboardServer.Key("alice"));
        await alice.Page.RouteAsync("**/events", route => route.AbortAsync());
        await alice.Page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
        await alice.Page.Locator("#gates button.approve").WaitForAsync();
        using (HttpClient api = server.Client("alice"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsJsonAsync($"/api/runs/{runId}/approvals/gate", new { decision = "approve" })).StatusCode);
        }

        await alice.Page.Locator("#gates button.approve").ClickAsync();
        ILocator problem = alice.Page.Locator("#gates .problem");
        await Assertions.Expect(problem).ToBeVisibleAsync();
        await Assertions.Expect(problem).ToContainTextAsync("(409)");
        await Assertions.Expect(problem).ToContainTextAsync("already approved");
        Assert.Equal("Running", (await server.RunAsync(runId)).GetProperty("phase").GetString());
    }

    [Fact]
    public async Task A_start_the_API_refuses_is_shown_with_the_problem_it_gave()
    {
        await using DashboardPage olga = await chromium.OpenAsync(server.Url, DashboardServer.Key("olga"));
        await olga.Page.GotoAsync("/ui/#/workflows/release");
        await olga.Page.GetByLabel("Revision (branch, tag or SHA)").FillAsync("no-such-branch");
        await olga.Page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();
        ILocator problem = olga.Page.Locator("#start-result .problem");
        await Assertions.Expect(problem).ToBeVisibleAsync();
        await Assertions.Expect(problem).ToContainTextAsync("no-such-branch");
        Assert.EndsWith("#/workflows/release", olga.Page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_event_stream_resumes_after_its_last_change_and_loses_none()
    {
        await using var relay = new TcpRelay(server.Url);
        string runId = await server.StartRunAsync("release", "olga");
        await using DashboardPage olga = await chromium.OpenAsync(relay.Url, DashboardServer.Key("olga"));
        IPage page = olga.Page;
        await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
        await Assertions.Expect(page.Locator("#dag [data-node='gate']")).ToHaveAttributeAsync("aria-label", "gate: waiting for approval", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveAttributeAsync("data-state", "open");
        int before = int.Parse(await page.Locator("#stream-state").GetAttributeAsync("data-last-event-id") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

        // The connection drops and stays down while the gate is approved and the run finishes.
        relay.Refusing = true;
        relay.Cut();
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveAttributeAsync("data-state", "reconnecting");
        using (HttpClient api = server.Client("alice"))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsJsonAsync($"/api/runs/{runId}/approvals/gate", new { decision = "approve" })).StatusCode);
        }

        await Eventually.True(async () => (await server.RunAsync(runId)).GetProperty("phase").GetString() == "Succeeded", "the run to finish");
        JsonElement final = await server.RunAsync(runId);
        Assert.NotEqual("Succeeded", await page.Locator("#dag [data-node='ship']").GetAttributeAsync("data-phase"));

        // Back up: the stream resumes after the last change it delivered, and delivers every later one.
        relay.Refusing = false;
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveAttributeAsync("data-resumed-after", before.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#run-phase")).ToContainTextAsync("Succeeded");
        foreach (JsonElement node in final.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("seq").GetInt32() > before))
        {
            string name = node.GetProperty("name").GetString()!;
            await Assertions.Expect(page.Locator($"#changes li[data-change='{node.GetProperty("seq").GetInt32()}']")).ToContainTextAsync($"{name} {node.GetProperty("phase").GetString()}");
        }

        await Assertions.Expect(page.Locator("#dag [data-node='ship']")).ToHaveAttributeAsync("data-phase", "Succeeded");
    }

    [Fact]
    public async Task The_catalog_shows_its_commit_and_a_file_that_did_not_load_with_its_problem_under_its_line()
    {
        await using DashboardPage victor = await chromium.OpenAsync(server.Url, DashboardServer.Key("victor"));
        IPage page = victor.Page;
        await page.GotoAsync("/ui/#/workflows");
        await Assertions.Expect(page.Locator("#catalog-revision")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{40}$"));
        await Assertions.Expect(page.Locator("tr[data-workflow='release']")).ToContainTextAsync("valid");
        await page.Locator("#file-errors").GetByRole(AriaRole.Link, new() { Name = "workflows/broken.yaml" }).ClickAsync();
        ILocator problem = page.Locator(".yaml .msg[data-line='6']");
        await Assertions.Expect(problem).ToContainTextAsync("nope");
        await Assertions.Expect(page.Locator(".yaml .tx.bad")).ToHaveTextAsync("    - {name: a, uses: nope}");
        await Screenshots.TakeAsync(page, "file-problems");

        // A viewer is not offered the start form.
        await page.GotoAsync("/ui/#/workflows/release");
        await Assertions.Expect(page.GetByText("Your role may not start runs.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start run" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task In_a_narrow_window_pages_fit_its_width_and_a_gate_is_decided_by_keyboard_alone()
    {
        string runId = await server.StartRunAsync("release", "olga");
        await using DashboardPage alice = await chromium.OpenAsync(server.Url, DashboardServer.Key("alice"), width: 400, height: 800);
        IPage page = alice.Page;
        foreach (string path in new[] { "#/runs", $"#/runs/{Uri.EscapeDataString(runId)}", "#/approvals", "#/workflows", "#/workflows/release", "#/audit" })
        {
            await page.GotoAsync($"/ui/{path}");
            await page.Locator("main h1").First.WaitForAsync();
            if (path.StartsWith("#/runs/", StringComparison.Ordinal))
            {
                await page.Locator("#gates button.approve").WaitForAsync(new() { Timeout = 30_000 });
            }

            string wide = await page.EvaluateAsync<string>("""
                () => document.documentElement.scrollWidth <= window.innerWidth ? '' :
                  [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.dag, .table-wrap, .yaml'))
                    .slice(0, 5).map(e => `${e.tagName}.${e.className?.baseVal ?? e.className} ${Math.round(e.getBoundingClientRect().right)}`).join(', ')
                """);
            Assert.True(wide.Length == 0, $"{path} is wider than a 400 px window: {wide}");
        }

        // From the run page, by keyboard: to the comment, type, on to Approve, press it.
        await page.GotoAsync($"/ui/#/runs/{Uri.EscapeDataString(runId)}");
        ILocator comment = page.GetByLabel("Comment (kept in the audit log)");
        await comment.FocusAsync();
        await page.Keyboard.TypeAsync("typed, not clicked");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Approve", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#run-phase")).ToContainTextAsync("Succeeded", new() { Timeout = 30_000 });
    }
}
