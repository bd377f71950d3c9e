using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;
using GitOps.Orchestrations.Engine.Orchestrators;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Engine.Locks;

/// <summary>
/// One event between a run and a lock: a run's <see cref="Message"/> to lock <see cref="Instance"/>,
/// or a lock's <see cref="Grant"/> to run <see cref="Instance"/>. With <see cref="Start"/>, the
/// lock's orchestration is started first if it is not running.
/// </summary>
public sealed record LockSignal(string Instance)
{
    public SynchronizationSpec? Start { get; init; }

    public LockMessage? Message { get; init; }

    public LockGrant? Grant { get; init; }
}

/// <summary>
/// Raises lock events through a client. Runs and locks do not signal each other from inside the
/// orchestration: an orchestration cannot start an unrelated one, an event raised at an instance
/// that does not exist yet may be dropped by the backend, and an event sent in the same step as
/// the sender continues as new or ends did not reach its target on the in-process backend. An
/// activity the sender awaits has none of these problems. Repeating it is safe: a lock ignores a
/// second request from a run it knows, and a run takes only its first grant.
/// </summary>
public sealed class SignalLockActivity(DurableTaskClient client) : TaskActivity<List<LockSignal>, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, List<LockSignal> signals)
    {
        foreach (LockSignal signal in signals)
        {
            if (signal.Start is SynchronizationSpec spec)
            {
                await StartAsync(signal.Instance, spec);
            }

            if (signal.Message is LockMessage message)
            {
                await RaiseAsync(signal.Instance, RunLocks.Event, message);
            }

            if (signal.Grant is LockGrant grant)
            {
                await RaiseAsync(signal.Instance, RunLocks.GrantedEvent, grant);
            }
        }

        return signals.Count;
    }

    // An event for an instance that no longer runs (a run that ended while granted, a lock an
    // operator purged) has no one to tell: it is dropped, rather than failing the sender.
    async Task RaiseAsync(string instance, string name, object payload)
    {
        try
        {
            await client.RaiseEventAsync(instance, name, payload);
        }
        catch (Exception)
        {
            if (await IsLiveAsync(instance))
            {
                throw;
            }
        }
    }

    async Task StartAsync(string instance, SynchronizationSpec spec)
    {
        if (await IsLiveAsync(instance))
        {
            return;
        }

        try
        {
            // Never over a live lock: two runs asking at once on two hosts both get here, and a
            // second start must fail rather than replace the first lock and the queue it holds.
            StartOrchestrationOptions options = OrchestrationVersions.Start(instance).WithDedupeStatuses(OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended);
            await client.ScheduleNewOrchestrationInstanceAsync(nameof(LockOrchestrator), new LockInput(spec, new LockQueue { Limit = spec.Limit }), options);
        }
        catch (Exception)
        {
            // Another run, on this host or another, may have started it first: one lock, whoever made it.
            if (!await IsLiveAsync(instance))
            {
                throw;
            }
        }
    }

    async Task<bool> IsLiveAsync(string instance) =>
        RunLocks.IsLive(await client.GetInstanceAsync(instance));
}
