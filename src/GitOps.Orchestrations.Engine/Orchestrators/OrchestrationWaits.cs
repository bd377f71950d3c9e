using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// Timers and waits that cannot keep a finished orchestration open. Durable Task completes an
/// orchestration only when none of its tasks is open, and a durable timer stays open until it
/// fires or its token is cancelled. A timer whose cancellation source is merely disposed (a
/// <c>using</c> that ends while the parent token's callbacks are still running, in reverse order)
/// is never cancelled: the orchestrator returns, but its run stays Running for ever. Found with a
/// gate under a workflow timeout; <see cref="TimerScope"/> cancels on every way out instead.
/// </summary>
internal static class OrchestrationWaits
{
    /// <summary>A durable timer that is cancelled when the scope ends, whichever way it ends.</summary>
    public static TimerScope StartTimer(this TaskOrchestrationContext context, DateTime fireAt, CancellationToken linkedTo = default) => new(context, fireAt, linkedTo);

    public static TimerScope StartTimer(this TaskOrchestrationContext context, TimeSpan delay, CancellationToken linkedTo = default) =>
        new(context, context.CurrentUtcDateTime + delay, linkedTo);

    /// <summary>
    /// A task that completes, synchronously, when <paramref name="token"/> is cancelled. Event waits
    /// are raced against it rather than cancelled through the SDK, whose cancelled waits complete
    /// their continuations out of turn.
    /// </summary>
    public static Task WhenCancelled(this CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        var cancelled = new TaskCompletionSource();
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task;
    }
}

/// <summary>A durable timer with its own cancellation, cancelled (not just disposed) on <see cref="Dispose"/>.</summary>
internal sealed class TimerScope : IDisposable
{
    readonly CancellationTokenSource cancel;
    bool disposed;

    public TimerScope(TaskOrchestrationContext context, DateTime fireAt, CancellationToken linkedTo)
    {
        cancel = CancellationTokenSource.CreateLinkedTokenSource(linkedTo);
        Fired = context.CreateTimer(fireAt, cancel.Token);
    }

    /// <summary>Completes when the timer fires; cancelled when the scope ends first.</summary>
    public Task Fired { get; }

    /// <summary>Also cancels the timer: Cancel, not CancelAsync, so it happens now, on the orchestrator's turn.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        cancel.Cancel();
        cancel.Dispose();
    }
}
