namespace GitOps.Orchestrations.Engine.Notifications.Channels;

/// <summary>
/// One kind of destination. A channel sends once per call and throws when the destination did not
/// take the message; retries, backoff and the once-only bookkeeping are the caller's
/// (<see cref="SendNotificationActivity"/>). <paramref name="key"/> travels with the message where the
/// destination can use it to drop a duplicate (an <c>Idempotency-Key</c> header, a Message-ID).
/// </summary>
public interface INotificationChannel
{
    string Type { get; }

    Task SendAsync(ChannelSpec channel, RenderedNotification message, string key, CancellationToken cancellationToken);
}
