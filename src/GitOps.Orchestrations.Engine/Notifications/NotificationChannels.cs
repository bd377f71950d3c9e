using GitOps.Orchestrations.Engine.Notifications.Channels;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Orchestrations.Engine.Notifications;

/// <summary>The channel types, by the <c>Type</c> a channel is configured with; an unknown type is a configuration error.</summary>
public sealed class NotificationChannels(IEnumerable<INotificationChannel> channels)
{
    public static readonly IReadOnlyList<string> Types = ["email", "slack", "teams", "webhook"];

    readonly Dictionary<string, INotificationChannel> byType = channels.ToDictionary(c => c.Type, StringComparer.Ordinal);

    public INotificationChannel For(string type) =>
        byType.TryGetValue(type, out INotificationChannel? channel) ? channel : throw new ArgumentException($"unknown channel type '{type}' (known: {string.Join(", ", Types)})");

    /// <summary>The built-in channels, and the named HTTP client they post with: 30 seconds per attempt, no redirects (a URL that moved is a configuration to fix, not follow).</summary>
    public static IServiceCollection Register(IServiceCollection services)
    {
        services.AddHttpClient(HttpChannel.ClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = false });
        services.AddSingleton<INotificationChannel, WebhookChannel>();
        services.AddSingleton<INotificationChannel, SlackChannel>();
        services.AddSingleton<INotificationChannel, TeamsChannel>();
        services.AddSingleton<INotificationChannel, EmailChannel>();
        services.AddSingleton<NotificationChannels>();
        return services;
    }
}
