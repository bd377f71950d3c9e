using System.Text.Json;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary><c>gitops serve --print-config</c>: the settings after file, environment and command line, with no secret in them.</summary>
public sealed class PrintConfigTests : IDisposable
{
    const string AccountKey = "c2VjcmV0LWtleS1ieXRlcw==";
    const string SigningKey = "a-signing-key-of-at-least-32-bytes!!";
    const string ApprovalKey = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    const string Hash = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

    readonly string folder = Directory.CreateTempSubdirectory("gitops-print-config").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task The_effective_settings_are_printed_with_each_source_in_its_place_and_secrets_only_as_set()
    {
        string config = Path.Combine(folder, "serve.json");
        File.WriteAllText(config, $$$"""
            // comments are allowed
            {"GitOps": {
              "Store": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={{{AccountKey}}};EndpointSuffix=core.windows.net",
              "ApiKeys": [{"User": "alice", "Role": "approver", "Groups": ["release"], "Sha256": "{{{Hash}}}"}],
              "Jwt": {"Issuer": "https://idp.example.com", "Audience": "gitops", "SigningKey": "{{{SigningKey}}}"},
              "ApprovalKey": "{{{ApprovalKey}}}",
              "GitPollIntervalSeconds": 30,
              "ScheduleIntervalSeconds": 20
            }}
            """);

        // The environment wins over the file; the command line over both.
        CliResult printed = await Gitops.RunAsync(
            ["serve", "--print-config", "--repo", "https://user:repo-token@example.com/org/workflows.git", "--task-hub", "prod"],
            new Dictionary<string, string> { ["GitOps__GitPollIntervalSeconds"] = "5", ["GITOPS_TASK_HUB"] = "staging", ["GITOPS_URLS"] = "http://0.0.0.0:9090" },
            workingDirectory: folder);
        Assert.True(printed.ExitCode == 0, printed.Stderr);
        JsonElement settings = JsonDocument.Parse(printed.Stdout).RootElement;
        Assert.Equal(5, settings.GetProperty("GitPollIntervalSeconds").GetDouble());
        Assert.Equal(20, settings.GetProperty("ScheduleIntervalSeconds").GetDouble());
        Assert.Equal("prod", settings.GetProperty("TaskHub").GetString());
        Assert.Equal("http://0.0.0.0:9090", settings.GetProperty("Urls").GetString());
        Assert.Equal("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=(set);EndpointSuffix=core.windows.net", settings.GetProperty("Store").GetString());
        Assert.Equal("alice", settings.GetProperty("ApiKeys")[0].GetProperty("User").GetString());
        Assert.Equal("(set)", settings.GetProperty("Jwt").GetProperty("SigningKey").GetString());
        Assert.Equal("(set)", settings.GetProperty("ApprovalKey").GetString());
        foreach (string secret in (string[])[AccountKey, SigningKey, ApprovalKey, Hash, "repo-token"])
        {
            Assert.DoesNotContain(secret, printed.Stdout, StringComparison.Ordinal);
        }

        CliResult memory = await Gitops.RunAsync(["serve", "--print-config", "--store", "memory"], workingDirectory: folder);
        Assert.Equal("memory", JsonDocument.Parse(memory.Stdout).RootElement.GetProperty("Store").GetString());
    }

    [Fact]
    public async Task Printing_the_configuration_changes_nothing()
    {
        CliResult printed = await Gitops.RunAsync(["serve", "--print-config", "--store", "memory"], workingDirectory: folder);
        Assert.Equal(0, printed.ExitCode);
        Assert.Empty(JsonDocument.Parse(printed.Stdout).RootElement.GetProperty("ApiKeys").EnumerateArray());
        Assert.False(File.Exists(Path.Combine(folder, "serve.json")), "no first key is made for a server that does not start");
    }

    [Fact]
    public async Task A_server_with_no_keys_and_a_keys_file_it_cannot_write_exits_2_and_says_how_to_make_keys()
    {
        // A folder that is not there stands for a read-only mount, which root (who runs containers) could not be kept out of by file modes.
        string keys = Path.Combine(folder, "not-mounted", "keys.json");
        CliResult refused = await Gitops.RunAsync(["serve", "--store", "memory", "--urls", "http://127.0.0.1:0", "--keys-file", keys], workingDirectory: folder);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"no API keys in {keys}, and it cannot be written", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("gitops keys add NAME --role approver", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("gok_", refused.Stdout, StringComparison.Ordinal);
    }
}
