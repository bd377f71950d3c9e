using System.CommandLine;
using System.Text.Json;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops submit WORKFLOW [-p name=value] [--revision REF] [--watch]</c>: starts a run of a
/// workflow the server serves, as <c>argo submit</c> does, and prints its id (or follows it).
/// </summary>
internal static class SubmitCommand
{
    public static Command Create()
    {
        Argument<string> workflow = new("workflow") { Description = "A workflow's name, as gitops list workflows shows it" };
        Option<string[]> parameters = new("--param", "-p") { Description = "A param as name=value (repeatable)" };
        Option<string?> revision = new("--revision") { Description = "A branch, tag or SHA of the served repository (default: the served branch)" };
        Option<bool> watch = new("--watch", "-w") { Description = "Follow the run until it ends; exit 0 only if it Succeeded" };
        Command command = RemoteCommands.With(new Command("submit", "Start a run on the server") { workflow, parameters, revision, watch, RemoteCommands.Output });
        command.SetAction((parse, ct) =>
        {
            Dictionary<string, string> given;
            try
            {
                given = RunCommand.ParseParams(parse.GetValue(parameters) ?? []);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(ExitCodes.Usage);
            }

            string? format = parse.GetValue(RemoteCommands.Output);
            if (format is not (null or "json"))
            {
                Console.Error.WriteLine($"error: unknown --output '{format}' (use json)");
                return Task.FromResult(ExitCodes.Usage);
            }

            return RemoteCommands.Call(parse, async client =>
            {
                JsonElement started = await client.PostAsync(
                    $"api/workflows/{Uri.EscapeDataString(parse.GetValue(workflow)!)}/runs",
                    new { @params = given, revision = parse.GetValue(revision) },
                    ct);
                string id = started.GetProperty("id").GetString()!;
                if (format == "json")
                {
                    Console.Out.WriteLine(started.GetRawText());
                }
                else if (!parse.GetValue(watch))
                {
                    // The id alone on stdout, so that id=$(gitops submit ...) works; the rest is for people.
                    Console.Out.WriteLine(id);
                    Console.Error.WriteLine($"started {started.GetProperty("workflow").GetString()} at {started.GetProperty("revision").GetString()}; follow it with: gitops watch {id}");
                }

                return parse.GetValue(watch) ? await RemoteCommands.Follow(client, id, ct) : ExitCodes.Succeeded;
            });
        });
        return command;
    }
}
