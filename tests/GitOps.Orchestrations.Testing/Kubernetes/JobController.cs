using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// How the simulated kubelet runs one Job's pod. A pod that is <see cref="Unschedulable"/> or
/// waiting with <see cref="WaitingReason"/> never starts; otherwise it runs until
/// <see cref="Release"/> completes (at once when null), then writes <see cref="Log"/> and exits.
/// </summary>
public sealed record PodPlan
{
    public int ExitCode { get; init; }

    public string Log { get; init; } = string.Empty;

    /// <summary>What the container wrote to its terminationMessagePath, which the kubelet reports on exit.</summary>
    public string? TerminationMessage { get; init; }

    /// <summary>A container waiting reason such as ImagePullBackOff or InvalidImageName, with <see cref="WaitingMessage"/>.</summary>
    public string? WaitingReason { get; init; }

    public string? WaitingMessage { get; init; }

    public bool Unschedulable { get; init; }

    public Task? Release { get; init; }
}

/// <summary>
/// Plays the Job controller, the scheduler and the kubelet for tests, through the API as they do:
/// for each new Job it records <c>status.startTime</c>, creates one pod from the template (labelled
/// <c>job-name</c> and <c>controller-uid</c>, owned by the Job), moves the pod through Pending,
/// Running and Succeeded or Failed with the container's exit code and termination message, and
/// ends the Job with the documented conditions: <c>Complete</c>, <c>Failed</c> with reason
/// <c>BackoffLimitExceeded</c>, or <c>DeadlineExceeded</c> once <c>activeDeadlineSeconds</c> pass
/// (deleting the pod). A finished Job goes after <c>ttlSecondsAfterFinished</c>. What each pod does
/// is the test's <see cref="Plan"/>.
/// </summary>
public sealed class JobController : IAsyncDisposable
{
    readonly KubeApiServer server;
    readonly k8s.Kubernetes client;
    readonly CancellationTokenSource stop = new();
    readonly Task loop;
    readonly ConcurrentDictionary<string, Task> running = new(StringComparer.Ordinal);
    int podsStarted;

    public JobController(KubeApiServer server, Func<V1Job, Task<PodPlan>>? plan = null)
    {
        this.server = server;
        Plan = plan ?? (_ => Task.FromResult(new PodPlan()));
        client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        loop = Task.Run(RunAsync);
    }

    /// <summary>Decides what the pod of a Job does; it may look at the Job and at objects in the cluster, such as a script's ConfigMap.</summary>
    public Func<V1Job, Task<PodPlan>> Plan { get; set; }

    /// <summary>How many pods this controller has started, over all Jobs.</summary>
    public int PodsStarted => Volatile.Read(ref podsStarted);

    async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var (type, job) in client.BatchV1.WatchListJobForAllNamespacesAsync(cancellationToken: stop.Token))
                {
                    string key = $"{job.Metadata.NamespaceProperty}/{job.Metadata.Name}/{job.Metadata.Uid}";
                    if (type == WatchEventType.Added && job.Status?.StartTime is null)
                    {
                        _ = running.GetOrAdd(key, _ => Task.Run(() => RunJobAsync(job)));
                    }
                }
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

    async Task RunJobAsync(V1Job job)
    {
        string ns = job.Metadata.NamespaceProperty;
        string name = job.Metadata.Name;
        try
        {
            DateTime started = DateTime.UtcNow;
            await PatchJobStatusAsync(ns, name, new { startTime = Timestamp(started), active = 1 });
            V1Pod pod = await CreatePodAsync(job);
            Interlocked.Increment(ref podsStarted);
            DateTime? deadline = job.Spec.ActiveDeadlineSeconds is long seconds ? started.AddSeconds(seconds) : null;

            // The kubelet starts no container until every ConfigMap volume exists (the pod stays ContainerCreating).
            foreach (string map in job.Spec.Template.Spec.Volumes?.Where(v => v.ConfigMap is not null).Select(v => v.ConfigMap.Name) ?? [])
            {
                while (server.Get("v1", "ConfigMap", ns, map) is null && (deadline is null || DateTime.UtcNow < deadline))
                {
                    await Task.Delay(50, stop.Token);
                }
            }

            PodPlan plan = await Plan(job);

            if (plan.Unschedulable)
            {
                await PatchPodStatusAsync(ns, pod.Metadata.Name, new
                {
                    phase = "Pending",
                    conditions = new[] { new { type = "PodScheduled", status = "False", reason = "Unschedulable", message = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector." } },
                });
                await UntilAsync(null, deadline);
            }
            else if (plan.WaitingReason is string reason)
            {
                await PatchPodStatusAsync(ns, pod.Metadata.Name, new
                {
                    phase = "Pending",
                    conditions = new[] { new { type = "PodScheduled", status = "True" } },
                    containerStatuses = new[] { new { name = "main", image = pod.Spec.Containers[0].Image, ready = false, restartCount = 0, state = new { waiting = new { reason, message = plan.WaitingMessage } } } },
                });
                await UntilAsync(null, deadline);
            }
            else
            {
                await PatchPodStatusAsync(ns, pod.Metadata.Name, new
                {
                    phase = "Running",
                    conditions = new[] { new { type = "PodScheduled", status = "True" } },
                    containerStatuses = new[] { new { name = "main", image = pod.Spec.Containers[0].Image, ready = true, restartCount = 0, state = new { running = new { startedAt = Timestamp(DateTime.UtcNow) } } } },
                });
                if (await UntilAsync(plan.Release ?? Task.CompletedTask, deadline))
                {
                    server.SetPodLog(ns, pod.Metadata.Name, plan.Log);
                    bool succeeded = plan.ExitCode == 0;
                    await PatchPodStatusAsync(ns, pod.Metadata.Name, new
                    {
                        phase = succeeded ? "Succeeded" : "Failed",
                        containerStatuses = new[]
                        {
                            new
                            {
                                name = "main", image = pod.Spec.Containers[0].Image, ready = false, restartCount = 0,
                                state = new { terminated = new { exitCode = plan.ExitCode, reason = succeeded ? "Completed" : "Error", message = plan.TerminationMessage, finishedAt = Timestamp(DateTime.UtcNow) } },
                            },
                        },
                    });
                    DateTime finished = DateTime.UtcNow;
                    await PatchJobStatusAsync(ns, name, succeeded
                        ? new
                        {
                            active = 0, succeeded = 1, completionTime = Timestamp(finished),
                            conditions = new[]
                            {
                                new { type = "SuccessCriteriaMet", status = "True", reason = "CompletionsReached", message = "Reached expected number of succeeded pods" },
                                new { type = "Complete", status = "True", reason = "CompletionsReached", message = "Reached expected number of succeeded pods" },
                            },
                        }
                        : new
                        {
                            active = 0, failed = 1, completionTime = (string?)null,
                            conditions = new[]
                            {
                                new { type = "FailureTarget", status = "True", reason = "BackoffLimitExceeded", message = "Job has reached the specified backoff limit" },
                                new { type = "Failed", status = "True", reason = "BackoffLimitExceeded", message = "Job has reached the specified backoff limit" },
                            },
                        });
                    await CollectAfterTtlAsync(job, finished);
                    return;
                }
            }

            // Past the deadline: the Job controller deletes the Job's running pods and fails the Job.
            if (deadline is not null && DateTime.UtcNow >= deadline)
            {
                await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, cancellationToken: stop.Token);
                await PatchJobStatusAsync(ns, name, new
                {
                    active = 0, failed = 1,
                    conditions = new[]
                    {
                        new { type = "FailureTarget", status = "True", reason = "DeadlineExceeded", message = "Job was active longer than specified deadline" },
                        new { type = "Failed", status = "True", reason = "DeadlineExceeded", message = "Job was active longer than specified deadline" },
                    },
                });
                await CollectAfterTtlAsync(job, DateTime.UtcNow);
            }
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // The Job or its pod was deleted while it ran: nothing is left to report on.
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits for <paramref name="release"/> or the deadline; true when released first. Stops early when the Job is deleted.</summary>
    async Task<bool> UntilAsync(Task? release, DateTime? deadline)
    {
        while (!stop.IsCancellationRequested)
        {
            if (release is { IsCompleted: true })
            {
                return true;
            }

            if (deadline is DateTime due && DateTime.UtcNow >= due)
            {
                return false;
            }

            await Task.Delay(50, stop.Token);
        }

        return false;
    }

    async Task CollectAfterTtlAsync(V1Job job, DateTime finished)
    {
        if (job.Spec.TtlSecondsAfterFinished is int ttl)
        {
            await Task.Delay(finished.AddSeconds(ttl) - DateTime.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, stop.Token);
            await client.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, job.Metadata.NamespaceProperty, propagationPolicy: "Background", cancellationToken: stop.Token);
        }
    }

    async Task<V1Pod> CreatePodAsync(V1Job job)
    {
        var labels = new Dictionary<string, string>(job.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            ["job-name"] = job.Metadata.Name,
            ["batch.kubernetes.io/job-name"] = job.Metadata.Name,
            ["controller-uid"] = job.Metadata.Uid,
            ["batch.kubernetes.io/controller-uid"] = job.Metadata.Uid,
        };
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{job.Metadata.Name}-{Guid.NewGuid().ToString("N")[..5]}",
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = labels,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name, Uid = job.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
            },
            Spec = job.Spec.Template.Spec,
        };
        return await client.CoreV1.CreateNamespacedPodAsync(pod, job.Metadata.NamespaceProperty, cancellationToken: stop.Token);
    }

    Task PatchJobStatusAsync(string ns, string name, object status) =>
        client.BatchV1.PatchNamespacedJobStatusAsync(new V1Patch(JsonSerializer.Serialize(new { status }), V1Patch.PatchType.MergePatch), name, ns, cancellationToken: stop.Token);

    Task PatchPodStatusAsync(string ns, string name, object status) =>
        client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(JsonSerializer.Serialize(new { status }), V1Patch.PatchType.MergePatch), name, ns, cancellationToken: stop.Token);

    static string Timestamp(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await loop;
            await Task.WhenAll(running.Values);
        }
        catch (OperationCanceledException)
        {
        }

        client.Dispose();
        stop.Dispose();
    }
}
