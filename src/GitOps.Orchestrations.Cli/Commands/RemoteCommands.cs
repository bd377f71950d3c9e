using System.CommandLine;
using System.Text.Json;
using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Cli.Remote;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// The commands that talk to a running server: <c>status</c>, <c>watch</c>, <c>approve</c>,
/// <c>reject</c>, <c>terminate</c>, <c>retry</c>. Credentials come from <c>--api-key</c> or
/// <c>--token</c>, or from GITOPS_API_KEY / GITOPS_TOKEN; the server from <c>--server</c> or GITOPS_SERVER.
/// </summary>
internal static class RemoteCommands
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    static readonly Option<string?> Server = new("--server") { Description = $"The server's URL (env GITOPS_SERVER, else the one gitops login saved, else {DefaultServer})" };
    static readonly Option<string?> ApiKey = new("--api-key") { Description = "API key (env GITOPS_API_KEY, else the one gitops login saved)" };
    static readonly Option<string?> Token = new("--token") { Description = "Bearer token (env GITOPS_TOKEN, else the one gitops login saved)" };
    internal static readonly Option<string?> Output = new("--output", "-o") { Description = "json: print the server's JSON" };

    /// <summary>
    /// Where to call and as whom: each of the flag, then the environment, then the context
    /// <c>gitops login</c> saved. A key or token given by flag or environment replaces the saved
    /// credential rather than being sent beside it.
    /// </summary>
    internal static (string Server, string? ApiKey, string? Token) Target(ParseResult parse)
    {
        CliContext saved = CliContext.Load();
        string server = parse.GetValue(Server) ?? Environment.GetEnvironmentVariable("GITOPS_SERVER") ?? saved.Server ?? DefaultServer;
        string? key = parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("GITOPS_API_KEY");
        string? token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("GITOPS_TOKEN");
        bool savedServer = string.Equals(server.TrimEnd('/'), saved.Server?.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
        return key is null && token is null && savedServer ? (server, saved.ApiKey, saved.Token) : (server, key, token);
    }

    public static IEnumerable<Command> Create()
    {
        Argument<string> run = new("run") { Description = "The run id" };
        Argument<string> node = new("node") { Description = "The approval node (node.item inside a fan-out)" };
        Option<string?> comment = new("--comment", "-m") { Description = "Why; recorded with the decision" };
        Option<string?> reason = new("--reason") { Description = "Why; recorded in the audit log" };

        Command status = With(new Command("status", "Show a run's phase and nodes") { run, Output });
        status.SetAction((parse, ct) => Call(parse, async client =>
        {
            RunStatus found = await client.GetAsync<RunStatus>($"api/runs/{Uri.EscapeDataString(parse.GetValue(run)!)}", ct);
            if (parse.GetValue(Output) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(found, GitOpsApi.Json));
            }
            else
            {
                var view = new ProgressView(Console.Out, interactive: false);
                TerminalText.WriteLine($"{found.Workflow} run {found.Id} at {found.Revision}: {found.Phase}{(found.Suspended ? " (suspended)" : string.Empty)} {found.Message}");
                view.Update(found);
                // Every wait says who can end it and when it ends by itself.
                foreach (PendingGate gate in found.Gates)
                {
                    TerminalText.WriteLine($"  ? {gate.Node} {gate.Describe()}");
                }

                if (found.Suspended)
                {
                    Console.Out.WriteLine("  ? suspended: an operator resumes or terminates it");
                }

                if (found.WaitingForLock is { } wait)
                {
                    string held = wait.HeldBy.Count == 0 ? string.Empty : $", held by {string.Join(", ", wait.HeldBy)}";
                    string place = wait.Position is int position ? $"; place in line: {position}" : string.Empty;
                    TerminalText.WriteLine($"  ? waiting for {wait.Lock}{held}{place}: it starts when the lock is free");
                }
            }

            return found.Phase.IsTerminal() && found.Phase != WorkflowPhase.Succeeded ? ExitCodes.Failed : ExitCodes.Succeeded;
        }));

        Command watch = With(new Command("watch", "Follow a run live until it ends") { run });
        watch.SetAction((parse, ct) => Call(parse, client => Follow(client, parse.GetValue(run)!, ct)));

        Command approve = With(new Command("approve", "Approve a waiting gate") { run, node, comment });
        approve.SetAction((parse, ct) => Decide(parse, "approve", run, node, comment, ct));
        Command reject = With(new Command("reject", "Reject a waiting gate") { run, node, comment });
        reject.SetAction((parse, ct) => Decide(parse, "reject", run, node, comment, ct));

        Option<bool> force = new("--force") { Description = "End the run and what it started at once, without letting it abort its rollouts" };
        Command terminate = With(new Command("terminate", "Stop a run: it aborts its rollouts, stops what it started, and ends Terminated") { run, reason, force });
        terminate.SetAction((parse, ct) => Control(parse, "terminate", run, reason, ct, parse.GetValue(force)));
        Command retry = With(new Command("retry", "Rerun what failed in a run, as a new run") { run, reason });
        retry.SetAction((parse, ct) => Control(parse, "retry", run, reason, ct));

        return [status, watch, approve, reject, terminate, retry];
    }

    /// <summary>Draws a run live from its event stream until it ends; 0 only if it Succeeded.</summary>
    internal static async Task<int> Follow(ServerClient client, string runId, CancellationToken ct)
    {
        string id = Uri.EscapeDataString(runId);
        RunStatus current = await client.GetAsync<RunStatus>($"api/runs/{id}", ct);
        var view = new ProgressView(Console.Out, interactive: !Console.IsOutputRedirected);
        var nodes = current.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        view.Update(current);
        await foreach (ServerEvent e in client.EventsAsync($"api/runs/{id}/events", ct))
        {
            if (e.Type == "node" && JsonSerializer.Deserialize<NodeEvent>(e.Data, GitOpsApi.Json) is { } changed)
            {
                nodes[changed.Node.Name] = changed.Node;
            }
            else if (e.Type == "run" && JsonSerializer.Deserialize<RunEvent>(e.Data, GitOpsApi.Json) is { } phase)
            {
                current = current with { Phase = phase.Phase, Message = phase.Message, Suspended = phase.Suspended };
            }

            current = current with { Nodes = [.. nodes.Values] };
            view.Update(current);
        }

        view.Finish(current);
        return current.Phase == WorkflowPhase.Succeeded ? ExitCodes.Succeeded : ExitCodes.Failed;
    }

    internal static Command With(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(ApiKey);
        command.Options.Add(Token);
        return command;
    }

    static Task<int> Decide(ParseResult parse, string decision, Argument<string> run, Argument<string> node, Option<string?> comment, CancellationToken ct) =>
        Call(parse, async client =>
        {
            await client.PostAsync($"api/runs/{Uri.EscapeDataString(parse.GetValue(run)!)}/approvals/{Uri.EscapeDataString(parse.GetValue(node)!)}", new DecisionRequest { Decision = decision, Comment = parse.GetValue(comment) }, ct);
            TerminalText.WriteLine($"{(decision == "approve" ? "approved" : "rejected")} {parse.GetValue(node)} of {parse.GetValue(run)}");
            return ExitCodes.Succeeded;
        });

    static Task<int> Control(ParseResult parse, string action, Argument<string> run, Option<string?> reason, CancellationToken ct, bool force = false) =>
        Call(parse, async client =>
        {
            JsonElement answer = await client.PostAsync($"api/runs/{Uri.EscapeDataString(parse.GetValue(run)!)}/{action}", new ControlRequest { Reason = parse.GetValue(reason), Force = force }, ct);
            Console.Out.WriteLine(action == "retry"
                ? answer.GetProperty("id").GetString()
                : $"asked {parse.GetValue(run)} to stop{(force ? " at once" : string.Empty)}; follow it with: gitops watch {parse.GetValue(run)}");
            return ExitCodes.Succeeded;
        });

    internal static async Task<int> Call(ParseResult parse, Func<ServerClient, Task<int>> action)
    {
        (string address, string? apiKey, string? token) = Target(parse);
        if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? server) || server.Scheme is not ("http" or "https"))
        {
            Console.Error.WriteLine($"error: --server '{address}' is not an http or https URL");
            return ExitCodes.Usage;
        }

        using ServerClient? client = ServerClient.TryCreate(server, apiKey, token);
        if (client is null)
        {
            return ExitCodes.Usage;
        }

        try
        {
            return await action(client);
        }
        catch (ServerProblemException e) when (e.Status == 401)
        {
            Console.Error.WriteLine(apiKey is null && token is null
                ? $"error: {server} needs a caller: sign in once with 'gitops login {server} --api-key KEY' (gitops serve prints a key on its first start), or pass --api-key or --token"
                : $"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (ServerProblemException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"error: cannot reach {server}: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
