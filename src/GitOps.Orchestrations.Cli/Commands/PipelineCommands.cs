using System.CommandLine;
using System.Text.Json;
using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Promotion;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops pipeline list|status|history|promote|approve|reject</c>, over the API. Freight is named
/// by the id <c>status</c> shows.
/// </summary>
internal static class PipelineCommands
{
    public static Command Create()
    {
        Argument<string> name = new("pipeline") { Description = "The pipeline's name" };
        Option<string> stage = new("--stage") { Description = "The stage", Required = true };
        Option<string> freight = new("--freight") { Description = "The freight's id", Required = true };
        Option<string?> comment = new("--comment", "-m") { Description = "Why; recorded with the action" };

        Command list = RemoteCommands.With(new Command("list", "The branch's pipelines and what their stages run") { RemoteCommands.Output });
        list.SetAction((parse, ct) => RemoteCommands.Call(parse, async client =>
        {
            List<PipelineView> pipelines = await client.GetAsync<List<PipelineView>>("api/pipelines", ct);
            if (parse.GetValue(RemoteCommands.Output) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(pipelines, GitOpsApi.Json));
                return ExitCodes.Succeeded;
            }

            if (pipelines.Count == 0)
            {
                Console.Error.WriteLine("No pipelines: the server found no kind: Pipeline in the folder it serves (gitops serve --repo and --path choose it; docs/pipelines.md shows one)");
            }

            foreach (PipelineView pipeline in pipelines)
            {
                TerminalText.WriteLine($"{pipeline.Name}: " + string.Join(" -> ", pipeline.Stages.Select(s =>
                    $"{s} [{(pipeline.Status?.Stages?.TryGetValue(s, out StageState? state) == true ? state!.Current ?? "-" : "not running")}]")));
            }

            return ExitCodes.Succeeded;
        }));

        Command status = RemoteCommands.With(new Command("status", "Freight, and per stage what it runs and waits for") { name, RemoteCommands.Output });
        status.SetAction((parse, ct) => Show(parse, name, history: false, ct));
        Command history = RemoteCommands.With(new Command("history", "Every promotion of every stage, with its outcome") { name, RemoteCommands.Output });
        history.SetAction((parse, ct) => Show(parse, name, history: true, ct));

        Command promote = Promote("promote");
        Command approve = RemoteCommands.With(new Command("approve", "Approve a freight for a stage") { name, stage, freight, comment });
        approve.SetAction((parse, ct) => Act(parse, "approvals", name, new PipelineActionRequest { Stage = parse.GetValue(stage), Freight = parse.GetValue(freight), Decision = "approve", Comment = parse.GetValue(comment) }, ct));
        Command reject = RemoteCommands.With(new Command("reject", "Reject a freight for a stage") { name, stage, freight, comment });
        reject.SetAction((parse, ct) => Act(parse, "approvals", name, new PipelineActionRequest { Stage = parse.GetValue(stage), Freight = parse.GetValue(freight), Decision = "reject", Comment = parse.GetValue(comment) }, ct));

        return new Command("pipeline", "Watch and steer promotion pipelines") { list, status, history, promote, approve, reject };
    }

    /// <summary><c>gitops promote PIPELINE --freight ID --stage NAME</c>, also under <c>gitops pipeline</c>.</summary>
    public static Command Promote(string verb = "promote")
    {
        Argument<string> name = new("pipeline") { Description = "The pipeline's name" };
        Option<string> stage = new("--stage") { Description = "The stage", Required = true };
        Option<string> freight = new("--freight") { Description = "The freight's id", Required = true };
        Option<string?> comment = new("--comment", "-m") { Description = "Why; recorded with the action" };
        Command promote = RemoteCommands.With(new Command(verb, "Promote a freight into a stage of a pipeline (also to roll back to an older one)") { name, stage, freight, comment });
        promote.SetAction((parse, ct) => Act(parse, "promote", name, new PipelineActionRequest { Stage = parse.GetValue(stage), Freight = parse.GetValue(freight), Comment = parse.GetValue(comment) }, ct));
        return promote;
    }

    static Task<int> Show(ParseResult parse, Argument<string> name, bool history, CancellationToken ct) =>
        RemoteCommands.Call(parse, async client =>
        {
            PipelineStatus status = await client.GetAsync<PipelineStatus>($"api/pipelines/{Uri.EscapeDataString(parse.GetValue(name)!)}", ct);
            if (parse.GetValue(RemoteCommands.Output) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(status, GitOpsApi.Json));
                return ExitCodes.Succeeded;
            }

            if (!history)
            {
                foreach (Freight freight in Enumerable.Reverse(status.Freight ?? []))
                {
                    TerminalText.WriteLine($"freight {freight}");
                }
            }

            foreach (var (stageName, state) in status.Stages ?? new Dictionary<string, StageState>())
            {
                if (history)
                {
                    foreach (StageHistoryEntry entry in state.History)
                    {
                        TerminalText.WriteLine($"{entry.At:u} {stageName} {entry.Freight} {entry.Outcome}");
                    }

                    continue;
                }

                TerminalText.WriteLine($"{stageName}: runs {state.Current ?? "nothing yet"}" + (state.Waiting is null ? string.Empty : $"; {state.Waiting}"));
                foreach (var (id, decisions) in state.Approvals)
                {
                    TerminalText.WriteLine($"  {id}: " + string.Join(", ", decisions.Select(d => $"{d.Decision} by {d.By}")));
                }
            }

            return ExitCodes.Succeeded;
        });

    static Task<int> Act(ParseResult parse, string route, Argument<string> name, PipelineActionRequest body, CancellationToken ct) =>
        RemoteCommands.Call(parse, async client =>
        {
            await client.PostAsync($"api/pipelines/{Uri.EscapeDataString(parse.GetValue(name)!)}/{route}", body, ct);
            TerminalText.WriteLine($"{body.Decision ?? "promote"}: {body.Freight} into {body.Stage} of {parse.GetValue(name)}");
            return ExitCodes.Succeeded;
        });
}
