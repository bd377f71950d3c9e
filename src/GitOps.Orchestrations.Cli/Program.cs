using System.CommandLine;
using GitOps.Orchestrations.Cli.Commands;

RootCommand root = new("gitops: workflows and progressive delivery as durable orchestrations, defined in Git")
{
    ValidateCommand.Create(),
    RunCommand.Create(),
    ServeCommand.Create(),
    RenderCommand.Create(),
    AnalyzeCommand.Create(),
    RolloutCommands.Create(),
    PipelineCommands.Create(),
    PipelineCommands.Promote(),
    SubmitCommand.Create(),
    ListCommand.Create(),
    KeysCommands.Create(),
};
foreach (Command session in LoginCommands.Create())
{
    root.Subcommands.Add(session);
}

foreach (Command remote in RemoteCommands.Create())
{
    root.Subcommands.Add(remote);
}

ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Try 'gitops --help'.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync();
