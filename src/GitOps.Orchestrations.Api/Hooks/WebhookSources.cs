namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>The webhook senders the hosts understand, by the <c>Type</c> a hook is configured with; an unknown type is a configuration error.</summary>
public static class WebhookSources
{
    static readonly IReadOnlyDictionary<string, IWebhookSource> Known = new IWebhookSource[]
    {
        new GitHubSource(),
        new GitLabSource(),
        new HmacSource(),
        new CloudEventsSource(),
    }.ToDictionary(s => s.Type, StringComparer.Ordinal);

    public static IEnumerable<string> Types => Known.Keys.Order(StringComparer.Ordinal);

    public static IWebhookSource For(string type) =>
        Known.TryGetValue(type, out IWebhookSource? source)
            ? source
            : throw new ArgumentException($"unknown hook type '{type}' (known: {string.Join(", ", Types)})");
}
