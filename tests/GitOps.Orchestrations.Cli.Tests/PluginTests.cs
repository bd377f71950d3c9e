using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// The sample custom task type installed as an operator installs one: its build output copied into
/// a folder of the plugin folder. The server runs a workflow that uses it, against a real HTTP
/// ticket system; validate and schema see it; a broken plugin folder stops the server from starting.
/// </summary>
public sealed class PluginTests : IAsyncLifetime
{
    readonly TicketSystem tickets = new();
    readonly GitRepository repo = new();
    readonly string plugins = Directory.CreateTempSubdirectory("gitops-plugins-").FullName;

    const string Release = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
          params: [{name: tickets}]
          tasks:
            - name: change
              uses: acme/change-ticket
              with: {url: "{{params.tickets}}", summary: "release 3.1", checkEvery: 1s}
            - name: done
              uses: log
              depends: change
              with: {message: "{{tasks.change.outputs.ticket}}"}
        """;

    public async Task InitializeAsync()
    {
        await tickets.InitializeAsync();
        // The sample's output, built with these tests, in the same configuration as they are.
        string configuration = typeof(PluginTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false).OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        string built = Path.Combine(RepositoryRoot.Path, "samples", "ChangeTicket", "bin", configuration, "net10.0");
        string installed = Directory.CreateDirectory(Path.Combine(plugins, "Acme.ChangeTicket")).FullName;
        foreach (string file in Directory.EnumerateFiles(built))
        {
            File.Copy(file, Path.Combine(installed, Path.GetFileName(file)));
        }

        Assert.False(File.Exists(Path.Combine(installed, "GitOps.Orchestrations.Sdk.dll")), "the plugin must use the server's SDK, not carry its own");
    }

    public async Task DisposeAsync()
    {
        await tickets.DisposeAsync();
        repo.Dispose();
        Directory.Delete(plugins, recursive: true);
    }

    [Fact]
    public async Task The_server_runs_a_workflow_whose_step_is_the_plugins_task_type()
    {
        repo.Commit("release", ("workflows/release.yaml", Release));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path, new Dictionary<string, string> { ["GITOPS_PLUGINS"] = plugins });
        using HttpClient olga = server.ClientFor("olga");

        HttpResponseMessage started = await olga.PostAsJsonAsync("/api/workflows/release/runs", new { @params = new { tickets = tickets.Url } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        string id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await Eventually.True(() => tickets.Ids.Count == 1, "the ticket to be opened", TimeSpan.FromMinutes(1));
        string ticket = tickets.Ids.Single();
        tickets.Decide(ticket, "approved", "cab-chair");

        JsonElement run = default;
        await Eventually.True(async () => (run = await olga.GetFromJsonAsync<JsonElement>($"/api/runs/{id}")).GetProperty("phase").GetString() is "Succeeded" or "Failed" or "Errored",
            "the run to end", TimeSpan.FromMinutes(1));
        Assert.True(run.GetProperty("phase").GetString() == "Succeeded", run.ToString());
        JsonElement done = run.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == "done");
        Assert.Equal(ticket, done.GetProperty("outputs").GetProperty("message").GetString());
        Assert.Equal(1, tickets.Requests);
    }

    [Fact]
    public async Task Validate_checks_a_plugins_with_block_and_without_the_plugin_the_type_is_unknown()
    {
        string folder = Directory.CreateTempSubdirectory("gitops-plugin-wf-").FullName;
        string file = Path.Combine(folder, "release.yaml");
        File.WriteAllText(file, Release.Replace("summary: \"release 3.1\"", "sumary: \"release 3.1\"", StringComparison.Ordinal));

        CliResult checkedWith = await Gitops.RunAsync(["validate", "--plugins", plugins, file]);
        Assert.Equal(1, checkedWith.ExitCode);
        Assert.Contains($"{file}:9:41: error: unknown field 'sumary' in with of 'acme/change-ticket' task (allowed: checkEvery, summary, url)", checkedWith.Stdout);

        CliResult without = await Gitops.RunAsync(["validate", file]);
        Assert.Contains($"{file}:8:13: error: unknown task type 'acme/change-ticket' (known: analysis,", without.Stdout);

        CliResult missing = await Gitops.RunAsync(["validate", "--plugins", Path.Combine(folder, "nowhere"), file]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
    }

    [Fact]
    public async Task The_schema_for_editors_includes_the_plugins_task_type_and_is_the_published_one_without()
    {
        CliResult plain = await Gitops.RunAsync(["schema"]);
        Assert.Equal(0, plain.ExitCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "workflow.schema.json"))), JsonNode.Parse(plain.Stdout)));

        CliResult with = await Gitops.RunAsync(["schema", "--plugins", plugins]);
        JsonNode task = JsonNode.Parse(with.Stdout)!["$defs"]!["task"]!;
        Assert.Contains("acme/change-ticket", task["properties"]!["uses"]!["enum"]!.AsArray().Select(u => (string?)u));
        JsonNode rule = task["allOf"]!.AsArray().Single(r => (string?)r!["if"]!["properties"]!["uses"]!["const"] == "acme/change-ticket")!;
        JsonNode withBlock = rule["then"]!["properties"]!["with"]!;
        Assert.Equal(["url", "summary"], withBlock["required"]!.AsArray().Select(r => (string?)r));
        Assert.False((bool)withBlock["additionalProperties"]!);
    }

    [Fact]
    public async Task A_plugin_folder_holding_something_that_is_not_an_assembly_stops_the_server_with_the_reason()
    {
        string broken = Directory.CreateTempSubdirectory("gitops-plugins-broken-").FullName;
        File.WriteAllText(Path.Combine(broken, "notes.dll"), "not an assembly");
        repo.Commit("release", ("workflows/release.yaml", Release));
        CliResult result = await Gitops.RunAsync(["serve", "--store", "memory", "--repo", repo.Path, "--plugins", broken, "--urls", "http://127.0.0.1:0"], timeout: TimeSpan.FromMinutes(1));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("notes.dll is not a .NET assembly", result.Stderr);
    }

    [Fact]
    public async Task Print_config_shows_the_plugin_folder_and_the_task_types_it_gave()
    {
        CliResult printed = await Gitops.RunAsync(["serve", "--store", "memory", "--plugins", plugins, "--print-config"]);
        Assert.Equal(0, printed.ExitCode);
        JsonNode config = JsonNode.Parse(printed.Stdout)!;
        Assert.Equal(plugins, (string?)config["Plugins"]);
        Assert.Equal(["acme/change-ticket"], config["CustomTaskTypes"]!.AsArray().Select(t => (string?)t));
    }
}
