using GitOps.Orchestrations.Core.Model;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine;

/// <summary>Source-generated log messages of the engine; event ids are stable for log queries.</summary>
static partial class Logs
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Run {RunId} of workflow '{Workflow}' at {Revision} started")]
    public static partial void RunStarted(this ILogger logger, string runId, string workflow, string revision);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Run {RunId} ended {Phase}")]
    public static partial void RunEnded(this ILogger logger, string runId, WorkflowPhase phase);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Run {RunId}: a stop request claiming to be from {By} carried no valid proof and was ignored")]
    public static partial void StopRefused(this ILogger logger, string runId, string by);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Run {RunId} node {Node} started (attempt {Attempt})")]
    public static partial void NodeStarted(this ILogger logger, string runId, string node, int attempt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Run {RunId} node {Node} ended {Phase}: {Message}")]
    public static partial void NodeEnded(this ILogger logger, string runId, string node, NodePhase phase, string? message);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "[{RunId}/{Node}] {Message}")]
    public static partial void WorkflowLogInfo(this ILogger logger, string runId, string node, string message);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "[{RunId}/{Node}] {Message}")]
    public static partial void WorkflowLogWarning(this ILogger logger, string runId, string node, string message);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "[{RunId}/{Node}] {Message}")]
    public static partial void WorkflowLogError(this ILogger logger, string runId, string node, string message);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Effect {Key} already happened; returning its recorded result")]
    public static partial void EffectReplayed(this ILogger logger, string key);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "{Method} {Url} -> {Status} ({Key})")]
    public static partial void HttpSent(this ILogger logger, string method, string url, int status, string key);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Custom task type {TaskType} threw")]
    public static partial void CustomTaskThrew(this ILogger logger, string taskType, Exception exception);

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Lock {Lock}: a message claiming to be from run {Run} carried no valid proof and was ignored")]
    public static partial void LockMessageRefused(this ILogger logger, string @lock, string run);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "Lock {Lock}: released by runs that ended without letting go: {Runs}")]
    public static partial void LockReleasedEnded(this ILogger logger, string @lock, IReadOnlyList<string> runs);

    [LoggerMessage(EventId = 52, Level = LogLevel.Information, Message = "Run {RunId} holds {Lock}")]
    public static partial void LockHeld(this ILogger logger, string runId, SynchronizationSpec @lock);

    [LoggerMessage(EventId = 53, Level = LogLevel.Warning, Message = "Run {RunId}: a lock grant claiming to be from {Lock} carried no valid proof and was ignored")]
    public static partial void LockGrantRefused(this ILogger logger, string runId, string @lock);
}
