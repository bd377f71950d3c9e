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
    readonly Dictionary<string, int> refusalsShown = new(StringComparer.Ordinal);
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
            writer.WriteLine($"  {Symbol(node.Phase)} {Shown(node.Name),-24} {node.Phase,-9}{Elapsed(node),8}{attempts}  {Shown(node.Message)}");
        }
    }

    public ApprovalDecision? AskApproval(PendingGate gate, LocalDecider decider, GateHint hint)
    {
        if (!interactive || Console.IsInputRedirected)
        {
            writer.WriteLine($"  ? {Shown(gate.Node)} {Shown(gate.Describe())}");
            writer.WriteLine($"    {hint.For(gate.Node)}");
            return null;
        }

        drawnLines = 0;
        bool approved = console.Confirm($"Approve [bold]{Markup.Escape(Shown(gate.Node))}[/] as {Markup.Escape(Shown(decider.Describe()))}?", defaultValue: false);
        string comment = console.Prompt(new TextPrompt<string>("Comment (optional):").AllowEmpty());
        return decider.Decide(approved ? "approve" : "reject", comment.Length == 0 ? null : comment);
    }

    /// <summary>
    /// Prints each decision a gate refused, once, as it happens: a refusal otherwise hides in
    /// <c>-o json</c> while the table says "waiting" until the timeout.
    /// </summary>
    /// <returns>The gates with a refusal not printed before.</returns>
    public List<string> Refusals(RunStatus status, LocalDecider decider)
    {
        var gates = new List<string>();
        foreach (PendingGate gate in status.Gates)
        {
            IReadOnlyList<ApprovalRecord> refused = gate.Decisions.Where(d => d.Decision.StartsWith("refused:", StringComparison.Ordinal)).ToList();
            int before = refusalsShown.GetValueOrDefault(gate.Node);
            foreach (ApprovalRecord record in refused.Skip(before))
            {
                drawnLines = 0;
                writer.WriteLine($"  ✗ {Shown(gate.Node)} refused {Shown(record.Decision["refused:".Length..])} by {Shown(record.By)}: {Shown(record.Comment)}");
                writer.WriteLine($"    {decider.Advice(gate.Policy)}");
                gates.Add(gate.Node);
            }

            refusalsShown[gate.Node] = Math.Max(before, refused.Count);
        }

        return gates;
    }

    public void Finish(RunStatus status)
    {
        if (interactive)
        {
            Redraw(status);
        }

        string color = status.Phase == WorkflowPhase.Succeeded ? "green" : "red";
        // "Terminated: terminated by bob: done testing", never "Terminated terminated by bob".
        console.MarkupLineInterpolated($"[{color}]{status.Phase}[/]{(string.IsNullOrEmpty(status.Message) ? string.Empty : ": " + Shown(status.Message))}");
    }

    void Redraw(RunStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "node", "phase", "took", "tries", "message");
        foreach (NodeStatus node in status.Nodes)
        {
            table.AddRow(
                Markup.Escape(Symbol(node.Phase)),
                Markup.Escape(Shown(node.Name)),
                $"[{Color(node.Phase)}]{node.Phase}[/]",
                Elapsed(node),
                node.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(Shown(node.Message)));
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

    /// <summary>Text from the run (messages, names, who decided and why) is shown as <see cref="TerminalText"/> shows it.</summary>
    static string Shown(string? text) => TerminalText.Shown(text);

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
