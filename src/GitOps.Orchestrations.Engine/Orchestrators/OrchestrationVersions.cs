using Microsoft.DurableTask;
using Microsoft.DurableTask.Abstractions;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// The versions of the engine's orchestrators, so a server or Functions app can be upgraded with
/// runs, rollouts and pipelines in flight. Every instance keeps the version it was started with;
/// a worker runs its own version and every older one (an orchestrator branches on
/// <see cref="TaskOrchestrationContext.Version"/> where behaviour changed), and leaves instances of a
/// newer version untouched for a newer worker on the same task hub. Children take their parent's
/// version; an eternal pipeline moves to the current version at its next continue-as-new.
/// </summary>
public static class OrchestrationVersions
{
    /// <summary>Instances started before orchestrators had versions (the first releases).</summary>
    public const string Unversioned = "";

    /// <summary>
    /// Argo's retry semantics: <c>backoff.maxDuration</c> is a budget from the first attempt (before,
    /// it capped each delay, as <c>backoff.cap</c> does now).
    /// </summary>
    public const string ArgoRetry = "2";

    /// <summary>
    /// Typed rollout protocol: a rollout reports progress to its step on an event of its own
    /// (<c>RolloutRequest.ProgressEvent</c>, a <c>RolloutProgress</c>); people's commands keep the
    /// signal event, which every version listens on.
    /// </summary>
    public const string RolloutProgressEvent = "3";

    /// <summary>
    /// Large runs: a checkpoint of many nodes keeps them in the payload store as a base and the
    /// changes since (<c>RunProgress.Base</c>), and a run that has finished
    /// <c>CheckpointDefaults.DrainAfter</c> nodes since its last checkpoint stops starting new ones,
    /// for at most <c>CheckpointDefaults.DrainLimit</c>, to take one. An older instance keeps every
    /// node in its checkpoints and never waits, as its workers expect.
    /// </summary>
    public const string LargeRuns = "4";

    /// <summary>The version new instances start with.</summary>
    public const string Current = LargeRuns;

    /// <summary>Every version this engine still runs: a version leaves this list only when no instance of it can be in flight.</summary>
    public static readonly IReadOnlyList<string> Runnable = [Unversioned, ArgoRetry, RolloutProgressEvent, LargeRuns];

    /// <summary>True when this instance was started by an engine older than <paramref name="version"/>.</summary>
    public static bool StartedBefore(this TaskOrchestrationContext context, string version) =>
        TaskOrchestrationVersioningUtils.CompareVersions(context.Version, version) < 0;

    /// <summary>Options for a child orchestration: its id, and its parent's version, so one run keeps one set of semantics.</summary>
    public static SubOrchestrationOptions Child(this TaskOrchestrationContext context, string instanceId) =>
        new() { InstanceId = instanceId, Version = context.Version };

    /// <summary>Options for a new top-level instance, at the current version.</summary>
    public static StartOrchestrationOptions Start(string instanceId) => new() { InstanceId = instanceId, Version = Current };
}
