using GitOps.Orchestrations.Testing.Processes;

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
        Assert.Contains($"{broken}:6:49: error: unknown field 'retries' in a task (allowed: continueOn, dependencies, depends, hooks, name, onExit, outputs, parallelism, retry, templateRef, timeout, uses, when, with, withItems, withParam, withSequence)", lines);
        Assert.Contains($"{broken}:7:23: error: unknown task type 'shell' (known: analysis, apply, approval, diff, drift, git-commit, helm-publish, http, job, log, render, rollout, script, sync, template, wait, workflow)", lines);
        Assert.Contains($"{broken}:8:43: error: depends names unknown task 'ghost'", lines);
        Assert.Contains(lines, l => l.StartsWith($"{syntax}:3:1: error:", StringComparison.Ordinal));
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task Hostile_files_are_positioned_problems_and_the_sound_file_still_loads()
    {
        // A depends of 120,000 '!' once overflowed the stack of the depends parser, a when of
        // 50,000 terms the forbidden-construct walk, and an alias bomb in a Pipeline escaped the
        // budget workflows have: each killed the process. Now each is one line CI can read.
        string dir = Directory.CreateTempSubdirectory("gitops-validate").FullName;
        File.WriteAllText(Path.Combine(dir, "deep.yaml"), Task("deep", "depends: '" + new string('!', 120_000) + "a'"));
        File.WriteAllText(Path.Combine(dir, "wide.yaml"), Task("wide", "when: '" + string.Concat(Enumerable.Repeat("1+", 50_000)) + "1 == 2'"));
        string bomb = "[&a0 [lol, lol]" + string.Concat(Enumerable.Range(1, 10).Select(i => $", &a{i} [" + string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9)) + "]")) + "]";
        File.WriteAllText(Path.Combine(dir, "pipeline.yaml"),
            "apiVersion: gitops.orchestrations/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  sources: [{name: image, gitTags: {repo: https://example.com/r.git}}]\n  stages:\n"
            + "    - {name: dev, from: sources, promotion: {uses: log, with: {message: x, bomb: " + bomb + "}}}\n");
        File.WriteAllText(Path.Combine(dir, "ok.yaml"), Task("ok", "when: 'true'"));

        CliResult result = await Gitops.RunAsync(["validate", dir]);
        Assert.True(result.ExitCode == 1, result.Stdout + result.Stderr);
        Assert.DoesNotContain("Unhandled", result.Stderr, StringComparison.Ordinal);
        string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string Relative(string name) => Path.GetRelativePath(Gitops.RepoRoot, Path.Combine(dir, name));
        Assert.Equal(3, lines.Length);
        Assert.Contains($"{Relative("deep.yaml")}:10:17: error: invalid depends: depends is 120001 characters long; the limit is 8192", lines);
        Assert.Contains(lines, l => l.StartsWith($"{Relative("wide.yaml")}:10:14: error: invalid when: expression is 100006 characters long", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{Relative("pipeline.yaml")}:7:", StringComparison.Ordinal) && l.Contains("expands to too many nodes", StringComparison.Ordinal));
        Assert.Contains("3 problem(s) in 4 file(s)", result.Stderr, StringComparison.Ordinal);

        static string Task(string name, string field) =>
            $"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: {name}}}\nspec:\n  tasks:\n    - {{name: a, uses: log, with: {{message: x}}}}\n    - name: b\n      uses: log\n      with: {{message: x}}\n      {field}\n";
    }

    [Fact]
    public async Task A_missing_path_is_an_error_not_a_crash()
    {
        CliResult result = await Gitops.RunAsync(["validate", "no/such/dir"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such file or folder", result.Stderr, StringComparison.Ordinal);
    }
}
