namespace GitOps.Orchestrations.Engine.Notifications.Channels;

/// <summary>
/// A Microsoft Teams incoming webhook (or Workflows webhook): a message with one Adaptive Card
/// attachment, a bold headline, the text, and an "Open run" action when the run has a link.
/// </summary>
public sealed class TeamsChannel(IHttpClientFactory clients) : HttpChannel(clients)
{
    public override string Type => "teams";

    protected override object Body(RenderedNotification message) => new
    {
        type = "message",
        attachments = new object[]
        {
            new
            {
                contentType = "application/vnd.microsoft.card.adaptive",
                contentUrl = (string?)null,
                content = new Dictionary<string, object?>
                {
                    ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                    ["type"] = "AdaptiveCard",
                    ["version"] = "1.4",
                    ["body"] = new object[]
                    {
                        new { type = "TextBlock", text = message.Title, weight = "Bolder", size = "Medium", wrap = true },
                        new { type = "TextBlock", text = message.Text, wrap = true },
                    },
                    ["actions"] = message.Link is string link ? new object[] { new { type = "Action.OpenUrl", title = "Open run", url = link } } : null,
                },
            },
        },
    };
}
