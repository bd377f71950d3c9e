using GitOps.Orchestrations.Core.Jobs;
using GitOps.Orchestrations.Engine.Delivery;

namespace GitOps.Orchestrations.Engine.Jobs;

/// <summary>The activities that create, watch and delete a step's Job; they live in the Delivery library, beside the cluster code.</summary>
public static class JobActivities
{
    public const string Start = "StartJobActivity";
    public const string Observe = "ObserveJobActivity";
    public const string Delete = "DeleteJobActivity";
}

/// <param name="Job">The Job as JSON, built by <see cref="JobManifest"/> in the orchestrator, so a replay sends the same one.</param>
/// <param name="Source">A script's ConfigMap as JSON; the activity makes the Job its owner, so it goes when the Job goes.</param>
/// <param name="StepKey">The attempt's idempotency key, which an existing Job of the same name must carry to be adopted.</param>
public sealed record StartJobRequest(string? Cluster, string Namespace, string Job, string? Source, string StepKey);

public sealed record StartJobResult : DeliveryOutcome
{
    public string Name { get; init; } = string.Empty;

    /// <summary>The Job was already there, created by an earlier try of this same attempt (a worker that died), and is watched instead of created again.</summary>
    public bool Adopted { get; init; }
}

/// <param name="LogTailBytes">How much of the end of the log to return once the Job has finished.</param>
/// <param name="WantStdout">Whether the whole log is the result (no <c>result.path</c>).</param>
public sealed record ObserveJobRequest(string? Cluster, string Namespace, string Name, int LogTailBytes, bool WantStdout);

public sealed record ObserveJobResult : DeliveryOutcome
{
    public JobState State { get; init; } = new(JobPhase.Pending);

    /// <summary>The last bytes of the container's log, once it has finished.</summary>
    public string? LogTail { get; init; }

    /// <summary>The whole log as the result, when asked for and no longer than <see cref="JobDefaults.MaxResultBytes"/>.</summary>
    public string? Stdout { get; init; }

    /// <summary>The Job is gone: deleted by someone else, or by its TTL before the engine looked.</summary>
    public bool Missing { get; init; }
}

public sealed record DeleteJobRequest(string? Cluster, string Namespace, string Name);

public sealed record DeleteJobResult : DeliveryOutcome
{
    public bool Deleted { get; init; }
}
