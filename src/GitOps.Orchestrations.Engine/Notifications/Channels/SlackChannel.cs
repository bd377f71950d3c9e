namespace GitOps.Orchestrations.Engine.Notifications.Channels;

/// <summary>
/// A Slack incoming webhook: <c>text</c> (what notifications and older clients show) and one
/// section block in mrkdwn, with the run's link as a button when there is one.
/// </summary>
public sealed class SlackChannel(IHttpClientFactory clients) : HttpChannel(clients)
{
    public override string Type => "slack";

    protected override object Body(RenderedNotification message)
    {
        var blocks = new List<object>
        {
            new { type = "section", text = new { type = "mrkdwn", text = $"*{Escape(message.Title)}*\n{Escape(message.Text)}" } },
        };
        if (message.Link is string link)
        {
            blocks.Add(new { type = "actions", elements = new object[] { new { type = "button", text = new { type = "plain_text", text = "Open run" }, url = link } } });
        }

        return new { text = $"{message.Title}: {message.Event.Workflow} {message.Event.RunId}", blocks };
    }

    /// <summary>Slack's three control characters, escaped as its formatting rules ask, so text from a run cannot forge links or mentions.</summary>
    static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
