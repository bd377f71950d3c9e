using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>One Prometheus for the class: three services, healthy, failing and nearly idle.</summary>
public sealed class ServicesInPrometheus : IAsyncLifetime
{
    public PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await PrometheusServer.StartWithTrafficAsync(("api", 200, 0.02), ("checkout", 200, 0.25), ("search", 1, 0));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary><c>gitops analyze</c> on the sample template, against a real Prometheus, as a person would run it before a release.</summary>
public sealed class AnalyzeCommandTests(ServicesInPrometheus services) : IClassFixture<ServicesInPrometheus>
{
    const string Sample = "workflows/templates/success-rate.yaml";

    PrometheusServer prometheus => services.Server;

    Task<CliResult> Analyze(string service, params string[] more) =>
        Gitops.RunAsync(["analyze", Sample, "--arg", $"service={service}", "--prometheus", prometheus.Url, "--once", .. more]);

    [Fact]
    public async Task Exit_codes_say_successful_failed_and_inconclusive()
    {
        CliResult ok = await Analyze("api");
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("success-rate: Successful", ok.Stdout);
        Assert.Contains($"{prometheus.Url}/api/v1/query?query=", ok.Stdout);

        CliResult failed = await Analyze("checkout");
        Assert.True(failed.ExitCode == 1, failed.Stdout + failed.Stderr);
        Assert.Contains("success-rate: Failed", failed.Stdout);

        CliResult quiet = await Analyze("search");
        Assert.Equal(3, quiet.ExitCode);
        Assert.Contains("minimum-sample guard", quiet.Stdout);
    }

    [Fact]
    public async Task Json_output_keeps_every_measurement_with_its_query()
    {
        CliResult result = await Analyze("api", "--output", "json");
        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("Successful", json.RootElement.GetProperty("phase").GetString());
        JsonElement measurement = json.RootElement.GetProperty("measurements").EnumerateArray().Single();
        Assert.Equal("success-rate", measurement.GetProperty("metric").GetString());
        Assert.StartsWith("[0.9", measurement.GetProperty("value").GetString());
        Assert.Contains("service%3D%22api%22", measurement.GetProperty("query").GetString());
    }

    [Fact]
    public async Task A_broken_template_or_a_missing_argument_is_a_usage_error()
    {
        string dir = Directory.CreateTempSubdirectory("gitops-analyze").FullName;
        string broken = Path.Combine(dir, "broken.yaml");
        File.WriteAllText(broken, File.ReadAllText(Path.Combine(Gitops.RepoRoot, Sample)).Replace("prometheus:\n", "newrelic: {}\n        prometheus:\n", StringComparison.Ordinal));
        CliResult bad = await Gitops.RunAsync(["analyze", broken, "--arg", "service=api", "--once"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(":21:9: error: unknown provider 'newrelic' (known: prometheus)", bad.Stderr);

        CliResult missing = await Gitops.RunAsync(["analyze", Sample, "--prometheus", prometheus.Url, "--once"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--arg service=VALUE", missing.Stderr);
    }
}
