using System.CommandLine;
using GitOps.Orchestrations.Cli.Commands;

ParseResult parsed = GitopsCommand.Create().Parse(args);
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
