namespace GitOps.Orchestrations.Api;

public sealed record ApiOptions
{
    /// <summary>
    /// The URL clients reach the API at (behind a proxy, the proxy's), for the links in responses.
    /// Without it, links are built from the request's Host header.
    /// </summary>
    public string? PublicUrl { get; init; }

    /// <summary>Larger request bodies get 413; a run's params never need more.</summary>
    public long MaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary>Longer comments and reasons get 422: they are kept in run status, events and the audit log.</summary>
    public int MaxCommentChars { get; init; } = 2000;

    /// <summary>How often the event stream looks at the run for changes.</summary>
    public TimeSpan EventPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A comment line this often keeps proxies from closing a quiet event stream.</summary>
    public TimeSpan EventHeartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The most running runs the pending-approvals list looks through.</summary>
    public int PendingApprovalScanLimit { get; init; } = 2000;

    /// <summary>The webhook endpoints, by name (docs/events.md).</summary>
    public IReadOnlyDictionary<string, Hooks.HookSpec> Hooks { get; init; } = new Dictionary<string, Hooks.HookSpec>();

    /// <summary>
    /// Larger webhook deliveries get 413. GitHub's push payloads are tens of kilobytes; expressions
    /// read at most a megabyte of event, so this stays below that.
    /// </summary>
    public long MaxHookBodyBytes { get; init; } = 512 * 1024;

    /// <summary>How often a pipeline looks at its sources for new freight.</summary>
    public TimeSpan PipelinePollInterval { get; init; } = TimeSpan.FromMinutes(1);
}
