namespace GitOps.Orchestrations.Api;

public sealed record ApiOptions
{
    /// <summary>Larger request bodies get 413; a run's params never need more.</summary>
    public long MaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary>How often the event stream looks at the run for changes.</summary>
    public TimeSpan EventPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A comment line this often keeps proxies from closing a quiet event stream.</summary>
    public TimeSpan EventHeartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The most running runs the pending-approvals list looks through.</summary>
    public int PendingApprovalScanLimit { get; init; } = 2000;

    /// <summary>How often a pipeline looks at its sources for new freight.</summary>
    public TimeSpan PipelinePollInterval { get; init; } = TimeSpan.FromMinutes(1);
}
