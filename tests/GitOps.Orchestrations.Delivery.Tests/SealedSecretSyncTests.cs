using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Delivery.Secrets;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// SealedSecrets through real syncs against the API fixture: unsealed by the engine for a cluster
/// without the controller, applied as they are for one that serves the kind, refused whole when
/// sealed for another name. After each, the run's status, its outputs and diff, every log line, the
/// clone and render cache on disk and the Git repository are scanned: the plaintext is in none.
/// </summary>
public sealed class SealedSecretSyncTests : IAsyncLifetime
{
    const string Password = "pg-Pa55word-0f-the-shop";
    static readonly string Encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Password));

    readonly KubeApiServer cluster = new();
    readonly GitRepository repo = new();
    readonly CapturingLogs logs = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-sealed-").FullName;
    SealingKeyRing keys = null!;
    EngineHost engine = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        using (RSA rsa = RSA.Create(2048))
        {
            keys = SealingKeyRing.FromPem([("2026-12-01.key", rsa.ExportRSAPrivateKeyPem())]);
        }

        JsonObject secret = new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "db", ["namespace"] = "shop" },
            ["stringData"] = new JsonObject { ["password"] = Password },
        };
        JsonObject sealedSecret = SealedSecrets.Seal(secret, keys.Newest!.PublicKey, SealingScope.Strict, null);
        JsonObject moved = (JsonObject)sealedSecret.DeepClone();
        moved["metadata"]!["name"] = "db-copy";
        repo.Commit("app",
            ("app/namespace.yaml", Apps.Namespace("shop")),
            ("app/db.yaml", CanonicalYaml.Write(sealedSecret)),
            ("moved/namespace.yaml", Apps.Namespace("shop")),
            ("moved/config.yaml", Apps.ConfigMap("settings", "1", ns: "shop")),
            ("moved/db.yaml", CanonicalYaml.Write(moved)));
        var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        engine = await EngineHost.StartAsync(new EngineHostOptions
        {
            Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work), SealingKeys = keys },
            LoggerFactory = loggerFactory,
        });
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await cluster.DisposeAsync();
        repo.Dispose();
        Directory.Delete(work, recursive: true);
    }

    Task<RunStatus> SyncAsync(string path, string extra = "") => engine.Runs.RunToEndAsync($$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: sealed}
        spec:
          tasks:
            - name: sync
              uses: sync
              with:
                source: {repo: "{{{repo.Path}}}", path: {{{path}}}}
                target: {kubernetes: {namespace: shop}}
                {{{extra}}}
        """);

    [Fact]
    public async Task Without_a_controller_the_engine_unseals_and_the_plaintext_reaches_only_the_api_server()
    {
        RunStatus dryRun = await SyncAsync("app", "dryRun: true");
        Assert.Equal(WorkflowPhase.Succeeded, dryRun.Phase);
        Assert.Contains("(redacted)", dryRun.Nodes.Single().Outputs!["diff"].GetString());

        RunStatus status = await SyncAsync("app");

        Assert.Equal(WorkflowPhase.Succeeded, status.Phase);
        JsonObject applied = cluster.Get("v1", "Secret", "shop", "db")!;
        Assert.Equal(Encoded, (string?)applied["data"]!["password"]);
        Assert.Null(cluster.Get("bitnami.com/v1alpha1", "SealedSecret", "shop", "db"));
        AssertNowhere(dryRun, status);
    }

    [Fact]
    public async Task A_value_sealed_for_another_name_fails_the_sync_and_applies_nothing_of_it()
    {
        RunStatus status = await SyncAsync("moved");

        NodeStatus node = status.Nodes.Single();
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("SealedSecret/shop/db-copy", node.Message);
        Assert.Contains("encryptedData key 'password'", node.Message);
        Assert.Contains("under strict scope as 'shop/db-copy'", node.Message);
        Assert.Equal(0, cluster.Writes);
        AssertNowhere(status);
    }

    [Fact]
    public async Task Where_the_cluster_serves_the_kind_the_sealed_secret_is_applied_as_it_is_for_its_controller()
    {
        IReadOnlyList<Manifest> crd = ManifestReader.Read("crd.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: sealedsecrets.bitnami.com}
            spec:
              group: bitnami.com
              scope: Namespaced
              names: {kind: SealedSecret, plural: sealedsecrets, singular: sealedsecret, listKind: SealedSecretList}
              versions:
                - name: v1alpha1
                  served: true
                  storage: true
                  schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            """, []);
        using (ClusterClient client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = cluster.WriteKubeconfig(work, "setup") }))
        {
            await new KubernetesApplier(client).ApplyAsync(ManifestSet.Build(crd, ManifestOverrides.None), new ApplyOptions { Application = "controller", Namespace = "default" });
        }

        RunStatus status = await SyncAsync("app");

        Assert.Equal(WorkflowPhase.Succeeded, status.Phase);
        JsonObject sealedSecret = cluster.Get("bitnami.com/v1alpha1", "SealedSecret", "shop", "db")!;
        Assert.NotNull(sealedSecret["spec"]!["encryptedData"]!["password"]);
        Assert.Null(cluster.Get("v1", "Secret", "shop", "db"));
        AssertNowhere(status);
    }

    /// <summary>Neither the value nor its base64 in status, outputs, logs, the cache on disk, or the repository.</summary>
    void AssertNowhere(params RunStatus[] runs)
    {
        string[] forms = [Password, Encoded];
        foreach (RunStatus run in runs)
        {
            string json = JsonSerializer.Serialize(run);
            Assert.DoesNotContain(forms, json.Contains);
        }

        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, line => forms.Any(line.Contains));
        foreach (string root in new[] { Path.Combine(work, "cache"), repo.Path })
        {
            foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                string text = Encoding.Latin1.GetString(File.ReadAllBytes(file));
                Assert.False(forms.Any(text.Contains), $"{file} holds the plaintext");
            }
        }
    }
}
