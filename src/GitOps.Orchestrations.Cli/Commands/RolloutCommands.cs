using System.CommandLine;
using System.Text.Json;
using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Cli.Remote;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops rollout status|promote|abort|retry RUN_ID [--node NAME]</c>, over the API. The node
/// may be left out when the run has one rollout, which is the case for a rollout started on its own.
/// </summary>
internal static class RolloutCommands
{
    public static Command Create()
    {
        Argument<string> run = new("run") { Description = "The run id" };
        Option<string?> node = new("--node") { Description = "The uses: rollout step; needed only when the run has more than one" };
        Option<string?> reason = new("--reason") { Description = "Why; recorded in the rollout's events and the audit log" };
        Option<bool> full = new("--full") { Description = "Skip every remaining step and promote" };

        Command status = RemoteCommands.With(new Command("status", "Show a rollout's step, weight, pause, analyses and events") { run, node, RemoteCommands.Output });
        status.SetAction((parse, ct) => RemoteCommands.Call(parse, async client =>
        {
            RolloutView rollout = await FindAsync(client, parse.GetValue(run)!, parse.GetValue(node), ct);
            if (parse.GetValue(RemoteCommands.Output) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(rollout, GitOpsApi.Json));
            }
            else
            {
                Print(rollout, parse.GetValue(run)!);
            }

            return rollout.Status?.Phase == RolloutPhase.Degraded ? ExitCodes.Failed : ExitCodes.Succeeded;
        }));

        Command promote = RemoteCommands.With(new Command("promote", "Move past the current pause or analysis; --full skips every remaining step") { run, node, full, reason });
        promote.SetAction((parse, ct) => Act(parse, "promote", run, node, new RolloutActionRequest { Full = parse.GetValue(full), Reason = parse.GetValue(reason) }, ct));
        Command abort = RemoteCommands.With(new Command("abort", "Abort: traffic back to stable, canary scaled down") { run, node, reason });
        abort.SetAction((parse, ct) => Act(parse, "abort", run, node, new RolloutActionRequest { Reason = parse.GetValue(reason) }, ct));
        Command retry = RemoteCommands.With(new Command("retry", "Start an aborted rollout again, as a new run") { run, node, reason });
        retry.SetAction((parse, ct) => Act(parse, "retry", run, node, new RolloutActionRequest { Reason = parse.GetValue(reason) }, ct));

        return new Command("rollout", "Watch and steer the rollouts of a run") { status, promote, abort, retry };
    }

    static Task<int> Act(ParseResult parse, string action, Argument<string> run, Option<string?> node, RolloutActionRequest body, CancellationToken ct) =>
        RemoteCommands.Call(parse, async client =>
        {
            string id = parse.GetValue(run)!;
            RolloutView rollout = await FindAsync(client, id, parse.GetValue(node), ct);
            JsonElement answer = await client.PostAsync($"api/runs/{Uri.EscapeDataString(id)}/rollouts/{Uri.EscapeDataString(rollout.Node)}/{action}", body, ct);
            Console.Out.WriteLine(action == "retry"
                ? answer.GetProperty("id").GetString()
                : $"{(action == "promote" && body.Full ? "promote --full" : action)}: rollout {rollout.Node} of {id}");
            return ExitCodes.Succeeded;
        });

    static async Task<RolloutView> FindAsync(ServerClient client, string run, string? node, CancellationToken ct)
    {
        List<RolloutView> rollouts = await client.GetAsync<List<RolloutView>>($"api/runs/{Uri.EscapeDataString(run)}/rollouts", ct);
        if (node is not null)
        {
            return rollouts.FirstOrDefault(r => r.Node == node)
                ?? throw new ServerProblemException(404, $"run '{run}' has no rollout at node '{node}' (rollouts: {Names(rollouts)})");
        }

        return rollouts.Count == 1
            ? rollouts[0]
            : throw new ServerProblemException(400, rollouts.Count == 0 ? $"run '{run}' has no rollout" : $"run '{run}' has {rollouts.Count} rollouts ({Names(rollouts)}); name one with --node");
    }

    static string Names(List<RolloutView> rollouts) => rollouts.Count == 0 ? "none" : string.Join(", ", rollouts.Select(r => r.Node));

    static void Print(RolloutView rollout, string runId)
    {
        RolloutStatus? status = rollout.Status;
        if (status is null)
        {
            TerminalText.WriteLine($"rollout {rollout.Node}: starting");
            return;
        }

        string step = status.Strategy == "canary" ? $", step {Math.Min(status.CurrentStep + 1, status.Steps)}/{status.Steps}" + (status.StepDescription is null ? string.Empty : $" ({status.StepDescription})") : string.Empty;
        TerminalText.WriteLine($"rollout {status.Rollout} ({status.Strategy}) at node {rollout.Node}: {status.Phase}{step}, weight {status.Weight}");
        TerminalText.WriteLine($"  image {status.Image}; stable {status.StableImage}");
        if (status.PauseReason is not null)
        {
            TerminalText.WriteLine($"  paused: {status.PauseReason}");
        }

        if (status.Gate is { } gate)
        {
            TerminalText.WriteLine($"  ? {gate.Node} {gate.Describe()}; approve with: gitops approve {runId} {gate.Node}");
        }

        foreach (RolloutAnalysisRecord analysis in status.Analyses)
        {
            TerminalText.WriteLine($"  analysis {analysis.Name}: {analysis.Phase}, {analysis.Measurements.Count} measurements" +
                (analysis.Measurements.Count > 0 ? $"; last {analysis.Measurements[^1].Metric} = {analysis.Measurements[^1].ValueText} ({analysis.Measurements[^1].Phase})" : string.Empty));
        }

        foreach (RolloutEvent e in status.Events.TakeLast(15))
        {
            TerminalText.WriteLine($"  {e.At:HH:mm:ss} {e.What}" + (e.By == "engine" ? string.Empty : $" [{e.By}]"));
        }
    }
}
