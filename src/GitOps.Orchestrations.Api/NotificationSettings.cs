using GitOps.Orchestrations.Core.Notifications;
using GitOps.Orchestrations.Engine.Notifications;
using Microsoft.Extensions.Configuration;

namespace GitOps.Orchestrations.Api;

/// <summary>
/// Reads the <c>Notifications</c> section both hosts take: <c>Channels</c> by name, <c>Defaults</c>
/// (server-wide subscriptions) and the dashboard address links point to. A channel that is not
/// complete, of an unknown type, or a default naming a channel nobody configured stops the start.
/// </summary>
public static class NotificationSettings
{
    sealed record DefaultSubscription
    {
        public List<string> On { get; init; } = [];

        public List<string> To { get; init; } = [];

        public string? Template { get; init; }

        public bool Required { get; init; }
    }

    public static NotificationOptions Read(IConfigurationSection section, string? dashboardUrl)
    {
        Dictionary<string, ChannelSpec> channels = section.GetSection("Channels").Get<Dictionary<string, ChannelSpec>>() ?? [];
        List<DefaultSubscription> defaults = section.GetSection("Defaults").Get<List<DefaultSubscription>>() ?? [];
        if (defaults.SelectMany(d => d.On).FirstOrDefault(t => !NotificationTriggers.All.ContainsKey(t)) is string unknown)
        {
            throw new ArgumentException($"Notifications:Defaults: unknown trigger '{unknown}' (known: {string.Join(", ", NotificationTriggers.All.Keys)})");
        }

        var options = new NotificationOptions
        {
            Channels = new Dictionary<string, ChannelSpec>(channels, StringComparer.Ordinal),
            Defaults = [.. defaults.Where(d => d.On.Count > 0 && d.To.Count > 0).Select(d => new SubscriptionSpec(d.On, d.To, d.Template, d.Required))],
            DashboardUrl = section["DashboardUrl"] is { Length: > 0 } url ? url : dashboardUrl,
        };
        return options.Problem() is string problem ? throw new ArgumentException($"Notifications: {problem}") : options;
    }
}
