using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GitOps.Orchestrations.Cli.Commands;

static class StandardErrorConsole
{
    /// <summary>
    /// One-line console logs, all of them on stderr: stdout carries only a command's result, so that
    /// <c>-o json</c> stays parseable even when the engine or the sidecar has something to say.
    /// </summary>
    public static ILoggingBuilder AddStandardErrorConsole(this ILoggingBuilder logging)
    {
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
