using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Rollouts;

/// <summary>
/// One execution of <see cref="RolloutOrchestrator"/>: the state it carries between awaits and the
/// waits every step shares. Every wait races people's commands and the background analysis, so an
/// abort or a failing metric acts at whatever step the rollout has reached. Split by concern: the
/// shared waits, abort and promotion here; the canary steps in <c>.Canary</c>; blue-green in <c>.BlueGreen</c>.
/// </summary>
internal sealed partial class RolloutRun : IDisposable
{
    /// <summary>
    /// Readiness: the activity keeps looking for up to a second itself, so pods ready in a moment
    /// cost a moment; after that the rollout polls on durable timers from 100 ms, doubling up to 2 s,
    /// so pods that take minutes hold no worker and cost a poll every 2 s.
    /// </summary>
    public static readonly TimeSpan ActivityLooksFor = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(2);

    const int MaxEvents = 200;
    const int MaxMeasurementsInStatus = 30;

    readonly TaskOrchestrationContext context;
    readonly RolloutRequest request;
    readonly RolloutDefinition rollout;
    readonly List<RolloutEvent> events = [];
    readonly List<RolloutAnalysisRecord> analyses = [];
    readonly CancellationTokenSource endOfRun = new();
    RolloutStatus status;
    Task<RolloutCommand>? inbox;
    (Task<AnalysisOutcome> Task, string Instance)? background;
    PrepareRolloutResult baseline = new();

    readonly Approvals.ApprovalAuthority approvals;

    public RolloutRun(TaskOrchestrationContext context, RolloutRequest request, Approvals.ApprovalAuthority approvals)
    {
        this.context = context;
        this.request = request;
        this.approvals = approvals;
        rollout = request.Rollout;
        status = new RolloutStatus
        {
            Rollout = rollout.Name,
            Strategy = rollout.Canary is not null ? "canary" : "blueGreen",
            Image = rollout.Image,
            Steps = rollout.Canary?.Steps.Count ?? 0,
            StartedAt = context.CurrentUtcDateTime,
        };
    }

    enum Stop
    {
        Promote,
        PromoteFull,
        Abort,
    }

    /// <summary>Why a wait ended before its work: a person's command or a failing background analysis.</summary>
    sealed record Interruption(Stop Kind, string Reason, string By = "engine");

    public async Task<RolloutOutcome> RunAsync()
    {
        try
        {
            Update(s => s, $"rollout of {rollout.Image} to Deployment {rollout.Target.Namespace}/{rollout.Target.Name} started");
            return rollout.Canary is not null ? await RunCanaryAsync(rollout.Canary) : await RunBlueGreenAsync(rollout.BlueGreen!);
        }
        catch (TaskFailedException e)
        {
            return Finish(RolloutPhase.Degraded, $"an activity failed unexpectedly: {e.FailureDetails.ErrorMessage}");
        }
        finally
        {
            // Nothing may outlive the rollout: the command wait and every timer observe this.
            endOfRun.Cancel();
        }
    }

    public void Dispose() => endOfRun.Dispose();

    RolloutTarget Target => rollout.Target;

    /// <summary>Records what happened, publishes the status, and tells the parent step so the run's status shows it.</summary>
    void Update(Func<RolloutStatus, RolloutStatus> change, string? what = null, string by = "engine")
    {
        if (what is not null)
        {
            events.Add(new RolloutEvent(context.CurrentUtcDateTime, what, by));
        }

        status = change(status) with
        {
            UpdatedAt = context.CurrentUtcDateTime,
            Message = what ?? status.Message,
            Events = events.TakeLast(MaxEvents).ToList(),
            EventCount = events.Count,
            Analyses = analyses.Select(a => a with { Measurements = a.Measurements.TakeLast(MaxMeasurementsInStatus).ToList() }).ToList(),
        };

        // What is published fits the status budget; the outcome keeps the fuller record.
        context.SetCustomStatus(Budgeted(status));

        // The step shows a summary and the gate; an update that changes neither is not worth an event
        // (each one wakes the whole run's orchestration).
        string progress = Summary();
        string signal = $"{progress}|{status.Gate?.Node}|{status.Gate?.Decisions.Count}";
        if (signal != lastSignal)
        {
            lastSignal = signal;
            if (context.StartedBefore(OrchestrationVersions.RolloutProgressEvent))
            {
                context.SendEvent(request.ParentInstance, RolloutRequest.SignalEvent(request.StepPath), new RolloutSignal { Progress = progress, Gate = status.Gate });
            }
            else
            {
                context.SendEvent(request.ParentInstance, RolloutRequest.ProgressEvent(request.StepPath), new RolloutProgress(progress, status.Gate)
                {
                    Phase = status.Phase,
                    Step = status.Strategy == "canary" ? Math.Min(status.CurrentStep + 1, status.Steps) : null,
                    StepDescription = status.StepDescription,
                    PauseReason = status.PauseReason,
                    Inconclusive = holdingInconclusive && status.Phase == RolloutPhase.Paused,
                });
            }
        }
    }

    string? lastSignal;

    /// <summary>The fullest version of the status that fits <see cref="StatusBudget"/>.</summary>
    internal static RolloutStatus Budgeted(RolloutStatus status) =>
        StatusBudget.Fit(
            status,
            s => s with { Events = s.Events.TakeLast(50).ToList() },
            s => s with { Events = s.Events.TakeLast(20).ToList(), Analyses = Last(s.Analyses, 10, 10) },
            s => s with { Events = s.Events.TakeLast(5).ToList(), Analyses = Last(s.Analyses, 3, 3), Message = Shorten(s.Message, 500) });

    static List<RolloutAnalysisRecord> Last(IReadOnlyList<RolloutAnalysisRecord> analyses, int count, int measurements) =>
        analyses.TakeLast(count).Select(a => a with { Measurements = a.Measurements.TakeLast(measurements).ToList() }).ToList();

    static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    string Summary() =>
        $"{status.Phase}: " + (status.Strategy == "canary" ? $"step {Math.Min(status.CurrentStep + 1, status.Steps)}/{status.Steps}, weight {status.Weight}; " : string.Empty) + status.Message;

    RolloutOutcome Finish(RolloutPhase phase, string message)
    {
        Update(s => s with { Phase = phase, Gate = null, PauseReason = null }, message);
        return new RolloutOutcome(phase, message, status);
    }

    /// <summary>The pending wait for a person's command; one at a time, re-armed after each command is taken.</summary>
    Task<RolloutCommand> Inbox() => inbox ??= context.WaitForExternalEvent<RolloutCommand>(RolloutCommand.Event);

    RolloutCommand TakeCommand()
    {
        RolloutCommand command = inbox!.Result;
        inbox = null;
        return command;
    }

    /// <summary>
    /// Awaits <paramref name="work"/> while taking commands and watching the background analysis.
    /// Null when the work finished; otherwise why it was cut short. <c>promote</c> ends the wait only
    /// when <paramref name="promotable"/> (a pause or an analysis); elsewhere it is recorded and ignored.
    /// </summary>
    async Task<Interruption?> WaitAsync(Task work, bool promotable)
    {
        while (!endOfRun.IsCancellationRequested)
        {
            var waits = new List<Task> { work, Inbox() };
            if (background is { } running)
            {
                waits.Add(running.Task);
            }

            Task done = await Task.WhenAny(waits);
            if (done == work)
            {
                return null;
            }

            if (background is { } finished && done == finished.Task)
            {
                background = null;
                AnalysisOutcome outcome = await finished.Task;
                Record("background", outcome);
                if (outcome.Phase == AnalysisPhase.Failed)
                {
                    return new Interruption(Stop.Abort, $"background analysis Failed: {Describe(outcome)}");
                }

                if (outcome.Phase == AnalysisPhase.Inconclusive && await HoldAsync($"background analysis Inconclusive: {Describe(outcome)}", inconclusive: true) is Interruption held)
                {
                    return held;
                }

                continue;
            }

            RolloutCommand command = TakeCommand();
            if (!approvals.Verifies(request.ParentInstance, request.StepPath, command))
            {
                Update(s => s, $"'{command.Action.Wire()}' refused: {Approvals.ApprovalAuthority.Unproven}", command.By);
                continue;
            }

            switch (command.Action)
            {
                case RolloutAction.Abort:
                    Update(s => s, $"abort requested" + Because(command), command.By);
                    return new Interruption(Stop.Abort, $"aborted by {command.By}" + Because(command), command.By);
                case RolloutAction.PromoteFull:
                    Update(s => s, "full promotion requested: the remaining steps are skipped" + Because(command), command.By);
                    return new Interruption(Stop.PromoteFull, "promoted in full", command.By);
                case RolloutAction.Promote when promotable:
                    Update(s => s, $"promoted past {status.StepDescription ?? "the wait"}" + Because(command), command.By);
                    return new Interruption(Stop.Promote, "promoted", command.By);
                default:
                    Update(s => s, $"'{command.Action.Wire()}' ignored: {status.StepDescription ?? "this step"} is not waiting to be promoted", command.By);
                    continue;
            }
        }

        return new Interruption(Stop.Abort, "the rollout ended");
    }

    static string Because(RolloutCommand command) => command.Reason is null ? string.Empty : $": {command.Reason}";

    bool holdingInconclusive;

    /// <summary>Pauses for a person: promote continues (null), promote --full or abort end the steps.</summary>
    async Task<Interruption?> HoldAsync(string reason, bool inconclusive = false)
    {
        holdingInconclusive = inconclusive;
        Update(s => s with { Phase = RolloutPhase.Paused, PauseReason = reason }, $"paused: {reason}; promote or abort");
        Interruption? decided = await WaitAsync(new TaskCompletionSource().Task, promotable: true);
        holdingInconclusive = false;
        Update(s => s with { Phase = RolloutPhase.Progressing, PauseReason = null });
        return decided is { Kind: Stop.Promote } ? null : decided;
    }

    /// <summary>
    /// Runs automated work against the progress deadline: an activity error or the deadline passing
    /// aborts, so no rollout waits forever on pods that never become ready.
    /// </summary>
    async Task<Interruption?> WithinDeadlineAsync(string what, Func<CancellationToken, Task<string?>> work, bool promotable = false)
    {
        Task<string?>? job = null;
        (Interruption? interrupted, bool finished) = await AgainstDeadlineAsync(cancellation => job = work(cancellation), promotable);
        if (interrupted is not null)
        {
            return interrupted;
        }

        if (!finished)
        {
            return new Interruption(Stop.Abort, $"progressDeadline {Durations.Format(rollout.ProgressDeadline)} exceeded while {what}" + (lastPending is null ? string.Empty : $": {lastPending}"));
        }

        string? failure = await job!;
        return failure is null ? null : new Interruption(Stop.Abort, $"{what} failed: {failure}");
    }

    /// <summary>
    /// Races <paramref name="start"/>'s work against the progress deadline (and people's commands):
    /// whether a command cut it short, and whether the work finished before the deadline.
    /// </summary>
    async Task<(Interruption? Interrupted, bool Finished)> AgainstDeadlineAsync(Func<CancellationToken, Task> start, bool promotable)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(endOfRun.Token);
        using TimerScope deadline = context.StartTimer(rollout.ProgressDeadline, cancel.Token);
        Task work = start(cancel.Token);
        try
        {
            Interruption? interrupted = await WaitAsync(Task.WhenAny(work, deadline.Fired), promotable);
            return (interrupted, work.IsCompleted);
        }
        finally
        {
            // Cancelling ends the work's pending timers too (on every way out: a timer left open keeps
            // the rollout from completing), which completes the work as cancelled: it was looked at first.
            cancel.Cancel();
        }
    }

    string? lastPending;

    /// <summary>Polls until every named Deployment is available; the failure message when the cluster refuses.</summary>
    async Task<string?> UntilAvailableAsync(IReadOnlyList<string> deployments, CancellationToken cancellation)
    {
        lastPending = null;
        TimeSpan poll = FirstPoll;
        while (!cancellation.IsCancellationRequested)
        {
            ReadinessResult readiness = await context.CallActivityAsync<ReadinessResult>(RolloutActivities.ReadReadiness, new ReadinessRequest(Target, deployments, ActivityLooksFor));
            if (readiness.Error is not null && !readiness.Transient)
            {
                return readiness.Error;
            }

            if (readiness.Available)
            {
                return null;
            }

            lastPending = readiness.Error ?? string.Join("; ", readiness.Pending);
            await context.CreateTimer(poll, cancellation);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks));
        }

        return "stopped";
    }

    async Task<string?> ActivityAsync<T>(string activity, object input, Action<T>? onSuccess = null)
        where T : DeliveryOutcome
    {
        T result = await context.CallActivityAsync<T>(activity, input);
        if (result.Error is null)
        {
            onSuccess?.Invoke(result);
        }

        return result.Error;
    }

    /// <summary>Starts an analysis as a sub-orchestration; null with the reason when its templates or args do not bind.</summary>
    (Task<AnalysisOutcome>? Run, string Instance, string? Problem) StartAnalysis(string name, AnalysisReference reference)
    {
        string instance = $"{context.InstanceId}.{name}";
        try
        {
            List<AnalysisTemplate> templates = reference.Templates.Select(t => request.Templates.TryGetValue(t, out AnalysisTemplate? found)
                ? found
                : throw new ArgumentException($"AnalysisTemplate '{t}' is not in this run's snapshot")).ToList();
            Dictionary<string, string> args = AnalysisTemplateLoader.BindArgs(templates, reference.Args.Select(a => KeyValuePair.Create(a.Name, a.Value)));
            var metrics = templates.SelectMany(t => t.Metrics).ToList();
            Update(s => s, $"analysis {name} started: {string.Join(", ", metrics.Select(m => m.Name))}");
            return (context.CallSubOrchestratorAsync<AnalysisOutcome>(nameof(AnalysisOrchestrator), new AnalysisRequest(metrics, args), context.Child(instance)), instance, null);
        }
        catch (ArgumentException e)
        {
            return (null, instance, e.Message);
        }
    }

    void StopAnalysis(string instance) => context.SendEvent(instance, AnalysisOrchestrator.StopEvent, "stopped by the rollout");

    /// <summary>Runs one analysis to its end (or the deadline); Failed aborts and Inconclusive pauses for a person.</summary>
    async Task<Interruption?> AnalyseAsync(string name, AnalysisReference reference)
    {
        (Task<AnalysisOutcome>? run, string instance, string? problem) = StartAnalysis(name, reference);
        if (run is null)
        {
            return new Interruption(Stop.Abort, $"analysis {name} cannot start: {problem}");
        }

        (Interruption? interrupted, bool finished) = await AgainstDeadlineAsync(_ => run, promotable: true);
        if (interrupted is not null || !finished)
        {
            StopAnalysis(instance);
            return interrupted ?? new Interruption(Stop.Abort, $"progressDeadline {Durations.Format(rollout.ProgressDeadline)} exceeded during analysis {name}");
        }

        AnalysisOutcome outcome = await run;
        Record(name, outcome);
        return outcome.Phase switch
        {
            AnalysisPhase.Successful => null,
            AnalysisPhase.Failed => new Interruption(Stop.Abort, $"analysis {name} Failed: {Describe(outcome)}"),
            _ => await HoldAsync($"analysis {name} Inconclusive: {Describe(outcome)}", inconclusive: true),
        };
    }

    void StartBackground(AnalysisReference reference)
    {
        (Task<AnalysisOutcome>? run, string instance, string? problem) = StartAnalysis("background", reference);
        if (run is not null)
        {
            background = (run, instance);
        }
        else
        {
            Update(s => s, $"background analysis cannot start: {problem}");
        }
    }

    void StopBackground()
    {
        if (background is { } running)
        {
            StopAnalysis(running.Instance);
            background = null;
            Update(s => s, "background analysis stopped");
        }
    }

    void Record(string name, AnalysisOutcome outcome)
    {
        analyses.Add(new RolloutAnalysisRecord(name, outcome.Phase, outcome.Measurements));
        Update(s => s, $"analysis {name} {outcome.Phase}: {Describe(outcome)}");
    }

    static string Describe(AnalysisOutcome outcome)
    {
        Measurement? last = outcome.Measurements.LastOrDefault(m => m.Phase != MeasurementPhase.Successful) ?? (outcome.Measurements.Count > 0 ? outcome.Measurements[^1] : null);
        string metrics = string.Join(", ", outcome.Metrics.Select(m => $"{m.Key} {m.Value}"));
        return last is null ? metrics : $"{metrics}; last {last.Metric} = {last.ValueText} ({last.Phase}{(last.Message is null ? string.Empty : $": {last.Message}")})";
    }
}
