using System.Diagnostics;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// The local analysis recipe of docs/analysis.md, as written: <c>gitops demo-app</c>, a real
/// Prometheus on the shipped configuration, and <c>gitops analyze</c> on the sample template, which
/// is Successful for a healthy service and Failed for one that answers 500 too often.
/// </summary>
public sealed partial class DemoAppTests : IAsyncLifetime
{
    readonly List<Process> processes = [];
    readonly string folder = Directory.CreateTempSubdirectory("gitops-demo-app").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (Process process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_sample_template_is_Successful_on_the_demo_app_and_Failed_when_it_errs()
    {
        string healthy = await StartDemoAppAsync("api", "0.01");
        string shaky = await StartDemoAppAsync("shaky", "0.5");

        // The shipped configuration, pointed at where these two listen (the recipe's port may be taken here).
        string shipped = File.ReadAllText(Path.Combine(Gitops.RepoRoot, "deploy/examples/prometheus/prometheus.yml"));
        Assert.Contains("\"127.0.0.1:8082\"", shipped, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "prometheus.yml"), shipped.Replace("\"127.0.0.1:8082\"", $"\"{healthy}\", \"{shaky}\"", StringComparison.Ordinal));
        int port = Loopback.FreePort();
        var start = new ProcessStartInfo(PrometheusServer.Binary, [$"--config.file={Path.Combine(folder, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process prometheus = Process.Start(start)!;
        processes.Add(prometheus);
        _ = prometheus.StandardError.ReadToEndAsync();
        _ = prometheus.StandardOutput.ReadToEndAsync();
        string url = $"http://127.0.0.1:{port}";

        string[] Analyze(string service) => ["analyze", "workflows/templates/success-rate.yaml", "--arg", $"service={service}", "--prometheus", url, "--once"];
        CliResult good = null!, bad = null!;
        await Eventually.True(async () => (good = await Gitops.RunAsync(Analyze("api"))).ExitCode != 3, "enough samples of the healthy service", TimeSpan.FromMinutes(2));
        Assert.True(good.ExitCode == 0, good.Stdout + good.Stderr);
        Assert.Contains("success-rate: Successful", good.Stdout, StringComparison.Ordinal);

        await Eventually.True(async () => (bad = await Gitops.RunAsync(Analyze("shaky"))).ExitCode != 3, "enough samples of the shaky service", TimeSpan.FromMinutes(2));
        Assert.True(bad.ExitCode == 1, bad.Stdout + bad.Stderr);
        Assert.Contains("success-rate: Failed", bad.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--error-rate", "2", "--error-rate a share from 0 to 1")]
    [InlineData("--service", "a\"} 1\nfake_metric{x=\"", "--service is 1 to 63 letters")]
    public async Task Bad_options_are_usage_errors(string option, string value, string message)
    {
        CliResult result = await Gitops.RunAsync(["demo-app", "--urls", "http://127.0.0.1:0", option, value]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    async Task<string> StartDemoAppAsync(string service, string errorRate)
    {
        Process app = Gitops.Start(["demo-app", "--urls", "http://127.0.0.1:0", "--service", service, "--error-rate", errorRate, "--rate", "50"]);
        processes.Add(app);
        var listening = new TaskCompletionSource<string>();
        app.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Address().Match(line) is { Success: true } address)
            {
                listening.TrySetResult(address.Groups[1].Value);
            }
        };
        app.BeginOutputReadLine();
        return await listening.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task SIGTERM_stops_it()
    {
        await StartDemoAppAsync("api", "0");
        Process app = processes[^1];
        using (Process kill = Process.Start("kill", ["-TERM", app.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await app.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, app.ExitCode);
    }

    [GeneratedRegex(@"listening on http://(127\.0\.0\.1:\d+)")]
    private static partial Regex Address();
}
