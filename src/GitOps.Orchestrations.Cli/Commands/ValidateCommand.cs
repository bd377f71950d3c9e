using System.CommandLine;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting.Plugins;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary><c>gitops validate PATH...</c>: one <c>file:line:col: error: message</c> line per problem.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        Argument<string[]> paths = new("paths") { Description = "Workflow files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        Option<string?> plugins = new("--plugins") { Description = "Folder of custom task types whose with: blocks to check too" };
        Command command = new("validate", "Check workflow files without running them") { paths, plugins };
        command.SetAction(parse =>
        {
            TaskTypeRegistry taskTypes;
            try
            {
                taskTypes = TaskTypePlugins.Registry(parse.GetValue(plugins));
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            var files = new List<SourceFile>();
            foreach (string path in parse.GetValue(paths)!)
            {
                try
                {
                    files.AddRange(WorkflowSource.ReadFromDisk(path));
                }
                catch (FileNotFoundException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return ExitCodes.Failed;
                }
            }

            WorkflowCatalog catalog = WorkflowCatalog.Load(files, taskTypes);
            foreach (Diagnostic diagnostic in catalog.Diagnostics)
            {
                Console.WriteLine(diagnostic);
            }

            Console.Error.WriteLine(catalog.Diagnostics.Count == 0
                ? $"{files.Count} file(s), {catalog.Workflows.Count} workflow(s), {catalog.Rollouts.Count} rollout(s), {catalog.Pipelines.Count} pipeline(s), {catalog.AnalysisTemplates.Count} analysis template(s), {catalog.Policies.Count} polic{(catalog.Policies.Count == 1 ? "y" : "ies")}: ok"
                : $"{catalog.Diagnostics.Count} problem(s) in {files.Count} file(s)");
            return catalog.Diagnostics.Count == 0 ? ExitCodes.Succeeded : ExitCodes.Failed;
        });
        return command;
    }
}
