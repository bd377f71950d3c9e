using GitOps.Orchestrations.Core.Notifications;

namespace GitOps.Orchestrations.Engine.Notifications;

/// <summary>One notification to one channel: the event, the subscription's template, and the key it is delivered under once.</summary>
public sealed record NotificationRequest(string Key, string Channel, NotificationEvent Event, string? Template);

/// <summary>What was delivered: sent now, or found already sent under its key (after a crash or a replayed activity).</summary>
public sealed record NotificationReceipt(string Channel, bool AlreadySent);

/// <summary>A message ready for a channel: its headline, its text, the link to the run, and the event behind it.</summary>
public sealed record RenderedNotification(string Title, string Text, string? Link, NotificationEvent Event);
