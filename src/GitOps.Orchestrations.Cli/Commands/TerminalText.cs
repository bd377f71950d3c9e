namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// Lines of text built from what a server returns (messages, names, who decided and why): those
/// come from params, Git and other people on a shared server, so their control characters are
/// written as escapes; a value can neither drive the reader's terminal nor forge another line.
/// </summary>
internal static class TerminalText
{
    public static void WriteLine(string line) => Console.Out.WriteLine(Shown(line));

    /// <summary>One value of such a line, for writers other than stdout (the run view's table, its prompts).</summary>
    public static string Shown(string? text) => StandardErrorConsole.Escape(text ?? string.Empty);
}
