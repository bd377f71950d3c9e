using System.Collections;
using System.Text.Json;
using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Server;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>What an operator writes in the GitOps section reaches the engine as written.</summary>
public sealed class ServerSettingsTests
{
    static ServerOptions Read(string json, Dictionary<string, string?>? flags = null, Hashtable? environment = null) =>
        ServerOptions.Read(Write(json), flags, environment ?? []);

    static string Write(string json, string name = "serve.json")
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("gitops-settings-").FullName, name);
        File.WriteAllText(file, json);
        return file;
    }

    [Fact]
    public void Egress_denials_add_to_the_defaults_and_allow_lists_are_taken_as_written()
    {
        ServerOptions options = Read("""{"GitOps": {"Egress": {"DenyNetworks": ["10.0.0.0/8"], "AllowHosts": ["*.example.com"]}}}""");
        EgressPolicy egress = options.Engine.Egress;
        Assert.Contains("10.0.0.0/8", egress.DenyNetworks);
        Assert.Contains("169.254.0.0/16", egress.DenyNetworks);
        Assert.Equal(["*.example.com"], egress.AllowHosts);
        Assert.NotNull(egress.RefuseAddress(System.Net.IPAddress.Parse("10.1.2.3")));
        Assert.Null(egress.RefuseUrl(new Uri("https://charts.example.com/index.yaml")));
        Assert.NotNull(egress.RefuseUrl(new Uri("https://elsewhere.test/")));
    }

    [Fact]
    public void The_operators_policies_load_at_start_and_a_broken_one_stops_it_with_its_position()
    {
        string folder = Directory.CreateTempSubdirectory("gitops-policies-").FullName;
        File.Copy(Path.Combine(Testing.RepositoryRoot.Path, "policies", "disallow-privileged.yaml"), Path.Combine(folder, "disallow-privileged.yaml"));
        ServerOptions options = ServerOptions.Read(null, null, new Hashtable { ["GITOPS_POLICIES"] = folder });
        Assert.Equal("disallow-privileged", Assert.Single(options.Engine.Delivery.Policies).Name);

        File.WriteAllText(Path.Combine(folder, "generate.yaml"), "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: gen}\nspec:\n  rules:\n    - name: r\n      match: {any: [{resources: {kinds: [Namespace]}}]}\n      generate: {kind: NetworkPolicy}\n");
        ArgumentException refused = Assert.Throws<ArgumentException>(() => ServerOptions.Read(null, null, new Hashtable { ["GITOPS_POLICIES"] = folder }));
        Assert.Contains("generate.yaml:8:7: error: 'generate' is not supported", refused.Message);
    }

    [Fact]
    public void Clusters_the_store_and_the_public_url_come_from_the_file()
    {
        ServerOptions options = Read("""{"GitOps": {"Store": "azurite", "PublicUrl": "https://gitops.example.com", "Clusters": {"prod": {"Kubeconfig": "/etc/prod", "Context": "p"}}}}""");
        Assert.IsType<AzureStorageStore>(options.Engine.Store);
        Assert.Equal("https://gitops.example.com", options.Api.PublicUrl);
        Assert.Equal("/etc/prod", options.Engine.Delivery.Clusters.Resolve("prod").Kubeconfig);
        Assert.IsType<MemoryStore>(Read("""{"GitOps": {"Store": "azurite"}}""", new() { ["Store"] = "memory" }).Engine.Store);
    }

    [Fact]
    public void Retention_keeps_runs_30_days_and_audit_for_ever_unless_configured()
    {
        ServerOptions defaults = Read("{}");
        Assert.Equal(TimeSpan.FromDays(30), defaults.Retention.Runs);
        Assert.Null(defaults.Retention.Audit);
        ServerOptions configured = Read("""{"GitOps": {"Retention": {"RunDays": 7, "AuditDays": 400, "IntervalMinutes": 5}}}""");
        Assert.Equal(TimeSpan.FromDays(7), configured.Retention.Runs);
        Assert.Equal(TimeSpan.FromDays(400), configured.Retention.Audit);
        Assert.Equal(TimeSpan.FromMinutes(5), configured.Retention.Interval);
    }

    [Fact]
    public void The_environment_overrides_the_file_and_a_flag_overrides_both()
    {
        const string File = """{"GitOps": {"TaskHub": "from-file", "Urls": "http://0.0.0.0:1", "ScheduleIntervalSeconds": 20, "Repository": "https://example.com/file.git"}}""";
        Hashtable environment = new() { ["GITOPS_TASK_HUB"] = "from-env", ["GITOPS_URLS"] = "http://0.0.0.0:2", ["GitOps__ScheduleIntervalSeconds"] = "30" };
        ServerOptions fileOnly = Read(File);
        Assert.Equal(("from-file", "http://0.0.0.0:1", 20d, "https://example.com/file.git"), (fileOnly.Engine.TaskHub, fileOnly.Urls, fileOnly.ScheduleInterval.TotalSeconds, fileOnly.Workflows.Repository));

        ServerOptions withEnvironment = Read(File, environment: environment);
        Assert.Equal(("from-env", "http://0.0.0.0:2", 30d), (withEnvironment.Engine.TaskHub, withEnvironment.Urls, withEnvironment.ScheduleInterval.TotalSeconds));

        ServerOptions withFlags = Read(File, new() { ["TaskHub"] = "from-flag", ["Urls"] = null }, environment);
        Assert.Equal(("from-flag", "http://0.0.0.0:2"), (withFlags.Engine.TaskHub, withFlags.Urls));
    }

    [Fact]
    public void A_named_variable_wins_over_the_generic_one_for_the_same_setting()
    {
        ServerOptions options = Read("{}", environment: new() { ["GitOps__Store"] = "memory", ["GITOPS_STORE"] = "azurite", ["gitops__retention__rundays"] = "3" });
        Assert.IsType<AzureStorageStore>(options.Engine.Store);
        Assert.Equal(TimeSpan.FromDays(3), options.Retention.Runs);
    }

    [Fact]
    public void With_nothing_configured_the_server_listens_on_loopback_and_knows_no_store_was_asked_for()
    {
        ServerOptions options = ServerOptions.Read(null, null, new Hashtable());
        Assert.Equal("http://127.0.0.1:8080", options.Urls);
        Assert.False(options.StoreConfigured);
        Assert.Equal((".", "workflows", "gitops"), (options.Workflows.Repository, options.Workflows.Folder, options.Engine.TaskHub));
    }

    [Theory]
    [InlineData("GITOPS_SCHEDULE_INTERVAL_SECONDS", "soon", "GitOps:ScheduleIntervalSeconds (GITOPS_SCHEDULE_INTERVAL_SECONDS): 'soon' is not a number")]
    [InlineData("GITOPS_RETENTION_RUN_DAYS", "-1", "GitOps:Retention:RunDays (GITOPS_RETENTION_RUN_DAYS): '-1' is not a number of at least 0")]
    [InlineData("GITOPS_MAX_BODY_BYTES", "NaN", "GitOps:MaxBodyBytes (GITOPS_MAX_BODY_BYTES): 'NaN' is not a number")]
    public void A_setting_that_is_not_a_number_is_refused_with_every_name_it_goes_by(string variable, string value, string message)
    {
        FormatException refused = Assert.Throws<FormatException>(() => ServerOptions.Read(null, null, new Hashtable { [variable] = value }));
        Assert.StartsWith(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_keys_file_of_its_own_holds_the_keys_and_the_configuration_file_keys_are_not_mixed_in()
    {
        const string Hash = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
        string keys = Write($$$"""{"GitOps": {"ApiKeys": [{"User": "kay", "Role": "approver", "Sha256": "{{{Hash}}}"}]}}""", "keys.json");
        ServerOptions options = Read($$$"""{"GitOps": {"ApiKeys": [{"User": "old", "Role": "viewer", "Sha256": "{{{Hash}}}"}]}}""", environment: new() { ["GITOPS_KEYS_FILE"] = keys });
        Assert.Equal(["kay"], options.ApiKeys.Select(k => k.User));
        Assert.Equal(keys, options.KeysFile);
    }

    [Fact]
    public void Print_config_names_every_setting_by_its_key_in_the_file()
    {
        JsonElement printed = JsonDocument.Parse(EffectiveConfiguration.Describe(ServerOptions.Read(null, null, new Hashtable { ["GITOPS_JWT_SIGNING_KEY"] = new string('k', 32) }))).RootElement;
        foreach (ServerSetting setting in ServerSettings.All)
        {
            JsonElement at = printed;
            foreach (string part in setting.Key.Split(':'))
            {
                Assert.True(at.TryGetProperty(part, out at), $"--print-config does not show {setting.Key}");
            }
        }
    }

    [Fact]
    public void Every_variable_is_documented_in_the_server_guide()
    {
        string guide = System.IO.File.ReadAllText(Path.Combine(Testing.RepositoryRoot.Path, "docs", "server.md"));
        Assert.All(ServerSettings.All, s => Assert.Contains($"`{s.Variable}`", guide, StringComparison.Ordinal));
    }

    [Fact]
    public void Hooks_and_channels_come_from_the_file_and_the_environment_and_print_config_shows_no_secret_of_theirs()
    {
        const string HookSecret = "hook-secret-value", SlackUrl = "https://hooks.slack.example/services/T000/B000/SECRETPART";
        Environment.SetEnvironmentVariable("GITOPS_TEST_GH_SECRET", HookSecret);
        Environment.SetEnvironmentVariable("GITOPS_TEST_SLACK_URL", SlackUrl);
        try
        {
            ServerOptions options = Read("""
                {"GitOps": {
                  "PublicUrl": "https://gitops.example.com",
                  "Hooks": {"github": {"Type": "github", "SecretEnv": "GITOPS_TEST_GH_SECRET"}},
                  "Notifications": {
                    "Channels": {"deploys": {"Type": "slack", "UrlEnv": "GITOPS_TEST_SLACK_URL"}},
                    "Defaults": [{"On": ["run-failed"], "To": ["deploys"]}]}}}
                """);
            Assert.Equal(HookSecret, options.Api.Hooks["github"].ResolveSecret());
            Assert.Equal("https://gitops.example.com/ui/", options.Engine.Notifications.DashboardUrl);
            Assert.Equal(["deploys"], Assert.Single(options.Engine.Notifications.Defaults).To);
            string printed = EffectiveConfiguration.Describe(options);
            Assert.DoesNotContain(HookSecret, printed, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRETPART", printed, StringComparison.Ordinal);
            JsonElement json = JsonDocument.Parse(printed).RootElement;
            Assert.Equal("github", json.GetProperty("Hooks").GetProperty("github").GetProperty("Type").GetString());
            Assert.Equal("slack", json.GetProperty("Notifications").GetProperty("Channels").GetProperty("deploys").GetProperty("Type").GetString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITOPS_TEST_GH_SECRET", null);
            Environment.SetEnvironmentVariable("GITOPS_TEST_SLACK_URL", null);
        }
    }

    [Theory]
    [InlineData("""{"GitOps": {"Hooks": {"github": {"Type": "github"}}}}""", "hook 'github' has no secret")]
    [InlineData("""{"GitOps": {"Hooks": {"github": {"Type": "bitbucket", "Secret": "s"}}}}""", "unknown type 'bitbucket'")]
    [InlineData("""{"GitOps": {"Hooks": {"Not_A_Label": {"Type": "hmac", "Secret": "s"}}}}""", "must be a DNS label")]
    [InlineData("""{"GitOps": {"Notifications": {"Channels": {"ops": {"Type": "teams"}}}}}""", "teams needs an http(s) Url")]
    [InlineData("""{"GitOps": {"Notifications": {"Channels": {"mail": {"Type": "email", "SmtpHost": "smtp"}}}}}""", "email needs SmtpHost, From and To")]
    [InlineData("""{"GitOps": {"Notifications": {"Defaults": [{"On": ["run-failed"], "To": ["nowhere"]}]}}}""", "channel 'nowhere', which is not configured")]
    [InlineData("""{"GitOps": {"Notifications": {"Defaults": [{"On": ["run-exploded"], "To": ["x"]}]}}}""", "unknown trigger 'run-exploded'")]
    public void A_hook_or_channel_that_cannot_work_stops_the_start_with_what_is_wrong(string json, string problem)
    {
        var e = Assert.ThrowsAny<Exception>(() => Read(json));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }
}
