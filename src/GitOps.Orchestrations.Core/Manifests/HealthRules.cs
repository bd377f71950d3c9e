using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Manifests;

public enum HealthStatus
{
    Healthy,
    Progressing,
    Degraded,
}

public sealed record ObjectHealth(string Object, HealthStatus Status, string Message);

/// <summary>
/// Whether a live object has become what was applied, kind by kind, as <c>kubectl rollout status</c>
/// and Argo CD judge it. Every rule first requires the controller to have seen the latest spec
/// (<c>observedGeneration</c>), so a status left over from the previous version never counts.
/// </summary>
public static class HealthRules
{
    static readonly HashSet<string> BuiltInGroups = new(StringComparer.Ordinal)
    {
        "", "apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io", "policy", "autoscaling",
        "storage.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
        "admissionregistration.k8s.io", "apiregistration.k8s.io", "node.k8s.io", "certificates.k8s.io",
    };

    public static (HealthStatus Status, string Message) Evaluate(JsonObject live)
    {
        string kind = (string?)live["kind"] ?? string.Empty;
        string group = ObjectRef.GroupOf((string?)live["apiVersion"] ?? string.Empty);
        JsonNode? status = live["status"];
        long generation = (long?)live["metadata"]?["generation"] ?? 0;
        long observed = (long?)status?["observedGeneration"] ?? -1;
        bool seen = observed >= generation;
        switch (group, kind)
        {
            case ("apps", "Deployment"):
            {
                long wanted = (long?)live["spec"]?["replicas"] ?? 1;
                long updated = (long?)status?["updatedReplicas"] ?? 0;
                long available = (long?)status?["availableReplicas"] ?? 0;
                long total = (long?)status?["replicas"] ?? 0;
                if (Condition(status, "Progressing") is { Reason: "ProgressDeadlineExceeded" })
                {
                    return (HealthStatus.Degraded, $"deployment exceeded its progress deadline");
                }

                return !seen ? (HealthStatus.Progressing, "waiting for the controller to observe the new generation")
                    : updated < wanted ? (HealthStatus.Progressing, $"{updated} of {wanted} replicas updated")
                    : total > updated ? (HealthStatus.Progressing, $"{total - updated} old replicas pending termination")
                    : available < updated ? (HealthStatus.Progressing, $"{available} of {updated} updated replicas available")
                    : (HealthStatus.Healthy, $"{available} of {wanted} replicas available");
            }

            case ("apps", "StatefulSet"):
            {
                long wanted = (long?)live["spec"]?["replicas"] ?? 1;
                long ready = (long?)status?["readyReplicas"] ?? 0;
                string? current = (string?)status?["currentRevision"];
                string? update = (string?)status?["updateRevision"];
                return !seen ? (HealthStatus.Progressing, "waiting for the controller to observe the new generation")
                    : ready < wanted ? (HealthStatus.Progressing, $"{ready} of {wanted} replicas ready")
                    : update is not null && current != update ? (HealthStatus.Progressing, $"rolling out revision {update}")
                    : (HealthStatus.Healthy, $"{ready} of {wanted} replicas ready");
            }

            case ("apps", "DaemonSet"):
            {
                long desired = (long?)status?["desiredNumberScheduled"] ?? 0;
                long updated = (long?)status?["updatedNumberScheduled"] ?? 0;
                long available = (long?)status?["numberAvailable"] ?? 0;
                return !seen ? (HealthStatus.Progressing, "waiting for the controller to observe the new generation")
                    : updated < desired ? (HealthStatus.Progressing, $"{updated} of {desired} pods updated")
                    : available < desired ? (HealthStatus.Progressing, $"{available} of {desired} pods available")
                    : (HealthStatus.Healthy, $"{available} of {desired} pods available");
            }

            case ("batch", "Job"):
                return Condition(status, "Complete") is { Status: "True" } ? (HealthStatus.Healthy, "job complete")
                    : Condition(status, "Failed") is { Status: "True" } failed ? (HealthStatus.Degraded, $"job failed: {failed.Message ?? failed.Reason}")
                    : (HealthStatus.Progressing, "job running");
        }

        if ((group, kind) is ("bitnami.com", "SealedSecret"))
        {
            // The Sealed Secrets controller says Synced once it has made the Secret, or why it could not.
            bool sealedSeen = status?["observedGeneration"] is null || seen;
            return Condition(status, "Synced") switch
            {
                { Status: "True" } when sealedSeen => (HealthStatus.Healthy, "Synced: the controller made the Secret"),
                { Status: "False" } synced when sealedSeen => (HealthStatus.Degraded, $"the controller could not unseal it: {synced.Message ?? synced.Reason ?? "Synced is False"}"),
                _ => (HealthStatus.Progressing, "waiting for the Sealed Secrets controller"),
            };
        }

        // Crossplane claims, composite and managed resources: Synced=False is a reconcile error
        // that waiting will not mend, so it is Degraded with the controller's message at once.
        if (!BuiltInGroups.Contains(group) && Condition(status, "Synced") is { Status: "False" } notSynced)
        {
            return (HealthStatus.Degraded, $"Synced is False{(notSynced.Reason is null ? string.Empty : $" ({notSynced.Reason})")}: {notSynced.Message ?? "the controller could not reconcile it"}");
        }

        if (!BuiltInGroups.Contains(group) && Condition(status, "Ready") is { } readyCondition)
        {
            return readyCondition.Status == "True"
                ? (HealthStatus.Healthy, "Ready")
                : (HealthStatus.Progressing, $"Ready is {readyCondition.Status}{(readyCondition.Message is null ? string.Empty : ": " + readyCondition.Message)}");
        }

        // Services, ConfigMaps, Secrets, RBAC and custom resources without a Ready condition are healthy once they exist.
        return (HealthStatus.Healthy, "exists");
    }

    sealed record ConditionView(string? Status, string? Reason, string? Message);

    static ConditionView? Condition(JsonNode? status, string type) =>
        (status?["conditions"] as JsonArray)?.OfType<JsonObject>().Where(c => (string?)c["type"] == type)
            .Select(c => new ConditionView((string?)c["status"], (string?)c["reason"], (string?)c["message"]))
            .FirstOrDefault();
}
