using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Activities;

public sealed record LogRequest(string RunId, string Node, string Message, string Level);

/// <summary>Writes a workflow's log line. Repeating a log line after a crash is harmless, so it keeps no journal.</summary>
public sealed class LogActivity(ILogger<LogActivity> logger) : TaskActivity<LogRequest, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, LogRequest input)
    {
        switch (input.Level)
        {
            case "error":
                logger.WorkflowLogError(input.RunId, input.Node, input.Message);
                break;
            case "warning":
                logger.WorkflowLogWarning(input.RunId, input.Node, input.Message);
                break;
            default:
                logger.WorkflowLogInfo(input.RunId, input.Node, input.Message);
                break;
        }

        return Task.FromResult(input.Message);
    }
}
