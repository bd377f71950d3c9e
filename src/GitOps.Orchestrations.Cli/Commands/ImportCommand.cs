using System.CommandLine;
using GitOps.Orchestrations.Core.Import;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops import argo PATH... [--out DIR] [--strict]</c>: Argo YAML written as this engine's kinds.
/// The report goes to stderr, one <c>file:line:col: changed|dropped|error: construct: why</c> line
/// per construct that did not carry over as it was; the YAML to <c>--out</c>, or to stdout.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        Argument<string[]> paths = new("paths") { Description = "Argo YAML files or folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        Option<string?> output = new("--out") { Description = "Folder to write the imported files to, keeping the sources' relative paths; stdout when absent" };
        Option<bool> strict = new("--strict") { Description = "Exit 1 when anything was dropped" };
        Command argo = new("argo", "Import Argo Workflows and Argo Rollouts YAML (Workflow, WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow, Rollout, AnalysisTemplate, ClusterAnalysisTemplate)")
        {
            paths, output, strict,
        };
        argo.SetAction(parse =>
        {
            var sources = new List<(SourceFile File, string Target)>();
            foreach (string path in parse.GetValue(paths)!)
            {
                try
                {
                    bool folder = Directory.Exists(path);
                    foreach (SourceFile file in WorkflowSource.ReadFromDisk(path))
                    {
                        sources.Add((file, folder ? Path.GetRelativePath(path, file.Path) : Path.GetFileName(file.Path)));
                    }
                }
                catch (FileNotFoundException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return ExitCodes.Usage;
                }
            }

            ImportResult result = ArgoImport.Run(sources.Select(s => s.File));
            foreach (ImportNote note in result.Notes)
            {
                Console.Error.WriteLine(note);
            }

            string? folderOut = parse.GetValue(output);
            if (folderOut is null)
            {
                Console.Out.Write(string.Join("---\n", result.Files.Select(f => f.Text)));
            }
            else if (Write(folderOut, result, sources) is string problem)
            {
                Console.Error.WriteLine($"error: {problem}");
                return ExitCodes.Usage;
            }

            int dropped = result.Notes.Count(n => n.Fate == ImportFate.Dropped);
            int errors = result.Notes.Count(n => n.Fate == ImportFate.Error);
            Console.Error.WriteLine($"{sources.Count} file(s) read, {result.Files.Sum(f => f.Documents)} document(s) written; {result.Notes.Count(n => n.Fate == ImportFate.Changed)} changed, {dropped} dropped, {errors} error(s)");
            return errors > 0 || (parse.GetValue(strict) && dropped > 0) ? ExitCodes.Failed : ExitCodes.Succeeded;
        });
        return new Command("import", "Import workflows written for other tools") { argo };
    }

    static string? Write(string folder, ImportResult result, List<(SourceFile File, string Target)> sources)
    {
        var targets = result.Files.Select(f => (f.Text, Path: Path.GetFullPath(Path.Combine(folder, sources.First(s => s.File.Path == f.Path).Target)))).ToList();
        var inputs = sources.Select(s => Path.GetFullPath(s.File.Path)).ToHashSet(StringComparer.Ordinal);
        if (targets.FirstOrDefault(t => inputs.Contains(t.Path)) is { Path: not null } clash)
        {
            return $"writing {clash.Path} would overwrite a source file; choose another --out";
        }

        foreach (var (text, path) in targets)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        return null;
    }
}
