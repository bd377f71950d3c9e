using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Composition;
using GitOps.Orchestrations.Engine;
using GitOps.Orchestrations.Engine.Approvals;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>docs/api.md, docs/openapi.json, the server's routes and the Functions app's routes are one list.</summary>
public sealed partial class PublishedApiTests
{
    static readonly string Root = RepositoryRoot.Path;

    internal static HashSet<string> OpenApiRoutes()
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
    public void The_functions_app_builds_and_its_metadata_lists_every_function_with_its_trigger()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        string output = Path.Combine(Root, "src", "GitOps.Orchestrations.Functions", "bin", configuration, "net10.0");
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "functions.metadata")));
        Dictionary<string, JsonElement> triggers = metadata.RootElement.EnumerateArray().ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)));

        // Every orchestrator and activity the engine registers (the registry every self-hosted worker
        // uses) has exactly one function of the same name and kind, and the app has no other.
        var registry = new DurableTaskRegistry();
        registry.AddGitOpsOrchestrationTasks(new OrchestrationServices(TaskTypeRegistry.BuiltIn(), ApprovalAuthority.Ephemeral()));
        Assert.Equal(Registered(registry, "Orchestrators"), Functions(metadata, "orchestrationTrigger"));
        Assert.Equal(Registered(registry, "Activities"), Functions(metadata, "activityTrigger"));
        Assert.Equal("timerTrigger", triggers["Pipelines"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["Schedules"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["GitPoll"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["Retention"].GetProperty("type").GetString());
        Assert.Equal("queueTrigger", triggers["QueueEvent"].GetProperty("type").GetString());
        Assert.Equal("%GITOPS_EVENTS_QUEUE%", triggers["QueueEvent"].GetProperty("queueName").GetString());
        Assert.Equal("blobTrigger", triggers["BlobEvent"].GetProperty("type").GetString());
        Assert.Equal("%GITOPS_EVENTS_CONTAINER%/{name}", triggers["BlobEvent"].GetProperty("path").GetString());

        // Functions puts every HTTP route under /api, and each API route has the function key level.
        // The dashboard's files are the one anonymous route: they are public, and every call they
        // make goes to the key-protected routes. Webhooks are the other: they prove themselves by
        // their signature, which the handler checks before reading anything.
        JsonElement dashboard = triggers["Dashboard"];
        Assert.Equal("Anonymous", triggers["ReceiveHook"].GetProperty("authLevel").GetString());
        Assert.Equal("ui/{*path}", dashboard.GetProperty("route").GetString());
        Assert.Equal("Anonymous", dashboard.GetProperty("authLevel").GetString());
        var api = triggers.Where(t => t.Key != "Dashboard" && t.Value.GetProperty("type").GetString() == "httpTrigger").Select(t => t.Value).ToList();
        HashSet<string> http = api
            .SelectMany(t => t.GetProperty("methods").EnumerateArray().Select(m => $"{m.GetString()!.ToUpperInvariant()} /api/{t.GetProperty("route").GetString()}"))
            .ToHashSet();
        Assert.Equal(OpenApiRoutes().Append("GET /api/metrics").Order(), http.Order());
        Assert.All(api.Where(t => t.GetProperty("route").GetString() != "hooks/{name}"), t => Assert.Equal("Function", t.GetProperty("authLevel").GetString()));

        // The app carries what it uses: not the self-hosted transport (the gRPC sidecar, its test-host
        // package, the Durable Task Azure Storage provider, which the Functions host brings itself).
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "GitOps.Orchestrations.Functions.deps.json")));
        string[] libraries = [.. deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name)];
        Assert.Contains(libraries, l => l.StartsWith("GitOps.Orchestrations.Composition/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("GitOps.Orchestrations.Hosting/", StringComparison.Ordinal)
            || l.StartsWith("Microsoft.DurableTask.InProcessTestHost/", StringComparison.Ordinal)
            || l.StartsWith("Microsoft.Azure.DurableTask.AzureStorage/", StringComparison.Ordinal));

        // Runs in flight survive an upgrade of the app as they do one of the server (OrchestrationVersions).
        using JsonDocument host = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "host.json")));
        JsonElement durableTask = host.RootElement.GetProperty("extensions").GetProperty("durableTask");
        Assert.Equal(GitOps.Orchestrations.Engine.Orchestrators.OrchestrationVersions.Current, durableTask.GetProperty("defaultVersion").GetString());
        Assert.Equal("CurrentOrOlder", durableTask.GetProperty("versionMatchStrategy").GetString());
        Assert.Equal("Reject", durableTask.GetProperty("versionFailureStrategy").GetString());
        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "local.settings.sample.json")));
        Assert.Equal("UseDevelopmentStorage=true", settings.RootElement.GetProperty("Values").GetProperty("AzureWebJobsStorage").GetString());
    }

    /// <summary>The task names in one of the registry's tables (it keeps them internal), once per name whatever the versions.</summary>
    static List<string> Registered(DurableTaskRegistry registry, string table)
    {
        var entries = (System.Collections.IEnumerable)typeof(DurableTaskRegistry).GetProperty(table, BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(registry)!;
        return entries.Cast<object>()
            .Select(entry => entry.GetType().GetProperty("Key")!.GetValue(entry)!)
            .Select(key => key is TaskName name ? name.Name : key.GetType().GetProperty("Name")!.GetValue(key)!.ToString()!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    static List<string> Functions(JsonDocument metadata, string trigger) => metadata.RootElement.EnumerateArray()
        .Where(f => f.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == trigger))
        .Select(f => f.GetProperty("name").GetString()!)
        .Order(StringComparer.Ordinal)
        .ToList();

    [GeneratedRegex(@"^### `(GET|POST) (/api/[^`]+)`", RegexOptions.Multiline)]
    private static partial Regex HeadingPattern();
}
