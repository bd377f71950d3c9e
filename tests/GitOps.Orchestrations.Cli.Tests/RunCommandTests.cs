using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

public class RunCommandTests
{
    const string Header = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\n";

    static string WriteWorkflow(string yaml)
    {
        string dir = Directory.CreateTempSubdirectory("gitops-run").FullName;
        string file = Path.Combine(dir, "workflow.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    [Fact]
    public async Task The_sample_runs_to_Succeeded_and_prints_the_final_status_as_json()
    {
        CliResult result = await Gitops.RunAsync(["run", "workflows/hello-dag.yaml", "--approve", "gate", "--output", "json", "-p", "greeting=hi"]);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        JsonElement run = json.RootElement;
        Assert.Equal("hello-dag", run.GetProperty("workflow").GetString());
        Assert.Equal("Succeeded", run.GetProperty("phase").GetString());
        Assert.False(string.IsNullOrEmpty(run.GetProperty("id").GetString()));
        Assert.False(string.IsNullOrEmpty(run.GetProperty("revision").GetString()));
        JsonElement[] nodes = [.. run.GetProperty("nodes").EnumerateArray()];
        Assert.Equal(["start", "fan", "pause", "gate", "report", "cleanup", "onExit"], nodes.Select(n => n.GetProperty("name").GetString()));
        JsonElement start = nodes[0];
        Assert.Equal("Succeeded", start.GetProperty("phase").GetString());
        Assert.Equal(1, start.GetProperty("attempts").GetInt32());
        Assert.True(start.GetProperty("finishedAt").GetDateTime() >= start.GetProperty("startedAt").GetDateTime());
        Assert.StartsWith("hi from hello-dag at ", start.GetProperty("outputs").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Omitted", nodes[5].GetProperty("phase").GetString());
        Assert.Equal("hello-dag finished Succeeded", nodes[6].GetProperty("outputs").GetProperty("message").GetString());
        // Progress goes to stderr when stdout carries JSON, so the JSON stays parseable.
        Assert.Contains("✓ start", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_exits_1()
    {
        string file = WriteWorkflow(Header + "metadata: {name: fails}\nspec:\n  tasks:\n    - {name: gate, uses: approval, with: {timeout: 1s}}\n");
        CliResult result = await Gitops.RunAsync(["run", file]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("✗ gate", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Failed: gate failed", result.Stdout, StringComparison.Ordinal);

        // Not asserted here: the waiting gate's hint. The gate waits one second, which a busy
        // machine can pass between two polls of the watcher; ServerStateTests waits for that line
        // at a gate that waits until decided.
    }

    [Theory]
    [InlineData("--store", "postgres://nope", "unknown store 'postgres://nope'")]
    [InlineData("-p", "novalue", "must be written name=value")]
    [InlineData("-p", "nope=1", "has no param 'nope'")]
    [InlineData("--output", "yaml", "unknown --output 'yaml'")]
    public async Task Usage_errors_exit_2(string option, string value, string message)
    {
        CliResult result = await Gitops.RunAsync(["run", "workflows/hello-dag.yaml", option, value]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_workflow_exits_2_with_positioned_errors()
    {
        string file = WriteWorkflow(Header + "metadata: {name: bad}\nspec:\n  tasks:\n    - {name: a, uses: nope}\n");
        CliResult result = await Gitops.RunAsync(["run", file]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("workflow.yaml:6:23: error: unknown task type 'nope'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_outside_git_runs_as_local()
    {
        string file = WriteWorkflow(Header + "metadata: {name: loose}\nspec:\n  tasks: [{name: a, uses: log, with: {message: '{{workflow.revision}}'}}]\n");
        CliResult result = await Gitops.RunAsync(["run", file, "-o", "json"]);
        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("local", json.RootElement.GetProperty("revision").GetString());
    }

    [Fact]
    public async Task Engine_logs_go_to_stderr_so_json_output_stays_parseable()
    {
        string file = WriteWorkflow(Header + "metadata: {name: chatty}\nspec:\n  tasks: [{name: a, uses: log, with: {message: hello}}]\n");
        CliResult result = await Gitops.RunAsync(["run", file, "-o", "json", "--verbose"]);
        Assert.Equal(0, result.ExitCode);
        Assert.NotEqual("", result.Stderr.Trim());
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("Succeeded", json.RootElement.GetProperty("phase").GetString());
    }

    [Fact]
    public async Task Control_characters_from_params_are_escaped_in_logs()
    {
        string file = WriteWorkflow(Header + "metadata: {name: forger}\nspec:\n  params: [{name: msg}]\n  tasks: [{name: a, uses: log, with: {message: '{{params.msg}}'}}]\n");
        CliResult result = await Gitops.RunAsync(["run", file, "-p", "msg=ok\r\ninfo: forged line\u001b[31mred", "--verbose"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ok\\r\\ninfo: forged line\\u001b[31mred", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Stderr);
        Assert.DoesNotContain("\ninfo: forged line", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_store_can_come_from_the_environment_rather_than_the_command_line()
    {
        string file = WriteWorkflow(Header + "metadata: {name: stored}\nspec:\n  tasks: [{name: a, uses: log, with: {message: x}}]\n");
        CliResult result = await Gitops.RunAsync(["run", file], new Dictionary<string, string> { ["GITOPS_STORE"] = "punched-cards" });
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown store 'punched-cards'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workflow_from_git_is_pinned_to_the_commit_it_was_resolved_from()
    {
        using var repo = new GitRepository();
        string v1 = repo.Commit("v1", ("workflows/hello.yaml", Header + "metadata: {name: hello}\nspec:\n  tasks: [{name: say, uses: log, with: {message: 'version one'}}]\n"));
        repo.Tag("v1");
        string v2 = repo.Commit("v2", ("workflows/hello.yaml", Header + "metadata: {name: hello}\nspec:\n  tasks: [{name: say, uses: log, with: {message: 'version two'}}]\n"));
        // An uncommitted edit must not leak into a run pinned to a revision.
        File.WriteAllText(Path.Combine(repo.Path, "workflows", "hello.yaml"), "not even yaml: [");

        CliResult atTag = await Gitops.RunAsync(["run", "hello", "--repo", repo.Path, "--revision", "v1", "-o", "json"]);
        CliResult atHead = await Gitops.RunAsync(["run", "hello", "--repo", repo.Path, "-o", "json"]);
        Assert.True(atTag.ExitCode == 0, atTag.Stderr);
        Assert.True(atHead.ExitCode == 0, atHead.Stderr);
        using JsonDocument tag = JsonDocument.Parse(atTag.Stdout);
        using JsonDocument head = JsonDocument.Parse(atHead.Stdout);
        Assert.Equal(v1, tag.RootElement.GetProperty("revision").GetString());
        Assert.Equal(v2, head.RootElement.GetProperty("revision").GetString());
        Assert.Equal("version one", tag.RootElement.GetProperty("nodes")[0].GetProperty("outputs").GetProperty("message").GetString());
        Assert.Equal("version two", head.RootElement.GetProperty("nodes")[0].GetProperty("outputs").GetProperty("message").GetString());

        CliResult missing = await Gitops.RunAsync(["run", "hello", "--repo", repo.Path, "--revision", "v9"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("revision 'v9' does not exist", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_template_of_another_repository_runs_at_the_commit_the_workflow_pins()
    {
        await using GitServers servers = await GitServers.StartAsync();
        using var templates = new GitRepository();
        string pinned = templates.Commit("greet", ("workflows/greet.yaml", "apiVersion: gitops.orchestrations/v1\nkind: WorkflowTemplate\nmetadata: {name: greet}\nspec:\n  inputs: [{name: who}]\n  task: {uses: log, with: {message: 'hello {{params.who}}'}}\n"));
        servers.Publish("templates.git", templates);
        string folder = Directory.CreateTempSubdirectory("gitops-remote-template").FullName;
        string file = Path.Combine(folder, "hello.yaml");
        File.WriteAllText(file, Header + $"metadata: {{name: hello}}\nspec:\n  tasks:\n    - {{name: say, templateRef: {{name: greet, repo: \"{servers.GitUrl}/templates.git\", revision: \"{pinned}\"}}, with: {{who: platform}}}}\n");

        string cache = Directory.CreateTempSubdirectory("gitops-cache").FullName;
        CliResult result = await Gitops.RunAsync(["run", file, "-o", "json"], new Dictionary<string, string> { ["XDG_DATA_HOME"] = cache, ["HOME"] = cache });
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("Succeeded", json.RootElement.GetProperty("phase").GetString());
        Assert.Equal("hello platform", json.RootElement.GetProperty("nodes")[0].GetProperty("outputs").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_workflow_can_be_read_from_a_repository_url()
    {
        using var repo = new GitRepository();
        string sha = repo.Commit("init", ("workflows/hello.yaml", Header + "metadata: {name: hello}\nspec:\n  tasks: [{name: say, uses: log, with: {message: hi}}]\n"));
        string cache = Directory.CreateTempSubdirectory("gitops-cache").FullName;
        CliResult result = await Gitops.RunAsync(["run", "hello", "--repo", new Uri(repo.Path).AbsoluteUri, "-o", "json"], new Dictionary<string, string> { ["XDG_DATA_HOME"] = cache, ["HOME"] = cache });
        Assert.True(result.ExitCode == 0, result.Stderr);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(sha, json.RootElement.GetProperty("revision").GetString());
    }
}
