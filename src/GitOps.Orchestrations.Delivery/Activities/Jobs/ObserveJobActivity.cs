using System.Text;
using GitOps.Orchestrations.Core.Jobs;
using GitOps.Orchestrations.Engine.Jobs;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Jobs;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Activities.Jobs;

/// <summary>
/// One look at a step's Job: its state from the Job and Pod status, and once it has finished, the
/// end of its log and (when it is the result) the whole of it, within bounds.
/// </summary>
public sealed class ObserveJobActivity(ClusterRegistry clusters, ILogger<ObserveJobActivity> logger) : TaskActivity<ObserveJobRequest, ObserveJobResult>
{
    /// <summary>The lines asked for when the log is too long to read whole; the tail is cut to its bytes after.</summary>
    const int TailLines = 2000;

    public override Task<ObserveJobResult> RunAsync(TaskActivityContext context, ObserveJobRequest input) =>
        DeliveryErrors.RunAsync(logger, "job", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Cluster);
            var jobs = new ClusterJobs(client);
            JobSnapshot? snapshot = await jobs.ReadAsync(input.Namespace, input.Name, CancellationToken.None);
            if (snapshot is null)
            {
                return new ObserveJobResult { Missing = true };
            }

            JobState state = JobStates.Observe(snapshot.Job, snapshot.Pods);
            if (!state.Finished || state.Pod is null)
            {
                return new ObserveJobResult { State = state };
            }

            // The whole log only when it is the result; otherwise its end is all that is kept.
            string? whole = input.WantStdout ? await jobs.ReadLogAsync(input.Namespace, state.Pod, JobDefaults.MaxResultBytes + 1, null, CancellationToken.None) : null;
            bool complete = whole is not null && Encoding.UTF8.GetByteCount(whole) <= JobDefaults.MaxResultBytes;
            string? tail = complete
                ? whole
                : await jobs.ReadLogAsync(input.Namespace, state.Pod, JobDefaults.MaxLogTailBytes, TailLines, CancellationToken.None);
            return new ObserveJobResult
            {
                State = state,
                LogTail = tail is null ? null : Tail(tail, input.LogTailBytes),
                Stdout = complete ? whole : null,
            };
        });

    /// <summary>The last <paramref name="bytes"/> of the text, starting at a whole line when one begins within it.</summary>
    static string Tail(string text, int bytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= bytes)
        {
            return text;
        }

        byte[] all = Encoding.UTF8.GetBytes(text);
        string end = Encoding.UTF8.GetString(all, all.Length - bytes, bytes);
        int newline = end.IndexOf('\n');
        return newline >= 0 && newline < end.Length - 1 ? end[(newline + 1)..] : end;
    }
}
