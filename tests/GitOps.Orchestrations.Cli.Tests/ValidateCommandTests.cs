namespace GitOps.Orchestrations.Cli.Tests;

public class ValidateCommandTests
{
    [Fact]
    public async Task The_shipped_workflows_are_valid()
    {
        CliResult result = await Gitops.RunAsync(["validate", "workflows/"]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("ok", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_file_gets_one_positioned_line_per_problem_and_exit_1()
    {
        string dir = Directory.CreateTempSubdirectory("gitops-validate").FullName;
        File.WriteAllText(Path.Combine(dir, "broken.yaml"), """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: broken}
            spec:
              tasks:
                - {name: a, uses: log, with: {message: hi}, retries: 3}
                - {name: b, uses: shell, depends: a}
                - {name: c, uses: log, depends: "a && ghost", with: {message: x}}
            """);
        File.WriteAllText(Path.Combine(dir, "syntax.yml"), "kind: Workflow\nspec: [unclosed\n");
        CliResult result = await Gitops.RunAsync(["validate", dir]);
        Assert.Equal(1, result.ExitCode);
        string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string broken = Path.GetRelativePath(Gitops.RepoRoot, Path.Combine(dir, "broken.yaml"));
        string syntax = Path.GetRelativePath(Gitops.RepoRoot, Path.Combine(dir, "syntax.yml"));
        Assert.Contains($"{broken}:6:49: error: unknown field 'retries' in a task (allowed: continueOn, depends, name, retry, timeout, uses, when, with, withItems, withParam, withSequence)", lines);
        Assert.Contains($"{broken}:7:23: error: unknown task type 'shell' (known: analysis, apply, approval, diff, drift, git-commit, helm-publish, http, log, render, rollout, sync, wait, workflow)", lines);
        Assert.Contains($"{broken}:8:43: error: depends names unknown task 'ghost'", lines);
        Assert.Contains(lines, l => l.StartsWith($"{syntax}:3:1: error:", StringComparison.Ordinal));
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task A_missing_path_is_an_error_not_a_crash()
    {
        CliResult result = await Gitops.RunAsync(["validate", "no/such/dir"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such file or folder", result.Stderr, StringComparison.Ordinal);
    }
}
