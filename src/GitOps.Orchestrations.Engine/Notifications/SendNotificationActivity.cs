using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Notifications.Channels;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Notifications;

/// <summary>
/// Delivers one notification to one channel, once. The key is looked up in the effect journal
/// first (a redelivered activity finds its notification already sent), recorded after the
/// destination took it, and sent along with it for the destination to drop a duplicate in the
/// window between the two. A failure throws, so the orchestrator's retry policy tries again with
/// backoff; the orchestrator decides what a final failure means for the run.
/// </summary>
public sealed class SendNotificationActivity(
    NotificationOptions options,
    NotificationChannels channels,
    IEffectJournal journal,
    ILogger<SendNotificationActivity> logger) : TaskActivity<NotificationRequest, NotificationReceipt>
{
    public override async Task<NotificationReceipt> RunAsync(TaskActivityContext context, NotificationRequest input)
    {
        if (!options.Channels.TryGetValue(input.Channel, out ChannelSpec? channel))
        {
            EngineMetrics.Notification("unknown", "failed");
            throw new NotificationFailedException($"channel '{input.Channel}' is not configured on this host");
        }

        string journalKey = $"notify/{input.Key}";
        if (await journal.TryGetAsync(journalKey) is not null)
        {
            EngineMetrics.Notification(channel.Type, "duplicate");
            return new NotificationReceipt(input.Channel, AlreadySent: true);
        }

        string? link = options.LinkTo(input.Event.RunId);
        string text = input.Template is string template ? input.Event.Render(template, link) : input.Event.DefaultText(link);
        var message = new RenderedNotification(input.Event.Title, text, link, input.Event);
        try
        {
            await channels.For(channel.Type).SendAsync(channel, message, input.Key, CancellationToken.None);
        }
        catch (Exception e) when (e is NotificationFailedException or HttpRequestException or TaskCanceledException)
        {
            EngineMetrics.Notification(channel.Type, "failed");
            logger.NotificationFailed(input.Event.Trigger, input.Event.RunId, input.Channel, e.Message);
            throw new NotificationFailedException($"{input.Channel}: {e.Message}");
        }

        await journal.RecordAsync(journalKey, DateTimeOffset.UtcNow.ToString("o"));
        EngineMetrics.Notification(channel.Type, "sent");
        logger.NotificationSent(input.Event.Trigger, input.Event.RunId, input.Channel);
        return new NotificationReceipt(input.Channel, AlreadySent: false);
    }
}

static partial class NotificationLogs
{
    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "Notified {Channel} of {Trigger} for run {RunId}")]
    public static partial void NotificationSent(this ILogger logger, string trigger, string runId, string channel);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "Notifying {Channel} of {Trigger} for run {RunId} failed: {Error}")]
    public static partial void NotificationFailed(this ILogger logger, string trigger, string runId, string channel, string error);
}
