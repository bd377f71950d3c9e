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
}
