using System.Text.Json;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.Rollouts;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>Commands to a rollout are typed, and travel as the same strings runs in flight already carry and sign.</summary>
public class RolloutProtocolTests
{
    [Theory]
    [InlineData(RolloutAction.Promote, "promote")]
    [InlineData(RolloutAction.PromoteFull, "promote-full")]
    [InlineData(RolloutAction.Abort, "abort")]
    public void Actions_travel_under_their_wire_names(RolloutAction action, string wire)
    {
        Assert.Equal(wire, action.Wire());
        string json = JsonSerializer.Serialize(new RolloutCommand(action, "bob"));
        Assert.Contains($"\"Action\":\"{wire}\"", json, StringComparison.Ordinal);

        // A command an older host queued, with the action as a string, reads as the same action.
        Assert.Equal(action, JsonSerializer.Deserialize<RolloutCommand>($"{{\"Action\":\"{wire}\",\"By\":\"bob\"}}")!.Action);
    }

    [Theory]
    [InlineData("\"rollback\"")]
    [InlineData("\"Promote\"")]
    [InlineData("2")]
    [InlineData("{\"nested\": [1, 2]}")]
    [InlineData("null")]
    public void Any_other_action_reads_as_unknown_never_as_a_real_one_and_never_fails_the_read(string value)
    {
        // A raw event past the API must not fail the rollout's orchestration when it reads its inbox.
        RolloutCommand read = JsonSerializer.Deserialize<RolloutCommand>($"{{\"Action\":{value},\"By\":\"bob\"}}")!;
        Assert.Equal(RolloutAction.Unknown, read.Action);
        Assert.Equal("bob", read.By);
    }

    [Fact]
    public void A_signed_command_verifies_only_for_the_action_it_was_signed_for()
    {
        ApprovalAuthority authority = ApprovalAuthority.Ephemeral();
        RolloutCommand signed = authority.Sign("run-1", "canary", new RolloutCommand(RolloutAction.Promote, "bob"));
        Assert.True(authority.Verifies("run-1", "canary", signed));
        Assert.False(authority.Verifies("run-1", "canary", signed with { Action = RolloutAction.PromoteFull }));
    }
}
