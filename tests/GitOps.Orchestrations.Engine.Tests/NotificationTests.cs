using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Notifications;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.Extensions.DependencyInjection;
using GitOps.Orchestrations.Engine.Notifications;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using MimeKit;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// Notifications from real runs to real receivers on loopback: an HTTP receiver that checks the
/// webhook, Slack and Teams formats, and an SMTP server. Each test has its own channels and run.
/// </summary>
public sealed class NotificationTests : IAsyncLifetime
{
    const string Secret = "webhook-signing-secret";
    readonly NotificationReceiver receiver = new();
    readonly SmtpReceiver smtp = new();
    EngineHost engine = null!;

    public async Task InitializeAsync()
    {
        await receiver.InitializeAsync();
        await smtp.InitializeAsync();
        engine = await EngineHost.StartAsync(new EngineHostOptions
        {
            Notifications = new NotificationOptions
            {
                DashboardUrl = "https://gitops.example.com/ui/",
                Channels = new Dictionary<string, ChannelSpec>
                {
                    ["audit"] = new() { Type = "webhook", Url = $"{receiver.BaseUrl}/webhook/audit?secret={Secret}", Secret = Secret },
                    ["flaky"] = new() { Type = "webhook", Url = $"{receiver.BaseUrl}/webhook/flaky?fail=2" },
                    ["down"] = new() { Type = "webhook", Url = $"{receiver.BaseUrl}/webhook/down?fail=1000" },
                    ["deploys"] = new() { Type = "slack", Url = $"{receiver.BaseUrl}/slack/deploys" },
                    ["ops"] = new() { Type = "teams", Url = $"{receiver.BaseUrl}/teams/ops" },
                    ["oncall"] = new() { Type = "email", SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, SmtpSecurity = "none", From = "gitops@example.com", To = ["oncall@example.com"] },
                },
                Defaults = [new SubscriptionSpec([NotificationTriggers.RunFailed], ["ops"])],
            },
        });
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await smtp.DisposeAsync();
        await receiver.DisposeAsync();
    }

    static string Workflow(string name, string notifications, string tasks = "    - {name: a, uses: log, with: {message: hi}}") => $"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {'{'}name: {name}{'}'}
        spec:
          notifications:
        {notifications}
          tasks:
        {tasks}
        """;

    [Fact]
    public async Task A_waiting_gate_tells_who_may_decide_with_a_link_to_the_run_and_its_decision_is_told_too()
    {
        string yaml = Workflow("gated", """
                - {on: [gate-waiting, gate-decided], to: [audit]}
            """, """
                - {name: gate, uses: approval, with: {approvers: [alice, "group:release"], message: "ship 2.0?"}}
            """);
        string runId = "gated-" + Guid.NewGuid().ToString("N");
        await engine.Runs.StartAsync(WorkflowSnapshots.Load(yaml), new Dictionary<string, string>(), "tester", runId);

        await Eventually.True(() => receiver.To("webhook", "audit").Any(), "the gate-waiting notification", TimeSpan.FromMinutes(1));
        ReceivedMessage waiting = receiver.To("webhook", "audit").Single();
        Assert.Equal("gate-waiting", waiting.Body["trigger"]!.GetValue<string>());
        Assert.Equal("gate", waiting.Body["node"]!.GetValue<string>());
        Assert.Equal(["alice", "group:release"], waiting.Body["approvers"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal($"https://gitops.example.com/ui/#/runs/{runId}", waiting.Body["link"]!.GetValue<string>());
        Assert.Contains("Who may decide: alice, group:release", waiting.Body["text"]!.GetValue<string>());
        Assert.Equal($"{runId}/gate-waiting/gate/audit", waiting.Headers["Idempotency-Key"]);

        await engine.Runs.DecideAsync(runId, "gate", new ApprovalDecision("approve", "alice", "go"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        RunStatus run = await engine.Runs.WatchAsync(runId, _ => Task.CompletedTask, cancellationToken: timeout.Token);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        ReceivedMessage decided = receiver.To("webhook", "audit").Last();
        Assert.Equal(("gate-decided", "Succeeded"), (decided.Body["trigger"]!.GetValue<string>(), decided.Body["phase"]!.GetValue<string>()));
        Assert.Equal(2, receiver.To("webhook", "audit").Count());
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_then_accepts_gets_exactly_one_delivery()
    {
        RunStatus run = await engine.Runs.RunToEndAsync(Workflow("flaky-receiver", """
                - {on: [run-succeeded], to: [flaky]}
            """));
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Single(receiver.To("webhook", "flaky"));
        Assert.Equal(2, receiver.Refused["webhook/flaky"]);
        Assert.Empty(run.NotificationFailures);
    }

    [Fact]
    public async Task A_notification_that_cannot_be_delivered_is_recorded_and_fails_the_run_only_when_required()
    {
        RunStatus optional = await engine.Runs.RunToEndAsync(Workflow("optional-notice", """
                - {on: [run-succeeded], to: [down]}
            """));
        Assert.Equal(WorkflowPhase.Succeeded, optional.Phase);
        NotificationFailure failure = Assert.Single(optional.NotificationFailures);
        Assert.Equal(("run-succeeded", "down", false), (failure.Trigger, failure.Channel, failure.Required));
        Assert.Contains("503", failure.Error, StringComparison.Ordinal);

        RunStatus required = await engine.Runs.RunToEndAsync(Workflow("required-notice", """
                - {on: [run-succeeded], to: [down], required: true}
            """));
        Assert.Equal(WorkflowPhase.Failed, required.Phase);
        Assert.Contains("required notification of run-succeeded to down failed", required.Message, StringComparison.Ordinal);

        // The host's default subscription hears the failure, on Teams.
        await Eventually.True(() => receiver.To("teams", "ops").Any(m => m.Body.ToJsonString().Contains(required.Id, StringComparison.Ordinal)), "the default run-failed notification");
    }

    [Fact]
    public async Task Email_goes_over_SMTP_with_a_template_and_a_message_id_from_the_key()
    {
        RunStatus run = await engine.Runs.RunToEndAsync(Workflow("mailed", """
                - on: [run-started, run-succeeded]
                  to: [oncall]
                  template: "{{run.workflow}} {{event.trigger}} at {{run.revision}}: {{run.link}}"
            """));
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        await Eventually.True(() => smtp.Messages.Count(m => (m.Subject ?? string.Empty).Contains(run.Id, StringComparison.Ordinal)) == 2, "two mails");
        MimeMessage[] mails = [.. smtp.Messages.Where(m => (m.Subject ?? string.Empty).Contains(run.Id, StringComparison.Ordinal))];
        Assert.All(mails, m => Assert.Equal("oncall@example.com", m.To.Mailboxes.Single().Address));
        Assert.Contains(mails, m => (m.TextBody ?? string.Empty).Trim() == $"mailed run-started at {run.Revision}: https://gitops.example.com/ui/#/runs/{run.Id}");
        Assert.Equal(2, mails.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task The_activity_delivers_a_key_once_however_often_it_runs()
    {
        var request = new NotificationRequest("run-x/end/audit", "audit", new NotificationEvent { Trigger = "run-failed", Key = "end", RunId = "run-x", Workflow = "wf" }, null);
        var activity = new SendNotificationActivity(
            engine.Services.GetRequiredService<NotificationOptions>(),
            engine.Services.GetRequiredService<NotificationChannels>(),
            engine.Services.GetRequiredService<Idempotency.IEffectJournal>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SendNotificationActivity>.Instance);
        NotificationReceipt first = await activity.RunAsync(null!, request);
        NotificationReceipt again = await activity.RunAsync(null!, request);
        Assert.False(first.AlreadySent);
        Assert.True(again.AlreadySent);
        Assert.Single(receiver.To("webhook", "audit"), m => m.Body["run"]!.GetValue<string>() == "run-x");
    }
}
