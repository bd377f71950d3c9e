using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Locks;

/// <summary>How a run's wait for its lock ended.</summary>
public enum LockWaitEnd
{
    Granted,
    Stopped,
    TimedOut,
}

/// <summary>
/// A run's side of its lock (<see cref="RunLocks"/>): ask, then wait for the grant, a signed stop
/// or the run's deadline, whichever comes first; and let go when the run ends. Letting go is sent
/// whether or not the lock was granted: to a lock it also means "stop waiting".
/// </summary>
internal sealed class LockWait(TaskOrchestrationContext context, OrchestrationServices services, SynchronizationSpec spec)
{
    readonly string instance = RunLocks.InstanceId(spec);

    /// <summary>The stop that ended the wait, when it was a stop.</summary>
    public StopRequest? Stop { get; private set; }

    /// <summary>
    /// Waits for the lock. <paramref name="stopWait"/> is the run's one wait for a stop, shared with
    /// the rest of the run: a refused stop is replaced by a new wait, which the caller keeps using.
    /// <paramref name="publish"/> runs before each wait: Durable Task keeps the custom status an
    /// episode sets last, and an episode that only replays up to a wait sets none.
    /// </summary>
    public async Task<(LockWaitEnd End, Task<StopRequest> StopWait)> AcquireAsync(Task<StopRequest> stopWait, DateTime? deadline, Action publish, ILogger logger)
    {
        string runId = context.InstanceId;
        Task<LockGrant> granted = context.WaitForExternalEvent<LockGrant>(RunLocks.GrantedEvent);
        await AskAsync();
        using TimerScope? timer = deadline is DateTime at ? context.StartTimer(at) : null;

        // A request can be lost when the lock continues as new (LockOrchestrator), so a run that
        // waits asks again now and then; asking twice changes nothing, since the lock knows it.
        TimeSpan askAgain = services.LockCheck;
        for (int turn = 0; ; turn++)
        {
            publish();
            using TimerScope again = context.StartTimer(askAgain);
            Task finished = await Task.WhenAny(timer is null ? [granted, stopWait, again.Fired] : [granted, stopWait, again.Fired, timer.Fired]);
            if (finished == granted)
            {
                if (services.Approvals.Verifies(runId, granted.Result))
                {
                    logger.LockHeld(runId, spec);
                    return (LockWaitEnd.Granted, stopWait);
                }

                // Anyone with a Durable client can raise this; only the lock's own grant counts.
                logger.LockGrantRefused(runId, granted.Result.Lock);
                granted = context.WaitForExternalEvent<LockGrant>(RunLocks.GrantedEvent);
            }
            else if (finished == stopWait)
            {
                if (services.Approvals.Verifies(runId, stopWait.Result))
                {
                    Stop = stopWait.Result;
                    return (LockWaitEnd.Stopped, stopWait);
                }

                logger.StopRefused(runId, stopWait.Result.By);
                stopWait = context.WaitForExternalEvent<StopRequest>(RunStop.Event);
            }
            else if (finished == again.Fired)
            {
                await AskAsync();
                askAgain = RunLocks.Backoff(askAgain, services.LockCheck);
            }
            else
            {
                return (LockWaitEnd.TimedOut, stopWait);
            }
        }
    }

    // Each ask makes sure the lock runs: one an operator terminated is started again (empty).
    Task AskAsync() =>
        context.CallActivityAsync<int>(nameof(SignalLockActivity), new List<LockSignal>
        {
            new(instance) { Start = spec, Message = services.Approvals.Sign(instance, new LockMessage(context.InstanceId, LockAction.Ask, spec.Limit)) },
        }, RunLocks.Retry);

    /// <summary>Lets go of the lock, or leaves its queue; sent once, as the run ends.</summary>
    public Task ReleaseAsync() =>
        context.CallActivityAsync<int>(nameof(SignalLockActivity), new List<LockSignal> { new(instance) { Message = RunLocks.Release(services.Approvals, spec, context.InstanceId) } }, RunLocks.Retry);
}
