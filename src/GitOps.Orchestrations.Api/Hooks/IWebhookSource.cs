using GitOps.Orchestrations.Core.Events;

namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>
/// One kind of webhook sender: how its deliveries prove they come from it, and how they read as
/// events. Verification runs first, on the raw body, in constant time; nothing of an unverified
/// delivery is parsed. Adding a sender is one class here and one line in <see cref="WebhookSources"/>.
/// </summary>
public interface IWebhookSource
{
    /// <summary>The <c>Type</c> a hook is configured with.</summary>
    string Type { get; }

    /// <summary>Whether the delivery carries proof of <paramref name="secret"/>; false for none or a wrong one.</summary>
    bool Verify(HookRequest request, string secret);

    /// <summary>The event the delivery carries; <see cref="HookPayloadException"/> when it is not one.</summary>
    Task<IncomingEvent> ReadAsync(string hook, HookRequest request, CancellationToken cancellationToken);
}
