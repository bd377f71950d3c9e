using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;
using GitOps.Orchestrations.Engine.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Locks;

/// <summary>
/// One named mutex or semaphore as an eternal orchestration. It takes the messages of runs (asking,
/// letting go) one at a time, grants the lock to waiting runs first come first served, and after
/// <see cref="MessagesPerExecution"/> continues as new with its <see cref="LockQueue"/>, so its
/// history stays bounded however long it lives. While anyone holds or waits, it also checks, on a
/// timer that backs off, for runs that ended without letting go (terminated, or failed in the
/// engine) and releases them, so a lock is never held by a run that no longer runs.
/// </summary>
/// <remarks>
/// A message that arrives while the orchestration is not waiting for one is buffered by the SDK,
/// and a buffered message did not survive <c>ContinueAsNew</c> on the in-process backend. So the
/// lock always has a wait open: it opens the next one before it awaits anything else, and it
/// continues as new rarely. A message lost at that moment is not lost for good: a waiting run asks
/// again (<see cref="LockWait"/>), and a release is found by the check for ended runs.
/// </remarks>
public sealed class LockOrchestrator(OrchestrationServices services) : TaskOrchestrator<LockInput, object?>
{
    /// <summary>Messages and checks one execution takes before it continues as new.</summary>
    public const int MessagesPerExecution = 100;

    public override async Task<object?> RunAsync(TaskOrchestrationContext context, LockInput input)
    {
        ILogger logger = context.CreateReplaySafeLogger<LockOrchestrator>();
        SynchronizationSpec spec = input.Lock;
        LockQueue queue = input.Queue;
        Task<LockMessage> next = context.WaitForExternalEvent<LockMessage>(RunLocks.Event);
        TimeSpan check = input.CheckAfter ?? services.LockCheck;
        for (int turn = 0; turn < MessagesPerExecution; turn++)
        {
            Publish(context, spec, queue);
            if (!next.IsCompleted && queue.IsIdle)
            {
                await next;
            }
            else if (!next.IsCompleted)
            {
                using (TimerScope timer = context.StartTimer(check))
                {
                    await Task.WhenAny(next, timer.Fired);
                }

                if (!next.IsCompleted)
                {
                    List<string> ended = await context.CallActivityAsync<List<string>>(nameof(FindEndedRunsActivity), new List<string>([.. queue.Holders, .. queue.Waiting]), RunLocks.Retry);
                    if (ended.Count == 0)
                    {
                        check = RunLocks.Backoff(check, services.LockCheck);
                        continue;
                    }

                    logger.LockReleasedEnded(context.InstanceId, ended);
                    queue = await GrantAsync(context, queue.Release(ended), []);
                    check = services.LockCheck;
                    continue;
                }
            }

            LockMessage message = next.Result;
            next = context.WaitForExternalEvent<LockMessage>(RunLocks.Event);
            check = services.LockCheck;
            if (!services.Approvals.Verifies(context.InstanceId, message))
            {
                // Anyone with a Durable client can raise this; only what a host signed moves the queue.
                logger.LockMessageRefused(context.InstanceId, message.Run);
                continue;
            }

            List<string> again = [];
            if (message.Action == LockAction.Ask)
            {
                if (queue.Holders.Contains(message.Run))
                {
                    // Asked again (its request was delivered twice, or it asked again after a lost
                    // grant): holding the lock already, it gets the grant again.
                    again.Add(message.Run);
                }

                queue = queue.Ask(message.Run, Math.Clamp(message.Limit, 1, SynchronizationSpec.MaxLimit));
            }
            else
            {
                queue = queue.Release([message.Run]);
            }

            queue = await GrantAsync(context, queue, again);
        }

        context.ContinueAsNew(input with { Queue = queue, CheckAfter = check }, preserveUnprocessedEvents: true);
        return null;
    }

    /// <summary>Grants the lock to the runs next in line, and sends their grants (and <paramref name="again"/>'s), before the caller continues.</summary>
    async Task<LockQueue> GrantAsync(TaskOrchestrationContext context, LockQueue queue, IReadOnlyList<string> again)
    {
        (LockQueue next, IReadOnlyList<string> granted) = queue.Grant();
        List<LockSignal> grants = [.. again.Concat(granted).Select(run => new LockSignal(run) { Grant = services.Approvals.Sign(run, new LockGrant(context.InstanceId)) })];
        if (grants.Count > 0)
        {
            await context.CallActivityAsync<int>(nameof(SignalLockActivity), grants, RunLocks.Retry);
        }

        return next;
    }

    // Set on replays too: an episode that only replays (a cancelled check timer firing) and sets
    // no status would wipe it (see DeferredStatus).
    static void Publish(TaskOrchestrationContext context, SynchronizationSpec spec, LockQueue queue) =>
        context.SetCustomStatus(new DeferredStatus(() => LockStatus.Of(spec, queue)));
}
