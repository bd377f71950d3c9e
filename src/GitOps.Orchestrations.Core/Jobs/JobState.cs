using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Jobs;

public enum JobPhase
{
    /// <summary>Not running yet: no pod, a pod waiting to be scheduled, or an image still being pulled.</summary>
    Pending,
    Running,
    Succeeded,

    /// <summary>The container ran and exited non-zero: the step's own code failed.</summary>
    Failed,

    /// <summary>The container could not run as asked (no image, no node, past its deadline): the platform failed.</summary>
    Errored,
}

/// <param name="Reason">The reason the API gave (<c>ImagePullBackOff</c>, <c>Unschedulable</c>, <c>DeadlineExceeded</c>, …).</param>
/// <param name="TerminationMessage">What the container left in its termination message: a result written to a file.</param>
public sealed record JobState(JobPhase Phase, string? Reason = null, string? Message = null, int? ExitCode = null, string? TerminationMessage = null, string? Pod = null)
{
    public bool Finished => Phase is JobPhase.Succeeded or JobPhase.Failed or JobPhase.Errored;

    public string Describe() =>
        string.Join(": ", new[] { Reason, Message }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

/// <summary>
/// Reads a Job's state from the status fields the Job and Pod APIs document: the Job's
/// <c>Complete</c> and <c>Failed</c> conditions, and the pod's <c>PodScheduled</c> condition and
/// its container's waiting, running and terminated states. Pure, so every case is a table row.
/// </summary>
public static class JobStates
{
    /// <summary>Waiting reasons no amount of waiting fixes: the name or the pod's settings are wrong.</summary>
    static readonly HashSet<string> Hopeless = new(StringComparer.Ordinal)
    {
        "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "CrashLoopBackOff",
    };

    public static JobState Observe(JsonObject job, IReadOnlyList<JsonObject> pods)
    {
        JsonObject? pod = pods.OrderByDescending(p => (string?)p["metadata"]?["creationTimestamp"], StringComparer.Ordinal).FirstOrDefault();
        string? podName = (string?)pod?["metadata"]?["name"];
        JsonObject? container = (pod?["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["name"] == JobDefaults.ContainerName);
        JsonNode? terminated = container?["state"]?["terminated"];
        int? exitCode = (int?)terminated?["exitCode"];
        string? terminationMessage = (string?)terminated?["message"];

        JsonObject? finished = Condition(job, "Failed") ?? Condition(job, "Complete");
        if (finished is not null)
        {
            string? reason = (string?)finished["reason"];
            string? message = (string?)finished["message"];
            if ((string?)finished["type"] == "Complete")
            {
                return new JobState(JobPhase.Succeeded, reason, message, exitCode ?? 0, terminationMessage, podName);
            }

            // Non-zero exit is the step's code failing; anything else (a deadline, an eviction) is the platform.
            return exitCode is int code && code != 0 && reason != "DeadlineExceeded"
                ? new JobState(JobPhase.Failed, reason, message, code, terminationMessage, podName)
                : new JobState(JobPhase.Errored, reason ?? (string?)pod?["status"]?["reason"], message ?? (string?)pod?["status"]?["message"], exitCode, terminationMessage, podName);
        }

        if (pod is null)
        {
            return new JobState(JobPhase.Pending, "NoPod", "the Job has no pod yet");
        }

        if (container?["state"]?["waiting"] is JsonObject waiting && (string?)waiting["reason"] is string waitingReason && waitingReason != "ContainerCreating")
        {
            return new JobState(Hopeless.Contains(waitingReason) ? JobPhase.Errored : JobPhase.Pending, waitingReason, (string?)waiting["message"], Pod: podName);
        }

        if (Condition(pod, "PodScheduled", "False") is JsonObject scheduled)
        {
            return new JobState(JobPhase.Pending, (string?)scheduled["reason"] ?? "Unschedulable", (string?)scheduled["message"], Pod: podName);
        }

        // A container that has exited while the Job controller has not yet said so is still finishing.
        return container?["state"]?["running"] is not null || terminated is not null
            ? new JobState(JobPhase.Running, Pod: podName)
            : new JobState(JobPhase.Pending, "ContainerCreating", null, Pod: podName);
    }

    static JsonObject? Condition(JsonObject obj, string type, string status = "True") =>
        (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type && (string?)c["status"] == status);
}
