using System.Net;
using System.Net.Sockets;
using GitOps.Orchestrations.Engine.Notifications;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using Microsoft.Playwright;

namespace GitOps.Orchestrations.Dashboard.Tests;

/// <summary>The link a gate-waiting notification carries, followed in the browser by the person it names.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NotificationLinkTests(Chromium chromium) : IAsyncLifetime
{
    const string Gated = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
          notifications:
            - {on: [gate-waiting], to: [deploys]}
          tasks:
            - {name: gate, uses: approval, with: {approvers: [alice], message: "ship it?"}}
            - {name: ship, uses: log, depends: gate, with: {message: shipped}}
        """;

    readonly NotificationReceiver receiver = new();
    DashboardServer server = null!;

    public async Task InitializeAsync()
    {
        await receiver.InitializeAsync();
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var engine = new EngineHostOptions
        {
            Notifications = new NotificationOptions
            {
                DashboardUrl = $"http://127.0.0.1:{port}/ui/",
                Channels = new Dictionary<string, ChannelSpec> { ["deploys"] = new() { Type = "slack", Url = $"{receiver.BaseUrl}/slack/deploys" } },
            },
        };
        server = await DashboardServer.StartAsync(engine, $"http://127.0.0.1:{port}", ("workflows/release.yaml", Gated));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task The_link_in_a_gate_waiting_message_opens_the_run_page_where_the_approver_can_decide()
    {
        string runId = await server.StartRunAsync("release", "olga");
        await Eventually.True(() => receiver.To("slack", "deploys").Any(), "the gate-waiting message", TimeSpan.FromMinutes(1));
        ReceivedMessage message = receiver.To("slack", "deploys").Single();
        string link = message.Body["blocks"]![1]!["elements"]![0]!["url"]!.GetValue<string>();
        Assert.Contains("Who may decide: alice", message.Body["blocks"]![0]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);

        await using DashboardPage alice = await chromium.OpenAsync(server.Url, DashboardServer.Key("alice"));
        await alice.Page.GotoAsync(link);
        await Assertions.Expect(alice.Page.Locator("#dag [data-node='gate']")).ToHaveAttributeAsync("aria-label", "gate: waiting for approval", new() { Timeout = 30_000 });
        Assert.EndsWith($"#/runs/{Uri.EscapeDataString(runId)}", alice.Page.Url, StringComparison.Ordinal);
        await alice.Page.Locator("#gates button.approve").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#run-phase")).ToContainTextAsync("Succeeded", new() { Timeout = 30_000 });
        Assert.Empty(alice.Errors);
    }
}
