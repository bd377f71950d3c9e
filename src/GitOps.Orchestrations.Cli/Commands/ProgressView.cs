using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting.Backends;
using Spectre.Console;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// What a person watching a run sees. In a terminal: a table of nodes redrawn in place as they move.
/// Redirected (CI logs): one line per node change, so the log reads as a story rather than a dump.
/// </summary>
internal sealed class ProgressView(TextWriter writer, bool interactive)
{
    readonly IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });

    readonly Dictionary<string, (NodePhase Phase, string? Message)> shown = new(StringComparer.Ordinal);
    int drawnLines;

    public void Header(WorkflowSnapshot snapshot, string runId, StoreSpec store)
    {
        string revision = snapshot.Revision.Length == 40 ? snapshot.Revision[..12] : snapshot.Revision;
        console.MarkupLineInterpolated($"[bold]{snapshot.Workflow.Name}[/] run [blue]{runId}[/] at [yellow]{revision}[/] on {store.Describe()}");
    }

    public void Update(RunStatus status)
    {
        if (interactive)
        {
            Redraw(status);
            return;
        }

        foreach (NodeStatus node in status.Nodes)
        {
            if (shown.TryGetValue(node.Name, out var before) && before.Phase == node.Phase && before.Message == node.Message)
            {
                continue;
            }

            shown[node.Name] = (node.Phase, node.Message);
            if (node.Phase == NodePhase.Pending)
            {
                continue;
            }

            string attempts = node.Attempts > 1 ? $" (attempt {node.Attempts})" : string.Empty;
            writer.WriteLine($"  {Symbol(node.Phase)} {node.Name,-24} {node.Phase,-9}{Elapsed(node),8}{attempts}  {node.Message}");
        }
    }

    public ApprovalDecision? AskApproval(string gate)
    {
        if (!interactive || Console.IsInputRedirected)
        {
            writer.WriteLine($"  ? {gate} waits for approval: run again with --approve {gate}, or raise event '{ApprovalTaskType.EventName(gate)}'");
            return null;
        }

        drawnLines = 0;
        bool approved = console.Confirm($"Approve [bold]{gate}[/]?", defaultValue: false);
        string comment = console.Prompt(new TextPrompt<string>("Comment (optional):").AllowEmpty());
        return new ApprovalDecision(approved ? "approve" : "reject", Environment.UserName, comment.Length == 0 ? null : comment);
    }

    public void Finish(RunStatus status)
    {
        if (interactive)
        {
            Redraw(status);
        }

        string color = status.Phase == WorkflowPhase.Succeeded ? "green" : "red";
        console.MarkupLineInterpolated($"[{color}]{status.Phase}[/] {status.Message}");
    }

    void Redraw(RunStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "node", "phase", "took", "tries", "message");
        foreach (NodeStatus node in status.Nodes)
        {
            table.AddRow(
                Markup.Escape(Symbol(node.Phase)),
                Markup.Escape(node.Name),
                $"[{Color(node.Phase)}]{node.Phase}[/]",
                Elapsed(node),
                node.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(node.Message ?? string.Empty));
        }

        if (drawnLines > 0)
        {
            // Move the cursor back over the previous table so the view updates in place.
            writer.Write($"\u001b[{drawnLines}A\u001b[J");
        }

        var measure = new StringWriter();
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(measure), Ansi = AnsiSupport.No }).Write(table);
        drawnLines = measure.ToString().Split('\n').Length - 1;
        console.Write(table);
    }

    static string Elapsed(NodeStatus node) =>
        node.StartedAt is DateTime start && node.FinishedAt is DateTime end ? $"{(end - start).TotalSeconds:0.0}s" : string.Empty;

    static string Symbol(NodePhase phase) => phase switch
    {
        NodePhase.Succeeded => "✓",
        NodePhase.Failed or NodePhase.Errored => "✗",
        NodePhase.Running => "▶",
        NodePhase.Skipped or NodePhase.Omitted => "-",
        _ => "·",
    };

    static string Color(NodePhase phase) => phase switch
    {
        NodePhase.Succeeded => "green",
        NodePhase.Failed or NodePhase.Errored => "red",
        NodePhase.Running => "blue",
        _ => "grey",
    };
}
