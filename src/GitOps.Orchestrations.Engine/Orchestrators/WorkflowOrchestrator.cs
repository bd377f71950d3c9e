using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Notifications;
using GitOps.Orchestrations.Engine.Notifications;
using GitOps.Orchestrations.Core.Planning;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Engine.Locks;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// Interprets a workflow snapshot as a DAG: starts every ready node at once, waits for whichever
/// ends first, and repeats; then runs <c>onExit</c>. Deterministic by construction: time comes from
/// the context, state from <see cref="DagRun"/>, and every effect from an activity, timer or child.
/// </summary>
public sealed class WorkflowOrchestrator(OrchestrationServices services) : TaskOrchestrator<WorkflowRunInput, WorkflowRunResult>
{
    public override async Task<WorkflowRunResult> RunAsync(TaskOrchestrationContext context, WorkflowRunInput input)
    {
        ILogger logger = context.CreateReplaySafeLogger<WorkflowOrchestrator>();
        WorkflowDefinition workflow = input.Snapshot.Workflow;
        string runId = context.InstanceId;
        if (input.Progress is null)
        {
            logger.RunStarted(runId, workflow.Name, input.Snapshot.Revision);
        }

        input = input with { CreatedAt = input.CreatedAt ?? context.CurrentUtcDateTime };
        IReadOnlyList<NodeStatus> restored = input.Progress?.AllNodes(services.Payloads) ?? [];
        DagRun dag = input.Progress is null ? new DagRun(workflow) : DagRun.Restore(workflow, restored);
        var gates = new SortedDictionary<string, PendingGate>(StringComparer.Ordinal);
        NodeStatus? exitNode = workflow.OnExit is TaskSpec exit ? new NodeStatus { Name = exit.Name } : null;

        // Lifecycle hooks' nodes, in the order they started; kept across checkpoints with the DAG's.
        var hookNodes = new List<NodeStatus>(restored.Where(n => !dag.Contains(n.Name)));
        var info = new WorkflowInfo(workflow.Name, runId, input.Snapshot.Revision)
        {
            CreatedAt = input.CreatedAt,
            Clock = () => context.CurrentUtcDateTime,
            Failures = () => RunFailures.Of(dag.Nodes.Concat(hookNodes), workflow),
            Labels = workflow.Labels,
        };
        string? StatusOf(string task) => dag[task].Phase.IsTerminal() ? dag[task].Phase.ToString() : null;
        bool Skipped(string task) => dag[task].Phase is NodePhase.Skipped or NodePhase.Omitted;
        var scope = new TemplateScope(input.Params, info, task => dag[task].Outputs, Skipped, StatusOf);
        var changes = new ChangeTracker(input.Progress, restored);
        WorkflowPhase published = WorkflowPhase.Running;
        SynchronizationSpec? lockWaiting = null;
        // Durable Task keeps the custom status an episode sets last, and an episode that only
        // replays (a cancelled timer firing) would set none and wipe it. So every publish sets it,
        // replaying or not, as a status that is built only when the episode's end serializes it:
        // once per episode, from what the last publish showed.
        WorkflowPhase shown = WorkflowPhase.Running;
        var status = new DeferredStatus(() => RunSummary.Create(workflow.Name, input.Snapshot.Revision, shown, AllNodes(), gates.Values, changes.Seq, input.StartedBy, input.AllStarters) with { WaitingForLock = lockWaiting });
        void Publish(WorkflowPhase phase)
        {
            published = phase;
            PublishNow(phase);
        }

        var notifier = new RunNotifier(context, input.Notifications) { OnSettled = () => Publish(published) };
        var notificationFailures = new List<NotificationFailure>(input.Progress?.NotificationFailures ?? []);
        NotificationEvent Notice(string trigger, string key, string? node = null, string? phase = null, string? message = null, IReadOnlyList<string>? approvers = null) => new()
        {
            Trigger = trigger,
            Key = key,
            RunId = runId,
            Workflow = workflow.Name,
            Revision = input.Snapshot.Revision,
            StartedBy = input.StartedBy,
            Node = node,
            Phase = phase,
            Message = message,
            Approvers = approvers ?? [],
            At = context.CurrentUtcDateTime,
        };

        if ((input.Progress?.Generation ?? 0) == 0)
        {
            notifier.Emit(Notice(NotificationTriggers.RunStarted, NotificationTriggers.RunStarted, message: $"started by {input.StartedBy} ({input.Trigger})"));
        }

        void PublishNow(WorkflowPhase phase)
        {
            // Change numbers are counted on replays too, so every episode numbers changes alike.
            changes.Track(dag.Nodes, hookNodes, exitNode, gates, phase);
            shown = phase;
            context.SetCustomStatus(status);
        }

        // Every node in the order watchers see them: the DAG's, the hooks', then onExit's.
        List<NodeStatus> AllNodes()
        {
            List<NodeStatus> nodes = [.. dag.Nodes, .. hookNodes];
            if (exitNode is not null)
            {
                nodes.Add(exitNode);
            }

            return nodes;
        }

        // A progress path is a node name, or "node.item" inside a fan-out; onExit is not in the DAG.
        NodeStatus NodeAt(string path) => exitNode?.Name == path ? exitNode
            : hookNodes.FindLast(n => n.Name == path.Split('.')[0]) ?? dag[path.Split('.')[0]];

        NodeRunner Runner(CancellationToken cancellation) => new(services, context, input, runId)
        {
            RunCancellation = cancellation,
            OnProgress = (path, progress) =>
            {
                NodeAt(path).Message = progress.Message;
                if (progress.Gate is not null)
                {
                    if (!gates.ContainsKey(path))
                    {
                        notifier.Emit(Notice(NotificationTriggers.GateWaiting, $"{NotificationTriggers.GateWaiting}/{path}", path, message: progress.Gate.Message, approvers: progress.Gate.Policy.Approvers.Count == 0 ? ["any approver"] : progress.Gate.Policy.Approvers));
                    }

                    gates[path] = progress.Gate;
                }

                if (progress.Notice is StepNotice notice)
                {
                    notifier.Emit(Notice(notice.Trigger, $"{notice.Trigger}/{path}/{notice.Key}", path, notice.Phase, notice.Message));
                }

                Publish(WorkflowPhase.Running);
            },
            OnAttempt = (path, attempt) => NodeAt(path).Attempts = Math.Max(NodeAt(path).Attempts, attempt),
        };

        using var cancelNodes = new CancellationTokenSource();
        NodeRunner runner = Runner(cancelNodes.Token);

        Dictionary<string, Dictionary<string, JsonElement>> UpstreamOutputs(IEnumerable<string> names) =>
            names.ToDictionary(n => n, n => dag[n].Outputs, StringComparer.Ordinal);

        // A hook is a step of its own: its node shows beside its owner's, and its failure fails a run that would succeed.
        async Task<NodeOutcome> RunHookAsync(TaskSpec hook, TemplateScope hookScope, NodeRunner? hookRunner = null)
        {
            var node = new NodeStatus { Name = hook.Name, Phase = NodePhase.Running, StartedAt = context.CurrentUtcDateTime };
            hookNodes.Add(node);
            Publish(WorkflowPhase.Running);
            NodeOutcome outcome = await (hookRunner ?? runner).RunNodeAsync(hook, hookScope, UpstreamOutputs);
            Apply(node, outcome, context.CurrentUtcDateTime);
            node.Phase = outcome.Phase;
            logger.NodeEnded(runId, hook.Name, outcome.Phase, outcome.Message);
            return outcome;
        }

        // A task whose when is false never starts, so its running hook does not either; a fan-out's when is per item.
        bool SkipsWhole(TaskSpec task)
        {
            try
            {
                return task.When is string when && !task.IsFanOut && !Core.Expressions.ExpressionLanguage.Compile(when).EvaluateBoolean(scope);
            }
            catch (Exception e) when (e is Core.Expressions.ExpressionException or TemplateException)
            {
                return true; // the node errors on the same question; nothing started
            }
        }

        // A task's hooks: running beside it, then succeeded or failed, then exit, which see its outcome.
        // The task counts as finished for depends once its hooks have finished.
        async Task<NodeOutcome> RunTaskAsync(TaskSpec task)
        {
            if (task.Hooks is not LifecycleHooks hooks)
            {
                return await runner.RunNodeAsync(task, scope, UpstreamOutputs);
            }

            Task<NodeOutcome>? started = hooks.Running is TaskSpec running && !SkipsWhole(task) ? RunHookAsync(running, scope) : null;
            NodeOutcome outcome = await runner.RunNodeAsync(task, scope, UpstreamOutputs);
            var after = new TemplateScope(
                input.Params,
                info,
                t => t == task.Name ? outcome.Outputs : dag[t].Outputs,
                t => t == task.Name ? outcome.Phase is NodePhase.Skipped or NodePhase.Omitted : Skipped(t),
                t => t == task.Name ? outcome.Phase.ToString() : StatusOf(t));
            foreach (TaskSpec hook in hooks.AfterEnd(outcome.Phase))
            {
                await RunHookAsync(hook, after);
            }

            if (started is not null)
            {
                await started;
            }

            return outcome;
        }

        Task<StopRequest> stopWait = context.WaitForExternalEvent<StopRequest>(RunStop.Event);
        bool stopping = false;
        DateTime? deadlineAt = input.Progress?.Deadline ?? (workflow.Timeout is TimeSpan timeout ? context.CurrentUtcDateTime + timeout : null);

        // synchronization: the run waits in its lock's queue before anything of it starts, shown
        // as Pending; its timeout counts the wait. A checkpoint keeps the lock; only a new run asks.
        LockWait? runLock = workflow.Synchronization is SynchronizationSpec sync ? new LockWait(context, services, sync) : null;
        if (runLock is not null && input.Progress is null)
        {
            lockWaiting = workflow.Synchronization;
            Publish(WorkflowPhase.Pending);
            (LockWaitEnd end, stopWait) = await runLock.AcquireAsync(stopWait, deadlineAt, () => Publish(WorkflowPhase.Pending), logger);
            lockWaiting = null;
            if (end == LockWaitEnd.Stopped)
            {
                dag.Terminate(runLock.Stop!.Describe());
                stopping = true;
            }
            else if (end == LockWaitEnd.TimedOut)
            {
                dag.TimeOut(workflow.Timeout!.Value, $"while waiting for {workflow.Synchronization}");
                stopping = true;
            }
        }

        // Once per run: a retry runs it again, a checkpoint does not.
        Task<NodeOutcome>? runHook = !stopping && (input.Progress?.Generation ?? 0) == 0 && workflow.Hooks?.Running is TaskSpec onRunning ? RunHookAsync(onRunning, scope) : null;
        var running = new Dictionary<Task<NodeOutcome>, string>();
        using TimerScope? deadlineTimer = deadlineAt is DateTime at ? context.StartTimer(at) : null;
        Task? deadline = deadlineTimer?.Fired;
        int finishedHere = 0;

        // Large runs (OrchestrationVersions.LargeRuns): node states in the payload store, and a pause
        // to checkpoint a wide DAG that never has nothing in flight (CheckpointDefaults).
        bool largeRuns = !context.StartedBefore(OrchestrationVersions.LargeRuns);
        int drainEvery = Math.Max(input.CheckpointEvery, CheckpointDefaults.DrainAfter);
        int drainAt = largeRuns && input.CheckpointEvery > 0 ? drainEvery : int.MaxValue;
        TimerScope? drainLimit = null;
        while (!stopping)
        {
            // After enough finished nodes, when nothing is in flight and so nothing can be lost, carry
            // the node states into a fresh history: replays then stay short however long the run is.
            if (input.CheckpointEvery > 0 && finishedHere >= input.CheckpointEvery && running.Count == 0 && runHook?.IsCompleted != false && !dag.IsFinished)
            {
                deadlineTimer?.Dispose();
                drainLimit?.Dispose();
                notificationFailures.AddRange(await notifier.DrainAsync());
                RunProgress next = new ProgressCheckpoint(largeRuns ? services.Payloads : null, input.Progress?.Base).Next([.. dag.Nodes, .. hookNodes], deadlineAt, (input.Progress?.Generation ?? 0) + 1);
                context.ContinueAsNew(input with { Progress = next with { Seq = changes.Seq, NotificationFailures = notificationFailures } }, preserveUnprocessedEvents: true);
                return null!;
            }

            // Draining: nothing new starts until what runs has ended, or the limit passes.
            bool draining = finishedHere >= drainAt && running.Count > 0 && runHook?.IsCompleted != false;
            if (draining && drainLimit is null)
            {
                drainLimit = context.StartTimer(CheckpointDefaults.DrainLimit);
            }

            foreach (TaskSpec task in draining ? [] : dag.TakeReady(workflow.Parallelism is int parallelism ? parallelism - running.Count : int.MaxValue))
            {
                NodeStatus node = dag[task.Name];
                node.StartedAt = context.CurrentUtcDateTime;
                logger.NodeStarted(runId, task.Name, 1);
                running[RunTaskAsync(task)] = task.Name;
            }

            Publish(WorkflowPhase.Running);
            if (running.Count == 0)
            {
                break;
            }

            // An array sized once: this runs for every finished node of every replay, over up to
            // every running node, and growing a list through LINQ here showed in benchmarks.
            var waits = new Task[running.Count + 1 + (drainLimit is null ? 0 : 1) + (deadline is null ? 0 : 1)];
            int w = 0;
            foreach (Task<NodeOutcome> task in running.Keys)
            {
                waits[w++] = task;
            }

            waits[w++] = stopWait;
            if (drainLimit is not null)
            {
                waits[w++] = drainLimit.Fired;
            }

            if (deadline is not null)
            {
                waits[w] = deadline;
            }

            Task finished = await Task.WhenAny(waits);
            if (finished == drainLimit?.Fired)
            {
                // Something runs long: go on, and try again once as many more nodes have finished.
                drainLimit.Dispose();
                drainLimit = null;
                drainAt = finishedHere + drainEvery;
                continue;
            }

            if (finished == stopWait)
            {
                StopRequest stop = await stopWait;
                if (!services.Approvals.Verifies(runId, stop))
                {
                    // Anyone with a Durable client can raise this; only a stop a host signed counts.
                    logger.StopRefused(runId, stop.By);
                    stopWait = context.WaitForExternalEvent<StopRequest>(RunStop.Event);
                    continue;
                }

                dag.Terminate(stop.Describe());
                stopping = true;
                break;
            }

            if (finished == deadline)
            {
                dag.TimeOut(workflow.Timeout!.Value);
                stopping = true;
                break;
            }

            var done = (Task<NodeOutcome>)finished;
            string name = running[done];
            running.Remove(done);
            NodeOutcome outcome = await done;
            Apply(dag[name], outcome, context.CurrentUtcDateTime);
            foreach (string path in gates.Keys.Where(p => p == name || p.StartsWith(name + ".", StringComparison.Ordinal)).ToList())
            {
                gates.Remove(path);
                notifier.Emit(Notice(NotificationTriggers.GateDecided, $"{NotificationTriggers.GateDecided}/{path}", path, outcome.Phase.ToString(), outcome.Message));
            }

            dag.Complete(name, outcome.Phase, outcome.Message);
            finishedHere++;
            logger.NodeEnded(runId, name, outcome.Phase, outcome.Message);
            if (!context.IsReplaying)
            {
                EngineMetrics.NodeEnded(workflow.Name, dag[name]);
            }
        }

        deadlineTimer?.Dispose();
        drainLimit?.Dispose();
        if (stopping)
        {
            await StopNodesAsync(context, running, cancelNodes, dag);
        }

        if (runHook is not null)
        {
            await runHook;
        }

        WorkflowPhase phase = dag.Outcome();
        string? message = dag.OutcomeMessage();
        foreach (TaskSpec hook in workflow.Hooks?.AfterEnd(phase == WorkflowPhase.Succeeded ? NodePhase.Succeeded : NodePhase.Failed) ?? [])
        {
            // Like onExit, the run's end hooks run even when the run was stopped.
            await RunHookAsync(hook, scope.WithWorkflowStatus(phase.ToString()), Runner(CancellationToken.None));
        }

        if (phase == WorkflowPhase.Succeeded && hookNodes.FirstOrDefault(n => n.Phase.IsFailure()) is NodeStatus failedHook)
        {
            // As with onExit: a hook that did not do its job fails a run that would otherwise succeed.
            phase = WorkflowPhase.Failed;
            message = $"hook {failedHook.Name} {failedHook.Phase.ToString().ToLowerInvariant()}: {failedHook.Message}";
        }
        var runOutputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (phase == WorkflowPhase.Succeeded && workflow.Outputs is { } declared)
        {
            try
            {
                Core.Expressions.DeclaredOutputs.EvaluateInto(declared, runOutputs, scope);
            }
            catch (Core.Expressions.ExpressionException e)
            {
                // A caller must never read an output that silently went missing.
                phase = WorkflowPhase.Errored;
                message = e.Message;
            }
        }

        if (workflow.OnExit is TaskSpec onExit && exitNode is not null)
        {
            exitNode.Phase = NodePhase.Running;
            exitNode.StartedAt = context.CurrentUtcDateTime;

            // The run is still running while its exit handler does: its final phase is published
            // once, after, as a change of its own, so watchers always see the end as the last change.
            Publish(WorkflowPhase.Running);
            NodeOutcome outcome = await Runner(CancellationToken.None).RunNodeAsync(onExit, scope.WithWorkflowStatus(phase.ToString()), UpstreamOutputs);
            Apply(exitNode, outcome, context.CurrentUtcDateTime);
            exitNode.Phase = outcome.Phase;
            exitNode.Message = outcome.Message;
            if (outcome.Phase.IsFailure() && phase == WorkflowPhase.Succeeded)
            {
                // Argo fails a workflow whose exit handler fails; a cleanup that did not clean up is a failure.
                phase = WorkflowPhase.Failed;
                message = $"onExit {outcome.Phase.ToString().ToLowerInvariant()}: {outcome.Message}";
            }
        }

        gates.Clear();

        // Told before the run ends, so a subscription that requires its notification can still fail it.
        notifier.Emit(Notice(phase == WorkflowPhase.Succeeded ? NotificationTriggers.RunSucceeded : NotificationTriggers.RunFailed, "end", phase: phase.ToString(), message: message));
        notificationFailures.AddRange(await notifier.DrainAsync());
        if (notificationFailures.FirstOrDefault(f => f.Required) is NotificationFailure required && phase == WorkflowPhase.Succeeded)
        {
            phase = WorkflowPhase.Failed;
            message = $"required notification of {required.Trigger} to {required.Channel} failed: {required.Error}";

            // The run failed after all: those who listen for failures hear of it (once; their own failure changes nothing more).
            notifier.Emit(Notice(NotificationTriggers.RunFailed, "end-failed", phase: phase.ToString(), message: message));
            notificationFailures.AddRange(await notifier.DrainAsync());
        }

        Publish(phase);
        logger.RunEnded(runId, phase);
        if (!context.IsReplaying)
        {
            EngineMetrics.RunEnded(workflow.Name, phase);
        }

        // Last of all, after the exit handler: Argo's workflow-level lock covers the whole run.
        if (runLock is not null)
        {
            await runLock.ReleaseAsync();
        }

        return new WorkflowRunResult { Phase = phase, Message = message, Nodes = AllNodes(), Seq = changes.Seq, NotificationFailures = notificationFailures, Outputs = runOutputs };
    }

    /// <summary>
    /// Stops what the run's nodes are doing: cancelling makes every step stop waiting, abort its
    /// rollout (traffic back to stable), stop its sub-workflow or analysis. The run waits at most
    /// <see cref="RunStop.Grace"/> for them, and keeps in each node's message what it stopped.
    /// </summary>
    static async Task StopNodesAsync(TaskOrchestrationContext context, Dictionary<Task<NodeOutcome>, string> running, CancellationTokenSource cancelNodes, DagRun dag)
    {
        cancelNodes.Cancel();
        if (running.Count > 0)
        {
            using (TimerScope grace = context.StartTimer(RunStop.Grace))
            {
                await Task.WhenAny(Task.WhenAll(running.Keys), grace.Fired);
            }

            foreach (var (task, name) in running)
            {
                NodeStatus node = dag[name];
                string? what = task.IsCompletedSuccessfully ? task.Result.Message : $"did not stop within {Durations.Format(RunStop.Grace)}";
                if (what is not null && what != node.Message)
                {
                    node.Message = $"{node.Message}; {what}";
                }
            }
        }

        foreach (NodeStatus node in dag.Nodes.Where(n => n.FinishedAt is null && n.StartedAt is not null))
        {
            node.FinishedAt = context.CurrentUtcDateTime;
        }
    }

    static void Apply(NodeStatus node, NodeOutcome outcome, DateTime now)
    {
        node.FinishedAt = now;
        node.Attempts = Math.Max(node.Attempts, outcome.Attempts);
        node.Outputs = outcome.Outputs;
        node.Items = outcome.Items;
        node.Approvals = outcome.Approvals;
        node.Message = outcome.Message;
    }
}
