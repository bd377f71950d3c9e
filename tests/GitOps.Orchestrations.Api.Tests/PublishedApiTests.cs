using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>docs/api.md, docs/openapi.json, the server's routes and the Functions app's routes are one list.</summary>
public sealed partial class PublishedApiTests
{
    static readonly string Root = RepositoryRoot.Path;

    static HashSet<string> OpenApiRoutes()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "docs", "openapi.json")));
        return doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet();
    }

    [Fact]
    public void Api_md_documents_exactly_the_openapi_routes()
    {
        HashSet<string> documented = HeadingPattern().Matches(File.ReadAllText(Path.Combine(Root, "docs", "api.md"))).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToHashSet();
        Assert.Equal(OpenApiRoutes().Order(), documented.Order());
    }

    [Fact]
    public void The_server_maps_exactly_the_openapi_routes()
    {
        string source = File.ReadAllText(Path.Combine(Root, "src", "GitOps.Orchestrations.Server", "ServerRoutes.cs"));
        HashSet<string> mapped = MapPattern().Matches(source).Select(m => $"{m.Groups[1].Value.ToUpperInvariant()} {m.Groups[2].Value}").Where(r => r.Contains("/api/", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(OpenApiRoutes().Order(), mapped.Order());
    }

    [Fact]
    public void The_functions_app_builds_and_its_metadata_lists_every_function_with_its_trigger()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        string output = Path.Combine(Root, "src", "GitOps.Orchestrations.Functions", "bin", configuration, "net10.0");
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "functions.metadata")));
        Dictionary<string, JsonElement> triggers = metadata.RootElement.EnumerateArray().ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)));

        Assert.Equal("orchestrationTrigger", triggers["WorkflowOrchestrator"].GetProperty("type").GetString());
        Assert.Equal("orchestrationTrigger", triggers["FanOutChunkOrchestrator"].GetProperty("type").GetString());
        Assert.Equal("orchestrationTrigger", triggers["AnalysisOrchestrator"].GetProperty("type").GetString());
        Assert.Equal("activityTrigger", triggers["MeasureActivity"].GetProperty("type").GetString());
        Assert.Equal("activityTrigger", triggers["LogActivity"].GetProperty("type").GetString());
        Assert.Equal("activityTrigger", triggers["HttpRequestActivity"].GetProperty("type").GetString());

        // Every activity the delivery task types call exists as a function of the same name.
        string[] delivery = typeof(GitOps.Orchestrations.Engine.Delivery.DeliveryActivities).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToArray();
        Assert.Equal(7, delivery.Length);
        Assert.All(delivery, name => Assert.Equal("activityTrigger", triggers[name].GetProperty("type").GetString()));

        // And every activity a rollout calls, beside its orchestrator.
        Assert.Equal("orchestrationTrigger", triggers["RolloutOrchestrator"].GetProperty("type").GetString());
        string[] rollout = typeof(GitOps.Orchestrations.Engine.Rollouts.RolloutActivities).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToArray();
        Assert.Equal(6, rollout.Length);
        Assert.All(rollout, name => Assert.Equal("activityTrigger", triggers[name].GetProperty("type").GetString()));
        Assert.Equal("orchestrationTrigger", triggers["PipelineOrchestrator"].GetProperty("type").GetString());
        string[] promotion = typeof(GitOps.Orchestrations.Engine.Promotion.PromotionActivities).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToArray();
        Assert.Equal(2, promotion.Length);
        Assert.All(promotion, name => Assert.Equal("activityTrigger", triggers[name].GetProperty("type").GetString()));
        Assert.Equal("timerTrigger", triggers["Pipelines"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["Schedules"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["GitPoll"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["Retention"].GetProperty("type").GetString());

        // Functions puts every HTTP route under /api, and each has the function key level.
        HashSet<string> http = triggers.Values.Where(t => t.GetProperty("type").GetString() == "httpTrigger")
            .SelectMany(t => t.GetProperty("methods").EnumerateArray().Select(m => $"{m.GetString()!.ToUpperInvariant()} /api/{t.GetProperty("route").GetString()}"))
            .ToHashSet();
        Assert.Equal(OpenApiRoutes().Append("GET /api/metrics").Order(), http.Order());
        Assert.All(triggers.Values.Where(t => t.GetProperty("type").GetString() == "httpTrigger"), t => Assert.Equal("Function", t.GetProperty("authLevel").GetString()));

        // Runs in flight survive an upgrade of the app as they do one of the server (OrchestrationVersions).
        using JsonDocument host = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "host.json")));
        JsonElement durableTask = host.RootElement.GetProperty("extensions").GetProperty("durableTask");
        Assert.Equal(GitOps.Orchestrations.Engine.Orchestrators.OrchestrationVersions.Current, durableTask.GetProperty("defaultVersion").GetString());
        Assert.Equal("CurrentOrOlder", durableTask.GetProperty("versionMatchStrategy").GetString());
        Assert.Equal("Reject", durableTask.GetProperty("versionFailureStrategy").GetString());
        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "local.settings.sample.json")));
        Assert.Equal("UseDevelopmentStorage=true", settings.RootElement.GetProperty("Values").GetProperty("AzureWebJobsStorage").GetString());
    }

    [GeneratedRegex(@"^### `(GET|POST) (/api/[^`]+)`", RegexOptions.Multiline)]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"Map(Get|Post)\(""([^""]+)""")]
    private static partial Regex MapPattern();
}
