using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Reads who may approve (approvers, quorum, allowSelfApproval) wherever a kind declares a gate:
/// a rollout's approval step and a pipeline stage alike, with the same rules and messages. The
/// policy must be written out in the file, never templated: a policy taken from params would let
/// whoever starts a run choose who approves it.
/// </summary>
internal static class ApprovalPolicyReader
{
    public static ApprovalPolicy Read(MappingReader approval)
    {
        var approvers = new List<string>();
        switch (approval.Node("approvers"))
        {
            case null:
                break;
            case YSequence list when list.Items.All(i => i is YScalar):
                foreach (YScalar entry in list.Items.Cast<YScalar>())
                {
                    if (Template.HasReferences(entry.Value))
                    {
                        approval.Error(entry.Position, $"approvers must be written out, not templated with {{{{...}}}}: a run's params must not choose who approves it");
                    }
                    else
                    {
                        approvers.Add(entry.Value);
                    }
                }

                break;
            case YNode other:
                approval.Error(other.Position, "'approvers' must be a list of user names or group:NAME entries");
                break;
        }

        int quorum = approval.Integer("quorum", min: 1) ?? 1;
        bool self = approval.Boolean("allowSelfApproval") ?? false;
        if (approvers.Count > 0 && approvers.All(a => !a.StartsWith(ApprovalPolicy.GroupPrefix, StringComparison.Ordinal)) && quorum > approvers.Count)
        {
            approval.Error(approval.PositionOf("quorum")!.Value, $"quorum {quorum} cannot be met by the {approvers.Count} approvers named");
        }

        return new ApprovalPolicy(approvers, quorum, self);
    }
}
