using System.CommandLine;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>Every <c>gitops</c> command, in one tree; the tests parse the documented command lines against it.</summary>
internal static class GitopsCommand
{
    sealed class VersionAction : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.Out.WriteLine(VersionText.Describe(typeof(GitopsCommand).Assembly));
            return ExitCodes.Succeeded;
        }
    }

    public static RootCommand Create()
    {
        RootCommand root = new("gitops: workflows and progressive delivery as durable orchestrations, defined in Git")
        {
            ValidateCommand.Create(),
            ImportCommand.Create(),
            SchemaCommand.Create(),
            RunCommand.Create(),
            ServeCommand.Create(),
            RenderCommand.Create(),
            SealCommand.Create(),
            AnalyzeCommand.Create(),
            RolloutCommands.Create(),
            PipelineCommands.Create(),
            PipelineCommands.Promote(),
            SubmitCommand.Create(),
            ListCommand.Create(),
            KeysCommands.Create(),
            DemoAppCommand.Create(),
            ChartsCommands.Create(),
        };
        foreach (Command command in RemoteCommands.Create().Concat(LoginCommands.Create()))
        {
            root.Subcommands.Add(command);
        }

        // --version says which build this is: the version and the commit, not the bare assembly version.
        VersionOption version = root.Options.OfType<VersionOption>().Single();
        version.Action = new VersionAction();
        return root;
    }
}
