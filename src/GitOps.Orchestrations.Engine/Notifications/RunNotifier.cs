using GitOps.Orchestrations.Core.Notifications;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Notifications;

/// <summary>A notification that could not be delivered after every attempt, as the run records it.</summary>
public sealed record NotificationFailure(string Trigger, string Channel, string Error, bool Required);

/// <summary>
/// An orchestrator's notifications. <see cref="Emit"/> schedules one <see cref="SendNotificationActivity"/>
/// per subscribed channel and does not wait: the run goes on while messages are delivered, with
/// retries and backoff. <see cref="DrainAsync"/> waits for them all (before a checkpoint and at the
/// end) and hands back what failed. Emitting is driven only by the orchestration's own state, so a
/// replay schedules the very same activities; a run started before notifications existed has no
/// subscriptions in its input and schedules none, which keeps its replays unchanged.
/// </summary>
/// <param name="maxAttempts">
/// Tries per delivery, fixed in the engine rather than read from the host: an orchestrator's
/// retry policy is part of what it replays, and a host setting can change between replays.
/// </param>
public sealed class RunNotifier(TaskOrchestrationContext context, IReadOnlyList<SubscriptionSpec> subscriptions, int maxAttempts = 5)
{
    readonly List<(SubscriptionSpec Subscription, NotificationEvent Event, string Channel, Task<NotificationReceipt> Sending)> pending = [];
    readonly HashSet<string> scheduled = new(StringComparer.Ordinal);

    TaskOptions Retry => TaskOptions.FromRetryPolicy(new RetryPolicy(maxAttempts, TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1)));

    /// <summary>
    /// Called when a delivery ends. An episode that only a delivery woke runs none of the
    /// orchestrator's own publishing, and Durable Task keeps only the custom status an episode sets:
    /// the orchestrator publishes its status again here, or its status would be wiped.
    /// </summary>
    public Action OnSettled { get; init; } = static () => { };

    public void Emit(NotificationEvent e)
    {
        foreach (SubscriptionSpec subscription in subscriptions.Where(s => s.On.Contains(e.Trigger, StringComparer.Ordinal)))
        {
            foreach (string channel in subscription.To)
            {
                // One delivery per event and channel, however many subscriptions ask for it.
                string key = $"{e.RunId}/{e.Key}/{channel}";
                if (scheduled.Add(key))
                {
                    Task<NotificationReceipt> sending = Settle(context.CallActivityAsync<NotificationReceipt>(nameof(SendNotificationActivity), new NotificationRequest(key, channel, e, subscription.Template), Retry));
                    pending.Add((subscription, e, channel, sending));
                }
            }
        }
    }

    async Task<NotificationReceipt> Settle(Task<NotificationReceipt> sending)
    {
        try
        {
            return await sending;
        }
        finally
        {
            OnSettled();
        }
    }

    public async Task<IReadOnlyList<NotificationFailure>> DrainAsync()
    {
        var failures = new List<NotificationFailure>();
        foreach (var (subscription, e, channel, sending) in pending)
        {
            try
            {
                await sending;
            }
            catch (TaskFailedException failed)
            {
                failures.Add(new NotificationFailure(e.Trigger, channel, failed.FailureDetails.ErrorMessage, subscription.Required));
            }
        }

        pending.Clear();
        return failures;
    }
}
