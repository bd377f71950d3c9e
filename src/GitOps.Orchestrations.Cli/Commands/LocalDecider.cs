using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// The person deciding gates from <c>gitops run</c>: <c>--as NAME</c> (the OS user by default) with
/// the groups <c>--group</c> names. The gate checks this identity against its approvers exactly as
/// it checks a caller of the server; the run itself is started as <c>USER (local)</c>, so a local
/// person is never refused as the run's own starter.
/// </summary>
internal sealed record LocalDecider(string Name, IReadOnlyList<string> Groups)
{
    public ApprovalDecision Decide(string decision, string? comment) => new(decision, Name, comment, Groups);

    public string Describe() => Groups.Count == 0 ? Name : $"{Name} ({string.Join(", ", Groups.Select(g => ApprovalPolicy.GroupPrefix + g))})";

    /// <summary>What to run instead, after the gate refused this person.</summary>
    public string Advice(ApprovalPolicy policy)
    {
        string? group = policy.Approvers.FirstOrDefault(a => a.StartsWith(ApprovalPolicy.GroupPrefix, StringComparison.Ordinal));
        string? user = policy.Approvers.FirstOrDefault(a => !a.StartsWith(ApprovalPolicy.GroupPrefix, StringComparison.Ordinal));
        string instead = (user, group) switch
        {
            (not null, not null) => $"--as {user}, or --group {group[ApprovalPolicy.GroupPrefix.Length..]}",
            (not null, null) => $"--as {user}",
            (null, not null) => $"--group {group[ApprovalPolicy.GroupPrefix.Length..]}",
            _ => "--as NAME",
        };
        return $"you decide as {Describe()}; to decide as a listed approver, run again with {instead}";
    }
}

/// <summary>
/// Where a gate waiting in a run nobody is asked about (output redirected) can be decided: a true
/// next step for the store the run lives in.
/// </summary>
internal sealed record GateHint(string Workflow, string RunId, Hosting.Backends.StoreSpec Store, string? StoreOption)
{
    public string For(string gate) => Store.IsDurable
        ? $"decide it from another terminal, which resumes this run: gitops run {Workflow}{StoreArgument} --run-id {RunId} --approve {gate}"
        : $"this run lives in this process only (embedded store), so nothing else can decide it: stop it (Ctrl+C) and start again with --approve {gate}, or run in a terminal to be asked";

    // A connection string holds the account key: the hint names it, never repeats it. A store from
    // GITOPS_STORE needs no flag, since the other terminal's environment supplies it too.
    string StoreArgument => StoreOption switch
    {
        null => string.Empty,
        "azurite" => " --store azurite",
        _ => " --store \"<the same connection string>\"",
    };
}
