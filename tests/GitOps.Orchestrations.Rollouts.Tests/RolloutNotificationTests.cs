using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>A canary's steps, pause and abort, told to a Slack and a Teams receiver that check their formats.</summary>
public sealed class RolloutNotificationTests(RolloutEnvironment env) : IClassFixture<RolloutEnvironment>
{
    [Fact]
    public async Task A_canary_that_aborts_sends_exactly_one_Slack_and_one_Teams_message_about_it()
    {
        string ns = await env.NewAppAsync();
        string workflow = $"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {'{'}name: notified-release{'}'}
            spec:
              params: [{'{'}name: image{'}'}]
              notifications:
                - {'{'}on: [rollout-aborted, rollout-paused, rollout-step], to: [deploys, ops]{'}'}
              tasks:
                - {'{'}name: canary, uses: rollout, with: {'{'}rollout: api{'}'}{'}'}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: Rollout
            metadata: {'{'}name: api{'}'}
            spec:
              target: {'{'}kind: Deployment, name: api, namespace: {ns}{'}'}
              image: "{'{'}{'{'}params.image{'}'}{'}'}"
              progressDeadline: 30s
              strategy:
                canary:
                  abortScaleDownDelay: 1s
                  steps:
                    - setWeight: 50
                    - pause: {'{'}{'}'}
            """;
        string id = await env.StartAsync(workflow, new Dictionary<string, string> { ["image"] = "registry.local/api:2.0" });
        await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused, "paused");
        await env.Engine.Runs.CommandRolloutAsync(id, "canary", new RolloutCommand(RolloutAction.Abort, "carol", "error budget"));
        RunStatus run = await env.WaitForRunAsync(id);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Empty(run.NotificationFailures);

        List<ReceivedMessage> slack = [.. env.Receiver.To("slack", "deploys").Where(m => m.Body.ToJsonString().Contains(id, StringComparison.Ordinal))];
        List<ReceivedMessage> teams = [.. env.Receiver.To("teams", "ops").Where(m => m.Body.ToJsonString().Contains(id, StringComparison.Ordinal))];

        // Exactly one message about the abort on each, in each one's own format.
        ReceivedMessage slackAbort = Assert.Single(slack, m => m.Body["text"]!.GetValue<string>().StartsWith("Rollout aborted", StringComparison.Ordinal));
        Assert.Contains("aborted by carol: error budget", slackAbort.Body["blocks"]![0]!["text"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"https://gitops.example.com/ui/#/runs/{id}", slackAbort.Body["blocks"]![1]!["elements"]![0]!["url"]!.GetValue<string>());
        ReceivedMessage teamsAbort = Assert.Single(teams, m => Card(m)["body"]![0]!["text"]!.GetValue<string>() == "Rollout aborted");
        Assert.Contains("aborted by carol: error budget", Card(teamsAbort)["body"]![1]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal($"https://gitops.example.com/ui/#/runs/{id}", Card(teamsAbort)["actions"]![0]!["url"]!.GetValue<string>());

        // And the way there: step 1 (the weight) and step 2 (the pause) reached, then the pause began.
        // Deliveries run side by side, so messages about different events may arrive in either order.
        Assert.Equal(
            ["step 1: setWeight 50", "step 2: pause until promoted"],
            slack.Select(m => m.Body["blocks"]![0]!["text"]!["text"]!.GetValue<string>()).Where(t => t.StartsWith("*Rollout step reached*", StringComparison.Ordinal)).Select(t => t.Split('\n')[2]).Order(StringComparer.Ordinal));
        Assert.Single(slack, m => m.Body["text"]!.GetValue<string>().StartsWith("Rollout paused", StringComparison.Ordinal));
        Assert.Equal(slack.Count, teams.Count);
        Assert.Equal(0, env.Receiver.Refused.Values.Sum());
    }

    static JsonNode Card(ReceivedMessage message) => message.Body["attachments"]![0]!["content"]!;
}
