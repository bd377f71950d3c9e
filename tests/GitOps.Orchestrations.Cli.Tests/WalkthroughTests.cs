using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// A newcomer's walk through the README's tour on a fresh clone: the README's build line, then its
/// commands, verbatim, with the binary that build made, the server included. Commands that need a
/// cluster, a registry or the internet are left to the tests that have those (and say so there).
/// </summary>
public sealed partial class WalkthroughTests(FreshClone fresh) : IClassFixture<FreshClone>
{
    readonly string clone = fresh.Path;
    readonly string readme = File.ReadAllText(System.IO.Path.Combine(Gitops.RepoRoot, "README.md"));
    readonly Dictionary<string, string> environment = new() { ["GITOPS_CONFIG"] = System.IO.Path.Combine(fresh.Path, "..", $"context-{Guid.NewGuid():N}.json") };

    [Fact]
    public async Task The_readme_tour_works_on_a_fresh_clone()
    {
        string build = Tour("dotnet build src/GitOps.Orchestrations.Cli -v q -nologo");
        (int built, string buildOutput) = await Shell("dotnet", build.Split(' ')[1..], clone, TimeSpan.FromMinutes(8));
        Assert.True(built == 0, buildOutput);
        string gitops = Path.Combine(clone, "src/GitOps.Orchestrations.Cli/bin/Debug/net10.0/gitops");
        Assert.Contains("alias gitops=\"$PWD/src/GitOps.Orchestrations.Cli/bin/Debug/net10.0/gitops\"", readme, StringComparison.Ordinal);

        Assert.Equal(0, (await Run(Tour("gitops validate workflows/"))).ExitCode);

        CliResult json = await Run(Tour("gitops run workflows/hello-dag.yaml --approve gate -p greeting=hi -o json"));
        Assert.True(json.ExitCode == 0, json.Stderr);
        using (JsonDocument run = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("Succeeded", run.RootElement.GetProperty("phase").GetString());
        }

        CliResult byName = await Run(Tour("gitops run hello-dag --repo . --revision main --approve gate"));
        Assert.True(byName.ExitCode == 0, byName.Stdout + byName.Stderr);
        CliResult render = await Run(Tour("gitops render deploy/examples/shop/overlays/prod"));
        Assert.True(render.ExitCode == 0, render.Stderr);
        Assert.Matches(@"# digest: sha256:[0-9a-f]{64}", render.Stdout);

        // The server, as the tour starts it (on a free port here), and the commands that steer it.
        Process serve = Start(gitops, [.. Words(Tour("gitops serve --store memory")).Skip(1), "--urls", "http://127.0.0.1:0"]);
        try
        {
            var lines = new List<string>();
            var keyShown = new TaskCompletionSource();
            serve.OutputDataReceived += (_, e) =>
            {
                lock (lines)
                {
                    lines.Add(e.Data ?? string.Empty);
                }

                if (e.Data?.StartsWith("Add people with", StringComparison.Ordinal) == true)
                {
                    keyShown.TrySetResult();
                }
            };
            serve.BeginOutputReadLine();
            await keyShown.Task.WaitAsync(TimeSpan.FromMinutes(1));
            string output;
            lock (lines)
            {
                output = string.Join('\n', lines);
            }

            string url = Address().Match(output).Groups[1].Value;
            string admin = Regex.Match(output, @"gitops login \S+ --api-key (gok_\S+)").Groups[1].Value;
            Assert.Contains("gitops login http://127.0.0.1:8080 --api-key gok_...", readme, StringComparison.Ordinal);
            Assert.Equal(0, (await Run($"gitops login {url} --api-key {admin}")).ExitCode);

            CliResult alice = await Run(Tour("gitops keys add alice --role approver --group release-managers"));
            Assert.True(alice.ExitCode == 0, alice.Stderr);
            Assert.Contains("hello-dag", (await Run(Tour("gitops list workflows"))).Stdout, StringComparison.Ordinal);
            CliResult submitted = await Run(Tour("gitops submit hello-dag -p greeting=hi"));
            string id = submitted.Stdout.Trim();
            Assert.Contains(id, (await Run(Tour("gitops list runs -o wide"))).Stdout, StringComparison.Ordinal);
            await Eventually.True(async () => (await Run(Tour("gitops list approvals"))).Stdout.Contains(id, StringComparison.Ordinal), "the gate to wait");

            Tour("gitops approve RUN_ID gate -m \"looks good\" --api-key ALICES_KEY");
            Task<CliResult> watch = Run(Tour("gitops watch RUN_ID").Replace("RUN_ID", id, StringComparison.Ordinal));
            CliResult approved = null!;
            await Eventually.True(async () => (approved = await Run($"gitops approve {id} gate -m \"looks good\" --api-key {alice.Stdout.Trim()}")).ExitCode == 0, "alice's key to count");
            CliResult watched = await watch;
            Assert.True(watched.ExitCode == 0, watched.Stdout + watched.Stderr);
            Assert.Contains("Succeeded", (await Run($"gitops status {id}")).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
            serve.Dispose();
        }

        async Task<CliResult> Run(string line)
        {
            Process process = Start(gitops, Words(line).Skip(1));
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            var result = new CliResult(process.ExitCode, await stdout, await stderr);
            process.Dispose();
            return result;
        }
    }

    [Fact]
    public async Task The_cli_installs_as_a_dotnet_tool_from_a_folder_feed()
    {
        // The README's lines, with a tool path of the test's own instead of --global.
        string pack = Tour("dotnet pack src/GitOps.Orchestrations.Cli -o .tools/feed -v q -nologo");
        (int packed, string packOutput) = await Shell("dotnet", Words(pack).Skip(1), clone, TimeSpan.FromMinutes(10));
        Assert.True(packed == 0, packOutput);
        Assert.Single(Directory.GetFiles(System.IO.Path.Combine(clone, ".tools/feed"), "GitOps.Orchestrations.Cli.*.nupkg"));

        Tour("dotnet tool install --global GitOps.Orchestrations.Cli --add-source .tools/feed");
        string tools = System.IO.Path.Combine(clone, "..", "tools");
        (int installed, string installOutput) = await Shell("dotnet", ["tool", "install", "GitOps.Orchestrations.Cli", "--tool-path", tools, "--add-source", ".tools/feed"], clone, TimeSpan.FromMinutes(3));
        Assert.True(installed == 0, installOutput);

        string gitops = System.IO.Path.Combine(tools, "gitops");
        (int versioned, string version) = await Shell(gitops, ["--version"], clone);
        Assert.Equal(0, versioned);
        string head = (await Shell("git", ["rev-parse", "HEAD"], clone)).Output.Trim();
        Assert.Matches(@"^gitops \d+\.\d+\.\d+ \(commit [0-9a-f]{12}\)$", version.Trim());
        Assert.Contains($"(commit {head[..12]})", version, StringComparison.Ordinal);

        (int validated, string validation) = await Shell(gitops, ["validate", "workflows/"], clone);
        Assert.True(validated == 0, validation);
        Assert.Contains(": ok", validation, StringComparison.Ordinal);
    }

    /// <summary>A command line of the README's tour, as written there (without its comment).</summary>
    string Tour(string line)
    {
        Assert.Matches($@"(?m)^{Regex.Escape(line)}(\s+#.*)?$", readme);
        return line;
    }

    Process Start(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = clone, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("GITOPS_STORE");
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    internal static async Task<(int ExitCode, string Output)> Shell(string file, IEnumerable<string> args, string directory, TimeSpan? within = null) =>
        await Tool.RunAsync(file, args, directory, within) is var run ? (run.ExitCode, run.Output) : default;

    static IEnumerable<string> Words(string line) =>
        QuotedWord().Matches(line).Select(m => m.Value.Trim('"'));

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Address();

    [GeneratedRegex("\"[^\"]*\"|\\S+")]
    private static partial Regex QuotedWord();
}

/// <summary>The repository as committed, cloned once for the walkthrough's tests: what a newcomer clones.</summary>
public sealed class FreshClone : IAsyncLifetime
{
    readonly string parent = Directory.CreateTempSubdirectory("gitops-walkthrough").FullName;

    public string Path => System.IO.Path.Combine(parent, "repo");

    public async Task InitializeAsync()
    {
        (int cloned, string output) = await WalkthroughTests.Shell("git", ["clone", "--quiet", Gitops.RepoRoot, Path], parent);
        Assert.True(cloned == 0, output);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(parent, recursive: true);
        return Task.CompletedTask;
    }
}
