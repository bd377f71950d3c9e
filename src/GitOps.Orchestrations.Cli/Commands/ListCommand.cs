using System.CommandLine;
using System.Text.Json;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops list runs|workflows|approvals [-o wide|json|yaml]</c>: what the server holds, as
/// tables like kubectl's, or its JSON.
/// </summary>
internal static class ListCommand
{
    public static Command Create()
    {
        Option<string?> output = new("--output", "-o") { Description = "wide: more columns; json or yaml: the server's answer" };
        Option<string?> workflow = new("--workflow") { Description = "Only runs of this workflow" };
        Option<string?> phase = new("--phase") { Description = "Only runs in this phase (Running, Succeeded, Failed, Terminated...)" };
        Option<int> top = new("--top") { Description = "At most this many runs, newest first", DefaultValueFactory = _ => 50 };

        Command runs = RemoteCommands.With(new Command("runs", "Runs, newest first") { output, workflow, phase, top });
        runs.SetAction((parse, ct) => List(parse, output, async client =>
        {
            var query = new List<string> { $"top={parse.GetValue(top)}" };
            if (parse.GetValue(workflow) is { } name)
            {
                query.Add($"workflow={Uri.EscapeDataString(name)}");
            }

            if (parse.GetValue(phase) is { } wanted)
            {
                query.Add($"phase={Uri.EscapeDataString(wanted)}");
            }

            JsonElement page = await client.GetAsync<JsonElement>($"api/runs?{string.Join('&', query)}", ct);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            return (page, page.GetProperty("runs").EnumerateArray().ToList(), new Column[]
            {
                new("ID", r => TableOutput.Text(r, "id")),
                new("WORKFLOW", r => TableOutput.Text(r, "workflow")),
                new("PHASE", r => TableOutput.Text(r, "phase") + (r.TryGetProperty("suspended", out JsonElement s) && s.ValueKind == JsonValueKind.True ? " (suspended)" : string.Empty)),
                new("WAITING", r => TableOutput.Text(r, "waiting")),
                new("AGE", r => TableOutput.Age(r, "createdAt", now)),
                new("STARTED BY", r => TableOutput.Text(r, "startedBy"), Wide: true),
                new("REVISION", r => TableOutput.Text(r, "revision") is { Length: 40 } sha ? sha[..12] : TableOutput.Text(r, "revision"), Wide: true),
            }, "No runs yet. Start one with: gitops submit WORKFLOW (gitops list workflows shows what there is)");
        }));

        Command workflows = RemoteCommands.With(new Command("workflows", "The workflows of the served branch, valid or not") { output });
        workflows.SetAction((parse, ct) => List(parse, output, async client =>
        {
            JsonElement list = await client.GetAsync<JsonElement>("api/workflows", ct);
            return (list, list.GetProperty("workflows").EnumerateArray().ToList(), new Column[]
            {
                new("NAME", w => TableOutput.Text(w, "name")),
                new("VALID", w => TableOutput.Text(w, "valid")),
                new("FILE", w => TableOutput.Text(w, "file")),
                new("PARAMS", w => string.Join(",", w.GetProperty("params").EnumerateArray().Select(p => TableOutput.Text(p, "name"))), Wide: true),
                new("SCHEDULES", w => string.Join(",", w.GetProperty("schedules").EnumerateArray().Select(p => TableOutput.Text(p, "cron"))), Wide: true),
            }, $"No workflows in the folder the server reads at {TableOutput.Text(list, "revision")} of {TableOutput.Text(list, "source")} (gitops serve --repo and --path choose it)");
        }));

        Command approvals = RemoteCommands.With(new Command("approvals", "Gates waiting for people, and whether you may decide each") { output });
        approvals.SetAction((parse, ct) => List(parse, output, async client =>
        {
            JsonElement list = await client.GetAsync<JsonElement>("api/approvals", ct);
            return (list, list.EnumerateArray().ToList(), new Column[]
            {
                new("RUN", a => TableOutput.Text(a, "runId")),
                new("NODE", a => TableOutput.Text(a, "node")),
                new("APPROVERS", a => a.GetProperty("policy").GetProperty("approvers").GetArrayLength() == 0 ? "any approver" : TableOutput.Text(a.GetProperty("policy"), "approvers")),
                new("QUORUM", a => $"{a.GetProperty("approvedBy").GetArrayLength()}/{TableOutput.Text(a.GetProperty("policy"), "quorum")}"),
                new("YOU MAY DECIDE", a => a.GetProperty("mayDecide").GetBoolean() ? "yes" : "no"),
                new("DEADLINE", a => TableOutput.Text(a, "deadline"), Wide: true),
                new("WHY NOT", a => TableOutput.Text(a, "refusal"), Wide: true),
            }, "No gates are waiting.");
        }));

        return new Command("list", "List runs, workflows or waiting approvals on the server") { runs, workflows, approvals };
    }

    static Task<int> List(ParseResult parse, Option<string?> output, Func<Remote.ServerClient, Task<(JsonElement Document, List<JsonElement> Rows, Column[] Columns, string Empty)>> fetch)
    {
        string? format = parse.GetValue(output);
        if (TableOutput.Check(format) is string problem)
        {
            Console.Error.WriteLine($"error: {problem}");
            return Task.FromResult(ExitCodes.Usage);
        }

        return RemoteCommands.Call(parse, async client =>
        {
            var (document, rows, columns, empty) = await fetch(client);
            TableOutput.Write(Console.Out, format, document, rows, columns, empty);
            return ExitCodes.Succeeded;
        });
    }
}
