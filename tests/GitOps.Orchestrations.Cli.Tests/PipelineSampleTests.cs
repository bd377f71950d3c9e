using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// The pipeline recipe of docs/pipelines.md on one machine, with the shipped sample chart and
/// Pipeline: <c>gitops charts serve</c>, <c>gitops charts push</c> into bronze, a server that runs
/// the pipeline, silver taking the chart by itself, and gold taking the same bytes once a release
/// manager approves.
/// </summary>
public sealed partial class PipelineSampleTests : IAsyncLifetime
{
    readonly GitRepository repo = new();
    readonly string folder = Directory.CreateTempSubdirectory("gitops-pipeline-sample").FullName;
    Process charts = null!;
    string chartsUrl = string.Empty;

    public async Task InitializeAsync()
    {
        charts = Gitops.Start(["charts", "serve", Path.Combine(folder, "charts"), "--urls", "http://127.0.0.1:0"]);
        var listening = new TaskCompletionSource<string>();
        charts.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Address().Match(line) is { Success: true } address)
            {
                listening.TrySetResult(address.Groups[1].Value);
            }
        };
        charts.BeginOutputReadLine();
        chartsUrl = await listening.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }

    public async Task DisposeAsync()
    {
        charts.Kill(entireProcessTree: true);
        await charts.WaitForExitAsync();
        charts.Dispose();
        repo.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_sample_chart_goes_bronze_to_silver_by_itself_and_to_gold_once_approved()
    {
        string sample = Path.Combine(Gitops.RepoRoot, "deploy/examples/pipeline");
        CliResult pushed = await Gitops.RunAsync(["charts", "push", Path.Combine(sample, "charts/api"), "--to", $"{chartsUrl}/bronze"]);
        Assert.True(pushed.ExitCode == 0, pushed.Stderr);
        CliResult again = await Gitops.RunAsync(["charts", "push", Path.Combine(sample, "charts/api"), "--to", $"{chartsUrl}/bronze"]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("is already in", again.Stdout, StringComparison.Ordinal);
        byte[] archive = File.ReadAllBytes(Path.Combine(folder, "charts/bronze/api-1.2.3.tgz"));

        // The shipped Pipeline, pointed at where these chart repositories listen (the recipe's port may be taken here).
        string pipeline = File.ReadAllText(Path.Combine(sample, "workflows/api.yaml"));
        Assert.Contains("http://127.0.0.1:8081/bronze", pipeline, StringComparison.Ordinal);
        repo.Commit("pipeline", ("workflows/api.yaml", pipeline.Replace("http://127.0.0.1:8081", chartsUrl, StringComparison.Ordinal)));

        string server = Path.Combine(folder, "server");
        Directory.CreateDirectory(server);
        async Task<string> Key(string name, string role, params string[] groups) =>
            (await Gitops.RunAsync(["keys", "add", name, "--role", role, .. groups.SelectMany(g => new[] { "--group", g }), "--config", Path.Combine(server, "serve.json")])).Stdout.Trim();
        string rita = await Key("rita", "approver", "release-managers");
        string sam = await Key("sam", "approver");
        await using Served served = await Served.StartAsync(repo.Path, server, new Dictionary<string, string> { ["GitOps__PipelinePollIntervalSeconds"] = "0.5" });
        string[] As(string key) => ["--server", served.BaseUrl, "--api-key", key];

        await Eventually.True(async () => (await Gitops.RunAsync(["pipeline", "status", "api", .. As(sam)])).Stdout.Contains("0/1 approvals", StringComparison.Ordinal), "gold to wait for an approval", TimeSpan.FromMinutes(1));
        Assert.Equal(archive, File.ReadAllBytes(Path.Combine(folder, "charts/silver/api-1.2.3.tgz")));
        Assert.False(File.Exists(Path.Combine(folder, "charts/gold/api-1.2.3.tgz")), "gold waits for its approval");

        JsonElement status = JsonDocument.Parse((await Gitops.RunAsync(["pipeline", "status", "api", "-o", "json", .. As(sam)])).Stdout).RootElement;
        string freight = status.GetProperty("freight")[0].GetProperty("id").GetString()!;
        CliResult unlisted = await Gitops.RunAsync(["pipeline", "approve", "api", "--stage", "gold", "--freight", freight, .. As(sam)]);
        Assert.Equal(1, unlisted.ExitCode);
        Assert.Contains("is not among the gate's approvers (group:release-managers)", unlisted.Stderr, StringComparison.Ordinal);

        CliResult approved = await Gitops.RunAsync(["pipeline", "approve", "api", "--stage", "gold", "--freight", freight, "-m", "release notes reviewed", .. As(rita)]);
        Assert.True(approved.ExitCode == 0, approved.Stderr);
        await Eventually.True(() => File.Exists(Path.Combine(folder, "charts/gold/api-1.2.3.tgz")), "the chart to reach gold", TimeSpan.FromMinutes(1));
        Assert.Equal(archive, File.ReadAllBytes(Path.Combine(folder, "charts/gold/api-1.2.3.tgz")));
    }

    [Theory]
    [InlineData("PUT", "/bronze/..%2f..%2fescape.tgz")]
    [InlineData("PUT", "/.git/config")]
    [InlineData("DELETE", "/bronze/%2e%2e")]
    [InlineData("PUT", "/a/b/c/d/e.tgz")]
    public async Task Paths_outside_plain_names_under_the_folder_are_not_found(string method, string path)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), chartsUrl + path) { Content = new ByteArrayContent([1, 2, 3]) };
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(Directory.GetFiles(folder, "*", SearchOption.AllDirectories), f => !f.Contains("/charts/", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Address();
}
