using System.Security.Cryptography;
using System.Text;

namespace GitOps.Orchestrations.Engine.Notifications.Channels;

/// <summary>
/// A generic webhook: the event as JSON (<c>{trigger, title, text, link, run, workflow, node, ...}</c>),
/// signed with HMAC-SHA256 of the body in <c>X-Signature-256: sha256=…</c> when the channel has a
/// secret: the same form the engine checks on the webhooks it receives.
/// </summary>
public sealed class WebhookChannel(IHttpClientFactory clients) : HttpChannel(clients)
{
    public override string Type => "webhook";

    protected override object Body(RenderedNotification message) => new
    {
        trigger = message.Event.Trigger,
        title = message.Title,
        text = message.Text,
        link = message.Link,
        run = message.Event.RunId,
        workflow = message.Event.Workflow,
        revision = message.Event.Revision,
        node = message.Event.Node,
        phase = message.Event.Phase,
        message = message.Event.Message,
        approvers = message.Event.Approvers,
        at = message.Event.At,
    };

    protected override void Sign(HttpRequestMessage request, byte[] body, ChannelSpec channel)
    {
        if (channel.ResolveSecret() is string secret)
        {
            request.Headers.Add("X-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        }
    }
}
