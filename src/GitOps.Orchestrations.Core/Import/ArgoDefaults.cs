namespace GitOps.Orchestrations.Core.Import;

/// <summary>The import's fixed answers in one place: API groups, and why a field of Argo has no counterpart.</summary>
public static class ArgoDefaults
{
    public const string WorkflowsGroup = "argoproj.io/";

    /// <summary>The engine's kinds are written with this header.</summary>
    public const string ApiVersion = "gitops.orchestrations/v1";

    /// <summary>A step whose Argo template has no counterpart keeps its place in the DAG as a log line saying so.</summary>
    public const string PlaceholderMessage = "not imported: {0} (see the import report)";

    public static IReadOnlyDictionary<string, string> WhyDropped { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["artifacts"] = "artifacts are not offered; pass values as outputs, or keep files in Git or an artifact store the steps call",
        ["artifactRepositoryRef"] = "artifacts are not offered",
        ["archiveLocation"] = "artifacts are not offered",
        ["archiveLogs"] = "step logs are kept in each node's outputs and the run's events",
        ["podGC"] = "a job step deletes its Job and pods when it ends",
        ["ttlStrategy"] = "runs are kept for the server's retention (docs/operations.md)",
        ["volumeClaimTemplates"] = "volumes shared between steps are not offered",
        ["volumes"] = "workflow-wide volumes are not offered; a job step lists its own volumes",
        ["volumeMounts"] = "a job step lists its own volumes, with their mount paths",
        ["metrics"] = "custom metrics are not offered; the engine exports its own",
        ["memoize"] = "memoization is not offered; steps are idempotent by their attempt key instead",
        ["daemon"] = "daemon steps are not offered",
        ["sidecars"] = "sidecars are not offered",
        ["initContainers"] = "init containers are not offered",
        ["podSpecPatch"] = "pod spec patches are not offered",
        ["affinity"] = "affinity is not offered; nodeSelector and tolerations are",
        ["priority"] = "priorities are not offered",
        ["priorityClassName"] = "priorities are not offered",
        ["schedulerName"] = "scheduler names are not offered",
        ["hostAliases"] = "host aliases are not offered",
        ["dnsConfig"] = "DNS settings are not offered",
        ["dnsPolicy"] = "DNS settings are not offered",
        ["imagePullSecrets"] = "pull secrets belong to the service account the job runs as",
        ["imagePullPolicy"] = "the cluster's default pull policy applies",
        ["workingDir"] = "a working directory is not offered; cd in the command",
        ["ports"] = "ports are not offered",
        ["podMetadata"] = "pod labels and annotations are not offered",
        ["workflowMetadata"] = "run labels are not offered",
        ["executor"] = "executors are not offered",
        ["automountServiceAccountToken"] = "the job's service account decides",
        ["shutdown"] = "runs are stopped with gitops terminate",
        ["suspend"] = "a suspended workflow is not offered; an approval step waits for people",
        ["retryStrategy"] = "a workflow-wide retryStrategy is not offered; each step has its own retry",
        ["templateDefaults"] = "template defaults are not offered",
        ["hooks"] = "this hook's expression is not one of running, succeeded, failed or exit",
        ["securityContext"] = "a pod security context is written per job step",
        ["outputs"] = "outputs of this kind are not offered",
        ["nodeSelector"] = "a node selector is written per job step",
        ["tolerations"] = "tolerations are written per job step",
        ["serviceAccountName"] = "a service account is written per job step",
    };
}
