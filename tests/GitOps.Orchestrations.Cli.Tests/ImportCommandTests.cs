using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary><c>gitops import argo</c> as a migrating team runs it: a folder in, a folder out that validates, a report on stderr.</summary>
public sealed class ImportCommandTests
{
    [Fact]
    public async Task A_folder_of_argo_yaml_is_written_as_a_folder_that_validates_with_a_positioned_report()
    {
        string output = Directory.CreateTempSubdirectory("gitops-import").FullName;
        CliResult imported = await Gitops.RunAsync(["import", "argo", "samples/argo", "--out", output]);
        Assert.True(imported.ExitCode == 0, imported.Stdout + imported.Stderr);
        Assert.Equal(string.Empty, imported.Stdout);
        Assert.Contains("samples/argo/not-offered.yaml:43:7: dropped: template configure.resource:", imported.Stderr, StringComparison.Ordinal);
        Assert.Contains("15 file(s) read, 23 document(s) written;", imported.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "dag-diamond.yaml")));

        CliResult validated = await Gitops.RunAsync(["validate", output]);
        Assert.True(validated.ExitCode == 0, validated.Stdout + validated.Stderr);
        Assert.Contains("14 workflow(s), 2 rollout(s), 0 pipeline(s), 2 analysis template(s), 0 policies: ok", validated.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strict_fails_only_when_something_was_dropped_and_without_out_the_yaml_goes_to_stdout()
    {
        CliResult clean = await Gitops.RunAsync(["import", "argo", "samples/argo/dag-diamond.yaml", "--strict"]);
        Assert.True(clean.ExitCode == 0, clean.Stderr);
        Assert.Contains("kind: Workflow", clean.Stdout, StringComparison.Ordinal);
        Assert.Contains("# from samples/argo/dag-diamond.yaml:14:13", clean.Stdout, StringComparison.Ordinal);

        CliResult lossy = await Gitops.RunAsync(["import", "argo", "samples/argo/not-offered.yaml", "--strict"]);
        Assert.Equal(1, lossy.ExitCode);
        CliResult lenient = await Gitops.RunAsync(["import", "argo", "samples/argo/not-offered.yaml"]);
        Assert.Equal(0, lenient.ExitCode);
    }

    [Fact]
    public async Task It_never_overwrites_its_sources_and_an_unreadable_file_is_an_error()
    {
        string folder = Directory.CreateTempSubdirectory("gitops-import").FullName;
        File.Copy(Path.Combine(Gitops.RepoRoot, "samples", "argo", "cron.yaml"), Path.Combine(folder, "cron.yaml"));
        CliResult refused = await Gitops.RunAsync(["import", "argo", folder, "--out", folder]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("would overwrite a source file", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("CronWorkflow", File.ReadAllText(Path.Combine(folder, "cron.yaml")), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder, "broken.yaml"), "kind: Workflow\nspec: [unclosed\n");
        CliResult broken = await Gitops.RunAsync(["import", "argo", Path.Combine(folder, "broken.yaml")]);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("broken.yaml:3:1: error: yaml:", broken.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", broken.Stderr, StringComparison.Ordinal);
    }
}
