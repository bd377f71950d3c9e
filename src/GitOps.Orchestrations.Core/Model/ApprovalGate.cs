using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Model;

/// <summary>
/// Who may decide an approval gate. An approver entry is a user name, or <c>group:NAME</c> for every
/// member of a group; no entries means anyone holding the approver role. <see cref="Quorum"/> counts
/// distinct people, and the person who started the run counts only when <see cref="AllowSelfApproval"/>.
/// </summary>
public sealed record ApprovalPolicy(IReadOnlyList<string> Approvers, int Quorum = 1, bool AllowSelfApproval = false)
{
    public const string GroupPrefix = "group:";

    /// <summary>Why <paramref name="user"/> may not decide this gate, or null when they may.</summary>
    /// <param name="starters">Everyone who started the run, or a run its retry chain began with.</param>
    public string? Refusal(string user, IReadOnlyCollection<string> groups, IReadOnlyCollection<string> starters)
    {
        if (!AllowSelfApproval && starters.Contains(user, StringComparer.Ordinal))
        {
            return $"'{user}' started this run (or a run it retries) and the gate does not allow self-approval: another approver decides it";
        }

        if (Approvers.Count == 0)
        {
            return null;
        }

        bool listed = Approvers.Any(entry => entry.StartsWith(GroupPrefix, StringComparison.Ordinal)
            ? groups.Contains(entry[GroupPrefix.Length..], StringComparer.Ordinal)
            : string.Equals(entry, user, StringComparison.Ordinal));
        return listed ? null : $"'{user}' is not among the gate's approvers ({string.Join(", ", Approvers)})";
    }
}

/// <summary>A gate waiting for people: its node path, its policy, and the approvals it has so far.</summary>
public sealed record PendingGate
{
    public required string Node { get; init; }

    public required ApprovalPolicy Policy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    public DateTime WaitingSince { get; init; }

    public DateTime Deadline { get; init; }

    public string OnTimeout { get; init; } = "reject";

    public IReadOnlyList<ApprovalRecord> Decisions { get; init; } = [];

    /// <summary>
    /// Who can end this wait and when it ends by itself, as people read it: "2 of alice,
    /// group:sre (approved: alice) until 2026-12-01 10:00:00Z, then reject".
    /// </summary>
    public string Describe()
    {
        string who = Policy.Approvers.Count == 0 ? "any approver" : string.Join(", ", Policy.Approvers);
        string quorum = Policy.Quorum > 1 ? $"{Policy.Quorum} of " : string.Empty;
        string so = ApprovedBy.Count == 0 ? string.Empty : $" (approved: {string.Join(", ", ApprovedBy)})";
        return $"waits for {quorum}{who}{so} until {Deadline:u}, then {OnTimeout}";
    }

    /// <summary>The distinct people whose approval counts toward the quorum so far.</summary>
    public IReadOnlyList<string> ApprovedBy => Decisions.Where(d => d.Decision == "approve").Select(d => d.By).Distinct(StringComparer.Ordinal).ToList();
}
