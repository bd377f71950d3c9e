using System.Text.Json;
using GitOps.Orchestrations.Core.Jobs;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Jobs;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.TaskTypes.Delivery;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Jobs;

/// <summary>
/// What <c>job</c> and <c>script</c> steps share: create the attempt's Job (or adopt the one an
/// earlier worker created), look at it on durable timers, and turn how it ended into the step's
/// result. A step that is stopped or times out deletes its Job and the Job's pods before it returns.
/// </summary>
internal static class ContainerSteps
{
    public static async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step, JobSettings settings)
    {
        if (settings.Problems().FirstOrDefault() is string problem)
        {
            return StepResult.Failed(problem) with { Retryable = false };
        }

        string name = JobNames.For(step.Node, step.IdempotencyKey);
        string where = $"Job {settings.Namespace}/{name}";
        JobObjects objects = JobManifest.Build(settings, name, JobNames.Labels(step.RunId, step.Node), step.IdempotencyKey);
        TimeSpan interval = settings.PollInterval is string every ? Durations.Parse(every) : JobDefaults.PollInterval;
        interval = interval < JobDefaults.MinPollInterval ? JobDefaults.MinPollInterval : interval;
        int tail = settings.LogTailBytes ?? JobDefaults.LogTailBytes;

        step.Report(new StepProgress($"creating {where}"));
        StartJobResult started = await context.CallActivityAsync<StartJobResult>(
            JobActivities.Start, new StartJobRequest(settings.Cluster, settings.Namespace, objects.Job.ToJsonString(), objects.Source?.ToJsonString(), step.IdempotencyKey));
        if (started.Error is not null)
        {
            return DeliverySteps.Fail(started);
        }

        // The cluster fails the Job at its deadline; this bound holds even where it does not.
        DateTime giveUpAt = context.CurrentUtcDateTime + TimeSpan.FromSeconds(settings.ActiveDeadlineSeconds ?? JobDefaults.ActiveDeadlineSeconds) + JobDefaults.DeadlineGrace;
        JobState? lastPending = null;
        var request = new ObserveJobRequest(settings.Cluster, settings.Namespace, name, tail, settings.Result?.Path is null);
        while (true)
        {
            if (step.Cancellation.IsCancellationRequested)
            {
                return await StopAsync(context, settings, name, "cancelled");
            }

            ObserveJobResult seen = await context.CallActivityAsync<ObserveJobResult>(JobActivities.Observe, request);
            if (seen.Error is not null && !seen.Transient)
            {
                return DeliverySteps.Fail(seen);
            }

            if (seen.Missing)
            {
                return StepResult.Errored($"{where} was deleted before it finished");
            }

            JobState state = seen.State;
            if (seen.Error is null && state.Finished)
            {
                if (state.Phase == JobPhase.Errored && state.Reason != "DeadlineExceeded" && state.Reason != "BackoffLimitExceeded")
                {
                    // A pod that can never start (a bad image name, a missing Secret) would otherwise sit until its deadline.
                    await context.CallActivityAsync<DeleteJobResult>(JobActivities.Delete, new DeleteJobRequest(settings.Cluster, settings.Namespace, name));
                }

                return Finish(settings, where, state, seen, lastPending);
            }

            if (state.Phase == JobPhase.Pending && state.Reason is not ("NoPod" or "ContainerCreating"))
            {
                lastPending = state;
            }

            if (context.CurrentUtcDateTime >= giveUpAt)
            {
                StepResult stopped = await StopAsync(context, settings, name, "past its deadline");
                return StepResult.Errored($"{where} did not finish within its deadline" + Pending(lastPending) + $"; {stopped.Message}");
            }

            step.Report(new StepProgress(seen.Error is not null
                ? $"{where}: {seen.Error}"
                : state.Phase == JobPhase.Running ? $"{where} running (pod {state.Pod})" : $"{where} pending: {state.Describe()}"));
            using TimerScope poll = context.StartTimer(interval, step.Cancellation);
            try
            {
                await poll.Fired;
            }
            catch (TaskCanceledException)
            {
                return await StopAsync(context, settings, name, "cancelled");
            }
        }
    }

    /// <summary>Deletes the Job and its pods; the message says so, for the run's status.</summary>
    static async Task<StepResult> StopAsync(TaskOrchestrationContext context, JobSettings settings, string name, string why)
    {
        DeleteJobResult deleted = await context.CallActivityAsync<DeleteJobResult>(JobActivities.Delete, new DeleteJobRequest(settings.Cluster, settings.Namespace, name));
        string what = deleted.Error is not null
            ? $"could not delete Job {settings.Namespace}/{name}: {deleted.Error}"
            : deleted.Deleted ? $"deleted Job {settings.Namespace}/{name} and its pods" : $"Job {settings.Namespace}/{name} was already gone";
        return StepResult.Failed($"{why}; {what}");
    }

    static string Pending(JobState? pending) => pending is null ? string.Empty : $"; its pod was pending: {pending.Describe()}";

    static StepResult Finish(JobSettings settings, string where, JobState state, ObserveJobResult seen, JobState? lastPending)
    {
        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (state.ExitCode is int exitCode)
        {
            outputs["exitCode"] = JsonSerializer.SerializeToElement(exitCode);
        }

        if (seen.LogTail is string log)
        {
            outputs["log"] = JsonSerializer.SerializeToElement(log);
        }

        switch (state.Phase)
        {
            case JobPhase.Failed:
                return StepResult.Failed($"{where} exited with code {state.ExitCode}{LastLines(seen.LogTail)}") with { Outputs = outputs };
            case JobPhase.Errored:
                return StepResult.Errored($"{where}: {state.Describe()}{Pending(lastPending)}") with { Outputs = outputs };
        }

        string? result = settings.Result?.Path is null ? seen.Stdout?.TrimEnd('\n', '\r') : state.TerminationMessage;
        if (result is null)
        {
            return settings.Outputs is { Count: > 0 }
                ? StepResult.Failed($"{where} succeeded, but its result is missing or longer than {JobDefaults.MaxResultBytes / 1024} KiB, so the declared outputs cannot be read") with { Outputs = outputs, Retryable = false }
                : StepResult.Succeeded(outputs);
        }

        outputs["result"] = JsonSerializer.SerializeToElement(result);
        JsonElement? json = ParseJson(result);
        if (json is JsonElement parsed)
        {
            outputs["json"] = parsed;
        }

        foreach (string declared in settings.Outputs ?? [])
        {
            if (json is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(declared, out JsonElement value))
            {
                return StepResult.Failed($"{where} succeeded, but its result has no '{declared}' (declared in with.outputs; the result must be a JSON object)") with { Outputs = outputs, Retryable = false };
            }

            outputs[declared] = value.Clone();
        }

        return StepResult.Succeeded(outputs);
    }

    static JsonElement? ParseJson(string text)
    {
        string trimmed = text.TrimStart();
        if (trimmed.Length == 0 || trimmed[0] is not ('{' or '['))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The end of the log for a failure message: enough to see why, short enough for a status line.</summary>
    static string LastLines(string? log)
    {
        if (string.IsNullOrWhiteSpace(log))
        {
            return string.Empty;
        }

        string[] lines = log.TrimEnd().Split('\n');
        string end = string.Join('\n', lines.TakeLast(10));
        return ": " + (end.Length > 1024 ? "…" + end[^1024..] : end);
    }
}
