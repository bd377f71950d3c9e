using System.Text.Json;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Tables;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>
/// deploy/azure: the Bicep CLI (from NuGet, offline) builds and lints every file without a warning,
/// and the settings the template gives the Functions app are exactly the ones the app reads.
/// </summary>
public sealed partial class AzureTemplateTests
{
    static readonly string Folder = Path.Combine(RepositoryRoot.Path, "deploy", "azure");
    static readonly string Template = Path.Combine(Folder, "main.bicep");

    /// <summary>Read by the Functions host itself, not by the app's code.</summary>
    static readonly string[] ReadByTheHost = ["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];

    /// <summary>Read by the app and left unset by the template on purpose.</summary>
    static readonly Dictionary<string, string> LeftUnset = new()
    {
        // The identity-based connection (AzureWebJobsStorage__accountName ...) replaces the connection string: no key in settings.
        ["AzureWebJobsStorage"] = "a connection string holds the account key",
        ["AzureWebJobsStorage__tableServiceUri"] = "the account name gives the endpoint in public Azure; the URI form is for other clouds",
        // Without it the app uses the task hub's own key, kept in the hub's table: no secret in settings.
        ["GITOPS_APPROVAL_KEY"] = "a secret the task hub keeps itself",
        // Files the operator deploys with the app: the template knows neither their policies nor their keys.
        ["GITOPS_POLICIES"] = "a folder of the operator's policies, deployed with the app's files (docs/policy.md)",
        ["GITOPS_SEALING_KEYS"] = "private keys the operator mounts; the template creates none (docs/secrets.md)",
    };

    public static TheoryData<string> BicepFiles() => [.. Directory.GetFiles(Folder, "*.bicep*").Where(f => !f.EndsWith("bicepconfig.json", StringComparison.Ordinal)).Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public async Task Every_file_builds_and_lints_without_a_warning(string file)
    {
        string path = Path.Combine(Folder, file);
        (int lint, string lintOutput) = await BicepAsync("lint", path);
        Assert.True(lint == 0 && lintOutput.Length == 0, $"bicep lint {file}: {lintOutput}");
        (int build, string buildOutput) = await BicepAsync(file.EndsWith(".bicepparam", StringComparison.Ordinal) ? "build-params" : "build", path, "--stdout");
        Assert.True(build == 0, buildOutput);
    }

    [Fact]
    public async Task The_linter_would_report_a_problem_so_its_silence_means_something()
    {
        string broken = Path.Combine(Directory.CreateTempSubdirectory("gitops-bicep").FullName, "main.bicep");
        File.Copy(Path.Combine(Folder, "bicepconfig.json"), Path.Combine(Path.GetDirectoryName(broken)!, "bicepconfig.json"));
        File.WriteAllText(broken, File.ReadAllText(Template) + "\nparam unused string = 'x'\n");
        (int exit, string output) = await BicepAsync("lint", broken);
        Assert.NotEqual(0, exit);
        Assert.Contains("no-unused-params", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_settings_the_template_sets_are_the_ones_the_app_reads()
    {
        // What the template sets, from what it compiles to.
        (int exit, string json) = await BicepAsync("build", Template, "--stdout");
        Assert.Equal(0, exit);
        HashSet<string> set = [.. SettingName().Matches(json).Select(m => m.Groups[1].Value)];
        Assert.Contains("GITOPS_RETENTION_AUDIT_DAYS", set); // the conditional one too

        // What the app reads: its code's Configuration["..."], host.json's %...%, and the names the
        // storage connection is looked up by, asked with the values the template gives.
        string source = string.Join('\n', Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "src", "GitOps.Orchestrations.Functions"), "*.cs").Select(File.ReadAllText));
        HashSet<string> read = [.. ConfigurationRead().Matches(source).Select(m => m.Groups[1].Value)];
        read.UnionWith(HostSetting().Matches(source).Select(m => m.Groups[1].Value));   // binding expressions: the queue and container of the event triggers
        read.UnionWith(HostSetting().Matches(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json"))).Select(m => m.Groups[1].Value));
        Assert.Contains("TableAccount.FromConfiguration(name => builder.Configuration[name])", source, StringComparison.Ordinal);
        var asked = new List<string>();
        TableAccount account = TableAccount.FromConfiguration(name =>
        {
            asked.Add(name);
            return set.Contains(name) ? name switch
            {
                "AzureWebJobsStorage__accountName" => "gitopsabc123",
                "AzureWebJobsStorage__credential" => "managedidentity",
                _ => "00000000-0000-0000-0000-000000000000",
            } : null;
        });
        Assert.Equal(new Uri("https://gitopsabc123.table.core.windows.net"), account.Endpoint);
        read.UnionWith(asked);

        Assert.Empty(read.Except(set).Except(LeftUnset.Keys).Order());
        Assert.Empty(set.Except(read).Except(ReadByTheHost).Order());
        Assert.All(LeftUnset.Keys, name => Assert.DoesNotContain(name, set));
    }

    [Fact]
    public async Task No_key_or_secret_reaches_the_app_settings_or_the_outputs()
    {
        (_, string json) = await BicepAsync("build", Template, "--stdout");
        using JsonDocument arm = JsonDocument.Parse(json);
        Assert.DoesNotContain("listKeys", json, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", json, StringComparison.Ordinal);
        Assert.Contains("\"allowSharedKeyAccess\": false", json, StringComparison.Ordinal);
        Assert.Equal(["dashboardUrl", "functionAppName", "identityClientId", "storageAccountName", "url"], arm.RootElement.GetProperty("outputs").EnumerateObject().Select(o => o.Name).Order(StringComparer.Ordinal));
        string runtime = Regex.Match(json, "\"runtime\": \\{[^}]*\\}", RegexOptions.Singleline).Value;
        Assert.Contains("\"dotnet-isolated\"", runtime, StringComparison.Ordinal);
        Assert.Contains("\"10.0\"", runtime, StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_roles_people_are_given_are_the_roles_the_api_knows()
    {
        using JsonDocument roles = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "app-roles.json")));
        string[] values = [.. roles.RootElement.EnumerateArray().Select(r => r.GetProperty("value").GetString()!)];
        Assert.Equal(Enum.GetNames<Identity.Role>().Select(n => n.ToLowerInvariant()).Order(), values.Order());
        Assert.All(roles.RootElement.EnumerateArray(), r => Assert.True(Guid.TryParse(r.GetProperty("id").GetString(), out _)));

        // The walkthrough makes its reader an approver by that role's id.
        string approver = roles.RootElement.EnumerateArray().Single(r => r.GetProperty("value").GetString() == "approver").GetProperty("id").GetString()!;
        Assert.Contains(approver, File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "functions.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_operator_guide_and_the_functions_guide_give_the_same_azure_sequence()
    {
        static string Sequence(string file, string heading)
        {
            string text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, file));
            return Regex.Match(text[text.IndexOf(heading, StringComparison.Ordinal)..], "```bash\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        }

        string guide = Sequence("docs/functions.md", "### From `az login` to a first run and an approval");
        Assert.Contains("az deployment group create", guide, StringComparison.Ordinal);
        Assert.Contains("--template-file deploy/azure/main.bicep", guide, StringComparison.Ordinal);
        Assert.Equal(guide, Sequence("deploy/README.md", "## Azure"));
    }

    static string Bicep()
    {
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string bicep = Path.Combine(home, "azure.bicep.commandline.linux-x64", "0.49.2", "tools", "bicep");
        Assert.True(File.Exists(bicep), $"the Bicep CLI is restored with this project (PackageDownload); not found at {bicep}");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(bicep) & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute);
        }

        return bicep;
    }

    /// <summary>Runs the CLI: the output is stdout with --stdout (the compiled JSON), else stdout and stderr (diagnostics).</summary>
    static async Task<(int ExitCode, string Output)> BicepAsync(params string[] args)
    {
        ToolRun run = await Tool.RunAsync(Bicep(), args, Folder, TimeSpan.FromMinutes(3));
        Assert.True(!args.Contains("--stdout") || run.Stderr.Length == 0, $"bicep {string.Join(' ', args)}: {run.Stderr}");
        return (run.ExitCode, args.Contains("--stdout") ? run.Stdout : run.Output);
    }

    /// <summary>A setting's name in the compiled template: a literal in the settings list, or inside the conditional one's createObject.</summary>
    [GeneratedRegex(@"(?:'name',\s*'|""name"":\s*"")((?:GITOPS|AzureWebJobs|APPLICATIONINSIGHTS)[A-Za-z0-9_]*)")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"Configuration\[""([A-Za-z0-9_]+)""\]")]
    private static partial Regex ConfigurationRead();

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex HostSetting();
}
