using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace GitOps.Orchestrations.Cli.Commands;

static class StandardErrorConsole
{
    /// <summary>
    /// One-line console logs, all of them on stderr: stdout carries only a command's result, so that
    /// <c>-o json</c> stays parseable even when the engine or the sidecar has something to say.
    /// Control characters in messages (a param can hold CR or ESC) are escaped, so a log line can
    /// neither forge another line nor drive the terminal.
    /// </summary>
    public static ILoggingBuilder AddStandardErrorConsole(this ILoggingBuilder logging)
    {
        logging.AddConsole(o => o.FormatterName = EscapingFormatter.Name).AddConsoleFormatter<EscapingFormatter, ConsoleFormatterOptions>();
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }

    /// <summary>Escapes every control character but none of the printable text.</summary>
    public static string Escape(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new System.Text.StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            escaped.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    sealed class EscapingFormatter() : ConsoleFormatter(Name)
    {
        public new const string Name = "gitops";

        public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
        {
            string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
            if (message.Length == 0 && logEntry.Exception is null)
            {
                return;
            }

            string level = logEntry.LogLevel switch
            {
                LogLevel.Trace => "trce",
                LogLevel.Debug => "dbug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                LogLevel.Critical => "crit",
                _ => "none",
            };
            textWriter.Write($"{level}: {logEntry.Category}: {Escape(message)}");
            if (logEntry.Exception is not null)
            {
                textWriter.Write(' ');
                textWriter.Write(Escape(logEntry.Exception.ToString()));
            }

            textWriter.Write(Environment.NewLine);
        }
    }
}
