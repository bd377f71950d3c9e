using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery;

static partial class Logs
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Resolved {Repo}@{Revision} to {Sha}")]
    public static partial void SourceResolved(this ILogger logger, string repo, string revision, string sha);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Applied {Application} at {Sha}: {Summary}, {Writes} writes")]
    public static partial void Applied(this ILogger logger, string application, string sha, string summary, int writes);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "{Step} failed: {Error}")]
    public static partial void StepFailed(this ILogger logger, string step, string error);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Wrote {Repo} {Branch}: {Commit} (changed: {Changed})")]
    public static partial void GitWritten(this ILogger logger, string repo, string branch, string commit, bool changed);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Drift in {Application}: {Count} objects, healed: {Healed}")]
    public static partial void DriftFound(this ILogger logger, string application, int count, bool healed);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "Rollout traffic for {Namespace}/{Deployment}: canary weight {Weight} via {Provider}")]
    public static partial void TrafficSet(this ILogger logger, string @namespace, string deployment, int weight, string provider);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Rollout: {Namespace}/{Deployment} prepared as {Role} with {Image}")]
    public static partial void RolloutCopyPrepared(this ILogger logger, string @namespace, string deployment, string role, string image);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "Rollout: stable pods of {Namespace}/{Deployment} labelled for blue-green")]
    public static partial void StablePodsLabelled(this ILogger logger, string @namespace, string deployment);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Rollout: {Namespace}/{Deployment} promoted to {Image}")]
    public static partial void StablePromoted(this ILogger logger, string @namespace, string deployment, string image);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Rollout: {Namespace}/{Deployment} scaled to {Replicas}")]
    public static partial void DeploymentScaled(this ILogger logger, string @namespace, string deployment, int replicas);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Rollout: Service {Namespace}/{Service} selects the {Role} pods")]
    public static partial void ServiceSwitched(this ILogger logger, string @namespace, string service, string role);

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Chart {Chart} {Version} published to {To} (already there: {AlreadyThere})")]
    public static partial void ChartPublished(this ILogger logger, string chart, string version, string to, bool alreadyThere);

    [LoggerMessage(EventId = 430, Level = LogLevel.Information, Message = "Job {Namespace}/{Name} was already there for this attempt and is adopted")]
    public static partial void JobAdopted(this ILogger logger, string @namespace, string name);

    [LoggerMessage(EventId = 431, Level = LogLevel.Information, Message = "Deleted Job {Namespace}/{Name} and its pods")]
    public static partial void JobDeleted(this ILogger logger, string @namespace, string name);
}
