using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// Plays Crossplane for one claim kind, through the API as the real controller works, following the
/// conditions Crossplane documents for claims: on a new generation it reports <c>Synced=True</c>
/// (<c>ReconcileSuccess</c>) and <c>Ready=False</c> (<c>Creating</c>); once the composed resources are
/// up it writes the connection details to <c>spec.writeConnectionSecretToRef</c> in the claim's
/// namespace and reports <c>Ready=True</c> (<c>Available</c>). A claim whose composition selector
/// matches no composition gets <c>Synced=False</c> (<c>ReconcileError</c>) with the message
/// Crossplane gives, and never becomes ready.
/// </summary>
public sealed class CrossplaneController : IAsyncDisposable
{
    public const string Group = "database.example.org";
    public const string Version = "v1alpha1";
    public const string Plural = "postgresqlinstances";

    /// <summary>The claim kind's CRD, as Crossplane creates it from its CompositeResourceDefinition.</summary>
    public const string ClaimDefinition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: postgresqlinstances.database.example.org}
        spec:
          group: database.example.org
          scope: Namespaced
          names: {kind: PostgreSQLInstance, plural: postgresqlinstances, singular: postgresqlinstance, listKind: PostgreSQLInstanceList}
          versions:
            - name: v1alpha1
              served: true
              storage: true
              subresources: {status: {}}
              schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        """;

    readonly CancellationTokenSource stop = new();
    readonly Task loop;
    readonly HashSet<string> handled = new(StringComparer.Ordinal);

    /// <summary>Composition selector labels <c>provider</c> values that have a composition.</summary>
    public HashSet<string> Providers { get; } = new(StringComparer.Ordinal) { "aws" };

    public CrossplaneController(KubeApiServer server, TimeSpan? provisionTime = null)
    {
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        loop = Task.Run(() => RunAsync(client, provisionTime ?? TimeSpan.FromMilliseconds(500)));
    }

    async Task RunAsync(k8s.Kubernetes client, TimeSpan provisionTime)
    {
        using (client)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // Crossplane watches; a short list loop sees the same changes for a test.
                    var list = JsonSerializer.SerializeToNode(await client.CustomObjects.ListClusterCustomObjectAsync(Group, Version, Plural, cancellationToken: stop.Token)) as JsonObject;
                    foreach (JsonObject claim in (list?["items"] as JsonArray ?? []).OfType<JsonObject>())
                    {
                        string key = $"{claim["metadata"]!["namespace"]}/{claim["metadata"]!["name"]}@{claim["metadata"]!["generation"]}";
                        if (handled.Add(key))
                        {
                            _ = ReconcileAsync(client, claim, provisionTime);
                        }
                    }

                    await Task.Delay(50, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    await Task.Delay(100);
                }
            }
        }
    }

    async Task ReconcileAsync(k8s.Kubernetes client, JsonObject claim, TimeSpan provisionTime)
    {
        string name = (string)claim["metadata"]!["name"]!;
        string ns = (string)claim["metadata"]!["namespace"]!;
        long generation = (long?)claim["metadata"]!["generation"] ?? 1;
        string? provider = (string?)claim["spec"]?["compositionSelector"]?["matchLabels"]?["provider"];
        try
        {
            if (provider is null || !Providers.Contains(provider))
            {
                await SetConditionsAsync(client, ns, name, generation, Condition("Synced", "False", "ReconcileError", "cannot compose resources: no composition matches the claim's compositionSelector"));
                return;
            }

            await SetConditionsAsync(client, ns, name, generation, Condition("Synced", "True", "ReconcileSuccess", null), Condition("Ready", "False", "Creating", null));
            await Task.Delay(provisionTime, stop.Token);
            if ((string?)claim["spec"]?["writeConnectionSecretToRef"]?["name"] is string secretName)
            {
                var secret = new V1Secret
                {
                    Metadata = new V1ObjectMeta { Name = secretName, NamespaceProperty = ns },
                    Type = "connection.crossplane.io/v1alpha1",
                    Data = new Dictionary<string, byte[]>
                    {
                        ["endpoint"] = Encoding.UTF8.GetBytes($"{name}.{ns}.db.example.org"),
                        ["port"] = Encoding.UTF8.GetBytes("5432"),
                        ["username"] = Encoding.UTF8.GetBytes("shop"),
                        ["password"] = Encoding.UTF8.GetBytes(Guid.NewGuid().ToString("N")),
                    },
                };
                await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: stop.Token);
            }

            await SetConditionsAsync(client, ns, name, generation, Condition("Synced", "True", "ReconcileSuccess", null), Condition("Ready", "True", "Available", null));
        }
        catch (OperationCanceledException)
        {
        }
    }

    static JsonObject Condition(string type, string status, string reason, string? message)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status, ["reason"] = reason, ["lastTransitionTime"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) };
        if (message is not null)
        {
            condition["message"] = message;
        }

        return condition;
    }

    Task SetConditionsAsync(k8s.Kubernetes client, string ns, string name, long generation, params JsonObject[] conditions)
    {
        var patch = new JsonObject { ["status"] = new JsonObject { ["observedGeneration"] = generation, ["conditions"] = new JsonArray([.. conditions]) } };
        return client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, ns, Plural, name, cancellationToken: stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
