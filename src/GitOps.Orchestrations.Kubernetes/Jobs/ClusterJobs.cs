using System.Text;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Jobs;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes.Jobs;

/// <summary>A Job of the step's name exists but carries another step's key; trying again cannot help.</summary>
public sealed class JobNotOursException(string message) : InvalidOperationException(message);

/// <summary>A Job and its pods as the API returned them, for <see cref="JobStates.Observe"/>.</summary>
public sealed record JobSnapshot(JsonObject Job, IReadOnlyList<JsonObject> Pods);

/// <summary>
/// Creates, reads and deletes the Jobs that steps run, through the Job, Pod and pod-log APIs. A
/// create that finds a Job of the same name adopts it only when it carries the same step key: a
/// name alone might belong to someone else's Job.
/// </summary>
public sealed class ClusterJobs(ClusterClient client)
{
    /// <summary>The pod label the Job controller sets on every pod it creates for a Job.</summary>
    public const string JobNameLabel = "job-name";

    public async Task<bool> CreateAsync(JsonObject job, JsonObject? source, string stepKey, CancellationToken cancellationToken)
    {
        string ns = (string)job["metadata"]!["namespace"]!;
        string name = (string)job["metadata"]!["name"]!;
        V1Job body = KubernetesJson.Deserialize<V1Job>(job.ToJsonString());
        V1Job? created = await CallAsync($"POST jobs {ns}/{name}", async () =>
        {
            try
            {
                return await client.BatchV1.CreateNamespacedJobAsync(body, ns, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 409)
            {
                return null;
            }
        });

        bool adopted = created is null;
        V1Job owner = created ?? await CallAsync($"GET jobs {ns}/{name}", () => client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: cancellationToken));
        string? ownerKey = owner.Metadata.Annotations is { } annotations && annotations.TryGetValue(JobNames.StepAnnotation, out string? key) ? key : null;
        if (ownerKey != stepKey)
        {
            throw new JobNotOursException($"a Job named {ns}/{name} already exists and was not created by this step; it is left alone");
        }

        if (source is not null)
        {
            await CreateOwnedAsync(source, owner, cancellationToken);
        }

        return adopted;
    }

    /// <summary>The script's ConfigMap, owned by the Job, so deleting the Job (or its TTL) removes it too.</summary>
    async Task CreateOwnedAsync(JsonObject source, V1Job owner, CancellationToken cancellationToken)
    {
        V1ConfigMap map = KubernetesJson.Deserialize<V1ConfigMap>(source.ToJsonString());
        map.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, BlockOwnerDeletion = true }];
        await CallAsync($"POST configmaps {map.Metadata.NamespaceProperty}/{map.Metadata.Name}", async () =>
        {
            try
            {
                return await client.CoreV1.CreateNamespacedConfigMapAsync(map, map.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 409)
            {
                return map;
            }
        });
    }

    /// <summary>The Job and its pods, or null when the Job is gone.</summary>
    public async Task<JobSnapshot?> ReadAsync(string ns, string name, CancellationToken cancellationToken)
    {
        V1Job? job = await CallAsync($"GET jobs {ns}/{name}", async () =>
        {
            try
            {
                return await client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
            {
                return null;
            }
        });
        if (job is null)
        {
            return null;
        }

        V1PodList pods = await CallAsync($"LIST pods of {ns}/{name}", () => client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{JobNameLabel}={name}", cancellationToken: cancellationToken));
        return new JobSnapshot(
            (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(job))!,
            pods.Items.Select(p => (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(p))!).ToList());
    }

    /// <summary>
    /// At most <paramref name="limitBytes"/> of the container's log: from its start, or of its last
    /// <paramref name="tailLines"/> lines. Null when the container has no log to give.
    /// </summary>
    public async Task<string?> ReadLogAsync(string ns, string pod, int limitBytes, int? tailLines, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync($"GET log of pod {ns}/{pod}", async () =>
            {
                using Stream log = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: JobDefaults.ContainerName, limitBytes: limitBytes, tailLines: tailLines, cancellationToken: cancellationToken);
                return await ReadBoundedAsync(log, limitBytes, cancellationToken);
            });
        }
        catch (KubernetesApiException e) when (e.StatusCode is 400 or 404)
        {
            // A container that never started has no log; the pod's status says why.
            return null;
        }
    }

    /// <summary>Deletes the Job with foreground propagation, so its pods (and a script's ConfigMap) go first. False when it was already gone.</summary>
    public async Task<bool> DeleteAsync(string ns, string name, CancellationToken cancellationToken) =>
        await CallAsync($"DELETE jobs {ns}/{name}", async () =>
        {
            try
            {
                await client.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Foreground", cancellationToken: cancellationToken);
                return true;
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 404)
            {
                return false;
            }
        });

    /// <summary>Reads a stream up to a byte limit, whatever the server sends: a log is someone else's output.</summary>
    static async Task<string> ReadBoundedAsync(Stream stream, int limitBytes, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[Math.Min(limitBytes, 64 * 1024) + 1];
        using var kept = new MemoryStream();
        int read;
        while (kept.Length < limitBytes && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limitBytes - kept.Length)), cancellationToken)) > 0)
        {
            kept.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }

    Task<T> CallAsync<T>(string action, Func<Task<T>> call) => ApiCalls.CallAsync(client.Host, action, call);
}
