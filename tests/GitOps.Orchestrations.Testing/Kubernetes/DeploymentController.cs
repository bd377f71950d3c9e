using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// Plays the Deployment controller for tests: watches Deployments through the API, as the real
/// controller does, and reports each new generation rolled out by writing the status subresource,
/// so health waits see <c>observedGeneration</c> and replica counts move. Images listed in
/// <see cref="CrashingImages"/> never become ready, like a container in CrashLoopBackOff.
/// </summary>
public sealed class DeploymentController : IAsyncDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly Task loop;

    public HashSet<string> CrashingImages { get; } = new(StringComparer.Ordinal);

    public DeploymentController(KubeApiServer server, TimeSpan? rolloutDelay = null)
    {
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        loop = Task.Run(() => RunAsync(client, rolloutDelay ?? TimeSpan.FromMilliseconds(300)));
    }

    async Task RunAsync(k8s.Kubernetes client, TimeSpan delay)
    {
        using (client)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await foreach (var (type, deployment) in client.AppsV1.WatchListDeploymentForAllNamespacesAsync(cancellationToken: stop.Token))
                    {
                        if (type is WatchEventType.Added or WatchEventType.Modified && deployment.Metadata.Generation > (deployment.Status?.ObservedGeneration ?? 0))
                        {
                            _ = RollOutAsync(client, deployment, delay);
                        }
                    }
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    await Task.Delay(100);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    async Task RollOutAsync(k8s.Kubernetes client, V1Deployment deployment, TimeSpan delay)
    {
        await Task.Delay(delay, stop.Token);
        int replicas = deployment.Spec.Replicas ?? 1;
        bool crashing;
        lock (CrashingImages)
        {
            crashing = deployment.Spec.Template.Spec.Containers.Any(c => CrashingImages.Contains(c.Image));
        }

        int ready = crashing ? 0 : replicas;
        string status = System.Text.Json.JsonSerializer.Serialize(new { status = new { observedGeneration = deployment.Metadata.Generation, replicas, updatedReplicas = replicas, readyReplicas = ready, availableReplicas = ready } });
        await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), deployment.Metadata.Name, deployment.Metadata.NamespaceProperty, cancellationToken: stop.Token);
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
