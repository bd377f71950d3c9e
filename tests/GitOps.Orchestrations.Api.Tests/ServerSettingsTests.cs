using GitOps.Orchestrations.Engine.Egress;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Server;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>What an operator writes in the GitOps section reaches the engine as written.</summary>
public sealed class ServerSettingsTests
{
    static ServerOptions Read(string json, bool storeFromCommandLine = false)
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("gitops-settings-").FullName, "serve.json");
        File.WriteAllText(file, json);
        return new ServerOptions().WithSettings(file, storeFromCommandLine);
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
    public void Clusters_the_store_and_the_public_url_come_from_the_file()
    {
        ServerOptions options = Read("""{"GitOps": {"Store": "azurite", "PublicUrl": "https://gitops.example.com", "Clusters": {"prod": {"Kubeconfig": "/etc/prod", "Context": "p"}}}}""");
        Assert.IsType<AzureStorageStore>(options.Engine.Store);
        Assert.Equal("https://gitops.example.com", options.Api.PublicUrl);
        Assert.Equal("/etc/prod", options.Engine.Delivery.Clusters.Resolve("prod").Kubeconfig);
        Assert.IsType<MemoryStore>(Read("""{"GitOps": {"Store": "azurite"}}""", storeFromCommandLine: true).Engine.Store);
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
}
